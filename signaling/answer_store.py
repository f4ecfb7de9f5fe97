"""Scoring a finished answer's transcript and storing it with its timings."""

from __future__ import annotations

import asyncio

from scoring.rubric import Rubric
from scoring.scorer import AnswerScore, QuestionSpec, score_answer
from scoring.transcript import Transcript

from .records import Job
from .store import NewAnswer, Store


async def score_and_store(
    store: Store, *, interview_id: int, job: Job, index: int, transcript: Transcript, answered: float,
    started_at: str, ended_at: str, cut_short: bool,
) -> AnswerScore:
    question = job.questions[index]
    spec = QuestionSpec(
        text=question.text,
        language=job.language,
        answer_seconds=question.answer_seconds,
        rubric=Rubric.from_json(question.rubric) if question.rubric else None,
    )
    score = await asyncio.to_thread(score_answer, spec, transcript, answered_seconds=answered)
    await store.save_answer(
        NewAnswer(
            interview_id=interview_id,
            question_id=question.id,
            status=score.status.value,
            transcript=transcript.text,
            words=[{"w": w.text, "s": w.start, "e": w.end, "p": w.probability} for w in transcript.words],
            score=score.total,
            explanation=score.to_json(),
            answer_started_at=started_at,
            answer_ended_at=ended_at,
            answered_seconds=round(answered, 2),
            audio_seconds=round(transcript.audio_seconds, 2),
            cut_short=cut_short,
        )
    )
    return score
