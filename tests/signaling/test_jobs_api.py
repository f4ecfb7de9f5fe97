"""Editing, archiving, copying, exporting and importing jobs through the HR API (real app and store)."""

from __future__ import annotations

import pytest
from hr_http import hr_client, token_of
from staff_accounts import add_user, signed_in

from signaling.keys import STORE
from signaling.records import Role


@pytest.fixture
async def hr(aiohttp_client, tmp_path):
    hr = await hr_client(aiohttp_client, tmp_path)
    yield hr
    await hr.close()


def questions_of(job: dict) -> list[dict]:
    return [{k: q[k] for k in ("id", "text", "think_seconds", "answer_seconds", "rubric", "competencies")}
            for q in job["questions"]]


async def test_questions_can_be_edited_reordered_added_and_removed_before_anyone_starts(hr):
    """Before a candidate starts, everything changes; a kept question keeps its id."""
    job = await hr.job(questions=3)
    first, second, third = job["questions"]
    await hr.invite(job["id"])  # invited but not started: still editable
    edited = await hr.ok("PUT", f"/api/jobs/{job['id']}", {
        "title": "Senior Engineer", "department": "Platform", "language": "zh",
        "questions": [
            {**questions_of(job)[2], "text": "第三题（改）", "competencies": ["Leadership", "leadership", "沟通"]},
            {"text": "新问题？", "think_seconds": 0, "answer_seconds": 30},
            questions_of(job)[0],
        ]})
    job2 = edited["job"]
    assert (job2["title"], job2["department"], job2["language"]) == ("Senior Engineer", "Platform", "zh")
    assert [q["text"] for q in job2["questions"]] == ["第三题（改）", "新问题？", first["text"]]
    assert job2["questions"][0]["id"] == third["id"] and job2["questions"][2]["id"] == first["id"]
    assert job2["questions"][1]["id"] not in {first["id"], second["id"], third["id"]}
    assert job2["questions"][0]["competencies"] == ["Leadership", "沟通"]  # duplicates (ignoring case) dropped
    assert [q["position"] for q in job2["questions"]] == [0, 1, 2]
    assert job2["locked"] is False and job2["updated_at"]


async def test_a_started_interview_freezes_questions_and_language_but_not_title(hr):
    """Once a candidate consented, changing questions or language is a 409 that says what may change;
    title and department still change, and adding bank questions is refused too."""
    job = await hr.job()
    invite = await hr.invite(job["id"])
    candidate = await hr.candidate()
    await candidate.hello(token_of(invite))
    await candidate.send("consent", accept=True)
    await candidate.expect("state", step="device_check")

    reordered = {"title": job["title"], "department": job["department"], "language": "en",
                 "questions": list(reversed(questions_of(job)))}
    status, data = await hr.call("PUT", f"/api/jobs/{job['id']}", reordered)
    assert status == 409 and data["error"]["code"] == "job_locked"
    assert "title and department still can" in data["error"]["message"]
    await candidate.close()

    status, data = await hr.call("PUT", f"/api/jobs/{job['id']}", {**reordered, "questions": questions_of(job),
                                                                   "language": "zh"})
    assert status == 409 and data["error"]["code"] == "job_locked"
    renamed = await hr.ok("PUT", f"/api/jobs/{job['id']}", {"title": "Renamed", "department": "Ops",
                                                            "language": "en", "questions": questions_of(job)})
    assert renamed["job"]["title"] == "Renamed" and renamed["job"]["locked"] is True
    assert questions_of(renamed["job"]) == questions_of(job)
    bank = await hr.ok("POST", "/api/bank/questions", {"text": "Why us?", "language": "en", "think_seconds": 5,
                                                        "answer_seconds": 30}, status=201)
    status, data = await hr.call("POST", f"/api/jobs/{job['id']}/questions/from-bank",
                                 {"bank_question_ids": [bank["question"]["id"]]})
    assert status == 409 and data["error"]["code"] == "job_locked"


async def test_questions_cannot_change_under_a_connected_candidate(hr):
    """A candidate on the consent screen holds the questions: changing them waits (409 job_in_use),
    while a title change goes through."""
    job = await hr.job()
    invite = await hr.invite(job["id"])
    candidate = await hr.candidate()
    await candidate.hello(token_of(invite))
    body = {"title": "T", "department": "D", "language": "en", "questions": questions_of(job)[:1]}
    status, data = await hr.call("PUT", f"/api/jobs/{job['id']}", body)
    assert status == 409 and data["error"]["code"] == "job_in_use"
    await hr.ok("PUT", f"/api/jobs/{job['id']}", {**body, "questions": questions_of(job)})
    await candidate.close()


async def test_edit_refuses_a_question_id_of_another_job(hr):
    job, other = await hr.job("A"), await hr.job("B")
    body = {"title": "A", "department": "D", "language": "en",
            "questions": [{**questions_of(other)[0], "text": "stolen"}]}
    status, data = await hr.call("PUT", f"/api/jobs/{job['id']}", body)
    assert status == 400 and data["error"]["field"] == "questions[0].id"
    assert (await hr.call("PUT", "/api/jobs/999999", body))[0] == 404


