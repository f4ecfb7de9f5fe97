"""SQL for reviewers' own ratings (1–5) and notes on answers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .records import AnswerReview
from .timeutil import utc_now

if TYPE_CHECKING:
    from .store import Store


class ReviewStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def save(self, *, interview_id: int, question_id: int, reviewer_id: int, rating: int, note: str) -> None:
        await self._store.run(
            "INSERT INTO answer_reviews (interview_id, question_id, reviewer_id, rating, note, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (interview_id, question_id, reviewer_id) "
            "DO UPDATE SET rating = excluded.rating, note = excluded.note, updated_at = excluded.updated_at",
            (interview_id, question_id, reviewer_id, rating, note, utc_now()),
        )

    async def for_interview(self, interview_id: int) -> list[AnswerReview]:
        rows = await self._store.all(
            "SELECT r.*, u.display_name FROM answer_reviews r JOIN users u ON u.id = r.reviewer_id "
            "WHERE r.interview_id = ? ORDER BY r.question_id, u.display_name",
            (interview_id,),
        )
        return [AnswerReview(r["question_id"], r["reviewer_id"], r["display_name"], r["rating"], r["note"],
                             r["updated_at"]) for r in rows]
