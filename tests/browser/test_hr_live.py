"""HR watches a real interview live: the dashboard is open in one Chromium context while a candidate
takes the interview in another (fake camera, WAV microphone, real server and Whisper model); the
dashboard shows the question change, the live caption and each score as they happen, without a reload."""

from __future__ import annotations

import asyncio
import time

import pytest
from harness import CHROMIUM, CHROMIUM_ARGS, build_microphone_wav, questions_file, sign_in, speech_manifest
from wsclient import Candidate, reach_first_question

pytestmark = pytest.mark.browser

LEAD_SILENCE = 6.0  # consent → device check → WebRTC → practice answer start happen in here
GAP = 4.0  # silence between clips; every click that moves between answers happens inside a gap
CLIPS = ["q1_lead_deadline_weak", "q2_disagreement_weak"]


async def create_job(hr) -> dict:
    q1, q2 = questions_file()[0], questions_file()[1]
    return (await hr.post("/api/jobs", {
        "title": "Platform Engineer (live)", "department": "Engineering", "language": "en",
        "questions": [{"text": q1["text"], "think_seconds": 60, "answer_seconds": 60},
                      {"text": q2["text"], "think_seconds": 60, "answer_seconds": 60}],
    }))["job"]


async def watch_dashboard(page, name: str, seen: dict) -> None:
    """On the HR page, wait for each thing in turn and note when it was seen (runs beside the candidate)."""
    row = page.locator("#live-body tr").filter(has_text=name)
    await row.filter(has_text="Question 1 of 2").filter(has_text="Answering").wait_for(timeout=60_000)
    seen["answering 1"] = time.monotonic()
    # the round trip the candidate's browser measures on its ICE candidate pair, as HR sees it
    await row.locator(".quality").filter(has_text="round trip").wait_for(timeout=30_000)
    caption = row.locator(".caption q")
    await caption.wait_for(timeout=30_000)
    seen["caption"] = await caption.text_content()
    await row.filter(has_text="Question 2 of 2").wait_for(timeout=60_000)
    seen["question 2"] = time.monotonic()
    first = row.locator(".scores li").filter(has_text="Q1").locator(".score-n")
    await first.wait_for(timeout=60_000)
    seen["score 1"] = await first.text_content()
    await row.locator(".badge.status-completed").wait_for(timeout=120_000)
    second = row.locator(".scores li").filter(has_text="Q2").locator(".score-n")
    await second.wait_for(timeout=60_000)
    seen["score 2"] = await second.text_content()


