"""The HR live dashboard's WebSocket against the real app: a candidate takes an interview (real
aiortc peer connection, fake recognizer) while HR watches counts, questions, captions, scores,
connection quality, interruptions and anomalies arrive."""

from __future__ import annotations

import pytest
from fakes import FakeRecognizer
from hrwatch import add_staff
from wsclient import make_interview, open_candidate, reach_first_question

from signaling.app import create_app
from signaling.config import Settings
from signaling.dashboard_store import COUNT_KEYS
from signaling.keys import STORE
from signaling.records import Role


@pytest.fixture
async def client(aiohttp_client, tmp_path):
    app = create_app(Settings(data_dir=tmp_path / "data"), recognizer=FakeRecognizer())
    return await aiohttp_client(app)




async def test_hr_follows_an_interview_live(client):
    """Counts, question change, caption, quality, score and a short-answer anomaly reach the socket as they
    happen; a dashboard opened later gets all of it in its snapshot; a dropped connection shows at once."""
    hr = await add_staff(client, "hr@example.com", Role.HR)
    token = await make_interview(client.server.app, questions=2, department="Engineering")
    watcher = await hr.watch()
    snapshot = await watcher.subscribe()
    assert set(snapshot["counts"]) == set(COUNT_KEYS)
    assert snapshot["counts"]["invited"] == 1 and sum(snapshot["counts"].values()) == 1
    assert snapshot["interviews"] == [] and snapshot["anomalies"] == []
    assert [job["department"] for job in snapshot["jobs"]] == ["Engineering"]

    candidate = await open_candidate(client)
    await reach_first_question(candidate, token)
    counts = await watcher.expect("counts", lambda m: m["counts"]["in_progress"] == 1)
    assert counts["counts"]["invited"] == 0 and counts["counts"]["opened"] == 0
    row = await watcher.patch(lambda p: p.get("question") == 0 and p.get("phase") == "thinking")
    assert (row["candidate_name"], row["question_count"], row["status"]) == ("Tess", 2, "in_progress")
    assert row["department"] == "Engineering" and row["language"] == "en" and "candidate_email" not in row

    candidate.rtt_ms = 42.0  # what the page measured on its ICE candidate pair
    mark = len(watcher.inbox)
    await candidate.send("answer.start", question=0)
    await watcher.patch(lambda p: p.get("phase") == "answering", after=mark)
    candidate.tone.speaking = True
    caption = await watcher.patch(lambda p: bool(p.get("caption")), after=mark)
    assert caption["caption"]["question"] == 0 and caption["caption"]["text"].startswith("word0")
    quality = await watcher.patch(lambda p: bool(p.get("quality")) and p["quality"]["grade"] != "measuring",
                                  after=mark)
    assert quality["quality"]["kbps"] > 0 and quality["quality"]["loss"] is not None
    quality = await watcher.patch(lambda p: (p.get("quality") or {}).get("rtt_ms") == 42.0, after=mark)
    await candidate.send("answer.finish", question=0)
    await watcher.patch(lambda p: p.get("question") == 1 and p.get("phase") == "thinking", after=mark)
    scored = await watcher.patch(lambda p: "answer" in p, after=mark)
    assert scored["answer"]["question"] == 0 and scored["answer"]["status"] == "scored"
    assert isinstance(scored["answer"]["score"], int)
    anomaly = (await watcher.expect("anomaly", lambda m: m["anomaly"]["kind"] == "short_answer"))["anomaly"]
    assert anomaly["interview"]["id"] == row["id"] and anomaly["question"] == 0
    assert anomaly["detail"]["allowed_seconds"] == 60 and anomaly["detail"]["spoke_seconds"] < 12

    late = await hr.watch()
    (live,) = (await late.subscribe())["interviews"]
    assert (live["id"], live["question"], live["phase"], live["status"]) == (row["id"], 1, "thinking", "in_progress")
    assert live["answers"] == [{"question": 0, "score": scored["answer"]["score"], "status": "scored"}]
    assert live["quality"]["grade"] in ("good", "fair", "poor") and live["started_at"]
    captions = [m["interview"]["caption"] for m in watcher.of("interview") if m["interview"].get("caption")]
    assert live["caption"] == captions[-1]  # the latest caption of the answer
    await late.close()

    mark = len(watcher.inbox)
    await candidate.close()  # the connection drops
    await watcher.patch(lambda p: p.get("status") == "disconnected" and p.get("away") is True, after=mark)
    await watcher.patch(lambda p: p.get("interruptions") == 1, after=mark)
    dropped = await watcher.expect("anomaly", lambda m: m["anomaly"]["kind"] == "interruption", after=mark)
    assert dropped["anomaly"]["question"] == 1 and dropped["anomaly"]["detail"]["phase"] == "thinking"
    await watcher.expect("counts", lambda m: m["counts"]["disconnected"] == 1, after=mark)
    await watcher.close()
    await hr.close()


