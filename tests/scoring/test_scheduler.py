"""The transcription scheduler and live transcription, with a fake recognizer."""

import asyncio
import threading
import time

import numpy as np
import pytest
from fakes import FakeRecognizer, LevelVoiceActivity, tone

from scoring.asr import SAMPLE_RATE, Quality
from scoring.errors import SchedulerOverloaded, TranscriptionClosed
from scoring.live import LiveTranscription
from scoring.scheduler import Meters, Priority, TranscriptionScheduler

SECOND = np.ones(16000, np.float32)


@pytest.fixture
async def scheduler():
    sched = TranscriptionScheduler(FakeRecognizer())
    await sched.start()
    yield sched
    await sched.aclose()


def submit(sched: TranscriptionScheduler, stream: str, priority: Priority, seconds: float = 1.0):
    return sched.submit(np.ones(int(seconds * 16000), np.float32), language="en", prompt="", priority=priority,
                        stream=stream)


async def until(condition, timeout: float = 5.0) -> None:
    """Wait (polling the event loop) until `condition()` holds; fail after `timeout` seconds."""
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached in time")


async def held(sched: TranscriptionScheduler):
    """Occupy the worker with a job that waits on the recognizer's gate; returns that job."""
    sched._recognizer.gate.clear()
    job = submit(sched, "blocker", Priority.CAPTION, 0.1)
    await until(lambda: job.started)
    return job


async def test_finals_then_commits_then_captions(scheduler):
    """Whatever order they were queued in, the answer's last window runs first, then pause commits."""
    blocker = await held(scheduler)
    jobs = [submit(scheduler, "a", Priority.CAPTION, 1), submit(scheduler, "b", Priority.COMMIT, 2),
            submit(scheduler, "c", Priority.FINAL, 3), submit(scheduler, "d", Priority.CAPTION, 4)]
    scheduler._recognizer.gate.set()
    await asyncio.gather(blocker.future, *(job.future for job in jobs))
    assert [seconds for _, seconds in scheduler._recognizer.calls] == [0.1, 3, 2, 1, 4]
    assert [q for q, _ in scheduler._recognizer.calls] == [Quality.CAPTION, Quality.COMMIT, Quality.COMMIT,
                                                          Quality.CAPTION, Quality.CAPTION]


async def test_a_newer_caption_takes_the_waiting_ones_place(scheduler):
    """A stream's newer caption window replaces its waiting one in the same place in the line."""
    blocker = await held(scheduler)
    older = submit(scheduler, "a", Priority.CAPTION, 1)
    other = submit(scheduler, "b", Priority.CAPTION, 2)
    newer = submit(scheduler, "a", Priority.CAPTION, 3)
    assert older.future.done() and older.future.result() is None
    scheduler._recognizer.gate.set()
    await asyncio.gather(blocker.future, other.future, newer.future)
    assert [seconds for _, seconds in scheduler._recognizer.calls] == [0.1, 3, 2]  # "a" kept its turn
    assert scheduler.stats.captions_superseded == 1


async def test_a_commit_withdraws_the_streams_waiting_caption(scheduler):
    blocker = await held(scheduler)
    caption = submit(scheduler, "a", Priority.CAPTION, 1)
    commit = submit(scheduler, "a", Priority.COMMIT, 2)
    assert caption.future.result() is None
    scheduler._recognizer.gate.set()
    await asyncio.gather(blocker.future, commit.future)
    assert [seconds for _, seconds in scheduler._recognizer.calls] == [0.1, 2]


async def test_full_queues_drop_and_count_without_blocking():
    """Beyond their bounds the caption line drops its oldest job and the commit line refuses, at once."""
    recognizer = FakeRecognizer()
    sched = TranscriptionScheduler(recognizer, max_queued=1, max_streams=2)
    await sched.start()
    try:
        blocker = await held(sched)
        captions = [submit(sched, stream, Priority.CAPTION) for stream in "abc"]
        assert captions[0].future.result() is None and not captions[1].future.done()
        assert sched.stats.captions_dropped == 1
        submit(sched, "x", Priority.COMMIT)
        with pytest.raises(SchedulerOverloaded):
            submit(sched, "y", Priority.COMMIT)
        assert sched.stats.refused == 1 and sched.queue_depth == 3
        recognizer.gate.set()
        await blocker.future
    finally:
        await sched.aclose()


