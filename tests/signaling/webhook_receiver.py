"""A real webhook receiver for tests: an aiohttp server on loopback that records every request
(headers and raw body) and answers from a script (a status code, or "drop" to cut the connection)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int | str  # the status code it got back, or "drop"

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)

    @property
    def delivery(self) -> str:
        return self.headers["Intervox-Delivery"]


def signed_with(secret: str, header: str, body: bytes) -> bool:
    """The receiver's check, written out independently of the server's code: t=…,v1=HMAC(secret, "t.body")."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


@dataclass
class Receiver:
    """`script` answers requests in turn (then 200 for ever); `up=False` answers 503 to everything."""

    script: list[int | str] = field(default_factory=list)
    up: bool = True
    received: list[Received] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/intervox?token=abc"

    async def start(self) -> Receiver:
        app = web.Application()
        app.router.add_post("/hooks/intervox", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        if not self.port:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                self.port = s.getsockname()[1]
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        answer: int | str = 503 if not self.up else (self.script.pop(0) if self.script else 200)
        self.received.append(Received(dict(request.headers), body, answer))
        self._arrived.set()
        if answer == "drop":
            request.transport.close()  # the client sees the connection end without an answer
            raise asyncio.CancelledError
        return web.Response(status=int(answer), text=f"answer {answer} " + "x" * 500)

    def ok(self) -> list[Received]:
        return [r for r in self.received if isinstance(r.answered, int) and 200 <= r.answered < 300]

    async def wait_for(self, predicate, timeout: float = 15.0) -> None:
        """Until `predicate(self.received)` holds."""
        async def wait() -> None:
            while not predicate(self.received):
                self._arrived.clear()
                await self._arrived.wait()
        await asyncio.wait_for(wait(), timeout)

    async def wait_ok(self, n: int = 1, timeout: float = 15.0) -> list[Received]:
        await self.wait_for(lambda _: len(self.ok()) >= n, timeout)
        return self.ok()
