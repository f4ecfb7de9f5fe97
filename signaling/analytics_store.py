"""SQL for analytics: the facts behind the figures, for one job or all, by department and date.

Only this module reads the tables for analytics; `signaling.analytics` computes from what it
returns. Rows are turned into facts (stored explanations parsed) in a worker thread, so a large
campaign does not stall the event loop.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .analytics import AnswerFacts, Dataset, InterviewFacts, JobFacts, QuestionFacts, rubric_scores

if TYPE_CHECKING:
    import aiosqlite

    from .store import Store


@dataclass(frozen=True)
class Scope:
    """Which invitations count: one job or all, only some departments, created in [since, until)."""

    job_id: int | None = None
    departments: frozenset[str] | None = None  # None: every department
    since: str | None = None  # ISO time, inclusive
    until: str | None = None  # ISO time, exclusive


def _job_filter(scope: Scope, alias: str = "j") -> tuple[list[str], list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    if scope.job_id is not None:
        where.append(f"{alias}.id = ?")
        params.append(scope.job_id)
    if scope.departments is not None:
        where.append(f"{alias}.department IN ({', '.join('?' * len(scope.departments))})"
                     if scope.departments else "0")
        params.extend(sorted(scope.departments))
    return where, params


def _interview_filter(scope: Scope) -> tuple[str, list[Any]]:
    where, params = _job_filter(scope)
    if scope.since is not None:
        where.append("i.created_at >= ?")
        params.append(scope.since)
    if scope.until is not None:
        where.append("i.created_at < ?")
        params.append(scope.until)
    return (f"WHERE {' AND '.join(where)}" if where else ""), params


class AnalyticsStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def jobs(self, departments: frozenset[str] | None) -> list[JobFacts]:
        """The jobs whose analytics a user with these departments may open, newest first."""
        where, params = _job_filter(Scope(departments=departments))
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = await self._store.all(f"SELECT * FROM jobs j {clause} ORDER BY j.id DESC", params)
        return [_job(r) for r in rows]

    async def job(self, job_id: int) -> JobFacts | None:
        row = await self._store.one("SELECT * FROM jobs WHERE id = ?", (job_id,))
        return _job(row) if row else None

    async def load(self, scope: Scope, *, explanations: bool = True) -> Dataset:
        """The jobs, questions, invitations and answers in `scope`. Without `explanations`, answers
        carry scores only (enough for the results export, and much less to read)."""
        where, params = _job_filter(scope)
        job_clause = f"WHERE {' AND '.join(where)}" if where else ""
        jobs = await self._store.all(f"SELECT * FROM jobs j {job_clause} ORDER BY j.id", params)
        questions = await self._store.all(
            f"SELECT q.* FROM questions q WHERE q.job_id IN (SELECT j.id FROM jobs j {job_clause}) "
            "ORDER BY q.job_id, q.position", params)
        clause, params = _interview_filter(scope)
        interviews = await self._store.all(
            "SELECT i.*, (SELECT count(*) FROM interruptions x WHERE x.interview_id = i.id) AS interruption_count "
            f"FROM interviews i JOIN jobs j ON j.id = i.job_id {clause} ORDER BY i.id", params)
        explanation = "a.explanation" if explanations else "NULL AS explanation"
        answers = await self._store.all(
            f"SELECT a.interview_id, a.question_id, a.score, {explanation} FROM answers a "
            f"JOIN interviews i ON i.id = a.interview_id JOIN jobs j ON j.id = i.job_id {clause} "
            "ORDER BY a.interview_id, a.question_id", params)
        return await asyncio.to_thread(_dataset, jobs, questions, interviews, answers)


def _dataset(jobs: Sequence[aiosqlite.Row], questions: Sequence[aiosqlite.Row],
             interviews: Sequence[aiosqlite.Row], answers: Sequence[aiosqlite.Row]) -> Dataset:
    return Dataset(
        jobs=tuple(_job(r) for r in jobs),
        questions=tuple(_question(r) for r in questions),
        interviews=tuple(_interview(r) for r in interviews),
        answers=tuple(
            AnswerFacts(r["interview_id"], r["question_id"], r["score"],
                        rubric_scores(_json(r["explanation"])) if r["explanation"] else ())
            for r in answers
        ),
    )


def _json(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _names(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(n for n in value if isinstance(n, str) and n.strip())


def _job(row: aiosqlite.Row) -> JobFacts:
    return JobFacts(row["id"], row["title"], row["department"], row["language"], row["archived_at"] is not None)


def _question(row: aiosqlite.Row) -> QuestionFacts:
    rubric = _json(row["rubric"])
    items = rubric.get("competencies") if isinstance(rubric, dict) else None
    rubric_names = _names([c.get("name") for c in items if isinstance(c, dict)] if isinstance(items, list) else [])
    return QuestionFacts(row["id"], row["job_id"], row["position"], row["text"],
                         _names(_json(row["competencies"])), rubric_names)


def _interview(row: aiosqlite.Row) -> InterviewFacts:
    return InterviewFacts(
        id=row["id"], job_id=row["job_id"], status=row["status"], created_at=row["created_at"],
        opened_at=row["opened_at"], consented_at=row["consented_at"], declined_at=row["declined_at"],
        device_ok_at=row["device_ok_at"], practiced_at=row["practiced_at"], started_at=row["started_at"],
        completed_at=row["completed_at"], revoked_at=row["revoked_at"], interruptions=row["interruption_count"],
        candidate_name=row["candidate_name"], candidate_email=row["candidate_email"],
    )
