"""Outgoing e-mail over SMTP (aiosmtplib): invitations to candidates, account links for staff.

`Mailer.send` raises `MailError` with a message fit for the HR user when the mail could not be
handed to the relay; callers show it and offer the link to copy instead. Nothing here logs a
message body: invitation links are secrets.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid, parseaddr

import aiosmtplib

from .config import Settings

log = logging.getLogger(__name__)

SEND_TIMEOUT_SECONDS = 15.0


class MailError(Exception):
    """The mail was not sent; the message says why, without secrets."""


class MailNotConfigured(MailError):
    def __init__(self) -> None:
        super().__init__("outgoing e-mail is not configured (INTERVOX_SMTP_HOST); copy the link instead")


@dataclass(frozen=True)
class Mail:
    to_address: str
    to_name: str
    subject: str
    text: str  # plain text; every mail is readable without HTML


class Mailer:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @property
    def configured(self) -> bool:
        return bool(self._settings.smtp_host)

    def _message(self, mail: Mail) -> EmailMessage:
        s = self._settings
        sender = s.smtp_from or f"Intervox <intervox@{s.smtp_host}>"
        message = EmailMessage()
        message["From"] = sender
        message["To"] = formataddr((mail.to_name, mail.to_address))
        message["Subject"] = mail.subject
        message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(mail.text)
        return message

    async def send(self, mail: Mail) -> None:
        s = self._settings
        if not self.configured:
            raise MailNotConfigured()
        try:
            await aiosmtplib.send(
                self._message(mail), hostname=s.smtp_host, port=s.smtp_port,
                username=s.smtp_user or None, password=s.smtp_password or None,
                use_tls=s.smtp_tls == "tls", start_tls=s.smtp_tls == "starttls",
                timeout=SEND_TIMEOUT_SECONDS,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            log.warning("mail to %s not sent: %s", mail.to_address, type(error).__name__)
            raise MailError(f"the mail server refused or could not be reached ({type(error).__name__})") from None
        log.info("mail sent to %s: %s", mail.to_address, mail.subject)