async def test_hr_sees_question_caption_and_score_live(server, hr, playwright, tmp_path):
    """HR's live view follows a whole interview (question change, caption, scores) with no reload."""
    job = await create_job(hr)
    name = "Lee Live"
    invite = await hr.post("/api/interviews", {"job_id": job["id"], "candidate_name": name,
                                               "candidate_email": "lee@example.com"})
    plan: list = [LEAD_SILENCE, "practice_mic_check"]
    for clip in CLIPS:
        plan += [GAP, clip]
    plan.append(GAP)
    wav = tmp_path / "mic.wav"
    segments = build_microphone_wav(wav, plan)
    browser = await playwright.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, f"--use-file-for-fake-audio-capture={wav}%noloop"])
    errors: list[str] = []
    try:
        hr_context = await browser.new_context(viewport={"width": 1280, "height": 900})
        dashboard = await hr_context.new_page()
        dashboard.on("pageerror", lambda e: errors.append(f"dashboard: {e}"))
        await sign_in(dashboard, server)
        await dashboard.wait_for_selector("#hr-nav:not([hidden])")
        await dashboard.get_by_role("link", name="Live", exact=True).click()
        await dashboard.wait_for_selector(".live-connection.conn-live")
        await dashboard.evaluate("window.__notReloaded = true")
        assert await dashboard.locator("#view-live [aria-live]").count() == 1  # one polite summary, no more
        seen: dict = {}
        watcher = asyncio.create_task(watch_dashboard(dashboard, name, seen))

        candidate_context = await browser.new_context(viewport={"width": 1000, "height": 900})
        page = await candidate_context.new_page()
        page.on("pageerror", lambda e: errors.append(f"candidate: {e}"))
        await page.goto(invite["invite_url"])
        await page.click("#accept")
        await page.wait_for_selector("body[data-media=ready]", state="attached")  # the WAV starts playing
        t0 = time.monotonic()

        async def until(seconds: float) -> None:
            await asyncio.sleep(max(0.0, t0 + seconds - time.monotonic()))

        await page.click("#device-continue")
        await page.click("#start-answer:enabled", timeout=20_000)
        assert time.monotonic() - t0 < segments[0].start, "the machine is too slow for this plan"
        await until(segments[0].end + GAP / 2)
        await page.click("#finish-answer")
        await page.wait_for_selector("#begin:visible")
        await page.click("#begin")
        for index, segment in enumerate(segments[1:]):
            await page.wait_for_selector(f"#question-label:has-text('{index + 1}')")
            await page.click("#start-answer:enabled")
            assert time.monotonic() - t0 < segment.start, f"answer {index + 1} started late"
            await until(segment.end + GAP / 2)
            if index == 0:  # what the dashboard shows just before the first answer ends
                await dashboard.screenshot(path=str(tmp_path / "dashboard-answering.png"), full_page=True)
                last_caption = await dashboard.locator("#live-body tr .caption q").text_content()
            await page.click("#finish-answer")
        await page.wait_for_selector("#screen-done:visible")
        await asyncio.wait_for(watcher, 180)
        await dashboard.screenshot(path=str(tmp_path / "dashboard-done.png"), full_page=True)

        assert seen["caption"].strip(), "the live caption stayed empty"
        said = {w.strip(".,").lower() for w in speech_manifest()[CLIPS[0]]["text"].split()}
        heard = {w.strip(".,…").lower() for w in last_caption.split()}
        assert len(said & heard) >= 5, f"the caption is not what the candidate said: {last_caption!r}"
        assert seen["question 2"] > seen["answering 1"]
        detail = await hr.get(f"/api/interviews/{invite['interview']['id']}")
        stored = {a["question"]["position"]: a["score"] for a in detail["answers"]}
        assert seen["score 1"] == str(stored[0]) and seen["score 2"] == str(stored[1])
        assert await dashboard.evaluate("window.__notReloaded === true"), "the dashboard reloaded"
        summary = await dashboard.text_content("#live-summary")
        assert name in summary, summary  # the polite summary spoke of the interview
        # Both answers were far shorter than allowed: listed live, and on the interview's own page.
        shorts = dashboard.locator("#live-anomalies li").filter(has_text="Short answer").filter(has_text=name)
        await shorts.nth(1).wait_for()
        await dashboard.locator("#live-body tr").filter(has_text=name).get_by_role("link", name=name).click()
        await dashboard.locator(".anomalies-detail li").filter(has_text="Question 2").wait_for()
        assert await dashboard.locator(".anomalies-detail li").count() == 2
        assert errors == [], errors
    finally:
        await browser.close()


async def test_live_view_on_a_phone_with_filters(server, hr, playwright, tmp_path):
    """At 375 px the live view fits without sideways scrolling; the department filter narrows it at once;
    it speaks Chinese after a language switch."""
    jobs = {}
    for department in ("Support", "Finance"):
        jobs[department] = (await hr.post("/api/jobs", {
            "title": f"{department} lead", "department": department, "language": "en",
            "questions": [{"text": "Tell us about yourself.", "think_seconds": 60, "answer_seconds": 60}]}))["job"]
    invite = await hr.post("/api/interviews", {"job_id": jobs["Support"]["id"], "candidate_name": "Pat Phone",
                                               "candidate_email": "pat@example.com"})
    candidate = Candidate(await hr.session.ws_connect("/ws"))
    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    errors: list[str] = []
    try:
        await reach_first_question(candidate, invite["invite_url"].split("#", 1)[1])
        page = await (await browser.new_context(viewport={"width": 375, "height": 812})).new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        await sign_in(page, server)
        await page.wait_for_selector("#hr-nav:not([hidden])")
        await page.goto(f"{server.base_url}/hr#live")
        row = page.locator("#live-body tr").filter(has_text="Pat Phone")
        await row.filter(has_text="Question 1 of 1").wait_for()
        await row.locator(".quality-good, .quality-fair, .quality-poor").wait_for()  # samples every 2 s
        assert await page.evaluate("document.documentElement.scrollWidth") <= 375
        assert await row.evaluate("tr => getComputedStyle(tr).display") == "block"  # rows are cards on a phone
        await page.screenshot(path=str(tmp_path / "live-phone.png"), full_page=True)

        await page.locator("#view-live").get_by_label("Department").select_option("Finance")
        await row.wait_for(state="detached")
        await page.locator("#view-live").get_by_label("Department").select_option("")
        await row.wait_for()

        await page.select_option("#lang", "zh")
        await page.get_by_role("heading", name="实时").wait_for()
        await row.filter(has_text="第 1 题，共 1 题").wait_for()
        assert await page.evaluate("document.documentElement.scrollWidth") <= 375
        await page.screenshot(path=str(tmp_path / "live-phone-zh.png"), full_page=True)
        assert errors == [], errors
    finally:
        await candidate.close()
        await browser.close()
