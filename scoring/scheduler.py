"""One transcription scheduler per process: it owns the speech model and the threads that run it.

Every answer in the process asks this scheduler for recognitions of its windows (see
`scoring.live`). `workers` threads (by default one per available CPU core, see `signaling.app`)
run the recogniser in parallel, each taking the next waiting job in priority order:

1. `FINAL` — an answer's last window: a score is waiting for it;
2. `COMMIT` — a window closed by a pause, or long speech: it commits words, so each answer's
   tail stays short. With several workers, commits do not take the last free one — a long commit
   (24 s, beam search: over a second) would otherwise hold up the captions (and, without a final
   lane, the finals) that arrive meanwhile — unless the oldest has waited `COMMIT_PATIENCE`
   seconds: commits that fall behind let windows grow until audio has to be dropped;
3. `CAPTION` — a short window while someone speaks: it refreshes the caption.

Captions are taken round robin, one waiting job per stream: a stream that submits a newer window
while its previous one is still waiting replaces it *in its place in the line*. A busy server
therefore refreshes each caption less often (each refresh covering more audio) instead of
falling behind, and a caption never overtakes a commit or a final.

The final lane: with a `final_recognizer` (a second instance of the model, about 160 MB, whose
threads run at the process's priority while the shared workers' run `ASR_NICENESS` nicer, giving
way to live media), `final_workers` more workers take answers' last windows only. A score then
never waits for a commit or caption to finish, and its recognition is not the one that gives way
when the CPUs are busy. A shared worker takes a final only while every final worker is busy (an
answer's last window may come in two pieces, and answers may end together). On the load bench
(4 candidates, 2 cores) the longest waits of last windows for a worker went from 1.0–1.8 s to 0.

Why several workers, each running its recognition on one CPU thread (`cpu_threads=1`): on the
2-core reference machine a short window (4–8 s) took the same wall time on one intra-op thread as
on two, for ~30 % less CPU, so recognitions running side by side each finish about as soon as one
alone did. And an answer's final window need not wait behind a long caption that is already
running: it starts on the next free worker. faster-whisper runs parallel calls on model replicas
that share the weights (`WhisperModel(num_workers=...)`). Jobs are taken from the queues one at
a time, on the event loop, so two workers never take the same job. (Batching several windows
into one CTranslate2 call gave nothing: on this CPU four windows batched cost as much as four in
a row.)

Voice activity detection (Silero, ~2 ms of CPU per second of audio) runs on a thread of its
own (`segment`), so the event loop does no inference and a long recognition does not delay it.

Bounded: at most `max_queued` commit/final jobs wait (beyond that `SchedulerOverloaded`), and
at most `max_streams` captions; what is refused or dropped is counted in `stats`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TypeVar

import numpy as np

from .asr import SAMPLE_RATE, Quality, SpeechRecognizer, lower_thread_priority
from .errors import SchedulerOverloaded, TranscriptionClosed
from .transcript import Transcript
from .vad import VoiceActivity

log = logging.getLogger(__name__)

T = TypeVar("T")
LOAD_WINDOW = 10.0  # seconds over which the model's load is measured
COMMIT_PATIENCE = 2.0  # seconds a commit waits for a worker before it may take the last free one


class Priority(IntEnum):
    FINAL = 0
    COMMIT = 1
    CAPTION = 2


# How hard the model works on each kind of window (see scoring.asr.Quality): an answer's last
# window is committed like a pause's, only sooner.
QUALITY = {Priority.FINAL: Quality.COMMIT, Priority.COMMIT: Quality.COMMIT, Priority.CAPTION: Quality.CAPTION}


@dataclass
class SchedulerStats:
    recognized: dict[Priority, int] = field(default_factory=lambda: dict.fromkeys(Priority, 0))
    busy_seconds: dict[Priority, float] = field(default_factory=lambda: dict.fromkeys(Priority, 0.0))
    audio_seconds: float = 0.0  # audio sent to the model
    captions_superseded: int = 0  # a newer window of the same stream took the waiting one's place
    captions_dropped: int = 0  # the caption line was full: the oldest waiting caption was dropped
    refused: int = 0  # commit/final jobs refused because too many were waiting


@dataclass(eq=False)
class Job:
    """One recognition. `future` gets the transcript, or None if the job was superseded or withdrawn."""

    audio: np.ndarray
    language: str
    prompt: str
    priority: Priority
    stream: Hashable
    provisional: float = 0.0  # seconds at its end that will be heard again (SpeechRecognizer.recognize)
    submitted: float = field(default_factory=time.monotonic)
    started: bool = False
    started_at: float = 0.0  # monotonic; 0 until it starts
    busy: float = 0.0  # seconds the recogniser spent on it
    future: asyncio.Future[Transcript | None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    @property
    def seconds(self) -> float:
        return self.audio.size / SAMPLE_RATE


def _ignore(*_: object) -> None:
    pass


@dataclass(frozen=True)
class Meters:
    """Where transcription reports its figures (the server puts them on /metrics); all optional."""

    recognized: Callable[[Priority, float, float], None] = _ignore  # priority, busy seconds, audio seconds
    caption_lag: Callable[[float], None] = _ignore  # from hearing a window's last audio to its caption
    dropped_audio: Callable[[float], None] = _ignore  # seconds of audio not transcribed
    speech: Callable[[float], None] = _ignore  # seconds of speech the VAD found in an answer
    final_latency: Callable[[float], None] = _ignore  # end of an answer → its final transcript
    stored_latency: Callable[[float], None] = _ignore  # end of an answer → transcript and score stored


@dataclass(eq=False)
class _Lane:
    """Worker threads running one recogniser: the shared lane takes every kind of job, the final lane
    only answers' last windows."""

    name: str
    recognizer: SpeechRecognizer
    workers: int
    executor: ThreadPoolExecutor
    finals_only: bool
    idle: int = 0  # runners waiting for work
    running: set[Job] = field(default_factory=set)
    spans: deque[tuple[float, float]] = field(default_factory=lambda: deque(maxlen=256))  # (start, end) of recent jobs


