"""What live interviews tell HR: the one observer every `LiveInterview` reports to.

The interview calls a handful of small, synchronous hooks (`progress`, `caption`, `audio`,
`answer_stored`, `interruption_started`/`ended`, `device_check`, `quality`). The feed turns
them into typed events on the bus, keeps the latest phase, caption and connection quality of
each interview for dashboard snapshots, and runs the anomaly rules (`anomalies.py`). Storing
an anomaly is a task of the feed's own `TaskOwner`, so a hook never waits on the database and
never holds up the interview.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from aiohttp import web

from scoring.transcript import Transcript

from . import anomalies
from .anomalies import NewAnomaly, SilenceDetector
from .anomaly_store import AnomalyStore
from .bus import (
    AnomalyRaised,
    AnswerStored,
    CaptionUpdated,
    Event,
    EventBus,
    InterruptionChanged,
    InterviewRef,
    ProgressChanged,
    QualitySampled,
    StatusChanged,
)
from .dashboard_store import RECENT_SECONDS
from .flow import Phase, Status
from .quality import ConnectionQuality
from .tasks import TaskOwner
from .timeutil import utc_now

if TYPE_CHECKING:
    from .interview import LiveInterview
    from .store import Store

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _State:
    """The latest of one interview, as HR sees it."""

    ref: InterviewRef
    status: str
    seen: float = field(default_factory=time.monotonic)
    step: str | None = None
    question: int | None = None
    phase: str | None = None
    away: bool = False
    started_at: str | None = None
    caption: dict[str, Any] | None = None
    quality: dict[str, Any] | None = None
    silence: SilenceDetector | None = None
    device_flagged: bool = False

    def view(self) -> dict[str, Any]:
        return {"step": self.step, "question": self.question, "phase": self.phase, "away": self.away,
                "caption": self.caption, "quality": self.quality, "started_at": self.started_at}


class LiveFeed:
    def __init__(self, bus: EventBus, store: Store, tasks: TaskOwner) -> None:
        self.bus = bus
        self.anomalies = AnomalyStore(store)
        self._tasks = tasks
        self._states: dict[int, _State] = {}

    # what snapshots read

    def view(self, interview_id: int) -> dict[str, Any] | None:
        state = self._states.get(interview_id)
        return state.view() if state is not None else None

    def active(self) -> set[int]:
        """Interviews the feed heard from within the dashboard's "recent" window."""
        self._prune()
        return set(self._states)

    def _prune(self) -> None:
        cutoff = time.monotonic() - RECENT_SECONDS
        for interview_id in [i for i, s in self._states.items() if s.seen < cutoff]:
            del self._states[interview_id]

    def _state(self, live: LiveInterview) -> _State:
        state = self._states.get(live.record.id)
        if state is None:
            self._prune()
            record, job = live.record, live.job
            ref = InterviewRef(id=record.id, public_id=record.public_id, job_id=job.id, job_title=job.title,
                               department=job.department, candidate_name=record.candidate_name,
                               question_count=len(job.questions), language=job.language)
            state = _State(ref, record.status.value, started_at=record.started_at)
            self._states[record.id] = state
        state.seen = time.monotonic()
        return state

    # hooks (synchronous, cheap, never raise into the interview)

    def progress(self, live: LiveInterview) -> None:
        """The flow moved (status, step, question or phase), or the candidate is back in progress."""
        state = self._state(live)
        flow = live.flow
        self._set_status(state, Status.DISCONNECTED if state.away and flow.status is Status.IN_PROGRESS
                         else flow.status)
        now = (flow.step.value, flow.question, flow.phase.value)
        if now == (state.step, state.question, state.phase):
            return
        state.step, state.question, state.phase = now
        answering = flow.phase is Phase.ANSWERING and flow.question >= 0
        state.silence = SilenceDetector() if answering else None
        if flow.phase is Phase.ANSWERING:
            state.caption = None  # a new answer: the last one's caption is history
        self._publish(ProgressChanged(interview=state.ref, status=state.status, step=now[0], question=now[1],
                                      phase=now[2]))

    def _set_status(self, state: _State, status: Status) -> None:
        if status.value == state.status:
            return
        previous, state.status = state.status, status.value
        if status is Status.IN_PROGRESS and state.started_at is None:
            state.started_at = utc_now()
        self._publish(StatusChanged(interview=state.ref, status=status.value, previous=previous))

    def caption(self, live: LiveInterview, question: int, text: str) -> None:
        state = self._state(live)
        state.caption = {"question": question, "text": text}
        self._publish(CaptionUpdated(interview=state.ref, question=question, text=text))

    def audio(self, live: LiveInterview, question: int, pcm: np.ndarray) -> None:
        """Audio of the answer being given (called ~50 times a second: kept to one dot product)."""
        state = self._states.get(live.record.id)
        if state is None or state.silence is None or question != state.question:
            return
        silent = state.silence.push(pcm)
        if silent is not None:
            self._raise(state, anomalies.long_silence(question, silent))

    def answer_stored(self, live: LiveInterview, question: int, *, status: str, score: int | None,
                      transcript: Transcript, answered: float, cut_short: bool) -> None:
        state = self._state(live)
        self._publish(AnswerStored(interview=state.ref, question=question, status=status, score=score,
                                   answered_seconds=round(answered, 1), cut_short=cut_short))
        allowed = live.job.questions[question].answer_seconds
        if short := anomalies.short_answer(question, transcript.words, allowed, cut_short=cut_short):
            self._raise(state, short)

    def interruption_started(self, live: LiveInterview, interruption_id: int) -> None:
        """The candidate is away (a drop, or a restart found them away: then the interruption may be
        one that is already open, and it is not counted twice)."""
        state = self._state(live)
        state.away, state.silence = True, None
        self._set_status(state, Status.DISCONNECTED)
        question, phase = live.flow.question, live.flow.phase.value
        self._spawn(self._interrupted(state, interruption_id, question, phase),
                    name=f"feed-interruption-{state.ref.id}")

    async def _interrupted(self, state: _State, interruption_id: int, question: int, phase: str) -> None:
        count = await self.anomalies.interruption_count(state.ref.id)
        self._publish(InterruptionChanged(interview=state.ref, started=True, question=question, phase=phase,
                                          count=count))
        await self._store(state, anomalies.interruption(interruption_id, question, phase), same="interruption")
        if repeated := anomalies.repeated_reconnects(count):
            await self._store(state, repeated, once=True)

    def interruption_ended(self, live: LiveInterview, *, offline_seconds: float, outcome: str) -> None:
        state = self._state(live)
        state.away = False
        self._publish(InterruptionChanged(interview=state.ref, started=False, question=live.flow.question,
                                          phase=live.flow.phase.value, offline_seconds=round(offline_seconds, 1),
                                          outcome=outcome))
        self.progress(live)

    def device_check(self, live: LiveInterview, *, camera: bool, microphone: bool, problem: str | None) -> None:
        state = self._state(live)
        failed = anomalies.device_check_failed(camera=camera, microphone=microphone, problem=problem)
        if failed is not None and not state.device_flagged:
            state.device_flagged = True
            self._raise(state, failed, once=True)

    def quality(self, live: LiveInterview, quality: ConnectionQuality) -> None:
        state = self._state(live)
        state.quality = quality.to_json()
        self._publish(QualitySampled(interview=state.ref, quality=state.quality))

    # effects

    def _publish(self, event: Event) -> None:
        self.bus.publish(event)

    def _raise(self, state: _State, anomaly: NewAnomaly, *, once: bool = False) -> None:
        self._spawn(self._store(state, anomaly, once=once), name=f"feed-anomaly-{state.ref.id}")

    async def _store(self, state: _State, anomaly: NewAnomaly, *, once: bool = False, same: str | None = None) -> None:
        stored = await self.anomalies.add(state.ref.id, anomaly, once=once, same=same)
        if stored is not None:
            log.info("interview %s: anomaly %s", state.ref.public_id, anomaly.kind.value)
            self._publish(AnomalyRaised(interview=state.ref, anomaly=stored))

    def _spawn(self, coro: Coroutine[Any, Any, None], *, name: str) -> None:
        try:
            self._tasks.spawn(coro, name=name)
        except RuntimeError:  # shutting down: what is not stored now is not stored
            log.warning("live feed closed; %s dropped", name)

    async def aclose(self, timeout: float) -> None:
        await self._tasks.aclose(timeout)


FEED = web.AppKey("live_feed", LiveFeed)
