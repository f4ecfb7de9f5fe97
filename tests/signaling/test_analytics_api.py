"""Campaign analytics over HTTP on a real store: figures, role scoping, dates, CSV exports; and the
funnel timestamps a real candidate connection writes."""

from __future__ import annotations

import csv
import io
from datetime import date

import aiohttp
import pytest
from analytics_seed import FORMULA_NAME, Seeded, seed
from fakes import FakeRecognizer
from staff_http import staff_session
from wsclient import Candidate, make_interview, reach_first_question

from signaling import auth
from signaling.app import create_app
from signaling.config import Settings
from signaling.keys import STORE
from signaling.records import Role

PASSWORD = "a long enough password"


@pytest.fixture
async def client(aiohttp_client, tmp_path):
    app = create_app(Settings(data_dir=tmp_path / "data"), recognizer=FakeRecognizer())
    return await aiohttp_client(app)


class Staff:
    """A browser-like HTTP session for one staff member (own cookie jar, same-origin header)."""

    def __init__(self, client) -> None:
        self.http = staff_session(str(client.make_url("/")))

    async def get(self, path: str, **params) -> tuple[int, dict | bytes, aiohttp.ClientResponse]:
        async with self.http.get(path, params=params) as r:
            body = await r.read()
            data = await r.json() if r.content_type == "application/json" else body
            return r.status, data, r

    async def close(self) -> None:
        await self.http.close()


@pytest.fixture
async def staff(client):
    """staff(role, departments) → a signed-in Staff; all closed at the end."""
    made: list[Staff] = []

    async def make(role: Role, departments: set[str] = frozenset()) -> Staff:
        email = f"{role.value}{len(made)}@example.com"
        await client.server.app[STORE].staff.create(email=email, display_name=email.split("@")[0], role=role,
                                                    departments=departments,
                                                    password_hash=auth.hash_password(PASSWORD))
        member = Staff(client)
        async with member.http.post("/api/login", json={"email": email, "password": PASSWORD}) as r:
            assert r.status == 200, await r.text()
        made.append(member)
        return member

    yield make
    for member in made:
        await member.close()


@pytest.fixture
async def seeded(client) -> Seeded:
    return await seed(client.server.app[STORE])


async def test_job_figures_match_the_seeded_stages(staff, seeded):
    """One job: every count, rate, duration, score band, question and competency as worked out by hand."""
    hr = await staff(Role.HR)
    status, data, _ = await hr.get("/api/analytics", job_id=str(seeded.engineer))
    assert status == 200, data
    f = data["figures"]
    assert data["scope"]["job"]["title"] == "Backend Engineer" and data["by_job"] == []
    assert (f["invited"], f["revoked"], f["started"], f["completed"], f["declined"]) == (10, 1, 3, 2, 1)
    assert [(s["key"], s["count"]) for s in f["funnel"]] == [
        ("invited", 10), ("opened", 9), ("consented", 6), ("device_ok", 5), ("practiced", 4), ("answered", 3),
        ("completed", 2)]
    assert [s["conversion"] for s in f["funnel"]] == [None, 0.9, 0.6667, 0.8333, 0.8, 0.75, 0.6667]
    assert f["participation_rate"] == 0.3 and f["decline_rate"] == round(1 / 9, 4)
    assert f["duration"] == {"mean_seconds": 900.0, "median_seconds": 900.0, "interviews": 2}
    bands = {b["low"]: b["count"] for b in f["scores"]["buckets"]}
    assert bands[70] == 1 and bands[90] == 1 and sum(bands.values()) == 2
    assert f["scores"]["mean"] == 80.0 and f["scores"]["unscored_interviews"] == 0
    assert (f["scores"]["answers"], f["scores"]["no_speech_answers"]) == (5, 1)
    q1, q2 = f["questions"]
    assert (q1["position"], q1["mean"], q1["scored"], q1["no_speech"]) == (0, 65.0, 2, 1)
    assert (q2["position"], q2["mean"], q2["scored"], q2["no_speech"]) == (1, 75.0, 2, 0)
    assert [(c["name"], c["mean"], c["scored"], c["no_speech"]) for c in f["competencies"]] == [
        ("Diagnosis", 60.0, 2, 1), ("Problem solving", 65.0, 2, 1), ("Communication", 75.0, 2, 0)]
    assert f["interruptions"] == {"total": 1, "interviews": 1, "per_interview": 0.3333}


