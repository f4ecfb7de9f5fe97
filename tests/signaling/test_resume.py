"""Resuming after a lost connection (real app and peer connections, fake recognizer)."""

from __future__ import annotations

import asyncio
import gc
import time

import pytest
from fakes import FakeRecognizer
from staff_http import staff_session
from wsclient import make_interview, open_candidate, reach_first_question

from media import PeerSession
from signaling import candidate_ws
from signaling.app import create_app
from signaling.config import Settings
from signaling.flow import Event, EventKind, FlowError
from signaling.keys import REGISTRY, STORE


def make_client(aiohttp_client, tmp_path, **settings):
    app = create_app(Settings(data_dir=tmp_path / "data", **settings), recognizer=FakeRecognizer())
    return aiohttp_client(app)




async def status_of(app) -> str:
    return (await app[STORE].interviews())[0].interview.status.value


async def test_a_silent_candidate_is_noticed_within_5_seconds(aiohttp_client, tmp_path):
    """A connection that stops sending (no heartbeat) is closed within 5 s and the interview waits."""
    client = await make_client(aiohttp_client, tmp_path)
    app = client.server.app
    token = await make_interview(app)
    c = await open_candidate(client)
    await reach_first_question(c, token)
    c._pinger.cancel()  # the page went silent: a frozen tab, a cable pulled
    silent_since = time.monotonic()
    kind, code = await c.wait_closed(timeout=8)
    noticed = time.monotonic() - silent_since
    assert code == candidate_ws.CloseCode.SILENT and noticed < 5.0, (code, noticed)
    await asyncio.sleep(0.2)
    assert await status_of(app) == "disconnected"
    await c.close()


async def test_stale_connection_events_are_refused(aiohttp_client, tmp_path):
    """After a newer connection took over, an event sent under the older epoch changes nothing."""
    client = await make_client(aiohttp_client, tmp_path)
    app = client.server.app
    token = await make_interview(app)
    first, second = await open_candidate(client), await open_candidate(client)
    old_state = await first.hello(token)
    new_state = await second.hello(token)
    assert new_state["epoch"] > old_state["epoch"]
    live = await app[REGISTRY].get((await app[STORE].interviews())[0].interview)
    with pytest.raises(FlowError):
        await live.apply(Event(EventKind.ACCEPT), epoch=old_state["epoch"])
    assert live.flow.status.value == "invited"
    await first.close()
    await second.close()


async def test_second_tab_takes_over_and_the_old_peer_closes_quickly(aiohttp_client, tmp_path):
    """A second window wins; the first is told, its socket and peer connection close within 5 s."""
    client = await make_client(aiohttp_client, tmp_path)
    app = client.server.app
    token = await make_interview(app)
    first = await open_candidate(client)
    await reach_first_question(first, token)
    peers_before = [o for o in gc.get_objects() if isinstance(o, PeerSession)]
    started = time.monotonic()
    second = await open_candidate(client)
    state = await second.hello(token)
    assert (state["step"], state["question"]["index"]) == ("question", 0)
    assert (await first.expect("error"))["code"] == "taken_over"
    await first.wait_closed(timeout=5)
    old_peer = next(p for p in peers_before if p.state.value != "new")
    while old_peer.state.value != "closed":
        assert time.monotonic() - started < 5.0, "the old peer connection is still open"
        await asyncio.sleep(0.05)
    await first.close()
    await second.close()


async def test_grace_expiry_interrupts_then_hr_reopens_and_the_candidate_finishes(aiohttp_client, tmp_path):
    """No return within the grace period: the answer so far is stored (cut short) and the interview is
    interrupted; HR reopens it and the candidate goes on with the next question to the end."""
    client = await make_client(aiohttp_client, tmp_path, resume_grace_seconds=1.5)
    app = client.server.app
    token = await make_interview(app, questions=2)
    c = await open_candidate(client)
    await reach_first_question(c, token)
    await c.send("answer.start", question=0)
    await c.expect("state", phase="answering")
    c.tone.speaking = True
    await asyncio.sleep(1.0)
    await c.close()
    await asyncio.sleep(0.5)
    assert await status_of(app) == "disconnected"
    await asyncio.sleep(2.0)
    assert await status_of(app) == "interrupted"
    store = app[STORE]
    interview = (await store.interviews())[0].interview
    (answer,) = await store.answers(interview.id)
    assert answer.cut_short and answer.audio_seconds > 0.5, "what was said before the drop is kept"

    back = await open_candidate(client)
    state = await back.hello(token)
    assert state["step"] == "interrupted", "the link says the interview was interrupted"
    await back.close()

    hr_password = "a long enough password"
    from signaling import auth
    from signaling.records import Role

    await store.staff.create(email="h@example.com", display_name="H", role=Role.HR, departments=set(),
                             password_hash=auth.hash_password(hr_password))
    base = str(client.make_url("/")).rstrip("/")
    async with staff_session(base) as hr:
        await hr.post("/api/login", json={"email": "h@example.com", "password": hr_password})
        async with hr.post(f"/api/interviews/{interview.public_id}/reopen") as r:
            assert r.status == 200
        async with hr.get(f"/api/interviews/{interview.public_id}") as r:
            detail = await r.json()
    assert detail["interruptions"][0]["outcome"] == "interrupted"

    again = await open_candidate(client)
    state = await again.hello(token)
    assert (state["step"], state["question"]["index"], state["phase"]) == ("question", 1, "thinking")
    assert await status_of(app) == "in_progress", "back after HR reopened it: in progress again"
    await again.connect_media()
    await again.send("answer.start", question=1)
    await again.expect("state", phase="answering")
    again.tone.speaking = True
    await asyncio.sleep(1.0)
    await again.send("answer.finish", question=1)
    await again.expect("state", status="completed")
    await again.expect("answer.saved", question=1)
    await again.close()


