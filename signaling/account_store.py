"""SQL for the life of a staff account after it is created: invitation and password-reset links,
disabling and re-enabling, password changes, resetting the second factor, and ending a user's
sessions.

Links are single-use and expire; only their SHA-256 is stored. Everything that changes who may
sign in (a new password, disabling) ends the user's sessions in the same transaction.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from . import auth
from .records import Role, User
from .timeutil import iso, utc_now

if TYPE_CHECKING:
    import aiosqlite

    from .store import Store


class LinkPurpose(StrEnum):
    ACTIVATE = "activate"  # an invited person sets their first password
    RESET_PASSWORD = "reset_password"  # an admin sent a password reset


LINK_LIFETIME = {LinkPurpose.ACTIVATE: timedelta(hours=72), LinkPurpose.RESET_PASSWORD: timedelta(hours=24)}


class AccountState(StrEnum):
    ACTIVE = "active"
    INVITED = "invited"  # created by invitation; the link has not been used yet
    DISABLED = "disabled"


class NoSuchAccount(Exception):
    pass


class LastActiveAdmin(Exception):
    """The change would leave no active administrator."""


@dataclass(frozen=True)
class AccountLink:
    """A valid (unused, unexpired) link and the account it is for."""

    user: User
    purpose: LinkPurpose
    expires_at: str


@dataclass(frozen=True)
class AccountStatus:
    state: AccountState
    disabled_at: str | None
    invite_expires_at: str | None  # the pending invitation's expiry (in the past: expired)
    password_changed_at: str | None


def _user(row: aiosqlite.Row) -> User:
    return User(row["id"], row["email"], row["display_name"], Role(row["role"]), bool(row["disabled"]))


class AccountStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    # links

    async def issue_link(self, user_id: int, purpose: LinkPurpose, *, created_by: int | None) -> tuple[str, str]:
        """A new link token and its expiry; earlier unused links of this purpose stop working."""
        token = auth.new_secret()
        expires_at = iso(datetime.now(UTC) + LINK_LIFETIME[purpose])
        async with self._store.transaction() as conn:
            await conn.execute("DELETE FROM account_tokens WHERE user_id = ? AND purpose = ? AND used_at IS NULL",
                               (user_id, purpose.value))
            await conn.execute(
                "INSERT INTO account_tokens (user_id, token_hash, purpose, created_by, created_at, expires_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (user_id, auth.digest(token), purpose.value, created_by, utc_now(), expires_at),
            )
        return token, expires_at

    async def link(self, token: str) -> AccountLink | None:
        """The account a link is for, if the link is unused, unexpired and the account enabled."""
        async with self._store.transaction() as conn:
            return await self._valid_link(conn, token)

    async def _valid_link(self, conn: aiosqlite.Connection, token: str) -> AccountLink | None:
        if not token or len(token) > 128:
            return None
        row = await (await conn.execute(
            "SELECT t.purpose, t.expires_at, u.* FROM account_tokens t JOIN users u ON u.id = t.user_id "
            "WHERE t.token_hash = ? AND t.used_at IS NULL AND t.expires_at > ? AND u.disabled = 0",
            (auth.digest(token), utc_now()),
        )).fetchone()
        return AccountLink(_user(row), LinkPurpose(row["purpose"]), row["expires_at"]) if row else None

    async def redeem(self, token: str, password_hash: str) -> tuple[AccountLink, int] | None:
        """Use a link to set the password: the link and every other pending link of the account
        stop working, and all its sessions end. (The link, sessions ended), or None if not valid."""
        now = utc_now()
        async with self._store.transaction() as conn:
            link = await self._valid_link(conn, token)
            if link is None:
                return None
            await conn.execute("UPDATE account_tokens SET used_at = ? WHERE token_hash = ?", (now, auth.digest(token)))
            await self._expire_links(conn, link.user.id, now)
            await conn.execute("UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?",
                               (password_hash, now, link.user.id))
            ended = await conn.execute("DELETE FROM sessions WHERE user_id = ?", (link.user.id,))
            return link, ended.rowcount

    @staticmethod
    async def _expire_links(conn: aiosqlite.Connection, user_id: int, now: str) -> None:
        await conn.execute(
            "UPDATE account_tokens SET expires_at = ? WHERE user_id = ? AND used_at IS NULL AND expires_at > ?",
            (now, user_id, now),
        )

    # passwords and sessions

    async def change_password(self, user_id: int, password_hash: str, *, current: str, rotated: str) -> int:
        """Set a new password; every other session of the user ends and the current one (`current`,
        an id hash) gets the new id hash `rotated`. Returns how many other sessions ended."""
        now = utc_now()
        async with self._store.transaction() as conn:
            await conn.execute("UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?",
                               (password_hash, now, user_id))
            await self._expire_links(conn, user_id, now)  # a reset link sent earlier is moot
            ended = await conn.execute("DELETE FROM sessions WHERE user_id = ? AND id_hash != ?", (user_id, current))
            await conn.execute("UPDATE sessions SET id_hash = ?, last_seen_at = ? WHERE id_hash = ?",
                               (rotated, time.time(), current))
            return ended.rowcount

    async def end_sessions(self, user_id: int) -> int:
        return await self._store.run("DELETE FROM sessions WHERE user_id = ?", (user_id,))

    # disabling

    async def set_disabled(self, user_id: int, disabled: bool) -> tuple[User, bool, int]:
        """(the user, whether anything changed, sessions ended). Disabling ends every session and
        pending link of the account at once; it is refused for the last active administrator."""
        now = utc_now()
        async with self._store.transaction() as conn:
            row = await (await conn.execute("SELECT * FROM users WHERE id = ?", (user_id,))).fetchone()
            if row is None:
                raise NoSuchAccount()
            if bool(row["disabled"]) == disabled:
                return _user(row), False, 0
            ended = 0
            if disabled:
                if row["role"] == Role.ADMIN.value:
                    (others,) = await (await conn.execute(
                        "SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id != ?", (user_id,)
                    )).fetchone()
                    if others == 0:
                        raise LastActiveAdmin()
                await conn.execute("UPDATE users SET disabled = 1, disabled_at = ? WHERE id = ?", (now, user_id))
                ended = (await conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))).rowcount
                await self._expire_links(conn, user_id, now)
            else:
                await conn.execute("UPDATE users SET disabled = 0, disabled_at = NULL WHERE id = ?", (user_id,))
            row = await (await conn.execute("SELECT * FROM users WHERE id = ?", (user_id,))).fetchone()
            return _user(row), True, ended

    # the second factor

    async def reset_totp(self, user_id: int) -> bool:
        """Forget the TOTP secret (the user enrols again) and any step-up in force; True if one was set."""
        async with self._store.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE users SET totp_secret = NULL, totp_key_version = NULL, totp_enabled_at = NULL, "
                "totp_last_step = NULL WHERE id = ? AND totp_secret IS NOT NULL", (user_id,))
            await conn.execute("UPDATE sessions SET stepped_up_at = NULL WHERE user_id = ?", (user_id,))
            return cursor.rowcount == 1

    # the staff list

    async def statuses(self, user_id: int | None = None) -> dict[int, AccountStatus]:
        """Each account's state (of one account when `user_id` is given)."""
        where, params = ("WHERE u.id = ?", (user_id,)) if user_id is not None else ("", ())
        rows = await self._store.all(
            "SELECT u.id, u.disabled, u.disabled_at, u.password_changed_at, "
            "(SELECT max(t.expires_at) FROM account_tokens t WHERE t.user_id = u.id AND t.purpose = 'activate' "
            " AND t.used_at IS NULL) AS invite_expires_at, "
            "EXISTS (SELECT 1 FROM account_tokens t WHERE t.user_id = u.id AND t.purpose = 'activate') AS invited "
            f"FROM users u {where}", params,
        )
        return {r["id"]: _status(r) for r in rows}

    async def status(self, user_id: int) -> AccountStatus:
        found = await self.statuses(user_id)
        if user_id not in found:
            raise NoSuchAccount()
        return found[user_id]


def _status(row: aiosqlite.Row) -> AccountStatus:
    if row["disabled"]:
        state = AccountState.DISABLED
    elif row["invited"] and row["password_changed_at"] is None:
        state = AccountState.INVITED
    else:
        state = AccountState.ACTIVE
    pending = row["invite_expires_at"] if state is AccountState.INVITED else None
    return AccountStatus(state, row["disabled_at"], pending, row["password_changed_at"])
