"""Voice activity: where speech starts, pauses and ends in one answer, as its audio arrives.

`SpeechSegmenter` runs the Silero VAD model that faster-whisper bundles
(`faster_whisper/assets/silero_vad_v6.onnx`) over a stream of 16 kHz mono int16 chunks of any
size and reports `VadEvent`s with sample offsets on the answer's timeline (sample 0 = the first
sample pushed). The model scores 512-sample windows (32 ms), each fed with the last 64 samples of
the window before it and the LSTM state carried across calls, so the streamed probabilities are
exactly those `faster_whisper.vad.get_speech_timestamps` computes over a whole file; the
segmenting on top follows its rules (threshold with hysteresis, minimum silence, padding), decided
as the audio arrives.

Parameters (`VadParams`) and why:

- `threshold` 0.5 / `neg_threshold` 0.35: Silero's defaults as faster-whisper uses them; a
  probability between the two neither starts nor ends speech (hysteresis).
- `min_speech` 0.25 s: a click or cough shorter than this never opens speech (Silero's default).
- `min_silence` 0.5 s: a pause this long ends a speech segment. The pauses between words and at
  commas (0.1–0.4 s) stay inside a segment; sentence ends in natural speech usually last longer
  and let the transcriber commit at once.
- `pad` 0.25 s on each side of a segment is kept as part of it, so soft onsets (fricatives the
  model scores late) and trailing sounds are not clipped. At most `min_silence / 2`, so padded
  segments never overlap.
- `min_gap` 0.1 s: shorter silences inside a segment are not reported; longer ones are, as `GAP`
  events — the places where audio can be cut mid-segment without cutting a word.

Cost: about 2 ms of one core per second of audio (`measure_cost`, 20 ms chunks), one model call
per 32 ms of audio at most.

Threading: the ONNX session is created once per process (`silero_session`, under a lock) with
one intra-op thread, as faster-whisper configures it, and onnxruntime allows concurrent `run`
calls on one session, so segmenters may share it from any threads. A `SpeechSegmenter` itself is
NOT thread-safe: its owner feeds it from one thread at a time — in the server, the scheduler's
voice-activity thread (it is cheap enough for the event loop, but it is model inference).

The model is pluggable: a segmenter asks a `VoiceActivity` (one per stream, it may keep state)
for the speech probability of each window. `SileroVoiceActivity` is the real one; unit tests that
speak with tones pass a level-based stand-in.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import numpy as np

from .asr import SAMPLE_RATE
from .errors import VadError

WINDOW = 512  # samples the model scores at a time (32 ms at 16 kHz)
_CONTEXT = 64  # samples of the previous window prepended to each window
_STATE_SHAPE = (1, 1, 128)
_MODEL_FILE = "silero_vad_v6.onnx"


@dataclass(frozen=True)
class VadParams:
    """Segmenting parameters (see the module docstring for why these values)."""

    threshold: float = 0.5
    neg_threshold: float = 0.35
    min_speech: float = 0.25
    min_silence: float = 0.5
    pad: float = 0.25
    min_gap: float = 0.1

    def __post_init__(self) -> None:
        if not 0 < self.neg_threshold <= self.threshold < 1:
            raise ValueError("VAD thresholds need 0 < neg_threshold <= threshold < 1")
        if self.pad > self.min_silence / 2:
            raise ValueError("VAD pad must be at most half of min_silence, or padded segments would overlap")
        if self.min_gap >= self.min_silence:
            raise ValueError("VAD min_gap must be shorter than min_silence")


class VadEventKind(StrEnum):
    STARTED = "started"  # speech begins at `sample` (padding included)
    GAP = "gap"  # a short silence inside speech; `sample` is its middle, a safe place to cut
    ENDED = "ended"  # speech ended at a pause (or at the end of input); `sample` is the padded end


@dataclass(frozen=True)
class VadEvent:
    kind: VadEventKind
    sample: int  # offset on the answer timeline
    silence: int = 0  # GAP: the silence's length in samples

    @property
    def seconds(self) -> float:
        return self.sample / SAMPLE_RATE


_session = None
_session_lock = threading.Lock()


def silero_session():
    """The process's one onnxruntime session over the Silero model bundled with faster-whisper."""
    global _session
    with _session_lock:
        if _session is None:
            import onnxruntime
            from faster_whisper.utils import get_assets_path

            path = Path(get_assets_path()) / _MODEL_FILE
            if not path.is_file():
                raise VadError(f"{path} is missing; faster-whisper 1.2 or later bundles the Silero VAD model")
            options = onnxruntime.SessionOptions()  # as faster-whisper configures it
            options.inter_op_num_threads = 1
            options.intra_op_num_threads = 1
            options.enable_cpu_mem_arena = False
            options.log_severity_level = 4
            _session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"], sess_options=options)
        return _session


class VoiceActivity(Protocol):
    """Speech probabilities of one stream's consecutive 512-sample windows (float32, shape (n, 512))."""

    def probabilities(self, windows: np.ndarray) -> np.ndarray: ...


