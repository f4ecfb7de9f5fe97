"""Streaming voice activity segmentation over the Silero model bundled with faster-whisper."""

import threading

import numpy as np
import pytest
from faster_whisper.vad import get_vad_model
from speech_answers import CLIP_SILENCE, RATE, build_answer, chunks, clip

from scoring.errors import VadError
from scoring.vad import WINDOW, SpeechSegmenter, VadEventKind, VadParams, measure_cost, silero_session


def segment(pcm: np.ndarray, size: int = 320, params: VadParams | None = None):
    segmenter = SpeechSegmenter(params)
    events = []
    for piece in chunks(pcm, size):
        events += segmenter.push(piece)
    return events + segmenter.flush()


def pairs(events) -> list[tuple[float, float]]:
    """(start, end) seconds of each speech segment."""
    starts = [e.seconds for e in events if e.kind is VadEventKind.STARTED]
    ends = [e.seconds for e in events if e.kind is VadEventKind.ENDED]
    assert len(starts) == len(ends)
    return list(zip(starts, ends, strict=True))


def test_streamed_probabilities_equal_faster_whispers_batch_ones():
    """Window by window with carried state and context, the model scores exactly as over the whole file."""
    pcm, _ = clip("q1_lead_deadline_weak.wav")
    audio = pcm.astype(np.float32) / 32768.0
    audio = np.pad(audio, (0, WINDOW - audio.size % WINDOW))
    batch = get_vad_model()(audio.copy()).reshape(-1)
    segmenter = SpeechSegmenter()
    streamed = []
    segmenter._step = lambda prob, start, events: streamed.append(prob)  # observe the scores only
    for piece in chunks((audio * 32768).astype(np.int16), 1000):
        segmenter.push(piece)
    assert len(streamed) == batch.size
    np.testing.assert_allclose(streamed, batch, atol=1e-4)


def test_an_answer_with_silences_gives_one_segment_per_clip_on_the_answer_timeline():
    """6 s silence, clip, 3 s silence, clip: two segments, each around its clip's speech, none in the silences."""
    answer = build_answer(6.0, "q1_lead_deadline_weak.wav", 3.0, "practice_mic_check.wav")
    events = segment(answer.pcm)
    segments = pairs(events)
    assert len(segments) == 2
    pad = VadParams().pad
    for (start, end), (clip_start, clip_end) in zip(segments, answer.spans, strict=True):
        # Speech begins after the clip's leading silence and ends before its trailing one (plus padding).
        assert clip_start + CLIP_SILENCE - pad - 0.1 <= start <= clip_start + CLIP_SILENCE + 0.3
        assert clip_end - CLIP_SILENCE - 0.6 <= end <= clip_end - CLIP_SILENCE + pad + 0.1
    gaps = [e.seconds for e in events if e.kind is VadEventKind.GAP]
    assert gaps, "the clips' pauses between sentences are reported as gaps"
    assert all(any(start < g < end for start, end in segments) for g in gaps)
    assert [e.sample for e in events] == sorted(e.sample for e in events)


@pytest.mark.parametrize("size", [7, 320, 480, 16000])
def test_events_do_not_depend_on_chunk_size(size):
    """However the audio is chunked (7 samples, 20 ms, 30 ms, 1 s), the events are the same."""
    answer = build_answer(2.0, "q2_disagreement_weak.wav")
    assert segment(answer.pcm, size) == segment(answer.pcm, 320)


def test_silence_and_low_noise_give_no_speech():
    """Digital silence and faint noise never start speech."""
    rng = np.random.default_rng(3)
    noise = (rng.standard_normal(RATE * 5) * 60).astype(np.int16)  # about -55 dBFS
    assert segment(np.zeros(RATE * 5, np.int16)) == []
    assert segment(noise) == []


def test_speech_still_going_at_the_end_is_ended_by_flush():
    """Input that stops mid-speech ends its segment at the last sample pushed."""
    pcm, _ = clip("practice_mic_check.wav")
    cut = pcm[: 3 * RATE]
    events = segment(cut)
    assert events[0].kind is VadEventKind.STARTED
    assert events[-1].kind is VadEventKind.ENDED and events[-1].sample == cut.size


def test_a_short_pause_is_a_gap_and_a_long_one_ends_speech():
    """The same two phrases split by 0.3 s stay one segment with a gap; split by 1 s they are two segments."""
    pcm, _ = clip("q1_lead_deadline_weak.wav")
    speech = pcm[int(CLIP_SILENCE * RATE): -int(CLIP_SILENCE * RATE)]
    first, second = speech[: 2 * RATE], speech[2 * RATE: 4 * RATE]
    short = np.concatenate([first, np.zeros(int(0.3 * RATE), np.int16), second])
    long = np.concatenate([first, np.zeros(RATE, np.int16), second])
    short_events = segment(short)
    assert len(pairs(short_events)) == 1
    assert any(e.kind is VadEventKind.GAP and 2.0 <= e.seconds <= 2.3 for e in short_events)
    assert len(pairs(segment(long))) == 2


def test_pushing_after_flush_is_an_error():
    """The segmenter is single-use: after flush() it takes no more audio."""
    segmenter = SpeechSegmenter()
    segmenter.flush()
    with pytest.raises(VadError):
        segmenter.push(np.zeros(320, np.int16))


@pytest.mark.parametrize(
    "kwargs", [{"threshold": 0.3, "neg_threshold": 0.4}, {"pad": 0.4, "min_silence": 0.5}, {"min_gap": 0.6}]
)
def test_inconsistent_parameters_are_refused(kwargs):
    """Thresholds out of order, padding that would overlap segments, or a gap as long as a pause: ValueError."""
    with pytest.raises(ValueError):
        VadParams(**kwargs)


def test_one_session_shared_by_segmenters_in_several_threads():
    """The ONNX session is loaded once; segmenters in parallel threads give the same events as alone."""
    assert silero_session() is silero_session()
    answer = build_answer(1.0, "q4_motivation_weak.wav", 1.0, "q3_outage_weak.wav")
    alone = segment(answer.pcm)
    results: list = [None] * 4

    def run(index: int) -> None:
        results[index] = segment(answer.pcm)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [alone] * 4


def test_cost_per_second_of_audio_is_reported():
    """Prints the segmenter's CPU cost per second of audio fed in 20 ms chunks (not asserted: no timings in tests)."""
    answer = build_answer(2.0, "q1_lead_deadline_strong.wav", 2.0, "q2_disagreement_strong.wav")
    cost = measure_cost(answer.pcm)
    print(f"\nVAD: {cost * 1000:.2f} ms of CPU per second of audio ({answer.seconds:.0f} s fed in 20 ms chunks)")
    assert cost > 0
