"""`/metrics` in the Prometheus text format (prometheus-client), from this process's own registry.

Readable from loopback only, or with `INTERVOX_METRICS_TOKEN` as a bearer token: the figures are
harmless, but an interview server's load is nobody else's business.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import weakref
from collections.abc import Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, ProcessCollector, generate_latest

from media import PeerSession, PeerState

from .policy import Access, rule

METRICS = web.AppKey("metrics", "Metrics")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)  # process_resident_memory_bytes, CPU seconds, fds
        self.peers: weakref.WeakSet[PeerSession] = weakref.WeakSet()
        self._gauges: dict[str, Gauge] = {}
        self.gauge("intervox_peer_connections", "Peer connections not yet closed",
                   lambda: sum(1 for p in list(self.peers) if p.state is not PeerState.CLOSED))
        self.gauge("intervox_asyncio_tasks", "Tasks on the event loop", lambda: len(asyncio.all_tasks()))

    def gauge(self, name: str, documentation: str, read: Callable[[], float]) -> None:
        gauge = Gauge(name, documentation, registry=self.registry)
        gauge.set_function(read)
        self._gauges[name] = gauge

    def render(self) -> bytes:
        return generate_latest(self.registry)


def _loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def handler(token: str) -> Callable[[web.Request], object]:
    @rule(Access.METRICS)
    async def metrics(request: web.Request) -> web.StreamResponse:
        given = request.headers.get("Authorization", "")
        allowed = (token and hmac.compare_digest(given, f"Bearer {token}")) or (not token and _loopback(request.remote))
        if not allowed:
            raise web.HTTPForbidden(text="metrics are readable from loopback or with the metrics token")
        body = request.app[METRICS].render()
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})

    return metrics
