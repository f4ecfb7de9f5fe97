"""Throttling of login and TOTP guesses, and that it cannot be turned into a lockout."""

import pytest

from signaling.ratelimit import LOGIN, TOTP, Decision, Limit, Limiter, Policy, client_key

T0 = 1_000.0
OWNER = "owner@example.com"
HOME = "203.0.113.7"


def fail_many(limiter: Limiter, account: str, address: str, count: int, now: float) -> list[Decision]:
    return [limiter.attempt(account, address, now=now) for _ in range(count)]


def botnet(limiter: Limiter, account: str, count: int, now: float, first: int = 0) -> list[Decision]:
    """One failed guess from each of `count` distinct addresses."""
    return [
        limiter.attempt(account, f"198.51.{(i >> 8) & 255}.{i & 255}", now=now) for i in range(first, first + count)
    ]


def test_pair_allows_a_burst_then_throttles():
    """Five quick failures are allowed; the sixth waits one interval (180 s), not the whole window."""
    limiter = Limiter(LOGIN)
    assert all(d.allowed for d in fail_many(limiter, OWNER, HOME, 5, T0))
    assert limiter.attempt(OWNER, HOME, now=T0) == Decision(False, pytest.approx(180.0))
    assert limiter.attempt(OWNER, HOME, now=T0 + 179).allowed is False
    assert limiter.attempt(OWNER, HOME, now=T0 + 180).allowed is True
    assert limiter.attempt(OWNER, HOME, now=T0 + 180) == Decision(False, pytest.approx(180.0))


def test_refused_attempts_cost_nothing():
    """Hammering while refused neither counts nor pushes retry_after past one interval."""
    limiter = Limiter(LOGIN)
    fail_many(limiter, OWNER, HOME, 5, T0)
    for second in range(0, 180, 3):
        decision = limiter.attempt(OWNER, HOME, now=T0 + second)
        assert not decision.allowed and decision.retry_after == pytest.approx(180.0 - second)
    assert limiter.attempt(OWNER, HOME, now=T0 + 180).allowed


def test_retry_after_is_honest():
    """Waiting exactly retry_after is enough, for every limit that refuses."""
    limiter = Limiter(LOGIN)
    botnet(limiter, OWNER, 50, T0)
    refused = limiter.attempt(OWNER, "192.0.2.1", now=T0 + 1)
    assert not refused.allowed and refused.retry_after == pytest.approx(71.0)
    assert limiter.attempt(OWNER, "192.0.2.1", now=T0 + 1 + refused.retry_after).allowed


def test_concurrent_burst_is_counted_up_front():
    """Attempts are counted when made: 100 simultaneous requests let only 5 through."""
    limiter = Limiter(LOGIN)
    assert sum(d.allowed for d in fail_many(limiter, OWNER, HOME, 100, T0)) == 5


def test_success_resets_the_pair():
    """After four failures and a success, the pair has its full budget again."""
    limiter = Limiter(LOGIN)
    fail_many(limiter, OWNER, HOME, 4, T0)
    assert limiter.attempt(OWNER, HOME, now=T0).allowed
    limiter.succeeded(OWNER, HOME, now=T0)
    assert all(d.allowed for d in fail_many(limiter, OWNER, HOME, 5, T0 + 1))
    assert not limiter.attempt(OWNER, HOME, now=T0 + 1).allowed


def test_address_limit_stops_spraying():
    """One address trying many accounts is stopped after 30, and waits 30 s per further try."""
    limiter = Limiter(LOGIN)
    decisions = [limiter.attempt(f"user{i}@example.com", HOME, now=T0) for i in range(31)]
    assert all(d.allowed for d in decisions[:30])
    assert decisions[30] == Decision(False, pytest.approx(30.0))


def test_account_limit_slows_a_botnet():
    """Many addresses guessing one account share 50 attempts an hour, then one every 72 s."""
    limiter = Limiter(LOGIN)
    assert all(d.allowed for d in botnet(limiter, OWNER, 50, T0))
    assert botnet(limiter, OWNER, 1, T0, first=50)[0] == Decision(False, pytest.approx(72.0))
    day = [botnet(limiter, OWNER, 1, T0 + s, first=100 + s)[0].allowed for s in range(0, 86400, 12)]
    assert sum(day) == 86400 // 72 - 1  # the first refill comes 72 s after the burst


