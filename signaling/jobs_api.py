"""The jobs API: list, create, read, edit, archive, copy, export/import, and add bank questions.

A job's questions and interview language are frozen once one of its candidates has started
(see job_store); the API says so with a 409 `job_locked` that names what may still change.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .bank_format import DocumentError, job_document, parse_job_document
from .bank_store import BankStore
from .job_store import JobListing, JobLocked, JobStore, TooManyQuestions, same_questions
from .keys import REGISTRY, STORE
from .policy import Access, rule
from .records import Job, Question
from .security import json_error
from .sessions import HR_ROLES, require
from .store import NewQuestion, NotFound
from .timeutil import utc_now
from .validation import ValidationError, parse_job, parse_job_update

routes = web.RouteTableDef()
JOB = r"/api/jobs/{job_id:\d{1,12}}"

LOCKED_MESSAGE = ("candidates have started this job's interview, so its questions and interview language can no "
                  "longer change (every candidate must get the same interview); the title and department still can. "
                  "To ask other questions, copy the job")


def question_json(q: Question) -> dict[str, Any]:
    return {"id": q.id, "position": q.position, "text": q.text, "think_seconds": q.think_seconds,
            "answer_seconds": q.answer_seconds, "rubric": q.rubric, "competencies": list(q.competencies),
            "bank_question_id": q.bank_question_id}


def job_json(job: Job, listing: JobListing | None = None, *, questions: bool = True) -> dict[str, Any]:
    data: dict[str, Any] = {"id": job.id, "title": job.title, "department": job.department,
                            "language": job.language, "created_at": job.created_at, "updated_at": job.updated_at,
                            "archived_at": job.archived_at}
    if questions:
        data["questions"] = [question_json(q) for q in job.questions]
    if listing is not None:
        data.update(question_count=listing.question_count, interview_count=listing.interview_count,
                    locked=listing.started)
    return data


def _job_id(request: web.Request) -> int:
    return int(request.match_info["job_id"])


async def _detail(request: web.Request, job_id: int, status: int = 200) -> web.Response:
    listing = await JobStore(request.app[STORE]).summary(job_id)
    return web.json_response({"job": job_json(listing.job, listing)}, status=status)


@routes.get("/api/jobs")
@rule(Access.HR)
async def list_jobs(request: web.Request) -> web.StreamResponse:
    """Jobs, newest first; `?archived=include` adds archived jobs, `?archived=only` lists only them."""
    await require(request, HR_ROLES)
    archived = request.query.get("archived", "exclude")
    if archived not in ("exclude", "include", "only"):
        raise ValidationError("archived", "must be exclude, include or only")
    listings = await JobStore(request.app[STORE]).listing(archived=archived)
    return web.json_response({"jobs": [job_json(item.job, item, questions=False) for item in listings]})


@routes.post("/api/jobs")
@rule(Access.HR)
async def create_job(request: web.Request) -> web.StreamResponse:
    user = await require(request, HR_ROLES)
    data = parse_job(await request.json())
    job = await request.app[STORE].create_job(title=data.title, department=data.department, language=data.language,
                                              questions=data.questions, created_by=user.id)
    await request.app[STORE].audit.record("job.created", user=user, target=f"job/{job.id}")
    return await _detail(request, job.id, status=201)


@routes.get(JOB)
@rule(Access.HR)
async def get_job(request: web.Request) -> web.StreamResponse:
    await require(request, HR_ROLES)
    try:
        return await _detail(request, _job_id(request))
    except NotFound:
        return json_error(404, "not_found", "no such job")


def _in_use(request: web.Request, interview_ids: list[int]) -> bool:
    """A candidate of the job has its interview open right now (their page holds the questions)."""
    registry = request.app[REGISTRY]
    return any((live := registry.find(i)) is not None and live.connected for i in interview_ids)


@routes.put(JOB)
@rule(Access.HR)
async def update_job(request: web.Request) -> web.StreamResponse:
    """Title and department always; language and questions until a candidate has started."""
    user = await require(request, HR_ROLES)
    change = parse_job_update(await request.json())
    jobs, job_id = JobStore(request.app[STORE]), _job_id(request)
    try:
        current = await request.app[STORE].job(job_id)
    except NotFound:
        return json_error(404, "not_found", "no such job")
    own = {q.id for q in current.questions}
    for i, qid in enumerate(change.keep_ids):
        if qid is not None and qid not in own:
            raise ValidationError(f"questions[{i}].id", "must name a question of this job")
    changes_interview = ((change.language or current.language) != current.language
                         or (change.questions is not None and not same_questions(change.questions, current.questions)))
    if changes_interview and (await jobs.summary(job_id)).started:
        return json_error(409, "job_locked", LOCKED_MESSAGE)
    if changes_interview and _in_use(request, await jobs.interview_ids(job_id)):
        return json_error(409, "job_in_use", "a candidate has this job's interview open right now; try again when "
                          "they have finished or closed it")
    try:
        await jobs.update(job_id, change)
    except JobLocked:
        return json_error(409, "job_locked", LOCKED_MESSAGE)
    await request.app[STORE].audit.record("job.updated", user=user, target=f"job/{job_id}")
    return await _detail(request, job_id)


async def _archive(request: web.Request, archived: bool) -> web.StreamResponse:
    user = await require(request, HR_ROLES)
    job_id = _job_id(request)
    try:
        await JobStore(request.app[STORE]).set_archived(job_id, archived)
    except NotFound:
        return json_error(404, "not_found", "no such job")
    await request.app[STORE].audit.record("job.archived" if archived else "job.unarchived", user=user,
                                          target=f"job/{job_id}")
    return await _detail(request, job_id)


@routes.post(JOB + "/archive")
@rule(Access.HR)
async def archive_job(request: web.Request) -> web.StreamResponse:
    """The job leaves the default list and takes no new invitations; its interviews and results stay."""
    return await _archive(request, True)


@routes.post(JOB + "/unarchive")
@rule(Access.HR)
async def unarchive_job(request: web.Request) -> web.StreamResponse:
    return await _archive(request, False)


@routes.post(JOB + "/copy")
@rule(Access.HR)
async def copy_job(request: web.Request) -> web.StreamResponse:
    """A new job with the same questions (to change them once candidates have started)."""
    user = await require(request, HR_ROLES)
    store = request.app[STORE]
    try:
        job = await store.job(_job_id(request))
    except NotFound:
        return json_error(404, "not_found", "no such job")
    suffix = "（副本）" if job.language == "zh" else " (copy)"
    copy = await store.create_job(
        title=(job.title + suffix)[:200], department=job.department, language=job.language, created_by=user.id,
        questions=[_new(q) for q in job.questions])
    await store.audit.record("job.created", user=user, target=f"job/{copy.id}", copied_from=job.id)
    return await _detail(request, copy.id, status=201)


def _new(q: Question) -> NewQuestion:
    return NewQuestion(q.text, q.think_seconds, q.answer_seconds, q.rubric, q.competencies, q.bank_question_id)


@routes.post(JOB + "/questions/from-bank")
@rule(Access.HR)
async def add_from_bank(request: web.Request) -> web.StreamResponse:
    """Copy bank questions to the end of the job: `{"bank_question_ids": [3, 7]}`."""
    user = await require(request, HR_ROLES)
    body = await request.json()
    ids = body.get("bank_question_ids") if isinstance(body, dict) else None
    if (not isinstance(ids, list) or not ids or len(ids) > 20 or len(set(ids)) != len(ids)
            or not all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in ids)):
        raise ValidationError("bank_question_ids", "must list the bank questions to add (at most 20, each once)")
    store, job_id = request.app[STORE], _job_id(request)
    try:
        job = await store.job(job_id)
        questions = await BankStore(store).many(ids)
    except NotFound as error:
        return json_error(404, "not_found", str(error))
    for q in questions:
        if q.language != job.language:
            raise ValidationError("bank_question_ids", f"bank question {q.id} is in {q.language}; this job's "
                                                       f"interview is in {job.language}")
        if q.archived_at is not None:
            raise ValidationError("bank_question_ids", f"bank question {q.id} is archived")
    if _in_use(request, await JobStore(store).interview_ids(job_id)):
        return json_error(409, "job_in_use", "a candidate has this job's interview open right now; try again later")
    try:
        await JobStore(store).append(job_id, [q.copy_for_job() for q in questions])
    except JobLocked:
        return json_error(409, "job_locked", LOCKED_MESSAGE)
    except TooManyQuestions as error:
        raise ValidationError("bank_question_ids", str(error)) from None
    await store.audit.record("job.updated", user=user, target=f"job/{job_id}", added_from_bank=ids)
    return await _detail(request, job_id)


@routes.get(JOB + "/export")
@rule(Access.HR)
async def export_job(request: web.Request) -> web.StreamResponse:
    """The job and its questions as an `intervox.job` version 1 JSON file."""
    await require(request, HR_ROLES)
    try:
        job = await request.app[STORE].job(_job_id(request))
    except NotFound:
        return json_error(404, "not_found", "no such job")
    return web.json_response(job_document(job, utc_now()), headers={
        "Content-Disposition": f'attachment; filename="intervox-job-{job.id}.json"'})


@routes.post("/api/jobs/import")
@rule(Access.HR)
async def import_job(request: web.Request) -> web.StreamResponse:
    """A new job from an `intervox.job` file; nothing is created unless the whole file is valid."""
    user = await require(request, HR_ROLES)
    try:
        data = parse_job_document(await request.json())
    except DocumentError as error:
        return json_error(400, "invalid_document", "the file has problems; nothing was imported",
                          errors=[e.to_json() for e in error.errors])
    store = request.app[STORE]
    job = await store.create_job(title=data.title, department=data.department, language=data.language,
                                 questions=data.questions, created_by=user.id)
    await store.audit.record("job.created", user=user, target=f"job/{job.id}", imported=True)
    return await _detail(request, job.id, status=201)
