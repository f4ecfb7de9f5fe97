"""Account links by e-mail: the activation / password-reset URL, its mail, and handing it over.

The token travels in the URL fragment (`/account/activate#<token>`), so browsers never send it
to the server, to proxies' logs or in a Referer. When the mail cannot be sent (no SMTP relay
configured, or the relay refused) the link is returned once for the admin to pass on instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .account_store import LINK_LIFETIME, LinkPurpose
from .mailer import Mail, Mailer, MailError, MailNotConfigured
from .records import User

PAGE_PATH = "/account/activate"


def link_url(base_url: str, token: str) -> str:
    return f"{base_url}{PAGE_PATH}#{token}"


def _when(expires_at: str) -> str:
    moment = datetime.fromisoformat(expires_at.replace("Z", "+00:00"))
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def link_mail(user: User, purpose: LinkPurpose, url: str, expires_at: str, *, sender: str) -> Mail:
    """The mail with the link, in English and Simplified Chinese (we do not know which they read)."""
    hours = int(LINK_LIFETIME[purpose].total_seconds() // 3600)
    until = _when(expires_at)
    if purpose is LinkPurpose.ACTIVATE:
        subject = "Your Intervox account / 您的 Intervox 账号"
        english = (f"Hello {user.display_name},\n\n{sender} has created an Intervox account for you "
                   f"({user.email}), where the hiring team reviews video interviews.\n\n"
                   f"Open this link to choose your password:\n{url}\n\n"
                   f"The link works once and expires in {hours} hours ({until}). If it has expired, "
                   "ask your administrator to send a new one.")
        chinese = (f"{user.display_name}，您好：\n\n{sender} 为您创建了 Intervox 账号（{user.email}），"
                   "招聘团队在这里评审视频面试。\n\n"
                   f"请打开以下链接设置密码：\n{url}\n\n"
                   f"该链接只能使用一次，{hours} 小时后（{until}）失效。如已失效，请联系管理员重新发送。")
    else:
        subject = "Reset your Intervox password / 重置您的 Intervox 密码"
        english = (f"Hello {user.display_name},\n\n{sender} has sent you a link to choose a new password for "
                   f"your Intervox account ({user.email}):\n{url}\n\n"
                   f"The link works once and expires in {hours} hours ({until}). Until you use it, your "
                   "current password keeps working. If you did not expect this mail, tell your administrator.")
        chinese = (f"{user.display_name}，您好：\n\n{sender} 向您发送了重置 Intervox 账号（{user.email}）密码的链接：\n"
                   f"{url}\n\n"
                   f"该链接只能使用一次，{hours} 小时后（{until}）失效。在使用之前，您当前的密码仍然有效。"
                   "如果您没有预期收到此邮件，请告知管理员。")
    return Mail(to_address=user.email, to_name=user.display_name, subject=subject,
                text=f"{english}\n\n———\n\n{chinese}\n")


@dataclass(frozen=True)
class Delivery:
    """How a link reached (or did not reach) its person."""

    sent: bool
    expires_at: str
    url: str | None = None  # only when not sent: shown once to the admin, to pass on
    problem: str | None = None  # "not_configured", or why the relay did not take it

    def json(self) -> dict[str, Any]:
        return {"sent": self.sent, "expires_at": self.expires_at, "url": self.url, "problem": self.problem}


async def deliver(mailer: Mailer, base_url: str, user: User, purpose: LinkPurpose, token: str, expires_at: str,
                  *, sender: str) -> Delivery:
    url = link_url(base_url, token)
    try:
        await mailer.send(link_mail(user, purpose, url, expires_at, sender=sender))
    except MailNotConfigured:
        return Delivery(False, expires_at, url, "not_configured")
    except MailError as error:
        return Delivery(False, expires_at, url, str(error))
    return Delivery(True, expires_at)
