"""Admission control: the seats this server has for live interviews, and the line for the rest.

A *seat* is what a live interview costs the machine. An interview needs one from the moment its
candidate accepts the consent screen (device check, practice, questions: media flowing, speech
transcribed) until it is completed. Reading the consent screen, declining, and an interview that
is over need none. How many seats there are: `capacity.py`.

Decided rules:

- A seat is never taken back. New arrivals wait; interviews already running are not slowed or
  evicted, and a candidate who comes back is not put behind people who arrived after them.
- A candidate who drops during the questions keeps their seat for the whole resume grace period:
  the interview is waiting for them (clock stopped, answer kept) and they must be able to continue
  their answer at once, not queue for it. That seat costs no CPU meanwhile; the price is that a
  dropped candidate who never returns holds it for the grace period (10 minutes by default).
- Before the questions (device check, practice) nothing waits for a candidate who drops, so their
  seat is held `HOLD_SECONDS` — long enough for a reload or a network blip — then freed.
- Beyond capacity candidates wait in one first-come, first-served line and are told their place
  (`queue` messages) whenever it changes, with an estimate once this server has seen a few
  interviews complete. A waiting candidate whose connection drops keeps their place for
  `HOLD_SECONDS`. When a seat frees, the first in line gets it at once; if their connection is down
  at that moment, the seat is held for them `HOLD_SECONDS`.
- The truth about a seat is its live interview (connected, away within the grace period, finished),
  re-read whenever a connection comes or goes and every second, so a seat cannot leak.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import math
import statistics
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from aiohttp import web
from prometheus_client import Histogram

from .capacity import capacity_for
from .flow import Status
from .interview import LiveInterview
from .keys import BANNER, REGISTRY, SETTINGS
from .metrics import METRICS

log = logging.getLogger(__name__)

HOLD_SECONDS = 60.0  # a place in line, or a seat before the questions, kept for a candidate who dropped
TICK_SECONDS = 1.0
# The wait is estimated from how long interviews took on this server: their median over the last
# DURATION_SAMPLES completions, once there are MIN_SAMPLES of them (no estimate before).
DURATION_SAMPLES = 20
MIN_SAMPLES = 3
# An interview that has run longer than usual is still expected to take at least this long.
MIN_REMAINING_SECONDS = 60.0


class SeatUse(StrEnum):
    """What an interview holding a seat is doing, as its live interview says."""

    CONNECTED = "connected"
    AWAY = "away"  # dropped during the questions; the interview waits for them (resume grace)
    GONE = "gone"  # nobody there and nothing waiting for them: held HOLD_SECONDS, then freed
    COMPLETED = "completed"
    ENDED = "ended"  # declined, interrupted, expired


def seat_use(live: LiveInterview | None) -> SeatUse:
    if live is None:
        return SeatUse.GONE
    if live.flow.status is Status.COMPLETED:
        return SeatUse.COMPLETED
    if live.flow.terminal:
        return SeatUse.ENDED
    if live.connected:
        return SeatUse.CONNECTED
    return SeatUse.AWAY if live.away else SeatUse.GONE


def needs_seat(status: Status) -> bool:
    """Past consent and not over: the device check, practice and questions cost a seat."""
    return status in (Status.CONSENTED, Status.IN_PROGRESS, Status.DISCONNECTED)


@dataclass(frozen=True)
class Place:
    """What a waiting candidate is told."""

    position: int  # 1 = next
    estimate_seconds: int | None  # None: no honest estimate yet
    kept_seconds: int  # how long the place is kept if their connection drops


class Waiter(Protocol):
    """A waiting candidate's connection."""

    def queued(self, place: Place) -> None: ...

    def admitted(self) -> None: ...


@dataclass
class _Seat:
    since: float
    hold_until: float | None = None
    measured: bool = True  # False: seated at start-up, so its duration says nothing


@dataclass(eq=False)
class _Entry:
    interview_id: int
    waiter: Waiter | None
    since: float
    hold_until: float | None = None
    told: tuple[int, int | None] | None = None  # (position, estimate in minutes) last sent


def wait_estimates(count: int, free_in: list[float], capacity: int, typical: float) -> list[float]:
    """Seconds until each of the first `count` candidates in line gets a seat: the seats in use free
    up after `free_in` seconds each, and each candidate admitted then holds one for `typical` seconds."""
    times = sorted(free_in)
    over = len(times) - capacity
    heap = times[over:] if over > 0 else [0.0] * -over + times  # seats above capacity are not refilled
    heapq.heapify(heap)
    waits = []
    for _ in range(count):
        at = heapq.heappop(heap)
        waits.append(at)
        heapq.heappush(heap, at + typical)
    return waits


