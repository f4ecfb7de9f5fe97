"""Anomalies: what in an interview HR should look at, decided by small pure rules.

- `interruption`: the candidate's connection dropped (one per drop).
- `repeated_reconnects`: the interview had `REPEATED_RECONNECTS` (3) or more interruptions
  (once per interview).
- `device_check_failed`: the camera or microphone check failed (once per interview).
- `long_silence`: while answering, `LONG_SILENCE_SECONDS` (15 s) of audio went by without
  speech. Decided from the audio already flowing to the transcription (16 kHz mono int16),
  in 100 ms blocks: a block is speech when its RMS level is at least `SPEECH_DBFS` (-45 dBFS;
  a quiet room with a laptop microphone sits around -60 dBFS, speech around -30 to -20 dBFS).
  Counted in audio time, so time spent disconnected is not silence. Once per silent stretch.
- `short_answer`: the candidate spoke for less than `SHORT_ANSWER_SHARE` (20 %) of the time
  the question allows. "Spoke" is the span of the recognised words (first word's start to the
  last word's end), which includes short pauses between sentences but not silence before or
  after; an answer with no words counts as 0 s. Answers cut short by a lost connection are
  not flagged (the interruption already is).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np

from scoring.asr import SAMPLE_RATE
from scoring.transcript import Word, has_content

LONG_SILENCE_SECONDS = 15.0
SPEECH_DBFS = -45.0
BLOCK_SAMPLES = SAMPLE_RATE // 10  # 100 ms
SHORT_ANSWER_SHARE = 0.20
REPEATED_RECONNECTS = 3

# The mean square (of int16 samples) at SPEECH_DBFS: comparing squares avoids a log per block.
_SPEECH_MEAN_SQUARE = (32768.0 * 10 ** (SPEECH_DBFS / 20)) ** 2


class AnomalyKind(StrEnum):
    INTERRUPTION = "interruption"
    LONG_SILENCE = "long_silence"
    DEVICE_CHECK_FAILED = "device_check_failed"
    SHORT_ANSWER = "short_answer"
    REPEATED_RECONNECTS = "repeated_reconnects"


@dataclass(frozen=True)
class NewAnomaly:
    kind: AnomalyKind
    question: int | None  # 0-based question index, or None when it is about the whole interview
    detail: dict[str, Any] = field(default_factory=dict)


class SilenceDetector:
    """Feed one answer's audio; `push()` returns the silent seconds once a stretch reaches the limit."""

    def __init__(self, limit_seconds: float = LONG_SILENCE_SECONDS) -> None:
        self._limit = int(limit_seconds * SAMPLE_RATE)
        self._block_sum = 0.0  # sum of squares of the block being filled
        self._block_fill = 0
        self._silent = 0  # samples of silence since the last speech block
        self._reported = False  # this stretch was already reported

    @property
    def silent_seconds(self) -> float:
        return self._silent / SAMPLE_RATE

    def push(self, pcm: np.ndarray) -> float | None:
        crossed = None
        start = 0
        while start < pcm.size:
            take = min(BLOCK_SAMPLES - self._block_fill, pcm.size - start)
            piece = pcm[start:start + take].astype(np.float32)
            self._block_sum += float(np.dot(piece, piece))
            self._block_fill += take
            start += take
            if self._block_fill == BLOCK_SAMPLES:
                if self._block_sum / BLOCK_SAMPLES >= _SPEECH_MEAN_SQUARE:
                    self._silent, self._reported = 0, False
                else:
                    self._silent += BLOCK_SAMPLES
                    if self._silent >= self._limit and not self._reported:
                        self._reported = True
                        crossed = self.silent_seconds
                self._block_sum, self._block_fill = 0.0, 0
        return crossed


def spoken_seconds(words: Sequence[Word]) -> float:
    """The span from the first recognised word's start to the last one's end (0 without words)."""
    spoken = [w for w in words if has_content(w.text)]
    if not spoken:
        return 0.0
    return max(0.0, spoken[-1].end - spoken[0].start)


def short_answer(question: int, words: Sequence[Word], allowed_seconds: float, *,
                 cut_short: bool = False) -> NewAnomaly | None:
    if cut_short or allowed_seconds <= 0:
        return None
    spoke = spoken_seconds(words)
    share = spoke / allowed_seconds
    if share >= SHORT_ANSWER_SHARE:
        return None
    return NewAnomaly(AnomalyKind.SHORT_ANSWER, question,
                      {"spoke_seconds": round(spoke, 1), "allowed_seconds": allowed_seconds, "share": round(share, 3)})


def long_silence(question: int, seconds: float) -> NewAnomaly:
    return NewAnomaly(AnomalyKind.LONG_SILENCE, question, {"seconds": round(seconds, 1)})


def interruption(interruption_id: int, question: int, phase: str) -> NewAnomaly:
    return NewAnomaly(AnomalyKind.INTERRUPTION, question if question >= 0 else None,
                      {"interruption": interruption_id, "phase": phase})


def repeated_reconnects(count: int) -> NewAnomaly | None:
    if count < REPEATED_RECONNECTS:
        return None
    return NewAnomaly(AnomalyKind.REPEATED_RECONNECTS, None, {"count": count})


def device_check_failed(*, camera: bool, microphone: bool, problem: str | None) -> NewAnomaly | None:
    if camera and microphone:
        return None
    return NewAnomaly(AnomalyKind.DEVICE_CHECK_FAILED, None,
                      {"camera": camera, "microphone": microphone, "problem": problem})
