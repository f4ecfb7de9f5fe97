"""HR sees a real lost connection in the dashboard (list and detail) and reopens the interview."""

from __future__ import annotations

import asyncio
import re
import time

import pytest
from harness import CHROMIUM, CHROMIUM_ARGS, ServerProcess, sign_in
from wsclient import Candidate, reach_first_question

pytestmark = pytest.mark.browser

GRACE_SECONDS = 2
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server whose candidates get 2 s to come back before the interview counts as interrupted."""
    proc = ServerProcess(tmp_path_factory.mktemp("server") / "data",
                         extra_env={"INTERVOX_RESUME_GRACE_SECONDS": str(GRACE_SECONDS)})
    yield proc
    proc.stop_cleanly()


@pytest.fixture
async def page(playwright, server):
    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    context = await browser.new_context(viewport=DESKTOP)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    await browser.close()
    assert errors == [], errors


async def wait_for_status(hr, interview_id: str, status: str, timeout: float = 15.0) -> dict:
    """Poll the HR API until the interview has `status`; return its detail."""
    deadline = time.monotonic() + timeout
    while True:
        detail = await hr.get(f"/api/interviews/{interview_id}")
        if detail["interview"]["status"] == status:
            return detail
        if time.monotonic() > deadline:
            raise AssertionError(f"not {status} within {timeout} s: {detail['interview']['status']}")
        await asyncio.sleep(0.25)


async def interrupted_interview(hr) -> tuple[str, str]:
    """A candidate starts answering question 1, loses the connection and stays away past the grace
    period; returns the interview id and the invite token."""
    job = (await hr.post("/api/jobs", {
        "title": "Field Technician", "department": "Operations", "language": "en",
        "questions": [{"text": "Tell us about a repair you are proud of.", "think_seconds": 60, "answer_seconds": 90},
                      {"text": "How do you plan a day of site visits?", "think_seconds": 60, "answer_seconds": 90}],
    }))["job"]
    invite = await hr.post("/api/interviews", {"job_id": job["id"], "candidate_name": "Kai Offline",
                                               "candidate_email": "kai@example.com"})
    token = invite["invite_url"].split("#", 1)[1]
    candidate = Candidate(await hr.session.ws_connect("/ws"))
    try:
        await reach_first_question(candidate, token)
        await candidate.send("answer.start", question=0)
        await candidate.expect("state", phase="answering")
        candidate.tone.speaking = True
        await asyncio.sleep(1.0)
    finally:
        await candidate.close()  # the connection drops mid-answer
    interview_id = invite["interview"]["id"]
    await wait_for_status(hr, interview_id, "disconnected", timeout=5)
    detail = await wait_for_status(hr, interview_id, "interrupted")
    deadline = time.monotonic() + 60  # the answer so far is transcribed and stored, cut short
    while not detail["answers"]:
        assert time.monotonic() < deadline, "the cut-short answer was not stored"
        await asyncio.sleep(0.5)
        detail = await hr.get(f"/api/interviews/{interview_id}")
    assert detail["answers"][0]["cut_short"]
    return interview_id, token


async def set_language(page, code: str) -> None:
    await page.locator("#lang").select_option(code)
    await page.wait_for_selector(f"html[lang^={code}]", state="attached")


async def fits_width(page) -> bool:
    """Nothing scrolls sideways: neither the page nor a table inside its card."""
    return await page.evaluate("""() => document.documentElement.scrollWidth <= window.innerWidth
        && [...document.querySelectorAll('.table-wrap')].every(w => w.scrollWidth <= w.clientWidth)""")


async def test_hr_sees_the_interruption_and_reopens_the_interview(page, server, hr, tmp_path):
    """List and detail show a lost connection (status, count, question, phase, time offline, outcome,
    the cut-short answer); Reopen confirms, the status becomes disconnected, and the candidate's return
    puts the interview back in progress."""
    interview_id, token = await interrupted_interview(hr)
    offline = (await hr.get(f"/api/interviews/{interview_id}"))["interruptions"][0]["offline_seconds"]
    assert offline >= GRACE_SECONDS

    async def shot(name: str) -> None:
        await page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)

    await sign_in(page, server)
    row = page.get_by_role("row").filter(has_text="kai@example.com")
    await row.wait_for()
    status = row.locator("td[data-label=Status]")
    assert await status.locator(".badge").text_content() == "Interrupted"
    assert await status.locator(".interruption-count").text_content() == "1 interruption"
    await shot("list-desktop-en")

    await row.get_by_role("link", name="Kai Offline").click()
    await page.get_by_role("heading", name="Interruptions").wait_for()
    head = page.locator(".detail-head")
    assert await head.locator(".badge").text_content() == "Interrupted"
    summary = await page.locator(".interruptions-summary").text_content()
    assert summary.startswith("1 interruption · offline for "), summary
    (cells,) = await page.locator("#interruptions-table tbody tr").evaluate_all(
        "rows => rows.map(r => Object.fromEntries([...r.cells].map(c => [c.dataset.label ?? 'when', c.textContent])))")
    assert cells["Question"] == "Question 1" and cells["Phase"] == "Answering", cells
    assert cells["Outcome"] == "Interrupted", cells
    seconds = re.fullmatch(r"(\d+) s", cells["Offline for"])
    assert seconds and int(seconds.group(1)) >= GRACE_SECONDS, cells
    assert await page.locator("#interruptions-table time").get_attribute("datetime")
    cut = page.locator(".answer").first.locator(".cut-short")
    assert (await cut.text_content()).startswith("Cut short: the connection was lost")
    reopen = page.get_by_role("button", name="Reopen interview")
    description = await page.locator(f"#{await reopen.get_attribute('aria-describedby')}").text_content()
    assert "continues at the question where it stopped" in description
    await shot("detail-desktop-en")

    # The same in Chinese, and both languages at 375 px: no sideways scrolling.
    for viewport, code in ((DESKTOP, "zh"), (PHONE, "zh"), (PHONE, "en")):
        await page.set_viewport_size(viewport)
        await set_language(page, code)
        size = "phone" if viewport is PHONE else "desktop"
        assert await fits_width(page), f"detail wider than the screen at {viewport} in {code}"
        if code == "zh":
            assert await head.locator(".badge").text_content() == "已中断"
            assert await page.get_by_role("button", name="重新开放面试").is_visible()
        await shot(f"detail-{size}-{code}")
        await page.get_by_role("link", name="返回面试列表" if code == "zh" else "All interviews").click()
        await page.get_by_role("row").filter(has_text="kai@example.com").wait_for()
        assert await fits_width(page), f"list wider than the screen at {viewport} in {code}"
        await shot(f"list-{size}-{code}")
        await page.go_back()
        await page.locator("#detail-reopen").wait_for()

    # Reopen, with the keyboard.
    await set_language(page, "en")
    await page.set_viewport_size(DESKTOP)
    await page.get_by_role("button", name="Reopen interview").focus()
    await page.keyboard.press("Enter")
    confirmation = page.get_by_role("status").filter(has_text="Interview reopened.")
    await confirmation.wait_for()
    assert await confirmation.evaluate("node => node === document.activeElement"), "focus goes to the message"
    assert await head.locator(".badge").text_content() == "Disconnected — waiting to resume"
    assert await page.get_by_role("button", name="Reopen interview").count() == 0
    await shot("reopened-desktop-en")
    await page.set_viewport_size(PHONE)
    await set_language(page, "zh")
    assert await fits_width(page)
    await shot("reopened-phone-zh")
    await set_language(page, "en")
    await page.get_by_role("link", name="All interviews").click()
    status = page.get_by_role("row").filter(has_text="kai@example.com").locator("td[data-label=Status]")
    await status.get_by_text("Disconnected — waiting to resume").wait_for()
    assert await fits_width(page), "the long status label must wrap on a phone"
    await shot("reopened-list-phone-en")
    detail = await hr.get(f"/api/interviews/{interview_id}")
    assert detail["interview"]["status"] == "disconnected"

    # The candidate's link works again and continues with the next question.
    candidate = Candidate(await hr.session.ws_connect("/ws"))
    try:
        state = await candidate.hello(token)
        assert (state["step"], state["question"]["index"]) == ("question", 1), state
        await wait_for_status(hr, interview_id, "in_progress", timeout=5)
    finally:
        await candidate.close()
