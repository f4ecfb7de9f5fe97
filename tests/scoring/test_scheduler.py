"""The transcription scheduler and live transcription, with a fake recognizer."""

import asyncio

import numpy as np
import pytest
from fakes import FakeRecognizer, tone

from scoring.asr import Quality
from scoring.errors import TranscriptionClosed
from scoring.live import LiveTranscription
from scoring.scheduler import TranscriptionScheduler


@pytest.fixture
async def scheduler():
    recognizer = FakeRecognizer()
    sched = TranscriptionScheduler(recognizer)
    await sched.start()
    yield sched
    await sched.aclose()


async def test_finals_run_before_waiting_partials(scheduler):
    """With a final and partials waiting, the final is recognised first."""
    recognizer = scheduler._recognizer
    recognizer.gate.clear()  # hold the worker on the first job
    first = asyncio.create_task(scheduler.partial("a", np.ones(16000, np.float32), language="en"))
    await asyncio.sleep(0.05)
    partial = asyncio.create_task(scheduler.partial("b", np.ones(16000, np.float32), language="en"))
    final = asyncio.create_task(scheduler.final(np.ones(32000, np.float32), language="en"))
    await asyncio.sleep(0.05)
    recognizer.gate.set()
    await asyncio.gather(first, partial, final)
    assert [q for q, _ in recognizer.calls] == [Quality.PARTIAL, Quality.FINAL, Quality.PARTIAL]


async def test_newer_partial_supersedes_a_waiting_one(scheduler):
    """Two partial requests for one stream while busy: the older returns None and is counted."""
    recognizer = scheduler._recognizer
    recognizer.gate.clear()
    blocker = asyncio.create_task(scheduler.final(np.ones(1600, np.float32), language="en"))
    await asyncio.sleep(0.05)
    older = asyncio.create_task(scheduler.partial("s", np.ones(16000, np.float32), language="en"))
    await asyncio.sleep(0.01)
    newer = asyncio.create_task(scheduler.partial("s", np.ones(32000, np.float32), language="en"))
    await asyncio.sleep(0.01)
    recognizer.gate.set()
    assert await older is None
    assert (await newer).audio_seconds == 2.0
    await blocker
    assert scheduler.stats.partials_superseded == 1


async def test_full_partial_queue_drops_oldest_without_blocking():
    """Beyond its bound the partial queue drops (and counts) the oldest request at once."""
    recognizer = FakeRecognizer()
    recognizer.gate.clear()
    sched = TranscriptionScheduler(recognizer, max_partials=2)
    await sched.start()
    try:
        busy = asyncio.create_task(sched.final(np.ones(1600, np.float32), language="en"))
        await asyncio.sleep(0.05)
        tasks = [asyncio.create_task(sched.partial(k, np.ones(1600, np.float32), language="en")) for k in "abc"]
        await asyncio.sleep(0.01)
        assert tasks[0].done() and tasks[0].result() is None  # dropped immediately, not blocked
        assert sched.stats.partials_dropped == 1
        recognizer.gate.set()
        await asyncio.gather(busy, *tasks)
    finally:
        await sched.aclose()


async def test_close_fails_waiting_jobs():
    """Closing the scheduler fails what is still queued with TranscriptionClosed."""
    recognizer = FakeRecognizer()
    recognizer.gate.clear()
    sched = TranscriptionScheduler(recognizer)
    await sched.start()
    running = asyncio.create_task(sched.final(np.ones(1600, np.float32), language="en"))
    await asyncio.sleep(0.05)
    queued = asyncio.create_task(sched.final(np.ones(1600, np.float32), language="en"))
    await asyncio.sleep(0.01)
    recognizer.gate.set()
    await sched.aclose()
    results = await asyncio.gather(running, queued, return_exceptions=True)
    assert any(isinstance(r, TranscriptionClosed) for r in results)
    with pytest.raises(TranscriptionClosed):
        await sched.final(np.ones(10, np.float32), language="en")


async def test_live_transcription_captions_and_final(scheduler):
    """Speech pushed in gives captions while it grows and one final transcript at the end."""
    captions: list[str] = []
    live = LiveTranscription(scheduler, language="en", max_seconds=30, on_caption=captions.append,
                             caption_interval=0.05)
    for _ in range(6):
        live.push(tone(0.5))
        await asyncio.sleep(0.08)
    final = await live.finish()
    assert captions, "no caption was produced while audio arrived"
    assert final.audio_seconds == pytest.approx(3.0)
    assert final.words


async def test_silence_costs_no_inference(scheduler):
    """Digital silence produces no caption requests and an empty final without a model call."""
    live = LiveTranscription(scheduler, language="en", max_seconds=30, on_caption=lambda _: None,
                             caption_interval=0.05)
    for _ in range(4):
        live.push(np.zeros(8000, np.int16))
        await asyncio.sleep(0.08)
    final = await live.finish()
    assert final.is_empty
    assert scheduler._recognizer.calls == []


async def test_audio_beyond_the_limit_is_dropped_and_counted(scheduler):
    """An answer keeps at most its limit of audio; the excess is counted."""
    live = LiveTranscription(scheduler, language="en", max_seconds=1.0)
    live.push(tone(0.8))
    live.push(tone(0.8))
    assert live.seconds == pytest.approx(1.0)
    assert live.dropped_samples == int(0.6 * 16000)
    await live.aclose()


def test_loop_and_silence_segments_are_not_speech():
    """Whisper's silence rule and the repetition-loop rule reject a decoded window; normal text passes."""
    from scoring.asr import is_speech_segment

    assert is_speech_segment(no_speech_prob=0.1, avg_logprob=-0.3, compression_ratio=1.2)
    assert not is_speech_segment(no_speech_prob=0.9, avg_logprob=-1.5, compression_ratio=1.0)
    assert not is_speech_segment(no_speech_prob=0.0, avg_logprob=-0.08, compression_ratio=33.4)
    assert is_speech_segment(no_speech_prob=0.9, avg_logprob=-0.2, compression_ratio=1.0)  # confident words
