"""Checking what HR submits: pure functions from untrusted JSON to typed values.

Each failure raises `ValidationError` naming the field, which the HTTP layer returns as a 400
with that field, so the page can point at the input that needs fixing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from scoring.rubric import Rubric, RubricError

from .records import Role
from .store import NewQuestion

LANGUAGES = ("en", "zh")
MAX_QUESTIONS = 20
MAX_TAGS = 12  # competency tags on one question
MAX_TAG_CHARS = 60
DEFAULT_EXPIRY_DAYS = 14
MAX_EXPIRY_DAYS = 90
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}$")


class ValidationError(ValueError):
    """`code` and `params` let a page translate the message (reports of CSV and JSON imports)."""

    def __init__(self, field: str, message: str, code: str = "invalid", **params: object) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.code = code
        self.params = params


def _text(obj: dict[str, Any], field: str, *, max_chars: int, label: str | None = None) -> str:
    name = label or field
    value = obj.get(field)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(name, "is required", "required")
    value = value.strip()
    if len(value) > max_chars:
        raise ValidationError(name, f"must be at most {max_chars} characters", "too_long", max=max_chars)
    return value


def _int(obj: dict[str, Any], field: str, *, low: int, high: int, label: str) -> int:
    value = obj.get(field)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(label, "must be a whole number of seconds")
    if not low <= value <= high:
        raise ValidationError(label, f"must be between {low} and {high}")
    return value


def _object(value: Any, name: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValidationError(name, "must be a JSON object")
    return value


@dataclass(frozen=True)
class JobInput:
    title: str
    department: str
    language: str
    questions: tuple[NewQuestion, ...]


def _language(obj: dict[str, Any], field: str = "language") -> str:
    language = obj.get(field)
    if language not in LANGUAGES:
        raise ValidationError(field, "must be 'en' or 'zh'")
    return language


def parse_competencies(value: Any, name: str) -> tuple[str, ...]:
    """Competency tags ("Leadership", "沟通"): trimmed, distinct (ignoring case), at most 12."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ValidationError(name, "must be a list of competency names")
    if len(value) > MAX_TAGS:
        raise ValidationError(name, f"at most {MAX_TAGS} competencies")
    tags: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise ValidationError(name, "must be a list of competency names")
        tag = " ".join(item.split())
        if len(tag) > MAX_TAG_CHARS:
            raise ValidationError(name, f"each competency name can have at most {MAX_TAG_CHARS} characters")
        if tag.casefold() not in (t.casefold() for t in tags):
            tags.append(tag)
    return tuple(tags)


def parse_question(q: dict[str, Any], prefix: str) -> NewQuestion:
    """One question's text, timings, rubric and competency tags; fields named `<prefix>.<field>`."""
    dot = f"{prefix}." if prefix else ""
    rubric = q.get("rubric")
    if rubric is not None:
        try:
            rubric = Rubric.from_json(rubric).to_json()
        except RubricError as exc:
            raise ValidationError(f"{dot}rubric", str(exc)) from None
    return NewQuestion(
        text=_text(q, "text", max_chars=1000, label=f"{dot}text"),
        think_seconds=_int(q, "think_seconds", low=0, high=600, label=f"{dot}think_seconds"),
        answer_seconds=_int(q, "answer_seconds", low=10, high=1800, label=f"{dot}answer_seconds"),
        rubric=rubric,
        competencies=parse_competencies(q.get("competencies"), f"{dot}competencies"),
    )


def _questions(obj: dict[str, Any]) -> list[dict[str, Any]]:
    raw_questions = obj.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        raise ValidationError("questions", "at least one question is required")
    if len(raw_questions) > MAX_QUESTIONS:
        raise ValidationError("questions", f"at most {MAX_QUESTIONS} questions")
    return [_object(raw, f"questions[{i}]") for i, raw in enumerate(raw_questions)]


def parse_job(payload: Any) -> JobInput:
    obj = _object(payload, "body")
    title = _text(obj, "title", max_chars=200)
    department = _text(obj, "department", max_chars=100)
    language = _language(obj)
    questions = tuple(parse_question(q, f"questions[{i}]") for i, q in enumerate(_questions(obj)))
    return JobInput(title, department, language, questions)


