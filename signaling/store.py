"""All SQL lives here: one SQLite connection (through aiosqlite's thread), typed records out.

Every public method holds the store's lock for its whole unit of work, so statements of
different coroutines never interleave inside one transaction on the shared connection.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from .account_store import AccountStore
from .audit import AuditLog
from .flow import Status
from .outbox import Outbox
from .recording_store import RecordingStore
from .records import Interview, InterviewSummary, Job, Question, Role, StoredAnswer, User
from .review_store import ReviewStore
from .schema import MIGRATIONS
from .staff_store import StaffStore
from .timeutil import iso, utc_now
from .webhook_store import WebhookStore

log = logging.getLogger(__name__)


class StoreError(Exception):
    """A request the store cannot satisfy (missing row, constraint violated)."""


class NotFound(StoreError):
    pass


@dataclass(frozen=True)
class NewQuestion:
    text: str
    think_seconds: int
    answer_seconds: int
    rubric: dict | None = None
    competencies: tuple[str, ...] = ()
    bank_question_id: int | None = None


@dataclass(frozen=True)
class NewAnswer:
    interview_id: int
    question_id: int
    status: str
    transcript: str
    words: list
    score: int | None
    explanation: dict
    answer_started_at: str
    answer_ended_at: str
    answered_seconds: float
    audio_seconds: float
    cut_short: bool = False  # the grace period ended while the candidate was still answering


class Store:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self.recordings = RecordingStore(self)
        self.staff = StaffStore(self)
        self.accounts = AccountStore(self)
        self.audit = AuditLog(self)
        self.reviews = ReviewStore(self)
        self.outbox = Outbox()  # events committed with the changes that cause them
        self.webhooks = WebhookStore(self)

    @classmethod
    async def open(cls, path: Path) -> Store:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode = WAL")
        await conn.execute("PRAGMA foreign_keys = ON")
        await conn.execute("PRAGMA busy_timeout = 5000")
        store = cls(conn)
        await store._migrate()
        return store

    async def close(self) -> None:
        async with self._lock:
            await self._conn.close()

    async def _migrate(self) -> None:
        async with self._lock:
            (version,) = await (await self._conn.execute("PRAGMA user_version")).fetchone()
            if version > len(MIGRATIONS):
                raise StoreError(
                    f"the database is at schema version {version}, newer than this Intervox ({len(MIGRATIONS)})"
                )
            for number in range(version + 1, len(MIGRATIONS) + 1):
                await self._conn.execute("PRAGMA foreign_keys = OFF")  # no effect inside a transaction
                try:
                    await self._conn.executescript(f"BEGIN IMMEDIATE;\n{MIGRATIONS[number - 1]}\n")
                    broken = await (await self._conn.execute("PRAGMA foreign_key_check")).fetchall()
                    if broken:
                        raise StoreError(f"migration {number} would break {len(broken)} foreign keys")
                    await self._conn.execute(f"PRAGMA user_version = {number}")
                    await self._conn.execute("COMMIT")
                except Exception:
                    if self._conn.in_transaction:
                        await self._conn.execute("ROLLBACK")
                    raise
                finally:
                    await self._conn.execute("PRAGMA foreign_keys = ON")
                log.info("database migrated to schema version %d", number)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            await self._conn.execute("COMMIT")

    async def one(self, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
        async with self._lock:
            return await (await self._conn.execute(sql, params)).fetchone()

    async def all(self, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
        async with self._lock:
            return list(await (await self._conn.execute(sql, params)).fetchall())

    async def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        async with self._lock:
            cursor = await self._conn.execute(sql, params)
            return cursor.rowcount

    # users and sessions

    async def create_user(self, email: str, display_name: str, password_hash: str, role: Role) -> User:
        async with self.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO users (email, display_name, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)",
                (email, display_name, password_hash, role.value, utc_now()),
            )
            user_id = cursor.lastrowid
        return User(user_id, email, display_name, role, False)

    async def count_users(self) -> int:
        row = await self.one("SELECT count(*) FROM users")
        return row[0]

    async def user_credentials(self, email: str) -> tuple[User, str] | None:
        row = await self.one("SELECT * FROM users WHERE email = ?", (email,))
        return (_user(row), row["password_hash"]) if row else None

    async def set_password_hash(self, user_id: int, password_hash: str) -> None:
        await self.run("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))

    async def create_session(self, id_hash: str, user_id: int) -> None:
        now = time.time()
        await self.run(
            "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at) VALUES (?, ?, ?, ?)",
            (id_hash, user_id, now, now),
        )

    async def session_user(self, id_hash: str, *, idle_seconds: float, max_seconds: float) -> User | None:
        """The user behind a live session, touching it; expired sessions are deleted."""
        found = await self.session(id_hash, idle_seconds=idle_seconds, max_seconds=max_seconds)
        return found[0] if found else None

    async def session(self, id_hash: str, *, idle_seconds: float,
                      max_seconds: float) -> tuple[User, float | None] | None:
        """(user, time of the last step-up) behind a live session; expired sessions are deleted."""
        now = time.time()
        async with self.transaction() as conn:
            row = await (await conn.execute(
                "SELECT s.created_at, s.last_seen_at, s.stepped_up_at, u.* FROM sessions s "
                "JOIN users u ON u.id = s.user_id "
                "WHERE s.id_hash = ?",
                (id_hash,),
            )).fetchone()
            if row is None:
                return None
            if row["disabled"] or now - row["last_seen_at"] > idle_seconds or now - row["created_at"] > max_seconds:
                await conn.execute("DELETE FROM sessions WHERE id_hash = ?", (id_hash,))
                return None
            if now - row["last_seen_at"] > 30:
                await conn.execute("UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?", (now, id_hash))
            return _user(row), row["stepped_up_at"]

    async def delete_session(self, id_hash: str) -> None:
        await self.run("DELETE FROM sessions WHERE id_hash = ?", (id_hash,))

    # jobs

    async def create_job(
        self, *, title: str, department: str, language: str, questions: Sequence[NewQuestion], created_by: int | None
    ) -> Job:
        async with self.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO jobs (title, department, language, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
                (title, department, language, created_by, utc_now()),
            )
            job_id = cursor.lastrowid
            for position, q in enumerate(questions):
                await conn.execute(
                    "INSERT INTO questions (job_id, position, text, think_seconds, answer_seconds, rubric, "
                    "competencies, bank_question_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (job_id, position, q.text, q.think_seconds, q.answer_seconds,
                     json.dumps(q.rubric, ensure_ascii=False) if q.rubric is not None else None,
                     json.dumps(list(q.competencies), ensure_ascii=False), q.bank_question_id),
                )
        return await self.job(job_id)

    async def job(self, job_id: int) -> Job:
        row = await self.one("SELECT * FROM jobs WHERE id = ?", (job_id,))
        if row is None:
            raise NotFound(f"job {job_id} does not exist")
        questions = await self.all("SELECT * FROM questions WHERE job_id = ? ORDER BY position", (job_id,))
        return _job(row, tuple(_question(q) for q in questions))

    async def jobs(self) -> list[tuple[Job, int]]:
        """Every job (without questions) with its number of questions, newest first."""
        rows = await self.all(
            "SELECT j.*, (SELECT count(*) FROM questions q WHERE q.job_id = j.id) AS n FROM jobs j ORDER BY j.id DESC"
        )
        return [(_job(r, ()), r["n"]) for r in rows]

    async def job_by_title(self, title: str) -> Job | None:
        row = await self.one("SELECT id FROM jobs WHERE title = ? ORDER BY id LIMIT 1", (title,))
        return await self.job(row["id"]) if row else None

    # interviews

    async def create_interview(
        self, *, job_id: int, candidate_name: str, candidate_email: str, token_hash: str, created_by: int | None
    ) -> Interview:
        public_id = uuid.uuid4().hex
        async with self.transaction() as conn:
            if await (await conn.execute("SELECT 1 FROM jobs WHERE id = ?", (job_id,))).fetchone() is None:
                raise NotFound(f"job {job_id} does not exist")
            await conn.execute(
                "INSERT INTO interviews (public_id, job_id, candidate_name, candidate_email, token_hash, status, "
                "created_by, created_at) VALUES (?, ?, ?, ?, ?, 'invited', ?, ?)",
                (public_id, job_id, candidate_name, candidate_email, token_hash, created_by, utc_now()),
            )
        return await self.interview(public_id)

    async def interview(self, public_id: str) -> Interview:
        row = await self.one("SELECT * FROM interviews WHERE public_id = ?", (public_id,))
        if row is None:
            raise NotFound("no such interview")
        return _interview(row)

    async def interview_by_id(self, interview_id: int) -> Interview:
        row = await self.one("SELECT * FROM interviews WHERE id = ?", (interview_id,))
        if row is None:
            raise NotFound("no such interview")
        return _interview(row)

    async def interview_by_token_hash(self, token_hash: str) -> Interview | None:
        row = await self.one("SELECT * FROM interviews WHERE token_hash = ?", (token_hash,))
        return _interview(row) if row else None

    async def interviews(self, job_id: int | None = None, *,
                         departments: frozenset[str] | None = None) -> list[InterviewSummary]:
        """Interviews, newest first, with their job and answers; `departments` limits the jobs."""
        where, params = [], []
        if job_id is not None:
            where.append("i.job_id = ?")
            params.append(job_id)
        if departments is not None:
            where.append(f"j.department IN ({', '.join('?' * len(departments))})" if departments else "0")
            params.extend(sorted(departments))
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = await self.all(
            "SELECT i.*, j.title AS job_title, j.department AS job_department, "
            "(SELECT count(*) FROM interruptions x WHERE x.interview_id = i.id) AS interruptions, "
            "(SELECT count(*) FROM answers a WHERE a.interview_id = i.id) AS answered, "
            "(SELECT avg(score) FROM answers a WHERE a.interview_id = i.id AND a.score IS NOT NULL) AS mean_score "
            f"FROM interviews i JOIN jobs j ON j.id = i.job_id {clause} ORDER BY i.id DESC",
            params,
        )
        return [InterviewSummary(_interview(r), r["job_title"], r["job_department"], r["answered"], r["mean_score"],
                                 r["interruptions"]) for r in rows]

    async def replace_token_hash(self, interview_id: int, token_hash: str) -> None:
        await self.run("UPDATE interviews SET token_hash = ? WHERE id = ?", (token_hash, interview_id))

    async def mark_opened(self, interview_id: int) -> None:
        await self.run(
            "UPDATE interviews SET opened_at = ? WHERE id = ? AND opened_at IS NULL", (utc_now(), interview_id)
        )

    async def mark_device_ok(self, interview_id: int) -> None:
        """Funnel: the device check passed (the first time is kept)."""
        await self.run("UPDATE interviews SET device_ok_at = coalesce(device_ok_at, ?) WHERE id = ?",
                       (utc_now(), interview_id))

    async def mark_practiced(self, interview_id: int) -> None:
        """Funnel: the practice answer ended (the first time is kept)."""
        await self.run("UPDATE interviews SET practiced_at = coalesce(practiced_at, ?) WHERE id = ?",
                       (utc_now(), interview_id))

    async def record_device_check(self, interview_id: int, result: dict) -> None:
        await self.run(
            "UPDATE interviews SET device_check = ? WHERE id = ?",
            (json.dumps({**result, "at": utc_now()}), interview_id),
        )

    _STATUS_TIME = {
        Status.CONSENTED: "consented_at",
        Status.DECLINED: "declined_at",
        Status.IN_PROGRESS: "started_at",
        Status.COMPLETED: "completed_at",
    }

    async def set_status(self, interview_id: int, status: Status) -> None:
        """A connection change (disconnected, back in progress, interrupted, reopened)."""
        interrupted = utc_now() if status is Status.INTERRUPTED else None
        async with self.transaction() as conn, self.outbox.on_status_change(conn, interview_id):
            await conn.execute("UPDATE interviews SET status = ?, interrupted_at = coalesce(?, interrupted_at) "
                               "WHERE id = ?", (status.value, interrupted, interview_id))
        self.outbox.wake()

    async def next_connection_epoch(self, interview_id: int) -> int:
        """A new connection's number: higher than any earlier one, also across restarts."""
        async with self.transaction() as conn:
            await conn.execute("UPDATE interviews SET connection_epoch = connection_epoch + 1 WHERE id = ?",
                               (interview_id,))
            row = await (await conn.execute("SELECT connection_epoch FROM interviews WHERE id = ?",
                                            (interview_id,))).fetchone()
            return row[0]

    async def open_interruption(self, interview_id: int, question: int, phase: str, *,
                                seconds_ago: float = 0.0) -> int:
        started = iso(datetime.now(UTC) - timedelta(seconds=max(0.0, seconds_ago)))
        async with self.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO interruptions (interview_id, question, phase, started_at) VALUES (?, ?, ?, ?)",
                (interview_id, question, phase, started),
            )
            return cursor.lastrowid

    async def close_interruption(self, interruption_id: int, *, offline_seconds: float, outcome: str) -> None:
        await self.run(
            "UPDATE interruptions SET ended_at = ?, offline_seconds = ?, outcome = ? WHERE id = ?",
            (utc_now(), round(offline_seconds, 2), outcome, interruption_id),
        )

    async def interviews_left_waiting(self) -> list[tuple[Interview, int | None, str | None]]:
        """Interviews that were in progress or waiting for a candidate when the server last stopped:
        each with its open interruption (id and start time), if it has one."""
        rows = await self.all(
            "SELECT i.id, x.id AS interruption_id, x.started_at AS interruption_started FROM interviews i "
            "LEFT JOIN interruptions x ON x.interview_id = i.id AND x.ended_at IS NULL "
            "WHERE i.status IN ('in_progress', 'disconnected') ORDER BY i.id, x.id")
        latest = {r["id"]: (r["interruption_id"], r["interruption_started"]) for r in rows}
        return [(await self.interview_by_id(interview_id), *open_) for interview_id, open_ in latest.items()]

    async def interruptions(self, interview_id: int) -> list[dict]:
        rows = await self.all("SELECT * FROM interruptions WHERE interview_id = ? ORDER BY id", (interview_id,))
        return [{"question": r["question"], "phase": r["phase"], "started_at": r["started_at"],
                 "ended_at": r["ended_at"], "offline_seconds": r["offline_seconds"], "outcome": r["outcome"]}
                for r in rows]

    async def set_progress(
        self, interview_id: int, status: Status, current_question: int, *, consent_version: str | None = None
    ) -> None:
        """Persist the interview's status and current question; the status's timestamp is set once."""
        stamp = self._STATUS_TIME.get(status)
        sets = ["status = ?", "current_question = ?"]
        params: list[Any] = [status.value, current_question]
        if stamp:
            sets.append(f"{stamp} = coalesce({stamp}, ?)")
            params.append(utc_now())
        if consent_version is not None:
            sets.append("consent_version = ?")
            params.append(consent_version)
        params.append(interview_id)
        async with self.transaction() as conn, self.outbox.on_status_change(conn, interview_id):
            await conn.execute(f"UPDATE interviews SET {', '.join(sets)} WHERE id = ?", params)
        self.outbox.wake()

    # answers

    async def save_answer(self, answer: NewAnswer) -> None:
        async with self.transaction() as conn:
            await conn.execute(
                "INSERT INTO answers (interview_id, question_id, status, transcript, words, score, explanation, "
                "answer_started_at, answer_ended_at, answered_seconds, audio_seconds, finalized_at, cut_short) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (interview_id, question_id) DO UPDATE SET status = excluded.status, "
                "transcript = excluded.transcript, words = excluded.words, score = excluded.score, "
                "explanation = excluded.explanation, answer_started_at = excluded.answer_started_at, "
                "answer_ended_at = excluded.answer_ended_at, answered_seconds = excluded.answered_seconds, "
                "audio_seconds = excluded.audio_seconds, finalized_at = excluded.finalized_at, "
                "cut_short = excluded.cut_short",
                (answer.interview_id, answer.question_id, answer.status, answer.transcript,
                 json.dumps(answer.words, ensure_ascii=False), answer.score,
                 json.dumps(answer.explanation, ensure_ascii=False), answer.answer_started_at, answer.answer_ended_at,
                 answer.answered_seconds, answer.audio_seconds, utc_now(), int(answer.cut_short)),
            )
            await self.outbox.answer_saved(conn, answer)
        self.outbox.wake()

    async def erase_answers(self, interview_id: int) -> int:
        """A deletion request: the interview's transcripts, scores and reviews go; its status stays."""
        async with self.transaction() as conn:
            await conn.execute("DELETE FROM answer_reviews WHERE interview_id = ?", (interview_id,))
            cursor = await conn.execute("DELETE FROM answers WHERE interview_id = ?", (interview_id,))
            await conn.execute("UPDATE interviews SET data_deleted_at = ? WHERE id = ?", (utc_now(), interview_id))
            return cursor.rowcount

    async def purge_answers_before(self, cutoff: str) -> int:
        """Delete every answer (transcript, words, score) finalised before `cutoff` (ISO time)."""
        return await self.run("DELETE FROM answers WHERE finalized_at < ?", (cutoff,))

    async def answers(self, interview_id: int) -> list[StoredAnswer]:
        rows = await self.all(
            "SELECT a.*, q.position, q.text AS question_text FROM answers a JOIN questions q ON q.id = a.question_id "
            "WHERE a.interview_id = ? ORDER BY q.position",
            (interview_id,),
        )
        return [
            StoredAnswer(
                question_id=r["question_id"], position=r["position"], question_text=r["question_text"],
                status=r["status"], transcript=r["transcript"], words=json.loads(r["words"]), score=r["score"],
                explanation=json.loads(r["explanation"]), answered_seconds=r["answered_seconds"],
                audio_seconds=r["audio_seconds"], answer_started_at=r["answer_started_at"],
                answer_ended_at=r["answer_ended_at"], finalized_at=r["finalized_at"], cut_short=bool(r["cut_short"]),
            )
            for r in rows
        ]


