"""Staff accounts, for administrators: the list with each account's state, inviting a person by
e-mail, disabling and re-enabling, resetting the second factor, and sending a password reset.

Every change is written to the audit log. An admin cannot disable their own account, and the
last active administrator cannot be disabled, so the server always keeps someone who can
manage it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from . import auth
from .account_links import Delivery, deliver
from .account_store import AccountState, AccountStatus, LastActiveAdmin, LinkPurpose, NoSuchAccount
from .keys import MAILER, SETTINGS, STORE
from .policy import Access, rule
from .records import StaffUser, User
from .security import json_error
from .sessions import ADMIN_ROLES, require
from .validation import parse_new_user

routes = web.RouteTableDef()
USER = r"/api/users/{user_id:\d{1,12}}"


def staff_json(staff: StaffUser, status: AccountStatus) -> dict[str, Any]:
    user = staff.user
    return {"id": user.id, "email": user.email, "name": user.display_name, "role": user.role.value,
            "departments": sorted(staff.departments), "disabled": user.disabled, "totp_enabled": staff.totp_enabled,
            "status": status.state.value, "disabled_at": status.disabled_at,
            "invite_expires_at": status.invite_expires_at, "password_changed_at": status.password_changed_at}


async def _user_json(request: web.Request, user_id: int) -> dict[str, Any]:
    store = request.app[STORE]
    staff = await store.staff.get(user_id)
    return staff_json(staff, await store.accounts.status(user_id))


async def _target(request: web.Request) -> StaffUser | None:
    return await request.app[STORE].staff.get(int(request.match_info["user_id"]))


def _no_such_user() -> web.Response:
    return json_error(404, "not_found", "no such staff account")


async def _send_link(request: web.Request, admin: User, user: User, purpose: LinkPurpose) -> Delivery:
    store = request.app[STORE]
    token, expires_at = await store.accounts.issue_link(user.id, purpose, created_by=admin.id)
    delivery = await deliver(request.app[MAILER], request.app[SETTINGS].base_url, user, purpose, token, expires_at,
                             sender=admin.display_name)
    await store.audit.record("user.invite_sent" if purpose is LinkPurpose.ACTIVATE else "user.password_reset_sent",
                             user=admin, target=user.email, mailed=delivery.sent, expires_at=expires_at,
                             **({"problem": delivery.problem} if delivery.problem else {}))
    return delivery


@routes.get("/api/users")
@rule(Access.ADMIN)
async def list_users(request: web.Request) -> web.StreamResponse:
    await require(request, ADMIN_ROLES)
    store = request.app[STORE]
    statuses = await store.accounts.statuses()
    return web.json_response({
        "users": [staff_json(s, statuses[s.user.id]) for s in await store.staff.all()],
        "mail_configured": request.app[MAILER].configured,
    })


@routes.post("/api/users")
@rule(Access.ADMIN)
async def invite_user(request: web.Request) -> web.StreamResponse:
    """Create the account without a usable password and send the person a link to choose one."""
    admin = await require(request, ADMIN_ROLES)
    data = parse_new_user(await request.json())
    store = request.app[STORE]
    if await store.staff.email_taken(data.email):
        return json_error(409, "email_taken", "an account with this e-mail exists", field="email")
    staff = await store.staff.create(email=data.email, display_name=data.name, role=data.role,
                                     departments=data.departments,
                                     password_hash=await asyncio.to_thread(auth.unusable_password_hash))
    await store.audit.record("user.invited", user=admin, target=data.email, role=data.role.value,
                             departments=sorted(data.departments))
    delivery = await _send_link(request, admin, staff.user, LinkPurpose.ACTIVATE)
    return web.json_response({"user": await _user_json(request, staff.user.id), "delivery": delivery.json()},
                             status=201)


@routes.post(USER + "/invite")
@rule(Access.ADMIN)
async def resend_invitation(request: web.Request) -> web.StreamResponse:
    """A new invitation link (the earlier one stops working), for an account not yet activated."""
    admin = await require(request, ADMIN_ROLES)
    target = await _target(request)
    if target is None:
        return _no_such_user()
    if (await request.app[STORE].accounts.status(target.user.id)).state is not AccountState.INVITED:
        return json_error(409, "not_invited", "this account is active or disabled; send a password reset instead")
    delivery = await _send_link(request, admin, target.user, LinkPurpose.ACTIVATE)
    return web.json_response({"user": await _user_json(request, target.user.id), "delivery": delivery.json()})


@routes.post(USER + "/password-reset")
@rule(Access.ADMIN)
async def send_password_reset(request: web.Request) -> web.StreamResponse:
    """A link to choose a new password; the current one keeps working until the link is used."""
    admin = await require(request, ADMIN_ROLES)
    target = await _target(request)
    if target is None:
        return _no_such_user()
    state = (await request.app[STORE].accounts.status(target.user.id)).state
    if state is AccountState.DISABLED:
        return json_error(409, "disabled", "enable the account first")
    if state is AccountState.INVITED:
        return json_error(409, "invited", "this person has not activated the account yet; resend the invitation")
    delivery = await _send_link(request, admin, target.user, LinkPurpose.RESET_PASSWORD)
    return web.json_response({"user": await _user_json(request, target.user.id), "delivery": delivery.json()})


@routes.post(USER + "/disable")
@rule(Access.ADMIN)
async def disable_user(request: web.Request) -> web.StreamResponse:
    """The account can no longer sign in; its sessions and pending links end at once."""
    admin = await require(request, ADMIN_ROLES)
    user_id = int(request.match_info["user_id"])
    if user_id == admin.id:
        return json_error(409, "own_account", "you cannot disable your own account")
    store = request.app[STORE]
    try:
        user, changed, ended = await store.accounts.set_disabled(user_id, True)
    except NoSuchAccount:
        return _no_such_user()
    except LastActiveAdmin:
        return json_error(409, "last_admin", "this is the last active administrator")
    if changed:
        await store.audit.record("user.disabled", user=admin, target=user.email, sessions_ended=ended)
    return web.json_response({"user": await _user_json(request, user_id), "sessions_ended": ended})


@routes.post(USER + "/enable")
@rule(Access.ADMIN)
async def enable_user(request: web.Request) -> web.StreamResponse:
    admin = await require(request, ADMIN_ROLES)
    user_id = int(request.match_info["user_id"])
    store = request.app[STORE]
    try:
        user, changed, _ = await store.accounts.set_disabled(user_id, False)
    except NoSuchAccount:
        return _no_such_user()
    if changed:
        await store.audit.record("user.enabled", user=admin, target=user.email)
    return web.json_response({"user": await _user_json(request, user_id)})


@routes.post(USER + "/totp-reset")
@rule(Access.ADMIN)
async def reset_totp(request: web.Request) -> web.StreamResponse:
    """Forget the account's authenticator (a lost phone): they set up a new one before the next replay."""
    admin = await require(request, ADMIN_ROLES)
    target = await _target(request)
    if target is None:
        return _no_such_user()
    store = request.app[STORE]
    was_set = await store.accounts.reset_totp(target.user.id)
    await store.audit.record("totp.reset", user=admin, target=target.user.email, was_enabled=target.totp_enabled,
                             had_secret=was_set)
    return web.json_response({"user": await _user_json(request, target.user.id)})
