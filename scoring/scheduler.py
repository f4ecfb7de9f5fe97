"""One transcription scheduler per process: it owns the recognizer and its worker thread.

Final transcripts (an answer has ended and its score waits) always run before partial
captions. Partials are coalesced per stream — a newer request replaces an older one still
waiting — so a busy server refreshes captions less often instead of falling behind. Every
queue is bounded, and what is dropped is counted.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from .asr import SAMPLE_RATE, Quality, SpeechRecognizer
from .errors import SchedulerOverloaded, TranscriptionClosed
from .transcript import Transcript

log = logging.getLogger(__name__)


@dataclass
class SchedulerStats:
    finals: int = 0
    partials: int = 0
    partials_superseded: int = 0
    partials_dropped: int = 0
    finals_refused: int = 0
    busy_seconds: float = 0.0  # wall-clock time the recognizer was running
    audio_seconds: float = 0.0


@dataclass(eq=False)
class _Job:
    audio: np.ndarray
    language: str
    quality: Quality
    future: asyncio.Future[Transcript | None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class TranscriptionScheduler:
    """Runs recognitions one at a time in a dedicated thread, finals first."""

    def __init__(self, recognizer: SpeechRecognizer, *, max_finals: int = 256, max_partials: int = 256) -> None:
        self._recognizer = recognizer
        self._max_finals = max_finals
        self._max_partials = max_partials
        self._finals: deque[_Job] = deque()
        self._partials: OrderedDict[Hashable, _Job] = OrderedDict()
        self._wakeup = asyncio.Event()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="asr")
        self._worker: asyncio.Task[None] | None = None
        self._closed = False
        self.stats = SchedulerStats()

    async def start(self) -> None:
        if self._worker is None:
            self._worker = asyncio.create_task(self._run(), name="asr-scheduler")

    async def aclose(self) -> None:
        """Stop the worker, fail what is still queued, and wait for the thread to finish."""
        if self._closed:
            return
        self._closed = True
        if self._worker is not None:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)
        pending = list(self._finals) + list(self._partials.values())
        self._finals.clear()
        self._partials.clear()
        for job in pending:
            if not job.future.done():
                job.future.set_exception(TranscriptionClosed("the transcription scheduler stopped"))
        await asyncio.get_running_loop().run_in_executor(None, self._executor.shutdown, True)

    @property
    def queue_depth(self) -> int:
        return len(self._finals) + len(self._partials)

    async def final(self, audio: np.ndarray, *, language: str) -> Transcript:
        """Transcribe a whole answer with full quality and word timestamps."""
        self._check_open()
        if len(self._finals) >= self._max_finals:
            self.stats.finals_refused += 1
            raise SchedulerOverloaded("too many final transcriptions are waiting")
        job = _Job(audio, language, Quality.FINAL)
        self._finals.append(job)
        self._wakeup.set()
        result = await self._await(job, self._finals)
        if result is None:  # pragma: no cover - finals are never superseded
            raise TranscriptionClosed("final transcription was cancelled")
        return result

    async def partial(self, key: Hashable, audio: np.ndarray, *, language: str) -> Transcript | None:
        """Quick caption of `audio`; None if a newer request for `key` replaced this one."""
        self._check_open()
        previous = self._partials.pop(key, None)
        if previous is not None and not previous.future.done():
            previous.future.set_result(None)
            self.stats.partials_superseded += 1
        if len(self._partials) >= self._max_partials:
            _, oldest = self._partials.popitem(last=False)
            oldest.future.set_result(None)
            self.stats.partials_dropped += 1
        job = _Job(audio, language, Quality.PARTIAL)
        self._partials[key] = job
        self._wakeup.set()
        return await self._await(job, None, key)

    async def _await(self, job: _Job, queue: deque[_Job] | None, key: Hashable = None) -> Transcript | None:
        try:
            return await asyncio.shield(job.future)
        except asyncio.CancelledError:
            # The caller gave up: withdraw the job if it has not started.
            if queue is not None and job in queue:
                queue.remove(job)
            elif queue is None and self._partials.get(key) is job:
                del self._partials[key]
            raise

    def _check_open(self) -> None:
        if self._closed:
            raise TranscriptionClosed("the transcription scheduler is closed")

    def _next_job(self) -> _Job | None:
        if self._finals:
            return self._finals.popleft()
        if self._partials:
            _, job = self._partials.popitem(last=False)
            return job
        return None

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            job = self._next_job()
            if job is None:
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            if job.future.done():
                continue
            try:
                transcript, busy = await loop.run_in_executor(self._executor, self._recognize, job)
            except asyncio.CancelledError:
                if not job.future.done():
                    job.future.set_exception(TranscriptionClosed("the transcription scheduler stopped"))
                raise
            except Exception as exc:  # a model failure fails this job, not the scheduler
                log.exception("speech recognition failed")
                if not job.future.done():
                    job.future.set_exception(exc)
                continue
            self.stats.busy_seconds += busy
            self.stats.audio_seconds += job.audio.size / SAMPLE_RATE
            if job.quality is Quality.FINAL:
                self.stats.finals += 1
            else:
                self.stats.partials += 1
            if not job.future.done():
                job.future.set_result(transcript)

    def _recognize(self, job: _Job) -> tuple[Transcript, float]:
        started = time.perf_counter()
        transcript = self._recognizer.recognize(job.audio, language=job.language, quality=job.quality)
        return transcript, time.perf_counter() - started