async def test_load_counts_the_running_job_and_captions_slow_down_with_it(scheduler, monkeypatch):
    assert scheduler.load(0.2) == 0.0 and scheduler.caption_slowdown() == 1.0
    blocker = await held(scheduler)
    await asyncio.sleep(0.3)
    assert scheduler.load(0.2) > 0.9  # busy the whole time, though the job has not finished
    scheduler._recognizer.gate.set()
    await blocker.future
    await asyncio.sleep(0.25)
    assert scheduler.load(0.2) == 0.0 and 0.2 < scheduler.load(1.0) < 0.9
    for load, slowdown in [(0.3, 1.0), (0.6, 1.5), (0.9, 2.0)]:
        monkeypatch.setattr(scheduler, "load", lambda seconds=10.0, value=load: value)
        assert scheduler.caption_slowdown() == slowdown


async def test_withdraw_only_what_has_not_started(scheduler):
    blocker = await held(scheduler)
    waiting = submit(scheduler, "a", Priority.COMMIT)
    assert not scheduler.withdraw(blocker)
    assert scheduler.withdraw(waiting) and waiting.future.result() is None
    scheduler._recognizer.gate.set()
    await blocker.future
    assert len(scheduler._recognizer.calls) == 1


async def test_close_fails_waiting_jobs():
    """Closing the scheduler fails what is still queued with TranscriptionClosed."""
    sched = TranscriptionScheduler(FakeRecognizer())
    await sched.start()
    running = await held(sched)
    queued = submit(sched, "a", Priority.FINAL)
    sched._recognizer.gate.set()
    await sched.aclose()
    results = await asyncio.gather(running.future, queued.future, return_exceptions=True)
    assert any(isinstance(r, TranscriptionClosed) for r in results)
    with pytest.raises(TranscriptionClosed):
        submit(sched, "b", Priority.FINAL)


class HoldingRecognizer(FakeRecognizer):
    """Holds windows of the given lengths (seconds) until `release`d; records the windows in the order
    they started and the most recognitions that ran at once."""

    def __init__(self, *held_seconds: float) -> None:
        super().__init__()
        self.holds = {seconds: threading.Event() for seconds in held_seconds}
        self.started: list[float] = []
        self.running = 0
        self.peak = 0
        self._lock = threading.Lock()

    def release(self, *seconds: float) -> None:
        for s in seconds or self.holds:
            self.holds[s].set()

    def recognize(self, audio: np.ndarray, *, language: str, quality: Quality, prompt: str = "",
                  provisional: float = 0.0):
        seconds = audio.size / SAMPLE_RATE
        with self._lock:
            self.started.append(seconds)
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            if seconds in self.holds and not self.holds[seconds].wait(10):
                raise TimeoutError(f"the {seconds} s window was never released")
            return super().recognize(audio, language=language, quality=quality, prompt=prompt)
        finally:
            with self._lock:
                self.running -= 1


@pytest.fixture
async def two_workers():
    recognizer = HoldingRecognizer(0.1, 0.2, 5.0)
    sched = TranscriptionScheduler(recognizer, workers=2)
    await sched.start()
    yield sched, recognizer
    recognizer.release()
    await sched.aclose()


async def test_two_workers_recognise_two_windows_at_once(two_workers):
    sched, recognizer = two_workers
    first, second = submit(sched, "a", Priority.COMMIT, 0.1), submit(sched, "b", Priority.CAPTION, 0.2)
    await until(lambda: len(recognizer.started) == 2)
    assert recognizer.running == 2  # both inside the model, neither finished
    recognizer.release()
    await asyncio.gather(first.future, second.future)
    assert recognizer.peak == 2 and sched.stats.recognized[Priority.COMMIT] == 1


async def test_commits_never_take_the_last_free_worker(two_workers):
    """A long commit holds one worker; a second commit waits, so a final that arrives starts at once."""
    sched, recognizer = two_workers
    first = submit(sched, "a", Priority.COMMIT, 0.1)
    await until(lambda: first.started)
    second = submit(sched, "b", Priority.COMMIT, 0.2)
    caption = submit(sched, "c", Priority.CAPTION, 1.0)
    await asyncio.wait_for(caption.future, 5)  # the free worker still serves captions
    assert not second.started
    final = submit(sched, "d", Priority.FINAL, 2.0)
    await asyncio.wait_for(final.future, 5)
    assert not second.started
    recognizer.release(0.1)
    await first.future
    await until(lambda: second.started)  # the first commit's worker takes it
    recognizer.release(0.2)
    await second.future


