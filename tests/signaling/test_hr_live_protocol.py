"""Parsing what the HR live dashboard's page sends: strict, typed, never trusting the client."""

from __future__ import annotations

import json

import pytest

from signaling.hr_live_protocol import LiveErrorCode, LiveProtocolError, Ping, Subscribe, parse


def code_of(raw: str | bytes) -> LiveErrorCode:
    with pytest.raises(LiveProtocolError) as caught:
        parse(raw)
    return caught.value.code


def test_subscribe_with_and_without_filters():
    """subscribe takes an optional job id and department; ping is just a ping."""
    assert parse('{"v":1,"type":"subscribe"}') == Subscribe()
    assert parse('{"v":1,"type":"subscribe","job_id":3,"department":" Sales ","ref":"r1"}') == \
        Subscribe(3, "Sales", "r1")
    assert parse('{"v":1,"type":"subscribe","job_id":null,"department":null}') == Subscribe()
    assert parse('{"v":1,"type":"ping","ref":7}') == Ping(7)


@pytest.mark.parametrize(("raw", "code"), [
    (b'{"v":1,"type":"ping"}', LiveErrorCode.MALFORMED),
    ("not json", LiveErrorCode.MALFORMED),
    ("[1,2]", LiveErrorCode.MALFORMED),
    ("[" * 100_000, LiveErrorCode.TOO_LARGE),
    ('{"v":2,"type":"ping"}', LiveErrorCode.UNSUPPORTED_VERSION),
    ('{"type":"ping"}', LiveErrorCode.UNSUPPORTED_VERSION),
    ('{"v":1,"type":"unsubscribe"}', LiveErrorCode.UNKNOWN_TYPE),
    ('{"v":1,"type":"subscribe","jobId":3}', LiveErrorCode.INVALID_FIELD),
    ('{"v":1,"type":"ping","job_id":3}', LiveErrorCode.INVALID_FIELD),
    ('{"v":1,"type":"subscribe","job_id":"3"}', LiveErrorCode.INVALID_FIELD),
    ('{"v":1,"type":"subscribe","job_id":true}', LiveErrorCode.INVALID_FIELD),
    ('{"v":1,"type":"subscribe","job_id":0}', LiveErrorCode.INVALID_FIELD),
    ('{"v":1,"type":"subscribe","job_id":1.5}', LiveErrorCode.INVALID_FIELD),
    ('{"v":1,"type":"subscribe","department":""}', LiveErrorCode.INVALID_FIELD),
    ('{"v":1,"type":"subscribe","department":["QA"]}', LiveErrorCode.INVALID_FIELD),
    ('{"v":1,"type":"subscribe","department":"Q\\u0000A"}', LiveErrorCode.INVALID_FIELD),
    (json.dumps({"v": 1, "type": "subscribe", "department": "x" * 101}), LiveErrorCode.INVALID_FIELD),
])
def test_bad_messages_are_refused_with_a_code(raw, code):
    """Every malformed, oversized, unknown or mistyped message gets the matching error code."""
    assert code_of(raw) is code


def test_the_ref_comes_back_with_an_error():
    """A page can match an error to its request by `ref` (when the ref itself is sane)."""
    with pytest.raises(LiveProtocolError) as caught:
        parse('{"v":1,"type":"subscribe","job_id":-1,"ref":"abc"}')
    assert caught.value.to_json()["ref"] == "abc" and caught.value.field == "job_id"
