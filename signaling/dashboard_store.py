"""SQL for the live HR dashboard: who may see what (`Scope`), counts by status, the interviews
being taken (or just finished) with their answers so far, and a read-only session check."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .timeutil import iso

if TYPE_CHECKING:
    from .store import Store

# Count tiles, in funnel order. "invited" is not opened yet; "opened" is invited and opened.
COUNT_KEYS = ("invited", "opened", "consented", "declined", "in_progress", "disconnected", "completed",
              "interrupted", "expired")
# Finished interviews stay in the live table this long, so their last scores are seen landing.
RECENT_SECONDS = 15 * 60
LIVE_LIMIT = 200


@dataclass(frozen=True)
class Scope:
    """What one dashboard watches: the user's departments (None: all) narrowed by the filters."""

    departments: frozenset[str] | None
    job_id: int | None = None
    department: str | None = None

    def admits(self, job_id: int, department: str) -> bool:
        if self.departments is not None and department not in self.departments:
            return False
        if self.job_id is not None and job_id != self.job_id:
            return False
        return self.department is None or department == self.department

    def where(self) -> tuple[str, list[Any]]:
        """An SQL condition on `i` (interviews) joined with `j` (jobs)."""
        clauses, params = ["1"], []
        if self.departments is not None:
            clauses.append(f"j.department IN ({', '.join('?' * len(self.departments))})" if self.departments else "0")
            params.extend(sorted(self.departments))
        if self.job_id is not None:
            clauses.append("j.id = ?")
            params.append(self.job_id)
        if self.department is not None:
            clauses.append("j.department = ?")
            params.append(self.department)
        return " AND ".join(clauses), params


class DashboardStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def counts(self, scope: Scope) -> dict[str, int]:
        where, params = scope.where()
        rows = await self._store.all(
            "SELECT i.status, count(*) AS n, sum(i.opened_at IS NOT NULL) AS opened "
            f"FROM interviews i JOIN jobs j ON j.id = i.job_id WHERE {where} GROUP BY i.status", params)
        counts = dict.fromkeys(COUNT_KEYS, 0)
        for row in rows:
            if row["status"] == "invited":
                counts["opened"] += row["opened"]
                counts["invited"] += row["n"] - row["opened"]
            elif row["status"] in counts:
                counts[row["status"]] += row["n"]
        return counts

    async def live_rows(self, scope: Scope, *, active: set[int]) -> list[dict[str, Any]]:
        """Interviews being taken: in progress or waiting for the candidate, consented ones whose
        candidate is around (`active`: ids the live feed saw lately), and those that finished in
        the last RECENT_SECONDS. Newest first, with their stored answers."""
        where, params = scope.where()
        since = iso(datetime.now(UTC) - timedelta(seconds=RECENT_SECONDS))
        active_ids = sorted(active)[:LIVE_LIMIT]
        rows = await self._store.all(
            "SELECT i.id, i.public_id, i.candidate_name, i.status, i.current_question, i.started_at, "
            "i.consented_at, i.completed_at, i.interrupted_at, j.id AS job_id, j.title AS job_title, "
            "j.department, j.language, (SELECT count(*) FROM questions q WHERE q.job_id = j.id) AS question_count, "
            "(SELECT count(*) FROM interruptions x WHERE x.interview_id = i.id) AS interruptions "
            "FROM interviews i JOIN jobs j ON j.id = i.job_id "
            f"WHERE {where} AND (i.status IN ('in_progress', 'disconnected') "
            f"OR (i.status = 'consented' AND i.id IN ({', '.join('?' * len(active_ids)) or 'NULL'})) "
            "OR (i.status IN ('completed', 'interrupted') AND coalesce(i.completed_at, i.interrupted_at) >= ?)) "
            f"ORDER BY i.id DESC LIMIT {LIVE_LIMIT}",
            [*params, *active_ids, since])
        if not rows:
            return []
        ids = [row["id"] for row in rows]
        answers = await self._store.all(
            "SELECT a.interview_id, q.position, a.score, a.status FROM answers a "
            f"JOIN questions q ON q.id = a.question_id WHERE a.interview_id IN ({', '.join('?' * len(ids))}) "
            "ORDER BY q.position", ids)
        by_interview: dict[int, list[dict[str, Any]]] = {}
        for answer in answers:
            by_interview.setdefault(answer["interview_id"], []).append(
                {"question": answer["position"], "score": answer["score"], "status": answer["status"]})
        return [{**dict(row), "answers": by_interview.get(row["id"], [])} for row in rows]

    async def jobs(self, departments: frozenset[str] | None) -> list[dict[str, Any]]:
        """The jobs a user may filter by (not archived)."""
        where, params = Scope(departments).where()
        rows = await self._store.all(
            f"SELECT j.id, j.title, j.department FROM jobs j WHERE {where} AND j.archived_at IS NULL "
            "ORDER BY j.title COLLATE NOCASE, j.id", params)
        return [dict(row) for row in rows]

    async def job_department(self, job_id: int) -> str | None:
        row = await self._store.one("SELECT department FROM jobs WHERE id = ?", (job_id,))
        return row["department"] if row else None

    async def session_alive(self, id_hash: str, *, idle_seconds: float, max_seconds: float) -> int | None:
        """The user id behind a session that is still valid, without touching it (watching a
        dashboard is not activity that should keep a session alive); None otherwise."""
        row = await self._store.one(
            "SELECT s.created_at, s.last_seen_at, u.id, u.disabled, u.disabled_at FROM sessions s "
            "JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?", (id_hash,))
        now = time.time()
        if row is None or row["disabled"] or row["disabled_at"] is not None:
            return None
        if now - row["last_seen_at"] > idle_seconds or now - row["created_at"] > max_seconds:
            return None
        return row["id"]
