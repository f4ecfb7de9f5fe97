"""Who may watch interviews live, and what each sees: the handshake, every message, the periodic
re-check, departments, slow sockets, and the anomaly API's scoping (real app, fake recognizer)."""

from __future__ import annotations

import aiohttp
import pytest
from fakes import FakeRecognizer
from hrwatch import add_staff
from staff_http import staff_session
from wsclient import answer_one_question, make_interview, open_candidate, reach_first_question

from signaling import hr_live_ws
from signaling.app import create_app
from signaling.bus import CaptionUpdated, InterviewRef
from signaling.config import Settings
from signaling.keys import STORE
from signaling.live_feed import FEED
from signaling.records import Role


@pytest.fixture
async def client(aiohttp_client, tmp_path):
    app = create_app(Settings(data_dir=tmp_path / "data"), recognizer=FakeRecognizer())
    return await aiohttp_client(app)




async def handshake_status(session: aiohttp.ClientSession, **kwargs) -> int:
    try:
        ws = await session.ws_connect("/ws/hr", **kwargs)
    except aiohttp.WSServerHandshakeError as error:
        return error.status
    await ws.close()
    return 101


async def test_the_handshake_needs_a_staff_session_and_our_origin(client):
    """Anonymous, cross-site and Origin-less handshakes are refused; every staff role gets in (scoped below)."""
    base = str(client.make_url("/")).rstrip("/")
    async with staff_session(base) as anonymous:
        assert await handshake_status(anonymous) == 401
    hr = await add_staff(client, "hr@example.com", Role.HR)
    assert await handshake_status(hr.http, headers={"Origin": "https://evil.example"}) == 403
    assert await handshake_status(hr.http, headers={"Origin": base.replace("127.0.0.1", "localhost")}) == 403
    async with aiohttp.ClientSession(base_url=base, cookie_jar=hr.http.cookie_jar) as no_origin:
        assert await handshake_status(no_origin) == 403
    assert await handshake_status(hr.http) == 101
    reviewer = await add_staff(client, "rita@example.com", Role.REVIEWER, {"Engineering"})
    assert await handshake_status(reviewer.http) == 101
    head = await add_staff(client, "dana@example.com", Role.DEPT_HEAD, {"Engineering"})
    assert await handshake_status(head.http) == 101
    admin = await add_staff(client, "ada@example.com", Role.ADMIN)
    assert await handshake_status(admin.http) == 101
    for staff in (hr, reviewer, head, admin):
        await staff.close()


async def test_a_department_head_sees_only_their_departments(client):
    """A head of Sales sees nothing of an Engineering interview, live or in the snapshot; the head of
    Engineering, an Engineering reviewer and HR see all of it."""
    app = client.server.app
    hr = await add_staff(client, "hr@example.com", Role.HR)
    sales = await add_staff(client, "sam@example.com", Role.DEPT_HEAD, {"Sales"})
    engineering = await add_staff(client, "erin@example.com", Role.DEPT_HEAD, {"Engineering"})
    reviewer = await add_staff(client, "rita@example.com", Role.REVIEWER, {"Engineering"})
    token = await make_interview(app, department="Engineering")
    watchers = {name: await staff.watch() for name, staff in (("hr", hr), ("sales", sales), ("eng", engineering),
                                                                ("rev", reviewer))}
    snapshots = {name: await w.subscribe() for name, w in watchers.items()}
    assert snapshots["hr"]["counts"]["invited"] == 1 and snapshots["eng"]["counts"]["invited"] == 1
    assert sum(snapshots["sales"]["counts"].values()) == 0
    assert snapshots["sales"]["jobs"] == [] and snapshots["sales"]["departments"] == ["Sales"]

    candidate = await open_candidate(client)
    await answer_one_question(candidate, token)  # status changes, questions, captions, a score, an anomaly
    for name in ("hr", "eng", "rev"):
        await watchers[name].patch(lambda p: "answer" in p)
        await watchers[name].expect("anomaly", lambda m: m["anomaly"]["kind"] == "short_answer")
    await candidate.close()
    await watchers["hr"].patch(lambda p: p.get("status") == "completed")
    late = await sales.watch()
    late_snapshot = await late.subscribe()
    assert late_snapshot["interviews"] == [] and late_snapshot["anomalies"] == []
    assert sum(late_snapshot["counts"].values()) == 0
    leaked = [m for m in watchers["sales"].inbox + late.inbox if m["type"] in ("interview", "anomaly")]
    assert leaked == []
    assert all(sum(m["counts"].values()) == 0 for m in watchers["sales"].of("counts"))
    for watcher in (*watchers.values(), late):
        await watcher.close()
    for staff in (hr, sales, engineering, reviewer):
        await staff.close()


