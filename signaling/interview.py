"""The live side of one interview: its flow, timers, and the answer being captured.

A `LiveInterview` outlives any single WebSocket: the candidate's connection attaches to it,
and a newer connection for the same interview replaces the older one. All changes go through
`apply()`, which holds the interview's lock, persists the new status and runs the effects the
pure state machine asked for. Finishing an answer (final transcript → score → store) runs as
a task of the application's `TaskOwner`, so it completes even if the candidate leaves.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from media.tap import EncodedFrame
from scoring.live import LiveTranscription
from scoring.rubric import Rubric
from scoring.scheduler import TranscriptionScheduler
from scoring.scorer import QuestionSpec, score_answer

from .flow import PRACTICE, Effect, EffectKind, Event, EventKind, Flow, FlowError, Status, Step, advance
from .phase_timer import PhaseTimer
from .protocol import ServerType
from .recordings import ActivePart, Recordings
from .records import Interview, Job, Question
from .store import NewAnswer, Store, utc_now
from .tasks import TaskOwner

log = logging.getLogger(__name__)

PRACTICE_THINK_SECONDS = 5
PRACTICE_ANSWER_SECONDS = 30
# Audio still arriving this long after "Finish answer" belongs to the answer: the RTP path
# (jitter buffer, network) runs a little behind the WebSocket click.
ANSWER_TAIL_SECONDS = 0.4
# Bumped whenever the consent text the candidate sees changes materially.
CONSENT_VERSION = "2026-11-v2"  # v2: recordings are kept (encrypted)


class Outbox(Protocol):
    """The candidate's current connection: where messages for the page go, and its media."""

    def send(self, kind: ServerType, **fields: Any) -> None: ...

    async def request_keyframe(self) -> None: ...


@dataclass(eq=False)
class _Answer:
    question: int  # PRACTICE or a 0-based index
    transcription: LiveTranscription
    started_at: str
    part: ActivePart | None = None  # the recording part being written (real questions only)


