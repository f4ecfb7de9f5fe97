"""Administration: staff accounts with roles and departments, the audit log, and carrying out a
candidate's request to delete their data."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from . import auth
from .keys import RECORDINGS, STORE
from .records import Role, StaffUser
from .security import json_error
from .sessions import HR_ROLES, require
from .store import NotFound
from .validation import parse_new_user

routes = web.RouteTableDef()
ADMIN_ONLY = frozenset({Role.ADMIN})


def staff_json(staff: StaffUser) -> dict[str, Any]:
    user = staff.user
    return {"id": user.id, "email": user.email, "name": user.display_name, "role": user.role.value,
            "departments": sorted(staff.departments), "disabled": user.disabled, "totp_enabled": staff.totp_enabled}


@routes.get("/api/users")
async def list_users(request: web.Request) -> web.StreamResponse:
    await require(request, ADMIN_ONLY)
    return web.json_response({"users": [staff_json(s) for s in await request.app[STORE].staff.all()]})


@routes.post("/api/users")
async def create_user(request: web.Request) -> web.StreamResponse:
    admin = await require(request, ADMIN_ONLY)
    data = parse_new_user(await request.json())
    store = request.app[STORE]
    if await store.staff.email_taken(data.email):
        return json_error(409, "email_taken", "an account with this e-mail exists", field="email")
    password = auth.generate_password()
    staff = await store.staff.create(email=data.email, display_name=data.name, role=data.role,
                                     departments=data.departments,
                                     password_hash=await asyncio.to_thread(auth.hash_password, password))
    await store.audit.record("user.created", user=admin, target=data.email, role=data.role.value,
                             departments=sorted(data.departments))
    # The first password is shown once to the admin, who hands it over; it is never stored in clear.
    return web.json_response({"user": staff_json(staff), "password": password}, status=201)


@routes.get("/api/audit")
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