async def test_archived_jobs_leave_the_list_take_no_invitations_and_keep_their_interviews(hr):
    job = await hr.job("Archivist")
    invite = await hr.invite(job["id"])
    await hr.ok("POST", f"/api/jobs/{job['id']}/archive")
    assert job["id"] not in [j["id"] for j in (await hr.ok("GET", "/api/jobs"))["jobs"]]
    listed = (await hr.ok("GET", "/api/jobs?archived=include"))["jobs"]
    assert [j["archived_at"] is not None for j in listed if j["id"] == job["id"]] == [True]
    assert [j["id"] for j in (await hr.ok("GET", "/api/jobs?archived=only"))["jobs"]] == [job["id"]]
    status, data = await hr.call("POST", "/api/interviews", {"job_id": job["id"], "candidate_name": "Bo",
                                                             "candidate_email": "bo@example.com"})
    assert status == 409 and data["error"]["code"] == "job_archived" and data["error"]["field"] == "job_id"
    interviews = (await hr.ok("GET", f"/api/interviews?job_id={job['id']}"))["interviews"]
    assert [i["id"] for i in interviews] == [invite["interview"]["id"]]
    detail = await hr.ok("GET", f"/api/interviews/{invite['interview']['id']}")
    assert detail["job"]["archived_at"] is not None
    state = await (candidate := await hr.candidate()).hello(token_of(invite))
    assert state["step"] == "consent", "an invitation sent before archiving still works"
    await candidate.close()
    await hr.ok("POST", f"/api/jobs/{job['id']}/unarchive")
    await hr.invite(job["id"], "bo@example.com", "Bo")


async def test_copy_makes_an_editable_job_with_the_same_questions(hr):
    job = await hr.job("Frozen")
    copy = (await hr.ok("POST", f"/api/jobs/{job['id']}/copy", status=201))["job"]
    assert copy["id"] != job["id"] and copy["title"] == "Frozen (copy)" and copy["locked"] is False
    assert [q["text"] for q in copy["questions"]] == [q["text"] for q in job["questions"]]


async def test_job_export_and_import_round_trip(hr):
    """An exported job imports as a new job with the same questions, rubric and competencies."""
    rubric = {"competencies": [{"name": "Ownership", "weight": 2.0, "indicators": ["I decided", "responsib"]}]}
    created = await hr.ok("POST", "/api/jobs", {"title": "数据分析师", "department": "数据", "language": "zh",
                                                "questions": [{"text": "介绍一个项目。", "think_seconds": 10,
                                                               "answer_seconds": 90, "rubric": rubric,
                                                               "competencies": ["分析"]}]}, status=201)
    async with hr.http.get(f"/api/jobs/{created['job']['id']}/export") as r:
        assert r.status == 200 and "attachment" in r.headers["Content-Disposition"]
        document = await r.json()
    assert document["format"] == "intervox.job" and document["version"] == 1
    imported = (await hr.ok("POST", "/api/jobs/import", document, status=201))["job"]
    assert imported["id"] != created["job"]["id"]
    assert imported["title"] == "数据分析师" and imported["language"] == "zh"
    (question,) = imported["questions"]
    assert question["rubric"] == rubric and question["competencies"] == ["分析"]


async def test_a_bad_job_file_reports_every_problem_and_creates_nothing(hr):
    before = len((await hr.ok("GET", "/api/jobs?archived=include"))["jobs"])
    bad = {"format": "intervox.job", "version": 1, "job": {
        "title": "", "department": "D", "language": "fr",
        "questions": [{"text": "ok?", "think_seconds": 1, "answer_seconds": 30},
                      {"text": "", "think_seconds": 1, "answer_seconds": 30},
                      {"text": "x", "think_seconds": 1, "answer_seconds": 5},
                      {"text": "y", "think_seconds": 1, "answer_seconds": 30, "answer_secs": 3}]}}
    status, data = await hr.call("POST", "/api/jobs/import", bad)
    assert status == 400 and data["error"]["code"] == "invalid_document"
    problems = {(e["item"], e["field"]) for e in data["error"]["errors"]}
    assert problems == {(None, "job.title"), (None, "job.language"), (2, "text"), (3, "answer_seconds"),
                        (4, "answer_secs")}
    for document, field in (({"format": "intervox.question-bank", "version": 1}, "format"),
                            ({"format": "intervox.job", "version": 2, "job": {}}, "version"),
                            ([1, 2], "document")):
        status, data = await hr.call("POST", "/api/jobs/import", document)
        assert status == 400 and data["error"]["errors"][0]["field"] == field
    assert len((await hr.ok("GET", "/api/jobs?archived=include"))["jobs"]) == before
    assert len(await hr.app[STORE].all("SELECT id FROM questions")) == 0


async def test_only_hr_may_manage_jobs(aiohttp_client, tmp_path):
    """Reviewers are refused (403); nobody signed in gets 401."""
    hr = await hr_client(aiohttp_client, tmp_path)
    job = await hr.job()
    await add_user(hr.client, "rita@example.com", Role.REVIEWER, frozenset({"Engineering"}))
    reviewer = await signed_in(hr.client, "rita@example.com")
    for method, path in (("GET", "/api/jobs"), ("PUT", f"/api/jobs/{job['id']}"),
                         ("POST", f"/api/jobs/{job['id']}/archive"), ("GET", "/api/bank/questions"),
                         ("POST", "/api/bank/import"), ("POST", f"/api/jobs/{job['id']}/invitations/csv")):
        async with reviewer.request(method, path, json={}) as r:
            assert r.status == 403, (method, path)
        async with hr.client.request(method, path, json={}, headers={"Origin": str(hr.client.make_url("/"))[:-1]}) as r:
            assert r.status == 401, (method, path)
    await reviewer.close()
    await hr.close()
