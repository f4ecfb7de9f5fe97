"""The HR live dashboard's WebSocket messages from the page, parsed into typed values.

Messages are JSON text frames `{"v": 1, "type": …}`: `subscribe` (optionally narrowed by
`job_id` and/or `department`) and `ping`. Parsing is pure: it returns a frozen dataclass or
raises `LiveProtocolError` with a code the page can act on. Unknown fields are refused, so a
typo in a filter never silently widens what the page thinks it asked for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

VERSION = 1
MAX_MESSAGE_BYTES = 4096
MAX_DEPARTMENT_CHARS = 100
_MAX_REF_CHARS = 64
_MAX_ID = 2**53 - 1


class LiveErrorCode(StrEnum):
    MALFORMED = "malformed"
    TOO_LARGE = "too_large"
    UNSUPPORTED_VERSION = "unsupported_version"
    UNKNOWN_TYPE = "unknown_type"
    INVALID_FIELD = "invalid_field"
    FORBIDDEN = "forbidden"  # a department the user does not belong to
    NOT_FOUND = "not_found"  # a job that does not exist, or that the user may not see


class LiveProtocolError(Exception):
    def __init__(self, code: LiveErrorCode, message: str, *, field: str | None = None,
                 ref: str | int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.ref = ref

    def to_json(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code.value, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        return {"v": VERSION, "type": "error", "error": error, "ref": self.ref}


@dataclass(frozen=True)
class Subscribe:
    job_id: int | None = None
    department: str | None = None
    ref: str | int | None = None


@dataclass(frozen=True)
class Ping:
    ref: str | int | None = None


LiveMessage = Subscribe | Ping
_FIELDS = {"subscribe": {"v", "type", "ref", "job_id", "department"}, "ping": {"v", "type", "ref"}}


def parse(raw: str | bytes) -> LiveMessage:
    if isinstance(raw, bytes):
        raise LiveProtocolError(LiveErrorCode.MALFORMED, "messages are JSON text frames")
    if len(raw.encode()) > MAX_MESSAGE_BYTES:
        raise LiveProtocolError(LiveErrorCode.TOO_LARGE, f"messages are at most {MAX_MESSAGE_BYTES} bytes")
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, RecursionError):
        raise LiveProtocolError(LiveErrorCode.MALFORMED, "the message is not JSON") from None
    if not isinstance(data, dict):
        raise LiveProtocolError(LiveErrorCode.MALFORMED, "the message must be a JSON object")
    ref = _ref(data.get("ref"))
    if data.get("v") != VERSION:
        raise LiveProtocolError(LiveErrorCode.UNSUPPORTED_VERSION, f"protocol version must be {VERSION}", ref=ref)
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in _FIELDS:
        raise LiveProtocolError(LiveErrorCode.UNKNOWN_TYPE, "type must be subscribe or ping", ref=ref)
    extra = sorted(set(data) - _FIELDS[kind])
    if extra:
        raise LiveProtocolError(LiveErrorCode.INVALID_FIELD, f"unknown field {extra[0]!r}", field=extra[0], ref=ref)
    if kind == "ping":
        return Ping(ref)
    return Subscribe(_job_id(data.get("job_id"), ref), _department(data.get("department"), ref), ref)


def _ref(value: object) -> str | int | None:
    if isinstance(value, str) and len(value) <= _MAX_REF_CHARS:
        return value
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= _MAX_ID:
        return value
    return None


def _job_id(value: object, ref: str | int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _MAX_ID:
        raise LiveProtocolError(LiveErrorCode.INVALID_FIELD, "job_id must be a positive whole number or null",
                                field="job_id", ref=ref)
    return value


def _department(value: object, ref: str | int | None) -> str | None:
    if value is None:
        return None
    if (not isinstance(value, str) or not value.strip() or len(value) > MAX_DEPARTMENT_CHARS
            or any(ord(c) < 32 or ord(c) == 127 for c in value)):
        raise LiveProtocolError(LiveErrorCode.INVALID_FIELD,
                                f"department must be a name of 1 to {MAX_DEPARTMENT_CHARS} characters or null",
                                field="department", ref=ref)
    return value.strip()