def test_botnet_cannot_lock_the_owner_out_at_a_known_address():
    """With the account budget exhausted and hammered, the owner at home still gets all five attempts."""
    limiter = Limiter(LOGIN)
    assert limiter.attempt(OWNER, HOME, now=T0).allowed
    limiter.succeeded(OWNER, HOME, now=T0)
    for minute in range(60):
        botnet(limiter, OWNER, 100, T0 + 60 * minute, first=100 * minute)
    now = T0 + 59 * 60 + 1
    assert not botnet(limiter, OWNER, 1, now, first=9999)[0].allowed
    assert all(d.allowed for d in fail_many(limiter, OWNER, HOME, 5, now))
    limiter.succeeded(OWNER, HOME, now=now)
    assert limiter.attempt(OWNER, HOME, now=now).allowed


def test_spray_from_a_shared_address_does_not_block_its_known_users():
    """An address exhausted by spraying still lets in a user who has logged in from it before."""
    limiter = Limiter(LOGIN)
    limiter.attempt(OWNER, HOME, now=T0)
    limiter.succeeded(OWNER, HOME, now=T0)
    for i in range(100):
        limiter.attempt(f"user{i}@example.com", HOME, now=T0 + 1)
    assert not limiter.attempt("someone@example.com", HOME, now=T0 + 1).allowed
    assert limiter.attempt(OWNER, HOME, now=T0 + 1).allowed


def test_owner_at_a_new_address_is_throttled_not_locked():
    """During a botnet attack, the owner from a new address waits at most one account interval."""
    limiter = Limiter(LOGIN)
    botnet(limiter, OWNER, 500, T0)
    refused = limiter.attempt(OWNER, "192.0.2.50", now=T0 + 10)
    assert not refused.allowed and refused.retry_after <= LOGIN.per_account.interval
    assert limiter.attempt(OWNER, "192.0.2.50", now=T0 + 10 + refused.retry_after).allowed


def test_known_pair_spends_neither_address_nor_account_budget():
    """Failures of a known pair count only against that pair."""
    small = Policy(per_pair=Limit(3, 100), per_address=Limit(2, 100), per_account=Limit(2, 100))
    limiter = Limiter(small)
    limiter.attempt(OWNER, HOME, now=T0)
    limiter.succeeded(OWNER, HOME, now=T0)
    assert [d.allowed for d in fail_many(limiter, OWNER, HOME, 4, T0)] == [True, True, True, False]
    assert all(d.allowed for d in fail_many(limiter, "other@example.com", HOME, 2, T0))
    assert all(d.allowed for d in botnet(limiter, OWNER, 2, T0))


def test_success_gives_its_attempt_back():
    """A successful first login from an address does not use up the address or account budget."""
    small = Policy(per_pair=Limit(5, 100), per_address=Limit(2, 100), per_account=Limit(2, 100))
    limiter = Limiter(small)
    for i in range(10):
        account = f"user{i}@example.com"
        assert limiter.attempt(account, HOME, now=T0).allowed
        limiter.succeeded(account, HOME, now=T0)
    assert all(d.allowed for d in fail_many(limiter, "new@example.com", HOME, 2, T0))


def test_success_without_an_attempt_gives_nothing_back():
    """Calling succeeded for a pair that made no attempt does not refill the address budget."""
    small = Policy(per_pair=Limit(5, 100), per_address=Limit(2, 100), per_account=Limit(9, 100))
    limiter = Limiter(small)
    fail_many(limiter, "a@example.com", HOME, 1, T0)
    fail_many(limiter, "b@example.com", HOME, 1, T0)
    limiter.succeeded("c@example.com", HOME, now=T0)
    assert not limiter.attempt("d@example.com", HOME, now=T0).allowed