@dataclass(frozen=True)
class JobUpdate:
    """An edit of a job. `questions` is None when the edit leaves them alone; `keep_ids[i]` names the
    existing question that questions[i] replaces (so its link to the question bank is kept)."""

    title: str
    department: str
    language: str | None
    questions: tuple[NewQuestion, ...] | None
    keep_ids: tuple[int | None, ...] = ()


def parse_job_update(payload: Any) -> JobUpdate:
    obj = _object(payload, "body")
    title = _text(obj, "title", max_chars=200)
    department = _text(obj, "department", max_chars=100)
    language = _language(obj) if "language" in obj else None
    if "questions" not in obj:
        return JobUpdate(title, department, language, None)
    raw = _questions(obj)
    questions = tuple(parse_question(q, f"questions[{i}]") for i, q in enumerate(raw))
    keep_ids = []
    for i, q in enumerate(raw):
        qid = q.get("id")
        if qid is not None and (isinstance(qid, bool) or not isinstance(qid, int) or qid <= 0):
            raise ValidationError(f"questions[{i}].id", "must name a question of this job")
        keep_ids.append(qid)
    return JobUpdate(title, department, language, questions, tuple(keep_ids))


@dataclass(frozen=True)
class BankQuestionInput:
    text: str
    language: str
    competencies: tuple[str, ...]
    think_seconds: int
    answer_seconds: int
    rubric: dict | None


BANK_FIELDS = frozenset({"text", "language", "competencies", "think_seconds", "answer_seconds", "rubric"})


def parse_bank_question(payload: Any, prefix: str = "", *, strict: bool = False) -> BankQuestionInput:
    """A question for the bank. `strict` (imports) refuses fields this version does not know, so that
    a typo ("answer_secs") is reported rather than silently replaced by nothing."""
    dot = f"{prefix}." if prefix else ""
    obj = _object(payload, prefix or "body")
    if strict:
        unknown = sorted(set(obj) - BANK_FIELDS - {"id"})
        if unknown:
            raise ValidationError(f"{dot}{unknown[0]}", "is not a field of a question (version 1)")
    question = parse_question(obj, prefix)
    language = obj.get("language")
    if language not in LANGUAGES:
        raise ValidationError(f"{dot}language", "must be 'en' or 'zh'")
    return BankQuestionInput(question.text, language, question.competencies, question.think_seconds,
                             question.answer_seconds, question.rubric)


# ---------- invitations ----------


def _no_controls(value: str, field: str) -> str:
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValidationError(field, "must not contain line breaks or control characters", "control_characters")
    return value


def check_email(value: str, field: str) -> str:
    """An e-mail address as typed (trimmed); case is kept, comparisons ignore it."""
    _no_controls(value, field)
    if len(value) > 320:
        raise ValidationError(field, "must be at most 320 characters", "too_long", max=320)
    if not _EMAIL.match(value):
        raise ValidationError(field, "is not an e-mail address", "invalid_email")
    return value


def check_name(value: str, field: str) -> str:
    if len(value) > 200:
        raise ValidationError(field, "must be at most 200 characters", "too_long", max=200)
    return _no_controls(value, field)


def expiry_from_days(days: Any, now: datetime, field: str) -> datetime:
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXPIRY_DAYS:
        raise ValidationError(field, f"must be a whole number of days from 1 to {MAX_EXPIRY_DAYS}", "expiry_days",
                              max=MAX_EXPIRY_DAYS)
    return now + timedelta(days=days)


def expiry_from_text(text: str, now: datetime, field: str) -> datetime:
    """An expiry as typed: a number of days from now ("30"), a date ("2026-12-31": the end of that
    day, UTC) or an ISO 8601 time with its zone."""
    text = text.strip()
    if text.isdigit():
        return expiry_from_days(int(text), now, field)
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time(23, 59, 59), UTC)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(field, "must be a number of days or a date like 2026-12-31", "expiry_format") from None
    if moment.tzinfo is None:
        raise ValidationError(field, "must say its time zone (for example 2026-12-31T18:00:00Z)", "expiry_format")
    if moment <= now:
        raise ValidationError(field, "must be in the future", "expiry_past")
    if moment > now + timedelta(days=MAX_EXPIRY_DAYS, hours=24):
        raise ValidationError(field, f"must be at most {MAX_EXPIRY_DAYS} days from now", "expiry_too_far",
                              max=MAX_EXPIRY_DAYS)
    return moment.astimezone(UTC)


