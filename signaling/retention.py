"""Retention: what candidates are promised is kept for N days is deleted after N days.

A task owned by the application runs the purge at start-up and then once a day: recordings are
crypto-shredded (wrapped key deleted, then the files), transcripts, word timings and scores are
deleted; each purge is logged and written to the audit log.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from .recordings import Recordings
from .store import Store
from .timeutil import iso

log = logging.getLogger(__name__)

PURGE_INTERVAL_SECONDS = 24 * 3600


def cutoff(days: int, now: datetime | None = None) -> str:
    return iso((now or datetime.now(UTC)) - timedelta(days=days))


async def purge_expired(store: Store, recordings: Recordings, days: int, now: datetime | None = None) -> int:
    """Crypto-shred recordings and delete answers older than `days`; return how many things went."""
    limit = cutoff(days, now)
    expired = await store.recordings.purge_candidates(created_before=limit)
    for recording in expired:
        await recordings.purge(recording, reason=f"retention ({days} days)")
    removed = await store.purge_answers_before(limit)
    if removed or expired:
        log.info("retention: purged %d recordings and %d answers older than %d days", len(expired), removed, days)
        await store.audit.record("retention.purge", recordings=len(expired), answers=removed, days=days)
    return removed + len(expired)


async def purge_daily(store: Store, recordings: Recordings, days: int) -> None:
    """Run forever (until cancelled): purge now, then every day."""
    while True:
        try:
            await purge_expired(store, recordings, days)
        except Exception:  # a failed purge is retried tomorrow; it must not stop the server
            log.exception("retention purge failed")
        await asyncio.sleep(PURGE_INTERVAL_SECONDS)
