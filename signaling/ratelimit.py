"""Throttling of password and TOTP guesses that an attacker cannot turn into a lockout.

What it protects against, with one `Limiter` per factor (`LOGIN` for passwords, `TOTP` for codes):

- guessing one account from one client — the *pair* limit on (account, address);
- spraying common passwords across many accounts from one client — the *address* limit;
- guessing one account from many clients (a botnet) — the *account* limit, shared by every
  address that has not yet logged in to that account.

Each limit is a GCRA (a token bucket kept as one timestamp per key): `attempts` may be spent in
a burst, then one more every `window / attempts` seconds. It throttles, it never locks: a
refused caller is told `retry_after`, the seconds until the next attempt is allowed, and that
is never more than one interval (`window / attempts`), however long the guessing went on.

Why an attacker elsewhere cannot lock the real user out: a successful login marks its
(account, address) pair as *known* for `trust_for` (30 days). A known pair is subject only to
its own pair limit, which nobody at another address can touch — not to the address limit
(which a spray from a shared address could exhaust) nor to the account limit (which a botnet
can keep exhausted). So the owner at a familiar address always has their own five attempts.
An owner at a new address during a distributed attack shares the throttled account budget with
the attacker: slowed, not locked out.

Attempts are counted when they are made, not when they fail, so a burst of concurrent requests
cannot all pass before the first failure is recorded; `succeeded` gives the attempt back to the
address and account limits and clears the pair. Refused attempts cost nothing.

Limits of the design: state lives in this process's memory, so a restart forgets it, and
several server processes would each keep their own; an attacker behind the same address (NAT)
as the owner shares the owner's pair and can slow them; tables are capped at `max_keys` keys
each, evicting the least recently used, so a flood of fresh keys can evict a throttled key
(IPv6 clients should be keyed by their /64, see `client_key`); the caller must pass the real
client address (after trusted-proxy handling) and call `succeeded` only after an allowed
attempt succeeded. Pure: the clock is the `now` argument (use a monotonic clock).
"""

from __future__ import annotations

import ipaddress
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

# Floating-point slack when comparing an arrival time with a window edge.
_EPSILON = 1e-9


@dataclass(frozen=True)
class Limit:
    """At most `attempts` attempts in any `window` seconds, refilled at one per `interval`."""

    attempts: int
    window: float

    def __post_init__(self) -> None:
        if isinstance(self.attempts, bool) or not isinstance(self.attempts, int) or self.attempts < 1:
            raise ValueError("a limit allows at least one attempt")
        if not self.window > 0:
            raise ValueError("a limit's window must be positive")

    @property
    def interval(self) -> float:
        return self.window / self.attempts


@dataclass(frozen=True)
class Policy:
    """The three limits, how long a successful (account, address) pair stays known, and the key cap."""

    per_pair: Limit
    per_address: Limit
    per_account: Limit
    trust_for: float = 30 * 86400.0
    max_keys: int = 100_000

    def __post_init__(self) -> None:
        if not self.trust_for > 0:
            raise ValueError("trust_for must be positive")
        if self.max_keys < 1:
            raise ValueError("max_keys must be at least 1")


# Passwords: 5 per pair per 15 min (then one per 3 min), 30 per new address per 15 min (one per 30 s),
# 50 per account per hour from addresses that have not logged in to it (one per 72 s).
LOGIN = Policy(per_pair=Limit(5, 900.0), per_address=Limit(30, 900.0), per_account=Limit(50, 3600.0))
# TOTP codes (the password is already known here): 5 per pair per 15 min, 10 per address per 15 min,
# 10 per account per hour from unknown addresses (240 a day: a 3-step window makes each guess
# succeed with probability 3e-6, about 7e-4 a day).
TOTP = Policy(per_pair=Limit(5, 900.0), per_address=Limit(10, 900.0), per_account=Limit(10, 3600.0))


@dataclass(frozen=True)
class Decision:
    """Whether this attempt may go ahead; if not, the seconds until one may (0.0 when allowed)."""

    allowed: bool
    retry_after: float


