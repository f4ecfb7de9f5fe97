"""Invitations through the HR API and the candidate's WebSocket: CSV files, e-mail through a real
loopback SMTP server, expiry, revoking and new links (real app, real SQLite, fake recognizer)."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import WSMsgType
from hr_http import Hr, hr_client, token_of
from smtp_server import free_port, smtp_server
from wsclient import reach_first_question

from signaling import invitation_expiry
from signaling.keys import REGISTRY, STORE
from signaling.timeutil import iso


@pytest.fixture
async def hr(aiohttp_client, tmp_path):
    hr = await hr_client(aiohttp_client, tmp_path)
    yield hr
    await hr.close()


def smtp_settings(env: dict[str, str]) -> dict:
    return {"smtp_host": env["INTERVOX_SMTP_HOST"], "smtp_port": int(env["INTERVOX_SMTP_PORT"]),
            "smtp_tls": env["INTERVOX_SMTP_TLS"], "smtp_from": env["INTERVOX_SMTP_FROM"]}


async def upload(hr: Hr, job_id: int, text: str | bytes, query: str = "") -> tuple[int, dict]:
    data = text.encode() if isinstance(text, str) else text
    return await hr.call("POST", f"/api/jobs/{job_id}/invitations/csv{query}", data=data,
                         headers={"Content-Type": "text/csv"})


async def count_interviews(hr: Hr) -> int:
    return len(await hr.app[STORE].all("SELECT id FROM interviews"))


async def test_single_invitation_defaults_and_duplicates(hr):
    """14 days by default; without SMTP the link is returned once; a second open invitation for the same
    address and job is refused (ignoring case), but another job is fine."""
    job = await hr.job()
    before = datetime.now(UTC).replace(microsecond=0)  # stored times have milliseconds
    invite = await hr.invite(job["id"], "Ana@Example.com")
    expires = datetime.fromisoformat(invite["interview"]["expires_at"].replace("Z", "+00:00"))
    assert before + timedelta(days=14) <= expires <= datetime.now(UTC) + timedelta(days=14)
    assert invite["mail"]["status"] == "not_configured" and invite["invite_url"].count("#") == 1
    status, data = await hr.call("POST", "/api/interviews", {"job_id": job["id"], "candidate_name": "Ana again",
                                                             "candidate_email": "ana@example.COM"})
    assert status == 409 and data["error"] == {"code": "already_invited", "field": "candidate_email",
                                               "message": "already has an open invitation for this job"}
    await hr.invite((await hr.job("Other"))["id"], "ana@example.com")
    seven = await hr.invite(job["id"], "bo@example.com", expires_in_days=7, language="zh")
    assert seven["interview"]["invite_language"] == "zh"
    for extra, field in (({"expires_in_days": 0}, "expires_in_days"), ({"expires_at": "2000-01-01"}, "expires_at"),
                         ({"language": "fr"}, "language"), ({"candidate_name": "A\nB"}, "candidate_name")):
        body = {"job_id": job["id"], "candidate_name": "Cy", "candidate_email": "cy@example.com", **extra}
        status, data = await hr.call("POST", "/api/interviews", body)
        assert status == 400 and data["error"]["field"] == field, (extra, data)


BAD_CSV = (
    "\ufeffName;E-mail;Language;Expiry;Phone\r\n"
    "Ana Li;ana@example.com;zh;30;123\r\n"  # row 2: fine
    ";nobody@example.com;;;\r\n"  # row 3: no name
    "Bo;not-an-address;en;;\r\n"  # row 4: bad e-mail
    "Ana Again;ANA@example.com;;;\r\n"  # row 5: duplicate of row 2
    "Cy;cy@example.com;fr;2000-01-01;\r\n"  # row 6: bad language and expiry in the past
    "\r\n"  # row 7: blank, skipped
    "Dee;dee@example.com;;;\r\n"  # row 8: already invited
)


async def test_a_csv_with_bad_rows_reports_each_and_imports_nothing(hr):
    job = await hr.job()
    await hr.invite(job["id"], "dee@example.com", "Dee")
    before = await count_interviews(hr)
    status, preview = await upload(hr, job["id"], BAD_CSV, "?dry_run=1")
    assert status == 200 and preview["valid"] is False
    found = [(e["row"], e["column"], e["code"]) for e in preview["errors"]]
    assert found == [(3, "name", "required"), (4, "email", "invalid_email"), (5, "email", "duplicate_in_file"),
                     (6, "expiry", "expiry_past"), (6, "language", "invalid_language"),
                     (8, "email", "already_invited")]
    assert preview["errors"][2]["params"] == {"row": 2}
    assert [(r["row"], r["ok"]) for r in preview["rows"]] == [(2, True), (3, False), (4, False), (5, False),
                                                              (6, False), (8, False)]
    assert preview["rows"][2]["email"] == "not-an-address", "a bad row is shown as written"
    assert preview["ignored_columns"] == ["Phone"]

    status, data = await upload(hr, job["id"], BAD_CSV)
    assert status == 400 and data["error"]["code"] == "invalid_csv"
    assert [(e["row"], e["column"]) for e in data["error"]["errors"]] == [(r, c) for r, c, _ in found]
    assert await count_interviews(hr) == before, "nothing is imported while any row is wrong"


@pytest.mark.parametrize("content, code", [
    (b"name,email\nZo\xe9,zoe@example.com\n", "not_utf8"),
    ("name,email\n".encode("utf-16"), "utf16"),
    (b"name;phone\nAna;1\n", "missing_columns"),
    (b"name,email\n", "no_rows"),
    (b"", "no_rows"),
    (b'name,email\n"Ana,ana@example.com\n', "bad_quoting"),
    (b"name,email\n" + b"".join(f"P{i},p{i}@example.com\n".encode() for i in range(501)), "too_many_rows"),
    (b"name,email\n" + b"x" * (256 * 1024), "too_large"),
])
async def test_unreadable_csv_files_say_why(hr, content, code):
    job = await hr.job()
    status, preview = await upload(hr, job["id"], content, "?dry_run=1")
    assert status == 200 and [(e["row"], e["code"]) for e in preview["errors"]] == [(None, code)]
    assert (await upload(hr, job["id"], content))[0] == 400


async def test_a_csv_for_an_archived_job_is_refused(hr):
    job = await hr.job()
    await hr.ok("POST", f"/api/jobs/{job['id']}/archive")
    status, data = await upload(hr, job["id"], "name,email\nAna,ana@example.com\n")
    assert status == 400 and data["error"]["errors"][0]["code"] == "job_archived"
    assert await count_interviews(hr) == 0


async def test_a_good_csv_invites_everyone_and_mails_each_in_their_language(aiohttp_client, tmp_path):
    """Every row becomes an invitation, e-mailed through the SMTP relay in the row's language (else the
    job's), with the link, job title, expiry and what the interview involves; the link in the mail
    works and is not returned to HR."""
    async with smtp_server() as (inbox, env):
        hr = await hr_client(aiohttp_client, tmp_path, **smtp_settings(env))
        job = await hr.job("Backend Engineer", questions=3)
        csv = "name,email,language,expiry\nAna Li,ana@example.com,中文,2\n\"Bo, Jr.\",bo@example.com,,\n"
        status, data = await upload(hr, job["id"], csv, "?expires_in_days=5")
        assert status == 201, data
        created = data["created"]
        assert [(c["row"], c["mail"]["status"], "invite_url" in c) for c in created] == [(2, "sent", False),
                                                                                      (3, "sent", False)]
        messages = await inbox.wait_for(2)
        by_to = {m["To"]: m for m in messages}
        zh, en = by_to["Ana Li <ana@example.com>"], by_to['"Bo, Jr." <bo@example.com>']
        assert zh["Subject"] == "视频面试邀请：Backend Engineer"
        assert en["Subject"] == "Your video interview: Backend Engineer"
        body = en.get_content()
        assert "3 questions" in body and "camera" in body and "practice question" in body
        assert "共 3 道题" in zh.get_content()
        expiry = datetime.now(UTC) + timedelta(days=5)
        assert f"{expiry.day} {expiry:%B} {expiry.year}" in body
        link = re.search(r"http://\S+/interview#(\S+)", body).group(1)
        state = await (candidate := await hr.candidate()).hello(link)
        assert state["candidate"]["name"] == "Bo, Jr." and state["step"] == "consent"
        await candidate.close()
        detail = await hr.ok("GET", f"/api/interviews/{created[1]['interview']['id']}")
        assert detail["interview"]["invite_sent_count"] == 1 and detail["interview"]["invite_sent_at"]
        assert created[0]["interview"]["invite_language"] == "zh"
        await hr.close()


async def test_a_failed_mail_keeps_the_invitation_and_returns_its_link(aiohttp_client, tmp_path):
    hr = await hr_client(aiohttp_client, tmp_path, smtp_host="127.0.0.1", smtp_port=free_port(), smtp_tls="none")
    job = await hr.job()
    invite = await hr.invite(job["id"])
    assert invite["mail"]["status"] == "failed" and "could not be reached" in invite["mail"]["message"]
    assert invite["interview"]["invite_sent_count"] == 0
    state = await (candidate := await hr.candidate()).hello(token_of(invite))
    assert state["step"] == "consent"
    await candidate.close()
    status, data = await upload(hr, job["id"], "name,email\nBo,bo@example.com\n")
    assert status == 201 and data["created"][0]["mail"]["status"] == "failed" and data["created"][0]["invite_url"]
    await hr.close()


async def set_expires(hr: Hr, public_id: str, when: datetime) -> None:
    await hr.app[STORE].run("UPDATE interviews SET expires_at = ? WHERE public_id = ?", (iso(when), public_id))


async def test_an_expired_link_shows_the_expired_step_and_is_marked(hr):
    job = await hr.job()
    invite = await hr.invite(job["id"])
    public_id = invite["interview"]["id"]
    await set_expires(hr, public_id, datetime.now(UTC) - timedelta(minutes=1))
    candidate = await hr.candidate()
    state = await candidate.hello(token_of(invite))
    assert (state["status"], state["step"]) == ("expired", "expired")
    await candidate.close()
    assert (await hr.ok("GET", f"/api/interviews/{public_id}"))["interview"]["status"] == "expired"

    # HR gives it more time: the same link opens the interview again.
    await hr.ok("POST", f"/api/interviews/{public_id}/expiry", {"expires_in_days": 3})
    state = await (candidate := await hr.candidate()).hello(token_of(invite))
    assert state["step"] == "consent"
    await candidate.close()


async def test_the_sweep_marks_expired_invitations_but_not_started_ones(hr):
    job = await hr.job()
    waiting = await hr.invite(job["id"], "a@example.com")
    started = await hr.invite(job["id"], "b@example.com")
    candidate = await hr.candidate()
    await reach_first_question(candidate, token_of(started))
    await candidate.close()
    past = datetime.now(UTC) - timedelta(seconds=1)
    for invite in (waiting, started):
        await set_expires(hr, invite["interview"]["id"], past)
    assert await invitation_expiry.sweep(hr.app[STORE], hr.app[REGISTRY]) == 1
    statuses = {i["candidate_email"]: i["status"] for i in (await hr.ok("GET", "/api/interviews"))["interviews"]}
    assert statuses["a@example.com"] == "expired" and statuses["b@example.com"] in ("in_progress", "disconnected")
    state = await (again := await hr.candidate()).hello(token_of(started))
    assert state["step"] == "question", "a started interview resumes after its link's expiry"
    await again.close()


async def test_the_app_sweeps_at_start_up(aiohttp_client, tmp_path):
    """The sweep is the application's own task: an invitation already expired when the server starts
    is marked without anyone opening its link."""
    hr = await hr_client(aiohttp_client, tmp_path)
    job = await hr.job()
    invite = await hr.invite(job["id"])
    await set_expires(hr, invite["interview"]["id"], datetime.now(UTC) - timedelta(seconds=1))
    await hr.close()
    await hr.client.close()
    again = await hr_client(aiohttp_client, tmp_path)  # the same data directory, a new server
    for _ in range(200):
        detail = await again.ok("GET", f"/api/interviews/{invite['interview']['id']}")
        if detail["interview"]["status"] == "expired":
            break
        await asyncio.sleep(0.05)
    assert detail["interview"]["status"] == "expired"
    await again.close()


async def test_a_revoked_link_is_refused_and_a_connected_candidate_is_told(hr):
    job = await hr.job()
    invite = await hr.invite(job["id"])
    public_id = invite["interview"]["id"]
    candidate = await hr.candidate()
    await reach_first_question(candidate, token_of(invite))
    revoked = await hr.ok("POST", f"/api/interviews/{public_id}/revoke")
    assert revoked["interview"]["revoked_at"]
    error = await candidate.expect("error", code="revoked")
    assert error["message"] == "this invitation was withdrawn"
    assert await candidate.wait_closed() == (WSMsgType.CLOSE, 4403)
    await candidate.close()

    later = await hr.candidate()
    await later.send("hello", token=token_of(invite))
    assert (await later.expect("error"))["code"] == "revoked"
    assert await later.wait_closed() == (WSMsgType.CLOSE, 4403)
    await later.close()
    status, data = await hr.call("POST", f"/api/interviews/{public_id}/revoke")
    assert status == 409 and data["error"]["code"] == "already_revoked"
    for action in ("resend", "expiry"):
        status, data = await hr.call("POST", f"/api/interviews/{public_id}/{action}", {"expires_in_days": 3})
        assert status == 409 and data["error"]["code"] == "revoked"
    # A withdrawn invitation no longer blocks a new one for the same address.
    await hr.invite(job["id"])


async def test_resend_replaces_the_link(aiohttp_client, tmp_path):
    """The old link stops working, the new one works, it is mailed and counted; an expired invitation
    opens again with a new expiry."""
    async with smtp_server() as (inbox, env):
        hr = await hr_client(aiohttp_client, tmp_path, **smtp_settings(env))
        job = await hr.job()
        invite = await hr.invite(job["id"], send_email=False)
        assert invite["mail"]["status"] == "skipped" and invite["invite_url"]
        public_id = invite["interview"]["id"]
        await set_expires(hr, public_id, datetime.now(UTC) - timedelta(minutes=5))
        await invitation_expiry.sweep(hr.app[STORE], hr.app[REGISTRY])

        resent = await hr.ok("POST", f"/api/interviews/{public_id}/resend")
        assert resent["mail"]["status"] == "sent" and "invite_url" not in resent
        assert resent["interview"]["status"] == "invited" and resent["interview"]["invite_sent_count"] == 1
        assert resent["interview"]["expires_at"] > iso(datetime.now(UTC) + timedelta(days=13))
        (message,) = await inbox.wait_for(1)
        new_token = re.search(r"/interview#(\S+)", message.get_content()).group(1)

        old = await hr.candidate()
        await old.send("hello", token=token_of(invite))
        assert (await old.expect("error"))["code"] == "unauthorized"
        assert await old.wait_closed() == (WSMsgType.CLOSE, 4401)
        await old.close()
        state = await (new := await hr.candidate()).hello(new_token)
        assert state["step"] == "consent"
        status, data = await hr.call("POST", f"/api/interviews/{public_id}/resend")
        assert status == 409 and data["error"]["code"] == "candidate_connected"
        await new.close()

        copy = await hr.ok("POST", f"/api/interviews/{public_id}/resend", {"send_email": False})
        assert copy["mail"]["status"] == "skipped" and copy["invite_url"] != invite["invite_url"]
        assert copy["interview"]["invite_sent_count"] == 1
        await hr.close()


async def test_one_link_is_one_interview(hr):
    """A second device takes the interview over (same interview, the first is told); after the
    candidate declines, the link shows the decision — it never starts a second interview."""
    job = await hr.job()
    invite = await hr.invite(job["id"])
    first, second = await hr.candidate(), await hr.candidate()
    await first.hello(token_of(invite))
    await second.hello(token_of(invite))
    assert (await first.expect("error"))["code"] == "taken_over"
    await second.send("consent", accept=False)
    await second.expect("state", step="declined")
    await first.close()
    await second.close()
    third = await hr.candidate()
    assert (await third.hello(token_of(invite)))["step"] == "declined"
    await third.close()
    assert await count_interviews(hr) == 1
    status, data = await hr.call("POST", f"/api/interviews/{invite['interview']['id']}/resend")
    assert status == 409 and data["error"]["code"] == "finished"


async def test_options_say_whether_mail_is_configured(hr):
    options = await hr.ok("GET", "/api/invitations/options")
    assert options == {"mail": False, "default_expiry_days": 14, "max_expiry_days": 90,
                       "csv": {"max_bytes": 256 * 1024, "max_rows": 500}}

