"""The candidate WebSocket protocol: typed, versioned JSON messages.

Every message is a JSON object `{"v": 1, "type": "...", ...}`. Parsing is a pure function
that either returns one of the frozen dataclasses below or raises `ProtocolError` with a code
the client can act on; it never lets a client's bytes reach the rest of the server untyped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

PROTOCOL_VERSION = 1
MAX_MESSAGE_BYTES = 64 * 1024
MAX_SDP_CHARS = 48 * 1024
MAX_TOKEN_CHARS = 128
_MAX_REF_CHARS = 64


class ErrorCode(StrEnum):
    MALFORMED = "malformed"  # not JSON, not an object, or a binary frame
    TOO_LARGE = "too_large"
    UNSUPPORTED_VERSION = "unsupported_version"
    UNKNOWN_TYPE = "unknown_type"
    INVALID_FIELD = "invalid_field"
    OUT_OF_ORDER = "out_of_order"  # a valid message the interview's state does not allow now
    UNAUTHORIZED = "unauthorized"
    INVALID_OFFER = "invalid_offer"
    MEDIA_NOT_READY = "media_not_ready"
    TAKEN_OVER = "taken_over"
    REVOKED = "revoked"  # HR withdrew the invitation: the link no longer works
    INTERNAL = "internal"


class ProtocolError(Exception):
    """A client message that cannot be accepted; `code` and the message go back to the client."""

    def __init__(self, code: ErrorCode, message: str, ref: str | int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref


class ClientType(StrEnum):
    HELLO = "hello"
    CONSENT = "consent"
    DEVICE_RESULT = "device.result"
    OFFER = "webrtc.offer"
    ANSWER_START = "answer.start"
    ANSWER_FINISH = "answer.finish"
    INTERVIEW_BEGIN = "interview.begin"
    PING = "ping"


class ServerType(StrEnum):
    STATE = "state"
    ANSWER = "webrtc.answer"
    CAPTION = "caption"
    ANSWER_SAVED = "answer.saved"
    MEDIA = "media"
    PONG = "pong"
    ERROR = "error"
    QUEUE = "queue"  # every seat is taken: the candidate's place in line (admission.py)


@dataclass(frozen=True)
class Hello:
    token: str
    ref: str | int | None = None


@dataclass(frozen=True)
class Consent:
    accept: bool
    ref: str | int | None = None


@dataclass(frozen=True)
class DeviceResult:
    camera: bool
    microphone: bool
    problem: str | None = None  # e.g. the DOMException name: NotAllowedError, NotFoundError
    ref: str | int | None = None


@dataclass(frozen=True)
class Offer:
    sdp: str
    ref: str | int | None = None


@dataclass(frozen=True)
class AnswerStart:
    question: int  # -1 for the practice question
    ref: str | int | None = None


@dataclass(frozen=True)
class AnswerFinish:
    question: int
    ref: str | int | None = None


@dataclass(frozen=True)
class InterviewBegin:
    ref: str | int | None = None


@dataclass(frozen=True)
class Ping:
    ref: str | int | None = None
    # The page's own measure of its media path: the ICE candidate pair's current round-trip time.
    # aiortc only measures round trips for media it sends, and this server sends none.
    rtt_ms: float | None = None


MAX_RTT_MS = 60_000


ClientMessage = Hello | Consent | DeviceResult | Offer | AnswerStart | AnswerFinish | InterviewBegin | Ping

_PROBLEMS = {"NotAllowedError", "NotFoundError", "NotReadableError", "OverconstrainedError", "SecurityError",
             "AbortError", "TypeError", "NoCamera", "NoMicrophone", "Silent", "Unsupported"}


def _field(obj: dict[str, Any], name: str, kind: type, ref: str | int | None) -> Any:
    if name not in obj:
        raise ProtocolError(ErrorCode.INVALID_FIELD, f"missing field {name!r}", ref)
    value = obj[name]
    # bool is a subclass of int in Python; a JSON true is not a question number.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ProtocolError(ErrorCode.INVALID_FIELD, f"field {name!r} must be {kind.__name__}", ref)
    return value


def _question(obj: dict[str, Any], ref: str | int | None) -> int:
    value = _field(obj, "question", int, ref)
    if not -1 <= value < 1000:
        raise ProtocolError(ErrorCode.INVALID_FIELD, "field 'question' is out of range", ref)
    return value


def _ref(obj: dict[str, Any]) -> str | int | None:
    ref = obj.get("ref")
    if ref is None:
        return None
    if isinstance(ref, bool) or not isinstance(ref, (str, int)) or (isinstance(ref, str) and len(ref) > _MAX_REF_CHARS):
        raise ProtocolError(ErrorCode.INVALID_FIELD, "field 'ref' must be a short string or an integer")
    return ref


def parse_client_message(raw: str | bytes) -> ClientMessage:
    """Parse one WebSocket text frame from a candidate's page."""
    if isinstance(raw, bytes):
        raise ProtocolError(ErrorCode.MALFORMED, "binary frames are not part of the protocol")
    if len(raw) > MAX_MESSAGE_BYTES or len(raw.encode("utf-8", "surrogatepass")) > MAX_MESSAGE_BYTES:
        raise ProtocolError(ErrorCode.TOO_LARGE, f"messages are limited to {MAX_MESSAGE_BYTES} bytes")
    try:
        obj = json.loads(raw)
    except (json.JSONDecodeError, RecursionError):
        raise ProtocolError(ErrorCode.MALFORMED, "the message is not valid JSON") from None
    if not isinstance(obj, dict):
        raise ProtocolError(ErrorCode.MALFORMED, "the message must be a JSON object")
    ref = _ref(obj)
    version = obj.get("v")
    if version != PROTOCOL_VERSION or isinstance(version, bool):
        raise ProtocolError(ErrorCode.UNSUPPORTED_VERSION, f"protocol version must be {PROTOCOL_VERSION}", ref)
    kind = obj.get("type")
    if not isinstance(kind, str):
        raise ProtocolError(ErrorCode.INVALID_FIELD, "field 'type' must be a string", ref)
    try:
        msg_type = ClientType(kind)
    except ValueError:
        raise ProtocolError(ErrorCode.UNKNOWN_TYPE, f"unknown message type {kind[:40]!r}", ref) from None

    match msg_type:
        case ClientType.HELLO:
            token = _field(obj, "token", str, ref)
            if not 16 <= len(token) <= MAX_TOKEN_CHARS:
                raise ProtocolError(ErrorCode.INVALID_FIELD, "field 'token' has an impossible length", ref)
            return Hello(token, ref)
        case ClientType.CONSENT:
            return Consent(_field(obj, "accept", bool, ref), ref)
        case ClientType.DEVICE_RESULT:
            problem = obj.get("problem")
            if problem is not None and problem not in _PROBLEMS:
                raise ProtocolError(ErrorCode.INVALID_FIELD, "field 'problem' is not a known device problem", ref)
            return DeviceResult(_field(obj, "camera", bool, ref), _field(obj, "microphone", bool, ref), problem, ref)
        case ClientType.OFFER:
            sdp = _field(obj, "sdp", str, ref)
            if not sdp.startswith("v=0") or len(sdp) > MAX_SDP_CHARS:
                raise ProtocolError(ErrorCode.INVALID_FIELD, "field 'sdp' is not an SDP offer", ref)
            return Offer(sdp, ref)
        case ClientType.ANSWER_START:
            return AnswerStart(_question(obj, ref), ref)
        case ClientType.ANSWER_FINISH:
            return AnswerFinish(_question(obj, ref), ref)
        case ClientType.INTERVIEW_BEGIN:
            return InterviewBegin(ref)
        case ClientType.PING:
            rtt = obj.get("rtt_ms")
            if rtt is not None and (isinstance(rtt, bool) or not isinstance(rtt, (int, float))
                                    or not 0 <= rtt <= MAX_RTT_MS):
                raise ProtocolError(ErrorCode.INVALID_FIELD, f"field 'rtt_ms' must be 0–{MAX_RTT_MS} or absent", ref)
            return Ping(ref, float(rtt) if rtt is not None else None)
    raise AssertionError(msg_type)  # pragma: no cover - the match covers every ClientType


def encode(kind: ServerType, **fields: Any) -> str:
    """Serialise one server message."""
    return json.dumps({"v": PROTOCOL_VERSION, "type": kind.value, **fields}, ensure_ascii=False, separators=(",", ":"))


def error_message(error: ProtocolError) -> str:
    fields: dict[str, Any] = {"code": error.code.value, "message": error.message}
    if error.ref is not None:
        fields["ref"] = error.ref
    return encode(ServerType.ERROR, **fields)
