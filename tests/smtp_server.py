"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for tests."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from email.message import EmailMessage

from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.arrived = asyncio.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        self._loop.call_soon_threadsafe(self.arrived.set)
        return "250 OK"

    async def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        async def wait() -> None:
            while len(self.messages) < count:
                self.arrived.clear()
                await self.arrived.wait()
        await asyncio.wait_for(wait(), timeout)
        return self.messages


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@asynccontextmanager
async def smtp_server() -> AsyncIterator[tuple[Inbox, dict[str, str]]]:
    """Run the server (in aiosmtpd's thread); yield its inbox and the INTERVOX_SMTP_* settings."""
    inbox = Inbox()
    inbox._loop = asyncio.get_running_loop()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, {"INTERVOX_SMTP_HOST": "127.0.0.1", "INTERVOX_SMTP_PORT": str(port),
                      "INTERVOX_SMTP_TLS": "none", "INTERVOX_SMTP_FROM": "Hiring team <jobs@example.test>"}
    finally:
        controller.stop()
