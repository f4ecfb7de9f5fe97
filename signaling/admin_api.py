"""Administration beyond staff accounts (signaling.staff_api): the audit log, and carrying out a
candidate's request to delete their data."""

from __future__ import annotations

from aiohttp import web

from .keys import RECORDINGS, STORE
from .policy import Access, rule
from .security import json_error
from .sessions import HR_ROLES, require
from .store import NotFound

routes = web.RouteTableDef()


@routes.get("/api/audit")
@rule(Access.HR)
async def audit_log(request: web.Request) -> web.StreamResponse:
    await require(request, HR_ROLES)
    before = request.query.get("before")
    entries = await request.app[STORE].audit.entries(
        limit=200, before_id=int(before) if before and before.isdigit() else None,
        action=request.query.get("action") or None,
    )
    return web.json_response({"entries": [
        {"id": e.id, "at": e.at, "actor": e.actor, "action": e.action, "target": e.target, "detail": e.detail}
        for e in entries
    ]})


@routes.post(r"/api/interviews/{public_id:[0-9a-f]{32}}/erase")
@rule(Access.HR)
async def erase_candidate_data(request: web.Request) -> web.StreamResponse:
    """A candidate asked for deletion: recordings are crypto-shredded and transcripts deleted."""
    user = await require(request, HR_ROLES)
    store = request.app[STORE]
    try:
        interview = await store.interview(request.match_info["public_id"])
    except NotFound:
        return json_error(404, "not_found", "no such interview")
    recordings = await store.recordings.purge_candidates(interview_id=interview.id)
    for recording in recordings:
        await request.app[RECORDINGS].purge(recording, reason="deletion request", user=user)
    answers = await store.erase_answers(interview.id)
    await store.audit.record("candidate.data_erased", user=user, target=interview.public_id,
                             recordings=len(recordings), answers=answers)
    return web.json_response({"recordings_purged": len(recordings), "answers_deleted": answers})