async def test_overall_figures_cover_every_job_with_a_breakdown(staff, seeded):
    """HR's overall view adds up both departments and lists each job's own figures."""
    admin = await staff(Role.ADMIN)
    status, data, _ = await admin.get("/api/analytics")
    assert status == 200
    assert data["figures"]["invited"] == 12 and data["figures"]["completed"] == 3
    assert data["scope"] == {"job": None, "from": None, "to": None, "departments": None}
    assert {j["title"] for j in data["jobs"]} == {"Backend Engineer", "财务分析师"}
    rows = {r["job"]["title"]: r for r in data["by_job"]}
    assert rows["财务分析师"]["invited"] == 2 and rows["财务分析师"]["mean_score"] == 40.0
    assert rows["Backend Engineer"]["participation_rate"] == 0.3


async def test_department_head_sees_only_their_departments(staff, seeded):
    """A department head's overall view is their department's; another department's job is a 404."""
    head = await staff(Role.DEPT_HEAD, {"Finance"})
    status, data, _ = await head.get("/api/analytics")
    assert status == 200 and data["figures"]["invited"] == 2
    assert [j["title"] for j in data["jobs"]] == ["财务分析师"] and data["scope"]["departments"] == ["Finance"]
    for path in ("/api/analytics", "/api/analytics/figures.csv", "/api/analytics/results.csv"):
        status, body, _ = await head.get(path, job_id=str(seeded.engineer))
        assert status == 404 and body["error"]["code"] == "not_found", path
        status, _, _ = await head.get(path, job_id="999999")
        assert status == 404
    status, body, _ = await head.get("/api/analytics/results.csv")
    assert status == 200 and b"Backend Engineer" not in body and "李雷".encode() in body


async def test_reviewers_see_their_departments_and_only_answered_results(client, staff, seeded):
    """A reviewer gets their department's figures; their results file lists only interviews with answers
    (what their review list shows), not people who never answered; no session is a 401."""
    reviewer = await staff(Role.REVIEWER, {"Engineering"})
    status, data, _ = await reviewer.get("/api/analytics")
    assert status == 200 and data["figures"]["invited"] == 10
    status, body, _ = await reviewer.get("/api/analytics", job_id=str(seeded.analyst))
    assert status == 404
    status, body, _ = await reviewer.get("/api/analytics/results.csv", job_id=str(seeded.engineer))
    assert status == 200
    names = sorted(row[0] for row in read_csv(body)[1:])
    assert names == ["Cam Completed", "Nia No-speech", "Sam Started"]
    anonymous = Staff(client)
    try:
        for path in ("/api/analytics", "/api/analytics/figures.csv", "/api/analytics/results.csv"):
            status, body, _ = await anonymous.get(path)
            assert status == 401 and body["error"]["code"] == "unauthenticated"
    finally:
        await anonymous.close()


@pytest.mark.parametrize(("params", "field"), [
    ({"job_id": "abc"}, "job_id"), ({"from": "2026-02-30"}, "from"), ({"to": "31/03/2026"}, "to"),
    ({"from": "2026-03-02", "to": "2026-03-01"}, "to"), ({"tz": "900"}, "tz"), ({"lang": "fr"}, "lang"),
])
async def test_bad_parameters_name_the_field(staff, params, field):
    """A bad query parameter is a 400 naming it."""
    hr = await staff(Role.HR)
    status, body, _ = await hr.get("/api/analytics/figures.csv", **params)
    assert status == 400 and body["error"]["field"] == field


async def test_date_range_in_the_users_time_zone(client, staff, seeded):
    """from/to are whole days in the user's time zone: 20:00 UTC on 31 Jan is 1 Feb in Beijing."""
    store = client.server.app[STORE]
    old = [seeded.interviews["Ivy Invited"], seeded.interviews["Olga Opened"]]
    await store.run("UPDATE interviews SET created_at = '2025-01-10T08:00:00.000Z' WHERE id = ?", (old[0],))
    await store.run("UPDATE interviews SET created_at = '2025-01-31T20:00:00.000Z' WHERE id = ?", (old[1],))
    hr = await staff(Role.HR)
    january = {"from": "2025-01-01", "to": "2025-01-31"}
    _, utc, _ = await hr.get("/api/analytics", **january)
    _, beijing, _ = await hr.get("/api/analytics", **january, tz="480")
    assert utc["figures"]["invited"] == 2 and beijing["figures"]["invited"] == 1
    assert utc["scope"]["from"] == "2025-01-01" and utc["scope"]["to"] == "2025-01-31"
    _, since, _ = await hr.get("/api/analytics", **{"from": "2025-02-01"})
    assert since["figures"]["invited"] == 10


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    assert b"\r\n" in body
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


