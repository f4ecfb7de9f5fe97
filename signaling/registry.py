"""The live interviews of this process, one `LiveInterview` per interview being taken."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import UTC, datetime

from scoring.scheduler import TranscriptionScheduler

from .config import Settings
from .flow import Status
from .interview import LiveInterview
from .live_feed import LiveFeed
from .recordings import Recordings
from .records import Interview
from .store import Store
from .tasks import TaskOwner

log = logging.getLogger(__name__)


class LiveInterviews:
    def __init__(
        self, *, store: Store, scheduler: TranscriptionScheduler, finalizers: TaskOwner, recordings: Recordings,
        settings: Settings, feed: LiveFeed,
    ) -> None:
        self._store = store
        self._feed = feed
        self._recordings = recordings
        self._grace_seconds = settings.resume_grace_seconds
        # Sent with every state: what the consent screen promises and how the page reaches us.
        self._page_info = {
            "privacy": {
                "retention_days": settings.retention_days,
                "contact": settings.privacy_contact,
                # What is kept after the interview; the consent screen lists exactly these.
                "kept": ["recording", "transcript", "score"],
            },
            "ice_servers": list(settings.ice_servers),
            # How long the interview waits for a candidate whose connection dropped.
            "resume_grace_seconds": settings.resume_grace_seconds,
        }
        self._scheduler = scheduler
        self._finalizers = finalizers
        self._live: dict[int, LiveInterview] = {}
        self._lock = asyncio.Lock()

    def __len__(self) -> int:
        return len(self._live)

    def __iter__(self) -> Iterator[LiveInterview]:
        return iter(list(self._live.values()))

    async def get(self, record: Interview) -> LiveInterview:
        """The live interview for `record`, created from its stored state on first use."""
        async with self._lock:
            live = self._live.get(record.id)
            reopenable = (Status.INTERRUPTED, Status.EXPIRED)
            if live is not None and live.flow.status in reopenable and record.status is not live.flow.status:
                live = None  # HR reopened it (or gave an expired invitation new time): start from the stored state
            if live is None:
                job = await self._store.job(record.job_id)
                live = LiveInterview(record=record, job=job, store=self._store, scheduler=self._scheduler,
                                     finalizers=self._finalizers, recordings=self._recordings,
                                     page_info=self._page_info,
                                     resume_grace_seconds=self._grace_seconds, on_idle=self.release,
                                     feed=self._feed)
                self._live[record.id] = live
            return live

    async def resume_waiting(self) -> int:
        """At start-up: every interview left in progress or disconnected waits a grace period for its
        candidate again (the clock restarts now), so none stays "disconnected" for ever. Interviews HR
        reopened (disconnected, no open interruption) wait for the candidate without a deadline."""
        count = 0
        for record, interruption_id, started_at in await self._store.interviews_left_waiting():
            if record.status is Status.DISCONNECTED and interruption_id is None:
                continue
            away = 0.0
            if started_at is not None:
                away = max(0.0, (datetime.now(UTC) - datetime.fromisoformat(started_at)).total_seconds())
            live = await self.get(record)
            await live.wait_after_restart(interruption_id, away)
            count += 1
        return count

    def find(self, interview_id: int) -> LiveInterview | None:
        """The interview if it is held in memory (a candidate connected, or an answer in flight)."""
        return self._live.get(interview_id)

    def release(self, live: LiveInterview) -> None:
        """Forget an interview nobody is connected to, with no answer in flight and no grace period
        running. Its progress is in the database; a later connection rebuilds it from there."""
        if live.idle and self._live.get(live.record.id) is live:
            del self._live[live.record.id]

    async def aclose(self) -> None:
        lives = list(self._live.values())
        self._live.clear()
        await asyncio.gather(*(live.aclose() for live in lives), return_exceptions=True)
