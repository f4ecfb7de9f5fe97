"""Speech recognition with faster-whisper: one model, blocking calls, typed results.

`WhisperRecognizer.recognize` is blocking and must run in a worker thread (the scheduler does
that); it materialises faster-whisper's lazy segment generator inside the call, so no decoding
work leaks back onto the event loop.
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from .transcript import Transcript, Word

if TYPE_CHECKING:
    from .vad import VoiceActivity

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
    """How much effort a recognition gets (see `WhisperRecognizer.recognize`)."""

    CAPTION = "caption"  # greedy decoding, short encoder window: a caption hypothesis, heard again later
    COMMIT = "commit"  # beam search with temperature fallback, short encoder window: committed as it is
    FINAL = "final"  # beam search with fallback, Whisper's full 30 s window: whole recordings


class SpeechRecognizer(Protocol):
    """Anything that turns 16 kHz mono float32 audio into a transcript (blocking), and finds where
    speech is in a stream (a fresh `VoiceActivity` per stream, see scoring.vad)."""

    def recognize(self, audio: np.ndarray, *, language: str, quality: Quality, prompt: str = "",
                  provisional: float = 0.0) -> Transcript: ...

    def voice_activity(self) -> VoiceActivity: ...


# The encoder's input. Whisper pads every window to 30 s (3000 feature frames) and the encoder's
# cost is about proportional to its input; windows of live speech are short (a few seconds), so
# they are padded only to the next of the sizes their quality allows — as whisper.cpp's
# `audio_ctx` does. On the test clips (12 s windows, 15 s input) the text changed by 0-13 % WER
# either way and the recognition cost 45 % less CPU. Caption windows may go down to 10 s (a 4 s
# caption costs 0.20 s of one core instead of 0.25 s); committed windows keep at least 15 s,
# because with 10 s Whisper base added words after short Mandarin phrases. Whole recordings
# (`FINAL`) keep 30 s.
#
# A window must leave the encoder input some silence after it (`_ENCODER_HEADROOM`): Whisper
# reads audio that runs up to the end of its input as speech cut off mid-word, keeps seeking back
# and decoding the rest again, and a 14.5–15 s window in a 15 s input cost 10–13 s of CPU
# instead of 0.5 s (measured on the test clips, beam 5). With 2 s of headroom no window did.
_WHISPER_FRAMES = 3000
_ENCODER_HEADROOM = 200  # feature frames (10 ms each)
_ENCODER_FRAMES = {"caption": (1000, 1500), "commit": (1500,), "final": ()}
_encoder_frames = threading.local()


class _ProvisionalTail(Exception):
    """What is left to decode lies in the window's provisional tail: not decoded (see `_decode`)."""


def _pad_or_trim(array: np.ndarray, length: int = _WHISPER_FRAMES, *, axis: int = -1) -> np.ndarray:
    """faster-whisper's `pad_or_trim` (called once per pass over a window), padding a short window only
    to the encoder size this thread allows — and stopping before a pass over the provisional tail."""
    if length == _WHISPER_FRAMES:
        passes = getattr(_encoder_frames, "passes", None)
        if passes is not None:
            if passes and array.shape[axis] <= _encoder_frames.provisional:
                raise _ProvisionalTail
            _encoder_frames.passes = passes + 1
        sizes = getattr(_encoder_frames, "sizes", ())
        length = next((frames for frames in sizes if array.shape[axis] + _ENCODER_HEADROOM <= frames),
                      _WHISPER_FRAMES)
    return _faster_whisper_pad_or_trim(array, length, axis=axis)


def _install_short_windows() -> None:
    global _faster_whisper_pad_or_trim
    import faster_whisper.transcribe as fw

    if fw.pad_or_trim is not _pad_or_trim:
        _faster_whisper_pad_or_trim = fw.pad_or_trim
        fw.pad_or_trim = _pad_or_trim


_faster_whisper_pad_or_trim = None


class _Simplifier:
    """Traditional → Simplified Chinese conversion, loaded on first use."""

    def __init__(self) -> None:
        self._converter = None

    def __call__(self, text: str) -> str:
        if self._converter is None:
            import opencc

            self._converter = opencc.OpenCC("t2s")
        return self._converter.convert(text)


# Recognition yields the CPU to live media: the model's threads run this much nicer than the rest
# of the process. A server pushed past its seats (bench/load.py with 16 candidates on 2 cores)
# otherwise let recognition starve the event loop, and WebRTC audio was lost before it was read.
ASR_NICENESS = 5


def lower_thread_priority(steps: int = ASR_NICENESS) -> None:
    """Make the calling thread `steps` nicer (Linux: niceness is per thread, and inherited by the
    threads it starts). Where that is not allowed, it is logged and nothing changes."""
    if steps == 0:
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + steps))
    except (AttributeError, OSError) as exc:
        log.info("could not lower the speech recognition threads' priority: %s", exc)