def _user(row: aiosqlite.Row) -> User:
    return User(row["id"], row["email"], row["display_name"], Role(row["role"]), bool(row["disabled"]))


def _question(row: aiosqlite.Row) -> Question:
    rubric = json.loads(row["rubric"]) if row["rubric"] else None
    return Question(row["id"], row["position"], row["text"], row["think_seconds"], row["answer_seconds"], rubric,
                    tuple(json.loads(row["competencies"] or "[]")), row["bank_question_id"])


def _job(row: aiosqlite.Row, questions: tuple[Question, ...]) -> Job:
    return Job(row["id"], row["title"], row["department"], row["language"], row["created_at"], questions,
               row["archived_at"], row["updated_at"])


def _interview(row: aiosqlite.Row) -> Interview:
    return Interview(
        id=row["id"], public_id=row["public_id"], job_id=row["job_id"], candidate_name=row["candidate_name"],
        candidate_email=row["candidate_email"], status=Status(row["status"]), current_question=row["current_question"],
        created_at=row["created_at"], opened_at=row["opened_at"], consented_at=row["consented_at"],
        declined_at=row["declined_at"], started_at=row["started_at"], completed_at=row["completed_at"],
        device_check=json.loads(row["device_check"]) if row["device_check"] else None,
        data_deleted_at=row["data_deleted_at"], interrupted_at=row["interrupted_at"],
        connection_epoch=row["connection_epoch"],
        expires_at=row["expires_at"], revoked_at=row["revoked_at"], invite_sent_at=row["invite_sent_at"],
        invite_sent_count=row["invite_sent_count"], invite_language=row["invite_language"],
    )
