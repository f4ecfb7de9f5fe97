"""Anomalies over HTTP: the latest in the caller's scope, and one interview's.

HR and admins see every department; department heads and reviewers their own departments (as on
the live dashboard, see hr_live_ws.py). Anything outside the caller's departments is a 404.
"""

from __future__ import annotations

from aiohttp import web

from .access import REVIEW_ROLES, SEES_ALL, sees_department
from .anomaly_store import AnomalyStore
from .dashboard_store import Scope
from .keys import STORE
from .policy import Access, rule
from .records import StaffUser
from .security import json_error
from .sessions import require
from .store import NotFound
from .validation import ValidationError

routes = web.RouteTableDef()

MAX_LIMIT = 200


async def _staff(request: web.Request, roles: frozenset) -> StaffUser:
    user = await require(request, roles)
    staff = await request.app[STORE].staff.get(user.id)
    if staff is None:
        raise web.HTTPUnauthorized(text='{"error":{"code":"unauthenticated","message":"please log in"}}',
                                   content_type="application/json")
    return staff


def _positive(request: web.Request, name: str) -> int | None:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 12 or int(raw) < 1:
        raise ValidationError(name, f"{name} must be a positive whole number")
    return int(raw)


@routes.get("/api/anomalies")
@rule(Access.DEPARTMENT)
async def list_anomalies(request: web.Request) -> web.StreamResponse:
    """Newest first, optionally for one job or department; `before` (an id) pages back."""
    staff = await _staff(request, REVIEW_ROLES)
    departments = None if staff.user.role in SEES_ALL else staff.departments
    job_id, before = _positive(request, "job_id"), _positive(request, "before")
    limit = min(_positive(request, "limit") or 50, MAX_LIMIT)
    department = request.query.get("department") or None
    if department is not None and departments is not None and department not in departments:
        return json_error(404, "not_found", "no such department")
    if job_id is not None:
        row = await request.app[STORE].one("SELECT department FROM jobs WHERE id = ?", (job_id,))
        if row is None or (departments is not None and row["department"] not in departments):
            return json_error(404, "not_found", "no such job")
    rows = await AnomalyStore(request.app[STORE]).latest(Scope(departments, job_id, department), limit=limit,
                                                         before=before)
    return web.json_response({"anomalies": rows})


@routes.get(r"/api/interviews/{public_id:[0-9a-f]{32}}/anomalies")
@rule(Access.DEPARTMENT)
async def interview_anomalies(request: web.Request) -> web.StreamResponse:
    staff = await _staff(request, REVIEW_ROLES)
    store = request.app[STORE]
    try:
        interview = await store.interview(request.match_info["public_id"])
        job = await store.job(interview.job_id)
    except NotFound:
        return json_error(404, "not_found", "no such interview")
    if not sees_department(staff, job.department):
        return json_error(404, "not_found", "no such interview")  # do not confirm it exists
    return web.json_response({"anomalies": await AnomalyStore(store).for_interview(interview.id)})
