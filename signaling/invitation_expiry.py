"""Expired invitations are marked `expired`: when their candidate says hello, and by a sweep the
application runs every minute, so that HR sees the right status without anyone opening the link.

An interview whose candidate is connected right now is left alone (they opened the link in time);
one whose candidate has started is never expired (the resume rules apply to it instead).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from aiohttp import web

from .invitation_store import InvitationStore, is_due
from .keys import REGISTRY, STORE
from .records import Interview
from .registry import LiveInterviews
from .store import Store

log = logging.getLogger(__name__)

SWEEP_SECONDS = 60.0


def _connected(registry: LiveInterviews, interview_id: int) -> bool:
    live = registry.find(interview_id)
    return live is not None and live.connected


async def expire_on_hello(store: Store, registry: LiveInterviews, record: Interview,
                          now: datetime | None = None) -> Interview:
    """The record to open: marked expired first if its link has expired."""
    now = now or datetime.now(UTC)
    if not is_due(record, now) or _connected(registry, record.id):
        return record
    if await InvitationStore(store).expire(record.id, now):
        log.info("interview %s: the invitation expired at %s", record.public_id, record.expires_at)
    return await store.interview_by_id(record.id)


async def sweep(store: Store, registry: LiveInterviews, now: datetime | None = None) -> int:
    """Mark every expired invitation; return how many were marked."""
    now = now or datetime.now(UTC)
    invitations = InvitationStore(store)
    count = 0
    for interview_id in await invitations.due(now):
        if not _connected(registry, interview_id) and await invitations.expire(interview_id, now):
            count += 1
    if count:
        log.info("%d invitation(s) expired", count)
    return count


async def _sweep_forever(app: web.Application) -> None:
    while True:
        try:
            await sweep(app[STORE], app[REGISTRY])
        except Exception:  # a locked or failing database: try again at the next round
            log.exception("the invitation expiry sweep failed")
        await asyncio.sleep(SWEEP_SECONDS)


async def sweep_ctx(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context: the sweep runs from start-up (once at once) until shutdown."""
    task = asyncio.create_task(_sweep_forever(app), name="invitation-expiry")
    yield
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