class Admission:
    """Seats by interview id, and the line. Synchronous: every change happens on the event loop
    between two awaits; `view` reads an interview's live state."""

    def __init__(self, capacity: int, view: Callable[[int], SeatUse], *, hold_seconds: float = HOLD_SECONDS,
                 clock: Callable[[], float] = time.monotonic,
                 on_admit: Callable[[float], None] | None = None) -> None:
        self.capacity = capacity
        self._view = view
        self._hold = hold_seconds
        self._clock = clock
        self._on_admit = on_admit  # told how long each candidate admitted from the line waited
        self._seats: dict[int, _Seat] = {}
        self._line: list[_Entry] = []
        self._durations: deque[float] = deque(maxlen=DURATION_SAMPLES)

    @property
    def seats_in_use(self) -> int:
        return len(self._seats)

    @property
    def waiting(self) -> int:
        return len(self._line)

    def seated(self, interview_id: int) -> bool:
        return interview_id in self._seats

    def enter(self, interview_id: int, waiter: Waiter) -> bool:
        """True if the interview has (or now gets) a seat; otherwise `waiter` waits in line, is told
        its place at once and `admitted()` when the seat is theirs. A new connection for an
        interview already in line takes over its place."""
        self.reconcile()
        now = self._clock()
        if (seat := self._seats.get(interview_id)) is not None:
            seat.hold_until = None
            return True
        entry = self._entry(interview_id)
        if entry is not None:
            entry.waiter, entry.hold_until, entry.told = waiter, None, None
        elif not self._line and len(self._seats) < self.capacity:
            self._seats[interview_id] = _Seat(now)
            return True
        else:
            self._line.append(_Entry(interview_id, waiter, now))
            log.info("admission: all %d seats in use; a candidate waits (place %d)", self.capacity, len(self._line))
        self._tell()
        return False

    def left(self, interview_id: int, waiter: Waiter, *, for_good: bool = False) -> None:
        """`waiter`'s connection ended. A place in line is kept `HOLD_SECONDS` for it (a seat's fate
        depends on its interview: see `reconcile`); `for_good` (the invitation was withdrawn) frees
        either at once."""
        entry = self._entry(interview_id)
        if entry is not None and entry.waiter is waiter:
            if for_good:
                self._line.remove(entry)
            else:
                entry.waiter, entry.hold_until = None, self._clock() + self._hold
        elif for_good:
            self._seats.pop(interview_id, None)
        self.reconcile()

    def occupy(self, interview_id: int) -> None:
        """At start-up: an interview that was running is waiting for its candidate; it keeps its seat
        (even above capacity — it was admitted before)."""
        self._seats.setdefault(interview_id, _Seat(self._clock(), measured=False))

    def reconcile(self) -> None:
        """Re-read every seat's interview, free what is no longer needed, drop places whose hold ran
        out, admit from the front of the line and tell everyone still waiting their new place."""
        now = self._clock()
        for interview_id, seat in list(self._seats.items()):
            use = self._view(interview_id)
            if use in (SeatUse.CONNECTED, SeatUse.AWAY):
                seat.hold_until = None
                continue
            if use is SeatUse.GONE:
                if seat.hold_until is None:
                    seat.hold_until = now + self._hold
                if now < seat.hold_until:
                    continue
            elif use is SeatUse.COMPLETED and seat.measured:
                self._durations.append(now - seat.since)
            del self._seats[interview_id]
        self._line = [e for e in self._line if e.hold_until is None or now < e.hold_until]
        while self._line and len(self._seats) < self.capacity:
            entry = self._line.pop(0)
            self._seats[entry.interview_id] = _Seat(now, None if entry.waiter else now + self._hold)
            if self._on_admit is not None:
                self._on_admit(now - entry.since)
            if entry.waiter is not None:
                entry.waiter.admitted()
        self._tell()

    def estimates(self) -> list[float] | None:
        """Seconds until each candidate in line is admitted, in line order; None without enough history."""
        if len(self._durations) < MIN_SAMPLES:
            return None
        now = self._clock()
        typical = statistics.median(self._durations)
        free_in = [max(0.0, seat.hold_until - now) if seat.hold_until is not None
                   else max(typical - (now - seat.since), MIN_REMAINING_SECONDS)
                   for seat in self._seats.values()]
        return wait_estimates(len(self._line), free_in, self.capacity, typical)

    def _entry(self, interview_id: int) -> _Entry | None:
        return next((e for e in self._line if e.interview_id == interview_id), None)

    def _tell(self) -> None:
        estimates = self.estimates()
        for position, entry in enumerate(self._line, start=1):
            if entry.waiter is None:
                continue
            seconds = None if estimates is None else estimates[position - 1]
            told = (position, None if seconds is None else math.ceil(seconds / 60))
            if told != entry.told:
                entry.told = told
                entry.waiter.queued(Place(position, None if seconds is None else round(seconds), round(self._hold)))

    async def run(self) -> None:
        """Re-check every second: grace periods and holds end, and interviews finish, on their own."""
        while True:
            await asyncio.sleep(TICK_SECONDS)
            try:
                self.reconcile()
            except Exception:  # a bug here must not stop admissions for good
                log.exception("admission: the seat check failed")


ADMISSION = web.AppKey("admission", Admission)


async def admission_ctx(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context (after the live interviews): the seats, seeded with the interviews that were
    running when the server stopped, the gauges on /metrics, and the re-check task."""
    registry = app[REGISTRY]
    capacity = capacity_for(app[SETTINGS])
    log.info("%s", capacity.describe())
    app[BANNER].append(capacity.describe())
    metrics = app[METRICS]
    waited = Histogram("intervox_admission_wait_seconds", "How long candidates admitted from the line waited",
                       registry=metrics.registry, buckets=(5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600))
    admission = Admission(capacity.seats, lambda interview_id: seat_use(registry.find(interview_id)),
                          hold_seconds=HOLD_SECONDS, on_admit=waited.observe)
    for live in registry:
        if live.away:
            admission.occupy(live.record.id)
    app[ADMISSION] = admission
    metrics.gauge("intervox_interview_seats", "Live interviews this server carries at once",
                  lambda: admission.capacity)
    metrics.gauge("intervox_interview_seats_in_use", "Seats held by live interviews (connected, or waiting "
                  "for a candidate who dropped)", lambda: admission.seats_in_use)
    metrics.gauge("intervox_candidates_waiting", "Candidates waiting in line for a seat", lambda: admission.waiting)
    task = asyncio.create_task(admission.run(), name="admission")
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
