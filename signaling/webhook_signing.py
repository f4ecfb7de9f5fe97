"""Webhook signing secrets: generating, sealing at rest, signing a delivery, verifying one.

Pure functions: no database, no clock (the caller passes `now`), no logging.

The signature header is `Intervox-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`, the MAC
taken with the secret's UTF-8 bytes as key over `"<t>." + raw request body`. Binding the time
lets a receiver refuse replays older than a few minutes; the body is signed byte for byte, so
the receiver must verify the raw body before parsing it.

Secrets are sealed at rest like TOTP secrets (AES-256-GCM under a key derived from the master
key, see keyring.py), with the subscription id in the associated data, so a database copy alone
reveals no secret and a sealed secret moved onto another subscription does not open.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "whsec_"
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE_SECONDS = 300

_SEAL_VERSION = b"\x01"
_NONCE_BYTES = 12
_TAG_BYTES = 16


class WebhookSecretError(Exception):
    """A sealed webhook secret that cannot be opened (wrong key, wrong subscription, damaged)."""


def new_secret() -> str:
    """A random 256-bit signing secret, e.g. `whsec_Xy…` (49 characters, URL-safe)."""
    return PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, body: bytes, timestamp: int) -> str:
    """The `Intervox-Signature` header value for `body` sent at `timestamp` (Unix seconds)."""
    mac = hmac.new(secret.encode("utf-8"), b"%d." % timestamp + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},{SIGNATURE_VERSION}={mac}"


def verify(secret: str, header: str, body: bytes, *, now: float,
           tolerance: float = DEFAULT_TOLERANCE_SECONDS) -> bool:
    """Whether `header` signs `body` with `secret` at a time within `tolerance` seconds of `now`.

    Several `v1=` values are accepted (any one matching is enough), so a sender may sign with an
    old and a new secret while a receiver switches over."""
    timestamp, macs = None, []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == SIGNATURE_VERSION:
            macs.append(value)
    if timestamp is None or not macs or abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, body, timestamp).rsplit("=", 1)[1].encode("ascii")
    return any(hmac.compare_digest(expected, mac.encode("ascii", "replace")) for mac in macs)


def seal(secret: str, *, key: bytes, webhook_id: int) -> bytes:
    """`secret` encrypted under `key`, bound to the subscription: version ‖ nonce ‖ ciphertext."""
    nonce = secrets.token_bytes(_NONCE_BYTES)
    return _SEAL_VERSION + nonce + _aead(key).encrypt(nonce, secret.encode("utf-8"), _aad(webhook_id))


def open_sealed(blob: bytes, *, key: bytes, webhook_id: int) -> str:
    """The secret sealed in `blob`; WebhookSecretError if it does not open."""
    aead = _aead(key)
    if len(blob) < 1 + _NONCE_BYTES + _TAG_BYTES or blob[:1] != _SEAL_VERSION:
        raise WebhookSecretError("not a sealed webhook secret of a known version")
    nonce, sealed = blob[1:1 + _NONCE_BYTES], blob[1 + _NONCE_BYTES:]
    try:
        return aead.decrypt(nonce, sealed, _aad(webhook_id)).decode("utf-8")
    except InvalidTag:
        raise WebhookSecretError("the webhook secret cannot be opened: wrong key, wrong id or damaged") from None


def _aead(key: bytes) -> AESGCM:
    if not isinstance(key, bytes | bytearray) or len(key) != 32:
        raise ValueError("the sealing key must be 32 bytes")
    return AESGCM(bytes(key))


def _aad(webhook_id: int) -> bytes:
    if isinstance(webhook_id, bool) or not isinstance(webhook_id, int):
        raise TypeError("webhook_id must be an int")
    return b"intervox/v1|webhook|id=%d" % webhook_id
