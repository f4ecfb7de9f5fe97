"""A campaign to compute analytics on: two jobs in two departments and invitations at every stage,
written through the store's own methods (shared by the API test and the browser test)."""

from __future__ import annotations

from dataclasses import dataclass

from scoring.result import AnswerScore, AnswerStatus, Component, Finding
from signaling import auth
from signaling.flow import Status
from signaling.store import NewAnswer, NewQuestion, Store

FORMULA_NAME = '=HYPERLINK("http://evil.example","click"), Jr.'


def explanation(score: int | None, diagnosis: tuple[float, float] | None = None) -> dict:
    """What the scorer stores: a rubric component with one competency when `diagnosis` is given."""
    if score is None:
        return AnswerScore(AnswerStatus.NO_ANSWER, None, (), "No speech.").to_json()
    components = ()
    if diagnosis is not None:
        earned, share = diagnosis
        components = (Component("rubric", earned, share, (Finding(
            "rubric.matched" if earned else "rubric.missing", "…",
            {"competency": "Diagnosis", "points": earned, "max_points": share}),)),)
    return AnswerScore(AnswerStatus.SCORED, score, components, "…").to_json()


@dataclass
class Seeded:
    engineer: int  # job ids
    analyst: int
    interviews: dict[str, int]  # candidate name → interview id


async def seed(store: Store) -> Seeded:
    """Two jobs in two departments and invitations at every stage, written through the store."""
    engineer = await store.create_job(title="Backend Engineer", department="Engineering", language="en",
                                      created_by=None, questions=[
        NewQuestion("Tell us about an outage you fixed.", 30, 120,
                    {"competencies": [{"name": "Diagnosis", "weight": 1.0, "indicators": ["logs"]}]},
                    competencies=("Problem solving",)),
        NewQuestion("How do you explain a delay to a client?", 30, 120, competencies=("Communication",)),
    ])
    analyst = await store.create_job(title="财务分析师", department="Finance", language="zh", created_by=None,
                                     questions=[NewQuestion("请介绍一次预算分析。", 30, 120)])
    ids: dict[str, int] = {}

    async def invite(name: str, job_id: int, upto: str, answers: tuple = (), minutes: float = 0) -> int:
        token = auth.new_secret()
        record = await store.create_interview(job_id=job_id, candidate_name=name,
                                              candidate_email=f"{len(ids)}@example.com",
                                              token_hash=auth.digest(token), created_by=None)
        i = record.id
        steps = ["opened", "consented", "device_ok", "practiced", "started", "completed"]
        reached = steps.index(upto) if upto in steps else -1
        if upto == "declined":
            await store.mark_opened(i)
            await store.set_progress(i, Status.DECLINED, -1)
        if reached >= 0:
            await store.mark_opened(i)
        if reached >= 1:
            await store.set_progress(i, Status.CONSENTED, -1, consent_version="test")
        if reached >= 2:
            await store.mark_device_ok(i)
        if reached >= 3:
            await store.mark_practiced(i)
        if reached >= 4:
            await store.set_progress(i, Status.IN_PROGRESS, 0)
        job = await store.job(job_id)
        for position, (score, diagnosis) in enumerate(answers):
            await store.save_answer(NewAnswer(
                interview_id=i, question_id=job.questions[position].id,
                status="no_answer" if score is None else "scored", transcript="", words=[], score=score,
                explanation=explanation(score, diagnosis), answer_started_at="2026-03-02T09:00:00.000Z",
                answer_ended_at="2026-03-02T09:01:00.000Z", answered_seconds=60.0, audio_seconds=60.0))
        if reached >= 5:
            await store.set_progress(i, Status.COMPLETED, -1)
            # The store stamps "now"; give the interview a known length.
            await store.run("UPDATE interviews SET started_at = '2026-03-02T09:00:00.000Z', "
                            "completed_at = ? WHERE id = ?", (f"2026-03-02T09:{minutes:02.0f}:00.000Z", i))
        ids[name] = i
        return i

    e = engineer.id
    await invite("Ivy Invited", e, "invited")
    await invite("Olga Opened", e, "opened")
    await invite("Dan Declined", e, "declined")
    await invite("Cora Consented", e, "consented")
    await invite("Dev Device", e, "device_ok")
    await invite("Pat Practiced", e, "practiced")
    interrupted = await invite("Sam Started", e, "started", answers=((50, (7.0, 35.0)),))
    await store.close_interruption(await store.open_interruption(interrupted, 0, "answering"),
                                   offline_seconds=12.0, outcome="resumed")
    await invite("Cam Completed", e, "completed", answers=((80, (35.0, 35.0)), (60, None)), minutes=20)
    await invite("Nia No-speech", e, "completed", answers=((None, None), (90, None)), minutes=10)
    revoked = await invite("Rex Revoked", e, "invited")
    await store.run("UPDATE interviews SET revoked_at = '2026-03-02T10:00:00.000Z' WHERE id = ?", (revoked,))
    await invite(FORMULA_NAME, e, "opened")
    await invite("李雷", analyst.id, "completed", answers=((40, None),), minutes=30)
    await invite("韩梅梅", analyst.id, "invited")
    return Seeded(e, analyst.id, ids)
