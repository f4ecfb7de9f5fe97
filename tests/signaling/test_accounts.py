"""Staff account management against the real application: invitations by e-mail (through a real
SMTP server on loopback) or by a link shown once, activation, password resets, disabling, and
resetting the second factor — each audit-logged."""

from __future__ import annotations

import logging
import re
import time

import pytest
from fakes import FakeRecognizer
from smtp_server import smtp_server
from staff_accounts import PASSWORD, add_user, base_of, me_status, signed_in
from staff_http import staff_session

from signaling import totp
from signaling.account_store import LastActiveAdmin
from signaling.app import create_app
from signaling.config import Settings
from signaling.keys import STORE
from signaling.records import Role

NEW_PASSWORD = "a brand new passphrase"
INVITE = {"email": "rita@example.com", "name": "Rita Reviewer", "role": "reviewer", "departments": ["Engineering"]}


async def make_client(aiohttp_client, tmp_path, env: dict[str, str] | None = None):
    settings = Settings.from_env({"INTERVOX_DATA_DIR": str(tmp_path / "data"), **(env or {})})
    client = await aiohttp_client(create_app(settings, recognizer=FakeRecognizer()))
    await add_user(client, "admin@example.com", Role.ADMIN, frozenset())
    return client, await signed_in(client, "admin@example.com")


@pytest.fixture
async def setup(aiohttp_client, tmp_path):
    client, admin = await make_client(aiohttp_client, tmp_path)
    yield client, admin
    await admin.close()


def token_of(url: str) -> str:
    match = re.search(r"/account/activate#([A-Za-z0-9_-]{43})$", url)
    assert match, url
    return match.group(1)


async def post(http, path: str, body: dict | None = None) -> tuple[int, dict]:
    async with http.post(path, json=body if body is not None else {}) as r:
        return r.status, await r.json()


async def use_link(client, token: str, password: str = NEW_PASSWORD) -> tuple[int, dict]:
    async with staff_session(base_of(client)) as anyone:
        return await post(anyone, "/api/account/activation", {"token": token, "password": password})


async def user_json(admin, email: str) -> dict:
    async with admin.get("/api/users") as r:
        return next(u for u in (await r.json())["users"] if u["email"] == email)


async def test_invitation_by_e_mail_then_activation(aiohttp_client, tmp_path, caplog):
    """The mail carries the link (not the response); the link greets the person, sets the password once."""
    caplog.set_level(logging.INFO)  # tokens may appear at DEBUG at most
    async with smtp_server() as (inbox, env):
        client, admin = await make_client(aiohttp_client, tmp_path, env)
        status, body = await post(admin, "/api/users", INVITE)
        assert status == 201 and body["delivery"]["sent"] is True and body["delivery"]["url"] is None
        assert body["user"]["status"] == "invited" and body["user"]["invite_expires_at"]
        (mail,) = await inbox.wait_for(1)
    assert mail["To"] == "Rita Reviewer <rita@example.com>" and "Intervox" in mail["Subject"]
    text = mail.get_content()
    assert "72 hours" in text and "72 小时" in text, "in English and Chinese, with the expiry"
    token = token_of(re.search(r"http\S+/account/activate#\S+", text).group(0))
    assert token not in caplog.text, "the link is a secret: never logged"

    async with staff_session(base_of(client)) as anyone:
        status, whom = await post(anyone, "/api/account/activation/check", {"token": token})
        assert status == 200 and (whom["email"], whom["name"], whom["purpose"]) == \
            ("rita@example.com", "Rita Reviewer", "activate")
        status, error = await post(anyone, "/api/account/activation", {"token": token, "password": "too short"})
        assert status == 400 and error["error"]["field"] == "password"
        async with anyone.post("/api/login", json={"email": "rita@example.com", "password": "x"}) as r:
            assert r.status == 401, "no password works before activation"
    status, done = await use_link(client, token)
    assert status == 200 and done == {"email": "rita@example.com", "purpose": "activate"}
    status, again = await use_link(client, token, "yet another long passphrase")
    assert status == 404 and again["error"]["code"] == "link_invalid", "a link works once"
    rita = await signed_in(client, "rita@example.com", NEW_PASSWORD)
    assert await me_status(rita) == 200
    assert (await user_json(admin, "rita@example.com"))["status"] == "active"
    actions = [e.action for e in await client.server.app[STORE].audit.entries()]
    assert {"user.invited", "user.invite_sent", "account.activated"} <= set(actions)
    await rita.close()
    await admin.close()


