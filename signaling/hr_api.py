"""The HR JSON API: log in, jobs and their questions, invitations, interviews and results."""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from .access import step_up_expires
from .flow import Status
from .jobs_api import job_json
from .keys import LIMITERS, STORE
from .policy import Access, rule
from .ratelimit import client_key
from .records import Interview, InterviewSummary, StoredAnswer, User
from .security import json_error
from .sessions import HR_ROLES, STAFF_ROLES, log_in, log_out, require, require_session, set_session_cookie
from .store import NotFound
from .validation import parse_login

routes = web.RouteTableDef()


def _user_json(user: User) -> dict[str, Any]:
    return {"id": user.id, "email": user.email, "name": user.display_name, "role": user.role.value}


def _interview_json(interview: Interview) -> dict[str, Any]:
    return {
        "id": interview.public_id, "job_id": interview.job_id, "candidate_name": interview.candidate_name,
        "candidate_email": interview.candidate_email, "status": interview.status.value,
        "current_question": interview.current_question, "created_at": interview.created_at,
        "opened_at": interview.opened_at, "consented_at": interview.consented_at,
        "declined_at": interview.declined_at, "started_at": interview.started_at,
        "completed_at": interview.completed_at, "device_check": interview.device_check,
        "data_deleted_at": interview.data_deleted_at, "interrupted_at": interview.interrupted_at,
        "expires_at": interview.expires_at, "revoked_at": interview.revoked_at,
        "invite_sent_at": interview.invite_sent_at, "invite_sent_count": interview.invite_sent_count,
        "invite_language": interview.invite_language,
    }


def summary_json(row: InterviewSummary) -> dict[str, Any]:
    return {**_interview_json(row.interview), "job_title": row.job_title, "department": row.department,
            "answered": row.answered, "interruptions": row.interruptions,
            "mean_score": round(row.mean_score, 1) if row.mean_score is not None else None}


def _answer_json(answer: StoredAnswer) -> dict[str, Any]:
    return {
        "cut_short": answer.cut_short,
        "question": {"id": answer.question_id, "position": answer.position, "text": answer.question_text},
        "status": answer.status, "transcript": answer.transcript, "words": answer.words, "score": answer.score,
        "explanation": answer.explanation, "answered_seconds": answer.answered_seconds,
        "audio_seconds": answer.audio_seconds, "answer_started_at": answer.answer_started_at,
        "answer_ended_at": answer.answer_ended_at, "finalized_at": answer.finalized_at,
    }


@routes.post("/api/login")
@rule(Access.PUBLIC)
async def login(request: web.Request) -> web.StreamResponse:
    credentials = parse_login(await request.json())
    limiter, address = request.app[LIMITERS].login, client_key(request.remote or "unknown")
    decision = limiter.attempt(credentials.email, address, now=time.monotonic())
    if not decision.allowed:
        return json_error(429, "too_many_attempts", "too many attempts; wait before trying again",
                          retry_after=round(decision.retry_after))
    result = await log_in(request, credentials.email, credentials.password)
    if result is None:
        return json_error(401, "bad_credentials", "the e-mail or password is not right")
    limiter.succeeded(credentials.email, address, now=time.monotonic())
    user, session_id = result
    response = web.json_response({"user": _user_json(user)})
    set_session_cookie(request, response, session_id)
    return response


@routes.post("/api/logout")
@rule(Access.PUBLIC)
async def logout(request: web.Request) -> web.StreamResponse:
    response = web.json_response({})
    await log_out(request, response)
    return response


@routes.get("/api/me")
@rule(Access.SIGNED_IN)
async def me(request: web.Request) -> web.StreamResponse:
    session = await require_session(request, STAFF_ROLES)
    staff = await request.app[STORE].staff.get(session.user.id)
    return web.json_response({"user": {
        **_user_json(session.user), "departments": sorted(staff.departments), "totp_enabled": staff.totp_enabled,
        "step_up_expires_in": step_up_expires(session.stepped_up_at, time.time()),
    }})


@routes.get("/api/interviews")
@rule(Access.HR)
async def list_interviews(request: web.Request) -> web.StreamResponse:
    await require(request, HR_ROLES)
    raw_job = request.query.get("job_id")
    job_id = int(raw_job) if raw_job and raw_job.isdigit() else None
    rows = await request.app[STORE].interviews(job_id)
    return web.json_response({
        "interviews": [summary_json(row) for row in rows]
    })


@routes.get(r"/api/interviews/{public_id:[0-9a-f]{32}}")
@rule(Access.HR)
async def get_interview(request: web.Request) -> web.StreamResponse:
    await require(request, HR_ROLES)
    store = request.app[STORE]
    try:
        interview = await store.interview(request.match_info["public_id"])
    except NotFound:
        return json_error(404, "not_found", "no such interview")
    job = await store.job(interview.job_id)
    answers = await store.answers(interview.id)
    reviews = await store.reviews.for_interview(interview.id)
    recordings = {r.question_id: r for r in await store.recordings.for_interview(interview.id)}

    def with_reviews(answer: StoredAnswer) -> dict[str, Any]:
        recording = recordings.get(answer.question_id)
        return {
            **_answer_json(answer),
            "reviews": [{"reviewer": r.reviewer_name, "rating": r.rating, "note": r.note, "updated_at": r.updated_at}
                        for r in reviews if r.question_id == answer.question_id],
            "recording": None if recording is None else {
                "parts": len(recording.parts), "purged": recording.purged_at is not None,
                "seconds": round(sum(p.duration_seconds or 0 for p in recording.parts), 1),
            },
        }

    interruptions = await store.interruptions(interview.id)
    return web.json_response({
        "interview": _interview_json(interview),
        "job": job_json(job),
        "answers": [with_reviews(a) for a in answers],
        "interruptions": interruptions,
        "offline_seconds": round(sum(i["offline_seconds"] or 0 for i in interruptions), 1),
    })


@routes.post(r"/api/interviews/{public_id:[0-9a-f]{32}}/reopen")
@rule(Access.HR)
async def reopen_interview(request: web.Request) -> web.StreamResponse:
    """An interview interrupted by a lost connection gets another chance: the candidate's link works
    again and continues where the interview stopped."""
    user = await require(request, HR_ROLES)
    store = request.app[STORE]
    try:
        interview = await store.interview(request.match_info["public_id"])
    except NotFound:
        return json_error(404, "not_found", "no such interview")
    if interview.status is not Status.INTERRUPTED:
        return json_error(409, "not_interrupted", "only an interrupted interview can be reopened")
    await store.set_status(interview.id, Status.DISCONNECTED)  # waiting for the candidate to come back
    await store.audit.record("interview.reopened", user=user, target=interview.public_id)
    return web.json_response({"interview": _interview_json(await store.interview(interview.public_id))})