async def test_every_message_is_checked_and_authorised(client):
    """Filters outside one's departments or for unknown jobs are refused; malformed messages get an error
    with a code; a client that keeps sending garbage is disconnected."""
    app = client.server.app
    await make_interview(app, department="Engineering")
    store = app[STORE]
    (engineering_job, _), = await store.jobs()
    sales = await add_staff(client, "sam@example.com", Role.DEPT_HEAD, {"Sales"})
    watcher = await sales.watch()
    await watcher.send("subscribe", department="Engineering", ref="a")
    error = await watcher.expect("error", lambda m: m["ref"] == "a")
    assert error["error"]["code"] == "forbidden" and error["error"]["field"] == "department"
    await watcher.send("subscribe", job_id=engineering_job.id, ref="b")
    error = await watcher.expect("error", lambda m: m["ref"] == "b")
    assert error["error"]["code"] == "not_found"  # the same answer as for a job that does not exist
    await watcher.send("subscribe", job_id=999_999, ref="c")
    assert (await watcher.expect("error", lambda m: m["ref"] == "c"))["error"]["code"] == "not_found"
    assert watcher.of("snapshot") == []
    snapshot = await watcher.subscribe(department="Sales")
    assert snapshot["filters"] == {"job_id": None, "department": "Sales"}
    await watcher.ws.send_bytes(b"\x00\x01")
    assert (await watcher.expect("error", lambda m: m["error"]["code"] == "malformed"))["ref"] is None
    await watcher.send("subscribe", departments=["Engineering"], ref="d")
    assert (await watcher.expect("error", lambda m: m["ref"] == "d"))["error"]["code"] == "invalid_field"
    await watcher.send("ping", ref="p")
    await watcher.expect("pong", lambda m: m["ref"] == "p")
    for _ in range(hr_live_ws.MAX_ERRORS + 1):
        await watcher.ws.send_str("nonsense")
    assert await watcher.wait_closed() == hr_live_ws.CloseCode.BAD_INPUT
    await watcher.close()
    await sales.close()


async def test_a_disabled_account_or_a_logout_ends_the_socket(client, monkeypatch):
    """The periodic re-check closes the socket of a disabled account (4401) and of a session that was logged out."""
    monkeypatch.setattr(hr_live_ws, "RECHECK_SECONDS", 0.2)
    store = client.server.app[STORE]
    hr = await add_staff(client, "hr@example.com", Role.HR)
    watcher = await hr.watch()
    await watcher.subscribe()
    await store.run("UPDATE users SET disabled = 1 WHERE email = ?", ("hr@example.com",))
    assert await watcher.wait_closed() == hr_live_ws.CloseCode.UNAUTHORIZED
    await watcher.close()

    other = await add_staff(client, "hal@example.com", Role.HR)
    watcher = await other.watch()
    await watcher.subscribe()
    async with other.http.post("/api/logout") as response:
        assert response.status == 200
    assert await watcher.wait_closed() == hr_live_ws.CloseCode.UNAUTHORIZED
    await watcher.close()
    for staff in (hr, other):
        await staff.close()


