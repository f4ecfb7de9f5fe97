"""A staff member's own account: choosing a password with an invitation or reset link (no
session needed: the link is the credential), and changing the password when signed in.

Setting a password ends every session of the account; changing it while signed in ends all the
others and gives the current one a new id. Guesses of the current password are throttled like
logins (they share the login limiter).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp import web

from . import auth
from .account_store import LinkPurpose
from .keys import LIMITERS, STORE
from .policy import Access, rule
from .ratelimit import client_key
from .security import json_error
from .sessions import STAFF_ROLES, require_session, set_session_cookie
from .validation import ValidationError

routes = web.RouteTableDef()


def _object(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ValidationError("body", "must be a JSON object")
    return payload


def _token(body: dict[str, Any]) -> str:
    token = body.get("token")
    if not isinstance(token, str) or not token or len(token) > 128:
        raise ValidationError("token", "is required")
    return token


def _new_password(body: dict[str, Any], field: str, email: str) -> str:
    password = body.get(field)
    if problem := auth.password_problem(password, email=email):
        raise ValidationError(field, problem)
    return password


def _link_invalid() -> web.Response:
    return json_error(404, "link_invalid", "this link is not valid any more: it was used, it expired, or a newer "
                                           "one was sent; ask an administrator for a new link")


@routes.post("/api/account/activation/check")
@rule(Access.PUBLIC)
async def check_link(request: web.Request) -> web.StreamResponse:
    """Whom a link is for, so the page can greet them; it does not use the link up."""
    link = await request.app[STORE].accounts.link(_token(_object(await request.json())))
    if link is None:
        return _link_invalid()
    return web.json_response({"purpose": link.purpose.value, "email": link.user.email,
                              "name": link.user.display_name, "expires_at": link.expires_at})


@routes.post("/api/account/activation")
@rule(Access.PUBLIC)
async def use_link(request: web.Request) -> web.StreamResponse:
    """Set the password with a link; the link is used up and every session of the account ends."""
    body = _object(await request.json())
    token = _token(body)
    store = request.app[STORE]
    link = await store.accounts.link(token)  # checked before the (deliberately slow) hashing
    if link is None:
        return _link_invalid()
    password = _new_password(body, "password", link.user.email)
    redeemed = await store.accounts.redeem(token, await asyncio.to_thread(auth.hash_password, password))
    if redeemed is None:  # used or disabled meanwhile
        return _link_invalid()
    link, ended = redeemed
    action = "account.activated" if link.purpose is LinkPurpose.ACTIVATE else "account.password_reset"
    await store.audit.record(action, user=link.user, sessions_ended=ended)
    return web.json_response({"email": link.user.email, "purpose": link.purpose.value})


@routes.post("/api/account/password")
@rule(Access.SIGNED_IN)
async def change_password(request: web.Request) -> web.StreamResponse:
    session = await require_session(request, STAFF_ROLES)
    body = _object(await request.json())
    current = body.get("current_password")
    if not isinstance(current, str) or not current or len(current) > auth.MAX_PASSWORD_CHARS:
        raise ValidationError("current_password", "is required")
    new = _new_password(body, "new_password", session.user.email)
    if new == current:
        raise ValidationError("new_password", "must differ from the current password")
    store, limiter = request.app[STORE], request.app[LIMITERS].login
    address = client_key(request.remote or "unknown")
    decision = limiter.attempt(session.user.email, address, now=time.monotonic())
    if not decision.allowed:
        return json_error(429, "too_many_attempts", "too many attempts; wait before trying again",
                          retry_after=round(decision.retry_after))
    found = await store.user_credentials(session.user.email)
    if not await asyncio.to_thread(auth.verify_password, found[1] if found else None, current):
        await store.audit.record("account.password_change_failed", user=session.user)
        return json_error(400, "wrong_password", "the current password is not right", field="current_password")
    limiter.succeeded(session.user.email, address, now=time.monotonic())
    new_id = auth.new_secret()
    ended = await store.accounts.change_password(session.user.id, await asyncio.to_thread(auth.hash_password, new),
                                                 current=session.id_hash, rotated=auth.digest(new_id))
    await store.audit.record("account.password_changed", user=session.user, other_sessions_ended=ended)
    response = web.json_response({"other_sessions_ended": ended})
    set_session_cookie(request, response, new_id)
    return response
