"""Origin checks and security headers against the real application: every kind of response carries
the headers (pages, static files, 404s, 405s, errors, redirects, refused WebSocket upgrades)."""

from __future__ import annotations

import aiohttp
import pytest
from fakes import FakeRecognizer
from staff_accounts import PASSWORD, add_user, base_of, signed_in
from staff_http import staff_session

from signaling.app import create_app
from signaling.config import ConfigError, Settings
from signaling.keys import STORE
from signaling.records import Role

REQUIRED = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def make_app(tmp_path, **settings) -> aiohttp.web.Application:
    app = create_app(Settings(data_dir=tmp_path / "data", **settings), recognizer=FakeRecognizer())

    async def boom(request):
        raise RuntimeError("a bug in a handler")

    app.router.add_get("/test-only/boom", boom)  # how an unexpected error reaches the client
    return app


@pytest.fixture
async def client(aiohttp_client, tmp_path):
    return await aiohttp_client(make_app(tmp_path))


def missing_headers(headers) -> list[str]:
    return [name for name, needle in REQUIRED.items() if needle not in headers.get(name, "")]


async def test_every_kind_of_response_carries_the_security_headers(client):
    """Pages, static files, 404, 405, 401, a redirect, a HEAD, a server error and a refused upgrade."""
    base = base_of(client)
    seen = {}
    async with aiohttp.ClientSession(base_url=base) as http:
        for method, path in (("GET", "/login"), ("GET", "/account/activate"), ("GET", "/static/hr.js"),
                             ("GET", "/static/no-such-file.js"), ("GET", "/no-such-page"), ("DELETE", "/login"),
                             ("GET", "/api/me"), ("GET", "/"), ("HEAD", "/hr"), ("GET", "/test-only/boom"),
                             ("GET", "/ws")):
            async with http.request(method, path, allow_redirects=False) as r:
                await r.read()
                seen[f"{method} {path} → {r.status}"] = missing_headers(r.headers)
        for origin in ("https://attacker.example", None):
            try:
                await http.ws_connect("/ws", origin=origin)
            except aiohttp.WSServerHandshakeError as refused:
                seen[f"WebSocket from {origin} → {refused.status}"] = missing_headers(refused.headers)
    statuses = sorted(seen)
    assert any("→ 500" in s for s in statuses) and any("→ 405" in s for s in statuses)
    assert any("→ 404" in s for s in statuses) and any("WebSocket from None → 403" in s for s in statuses)
    assert {k: v for k, v in seen.items() if v} == {}, statuses


async def test_hsts_only_when_served_over_https(aiohttp_client, tmp_path):
    """No HSTS on http://127.0.0.1 (it would mean nothing); HSTS behind a TLS proxy at an https:// address."""
    plain = await aiohttp_client(make_app(tmp_path / "a"))
    async with plain.get("/login") as r:
        assert "Strict-Transport-Security" not in r.headers
    behind_tls = await aiohttp_client(make_app(tmp_path / "b", public_url="https://intervox.example"))
    for path in ("/login", "/static/hr.js", "/no-such-page"):
        async with behind_tls.get(path) as r:
            assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000"), path


async def test_sign_in_behind_a_tls_proxy(aiohttp_client, tmp_path):
    """The proxy forwards plain HTTP; the page is on https://, so the Secure cookie is kept and sent."""
    client = await aiohttp_client(make_app(tmp_path, public_url="https://intervox.example"))
    await add_user(client, "rita@example.com")
    async with staff_session(base_of(client)) as http:
        async with http.post("/api/login", headers={"Origin": "https://intervox.example"},
                             json={"email": "rita@example.com", "password": PASSWORD}) as r:
            assert r.status == 200, await r.text()


async def test_writes_need_the_servers_own_origin(client):
    """A foreign Origin is refused; no Origin is refused when a session cookie comes along (a browser
    always sends one), and allowed for a client without cookies (a script has nothing to borrow)."""
    await add_user(client, "admin@example.com", Role.ADMIN, frozenset())
    admin = await signed_in(client, "admin@example.com")
    body = {"email": "new@example.com", "name": "New", "role": "hr", "departments": []}
    async with admin.post("/api/users", json=body, headers={"Origin": "https://attacker.example"}) as r:
        assert r.status == 403 and (await r.json())["error"]["code"] == "cross_origin"
    async with admin.post("/api/users", json=body, headers={"Origin": "null"}) as r:
        assert r.status == 403, "a sandboxed page's opaque origin is foreign too"
    async with aiohttp.ClientSession(base_url=base_of(client), cookie_jar=admin.cookie_jar) as no_origin:
        async with no_origin.post("/api/users", json=body) as r:
            assert r.status == 403 and (await r.json())["error"]["code"] == "origin_required"
        async with no_origin.post("/api/logout") as r:
            assert r.status == 403, "not even log-out: a foreign page could sign people out"
    assert not await client.server.app[STORE].staff.email_taken("new@example.com")
    async with aiohttp.ClientSession(base_url=base_of(client)) as script:
        async with script.post("/api/login", json={"email": "admin@example.com", "password": "wrong"}) as r:
            assert r.status == 401, "no cookie, no Origin: a script, judged on its credentials"
    async with admin.post("/api/users", json=body) as r:
        assert r.status == 201, "the same write from the own origin works"
    await admin.close()


def test_the_old_secure_cookies_setting_is_accepted_when_true_and_explained_when_false():
    """INTERVOX_SECURE_COOKIES=true is now the only behaviour; false fails with what to do instead."""
    Settings.from_env({"INTERVOX_SECURE_COOKIES": "true"})
    with pytest.raises(ConfigError, match="no longer supported.*127.0.0.1.*HTTPS"):
        Settings.from_env({"INTERVOX_SECURE_COOKIES": "false"})
