"""The candidate WebSocket against the real application, with a fake speech recognizer."""

from __future__ import annotations

import asyncio
import io
import json
import logging

import av
import pytest
from aiohttp import WSMsgType
from fakes import FakeRecognizer
from wsclient import make_interview, open_candidate

from signaling import candidate_ws
from signaling.app import create_app
from signaling.config import Settings
from signaling.keys import FINALIZERS, RECORDINGS, REGISTRY, STORE


@pytest.fixture
async def client(aiohttp_client, tmp_path):
    app = create_app(Settings(data_dir=tmp_path / "data"), recognizer=FakeRecognizer())
    return await aiohttp_client(app)




def decode_part(app, recording, part) -> tuple[int, int]:
    """Decrypt a recording part through the vault and count the frames PyAV decodes from it."""
    with app[RECORDINGS].open_reader(recording, part) as reader:
        data = reader.read(0, reader.plaintext_size)
    counts = []
    for kind in ("video", "audio"):
        with av.open(io.BytesIO(data)) as container:
            counts.append(sum(1 for _ in container.decode(**{kind: 0})))
    return counts[0], counts[1]


def tracebacks(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]


async def test_unknown_token_is_refused(client):
    """A token that matches no interview gets `unauthorized` and the socket is closed with 4401."""
    c = await open_candidate(client)
    await c.send("hello", token="A" * 43)
    error = await c.expect("error")
    assert error["code"] == "unauthorized"
    assert await c.wait_closed() == (WSMsgType.CLOSE, candidate_ws.CloseCode.UNAUTHORIZED)


async def test_first_message_must_be_hello(client):
    """Anything before hello is refused as unauthorized."""
    c = await open_candidate(client)
    await c.send("consent", accept=True)
    assert (await c.expect("error"))["code"] == "unauthorized"


async def test_silent_client_is_disconnected(client, monkeypatch):
    """A socket that never says hello is closed after the hello timeout."""
    monkeypatch.setattr(candidate_ws, "HELLO_TIMEOUT", 0.2)
    c = await open_candidate(client)
    assert await c.wait_closed() == (WSMsgType.CLOSE, candidate_ws.CloseCode.HELLO_TIMEOUT)


async def test_cross_site_handshake_is_refused(client):
    """A WebSocket handshake from another origin is refused before any message is read."""
    with pytest.raises(Exception) as caught:
        await client.ws_connect("/ws", headers={"Origin": "https://evil.example"})
    assert "403" in str(caught.value)


HOSTILE = [
    ("not json at all", "malformed"),
    ("[]", "malformed"),
    (json.dumps({"v": 1}), "invalid_field"),
    (json.dumps({"v": 9, "type": "ping"}), "unsupported_version"),
    (json.dumps({"v": 1, "type": "rm -rf"}), "unknown_type"),
    (json.dumps({"v": 1, "type": "consent", "accept": "DROP TABLE"}), "invalid_field"),
    (json.dumps({"v": 1, "type": "answer.start", "question": "0"}), "invalid_field"),
    (json.dumps({"v": 1, "type": "ping", "junk": "x" * 70_000}), "too_large"),
    (json.dumps({"v": 1, "type": "hello", "token": "B" * 43}), "out_of_order"),
    (json.dumps({"v": 1, "type": "answer.finish", "question": 0}), "out_of_order"),
    (json.dumps({"v": 1, "type": "interview.begin"}), "out_of_order"),
    (json.dumps({"v": 1, "type": "webrtc.offer", "sdp": "v=0\r\n"}), "out_of_order"),  # media before consent
]


async def test_hostile_messages_get_typed_errors_and_harm_no_one(client, caplog):
    """Each bad message gets its typed error; the socket stays usable and another interview is unaffected."""
    app = client.server.app
    victim_token, bystander_token = await make_interview(app), await make_interview(app)
    victim, bystander = await open_candidate(client), await open_candidate(client)
    await victim.hello(victim_token)
    await bystander.hello(bystander_token)
    for raw, code in HOSTILE:
        await victim.ws.send_str(raw)
        error = await victim.expect("error")
        assert error["code"] == code, raw[:60]
    await victim.ws.send_bytes(b"\x00\xff")
    assert (await victim.expect("error"))["code"] == "malformed"
    await victim.send("ping", ref=1)
    assert (await victim.expect("pong"))["ref"] == 1
    await bystander.send("consent", accept=True)
    state = await bystander.expect("state", status="consented")
    assert state["step"] == "device_check"
    assert tracebacks(caplog) == []


async def test_garbage_sdp_is_an_invalid_offer(client, caplog):
    """An offer that is SDP-shaped but cannot be negotiated gets `invalid_offer`, not a crash."""
    c = await open_candidate(client)
    await c.hello(await make_interview(client.server.app))
    await c.send("consent", accept=True)
    await c.expect("state", status="consented")
    await c.send("webrtc.offer", sdp="v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=garbage\r\n")
    assert (await c.expect("error"))["code"] == "invalid_offer"
    await c.send("ping")
    await c.expect("pong")
    assert tracebacks(caplog) == []


async def test_flood_of_bad_messages_closes_the_socket(client):
    """A client that keeps sending garbage is disconnected with 4400."""
    c = await open_candidate(client)
    await c.hello(await make_interview(client.server.app))
    for _ in range(candidate_ws.MAX_ERRORS + 2):
        await c.ws.send_str("garbage")
    assert await c.wait_closed() == (WSMsgType.CLOSE, candidate_ws.CloseCode.BAD_INPUT)


