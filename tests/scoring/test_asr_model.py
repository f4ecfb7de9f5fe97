"""The real Whisper base model through `WhisperRecognizer` (loads the bundled model once)."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import opencc
import pytest
from accuracy import character_error_rate, word_error_rate

from scoring.asr import Quality, WhisperRecognizer
from scoring.model import ensure_bundled_model

pytestmark = pytest.mark.model

REAL = Path(__file__).resolve().parent.parent / "data" / "real"


def load(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        assert w.getframerate() == 16000 and w.getnchannels() == 1
        return np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float32) / 32768.0


@pytest.fixture(scope="module")
def recognizer(tmp_path_factory):
    return WhisperRecognizer(ensure_bundled_model(tmp_path_factory.mktemp("models")), threads=2)


@pytest.fixture(scope="module")
def clips():
    return {c["file"]: c for c in json.loads((REAL / "manifest.json").read_text())["clips"]}


@pytest.mark.parametrize("name", ["aishell_BAC009S0724W0121.wav", "aishell_BAC009S0764W0121.wav"])
def test_mandarin_comes_out_in_simplified_chinese(recognizer, clips, name):
    """A Mandarin job's transcript is written in simplified characters, with timed words."""
    result = recognizer.recognize(load(REAL / name), language="zh", quality=Quality.FINAL)
    assert result.text and result.words
    assert opencc.OpenCC("t2s").convert(result.text) == result.text, f"traditional characters in {result.text!r}"
    cer = character_error_rate(clips[name]["transcript"], result.text)
    assert cer <= 0.35, f"CER {cer:.2f}: {result.text!r} vs {clips[name]['transcript']!r}"


def test_english_final_has_word_timestamps(recognizer, clips):
    """An English final transcript is accurate and its words are timed in order within the audio."""
    audio = load(REAL / "jfk.wav")
    result = recognizer.recognize(audio, language="en", quality=Quality.FINAL)
    assert word_error_rate(clips["jfk.wav"]["transcript"], result.text) <= 0.1, result.text
    starts = [w.start for w in result.words]
    assert starts == sorted(starts) and 0 <= starts[0] and result.words[-1].end <= audio.size / 16000 + 0.5


def test_silence_and_hum_give_no_words(recognizer):
    """Silence and low background noise produce an empty transcript, not invented words."""
    rng = np.random.default_rng(7)
    quiet = (rng.standard_normal(16000 * 8) * 0.002).astype(np.float32)
    for audio in (np.zeros(16000 * 5, np.float32), quiet):
        result = recognizer.recognize(audio, language="en", quality=Quality.FINAL)
        assert result.is_empty, result.text


def test_repetition_loops_are_not_transcripts(recognizer):
    """The Mandarin clip whose tail greedy decoding turns into "请问问问…" never yields that loop."""
    audio = load(REAL / "aishell_BAC009S0724W0121.wav")
    for _ in range(3):  # the temperature fallback samples at random: try it a few times
        text = recognizer.recognize(audio, language="zh", quality=Quality.FINAL).text
        assert "问问问" not in text, text


def test_a_provisional_tail_is_not_decoded_again(recognizer):
    """Speech cut off at a window's end: Whisper takes its last segment for unfinished and makes a
    second pass over what follows the last word; with that stretch provisional (heard again by the
    next window) the pass is not made, and the words before it are the same."""
    speech = load(Path(__file__).resolve().parent.parent / "data" / "speech" / "q3_outage_strong.wav")
    window = speech[8000: 8000 + 6 * 16000]  # ends mid-sentence
    passes: list[int] = []
    encode = recognizer._model.encode

    def counting(*args, **kwargs):
        passes.append(1)
        return encode(*args, **kwargs)

    recognizer._model.encode = counting
    try:
        whole = recognizer.recognize(window, language="en", quality=Quality.COMMIT)
        whole_passes, passes[:] = len(passes), []
        tail_left = recognizer.recognize(window, language="en", quality=Quality.COMMIT, provisional=3.0)
    finally:
        recognizer._model.encode = encode
    assert whole_passes == 2 and len(passes) == 1
    kept = [w.text for w in tail_left.words]
    assert kept and kept == [w.text for w in whole.words][: len(kept)]
