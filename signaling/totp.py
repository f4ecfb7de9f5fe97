"""TOTP second factor (RFC 6238): secrets, codes, the enrolment QR code and sealing at rest.

Pure functions: no database, no clock (the caller passes `now`), no logging. Codes are
HMAC-SHA1, 6 digits, 30-second steps — the parameters every authenticator app supports.

A code works once: `verify` returns the step it matched and the caller stores it; a later
`verify` with that step as `last_used_step` refuses the same code and any older one.

The secret is sealed at rest with AES-256-GCM under a server key, with the user id in the
associated data, so a database copy alone reveals no secret and a sealed secret copied onto
another user's row does not open. The QR code and the provisioning URI contain the secret in
clear: serve them only to the enrolling user, with `Cache-Control: no-store`, and never log them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import re
import secrets
import struct
from urllib.parse import quote, urlencode

import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PERIOD_SECONDS = 30
DIGITS = 6
SECRET_BYTES = 20  # 160 bits, the HMAC-SHA1 output length RFC 4226 recommends
KEY_BYTES = 32  # AES-256

_SEAL_VERSION = b"\x01"
_NONCE_BYTES = 12
_TAG_BYTES = 16
_CODE = re.compile(r"[0-9]{6}", re.ASCII)
_SPACES = re.compile(r"\s+")


class TotpSecretError(Exception):
    """A TOTP secret that is not valid base32, or a sealed secret that cannot be opened."""


def new_secret() -> str:
    """A random 160-bit secret in base32 (32 characters, no padding)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def provisioning_uri(secret: str, account_name: str, issuer: str = "Intervox") -> str:
    """The `otpauth://totp/...` URI an authenticator app enrols from (Key URI Format)."""
    _secret_bytes(secret)
    for what, value in (("account_name", account_name), ("issuer", issuer)):
        if not value or ":" in value:
            raise ValueError(f"{what} must be non-empty and contain no colon")
    label = f"{quote(issuer, safe='')}:{quote(account_name, safe='@')}"
    query = urlencode(
        {
            "secret": _normalise_secret(secret),
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": PERIOD_SECONDS,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"


def qr_svg(uri: str) -> str:
    """The QR code of `uri` as a standalone SVG document, safe to inline.

    An inline `<svg>` (rather than a `data:` URI) keeps the page's CSP strict: it needs no
    `img-src data:`. The markup is one `<svg>` with a `viewBox` (it scales to its container)
    and two `<path>` elements with presentation attributes only — no script, no `style`,
    no links, no XML declaration, and no text taken from the URI other than the modules.
    The background is white so the code scans on a dark page. Give the surrounding element
    an accessible name (e.g. `aria-label`) in the page's language.
    """
    qr = segno.make_qr(uri, error="m")
    out = io.BytesIO()
    qr.save(
        out,
        kind="svg",
        scale=1,
        border=4,
        dark="#000",
        light="#fff",
        xmldecl=False,
        svgns=True,
        omitsize=True,
        nl=False,
        svgclass=None,
        lineclass=None,
    )
    return out.getvalue().decode("ascii")


def step_at(now: float) -> int:
    """The 30-second time step (RFC 6238's T) that the Unix time `now` falls in."""
    return int(now // PERIOD_SECONDS)


def code_at(secret: str, step: int, *, digits: int = DIGITS) -> str:
    """The code for time step `step` (RFC 4226 HOTP with the step as counter), zero-padded."""
    if not 6 <= digits <= 8:
        raise ValueError("digits must be 6, 7 or 8")
    if step < 0:
        raise ValueError("step must not be negative")
    return _hotp(_secret_bytes(secret), step, digits)


def verify(secret: str, code: str, *, now: float, last_used_step: int | None, drift_steps: int = 1) -> int | None:
    """The step whose code `code` is, within `drift_steps` of `now` and after `last_used_step`; else None.

    Spaces are ignored; anything but exactly six ASCII digits is refused. Every candidate step
    is compared in constant time, and the latest matching step is returned, so a code that
    happens to be valid for two steps cannot be replayed for the second one.
    """
    if drift_steps < 0:
        raise ValueError("drift_steps must not be negative")
    key = _secret_bytes(secret)
    if not isinstance(code, str):
        return None
    code = _SPACES.sub("", code)
    if not _CODE.fullmatch(code):
        return None
    current = step_at(now)
    earliest = current - drift_steps
    if last_used_step is not None:
        earliest = max(earliest, last_used_step + 1)
    matched = None
    for step in range(max(earliest, 0), current + drift_steps + 1):
        expected = _hotp(key, step, DIGITS)
        if hmac.compare_digest(expected.encode("ascii"), code.encode("ascii")):
            matched = step
    return matched


def seal_secret(secret: str, *, key: bytes, user_id: int) -> bytes:
    """`secret` encrypted with AES-256-GCM under `key`, bound to `user_id`: version ‖ nonce ‖ ciphertext."""
    aead = _aead(key)
    _secret_bytes(secret)
    nonce = secrets.token_bytes(_NONCE_BYTES)
    sealed = aead.encrypt(nonce, _normalise_secret(secret).encode("ascii"), _aad(user_id))
    return _SEAL_VERSION + nonce + sealed


def open_secret(blob: bytes, *, key: bytes, user_id: int) -> str:
    """The secret sealed in `blob`; TotpSecretError if the key or user id is wrong or the blob is damaged."""
    aead = _aead(key)
    if len(blob) < 1 + _NONCE_BYTES + _TAG_BYTES or blob[:1] != _SEAL_VERSION:
        raise TotpSecretError("not a sealed TOTP secret of a known version")
    nonce, sealed = blob[1 : 1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES :]
    try:
        plain = aead.decrypt(nonce, sealed, _aad(user_id))
    except InvalidTag:
        raise TotpSecretError("the TOTP secret cannot be opened: wrong key, wrong user or damaged") from None
    return plain.decode("ascii")


def _hotp(key: bytes, counter: int, digits: int) -> str:
    """RFC 4226 section 5.3: HMAC-SHA1 of the counter, dynamically truncated to `digits` digits."""
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def _normalise_secret(secret: str) -> str:
    return _SPACES.sub("", secret).upper().rstrip("=")


def _secret_bytes(secret: str) -> bytes:
    if not isinstance(secret, str):
        raise TotpSecretError("a TOTP secret is a base32 string")
    text = _normalise_secret(secret)
    try:
        raw = base64.b32decode(text + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        raise TotpSecretError("a TOTP secret must be base32") from None
    if len(raw) < 16:
        raise TotpSecretError("a TOTP secret must hold at least 128 bits (RFC 4226)")
    return raw


def _aead(key: bytes) -> AESGCM:
    if not isinstance(key, bytes | bytearray) or len(key) != KEY_BYTES:
        raise ValueError(f"the sealing key must be {KEY_BYTES} bytes")
    return AESGCM(bytes(key))


def _aad(user_id: int) -> bytes:
    if isinstance(user_id, bool) or not isinstance(user_id, int):
        raise TypeError("user_id must be an int")
    return b"intervox/v1|totp|user=%d" % user_id
