"""Load: N synthetic candidates interviewing at once against one server, for N = 1, 2, 4, 8, 12, 16.

One `intervox serve` process (the real server, real Whisper base model, seats for everyone so
nobody waits in line) for the whole sweep. For each N, N candidates in this process connect at
the same time — aiortc peers sending the test clips as their microphone (paced in real time)
and a 640×480 30 fps VP8 video track — reach question 1, then start answering within 0–2 s of
each other. Every answer is two clips with a silence between them, so the candidate speaks
60 % of the answer; the answer ends as the last word does and *Finish answer* follows 0.3 s
later. Candidates rotate through the clips, so they do not all say the same thing.

The video is pre-encoded once (2 s of wsclient's CameraTrack picture, ~1 Mbit/s, a key frame
at the start of each loop) and every candidate sends those VP8 pictures in a loop: the clients
share the server's two cores, and sixteen live VP8 encoders would eat the CPU being measured.

For each N it prints:

- finish → score stored, as the candidate sees it (`answer.finish` sent → `answer.saved`
  received), p50 and p95 over every answer; and the server's own finish → final transcript
  p95 (`intervox_answer_final_seconds`);
- caption lag p95 (`intervox_caption_lag_seconds`);
- corpus WER of the stored (live) transcripts, and of the same answers transcribed whole, offline,
  in this process after the live runs (same model, Whisper's full 30 s windows, beam search): once
  from each answer's stored recording (decrypted with the data directory's key, its Opus decoded —
  the audio an offline pass after the interview would have, so the ratio is what transcribing
  while they speak costs), and once from the source clips (before Opus and WebRTC); and the ratios;
- the server's CPU over the run's wall time: cores in all and per interview, and the CPU this
  process (the candidates) took from the same cores;
- ASR busy seconds per second of speech the server's voice activity detection found;
- audio the server dropped, and the deepest ASR queue seen (sampled every 0.5 s).

Server-side figures are deltas of its `/metrics` over the run; histogram percentiles are
estimated from the buckets (linear inside a bucket). A metric the server does not export shows
as n/a. Then the largest N whose p95 finish → stored stays within 1.5 s with no audio dropped.
Nothing is asserted; figures are printed. A full sweep takes about 20 minutes.

    .venv/bin/python bench/load.py [--n 1,2,4,8,12,16] [--answers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import fractions
import functools
import io
import math
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests"), str(REPO / "tests" / "browser"), str(REPO / "tests" / "signaling"),
                str(REPO / "tests" / "scoring")]

import aiohttp  # noqa: E402
from accuracy import corpus_word_error_rate  # noqa: E402
from aiortc import VideoStreamTrack  # noqa: E402
from aiortc.sdp import SessionDescription  # noqa: E402
from dashboard import percentile  # noqa: E402
from harness import HrClient, ServerProcess, speech_manifest  # noqa: E402
from latency import DEFAULT_CLIPS, FINISH_AFTER_CLIP, process_cpu_seconds  # noqa: E402
from prometheus_client.parser import text_string_to_metric_families  # noqa: E402
from recording_files import decrypt_parts  # noqa: E402
from speech_answers import CLIP_SILENCE, Answer, build_answer  # noqa: E402
from wsclient import CameraTrack, Candidate, ClipTrack, reach_first_question  # noqa: E402

from media.audio import Mono16kResampler  # noqa: E402
from scoring.asr import Quality, WhisperRecognizer  # noqa: E402
from scoring.model import ensure_bundled_model  # noqa: E402

SEATS = 64  # more than the whole sweep's interviews: admission control must never make anyone wait
SPEAKING_SHARE = 0.6  # of each answer's length
STAGGER_SECONDS = 2.0  # candidates start answering within this much of each other
SAMPLE_EVERY = 0.5  # seconds between reads of the ASR queue depth
FINAL_LIMIT = 1.5  # seconds: the p95 finish → stored that the "largest N" line asks for
VIDEO_FPS = 30
VIDEO_LOOP_FRAMES = 60  # 2 s; every loop starts with the key frame
VIDEO_BITRATE = 1_000_000

Pair = tuple[str, str]  # the two clips (ids) an answer is made of
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]  # (sample name, labels) → value


class LoopedVideoTrack(VideoStreamTrack):
    """Pre-encoded VP8 pictures sent over and over at 30 fps: a camera's bitrate without an encoder.

    aiortc's sender packetizes an `av.Packet` as it is instead of encoding a frame."""

    def __init__(self, pictures: list[bytes]) -> None:
        super().__init__()
        self._pictures = pictures
        self._sent = 0

    async def recv(self) -> av.Packet:
        pts, time_base = await self.next_timestamp()
        packet = av.Packet(self._pictures[self._sent % len(self._pictures)])
        packet.pts, packet.time_base = pts, time_base
        self._sent += 1
        return packet