async def test_hr_sees_each_interruption_with_its_offline_time(aiohttp_client, tmp_path):
    """A drop and a return within the grace period is one interruption with its seconds offline."""
    client = await make_client(aiohttp_client, tmp_path)
    app = client.server.app
    token = await make_interview(app)
    c = await open_candidate(client)
    await reach_first_question(c, token)
    await c.close()
    await asyncio.sleep(1.2)
    back = await open_candidate(client)
    await back.hello(token)
    interview = (await app[STORE].interviews())[0]
    assert interview.interruptions == 1 and interview.interview.status.value == "in_progress"
    (interruption,) = await app[STORE].interruptions(interview.interview.id)
    assert interruption["outcome"] == "resumed" and 1.0 <= interruption["offline_seconds"] < 3.0
    await back.close()


async def test_after_a_restart_the_interview_waits_then_is_interrupted(aiohttp_client, tmp_path):
    """The server stops with a candidate mid-interview: at the next start the interview waits a grace
    period for the candidate again (not "disconnected" for ever), then becomes interrupted."""
    first = await make_client(aiohttp_client, tmp_path, resume_grace_seconds=60)
    token = await make_interview(first.server.app)
    c = await open_candidate(first)
    await reach_first_question(c, token)
    await first.close()  # the server shuts down under the connected candidate
    await c.close()

    second = await make_client(aiohttp_client, tmp_path, resume_grace_seconds=1.5)
    app = second.server.app
    assert await status_of(app) == "disconnected"
    await asyncio.sleep(2.5)
    assert await status_of(app) == "interrupted"
    interview = (await app[STORE].interviews())[0].interview
    (interruption,) = await app[STORE].interruptions(interview.id)
    assert interruption["outcome"] == "interrupted" and interruption["offline_seconds"] >= 1.5
    back = await open_candidate(second)
    assert (await back.hello(token))["step"] == "interrupted"
    await back.close()


async def test_after_a_restart_the_candidate_comes_back_in_time(aiohttp_client, tmp_path):
    first = await make_client(aiohttp_client, tmp_path)
    token = await make_interview(first.server.app)
    c = await open_candidate(first)
    await reach_first_question(c, token)
    await first.close()
    await c.close()

    second = await make_client(aiohttp_client, tmp_path)
    app = second.server.app
    back = await open_candidate(second)
    state = await back.hello(token)
    assert (state["step"], state["question"]["index"]) == ("question", 0)
    assert await status_of(app) == "in_progress"
    interview = (await app[STORE].interviews())[0].interview
    assert [i["outcome"] for i in await app[STORE].interruptions(interview.id)] == ["resumed"]
    await back.close()


async def test_finished_answers_and_the_practice_are_not_repeated(aiohttp_client, tmp_path):
    """A drop after the first answer and a return: the interview goes on at question 2's think time,
    with the first answer stored once; the practice is not offered again."""
    client = await make_client(aiohttp_client, tmp_path)
    app = client.server.app
    token = await make_interview(app, questions=2)
    c = await open_candidate(client)
    await reach_first_question(c, token)
    await c.send("answer.start", question=0)
    await c.expect("state", phase="answering")
    c.tone.speaking = True
    await asyncio.sleep(1.0)
    await c.send("answer.finish", question=0)
    await c.expect("answer.saved", question=0)
    await c.close()

    back = await open_candidate(client)
    state = await back.hello(token)
    assert (state["step"], state["question"]["index"], state["phase"]) == ("question", 1, "thinking")
    interview = (await app[STORE].interviews())[0].interview
    assert [a.position for a in await app[STORE].answers(interview.id)] == [0]
    await back.connect_media()
    await back.send("answer.start", question=-1)  # the practice question is over
    assert (await back.expect("error"))["code"] == "out_of_order"
    await back.close()
