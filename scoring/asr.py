"""Speech recognition with faster-whisper: one model, blocking calls, typed results.

`WhisperRecognizer.recognize` is blocking and must run in a worker thread (the scheduler does
that); it materialises faster-whisper's lazy segment generator inside the call, so no decoding
work leaks back onto the event loop.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from pathlib import Path
from typing import Protocol

import numpy as np

from .transcript import Transcript, Word

log = logging.getLogger(__name__)

SAMPLE_RATE = 16_000

# Whisper sometimes writes Mandarin in traditional characters; this prompt biases it towards
# simplified, and OpenCC converts whatever traditional characters remain.
_ZH_PROMPT = "以下是普通话的句子，使用简体中文。"
# Whisper's threshold for "this decode is a repetition loop" (gzip compression ratio of the text).
_MAX_COMPRESSION_RATIO = 2.4


def is_speech_segment(no_speech_prob: float, avg_logprob: float, compression_ratio: float) -> bool:
    """Whisper's own tests for a decoded window that holds no real words.

    A window that is probably silence and decoded with low confidence, or a decode whose text
    is a repetition loop ("请问问问问…", gzip ratio above 2.4) after every temperature fallback
    failed, is not speech.
    """
    if no_speech_prob > 0.6 and avg_logprob < -1.0:
        return False
    return compression_ratio <= _MAX_COMPRESSION_RATIO


class Quality(StrEnum):
    """How much effort a recognition gets: quick captions or the stored transcript."""

    PARTIAL = "partial"
    FINAL = "final"


class SpeechRecognizer(Protocol):
    """Anything that turns 16 kHz mono float32 audio into a transcript (blocking)."""

    def recognize(self, audio: np.ndarray, *, language: str, quality: Quality) -> Transcript: ...


class _Simplifier:
    """Traditional → Simplified Chinese conversion, loaded on first use."""

    def __init__(self) -> None:
        self._converter = None

    def __call__(self, text: str) -> str:
        if self._converter is None:
            import opencc

            self._converter = opencc.OpenCC("t2s")
        return self._converter.convert(text)


class WhisperRecognizer:
    """faster-whisper on the CPU with int8 weights, shared by every interview in the process."""

    def __init__(self, model_dir: Path, *, threads: int = 0) -> None:
        from faster_whisper import WhisperModel

        self._model = WhisperModel(str(model_dir), device="cpu", compute_type="int8", cpu_threads=threads)
        self._simplify = _Simplifier()

    def recognize(self, audio: np.ndarray, *, language: str, quality: Quality, prompt: str = "") -> Transcript:
        """`prompt`: text said just before `audio` (e.g. an answer's committed words), to continue from."""
        audio = np.ascontiguousarray(audio, dtype=np.float32)
        duration = audio.size / SAMPLE_RATE
        final = quality is Quality.FINAL
        segments, _info = self._model.transcribe(
            audio,
            language=language,
            beam_size=5 if final else 1,
            temperature=[0.0, 0.2, 0.4, 0.6] if final else 0.0,
            word_timestamps=final,
            without_timestamps=not final,
            vad_filter=final,
            condition_on_previous_text=False,  # no repetition loops carried from one window to the next
            initial_prompt=((_ZH_PROMPT if language == "zh" else "") + prompt) or None,
        )
        texts: list[str] = []
        words: list[Word] = []
        for segment in segments:  # the generator decodes lazily: consume it here, in this thread
            if not is_speech_segment(segment.no_speech_prob, segment.avg_logprob, segment.compression_ratio):
                log.debug("dropped a segment that is silence or a decoding loop")
                continue
            texts.append(segment.text)
            for w in segment.words or ():
                words.append(Word(w.word, round(w.start, 3), round(w.end, 3), round(w.probability, 4)))
        text = "".join(texts).strip()
        if language == "zh":
            text = self._simplify(text)
            words = [Word(self._simplify(w.text), w.start, w.end, w.probability) for w in words]
        return Transcript(text=text, words=tuple(words), language=language, audio_seconds=duration)
