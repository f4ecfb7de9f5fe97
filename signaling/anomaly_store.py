"""SQL for anomalies: store one, list an interview's, list the latest in a dashboard's scope."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .anomalies import NewAnomaly
from .dashboard_store import Scope
from .timeutil import utc_now

if TYPE_CHECKING:
    import aiosqlite

    from .store import Store

_SELECT = ("SELECT a.*, i.public_id, i.candidate_name, j.id AS job_id, j.title AS job_title, j.department "
           "FROM anomalies a JOIN interviews i ON i.id = a.interview_id JOIN jobs j ON j.id = i.job_id ")


def anomaly_json(row: aiosqlite.Row) -> dict[str, Any]:
    return {"id": row["id"], "kind": row["kind"], "question": row["question"],
            "detail": json.loads(row["detail"]) if row["detail"] else {}, "at": row["at"],
            "interview": {"id": row["public_id"], "candidate_name": row["candidate_name"], "job_id": row["job_id"],
                          "job_title": row["job_title"], "department": row["department"]}}


class AnomalyStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def add(self, interview_id: int, anomaly: NewAnomaly, *, once: bool = False,
                  same: str | None = None) -> dict[str, Any] | None:
        """Store `anomaly` and return its JSON form. With `once`, not if the interview already has one
        of its kind; with `same` (a detail field), not if one of its kind has the same value there
        (one row per interruption, however often it is reported). None when nothing was stored."""
        detail = json.dumps(anomaly.detail, ensure_ascii=False, sort_keys=True)
        async with self._store.transaction() as conn:
            if once or same is not None:
                sql = "SELECT 1 FROM anomalies WHERE interview_id = ? AND kind = ?"
                params: list[Any] = [interview_id, anomaly.kind.value]
                if same is not None:
                    sql += " AND json_extract(detail, ?) IS ?"
                    params += [f"$.{same}", anomaly.detail.get(same)]
                if await (await conn.execute(sql, params)).fetchone():
                    return None
            cursor = await conn.execute(
                "INSERT INTO anomalies (interview_id, kind, question, detail, at) VALUES (?, ?, ?, ?, ?)",
                (interview_id, anomaly.kind.value, anomaly.question, detail, utc_now()))
            row = await (await conn.execute(f"{_SELECT} WHERE a.id = ?", (cursor.lastrowid,))).fetchone()
        return anomaly_json(row)

    async def for_interview(self, interview_id: int) -> list[dict[str, Any]]:
        rows = await self._store.all(f"{_SELECT} WHERE a.interview_id = ? ORDER BY a.id", (interview_id,))
        return [anomaly_json(row) for row in rows]

    async def latest(self, scope: Scope, *, limit: int = 50, before: int | None = None) -> list[dict[str, Any]]:
        """Newest first; `before` (an anomaly id) pages back."""
        where, params = scope.where()
        if before is not None:
            where += " AND a.id < ?"
            params.append(before)
        rows = await self._store.all(f"{_SELECT} WHERE {where} ORDER BY a.id DESC LIMIT ?", [*params, limit])
        return [anomaly_json(row) for row in rows]

    async def interruption_count(self, interview_id: int) -> int:
        row = await self._store.one("SELECT count(*) FROM interruptions WHERE interview_id = ?", (interview_id,))
        return row[0]
