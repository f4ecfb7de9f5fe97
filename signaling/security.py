"""Middlewares every response passes through: security headers, Origin checks, JSON errors."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from .keys import SETTINGS
from .sessions import COOKIE_NAME
from .validation import ValidationError

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob: mediastream:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def json_error(status: int, code: str, message: str, **extra: object) -> web.Response:
    body = {"error": {"code": code, "message": message, **extra}}
    return web.Response(status=status, text=json.dumps(body), content_type="application/json")


def _own_origins(request: web.Request) -> set[str]:
    settings = request.app[SETTINGS]
    return {settings.base_url, f"{request.scheme}://{request.host}"}


def _carries_session(request: web.Request) -> bool:
    return COOKIE_NAME in request.cookies


@web.middleware
async def origin_check(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse cross-site writes and WebSocket handshakes (CSRF and cross-site WebSocket hijacking).

    Browsers send Origin with every POST, PUT, PATCH and DELETE and with every WebSocket handshake,
    so a write or handshake must name this server's own origin. A write without Origin is let
    through only when it carries no session cookie: that is a script or an integration, which
    has no ambient credential a foreign page could borrow.
    """
    is_ws = request.headers.get("Upgrade", "").lower() == "websocket"
    if request.method in _UNSAFE or is_ws:
        origin = request.headers.get("Origin")
        if origin is None and (is_ws or _carries_session(request)):
            return json_error(403, "origin_required", "this request must carry an Origin header")
        if origin is not None and origin not in _own_origins(request):
            return json_error(403, "cross_origin", "requests from other sites are refused")
    return await handler(request)


def served_over_https(request: web.Request) -> bool:
    """Over TLS here, or behind a TLS proxy at a public https:// address."""
    return request.secure or request.app[SETTINGS].base_url.startswith("https://")


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """`on_response_prepare` hook: every response, static files and WebSocket upgrades included."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(self), microphone=(self), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
    if served_over_https(request):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.path.startswith("/api/"):
        headers.setdefault("Cache-Control", "no-store")


@web.middleware
async def api_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Map validation failures and bad JSON to 400s with a field name; never leak a traceback."""
    try:
        return await handler(request)
    except ValidationError as exc:
        return json_error(400, "invalid", exc.message, field=exc.field)
    except json.JSONDecodeError:
        return json_error(400, "malformed", "the request body is not valid JSON")
