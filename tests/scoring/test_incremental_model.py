"""Incremental transcription with the real Whisper base model, against transcribing each answer whole.

Answers are built from recorded clips with silences between them and end right after the last
word (as when the candidate clicks "finish"). Figures (compute per second, audio sent, the tail
left for finish) are printed, never asserted: timings belong to bench/incremental.py.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import opencc
import pytest
from accuracy import character_error_rate, corpus_word_error_rate, word_error_rate
from speech_answers import CLIP_SILENCE, Answer, build_answer, stream_answer

from scoring.asr import Quality, WhisperRecognizer
from scoring.incremental import IncrementalParams, IncrementalStats
from scoring.model import ensure_bundled_model
from scoring.transcript import Transcript

pytestmark = pytest.mark.model

PARAMS = IncrementalParams()


@dataclass
class Run:
    answer: Answer
    incremental: Transcript
    whole: Transcript
    stats: IncrementalStats
    cpu: float  # process CPU seconds spent recognising, incrementally
    whole_cpu: float


@pytest.fixture(scope="module")
def recognizer(tmp_path_factory):
    return WhisperRecognizer(ensure_bundled_model(tmp_path_factory.mktemp("models")), threads=1)  # as a server worker


def transcribe(recognizer: WhisperRecognizer, answer: Answer, language: str) -> Run:
    streamed = stream_answer(recognizer, answer.pcm, language, PARAMS)
    started = time.process_time()
    whole = recognizer.recognize(answer.pcm.astype(np.float32) / 32768.0, language=language, quality=Quality.FINAL)
    return Run(answer, streamed.transcriber.result(), whole, streamed.transcriber.stats, streamed.cpu,
               time.process_time() - started)


@pytest.fixture(scope="module")
def english(recognizer) -> list[Run]:
    answers = [
        build_answer(6.0, "q1_lead_deadline_weak.wav", 3.0, "practice_mic_check.wav", trim_end=CLIP_SILENCE),
        build_answer(6.0, "q4_motivation_weak.wav", 3.0, "q3_outage_weak.wav", 3.0, "q2_disagreement_weak.wav",
                     trim_end=CLIP_SILENCE),
        build_answer(6.0, "jfk.wav", 3.0, "librispeech_1995-1837-0001.wav"),  # real voices
        # ends in 34 s without a pause: its last window is long enough to be split in pieces
        build_answer(2.0, "q4_motivation_weak.wav", 3.0, "q3_outage_strong.wav", trim_end=CLIP_SILENCE),
    ]
    runs = [transcribe(recognizer, answer, "en") for answer in answers]
    for run in runs:
        speech = sum(end - start for start, end in run.answer.spans)
        print(f"\n{run.answer.seconds:.1f} s answer, {speech:.1f} s of clips: "
              f"WER incremental {word_error_rate(run.answer.reference, run.incremental.text):.3f}, "
              f"whole {word_error_rate(run.answer.reference, run.whole.text):.3f}; "
              f"{run.stats.model_calls} recognitions, {run.stats.seconds_sent:.1f} s of audio sent; "
              f"left for finish: {run.stats.finish_seconds_sent:.1f} s; "
              f"ASR CPU {run.cpu / speech:.2f} s per second of speech, {run.cpu / run.answer.seconds:.2f} per "
              f"second of audio (whole answer at once: {run.whole_cpu / speech:.2f}, "
              f"{run.whole_cpu / run.answer.seconds:.2f})")
    return runs


def test_incremental_transcripts_are_as_accurate_as_whole_answers(english):
    """Over the answers, the incremental WER is within 0.02 of transcribing each answer whole."""
    references = [run.answer.reference for run in english]
    incremental = corpus_word_error_rate(references, [run.incremental.text for run in english])
    whole = corpus_word_error_rate(references, [run.whole.text for run in english])
    print(f"\ncorpus WER: incremental {incremental:.3f}, whole answers {whole:.3f}")
    assert incremental <= whole + 0.02, [run.incremental.text for run in english]


def test_word_times_are_monotonic_and_inside_the_clips(english):
    """Every word is timed on the original answer timeline: in order, and within the clip it was said in."""
    for run in english:
        words = run.incremental.words
        assert words
        for earlier, later in zip(words, words[1:], strict=False):
            assert earlier.start <= earlier.end <= later.start <= later.end
        for word in words:
            assert any(start - 0.1 <= word.start and word.end <= end + 0.1 for start, end in run.answer.spans), word


def test_no_audio_inside_long_silences_is_sent(english):
    """What the model heard lies within the clips (plus the VAD padding): the 3 s and 6 s silences cost nothing."""
    slack = PARAMS.vad.pad + 0.1
    for run in english:
        for start, end in run.stats.sent:
            assert any(a - slack <= start and end <= b + slack for a, b in run.answer.spans), (start, end)


def test_finish_transcribes_only_the_tail(english):
    """After the last word, the speech since the last commit is left (in pieces of at most `final_piece`
    seconds), not the whole answer."""
    bound = PARAMS.commit_window + 0.5
    for run in english:
        assert run.stats.finish_calls <= math.ceil(bound / PARAMS.final_piece)
        assert run.stats.finish_seconds_sent <= bound
    assert any(run.stats.finish_calls == 2 for run in english)  # the answer ending in long speech
    longest = max(english, key=lambda run: run.answer.seconds)
    assert longest.stats.finish_seconds_sent < 0.5 * sum(b - a for a, b in longest.answer.spans)


def test_mandarin_answer_is_committed_character_by_character(recognizer):
    """Two Mandarin clips with silences: simplified characters, as accurate as the whole answer."""
    answer = build_answer(6.0, "aishell_BAC009S0724W0121.wav", 3.0, "aishell_BAC009S0764W0121.wav")
    run = transcribe(recognizer, answer, "zh")
    text = run.incremental.text
    assert opencc.OpenCC("t2s").convert(text) == text
    cer = character_error_rate(answer.reference, text)
    whole_cer = character_error_rate(answer.reference, run.whole.text)
    print(f"\nMandarin: CER incremental {cer:.3f} ({text}), whole {whole_cer:.3f} ({run.whole.text})")
    assert cer <= whole_cer + 0.05
    assert all(len(word.text.strip("，。、？！ ")) == 1 for word in run.incremental.words)
    assert all(any(a - 0.4 <= start and end <= b + 0.4 for a, b in answer.spans) for start, end in run.stats.sent)
