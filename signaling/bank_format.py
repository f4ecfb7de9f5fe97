"""The JSON exchange formats for the question bank and for a job with its questions (version 1).

    {"format": "intervox.question-bank", "version": 1, "exported_at": "2026-11-26T10:00:00.000Z",
     "questions": [{"text": "Tell us about a time you led a team through a change.", "language": "en",
                    "competencies": ["Leadership"], "think_seconds": 30, "answer_seconds": 120,
                    "rubric": {"competencies": [{"name": "Leadership", "weight": 1.0,
                                                 "indicators": ["team", "goal"]}]}}]}

    {"format": "intervox.job", "version": 1, "exported_at": "…",
     "job": {"title": "…", "department": "…", "language": "zh",
             "questions": [{"text": "…", "competencies": [], "think_seconds": 30, "answer_seconds": 120,
                            "rubric": null}]}}

`competencies` and `rubric` may be left out; `exported_at` is informative. Reading is strict — an
unknown format, a newer version, or an unknown field in a question is an error — and every
question is checked, so one report lists every problem. Pure functions: no database here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .bank_store import BankQuestion, dedupe_key
from .records import Job
from .validation import (
    MAX_QUESTIONS,
    BankQuestionInput,
    JobInput,
    ValidationError,
    _text,
    parse_bank_question,
    parse_question,
)

BANK_FORMAT = "intervox.question-bank"
JOB_FORMAT = "intervox.job"
VERSION = 1
MAX_IMPORT_QUESTIONS = 500
_JOB_QUESTION_FIELDS = frozenset({"text", "competencies", "think_seconds", "answer_seconds", "rubric", "id"})


@dataclass(frozen=True)
class ItemError:
    item: int | None  # 1-based number of the question in the file; None: the document itself
    field: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"item": self.item, "field": self.field, "message": self.message}


@dataclass
class DocumentError(Exception):
    errors: list[ItemError] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{len(self.errors)} problem(s) in the document"


def _question_json(q: BankQuestion | Any, *, with_language: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"text": q.text}
    if with_language:
        data["language"] = q.language
    data.update({"competencies": list(q.competencies), "think_seconds": q.think_seconds,
                 "answer_seconds": q.answer_seconds, "rubric": q.rubric})
    return data


def bank_document(questions: Sequence[BankQuestion], exported_at: str) -> dict[str, Any]:
    return {"format": BANK_FORMAT, "version": VERSION, "exported_at": exported_at,
            "questions": [_question_json(q, with_language=True) for q in questions]}


def job_document(job: Job, exported_at: str) -> dict[str, Any]:
    return {"format": JOB_FORMAT, "version": VERSION, "exported_at": exported_at,
            "job": {"title": job.title, "department": job.department, "language": job.language,
                    "questions": [_question_json(q, with_language=False) for q in job.questions]}}


def _header(doc: Any, expected: str) -> dict[str, Any]:
    if not isinstance(doc, dict):
        raise DocumentError([ItemError(None, "document", "must be a JSON object")])
    if doc.get("format") != expected:
        raise DocumentError([ItemError(None, "format", f"must be \"{expected}\" (this is not such an export)")])
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise DocumentError([ItemError(None, "version", "must be a whole number")])
    if version > VERSION:
        raise DocumentError([ItemError(None, "version", f"is {version}, from a newer Intervox; this one reads "
                                                        f"version {VERSION}")])
    return doc


def _items(container: dict[str, Any], where: str, limit: int) -> list[Any]:
    items = container.get("questions")
    if not isinstance(items, list) or not items:
        raise DocumentError([ItemError(None, where, "must list at least one question")])
    if len(items) > limit:
        raise DocumentError([ItemError(None, where, f"has {len(items)} questions; at most {limit} per file")])
    return items


def parse_bank_document(doc: Any) -> list[BankQuestionInput]:
    """Every question of a bank export, or DocumentError listing every problem (item by item)."""
    items = _items(_header(doc, BANK_FORMAT), "questions", MAX_IMPORT_QUESTIONS)
    parsed: list[BankQuestionInput] = []
    errors: list[ItemError] = []
    seen: dict[tuple[str, str], int] = {}
    for number, item in enumerate(items, start=1):
        try:
            question = parse_bank_question(item, strict=True)
        except ValidationError as error:
            errors.append(ItemError(number, error.field, error.message))
            continue
        key = dedupe_key(question.language, question.text)
        if key in seen:
            errors.append(ItemError(number, "text", f"is the same question as item {seen[key]}"))
            continue
        seen[key] = number
        parsed.append(question)
    if errors:
        raise DocumentError(errors)
    return parsed


def parse_job_document(doc: Any) -> JobInput:
    """The job of a job export, or DocumentError listing every problem."""
    job = _header(doc, JOB_FORMAT).get("job")
    if not isinstance(job, dict):
        raise DocumentError([ItemError(None, "job", "must be a JSON object")])
    errors: list[ItemError] = []
    values: dict[str, str] = {}
    for name, limit in (("title", 200), ("department", 100)):
        try:
            values[name] = _text(job, name, max_chars=limit, label=f"job.{name}")
        except ValidationError as error:
            errors.append(ItemError(None, error.field, error.message))
    if job.get("language") not in ("en", "zh"):
        errors.append(ItemError(None, "job.language", "must be 'en' or 'zh'"))
    try:
        items = _items(job, "job.questions", MAX_QUESTIONS)
    except DocumentError as error:
        raise DocumentError(errors + error.errors) from None
    questions = []
    for number, item in enumerate(items, start=1):
        try:
            if not isinstance(item, dict):
                raise ValidationError("question", "must be a JSON object")
            unknown = sorted(set(item) - _JOB_QUESTION_FIELDS)
            if unknown:
                raise ValidationError(unknown[0], "is not a field of a question (version 1)")
            questions.append(parse_question(item, ""))
        except ValidationError as error:
            errors.append(ItemError(number, error.field, error.message))
    if errors:
        raise DocumentError(errors)
    return JobInput(values["title"], values["department"], job["language"], tuple(questions))