class TranscriptionScheduler:
    """Runs up to `workers` recognitions at once, in dedicated threads: finals, then commits, then captions
    — and, with a `final_recognizer`, up to `final_workers` more of answers' last windows only."""

    def __init__(self, recognizer: SpeechRecognizer, *, workers: int = 1,
                 final_recognizer: SpeechRecognizer | None = None, final_workers: int = 0, max_queued: int = 256,
                 max_streams: int = 256, meters: Meters | None = None) -> None:
        if workers < 1 or final_workers < 0:
            raise ValueError(f"need at least 1 worker and no negative final workers, not {workers}/{final_workers}")
        if (final_recognizer is None) != (final_workers == 0):
            raise ValueError("final workers need a final recognizer, and a final recognizer final workers")
        self._recognizer = recognizer
        self._workers = workers
        self.meters = meters or Meters()
        self._max_queued = max_queued
        self._max_streams = max_streams
        self._urgent: dict[Priority, deque[Job]] = {Priority.FINAL: deque(), Priority.COMMIT: deque()}
        self._captions: OrderedDict[Hashable, Job] = OrderedDict()
        self._wakeup = asyncio.Event()
        # The shared lane yields the CPU to live media (scoring.asr.ASR_NICENESS); the final lane
        # runs at the process's priority, so a score waits for no caption or commit.
        self._shared = _Lane("asr", recognizer, workers, ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="asr", initializer=lower_thread_priority), finals_only=False)
        self._lanes = [self._shared]
        if final_recognizer is not None:
            self._lanes.append(_Lane("asr-final", final_recognizer, final_workers, ThreadPoolExecutor(
                max_workers=final_workers, thread_name_prefix="asr-final"), finals_only=True))
        self._vad = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vad")
        self._runners: list[asyncio.Task[None]] = []  # one per worker thread
        self._closed = False
        self.stats = SchedulerStats()

    async def start(self) -> None:
        if not self._runners:
            self._runners = [asyncio.create_task(self._run(lane), name=f"{lane.name}-scheduler-{i}")
                             for lane in self._lanes for i in range(lane.workers)]

    async def aclose(self) -> None:
        """Stop the workers, fail what is still queued, and wait for all threads to finish."""
        if self._closed:
            return
        self._closed = True
        for runner in self._runners:
            runner.cancel()
        await asyncio.gather(*self._runners, return_exceptions=True)
        pending = [*self._urgent[Priority.FINAL], *self._urgent[Priority.COMMIT], *self._captions.values()]
        for queue in self._urgent.values():
            queue.clear()
        self._captions.clear()
        for job in pending:
            if not job.future.done():
                job.future.set_exception(TranscriptionClosed("the transcription scheduler stopped"))
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(None, lane.executor.shutdown, True) for lane in self._lanes),
                             loop.run_in_executor(None, self._vad.shutdown, True))

    # --- what is waiting ------------------------------------------------------------------------

    @property
    def queue_depth(self) -> int:
        return sum(len(q) for q in self._urgent.values()) + len(self._captions)

    def load(self, seconds: float = LOAD_WINDOW) -> float:
        """Share of the shared workers' capacity over the last `seconds` that was busy (running jobs
        included), 0–1: one of two workers busy throughout is 0.5."""
        now = time.monotonic()
        since = now - seconds
        lane = self._shared
        busy = sum(max(0.0, end - max(start, since)) for start, end in lane.spans if end > since)
        busy += sum(now - max(job.started_at, since) for job in lane.running)
        return min(1.0, busy / (seconds * lane.workers))

    def caption_slowdown(self) -> float:
        """How much longer than usual caption windows should wait (1 = not at all): captions give way
        to finals and commits as the model fills up, instead of queueing behind them."""
        load = self.load()
        return 1.0 if load < 0.5 else 1.5 if load < 0.75 else 2.0

    def depth(self, priority: Priority) -> int:
        return len(self._captions) if priority is Priority.CAPTION else len(self._urgent[priority])

    # --- voice activity -------------------------------------------------------------------------

    def voice_activity(self) -> VoiceActivity:
        """A fresh voice activity model state for one stream."""
        return self._recognizer.voice_activity()

    async def segment(self, fn: Callable[..., T], *args: object) -> T:
        """Run `fn(*args)` (a segmenter fed with audio) on the voice-activity thread."""
        self._check_open()
        return await asyncio.get_running_loop().run_in_executor(self._vad, fn, *args)

    # --- submitting -----------------------------------------------------------------------------

    def submit(self, audio: np.ndarray, *, language: str, prompt: str, priority: Priority,
               stream: Hashable, provisional: float = 0.0) -> Job:
        """Queue a recognition. A caption of `stream` still waiting is withdrawn (its future gets
        None); a new caption takes its place in the line."""
        self._check_open()
        job = Job(audio, language, prompt, priority, stream, provisional)
        waiting = self._captions.get(stream)
        if priority is Priority.CAPTION:
            if waiting is not None:
                waiting.future.set_result(None)
                self.stats.captions_superseded += 1
            elif len(self._captions) >= self._max_streams:
                _, oldest = self._captions.popitem(last=False)
                oldest.future.set_result(None)
                self.stats.captions_dropped += 1
            self._captions[stream] = job  # an existing key keeps its place
        else:
            queue = self._urgent[priority]
            if len(queue) >= self._max_queued:
                self.stats.refused += 1
                raise SchedulerOverloaded(f"too many {priority.name.lower()} recognitions are waiting")
            if waiting is not None:
                del self._captions[stream]
                waiting.future.set_result(None)
                self.stats.captions_superseded += 1
            queue.append(job)
        self._wakeup.set()
        return job

    def withdraw(self, job: Job) -> bool:
        """Take back a job that has not started (its future gets None). False if it started or ended."""
        if job.started or job.future.done():
            return False
        if job.priority is Priority.CAPTION:
            if self._captions.get(job.stream) is job:
                del self._captions[job.stream]
        else:
            self._urgent[job.priority].remove(job)
        job.future.set_result(None)
        return True

    def _check_open(self) -> None:
        if self._closed:
            raise TranscriptionClosed("the transcription scheduler is closed")

    # --- the workers ----------------------------------------------------------------------------

    def _next_job(self, lane: _Lane) -> Job | None:
        finals = self._urgent[Priority.FINAL]
        if finals and (lane.finals_only or not any(other.finals_only and other.idle for other in self._lanes)):
            return finals.popleft()  # a shared worker takes a final only while no final worker is free
        if lane.finals_only:
            return None
        commits = self._urgent[Priority.COMMIT]
        if commits and (self._workers == 1 or self._commit_patience_over(commits[0])
                        or sum(job.priority is Priority.COMMIT for job in lane.running) < self._workers - 1):
            return commits.popleft()
        if self._captions:
            _, job = self._captions.popitem(last=False)
            return job
        return None

    def _commit_patience_over(self, job: Job) -> bool:
        return time.monotonic() - job.submitted >= COMMIT_PATIENCE

    async def _wait_for_work(self) -> None:
        """Until a job is submitted or finishes, or a waiting commit's patience runs out."""
        self._wakeup.clear()
        commits = self._urgent[Priority.COMMIT]
        if not commits:
            await self._wakeup.wait()
            return
        patience = max(0.0, commits[0].submitted + COMMIT_PATIENCE - time.monotonic())
        try:
            await asyncio.wait_for(self._wakeup.wait(), patience + 0.01)
        except TimeoutError:
            pass

    async def _run(self, lane: _Lane) -> None:
        """One worker: take the next job (on the event loop, so no two workers take the same one) and
        run it on one of its lane's threads."""
        loop = asyncio.get_running_loop()
        while True:
            job = self._next_job(lane)
            if job is None:
                lane.idle += 1
                try:
                    await self._wait_for_work()
                finally:
                    lane.idle -= 1
                continue
            if job.future.done():
                continue
            job.started = True
            job.started_at = time.monotonic()
            lane.running.add(job)
            try:
                transcript, busy = await loop.run_in_executor(lane.executor, self._recognize, lane.recognizer, job)
            except asyncio.CancelledError:
                if not job.future.done():
                    job.future.set_exception(TranscriptionClosed("the transcription scheduler stopped"))
                raise
            except Exception as exc:  # a model failure fails this job, not the scheduler
                log.exception("speech recognition failed")
                if not job.future.done():
                    job.future.set_exception(exc)
                continue
            finally:
                lane.running.discard(job)
                lane.spans.append((job.started_at, time.monotonic()))
                self._wakeup.set()  # a worker may be free for a commit that waited
            job.busy = busy
            self.stats.recognized[job.priority] += 1
            self.stats.busy_seconds[job.priority] += busy
            self.stats.audio_seconds += job.seconds
            self.meters.recognized(job.priority, busy, job.seconds)
            if not job.future.done():
                job.future.set_result(transcript)

    @staticmethod
    def _recognize(recognizer: SpeechRecognizer, job: Job) -> tuple[Transcript, float]:
        quality = QUALITY[job.priority]
        started = time.perf_counter()
        transcript = recognizer.recognize(job.audio, language=job.language, quality=quality, prompt=job.prompt,
                                          provisional=job.provisional)
        return transcript, time.perf_counter() - started
