"""Staff accounts in headless Chromium against `intervox serve`: an admin invites a reviewer by e-mail
(a real SMTP server on loopback), the mailed link opens the activation page, the reviewer chooses a
password and signs in; the admin disables them and their open session stops working. Also: the link
shown once when no mail is set up, changing one's password, and that the Secure, SameSite=Strict
session cookie survives a link from another site."""

from __future__ import annotations

import re

import pytest
from harness import CHROMIUM, CHROMIUM_ARGS, ServerProcess, sign_in
from smtp_server import smtp_server

pytestmark = pytest.mark.browser

PASSWORD = "violet harbour lantern 42"


@pytest.fixture
async def browser(playwright):
    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    await browser.close()


async def new_page(browser, problems: list[str], **options):
    context = await browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **options})
    page = await context.new_page()
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    return page


async def invite(page, email: str, name: str, role_label: str, departments: str) -> None:
    await page.get_by_role("link", name="Staff").click()
    form = page.locator("#staff-new")
    await form.get_by_label("E-mail").fill(email)
    await form.get_by_label("Name").fill(name)
    await form.get_by_label("Role").select_option(label=role_label)
    await form.get_by_label("Departments").fill(departments)


async def choose_password(page, password: str) -> None:
    await page.get_by_label("New password", exact=True).fill(password)
    await page.get_by_label("Repeat the new password").fill(password)
    await page.get_by_role("button", name="Set my password").click()
    await page.get_by_role("heading", name="Your password is set").wait_for()


async def test_invited_by_e_mail_activates_signs_in_and_is_disabled(browser, tmp_path):
    """The whole life of an invited reviewer, through the pages only."""
    problems: list[str] = []
    async with smtp_server() as (inbox, env):
        server = ServerProcess(tmp_path / "data", extra_env=env)
        try:
            admin = await new_page(browser, problems)
            await sign_in(admin, server)
            await admin.wait_for_url("**/hr*")
            await invite(admin, "rita@example.com", "Rita Reviewer", "Reviewer", "Engineering")
            await admin.get_by_role("button", name="Send the invitation").click()
            await admin.get_by_role("heading", name="Invitation sent").wait_for()
            assert await admin.locator("#staff-link").input_value() == "", "a mailed link is not shown"
            row = admin.get_by_role("row").filter(has_text="rita@example.com")
            await row.get_by_text("Invited — link not used yet").wait_for()

            (mail,) = await inbox.wait_for(1)
            assert mail["To"] == "Rita Reviewer <rita@example.com>"
            link = re.search(r"http://\S+/account/activate#[A-Za-z0-9_-]{43}", mail.get_content()).group(0)
            assert link.startswith(server.base_url)

            rita = await new_page(browser, problems)
            await rita.goto(link)
            await rita.get_by_role("heading", name="Welcome to Intervox, Rita Reviewer").wait_for()
            assert "#" not in rita.url, "the token leaves the address bar at once"
            await rita.get_by_label("New password", exact=True).fill("short")
            await rita.get_by_label("Repeat the new password").fill("short")
            await rita.get_by_role("button", name="Set my password").click()
            await rita.get_by_text("Use at least 12 characters.").wait_for()
            await choose_password(rita, PASSWORD)
            await rita.get_by_role("link", name="Sign in").click()
            await rita.get_by_label("E-mail").fill("rita@example.com")
            await rita.get_by_label("Password").fill(PASSWORD)
            await rita.get_by_role("button", name="Sign in").click()
            await rita.wait_for_url("**/review*")  # a reviewer's start page
            await rita.get_by_role("heading", name="Set up two-step verification").wait_for()

            await admin.reload()
            await row.get_by_text("Active").wait_for()
            await row.get_by_role("button", name="Disable Rita Reviewer's account").click()
            dialog = admin.get_by_role("dialog", name="Disable Rita Reviewer's account?")
            await dialog.get_by_role("button", name="Disable the account").click()
            await admin.get_by_text("Rita Reviewer's account is disabled. Open sessions ended: 1.").wait_for()
            await row.get_by_text("Disabled", exact=True).wait_for()

            status = await rita.evaluate("fetch('/api/me').then(r => r.status)")
            assert status == 401, "the open session stopped working at once"
            await rita.reload()
            await rita.wait_for_url("**/login?next=*")
            await rita.get_by_label("E-mail").fill("rita@example.com")
            await rita.get_by_label("Password").fill(PASSWORD)
            await rita.get_by_role("button", name="Sign in").click()
            await rita.get_by_text("The e-mail or password is not right").wait_for()
        finally:
            code = server.stop()
    log = server.log()
    assert "Traceback" not in log and code == 0, log[-3000:]
    assert link.split("#")[1] not in log, "the token never reaches the server's log"
    assert problems == [], problems


