"""First-run set-up: the admin account, and for `--demo` a demo job with a fresh invite link.

What it creates is returned as console lines for the CLI to print once the server listens;
the admin password is shown there exactly once and is never logged.
"""

from __future__ import annotations

import asyncio
import logging

from . import auth
from .config import Settings
from .flow import Status
from .records import Role
from .store import NewQuestion, Store

log = logging.getLogger(__name__)

ADMIN_EMAIL = "admin@intervox.local"
DEMO_JOB_TITLE = "Software Engineer (demo)"
DEMO_CANDIDATE = ("Demo Candidate", "candidate@example.com")

_DEMO_QUESTIONS = (
    NewQuestion(
        "Tell me about a time you led a team through a difficult deadline.", 20, 120,
        {"competencies": [
            {"name": "Leadership", "weight": 1.0,
             "indicators": ["led", "lead", "delegated", "paired", "broke the work", "milestones"]},
            {"name": "Planning", "weight": 1.0,
             "indicators": ["plan", "milestones", "priorit", "cut", "scope", "tracked risks"]},
            {"name": "Results", "weight": 1.0, "indicators": ["delivered", "on time", "percent", "dropped", "zero"]},
        ]},
    ),
    NewQuestion(
        "How do you handle disagreement with a colleague?", 20, 120,
        {"competencies": [
            {"name": "Listening", "weight": 1.0, "indicators": ["listened", "asked", "reasoning", "understand"]},
            {"name": "Evidence", "weight": 1.0, "indicators": ["criteria", "benchmark", "data", "measured"]},
            {"name": "Collaboration", "weight": 1.0, "indicators": ["combined", "agreed", "together", "relationship"]},
        ]},
    ),
    NewQuestion("Describe how you would investigate a sudden outage in production.", 20, 120, None),
)


async def ensure_admin(store: Store) -> list[str]:
    if await store.count_users() > 0:
        return []
    password = auth.generate_password()
    password_hash = await asyncio.to_thread(auth.hash_password, password)
    await store.create_user(ADMIN_EMAIL, "Administrator", password_hash, Role.ADMIN)
    log.info("created the first admin account %s", ADMIN_EMAIL)
    return [
        "Created the administrator account (this password is shown only once):",
        f"    e-mail:   {ADMIN_EMAIL}",
        f"    password: {password}",
    ]


async def ensure_demo(store: Store, settings: Settings) -> list[str]:
    """Create the demo job once; give the demo candidate a fresh link at every start."""
    job = await store.job_by_title(DEMO_JOB_TITLE)
    if job is None:
        job = await store.create_job(title=DEMO_JOB_TITLE, department="Engineering", language="en",
                                     questions=_DEMO_QUESTIONS, created_by=None)
    token = auth.new_secret()
    reusable = [row.interview for row in await store.interviews(job.id)
                if row.interview.status is Status.INVITED and row.interview.opened_at is None
                and row.interview.candidate_email == DEMO_CANDIDATE[1]]
    if reusable:
        # Only the token's hash is stored, so an old link cannot be shown again: replace it.
        await store.replace_token_hash(reusable[0].id, auth.digest(token))
    else:
        await store.create_interview(job_id=job.id, candidate_name=DEMO_CANDIDATE[0],
                                     candidate_email=DEMO_CANDIDATE[1], token_hash=auth.digest(token),
                                     created_by=None)
    return [f"Demo job: {DEMO_JOB_TITLE} ({len(job.questions)} questions)",
            f"Candidate invite link: {settings.base_url}/interview#{token}"]
