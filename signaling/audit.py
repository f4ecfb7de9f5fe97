"""The audit log: who did what to which recording or candidate data, and when.

Every recording access (user, part, byte range), purge, deletion request, key rotation and
second-factor event is written here; HR can read it. Entries are only ever appended.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .records import AuditEntry, User
from .timeutil import utc_now

if TYPE_CHECKING:
    from .store import Store

SYSTEM = "system"


class AuditLog:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def record(self, action: str, *, user: User | None = None, actor: str | None = None,
                     target: str | None = None, **detail: Any) -> None:
        await self._store.run(
            "INSERT INTO audit_log (at, user_id, actor, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)",
            (utc_now(), user.id if user else None, actor or (user.email if user else SYSTEM), action, target,
             json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None),
        )

    async def entries(self, *, limit: int = 200, before_id: int | None = None,
                      action: str | None = None) -> list[AuditEntry]:
        where, params = [], []
        if before_id is not None:
            where.append("id < ?")
            params.append(before_id)
        if action is not None:
            where.append("action = ?")
            params.append(action)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = await self._store.all(f"SELECT * FROM audit_log {clause} ORDER BY id DESC LIMIT ?", (*params, limit))
        return [
            AuditEntry(r["id"], r["at"], r["user_id"], r["actor"], r["action"], r["target"],
                       json.loads(r["detail"]) if r["detail"] else None)
            for r in rows
        ]
