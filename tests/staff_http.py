"""HTTP clients that keep the staff session cookie the way a browser does on loopback.

The session cookie is `__Host-…; Secure`. Browsers treat http://127.0.0.1 and http://localhost as
secure contexts and send it there; aiohttp's cookie jar does the same only for the origins named
in `treat_as_secure_origin` (and keeps cookies of an IP-address host only when `unsafe`).
"""

from __future__ import annotations

import aiohttp


def cookie_jar(base_url: str) -> aiohttp.CookieJar:
    return aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=base_url)


def staff_session(base_url: str, **kwargs) -> aiohttp.ClientSession:
    """A browser-like client of the server at `base_url`: its own cookie jar and the same-origin header."""
    base_url = base_url.rstrip("/")
    headers = {"Origin": base_url, **kwargs.pop("headers", {})}
    return aiohttp.ClientSession(base_url=base_url, headers=headers, cookie_jar=cookie_jar(base_url), **kwargs)
