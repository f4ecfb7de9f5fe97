"""One answer's live transcription: audio in, captions while it runs, the final transcript at once.

The shape follows the streaming STT interfaces of LiveKit Agents: `push()` audio as it arrives
(never blocks), `finish()` to end input and get the final result, `aclose()` to abandon.

Inside, one task this object owns (the "driver") is the only caller of the answer's
`IncrementalTranscriber`: it feeds the audio to voice activity detection on the scheduler's VAD
thread in batches of a quarter second, asks the transcriber for the window that is due and
submits it to the scheduler — a committing window (a pause, or long speech) as a COMMIT, a
caption window as a CAPTION — and feeds each result back. While a caption window waits in the
scheduler's line and another cadence of speech arrives, the driver replaces it with a newer one
(same place in the line). When the answer ends, only the speech since the last commit is left:
one FINAL window.

Audio that cannot be taken is dropped and counted, never buffered without bound: beyond the
answer's time limit, or more than `max_backlog` seconds waiting for voice activity detection.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import time
from collections import deque
from collections.abc import Callable

import numpy as np

from .asr import SAMPLE_RATE, SpeechRecognizer
from .errors import SchedulerOverloaded, TranscriptionClosed
from .incremental import IncrementalParams, IncrementalTranscriber, Window
from .scheduler import QUALITY, Job, Priority, TranscriptionScheduler
from .transcript import Transcript, Word

log = logging.getLogger(__name__)

CaptionSink = Callable[[str], None]


def priority_of(window: Window) -> Priority:
    """An answer's last window is waited for; a committing window commits; a caption window captions."""
    return Priority.FINAL if window.final else Priority.COMMIT if window.commits else Priority.CAPTION


def recognize_window(recognizer: SpeechRecognizer, window: Window, language: str) -> Transcript:
    """Recognise `window` (blocking) with the effort the scheduler gives its kind — for benchmarks
    and model tests that drive an `IncrementalTranscriber` the way the server does."""
    return recognizer.recognize(window.audio, language=language, quality=QUALITY[priority_of(window)],
                                prompt=window.prompt, provisional=window.provisional)


def _outcome(job: Job) -> tuple[Transcript | None, BaseException | None]:
    """A finished job's transcript (None if withdrawn, superseded or failed) and its error."""
    if job.future.cancelled():
        return None, None
    error = job.future.exception()
    return (None, error) if error is not None else (job.future.result(), None)


_VAD_BATCH = SAMPLE_RATE // 4  # audio handed to voice activity detection at a time


