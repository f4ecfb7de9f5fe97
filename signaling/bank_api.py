"""The question bank API: list and filter, create, edit, archive, and JSON export/import.

Adding bank questions to a job is `POST /api/jobs/<id>/questions/from-bank` (jobs_api): a copy.
An import is all or nothing; a question already in the bank (same language and words) is
skipped rather than duplicated, so importing an export twice changes nothing.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from .bank_format import DocumentError, bank_document, parse_bank_document
from .bank_store import BankQuestion, BankStore, dedupe_key
from .keys import STORE
from .policy import Access, rule
from .security import json_error
from .sessions import HR_ROLES, require
from .store import NotFound
from .timeutil import utc_now
from .validation import LANGUAGES, ValidationError, parse_bank_question

routes = web.RouteTableDef()
QUESTION = r"/api/bank/questions/{question_id:\d{1,12}}"


def bank_json(q: BankQuestion) -> dict[str, Any]:
    return {"id": q.id, "text": q.text, "language": q.language, "competencies": list(q.competencies),
            "think_seconds": q.think_seconds, "answer_seconds": q.answer_seconds, "rubric": q.rubric,
            "created_at": q.created_at, "updated_at": q.updated_at, "archived_at": q.archived_at,
            "used_in": q.used_in}


def _filters(request: web.Request) -> dict[str, Any]:
    language = request.query.get("language") or None
    if language is not None and language not in LANGUAGES:
        raise ValidationError("language", "must be 'en' or 'zh'")
    competency = (request.query.get("competency") or "").strip()[:60] or None
    return {"language": language, "competency": competency, "archived": request.query.get("archived") == "1"}


@routes.get("/api/bank/questions")
@rule(Access.HR)
async def list_questions(request: web.Request) -> web.StreamResponse:
    """`?competency=Leadership&language=en&archived=1`; also every competency name in use."""
    await require(request, HR_ROLES)
    bank = BankStore(request.app[STORE])
    questions = await bank.search(**_filters(request))
    return web.json_response({"questions": [bank_json(q) for q in questions],
                              "competencies": await bank.competencies()})


@routes.post("/api/bank/questions")
@rule(Access.HR)
async def create_question(request: web.Request) -> web.StreamResponse:
    user = await require(request, HR_ROLES)
    data = parse_bank_question(await request.json())
    question = await BankStore(request.app[STORE]).create(data, created_by=user.id)
    return web.json_response({"question": bank_json(question)}, status=201)


@routes.get(QUESTION)
@rule(Access.HR)
async def get_question(request: web.Request) -> web.StreamResponse:
    await require(request, HR_ROLES)
    try:
        question = await BankStore(request.app[STORE]).get(int(request.match_info["question_id"]))
    except NotFound:
        return json_error(404, "not_found", "no such bank question")
    return web.json_response({"question": bank_json(question)})


@routes.put(QUESTION)
@rule(Access.HR)
async def update_question(request: web.Request) -> web.StreamResponse:
    """Edit the bank question; questions already copied into jobs keep their words."""
    await require(request, HR_ROLES)
    data = parse_bank_question(await request.json())
    try:
        question = await BankStore(request.app[STORE]).update(int(request.match_info["question_id"]), data)
    except NotFound:
        return json_error(404, "not_found", "no such bank question")
    return web.json_response({"question": bank_json(question)})


async def _archive(request: web.Request, archived: bool) -> web.StreamResponse:
    await require(request, HR_ROLES)
    try:
        question = await BankStore(request.app[STORE]).set_archived(int(request.match_info["question_id"]),
                                                                     archived)
    except NotFound:
        return json_error(404, "not_found", "no such bank question")
    return web.json_response({"question": bank_json(question)})


@routes.post(QUESTION + "/archive")
@rule(Access.HR)
async def archive_question(request: web.Request) -> web.StreamResponse:
    return await _archive(request, True)


@routes.post(QUESTION + "/unarchive")
@rule(Access.HR)
async def unarchive_question(request: web.Request) -> web.StreamResponse:
    return await _archive(request, False)


@routes.get("/api/bank/export")
@rule(Access.HR)
async def export_bank(request: web.Request) -> web.StreamResponse:
    """The active bank (or what the same filters select) as an `intervox.question-bank` file."""
    await require(request, HR_ROLES)
    questions = await BankStore(request.app[STORE]).search(**_filters(request))
    return web.json_response(bank_document(list(reversed(questions)), utc_now()), headers={
        "Content-Disposition": 'attachment; filename="intervox-question-bank.json"'})


@routes.post("/api/bank/import")
@rule(Access.HR)
async def import_bank(request: web.Request) -> web.StreamResponse:
    """Every question of the file, or none: a 400 lists each problem by question number."""
    user = await require(request, HR_ROLES)
    try:
        questions = parse_bank_document(await request.json())
    except DocumentError as error:
        return json_error(400, "invalid_document", "the file has problems; nothing was imported",
                          errors=[e.to_json() for e in error.errors])
    bank = BankStore(request.app[STORE])
    known = await bank.active_keys()
    new = [q for q in questions if dedupe_key(q.language, q.text) not in known]
    skipped = [i for i, q in enumerate(questions, start=1) if dedupe_key(q.language, q.text) in known]
    ids = await bank.create_many(new, created_by=user.id)
    await request.app[STORE].audit.record("bank.imported", user=user, created=len(ids), skipped=len(skipped))
    return web.json_response({"created": len(ids), "skipped": skipped, "ids": ids}, status=201)
