"""The transactional outbox: integration events written in the SAME SQLite transaction as the
state change that causes them, so a crash can neither lose an event nor leave one for a change
that was rolled back. The webhook worker (signaling/webhooks.py) fans committed events out.

An event is a JSON envelope, stored as the exact bytes every receiver gets:

    {"id": "<uuid>", "type": "interview.completed", "created_at": "2026-11-26T10:32:05.123Z",
     "data": {"interview": {...}, "job": {...}, "candidate": {...}[, "answer": {...}]}}

Fields are only ever added, never renamed or removed. No transcript text, no scoring evidence
(which quotes the transcript) and never a recording leaves through an event; integrations that
may see more pull it through the API.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import aiosqlite

from .flow import Status
from .timeutil import utc_now

if TYPE_CHECKING:
    from .store import NewAnswer


class EventType(StrEnum):
    INTERVIEW_COMPLETED = "interview.completed"
    ANSWER_SCORED = "answer.scored"
    INTERVIEW_DECLINED = "interview.declined"
    INTERVIEW_INTERRUPTED = "interview.interrupted"


PING = "ping"  # a test event an administrator sends to one subscription; nobody subscribes to it

_STATUS_EVENTS = {
    Status.COMPLETED: EventType.INTERVIEW_COMPLETED,
    Status.DECLINED: EventType.INTERVIEW_DECLINED,
    Status.INTERRUPTED: EventType.INTERVIEW_INTERRUPTED,
}


class Outbox:
    """Writes events inside the caller's transaction; `wake()` (after the commit) tells the worker."""

    def __init__(self) -> None:
        self.committed = asyncio.Event()

    def wake(self) -> None:
        """Call after the transaction committed: the worker looks for new events now."""
        self.committed.set()

    @asynccontextmanager
    async def on_status_change(self, conn: aiosqlite.Connection, interview_id: int) -> AsyncIterator[None]:
        """Around an UPDATE of an interview's status, in its transaction: the status event, if the
        status really changed to one integrations hear about."""
        before = await _status(conn, interview_id)
        yield
        after = await _status(conn, interview_id)
        kind = _STATUS_EVENTS.get(after) if after is not before else None
        if kind is not None:
            await add(conn, kind, await interview_data(conn, interview_id))

    async def answer_saved(self, conn: aiosqlite.Connection, answer: NewAnswer) -> None:
        """In the transaction that stored `answer`: its `answer.scored` event."""
        data = await interview_data(conn, answer.interview_id)
        question = await (await conn.execute("SELECT position, text FROM questions WHERE id = ?",
                                              (answer.question_id,))).fetchone()
        components = [{"key": c.get("key"), "points": c.get("points"), "max_points": c.get("max_points")}
                      for c in answer.explanation.get("components", ())]
        data["answer"] = {
            "question": {"position": question["position"], "text": question["text"]},
            "status": answer.status,
            "score": answer.score,
            "components": components,
            "cut_short": answer.cut_short,
            "answered_seconds": answer.answered_seconds,
            "started_at": answer.answer_started_at,
            "ended_at": answer.answer_ended_at,
        }
        await add(conn, EventType.ANSWER_SCORED, data)


def envelope(kind: str, data: dict[str, Any]) -> tuple[str, str, str]:
    """(event id, created_at, the JSON text receivers get)."""
    event_id, created_at = str(uuid.uuid4()), utc_now()
    body = {"id": event_id, "type": str(kind), "created_at": created_at, "data": data}
    return event_id, created_at, json.dumps(body, ensure_ascii=False, separators=(",", ":"))


async def add(conn: aiosqlite.Connection, kind: str, data: dict[str, Any], *, dispatched: bool = False) -> int:
    """Insert one event in the caller's transaction; its outbox row id. `dispatched`: not for fan-out
    (a ping whose single delivery the caller creates)."""
    event_id, created_at, payload = envelope(kind, data)
    cursor = await conn.execute(
        "INSERT INTO outbox (event_id, kind, payload, created_at, dispatched_at) VALUES (?, ?, ?, ?, ?)",
        (event_id, str(kind), payload, created_at, created_at if dispatched else None),
    )
    return cursor.lastrowid


async def _status(conn: aiosqlite.Connection, interview_id: int) -> Status | None:
    row = await (await conn.execute("SELECT status FROM interviews WHERE id = ?", (interview_id,))).fetchone()
    return Status(row[0]) if row else None


async def interview_data(conn: aiosqlite.Connection, interview_id: int) -> dict[str, Any]:
    """The part every interview event carries: the interview, its job and the candidate."""
    row = await (await conn.execute(
        "SELECT i.public_id, i.status, i.current_question, i.candidate_name, i.candidate_email, i.created_at, "
        "i.consented_at, i.declined_at, i.started_at, i.completed_at, i.interrupted_at, "
        "j.id AS job_id, j.title, j.department, j.language, "
        "(SELECT count(*) FROM questions q WHERE q.job_id = j.id) AS question_count, "
        "(SELECT count(*) FROM answers a WHERE a.interview_id = i.id) AS answers_stored "
        "FROM interviews i JOIN jobs j ON j.id = i.job_id WHERE i.id = ?",
        (interview_id,),
    )).fetchone()
    return {
        "interview": {
            "id": row["public_id"], "status": row["status"], "current_question": row["current_question"],
            "question_count": row["question_count"], "answers_stored": row["answers_stored"],
            "invited_at": row["created_at"], "consented_at": row["consented_at"],
            "declined_at": row["declined_at"], "started_at": row["started_at"],
            "completed_at": row["completed_at"], "interrupted_at": row["interrupted_at"],
        },
        "job": {"id": row["job_id"], "title": row["title"], "department": row["department"],
                "language": row["language"]},
        "candidate": {"name": row["candidate_name"], "email": row["candidate_email"]},
    }
