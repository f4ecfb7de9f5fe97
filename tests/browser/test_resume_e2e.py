"""Resuming in the browser: the network cut mid-answer, a reload, a second tab, a grace period
that runs out — headless Chromium against the real server and model."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest
from accuracy import word_error_rate
from harness import CHROMIUM, CHROMIUM_ARGS, HrClient, ServerProcess, build_microphone_wav, speech_manifest
from recording_files import decrypt_parts, media_seconds

pytestmark = pytest.mark.browser

LEAD_SILENCE = 6.0  # consent → device check → WebRTC → practice answer start happen in here
GAP = 4.0
BEFORE, AFTER = "q1_lead_deadline_weak", "q3_outage_weak"  # spoken before and after the cut
CUT_AFTER_CLIP = 0.5
OUTAGE = 8.0  # longer than either side's 5 s heartbeat limit: both notice the drop
BACK_MARGIN = 5.0  # after the network returns: reconnect, new peer connection, audio flowing


async def create_interview(hr, title: str, questions: int = 1) -> dict:
    job = (await hr.post("/api/jobs", {"title": title, "department": "Engineering", "language": "en", "questions": [
        {"text": f"Question {n + 1}: tell us about a project.", "think_seconds": 60, "answer_seconds": 120}
        for n in range(questions)]}))["job"]
    return await hr.post("/api/interviews", {"job_id": job["id"], "candidate_name": f"Riley {title}",
                                             "candidate_email": f"{title.lower().replace(' ', '.')}@example.com"})


async def open_browser(playwright, wav=None):
    args = [*CHROMIUM_ARGS, f"--use-file-for-fake-audio-capture={wav}%noloop"] if wav else CHROMIUM_ARGS
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=args)


async def reach_question(page, invite_url: str) -> float:
    """Consent, device check, practice (finished at once), begin: question 1 thinking. Returns the
    monotonic time at which the fake microphone started playing its file."""
    await page.goto(invite_url)
    await page.click("#accept")
    await page.wait_for_selector("body[data-media=ready]", state="attached")
    t0 = time.monotonic()
    await page.click("#device-continue")
    await page.click("#start-answer:enabled", timeout=20_000)
    await page.click("#finish-answer")
    await page.click("#begin")
    await page.wait_for_selector("#question-label:has-text('1')")
    return t0


async def until(t0: float, seconds: float, what: str) -> None:
    late = time.monotonic() - t0 - seconds
    assert late < 0, f"{what}: {late:.1f} s later than planned; the machine is too slow for this plan"
    await asyncio.sleep(-late)


async def wait_for(predicate, what: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while True:
        value = await predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.5)


async def test_network_cut_mid_answer_resumes_the_same_answer(server, hr, playwright, tmp_path):
    """Offline for 8 s in the middle of an answer: the page says it is reconnecting, comes back to
    the same answer by itself, and the stored answer holds the words from before and after the cut
    on one timeline, in two recording parts that both decrypt and decode; HR sees one interruption."""
    manifest = speech_manifest()
    wav = tmp_path / "mic.wav"
    first, second = build_microphone_wav(wav, [
        LEAD_SILENCE + 8.0, BEFORE, CUT_AFTER_CLIP + OUTAGE + BACK_MARGIN, AFTER, GAP])
    invite = await create_interview(hr, "Network Cut")
    browser = await open_browser(playwright, wav)
    try:
        context = await browser.new_context(viewport={"width": 1000, "height": 900})
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        t0 = await reach_question(page, invite["invite_url"])
        await until(t0, first.start - 1.0, "starting the answer")
        await page.click("#start-answer:enabled")

        await until(t0, first.end + CUT_AFTER_CLIP, "cutting the network")
        await context.set_offline(True)
        cut_at = time.monotonic()
        await page.wait_for_selector("body[data-connection=reconnecting]", state="attached", timeout=10_000)
        noticed = time.monotonic() - cut_at
        banner = await page.text_content("#connection-banner")
        assert "reconnecting" in banner and "answer is paused" in banner, banner
        await page.screenshot(path=str(tmp_path / "reconnecting.png"))
        assert await page.is_visible("#finish-answer") and await page.is_disabled("#finish-answer")
        await asyncio.sleep(max(0.0, cut_at + OUTAGE - time.monotonic()))
        await context.set_offline(False)
        restored_at = time.monotonic()
        await page.wait_for_selector("body[data-audio=flowing]", state="attached", timeout=15_000)
        back_after = time.monotonic() - restored_at
        print(f"drop noticed after {noticed:.1f} s; audio flowing {back_after:.2f} s after the network returned")
        assert await page.is_hidden("#connection-banner")
        assert "1" in await page.text_content("#question-label")
        assert await page.is_visible("#finish-answer") and await page.is_enabled("#finish-answer")
        await until(t0, second.start, "audio flowing again before the second clip")

        await until(t0, second.end + 1.0, "finishing the answer")
        await page.click("#finish-answer")
        await page.wait_for_selector("#screen-done:visible")
        assert errors == [], errors
    finally:
        await browser.close()

    interview_id = invite["interview"]["id"]

    async def scored():
        detail = await hr.get(f"/api/interviews/{interview_id}")
        return detail if detail["answers"] and detail["answers"][0]["status"] == "scored" else None

    detail = await wait_for(scored, "the answer to be scored")
    (answer,) = detail["answers"]
    reference = f"{manifest[BEFORE]['text']} {manifest[AFTER]['text']}"
    wer = word_error_rate(reference, answer["transcript"])
    print(f"transcript (WER {wer:.3f}): {answer['transcript']}")
    assert wer <= 0.2, f"WER {wer:.3f}: words were lost around the cut:\n{answer['transcript']}"
    assert not answer["cut_short"]

    (interruption,) = detail["interruptions"]
    assert interruption["outcome"] == "resumed" and interruption["question"] == 0
    assert interruption["phase"] == "answering" and interruption["offline_seconds"] > 1.0

    parts = await asyncio.to_thread(decrypt_parts, server.data_dir)
    assert [p.part for p in parts] == [1, 2] and all(p.status == "final" for p in parts)
    resumed_at = parts[1].answer_offset_seconds
    starts = [w["s"] for w in answer["words"]]
    assert starts == sorted(starts), "word timestamps are on one answer timeline"
    assert sum(s < resumed_at for s in starts) >= 15 and sum(s > resumed_at for s in starts) >= 15, (
        f"words before and after the resume at {resumed_at:.1f} s: {starts}")
    for part in parts:
        seconds = await asyncio.to_thread(media_seconds, part.webm)
        assert seconds["audio"] > 5 and seconds["video"] > 5, (part.part, seconds)


async def test_reload_mid_answer_resumes_with_the_time_used_kept(server, hr, playwright, tmp_path):
    """A reload while answering: the same answer continues, its clock where it was."""
    invite = await create_interview(hr, "Reload")
    browser = await open_browser(playwright)
    try:
        page = await browser.new_page(viewport={"width": 1000, "height": 900})
        await reach_question(page, invite["invite_url"])
        await page.click("#start-answer:enabled")
        await asyncio.sleep(4.0)
        await page.reload()
        await page.wait_for_selector("#finish-answer:visible", timeout=20_000)
        await page.wait_for_selector("body[data-audio=flowing]", state="attached", timeout=15_000)
        clock = await page.text_content("#clock")  # "used / limit"
        used = int(clock.split("/")[0].strip().split(":")[1])
        assert 3 <= used <= 12, f"the answer clock after the reload: {clock}"
        await page.click("#finish-answer")
        await page.wait_for_selector("#screen-done:visible")
    finally:
        await browser.close()
    detail = await hr.get(f"/api/interviews/{invite['interview']['id']}")
    assert [i["outcome"] for i in detail["interruptions"]] == ["resumed"]
    assert detail["interview"]["status"] == "completed"


async def test_a_second_tab_takes_over_and_the_first_stays_quiet(server, hr, playwright):
    """The interview opened in a second tab: the first says so and does not fight back."""
    invite = await create_interview(hr, "Two Tabs")
    browser = await open_browser(playwright)
    try:
        context = await browser.new_context(viewport={"width": 1000, "height": 900})
        first = await context.new_page()
        await reach_question(first, invite["invite_url"])
        second = await context.new_page()
        await second.goto(invite["invite_url"])
        await second.wait_for_selector("#question-label:has-text('1')")
        await first.wait_for_selector("#screen-error:visible", timeout=10_000)
        assert "another window" in await first.text_content("#error-text")
        await asyncio.sleep(8.0)  # longer than any retry: the first tab must not take it back
        assert await first.is_visible("#screen-error")
        assert await second.is_visible("#screen-question")
        await second.wait_for_selector("body[data-audio=flowing]", state="attached", timeout=15_000)
        await second.click("#start-answer:enabled")
        await second.click("#finish-answer")
        await second.wait_for_selector("#screen-done:visible")
    finally:
        await browser.close()


@pytest.fixture(scope="module")
def short_grace_server(tmp_path_factory):
    proc = ServerProcess(tmp_path_factory.mktemp("grace") / "data",
                         extra_env={"INTERVOX_RESUME_GRACE_SECONDS": "3"})
    yield proc
    proc.stop()
    assert "Traceback" not in proc.log(), proc.log()


async def test_grace_expiry_interrupts_then_hr_reopens_and_the_candidate_finishes(short_grace_server, playwright,
                                                                               tmp_path):
    """Offline past the grace period: the page says the interview was paused and to contact HR;
    HR reopens it; the same link goes on with the next question and the candidate finishes."""
    hr = HrClient(short_grace_server)
    await hr.login()
    browser = await open_browser(playwright)
    try:
        invite = await create_interview(hr, "Grace", questions=2)
        context = await browser.new_context(viewport={"width": 390, "height": 844})
        page = await context.new_page()
        await reach_question(page, invite["invite_url"])
        await page.click("#start-answer:enabled")
        await asyncio.sleep(2.0)
        await context.set_offline(True)
        interview_id = invite["interview"]["id"]

        async def interrupted():
            return (await hr.get(f"/api/interviews/{interview_id}"))["interview"]["status"] == "interrupted"

        await wait_for(interrupted, "the grace period to run out", timeout=30)
        await context.set_offline(False)
        await page.wait_for_selector("#screen-stopped:visible", timeout=20_000)
        assert "hiring team" in await page.text_content("#stopped-text")
        await page.screenshot(path=str(tmp_path / "interrupted-phone.png"))

        reopened = await hr.post(f"/api/interviews/{interview_id}/reopen", {})
        assert reopened["interview"]["status"] == "disconnected"
        await page.reload()
        await page.wait_for_selector("#question-label:has-text('2')", timeout=20_000)
        await page.click("#start-answer:enabled", timeout=20_000)
        await page.click("#finish-answer")
        await page.wait_for_selector("#screen-done:visible")

        async def both_answers_stored():
            detail = await hr.get(f"/api/interviews/{interview_id}")
            return detail if len(detail["answers"]) == 2 else None

        detail = await wait_for(both_answers_stored, "both answers to be stored")
        assert detail["interview"]["status"] == "completed"
        assert [i["outcome"] for i in detail["interruptions"]][:1] == ["interrupted"]
        assert [a["cut_short"] for a in detail["answers"]] == [True, False]
    finally:
        await browser.close()
        with contextlib.suppress(Exception):
            await hr.close()


async def test_retry_schedule_backs_off_with_jitter_and_try_now_works(server, hr, playwright):
    """The server unreachable from the first moment: the page says it is reconnecting, keeps trying
    with growing delays, and "Try again now" tries at once. Then the server comes back."""
    invite = await create_interview(hr, "Backoff")
    browser = await open_browser(playwright)
    try:
        page = await browser.new_page()
        await page.goto(f"{server.base_url}/static/candidate.html")  # the page's origin, for the import
        delays = await page.evaluate("""async () => {
            const { retryDelay } = await import("/static/candidate-connection.js");
            return [0, 1, 2, 3, 4, 5, 9].map((n) => [retryDelay(n, () => 0), retryDelay(n, () => 1)]);
        }""")
        assert delays == [[0, 0], [240, 360], [960, 1440], [2160, 3240], [3840, 5760], [5600, 8400], [5600, 8400]]

        attempts: list[float] = []
        refusing = True

        async def handle(ws):
            attempts.append(time.monotonic())
            if refusing:
                await ws.close(code=1011, reason="test: refused")
            else:
                ws.connect_to_server()

        await page.route_web_socket("**/ws", handle)
        await page.goto(invite["invite_url"])
        await page.wait_for_selector("#connection-banner:visible")

        async def five_attempts() -> bool:
            return len(attempts) >= 5

        await wait_for(five_attempts, "five attempts", timeout=15)
        gaps = [b - a for a, b in zip(attempts, attempts[1:], strict=False)]
        assert gaps[:4] == sorted(gaps[:4]) and gaps[3] > 2.0, f"the delays must grow: {gaps}"
        assert "Trying again in" in await page.text_content("#banner-detail")
        before = len(attempts)
        refusing = False
        await page.click("#banner-retry")
        await page.wait_for_selector("#screen-consent:visible", timeout=5_000)
        assert len(attempts) == before + 1, "Try again now connects at once"
        assert await page.is_hidden("#connection-banner")
    finally:
        await browser.close()
