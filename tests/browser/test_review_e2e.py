"""A reviewer replays a recorded interview in headless Chromium against the real server and model."""

from __future__ import annotations

import asyncio
import time
import wave

import numpy as np
import pytest
from harness import CHROMIUM, CHROMIUM_ARGS, SPEECH, questions_file, rubric_for, speech_manifest
from wsclient import Candidate, ClipTrack, reach_first_question

from signaling.totp import code_at

pytestmark = pytest.mark.browser

CLIPS = ["q4_motivation_strong", "q2_disagreement_weak"]  # 26 s (room for +10 s) and 8 s
LEAD_SILENCE = 0.5  # before each answer's speech, so the first word does not start at 0


def read_clip(clip_id: str) -> np.ndarray:
    with wave.open(str(SPEECH / speech_manifest()[clip_id]["file"])) as w:
        return np.frombuffer(w.readframes(w.getnframes()), np.int16)


async def record_interview(hr) -> str:
    """A job in Engineering, an invitation, and two answers sent over WebRTC; returns the interview id."""
    questions = {q["id"]: q for q in questions_file()}
    job = (await hr.post("/api/jobs", {
        "title": "Replay Engineer", "department": "Engineering", "language": "en",
        "questions": [
            {"text": questions["q4"]["text"], "think_seconds": 60, "answer_seconds": 90,
             "rubric": rubric_for(questions["q4"])},
            {"text": questions["q2"]["text"], "think_seconds": 60, "answer_seconds": 90},
        ],
    }))["job"]
    invite = await hr.post("/api/interviews", {"job_id": job["id"], "candidate_name": "Ada Answer",
                                               "candidate_email": "ada@example.com"})
    candidate = Candidate(await hr.session.ws_connect("/ws"))
    try:
        track = ClipTrack()
        await reach_first_question(candidate, invite["invite_url"].split("#", 1)[1], track)
        silence = np.zeros(int(LEAD_SILENCE * ClipTrack.RATE), np.int16)
        for index, clip in enumerate(CLIPS):
            await candidate.send("answer.start", question=index)
            await candidate.expect("state", phase="answering")
            await asyncio.sleep(track.play(np.concatenate([silence, read_clip(clip)])) + 0.3)
            await candidate.send("answer.finish", question=index)
            if index + 1 < len(CLIPS):
                await candidate.expect("state", phase="thinking")
        await candidate.expect("answer.saved", question=len(CLIPS) - 1, timeout=120)
    finally:
        await candidate.close()
    return invite["interview"]["id"]


async def video_state(page) -> dict:
    """The player's time and the highlighted word, read at one instant."""
    return await page.evaluate("""() => {
        const video = document.querySelector('.answer-video');
        const word = document.querySelector('.word[aria-current]');
        return { time: video.currentTime, paused: video.paused, rate: video.playbackRate,
                 word: word ? Number(word.dataset.i) : null };
    }""")


async def until(page, predicate, what: str, timeout: float = 15.0) -> dict:
    """Poll the player (page.wait_for_function is blocked by the page's CSP)."""
    deadline = time.monotonic() + timeout
    while True:
        state = await video_state(page)
        if predicate(state):
            return state
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s; last state {state}")
        await asyncio.sleep(0.1)


def word_containing(words: list[dict], t: float) -> int:
    """The index of the word whose [s, e] contains `t`, else of the last word started before it."""
    started = [i for i, w in enumerate(words) if w["s"] <= t]
    for i in started[::-1]:
        if words[i]["s"] <= t <= words[i]["e"]:
            return i
    return started[-1] if started else 0


