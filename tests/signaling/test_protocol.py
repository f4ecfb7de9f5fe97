"""Parsing the candidate WebSocket protocol."""

import json

import pytest

from signaling.protocol import (
    MAX_MESSAGE_BYTES,
    AnswerFinish,
    AnswerStart,
    Consent,
    DeviceResult,
    ErrorCode,
    Hello,
    InterviewBegin,
    Offer,
    Ping,
    ProtocolError,
    ServerType,
    encode,
    parse_client_message,
)


def msg(**fields) -> str:
    return json.dumps({"v": 1, **fields})


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (msg(type="hello", token="x" * 43), Hello("x" * 43)),
        (msg(type="consent", accept=True, ref=7), Consent(True, 7)),
        (msg(type="consent", accept=False), Consent(False)),
        (msg(type="device.result", camera=True, microphone=False, problem="NotFoundError"),
         DeviceResult(True, False, "NotFoundError")),
        (msg(type="webrtc.offer", sdp="v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n"), Offer("v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n")),
        (msg(type="answer.start", question=-1), AnswerStart(-1)),
        (msg(type="answer.finish", question=3, ref="a1"), AnswerFinish(3, "a1")),
        (msg(type="interview.begin"), InterviewBegin()),
        (msg(type="ping"), Ping()),
        (msg(type="ping", rtt_ms=23), Ping(rtt_ms=23.0)),
        (msg(type="ping", rtt_ms=0.5), Ping(rtt_ms=0.5)),
    ],
)
def test_valid_messages_parse_to_typed_records(raw, expected):
    """Each message type becomes its frozen dataclass."""
    assert parse_client_message(raw) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"\x00\x01binary", ErrorCode.MALFORMED),
        ("not json", ErrorCode.MALFORMED),
        ("[1, 2]", ErrorCode.MALFORMED),
        ('"hello"', ErrorCode.MALFORMED),
        ("[" * 100_000 + "]" * 100_000, ErrorCode.TOO_LARGE),
        ("[" * 20_000 + "]" * 20_000, ErrorCode.MALFORMED),
        (json.dumps({"type": "ping"}), ErrorCode.UNSUPPORTED_VERSION),
        (json.dumps({"v": 2, "type": "ping"}), ErrorCode.UNSUPPORTED_VERSION),
        (json.dumps({"v": True, "type": "ping"}), ErrorCode.UNSUPPORTED_VERSION),
        (msg(type="launch.missiles"), ErrorCode.UNKNOWN_TYPE),
        (msg(type=5), ErrorCode.INVALID_FIELD),
        (msg(type="hello"), ErrorCode.INVALID_FIELD),
        (msg(type="hello", token="short"), ErrorCode.INVALID_FIELD),
        (msg(type="hello", token=["x" * 40]), ErrorCode.INVALID_FIELD),
        (msg(type="consent", accept="yes"), ErrorCode.INVALID_FIELD),
        (msg(type="consent", accept=1), ErrorCode.INVALID_FIELD),
        (msg(type="answer.start", question=True), ErrorCode.INVALID_FIELD),
        (msg(type="answer.start", question=1.5), ErrorCode.INVALID_FIELD),
        (msg(type="answer.start", question=10**12), ErrorCode.INVALID_FIELD),
        (msg(type="answer.finish"), ErrorCode.INVALID_FIELD),
        (msg(type="webrtc.offer", sdp="<script>"), ErrorCode.INVALID_FIELD),
        (msg(type="webrtc.offer", sdp="v=0" + "a" * 60_000), ErrorCode.INVALID_FIELD),
        (msg(type="device.result", camera=True, microphone=True, problem="<img onerror>"), ErrorCode.INVALID_FIELD),
        (msg(type="ping", ref={"nested": 1}), ErrorCode.INVALID_FIELD),
        (msg(type="ping", rtt_ms=-1), ErrorCode.INVALID_FIELD),
        (msg(type="ping", rtt_ms="12"), ErrorCode.INVALID_FIELD),
        (msg(type="ping", rtt_ms=True), ErrorCode.INVALID_FIELD),
        (msg(type="ping", rtt_ms=10**9), ErrorCode.INVALID_FIELD),
        (msg(type="ping", pad="x" * (MAX_MESSAGE_BYTES + 1)), ErrorCode.TOO_LARGE),
        (msg(type="ping", pad="汉" * (MAX_MESSAGE_BYTES // 2)), ErrorCode.TOO_LARGE),
    ],
)
def test_bad_messages_raise_typed_errors(raw, code):
    """Malformed, oversized, unknown and ill-typed messages raise ProtocolError with the right code."""
    with pytest.raises(ProtocolError) as caught:
        parse_client_message(raw)
    assert caught.value.code is code


def test_error_keeps_the_client_ref():
    """A client's `ref` comes back in the error so the page can match it to its request."""
    with pytest.raises(ProtocolError) as caught:
        parse_client_message(msg(type="consent", accept="maybe", ref="r-9"))
    assert caught.value.ref == "r-9"


def test_encode_is_versioned_json():
    """Server messages carry the protocol version and type."""
    data = json.loads(encode(ServerType.CAPTION, question=0, text="你好", final=False))
    assert data == {"v": 1, "type": "caption", "question": 0, "text": "你好", "final": False}
