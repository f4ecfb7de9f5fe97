"""Checking what HR submits: pure functions from untrusted JSON to typed values.

Each failure raises `ValidationError` naming the field, which the HTTP layer returns as a 400
with that field, so the page can point at the input that needs fixing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from scoring.rubric import Rubric, RubricError

from .records import Role
from .store import NewQuestion

LANGUAGES = ("en", "zh")
MAX_QUESTIONS = 20
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}$")


class ValidationError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _text(obj: dict[str, Any], field: str, *, max_chars: int, label: str | None = None) -> str:
    name = label or field
    value = obj.get(field)
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(name, "is required")
    value = value.strip()
    if len(value) > max_chars:
        raise ValidationError(name, f"must be at most {max_chars} characters")
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


def parse_job(payload: Any) -> JobInput:
    obj = _object(payload, "body")
    title = _text(obj, "title", max_chars=200)
    department = _text(obj, "department", max_chars=100)
    language = obj.get("language")
    if language not in LANGUAGES:
        raise ValidationError("language", "must be 'en' or 'zh'")
    raw_questions = obj.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        raise ValidationError("questions", "at least one question is required")
    if len(raw_questions) > MAX_QUESTIONS:
        raise ValidationError("questions", f"at most {MAX_QUESTIONS} questions")
    questions = []
    for i, raw in enumerate(raw_questions):
        prefix = f"questions[{i}]"
        q = _object(raw, prefix)
        rubric = q.get("rubric")
        if rubric is not None:
            try:
                rubric = Rubric.from_json(rubric).to_json()
            except RubricError as exc:
                raise ValidationError(f"{prefix}.rubric", str(exc)) from None
        questions.append(
            NewQuestion(
                text=_text(q, "text", max_chars=1000, label=f"{prefix}.text"),
                think_seconds=_int(q, "think_seconds", low=0, high=600, label=f"{prefix}.think_seconds"),
                answer_seconds=_int(q, "answer_seconds", low=10, high=1800, label=f"{prefix}.answer_seconds"),
                rubric=rubric,
            )
        )
    return JobInput(title, department, language, tuple(questions))


@dataclass(frozen=True)
class InvitationInput:
    job_id: int
    candidate_name: str
    candidate_email: str


def parse_invitation(payload: Any) -> InvitationInput:
    obj = _object(payload, "body")
    job_id = obj.get("job_id")
    if isinstance(job_id, bool) or not isinstance(job_id, int) or job_id <= 0:
        raise ValidationError("job_id", "must name a job")
    name = _text(obj, "candidate_name", max_chars=200)
    email = _text(obj, "candidate_email", max_chars=320)
    if not _EMAIL.match(email):
        raise ValidationError("candidate_email", "is not an e-mail address")
    return InvitationInput(job_id, name, email)


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
