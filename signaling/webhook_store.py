"""SQL for webhook subscriptions, their deliveries and every delivery attempt.

A delivery is one (subscription, event) pair: created pending when the worker fans an outbox
event out, then attempted until it is delivered (2xx) or the retry schedule is used up (failed).
Each attempt is a row of its own, so the log shows what every try got back.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import aiosqlite

from . import outbox
from .timeutil import iso, utc_now

if TYPE_CHECKING:
    from .store import Store

Sealer = Callable[[int], tuple[bytes, int]]  # webhook id -> (sealed secret, master key version)


@dataclass(frozen=True)
class Webhook:
    id: int
    url: str
    description: str
    events: tuple[str, ...]
    active: bool
    created_at: str
    updated_at: str | None
    secret_rotated_at: str | None
    pending: int = 0
    failed: int = 0
    last_delivered_at: str | None = None


@dataclass(frozen=True)
class Attempt:
    number: int
    at: str
    status_code: int | None
    error: str | None
    response: str | None
    duration_ms: int


@dataclass(frozen=True)
class Delivery:
    id: str  # the Intervox-Delivery header: receivers deduplicate on it
    event_id: str
    event_type: str
    event_created_at: str
    status: str  # pending | delivered | failed
    attempts: int
    next_attempt_at: str | None  # while pending
    last_attempt_at: str | None
    last_status: int | None
    last_error: str | None
    delivered_at: str | None
    attempt_log: tuple[Attempt, ...] = ()


@dataclass(frozen=True)
class DueDelivery:
    """What the worker needs to attempt one delivery."""

    id: int
    public_id: str
    webhook_id: int
    url: str
    sealed_secret: bytes
    key_version: int
    event_type: str
    payload: str
    attempts: int
    retries_from: int


@dataclass(frozen=True)
class AttemptResult:
    status_code: int | None
    error: str | None
    response: str | None
    duration_ms: int


def epoch_iso(seconds: float | None) -> str | None:
    return iso(datetime.fromtimestamp(seconds, UTC)) if seconds is not None else None


def _webhook(row: aiosqlite.Row) -> Webhook:
    keys = row.keys()
    return Webhook(row["id"], row["url"], row["description"], tuple(json.loads(row["events"])), bool(row["active"]),
                   row["created_at"], row["updated_at"], row["secret_rotated_at"],
                   row["pending"] if "pending" in keys else 0, row["failed"] if "failed" in keys else 0,
                   row["last_delivered_at"] if "last_delivered_at" in keys else None)


_WITH_STATS = (
    "SELECT w.*, "
    "(SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.status = 'pending') AS pending, "
    "(SELECT count(*) FROM webhook_deliveries d WHERE d.webhook_id = w.id AND d.status = 'failed') AS failed, "
    "(SELECT max(delivered_at) FROM webhook_deliveries d WHERE d.webhook_id = w.id) AS last_delivered_at "
    "FROM webhooks w"
)


class WebhookStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    # subscriptions

    async def create(self, *, url: str, description: str, events: Collection[str], seal: Sealer,
                     created_by: int | None) -> Webhook:
        """A new active subscription; `seal(id)` seals its secret bound to the id it gets."""
        async with self._store.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO webhooks (url, description, events, secret, secret_key_version, created_by, created_at) "
                "VALUES (?, ?, ?, x'', 0, ?, ?)",
                (url, description, json.dumps(sorted(events)), created_by, utc_now()),
            )
            webhook_id = cursor.lastrowid
            sealed, version = seal(webhook_id)
            await conn.execute("UPDATE webhooks SET secret = ?, secret_key_version = ? WHERE id = ?",
                               (sealed, version, webhook_id))
        return await self.get(webhook_id)

    async def get(self, webhook_id: int) -> Webhook | None:
        row = await self._store.one(f"{_WITH_STATS} WHERE w.id = ?", (webhook_id,))
        return _webhook(row) if row else None

    async def all(self) -> list[Webhook]:
        return [_webhook(r) for r in await self._store.all(f"{_WITH_STATS} ORDER BY w.id")]

    async def update(self, webhook_id: int, *, url: str | None = None, description: str | None = None,
                     events: Collection[str] | None = None, active: bool | None = None) -> Webhook | None:
        sets, params = ["updated_at = ?"], [utc_now()]
        for column, value in (("url", url), ("description", description),
                              ("events", json.dumps(sorted(events)) if events is not None else None),
                              ("active", int(active) if active is not None else None)):
            if value is not None:
                sets.append(f"{column} = ?")
                params.append(value)
        await self._store.run(f"UPDATE webhooks SET {', '.join(sets)} WHERE id = ?", (*params, webhook_id))
        return await self.get(webhook_id)

    async def delete(self, webhook_id: int) -> bool:
        return await self._store.run("DELETE FROM webhooks WHERE id = ?", (webhook_id,)) == 1

    async def set_secret(self, webhook_id: int, seal: Sealer) -> bool:
        async with self._store.transaction() as conn:
            sealed, version = seal(webhook_id)
            cursor = await conn.execute(
                "UPDATE webhooks SET secret = ?, secret_key_version = ?, secret_rotated_at = ? WHERE id = ?",
                (sealed, version, utc_now(), webhook_id))
            return cursor.rowcount == 1

    async def sealed_secrets(self) -> list[tuple[int, bytes, int]]:
        """(webhook id, sealed secret, master key version) of every subscription: for key rotation."""
        rows = await self._store.all("SELECT id, secret, secret_key_version FROM webhooks")
        return [(r["id"], r["secret"], r["secret_key_version"]) for r in rows]

    async def reseal(self, webhook_id: int, sealed: bytes, key_version: int) -> None:
        await self._store.run("UPDATE webhooks SET secret = ?, secret_key_version = ? WHERE id = ?",
                              (sealed, key_version, webhook_id))

    # the worker's side

    async def fan_out(self, *, now: float, limit: int = 500) -> int:
        """Committed events not yet fanned out: one pending delivery per matching active subscription,
        all in one transaction with marking the events dispatched. The number of deliveries created."""
        created = 0
        async with self._store.transaction() as conn:
            events = await (await conn.execute(
                "SELECT id, kind FROM outbox WHERE dispatched_at IS NULL ORDER BY id LIMIT ?", (limit,))).fetchall()
            if not events:
                return 0
            hooks = await (await conn.execute("SELECT id, events FROM webhooks WHERE active = 1")).fetchall()
            subscribed = [(h["id"], set(json.loads(h["events"]))) for h in hooks]
            stamp = utc_now()
            for event in events:
                for webhook_id, kinds in subscribed:
                    if event["kind"] in kinds:
                        cursor = await conn.execute(
                            "INSERT OR IGNORE INTO webhook_deliveries (public_id, webhook_id, outbox_id, status, "
                            "next_attempt_at, created_at) VALUES (?, ?, ?, 'pending', ?, ?)",
                            (str(uuid.uuid4()), webhook_id, event["id"], now, stamp))
                        created += cursor.rowcount
                await conn.execute("UPDATE outbox SET dispatched_at = ? WHERE id = ?", (stamp, event["id"]))
        return created

    async def due(self, *, now: float, per_webhook: int, limit: int = 200) -> list[DueDelivery]:
        """Pending deliveries of active subscriptions whose time has come, oldest first, at most
        `per_webhook` of each subscription (so one subscription's backlog cannot hide the others)."""
        rows = await self._store.all(
            "SELECT * FROM (SELECT d.id, d.public_id, d.webhook_id, d.attempts, d.retries_from, d.next_attempt_at, "
            "w.url, w.secret, w.secret_key_version, o.kind, o.payload, "
            "row_number() OVER (PARTITION BY d.webhook_id ORDER BY d.next_attempt_at, d.id) AS rank "
            "FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id JOIN outbox o ON o.id = d.outbox_id "
            "WHERE d.status = 'pending' AND w.active = 1 AND d.next_attempt_at <= ?) "
            "WHERE rank <= ? ORDER BY next_attempt_at, id LIMIT ?", (now, per_webhook, limit))
        return [DueDelivery(r["id"], r["public_id"], r["webhook_id"], r["url"], r["secret"],
                            r["secret_key_version"], r["kind"], r["payload"], r["attempts"], r["retries_from"])
                for r in rows]

    async def next_due_at(self, *, skip_deliveries: Collection[int] = (),
                          skip_webhooks: Collection[int] = ()) -> float | None:
        """When the next pending delivery of an active subscription is due, leaving out those given."""
        where, params = ["d.status = 'pending'", "w.active = 1"], []
        for column, ids in (("d.id", skip_deliveries), ("d.webhook_id", skip_webhooks)):
            if ids:
                where.append(f"{column} NOT IN ({', '.join('?' * len(ids))})")
                params.extend(ids)
        row = await self._store.one(
            "SELECT min(d.next_attempt_at) FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id "
            f"WHERE {' AND '.join(where)}", params)
        return row[0] if row else None

    async def record_attempt(self, delivery: DueDelivery, result: AttemptResult, *, status: str,
                             next_attempt_at: float | None) -> bool:
        """Log one attempt and its outcome; False if the delivery was deleted meanwhile."""
        number = delivery.attempts + 1
        now = utc_now()
        async with self._store.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE webhook_deliveries SET attempts = attempts + 1, status = ?, next_attempt_at = ?, "
                "last_attempt_at = ?, last_status = ?, last_error = ?, "
                "delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END WHERE id = ?",
                (status, next_attempt_at if next_attempt_at is not None else 0, now, result.status_code,
                 result.error, status, now, delivery.id))
            if cursor.rowcount != 1:
                return False
            await conn.execute(
                "INSERT INTO webhook_attempts (delivery_id, number, at, status_code, error, response, duration_ms) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (delivery.id, number, now, result.status_code, result.error, result.response, result.duration_ms))
        return True

    async def prune(self, cutoff: str) -> int:
        """Forget events (and their deliveries) created before `cutoff` that nothing still waits to send."""
        return await self._store.run(
            "DELETE FROM outbox WHERE created_at < ? AND dispatched_at IS NOT NULL AND NOT EXISTS ("
            "SELECT 1 FROM webhook_deliveries d WHERE d.outbox_id = outbox.id AND d.status = 'pending')",
            (cutoff,))

    # the log

    async def deliveries(self, webhook_id: int, *, limit: int = 50, before: int | None = None,
                         status: str | None = None) -> tuple[list[Delivery], int | None]:
        """Newest first, with their attempts; and the cursor for the next (older) page, if any."""
        where, params = ["d.webhook_id = ?"], [webhook_id]
        if before is not None:
            where.append("d.id < ?")
            params.append(before)
        if status is not None:
            where.append("d.status = ?")
            params.append(status)
        rows = await self._store.all(
            "SELECT d.*, o.event_id, o.kind, o.created_at AS event_created_at FROM webhook_deliveries d "
            f"JOIN outbox o ON o.id = d.outbox_id WHERE {' AND '.join(where)} ORDER BY d.id DESC LIMIT ?",
            (*params, limit + 1))
        more = len(rows) > limit
        rows = rows[:limit]
        attempts: dict[int, list[Attempt]] = {r["id"]: [] for r in rows}
        if rows:
            marks = ", ".join("?" * len(rows))
            for a in await self._store.all(
                    f"SELECT * FROM webhook_attempts WHERE delivery_id IN ({marks}) ORDER BY id", list(attempts)):
                attempts[a["delivery_id"]].append(Attempt(a["number"], a["at"], a["status_code"], a["error"],
                                                          a["response"], a["duration_ms"]))
        found = [
            Delivery(r["public_id"], r["event_id"], r["kind"], r["event_created_at"], r["status"], r["attempts"],
                     epoch_iso(r["next_attempt_at"]) if r["status"] == "pending" else None, r["last_attempt_at"],
                     r["last_status"], r["last_error"], r["delivered_at"], tuple(attempts[r["id"]]))
            for r in rows
        ]
        return found, (rows[-1]["id"] if more else None)

    async def redeliver(self, webhook_id: int, delivery_public_id: str, *, now: float) -> bool:
        """Send again now, with a fresh retry schedule (the same delivery id: receivers may dedupe)."""
        return await self._store.run(
            "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?, retries_from = attempts "
            "WHERE webhook_id = ? AND public_id = ?", (now, webhook_id, delivery_public_id)) == 1

    async def ping(self, webhook_id: int, *, now: float) -> str | None:
        """A `ping` event for this subscription alone; its delivery id (None: no such subscription)."""
        async with self._store.transaction() as conn:
            if await (await conn.execute("SELECT 1 FROM webhooks WHERE id = ?", (webhook_id,))).fetchone() is None:
                return None
            event = await outbox.add(conn, outbox.PING, {"webhook": {"id": webhook_id}}, dispatched=True)
            public_id = str(uuid.uuid4())
            await conn.execute(
                "INSERT INTO webhook_deliveries (public_id, webhook_id, outbox_id, status, next_attempt_at, "
                "created_at) VALUES (?, ?, ?, 'pending', ?, ?)", (public_id, webhook_id, event, now, utc_now()))
        return public_id
