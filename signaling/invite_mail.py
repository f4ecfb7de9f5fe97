"""The invitation e-mail (English or Simplified Chinese) and sending it for many invitations.

The mail says which job it is for, gives the link and until when it works, and what the
interview involves, so that a candidate can prepare. Sending runs as a task of the application
(not of the HTTP request): a browser that goes away mid-upload does not leave invitations
half-mailed and unrecorded. Each invitation gets its own outcome; a failure loses nothing.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from .invitation_store import InvitationStore
from .keys import MAILER, STORE
from .mailer import Mail, MailError, MailNotConfigured
from .records import Interview, Job
from .tasks import TaskOwner

MAIL_TASKS = web.AppKey("invite_mail_tasks", TaskOwner)
CONCURRENT_SENDS = 4
SETUP_MINUTES = 5  # consent, camera check and the practice question

_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")


def expiry_text(moment: datetime, language: str) -> str:
    if language == "zh":
        return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}（UTC）"
    return f"{moment.day} {_EN_MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M} UTC"


def interview_minutes(job: Job) -> int:
    """At most how long the interview takes: every think and answer time, plus setting up."""
    return math.ceil(sum(q.think_seconds + q.answer_seconds for q in job.questions) / 60) + SETUP_MINUTES


def invitation_mail(*, name: str, address: str, job: Job, link: str, expires_at: datetime | None,
                    language: str) -> Mail:
    n, minutes = len(job.questions), interview_minutes(job)
    if language == "zh":
        until = f"此链接仅供您本人使用，请勿转发。有效期至 {expiry_text(expires_at, 'zh')}。\n" if expires_at else \
            "此链接仅供您本人使用，请勿转发。\n"
        text = (
            f"{name}，您好：\n\n"
            f"诚邀您参加“{job.title}”职位的视频面试。\n\n"
            f"点击以下链接开始面试：\n{link}\n\n"
            f"{until}\n"
            "面试内容：\n"
            f"- 共 {n} 道题，对着摄像头作答。每道题先有思考时间，然后限时回答；全程最长约 {minutes} 分钟（含准备）。\n"
            "- 正式答题前，您会看到我们保存哪些信息及原因，测试摄像头和麦克风，并回答一道不计分的练习题。\n"
            "- 您的回答会被录制、转写成文字并自动评分，之后由招聘团队审阅。您可以在第一个页面拒绝 AI 面试。\n"
            "- 请使用最新版 Chrome、Edge、Firefox 或 Safari，在带摄像头和麦克风的电脑或手机上，于安静的环境中作答。"
            "如果网络中断，请重新打开同一链接继续。\n\n"
            "如果您没有预期收到此邀请，请忽略本邮件。\n"
        )
        return Mail(address, name, f"视频面试邀请：{job.title}", text)
    until = (f"The link is personal: please do not share it. It works until {expiry_text(expires_at, 'en')}.\n"
             if expires_at else "The link is personal: please do not share it.\n")
    text = (
        f"Hello {name},\n\n"
        f"You are invited to a video interview for the position \u201c{job.title}\u201d.\n\n"
        f"Start the interview here:\n{link}\n\n"
        f"{until}\n"
        "What the interview involves:\n"
        f"- {n} question{'s' if n != 1 else ''}, answered on camera. Each question gives you time to think, "
        f"then a time limit for the answer; it takes at most about {minutes} minutes in all, setting up included.\n"
        "- Before the questions you see what is kept and why, check your camera and microphone, and answer a "
        "practice question that does not count.\n"
        "- Your answers are recorded, transcribed and scored automatically, then reviewed by the hiring team. "
        "You can decline the AI interview on the first screen.\n"
        "- Use an up-to-date Chrome, Edge, Firefox or Safari on a computer or phone with a camera and microphone, "
        "in a quiet place. If your connection drops, open the same link again to continue.\n\n"
        "If you did not expect this invitation, you can ignore this e-mail.\n"
    )
    return Mail(address, name, f"Your video interview: {job.title}", text)


@dataclass(frozen=True)
class Outcome:
    status: str  # "sent", "failed", "not_configured" or "skipped"
    message: str | None = None

    @property
    def sent(self) -> bool:
        return self.status == "sent"

    def to_json(self) -> dict[str, object]:
        return {"status": self.status, "message": self.message}


@dataclass(frozen=True)
class Invitation:
    interview: Interview
    link: str


async def _send_one(app: web.Application, job: Job, invitation: Invitation, limit: asyncio.Semaphore) -> Outcome:
    interview = invitation.interview
    expires = datetime.fromisoformat(interview.expires_at.replace("Z", "+00:00")) if interview.expires_at else None
    mail = invitation_mail(name=interview.candidate_name, address=interview.candidate_email, job=job,
                           link=invitation.link, expires_at=expires,
                           language=interview.invite_language or job.language)
    async with limit:
        try:
            await app[MAILER].send(mail)
        except MailNotConfigured as error:
            return Outcome("not_configured", str(error))
        except MailError as error:
            return Outcome("failed", str(error))
    await InvitationStore(app[STORE]).mark_sent(interview.id)
    return Outcome("sent")


async def send_invitations(app: web.Application, job: Job, invitations: Sequence[Invitation]) -> list[Outcome]:
    """Mail each invitation (a few at a time); the outcomes in the same order. Owned by the
    application and shielded from the request's cancellation."""
    if not app[MAILER].configured:
        return [Outcome("not_configured") for _ in invitations]
    limit = asyncio.Semaphore(CONCURRENT_SENDS)

    async def send_all() -> list[Outcome]:
        return list(await asyncio.gather(*(_send_one(app, job, inv, limit) for inv in invitations)))

    task = app[MAIL_TASKS].spawn(send_all(), name=f"invite-mails-job-{job.id}")
    return await asyncio.shield(task)


async def tasks_ctx(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context: invitation mails still being sent at shutdown get a little time to finish."""
    owner = TaskOwner("invite-mails")
    app[MAIL_TASKS] = owner
    yield
    await owner.aclose(timeout=20.0)