class Limiter:
    """Counts attempts per (account, address), per address and per account under one `Policy`."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._pairs = _Buckets(policy.per_pair, policy.max_keys)
        self._addresses = _Buckets(policy.per_address, policy.max_keys)
        self._accounts = _Buckets(policy.per_account, policy.max_keys)
        self._known = _Recent(policy.trust_for, policy.max_keys)

    def attempt(self, account: str, address: str, *, now: float) -> Decision:
        """Counts an attempt if every applicable limit allows it; otherwise refuses and counts nothing."""
        self._sweep(now)
        account = _account_key(account)
        pair = (account, address)
        scopes = [(self._pairs, pair)]
        if not self._known.contains(pair, now):
            scopes += [(self._addresses, address), (self._accounts, account)]
        wait = max(buckets.wait(key, now) for buckets, key in scopes)
        if wait > 0:
            for buckets, key in scopes:
                buckets.touch(key)  # a key under attack stays clear of eviction
            return Decision(False, wait)
        for buckets, key in scopes:
            buckets.take(key, now)
        return Decision(True, 0.0)

    def succeeded(self, account: str, address: str, *, now: float) -> None:
        """The attempt just allowed succeeded: clear the pair, give the attempt back, remember the pair."""
        self._sweep(now)
        account = _account_key(account)
        pair = (account, address)
        if pair in self._pairs and not self._known.contains(pair, now):
            self._addresses.give_back(address)
            self._accounts.give_back(account)
        self._pairs.forget(pair)
        self._known.mark(pair, now)

    @property
    def tracked_keys(self) -> int:
        """How many keys the limiter holds across its tables (bounded by 4 × max_keys)."""
        return len(self._pairs) + len(self._addresses) + len(self._accounts) + len(self._known)

    @property
    def evicted(self) -> int:
        """How many keys were dropped, still live, because a table was full."""
        return self._pairs.evicted + self._addresses.evicted + self._accounts.evicted + self._known.evicted

    def _sweep(self, now: float) -> None:
        for table in (self._pairs, self._addresses, self._accounts, self._known):
            table.sweep(now)


def client_key(address: str) -> str:
    """The address to limit by: IPv4 as is, IPv4-mapped IPv6 as IPv4, other IPv6 as its /64."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _account_key(account: str) -> str:
    # The users table compares e-mails case-insensitively; folding here can only merge keys
    # that the database keeps apart, which is the safe direction.
    return account.strip().casefold()


class _Buckets:
    """One `Limit` over many keys: each key's theoretical arrival time, least recently used first."""

    def __init__(self, limit: Limit, max_keys: int) -> None:
        self._limit = limit
        self._max_keys = max_keys
        self._tat: OrderedDict[Hashable, float] = OrderedDict()
        self.evicted = 0

    def __len__(self) -> int:
        return len(self._tat)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._tat

    def wait(self, key: Hashable, now: float) -> float:
        tat = max(self._tat.get(key, now), now)
        over = tat + self._limit.interval - now - self._limit.window
        return over if over > _EPSILON else 0.0

    def take(self, key: Hashable, now: float) -> None:
        tat = max(self._tat.pop(key, now), now)
        self._tat[key] = tat + self._limit.interval
        while len(self._tat) > self._max_keys:
            self._tat.popitem(last=False)
            self.evicted += 1

    def touch(self, key: Hashable) -> None:
        if key in self._tat:
            self._tat.move_to_end(key)

    def give_back(self, key: Hashable) -> None:
        if key in self._tat:
            self._tat[key] -= self._limit.interval

    def forget(self, key: Hashable) -> None:
        self._tat.pop(key, None)

    def sweep(self, now: float) -> None:
        # A key's arrival time is at most `window` after its last use, so once the least recently
        # used key is full again, every key left was used within the last window.
        while self._tat:
            key, tat = next(iter(self._tat.items()))
            if tat > now:
                break
            del self._tat[key]


class _Recent:
    """Keys seen in the last `ttl` seconds, least recently seen first."""

    def __init__(self, ttl: float, max_keys: int) -> None:
        self._ttl = ttl
        self._max_keys = max_keys
        self._seen: OrderedDict[Hashable, float] = OrderedDict()
        self.evicted = 0

    def __len__(self) -> int:
        return len(self._seen)

    def contains(self, key: Hashable, now: float) -> bool:
        seen = self._seen.get(key)
        return seen is not None and now - seen < self._ttl

    def mark(self, key: Hashable, now: float) -> None:
        self._seen.pop(key, None)
        self._seen[key] = now
        while len(self._seen) > self._max_keys:
            self._seen.popitem(last=False)
            self.evicted += 1

    def sweep(self, now: float) -> None:
        while self._seen:
            key, seen = next(iter(self._seen.items()))
            if now - seen < self._ttl:
                break
            del self._seen[key]
