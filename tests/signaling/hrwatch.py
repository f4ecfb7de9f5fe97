"""Test helpers for the HR side: a staff member's HTTP session and their live dashboard socket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import aiohttp
from staff_http import staff_session

from signaling import auth
from signaling.keys import STORE
from signaling.records import Role

PASSWORD = "a long enough password"


class Staff:
    """A browser-like HTTP session for one staff user (own cookie jar, same-origin header)."""

    def __init__(self, client, email: str) -> None:
        self.base = str(client.make_url("/")).rstrip("/")
        self.http = staff_session(self.base)
        self.email = email

    async def login(self) -> None:
        async with self.http.post("/api/login", json={"email": self.email, "password": PASSWORD}) as r:
            assert r.status == 200, await r.text()

    async def get(self, path: str) -> tuple[int, Any]:
        async with self.http.get(path) as r:
            return r.status, await r.json()

    async def watch(self) -> Watcher:
        return Watcher(await self.http.ws_connect("/ws/hr"))

    async def close(self) -> None:
        await self.http.close()


async def add_staff(client, email: str, role: Role, departments: set[str] = frozenset()) -> Staff:
    await client.server.app[STORE].staff.create(email=email, display_name=email.split("@")[0], role=role,
                                                departments=departments, password_hash=auth.hash_password(PASSWORD))
    staff = Staff(client, email)
    await staff.login()
    return staff


class Watcher:
    """The dashboard's socket: a reader task files every message in `inbox` (answering pings as a browser does)."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.inbox: list[dict[str, Any]] = []
        self.closed: int | None = None  # the close code, once the server ended the socket
        self._arrived = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        while True:
            msg = await self.ws.receive()
            if msg.type is not aiohttp.WSMsgType.TEXT:
                self.closed = self.ws.close_code
                self._arrived.set()
                return
            self.inbox.append(json.loads(msg.data))
            self._arrived.set()

    async def send(self, type_: str, **fields: Any) -> None:
        await self.ws.send_str(json.dumps({"v": 1, "type": type_, **fields}))

    async def subscribe(self, **filters: Any) -> dict[str, Any]:
        start = len(self.inbox)
        await self.send("subscribe", **filters)
        return await self.expect("snapshot", after=start)

    async def expect(self, type_: str, where: Callable[[dict[str, Any]], bool] = lambda m: True, *,
                     after: int = 0, timeout: float = 15.0) -> dict[str, Any]:
        """The first message (from index `after`) of `type_` for which `where` holds; waits for it."""
        async def wait() -> dict[str, Any]:
            seen = after
            while True:
                for message in self.inbox[seen:]:
                    if message["type"] == type_ and where(message):
                        return message
                seen = len(self.inbox)
                if self.closed is not None:
                    raise AssertionError(f"socket closed ({self.closed}) while waiting for {type_}")
                self._arrived.clear()
                await self._arrived.wait()
        return await asyncio.wait_for(wait(), timeout)

    async def patch(self, where: Callable[[dict[str, Any]], bool], *, after: int = 0,
                    timeout: float = 15.0) -> dict[str, Any]:
        """The first `interview` delta whose patch satisfies `where`."""
        message = await self.expect("interview", lambda m: where(m["interview"]), after=after, timeout=timeout)
        return message["interview"]

    async def wait_closed(self, timeout: float = 15.0) -> int:
        await asyncio.wait_for(asyncio.shield(self._reader), timeout)
        return self.closed

    def of(self, type_: str) -> list[dict[str, Any]]:
        return [m for m in self.inbox if m["type"] == type_]

    async def close(self) -> None:
        await self.ws.close()
        self._reader.cancel()
        await asyncio.gather(self._reader, return_exceptions=True)