class LiveTranscription:
    """Collects one answer's 16 kHz mono int16 audio and transcribes it as it grows."""

    def __init__(
        self,
        scheduler: TranscriptionScheduler,
        *,
        language: str,
        max_seconds: float,
        on_caption: CaptionSink | None = None,
        params: IncrementalParams | None = None,
        caption_seconds: float = 12.0,
        max_backlog: float = 10.0,
    ) -> None:
        self._scheduler = scheduler
        self._transcriber = IncrementalTranscriber(None, language=language, params=params,
                                                   voice=scheduler.voice_activity())
        self._cadence = self._transcriber.params.cadence
        self._on_caption = on_caption
        self._meters = scheduler.meters
        self._caption_seconds = caption_seconds
        self._last_caption = ""
        self._captioned_until = 0  # the newest audio a caption sent so far covered (timeline sample)
        self._max_samples = int(max_seconds * SAMPLE_RATE)
        self._max_backlog = int(max_backlog * SAMPLE_RATE)
        self._received = 0  # samples taken (the answer timeline)
        self._inbox: list[np.ndarray] = []
        self._inbox_samples = 0
        self._arrivals: deque[tuple[int, float]] = deque(maxlen=4096)  # (timeline sample, monotonic time)
        self.dropped_samples = 0
        self._ending = False  # the answer is ending: its last audio is in flight
        self._finishing = False  # no more audio
        self._closed = False
        self._wake = asyncio.Event()
        self._jobs: set[Job] = set()  # recognitions in flight, withdrawn if the answer is abandoned
        self._driver = asyncio.create_task(self._drive(), name="live-transcription")

    @property
    def seconds(self) -> float:
        """Seconds of answer audio taken so far (the answer's timeline)."""
        return self._received / SAMPLE_RATE

    # --- audio in (event loop, never blocks) ----------------------------------------------------

    def push(self, pcm: np.ndarray) -> None:
        """Append audio; what exceeds the answer's limit or the VAD backlog is dropped and counted."""
        if self._finishing or self._closed or pcm.size == 0:
            return
        room = min(self._max_samples - self._received, self._max_backlog - self._inbox_samples)
        if pcm.size > room:
            self._drop(pcm.size - max(room, 0))
            pcm = pcm[: max(room, 0)]
        if pcm.size:
            self._inbox.append(pcm.astype(np.int16, copy=False))
            self._inbox_samples += pcm.size
            self._received += pcm.size
            self._arrivals.append((self._received, time.monotonic()))
            if self._inbox_samples >= _VAD_BATCH:
                self._wake.set()

    def _drop(self, samples: int) -> None:
        self.dropped_samples += samples
        self._meters.dropped_audio(samples / SAMPLE_RATE)

    # --- the driver -----------------------------------------------------------------------------

    async def _drive(self) -> Transcript:
        jobs: dict[Window, Job] = {}  # at most one committing and one caption window
        while True:
            await self._next_audio()
            for window, job in [(w, j) for w, j in jobs.items() if j.future.done()]:
                del jobs[window]
                self._settle(window, job)
            if self._finishing or self._ending:
                break
            for window in [w for w, j in jobs.items() if self._superseded(w, j)]:
                del jobs[window]  # the newer caption window takes its place in the scheduler's line
                self._transcriber.discard(window)
            while (window := self._transcriber.next_window(slower=self._scheduler.caption_slowdown())) is not None:
                job = self._submit(window)
                if job is None:
                    break
                jobs[window] = job
        commit = None
        for window, job in jobs.items():
            if self._scheduler.withdraw(job):
                self._transcriber.discard(window)  # not started: the last windows hear its audio
            elif window.commits:
                commit = (window, job)  # running: the last windows go on from where it will commit up to
            # a caption already running is not waited for: it commits nothing, its result is not used
        tentative = await self._tentative_finals()
        await self._segment()  # audio pushed while the last batch was being segmented
        if commit is not None and self._transcriber.is_outstanding(commit[0]):
            await asyncio.wait([commit[1].future])
            self._settle(*commit)
        if tentative and self._transcriber.is_outstanding(tentative[0][0]):
            await asyncio.wait([job.future for _, job in tentative])
            self._confirm(tentative)
        while not self._transcriber.done:
            last = [(window, self._submit(window)) for window in self._transcriber.finish_windows()]
            if commit is not None and self._transcriber.is_outstanding(commit[0]):
                await asyncio.wait([commit[1].future])
                self._settle(*commit)
            if last and not self._transcriber.is_outstanding(last[0][0]):
                for _, job in last:  # the commit they went on from failed: given again, from its start
                    self._scheduler.withdraw(job)
                continue
            if last:
                await asyncio.wait([job.future for _, job in last])
            for window, job in last:
                self._settle(window, job)
        self._meters.speech(self._transcriber.stats.speech_seconds)
        if self._transcriber.stats.untranscribed_seconds:
            self._meters.dropped_audio(self._transcriber.stats.untranscribed_seconds)
        return self._transcriber.result()

    async def _tentative_finals(self) -> list[tuple[Window, Job]]:
        """If the answer is ending but its last audio is still in flight, start recognising its last
        windows now and take in the rest while they run."""
        if self._finishing:
            return []
        tentative = [(window, self._submit(window)) for window in self._transcriber.tentative_finals()]
        while not self._finishing:
            await self._next_audio()
        return tentative

    def _confirm(self, tentative: list[tuple[Window, Job]]) -> None:
        """Keep the tentative last windows if no speech came after them; else the real ones follow."""
        windows = [window for window, _ in tentative]
        transcripts = [_outcome(job)[0] for _, job in tentative]
        if any(transcript is None for transcript in transcripts):
            self._transcriber.discard(windows[0])
            log.debug("a tentative last window failed; the last windows are recognised again")
        elif not self._transcriber.finish_with(windows, transcripts):
            log.debug("the tentative last windows were not kept: speech came after them")
        else:
            log.debug("tentative last windows of %s s kept: waited %s s, recognised in %s s",
                      "+".join(f"{w.seconds:.1f}" for w in windows),
                      "/".join(f"{job.started_at - job.submitted:.2f}" for _, job in tentative),
                      "/".join(f"{job.busy:.2f}" for _, job in tentative))

    async def _next_audio(self) -> None:
        """Wait to be woken (audio, a finished job, the end) and segment what audio arrived."""
        await self._wake.wait()
        self._wake.clear()
        await self._segment()

    async def _segment(self) -> None:
        if not self._inbox:
            return
        pcm = np.concatenate(self._inbox)
        self._inbox.clear()
        self._inbox_samples = 0
        await self._scheduler.segment(self._transcriber.push, pcm)

    def _superseded(self, window: Window, job: Job) -> bool:
        """A waiting caption window is stale once another cadence of speech has arrived after it."""
        return (job.priority is Priority.CAPTION and not job.started
                and self._transcriber.speech_after(window.end) >= self._cadence)

    def _submit(self, window: Window) -> Job | None:
        priority = priority_of(window)
        try:
            job = self._scheduler.submit(window.audio, language=self._transcriber.language, prompt=window.prompt,
                                         priority=priority, stream=self, provisional=window.provisional)
        except SchedulerOverloaded:
            self._transcriber.discard(window)  # its audio goes into the next window
            if window.final:
                raise
            return None
        self._jobs.add(job)
        job.future.add_done_callback(lambda _: self._job_done(job))
        return job

    def _job_done(self, job: Job) -> None:
        self._jobs.discard(job)
        if not job.future.cancelled():
            job.future.exception()  # retrieved: a recognition given up on (a caption at the end) may fail unseen
        self._wake.set()

    def _settle(self, window: Window, job: Job) -> None:
        """Feed a finished job's result back: accept it, or give its audio to the next window."""
        transcript, error = _outcome(job)
        if transcript is None:
            self._transcriber.discard(window)
            if isinstance(error, TranscriptionClosed) or window.final:
                raise error or TranscriptionClosed("the last window was withdrawn")
            if error is not None:
                log.warning("a caption or commit recognition failed; its audio goes into the next window: %s", error)
            return
        committed = self._transcriber.accept(window, transcript)
        log.debug("%s window of %.1f s (to %.1f s): waited %.2f s, recognised in %.2f s; %d words heard, %d committed",
                  job.priority.name.lower(), window.seconds, window.end / SAMPLE_RATE,
                  job.started_at - job.submitted, job.busy, len(transcript.words), len(committed))
        if not window.final:
            self._caption(window)

    def _caption(self, window: Window) -> None:
        words: tuple[Word, ...] = self._transcriber.committed + self._transcriber.unconfirmed
        if not words or self._on_caption is None:
            return
        since = words[-1].end - self._caption_seconds
        text = "".join(w.text for w in words if w.end >= since).strip()
        if not text or text == self._last_caption:
            return
        self._last_caption = text
        if window.end > self._captioned_until:  # the lag of the newest speech a caption shows
            self._captioned_until = window.end
            self._meters.caption_lag(time.monotonic() - self._arrived(window.end))
        self._on_caption(text)

    def _arrived(self, sample: int) -> float:
        """When the audio up to timeline sample `sample` had arrived."""
        index = bisect.bisect_left(self._arrivals, (sample, float("-inf")))
        if index >= len(self._arrivals):
            return time.monotonic()
        return self._arrivals[index][1]

    # --- the end --------------------------------------------------------------------------------

    def expect_end(self) -> None:
        """The answer ends now, but its last audio is still in flight (a moment of network and jitter
        buffer): start recognising its last window already. `finish()` then confirms it if no speech
        came after it (the usual case: people stop speaking before they click), or recognises the
        real last window."""
        if not (self._finishing or self._closed):
            self._ending = True
            self._wake.set()

    async def finish(self) -> Transcript:
        """End input and return the final transcript of everything pushed."""
        if self._finishing or self._closed:
            raise TranscriptionClosed("this answer's transcription is already finished")
        self._finishing = True
        self._wake.set()
        return await self._driver

    async def aclose(self) -> None:
        """Abandon the answer: stop the driver and withdraw its waiting recognition."""
        self._closed = True
        self._inbox.clear()
        if not self._driver.done():
            self._driver.cancel()
        await asyncio.gather(self._driver, return_exceptions=True)
        for job in list(self._jobs):
            self._scheduler.withdraw(job)
