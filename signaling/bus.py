"""The in-process event bus: what happens in live interviews, for whoever watches.

Publishers (the live interview, the candidate's connection) call `publish()`, which never
blocks and never fails: each subscriber has its own bounded queue, and when a subscriber falls
behind, its oldest event is dropped and counted. A subscriber that must not miss anything (the
HR dashboard's socket) checks `dropped` and starts over from a fresh snapshot.

Events are frozen dataclasses; each names its interview with an `InterviewRef` that carries
what authorization and display need (job, department, candidate, question count), so a
subscriber can filter and render without a database round trip. `publish()` must be called
on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

log = logging.getLogger(__name__)

DEFAULT_QUEUE = 512


class EventKind(StrEnum):
    STATUS = "status"              # the status HR sees changed (invited … completed, disconnected)
    PROGRESS = "progress"          # current question, step or phase changed
    CAPTION = "caption"            # a new live caption of the answer being given
    ANSWER = "answer"              # an answer was transcribed, scored and stored
    INTERRUPTION = "interruption"  # the candidate's connection dropped, or they came back
    QUALITY = "quality"            # a connection quality sample (every ~2 s while connected)
    ANOMALY = "anomaly"            # something HR should look at, stored in `anomalies`


@dataclass(frozen=True)
class InterviewRef:
    """Which interview an event is about, with what watchers filter and show by."""

    id: int  # database id
    public_id: str
    job_id: int
    job_title: str
    department: str
    candidate_name: str
    question_count: int
    language: str = "en"  # the job's interview language (captions are in it)


@dataclass(frozen=True, kw_only=True)
class Event:
    kind: ClassVar[EventKind]
    interview: InterviewRef
    at: float = field(default_factory=time.time)  # Unix time of the happening


@dataclass(frozen=True, kw_only=True)
class StatusChanged(Event):
    kind: ClassVar[EventKind] = EventKind.STATUS
    status: str
    previous: str | None


@dataclass(frozen=True, kw_only=True)
class ProgressChanged(Event):
    kind: ClassVar[EventKind] = EventKind.PROGRESS
    status: str
    step: str
    question: int  # -1 for the practice question, else 0-based
    phase: str


@dataclass(frozen=True, kw_only=True)
class CaptionUpdated(Event):
    kind: ClassVar[EventKind] = EventKind.CAPTION
    question: int
    text: str


@dataclass(frozen=True, kw_only=True)
class AnswerStored(Event):
    kind: ClassVar[EventKind] = EventKind.ANSWER
    question: int
    status: str  # "scored" | "no_answer"
    score: int | None
    answered_seconds: float
    cut_short: bool = False


@dataclass(frozen=True, kw_only=True)
class InterruptionChanged(Event):
    kind: ClassVar[EventKind] = EventKind.INTERRUPTION
    started: bool  # True: the connection dropped; False: it ended (see outcome)
    question: int
    phase: str
    count: int | None = None  # interruptions of this interview so far, when known
    offline_seconds: float | None = None
    outcome: str | None = None  # "resumed" | "interrupted" when it ended


@dataclass(frozen=True, kw_only=True)
class QualitySampled(Event):
    kind: ClassVar[EventKind] = EventKind.QUALITY
    quality: dict[str, Any]  # ConnectionQuality.to_json()


@dataclass(frozen=True, kw_only=True)
class AnomalyRaised(Event):
    kind: ClassVar[EventKind] = EventKind.ANOMALY
    anomaly: dict[str, Any]  # the stored anomaly's JSON form


class Subscription:
    """One subscriber's bounded queue: the oldest event goes when it is full, and is counted."""

    def __init__(self, bus: EventBus, maxsize: int, name: str) -> None:
        if maxsize < 1:
            raise ValueError("a subscription needs room for at least one event")
        self.name = name
        self.maxsize = maxsize
        self.dropped = 0
        self._bus = bus
        self._events: deque[Event] = deque()
        self._ready = asyncio.Event()
        self._closed = False

    def __len__(self) -> int:
        return len(self._events)

    @property
    def closed(self) -> bool:
        return self._closed

    def _offer(self, event: Event) -> None:
        if self._closed:
            return
        if len(self._events) >= self.maxsize:
            self._events.popleft()
            self.dropped += 1
            self._bus.dropped += 1
        self._events.append(event)
        self._ready.set()

    def get_nowait(self) -> Event | None:
        """The oldest waiting event, or None."""
        if not self._events:
            return None
        event = self._events.popleft()
        if not self._events:
            self._ready.clear()
        return event

    async def get(self) -> Event:
        """Wait for the next event; raises `SubscriptionClosed` once closed."""
        while True:
            if self._events:
                return self.get_nowait()  # type: ignore[return-value]
            if self._closed:
                raise SubscriptionClosed(self.name)
            self._ready.clear()
            await self._ready.wait()

    def __aiter__(self) -> AsyncIterator[Event]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Event]:
        while True:
            try:
                yield await self.get()
            except SubscriptionClosed:
                return

    def close(self) -> None:
        """Stop receiving; a waiting `get()` wakes up and ends. Idempotent."""
        if self._closed:
            return
        self._closed = True
        self._events.clear()
        self._bus._subscriptions.discard(self)
        self._ready.set()


class SubscriptionClosed(Exception):
    """`get()` on a closed subscription."""


class EventBus:
    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()
        self.published = 0
        self.dropped = 0  # over all subscribers, for /metrics

    def __len__(self) -> int:
        return len(self._subscriptions)

    def subscribe(self, *, maxsize: int = DEFAULT_QUEUE, name: str = "subscriber") -> Subscription:
        subscription = Subscription(self, maxsize, name)
        self._subscriptions.add(subscription)
        return subscription

    def publish(self, event: Event) -> None:
        """Hand `event` to every subscriber; never blocks, never raises."""
        self.published += 1
        for subscription in list(self._subscriptions):
            subscription._offer(event)
