"""Webhooks through the outbox: the real app, a real receiver on loopback, candidates driven
through the real WebSocket flow (fake recognizer)."""

from __future__ import annotations

import asyncio
import json
import time

import aiohttp
import pytest
from fakes import FakeRecognizer
from webhook_receiver import Receiver, signed_with
from wsclient import answer_one_question, make_interview, open_candidate, reach_first_question

from signaling import auth, webhook_signing
from signaling.app import create_app
from signaling.config import Settings
from signaling.flow import Status
from signaling.keyring import Keyring
from signaling.keys import STORE
from signaling.records import Role
from signaling.store import Store

EVENTS = ["answer.scored", "interview.completed", "interview.declined", "interview.interrupted"]
PASSWORD = "a long enough password"


def settings(tmp_path, **overrides) -> Settings:
    return Settings(data_dir=tmp_path / "data", **{"webhook_retry_seconds": 0.05, **overrides})


class Staff:
    """A browser-like session of one staff member (own cookies, same-origin header)."""

    def __init__(self, client, email: str) -> None:
        base = str(client.make_url("/")).rstrip("/")
        self.http = aiohttp.ClientSession(base_url=base, headers={"Origin": base},
                                          cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.email = email
        self.cookie: dict[str, str] = {}

    async def call(self, method: str, path: str, body=None) -> tuple[int, dict]:
        async with self.http.request(method, path, json=body, headers=self.cookie) as r:
            for morsel in r.cookies.values():  # the session cookie is Secure: a jar would not send it over http
                self.cookie = {"Cookie": f"{morsel.key}={morsel.value}"}
            return r.status, await r.json()

    async def close(self) -> None:
        await self.http.close()


async def staff(client, email: str, role: Role, departments=frozenset()) -> Staff:
    await client.server.app[STORE].staff.create(email=email, display_name=email.split("@")[0], role=role,
                                                departments=departments,
                                                password_hash=auth.hash_password(PASSWORD))
    member = Staff(client, email)
    status, _ = await member.call("POST", "/api/login", {"email": email, "password": PASSWORD})
    assert status == 200
    return member


@pytest.fixture
async def receiver():
    r = await Receiver().start()
    yield r
    await r.stop()




async def subscribe(admin: Staff, url: str, events=EVENTS) -> tuple[int, str]:
    status, data = await admin.call("POST", "/api/webhooks", {"url": url, "events": events, "description": "ATS"})
    assert status == 201, data
    return data["webhook"]["id"], data["secret"]


async def decline(client, app, **kw) -> str:
    token = await make_interview(app, **kw)
    c = await open_candidate(client)
    await c.hello(token)
    await c.send("consent", accept=False)
    await c.expect("state", status="declined")
    await c.close()
    return token


async def test_signature_verifies_with_the_shown_secret_only(aiohttp_client, tmp_path, receiver):
    """A declined interview reaches the receiver signed with the secret shown at creation; a tampered
    body, another secret or an old timestamp do not verify; the headers name event and delivery."""
    client = await aiohttp_client(create_app(settings(tmp_path), recognizer=FakeRecognizer()))
    admin = await staff(client, "admin@example.com", Role.ADMIN)
    hook_id, secret = await subscribe(admin, receiver.url, ["interview.declined"])
    assert secret.startswith("whsec_") and len(secret) > 40
    await decline(client, client.server.app)

    (got,) = await receiver.wait_ok()
    header = got.headers["Intervox-Signature"]
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["Intervox-Event"] == "interview.declined" == got.event["type"]
    assert signed_with(secret, header, got.body)
    assert not signed_with(secret, header, got.body.replace(b"Tess", b"Tom"))
    assert not signed_with(webhook_signing.new_secret(), header, got.body)
    now = time.time()
    assert webhook_signing.verify(secret, header, got.body, now=now)
    assert not webhook_signing.verify(secret, header, got.body + b" ", now=now)
    assert not webhook_signing.verify(secret, header, got.body, now=now + 3600), "an old signature is stale"

    status, log = await admin.call("GET", f"/api/webhooks/{hook_id}/deliveries")
    (delivery,) = log["deliveries"]
    assert delivery["id"] == got.delivery and delivery["status"] == "delivered"
    assert delivery["event"] == {"id": got.event["id"], "type": "interview.declined",
                                 "created_at": got.event["created_at"]}
    status, listed = await admin.call("GET", "/api/webhooks")
    assert secret not in json.dumps(listed), "the secret is shown once, never listed"
    await admin.close()


async def test_a_receiver_failing_twice_gets_the_event_on_the_third_try(aiohttp_client, tmp_path, receiver):
    """500, then a dropped connection, then 200: delivered on attempt 3, and the log shows all three."""
    receiver.script = [500, "drop"]
    client = await aiohttp_client(create_app(settings(tmp_path), recognizer=FakeRecognizer()))
    admin = await staff(client, "admin@example.com", Role.ADMIN)
    hook_id, secret = await subscribe(admin, receiver.url, ["interview.declined"])
    await decline(client, client.server.app)

    await receiver.wait_ok()
    assert [r.answered for r in receiver.received] == [500, "drop", 200]
    assert len({r.delivery for r in receiver.received}) == 1, "every try carries the same delivery id"
    assert len({r.body for r in receiver.received}) == 1, "and the same body"
    assert all(signed_with(secret, r.headers["Intervox-Signature"], r.body) for r in receiver.received)

    async def delivered() -> dict:
        while True:
            _, log = await admin.call("GET", f"/api/webhooks/{hook_id}/deliveries")
            if log["deliveries"][0]["status"] == "delivered":
                return log["deliveries"][0]
            await asyncio.sleep(0.05)

    delivery = await asyncio.wait_for(delivered(), 5)
    assert delivery["attempts"] == 3 and delivery["last_status"] == 200 and delivery["last_error"] is None
    first, second, third = delivery["attempt_log"]
    assert (first["number"], first["status_code"], first["error"]) == (1, 500, "HTTP 500")
    assert first["response"].startswith("answer 500") and len(first["response"]) <= 200, "a short snippet only"
    assert (second["number"], second["status_code"]) == (2, None) and second["error"]
    assert (third["number"], third["status_code"], third["error"]) == (3, 200, None)
    await admin.close()


async def test_each_event_type_comes_from_the_real_flow(aiohttp_client, tmp_path, receiver):
    """Declining, answering (scored), completing and a grace period running out each send their event
    once, with the interview, job and candidate, and without the transcript."""
    client = await aiohttp_client(create_app(settings(tmp_path, resume_grace_seconds=1.5),
                                             recognizer=FakeRecognizer()))
    app = client.server.app
    admin = await staff(client, "admin@example.com", Role.ADMIN)
    _, secret = await subscribe(admin, receiver.url)

    await decline(client, app, department="Sales")
    token = await make_interview(app, department="Engineering")
    c = await open_candidate(client)
    await answer_one_question(c, token)  # one question: answering it completes the interview
    await c.close()
    token = await make_interview(app, department="Support")
    c = await open_candidate(client)
    await reach_first_question(c, token)
    await c.close()  # and never comes back

    got = await receiver.wait_ok(4, timeout=20)
    by_type = {r.event["type"]: r.event for r in got}
    assert sorted(by_type) == EVENTS and len(got) == 4, [r.event["type"] for r in got]
    assert all(signed_with(secret, r.headers["Intervox-Signature"], r.body) for r in got)
    interviews = {s.department: s.interview for s in await app[STORE].interviews()}
    expected = {"interview.declined": ("Sales", "declined"), "interview.completed": ("Engineering", "completed"),
                "answer.scored": ("Engineering", None), "interview.interrupted": ("Support", "interrupted")}
    for kind, (department, status) in expected.items():
        event = by_type[kind]
        assert set(event) == {"id", "type", "created_at", "data"}
        data = event["data"]
        assert data["interview"]["id"] == interviews[department].public_id
        assert data["job"]["department"] == department and data["job"]["title"] == "Test job"
        assert data["candidate"] == {"name": "Tess", "email": "t@example.com"}
        if status:
            assert data["interview"]["status"] == status
    assert by_type["interview.completed"]["data"]["interview"]["completed_at"]
    answer = by_type["answer.scored"]["data"]["answer"]
    assert answer["question"]["position"] == 0 and answer["status"] == "scored"
    assert isinstance(answer["score"], int) and answer["components"]
    assert not answer["cut_short"]
    assert {"key", "points", "max_points"} == set(answer["components"][0])
    for r in got:
        assert b"word0" not in r.body and b"transcript" not in r.body, "no transcript text leaves"
        assert b"evidence" not in r.body
    assert len({e["id"] for e in by_type.values()}) == 4
    await admin.close()


async def test_events_committed_before_a_crash_are_delivered_at_start(tmp_path, aiohttp_client, receiver):
    """An event committed while no worker ran (the process died right after the commit) is fanned
    out and delivered when the server starts."""
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o700)
    keyring = Keyring.load(data_dir)
    store = await Store.open(data_dir / "intervox.sqlite3")
    secret = webhook_signing.new_secret()
    key, version = keyring.webhook_key(keyring.current_version), keyring.current_version
    await store.webhooks.create(url=receiver.url, description="", events=["interview.declined"], created_by=None,
                                seal=lambda i: (webhook_signing.seal(secret, key=key, webhook_id=i), version))
    from signaling.store import NewQuestion
    job = await store.create_job(title="J", department="D", language="en", created_by=None,
                                 questions=[NewQuestion("Q?", 10, 30)])
    interview = await store.create_interview(job_id=job.id, candidate_name="Ann", candidate_email="a@example.com",
                                             token_hash=auth.digest("t"), created_by=None)
    await store.set_progress(interview.id, Status.DECLINED, -1)
    await store.close()
    assert receiver.received == []

    await aiohttp_client(create_app(settings(tmp_path), recognizer=FakeRecognizer()))
    (got,) = await receiver.wait_ok()
    assert got.event["data"]["interview"]["id"] == interview.public_id
    assert signed_with(secret, got.headers["Intervox-Signature"], got.body)


