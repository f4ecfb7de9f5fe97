"""Webhook signing, sealing and the retry schedule: pure functions, no server."""

from __future__ import annotations

import hashlib
import hmac
import random
import secrets

import pytest

from signaling.webhook_signing import WebhookSecretError, new_secret, open_sealed, seal, signature, verify
from signaling.webhooks import RETRY_STEPS, retry_delay

BODY = b'{"id":"e1","type":"interview.completed","created_at":"2026-11-26T10:00:00.000Z","data":{}}'


def test_the_signature_is_hmac_sha256_of_time_dot_body():
    """`t=<t>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`, as the README documents it."""
    secret = "whsec_test"
    expected = hmac.new(b"whsec_test", b"1764151200." + BODY, hashlib.sha256).hexdigest()
    assert signature(secret, BODY, 1764151200) == f"t=1764151200,v1={expected}"


def test_verify_refuses_tampering_other_secrets_stale_times_and_garbage():
    """Only the right secret over the exact body within the tolerance verifies."""
    secret = new_secret()
    header = signature(secret, BODY, 1000)
    assert verify(secret, header, BODY, now=1000 + 299)
    assert not verify(secret, header, BODY, now=1000 + 301), "older than five minutes"
    assert not verify(secret, header, BODY, now=1000 - 301), "from the future"
    assert not verify(secret, header, BODY.replace(b"completed", b"declined"), now=1000)
    assert not verify(new_secret(), header, BODY, now=1000)
    for bad in ("", "t=1000", "v1=abc", "t=x,v1=00", "garbage", "t=1000,v1=ü"):
        assert not verify(secret, bad, BODY, now=1000)


def test_verify_accepts_any_of_several_signatures():
    """A header may carry several v1 values (old and new secret): one matching is enough."""
    old, new = new_secret(), new_secret()
    both = signature(old, BODY, 1000) + "," + signature(new, BODY, 1000).split(",")[1]
    assert verify(old, both, BODY, now=1000) and verify(new, both, BODY, now=1000)


def test_secrets_are_random_and_url_safe():
    found = {new_secret() for _ in range(100)}
    assert len(found) == 100
    assert all(s.startswith("whsec_") and len(s) == 49 and s[6:].replace("-", "").replace("_", "").isalnum()
               for s in found)


def test_a_sealed_secret_opens_only_with_its_key_and_subscription():
    """Sealed with AES-GCM bound to the subscription id: another key, id or a flipped bit does not open."""
    key, secret = secrets.token_bytes(32), new_secret()
    blob = seal(secret, key=key, webhook_id=7)
    assert secret.encode() not in blob
    assert open_sealed(blob, key=key, webhook_id=7) == secret
    for attempt in (dict(key=secrets.token_bytes(32), webhook_id=7), dict(key=key, webhook_id=8)):
        with pytest.raises(WebhookSecretError):
            open_sealed(blob, **attempt)
    damaged = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(WebhookSecretError):
        open_sealed(damaged, key=key, webhook_id=7)
    with pytest.raises(WebhookSecretError):
        open_sealed(b"\x02" + blob[1:], key=key, webhook_id=7)


def test_retries_back_off_10s_30s_2min_10min_1h_6h_with_jitter_then_stop():
    """Six retries after the first attempt, each within ±20 % of its step; then the delivery fails."""
    rng = random.Random(1)
    nominal = [10, 30, 120, 600, 3600, 21600]
    assert [10 * step for step in RETRY_STEPS] == nominal
    for failures, seconds in enumerate(nominal, start=1):
        delays = [retry_delay(failures, 10.0, rng) for _ in range(200)]
        assert all(0.8 * seconds <= d <= 1.2 * seconds for d in delays)
        assert len(set(delays)) > 100, "jittered, so retries of many events spread out"
    assert retry_delay(7, 10.0, rng) is None