async def test_link_shown_once_then_password_change_signs_out_elsewhere(browser, server):
    """No SMTP: the admin copies the link; the new HR user activates, signs in on two browsers, changes the
    password on one, and the other is signed out."""
    problems: list[str] = []
    admin = await new_page(browser, problems)
    await sign_in(admin, server)
    await admin.wait_for_url("**/hr*")
    await invite(admin, "hana@example.com", "Hana HR", "HR", "")
    await admin.get_by_role("button", name="Create the invitation link").click()
    await admin.get_by_role("heading", name="Invitation link for Hana HR").wait_for()
    await admin.get_by_text("Outgoing e-mail is not set up on this server, so nothing was sent.").wait_for()
    link = await admin.get_by_role("textbox", name="Link", exact=True).input_value()
    await admin.get_by_role("link", name="Interviews").first.click()
    await admin.get_by_role("link", name="Staff").click()
    assert await admin.locator("#staff-result").is_hidden(), "leaving the view forgets the link"

    hana = await new_page(browser, problems)
    await hana.goto(link)
    await choose_password(hana, PASSWORD)
    await sign_in(hana, server_as(server, "hana@example.com", PASSWORD))
    await hana.wait_for_url("**/hr*")
    phone = await new_page(browser, problems, viewport={"width": 375, "height": 740})
    await sign_in(phone, server_as(server, "hana@example.com", PASSWORD))
    await phone.wait_for_url("**/hr*")

    await hana.get_by_role("link", name="hana@example.com").click()
    await hana.get_by_role("heading", name="Your account").wait_for()
    await hana.get_by_label("Current password").fill(PASSWORD)
    await hana.get_by_label("New password", exact=True).fill("another violet harbour")
    await hana.get_by_label("Repeat the new password").fill("another violet harbour")
    await hana.get_by_role("button", name="Change password").click()
    await hana.get_by_text("Your password is changed. You were signed out on the other devices").wait_for()
    assert await hana.evaluate("fetch('/api/me').then(r => r.status)") == 200, "this browser stays signed in"
    assert await phone.evaluate("fetch('/api/me').then(r => r.status)") == 401, "the other one is signed out"
    assert problems == [], problems


async def test_a_link_from_another_site_lands_signed_in(browser, server):
    """SameSite=Strict keeps the cookie off cross-site requests, yet a link from elsewhere (here the
    other site http://localhost) opens the dashboard signed in: the page's own fetches are same-site."""
    problems: list[str] = []
    page = await new_page(browser, problems)
    await sign_in(page, server)
    await page.wait_for_url("**/hr*")
    other_site = server.base_url.replace("127.0.0.1", "localhost")
    await page.goto(f"{other_site}/login")
    await page.evaluate("""url => {
        const a = document.createElement("a");
        a.href = url; a.textContent = "to the dashboard"; a.id = "cross-site-link";
        document.body.append(a);
    }""", f"{server.base_url}/hr#interviews")
    await page.click("#cross-site-link")
    await page.wait_for_url(f"{server.base_url}/hr#interviews")
    await page.get_by_role("heading", name="Interviews").wait_for()
    await page.get_by_text(server.admin_email).wait_for()
    cookie = next(c for c in await page.context.cookies(server.base_url) if c["name"].startswith("__Host-"))
    assert cookie["secure"] and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert problems == [], problems


class server_as:  # noqa: N801 (reads as a phrase at the call site)
    """The server, with another account's credentials for `sign_in`."""

    def __init__(self, server, email: str, password: str) -> None:
        self.base_url, self.admin_email, self.admin_password = server.base_url, email, password
