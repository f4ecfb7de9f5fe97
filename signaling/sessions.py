"""HTTP sessions for staff: the cookie, the current user, and role checks.

The cookie holds a random 256-bit id; the database holds only its SHA-256. Sessions expire
after an idle period and after an absolute lifetime, and a new id is issued at every login,
step-up and password change.

The cookie is always `__Host-intervox_session; Secure; HttpOnly; SameSite=Strict; Path=/`:
- `__Host-` + Secure: only ever sent over HTTPS, set by this exact host, for the whole site.
  Browsers treat http://127.0.0.1 and http://localhost as secure, so `make run` works as is;
  from any other plain-HTTP address a browser drops the cookie, and the login says so (see
  `cookie_refused_reason`) instead of failing silently.
- SameSite=Strict: no cross-site request carries it, not even a top-level link. Every page is a
  static shell that fetches its data from this origin, so a link from an e-mail still lands
  signed in (those fetches are same-site); Lax would only add cross-site GET navigations.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
from dataclasses import dataclass

from aiohttp import web
from yarl import URL

from . import auth
from .keys import STORE
from .records import Role, User

IDLE_SECONDS = 30 * 60
MAX_SECONDS = 12 * 3600
STAFF_ROLES = frozenset(Role)
HR_ROLES = frozenset({Role.ADMIN, Role.HR})
ADMIN_ROLES = frozenset({Role.ADMIN})

COOKIE_NAME = "__Host-intervox_session"
_COOKIE = {"httponly": True, "secure": True, "samesite": "Strict", "path": "/"}


@dataclass(frozen=True)
class Session:
    user: User
    id_hash: str
    stepped_up_at: float | None


def session_id(request: web.Request) -> str | None:
    value = request.cookies.get(COOKIE_NAME)
    return value if value and len(value) <= 128 else None


async def current_session(request: web.Request) -> Session | None:
    value = session_id(request)
    if value is None:
        return None
    id_hash = auth.digest(value)
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


def _trustworthy_host(host: str | None) -> bool:
    if not host:
        return False
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cookie_refused_reason(request: web.Request) -> str | None:
    """Why the browser that sent `request` will drop a Secure cookie, or None if it keeps it.

    Browsers keep Secure cookies for https:// pages and for pages on this computer (loopback,
    localhost), which they treat as secure too. The page's address is the request's Origin.
    """
    origin = request.headers.get("Origin")
    if origin is None:
        return None  # not a browser page; the client decides what it keeps
    try:
        url = URL(origin)
    except ValueError:
        return "the page's address is not valid"
    if url.scheme == "https" or _trustworthy_host(url.host):
        return None
    return ("browsers keep the sign-in cookie only on https:// addresses and on this computer "
            "(http://127.0.0.1, http://localhost); serve Intervox over HTTPS (INTERVOX_PUBLIC_URL=https://…) "
            "or open it through an SSH tunnel")


def _insecure_origin(reason: str) -> web.HTTPBadRequest:
    body = {"error": {"code": "insecure_origin", "message": f"sign-in needs HTTPS: {reason}"}}
    return web.HTTPBadRequest(text=json.dumps(body, ensure_ascii=False), content_type="application/json")


async def log_in(request: web.Request, email: str, password: str) -> tuple[User, str] | None:
    """Check the credentials (off the event loop: Argon2 is deliberately slow); return a fresh session id."""
    if reason := cookie_refused_reason(request):
        raise _insecure_origin(reason)
    store = request.app[STORE]
    found = await store.user_credentials(email)
    password_hash = found[1] if found else None
    ok = await asyncio.to_thread(auth.verify_password, password_hash, password)
    if not ok or found is None or found[0].disabled:
        return None
    user = found[0]
    if auth.needs_rehash(password_hash):
        await store.set_password_hash(user.id, await asyncio.to_thread(auth.hash_password, password))
    old = session_id(request)
    if old:
        await store.delete_session(auth.digest(old))
    new_id = auth.new_secret()
    await store.create_session(auth.digest(new_id), user.id)
    return user, new_id


def set_session_cookie(request: web.Request, response: web.StreamResponse, new_id: str) -> None:
    response.set_cookie(COOKIE_NAME, new_id, max_age=MAX_SECONDS, **_COOKIE)


async def log_out(request: web.Request, response: web.StreamResponse) -> None:
    value = session_id(request)
    if value:
        await request.app[STORE].delete_session(auth.digest(value))
    # A __Host- cookie is only replaced (here: expired) by a Set-Cookie with the same attributes.
    response.del_cookie(COOKIE_NAME, **_COOKIE)
