"""The candidate page's own behaviour in headless Chromium: devices, clicks, languages, layout."""

from __future__ import annotations

import pytest
from harness import CHROMIUM, CHROMIUM_ARGS

pytestmark = pytest.mark.browser

NO_PROMPT_ARGS = [a for a in CHROMIUM_ARGS if a != "--use-fake-ui-for-media-stream"]
NO_DEVICE_ARGS = [a for a in NO_PROMPT_ARGS if a != "--use-fake-device-for-media-stream"]


async def invite(hr, title: str = "Page checks", language: str = "en", think: int = 30) -> str:
    job = (await hr.post("/api/jobs", {
        "title": title, "department": "QA", "language": language,
        "questions": [{"text": "Tell us about a project you are proud of.", "think_seconds": think,
                       "answer_seconds": 60}],
    }))["job"]
    created = await hr.post("/api/interviews", {"job_id": job["id"], "candidate_name": "Pat Page",
                                                "candidate_email": "pat@example.com"})
    return created["invite_url"]


async def open_device_check(playwright, url: str, args: list[str], **context):
    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=args)
    page = await (await browser.new_context(**context)).new_page()
    await page.goto(url)
    await page.click("#accept")
    await page.wait_for_selector("#screen-device:visible")
    return browser, page


async def test_denied_permission_explains_how_to_allow(server, hr, playwright):
    """When camera permission is refused, the page says how to allow it and offers Try again."""
    browser, page = await open_device_check(playwright, await invite(hr), NO_PROMPT_ARGS)
    try:
        problem = page.locator("#device-problem")
        await problem.wait_for(state="visible")
        assert "allow the camera and microphone" in (await problem.text_content())
        assert await page.is_visible("#device-retry")
        assert await page.is_disabled("#device-continue")
    finally:
        await browser.close()


async def test_missing_devices_are_explained(server, hr, playwright):
    """With no camera or microphone at all, the page says what is missing."""
    browser, page = await open_device_check(playwright, await invite(hr), NO_DEVICE_ARGS,
                                            permissions=["camera", "microphone"])
    try:
        problem = page.locator("#device-problem")
        await problem.wait_for(state="visible")
        text = await problem.text_content()
        assert "No camera or microphone was found" in text or "could not find" in text, text
        assert await page.is_disabled("#device-continue")
    finally:
        await browser.close()


async def test_three_clicks_from_consent_to_first_question(server, hr, playwright):
    """Continue, Finish (practice) and Start the interview: the first real question shows."""
    browser, page = await open_device_check(playwright, await invite(hr), CHROMIUM_ARGS)
    try:
        clicks = 0
        for selector in ("#device-continue:enabled", "#finish-answer:visible", "#begin:visible"):
            await page.click(selector, timeout=30_000)  # the practice answer starts by itself
            clicks += 1
        await page.wait_for_selector("#question-label:has-text('Question 1 of 1')")
        assert "proud" in await page.text_content("#question-text")
        assert clicks == 3
    finally:
        await browser.close()


async def test_chinese_job_opens_in_chinese_and_fits_a_phone(server, hr, playwright, tmp_path):
    """A Mandarin job's page starts in Simplified Chinese, switches to English, and fits 375 px."""
    url = await invite(hr, title="产品经理", language="zh")
    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        page = await browser.new_page(viewport={"width": 375, "height": 740}, device_scale_factor=2)
        await page.goto(url)
        await page.wait_for_selector("#accept:visible")
        assert await page.text_content("#accept") == "同意并继续"
        assert await page.get_attribute("html", "lang") == "zh-CN"
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"the consent screen is {width} px wide on a 375 px phone"
        await page.screenshot(path=str(tmp_path / "consent-zh-phone.png"), full_page=True)
        await page.select_option("#lang", "en")
        await page.wait_for_selector("#accept:has-text('Accept and continue')")
        assert await page.get_attribute("html", "lang") == "en"
    finally:
        await browser.close()
