"""Helpers for tests of staff accounts against the real application: add a user, sign in."""

from __future__ import annotations

import aiohttp
from staff_http import staff_session

from signaling import auth
from signaling.keys import STORE
from signaling.records import Role
from signaling.sessions import COOKIE_NAME

PASSWORD = "a long enough password"


def base_of(client) -> str:
    return str(client.make_url("/")).rstrip("/")


async def add_user(client, email: str, role: Role = Role.REVIEWER, departments: frozenset[str] = frozenset({"QA"}),
                   password: str = PASSWORD) -> int:
    staff = await client.server.app[STORE].staff.create(email=email, display_name=email.split("@")[0], role=role,
                                                        departments=departments,
                                                        password_hash=auth.hash_password(password))
    return staff.user.id


async def signed_in(client, email: str, password: str = PASSWORD, **kwargs) -> aiohttp.ClientSession:
    """A new browser-like client, signed in as `email`."""
    http = staff_session(base_of(client), **kwargs)
    async with http.post("/api/login", json={"email": email, "password": password}) as r:
        assert r.status == 200, await r.text()
    return http


def cookie(http: aiohttp.ClientSession) -> str | None:
    return next((c.value for c in http.cookie_jar if c.key == COOKIE_NAME and c.value), None)


async def status_with_cookie(client, value: str | None) -> int:
    """What /api/me answers to a bare session id (as if copied out of a browser)."""
    async with staff_session(base_of(client)) as http:
        http.cookie_jar.update_cookies({COOKIE_NAME: value or ""})
        async with http.get("/api/me") as r:
            return r.status


async def me_status(http: aiohttp.ClientSession) -> int:
    async with http.get("/api/me") as r:
        return r.status
