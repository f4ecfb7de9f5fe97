"""Second factor over HTTP: TOTP enrolment, confirmation and the step-up that opens recordings.

Enrolment stores a new secret sealed under the master key and shows it once (QR code and the
key to type); the first valid code enables it. A step-up — a fresh valid code — stamps the
session and rotates its id; recordings open for 15 minutes after it. Codes work once, and
failed attempts are throttled (signaling.ratelimit.TOTP) without locking the user out.
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web

from . import auth, totp
from .access import step_up_expires
from .keys import KEYRING, LIMITERS, STORE
from .policy import Access, rule
from .ratelimit import client_key
from .security import json_error
from .sessions import STAFF_ROLES, Session, require_session, set_session_cookie

routes = web.RouteTableDef()


def _code(payload: Any) -> str:
    if not isinstance(payload, dict) or not isinstance(payload.get("code"), str) or len(payload["code"]) > 20:
        raise web.HTTPBadRequest(text='{"error":{"code":"invalid","message":"send the 6-digit code","field":"code"}}',
                                 content_type="application/json")
    return payload["code"]


async def _check_code(request: web.Request, session: Session, code: str, *, enable: bool) -> web.Response | None:
    """None if `code` is a fresh valid code (and record its step); an error response otherwise."""
    store, keyring = request.app[STORE], request.app[KEYRING]
    limiter = request.app[LIMITERS].totp
    address = client_key(request.remote or "unknown")
    decision = limiter.attempt(session.user.email, address, now=time.monotonic())
    if not decision.allowed:
        await store.audit.record("totp.throttled", user=session.user)
        return json_error(429, "too_many_attempts", "too many codes tried; wait before trying again",
                          retry_after=round(decision.retry_after))
    sealed, version, enabled, last_step = await store.staff.totp_state(session.user.id)
    if sealed is None or enabled == enable:  # confirming needs a pending secret, a step-up an enabled one
        return json_error(409, "totp_state", "two-step verification is not in the state this request needs")
    secret = totp.open_secret(sealed, key=keyring.totp_key(version), user_id=session.user.id)
    step = totp.verify(secret, code, now=time.time(), last_used_step=last_step)
    if step is None or not await store.staff.accept_totp_step(session.user.id, step, enable=enable):
        await store.audit.record("totp.failed", user=session.user)
        return json_error(400, "bad_code", "that code is not right, or was already used", field="code")
    limiter.succeeded(session.user.email, address, now=time.monotonic())
    return None


async def _step_up(request: web.Request, session: Session, action: str) -> web.Response:
    """Rotate the session id, stamp the step-up, and say until when recordings are open."""
    new_id = auth.new_secret()
    await request.app[STORE].staff.mark_stepped_up(session.id_hash, auth.digest(new_id))
    await request.app[STORE].audit.record(action, user=session.user)
    response = web.json_response({"stepped_up": True, "expires_in": round(step_up_expires(time.time(), time.time()))})
    set_session_cookie(request, response, new_id)
    return response


@routes.post("/api/totp/enroll")
@rule(Access.SIGNED_IN)
async def enroll(request: web.Request) -> web.StreamResponse:
    session = await require_session(request, STAFF_ROLES)
    store, keyring = request.app[STORE], request.app[KEYRING]
    _, _, enabled, _ = await store.staff.totp_state(session.user.id)
    if enabled:
        return json_error(409, "totp_enabled", "two-step verification is already set up; ask an admin to reset it")
    secret = totp.new_secret()
    version = keyring.current_version
    await store.staff.set_pending_totp(
        session.user.id, totp.seal_secret(secret, key=keyring.totp_key(version), user_id=session.user.id), version
    )
    uri = totp.provisioning_uri(secret, session.user.email)
    await store.audit.record("totp.enrolment_started", user=session.user)
    response = web.json_response({"secret": secret, "uri": uri, "qr_svg": totp.qr_svg(uri)})
    response.headers["Cache-Control"] = "no-store"
    return response


@routes.post("/api/totp/confirm")
@rule(Access.SIGNED_IN)
async def confirm(request: web.Request) -> web.StreamResponse:
    session = await require_session(request, STAFF_ROLES)
    problem = await _check_code(request, session, _code(await request.json()), enable=True)
    return problem or await _step_up(request, session, "totp.enabled")


@routes.post("/api/step-up")
@rule(Access.SIGNED_IN)
async def step_up(request: web.Request) -> web.StreamResponse:
    session = await require_session(request, STAFF_ROLES)
    problem = await _check_code(request, session, _code(await request.json()), enable=False)
    return problem or await _step_up(request, session, "totp.step_up")