class LiveInterview:
    def __init__(
        self,
        *,
        record: Interview,
        job: Job,
        store: Store,
        scheduler: TranscriptionScheduler,
        finalizers: TaskOwner,
        recordings: Recordings,
        page_info: dict[str, Any],
        on_idle: Callable[[LiveInterview], None],
    ) -> None:
        self.record = record
        self._page_info = page_info
        self.job = job
        self._store = store
        self._scheduler = scheduler
        self._finalizers = finalizers
        self._recordings = recordings
        question_count = len(job.questions)
        current = min(max(record.current_question, 0), max(question_count - 1, 0))
        self.flow = Flow.resume(record.status, current, question_count)
        self._lock = asyncio.Lock()
        self._timer: PhaseTimer | None = None
        self._answer: _Answer | None = None
        self._tails: set[_Answer] = set()  # finished answers still taking in-flight media
        self._outbox: Outbox | None = None
        self._on_idle = on_idle  # told when a finished answer is stored, so an idle interview can be dropped

    # connection attachment

    def attach(self, outbox: Outbox) -> Outbox | None:
        """Make `outbox` the candidate's current connection; return the one it replaces."""
        previous, self._outbox = self._outbox, outbox
        return previous if previous is not outbox else None

    def connected_to(self, outbox: Outbox) -> bool:
        return self._outbox is outbox

    @property
    def connected(self) -> bool:
        return self._outbox is not None

    def detach(self, outbox: Outbox) -> None:
        if self._outbox is outbox:
            self._outbox = None

    def _send(self, kind: ServerType, **fields: Any) -> None:
        if self._outbox is not None:
            self._outbox.send(kind, **fields)

    # state

    def question(self, index: int) -> Question | None:
        return self.job.questions[index] if 0 <= index < len(self.job.questions) else None

    def _limits(self, index: int) -> tuple[int, int]:
        """(think seconds, answer seconds) of a question or the practice question."""
        if index == PRACTICE:
            return PRACTICE_THINK_SECONDS, PRACTICE_ANSWER_SECONDS
        question = self.job.questions[index]
        return question.think_seconds, question.answer_seconds

    def snapshot(self) -> dict[str, Any]:
        """The `state` message: everything the page needs to render where the interview is."""
        flow = self.flow
        current = None
        if flow.step in (Step.PRACTICE, Step.QUESTION):
            think, limit = self._limits(flow.question)
            current = {"index": flow.question, "think_seconds": think, "answer_seconds": limit}
            if flow.step is Step.QUESTION:
                current["text"] = self.job.questions[flow.question].text
        remaining = int(self._timer.remaining * 1000) if self._timer is not None else None
        return {
            "status": flow.status.value,
            "step": flow.step.value,
            "phase": flow.phase.value,
            "question": current,
            "question_count": flow.question_count,
            "remaining_ms": remaining,
            "job": {"title": self.job.title, "language": self.job.language},
            "candidate": {"name": self.record.candidate_name},
            **self._page_info,
        }

    def push_state(self) -> None:
        self._send(ServerType.STATE, **self.snapshot())

    # events

    async def apply(self, event: Event) -> None:
        """Advance the flow by one event, persist it and carry out its effects."""
        async with self._lock:
            before = self.flow
            after, effects = advance(before, event)
            if (after.status, after.question) != (before.status, before.question):
                consent_version = CONSENT_VERSION if after.status is Status.CONSENTED else None
                await self._store.set_progress(self.record.id, after.status, after.question,
                                               consent_version=consent_version)
            self.flow = after  # only once it is stored: a failed write leaves the interview where it was
            if after.status is not before.status:
                log.info("interview %s: %s -> %s", self.record.public_id, before.status, after.status)
            phase_seconds = 0.0
            if self._timer is not None:
                phase_seconds = self._timer.elapsed
                self._timer.cancel()
                self._timer = None
            for effect in effects:
                await self._run_effect(effect, phase_seconds)
            self.push_state()

    async def pause(self) -> None:
        """The candidate is gone: stop the clock of the current phase, keeping the time left, and
        close the recording part (a new connection records into a new part)."""
        async with self._lock:
            if self._timer is not None:
                await self._timer.pause()
            if self._answer is not None:
                await self._end_part(self._answer)

    async def resume(self) -> None:
        """The candidate is back: the clock runs again from where it stopped."""
        async with self._lock:
            if self._timer is not None:
                self._timer.start()
            if self._answer is not None and self._answer.part is None:
                await self._start_part(self._answer)

    async def _run_effect(self, effect: Effect, phase_seconds: float) -> None:
        match effect.kind:
            case EffectKind.START_THINKING:
                think, _ = self._limits(effect.question)
                self._start_timer(think, Event(EventKind.THINK_TIMEOUT, effect.question))
            case EffectKind.START_ANSWER:
                _, limit = self._limits(effect.question)

                def caption(text: str, question: int = effect.question) -> None:
                    self._send(ServerType.CAPTION, question=question, text=text, final=False)

                transcription = LiveTranscription(
                    self._scheduler, language=self.job.language, max_seconds=limit + 5, on_caption=caption
                )
                self._answer = _Answer(effect.question, transcription, started_at=utc_now())
                await self._start_part(self._answer)
                self._start_timer(limit, Event(EventKind.ANSWER_TIMEOUT, effect.question))
            case EffectKind.FINISH_ANSWER:
                answer, self._answer = self._answer, None
                if answer is not None:
                    self._tails.add(answer)
                    self._finalizers.spawn(
                        self._finish_answer(answer, ended_at=utc_now(), answered=phase_seconds,
                                            finished=time.monotonic()),
                        name=f"finish-{self.record.public_id}-{answer.question}",
                    )
            case EffectKind.COMPLETE:
                pass  # the status change was persisted by apply()

    # timers

    def _start_timer(self, seconds: float, event: Event) -> None:
        self._timer = PhaseTimer(seconds, event, self._timeout, name=f"timer-{self.record.public_id[:8]}")
        self._timer.start()

    async def _timeout(self, event: Event) -> None:
        try:
            await self.apply(event)
        except FlowError:
            log.debug("interview %s: timer %s no longer applies", self.record.public_id, event.kind)

    # media

    def on_audio(self, pcm: np.ndarray) -> None:
        if self._answer is not None:
            self._answer.transcription.push(pcm)
        for tail in self._tails:
            tail.transcription.push(pcm)

    def on_encoded(self, frame: EncodedFrame) -> None:
        for answer in (self._answer, *self._tails):
            if answer is not None and answer.part is not None:
                answer.part.recorder.push(frame)

    async def _start_part(self, answer: _Answer) -> None:
        if answer.question == PRACTICE or self._outbox is None:
            return  # practice is not kept; with nobody connected there is nothing to record
        try:
            answer.part = await self._recordings.start_part(
                interview_id=self.record.id, question_id=self.job.questions[answer.question].id,
                answer_offset=answer.transcription.seconds, label=self.record.public_id[:8],
            )
            await self._outbox.request_keyframe()
        except Exception:  # the interview goes on; the missing recording is logged loudly
            log.exception("interview %s: could not start recording answer %d", self.record.public_id,
                          answer.question)

    async def _end_part(self, answer: _Answer) -> None:
        part, answer.part = answer.part, None
        if part is None:
            return
        try:
            await self._recordings.finish_part(part)
        except Exception:  # repair at the next start-up recovers what reached the disk
            log.exception("interview %s: could not finalize recording %s part %d", self.record.public_id,
                          part.recording_id, part.part)

    async def _finish_answer(self, answer: _Answer, *, ended_at: str, answered: float, finished: float) -> None:
        try:
            await self._store_answer(answer, ended_at=ended_at, answered=answered, finished=finished)
        finally:
            self._tails.discard(answer)
            self._on_idle(self)

    async def _store_answer(self, answer: _Answer, *, ended_at: str, answered: float, finished: float) -> None:
        await asyncio.sleep(ANSWER_TAIL_SECONDS)
        self._tails.discard(answer)
        transcript, _ = await asyncio.gather(answer.transcription.finish(), self._end_part(answer))
        transcribed = time.monotonic()
        if answer.question == PRACTICE:
            # Practice is not scored and not kept: the candidate just sees what we heard.
            self._send(ServerType.CAPTION, question=PRACTICE, text=transcript.text, final=True)
            return
        question = self.question(answer.question)
        spec = QuestionSpec(
            text=question.text,
            language=self.job.language,
            answer_seconds=question.answer_seconds,
            rubric=Rubric.from_json(question.rubric) if question.rubric else None,
        )
        score = await asyncio.to_thread(score_answer, spec, transcript, answered_seconds=answered)
        await self._store.save_answer(
            NewAnswer(
                interview_id=self.record.id,
                question_id=question.id,
                status=score.status.value,
                transcript=transcript.text,
                words=[{"w": w.text, "s": w.start, "e": w.end, "p": w.probability} for w in transcript.words],
                score=score.total,
                explanation=score.to_json(),
                answer_started_at=answer.started_at,
                answer_ended_at=ended_at,
                answered_seconds=round(answered, 2),
                audio_seconds=round(transcript.audio_seconds, 2),
            )
        )
        log.info(
            "interview %s: answer %d stored (%s); final transcript %.2f s and stored %.2f s after finish",
            self.record.public_id, answer.question, score.status.value, transcribed - finished,
            time.monotonic() - finished,
        )
        self._send(ServerType.ANSWER_SAVED, question=answer.question)

    # lifecycle

    @property
    def busy(self) -> bool:
        return self._answer is not None or bool(self._tails)

    async def aclose(self) -> None:
        """Stop timers and abandon an answer still being captured (the server is shutting down)."""
        async with self._lock:
            timer, answer = self._timer, self._answer
            self._timer = self._answer = None
        if timer is not None:
            await timer.aclose()
        if answer is not None:
            await self._end_part(answer)  # finalized now, rather than repaired at the next start
            await answer.transcription.aclose()
