"""One answer's live transcription: audio in, partial captions while it runs, one final transcript.

The shape follows the streaming STT interfaces of LiveKit Agents: `push()` audio as it arrives,
`finish()` to end input and get the final result, `aclose()` to abandon. The caption loop is a
task this object owns; both `finish()` and `aclose()` cancel and await it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import numpy as np

from .asr import SAMPLE_RATE
from .errors import TranscriptionClosed
from .scheduler import TranscriptionScheduler
from .transcript import Transcript

log = logging.getLogger(__name__)

CaptionSink = Callable[[str], None]

# Below this level (dBFS) the most recent audio is treated as silence and earns no caption.
_SPEECH_DBFS = -50.0


def level_dbfs(pcm: np.ndarray) -> float:
    """RMS level of int16 PCM in dB relative to full scale (-inf for digital silence)."""
    if pcm.size == 0:
        return float("-inf")
    rms = float(np.sqrt(np.mean(np.square(pcm.astype(np.float32) / 32768.0))))
    return 20.0 * np.log10(rms) if rms > 0 else float("-inf")


class LiveTranscription:
    """Collects one answer's 16 kHz mono int16 audio and transcribes it as it grows."""

    def __init__(
        self,
        scheduler: TranscriptionScheduler,
        *,
        language: str,
        max_seconds: float,
        on_caption: CaptionSink | None = None,
        caption_interval: float = 1.0,
        caption_window: float = 12.0,
    ) -> None:
        self._scheduler = scheduler
        self._language = language
        self._max_samples = int(max_seconds * SAMPLE_RATE)
        self._interval = caption_interval
        self._window = int(caption_window * SAMPLE_RATE)
        self._chunks: list[np.ndarray] = []
        self._samples = 0
        self._captioned_at = 0
        self._last_caption = ""
        self.dropped_samples = 0
        self._closed = False
        self._caption_task: asyncio.Task[None] | None = None
        if on_caption is not None:
            self._caption_task = asyncio.create_task(self._caption_loop(on_caption), name="live-captions")

    @property
    def seconds(self) -> float:
        return self._samples / SAMPLE_RATE

    def push(self, pcm: np.ndarray) -> None:
        """Append audio; what exceeds the answer's limit is dropped and counted, never buffered."""
        if self._closed:
            return
        room = self._max_samples - self._samples
        if pcm.size > room:
            self.dropped_samples += pcm.size - max(room, 0)
            pcm = pcm[: max(room, 0)]
        if pcm.size:
            self._chunks.append(pcm.astype(np.int16, copy=False))
            self._samples += pcm.size

    def _audio(self, last: int | None = None) -> np.ndarray:
        if not self._chunks:
            return np.zeros(0, dtype=np.float32)
        if len(self._chunks) > 1:
            self._chunks = [np.concatenate(self._chunks)]
        pcm = self._chunks[0] if last is None else self._chunks[0][-last:]
        return pcm.astype(np.float32) / 32768.0

    async def _caption_loop(self, on_caption: CaptionSink) -> None:
        while True:
            await asyncio.sleep(self._interval)
            fresh = self._samples - self._captioned_at
            if fresh < SAMPLE_RATE // 2:
                continue
            window = self._audio(self._window)  # also joins the chunks into one array
            recent = self._chunks[0][-fresh:]
            self._captioned_at = self._samples
            if level_dbfs(recent) < _SPEECH_DBFS:
                continue
            try:
                result = await self._scheduler.partial(self, window, language=self._language)
            except TranscriptionClosed:
                return
            if result is not None and result.text and result.text != self._last_caption:
                self._last_caption = result.text
                on_caption(result.text)

    async def _stop_captions(self) -> None:
        if self._caption_task is not None:
            self._caption_task.cancel()
            await asyncio.gather(self._caption_task, return_exceptions=True)
            self._caption_task = None

    async def finish(self) -> Transcript:
        """End input and return the final transcript of everything pushed."""
        if self._closed:
            raise TranscriptionClosed("this answer's transcription is already finished")
        self._closed = True
        await self._stop_captions()
        audio = self._audio()
        self._chunks = []
        if audio.size == 0 or level_dbfs((audio * 32768.0).astype(np.int16)) == float("-inf"):
            return Transcript(text="", words=(), language=self._language, audio_seconds=audio.size / SAMPLE_RATE)
        return await self._scheduler.final(audio, language=self._language)

    async def aclose(self) -> None:
        """Abandon the answer: stop captions and free the audio."""
        self._closed = True
        await self._stop_captions()
        self._chunks = []