async def test_a_commit_kept_waiting_too_long_takes_the_last_free_worker(two_workers, monkeypatch):
    """Commits that fall behind would let answers' windows grow until audio is dropped: after
    COMMIT_PATIENCE a waiting commit runs on the last free worker too."""
    monkeypatch.setattr("scoring.scheduler.COMMIT_PATIENCE", 0.3)
    sched, recognizer = two_workers
    first = submit(sched, "a", Priority.COMMIT, 0.1)
    await until(lambda: first.started)
    second = submit(sched, "b", Priority.COMMIT, 2.0)
    await asyncio.sleep(0.1)
    assert not second.started
    await asyncio.wait_for(second.future, 5)  # nothing else was submitted: the patience timer woke a worker
    assert not first.future.done()
    recognizer.release(0.1)
    await first.future


async def test_a_final_does_not_wait_behind_a_running_caption(two_workers):
    """With a long caption running on one worker, an answer's last window runs on the other."""
    sched, recognizer = two_workers
    caption = submit(sched, "a", Priority.CAPTION, 5.0)
    await until(lambda: caption.started)
    final = submit(sched, "b", Priority.FINAL, 1.0)
    transcript = await asyncio.wait_for(final.future, 5)
    assert transcript.audio_seconds == pytest.approx(1.0)
    assert not caption.future.done()  # still held
    recognizer.release()
    assert (await caption.future).audio_seconds == pytest.approx(5.0)


async def test_priority_order_holds_when_every_worker_is_busy(two_workers):
    """With both workers held, whatever waits is taken finals first, then commits, then captions."""
    sched, recognizer = two_workers
    blockers = [submit(sched, "x", Priority.CAPTION, 0.1), submit(sched, "y", Priority.CAPTION, 0.2)]
    await until(lambda: len(recognizer.started) == 2)
    jobs = [submit(sched, "a", Priority.CAPTION, 1), submit(sched, "b", Priority.COMMIT, 2),
            submit(sched, "c", Priority.FINAL, 3), submit(sched, "d", Priority.CAPTION, 4)]
    recognizer.release(0.1)  # one worker frees up and works through the line; the other stays held
    await asyncio.gather(*(job.future for job in jobs))
    assert not blockers[1].future.done()
    assert recognizer.started[2:] == [3, 2, 1, 4]
    recognizer.release(0.2)
    await blockers[1].future


async def test_load_is_the_share_of_all_workers_busy(two_workers):
    """One of two workers busy throughout is half the capacity; both busy is all of it."""
    sched, recognizer = two_workers
    submit(sched, "a", Priority.CAPTION, 0.1)
    await until(lambda: len(recognizer.started) == 1)
    await asyncio.sleep(0.3)
    assert sched.load(0.2) == pytest.approx(0.5, abs=0.01)
    submit(sched, "b", Priority.CAPTION, 0.2)
    await until(lambda: len(recognizer.started) == 2)
    await asyncio.sleep(0.3)
    assert sched.load(0.2) == pytest.approx(1.0, abs=0.01)


async def test_close_with_every_worker_busy_fails_the_queue_and_waits_for_the_threads():
    recognizer = HoldingRecognizer(0.1, 0.2)
    sched = TranscriptionScheduler(recognizer, workers=2)
    await sched.start()
    running = [submit(sched, "a", Priority.COMMIT, 0.1), submit(sched, "b", Priority.CAPTION, 0.2)]
    await until(lambda: len(recognizer.started) == 2)
    queued = submit(sched, "c", Priority.FINAL)
    closing = asyncio.create_task(sched.aclose())
    await until(lambda: queued.future.done())
    assert isinstance(queued.future.exception(), TranscriptionClosed)
    assert not closing.done()  # the held recognitions are still running in their threads
    recognizer.release()
    await asyncio.wait_for(closing, 5)
    for job in running:
        assert isinstance(job.future.exception(), TranscriptionClosed)
    assert recognizer.running == 0 and queued.seconds not in recognizer.started


