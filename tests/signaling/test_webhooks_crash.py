"""A server killed with SIGKILL after an event was committed but before it was delivered delivers
it after the restart (the real server process, the real receiver on loopback)."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from harness import ServerProcess
from webhook_receiver import Receiver, signed_with
from wsclient import Candidate

ENV = {"INTERVOX_WEBHOOK_RETRY_SECONDS": "0.5"}


class Admin:
    """The JSON API as the first administrator (the session cookie carried by hand: it is Secure)."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.http = aiohttp.ClientSession(base_url=server.base_url, headers={"Origin": server.base_url})
        self.cookie: dict[str, str] = {}

    async def call(self, method: str, path: str, body=None) -> dict:
        async with self.http.request(method, path, json=body, headers=self.cookie) as r:
            for morsel in r.cookies.values():
                self.cookie = {"Cookie": f"{morsel.key}={morsel.value}"}
            data = await r.json()
            assert r.status < 400, (method, path, r.status, data)
            return data

    async def login(self) -> Admin:
        await self.call("POST", "/api/login", {"email": self.server.admin_email,
                                               "password": self.server.admin_password})
        return self

    async def close(self) -> None:
        await self.http.close()


@pytest.mark.timeout(300)
async def test_an_event_committed_before_a_kill_is_delivered_after_the_restart(tmp_path):
    """The receiver is down (503) when the candidate declines, so the event is committed and pending;
    the server is SIGKILLed, the receiver comes up, and the restarted server delivers the same delivery."""
    receiver = await Receiver(up=False).start()
    data_dir = tmp_path / "data"
    server = ServerProcess(data_dir, extra_env=ENV)
    credentials = (server.admin_email, server.admin_password)
    try:
        admin = await Admin(server).login()
        hook = await admin.call("POST", "/api/webhooks", {"url": receiver.url, "events": ["interview.declined"]})
        job = (await admin.call("POST", "/api/jobs", {"title": "Crash", "department": "QA", "language": "en",
                                                     "questions": [{"text": "Why us?", "think_seconds": 10,
                                                                    "answer_seconds": 60}]}))["job"]
        invite = await admin.call("POST", "/api/interviews", {"job_id": job["id"], "candidate_name": "Kim",
                                                             "candidate_email": "kim@example.com"})
        candidate = Candidate(await admin.http.ws_connect("/ws"))
        await candidate.hello(invite["invite_url"].split("#")[1])
        await candidate.send("consent", accept=False)
        await candidate.expect("state", status="declined")
        await candidate.close()
        # The receiver refused the first attempt: the event is committed, and not delivered.
        await receiver.wait_for(lambda got: len(got) >= 1, timeout=30)
        server.kill()
        await admin.close()
    finally:
        if server.proc.poll() is None:
            server.stop()
    refused = receiver.received[0]
    assert receiver.ok() == [] and refused.answered == 503

    receiver.up = True
    restarted = ServerProcess(data_dir, admin=credentials, extra_env=ENV)
    try:
        (got,) = await receiver.wait_ok(timeout=60)
        assert got.delivery == refused.delivery and got.body == refused.body, "the same delivery, resumed"
        assert got.event["type"] == "interview.declined"
        assert got.event["data"]["interview"]["id"] == invite["interview"]["id"]
        assert signed_with(hook["secret"], got.headers["Intervox-Signature"], got.body)
        admin = await Admin(restarted).login()
        for _ in range(100):
            log = await admin.call("GET", f"/api/webhooks/{hook['webhook']['id']}/deliveries")
            if log["deliveries"][0]["status"] == "delivered":
                break
            await asyncio.sleep(0.1)
        (delivery,) = log["deliveries"]
        # The refused attempt is in the log only if the kill came after it was written down.
        assert delivery["status"] == "delivered" and delivery["attempt_log"][-1]["status_code"] == 200
        await admin.close()
    finally:
        code = restarted.stop()
        await receiver.stop()
    assert code == 0 and "Traceback" not in restarted.log(), restarted.log()[-3000:]
    assert hook["secret"] not in restarted.log(), "the secret is never logged"