async def test_results_csv(client, staff, seeded):
    """One row per interview with job, status, dates, duration, scores by question, mean and
    interruptions; a formula-like name is escaped and still quoted; the export is audited."""
    hr = await staff(Role.HR)
    status, body, response = await hr.get("/api/analytics/results.csv", job_id=str(seeded.engineer))
    assert status == 200 and response.content_type == "text/csv" and response.charset == "utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    today = date.today().isoformat()
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="intervox-results-backend-engineer-{today}.csv"; '
        f"filename*=UTF-8''intervox-results-backend-engineer-{today}.csv")
    assert b'"\'=HYPERLINK(""http://evil.example"",""click""), Jr."' in body
    header, *rows = read_csv(body)
    assert header[:5] == ["Candidate", "E-mail", "Job", "Department", "Status"]
    assert header[5] == "Invited (UTC)" and header[14] == "Duration (minutes)"
    assert header[15] == "Q1: Tell us about an outage you fixed."
    assert header[17:] == ["Mean score", "Answers with no speech", "Interruptions"]
    assert len(rows) == 11 and all(len(r) == len(header) for r in rows)
    by_name = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    cam = by_name["Cam Completed"]
    assert (cam["Job"], cam["Department"], cam["Status"]) == ("Backend Engineer", "Engineering", "Completed")
    assert cam["Started (UTC)"] == "2026-03-02 09:00" and cam["Duration (minutes)"] == "20.0"
    assert (cam[header[15]], cam[header[16]], cam["Mean score"]) == ("80", "60", "70.0")
    nia = by_name["Nia No-speech"]
    assert (nia[header[15]], nia["Mean score"], nia["Answers with no speech"]) == ("No speech", "90.0", "1")
    assert by_name["Sam Started"]["Interruptions"] == "1" and by_name["Sam Started"]["Status"] == "In progress"
    assert by_name["Rex Revoked"]["Revoked (UTC)"] == "2026-03-02 10:00"
    assert by_name["'" + FORMULA_NAME]["Status"] == "Invited"

    entries = await client.server.app[STORE].audit.entries(action="analytics.results_exported")
    assert entries[0].target == f"job:{seeded.engineer}" and entries[0].detail == {"rows": 11}


async def test_results_csv_in_chinese_for_all_jobs(staff, seeded):
    """lang=zh gives Chinese headers and statuses; the all-jobs file has a plain Q1 column."""
    hr = await staff(Role.HR)
    status, body, response = await hr.get("/api/analytics/results.csv", lang="zh", tz="480")
    assert status == 200
    assert "all-jobs" in response.headers["Content-Disposition"]
    header, *rows = read_csv(body)
    assert header[0] == "候选人" and "UTC+08:00" in header[5]
    assert "第 1 题" in header and len(rows) == 13
    li = dict(zip(header, next(r for r in rows if r[0] == "李雷"), strict=True))
    assert li[header[4]] == "已完成"


async def test_figures_csv(staff, seeded):
    """The figures file: the funnel with conversions, score bands, questions and competency gaps."""
    hr = await staff(Role.HR)
    status, body, response = await hr.get("/api/analytics/figures.csv", job_id=str(seeded.analyst), lang="zh")
    assert status == 200
    disposition = response.headers["Content-Disposition"]
    assert 'filename="intervox-figures-job-' in disposition  # no ASCII in the title: the job's number
    assert "filename*=UTF-8''intervox-figures-%E8%B4%A2" in disposition
    status, body, _ = await hr.get("/api/analytics/figures.csv", job_id=str(seeded.engineer))
    header, *rows = read_csv(body)
    assert header == ["Section", "Item", "Count", "Share (%)", "Mean", "Median", "No speech"]
    table = {(r[0], r[1]): r[2:] for r in rows}
    assert table[("Funnel", "Link opened")][:2] == ["9", "90.0"]
    assert table[("Funnel", "Completed")][:2] == ["2", "66.7"]
    assert table[("Summary", "Participation")][:2] == ["3", "30.0"]
    assert table[("Summary", "Duration (minutes)")] == ["2", "", "15.0", "15.0", ""]
    assert table[("Score distribution", "70–79")][0] == "1"
    assert table[("Questions", "Q1: Tell us about an outage you fixed.")] == ["2", "", "65.0", "", "1"]
    gaps = [r[1] for r in rows if r[0] == "Competencies"]
    assert gaps == ["Diagnosis", "Problem solving", "Communication"]


async def test_a_real_candidate_connection_stamps_the_funnel(client):
    """Passing the device check and finishing the practice answer set device_ok_at and practiced_at."""
    token = await make_interview(client.server.app)
    origin = str(client.make_url("/")).rstrip("/")
    candidate = Candidate(await client.ws_connect("/ws", headers={"Origin": origin}))
    store = client.server.app[STORE]
    try:
        row = await store.one("SELECT device_ok_at, practiced_at FROM interviews")
        assert (row["device_ok_at"], row["practiced_at"]) == (None, None)
        await reach_first_question(candidate, token)
    finally:
        await candidate.close()
    row = await store.one("SELECT opened_at, device_ok_at, practiced_at, started_at FROM interviews")
    assert row["opened_at"] <= row["device_ok_at"] <= row["practiced_at"] <= row["started_at"]