async def speak(live: LiveTranscription, pcm: np.ndarray, *, chunk: float = 0.25, pace: float = 0.02) -> None:
    """Push `pcm` in chunks, a little faster than real time."""
    size = int(chunk * 16000)
    for offset in range(0, pcm.size, size):
        live.push(pcm[offset:offset + size])
        await asyncio.sleep(pace)


async def test_live_transcription_captions_and_final(scheduler):
    """Speech pushed in gives captions while it grows and one final transcript at the end."""
    captions: list[str] = []
    live = LiveTranscription(scheduler, language="en", max_seconds=30, on_caption=captions.append)
    await speak(live, np.concatenate([tone(6), np.zeros(16000, np.int16), tone(3)]), pace=0.05)
    final = await live.finish()
    assert captions, "no caption was produced while audio arrived"
    assert final.audio_seconds == pytest.approx(10.0)
    assert final.words
    kinds = scheduler.stats.recognized
    assert kinds[Priority.CAPTION] >= 1 and kinds[Priority.COMMIT] >= 1  # cadence windows and a pause's


async def test_silence_costs_no_inference(scheduler):
    """Silence produces no recognitions and an empty final without a model call."""
    live = LiveTranscription(scheduler, language="en", max_seconds=30, on_caption=lambda _: None)
    await speak(live, np.zeros(5 * 16000, np.int16))
    final = await live.finish()
    assert final.is_empty
    assert scheduler._recognizer.calls == []


async def test_only_the_tail_is_left_when_the_answer_ends(scheduler):
    """Speech committed at a pause is not recognised again: the last window holds only what followed."""
    live = LiveTranscription(scheduler, language="en", max_seconds=60)
    await speak(live, np.concatenate([tone(5), np.zeros(16000, np.int16)]), pace=0.05)
    await until(lambda: scheduler.stats.recognized[Priority.COMMIT] > 0)
    await speak(live, tone(1.5))
    await live.finish()
    last_quality, last_seconds = scheduler._recognizer.calls[-1]
    assert last_seconds < 2.5, "the final window should hold the last phrase only"


async def test_the_last_window_runs_while_the_tail_arrives_and_is_kept_if_it_is_silence(scheduler):
    """expect_end() starts the last window at once; finish() after a silent tail only confirms it."""
    live = LiveTranscription(scheduler, language="en", max_seconds=60)
    await speak(live, tone(2.5))
    live.expect_end()
    await until(lambda: scheduler.stats.recognized[Priority.FINAL] == 1)  # before the tail has arrived
    live.push(np.zeros(4000, np.int16))  # 0.25 s of silence in flight
    final = await live.finish()
    assert final.words and scheduler.stats.recognized[Priority.FINAL] == 1


async def test_speech_in_the_tail_is_heard_by_the_real_last_window(scheduler):
    """If the audio still in flight holds speech, the tentative last window is dropped, not the speech."""
    live = LiveTranscription(scheduler, language="en", max_seconds=60)
    await speak(live, tone(2.5))
    live.expect_end()
    await until(lambda: scheduler.stats.recognized[Priority.FINAL] == 1)
    live.push(tone(1.5))
    final = await live.finish()
    assert scheduler.stats.recognized[Priority.FINAL] == 2
    assert final.words[-1].end > 3.0
    assert scheduler._recognizer.calls[-1][1] > 3.5  # the real last window: all of the speech


async def test_busy_model_supersedes_captions_and_loses_nothing(scheduler):
    """While the model is held, caption windows waiting in line are replaced by longer ones; once it is
    free the answer's words cover all of its audio."""
    blocker = await held(scheduler)
    live = LiveTranscription(scheduler, language="en", max_seconds=60)
    await speak(live, tone(9))
    assert scheduler.stats.captions_superseded >= 1
    scheduler._recognizer.gate.set()
    await blocker.future
    final = await live.finish()
    assert final.words and final.words[-1].end > 8.0 - 1.0


async def test_audio_beyond_the_limit_is_dropped_and_counted(scheduler):
    """An answer keeps at most its limit of audio; the excess is counted."""
    live = LiveTranscription(scheduler, language="en", max_seconds=1.0)
    live.push(tone(0.8))
    live.push(tone(0.8))
    assert live.seconds == pytest.approx(1.0)
    assert live.dropped_samples == int(0.6 * 16000)
    await live.aclose()


