"""The analytics view in headless Chromium against a real server whose database was seeded with a
campaign: the figures shown are the API's, the charts fit a phone, the CSV downloads, English and
Chinese, and a department head sees only their department."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from analytics_seed import Seeded, seed
from harness import CHROMIUM, CHROMIUM_ARGS, ServerProcess, sign_in

from signaling import auth
from signaling.records import Role
from signaling.store import Store

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
PASSWORD = "a long enough password"
ADMIN_EMAIL, HEAD_EMAIL = "ada@example.com", "fiona@example.com"


async def _seed_database(data_dir: Path) -> Seeded:
    store = await Store.open(data_dir / "intervox.sqlite3")
    try:
        seeded = await seed(store)
        password_hash = auth.hash_password(PASSWORD)
        await store.staff.create(email=ADMIN_EMAIL, display_name="Ada", role=Role.ADMIN, departments=(),
                                 password_hash=password_hash)
        await store.staff.create(email=HEAD_EMAIL, display_name="Fiona", role=Role.DEPT_HEAD,
                                 departments={"Finance"}, password_hash=password_hash)
        return seeded
    finally:
        await store.close()


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    """A server started on a database that already holds the campaign, an admin and a Finance head."""
    data_dir = tmp_path_factory.mktemp("server") / "data"
    data_dir.mkdir(mode=0o700)
    seeded = asyncio.run(_seed_database(data_dir))
    proc = ServerProcess(data_dir, admin=(ADMIN_EMAIL, PASSWORD))
    yield proc, seeded
    proc.stop_cleanly()


@pytest.fixture
async def browser(playwright):
    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    await browser.close()


async def open_page(browser, viewport):
    context = await browser.new_context(viewport=viewport, accept_downloads=True)
    page = await context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return page


@pytest.fixture
def shots(tmp_path):
    """Where screenshots go: INTERVOX_SCREENSHOTS if set (to look at them), else the test's tmp dir."""
    folder = Path(os.environ.get("INTERVOX_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)

    async def shot(page, name: str) -> None:
        await page.screenshot(path=str(folder / f"analytics-{name}.png"), full_page=True)

    return shot


def percent(value: float | None) -> str:
    """The page's percent format (at most one decimal)."""
    return "—" if value is None else f"{round(value * 100, 1):g}%"


async def table_rows(page, chart: str) -> list[list[str]]:
    """Open a chart's table and read its body rows (header cell, then the other cells)."""
    card = page.locator(f"section[data-chart={chart}]")
    details = card.locator("details")
    if await details.get_attribute("open") is None:
        await card.locator("summary").click()
    return await card.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => [...r.children].map(c => c.textContent.trim()))")


async def set_language(page, code: str) -> None:
    await page.locator("#lang").select_option(code)
    await page.wait_for_selector(f"html[lang^={code}]", state="attached")


async def fits_width(page) -> bool:
    """Nothing scrolls sideways, and every chart is as wide as its card at most."""
    return await page.evaluate("""() => document.documentElement.scrollWidth <= window.innerWidth
        && [...document.querySelectorAll('.chart-box')].every(b => {
             const svg = b.querySelector('svg');
             return svg && svg.getBoundingClientRect().width <= b.clientWidth + 0.5; })
        && [...document.querySelectorAll('.table-wrap')].every(w => w.scrollWidth <= w.clientWidth)""")


async def test_job_figures_match_the_api_in_both_languages_and_on_a_phone(browser, campaign, shots, tmp_path):
    """For the seeded job the summary, funnel, score bands, questions and competency gaps on the page are
    the API's figures; the results CSV downloads; the page fits 375 px in English and Chinese."""
    server, seeded = campaign
    page = await open_page(browser, DESKTOP)
    await sign_in(page, server)
    await page.wait_for_url("**/hr*")
    await page.get_by_role("link", name="Analytics").click()
    await page.get_by_role("heading", name="Analytics", exact=True).wait_for()
    await page.locator("#analytics-job").select_option(label="Backend Engineer — Engineering")
    await page.wait_for_url(f"**/hr#analytics/{seeded.engineer}")
    await page.locator("#analytics-scope", has_text="Backend Engineer — Engineering").wait_for()
    api = await page.evaluate(f"""fetch('/api/analytics?job_id={seeded.engineer}&tz='
        + String(-new Date().getTimezoneOffset())).then(r => r.json())""")
    f = api["figures"]

    async def tile(name: str) -> str:
        return (await page.locator(f"[data-stat={name}] .stat-value").text_content()).strip()

    assert await tile("invited") == str(f["invited"]) == "10"
    assert await tile("participation") == percent(f["participation_rate"]) == "30%"
    assert await tile("completed") == str(f["completed"])
    assert await tile("decline") == percent(f["decline_rate"])
    assert await tile("mean-score") == f"{f['scores']['mean']:.1f}"
    assert await tile("duration") == f"{f['duration']['mean_seconds'] / 60:.1f} min"
    assert await tile("interruptions") == f"{f['interruptions']['per_interview']:.2f}"
    assert await page.locator("[data-stat=invited] .stat-note").text_content() == "Not counted: 1 revoked"

    funnel = await table_rows(page, "funnel")
    assert [int(r[1]) for r in funnel] == [s["count"] for s in f["funnel"]]
    assert [r[2] for r in funnel[1:]] == [percent(s["conversion"]) for s in f["funnel"][1:]]
    assert funnel[0][0] == "Invited" and funnel[3][0] == "Device check passed"
    bands = await table_rows(page, "scores")
    assert [int(r[1]) for r in bands[:10]] == [b["count"] for b in f["scores"]["buckets"]]
    assert bands[10] == ["No score (no speech)", str(f["scores"]["unscored_interviews"])]
    assert "1 of 5 answers had no speech" in await page.locator("section[data-chart=scores]").text_content()
    questions = await table_rows(page, "questions")
    assert [(r[0], r[1], r[2], r[3]) for r in questions] == [
        (f"Q{q['position'] + 1}: {q['text']}", f"{q['mean']:.1f}", str(q["scored"]), str(q["no_speech"]))
        for q in f["questions"]]
    competencies = await table_rows(page, "competencies")
    assert [(r[0], r[1]) for r in competencies] == [(c["name"], f"{c['mean']:.1f}") for c in f["competencies"]]
    assert [r[0] for r in competencies] == ["Diagnosis", "Problem solving", "Communication"]  # weakest first

    # Every chart is an image with a name and a description that carries its numbers.
    for chart in ("funnel", "scores", "questions", "competencies"):
        svg = page.locator(f"section[data-chart={chart}] svg[role=img]")
        assert await svg.get_attribute("aria-label")
        description = await page.locator(f"#{await svg.get_attribute('aria-describedby')}").text_content()
        assert any(ch.isdigit() for ch in description), chart
    bars = page.locator("section[data-chart=funnel] svg .chart-value")
    assert [await b.text_content() for b in await bars.all()][1] == f"9 · {percent(f['funnel'][1]['conversion'])}"
    await shots(page, "desktop-en")

    async with page.expect_download() as waiting:
        await page.get_by_role("button", name="Results per candidate (CSV)").click()
    download = await waiting.value
    assert download.suggested_filename.startswith("intervox-results-backend-engineer-")
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    body = saved.read_bytes()
    assert body.startswith(b"\xef\xbb\xbfCandidate,E-mail,Job,Department,Status")
    await page.get_by_text(f"Downloaded {download.suggested_filename}.").wait_for()

    await set_language(page, "zh")
    await page.get_by_role("heading", name="数据分析", exact=True).wait_for()
    assert await tile("participation") == "30%"
    zh_funnel = await table_rows(page, "funnel")
    assert zh_funnel[1][0] == "打开链接" and [int(r[1]) for r in zh_funnel] == [s["count"] for s in f["funnel"]]
    await shots(page, "desktop-zh")
    assert page.errors == []

    phone = await open_page(browser, PHONE)
    await sign_in(phone, server)
    await phone.wait_for_url("**/hr*")
    await phone.goto(f"{server.base_url}/hr#analytics/{seeded.engineer}")
    await phone.locator("section[data-chart=competencies] svg").wait_for()
    assert await fits_width(phone)
    label = phone.locator("section[data-chart=questions] svg .chart-label").first
    assert (await label.text_content()).startswith("Q1")
    await shots(phone, "phone-en")
    await set_language(phone, "zh")
    await phone.get_by_role("heading", name="数据分析", exact=True).wait_for()
    await phone.locator("section[data-chart=funnel] svg .chart-label", has_text="打开链接").wait_for()
    assert await fits_width(phone)
    await shots(phone, "phone-zh")
    await set_language(phone, "en")  # the language choice is remembered in the browser profile
    assert phone.errors == []


async def test_all_jobs_compare_campaigns_and_a_department_head_sees_their_own(browser, campaign, shots):
    """HR's all-jobs view lists each job; the Finance head's dashboard offers only Finance's job."""
    server, seeded = campaign
    page = await open_page(browser, DESKTOP)
    await sign_in(page, server)
    await page.wait_for_url("**/hr*")
    await page.goto(f"{server.base_url}/hr#analytics")
    by_job = page.locator("#analytics-by-job tbody tr")
    await by_job.first.wait_for()
    rows = await by_job.evaluate_all("rows => rows.map(r => [...r.children].map(c => c.textContent.trim()))")
    assert {r[0]: r[1] for r in rows} == {"财务分析师 — Finance": "2", "Backend Engineer — Engineering": "10"}
    assert await page.locator("[data-stat=invited] .stat-value").text_content() == "12"
    await shots(page, "desktop-all-jobs")
    assert page.errors == []

    head = await open_page(browser, PHONE)
    await head.goto(f"{server.base_url}/hr#analytics")
    await head.wait_for_url("**/login?next=*")
    await head.get_by_label("E-mail").fill(HEAD_EMAIL)
    await head.get_by_label("Password").fill(PASSWORD)
    await head.get_by_role("button", name="Sign in").click()
    await head.get_by_role("heading", name="Analytics", exact=True).wait_for()
    await head.locator("#analytics-scope", has_text="Your departments: Finance").wait_for()
    options = await head.locator("#analytics-job option").all_text_contents()
    assert options == ["All jobs", "财务分析师 — Finance"]
    assert await head.locator("[data-stat=invited] .stat-value").text_content() == "2"
    await head.goto(f"{server.base_url}/hr#analytics/{seeded.engineer}")  # another department's job
    await head.get_by_role("alert").filter(has_text="There is no such job among the jobs you can see.").wait_for()
    assert await head.locator("[data-stat=invited]").count() == 0
    assert await fits_width(head)
    await shots(head, "phone-dept-head")
    assert head.errors == []
