"""Invitations: creating them (one or a whole file, in one transaction), expiry, revoking, new links.

An invitation is an interview row with the hash of its link's token. It is *open* while it can
still lead to an interview: not revoked, not expired, not finished. A job takes no new
invitations once archived, and a candidate (by e-mail address) has at most one open invitation
per job. An invitation expires at `expires_at` unless its candidate has started (consented);
afterwards the usual resume rules apply.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from .flow import Status
from .records import Interview
from .store import NotFound, StoreError
from .timeutil import iso, utc_now

if TYPE_CHECKING:
    from .store import Store

OPEN_STATUSES = ("invited", "consented", "in_progress", "disconnected", "interrupted")
EXPIRABLE = ("invited", "consented")  # the candidate has not started: the link may still expire
FINISHED = (Status.COMPLETED, Status.DECLINED)


class JobArchived(StoreError):
    pass


class AlreadyInvited(StoreError):
    """Some addresses already have an open invitation for the job; `indexes` says which ones."""

    def __init__(self, indexes: list[int]) -> None:
        super().__init__(f"{len(indexes)} candidate(s) already have an open invitation for this job")
        self.indexes = indexes


class NotChangeable(StoreError):
    """The invitation is in a state that does not allow the change; `code` says which."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class NewInvitation:
    name: str
    email: str
    token_hash: str
    expires_at: datetime
    language: str | None = None


_OPEN = f"revoked_at IS NULL AND status IN ({', '.join(repr(s) for s in OPEN_STATUSES)})"
_EXPIRABLE = f"revoked_at IS NULL AND status IN ({', '.join(repr(s) for s in EXPIRABLE)})"


class InvitationStore:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def open_emails(self, job_id: int) -> set[str]:
        """The (case-folded) addresses with an open invitation for the job."""
        rows = await self._store.all(f"SELECT candidate_email FROM interviews WHERE job_id = ? AND {_OPEN}",
                                     (job_id,))
        return {r[0].casefold() for r in rows}

    async def create_many(self, job_id: int, invitations: Sequence[NewInvitation], *,
                          created_by: int | None) -> list[Interview]:
        """Create every invitation or none (NotFound, JobArchived, AlreadyInvited)."""
        public_ids = [uuid.uuid4().hex for _ in invitations]
        now = utc_now()
        async with self._store.transaction() as conn:
            job = await (await conn.execute("SELECT archived_at FROM jobs WHERE id = ?", (job_id,))).fetchone()
            if job is None:
                raise NotFound(f"job {job_id} does not exist")
            if job["archived_at"] is not None:
                raise JobArchived("the job is archived")
            rows = await (await conn.execute(
                f"SELECT candidate_email FROM interviews WHERE job_id = ? AND {_OPEN}", (job_id,))).fetchall()
            taken = {r[0].casefold() for r in rows}
            clashes = [i for i, inv in enumerate(invitations) if inv.email.casefold() in taken]
            if clashes:
                raise AlreadyInvited(clashes)
            for public_id, inv in zip(public_ids, invitations, strict=True):
                await conn.execute(
                    "INSERT INTO interviews (public_id, job_id, candidate_name, candidate_email, token_hash, status, "
                    "created_by, created_at, expires_at, invite_language) "
                    "VALUES (?, ?, ?, ?, ?, 'invited', ?, ?, ?, ?)",
                    (public_id, job_id, inv.name, inv.email, inv.token_hash, created_by, now, iso(inv.expires_at),
                     inv.language))
        return [await self._store.interview(public_id) for public_id in public_ids]

    async def revoke(self, interview_id: int) -> Interview:
        async with self._store.transaction() as conn:
            row = await _row(conn, interview_id)
            if row["revoked_at"] is not None:
                raise NotChangeable("already_revoked", "the invitation was already withdrawn")
            if Status(row["status"]) in FINISHED:
                raise NotChangeable("finished", f"the interview is {row['status']}: there is nothing to withdraw")
            await conn.execute("UPDATE interviews SET revoked_at = ? WHERE id = ?", (utc_now(), interview_id))
        return await self._store.interview_by_id(interview_id)

    async def new_link(self, interview_id: int, token_hash: str, expires_at: datetime | None) -> Interview:
        """A new token (the old link stops working); an expired invitation opens again."""
        async with self._store.transaction() as conn:
            row = await _changeable(conn, interview_id)
            await conn.execute(
                "UPDATE interviews SET token_hash = ?, expires_at = coalesce(?, expires_at), "
                "status = CASE WHEN status = 'expired' THEN 'invited' ELSE status END WHERE id = ?",
                (token_hash, iso(expires_at) if expires_at else None, row["id"]))
        return await self._store.interview_by_id(interview_id)

    async def set_expiry(self, interview_id: int, expires_at: datetime) -> Interview:
        """Move the expiry; an expired invitation opens again (with the same link)."""
        async with self._store.transaction() as conn:
            await _changeable(conn, interview_id)
            await conn.execute(
                "UPDATE interviews SET expires_at = ?, "
                "status = CASE WHEN status = 'expired' THEN 'invited' ELSE status END WHERE id = ?",
                (iso(expires_at), interview_id))
        return await self._store.interview_by_id(interview_id)

    async def mark_sent(self, interview_id: int) -> None:
        await self._store.run(
            "UPDATE interviews SET invite_sent_at = ?, invite_sent_count = invite_sent_count + 1 WHERE id = ?",
            (utc_now(), interview_id))

    async def due(self, now: datetime) -> list[int]:
        """Interviews whose link has expired but which are not marked yet."""
        rows = await self._store.all(
            f"SELECT id FROM interviews WHERE {_EXPIRABLE} AND expires_at IS NOT NULL AND expires_at <= ?",
            (iso(now),))
        return [r[0] for r in rows]

    async def expire(self, interview_id: int, now: datetime) -> bool:
        """Mark the interview expired if it still is due (the candidate may have started meanwhile)."""
        changed = await self._store.run(
            f"UPDATE interviews SET status = 'expired' WHERE id = ? AND {_EXPIRABLE} "
            "AND expires_at IS NOT NULL AND expires_at <= ?", (interview_id, iso(now)))
        return changed > 0


async def _row(conn, interview_id: int):
    row = await (await conn.execute("SELECT * FROM interviews WHERE id = ?", (interview_id,))).fetchone()
    if row is None:
        raise NotFound("no such interview")
    return row


async def _changeable(conn, interview_id: int):
    row = await _row(conn, interview_id)
    if row["revoked_at"] is not None:
        raise NotChangeable("revoked", "the invitation was withdrawn; invite the candidate again instead")
    if Status(row["status"]) in FINISHED:
        raise NotChangeable("finished", f"the interview is {row['status']}: its link is no longer needed")
    return row


def is_due(interview: Interview, now: datetime) -> bool:
    """The link has expired and the candidate had not started."""
    return (interview.revoked_at is None and interview.status.value in EXPIRABLE
            and interview.expires_at is not None and interview.expires_at <= iso(now))