class HeldVoice(LevelVoiceActivity):
    """Voice activity that waits on a gate: a voice-activity thread that has fallen behind."""

    def __init__(self, gate: threading.Event) -> None:
        self.gate = gate

    def probabilities(self, windows: np.ndarray) -> np.ndarray:
        self.gate.wait(10)
        return super().probabilities(windows)


async def test_a_full_backlog_drops_and_counts_without_blocking_the_loop():
    """With voice activity detection stuck, audio beyond the backlog bound is dropped and counted, and
    `push` returns at once: the event loop is never blocked."""
    gate = threading.Event()
    recognizer = FakeRecognizer()
    recognizer.voice_activity = lambda: HeldVoice(gate)
    dropped: list[float] = []
    sched = TranscriptionScheduler(recognizer, meters=Meters(dropped_audio=dropped.append))
    await sched.start()
    try:
        live = LiveTranscription(sched, language="en", max_seconds=60, max_backlog=2.0)
        live.push(tone(0.5))
        await asyncio.sleep(0.05)  # the first batch is now stuck in the VAD thread
        started = time.perf_counter()
        for _ in range(20):
            live.push(tone(0.25))
        assert time.perf_counter() - started < 1.0  # generous: pushing is only list appends
        assert live.dropped_samples == int(3.0 * 16000)  # 5 s pushed, 2 s of room
        assert sum(dropped) == pytest.approx(3.0)
        gate.set()
        final = await live.finish()
        assert final.audio_seconds == pytest.approx(2.5)
    finally:
        gate.set()
        await sched.aclose()


async def test_abandoning_an_answer_withdraws_its_waiting_recognition(scheduler):
    blocker = await held(scheduler)
    live = LiveTranscription(scheduler, language="en", max_seconds=60)
    await speak(live, tone(3))
    await until(lambda: scheduler.queue_depth > 0)
    await live.aclose()
    assert scheduler.queue_depth == 0
    scheduler._recognizer.gate.set()
    await blocker.future


def test_loop_and_silence_segments_are_not_speech():
    """Whisper's silence rule and the repetition-loop rule reject a decoded window; normal text passes."""
    from scoring.asr import is_speech_segment

    assert is_speech_segment(no_speech_prob=0.1, avg_logprob=-0.3, compression_ratio=1.2)
    assert not is_speech_segment(no_speech_prob=0.9, avg_logprob=-1.5, compression_ratio=1.0)
    assert not is_speech_segment(no_speech_prob=0.0, avg_logprob=-0.08, compression_ratio=33.4)
    assert is_speech_segment(no_speech_prob=0.9, avg_logprob=-0.2, compression_ratio=1.0)  # confident words


class PairedRecognizer(FakeRecognizer):
    """Committing-quality windows (the last windows, here) only finish once two run at the same time."""

    def __init__(self) -> None:
        super().__init__()
        self.together = threading.Barrier(2, timeout=5)
        self.qualities: list[tuple[Quality, float]] = []

    def recognize(self, audio: np.ndarray, *, language: str, quality: Quality, prompt: str = "",
                  provisional: float = 0.0):
        self.qualities.append((quality, audio.size / SAMPLE_RATE))
        if quality is Quality.COMMIT:
            self.together.wait()  # BrokenBarrierError if the other piece does not run alongside
        return super().recognize(audio, language=language, quality=quality, prompt=prompt)


def phrases(seconds: float) -> np.ndarray:
    """Tone in 2.8 s phrases with 0.2 s gaps: speech without a pause, with places to cut it."""
    one = np.concatenate([tone(2.8), np.zeros(int(0.2 * SAMPLE_RATE), np.int16)])
    return np.tile(one, int(seconds / 3))


async def test_a_long_last_window_runs_in_pieces_side_by_side():
    """20 s of speech without a pause left at the end: its pieces run on both workers at once."""
    recognizer = PairedRecognizer()
    sched = TranscriptionScheduler(recognizer, workers=2)
    await sched.start()
    try:
        live = LiveTranscription(sched, language="en", max_seconds=60)
        await speak(live, phrases(21))
        final = await live.finish()
    finally:
        await sched.aclose()
    pieces = [seconds for quality, seconds in recognizer.qualities if quality is Quality.COMMIT]
    assert len(pieces) == 2 and all(4 <= s <= 13.5 for s in pieces)
    assert final.words and final.words[-1].end > 20.0 and sched.stats.recognized[Priority.FINAL] == 2


