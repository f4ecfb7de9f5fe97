"""Replaying recordings and reviewing answers through the HTTP API (real app, fake recognizer)."""

from __future__ import annotations

import io
import time

import aiohttp
import av
import pytest
from fakes import FakeRecognizer
from staff_http import staff_session
from wsclient import Candidate, answer_one_question, make_interview

from signaling import auth, totp
from signaling.app import create_app
from signaling.config import Settings
from signaling.keys import SETTINGS, STORE
from signaling.records import Role
from signaling.sessions import COOKIE_NAME


@pytest.fixture
async def client(aiohttp_client, tmp_path):
    app = create_app(Settings(data_dir=tmp_path / "data"), recognizer=FakeRecognizer())
    return await aiohttp_client(app)


class Staff:
    """A browser-like HTTP session for one staff user (own cookie jar, same-origin header)."""

    def __init__(self, client, email: str, password: str) -> None:
        base = str(client.make_url("/")).rstrip("/")
        self.http = staff_session(base)
        self.email, self.password = email, password
        self.secret: str | None = None

    async def login(self) -> None:
        async with self.http.post("/api/login", json={"email": self.email, "password": self.password}) as r:
            assert r.status == 200, await r.text()

    async def enrol(self) -> None:
        async with self.http.post("/api/totp/enroll") as r:
            assert r.status == 200
            self.secret = (await r.json())["secret"]
        async with self.http.post("/api/totp/confirm", json={"code": self.code()}) as r:
            assert r.status == 200, await r.text()

    def code(self, *, steps_ago: int = 0) -> str:
        return totp.code_at(self.secret, totp.step_at(time.time()) - steps_ago)

    async def get(self, path: str, **kw) -> aiohttp.ClientResponse:
        response = await self.http.get(path, **kw)
        await response.read()
        return response

    async def close(self) -> None:
        await self.http.close()


async def add_staff(client, email: str, role: Role, departments: set[str]) -> Staff:
    password = "a long enough password"
    await client.server.app[STORE].staff.create(email=email, display_name=email.split("@")[0], role=role,
                                                departments=departments, password_hash=auth.hash_password(password))
    staff = Staff(client, email, password)
    await staff.login()
    return staff


@pytest.fixture
async def recorded(client):
    """One interview (department Engineering) with one recorded, scored answer."""
    token = await make_interview(client.server.app, department="Engineering")
    origin = str(client.make_url("/")).rstrip("/")
    candidate = Candidate(await client.ws_connect("/ws", headers={"Origin": origin}))
    await answer_one_question(candidate, token)
    await candidate.close()
    store = client.server.app[STORE]
    summary = (await store.interviews())[0]
    (recording,) = await store.recordings.for_interview(summary.interview.id)
    return summary.interview, recording, token


def part_url(recording) -> str:
    return f"/api/recordings/{recording.id}/parts/1"


async def test_reviewer_of_the_department_replays_with_ranges_after_step_up(client, recorded):
    """A reviewer of the job's department, stepped up, gets 206 ranges that equal the decrypted part."""
    interview, recording, _ = recorded
    reviewer = await add_staff(client, "rita@example.com", Role.REVIEWER, {"Engineering"})
    await reviewer.enrol()
    whole = await reviewer.get(part_url(recording))
    assert whole.status == 200 and whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["Cache-Control"] == "no-store"
    body = await whole.read()
    assert body[:4] == b"\x1a\x45\xdf\xa3"  # a WebM file, decrypted on the fly
    for first, last in ((0, 0), (100, 5000), (len(body) - 10, len(body) - 1)):
        r = await reviewer.get(part_url(recording), headers={"Range": f"bytes={first}-{last}"})
        assert r.status == 206 and r.headers["Content-Range"] == f"bytes {first}-{last}/{len(body)}"
        assert await r.read() == body[first:last + 1]
    suffix = await reviewer.get(part_url(recording), headers={"Range": "bytes=-7"})
    assert suffix.status == 206 and await suffix.read() == body[-7:]
    bad = await reviewer.get(part_url(recording), headers={"Range": f"bytes={len(body) + 5}-"})
    assert bad.status == 416 and bad.headers["Content-Range"] == f"bytes */{len(body)}"
    with av.open(io.BytesIO(body)) as container:
        assert sum(1 for _ in container.decode(video=0)) > 0
    await reviewer.close()


async def test_refusals(client, recorded):
    """No session, a candidate's token, another department, no step-up, a reused code: all refused."""
    interview, recording, token = recorded
    anonymous = Staff(client, "", "")
    assert (await anonymous.get(part_url(recording))).status == 401
    as_candidate = await anonymous.get(part_url(recording), cookies={COOKIE_NAME: token})
    assert as_candidate.status == 401, "an invite token is not a session"
    await anonymous.close()

    other = await add_staff(client, "otto@example.com", Role.DEPT_HEAD, {"Finance"})
    await other.enrol()
    assert (await other.get(part_url(recording))).status == 404  # not even told it exists
    listed = await (await other.get("/api/review/interviews")).json()
    assert listed["interviews"] == []
    await other.close()

    reviewer = await add_staff(client, "rita@example.com", Role.REVIEWER, {"Engineering"})
    refused = await reviewer.get(part_url(recording))
    assert refused.status == 403 and (await refused.json())["error"]["code"] == "step_up_required"
    await reviewer.enrol()  # uses the current code
    async with reviewer.http.post("/api/step-up", json={"code": reviewer.code()}) as r:
        assert r.status == 400, "a TOTP code works once"
    async with reviewer.http.post("/api/step-up", json={"code": reviewer.code(steps_ago=2)}) as r:
        assert r.status == 400, "two steps of drift is too much"
    await reviewer.close()


