"""Admission control against the real application: real WebSockets and aiortc peer connections,
a fake speech recognizer, and a server configured for a few seats."""

from __future__ import annotations

import asyncio

import pytest
from fakes import FakeRecognizer
from prometheus_client.parser import text_string_to_metric_families
from wsclient import Candidate, make_interview, open_candidate, reach_first_question

from signaling import admission
from signaling.app import create_app
from signaling.config import ConfigError, Settings


def make_client(aiohttp_client, tmp_path, seats: int, **settings):
    env = {"INTERVOX_DATA_DIR": str(tmp_path / "data"), "INTERVOX_MAX_LIVE_INTERVIEWS": str(seats)}
    app = create_app(Settings.from_env(env).with_overrides(**settings), recognizer=FakeRecognizer())
    return aiohttp_client(app)


async def gauges(client) -> dict[str, float]:
    text = await (await client.get("/metrics")).text()
    return {s.name: s.value for family in text_string_to_metric_families(text) for s in family.samples
            if s.name in {"intervox_interview_seats", "intervox_interview_seats_in_use", "intervox_candidates_waiting"}}


async def accept_and_wait(c: Candidate, token: str) -> dict:
    """Open the link, accept the consent screen, and get a place in line instead of the device check."""
    assert (await c.hello(token))["step"] == "consent"
    await c.send("consent", accept=True)
    return await c.expect("queue")


async def finish_interview(c: Candidate) -> None:
    """Answer the only question at once (the interview is completed)."""
    await c.send("answer.start", question=0)
    await c.expect("state", phase="answering")
    await c.send("answer.finish", question=0)
    await c.expect("state", step="done")


async def so_far(c: Candidate, kind: str) -> list[dict]:
    """Every `kind` message the candidate received until the server answered a ping sent now."""
    await c.send("ping", ref="sync")
    await c.expect("pong", ref="sync")
    return [m for m in c.inbox if m["type"] == kind]


async def test_the_third_candidate_waits_first_in_line_and_is_admitted_when_one_finishes(aiohttp_client, tmp_path):
    """With 2 seats, a third candidate who accepts the consent screen is told they are number 1 in
    line (no device check yet), the fourth number 2; the running interviews carry on; when one
    finishes, the third is admitted by itself and the fourth moves up."""
    client = await make_client(aiohttp_client, tmp_path, seats=2)
    app = client.server.app
    tokens = [await make_interview(app) for _ in range(4)]
    a, b, c, d = [await open_candidate(client) for _ in range(4)]
    await reach_first_question(a, tokens[0])
    await reach_first_question(b, tokens[1])

    first = await accept_and_wait(c, tokens[2])
    assert first["v"] == 1 and first["position"] == 1 and first["job"]["title"] == "Test job"
    assert first["place_kept_seconds"] == round(admission.HOLD_SECONDS)
    assert first["estimate_seconds"] is None  # no interview has completed here yet: no honest estimate
    assert (await accept_and_wait(d, tokens[3]))["position"] == 2
    assert [s["step"] for s in await so_far(c, "state")] == ["consent"]  # no device check while waiting
    await c.send("device.result", camera=True, microphone=True)
    refused = await c.expect("error")
    assert refused["code"] == "out_of_order" and "in line" in refused["message"]
    assert await gauges(client) == {"intervox_interview_seats": 2, "intervox_interview_seats_in_use": 2,
                                    "intervox_candidates_waiting": 2}

    await b.send("answer.start", question=0)  # a running interview is not slowed or stopped by the line
    await b.expect("state", phase="answering")
    await finish_interview(a)
    admitted = await c.expect("state")
    assert (admitted["status"], admitted["step"]) == ("consented", "device_check")
    assert (await d.expect("queue"))["position"] == 1
    await c.send("device.result", camera=True, microphone=True)
    await c.expect("state", step="practice")
    assert await gauges(client) == {"intervox_interview_seats": 2, "intervox_interview_seats_in_use": 2,
                                    "intervox_candidates_waiting": 1}
    for x in (a, b, c, d):
        await x.close()


async def test_a_waiting_candidate_who_leaves_gives_up_their_place(aiohttp_client, tmp_path, monkeypatch):
    """A waiting candidate whose connection ends keeps their place only for the hold time; then the
    one behind moves up and gets the next free seat."""
    monkeypatch.setattr(admission, "HOLD_SECONDS", 0.5)
    client = await make_client(aiohttp_client, tmp_path, seats=1)
    app = client.server.app
    tokens = [await make_interview(app) for _ in range(3)]
    a, b, c = [await open_candidate(client) for _ in range(3)]
    await reach_first_question(a, tokens[0])
    assert (await accept_and_wait(b, tokens[1]))["position"] == 1
    assert (await accept_and_wait(c, tokens[2]))["position"] == 2
    await b.close()
    assert (await c.expect("queue"))["position"] == 1
    assert (await gauges(client))["intervox_candidates_waiting"] == 1
    await finish_interview(a)
    assert (await c.expect("state"))["step"] == "device_check"
    back = await open_candidate(client)  # B comes back too late: at the end of the line, a seat is taken
    assert (await back.hello(tokens[1], first="queue"))["position"] == 1
    for x in (a, c, back):
        await x.close()