async def test_three_drops_are_repeated_reconnects(client):
    """The third interruption of one interview raises `repeated_reconnects`, once; each drop is an anomaly."""
    hr = await add_staff(client, "hr@example.com", Role.HR)
    token = await make_interview(client.server.app, department="Engineering")
    watcher = await hr.watch()
    await watcher.subscribe()
    candidate = await open_candidate(client)
    await reach_first_question(candidate, token)
    await candidate.close()
    for count in (2, 3, 4):
        await watcher.patch(lambda p, n=count - 1: p.get("interruptions") == n)
        mark = len(watcher.inbox)
        again = await open_candidate(client)
        await again.hello(token)  # back: the interruption ends
        await watcher.patch(lambda p: p.get("status") == "in_progress" and p.get("away") is False, after=mark)
        await again.close()
    await watcher.patch(lambda p: p.get("interruptions") == 4)
    await watcher.expect("anomaly", lambda m: m["anomaly"]["kind"] == "repeated_reconnects")
    seen = 0
    for _ in range(4):  # each drop's anomaly is published once it is stored
        found = await watcher.expect("anomaly", lambda m: m["anomaly"]["kind"] == "interruption", after=seen)
        seen = watcher.inbox.index(found) + 1
    store = client.server.app[STORE]
    rows = await store.all("SELECT kind, count(*) AS n FROM anomalies GROUP BY kind ORDER BY kind")
    assert {r["kind"]: r["n"] for r in rows} == {"interruption": 4, "repeated_reconnects": 1}
    await watcher.close()
    await hr.close()


async def test_silence_while_answering_and_a_failed_device_check(client):
    """15 s of silence during an answer and a failed microphone check are stored and shown live."""
    hr = await add_staff(client, "hr@example.com", Role.HR)
    token = await make_interview(client.server.app, department="Engineering", answer=60)
    watcher = await hr.watch()
    await watcher.subscribe()
    candidate = await open_candidate(client)
    await candidate.hello(token)
    await candidate.send("consent", accept=True)
    await candidate.send("device.result", camera=True, microphone=False, problem="NotAllowedError")
    device = await watcher.expect("anomaly", lambda m: m["anomaly"]["kind"] == "device_check_failed")
    assert device["anomaly"]["detail"] == {"camera": True, "microphone": False, "problem": "NotAllowedError"}
    await candidate.send("device.result", camera=True, microphone=False, problem="NotAllowedError")
    await candidate.close()
    candidate = await open_candidate(client)
    await reach_first_question(candidate, token)
    await candidate.send("answer.start", question=0)
    await candidate.expect("state", phase="answering")
    silence = await watcher.expect("anomaly", lambda m: m["anomaly"]["kind"] == "long_silence", timeout=40)
    assert silence["anomaly"]["question"] == 0 and silence["anomaly"]["detail"] == {"seconds": 15.0}
    kinds = [m["anomaly"]["kind"] for m in watcher.of("anomaly")]
    assert kinds.count("device_check_failed") == 1  # the second failure is the same problem, not a new one
    await candidate.close()
    await watcher.close()
    await hr.close()
