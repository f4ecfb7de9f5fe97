"""HTTP sessions for staff: the cookie, the current user, and role checks.

The cookie holds a random 256-bit id; the database holds only its SHA-256. Sessions expire
after an idle period and after an absolute lifetime, and a new id is issued at every login.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiohttp import web

from . import auth
from .keys import SETTINGS, STORE
from .records import Role, User

IDLE_SECONDS = 30 * 60
MAX_SECONDS = 12 * 3600
STAFF_ROLES = frozenset(Role)
HR_ROLES = frozenset({Role.ADMIN, Role.HR})


def cookie_name(request: web.Request) -> str:
    # The __Host- prefix makes the browser insist on Secure, Path=/ and no Domain attribute.
    return "__Host-intervox_session" if request.app[SETTINGS].secure_cookies else "intervox_session"


@dataclass(frozen=True)
class Session:
    user: User
    id_hash: str
    stepped_up_at: float | None


async def current_session(request: web.Request) -> Session | None:
    session_id = request.cookies.get(cookie_name(request))
    if not session_id or len(session_id) > 128:
        return None
    id_hash = auth.digest(session_id)
    found = await request.app[STORE].session(id_hash, idle_seconds=IDLE_SECONDS, max_seconds=MAX_SECONDS)
    return Session(found[0], id_hash, found[1]) if found else None


async def current_user(request: web.Request) -> User | None:
    session = await current_session(request)
    return session.user if session else None


async def require(request: web.Request, roles: frozenset[Role]) -> User:
    """The logged-in user if their role is in `roles`; 401 or 403 otherwise."""
    return (await require_session(request, roles)).user


async def require_session(request: web.Request, roles: frozenset[Role]) -> Session:
    """The logged-in user's session if their role is in `roles`; 401 or 403 otherwise."""
    session = await current_session(request)
    user = session.user if session else None
    if user is None:
        raise web.HTTPUnauthorized(text='{"error":{"code":"unauthenticated","message":"please log in"}}',
                                   content_type="application/json")
    if user.role not in roles:
        raise web.HTTPForbidden(text='{"error":{"code":"forbidden","message":"your role may not do this"}}',
                                content_type="application/json")
    return session


async def log_in(request: web.Request, email: str, password: str) -> tuple[User, str] | None:
    """Check the credentials (off the event loop: Argon2 is deliberately slow); return a fresh session id."""
    store = request.app[STORE]
    found = await store.user_credentials(email)
    password_hash = found[1] if found else None
    ok = await asyncio.to_thread(auth.verify_password, password_hash, password)
    if not ok or found is None or found[0].disabled:
        return None
    user = found[0]
    if auth.needs_rehash(password_hash):
        await store.set_password_hash(user.id, await asyncio.to_thread(auth.hash_password, password))
    old = request.cookies.get(cookie_name(request))
    if old:
        await store.delete_session(auth.digest(old))
    session_id = auth.new_secret()
    await store.create_session(auth.digest(session_id), user.id)
    return user, session_id


def set_session_cookie(request: web.Request, response: web.StreamResponse, session_id: str) -> None:
    secure = request.app[SETTINGS].secure_cookies
    response.set_cookie(cookie_name(request), session_id, httponly=True, secure=secure, samesite="Strict",
                        path="/", max_age=MAX_SECONDS)


async def log_out(request: web.Request, response: web.StreamResponse) -> None:
    session_id = request.cookies.get(cookie_name(request))
    if session_id:
        await request.app[STORE].delete_session(auth.digest(session_id))
    response.del_cookie(cookie_name(request), path="/")