class SileroVoiceActivity:
    """Silero over one stream: the LSTM state and the 64-sample context carry from call to call."""

    def __init__(self) -> None:
        self._session = silero_session()
        self._h = np.zeros(_STATE_SHAPE, np.float32)
        self._c = np.zeros(_STATE_SHAPE, np.float32)
        self._context = np.zeros(_CONTEXT, np.float32)

    def probabilities(self, windows: np.ndarray) -> np.ndarray:
        contexts = np.concatenate([self._context[None, :], windows[:-1, -_CONTEXT:]])
        self._context = windows[-1, -_CONTEXT:].copy()
        probs, self._h, self._c = self._session.run(
            None, {"input": np.concatenate([contexts, windows], axis=1), "h": self._h, "c": self._c}
        )
        return probs.reshape(-1)


class SpeechSegmenter:
    """Streaming speech/silence segmentation of one answer (one owner thread, see the module doc)."""

    def __init__(self, params: VadParams | None = None, voice: VoiceActivity | None = None) -> None:
        self.params = p = params or VadParams()
        self._voice = voice if voice is not None else SileroVoiceActivity()
        self._pending = np.zeros(0, np.float32)
        self._scored = 0  # samples scored so far (a multiple of WINDOW until `flush`)
        self._pushed = 0
        self._min_speech = int(p.min_speech * SAMPLE_RATE)
        self._min_silence = int(p.min_silence * SAMPLE_RATE)
        self._pad = int(p.pad * SAMPLE_RATE)
        self._min_gap = int(p.min_gap * SAMPLE_RATE)
        self._in_speech = False
        self._candidate: int | None = None  # start of voiced audio not yet long enough to be speech
        self._silence: int | None = None  # start of the current silence inside speech
        self._last_end = 0  # padded end of the previous segment
        self._last_voice = 0  # end of the last window scored as voiced
        self._flushed = False

    @property
    def in_speech(self) -> bool:
        return self._in_speech

    @property
    def last_voice(self) -> int:
        """End (sample) of the last 32 ms window the model scored as voice, speech or not (0 before any)."""
        return self._last_voice

    @property
    def position(self) -> int:
        """Samples pushed so far (the answer timeline's current end)."""
        return self._pushed

    def push(self, pcm: np.ndarray) -> list[VadEvent]:
        """Feed 16 kHz mono int16 audio; return the events it completes, in order."""
        if self._flushed:
            raise VadError("audio pushed after flush()")
        if pcm.size == 0:
            return []
        self._pushed += pcm.size
        self._pending = np.concatenate([self._pending, pcm.astype(np.float32) / 32768.0])
        whole = self._pending.size - self._pending.size % WINDOW
        if whole == 0:
            return []
        windows, self._pending = self._pending[:whole], self._pending[whole:]
        return self._score(windows)

    def flush(self) -> list[VadEvent]:
        """End of input: score the last partial window and end speech that is still going on."""
        if self._flushed:
            return []
        self._flushed = True
        events: list[VadEvent] = []
        if self._pending.size:
            events = self._score(np.pad(self._pending, (0, WINDOW - self._pending.size)))
            self._pending = self._pending[:0]
        if self._in_speech:
            self._in_speech = False
            events.append(VadEvent(VadEventKind.ENDED, self._pushed))
        return events

    def _score(self, audio: np.ndarray) -> list[VadEvent]:
        probs = self._voice.probabilities(audio.reshape(-1, WINDOW))
        events: list[VadEvent] = []
        for prob in probs:
            start = self._scored
            self._scored += WINDOW
            self._step(float(prob), start, events)
        return events

    def _step(self, prob: float, start: int, events: list[VadEvent]) -> None:
        p = self.params
        end = min(start + WINDOW, self._pushed)
        if prob >= p.threshold:
            self._last_voice = end
        if not self._in_speech:
            if prob >= p.threshold:
                if self._candidate is None:
                    self._candidate = start
                if end - self._candidate >= self._min_speech:
                    self._in_speech = True
                    self._silence = None
                    events.append(VadEvent(VadEventKind.STARTED, max(self._candidate - self._pad, self._last_end)))
                    self._candidate = None
            elif prob < p.neg_threshold:
                self._candidate = None
            return
        if prob >= p.threshold:
            if self._silence is not None and start - self._silence >= self._min_gap:
                events.append(VadEvent(VadEventKind.GAP, (self._silence + start) // 2, start - self._silence))
            self._silence = None
        elif prob < p.neg_threshold and self._silence is None:
            self._silence = start
        if self._silence is not None and end - self._silence >= self._min_silence:
            self._in_speech = False
            self._last_end = self._silence + self._pad
            events.append(VadEvent(VadEventKind.ENDED, self._last_end))
            self._silence = None


def measure_cost(pcm: np.ndarray, chunk: int = 320) -> float:
    """Process-CPU seconds the segmenter spends per second of `pcm`, fed in `chunk`-sample pieces.

    320 samples = 20 ms, the size WebRTC audio frames arrive in.
    """
    segmenter = SpeechSegmenter()
    started = time.process_time()
    for offset in range(0, pcm.size, chunk):
        segmenter.push(pcm[offset:offset + chunk])
    segmenter.flush()
    return (time.process_time() - started) / (pcm.size / SAMPLE_RATE)