class FirstCommitHeld(FakeRecognizer):
    """Holds the first committing-quality window until `release` is set; records the windows as they start."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.started: list[tuple[Quality, float]] = []

    def recognize(self, audio: np.ndarray, *, language: str, quality: Quality, prompt: str = "",
                  provisional: float = 0.0):
        first = quality is Quality.COMMIT and not any(q is Quality.COMMIT for q, _ in self.started)
        self.started.append((quality, audio.size / SAMPLE_RATE))
        if first and not self.release.wait(10):
            raise TimeoutError("never released")
        return super().recognize(audio, language=language, quality=quality, prompt=prompt)


async def test_the_last_window_starts_while_a_pause_commit_is_still_running():
    """The answer ends while its pause commit is being recognised: the last window (only the speech
    after the pause) starts on the other worker at once, and the transcript has both."""
    recognizer = FirstCommitHeld()
    sched = TranscriptionScheduler(recognizer, workers=2)
    await sched.start()
    try:
        live = LiveTranscription(sched, language="en", max_seconds=60)
        await speak(live, np.concatenate([tone(5), np.zeros(SAMPLE_RATE, np.int16)]))
        await until(lambda: recognizer.started and recognizer.started[-1][0] is Quality.COMMIT)
        await speak(live, tone(3))
        live.expect_end()
        await until(lambda: [q for q, _ in recognizer.started].count(Quality.COMMIT) == 2)
        last = recognizer.started[-1][1]
        assert last < 4.0  # the speech after the pause only
        recognizer.release.set()
        live.push(np.zeros(4000, np.int16))
        final = await live.finish()
    finally:
        recognizer.release.set()
        await sched.aclose()
    assert final.words[0].start < 1.0 and final.words[-1].end > 8.0


@pytest.fixture
async def final_lane():
    """One shared worker and one final worker, each with a recogniser that holds 5 s windows."""
    shared, final = HoldingRecognizer(5.0), HoldingRecognizer(5.0)
    sched = TranscriptionScheduler(shared, workers=1, final_recognizer=final, final_workers=1)
    await sched.start()
    yield sched, shared, final
    shared.release()
    final.release()
    await sched.aclose()


async def test_a_final_runs_on_its_own_lane_while_the_shared_workers_are_busy(final_lane):
    """Answers' last windows have workers of their own: a final does not wait for a long commit."""
    sched, shared, final = final_lane
    commit = submit(sched, "a", Priority.COMMIT, 5.0)
    await until(lambda: shared.running == 1)
    last = submit(sched, "b", Priority.FINAL, 1.0)
    await asyncio.wait_for(last.future, 5)
    assert final.started == [1.0] and not commit.future.done()


async def test_the_final_lane_takes_nothing_but_finals(final_lane):
    """With the shared worker busy, a commit and a caption wait even though the final worker is free."""
    sched, shared, final = final_lane
    submit(sched, "a", Priority.CAPTION, 5.0)
    await until(lambda: shared.running == 1)
    waiting = [submit(sched, "b", Priority.COMMIT, 1.0), submit(sched, "c", Priority.CAPTION, 2.0)]
    await asyncio.sleep(0.2)
    assert final.started == [] and not any(job.started for job in waiting)
    shared.release()
    await asyncio.gather(*(job.future for job in waiting))
    assert shared.started == [5.0, 1.0, 2.0]


async def test_a_shared_worker_takes_a_final_when_every_final_worker_is_busy(final_lane):
    """The two pieces of a last window: one on the final worker, the other on the free shared one."""
    sched, shared, final = final_lane
    first = submit(sched, "a", Priority.FINAL, 5.0)
    await until(lambda: final.running == 1)
    second = submit(sched, "a", Priority.FINAL, 1.0)
    await asyncio.wait_for(second.future, 5)
    assert shared.started == [1.0] and not first.future.done()


def test_final_workers_and_a_final_recognizer_come_together():
    """A final lane needs both its recogniser and its workers."""
    with pytest.raises(ValueError):
        TranscriptionScheduler(FakeRecognizer(), final_workers=1)
    with pytest.raises(ValueError):
        TranscriptionScheduler(FakeRecognizer(), final_recognizer=FakeRecognizer())
