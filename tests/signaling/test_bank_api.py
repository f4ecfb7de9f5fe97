"""The question bank through the HR API: CRUD, filters, copying into jobs, JSON export and import."""

from __future__ import annotations

import pytest
from hr_http import hr_client

from signaling.keys import STORE

RUBRIC = {"competencies": [{"name": "Leadership", "weight": 1.0, "indicators": ["team", "goal"]}]}


@pytest.fixture
async def hr(aiohttp_client, tmp_path):
    hr = await hr_client(aiohttp_client, tmp_path)
    yield hr
    await hr.close()


async def add(hr, text: str, language: str = "en", competencies: list[str] | None = None, **extra) -> dict:
    body = {"text": text, "language": language, "competencies": competencies or [], "think_seconds": 20,
            "answer_seconds": 90, **extra}
    return (await hr.ok("POST", "/api/bank/questions", body, status=201))["question"]


async def texts(hr, query: str = "") -> list[str]:
    return [q["text"] for q in (await hr.ok("GET", f"/api/bank/questions{query}"))["questions"]]


async def test_create_edit_filter_and_archive(hr):
    lead = await add(hr, "Tell us about leading a team.", competencies=["Leadership", "Communication"],
                     rubric=RUBRIC)
    await add(hr, "How do you explain a hard idea?", competencies=["communication"])
    await add(hr, "请介绍一次团队合作。", "zh", ["沟通"])
    assert lead["rubric"] == RUBRIC and lead["competencies"] == ["Leadership", "Communication"]
    assert await texts(hr, "?competency=COMMUNICATION") == ["How do you explain a hard idea?",
                                                            "Tell us about leading a team."]
    assert await texts(hr, "?language=zh") == ["请介绍一次团队合作。"]
    assert await texts(hr, "?language=en&competency=Leadership") == ["Tell us about leading a team."]
    listing = await hr.ok("GET", "/api/bank/questions")
    assert listing["competencies"] == ["Communication", "Leadership", "沟通"]  # one entry whatever the case

    edited = await hr.ok("PUT", f"/api/bank/questions/{lead['id']}", {
        "text": "Tell us about leading a team through change.", "language": "en", "competencies": ["Leadership"],
        "think_seconds": 30, "answer_seconds": 120, "rubric": None})
    assert edited["question"]["rubric"] is None and edited["question"]["updated_at"]
    await hr.ok("POST", f"/api/bank/questions/{lead['id']}/archive")
    assert "Tell us about leading a team through change." not in await texts(hr)
    assert await texts(hr, "?archived=1") == ["Tell us about leading a team through change."]
    await hr.ok("POST", f"/api/bank/questions/{lead['id']}/unarchive")
    assert len(await texts(hr)) == 3


async def test_invalid_bank_questions_name_the_field(hr):
    cases = [({"language": "fr"}, "language"), ({"text": ""}, "text"), ({"think_seconds": 601}, "think_seconds"),
             ({"competencies": "Leadership"}, "competencies"), ({"competencies": ["x"] * 13}, "competencies"),
             ({"rubric": {"competencies": []}}, "rubric")]
    for change, field in cases:
        body = {"text": "Q?", "language": "en", "think_seconds": 5, "answer_seconds": 30, **change}
        status, data = await hr.call("POST", "/api/bank/questions", body)
        assert status == 400 and data["error"]["field"] == field, (change, data)
    assert (await hr.call("PUT", "/api/bank/questions/4242", {"text": "Q?", "language": "en", "think_seconds": 5,
                                                               "answer_seconds": 30}))[0] == 404


async def test_adding_to_a_job_copies_so_later_bank_edits_change_nothing(hr):
    """A bank question added to a job is a copy (with its origin and competencies); editing or
    archiving the bank question afterwards leaves the job — and its interviews — as they were."""
    job = await hr.job(questions=1)
    question = await add(hr, "Describe a conflict you resolved.", competencies=["Conflict"], rubric=RUBRIC)
    other = await add(hr, "Why this role?")
    updated = (await hr.ok("POST", f"/api/jobs/{job['id']}/questions/from-bank",
                           {"bank_question_ids": [question["id"], other["id"]]}))["job"]
    copied = updated["questions"][1]
    assert [q["text"] for q in updated["questions"]][1:] == ["Describe a conflict you resolved.", "Why this role?"]
    assert copied["bank_question_id"] == question["id"] and copied["competencies"] == ["Conflict"]
    assert copied["rubric"] == RUBRIC and copied["answer_seconds"] == 90

    await hr.ok("PUT", f"/api/bank/questions/{question['id']}", {
        "text": "Changed in the bank", "language": "en", "think_seconds": 1, "answer_seconds": 10})
    await hr.ok("POST", f"/api/bank/questions/{question['id']}/archive")
    after = (await hr.ok("GET", f"/api/jobs/{job['id']}"))["job"]["questions"][1]
    assert after == copied
    assert (await hr.ok("GET", "/api/bank/questions?archived=1"))["questions"][0]["used_in"] == 1