async def test_a_waiting_candidate_back_within_the_hold_keeps_their_place(aiohttp_client, tmp_path):
    """A reload or a network blip while waiting: the candidate is still number 1, and is admitted first."""
    client = await make_client(aiohttp_client, tmp_path, seats=1)
    app = client.server.app
    tokens = [await make_interview(app) for _ in range(3)]
    a, b, c = [await open_candidate(client) for _ in range(3)]
    await reach_first_question(a, tokens[0])
    await accept_and_wait(b, tokens[1])
    await accept_and_wait(c, tokens[2])
    await b.close()
    b = await open_candidate(client)
    assert (await b.hello(tokens[1], first="queue"))["position"] == 1
    assert [m["position"] for m in await so_far(c, "queue")] == [2]
    await finish_interview(a)
    assert (await b.expect("state"))["step"] == "device_check"
    assert (await c.expect("queue"))["position"] == 1
    for x in (a, b, c):
        await x.close()


async def test_a_candidate_who_drops_mid_interview_keeps_their_seat(aiohttp_client, tmp_path, monkeypatch):
    """With 1 seat: the candidate drops during a question; a newcomer waits (the seat is kept for the
    whole grace period, not just the short hold); the candidate comes back straight to their
    question, ahead of the line."""
    monkeypatch.setattr(admission, "HOLD_SECONDS", 0.2)
    client = await make_client(aiohttp_client, tmp_path, seats=1)
    app = client.server.app
    first, second = await make_interview(app), await make_interview(app)
    a = await open_candidate(client)
    await reach_first_question(a, first)
    await a.close()
    b = await open_candidate(client)
    assert (await accept_and_wait(b, second))["position"] == 1
    await asyncio.sleep(3 * admission.TICK_SECONDS)  # several seat checks, well past the hold
    assert [s["step"] for s in await so_far(b, "state")] == ["consent"]
    a = await open_candidate(client)
    back = await a.hello(first)
    assert (back["status"], back["step"], back["question"]["index"]) == ("in_progress", "question", 0)
    assert await gauges(client) == {"intervox_interview_seats": 1, "intervox_interview_seats_in_use": 1,
                                    "intervox_candidates_waiting": 1}
    await a.close()
    await b.close()


async def test_a_seat_before_the_questions_is_held_briefly_then_freed(aiohttp_client, tmp_path, monkeypatch):
    """A candidate who leaves during the device check keeps their seat only for the hold time; then
    the first in line is admitted."""
    monkeypatch.setattr(admission, "HOLD_SECONDS", 0.5)
    client = await make_client(aiohttp_client, tmp_path, seats=1)
    app = client.server.app
    first, second = await make_interview(app), await make_interview(app)
    a, b = await open_candidate(client), await open_candidate(client)
    await a.hello(first)
    await a.send("consent", accept=True)
    await a.expect("state", step="device_check")
    assert (await accept_and_wait(b, second))["position"] == 1
    await a.close()
    assert (await b.expect("state"))["step"] == "device_check"
    await b.close()


async def test_reading_or_declining_the_consent_needs_no_seat(aiohttp_client, tmp_path):
    """With every seat taken, a newcomer still sees the consent screen and can decline without waiting."""
    client = await make_client(aiohttp_client, tmp_path, seats=1)
    app = client.server.app
    first, second = await make_interview(app), await make_interview(app)
    a, b = await open_candidate(client), await open_candidate(client)
    await reach_first_question(a, first)
    assert (await b.hello(second))["step"] == "consent"
    await b.send("consent", accept=False)
    assert (await b.expect("state"))["step"] == "declined"
    assert await so_far(b, "queue") == []
    await a.close()
    await b.close()


async def test_a_second_window_takes_over_the_place_in_line(aiohttp_client, tmp_path):
    """The same invite opened in another window while waiting: the new window has the place (same
    position), the old one is told it was taken over."""
    client = await make_client(aiohttp_client, tmp_path, seats=1)
    app = client.server.app
    tokens = [await make_interview(app) for _ in range(3)]
    a, b, c = [await open_candidate(client) for _ in range(3)]
    await reach_first_question(a, tokens[0])
    await accept_and_wait(b, tokens[1])
    await accept_and_wait(c, tokens[2])
    other = await open_candidate(client)
    assert (await other.hello(tokens[1], first="queue"))["position"] == 1
    assert (await b.expect("error"))["code"] == "taken_over"
    await finish_interview(a)
    assert (await other.expect("state"))["step"] == "device_check"
    for x in (a, b, c, other):
        await x.close()


async def test_after_a_restart_an_interview_waiting_for_its_candidate_keeps_its_seat(aiohttp_client, tmp_path):
    """The server restarts with an interview in progress: it keeps its seat through the grace period,
    so a newcomer waits and the returning candidate goes straight back to their question."""
    before = await make_client(aiohttp_client, tmp_path, seats=1)
    running = await make_interview(before.server.app)
    a = await open_candidate(before)
    await reach_first_question(a, running)
    await before.close()
    await a.close()

    client = await make_client(aiohttp_client, tmp_path, seats=1)
    newcomer = await make_interview(client.server.app)
    b = await open_candidate(client)
    assert (await accept_and_wait(b, newcomer))["position"] == 1
    a = await open_candidate(client)
    assert (await a.hello(running))["step"] == "question"
    await a.close()
    await b.close()


@pytest.mark.parametrize("raw", ["-1", "two", "10001"])
def test_a_bad_seat_count_is_refused_by_name(raw):
    """INTERVOX_MAX_LIVE_INTERVIEWS must be a whole number from 0 (automatic) up."""
    with pytest.raises(ConfigError, match="INTERVOX_MAX_LIVE_INTERVIEWS"):
        Settings.from_env({"INTERVOX_MAX_LIVE_INTERVIEWS": raw})
