"""The anomaly rules, as pure functions: silence while answering, short answers, reconnects, device checks."""

from __future__ import annotations

import numpy as np
from fakes import tone

from scoring.transcript import Word
from signaling import anomalies
from signaling.anomalies import AnomalyKind, SilenceDetector

RATE = 16000


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * RATE), np.int16)


def noise_floor(seconds: float, dbfs: float = -60.0) -> np.ndarray:
    """Room noise at about `dbfs` RMS: quiet, but not digital silence."""
    rng = np.random.default_rng(3)
    rms = 32768 * 10 ** (dbfs / 20)
    return (rng.standard_normal(int(seconds * RATE)) * rms).astype(np.int16)


def feed(detector: SilenceDetector, pcm: np.ndarray, frame: int = 320) -> list[float]:
    """Push in 20 ms frames, as the WebRTC audio arrives; return what the detector reported."""
    return [r for i in range(0, pcm.size, frame) if (r := detector.push(pcm[i:i + frame])) is not None]


def test_fifteen_seconds_without_speech_is_reported_once():
    """A 20 s silent stretch is reported once, when it reaches 15 s."""
    detector = SilenceDetector()
    assert feed(detector, tone(2.0)) == []
    reports = feed(detector, silence(20.0))
    assert reports == [15.0]


def test_room_noise_counts_as_silence():
    """Quiet room noise (-60 dBFS) is not speech."""
    assert feed(SilenceDetector(), noise_floor(16.0)) == [15.0]


def test_speech_restarts_the_count():
    """Pauses shorter than 15 s between bits of speech are never reported; after speech a new stretch counts again."""
    detector = SilenceDetector()
    for _ in range(3):
        assert feed(detector, silence(14.0)) == []
        assert feed(detector, tone(0.5)) == []
    assert feed(detector, silence(15.0)) == [15.0]
    assert feed(detector, tone(0.5)) == []
    assert feed(detector, silence(15.0)) == [15.0]


def test_quiet_speech_counts_as_speech():
    """Speech at -35 dBFS (a soft voice, a distant microphone) keeps the stretch from growing."""
    detector = SilenceDetector()
    soft = tone(20.0, amplitude=10 ** (-35 / 20) * 1.414)
    assert feed(detector, soft) == []
    assert detector.silent_seconds == 0


def test_frame_size_does_not_matter():
    """The same audio in odd-sized pieces gives the same answer."""
    assert feed(SilenceDetector(), silence(16.0), frame=777) == [15.0]


def words(*spans: tuple[float, float]) -> list[Word]:
    return [Word(f" w{i}", start, end) for i, (start, end) in enumerate(spans)]


def test_an_answer_under_a_fifth_of_the_time_is_short():
    """11 s of speech for a 60 s question (18 %) is short; 12 s (20 %) is not."""
    short = anomalies.short_answer(1, words((2.0, 5.0), (6.0, 13.0)), 60)
    assert short is not None and short.kind is AnomalyKind.SHORT_ANSWER and short.question == 1
    assert short.detail == {"spoke_seconds": 11.0, "allowed_seconds": 60, "share": 0.183}
    assert anomalies.short_answer(1, words((2.0, 5.0), (6.0, 14.0)), 60) is None


def test_no_words_is_a_short_answer_unless_the_connection_cut_it():
    """Saying nothing is 0 s of speech; an answer cut short by a lost connection is not flagged again."""
    assert anomalies.short_answer(0, [], 90).detail["spoke_seconds"] == 0
    assert anomalies.short_answer(0, words((0.0, 0.5)), 90, cut_short=True) is None


def test_punctuation_only_words_do_not_count_as_speech():
    """Words with no letters (a stray comma the recogniser timed) do not stretch the span."""
    spoken = anomalies.spoken_seconds([Word(" ,", 0.0, 0.1), *words((5.0, 6.0)), Word(" .", 6.0, 30.0)])
    assert spoken == 1.0


def test_three_interruptions_are_repeated_reconnects():
    """Two drops are ordinary interruptions; the third makes it a pattern."""
    assert anomalies.repeated_reconnects(2) is None
    flagged = anomalies.repeated_reconnects(3)
    assert flagged.kind is AnomalyKind.REPEATED_RECONNECTS and flagged.detail == {"count": 3}


def test_a_device_check_fails_when_camera_or_microphone_fails():
    """Either device failing is an anomaly with its problem; both working is not."""
    assert anomalies.device_check_failed(camera=True, microphone=True, problem=None) is None
    failed = anomalies.device_check_failed(camera=True, microphone=False, problem="NotAllowedError")
    assert failed.kind is AnomalyKind.DEVICE_CHECK_FAILED
    assert failed.detail == {"camera": True, "microphone": False, "problem": "NotAllowedError"}
