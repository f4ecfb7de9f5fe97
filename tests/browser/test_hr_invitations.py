"""HR invites from a CSV file in headless Chromium (a bad row, fixed, then everyone invited), and a
candidate whose invitation is withdrawn — while on the page and when opening the link later."""

from __future__ import annotations

import pytest
from harness import CHROMIUM, CHROMIUM_ARGS, sign_in
from playwright.async_api import expect

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}

BAD = "name;email;language\nAna Li;ana.li@example.com;en\nBo Brown;bo.brown@example;\n李雷;lilei@example.com;zh\n"
FIXED = BAD.replace("bo.brown@example;", "bo.brown@example.com;")


@pytest.fixture
async def browser(playwright):
    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    await browser.close()


async def new_page(browser, viewport=DESKTOP):
    page = await (await browser.new_context(viewport=viewport)).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, errors


def csv_file(text: str) -> dict:
    return {"name": "candidates.csv", "mimeType": "text/csv", "buffer": ("\ufeff" + text).encode()}


async def fits_width(page) -> bool:
    return await page.evaluate("""() => document.documentElement.scrollWidth <= window.innerWidth
        && [...document.querySelectorAll('.table-wrap')].every(w => w.scrollWidth <= w.clientWidth)""")


async def job_interviews(hr, job_id: int) -> list[dict]:
    return (await hr.get(f"/api/interviews?job_id={job_id}"))["interviews"]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
async def test_csv_with_a_bad_row_is_fixed_and_everyone_is_invited(server, hr, browser, tmp_path, viewport):
    """The check names the row, column and problem and creates nothing; the fixed file invites all
    three, and since no mail server is set up, their links are shown once to copy."""
    name = f"CSV {viewport['width']}"
    job = (await hr.post("/api/jobs", {"title": name, "department": "Sales", "language": "en", "questions": [
        {"text": "Why sales?", "think_seconds": 10, "answer_seconds": 60}]}))["job"]
    page, errors = await new_page(browser, viewport)
    await sign_in(page, server)
    await page.wait_for_url("**/hr*")
    await page.goto(f"{server.base_url}/hr#invite/{job['id']}")
    card = page.locator("#csv-card")
    await expect(card.get_by_label("Job for the candidates in the file")).to_have_value(str(job["id"]))

    await card.get_by_label("CSV file").set_input_files(csv_file(BAD))
    await card.get_by_text("Nothing was imported: “candidates.csv” has 1 problem(s)").wait_for()
    problem = card.locator("table.problems tbody tr")
    assert await problem.count() == 1
    cells = [await problem.locator("th, td").nth(i).text_content() for i in range(3)]
    assert cells[0].strip().endswith("3") and cells[1] == "email" and cells[2] == "This is not an e-mail address."
    bad_row = card.locator("#csv-rows tr.bad-row")
    assert "bo.brown@example" in await bad_row.text_content()
    assert await card.get_by_role("button", name="Invite 3 candidate(s)").count() == 0
    assert await job_interviews(hr, job["id"]) == [], "nothing was created from the bad file"
    await page.screenshot(path=str(tmp_path / "csv-problem.png"), full_page=True)
    assert await fits_width(page)

    await card.get_by_label("CSV file").set_input_files(csv_file(FIXED))
    await card.get_by_text("“candidates.csv” is fine: 3 candidate(s) can be invited").wait_for()
    await card.get_by_role("button", name="Invite 3 candidate(s)").click()
    await card.get_by_text("3 invitation(s) were created.").wait_for()
    assert await card.locator("#csv-created").get_by_text("Not sent (e-mail is not set up)").count() == 3
    links = card.locator("#csv-created input.link-field")
    assert await links.count() == 3
    values = [await links.nth(i).input_value() for i in range(3)]
    assert all(value.startswith(f"{server.base_url}/interview#") for value in values), values
    await page.screenshot(path=str(tmp_path / "csv-created.png"), full_page=True)
    assert await fits_width(page)
    created = await job_interviews(hr, job["id"])
    assert sorted(i["candidate_email"] for i in created) == ["ana.li@example.com", "bo.brown@example.com",
                                                              "lilei@example.com"]
    assert {i["invite_language"] for i in created} == {"en", None, "zh"}
    assert errors == []


async def test_a_withdrawn_invitation_tells_the_candidate(server, hr, browser, tmp_path):
    """HR withdraws the invitation from the interview page (after confirming); the candidate, who has the
    link open, is told at once; opening the link again says the same, in English and in Chinese."""
    job = (await hr.post("/api/jobs", {"title": "Withdrawn", "department": "QA", "language": "en", "questions": [
        {"text": "Tell us about yourself.", "think_seconds": 10, "answer_seconds": 60}]}))["job"]
    invite = await hr.post("/api/interviews", {"job_id": job["id"], "candidate_name": "Wendy Withdrawn",
                                                "candidate_email": "wendy@example.com"})
    candidate, candidate_errors = await new_page(browser, PHONE)
    await candidate.goto(invite["invite_url"])
    await candidate.locator("#accept").wait_for()

    page, errors = await new_page(browser)
    await sign_in(page, server)
    await page.wait_for_url("**/hr*")
    await page.goto(f"{server.base_url}/hr#interview/{invite['interview']['id']}")
    await page.get_by_role("heading", name="Invitation").wait_for()
    await page.get_by_role("button", name="Withdraw the invitation").click()
    dialog = page.locator("#revoke-dialog")
    await dialog.get_by_text("Wendy Withdrawn's invite link stops working at once").wait_for()
    await dialog.get_by_role("button", name="Cancel").click()
    assert (await hr.get(f"/api/interviews/{invite['interview']['id']}"))["interview"]["revoked_at"] is None
    await page.get_by_role("button", name="Withdraw the invitation").click()
    await dialog.get_by_role("button", name="Withdraw the invitation").click()
    await page.locator(".invitation-msg").get_by_text("The invitation was withdrawn.").wait_for()
    await page.screenshot(path=str(tmp_path / "withdrawn-hr.png"), full_page=True)

    await candidate.get_by_role("heading", name="This invitation was withdrawn").wait_for()
    assert "no longer works" in await candidate.text_content("#stopped-text")
    await candidate.screenshot(path=str(tmp_path / "withdrawn-connected.png"), full_page=True)

    await candidate.reload()
    await candidate.get_by_role("heading", name="This invitation was withdrawn").wait_for()
    await candidate.locator("#lang").select_option("zh")
    await candidate.get_by_role("heading", name="此邀请已被撤回").wait_for()
    await candidate.screenshot(path=str(tmp_path / "withdrawn-zh.png"), full_page=True)

    await page.goto(f"{server.base_url}/hr#interviews")
    row = page.get_by_role("row").filter(has_text="wendy@example.com")
    assert "Withdrawn" in await row.locator("td[data-label=Status]").text_content()
    assert errors == [] and candidate_errors == []
