"""Login throttling through the real HTTP stack, from several real client addresses (127.0.0.x):
an attack spread over many addresses slows the account down but cannot lock its owner out.

The limiter's arithmetic is unit-tested in test_ratelimit.py; this pins that the application feeds it
the right account and address and answers 429 with an honest retry_after."""

from __future__ import annotations

import time

import aiohttp
import pytest
from fakes import FakeRecognizer
from staff_accounts import PASSWORD, add_user, base_of
from staff_http import cookie_jar

from signaling import ratelimit
from signaling.app import create_app
from signaling.config import Settings

OWNER = "rita@example.com"


@pytest.fixture
async def client(aiohttp_client, tmp_path):
    return await aiohttp_client(create_app(Settings(data_dir=tmp_path / "data"), recognizer=FakeRecognizer()))


async def attempt(client, address: str, password: str) -> tuple[int, dict]:
    """One log-in as the owner from `address` (a loopback address the connection really comes from)."""
    base = base_of(client)
    connector = aiohttp.TCPConnector(local_addr=(address, 0))
    async with aiohttp.ClientSession(base_url=base, connector=connector, cookie_jar=cookie_jar(base),
                                     headers={"Origin": base}) as http:
        async with http.post("/api/login", json={"email": OWNER, "password": password}) as r:
            return r.status, await r.json()


async def test_a_distributed_attack_slows_the_account_but_the_owner_still_gets_in(client):
    """Ten addresses spend the account's hourly budget; an eleventh is told to wait about a minute;
    the owner, at the address they signed in from before, gets in at once."""
    await add_user(client, OWNER)
    assert (await attempt(client, "127.0.0.1", PASSWORD))[0] == 200  # the owner's usual address, now known
    budget, pair = ratelimit.LOGIN.per_account.attempts, ratelimit.LOGIN.per_pair.attempts
    attackers = [f"127.0.0.{n}" for n in range(2, 2 + budget // pair)]
    for address in attackers:
        for _ in range(pair):
            status, _ = await attempt(client, address, "guess")
            assert status == 401
        status, body = await attempt(client, address, "guess")
        assert status == 429 and body["error"]["retry_after"] <= ratelimit.LOGIN.per_pair.interval
    status, body = await attempt(client, "127.0.0.100", "guess")
    assert status == 429, "the account's budget for new addresses is spent"
    assert 0 < body["error"]["retry_after"] <= ratelimit.LOGIN.per_account.interval + 1
    status, body = await attempt(client, "127.0.0.1", PASSWORD)
    assert status == 200, f"the owner at a known address is not locked out: {body}"
    status, body = await attempt(client, "127.0.0.101", PASSWORD)
    assert status == 429 and body["error"]["retry_after"] <= ratelimit.LOGIN.per_account.interval + 1, \
        "the owner at a new address is slowed for at most one interval, not locked"


async def test_guessing_totp_codes_is_throttled_with_an_honest_wait(client):
    """With the password known, codes can still not be tried quickly: five, then 429 and an audit entry."""
    from staff_accounts import signed_in

    from signaling import totp
    from signaling.keys import STORE

    await add_user(client, OWNER)
    http = await signed_in(client, OWNER)
    async with http.post("/api/totp/enroll") as r:
        secret = (await r.json())["secret"]
    step = totp.step_at(time.time())
    async with http.post("/api/totp/confirm", json={"code": totp.code_at(secret, step)}) as r:
        assert r.status == 200
    wrong = f"{(int(totp.code_at(secret, step + 5)) + 1) % 1_000_000:06d}"
    for _ in range(ratelimit.TOTP.per_pair.attempts):
        async with http.post("/api/step-up", json={"code": wrong}) as r:
            assert r.status == 400
    async with http.post("/api/step-up", json={"code": totp.code_at(secret, step + 1)}) as r:
        body = await r.json()
        assert r.status == 429 and 0 < body["error"]["retry_after"] <= ratelimit.TOTP.per_pair.interval
    assert await client.server.app[STORE].audit.entries(action="totp.throttled")
    await http.close()