def test_known_address_is_forgotten_after_trust_for():
    """A pair is known for trust_for seconds after its last success, then counts as new again."""
    small = Policy(per_pair=Limit(5, 100), per_address=Limit(1, 100), per_account=Limit(5, 100), trust_for=1000)
    limiter = Limiter(small)
    limiter.attempt(OWNER, HOME, now=T0)
    limiter.succeeded(OWNER, HOME, now=T0)
    limiter.attempt("x@example.com", HOME, now=T0 + 999)
    assert limiter.attempt(OWNER, HOME, now=T0 + 999).allowed
    limiter.attempt("y@example.com", HOME, now=T0 + 1000)
    assert not limiter.attempt(OWNER, HOME, now=T0 + 1000).allowed


def test_account_names_are_case_folded():
    """E-mail case and surrounding spaces do not give an attacker fresh keys."""
    limiter = Limiter(LOGIN)
    spellings = [
        "owner@example.com",
        "Owner@Example.com",
        " OWNER@EXAMPLE.COM",
        "owner@example.COM ",
        "oWner@example.com",
    ]
    assert all(limiter.attempt(s, HOME, now=T0).allowed for s in spellings)
    assert not limiter.attempt("OWNER@example.com", HOME, now=T0).allowed


def test_idle_keys_are_forgotten():
    """Keys whose budget has refilled and that were idle for a window are dropped."""
    limiter = Limiter(LOGIN)
    botnet(limiter, OWNER, 40, T0)
    assert limiter.tracked_keys == 40 + 40 + 1
    limiter.attempt("late@example.com", "192.0.2.9", now=T0 + 3600)
    assert limiter.tracked_keys == 3


def test_memory_is_bounded():
    """A flood of fresh keys never grows the tables past max_keys each; the oldest are evicted."""
    small = Policy(per_pair=Limit(5, 900), per_address=Limit(30, 900), per_account=Limit(50, 3600), max_keys=50)
    limiter = Limiter(small)
    for i in range(5000):
        limiter.attempt(f"user{i}@example.com", f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}", now=T0 + i * 0.01)
        limiter.succeeded(f"user{i}@example.com", f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}", now=T0 + i * 0.01)
        assert limiter.tracked_keys <= 4 * 50
    assert limiter.evicted > 0


def test_eviction_spares_a_key_under_attack():
    """When full, the key untouched longest goes; a pair being hammered stays throttled."""
    small = Policy(per_pair=Limit(1, 900), per_address=Limit(100, 900), per_account=Limit(100, 900), max_keys=3)
    limiter = Limiter(small)
    assert limiter.attempt(OWNER, HOME, now=T0).allowed
    for i in range(20):
        assert not limiter.attempt(OWNER, HOME, now=T0 + i).allowed
        limiter.attempt(f"u{i}@example.com", HOME, now=T0 + i)
    assert limiter.evicted > 0


@pytest.mark.parametrize(("attempts", "window"), [(0, 10), (-1, 10), (1, 0), (1, -5), (1, float("nan")), (True, 10)])
def test_limit_validates(attempts, window):
    """A limit needs at least one attempt and a positive window."""
    with pytest.raises(ValueError):
        Limit(attempts, window)


def test_policy_validates():
    """A policy needs a positive trust_for and at least one key."""
    limit = Limit(1, 1)
    with pytest.raises(ValueError):
        Policy(limit, limit, limit, trust_for=0)
    with pytest.raises(ValueError):
        Policy(limit, limit, limit, max_keys=0)


def test_shipped_policies():
    """LOGIN and TOTP have the documented numbers; TOTP's account budget is the tighter one."""
    assert (LOGIN.per_pair.interval, LOGIN.per_address.interval, LOGIN.per_account.interval) == (180, 30, 72)
    assert (TOTP.per_pair.interval, TOTP.per_address.interval, TOTP.per_account.interval) == (180, 90, 360)


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("fe80::1%eth0", "fe80::/64"),
        ("unknown", "unknown"),
    ],
)
def test_client_key(address, key):
    """IPv6 clients are keyed by their /64 (one subscriber), IPv4 and others as given."""
    assert client_key(address) == key
