"""Campaign analytics over HTTP: the figures as JSON, and CSV exports of the figures and results.

Who sees what: HR and admins every job; department heads and reviewers the jobs of their
departments (another department's job is a 404, as if it did not exist). A reviewer's results
export lists only interviews with answers — the ones their review list already shows them, names,
e-mails and scores included — not the people who were invited but never answered: those are the
hiring team's business, not a rater's. Every results export is written to the audit log.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from aiohttp import web

from .access import REVIEW_ROLES, SEES_ALL, sees_department
from .analytics import Dataset, Figures, JobFacts, JobSummary, by_job, compute
from .analytics_export import Words, answered_only, figure_table, file_names, result_table
from .analytics_store import AnalyticsStore, Scope
from .csv_export import content_disposition, to_csv
from .keys import STORE
from .policy import Access, rule
from .records import Role, StaffUser
from .security import json_error
from .sessions import require_session
from .timeutil import iso
from .validation import ValidationError

routes = web.RouteTableDef()

LANGUAGES = ("en", "zh")
MAX_OFFSET_MINUTES = 14 * 60
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Query:
    job_id: int | None
    start: date | None
    end: date | None  # inclusive
    offset_minutes: int  # the user's time zone, minutes east of UTC: days start at their midnight
    lang: str

    @property
    def zone(self) -> timezone:
        return timezone(timedelta(minutes=self.offset_minutes))

    def bounds(self) -> tuple[str | None, str | None]:
        """[since, until) as stored ISO times in UTC."""
        def midnight(day: date) -> str:
            return iso(datetime(day.year, day.month, day.day, tzinfo=self.zone))

        since = midnight(self.start) if self.start else None
        until = midnight(self.end + timedelta(days=1)) if self.end else None
        return since, until


def parse_query(query: Any) -> Query:
    """?job_id=&from=YYYY-MM-DD&to=YYYY-MM-DD&tz=<minutes east of UTC>&lang=en|zh, all optional."""
    raw_job = query.get("job_id", "")
    if raw_job and not (raw_job.isascii() and raw_job.isdigit() and len(raw_job) <= 12):
        raise ValidationError("job_id", "must name a job")
    start, end = _day(query.get("from", ""), "from"), _day(query.get("to", ""), "to")
    if start and end and start > end:
        raise ValidationError("to", "must not be before the start date")
    raw_tz = query.get("tz", "0") or "0"
    if not re.fullmatch(r"-?\d{1,4}", raw_tz) or abs(int(raw_tz)) > MAX_OFFSET_MINUTES:
        raise ValidationError("tz", f"must be minutes east of UTC, at most {MAX_OFFSET_MINUTES} either way")
    lang = query.get("lang", "en") or "en"
    if lang not in LANGUAGES:
        raise ValidationError("lang", "must be 'en' or 'zh'")
    return Query(int(raw_job) if raw_job else None, start, end, int(raw_tz), lang)


def _day(raw: str, name: str) -> date | None:
    if not raw:
        return None
    try:
        if not _DATE.match(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(name, "must be a date like 2026-03-31") from None


@dataclass(frozen=True)
class Allowed:
    """A permitted analytics request: who asks, the job (if one), and what to read."""

    staff: StaffUser
    query: Query
    job: JobFacts | None
    scope: Scope


async def _authorize(request: web.Request) -> Allowed | web.Response:
    session = await require_session(request, REVIEW_ROLES)
    query = parse_query(request.query)
    store = request.app[STORE]
    staff = await store.staff.get(session.user.id)
    if staff is None or staff.user.disabled:
        raise web.HTTPForbidden(text='{"error":{"code":"forbidden","message":"your role may not do this"}}',
                                content_type="application/json")
    departments = None if staff.user.role in SEES_ALL else staff.departments
    job = None
    if query.job_id is not None:
        job = await AnalyticsStore(store).job(query.job_id)
        if job is None or not sees_department(staff, job.department):
            return json_error(404, "not_found", "no such job")
    since, until = query.bounds()
    return Allowed(staff, query, job, Scope(query.job_id, departments, since, until))


def _job_json(job: JobFacts) -> dict[str, Any]:
    return {"id": job.id, "title": job.title, "department": job.department, "language": job.language,
            "archived": job.archived}


@routes.get("/api/analytics")
@rule(Access.DEPARTMENT)
async def analytics(request: web.Request) -> web.StreamResponse:
    allowed = await _authorize(request)
    if isinstance(allowed, web.Response):
        return allowed
    store = AnalyticsStore(request.app[STORE])
    data = await store.load(allowed.scope)
    figures, jobs = await asyncio.to_thread(_figures, data, overall=allowed.job is None)
    departments = allowed.scope.departments
    return web.json_response({
        "scope": {
            "job": _job_json(allowed.job) if allowed.job else None,
            "from": allowed.query.start.isoformat() if allowed.query.start else None,
            "to": allowed.query.end.isoformat() if allowed.query.end else None,
            "departments": sorted(departments) if departments is not None else None,
        },
        "jobs": [_job_json(j) for j in await store.jobs(departments)],
        "figures": figures.to_json(),
        "by_job": [_job_summary_json(s) for s in jobs],
    })


def _job_summary_json(summary: JobSummary) -> dict[str, Any]:
    figures = summary.figures.to_json()
    return {"job": _job_json(summary.job), "invited": figures["invited"], "started": figures["started"],
            "completed": figures["completed"], "participation_rate": figures["participation_rate"],
            "mean_score": figures["scores"]["mean"]}


def _figures(data: Dataset, *, overall: bool) -> tuple[Figures, tuple[JobSummary, ...]]:
    return compute(data), by_job(data) if overall else ()


# CSV exports


def _csv_response(body: bytes, names: tuple[str, str]) -> web.Response:
    response = web.Response(body=body, content_type="text/csv", charset="utf-8")
    response.headers["Content-Disposition"] = content_disposition(*names)
    response.headers["Cache-Control"] = "no-store"
    return response


@routes.get("/api/analytics/figures.csv")
@rule(Access.DEPARTMENT)
async def figures_csv(request: web.Request) -> web.StreamResponse:
    allowed = await _authorize(request)
    if isinstance(allowed, web.Response):
        return allowed
    data = await AnalyticsStore(request.app[STORE]).load(allowed.scope)

    def build() -> bytes:
        return to_csv(*figure_table(compute(data), data, Words.load(allowed.query.lang)))

    body = await asyncio.to_thread(build)
    return _csv_response(body, file_names("figures", allowed.job, allowed.query.zone))


@routes.get("/api/analytics/results.csv")
@rule(Access.DEPARTMENT)
async def results_csv(request: web.Request) -> web.StreamResponse:
    allowed = await _authorize(request)
    if isinstance(allowed, web.Response):
        return allowed
    store = request.app[STORE]
    data = await AnalyticsStore(store).load(allowed.scope, explanations=False)
    if allowed.staff.user.role is Role.REVIEWER:
        data = answered_only(data)
    query = allowed.query

    def build() -> tuple[bytes, int]:
        header, rows = result_table(data, Words.load(query.lang), query.zone, single_job=allowed.job is not None)
        return to_csv(header, rows), len(rows)

    body, count = await asyncio.to_thread(build)
    if request.method != "HEAD":  # a HEAD request sends no rows anywhere
        await store.audit.record(
            "analytics.results_exported", user=allowed.staff.user,
            target=f"job:{allowed.job.id}" if allowed.job else "all-jobs", rows=count,
            **({"from": query.start.isoformat()} if query.start else {}),
            **({"to": query.end.isoformat()} if query.end else {}),
        )
    return _csv_response(body, file_names("results", allowed.job, query.zone))