async def test_without_smtp_the_admin_gets_the_link_once(setup):
    """No relay configured: the response holds the link (to pass on) and says why; the list never shows it."""
    client, admin = setup
    status, body = await post(admin, "/api/users", INVITE)
    assert status == 201 and body["delivery"]["sent"] is False
    assert body["delivery"]["problem"] == "not_configured" and token_of(body["delivery"]["url"])
    async with admin.get("/api/users") as r:
        listing = await r.json()
    assert listing["mail_configured"] is False and "activate#" not in str(listing)
    status, again = await post(admin, "/api/users", INVITE)
    assert status == 409 and again["error"]["field"] == "email"


async def test_an_unreachable_relay_falls_back_to_the_link(aiohttp_client, tmp_path):
    """The relay refuses: the account exists, the admin gets the link and the reason."""
    from smtp_server import free_port

    client, admin = await make_client(aiohttp_client, tmp_path, {
        "INTERVOX_SMTP_HOST": "127.0.0.1", "INTERVOX_SMTP_PORT": str(free_port()), "INTERVOX_SMTP_TLS": "none"})
    status, body = await post(admin, "/api/users", INVITE)
    assert status == 201 and body["delivery"]["sent"] is False and "could not be reached" in body["delivery"]["problem"]
    status, _ = await use_link(client, token_of(body["delivery"]["url"]))
    assert status == 200
    await admin.close()


async def test_expired_and_superseded_links_do_not_work(setup):
    """A link past its expiry, or replaced by a newer invitation, is refused; the newest works."""
    client, admin = setup
    _, body = await post(admin, "/api/users", INVITE)
    first = token_of(body["delivery"]["url"])
    user_id = body["user"]["id"]
    status, resent = await post(admin, f"/api/users/{user_id}/invite")
    second = token_of(resent["delivery"]["url"])
    assert status == 200 and second != first
    assert (await use_link(client, first))[0] == 404, "the earlier link stopped working"
    await client.server.app[STORE].run("UPDATE account_tokens SET expires_at = '2000-01-01T00:00:00.000Z'")
    status, error = await use_link(client, second)
    assert status == 404 and "expired" in error["error"]["message"]
    assert (await user_json(admin, "rita@example.com"))["status"] == "invited", "still waiting for activation"
    _, third = await post(admin, f"/api/users/{user_id}/invite")
    assert (await use_link(client, token_of(third["delivery"]["url"])))[0] == 200
    status, error = await post(admin, f"/api/users/{user_id}/invite")
    assert status == 409 and error["error"]["code"] == "not_invited", "an active account gets a reset instead"


async def test_password_reset_link(setup):
    """The current password works until the link is used; then only the new one, and sessions end."""
    client, admin = setup
    user_id = await add_user(client, "rita@example.com")
    rita = await signed_in(client, "rita@example.com")
    status, body = await post(admin, f"/api/users/{user_id}/password-reset")
    assert status == 200 and body["delivery"]["url"]
    assert await me_status(rita) == 200, "sending a reset does not sign anyone out"
    token = token_of(body["delivery"]["url"])
    async with staff_session(base_of(client)) as anyone:
        _, whom = await post(anyone, "/api/account/activation/check", {"token": token})
    assert whom["purpose"] == "reset_password"
    assert (await use_link(client, token))[0] == 200
    assert await me_status(rita) == 401, "setting a password through a link ends every session"
    async with staff_session(base_of(client)) as anyone:
        async with anyone.post("/api/login", json={"email": "rita@example.com", "password": PASSWORD}) as r:
            assert r.status == 401
    fresh = await signed_in(client, "rita@example.com", NEW_PASSWORD)
    entries = await client.server.app[STORE].audit.entries()
    assert [e.action for e in entries][:2] == ["account.password_reset", "user.password_reset_sent"]
    await fresh.close()
    await rita.close()


