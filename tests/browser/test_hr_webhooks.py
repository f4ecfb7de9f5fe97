"""Integrations in headless Chromium: an administrator adds a webhook, keeps the secret shown once,
sends a test event to a real receiver and reads the delivery log; on a phone, and in Chinese."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from harness import CHROMIUM, CHROMIUM_ARGS, sign_in
from webhook_receiver import Receiver, signed_with

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("INTERVOX_SCREENSHOTS", "")) if os.environ.get("INTERVOX_SCREENSHOTS") else None


async def shot(page, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
async def receiver():
    r = await Receiver(script=[500]).start()
    yield r
    await r.stop()


async def open_page(playwright, width: int):
    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    context = await browser.new_context(viewport={"width": width, "height": 900})
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return browser, page, errors


async def test_add_a_webhook_test_it_and_read_the_log(playwright, server, receiver):
    """The secret is shown once and verifies the receiver's request; the failed first try and the
    redelivery show in the log; a phone-sized screen and Chinese work too."""
    browser, page, errors = await open_page(playwright, 1280)
    try:
        await sign_in(page, server)
        await page.wait_for_url("**/hr*")
        await page.get_by_role("link", name="Integrations").click()
        await page.get_by_role("heading", name="Integrations", level=1).wait_for()
        await page.get_by_role("button", name="Add the webhook").click()
        await page.locator("#webhooks-url-error").get_by_text("Please fill this in.").wait_for()
        await page.get_by_label("Receiver URL").fill(receiver.url)
        await page.get_by_label("Description (optional)").fill("Our ATS")
        await page.get_by_label("Interview interrupted").uncheck()
        await page.get_by_role("button", name="Add the webhook").click()
        secret_box = page.get_by_label("Signing secret")
        await secret_box.wait_for()
        secret = await secret_box.input_value()
        assert secret.startswith("whsec_")
        await shot(page, "webhooks-secret")
        await page.get_by_role("button", name="Done").click()
        assert await page.locator("#webhooks-secret").input_value() == "", "the secret is forgotten once done"

        item = page.locator(".webhook-item").filter(has_text=receiver.url)
        await item.get_by_text("Interview completed").wait_for()
        assert await item.get_by_text("Interview interrupted").count() == 0
        await item.get_by_role("button", name="Send a test event").click()
        await page.get_by_text("Test event sent").wait_for()
        await receiver.wait_for(lambda got: len(got) >= 1)
        (first,) = receiver.received
        assert first.answered == 500 and signed_with(secret, first.headers["Intervox-Signature"], first.body)

        await item.get_by_role("link", name="Deliveries").click()
        await page.wait_for_url("**#webhooks/*")
        row = page.locator("#webhooks-deliveries-body tr").first
        await row.get_by_role("rowheader").get_by_text("Test event").wait_for()
        await receiver.wait_ok()  # the automatic retry
        await page.get_by_role("button", name="Refresh").click()
        await row.get_by_text("Delivered").wait_for()
        await row.get_by_text("All attempts (2)").click()
        await row.get_by_text("HTTP 500").wait_for()
        await shot(page, "webhooks-deliveries")
        await row.get_by_role("button", name="Redeliver: Test event").click()
        await receiver.wait_ok(2)
        assert receiver.ok()[1].delivery == first.delivery, "a redelivery keeps the delivery id"
        assert errors == [], errors
    finally:
        await browser.close()

    browser, page, errors = await open_page(playwright, 375)
    try:
        await sign_in(page, server)
        await page.wait_for_url("**/hr*")
        await page.goto(f"{server.base_url}/hr#webhooks/1")
        await page.locator("#webhooks-deliveries-body tr").first.wait_for()
        await shot(page, "webhooks-phone")
        width = await page.evaluate("document.documentElement.scrollWidth")
        wide = await page.evaluate("""[...document.querySelectorAll('body *')]
            .filter((e) => e.getBoundingClientRect().right > 376 && e.offsetParent !== null)
            .slice(0, 5).map((e) => `${e.tagName}#${e.id}.${e.className}`)""")
        assert width <= 375, f"the page scrolls sideways on a phone: {width}px; too wide: {wide}"
        await page.locator("#lang").select_option("zh")
        await page.get_by_role("heading", name="集成", level=1).wait_for()
        await page.get_by_text("发往").first.wait_for()
        await shot(page, "webhooks-phone-zh")
        await page.get_by_role("button", name="删除").click()
        await page.get_by_role("heading", name="删除此 Webhook？").wait_for()
        await shot(page, "webhooks-phone-zh-confirm")
        await page.get_by_role("button", name="取消").click()
        assert errors == [], errors
    finally:
        await browser.close()
