"""A fake speech recognizer for tests that need no model."""

from __future__ import annotations

import threading
import time

import numpy as np

from scoring.asr import SAMPLE_RATE, Quality
from scoring.transcript import Transcript, Word


class LevelVoiceActivity:
    """Voice activity by level, standing in for Silero where tests "speak" with tones (which Silero,
    rightly, does not take for speech): a 32 ms window louder than -40 dBFS is speech."""

    def probabilities(self, windows: np.ndarray) -> np.ndarray:
        rms = np.sqrt(np.mean(np.square(windows), axis=1))
        return (rms > 0.01).astype(np.float32)


class FakeRecognizer:
    """Says how much non-silent audio it got; records every call; can be slowed down or held."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.calls: list[tuple[Quality, float]] = []
        self.gate = threading.Event()
        self.gate.set()

    def voice_activity(self) -> LevelVoiceActivity:
        return LevelVoiceActivity()

    def recognize(self, audio: np.ndarray, *, language: str, quality: Quality, prompt: str = "",
                  provisional: float = 0.0) -> Transcript:
        self.gate.wait(5)
        time.sleep(self.delay)
        seconds = audio.size / SAMPLE_RATE
        self.calls.append((quality, seconds))
        loud = float(np.mean(np.abs(audio) > 0.01)) if audio.size else 0.0
        if loud == 0:
            return Transcript("", (), language, seconds)
        words = tuple(Word(f" word{i}", i + 0.1, i + 0.7) for i in range(max(1, int(seconds))))
        return Transcript("".join(w.text for w in words).strip(), words, language, seconds)


def tone(seconds: float, amplitude: float = 0.3) -> np.ndarray:
    """int16 PCM at 16 kHz: a 220 Hz tone standing in for speech."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (np.sin(2 * np.pi * 220 * t) * amplitude * 32767).astype(np.int16)