async def test_losing_a_department_ends_a_subscription_to_it(client, monkeypatch):
    """A department head removed from the department they watch is disconnected (4403) at the next check."""
    monkeypatch.setattr(hr_live_ws, "RECHECK_SECONDS", 0.2)
    store = client.server.app[STORE]
    head = await add_staff(client, "dana@example.com", Role.DEPT_HEAD, {"Engineering", "Sales"})
    watcher = await head.watch()
    await watcher.subscribe(department="Engineering")
    await watcher.expect("heartbeat")  # re-checked once with nothing changed: still connected
    await store.run("DELETE FROM user_departments WHERE department = 'Engineering'")
    assert await watcher.wait_closed() == hr_live_ws.CloseCode.FORBIDDEN
    await watcher.close()
    await head.close()


async def test_a_socket_that_falls_behind_is_dropped(client, monkeypatch):
    """When more events arrive than a socket can hold, it is closed (to resync from a snapshot); publishing
    never waits for it."""
    monkeypatch.setattr(hr_live_ws, "QUEUE_SIZE", 4)
    app = client.server.app
    hr = await add_staff(client, "hr@example.com", Role.HR)
    watcher = await hr.watch()
    await watcher.subscribe()
    ref = InterviewRef(id=1, public_id="f" * 32, job_id=1, job_title="Job", department="QA", candidate_name="Tess",
                       question_count=1)
    bus = app[FEED].bus
    for n in range(50):  # one burst, no await in between: the socket's queue overflows
        bus.publish(CaptionUpdated(interview=ref, question=0, text=f"caption {n}"))
    assert await watcher.wait_closed() == hr_live_ws.CloseCode.TOO_SLOW
    assert bus.dropped >= 46
    await watcher.close()
    again = await hr.watch()  # the page reconnects and starts from a snapshot
    assert "counts" in await again.subscribe()
    await again.close()
    await hr.close()


async def test_the_anomaly_api_is_scoped(client):
    """GET /api/anomalies lists only the caller's departments; one interview's anomalies are a 404 outside them."""
    app = client.server.app
    token = await make_interview(app, department="Engineering")
    candidate = await open_candidate(client)
    await reach_first_question(candidate, token)
    await candidate.close()  # an interruption
    store = app[STORE]
    interview = (await store.interviews())[0].interview
    hr = await add_staff(client, "hr@example.com", Role.HR)
    sales = await add_staff(client, "sam@example.com", Role.DEPT_HEAD, {"Sales"})
    reviewer = await add_staff(client, "rita@example.com", Role.REVIEWER, {"Engineering"})
    watcher = await hr.watch()
    snapshot = await watcher.subscribe()
    if not snapshot["anomalies"]:
        await watcher.expect("anomaly")
    status, body = await hr.get("/api/anomalies")
    assert status == 200 and [a["kind"] for a in body["anomalies"]] == ["interruption"]
    assert body["anomalies"][0]["interview"]["id"] == interview.public_id
    status, body = await sales.get("/api/anomalies")
    assert status == 200 and body["anomalies"] == []
    assert (await sales.get("/api/anomalies?department=Engineering"))[0] == 404
    assert (await sales.get("/api/anomalies?job_id=1"))[0] == 404
    assert (await hr.get("/api/anomalies?job_id=abc"))[0] == 400
    path = f"/api/interviews/{interview.public_id}/anomalies"
    assert (await sales.get(path))[0] == 404
    status, body = await reviewer.get(path)
    assert status == 200 and [a["kind"] for a in body["anomalies"]] == ["interruption"]
    status, body = await reviewer.get("/api/anomalies")
    assert status == 200 and [a["kind"] for a in body["anomalies"]] == ["interruption"]
    base = str(client.make_url("/")).rstrip("/")
    async with staff_session(base) as anonymous, anonymous.get(path) as response:
        assert response.status == 401
    await watcher.close()
    for staff in (hr, sales, reviewer):
        await staff.close()

