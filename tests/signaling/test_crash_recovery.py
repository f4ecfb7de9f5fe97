"""A server killed with SIGKILL in the middle of an answer: the recording is repaired at restart,
and no plaintext media ever reaches the disk (the real server, the real model, a real peer)."""

from __future__ import annotations

import asyncio
import io
import sqlite3
import time
from pathlib import Path

import av
import pytest
from harness import HrClient, ServerProcess
from wsclient import Candidate, reach_first_question

from media import PartReader, WrappedKey, load_master_keys, recording_context, unwrap_data_key

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


def decrypt_part(data_dir: Path) -> tuple[str, bytes]:
    """Read the one recording part's row and decrypt it with the data dir's own master key."""
    with sqlite3.connect(data_dir / "intervox.sqlite3") as db:
        rec_id, wrapped, version = db.execute("SELECT id, wrapped_key, key_version FROM recordings").fetchone()
        status, file_name, size, mime, duration = db.execute(
            "SELECT status, file_name, plaintext_size, mime, duration_seconds FROM recording_parts "
            "WHERE recording_id = ?", (rec_id,)
        ).fetchone()
    assert duration and duration > 1, "a repaired part's duration is measured for the player"
    key = unwrap_data_key(load_master_keys(data_dir, create=False), rec_id, WrappedKey(version, wrapped))
    with PartReader(data_dir / "recordings" / file_name, key, recording_context(rec_id, 1, mime),
                    plaintext_size=size) as reader:
        return status, reader.read(0, size)


def media_seconds(webm: bytes) -> dict[str, float]:
    """Per stream, the time of the last frame PyAV decodes from the file."""
    last = {}
    for kind in ("video", "audio"):
        with av.open(io.BytesIO(webm)) as container:
            last[kind] = max((float(f.time) for f in container.decode(**{kind: 0})), default=0.0)
    return last


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
        status, webm = await asyncio.to_thread(decrypt_part, data_dir)
        assert status == "recovered_truncated"
        kept = await asyncio.to_thread(media_seconds, webm)
        print(f"recorded {recorded_for:.2f} s before the kill, recovered {kept}")
        for kind, seconds in kept.items():
            assert seconds >= recorded_for - 2.0, f"{kind}: kept {seconds:.2f} s of {recorded_for:.2f} s"
        assert "repair: recording" in restarted.log()
        assert not list(data_dir.rglob("*.tmp")), "no unfinished part is left (or served)"
        assert plaintext_found(data_dir) == [], "plaintext on disk after the repair"
    finally:
        restarted.stop()
