"""The question bank: reusable questions tagged with competencies, in one language each.

A job never points at a bank question's current text: adding a bank question to a job copies it
(with `bank_question_id` to say where it came from), so editing the bank later changes no job and
no past interview. Bank questions are archived, never deleted, for the same reason.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import aiosqlite

from .store import NewQuestion, NotFound
from .timeutil import utc_now
from .validation import BankQuestionInput

if TYPE_CHECKING:
    from .store import Store


@dataclass(frozen=True)
class BankQuestion:
    id: int
    text: str
    language: str
    competencies: tuple[str, ...]
    think_seconds: int
    answer_seconds: int
    rubric: dict | None
    created_at: str
    updated_at: str | None
    archived_at: str | None
    used_in: int = 0  # job questions copied from it

    def copy_for_job(self) -> NewQuestion:
        return NewQuestion(self.text, self.think_seconds, self.answer_seconds, self.rubric, self.competencies,
                           bank_question_id=self.id)


def dedupe_key(language: str, text: str) -> tuple[str, str]:
    """Two bank questions are the same if their language and words match (ignoring case and spacing)."""
    return language, " ".join(text.split()).casefold()


class BankStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def get(self, question_id: int) -> BankQuestion:
        rows = await self._select("WHERE b.id = ?", (question_id,))
        if not rows:
            raise NotFound(f"bank question {question_id} does not exist")
        return rows[0]

    async def many(self, ids: Sequence[int]) -> list[BankQuestion]:
        """The questions with these ids, in the order given; NotFound names the first missing one."""
        found = {q.id: q for q in await self._select(f"WHERE b.id IN ({', '.join('?' * len(ids))})", ids)}
        missing = [i for i in ids if i not in found]
        if missing:
            raise NotFound(f"bank question {missing[0]} does not exist")
        return [found[i] for i in ids]

    async def search(self, *, competency: str | None = None, language: str | None = None,
                     archived: bool = False) -> list[BankQuestion]:
        where = ["b.archived_at IS NOT NULL" if archived else "b.archived_at IS NULL"]
        params: list[object] = []
        if language:
            where.append("b.language = ?")
            params.append(language)
        if competency:
            where.append("EXISTS (SELECT 1 FROM json_each(b.competencies) c WHERE lower(c.value) = lower(?))")
            params.append(competency.strip())
        return await self._select(f"WHERE {' AND '.join(where)}", params)

    async def competencies(self) -> list[str]:
        """Every competency used in the active bank, once whatever its case (in its commonest
        spelling), sorted: the choices of the filter, which ignores case too."""
        rows = await self._store.all(
            "SELECT c.value, count(*) FROM bank_questions b, json_each(b.competencies) c "
            "WHERE b.archived_at IS NULL GROUP BY c.value")
        spellings: dict[str, list[tuple[int, str]]] = {}
        for name, count in rows:
            spellings.setdefault(name.casefold(), []).append((-count, name))
        return sorted((min(found)[1] for found in spellings.values()), key=lambda name: (name.casefold(), name))

    async def active_keys(self) -> set[tuple[str, str]]:
        rows = await self._store.all("SELECT language, text FROM bank_questions WHERE archived_at IS NULL")
        return {dedupe_key(r["language"], r["text"]) for r in rows}

    async def create(self, q: BankQuestionInput, *, created_by: int | None) -> BankQuestion:
        (question_id,) = await self.create_many([q], created_by=created_by)
        return await self.get(question_id)

    async def create_many(self, questions: Sequence[BankQuestionInput], *, created_by: int | None) -> list[int]:
        """Insert all of them in one transaction: an import is all or nothing."""
        now = utc_now()
        ids = []
        async with self._store.transaction() as conn:
            for q in questions:
                cursor = await conn.execute(
                    "INSERT INTO bank_questions (text, language, competencies, think_seconds, answer_seconds, rubric, "
                    "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (q.text, q.language, json.dumps(list(q.competencies), ensure_ascii=False), q.think_seconds,
                     q.answer_seconds, _json(q.rubric), created_by, now))
                ids.append(cursor.lastrowid)
        return ids

    async def update(self, question_id: int, q: BankQuestionInput) -> BankQuestion:
        """Change the bank question; the jobs that copied it keep their copies as they were."""
        changed = await self._store.run(
            "UPDATE bank_questions SET text = ?, language = ?, competencies = ?, think_seconds = ?, "
            "answer_seconds = ?, rubric = ?, updated_at = ? WHERE id = ?",
            (q.text, q.language, json.dumps(list(q.competencies), ensure_ascii=False), q.think_seconds,
             q.answer_seconds, _json(q.rubric), utc_now(), question_id))
        if not changed:
            raise NotFound(f"bank question {question_id} does not exist")
        return await self.get(question_id)

    async def set_archived(self, question_id: int, archived: bool) -> BankQuestion:
        now = utc_now()
        changed = await self._store.run(
            "UPDATE bank_questions SET archived_at = ?, updated_at = ? WHERE id = ?",
            (now if archived else None, now, question_id))
        if not changed:
            raise NotFound(f"bank question {question_id} does not exist")
        return await self.get(question_id)

    async def _select(self, where: str, params: Sequence[object]) -> list[BankQuestion]:
        rows = await self._store.all(
            "SELECT b.*, (SELECT count(*) FROM questions q WHERE q.bank_question_id = b.id) AS used_in "
            f"FROM bank_questions b {where} ORDER BY b.id DESC", params)
        return [_bank_question(r) for r in rows]


def _json(value: object) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _bank_question(row: aiosqlite.Row) -> BankQuestion:
    return BankQuestion(
        id=row["id"], text=row["text"], language=row["language"], competencies=tuple(json.loads(row["competencies"])),
        think_seconds=row["think_seconds"], answer_seconds=row["answer_seconds"],
        rubric=json.loads(row["rubric"]) if row["rubric"] else None, created_at=row["created_at"],
        updated_at=row["updated_at"], archived_at=row["archived_at"], used_in=row["used_in"],
    )
