"""Jobs after they are created: listing (with or without archived ones), editing, archiving, and
appending questions — and the rule that keeps interviews comparable.

Once a candidate of a job has started (consented, or gone further), its questions and interview
language are frozen: every candidate of a job must get the same interview, and stored answers and
recordings point at the job's questions. Until then everything may change. The check and the
change happen in one transaction, so a candidate starting meanwhile cannot slip between them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiosqlite

from .records import Job, Question
from .store import NewQuestion, NotFound, StoreError
from .timeutil import utc_now
from .validation import MAX_QUESTIONS, JobUpdate

if TYPE_CHECKING:
    from .store import Store

# An interview "has started" once its candidate consented; from then on the questions are frozen.
STARTED = ("status IN ('consented', 'in_progress', 'disconnected', 'interrupted', 'completed') "
           "OR started_at IS NOT NULL")


class JobLocked(StoreError):
    """The change would alter the interview of a job whose candidates have started."""


class TooManyQuestions(StoreError):
    pass


@dataclass(frozen=True)
class JobListing:
    job: Job  # without questions
    question_count: int
    interview_count: int
    started: bool  # a candidate has started: questions and language are frozen


def same_questions(a: Sequence[Question | NewQuestion], b: Sequence[Question | NewQuestion]) -> bool:
    return _signature(a) == _signature(b)


def _signature(questions: Sequence[Question | NewQuestion]) -> list[tuple]:
    """What a candidate experiences of the questions (and what scoring uses), in order."""
    return [(q.text, q.think_seconds, q.answer_seconds, json.dumps(q.rubric, sort_keys=True),
             tuple(q.competencies)) for q in questions]


def _json(value: object) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


class JobStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def listing(self, *, archived: str = "exclude") -> list[JobListing]:
        """Jobs, newest first. `archived`: "exclude" (the default list), "include" or "only"."""
        where = {"exclude": "WHERE j.archived_at IS NULL", "only": "WHERE j.archived_at IS NOT NULL"}.get(archived, "")
        rows = await self._store.all(
            "SELECT j.*, (SELECT count(*) FROM questions q WHERE q.job_id = j.id) AS question_count, "
            "(SELECT count(*) FROM interviews i WHERE i.job_id = j.id) AS interview_count, "
            f"EXISTS (SELECT 1 FROM interviews i WHERE i.job_id = j.id AND ({STARTED})) AS started "
            f"FROM jobs j {where} ORDER BY j.id DESC"
        )
        return [JobListing(_job(r), r["question_count"], r["interview_count"], bool(r["started"])) for r in rows]

    async def summary(self, job_id: int) -> JobListing:
        """One job with its questions, its number of interviews and whether it is frozen."""
        job = await self._store.job(job_id)
        row = await self._store.one(
            f"SELECT count(*) AS n, coalesce(max({STARTED}), 0) AS started FROM interviews WHERE job_id = ?",
            (job_id,))
        return JobListing(job, len(job.questions), row["n"], bool(row["started"]))

    async def interview_ids(self, job_id: int) -> list[int]:
        return [r[0] for r in await self._store.all("SELECT id FROM interviews WHERE job_id = ?", (job_id,))]

    async def update(self, job_id: int, change: JobUpdate) -> Job:
        """Apply an edit; JobLocked if it changes the questions or language of a started job."""
        async with self._store.transaction() as conn:
            row = await _one(conn, "SELECT * FROM jobs WHERE id = ?", (job_id,))
            if row is None:
                raise NotFound(f"job {job_id} does not exist")
            started = await _started(conn, job_id)
            current = [_question(r) for r in await _all(
                conn, "SELECT * FROM questions WHERE job_id = ? ORDER BY position", (job_id,))]
            language = change.language or row["language"]
            questions = change.questions
            if questions is not None and _signature(questions) == _signature(current):
                questions = None  # nothing changed there (title and department edits send them back as they are)
            if started and (language != row["language"] or questions is not None):
                raise JobLocked("candidates have started this job's interview")
            await conn.execute("UPDATE jobs SET title = ?, department = ?, language = ?, updated_at = ? WHERE id = ?",
                               (change.title, change.department, language, utc_now(), job_id))
            if questions is not None:
                await _replace_questions(conn, job_id, current, questions, change.keep_ids)
        return await self._store.job(job_id)

    async def set_archived(self, job_id: int, archived: bool) -> Job:
        now = utc_now()
        changed = await self._store.run(
            "UPDATE jobs SET archived_at = ?, updated_at = ? WHERE id = ?", (now if archived else None, now, job_id))
        if not changed:
            raise NotFound(f"job {job_id} does not exist")
        return await self._store.job(job_id)

    async def append(self, job_id: int, questions: Sequence[NewQuestion]) -> Job:
        """Add questions at the end (copies from the bank); refused once a candidate has started."""
        async with self._store.transaction() as conn:
            if await _one(conn, "SELECT 1 FROM jobs WHERE id = ?", (job_id,)) is None:
                raise NotFound(f"job {job_id} does not exist")
            if await _started(conn, job_id):
                raise JobLocked("candidates have started this job's interview")
            (count,) = await _one(conn, "SELECT count(*) FROM questions WHERE job_id = ?", (job_id,))
            if count + len(questions) > MAX_QUESTIONS:
                raise TooManyQuestions(f"the job has {count} questions; at most {MAX_QUESTIONS} are allowed")
            for position, q in enumerate(questions, start=count):
                await _insert_question(conn, job_id, position, q)
            await conn.execute("UPDATE jobs SET updated_at = ? WHERE id = ?", (utc_now(), job_id))
        return await self._store.job(job_id)


async def _replace_questions(conn: aiosqlite.Connection, job_id: int, current: list[Question],
                             questions: Sequence[NewQuestion], keep_ids: Sequence[int | None]) -> None:
    """Make the job's questions exactly `questions`. A question that names an existing one (keep_ids)
    keeps its id and its link to the bank; the others are new; the rest are deleted."""
    existing = {q.id: q for q in current}
    kept = {qid for qid in keep_ids if qid in existing}
    await conn.execute("UPDATE questions SET position = -1 - position WHERE job_id = ?", (job_id,))
    for q in current:
        if q.id not in kept:
            await conn.execute("DELETE FROM questions WHERE id = ?", (q.id,))
    used: set[int] = set()
    for position, q in enumerate(questions):
        qid = keep_ids[position] if position < len(keep_ids) else None
        if qid in kept and qid not in used:
            used.add(qid)
            await conn.execute(
                "UPDATE questions SET position = ?, text = ?, think_seconds = ?, answer_seconds = ?, rubric = ?, "
                "competencies = ? WHERE id = ?",
                (position, q.text, q.think_seconds, q.answer_seconds, _json(q.rubric),
                 json.dumps(list(q.competencies), ensure_ascii=False), qid))
        else:
            await _insert_question(conn, job_id, position, q)
    for qid in kept - used:  # named twice: the second one became a new question
        await conn.execute("DELETE FROM questions WHERE id = ?", (qid,))


async def _insert_question(conn: aiosqlite.Connection, job_id: int, position: int, q: NewQuestion) -> None:
    await conn.execute(
        "INSERT INTO questions (job_id, position, text, think_seconds, answer_seconds, rubric, competencies, "
        "bank_question_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (job_id, position, q.text, q.think_seconds, q.answer_seconds, _json(q.rubric),
         json.dumps(list(q.competencies), ensure_ascii=False), q.bank_question_id))


async def _started(conn: aiosqlite.Connection, job_id: int) -> bool:
    row = await _one(conn, f"SELECT EXISTS (SELECT 1 FROM interviews WHERE job_id = ? AND ({STARTED}))", (job_id,))
    return bool(row[0])


async def _one(conn: aiosqlite.Connection, sql: str, params: Sequence[object]) -> aiosqlite.Row | None:
    return await (await conn.execute(sql, params)).fetchone()


async def _all(conn: aiosqlite.Connection, sql: str, params: Sequence[object]) -> list[aiosqlite.Row]:
    return list(await (await conn.execute(sql, params)).fetchall())


def _question(row: aiosqlite.Row) -> Question:
    return Question(row["id"], row["position"], row["text"], row["think_seconds"], row["answer_seconds"],
                    json.loads(row["rubric"]) if row["rubric"] else None,
                    tuple(json.loads(row["competencies"] or "[]")), row["bank_question_id"])


def _job(row: aiosqlite.Row) -> Job:
    return Job(row["id"], row["title"], row["department"], row["language"], row["created_at"], (),
               row["archived_at"], row["updated_at"])
