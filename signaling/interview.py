"""The live side of one interview: its flow, timers, the answer being captured, and presence.

A `LiveInterview` outlives any single WebSocket. Each connection that opens it gets a new epoch;
the newest one wins, and events from an older epoch are refused (fencing). All changes go through
`apply()`, which holds the interview's lock, persists the new status and runs the effects the
pure state machine asked for. Finishing an answer (final transcript → score → store) runs as a
task of the application's `TaskOwner`, so it completes even if the candidate leaves.

When the candidate's connection goes, the phase clock stops (answer time does not run while
they are away), the recording part is closed, and an interview in progress becomes
*disconnected* for the resume grace period. Coming back continues the same question and the
same answer (a new recording part, the same transcription timeline). If the grace period runs
out, the answer in progress is stored as it is (flagged cut short) and the interview becomes
*interrupted*, until HR reopens it.
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
from scoring.scheduler import TranscriptionScheduler

from .answer_store import score_and_store
from .flow import PRACTICE, Effect, EffectKind, Event, EventKind, Flow, FlowError, Status, Step, advance
from .live_feed import LiveFeed
from .phase_timer import PhaseTimer
from .protocol import ServerType
from .recordings import ActivePart, Recordings
from .records import Interview, Job
from .store import Store, utc_now
from .tasks import TaskOwner

log = logging.getLogger(__name__)

PRACTICE_THINK_SECONDS = 5
PRACTICE_ANSWER_SECONDS = 30
# Audio still arriving this long after "Finish answer" belongs to the answer: the RTP path
# (jitter buffer, network) runs a little behind the WebSocket click.
ANSWER_TAIL_SECONDS = 0.25
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
    cut_short: bool = False


@dataclass
class _Absence:
    """The candidate is away: since when (monotonic), the interruption's row, the grace timer."""

    since: float
    interruption_id: int | None
    grace: asyncio.Task[None] | None


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
        resume_grace_seconds: float,
        on_idle: Callable[[LiveInterview], None],
        feed: LiveFeed,
    ) -> None:
        self.record = record
        self.job = job
        self.feed = feed  # what HR's live dashboard hears (hooks below are one line each)
        self._page_info = page_info
        self._store = store
        self._scheduler = scheduler
        self._finalizers = finalizers
        self._recordings = recordings
        self._grace_seconds = resume_grace_seconds
        question_count = len(job.questions)
        current = min(max(record.current_question, 0), max(question_count - 1, 0))
        self.flow = Flow.resume(record.status, current, question_count)
        self._lock = asyncio.Lock()
        self._timer: PhaseTimer | None = None
        self._answer: _Answer | None = None
        self._tails: set[_Answer] = set()  # finished answers still taking in-flight media
        self._outbox: Outbox | None = None
        self.epoch = record.connection_epoch
        self._absence: _Absence | None = None
        self._stored_away = record.status is Status.DISCONNECTED  # until the candidate's first connection
        self._on_idle = on_idle  # told when the interview may be dropped from memory
        self._last_audio_at: float | None = None  # monotonic; for the log's audio gap after a resume
        self._audio_gap_from: float | None = None

    # presence

    async def connect(self, outbox: Outbox) -> tuple[int, Outbox | None]:
        """Make `outbox` the candidate's connection; return its epoch and the connection it replaces."""
        async with self._lock:
            previous, self._outbox = self._outbox, outbox
            self.epoch = await self._store.next_connection_epoch(self.record.id)
            if previous is None and self._last_audio_at is not None:
                self._audio_gap_from = self._last_audio_at  # measured when audio arrives again
            await self._come_back()
            if self._timer is not None:
                self._timer.start()
            if self._answer is not None and self._answer.part is None:
                await self._start_part(self._answer)
            return self.epoch, (previous if previous is not outbox else None)

    async def _come_back(self) -> None:
        absence, self._absence = self._absence, None
        if absence is None:
            if self._stored_away and self.flow.status is Status.IN_PROGRESS:
                # Stored as away with nobody waiting in memory (HR reopened it, or the server restarted).
                await self._store.set_status(self.record.id, Status.IN_PROGRESS)
                self.feed.progress(self)
            self._stored_away = False
            return
        if absence.grace is not None:
            absence.grace.cancel()
        offline = time.monotonic() - absence.since
        if absence.interruption_id is not None:
            await self._store.close_interruption(absence.interruption_id, offline_seconds=offline, outcome="resumed")
        if self.flow.status is Status.IN_PROGRESS:
            await self._store.set_status(self.record.id, Status.IN_PROGRESS)
        self.feed.interruption_ended(self, offline_seconds=offline, outcome="resumed")
        log.info("interview %s: candidate back after %.1f s", self.record.public_id, offline)

    async def disconnect(self, outbox: Outbox, *, lost_at: float | None = None) -> None:
        """`outbox` is gone (last heard from at `lost_at`, monotonic). If it was the current
        connection: stop the clock, close the recording part and, for an interview in progress,
        wait the grace period for the candidate. Time offline counts from `lost_at`, not from
        when this ran: closing the part can take a while on a busy disk."""
        lost_at = time.monotonic() if lost_at is None else lost_at
        async with self._lock:
            if self._outbox is not outbox:
                return  # a newer connection took over: nothing is paused
            self._outbox = None
            if self._timer is not None:
                await self._timer.pause()
            if self._answer is not None:
                await self._end_part(self._answer)
            if self.flow.status is not Status.IN_PROGRESS:
                return
            interruption = await self._store.open_interruption(self.record.id, self.flow.question,
                                                               self.flow.phase.value,
                                                               seconds_ago=time.monotonic() - lost_at)
            await self._wait_for_return(interruption, lost_at)
            log.info("interview %s: candidate disconnected; waiting up to %.0f s", self.record.public_id,
                     self._grace_seconds)

    async def wait_after_restart(self, interruption_id: int | None, away_seconds: float) -> None:
        """The server (re)started with this interview in progress or already waiting: nobody is
        connected, so the candidate gets a grace period from now, under the interruption already
        open (`away_seconds` ago) or a new one."""
        async with self._lock:
            if self._outbox is not None or self._absence is not None or self.flow.status is not Status.IN_PROGRESS:
                return
            if interruption_id is None:
                interruption_id = await self._store.open_interruption(self.record.id, self.flow.question,
                                                                      self.flow.phase.value)
            await self._wait_for_return(interruption_id, time.monotonic() - away_seconds)
            self._stored_away = False

    async def _wait_for_return(self, interruption_id: int, since: float) -> None:
        await self._store.set_status(self.record.id, Status.DISCONNECTED)
        grace = asyncio.create_task(self._grace_period(), name=f"grace-{self.record.public_id[:8]}")
        self._absence = _Absence(since, interruption_id, grace)
        self.feed.interruption_started(self, interruption_id)

    async def _grace_period(self) -> None:
        await asyncio.sleep(self._grace_seconds)
        async with self._lock:
            absence = self._absence
            if absence is None or absence.grace is not asyncio.current_task():
                return  # the candidate came back meanwhile
            absence.grace = None  # from here on this task must not be cancelled by itself
            if self._answer is not None:
                self._answer.cut_short = True
                await self._advance(Event(EventKind.FINISH_ANSWER, self._answer.question))
            status = Status.COMPLETED if self.flow.status is Status.COMPLETED else Status.INTERRUPTED
            self.flow = Flow.resume(status, self.flow.question, self.flow.question_count)
            await self._store.set_status(self.record.id, status)
            if absence.interruption_id is not None:
                await self._store.close_interruption(absence.interruption_id,
                                                     offline_seconds=time.monotonic() - absence.since,
                                                     outcome="interrupted")
            self.feed.interruption_ended(self, offline_seconds=time.monotonic() - absence.since, outcome="interrupted")
            self._absence = None
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            log.warning("interview %s: the candidate did not come back within %.0f s: %s", self.record.public_id,
                        self._grace_seconds, status.value)
        self._on_idle(self)

    def connected_to(self, outbox: Outbox) -> bool:
        return self._outbox is outbox

    @property
    def connected(self) -> bool:
        return self._outbox is not None

    @property
    def away(self) -> bool:
        """The candidate dropped and the interview is waiting for them (the resume grace period)."""
        return self._outbox is None and self._absence is not None

    @property
    def outbox(self) -> Outbox | None:
        """The candidate's current connection, if any."""
        return self._outbox

    @property
    def idle(self) -> bool:
        """Nobody connected, no answer being captured or stored, no grace period running."""
        return self._outbox is None and self._answer is None and not self._tails and self._absence is None

    def _send(self, kind: ServerType, **fields: Any) -> None:
        if self._outbox is not None:
            self._outbox.send(kind, **fields)

    # state

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
            "epoch": self.epoch,
            "job": {"title": self.job.title, "language": self.job.language},
            "candidate": {"name": self.record.candidate_name},
            **self._page_info,
        }

    def push_state(self) -> None:
        self._send(ServerType.STATE, **self.snapshot())

    # events

    async def apply(self, event: Event, *, epoch: int | None = None) -> None:
        """Advance the flow by one event, persist it and carry out its effects.

        `epoch` is the sending connection's; an event from a connection that was replaced is
        refused. Timer events carry no epoch.
        """
        async with self._lock:
            if epoch is not None and epoch != self.epoch:
                raise FlowError(f"connection {epoch} was replaced by connection {self.epoch}")
            await self._advance(event)
            self.push_state()

    async def _advance(self, event: Event) -> None:
        before = self.flow
        after, effects = advance(before, event)
        if (after.status, after.question) != (before.status, before.question):
            consent_version = CONSENT_VERSION if after.status is Status.CONSENTED else None
            await self._store.set_progress(self.record.id, after.status, after.question,
                                           consent_version=consent_version)
        self.flow = after  # only once it is stored: a failed write leaves the interview where it was
        self.feed.progress(self)
        if after.status is not before.status:
            log.info("interview %s: %s -> %s", self.record.public_id, before.status, after.status)
        phase_seconds = 0.0
        if self._timer is not None:
            phase_seconds = self._timer.elapsed
            self._timer.cancel()
            self._timer = None
        for effect in effects:
            await self._run_effect(effect, phase_seconds)

    async def _run_effect(self, effect: Effect, phase_seconds: float) -> None:
        match effect.kind:
            case EffectKind.START_THINKING:
                think, _ = self._limits(effect.question)
                self._start_timer(think, Event(EventKind.THINK_TIMEOUT, effect.question))
            case EffectKind.START_ANSWER:
                _, limit = self._limits(effect.question)

                def caption(text: str, question: int = effect.question) -> None:
                    self._send(ServerType.CAPTION, question=question, text=text, final=False)
                    self.feed.caption(self, question, text)

                transcription = LiveTranscription(
                    self._scheduler, language=self.job.language, max_seconds=limit + 5, on_caption=caption
                )
                self._answer = _Answer(effect.question, transcription, started_at=utc_now())
                await self._start_part(self._answer)
                self._start_timer(limit, Event(EventKind.ANSWER_TIMEOUT, effect.question))
            case EffectKind.FINISH_ANSWER:
                if effect.question == PRACTICE:
                    await self._store.mark_practiced(self.record.id)  # funnel timestamp
                answer, self._answer = self._answer, None
                if answer is not None:
                    self._tails.add(answer)
                    self._finalizers.spawn(
                        self._finish_answer(answer, ended_at=utc_now(), answered=phase_seconds,
                                            finished=time.monotonic()),
                        name=f"finish-{self.record.public_id}-{answer.question}",
                    )
            case EffectKind.COMPLETE:
                pass  # the status change was persisted by _advance()

    # timers

    def _start_timer(self, seconds: float, event: Event) -> None:
        self._timer = PhaseTimer(seconds, event, self._timeout, name=f"timer-{self.record.public_id[:8]}")
        if self._outbox is not None:  # with the candidate away, the clock waits for them
            self._timer.start()

    async def _timeout(self, event: Event) -> None:
        try:
            await self.apply(event)
        except FlowError:
            log.debug("interview %s: timer %s no longer applies", self.record.public_id, event.kind)

    # media

    def on_audio(self, pcm: np.ndarray) -> None:
        now = time.monotonic()
        if self._audio_gap_from is not None:
            log.info("interview %s: audio back %.2f s after the last audio before the drop", self.record.public_id,
                     now - self._audio_gap_from)
            self._audio_gap_from = None
        self._last_audio_at = now
        if self._answer is not None:
            self._answer.transcription.push(pcm)
            self.feed.audio(self, self._answer.question, pcm)
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
            answer.transcription.expect_end()  # its last window is recognised while the tail arrives
            await asyncio.sleep(ANSWER_TAIL_SECONDS)
            self._tails.discard(answer)
            transcript, _ = await asyncio.gather(answer.transcription.finish(), self._end_part(answer))
            transcribed = time.monotonic()
            self._scheduler.meters.final_latency(transcribed - finished)
            if answer.question == PRACTICE:
                # Practice is not scored and not kept: the candidate just sees what we heard.
                self._send(ServerType.CAPTION, question=PRACTICE, text=transcript.text, final=True)
                return
            score = await score_and_store(
                self._store, interview_id=self.record.id, job=self.job, index=answer.question,
                transcript=transcript, answered=answered, started_at=answer.started_at, ended_at=ended_at,
                cut_short=answer.cut_short,
            )
            self.feed.answer_stored(self, answer.question, status=score.status.value, score=score.total,
                                    transcript=transcript, answered=answered, cut_short=answer.cut_short)
            stored = time.monotonic()
            self._scheduler.meters.stored_latency(stored - finished)
            log.info(
                "interview %s: answer %d stored (%s); final transcript %.2f s and stored %.2f s after finish",
                self.record.public_id, answer.question, score.status.value, transcribed - finished, stored - finished,
            )
            self._send(ServerType.ANSWER_SAVED, question=answer.question)
        finally:
            self._tails.discard(answer)
            self._on_idle(self)

    # lifecycle

    async def aclose(self) -> None:
        """The server is shutting down: stop timers, finalize the recording part, drop the answer."""
        async with self._lock:
            timer, answer, absence = self._timer, self._answer, self._absence
            self._timer = self._answer = self._absence = None
        if absence is not None and absence.grace is not None:
            absence.grace.cancel()
            await asyncio.gather(absence.grace, return_exceptions=True)
        if timer is not None:
            await timer.aclose()
        if answer is not None:
            await self._end_part(answer)  # finalized now, rather than repaired at the next start
            await answer.transcription.aclose()
