"""Who may see what: the authorization rules, as pure functions over the staff user.

HR and admins see every interview; department heads and reviewers see interviews of jobs in
their departments. Opening a recording also needs a TOTP step-up passed in the last 15 minutes,
whatever the role. Every HTTP route calls one of these; none decides on its own.
"""

from __future__ import annotations

from .records import Role, StaffUser

STEP_UP_SECONDS = 15 * 60
SEES_ALL = frozenset({Role.ADMIN, Role.HR})
REVIEW_ROLES = frozenset(Role)


def sees_department(staff: StaffUser, department: str) -> bool:
    if staff.user.disabled:
        return False
    return staff.user.role in SEES_ALL or department in staff.departments


def stepped_up(stepped_up_at: float | None, now: float) -> bool:
    return stepped_up_at is not None and 0 <= now - stepped_up_at <= STEP_UP_SECONDS


def step_up_expires(stepped_up_at: float | None, now: float) -> float | None:
    """Seconds left of the current step-up, or None when there is none."""
    if not stepped_up(stepped_up_at, now):
        return None
    return STEP_UP_SECONDS - (now - stepped_up_at)


def may_replay(staff: StaffUser, department: str, *, stepped_up_at: float | None, now: float) -> bool:
    return sees_department(staff, department) and stepped_up(stepped_up_at, now)
