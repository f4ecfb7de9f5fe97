"""Retention: what candidates are promised is kept for N days is deleted after N days.

A task owned by the application runs the purge at start-up and then once a day. Today that is
transcripts, word timings and scores; each purge is logged with how much it removed.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from .store import Store
from .timeutil import iso

log = logging.getLogger(__name__)

PURGE_INTERVAL_SECONDS = 24 * 3600


def cutoff(days: int, now: datetime | None = None) -> str:
    return iso((now or datetime.now(UTC)) - timedelta(days=days))


async def purge_expired(store: Store, days: int, now: datetime | None = None) -> int:
    removed = await store.purge_answers_before(cutoff(days, now))
    if removed:
        log.info("retention: deleted %d answers older than %d days", removed, days)
    return removed


async def purge_daily(store: Store, days: int) -> None:
    """Run forever (until cancelled): purge now, then every day."""
    while True:
        try:
            await purge_expired(store, days)
        except Exception:  # a failed purge is retried tomorrow; it must not stop the server
            log.exception("retention purge failed")
        await asyncio.sleep(PURGE_INTERVAL_SECONDS)
