"""Reviewing interviews: the interviews a user may see, one interview with its answers and
recordings, the reviewer's own rating, and the recordings themselves (HTTP Range, decrypted
on the fly, every access audit-logged)."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from aiohttp import web

from media import VaultError

from .access import REVIEW_ROLES, may_replay, sees_department, step_up_expires
from .hr_api import summary_json
from .keys import RECORDINGS, STORE
from .policy import Access, rule
from .records import Recording, Role, StaffUser, StoredAnswer
from .security import json_error
from .sessions import Session, require_session
from .store import NotFound
from .validation import parse_review

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

READ_PIECE = 16  # chunks (16 KiB each) decrypted per hop to the worker thread


async def _staff(request: web.Request) -> tuple[Session, StaffUser]:
    session = await require_session(request, REVIEW_ROLES)
    staff = await request.app[STORE].staff.get(session.user.id)
    return session, staff


def recording_json(recording: Recording) -> dict[str, Any]:
    return {
        "id": recording.id,
        "purged": recording.purged_at is not None,
        "parts": [
            {"part": p.part, "status": p.status.value, "offset": p.answer_offset_seconds,
             "duration": p.duration_seconds, "size": p.plaintext_size, "mime": p.mime,
             "url": f"/api/recordings/{recording.id}/parts/{p.part}"}
            for p in recording.parts if p.status.value != "writing"
        ],
    }


@routes.get("/api/review/interviews")
@rule(Access.DEPARTMENT)
async def list_reviewable(request: web.Request) -> web.StreamResponse:
    session, staff = await _staff(request)
    departments = None if staff.user.role in (Role.ADMIN, Role.HR) else staff.departments
    rows = await request.app[STORE].interviews(departments=departments)
    return web.json_response({
        "interviews": [summary_json(r) for r in rows if r.answered > 0],
        "step_up_expires_in": step_up_expires(session.stepped_up_at, time.time()),
    })


@routes.get(r"/api/review/interviews/{public_id:[0-9a-f]{32}}")
@rule(Access.DEPARTMENT)
async def review_detail(request: web.Request) -> web.StreamResponse:
    session, staff = await _staff(request)
    store = request.app[STORE]
    try:
        interview = await store.interview(request.match_info["public_id"])
    except NotFound:
        return json_error(404, "not_found", "no such interview")
    job = await store.job(interview.job_id)
    if not sees_department(staff, job.department):
        return json_error(404, "not_found", "no such interview")  # do not confirm it exists
    recordings = {r.question_id: r for r in await store.recordings.for_interview(interview.id)}
    reviews = await store.reviews.for_interview(interview.id)
    sees_all = staff.user.role in (Role.ADMIN, Role.HR)

    def answer_json(answer: StoredAnswer) -> dict[str, Any]:
        recording = recordings.get(answer.question_id)
        mine = [r for r in reviews if r.question_id == answer.question_id and r.reviewer_id == staff.user.id]
        return {
            "question": {"id": answer.question_id, "position": answer.position, "text": answer.question_text},
            "status": answer.status, "transcript": answer.transcript, "words": answer.words, "score": answer.score,
            "explanation": answer.explanation, "answered_seconds": answer.answered_seconds,
            "recording": recording_json(recording) if recording else None,
            "my_review": {"rating": mine[0].rating, "note": mine[0].note} if mine else None,
            "reviews": [
                {"reviewer": r.reviewer_name, "rating": r.rating, "note": r.note, "updated_at": r.updated_at}
                for r in reviews if r.question_id == answer.question_id
            ] if sees_all else [],
        }

    return web.json_response({
        "interview": {"id": interview.public_id, "candidate_name": interview.candidate_name,
                      "status": interview.status.value, "completed_at": interview.completed_at},
        "job": {"title": job.title, "department": job.department, "language": job.language},
        "answers": [answer_json(a) for a in await store.answers(interview.id)],
        "step_up_expires_in": step_up_expires(session.stepped_up_at, time.time()),
    })


@routes.put(r"/api/review/interviews/{public_id:[0-9a-f]{32}}/answers/{question_id:\d{1,12}}")
@rule(Access.DEPARTMENT)
async def save_review(request: web.Request) -> web.StreamResponse:
    _, staff = await _staff(request)
    store = request.app[STORE]
    try:
        interview = await store.interview(request.match_info["public_id"])
    except NotFound:
        return json_error(404, "not_found", "no such interview")
    job = await store.job(interview.job_id)
    question_id = int(request.match_info["question_id"])
    if not sees_department(staff, job.department):
        return json_error(404, "not_found", "no such interview")
    if question_id not in {q.id for q in job.questions}:
        return json_error(404, "not_found", "no such question in this interview")
    review = parse_review(await request.json())  # after the checks: a stranger learns nothing from a 400
    await store.reviews.save(interview_id=interview.id, question_id=question_id, reviewer_id=staff.user.id,
                             rating=review.rating, note=review.note)
    return web.json_response({"rating": review.rating, "note": review.note})


@routes.get(r"/api/recordings/{recording_id:[0-9a-f-]{36}}/parts/{part:\d{1,4}}")
@rule(Access.DEPARTMENT)
async def replay(request: web.Request) -> web.StreamResponse:
    """A recording part, decrypted on the fly; HTTP Range supported; audit-logged per request."""
    session, staff = await _staff(request)
    store, recordings = request.app[STORE], request.app[RECORDINGS]
    recording = await store.recordings.get(request.match_info["recording_id"])
    if recording is None:
        return json_error(404, "not_found", "no such recording")
    interview = await store.interview_by_id(recording.interview_id)
    job = await store.job(interview.job_id)
    if not sees_department(staff, job.department):
        return json_error(404, "not_found", "no such recording")
    if not may_replay(staff, job.department, stepped_up_at=session.stepped_up_at, now=time.time()):
        return json_error(403, "step_up_required", "confirm it is you with a two-step verification code first")
    if recording.purged_at is not None:
        return json_error(410, "purged", "this recording was deleted under the retention policy or on request")
    number = int(request.match_info["part"])
    part = next((p for p in recording.parts if p.part == number and p.status.value != "writing"), None)
    if part is None:
        return json_error(404, "not_found", "no such part, or it is still being written")
    size = part.plaintext_size or 0
    partial = "Range" in request.headers
    try:
        span = resolve_range(request.http_range, size)
    except ValueError:  # malformed, or several ranges
        span = None
    if span is None:
        await store.audit.record("recording.read_refused", user=session.user, target=f"{recording.id}/p{number}",
                                 range=request.headers.get("Range", ""))
        response = json_error(416, "bad_range", "the requested range is not satisfiable")
        response.headers["Content-Range"] = f"bytes */{size}"
        return response
    start, stop = span
    await store.audit.record("recording.read", user=session.user, target=f"{recording.id}/p{number}",
                             range=f"bytes={start}-{max(stop - 1, start)}" if partial else "all")
    response = web.StreamResponse(status=206 if partial else 200)
    response.content_type = part.mime
    response.content_length = stop - start
    response.headers["Accept-Ranges"] = "bytes"
    response.headers["Cache-Control"] = "no-store"
    if partial:
        response.headers["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
    if request.method == "HEAD":  # the headers a GET would have, and no body
        await response.prepare(request)
        await response.write_eof()
        return response
    reader = await asyncio.to_thread(recordings.open_reader, recording, part)
    try:
        pieces = reader.iter_range(start, stop - start)
        first = await asyncio.to_thread(next, pieces, None)  # fail before the headers go out if we can
        await response.prepare(request)
        while first is not None:
            await response.write(first)
            first = await asyncio.to_thread(next, pieces, None)
    except VaultError as exc:
        # Authentication failed: what was sent is a true prefix; the rest is withheld.
        log.error("recording %s part %d failed its integrity check: %s", recording.id, number, exc)
        await store.audit.record("recording.integrity_error", user=session.user, target=f"{recording.id}/p{number}")
        if not response.prepared:
            return json_error(500, "integrity", "this recording failed its integrity check")
        if request.transport is not None:
            request.transport.close()  # the client sees a short body, never unauthenticated bytes
        return response
    finally:
        await asyncio.to_thread(reader.close)
    await response.write_eof()
    return response


def resolve_range(wanted: slice, size: int) -> tuple[int, int] | None:
    """[start, stop) of a part of `size` bytes for aiohttp's parsed Range; None if unsatisfiable."""
    start, stop = wanted.start, wanted.stop
    if start is None and stop is None:
        return 0, size  # no Range header: the whole part
    if start is not None and start < 0:  # bytes=-N: the last N bytes
        start, stop = max(0, size + start), size
    else:
        start = start or 0
        stop = size if stop is None else min(stop, size)
    if start >= size or start >= stop:
        return None
    return start, stop
