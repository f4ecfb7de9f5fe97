"""SQL for staff accounts beyond log-in: departments, the TOTP second factor and step-up."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .records import Role, StaffUser, User
from .timeutil import utc_now

if TYPE_CHECKING:
    from .store import Store


class StaffStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def create(self, *, email: str, display_name: str, password_hash: str, role: Role,
                     departments: Iterable[str]) -> StaffUser:
        async with self._store.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO users (email, display_name, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)",
                (email, display_name, password_hash, role.value, utc_now()),
            )
            user_id = cursor.lastrowid
            for department in sorted(set(departments)):
                await conn.execute("INSERT INTO user_departments (user_id, department) VALUES (?, ?)",
                                   (user_id, department))
        return await self.get(user_id)

    async def get(self, user_id: int) -> StaffUser | None:
        row = await self._store.one("SELECT * FROM users WHERE id = ?", (user_id,))
        if row is None:
            return None
        departments = await self._store.all("SELECT department FROM user_departments WHERE user_id = ?", (user_id,))
        user = User(row["id"], row["email"], row["display_name"], Role(row["role"]), bool(row["disabled"]))
        return StaffUser(user, frozenset(d["department"] for d in departments), row["totp_enabled_at"] is not None)

    async def all(self) -> list[StaffUser]:
        rows = await self._store.all("SELECT id FROM users ORDER BY id")
        return [u for row in rows if (u := await self.get(row["id"])) is not None]

    async def email_taken(self, email: str) -> bool:
        return await self._store.one("SELECT 1 FROM users WHERE email = ?", (email,)) is not None

    # TOTP

    async def totp_state(self, user_id: int) -> tuple[bytes | None, int | None, bool, int | None]:
        """(sealed secret, key version it is sealed under, enabled, last accepted step)."""
        row = await self._store.one(
            "SELECT totp_secret, totp_key_version, totp_enabled_at, totp_last_step FROM users WHERE id = ?", (user_id,)
        )
        return row["totp_secret"], row["totp_key_version"], row["totp_enabled_at"] is not None, row["totp_last_step"]

    async def set_pending_totp(self, user_id: int, sealed: bytes, key_version: int) -> None:
        """Store a new secret that is not active until a first code confirms it."""
        await self._store.run(
            "UPDATE users SET totp_secret = ?, totp_key_version = ?, totp_enabled_at = NULL, totp_last_step = NULL "
            "WHERE id = ? AND totp_enabled_at IS NULL",
            (sealed, key_version, user_id),
        )

    async def accept_totp_step(self, user_id: int, step: int, *, enable: bool) -> bool:
        """Record a used code's step; False if a code of that step (or later) was already used."""
        async with self._store.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE users SET totp_last_step = ?, "
                "totp_enabled_at = CASE WHEN ? THEN coalesce(totp_enabled_at, ?) ELSE totp_enabled_at END "
                "WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)",
                (step, enable, utc_now(), user_id, step),
            )
            return cursor.rowcount == 1

    async def sealed_totp_secrets(self) -> list[tuple[int, bytes, int]]:
        rows = await self._store.all(
            "SELECT id, totp_secret, totp_key_version FROM users WHERE totp_secret IS NOT NULL"
        )
        return [(r["id"], r["totp_secret"], r["totp_key_version"]) for r in rows]

    async def reseal_totp(self, user_id: int, sealed: bytes, key_version: int) -> None:
        await self._store.run("UPDATE users SET totp_secret = ?, totp_key_version = ? WHERE id = ?",
                              (sealed, key_version, user_id))

    # step-up

    async def mark_stepped_up(self, old_id_hash: str, new_id_hash: str) -> None:
        """A second factor was passed: the session gets a new id (rotation) stamped with the time."""
        await self._store.run(
            "UPDATE sessions SET id_hash = ?, stepped_up_at = ?, last_seen_at = ? WHERE id_hash = ?",
            (new_id_hash, time.time(), time.time(), old_id_hash),
        )

    async def stepped_up_at(self, id_hash: str) -> float | None:
        row = await self._store.one("SELECT stepped_up_at FROM sessions WHERE id_hash = ?", (id_hash,))
        return row["stepped_up_at"] if row else None