async def test_reviewer_enrols_replays_seeks_and_rates(server, hr, playwright, tmp_path):
    """A reviewer enrols TOTP, steps up, plays and seeks an answer by its words, and the rating reaches HR."""
    interview_id = await record_interview(hr)
    detail = await hr.get(f"/api/interviews/{interview_id}")
    first = detail["answers"][0]
    words = sorted(first["words"], key=lambda w: w["s"])
    assert first["status"] == "scored" and len(words) > 20 and first["recording"]["parts"] == 1
    password = "riley reviews recordings"
    await hr.add_staff("riley@example.com", "Riley Reviewer", "reviewer", ["Engineering"], password)

    browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        page = await browser.new_page(viewport={"width": 1280, "height": 800})
        problems: list[str] = []
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)

        async def sign_in() -> None:
            await page.goto(f"{server.base_url}/review")
            await page.wait_for_url("**/login?next=*")
            await page.get_by_label("E-mail").fill("riley@example.com")
            await page.get_by_label("Password").fill(password)
            await page.get_by_role("button", name="Sign in").click()

        # First visit: set up two-step verification with the key shown on the page.
        await sign_in()
        key = page.locator("#totp-key")
        await page.wait_for_selector("#totp-key:not(:empty)")
        secret = (await key.text_content()).replace(" ", "")
        assert await page.locator("#enrol-qr svg path").count() >= 1, "the QR code is not shown"
        step = int(time.time()) // 30
        enrol = page.locator("#view-enrol")
        await enrol.get_by_label("6-digit code").fill(code_at(secret, step))
        await enrol.get_by_role("button", name="Turn on two-step verification").click()
        await page.get_by_role("heading", name="Interviews to review").wait_for()

        # A new session has to step up with a fresh code (each code works once).
        await page.get_by_role("button", name="Log out").click()
        await page.wait_for_url("**/login*")
        await sign_in()
        await page.get_by_role("heading", name="Confirm it is you").wait_for()
        step_up = page.locator("#view-stepup")
        await step_up.get_by_label("6-digit code").fill(code_at(secret, step + 1))
        await step_up.get_by_role("button", name="Confirm").click()
        await page.get_by_text("Recordings are open for").wait_for()

        await page.get_by_role("link", name="Ada Answer").click()
        await page.wait_for_url(f"**/review#interview/{interview_id}")
        await page.get_by_role("heading", name="Ada Answer").wait_for()

        # Play: the time advances.
        await page.get_by_role("button", name="Play").click()
        playing = await until(page, lambda s: not s["paused"] and s["time"] > 1.0, "playback starting")
        assert playing["time"] > 1.0

        # A word from the first third: clicking it plays from its start, and it is the one marked.
        target = next(i for i, w in enumerate(words) if w["s"] >= 3.0)
        await page.locator(f'.word[data-i="{target}"]').click()
        jumped = await until(page, lambda s: s["time"] >= words[target]["s"] - 0.1 and s["word"] is not None,
                             "seeking to the clicked word")
        assert jumped["time"] - words[target]["s"] < 1.0, (jumped, words[target])
        await asyncio.sleep(0.6)
        state = await video_state(page)
        assert state["word"] is not None, "no word is highlighted while playing"
        expected = word_containing(words, state["time"])
        assert abs(state["word"] - expected) <= 1, (state, words[expected], words[state["word"]])

        # Speed, then +10 s while paused.
        await page.get_by_label("Speed").select_option("1.5")
        assert (await video_state(page))["rate"] == 1.5
        await page.get_by_role("button", name="Pause").click()
        before = await until(page, lambda s: s["paused"], "pausing")
        await page.get_by_role("button", name="Forward 10 seconds").click()
        after = await until(page, lambda s: s["time"] > before["time"] + 5, "skipping 10 s")
        assert abs(after["time"] - before["time"] - 10) < 0.3, (before, after)
        assert (await video_state(page))["rate"] == 1.5, "the speed must survive a seek"

        # The rating and note are saved and shown as saved.
        await page.get_by_role("radio", name="4 Good").check()
        await page.get_by_label("Note (optional)").fill("Knows the product; could be more specific.")
        await page.get_by_role("button", name="Save rating").click()
        await page.get_by_text("Saved at").wait_for()
        await page.get_by_role("tab", name="Question 1").get_by_text("Your rating: 4/5").wait_for()

        # The arrow keys move to the next question, which the address names.
        await page.get_by_role("tab", name="Question 1").press("ArrowRight")
        await page.wait_for_url(f"**/review#interview/{interview_id}/2")
        await page.get_by_role("heading", name="Question 2").wait_for()
        await page.screenshot(path=str(tmp_path / "review-question-2.png"), full_page=True)
        assert problems == [], problems
    finally:
        await browser.close()

    # HR sees the rating on the interview.
    detail = await hr.get(f"/api/interviews/{interview_id}")
    (review,) = detail["answers"][0]["reviews"]
    assert review["reviewer"] == "Riley Reviewer"
    assert review["rating"] == 4 and review["note"] == "Knows the product; could be more specific."
    assert detail["answers"][1]["reviews"] == []
