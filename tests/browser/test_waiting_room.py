"""The waiting room in Chromium, against `intervox serve` configured for one live interview: the next
candidates see the busy screen with their place in line (English and Chinese, on a 375 px phone),
keep it across a reload, and go on by themselves when the seat frees."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from harness import CHROMIUM, CHROMIUM_ARGS, ServerProcess
from wsclient import Candidate, reach_first_question

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 375, "height": 740}, "device_scale_factor": 2}


@pytest.fixture
def server(tmp_path):
    """A fresh server per test, with one seat (conftest's `hr` signs in to it): a seat left held by
    one test's closed page must not reach the next."""
    proc = ServerProcess(tmp_path / "server" / "data", extra_env={"INTERVOX_MAX_LIVE_INTERVIEWS": "1"})
    yield proc
    proc.stop_cleanly()


@pytest.fixture
def shots(tmp_path):
    """Where screenshots go: INTERVOX_SCREENSHOTS if set (to look at them), else the test's tmp dir."""
    folder = Path(os.environ.get("INTERVOX_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)

    async def shot(page, name: str) -> None:
        await page.screenshot(path=str(folder / f"waiting-{name}.png"), full_page=True)

    return shot


async def invite(hr, title: str, language: str, name: str) -> str:
    job = (await hr.post("/api/jobs", {
        "title": title, "department": "QA", "language": language,
        "questions": [{"text": "Tell us about a project you are proud of.", "think_seconds": 60,
                       "answer_seconds": 60}],
    }))["job"]
    created = await hr.post("/api/interviews", {"job_id": job["id"], "candidate_name": name,
                                                "candidate_email": f"{name.split()[0].lower()}@example.com"})
    return created["invite_url"]


async def wait_in_line(page, url: str):
    """Open the link and accept the consent screen: the busy screen shows instead of the device check."""
    await page.goto(url)
    await page.click("#accept")
    await page.wait_for_selector("#screen-queue:visible")


async def fits(page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the busy screen is {width} px wide on a 375 px phone"


async def test_busy_screen_then_admitted_by_itself(server, hr, playwright, shots):
    """With one seat taken, the second candidate is number 1 in line and the third number 2 (in
    Chinese for a Chinese job, kept across a reload, readable at 375 px, camera off); when the first
    candidate finishes, the second goes on to the device check by itself and the third moves up."""
    en_url = await invite(hr, "Support Engineer", "en", "Ada First")
    second_url = await invite(hr, "Support Engineer", "en", "Bo Second")
    third_url = await invite(hr, "产品经理", "zh", "Chen Third")
    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        first = await (await browser.new_context(viewport={"width": 1000, "height": 800})).new_page()
        await first.goto(en_url)
        await first.click("#accept")
        await first.wait_for_selector("body[data-media=ready]", state="attached")
        await first.click("#device-continue")
        await first.click("#start-answer:enabled", timeout=30_000)
        await first.click("#finish-answer")
        await first.click("#begin")
        await first.wait_for_selector("#question-label:has-text('Question 1 of 1')")

        second = await (await browser.new_context(**PHONE)).new_page()
        await wait_in_line(second, second_url)
        assert await second.text_content("#queue-position") == "You are number 1 in line."
        assert await second.get_attribute("body", "data-media") is None  # the camera was never opened
        assert "keep it open" in (await second.text_content("#screen-queue")).lower()
        await second.wait_for_selector("#queue-announce:has-text('You are number 1 in line.')", state="attached")
        assert await second.get_attribute("#queue-announce", "role") == "status"
        assert await second.title() == "Number 1 in line — Intervox"
        await fits(second)
        await shots(second, "en-phone")

        third = await (await browser.new_context(**PHONE)).new_page()
        await wait_in_line(third, third_url)
        assert await third.text_content("#queue-position") == "您目前排在第 2 位。"
        assert await third.text_content("#screen-queue h1") == "面试服务当前繁忙"
        await third.reload()  # a reload keeps the place; the page opens on the busy screen in the job's language
        await third.wait_for_selector("#screen-queue:visible")
        assert await third.text_content("#queue-position") == "您目前排在第 2 位。"
        assert await third.text_content("#job-title") == "产品经理"
        await fits(third)
        await shots(third, "zh-phone")

        await first.click("#start-answer:enabled")
        await first.click("#finish-answer")
        await first.wait_for_selector("#screen-done:visible")

        await second.wait_for_selector("#screen-device:visible", timeout=20_000)
        await second.wait_for_selector("body[data-media=ready]", state="attached")
        assert await second.title() != "Number 1 in line — Intervox"
        await third.wait_for_selector("#queue-announce:has-text('您目前排在第 1 位。')", state="attached",
                                      timeout=20_000)
        assert await third.text_content("#queue-position") == "您目前排在第 1 位。"
        await third.select_option("#lang", "en")
        await third.wait_for_selector("#queue-position:has-text('You are number 1 in line.')")
        await fits(third)
        await shots(third, "en-phone-moved-up")
        await shots(second, "admitted-device-check")
    finally:
        await browser.close()


async def synthetic_candidate(hr, url: str) -> Candidate:
    """An aiortc candidate (tests/signaling/wsclient.py) at question 1 of the interview behind `url`."""
    candidate = Candidate(await hr.session.ws_connect("/ws"))
    await reach_first_question(candidate, url.split("#", 1)[1])
    return candidate


async def test_the_busy_screen_estimates_the_wait_once_interviews_have_completed(server, hr, playwright, shots):
    """After three interviews have completed on this server, a waiting candidate is told an estimate."""
    for n in range(3):
        done = await synthetic_candidate(hr, await invite(hr, "Support Engineer", "en", f"Done {n}"))
        await done.send("answer.start", question=0)
        await done.expect("state", phase="answering")
        await done.send("answer.finish", question=0)
        await done.expect("state", step="done")
        await done.close()
    running = await synthetic_candidate(hr, await invite(hr, "Support Engineer", "en", "Rui Running"))
    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        context = await browser.new_context(**PHONE)
        page = await context.new_page()
        await wait_in_line(page, await invite(hr, "Support Engineer", "en", "Wen Waiting"))
        assert await page.text_content("#queue-position") == "You are number 1 in line."
        # these interviews took seconds; one running longer than usual is still given a minute
        assert await page.text_content("#queue-estimate") == "Estimated wait: about a minute."
        await page.select_option("#lang", "zh")
        await page.wait_for_selector("#queue-estimate:has-text('预计等待约 1 分钟。')")
        await fits(page)
        await shots(page, "zh-phone-estimate")

        await context.set_offline(True)  # the connection drops while waiting: the place is kept a while
        await page.wait_for_selector("body[data-connection=reconnecting]", state="attached", timeout=10_000)
        assert "您的排队位置会保留 1 分钟。" in await page.text_content("#connection-banner")
        await shots(page, "zh-phone-reconnecting")
        await context.set_offline(False)
        await page.wait_for_selector("body[data-connection=connected]", state="attached", timeout=20_000)
        await page.wait_for_selector("#connection-banner", state="hidden")
        assert await page.text_content("#queue-position") == "您目前排在第 1 位。"
    finally:
        await browser.close()
        await running.close()
