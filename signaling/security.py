"""Middlewares every response passes through: security headers, Origin checks, JSON errors."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from .keys import SETTINGS
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


@web.middleware
async def origin_check(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse cross-site writes and WebSocket handshakes (CSRF and cross-site WebSocket hijacking)."""
    is_ws = request.headers.get("Upgrade", "").lower() == "websocket"
    if request.method in _UNSAFE or is_ws:
        origin = request.headers.get("Origin")
        if origin is None and is_ws:
            return json_error(403, "origin_required", "WebSocket handshakes must carry an Origin header")
        if origin is not None and origin not in _own_origins(request):
            return json_error(403, "cross_origin", "requests from other sites are refused")
    return await handler(request)


async def security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """`on_response_prepare` hook: every response, static files and WebSocket upgrades included."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(self), microphone=(self), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.app[SETTINGS].secure_cookies:
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