async def test_message_over_transport_limit_closes_only_that_socket(client, caplog):
    """A frame beyond 1 MiB closes that socket (1009); the server logs no traceback."""
    c = await open_candidate(client)
    await c.hello(await make_interview(client.server.app))
    await c.ws.send_str("x" * (candidate_ws.TRANSPORT_LIMIT + 10))
    kind, _ = await c.wait_closed()
    assert kind in (WSMsgType.CLOSE, WSMsgType.CLOSED, WSMsgType.ERROR)
    assert tracebacks(caplog) == []


async def test_decline_is_stored(client):
    """Declining over the socket stores the decision and its time."""
    app = client.server.app
    token = await make_interview(app)
    c = await open_candidate(client)
    await c.hello(token)
    await c.send("consent", accept=False)
    state = await c.expect("state", status="declined")
    assert state["step"] == "declined"
    interview = (await app[STORE].interviews())[0].interview
    assert interview.status.value == "declined" and interview.declined_at


async def test_second_tab_takes_over(client):
    """Opening the same invite again tells the first connection it was taken over and closes it."""
    token = await make_interview(client.server.app)
    first, second = await open_candidate(client), await open_candidate(client)
    await first.hello(token)
    await second.hello(token)
    assert (await first.expect("error"))["code"] == "taken_over"
    assert (await first.wait_closed())[1] == candidate_ws.CloseCode.TAKEN_OVER
    await second.send("ping")
    await second.expect("pong")


async def test_whole_interview_over_webrtc_stores_a_scored_answer(client):
    """Consent, device check, WebRTC, practice and one answer: the answer is transcribed, scored and stored;
    after hang-up no peer connection or task is left behind."""
    app = client.server.app
    baseline = {t for t in asyncio.all_tasks()}
    token = await make_interview(app)
    c = await open_candidate(client)
    await c.hello(token)
    await c.send("consent", accept=True)
    await c.expect("state", status="consented")
    await c.send("device.result", camera=True, microphone=True)
    await c.expect("state", step="practice")
    await c.connect_media()
    await c.send("answer.start", question=-1)
    await c.expect("state", step="practice", phase="answering")
    c.tone.speaking = True
    await asyncio.sleep(1.0)
    await c.send("answer.finish", question=-1)
    await c.expect("state", step="ready")
    heard = await c.expect("caption", question=-1, final=True)
    assert heard["text"]
    await c.send("interview.begin")
    await c.expect("state", step="question", phase="thinking")
    await c.send("answer.start", question=0)
    await c.expect("state", phase="answering")
    await asyncio.sleep(2.5)
    await c.send("answer.finish", question=0)
    await c.expect("state", status="completed")
    await c.expect("answer.saved", question=0)
    await c.close()
    await asyncio.sleep(0.5)

    (summary,) = await app[STORE].interviews()
    interview, answered = summary.interview, summary.answered
    answers = await app[STORE].answers(interview.id)
    assert answered == 1 and answers[0].status == "scored" and answers[0].words
    assert 2.0 <= answers[0].answered_seconds < 4.0
    (recording,) = await app[STORE].recordings.for_interview(interview.id)
    (part,) = recording.parts
    assert part.status.value == "final" and part.plaintext_size > 0 and part.duration_seconds > 1.5
    video, audio = await asyncio.to_thread(decode_part, app, recording, part)
    assert video >= 30 and audio >= 50, (video, audio)
    assert len(app[REGISTRY]) == 0 and len(app[FINALIZERS]) == 0
    leftover = {t for t in asyncio.all_tasks() if t not in baseline and not t.done()} - {asyncio.current_task()}
    assert not leftover, leftover


async def test_answer_start_needs_media(client):
    """Starting an answer before audio reaches the server is refused with `media_not_ready`."""
    c = await open_candidate(client)
    await c.hello(await make_interview(client.server.app))
    await c.send("consent", accept=True)
    await c.send("device.result", camera=True, microphone=True)
    await c.expect("state", step="practice")
    await c.send("answer.start", question=-1)
    assert (await c.expect("error"))["code"] == "media_not_ready"


async def test_answer_clock_stops_while_the_candidate_is_away(client):
    """Leaving mid-answer pauses the answer clock; back on a new connection, the same answer continues."""
    app = client.server.app
    token = await make_interview(app, answer=60)
    c = await open_candidate(client)
    await c.hello(token)
    await c.send("consent", accept=True)
    await c.send("device.result", camera=True, microphone=True)
    await c.expect("state", step="practice")
    await c.connect_media()
    await c.send("answer.start", question=-1)
    await c.send("answer.finish", question=-1)
    await c.send("interview.begin")
    await c.expect("state", step="question", phase="thinking")
    await c.send("answer.start", question=0)
    await c.expect("state", phase="answering")
    c.tone.speaking = True
    await asyncio.sleep(1.0)
    await c.close()

    await asyncio.sleep(2.0)  # away: this must not count as answer time
    back = await open_candidate(client)
    state = await back.hello(token)
    assert (state["step"], state["phase"], state["question"]["index"]) == ("question", "answering", 0)
    assert state["remaining_ms"] > 58_000, state["remaining_ms"]
    await back.connect_media()
    back.tone.speaking = True
    await asyncio.sleep(1.0)
    await back.send("answer.finish", question=0)
    await back.expect("answer.saved", question=0)
    interview = (await app[STORE].interviews())[0].interview
    (answer,) = await app[STORE].answers(interview.id)
    assert answer.answered_seconds < 3.0, answer.answered_seconds
    assert answer.audio_seconds >= 1.8, "audio from before and after the drop belongs to one answer"
    (recording,) = await app[STORE].recordings.for_interview(interview.id)
    assert [p.part for p in recording.parts] == [1, 2], "the resumed answer is recorded in a second part"
    assert recording.parts[1].answer_offset_seconds >= 0.8
    for part in recording.parts:
        video, audio = await asyncio.to_thread(decode_part, app, recording, part)
        assert video > 0 and audio > 0, (part.part, video, audio)
    await back.close()