async def test_an_event_is_rolled_back_with_its_change(aiohttp_client, tmp_path):
    """The event is written in the caller's transaction: when that transaction fails, neither the
    status change nor its event remains."""
    client = await aiohttp_client(create_app(settings(tmp_path), recognizer=FakeRecognizer()))
    store = client.server.app[STORE]
    await make_interview(client.server.app)
    interview = (await store.interviews())[0].interview
    with pytest.raises(RuntimeError):
        async with store.transaction() as conn:
            async with store.outbox.on_status_change(conn, interview.id):
                await conn.execute("UPDATE interviews SET status = 'declined' WHERE id = ?", (interview.id,))
            (inside,) = await (await conn.execute("SELECT count(*) FROM outbox")).fetchone()
            assert inside == 1
            raise RuntimeError("the rest of the change failed")
    assert (await store.one("SELECT count(*) FROM outbox"))[0] == 0
    assert (await store.interview(interview.public_id)).status is Status.INVITED
    await store.set_status(interview.id, Status.INTERRUPTED)
    await store.set_status(interview.id, Status.INTERRUPTED)
    assert (await store.one("SELECT count(*) FROM outbox"))[0] == 1, "an unchanged status sends nothing"


async def test_manage_a_subscription(aiohttp_client, tmp_path, receiver):
    """Disable (nothing is sent), enable, ping, redeliver (same delivery id), rotate the secret (the old
    one stops verifying), delete; every change is in the audit log."""
    client = await aiohttp_client(create_app(settings(tmp_path), recognizer=FakeRecognizer()))
    app = client.server.app
    admin = await staff(client, "admin@example.com", Role.ADMIN)
    hook_id, secret = await subscribe(admin, receiver.url, ["interview.declined"])

    status, data = await admin.call("PATCH", f"/api/webhooks/{hook_id}", {"active": False})
    assert status == 200 and data["webhook"]["active"] is False
    await decline(client, app)
    status, log = await admin.call("GET", f"/api/webhooks/{hook_id}/deliveries")
    assert log["deliveries"] == [] and receiver.received == [], "a disabled subscription gets no events"

    await admin.call("PATCH", f"/api/webhooks/{hook_id}", {"active": True})
    status, data = await admin.call("POST", f"/api/webhooks/{hook_id}/ping")
    assert status == 202
    (ping,) = await receiver.wait_ok()
    assert ping.event["type"] == "ping" == ping.headers["Intervox-Event"] and ping.delivery == data["delivery"]

    status, rotated = await admin.call("POST", f"/api/webhooks/{hook_id}/secret")
    new_secret = rotated["secret"]
    assert status == 200 and new_secret != secret and rotated["webhook"]["secret_rotated_at"]
    status, _ = await admin.call("POST", f"/api/webhooks/{hook_id}/deliveries/{ping.delivery}/redeliver")
    assert status == 202
    again = (await receiver.wait_ok(2))[1]
    assert again.delivery == ping.delivery and again.body == ping.body, "a redelivery is the same delivery"
    assert signed_with(new_secret, again.headers["Intervox-Signature"], again.body)
    assert not signed_with(secret, again.headers["Intervox-Signature"], again.body)

    status, bad = await admin.call("POST", "/api/webhooks", {"url": "ftp://example.com/x", "events": EVENTS})
    assert status == 400 and bad["error"]["field"] == "url"
    status, bad = await admin.call("POST", "/api/webhooks", {"url": receiver.url, "events": ["interview.started"]})
    assert status == 400 and bad["error"]["field"] == "events"

    status, _ = await admin.call("DELETE", f"/api/webhooks/{hook_id}")
    assert status == 200
    status, _ = await admin.call("GET", f"/api/webhooks/{hook_id}/deliveries")
    assert status == 404
    actions = [e.action for e in await app[STORE].audit.entries(limit=50)]
    for action in ("webhook.created", "webhook.updated", "webhook.ping", "webhook.secret_rotated",
                   "webhook.redelivered", "webhook.deleted"):
        assert action in actions
    await admin.close()


