"""Answers built from the recorded clips: silence, clip, silence, clip … on one 16 kHz timeline."""

from __future__ import annotations

import json
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scoring.asr import SpeechRecognizer
from scoring.incremental import IncrementalParams, IncrementalTranscriber, Window
from scoring.live import recognize_window

DATA = Path(__file__).resolve().parent.parent / "data"
RATE = 16_000
CLIP_SILENCE = 0.5  # seconds of silence the synthesized clips (tests/data/speech) carry at each end


def _manifest(folder: str) -> dict[str, dict]:
    return {clip["file"]: clip for clip in json.loads((DATA / folder / "manifest.json").read_text())["clips"]}


def clip(name: str) -> tuple[np.ndarray, str]:
    """(int16 PCM, reference text) of a clip from tests/data/speech or tests/data/real."""
    for folder, key in (("speech", "text"), ("real", "transcript")):
        entry = _manifest(folder).get(name)
        if entry is not None:
            with wave.open(str(DATA / folder / name)) as w:
                assert w.getframerate() == RATE and w.getnchannels() == 1
                return np.frombuffer(w.readframes(w.getnframes()), np.int16), entry[key]
    raise KeyError(name)


@dataclass(frozen=True)
class Answer:
    pcm: np.ndarray  # int16
    spans: tuple[tuple[float, float], ...]  # each clip's (start, end) on the answer timeline, seconds
    reference: str

    @property
    def seconds(self) -> float:
        return self.pcm.size / RATE

    def silences(self) -> list[tuple[float, float]]:
        """The stretches between clips (and before the first), seconds."""
        out, previous = [], 0.0
        for start, end in self.spans:
            out.append((previous, start))
            previous = end
        return out


def build_answer(*parts: str | float, trim_end: float = 0.0) -> Answer:
    """build_answer(6.0, "a.wav", 3.0, "b.wav"): numbers are seconds of digital silence, names clips.

    `trim_end` cuts that much off the end, e.g. the clip's trailing silence, as when the
    candidate clicks "finish" right after speaking.
    """
    pcm, spans, texts, position = [], [], [], 0
    for part in parts:
        if isinstance(part, str):
            audio, text = clip(part)
            spans.append((position / RATE, (position + audio.size) / RATE))
            texts.append(text)
        else:
            audio = np.zeros(int(part * RATE), np.int16)
        pcm.append(audio)
        position += audio.size
    joined = np.concatenate(pcm)
    if trim_end:
        joined = joined[: joined.size - int(trim_end * RATE)]
    return Answer(joined, tuple(spans), " ".join(texts))


def chunks(pcm: np.ndarray, size: int = 320):
    """The PCM in pieces of `size` samples (320 = 20 ms, as WebRTC delivers audio)."""
    for offset in range(0, pcm.size, size):
        yield pcm[offset:offset + size]


@dataclass
class Streamed:
    """An answer streamed through an incremental transcriber with the real model."""

    transcriber: IncrementalTranscriber  # finished
    cpu: float  # process CPU seconds spent recognising
    finish_wall: float  # wall seconds from the end of the audio to the final transcript (its pieces one by one)
    last_windows: int  # the pieces the last window was split into


def stream_answer(recognizer: SpeechRecognizer, pcm: np.ndarray, language: str,
                  params: IncrementalParams | None = None) -> Streamed:
    """Stream `pcm` in 20 ms chunks, recognising each window as soon as it is due with the effort
    the server gives its kind (the recogniser is never behind: this measures the policy)."""
    transcriber = IncrementalTranscriber(None, language=language, params=params)
    cpu = 0.0

    def recognize(window: Window) -> None:
        nonlocal cpu
        started = time.process_time()
        transcript = recognize_window(recognizer, window, language)
        cpu += time.process_time() - started
        transcriber.accept(window, transcript)

    for piece in chunks(pcm):
        transcriber.push(piece)
        while (window := transcriber.next_window()) is not None:
            recognize(window)
    wall = time.perf_counter()
    last = transcriber.finish_windows()
    for window in last:  # one after the other here; the server recognises them side by side
        recognize(window)
    return Streamed(transcriber, cpu, time.perf_counter() - wall, len(last))
