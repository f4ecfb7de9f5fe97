"""Staff sessions against the real application: the cookie's attributes, idle and absolute expiry,
rotation, and everything that ends sessions (log-out, disabling, a password change)."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest
from fakes import FakeRecognizer
from staff_accounts import PASSWORD, add_user, base_of, cookie, me_status, signed_in, status_with_cookie
from staff_http import staff_session

from signaling.app import create_app
from signaling.config import Settings
from signaling.keys import STORE
from signaling.records import Role
from signaling.sessions import COOKIE_NAME, IDLE_SECONDS, MAX_SECONDS


@pytest.fixture
async def client(aiohttp_client, tmp_path):
    return await aiohttp_client(create_app(Settings(data_dir=tmp_path / "data"), recognizer=FakeRecognizer()))


def set_cookie(response) -> str:
    (header,) = response.headers.getall("Set-Cookie")
    return header


async def test_the_session_cookie_is_host_prefixed_secure_httponly_and_strict(client):
    """Log-in sets __Host-…; Secure; HttpOnly; SameSite=Strict; Path=/ and no Domain; log-out expires it alike."""
    await add_user(client, "rita@example.com")
    async with staff_session(base_of(client)) as http:
        async with http.post("/api/login", json={"email": "rita@example.com", "password": PASSWORD}) as r:
            header = set_cookie(r)
        morsel = SimpleCookie(header)[COOKIE_NAME]
        assert COOKIE_NAME.startswith("__Host-") and len(morsel.value) >= 43
        assert morsel["secure"] and morsel["httponly"] and morsel["samesite"] == "Strict"
        assert morsel["path"] == "/" and not morsel["domain"]
        async with http.post("/api/logout") as r:
            gone = SimpleCookie(set_cookie(r))[COOKIE_NAME]
        assert gone.value == "" and gone["max-age"] == "0"
        assert gone["secure"] and gone["path"] == "/", "browsers ignore a __Host- deletion without Secure and Path=/"


async def test_idle_sessions_expire(client):
    """A session unused for longer than the idle limit is refused and deleted; one just inside it lives."""
    await add_user(client, "rita@example.com")
    http = await signed_in(client, "rita@example.com")
    store = client.server.app[STORE]
    await store.run("UPDATE sessions SET last_seen_at = last_seen_at - ?", (IDLE_SECONDS - 60,))
    assert await me_status(http) == 200, "29 minutes idle is still within the limit"
    await store.run("UPDATE sessions SET last_seen_at = last_seen_at - ?", (IDLE_SECONDS + 1,))
    assert await me_status(http) == 401
    assert (await store.one("SELECT count(*) FROM sessions"))[0] == 0, "the expired session is deleted"
    await http.close()


async def test_sessions_end_at_their_absolute_lifetime_even_when_busy(client):
    """A session older than the absolute limit is refused although it was used a moment ago."""
    await add_user(client, "rita@example.com")
    http = await signed_in(client, "rita@example.com")
    store = client.server.app[STORE]
    await store.run("UPDATE sessions SET created_at = created_at - ?", (MAX_SECONDS - 60,))
    assert await me_status(http) == 200
    await store.run("UPDATE sessions SET created_at = created_at - 61")
    assert await me_status(http) == 401
    await http.close()


async def test_log_in_issues_a_new_id_and_log_out_ends_the_session_on_the_server(client):
    """Signing in again replaces the id (the old one is dead); after log-out a copied id is worthless."""
    await add_user(client, "rita@example.com")
    http = await signed_in(client, "rita@example.com")
    first = cookie(http)
    async with http.post("/api/login", json={"email": "rita@example.com", "password": PASSWORD}) as r:
        assert r.status == 200
    second = cookie(http)
    assert second != first
    assert await status_with_cookie(client, first) == 401
    assert await status_with_cookie(client, second) == 200
    async with http.post("/api/logout") as r:
        assert r.status == 200
    assert await status_with_cookie(client, second) == 401, "log-out deletes the session, not just the cookie"
    await http.close()


async def test_disabling_ends_every_session_at_once(client):
    """Two open sessions die when an admin disables the account; it cannot sign in; enabling revives nothing."""
    await add_user(client, "admin@example.com", Role.ADMIN, frozenset())
    user_id = await add_user(client, "rita@example.com")
    admin = await signed_in(client, "admin@example.com")
    laptop, phone = await signed_in(client, "rita@example.com"), await signed_in(client, "rita@example.com")
    old = cookie(laptop)
    async with admin.post(f"/api/users/{user_id}/disable") as r:
        body = await r.json()
        assert r.status == 200 and body["sessions_ended"] == 2 and body["user"]["status"] == "disabled"
    assert await me_status(laptop) == 401 and await me_status(phone) == 401
    async with staff_session(base_of(client)) as http:
        async with http.post("/api/login", json={"email": "rita@example.com", "password": PASSWORD}) as r:
            assert r.status == 401 and (await r.json())["error"]["code"] == "bad_credentials", "no hint it exists"
    async with admin.post(f"/api/users/{user_id}/enable") as r:
        assert r.status == 200 and (await r.json())["user"]["status"] == "active"
    assert await status_with_cookie(client, old) == 401, "re-enabling does not bring old sessions back"
    again = await signed_in(client, "rita@example.com")
    assert await me_status(again) == 200
    audit = await client.server.app[STORE].audit.entries(action="user.disabled")
    assert audit[0].target == "rita@example.com" and audit[0].detail == {"sessions_ended": 2}
    for http in (admin, laptop, phone, again):
        await http.close()


async def test_changing_the_password_ends_the_other_sessions_and_rotates_this_one(client):
    """The current session continues under a new id; the other device is signed out; the old password is dead."""
    await add_user(client, "rita@example.com")
    laptop, phone = await signed_in(client, "rita@example.com"), await signed_in(client, "rita@example.com")
    before = cookie(laptop)
    new_password = "correct horse battery staple"
    async with laptop.post("/api/account/password",
                           json={"current_password": PASSWORD, "new_password": new_password}) as r:
        assert r.status == 200 and (await r.json()) == {"other_sessions_ended": 1}
    assert cookie(laptop) != before and await status_with_cookie(client, before) == 401
    assert await me_status(laptop) == 200 and await me_status(phone) == 401
    async with staff_session(base_of(client)) as http:
        async with http.post("/api/login", json={"email": "rita@example.com", "password": PASSWORD}) as r:
            assert r.status == 401
    fresh = await signed_in(client, "rita@example.com", new_password)  # asserts the log-in works
    await fresh.close()
    entry = (await client.server.app[STORE].audit.entries(action="account.password_changed"))[0]
    assert entry.actor == "rita@example.com" and entry.detail == {"other_sessions_ended": 1}
    await laptop.close()
    await phone.close()


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"current_password": "", "new_password": "correct horse battery staple"}, "current_password", "is required"),
    ({"current_password": PASSWORD, "new_password": "short"}, "new_password", "must be at least 12 characters"),
    ({"current_password": PASSWORD, "new_password": "rita@example.com"}, "new_password",
     "must not be your e-mail address"),
    ({"current_password": PASSWORD, "new_password": "abababababababab"}, "new_password",
     "must not repeat the same few characters"),
    ({"current_password": PASSWORD, "new_password": PASSWORD}, "new_password",
     "must differ from the current password"),
])
async def test_a_new_password_is_checked(client, body, field, message):
    """Weak or unchanged passwords are refused with the field and the reason."""
    await add_user(client, "rita@example.com")
    http = await signed_in(client, "rita@example.com")
    async with http.post("/api/account/password", json=body) as r:
        error = (await r.json())["error"]
        assert r.status == 400 and (error["field"], error["message"]) == (field, message)
    await http.close()


async def test_guessing_the_current_password_is_throttled_like_a_login(client):
    """A stolen session cannot test passwords quickly: five wrong guesses, then 429 with a short wait."""
    await add_user(client, "rita@example.com")
    http = await signed_in(client, "rita@example.com")
    body = {"current_password": "not my password", "new_password": "correct horse battery staple"}
    for _ in range(5):
        async with http.post("/api/account/password", json=body) as r:
            assert r.status == 400 and (await r.json())["error"]["code"] == "wrong_password"
    async with http.post("/api/account/password", json=body) as r:
        error = (await r.json())["error"]
        assert r.status == 429 and 0 < error["retry_after"] <= 180
    await http.close()


async def test_signing_in_from_a_plain_http_address_elsewhere_says_why_it_cannot_work(client):
    """Browsers drop Secure cookies on http:// pages that are not this computer: refuse with a reason."""
    await add_user(client, "rita@example.com")
    lan = {"Host": "192.0.2.2:8080", "Origin": "http://192.0.2.2:8080"}
    async with staff_session(base_of(client)) as http:
        async with http.post("/api/login", headers=lan,
                             json={"email": "rita@example.com", "password": PASSWORD}) as r:
            error = (await r.json())["error"]
            assert r.status == 400 and error["code"] == "insecure_origin" and "HTTPS" in error["message"]
            assert "Set-Cookie" not in r.headers
        local = {"Host": "localhost:8080", "Origin": "http://localhost:8080"}
        async with http.post("/api/login", headers=local,
                             json={"email": "rita@example.com", "password": PASSWORD}) as r:
            assert r.status == 200, "http://localhost is a secure context: the cookie is kept there"