async def test_only_administrators_manage_subscriptions(aiohttp_client, tmp_path, receiver):
    """HR, department heads and reviewers get 403 on every webhook route, strangers 401; nothing changes."""
    client = await aiohttp_client(create_app(settings(tmp_path), recognizer=FakeRecognizer()))
    admin = await staff(client, "admin@example.com", Role.ADMIN)
    hook_id, _ = await subscribe(admin, receiver.url)
    _, data = await admin.call("POST", f"/api/webhooks/{hook_id}/ping")
    delivery = data["delivery"]
    calls = [("GET", "/api/webhooks", None),
             ("POST", "/api/webhooks", {"url": receiver.url, "events": EVENTS}),
             ("GET", f"/api/webhooks/{hook_id}", None),
             ("PATCH", f"/api/webhooks/{hook_id}", {"active": False}),
             ("POST", f"/api/webhooks/{hook_id}/secret", None),
             ("POST", f"/api/webhooks/{hook_id}/ping", None),
             ("GET", f"/api/webhooks/{hook_id}/deliveries", None),
             ("POST", f"/api/webhooks/{hook_id}/deliveries/{delivery}/redeliver", None),
             ("DELETE", f"/api/webhooks/{hook_id}", None)]
    others = [await staff(client, "hr@example.com", Role.HR),
              await staff(client, "head@example.com", Role.DEPT_HEAD, {"QA"}),
              await staff(client, "rev@example.com", Role.REVIEWER, {"QA"})]
    stranger = Staff(client, "nobody")
    for member, expected in [*((m, 403) for m in others), (stranger, 401)]:
        for method, path, body in calls:
            status, _ = await member.call(method, path, body)
            assert status == expected, (member.email, method, path, status)
    _, listed = await admin.call("GET", "/api/webhooks")
    (hook,) = listed["webhooks"]
    assert hook["active"] is True and hook["id"] == hook_id
    for member in [*others, stranger, admin]:
        await member.close()


async def test_key_rotation_reseals_webhook_secrets(tmp_path, receiver):
    """`keys rotate --delete-old` re-seals the signing secret under the new master key: the old key file
    can go, and deliveries are still signed with the secret the administrator was shown."""
    from aiohttp.test_utils import TestClient, TestServer

    from signaling.key_rotation import rotate

    client = TestClient(TestServer(create_app(settings(tmp_path), recognizer=FakeRecognizer())))
    await client.start_server()
    admin = await staff(client, "admin@example.com", Role.ADMIN)
    _, secret = await subscribe(admin, receiver.url, ["interview.declined"])
    await admin.close()
    await client.close()

    report = await rotate(tmp_path / "data", delete_old=True)
    assert report.webhook_secrets == 1 and report.deleted_versions == (1,)

    client = TestClient(TestServer(create_app(settings(tmp_path), recognizer=FakeRecognizer())))
    await client.start_server()
    try:
        (_, sealed, version), = await client.server.app[STORE].webhooks.sealed_secrets()
        assert version == 2
        await decline(client, client.server.app)
        (got,) = await receiver.wait_ok()
        assert signed_with(secret, got.headers["Intervox-Signature"], got.body)
    finally:
        await client.close()
