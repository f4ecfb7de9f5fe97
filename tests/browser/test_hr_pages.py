"""HR in headless Chromium: sign in, create a job with a rubric, invite, list and open interviews."""

from __future__ import annotations

import pytest
from harness import CHROMIUM, CHROMIUM_ARGS, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
async def page(playwright, server):
    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    await browser.close()
    assert errors == [], errors


async def test_wrong_password_is_refused_then_right_one_signs_in(page, server):
    """A wrong password shows an error and stays on the login page; the right one opens the dashboard."""
    await sign_in(page, server, password="not-the-password")
    await page.get_by_text("The e-mail or password is not right").wait_for()
    assert "/login" in page.url
    await page.get_by_label("Password").fill(server.admin_password)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("**/hr*")
    await page.get_by_text(server.admin_email).wait_for()


async def test_job_invite_list_and_detail(page, server):
    """HR creates a job with a rubric, invites a candidate, copies the link, and finds the interview."""
    await sign_in(page, server)
    await page.wait_for_url("**/hr*")
    await page.get_by_role("link", name="Jobs").click()
    jobs = page.locator("#view-jobs")  # other views (live, analytics) have their own Job/Department fields
    await jobs.get_by_label("Job title").fill("Site Reliability Engineer")
    await jobs.get_by_label("Department").fill("Operations")
    await jobs.get_by_label("Question", exact=True).fill("Describe how you would investigate an outage.")
    await jobs.get_by_label("Score this question against a rubric").check()
    await jobs.get_by_label("Competency", exact=True).fill("Diagnosis")
    await jobs.get_by_label("Indicator phrases").fill("logs, metrics, roll back")
    await jobs.get_by_role("button", name="Create job").click()
    await page.get_by_text("The job “Site Reliability Engineer” was created.").wait_for()

    await page.get_by_role("link", name="Invite a candidate").first.click()
    invite = page.locator("#view-invite")
    await invite.get_by_label("Job", exact=True).select_option(label="Site Reliability Engineer — Operations")
    await invite.get_by_label("Candidate name").fill("Robin <b>Reliable</b>")
    await invite.get_by_label("Candidate e-mail").fill("robin@example.com")
    await page.get_by_role("button", name="Create invite link").click()
    link = page.get_by_label("Invite link")
    await link.wait_for()
    url = await link.input_value()
    assert url.startswith(f"{server.base_url}/interview#") and len(url.split("#")[1]) >= 40

    await page.get_by_role("link", name="Interviews").first.click()
    row = page.get_by_role("row").filter(has_text="robin@example.com")
    await row.wait_for()
    assert "Invited" in await row.text_content()
    await row.get_by_role("link", name="Robin <b>Reliable</b>").click()  # shown as text, never as HTML
    await page.wait_for_url("**/hr#interview/*")
    await page.get_by_role("heading", name="Robin <b>Reliable</b>").wait_for()
    assert await page.locator("b", has_text="Reliable").count() == 0

    # The job and its rubric were stored as entered.
    jobs = await page.evaluate("fetch('/api/jobs').then(r => r.json())")
    job_id = next(j["id"] for j in jobs["jobs"] if j["title"] == "Site Reliability Engineer")
    job = (await page.evaluate(f"fetch('/api/jobs/{job_id}').then(r => r.json())"))["job"]
    (competency,) = job["questions"][0]["rubric"]["competencies"]
    assert competency["name"] == "Diagnosis" and competency["indicators"] == ["logs", "metrics", "roll back"]
