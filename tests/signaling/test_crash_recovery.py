"""A server killed with SIGKILL in the middle of an answer: the recording is repaired at restart,
and no plaintext media ever reaches the disk (the real server, the real model, a real peer)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from harness import HrClient, ServerProcess
from recording_files import decrypt_parts, media_seconds
from wsclient import Candidate, reach_first_question

# What plaintext media looks like: the EBML/WebM magic, Opus headers, a VP8 key frame header of
# the test's 640×480 video. None of it may appear in any file under the data directory.
PLAINTEXT_MARKERS = (b"\x1a\x45\xdf\xa3", b"OpusHead", b"OpusTags", b"\x9d\x01\x2a\x80\x02\xe0\x01")


def plaintext_found(data_dir: Path) -> list[str]:
    hits = []
    for path in data_dir.rglob("*"):
        if path.is_file() and path.suffix not in (".bin", ".json", ".txt"):  # the speech model's files
            content = path.read_bytes()
            hits += [f"{path.relative_to(data_dir)}: {marker!r}" for marker in PLAINTEXT_MARKERS if marker in content]
    return hits


@pytest.mark.timeout(300)
async def test_kill_during_an_answer_then_restart_repairs_the_part(tmp_path):
    """SIGKILL mid-answer; after restart the part is `recovered_truncated`, decodes with PyAV and holds
    all but at most the last 2 seconds; the data dir never holds plaintext media."""
    data_dir = tmp_path / "data"
    server = ServerProcess(data_dir)
    admin = (server.admin_email, server.admin_password)
    try:
        hr = HrClient(server)
        await hr.login()
        job = (await hr.post("/api/jobs", {"title": "Crash", "department": "QA", "language": "en", "questions": [
            {"text": "Tell us about yourself.", "think_seconds": 30, "answer_seconds": 120}]}))["job"]
        invite = await hr.post("/api/interviews", {"job_id": job["id"], "candidate_name": "Kim",
                                                   "candidate_email": "kim@example.com"})
        candidate = Candidate(await hr.session.ws_connect("/ws"))
        candidate.camera = True
        await reach_first_question(candidate, invite["invite_url"].split("#")[1])
        await candidate.send("answer.start", question=0)
        await candidate.expect("state", phase="answering")
        started = time.monotonic()
        candidate.tone.speaking = True
        await asyncio.sleep(4.0)
        assert plaintext_found(data_dir) == [], "plaintext on disk while recording"
        await asyncio.sleep(3.0)
        server.kill()
        recorded_for = time.monotonic() - started
        await candidate.close()
        await hr.close()
    finally:
        if server.proc.poll() is None:
            server.stop()

    restarted = ServerProcess(data_dir, admin=admin)  # repairs unfinished parts before it listens
    try:
        (part,) = await asyncio.to_thread(decrypt_parts, data_dir)
        assert part.status == "recovered_truncated"
        assert part.duration_seconds and part.duration_seconds > 1, "a repaired part's duration is measured"
        kept = await asyncio.to_thread(media_seconds, part.webm)
        print(f"recorded {recorded_for:.2f} s before the kill, recovered {kept}")
        for kind, seconds in kept.items():
            assert seconds >= recorded_for - 2.0, f"{kind}: kept {seconds:.2f} s of {recorded_for:.2f} s"
        assert "repair: recording" in restarted.log()
        assert not list(data_dir.rglob("*.tmp")), "no unfinished part is left (or served)"
        assert plaintext_found(data_dir) == [], "plaintext on disk after the repair"
    finally:
        restarted.stop()
