"""Delivering webhooks: one worker per application fans committed outbox events out to the
subscriptions that want them and POSTs each one, signed, retrying with backoff.

Delivery is at least once. A delivery is marked delivered only after the receiver answered 2xx,
so a crash (or a shutdown) between the receiver's answer and that mark sends it again after the
restart, with the same `Intervox-Delivery` id: receivers deduplicate on it. Events are not
ordered; `created_at` in the body says when each happened.

The worker wakes when a transaction that wrote an event commits (the outbox's event), when a
delivery finishes, and when the next retry is due; at start-up it simply finds what is pending
(crash recovery needs nothing else). Attempts run as tasks of their own under two bounds — all
in flight, and per subscription — so one slow receiver cannot hold up the others. Each attempt
is written to the log table and to this module's logger; the secret never is, nor the URL (its
query may hold a token), only the subscription's id.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from datetime import UTC, datetime, timedelta

import aiohttp

from .keyring import Keyring
from .store import Store
from .tasks import TaskOwner
from .timeutil import iso
from .webhook_signing import WebhookSecretError, open_sealed, signature
from .webhook_store import AttemptResult, DueDelivery

log = logging.getLogger(__name__)

# Retries after a failed attempt, in units of the base delay (10 s by default):
# 10 s, 30 s, 2 min, 10 min, 1 h, 6 h; then the delivery has failed (7 attempts in all).
RETRY_STEPS = (1, 3, 12, 60, 360, 2160)
JITTER = 0.2  # each delay is stretched or shrunk by up to 20 %, so retries of many events spread out
TIMEOUT_SECONDS = 10.0
MAX_IN_FLIGHT = 10
MAX_IN_FLIGHT_PER_WEBHOOK = 2
RESPONSE_CHARS = 200  # the start of the receiver's reply kept in the log; the rest is never read
KEEP_DAYS = 30  # events nothing waits to send are forgotten after this (they name the candidate)
PRUNE_EVERY_SECONDS = 3600.0
IDLE_SECONDS = 300.0  # with nothing scheduled, look again this often anyway
ERROR_PAUSE_SECONDS = 5.0
USER_AGENT = "Intervox-Webhooks/1"


def retry_delay(failed_attempts: int, base_seconds: float, rng: random.Random) -> float | None:
    """Seconds until the next try after `failed_attempts` failures in a row; None: give up."""
    if failed_attempts > len(RETRY_STEPS):
        return None
    return base_seconds * RETRY_STEPS[failed_attempts - 1] * rng.uniform(1 - JITTER, 1 + JITTER)


class WebhookWorker:
    def __init__(self, store: Store, keyring: Keyring, *, retry_base_seconds: float = 10.0,
                 timeout_seconds: float = TIMEOUT_SECONDS) -> None:
        self._store = store
        self._hooks = store.webhooks
        self._keyring = keyring
        self._retry_base = retry_base_seconds
        self._timeout = timeout_seconds
        self._wakeup = store.outbox.committed
        self._attempts = TaskOwner("webhook-deliveries")
        self._in_flight: dict[int, int] = {}  # delivery id -> webhook id
        self._rng = random.Random()
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=self._timeout), headers={"User-Agent": USER_AGENT},
            connector=aiohttp.TCPConnector(limit=MAX_IN_FLIGHT), raise_for_status=False)
        self._task = asyncio.create_task(self._run(), name="webhooks")

    async def aclose(self) -> None:
        """Stop: attempts in flight are cancelled; their deliveries stay pending for the next start."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._attempts.aclose(timeout=0)
        if self._session is not None:
            await self._session.close()

    async def _run(self) -> None:
        next_prune = 0.0
        while True:
            self._wakeup.clear()  # before reading: a commit from here on wakes the next wait
            try:
                if created := await self._hooks.fan_out(now=time.time()):
                    log.debug("webhooks: %d new deliveries", created)
                wait = await self._start_due()
                if time.time() >= next_prune:
                    next_prune = time.time() + PRUNE_EVERY_SECONDS
                    cutoff = iso(datetime.now(UTC) - timedelta(days=KEEP_DAYS))
                    if pruned := await self._hooks.prune(cutoff):
                        log.info("webhooks: forgot %d events older than %d days", pruned, KEEP_DAYS)
            except Exception:
                log.exception("webhooks: the worker's pass failed; trying again in %.0f s", ERROR_PAUSE_SECONDS)
                wait = ERROR_PAUSE_SECONDS
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(wait):
                    await self._wakeup.wait()

    async def _start_due(self) -> float:
        """Start the attempts that are due and fit the bounds; the seconds until the next look."""
        for delivery in await self._hooks.due(now=time.time(), per_webhook=2 * MAX_IN_FLIGHT_PER_WEBHOOK):
            if len(self._in_flight) >= MAX_IN_FLIGHT:
                break
            if delivery.id in self._in_flight or self._busy(delivery.webhook_id):
                continue
            self._in_flight[delivery.id] = delivery.webhook_id
            self._attempts.spawn(self._deliver(delivery), name=f"webhook-delivery-{delivery.id}")
        if len(self._in_flight) >= MAX_IN_FLIGHT:
            return IDLE_SECONDS  # a finishing attempt wakes the worker
        busy = {w for w in self._in_flight.values() if self._busy(w)}
        next_due = await self._hooks.next_due_at(skip_deliveries=set(self._in_flight), skip_webhooks=busy)
        return IDLE_SECONDS if next_due is None else min(IDLE_SECONDS, max(0.0, next_due - time.time()))

    def _busy(self, webhook_id: int) -> bool:
        return sum(1 for w in self._in_flight.values() if w == webhook_id) >= MAX_IN_FLIGHT_PER_WEBHOOK

    async def _deliver(self, delivery: DueDelivery) -> None:
        try:
            result = await self._attempt(delivery)
            number = delivery.attempts + 1
            if result.status_code is not None and 200 <= result.status_code < 300:
                status, next_at = "delivered", None
            else:
                delay = retry_delay(number - delivery.retries_from, self._retry_base, self._rng)
                status, next_at = ("failed", None) if delay is None else ("pending", time.time() + delay)
            if not await self._hooks.record_attempt(delivery, result, status=status, next_attempt_at=next_at):
                log.info("webhook %d: delivery %s was deleted during its attempt", delivery.webhook_id,
                         delivery.public_id)
                return
            what = (delivery.webhook_id, delivery.event_type, delivery.public_id, number)
            if status == "delivered":
                log.info("webhook %d: %s delivered (delivery %s, attempt %d, HTTP %d, %d ms)", *what,
                         result.status_code, result.duration_ms)
            elif status == "pending":
                log.warning("webhook %d: %s not delivered (delivery %s, attempt %d: %s); next try in %.1f s",
                            *what, result.error, next_at - time.time())
            else:
                log.error("webhook %d: %s failed for good (delivery %s, attempt %d: %s); an administrator can "
                          "redeliver it", *what, result.error)
        except Exception:
            # Most likely the database: the delivery stays pending; pause so it is not retried in a tight loop.
            log.exception("webhook %d: delivery %s could not be attempted or recorded; trying again in %.0f s",
                          delivery.webhook_id, delivery.public_id, ERROR_PAUSE_SECONDS)
            await asyncio.sleep(ERROR_PAUSE_SECONDS)
        finally:
            self._in_flight.pop(delivery.id, None)
            self._wakeup.set()

    async def _attempt(self, delivery: DueDelivery) -> AttemptResult:
        started = time.monotonic()

        def elapsed() -> int:
            return round((time.monotonic() - started) * 1000)

        try:
            secret = open_sealed(delivery.sealed_secret, key=self._keyring.webhook_key(delivery.key_version),
                                 webhook_id=delivery.webhook_id)
        except (WebhookSecretError, KeyError, ValueError):
            return AttemptResult(None, "the signing secret cannot be opened with this server's master keys", None, 0)
        body = delivery.payload.encode("utf-8")
        headers = {
            "Content-Type": "application/json",
            "Intervox-Event": delivery.event_type,
            "Intervox-Delivery": delivery.public_id,
            "Intervox-Signature": signature(secret, body, int(time.time())),
        }
        if self._session is None:
            raise RuntimeError("the webhook worker was not started")
        try:
            async with self._session.post(delivery.url, data=body, headers=headers, allow_redirects=False) as reply:
                head = await reply.content.read(RESPONSE_CHARS * 4)
                code = reply.status
                location = reply.headers.get("Location", "")
        except TimeoutError:
            return AttemptResult(None, f"no answer within {self._timeout:g} s", None, elapsed())
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            return AttemptResult(None, _describe(exc), None, elapsed())
        text = head.decode("utf-8", "replace").strip()[:RESPONSE_CHARS] or None
        error = None
        if 300 <= code < 400:
            error = f"HTTP {code}: redirects are not followed" + (f" (to {location[:200]})" if location else "")
        elif not 200 <= code < 300:
            error = f"HTTP {code}"
        return AttemptResult(code, error, text, elapsed())


def _describe(exc: BaseException) -> str:
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "the receiver closed the connection without answering"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"cannot connect: {exc.os_error.strerror or exc.os_error}"[:300]
    return f"{type(exc).__name__}: {exc}"[:300]