async def test_reset_and_invite_are_refused_in_the_wrong_state(setup):
    """No reset for an invited or a disabled account; the admin is told what to do instead."""
    client, admin = setup
    _, invited = await post(admin, "/api/users", INVITE)
    status, error = await post(admin, f"/api/users/{invited['user']['id']}/password-reset")
    assert status == 409 and error["error"]["code"] == "invited"
    user_id = await add_user(client, "otto@example.com")
    await post(admin, f"/api/users/{user_id}/disable")
    status, error = await post(admin, f"/api/users/{user_id}/password-reset")
    assert status == 409 and error["error"]["code"] == "disabled"
    assert (await post(admin, "/api/users/999999/disable"))[0] == 404


async def test_disabling_an_invited_account_kills_its_link(setup):
    """A disabled account's links stop at once; enabled again, it waits for a fresh invitation."""
    client, admin = setup
    _, body = await post(admin, "/api/users", INVITE)
    token, user_id = token_of(body["delivery"]["url"]), body["user"]["id"]
    status, disabled = await post(admin, f"/api/users/{user_id}/disable")
    assert status == 200 and disabled["user"]["status"] == "disabled" and disabled["user"]["disabled_at"]
    assert (await use_link(client, token))[0] == 404
    _, enabled = await post(admin, f"/api/users/{user_id}/enable")
    assert enabled["user"]["status"] == "invited" and enabled["user"]["invite_expires_at"] <= body["user"][
        "invite_expires_at"]
    assert (await use_link(client, token))[0] == 404, "enabling does not revive the old link"


async def test_admins_cannot_disable_themselves_or_the_last_active_admin(setup):
    """The server always keeps an administrator who can sign in."""
    client, admin = setup
    me = (await user_json(admin, "admin@example.com"))["id"]
    status, error = await post(admin, f"/api/users/{me}/disable")
    assert status == 409 and error["error"]["code"] == "own_account"
    store = client.server.app[STORE]
    first_admin = (await user_json(admin, "admin@intervox.local"))["id"]  # created at first start
    assert (await post(admin, f"/api/users/{first_admin}/disable"))[0] == 200
    with pytest.raises(LastActiveAdmin):
        await store.accounts.set_disabled(me, True)
    assert await me_status(admin) == 200


async def test_resetting_totp_forgets_the_authenticator_and_the_step_up(setup):
    """After a reset the user has no second factor, no step-up in force, and can enrol a new phone."""
    client, admin = setup
    user_id = await add_user(client, "rita@example.com")
    rita = await signed_in(client, "rita@example.com")
    async with rita.post("/api/totp/enroll") as r:
        secret = (await r.json())["secret"]
    async with rita.post("/api/totp/confirm", json={"code": totp.code_at(secret, totp.step_at(time.time()))}) as r:
        assert r.status == 200
    async with rita.get("/api/me") as r:
        assert (await r.json())["user"]["step_up_expires_in"] > 0
    status, body = await post(admin, f"/api/users/{user_id}/totp-reset")
    assert status == 200 and body["user"]["totp_enabled"] is False
    async with rita.get("/api/me") as r:
        me = (await r.json())["user"]
    assert me["totp_enabled"] is False and me["step_up_expires_in"] is None
    async with rita.post("/api/totp/enroll") as r:
        assert r.status == 200, "a new authenticator can be set up"
    entry = (await client.server.app[STORE].audit.entries(action="totp.reset"))[0]
    assert entry.actor == "admin@example.com" and entry.target == "rita@example.com"
    await rita.close()