class WhisperRecognizer:
    """faster-whisper on the CPU with int8 weights, shared by every interview in the process."""

    def __init__(self, model_dir: Path, *, threads: int = 0, workers: int = 1, niceness: int = ASR_NICENESS) -> None:
        """`threads`: CPU (intra-op) threads each `recognize` call uses; 0 = CTranslate2's default
        (4, or OMP_NUM_THREADS when that is set). `workers`: how many `recognize` calls, from
        different Python threads, run at the same time (model replicas sharing the weights). The
        model's own threads run `niceness` nicer than the process (0: as the process)."""
        from faster_whisper import WhisperModel

        # Built in a nicer thread: the threads the model starts inherit its priority.
        with ThreadPoolExecutor(1, thread_name_prefix="asr-load", initializer=lower_thread_priority,
                                initargs=(niceness,)) as pool:
            self._model = pool.submit(WhisperModel, str(model_dir), device="cpu", compute_type="int8",
                                      cpu_threads=threads, num_workers=workers).result()
        _install_short_windows()
        self._simplify = _Simplifier()

    def voice_activity(self) -> VoiceActivity:
        """Silero, the voice activity model faster-whisper bundles."""
        from .vad import SileroVoiceActivity  # vad imports this module's SAMPLE_RATE

        return SileroVoiceActivity()

    def recognize(self, audio: np.ndarray, *, language: str, quality: Quality, prompt: str = "",
                  provisional: float = 0.0) -> Transcript:
        """`prompt`: text said just before `audio` (e.g. an answer's committed words), to continue from.
        `provisional`: the last this-many seconds will be heard again (a caption window, the right
        context of a long one), so the words ending there need not be finished.

        Whisper decodes a window in passes: when it takes its last segment for unfinished (speech
        running up to the window's end, as live windows do), it seeks back to the last word and
        decodes the rest again — another encoder pass, and over a second of padding it sometimes
        hallucinates ("Yes.") through every temperature fallback (a 24 s commit took 4.7 s). A pass
        that would start inside the provisional tail is not made.

        A prompt occasionally sends Whisper into a repetition loop, which `is_speech_segment`
        rejects; the words of that window would be lost, so it is recognised once more without it."""
        audio = np.ascontiguousarray(audio, dtype=np.float32)
        decoded = self._decode(audio, language, quality, prompt, provisional)
        if prompt and any(segment.compression_ratio > _MAX_COMPRESSION_RATIO for segment in decoded):
            log.info("a prompted window decoded as a repetition loop; recognising it again without the prompt")
            decoded = self._decode(audio, language, quality, "", provisional)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s window of %.1f s: %d segments, temperatures %s", quality.value, audio.size / SAMPLE_RATE,
                      len(decoded), sorted({segment.temperature for segment in decoded}))
            for segment in decoded:
                if segment.temperature > 0:
                    log.debug("  fallback segment %.1f-%.1f t=%.1f cr=%.2f lp=%.2f nsp=%.2f prompt=%r text=%r",
                              segment.start, segment.end, segment.temperature, segment.compression_ratio,
                              segment.avg_logprob, segment.no_speech_prob, prompt[-80:], segment.text)
        texts: list[str] = []
        words: list[Word] = []
        for segment in decoded:
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
        return Transcript(text=text, words=tuple(words), language=language, audio_seconds=audio.size / SAMPLE_RATE)

    def _decode(self, audio: np.ndarray, language: str, quality: Quality, prompt: str, provisional: float) -> list:
        greedy = quality is Quality.CAPTION
        _encoder_frames.sizes = _ENCODER_FRAMES[quality.value]
        _encoder_frames.passes = 0
        _encoder_frames.provisional = int(provisional * 100)  # feature frames
        decoded: list = []
        try:
            segments, _info = self._model.transcribe(
                audio,
                language=language,
                beam_size=1 if greedy else 5,
                temperature=0.0 if greedy else [0.0, 0.2, 0.4, 0.6],
                word_timestamps=True,  # incremental transcription places every word on the answer's timeline
                vad_filter=True,
                condition_on_previous_text=False,  # no repetition loops carried from one window to the next
                initial_prompt=((_ZH_PROMPT if language == "zh" else "") + prompt) or None,
            )
            for segment in segments:  # the generator decodes lazily: consume it here, in this thread
                decoded.append(segment)
        except _ProvisionalTail:
            pass  # the segments of the passes made are complete
        finally:
            _encoder_frames.sizes = ()
            _encoder_frames.passes = None
        return decoded