async def test_adding_to_a_job_checks_language_archive_and_limits(hr):
    job = await hr.job(questions=19)
    zh = await add(hr, "中文问题？", "zh")
    en1, en2 = await add(hr, "One?"), await add(hr, "Two?")
    archived = await add(hr, "Old?")
    await hr.ok("POST", f"/api/bank/questions/{archived['id']}/archive")
    for ids, fragment in (([zh["id"]], "is in zh"), ([archived["id"]], "archived"), ([en1["id"], en2["id"]],
                                                                                    "at most 20"),
                          ([en1["id"], en1["id"]], "each once"), ([], "must list")):
        status, data = await hr.call("POST", f"/api/jobs/{job['id']}/questions/from-bank",
                                     {"bank_question_ids": ids})
        assert status == 400 and fragment in data["error"]["message"], (ids, data)
    status, _ = await hr.call("POST", f"/api/jobs/{job['id']}/questions/from-bank", {"bank_question_ids": [999]})
    assert status == 404
    assert len((await hr.ok("GET", f"/api/jobs/{job['id']}"))["job"]["questions"]) == 19


async def test_export_and_import_round_trip(aiohttp_client, tmp_path, hr):
    """An export imports into another server unchanged; importing it again adds nothing."""
    await add(hr, "Tell us about leading a team.", competencies=["Leadership"], rubric=RUBRIC)
    await add(hr, "请介绍一次团队合作。", "zh", ["沟通"])
    async with hr.http.get("/api/bank/export") as r:
        assert r.status == 200 and "intervox-question-bank.json" in r.headers["Content-Disposition"]
        document = await r.json()
    assert document["format"] == "intervox.question-bank" and document["version"] == 1
    assert [q["text"] for q in document["questions"]] == ["Tell us about leading a team.", "请介绍一次团队合作。"]

    other = await hr_client(aiohttp_client, tmp_path / "other")
    result = await other.ok("POST", "/api/bank/import", document, status=201)
    assert result["created"] == 2 and result["skipped"] == []
    async with other.http.get("/api/bank/export") as r:
        again = await r.json()
    assert again["questions"] == document["questions"]
    repeat = await other.ok("POST", "/api/bank/import", document, status=201)
    assert repeat["created"] == 0 and repeat["skipped"] == [1, 2]
    await other.close()


async def test_a_bad_bank_file_reports_each_item_and_imports_nothing(hr):
    good = {"text": "Fine?", "language": "en", "think_seconds": 5, "answer_seconds": 30}
    document = {"format": "intervox.question-bank", "version": 1, "questions": [
        good,
        {**good, "text": "Bad language", "language": "de"},
        {**good, "text": "Too long to answer", "answer_seconds": 4000},
        {**good, "text": "Typo", "answer_secs": 30},
        {**good, "text": "Rubric", "rubric": {"competencies": [{"name": "A", "weight": 0, "indicators": ["x"]}]}},
        {**good, "text": "  fine? "},
        "not an object",
    ]}
    status, data = await hr.call("POST", "/api/bank/import", document)
    assert status == 400 and data["error"]["code"] == "invalid_document"
    assert "nothing was imported" in data["error"]["message"]
    assert [(e["item"], e["field"]) for e in data["error"]["errors"]] == [
        (2, "language"), (3, "answer_seconds"), (4, "answer_secs"), (5, "rubric"), (6, "text"), (7, "body")]
    assert "same question as item 1" in data["error"]["errors"][4]["message"]
    assert await hr.app[STORE].all("SELECT id FROM bank_questions") == []

    for bad, field in (({"format": "intervox.job", "version": 1}, "format"),
                       ({"format": "intervox.question-bank", "version": 9, "questions": [good]}, "version"),
                       ({"format": "intervox.question-bank", "version": 1, "questions": []}, "questions"),
                       ({"format": "intervox.question-bank", "version": 1, "questions": [good] * 501}, "questions")):
        status, data = await hr.call("POST", "/api/bank/import", bad)
        assert status == 400 and data["error"]["errors"][0]["field"] == field, data
    status, data = await hr.call("POST", "/api/bank/import", data=b"{not json",
                                 headers={"Content-Type": "application/json"})
    assert status == 400 and data["error"]["code"] == "malformed"
