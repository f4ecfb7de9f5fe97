"""The invitations API: invite one candidate or a CSV file of them, withdraw an invitation, send a
new link, change when a link expires.

A link is a random token; only its hash is stored. When the invitation is e-mailed the link
goes only to the candidate; otherwise (no SMTP, e-mail not wanted, or the mail failed) it is
returned once, to the HR user who created it, to pass on. Invitations are created even when
their e-mail fails: the outcome of each mail is reported next to it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from . import auth
from .candidate_ws import withdraw_connection
from .csv_invites import MAX_CSV_BYTES, MAX_CSV_ROWS, CsvRow, RowError, parse_csv
from .hr_api import _interview_json
from .invitation_store import AlreadyInvited, InvitationStore, JobArchived, NewInvitation, NotChangeable
from .invite_mail import Invitation, Outcome, send_invitations
from .keys import MAILER, REGISTRY, SETTINGS, STORE
from .policy import Access, rule
from .records import Interview, Job
from .security import json_error
from .sessions import HR_ROLES, require
from .store import NotFound
from .validation import (
    DEFAULT_EXPIRY_DAYS,
    MAX_EXPIRY_DAYS,
    ValidationError,
    expiry_from_days,
    parse_expiry,
    parse_invitation,
    parse_send_email,
)

routes = web.RouteTableDef()
INTERVIEW = r"/api/interviews/{public_id:[0-9a-f]{32}}"


def invite_url(request: web.Request, token: str) -> str:
    # The token travels in the fragment: browsers never send it to the server or in a Referer.
    return f"{request.app[SETTINGS].base_url}/interview#{token}"


def _created(interview: Interview, link: str, outcome: Outcome) -> dict[str, Any]:
    data = {"interview": _interview_json(interview), "mail": outcome.to_json()}
    if not outcome.sent:
        data["invite_url"] = link  # shown once, to pass on; never stored
    return data


async def _mail(request: web.Request, job: Job, pairs: list[tuple[Interview, str]], send: bool) -> list[Outcome]:
    if not send:
        return [Outcome("skipped") for _ in pairs]
    return await send_invitations(request.app, job, [Invitation(i, link) for i, link in pairs])


@routes.get("/api/invitations/options")
@rule(Access.HR)
async def options(request: web.Request) -> web.StreamResponse:
    """What the invitation forms need to know: whether e-mail is set up, expiry and CSV limits."""
    await require(request, HR_ROLES)
    return web.json_response({"mail": request.app[MAILER].configured, "default_expiry_days": DEFAULT_EXPIRY_DAYS,
                              "max_expiry_days": MAX_EXPIRY_DAYS,
                              "csv": {"max_bytes": MAX_CSV_BYTES, "max_rows": MAX_CSV_ROWS}})


@routes.post("/api/interviews")
@rule(Access.HR)
async def create_interview(request: web.Request) -> web.StreamResponse:
    user = await require(request, HR_ROLES)
    data = parse_invitation(await request.json())
    store = request.app[STORE]
    token = auth.new_secret()
    invitation = NewInvitation(data.candidate_name, data.candidate_email, auth.digest(token), data.expires_at,
                               data.language)
    try:
        (interview,) = await InvitationStore(store).create_many(data.job_id, [invitation], created_by=user.id)
    except NotFound:
        return json_error(400, "invalid", "no such job", field="job_id")
    except JobArchived:
        return json_error(409, "job_archived", "this job is archived; unarchive it to invite candidates",
                          field="job_id")
    except AlreadyInvited:
        return json_error(409, "already_invited", "already has an open invitation for this job",
                          field="candidate_email")
    job = await store.job(data.job_id)
    link = invite_url(request, token)
    (outcome,) = await _mail(request, job, [(interview, link)], data.send_email)
    await store.audit.record("invitation.created", user=user, target=interview.public_id, mail=outcome.status)
    return web.json_response(_created(await store.interview(interview.public_id), link, outcome), status=201)


def _query_expiry(request: web.Request, now: datetime) -> datetime:
    raw = request.query.get("expires_in_days", "")
    if not raw:
        return now + timedelta(days=DEFAULT_EXPIRY_DAYS)
    if not raw.isdigit():
        raise ValidationError("expires_in_days", f"must be a whole number of days from 1 to {MAX_EXPIRY_DAYS}")
    return expiry_from_days(int(raw), now, "expires_in_days")


def _preview(rows: tuple[CsvRow, ...], written: tuple[tuple[int, dict[str, str]], ...],
             errors: list[RowError]) -> list[dict[str, Any]]:
    """Every row of the file: as it will be invited (`ok`), or as written when it has a problem."""
    bad = {e.row for e in errors}
    good = {r.row: r for r in rows if r.row not in bad}
    preview = []
    for number, cells in written:
        row = good.get(number)
        if row is not None:
            preview.append({"row": number, "ok": True, "name": row.name, "email": row.email, "language": row.language,
                            "expires_at": row.expires_at.isoformat().replace("+00:00", "Z")})
        else:
            preview.append({"row": number, "ok": False, "name": cells.get("name", ""), "email": cells.get("email", ""),
                            "language": cells.get("language") or None, "expires_at": None})
    return preview


@routes.post(r"/api/jobs/{job_id:\d{1,12}}/invitations/csv")
@rule(Access.HR)
async def import_csv(request: web.Request) -> web.StreamResponse:
    """Body: the CSV file as is. `?dry_run=1` only checks it (the preview). Otherwise every row is
    invited — in one transaction, and only if no row has a problem — and mailed when possible."""
    user = await require(request, HR_ROLES)
    now = datetime.now(UTC)
    default_expiry = _query_expiry(request, now)
    send = request.query.get("send_email", "1") != "0"
    store, job_id = request.app[STORE], int(request.match_info["job_id"])
    try:
        job = await store.job(job_id)
    except NotFound:
        return json_error(404, "not_found", "no such job")
    if (request.content_length or 0) > MAX_CSV_BYTES:
        result_errors = [RowError(None, None, "too_large", f"the file is larger than {MAX_CSV_BYTES // 1024} KiB",
                                  {"max_kib": MAX_CSV_BYTES // 1024})]
        rows: tuple[CsvRow, ...] = ()
        ignored: tuple[str, ...] = ()
        written: tuple[tuple[int, dict[str, str]], ...] = ()
    else:
        result = parse_csv(await request.read(), now=now, default_expiry=default_expiry)
        result_errors, rows, ignored, written = list(result.errors), result.rows, result.ignored_columns, result.cells
    invitations = InvitationStore(store)
    if job.archived_at is not None:
        result_errors.insert(0, RowError(None, None, "job_archived",
                                         "the job is archived; unarchive it to invite candidates"))
    taken = await invitations.open_emails(job_id)
    result_errors += [RowError(r.row, "email", "already_invited", "already has an open invitation for this job")
                      for r in rows if r.email.casefold() in taken]
    result_errors.sort(key=lambda e: (e.row or 0, e.column or ""))
    if request.query.get("dry_run") == "1":
        return web.json_response({"valid": not result_errors, "rows": _preview(rows, written, result_errors),
                                  "errors": [e.to_json() for e in result_errors], "ignored_columns": list(ignored),
                                  "mail": request.app[MAILER].configured and send})
    if result_errors:
        return json_error(400, "invalid_csv", "the file has problems; nothing was imported",
                          errors=[e.to_json() for e in result_errors])
    tokens = [auth.new_secret() for _ in rows]
    try:
        created = await invitations.create_many(job_id, [
            NewInvitation(r.name, r.email, auth.digest(t), r.expires_at, r.language) for r, t in zip(rows, tokens,
                                                                                                      strict=True)
        ], created_by=user.id)
    except JobArchived:
        return json_error(400, "invalid_csv", "the file has problems; nothing was imported", errors=[
            RowError(None, None, "job_archived", "the job is archived; unarchive it to invite candidates").to_json()])
    except AlreadyInvited as error:  # invited by someone else since the check above
        return json_error(400, "invalid_csv", "the file has problems; nothing was imported", errors=[
            RowError(rows[i].row, "email", "already_invited", "already has an open invitation for this job").to_json()
            for i in error.indexes])
    links = [invite_url(request, t) for t in tokens]
    outcomes = await _mail(request, job, list(zip(created, links, strict=True)), send)
    await store.audit.record("invitation.created", user=user, target=f"job/{job_id}", count=len(created),
                             sent=sum(o.sent for o in outcomes), source="csv")
    reloaded = [await store.interview(i.public_id) for i in created]
    return web.json_response({"created": [
        {"row": r.row, **_created(i, link, o)} for r, i, link, o in zip(rows, reloaded, links, outcomes, strict=True)
    ]}, status=201)


async def _interview(request: web.Request) -> Interview:
    try:
        return await request.app[STORE].interview(request.match_info["public_id"])
    except NotFound:
        raise web.HTTPNotFound(text='{"error":{"code":"not_found","message":"no such interview"}}',
                               content_type="application/json") from None


async def _body(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    body = await request.json()
    if not isinstance(body, dict):
        raise ValidationError("body", "must be a JSON object")
    return body


@routes.post(INTERVIEW + "/revoke")
@rule(Access.HR)
async def revoke(request: web.Request) -> web.StreamResponse:
    """The link stops working now, also for a candidate who is connected at this moment."""
    user = await require(request, HR_ROLES)
    interview = await _interview(request)
    try:
        updated = await InvitationStore(request.app[STORE]).revoke(interview.id)
    except NotChangeable as error:
        return json_error(409, error.code, str(error))
    await withdraw_connection(request.app[REGISTRY], interview.id)
    await request.app[STORE].audit.record("invitation.revoked", user=user, target=interview.public_id)
    return web.json_response({"interview": _interview_json(updated)})


@routes.post(INTERVIEW + "/resend")
@rule(Access.HR)
async def resend(request: web.Request) -> web.StreamResponse:
    """A new link replaces the old one (which stops working), e-mailed when possible, else shown once.
    An expired invitation opens again, by default for another 14 days."""
    user = await require(request, HR_ROLES)
    interview = await _interview(request)
    body = await _body(request)
    send = parse_send_email(body)
    now = datetime.now(UTC)
    expires_at = None
    if body.get("expires_at") is not None or body.get("expires_in_days") is not None:
        expires_at = parse_expiry(body, now)
    elif interview.expires_at is None or datetime.fromisoformat(interview.expires_at.replace("Z", "+00:00")) <= now:
        expires_at = now + timedelta(days=DEFAULT_EXPIRY_DAYS)
    live = request.app[REGISTRY].find(interview.id)
    if live is not None and live.connected:
        return json_error(409, "candidate_connected", "the candidate is in the interview right now; a new link "
                          "would cut them off")
    token = auth.new_secret()
    store = request.app[STORE]
    try:
        updated = await InvitationStore(store).new_link(interview.id, auth.digest(token), expires_at)
    except NotChangeable as error:
        return json_error(409, error.code, str(error))
    link = invite_url(request, token)
    (outcome,) = await _mail(request, await store.job(interview.job_id), [(updated, link)], send)
    await store.audit.record("invitation.resent", user=user, target=interview.public_id, mail=outcome.status)
    return web.json_response(_created(await store.interview(interview.public_id), link, outcome))


@routes.post(INTERVIEW + "/expiry")
@rule(Access.HR)
async def change_expiry(request: web.Request) -> web.StreamResponse:
    """`{"expires_in_days": 7}` or `{"expires_at": "2026-12-31"}`; an expired invitation opens again."""
    user = await require(request, HR_ROLES)
    interview = await _interview(request)
    body = await _body(request)
    if body.get("expires_at") is None and body.get("expires_in_days") is None:
        raise ValidationError("expires_at", "is required")
    expires_at = parse_expiry(body, datetime.now(UTC))
    try:
        updated = await InvitationStore(request.app[STORE]).set_expiry(interview.id, expires_at)
    except NotChangeable as error:
        return json_error(409, error.code, str(error))
    await request.app[STORE].audit.record("invitation.expiry_changed", user=user, target=interview.public_id,
                                          expires_at=updated.expires_at)
    return web.json_response({"interview": _interview_json(updated)})
