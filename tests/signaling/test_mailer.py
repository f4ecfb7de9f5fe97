"""Outgoing mail through a real SMTP server on loopback."""

from __future__ import annotations

import pytest
from smtp_server import free_port, smtp_server

from signaling.config import Settings
from signaling.mailer import Mail, Mailer, MailError, MailNotConfigured

MAIL = Mail(to_address="ana@example.com", to_name="Ana Li", subject="Your interview", text="Open https://x/#token")


def settings_from(env: dict[str, str]) -> Settings:
    return Settings.from_env(env)


async def test_a_mail_reaches_the_relay():
    async with smtp_server() as (inbox, env):
        await Mailer(settings_from(env)).send(MAIL)
        (message,) = await inbox.wait_for(1)
    assert message["To"] == "Ana Li <ana@example.com>" and message["Subject"] == "Your interview"
    assert message["From"] == "Hiring team <jobs@example.test>"
    assert "https://x/#token" in message.get_content()


async def test_not_configured_and_unreachable_relays_say_so():
    with pytest.raises(MailNotConfigured):
        await Mailer(Settings()).send(MAIL)
    closed = Settings(smtp_host="127.0.0.1", smtp_port=free_port(), smtp_tls="none")
    with pytest.raises(MailError, match="refused or could not be reached"):
        await Mailer(closed).send(MAIL)