async def test_hr_needs_step_up_too_and_every_access_is_audited(client, recorded):
    """HR replays only after a step-up; each read is in the audit log with who, which part and range."""
    interview, recording, _ = recorded
    hr = await add_staff(client, "hana@example.com", Role.HR, set())
    assert (await hr.get(part_url(recording))).status == 403
    await hr.enrol()
    assert (await hr.get(part_url(recording), headers={"Range": "bytes=10-19"})).status == 206
    log = await (await hr.get("/api/audit")).json()
    reads = [e for e in log["entries"] if e["action"] == "recording.read"]
    assert reads[0]["actor"] == "hana@example.com" and reads[0]["target"] == f"{recording.id}/p1"
    assert reads[0]["detail"] == {"range": "bytes=10-19"} and reads[0]["at"]
    await hr.close()


async def test_reviewer_rating_is_stored_and_shown_to_hr(client, recorded):
    """A reviewer's 1–5 rating and note are saved and appear in HR's interview view."""
    interview, recording, _ = recorded
    reviewer = await add_staff(client, "rita@example.com", Role.REVIEWER, {"Engineering"})
    detail = await (await reviewer.get(f"/api/review/interviews/{interview.public_id}")).json()
    question_id = detail["answers"][0]["question"]["id"]
    url = f"/api/review/interviews/{interview.public_id}/answers/{question_id}"
    async with reviewer.http.put(url, json={"rating": 6, "note": ""}) as r:
        assert r.status == 400
    async with reviewer.http.put(url, json={"rating": 4, "note": "Clear and specific."}) as r:
        assert r.status == 200
    hr = await add_staff(client, "hana@example.com", Role.HR, set())
    hr_view = await (await hr.get(f"/api/interviews/{interview.public_id}")).json()
    assert hr_view["answers"][0]["reviews"] == [
        {"reviewer": "rita", "rating": 4, "note": "Clear and specific.",
         "updated_at": hr_view["answers"][0]["reviews"][0]["updated_at"]}
    ]
    await reviewer.close()
    await hr.close()


async def test_erased_recording_answers_410(client, recorded):
    """After HR carries out a deletion request the key is gone and the part answers 410."""
    interview, recording, _ = recorded
    hr = await add_staff(client, "hana@example.com", Role.HR, set())
    await hr.enrol()
    async with hr.http.post(f"/api/interviews/{interview.public_id}/erase") as r:
        assert r.status == 200 and (await r.json()) == {"recordings_purged": 1, "answers_deleted": 1}
    gone = await hr.get(part_url(recording))
    assert gone.status == 410
    store = client.server.app[STORE]
    purged = await store.recordings.get(recording.id)
    assert purged.wrapped_key is None and purged.purged_at
    data_dir = client.server.app[SETTINGS].data_dir
    assert not (data_dir / "recordings" / recording.id[:2] / recording.id).exists(), "the files are deleted too"
    audit = await store.audit.entries(action="recording.purged")
    assert audit[0].target == recording.id and audit[0].actor == "hana@example.com"
    await hr.close()


async def test_retention_purges_old_recordings_which_then_answer_410(client, recorded):
    """The daily purge crypto-shreds recordings older than the retention period; replay says 410."""
    from datetime import UTC, datetime, timedelta

    from signaling.keys import RECORDINGS
    from signaling.retention import purge_expired

    interview, recording, _ = recorded
    app = client.server.app
    assert await purge_expired(app[STORE], app[RECORDINGS], days=180) == 0, "nothing is old enough yet"
    later = datetime.now(UTC) + timedelta(days=181)
    assert await purge_expired(app[STORE], app[RECORDINGS], days=180, now=later) == 2  # recording + answer
    hr = await add_staff(client, "hana@example.com", Role.HR, set())
    await hr.enrol()
    assert (await hr.get(part_url(recording))).status == 410
    (entry,) = await app[STORE].audit.entries(action="retention.purge")
    assert entry.detail == {"answers": 1, "days": 180, "recordings": 1}
    await hr.close()


async def test_wrong_codes_are_throttled(client, recorded):
    """After a few wrong TOTP codes further attempts get 429 with a wait, even with the right code."""
    reviewer = await add_staff(client, "rita@example.com", Role.REVIEWER, {"Engineering"})
    await reviewer.enrol()
    statuses = []
    for _ in range(6):
        async with reviewer.http.post("/api/step-up", json={"code": "000000"}) as r:
            statuses.append(r.status)
            body = await r.json()
    assert statuses[:5] == [400] * 5 and statuses[5] == 429 and body["error"]["retry_after"] > 0
    async with reviewer.http.post("/api/step-up", json={"code": reviewer.code()}) as r:
        assert r.status == 429
    await reviewer.close()