def parse_expiry(obj: dict[str, Any], now: datetime) -> datetime:
    """`expires_in_days` or `expires_at` from a request; 14 days when neither is given."""
    if obj.get("expires_at") is not None:
        value = obj["expires_at"]
        if not isinstance(value, str):
            raise ValidationError("expires_at", "must be a date like 2026-12-31")
        return expiry_from_text(value, now, "expires_at")
    if obj.get("expires_in_days") is not None:
        return expiry_from_days(obj["expires_in_days"], now, "expires_in_days")
    return now + timedelta(days=DEFAULT_EXPIRY_DAYS)


def parse_send_email(obj: dict[str, Any]) -> bool:
    value = obj.get("send_email", True)
    if not isinstance(value, bool):
        raise ValidationError("send_email", "must be true or false")
    return value


@dataclass(frozen=True)
class InvitationInput:
    job_id: int
    candidate_name: str
    candidate_email: str
    expires_at: datetime | None = None
    language: str | None = None  # of the invitation e-mail; None: the job's
    send_email: bool = True


def parse_invitation(payload: Any, now: datetime | None = None) -> InvitationInput:
    obj = _object(payload, "body")
    job_id = obj.get("job_id")
    if isinstance(job_id, bool) or not isinstance(job_id, int) or job_id <= 0:
        raise ValidationError("job_id", "must name a job")
    name = check_name(_text(obj, "candidate_name", max_chars=200), "candidate_name")
    email = check_email(_text(obj, "candidate_email", max_chars=320), "candidate_email")
    language = _language(obj) if obj.get("language") is not None else None
    now = now or datetime.now(UTC)
    return InvitationInput(job_id, name, email, parse_expiry(obj, now), language, parse_send_email(obj))


@dataclass(frozen=True)
class LoginInput:
    email: str
    password: str


def parse_login(payload: Any) -> LoginInput:
    obj = _object(payload, "body")
    email = _text(obj, "email", max_chars=320)
    password = obj.get("password")
    if not isinstance(password, str) or not password or len(password) > 1024:
        raise ValidationError("password", "is required")
    return LoginInput(email, password)


@dataclass(frozen=True)
class ReviewInput:
    rating: int
    note: str


def parse_review(payload: Any) -> ReviewInput:
    obj = _object(payload, "body")
    rating = obj.get("rating")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError("rating", "must be a whole number from 1 to 5")
    note = obj.get("note", "")
    if not isinstance(note, str) or len(note) > 4000:
        raise ValidationError("note", "must be text of at most 4000 characters")
    return ReviewInput(rating, note.strip())


@dataclass(frozen=True)
class NewUserInput:
    email: str
    name: str
    role: Role
    departments: frozenset[str]


def parse_new_user(payload: Any) -> NewUserInput:
    obj = _object(payload, "body")
    email = _text(obj, "email", max_chars=320)
    if not _EMAIL.match(email):
        raise ValidationError("email", "is not an e-mail address")
    name = _text(obj, "name", max_chars=200)
    try:
        role = Role(obj.get("role"))
    except ValueError:
        raise ValidationError("role", "must be admin, hr, dept_head or reviewer") from None
    raw = obj.get("departments", [])
    if not isinstance(raw, list) or not all(isinstance(d, str) and d.strip() for d in raw) or len(raw) > 50:
        raise ValidationError("departments", "must be a list of department names")
    departments = frozenset(d.strip()[:100] for d in raw)
    if role in (Role.DEPT_HEAD, Role.REVIEWER) and not departments:
        raise ValidationError("departments", "a department head or reviewer needs at least one department")
    return NewUserInput(email, name, role, departments)
