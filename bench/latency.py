"""End-of-answer latency and ASR cost through a real WebRTC connection, beside offline transcription.

One `intervox serve` process (the real server, real Whisper base model) and one synthetic
candidate in this process: an aiortc peer sending the test clips as its microphone (paced in
real time) and a 640×480 30 fps video track. For each answer the candidate clicks *Finish
answer* 0.3 s after the clip ends; we report, per answer:

- finish → final transcript (from the server's own log line) and finish → score stored (the
  `answer.saved` message reaching the candidate);
- the same clip transcribed offline in this process with the same model and settings, its wall
  time, and both transcripts' WER against the reference text.

Then the server's CPU seconds per second of answer audio during the live interview (everything:
WebRTC receive and decode, captions, finals, scoring) against offline transcription's CPU
seconds per second of the same audio. Nothing is asserted; figures are printed.

    make bench            # or: .venv/bin/python bench/latency.py [--clips q1_lead_deadline_strong ...]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "tests" / "browser"), str(REPO / "tests" / "signaling")]

from accuracy import word_error_rate  # noqa: E402
from harness import SPEECH, HrClient, ServerProcess, speech_manifest  # noqa: E402
from wsclient import Candidate, ClipTrack, reach_first_question  # noqa: E402

from scoring.asr import Quality, WhisperRecognizer  # noqa: E402
from scoring.model import ensure_bundled_model  # noqa: E402

DEFAULT_CLIPS = [
    "q1_lead_deadline_strong", "q1_lead_deadline_weak", "q2_disagreement_strong", "q2_disagreement_weak",
    "q3_outage_strong", "q3_outage_weak", "q4_motivation_strong", "q4_motivation_weak",
]
FINISH_AFTER_CLIP = 0.3
_LOG_LINE = re.compile(r"answer (\d+) stored \((\w+)\); final transcript ([\d.]+) s and stored ([\d.]+) s after finish")


def read_clip(clip_id: str) -> np.ndarray:
    with wave.open(str(SPEECH / speech_manifest()[clip_id]["file"])) as w:
        return np.frombuffer(w.readframes(w.getnframes()), np.int16)


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


async def live_run(server: ServerProcess, clips: list[str]) -> dict:
    hr = HrClient(server)
    await hr.login()
    manifest = speech_manifest()
    job = (await hr.post("/api/jobs", {
        "title": "Latency bench", "department": "Bench", "language": "en",
        "questions": [{"text": f"Question for {c}", "think_seconds": 60, "answer_seconds": 120} for c in clips],
    }))["job"]
    invite = await hr.post("/api/interviews", {"job_id": job["id"], "candidate_name": "Bench",
                                               "candidate_email": "bench@example.com"})
    token = invite["invite_url"].split("#", 1)[1]
    ws = await hr.session.ws_connect("/ws")
    candidate = Candidate(ws)
    track = ClipTrack()
    await reach_first_question(candidate, token, track)

    cpu_before = process_cpu_seconds(server.proc.pid)
    audio_seconds = 0.0
    for index, clip in enumerate(clips):
        await candidate.send("answer.start", question=index)
        await candidate.expect("state", phase="answering")
        pcm = read_clip(clip)
        audio_seconds += pcm.size / 16000
        await asyncio.sleep(track.play(pcm) + FINISH_AFTER_CLIP)
        await candidate.send("answer.finish", question=index)
        if index + 1 < len(clips):
            await candidate.expect("state", phase="thinking")
    # The last answer: wait until it is stored. (Earlier ones were stored while later clips played;
    # the server's own log line gives each answer's figures.)
    await candidate.expect("answer.saved", question=len(clips) - 1, timeout=120)
    cpu_live = process_cpu_seconds(server.proc.pid) - cpu_before
    await candidate.close()
    detail = await hr.get(f"/api/interviews/{invite['interview']['id']}")
    await hr.close()

    server_side = {int(m.group(1)): (float(m.group(3)), float(m.group(4))) for m in _LOG_LINE.finditer(server.log())}
    transcripts = {a["question"]["position"]: a["transcript"] for a in detail["answers"]}
    return {
        "server_side": server_side,
        "transcripts": transcripts,
        "cpu_seconds": cpu_live,
        "audio_seconds": audio_seconds,
        "manifest": manifest,
    }


def offline_run(clips: list[str], cache: Path) -> dict:
    recognizer = WhisperRecognizer(ensure_bundled_model(cache))
    results = {}
    cpu_total, audio_total = 0.0, 0.0
    for clip in clips:
        audio = read_clip(clip).astype(np.float32) / 32768.0
        wall, cpu = time.perf_counter(), time.process_time()
        transcript = recognizer.recognize(audio, language="en", quality=Quality.FINAL)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        results[clip] = (wall, transcript.text)
        cpu_total += cpu
        audio_total += audio.size / 16000
    return {"per_clip": results, "cpu_seconds": cpu_total, "audio_seconds": audio_total}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", nargs="+", default=DEFAULT_CLIPS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="intervox-bench-") as tmp:
        data = Path(tmp) / "data"
        server = ServerProcess(data)
        try:
            live = asyncio.run(live_run(server, args.clips))
        finally:
            server.stop()
        offline = offline_run(args.clips, data / "models")

    manifest = live["manifest"]
    print(f"\n{'clip':<26} {'audio s':>7} {'→final s':>9} {'→stored s':>10} {'offline s':>10} "
          f"{'WER live':>9} {'WER offl':>9}")
    finals, stores = [], []
    for index, clip in enumerate(args.clips):
        reference = manifest[clip]["text"]
        final_s, stored_s = live["server_side"].get(index, (float("nan"), float("nan")))
        finals.append(final_s)
        stores.append(stored_s)
        offline_wall, offline_text = offline["per_clip"][clip]
        print(f"{clip:<26} {manifest[clip]['seconds']:>7.1f} {final_s:>9.2f} {stored_s:>10.2f} {offline_wall:>10.2f} "
              f"{word_error_rate(reference, live['transcripts'].get(index, '')):>9.3f} "
              f"{word_error_rate(reference, offline_text):>9.3f}")
    live_cpu = live["cpu_seconds"] / live["audio_seconds"]
    offline_cpu = offline["cpu_seconds"] / offline["audio_seconds"]
    print(f"\nfinish → final transcript: median {statistics.median(finals):.2f} s, max {max(finals):.2f} s")
    print(f"finish → score stored:     median {statistics.median(stores):.2f} s, max {max(stores):.2f} s")
    print(f"offline transcription:     median {statistics.median(w for w, _ in offline['per_clip'].values()):.2f} s "
          "per clip (whole clip after it ends)")
    print(f"server CPU during the live interview: {live_cpu:.3f} CPU-s per audio second "
          "(WebRTC, captions, finals, scoring)")
    print(f"offline transcription CPU:            {offline_cpu:.3f} CPU-s per audio second")
    print(f"ratio live / offline:                 {live_cpu / offline_cpu:.2f}")


if __name__ == "__main__":
    main()
