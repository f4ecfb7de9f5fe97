"""Typed records the store returns: plain frozen dataclasses, no database handles."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .flow import Status


class Role(StrEnum):
    ADMIN = "admin"
    HR = "hr"
    DEPT_HEAD = "dept_head"
    REVIEWER = "reviewer"


@dataclass(frozen=True)
class User:
    id: int
    email: str
    display_name: str
    role: Role
    disabled: bool


@dataclass(frozen=True)
class Question:
    id: int
    position: int
    text: str
    think_seconds: int
    answer_seconds: int
    rubric: dict | None  # the Rubric's JSON form
    competencies: tuple[str, ...] = ()  # names HR tagged the question with (from the bank, or by hand)
    bank_question_id: int | None = None  # the bank question it was copied from, if any


@dataclass(frozen=True)
class Job:
    id: int
    title: str
    department: str
    language: str
    created_at: str
    questions: tuple[Question, ...] = ()
    archived_at: str | None = None
    updated_at: str | None = None


@dataclass(frozen=True)
class Interview:
    id: int
    public_id: str
    job_id: int
    candidate_name: str
    candidate_email: str
    status: Status
    current_question: int
    created_at: str
    opened_at: str | None
    consented_at: str | None
    declined_at: str | None
    started_at: str | None
    completed_at: str | None
    device_check: dict | None
    data_deleted_at: str | None = None
    interrupted_at: str | None = None
    connection_epoch: int = 0
    expires_at: str | None = None  # the invite link stops working then (unless the interview started)
    revoked_at: str | None = None  # HR withdrew the invitation: the link no longer works
    invite_sent_at: str | None = None  # the last time the invitation was e-mailed
    invite_sent_count: int = 0
    invite_language: str | None = None  # the language of the invitation e-mail, when not the job's


@dataclass(frozen=True)
class InterviewSummary:
    interview: Interview
    job_title: str
    department: str
    answered: int
    mean_score: float | None
    interruptions: int = 0


@dataclass(frozen=True)
class StoredAnswer:
    question_id: int
    position: int
    question_text: str
    status: str
    transcript: str
    words: list
    score: int | None
    explanation: dict
    answered_seconds: float
    audio_seconds: float
    answer_started_at: str
    answer_ended_at: str
    finalized_at: str
    cut_short: bool = False


class PartStatus(StrEnum):
    WRITING = "writing"
    FINAL = "final"
    RECOVERED_TRUNCATED = "recovered_truncated"


@dataclass(frozen=True)
class RecordingPart:
    recording_id: str
    part: int
    mime: str
    status: PartStatus
    file_name: str
    answer_offset_seconds: float  # where the part starts on the answer's timeline
    plaintext_size: int | None
    ciphertext_size: int | None
    ciphertext_sha256: str | None
    duration_seconds: float | None
    started_at: str
    finalized_at: str | None


@dataclass(frozen=True)
class Recording:
    id: str
    interview_id: int
    question_id: int
    wrapped_key: bytes | None  # None once purged (crypto-shredded)
    key_version: int
    created_at: str
    purged_at: str | None
    parts: tuple[RecordingPart, ...] = ()


@dataclass(frozen=True)
class StaffUser:
    """A user with what authorization needs: departments and second-factor state."""

    user: User
    departments: frozenset[str]
    totp_enabled: bool


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    user_id: int | None
    actor: str
    action: str
    target: str | None
    detail: dict | None


@dataclass(frozen=True)
class AnswerReview:
    question_id: int
    reviewer_id: int
    reviewer_name: str
    rating: int
    note: str
    updated_at: str
