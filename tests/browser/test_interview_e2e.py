"""A candidate takes a whole interview in headless Chromium against the real server and model."""

from __future__ import annotations

import asyncio
import time

import pytest
from accuracy import corpus_word_error_rate, word_error_rate
from harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    build_microphone_wav,
    questions_file,
    rubric_for,
    sign_in,
    speech_manifest,
)

pytestmark = pytest.mark.browser

LEAD_SILENCE = 6.0  # consent → device check → WebRTC → practice answer start happen in here
GAP = 4.0  # silence between clips; every click that moves between answers happens inside a gap


async def create_job(hr, title: str) -> dict:
    q1, q3 = questions_file()[0], questions_file()[2]
    body = {
        "title": title, "department": "Engineering", "language": "en",
        "questions": [
            {"text": q1["text"], "think_seconds": 60, "answer_seconds": 90, "rubric": rubric_for(q1)},
            {"text": q3["text"], "think_seconds": 60, "answer_seconds": 90},  # scored without a rubric
        ],
    }
    return (await hr.post("/api/jobs", body))["job"]


async def take_interview(playwright, invite_url: str, wav, clips: list[str], shots) -> str:
    """Walk consent → device check → practice → every question, clicking in the silent gaps."""
    plan: list = [LEAD_SILENCE, "practice_mic_check"]
    for clip in clips:
        plan += [GAP, clip]
    plan.append(GAP)
    segments = build_microphone_wav(wav, plan)
    browser = await playwright.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, f"--use-file-for-fake-audio-capture={wav}%noloop"]
    )
    try:
        page = await browser.new_page(viewport={"width": 1000, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        await page.goto(invite_url)
        await page.click("#accept")
        # The fake microphone starts playing the WAV when the page opens it.
        await page.wait_for_selector("body[data-media=ready]", state="attached")
        t0 = time.monotonic()

        async def until(seconds: float) -> None:
            await asyncio.sleep(max(0.0, t0 + seconds - time.monotonic()))

        def must_be_before(seconds: float, what: str) -> None:
            late = time.monotonic() - t0 - seconds
            assert late < 0, f"{what} happened {late:.1f} s after the clip began; the machine is too slow for this plan"

        await page.click("#device-continue")
        await page.click("#start-answer:enabled", timeout=20_000)
        practice = segments[0]
        must_be_before(practice.start, "starting the practice answer")
        await until(practice.end + GAP / 2)
        await page.click("#finish-answer")
        await page.wait_for_selector("#begin:visible")
        await page.click("#begin")
        for index, segment in enumerate(segments[1:]):
            await page.wait_for_selector(f"#question-label:has-text('{index + 1}')")
            await page.click("#start-answer:enabled")
            must_be_before(segment.start, f"starting answer {index + 1}")
            await until(segment.end - 3)
            caption = await page.text_content("#caption")
            assert caption and caption.strip(), f"no live caption while answering question {index + 1}"
            if index == 0:
                await shots(page, "answering")
            await until(segment.end + GAP / 2)
            await page.click("#finish-answer")
        await page.wait_for_selector("#screen-done:visible")
        assert errors == [], errors
        return await page.text_content("#practice-heard")
    finally:
        await browser.close()


async def wait_for_answers(hr, interview_id: str, count: int, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        detail = await hr.get(f"/api/interviews/{interview_id}")
        if len(detail["answers"]) >= count or time.monotonic() > deadline:
            return detail
        await asyncio.sleep(0.5)


async def test_strong_answers_transcribed_and_outscore_weak(server, hr, playwright, tmp_path):
    """Two candidates (strong and weak answers) complete the interview; transcripts and scores hold up."""
    job = await create_job(hr, "Backend Engineer")
    manifest = speech_manifest()
    results = {}
    references, hypotheses = [], []

    async def shots(page, name):
        await page.screenshot(path=str(tmp_path / f"{name}.png"))

    for quality in ("strong", "weak"):
        invite = await hr.post("/api/interviews", {"job_id": job["id"], "candidate_name": f"Casey {quality}",
                                                   "candidate_email": f"{quality}@example.com"})
        clips = [f"q1_lead_deadline_{quality}", f"q3_outage_{quality}"]
        heard = await take_interview(playwright, invite["invite_url"], tmp_path / f"{quality}.wav", clips, shots)
        assert "microphone" in heard.lower(), f"the practice answer was not shown back: {heard!r}"
        detail = await wait_for_answers(hr, invite["interview"]["id"], 2)
        assert detail["interview"]["status"] == "completed"
        answers = detail["answers"]
        assert [a["question"]["position"] for a in answers] == [0, 1], "practice must not be stored"
        for answer, clip in zip(answers, clips, strict=True):
            references.append(manifest[clip]["text"])
            hypotheses.append(answer["transcript"])
            print(f"{clip}: WER {word_error_rate(references[-1], hypotheses[-1]):.3f} score {answer['score']}")
            assert answer["status"] == "scored" and answer["words"], clip
            assert answer["explanation"]["components"], clip
        results[quality] = answers

    # WER of the stored transcripts as a set (errors over reference words, the usual definition);
    # a single short clip swings by 4 points per word and is printed above for the record.
    wer = corpus_word_error_rate(references, hypotheses)
    assert wer <= 0.15, f"WER {wer:.3f} over the stored transcripts:\n" + "\n".join(hypotheses)

    for position in (0, 1):
        strong = results["strong"][position]["score"]
        weak = results["weak"][position]["score"]
        assert strong >= weak + 15, f"question {position + 1}: strong {strong} vs weak {weak}"

    # HR reads the results in the dashboard.
    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        page = await browser.new_page(viewport={"width": 1280, "height": 900})
        await sign_in(page, server)
        row = page.get_by_role("row").filter(has_text="strong@example.com")
        await row.get_by_role("link", name="Casey strong").click()
        first = results["strong"][0]
        await page.get_by_text(f"{first['score']} / 100").first.wait_for()
        assert first["transcript"][:40] in await page.text_content("#detail-body")
        await page.screenshot(path=str(tmp_path / "hr-detail.png"), full_page=True)
    finally:
        await browser.close()


async def test_decline_is_recorded(server, hr, playwright):
    """Declining shows the candidate their application continues, and HR sees the decline."""
    job = await create_job(hr, "Decline path")
    invite = await hr.post("/api/interviews", {"job_id": job["id"], "candidate_name": "Dana Decline",
                                               "candidate_email": "dana@example.com"})
    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        page = await browser.new_page()
        await page.goto(invite["invite_url"])
        await page.click("#decline")
        await page.wait_for_selector("#screen-declined:visible")
        assert "without the AI interview" in await page.text_content("#screen-declined")
        await page.reload()  # the decision sticks: the link now only shows the declined page
        await page.wait_for_selector("#screen-declined:visible")
    finally:
        await browser.close()
    detail = await hr.get(f"/api/interviews/{invite['interview']['id']}")
    assert detail["interview"]["status"] == "declined"
    assert detail["interview"]["declined_at"]
    assert detail["answers"] == []