class LoadCandidate(Candidate):
    """A candidate whose camera is a `LoopedVideoTrack`."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, video: LoopedVideoTrack) -> None:
        super().__init__(ws)
        self._video = video

    async def connect_media(self, audio=None, video=None) -> None:
        await super().connect_media(audio, self._video if video is None else video)
        chosen = next(m for m in SessionDescription.parse(self.pc.remoteDescription.sdp).media if m.kind == "video")
        if chosen.rtp.codecs[0].mimeType.lower() != "video/vp8":
            raise RuntimeError(f"the server chose {chosen.rtp.codecs[0].mimeType}; the looped pictures are VP8")


async def encode_video_loop() -> list[bytes]:
    """VIDEO_LOOP_FRAMES pictures of wsclient's CameraTrack, VP8 at VIDEO_BITRATE, the first a key frame.

    Constant bitrate with the key frame capped at 3× an average picture, as a real-time encoder
    sends a webcam."""
    codec = av.CodecContext.create("libvpx", "w")
    codec.width, codec.height, codec.pix_fmt = 640, 480, "yuv420p"
    codec.bit_rate = VIDEO_BITRATE
    codec.time_base = fractions.Fraction(1, VIDEO_FPS)
    codec.framerate = fractions.Fraction(VIDEO_FPS, 1)
    codec.gop_size = VIDEO_LOOP_FRAMES + 1
    rate = str(VIDEO_BITRATE)
    codec.options = {"deadline": "realtime", "lag-in-frames": "0", "minrate": rate, "maxrate": rate,
                     "bufsize": rate, "max-intra-rate": "300"}
    camera = CameraTrack()
    pictures: list[bytes] = []
    for n in range(VIDEO_LOOP_FRAMES):
        frame = await camera.recv()
        frame.pts, frame.time_base = n, codec.time_base
        pictures += [bytes(p) for p in codec.encode(frame)]
    pictures += [bytes(p) for p in codec.encode(None)]
    camera.stop()
    return pictures


def clip_pair(candidate: int, question: int, answers: int) -> Pair:
    """Consecutive clips, shifted per answer and per candidate: each pair is one strong and one weak answer."""
    first = (candidate * answers + question) % len(DEFAULT_CLIPS)
    return DEFAULT_CLIPS[first], DEFAULT_CLIPS[(first + 1) % len(DEFAULT_CLIPS)]


@functools.cache
def spoken_answer(pair: Pair) -> Answer:
    """Clip, silence, clip — the silence making the clips SPEAKING_SHARE of the answer — ending with the last word."""
    manifest = speech_manifest()
    speech = sum(manifest[clip]["seconds"] for clip in pair)
    silence = speech * (1 / SPEAKING_SHARE - 1)
    return build_answer(manifest[pair[0]]["file"], silence, manifest[pair[1]]["file"], trim_end=CLIP_SILENCE)


async def scrape(hr: HrClient) -> Samples:
    async with hr.session.get("/metrics") as response:
        text = await response.text()
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def difference(after: Samples, before: Samples) -> Samples:
    return {key: value - before.get(key, 0.0) for key, value in after.items()}


def total(samples: Samples, name: str) -> float | None:
    """The sum of `name` over all its labels; None when the server does not export it."""
    values = [value for (sample, _labels), value in samples.items() if sample == name]
    return sum(values) if values else None


def bucket_quantile(samples: Samples, histogram: str, q: float) -> float | None:
    """The q-quantile of a histogram (as Prometheus' histogram_quantile): linear inside the bucket it
    falls in, the highest finite bound if it falls in +Inf. None without the metric; nan without observations."""
    cumulative: dict[float, float] = defaultdict(float)
    for (sample, labels), value in samples.items():
        if sample == f"{histogram}_bucket":
            cumulative[float(dict(labels)["le"])] += value
    if not cumulative:
        return None
    rank = q * cumulative[math.inf]
    if rank <= 0:
        return math.nan
    lower, below = 0.0, 0.0
    for upper in sorted(cumulative):
        if cumulative[upper] >= rank:
            if math.isinf(upper):
                return lower
            return lower + (upper - lower) * (rank - below) / (cumulative[upper] - below)
        lower, below = upper, cumulative[upper]
    return math.nan


@dataclass
class Together:
    """Candidates meet at `ready` (all at question 1), start on `go`, and meet again at `done`."""

    ready: asyncio.Barrier
    done: asyncio.Barrier
    go: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Spoken:
    pair: Pair
    finish_to_saved: float  # seconds, as the candidate saw it
    interview: str  # public id
    question: int  # position
    live_transcript: str = ""
    recorded_transcript: str = ""  # its stored recording, decrypted and transcribed whole after the run


@dataclass
class LoadRun:
    candidates: int
    answers: list[Spoken]
    wall_seconds: float
    server_cpu_seconds: float
    client_cpu_seconds: float  # this process: the N synthetic candidates, on the same cores
    metrics: Samples  # deltas over the run (counters and histograms)
    queue_depths: list[float]


async def candidate_run(server: ServerProcess, hr: HrClient, job_id: int, index: int, answers: int,
                        pictures: list[bytes], together: Together) -> tuple[str, list[Spoken]]:
    """One candidate's interview; returns its id and its answers (transcripts filled in later)."""
    invite = await hr.post("/api/interviews", {"job_id": job_id, "candidate_name": f"Load {index}",
                                               "candidate_email": f"load{index}@example.com"})
    spoken: list[Spoken] = []
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(f"{server.base_url}/ws", headers={"Origin": server.base_url})
        candidate = LoadCandidate(ws, LoopedVideoTrack(pictures))
        try:
            microphone = ClipTrack()
            await reach_first_question(candidate, invite["invite_url"].split("#", 1)[1], microphone)
            await together.ready.wait()
            await together.go.wait()
            await asyncio.sleep(random.uniform(0, STAGGER_SECONDS))
            for question in range(answers):
                pair = clip_pair(index, question, answers)
                await candidate.send("answer.start", question=question)
                await candidate.expect("state", phase="answering", timeout=30)
                await asyncio.sleep(microphone.play(spoken_answer(pair).pcm) + FINISH_AFTER_CLIP)
                finished = time.monotonic()
                await candidate.send("answer.finish", question=question)
                await candidate.expect("answer.saved", question=question, timeout=120)
                spoken.append(Spoken(pair, time.monotonic() - finished, invite["interview"]["id"], question))
            await together.done.wait()
        finally:
            await candidate.close()
    return invite["interview"]["id"], spoken


async def sample_gauge(hr: HrClient, name: str, into: list[float]) -> None:
    while True:
        value = total(await scrape(hr), name)
        if value is not None:
            into.append(value)
        await asyncio.sleep(SAMPLE_EVERY)


async def measure(server: ServerProcess, hr: HrClient, together: Together, into: dict) -> None:
    """Between everyone at question 1 and everyone done: wall time, server CPU, /metrics deltas, queue depth."""
    await together.ready.wait()
    before, started = await scrape(hr), time.monotonic()
    cpu, client_cpu = process_cpu_seconds(server.proc.pid), process_cpu_seconds(os.getpid())
    depths: list[float] = []
    sampler = asyncio.create_task(sample_gauge(hr, "intervox_asr_queue_depth", depths))
    together.go.set()
    try:
        await together.done.wait()
        into.update(wall=time.monotonic() - started, cpu=process_cpu_seconds(server.proc.pid) - cpu,
                    client_cpu=process_cpu_seconds(os.getpid()) - client_cpu,
                    metrics=difference(await scrape(hr), before), depths=depths)
    finally:
        sampler.cancel()
        await asyncio.gather(sampler, return_exceptions=True)


async def load_run(server: ServerProcess, hr: HrClient, n: int, answers: int, pictures: list[bytes]) -> LoadRun:
    job = (await hr.post("/api/jobs", {
        "title": f"Load bench, {n} at once", "department": "Bench", "language": "en",
        "questions": [{"text": f"Question {q + 1}", "think_seconds": 600, "answer_seconds": 300}
                      for q in range(answers)],
    }))["job"]
    together = Together(asyncio.Barrier(n + 1), asyncio.Barrier(n + 1))
    measured: dict = {}
    async with asyncio.TaskGroup() as group:
        group.create_task(measure(server, hr, together, measured))
        interviews = [group.create_task(candidate_run(server, hr, job["id"], index, answers, pictures, together))
                      for index in range(n)]
    spoken_all = []
    for task in interviews:
        interview_id, spoken = task.result()
        detail = await hr.get(f"/api/interviews/{interview_id}")
        transcripts = {a["question"]["position"]: a["transcript"] or "" for a in detail["answers"]}
        for position, answer in enumerate(spoken):
            answer.live_transcript = transcripts.get(position, "")
        spoken_all += spoken
    return LoadRun(n, spoken_all, measured["wall"], measured["cpu"], measured["client_cpu"], measured["metrics"],
                   measured["depths"])


async def settle(hr: HrClient, timeout: float = 60.0) -> None:
    """Wait until the server holds no interview in memory, so one N's leftovers do not load the next."""
    deadline = time.monotonic() + timeout
    while live := total(await scrape(hr), "intervox_live_interviews"):
        if time.monotonic() > deadline:
            print(f"  (still {live:.0f} interviews in memory after {timeout:.0f} s; going on)", flush=True)
            return
        await asyncio.sleep(1.0)


async def sweep(server: ServerProcess, ns: list[int], answers: int) -> tuple[list[LoadRun], str | None]:
    """Every N in turn; stops at the first N that fails and returns why."""
    pictures = await encode_video_loop()
    kbits = sum(len(p) for p in pictures) * 8 / (len(pictures) / VIDEO_FPS) / 1000
    print(f"video: {len(pictures)} pre-encoded VP8 pictures 640×480 at {VIDEO_FPS} fps, looped "
          f"({kbits:.0f} kbit/s, a key frame every {len(pictures) / VIDEO_FPS:.0f} s)", flush=True)
    hr = HrClient(server)
    runs: list[LoadRun] = []
    try:
        await hr.login()
        for n in ns:
            await settle(hr)
            print(f"N={n}: running ...", flush=True)
            try:
                run = await load_run(server, hr, n, answers, pictures)
            except Exception as error:  # noqa: BLE001 - a benchmark reports what broke and stops
                causes = error.exceptions if isinstance(error, ExceptionGroup) else [error]
                return runs, f"N={n} failed: {causes[0]!r}"
            runs.append(run)
            print(f"N={n}: answers stored: {len(run.answers)}, in {run.wall_seconds:.0f} s", flush=True)
    finally:
        await hr.close()
    return runs, None


def recorded_audio(data_dir: Path) -> dict[tuple[str, int], np.ndarray]:
    """Each stored recording's audio, 16 kHz mono int16, by (interview public id, question position):
    decrypted with the data directory's master key, its Opus decoded and resampled as the server does."""
    with sqlite3.connect(f"file:{data_dir / 'intervox.sqlite3'}?mode=ro", uri=True) as db:
        answer_of = {rec: (interview, position) for rec, interview, position in db.execute(
            "SELECT r.id, i.public_id, q.position FROM recordings r JOIN interviews i ON i.id = r.interview_id "
            "JOIN questions q ON q.id = r.question_id")}
    pieces: dict[tuple[str, int], list[np.ndarray]] = defaultdict(list)
    for part in decrypt_parts(data_dir):
        resampler = Mono16kResampler()
        with av.open(io.BytesIO(part.webm)) as container:
            pieces[answer_of[part.recording_id]] += [resampler.resample(frame) for frame in container.decode(audio=0)]
    return {key: np.concatenate(chunks) for key, chunks in pieces.items()}


def transcribe_offline(runs: list[LoadRun], data_dir: Path) -> dict[Pair, str]:
    """After the interviews, as an offline pass would: each distinct answer's source audio transcribed
    whole (returned), and each answer's stored recording transcribed whole (into the answer)."""
    recognizer = WhisperRecognizer(ensure_bundled_model(data_dir / "models"))

    def whole(pcm: np.ndarray) -> str:
        return recognizer.recognize(pcm.astype(np.float32) / 32768.0, language="en", quality=Quality.FINAL).text

    recordings = recorded_audio(data_dir)
    for answer in (a for run in runs for a in run.answers):
        recording = recordings.get((answer.interview, answer.question))
        answer.recorded_transcript = whole(recording) if recording is not None else ""
    return {pair: whole(spoken_answer(pair).pcm) for pair in sorted({a.pair for run in runs for a in run.answers})}


COLUMNS = [
    ("N", "candidates interviewing at once"),
    ("answers", "answers given in the run"),
    ("fin p50", "finish → answer.saved at the candidate, p50 (s)"),
    ("fin p95", "the same, p95 (s)"),
    ("srv p95*", "server's finish → final transcript, p95 (s, intervox_answer_final_seconds)"),
    ("cap p95*", "caption lag p95 (s, intervox_caption_lag_seconds)"),
    ("WER live", "corpus WER of the stored transcripts"),
    ("WER rec", "corpus WER of the answers' stored recordings, decrypted and transcribed whole after the run"),
    ("live/rec", "WER live ÷ WER rec: what transcribing while they speak costs against an offline pass"),
    ("WER src", "corpus WER of the answers' source clips (before Opus and WebRTC) transcribed whole"),
    ("live/src", "WER live ÷ WER src"),
    ("cores", "server CPU seconds ÷ wall seconds of the run"),
    ("cores/iv", "the same ÷ N"),
    ("clients", "this process's CPU seconds (the N candidates) ÷ wall seconds: cores taken from the server"),
    ("asr/sp", "ASR busy s ÷ speech s found by the server's VAD"),
    ("dropped", "audio the server dropped (s)"),
    ("queue", "deepest ASR queue seen (sampled every 0.5 s)"),
]


def per(numerator: float | None, denominator: float | None) -> float | None:
    """numerator ÷ denominator; None when either is unknown, nan when there is nothing to divide by."""
    if numerator is None or denominator is None:
        return None
    return numerator / denominator if denominator else math.nan


def figure(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "n/a"
    if math.isnan(value):
        return "none"
    return f"{value:.{digits}f}"


def report_row(run: LoadRun, offline: dict[Pair, str]) -> list[str]:
    finals = [a.finish_to_saved for a in run.answers]
    references = [spoken_answer(a.pair).reference for a in run.answers]
    live = corpus_word_error_rate(references, [a.live_transcript for a in run.answers])
    whole = corpus_word_error_rate(references, [offline[a.pair] for a in run.answers])
    recorded = corpus_word_error_rate(references, [a.recorded_transcript for a in run.answers])
    cores = run.server_cpu_seconds / run.wall_seconds
    return [
        str(run.candidates), str(len(run.answers)), figure(percentile(finals, 50)), figure(percentile(finals, 95)),
        figure(bucket_quantile(run.metrics, "intervox_answer_final_seconds", 0.95)),
        figure(bucket_quantile(run.metrics, "intervox_caption_lag_seconds", 0.95)),
        figure(live, 3), figure(recorded, 3), figure(per(live, recorded)), figure(whole, 3), figure(per(live, whole)),
        figure(cores), figure(cores / run.candidates, 3), figure(run.client_cpu_seconds / run.wall_seconds),
        figure(per(total(run.metrics, "intervox_asr_busy_seconds_total"),
                   total(run.metrics, "intervox_speech_seconds_total")), 3),
        figure(total(run.metrics, "intervox_audio_dropped_seconds_total")),
        figure(max(run.queue_depths), 0) if run.queue_depths else "n/a",
    ]


def largest_within_limit(runs: list[LoadRun]) -> str:
    """The largest N with p95 finish → stored ≤ FINAL_LIMIT and no audio dropped (or drops unknown, said so)."""
    fitting = [run for run in runs if percentile([a.finish_to_saved for a in run.answers], 95) <= FINAL_LIMIT]
    dropped = {run.candidates: total(run.metrics, "intervox_audio_dropped_seconds_total") for run in fitting}
    if any(d is None for d in dropped.values()):
        best = max((run.candidates for run in fitting), default=None)
        return f"{best if best is not None else 'none'} (by latency only: the server does not report dropped audio)"
    best = max((n for n, d in dropped.items() if d == 0), default=None)
    return str(best) if best is not None else "none"


def report(runs: list[LoadRun], offline: dict[Pair, str], answers: int, failure: str | None) -> None:
    rows = [[name for name, _ in COLUMNS]] + [report_row(run, offline) for run in runs]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    print(f"\n{answers} answers per candidate, each {SPEAKING_SHARE:.0%} speech; one server, this machine\n")
    for row in rows:
        print("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
    if failure:
        print(f"\n{failure}")
    print(f"\nlargest N with p95 finish → stored ≤ {FINAL_LIMIT} s and nothing dropped: {largest_within_limit(runs)}")
    print("\ncolumns:")
    for name, meaning in COLUMNS:
        print(f"  {name:<9} {meaning}")
    print("  * estimated from the histogram's buckets (linear inside a bucket), server-side deltas over the run;\n"
          "  n/a: the server does not export that metric; none: no observations in the run. The candidates run in\n"
          "  this process on the same cores as the server: their time to notice answer.saved is in fin p50/p95.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", default="1,2,4,8,12,16", help="comma-separated numbers of candidates at once")
    parser.add_argument("--answers", type=int, default=2, help="answers per candidate")
    parser.add_argument("--show", action="store_true", help="print each answer's reference, live and offline text")
    args = parser.parse_args()
    ns = [int(n) for n in args.n.split(",")]
    with tempfile.TemporaryDirectory(prefix="intervox-load-") as tmp:
        data = Path(tmp) / "data"
        server = ServerProcess(data, extra_env={"INTERVOX_MAX_LIVE_INTERVIEWS": str(SEATS)})
        try:
            runs, failure = asyncio.run(sweep(server, ns, args.answers))
        finally:
            server.stop()
        print("transcribing the answers offline ...", flush=True)
        offline = transcribe_offline(runs, data)
    report(runs, offline, args.answers, failure)
    if args.show:
        for run in runs:
            for answer in run.answers:
                print(f"\nN={run.candidates} {answer.pair}\n  reference: {spoken_answer(answer.pair).reference}\n"
                      f"  live:      {answer.live_transcript}\n  recording: {answer.recorded_transcript}\n"
                      f"  source:    {offline[answer.pair]}")


if __name__ == "__main__":
    main()
