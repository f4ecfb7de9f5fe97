"""The incremental transcriber with a scripted fake recogniser: what is sent, committed and when.

The real voice activity model runs on recorded clips; the recogniser is a fake that "hears" words
laid out on the answer's timeline (`ScriptedSpeech`): every word whose audio is wholly inside the
window, with times relative to the window's audio, and — like Whisper — a garbled version of a
word the window cuts off.
"""

import numpy as np
import pytest
from speech_answers import CLIP_SILENCE, RATE, Answer, build_answer, chunks, clip

from scoring.errors import IncrementalError, TranscriptionClosed
from scoring.incremental import IncrementalParams, IncrementalTranscriber, Window
from scoring.transcript import Transcript, Word
from scoring.vad import SpeechSegmenter, VadEventKind


class ScriptedSpeech:
    """Words of 0.4 s with 0.1 s between them over each clip's speech (the clip minus `margin` at each
    end), none across a silence the voice activity model finds inside it — as in real speech."""

    def __init__(self, answer: Answer, *, margin: float = CLIP_SILENCE) -> None:
        self.words: list[Word] = []
        silences = _silences(answer.pcm)
        for index, (start, end) in enumerate(answer.spans):
            n = 0
            for begin, stop in _between(start + margin, end - margin, silences):
                t = begin + 0.05
                while t + 0.4 <= stop:
                    self.words.append(Word(f" c{index}w{n}", round(t, 3), round(t + 0.4, 3)))
                    t, n = t + 0.5, n + 1
        self.windows: list[Window] = []

    def hear(self, window: Window) -> Transcript:
        self.windows.append(window)
        heard = []
        for word in self.words:
            for piece in window.pieces:
                start, end = piece.start / RATE, (piece.start + piece.length) / RATE
                if word.start >= end or word.end <= start:
                    continue
                offset = piece.offset / RATE - start
                text = word.text if word.end <= end or window.closes else word.text + "-"  # cut off: garbled
                begin, finish = max(word.start, start) + offset, min(word.end, end) + offset
                heard.append(Word(text, round(begin, 3), round(finish, 3)))
                break
        return Transcript("".join(w.text for w in heard).strip(), tuple(heard), "en", window.seconds)


def _silences(pcm: np.ndarray) -> list[tuple[float, float]]:
    """The silences (seconds) the voice activity model finds: between speech segments and inside them."""
    segmenter = SpeechSegmenter()
    events = segmenter.push(pcm) + segmenter.flush()
    out, previous_end = [], 0.0
    for event in events:
        if event.kind is VadEventKind.STARTED:
            out.append((previous_end, event.seconds))
        elif event.kind is VadEventKind.ENDED:
            previous_end = event.seconds
        else:
            half = event.silence / RATE / 2
            out.append((event.seconds - half, event.seconds + half))
    return out + [(previous_end, pcm.size / RATE)]


def _between(start: float, end: float, silences: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The stretches of [start, end] outside the silences."""
    stretches, at = [], start
    for quiet_start, quiet_end in sorted(silences):
        if quiet_end <= at or quiet_start >= end:
            continue
        if quiet_start > at:
            stretches.append((at, quiet_start))
        at = max(at, quiet_end)
    return stretches + ([(at, end)] if at < end else [])


def stream(transcriber: IncrementalTranscriber, fake: ScriptedSpeech, pcm: np.ndarray) -> None:
    """Push `pcm` in 20 ms chunks, recognising each window as soon as it is due."""
    for piece in chunks(pcm):
        transcriber.push(piece)
        while (window := transcriber.next_window()) is not None:
            transcriber.accept(window, fake.hear(window))


def run(answer: Answer, fake: ScriptedSpeech, params: IncrementalParams | None = None) -> IncrementalTranscriber:
    """Stream the answer in 20 ms chunks, recognising each window as soon as it is due, then finish."""
    transcriber = IncrementalTranscriber(None, language="en", params=params)
    stream(transcriber, fake, answer.pcm)
    for window in transcriber.finish_windows():
        transcriber.accept(window, fake.hear(window))
    return transcriber


@pytest.fixture(scope="module")
def answer() -> Answer:
    return build_answer(6.0, "q1_lead_deadline_weak.wav", 3.0, "q2_disagreement_strong.wav", trim_end=CLIP_SILENCE)


def test_every_word_is_committed_once_with_its_time_on_the_answer_timeline(answer):
    """The final transcript is exactly the spoken words, in order, timed where they were said."""
    fake = ScriptedSpeech(answer)
    result = run(answer, fake).result()
    assert [w.text for w in result.words] == [w.text for w in fake.words]
    for got, said in zip(result.words, fake.words, strict=True):
        assert got.start == pytest.approx(said.start, abs=0.002) and got.end == pytest.approx(said.end, abs=0.002)
    assert result.text == "".join(w.text for w in fake.words).strip()
    assert result.audio_seconds == pytest.approx(answer.seconds)


def test_no_audio_inside_the_long_silences_is_sent(answer):
    """Everything sent lies within a clip's speech plus the VAD padding; the 6 s and 3 s silences cost nothing."""
    transcriber = run(answer, ScriptedSpeech(answer))
    slack = IncrementalParams().vad.pad + 0.1
    for start, end in transcriber.stats.sent:
        assert any(
            clip_start + CLIP_SILENCE - slack <= start and end <= clip_end - CLIP_SILENCE + slack
            for clip_start, clip_end in answer.spans
        ), (start, end)
    speech = sum(end - start for start, end in answer.spans)
    print(f"\nsent {transcriber.stats.seconds_sent:.1f} s in {transcriber.stats.model_calls} windows "
          f"for {answer.seconds:.1f} s of answer ({speech:.1f} s of clips)")


def test_only_the_speech_since_the_last_commit_is_left_for_finish(answer):
    """At the end one recognition remains, over the speech since the last commit, not the whole answer."""
    params = IncrementalParams()
    fake = ScriptedSpeech(answer)
    stats = run(answer, fake, params).stats
    last = [w for w in fake.windows if w.final]
    assert stats.finish_calls == len(last) >= 1 and fake.windows[-1].final
    assert stats.finish_seconds_sent <= params.commit_window + 0.5  # a clip of 32 s was committed in part
    assert stats.finish_seconds_sent < answer.seconds / 2
    assert stats.model_calls == len(fake.windows)
    assert stats.seconds_sent == pytest.approx(sum(w.seconds for w in fake.windows))


def test_a_pause_commits_the_window_and_the_next_one_starts_after_it(answer):
    """The 3 s silence closes the first clip's window: no later window holds any of its audio."""
    fake = ScriptedSpeech(answer)
    run(answer, fake)
    first_clip_end = answer.spans[0][1]
    closing = [w for w in fake.windows if w.closes and not w.final]
    assert closing and closing[0].end / RATE <= first_clip_end
    later = fake.windows[fake.windows.index(closing[0]) + 1:]
    assert all(p.start / RATE > first_clip_end for w in later for p in w.pieces)


def test_captions_are_shown_never_committed_and_the_pause_commits_the_phrase():
    """A caption window's words are what the caption shows; the pause recognises the phrase once more,
    as a whole, and commits it."""
    answer = build_answer(1.0, "q1_lead_deadline_weak.wav", 2.0)
    fake = ScriptedSpeech(answer)
    transcriber = IncrementalTranscriber(None, language="en")
    speech_end = answer.spans[0][1] - CLIP_SILENCE
    stop = int((speech_end + 0.2) * RATE)  # 0.2 s into the silence: not a pause yet
    for piece in chunks(answer.pcm[:stop]):
        transcriber.push(piece)
        window = transcriber.next_window()
        if window is not None:
            assert not window.commits
            assert transcriber.accept(window, fake.hear(window)) == ()
    assert transcriber.unconfirmed and transcriber.committed == ()
    for piece in chunks(answer.pcm[stop:]):
        transcriber.push(piece)
    window = transcriber.next_window()
    assert window.closes and window.start <= int((answer.spans[0][0] + CLIP_SILENCE) * RATE)
    transcriber.accept(window, fake.hear(window))
    assert transcriber.unconfirmed == () and [w.text for w in transcriber.committed] == [w.text for w in fake.words]
    assert transcriber.finish_windows() == ()


def test_a_caption_window_holds_only_the_latest_speech():
    """However long the speech since the last commit, a caption re-recognises at most `view` seconds of it."""
    answer = build_answer(0.5, "q3_outage_strong.wav", trim_end=CLIP_SILENCE)
    params = IncrementalParams()
    fake = ScriptedSpeech(answer)
    run(answer, fake, params)
    captions = [w for w in fake.windows if not w.commits]
    assert len(captions) >= 8
    assert max(w.seconds for w in captions) <= params.view + 0.1
    assert any(w.start > fake.windows[0].start + params.view * RATE for w in captions)


def test_short_phrases_between_pauses_are_heard_together_and_timed_across_the_skipped_silences():
    """Phrases too short to close a window share one; each word maps back to where it was said."""
    pcm, _ = clip("q2_disagreement_strong.wav")
    speech = pcm[int(CLIP_SILENCE * RATE):]
    parts, spans, position = [np.zeros(RATE, np.int16)], [], RATE
    for index in range(4):
        phrase = speech[int(index * 1.5 * RATE): int((index + 1) * 1.5 * RATE)]
        parts += [phrase, np.zeros(int(1.2 * RATE), np.int16)]
        spans.append((position / RATE, (position + phrase.size) / RATE))
        position += phrase.size + int(1.2 * RATE)
    answer = Answer(np.concatenate(parts), tuple(spans), "")
    fake = ScriptedSpeech(answer, margin=0.1)
    result = run(answer, fake).result()
    assert any(len(window.pieces) >= 2 for window in fake.windows)
    assert [w.text for w in result.words] == [w.text for w in fake.words]
    for got, said in zip(result.words, fake.words, strict=True):
        assert got.start == pytest.approx(said.start, abs=0.002) and got.end == pytest.approx(said.end, abs=0.002)


def test_silence_only_costs_nothing():
    """An answer of silence and faint noise makes no recognition and gives an empty transcript."""
    rng = np.random.default_rng(5)
    pcm = np.concatenate([np.zeros(4 * RATE, np.int16), (rng.standard_normal(4 * RATE) * 50).astype(np.int16)])
    transcriber = IncrementalTranscriber(None, language="en")
    for piece in chunks(pcm):
        transcriber.push(piece)
        assert transcriber.next_window() is None
    assert transcriber.finish_windows() == ()
    result = transcriber.result()
    assert result.is_empty and result.text == "" and transcriber.stats.model_calls == 0


def test_long_speech_is_committed_up_to_a_silence_heard_with_right_context():
    """Speech without a pause: a window of `commit_window` seconds commits its words up to a silence
    `right_context` before its end, and the next one starts there; every word is committed once."""
    answer = build_answer(0.5, "q3_outage_strong.wav", 0.3, "q1_lead_deadline_strong.wav", trim_end=CLIP_SILENCE)
    fake = ScriptedSpeech(answer)
    params = IncrementalParams(commit_window=10.0, right_context=3.0, max_window=12.0)
    transcriber = run(answer, fake, params)
    settling = [w for w in fake.windows if w.settles]
    assert len(settling) >= 4
    assert max(w.seconds for w in fake.windows) <= params.commit_window + 0.1
    committing = [w for w in fake.windows if w.commits]
    for window, following in zip(committing, committing[1:], strict=False):
        if window.settles:
            assert following.start <= window.end - params.right_context * RATE  # the rest is heard again
    assert [w.text for w in transcriber.result().words] == [w.text for w in fake.words]
    assert transcriber.stats.untranscribed_seconds == 0


def test_a_window_that_could_not_commit_in_time_is_kept_under_whispers_30_seconds():
    """If no committing window runs (refused by an overloaded server), the window stops at max_window:
    its oldest speech is not transcribed, and that is counted."""
    answer = build_answer(0.5, "q3_outage_strong.wav", 0.3, "q1_lead_deadline_strong.wav", trim_end=CLIP_SILENCE)
    transcriber = IncrementalTranscriber(None, language="en")
    windows = []
    for piece in chunks(answer.pcm[: 40 * RATE]):
        transcriber.push(piece)
        window = transcriber.next_window()
        if window is not None:
            windows.append(window)
            transcriber.discard(window)
    assert max(w.seconds for w in windows) <= transcriber.params.max_window
    assert transcriber.stats.untranscribed_seconds > 0
    assert windows[-1].start > windows[0].start


@pytest.mark.parametrize(
    "kwargs", [{"cadence": 0}, {"view": 0}, {"right_context": -1}, {"right_context": 24.0}, {"max_window": 29.0},
               {"commit_window": 26.0, "max_window": 25.0}, {"final_piece": 6.0}, {"final_piece": 29.0},
               {"prompt_min_probability": 1.5}]
)
def test_inconsistent_parameters_are_refused(kwargs):
    """No cadence or view, a right context the commit window cannot hold, a window Whisper cannot hear, last
    pieces too short or too long, a probability out of range: ValueError."""
    with pytest.raises(ValueError):
        IncrementalParams(**kwargs)


def test_driving_out_of_order_is_refused(answer):
    """One caption window at a time, accepted as given; no audio after the end; finish only once."""
    transcriber = IncrementalTranscriber(None, language="en")
    pieces = chunks(answer.pcm)
    window = None
    while window is None:
        transcriber.push(next(pieces))
        window = transcriber.next_window()
    assert not window.commits and transcriber.next_window() is None  # one caption window at a time
    stranger = Window(window.audio, "", window.pieces, window.end, False, False)
    with pytest.raises(IncrementalError):
        transcriber.accept(stranger, Transcript("", (), "en", 0.0))
    transcriber.discard(window)
    again = transcriber.next_window()
    assert again is not None and again.pieces[0].start == window.pieces[0].start  # the audio was kept
    transcriber.finish_windows()  # gives up the caption window
    assert not transcriber.is_outstanding(again)
    with pytest.raises(IncrementalError):
        transcriber.accept(again, Transcript("", (), "en", 0.0))
    with pytest.raises(TranscriptionClosed):
        transcriber.push(np.zeros(320, np.int16))


def long_tail(seconds: float) -> tuple[IncrementalTranscriber, ScriptedSpeech, Answer]:
    """A transcriber that heard `seconds` of one long clip and committed none of it (every window discarded)."""
    answer = build_answer(0.5, "q3_outage_strong.wav", trim_end=0.0)
    fake = ScriptedSpeech(answer)
    transcriber = IncrementalTranscriber(None, language="en")
    for piece in chunks(answer.pcm[: int((0.5 + CLIP_SILENCE + seconds) * RATE)]):
        transcriber.push(piece)
        if (window := transcriber.next_window()) is not None:
            assert not window.commits
            transcriber.discard(window)
    return transcriber, fake, answer


def test_a_long_last_window_is_split_at_silences_into_pieces_accepted_in_order():
    """20 s of speech left at the end: pieces of at most `final_piece` s of speech and at least 4 s, cut
    at silences the VAD found, covering the speech without a gap; accepted in order only."""
    transcriber, fake, _ = long_tail(20.0)
    silences = {g for g in transcriber._gaps} | {r.start for r in transcriber._regions}
    last = transcriber.finish_windows()
    assert len(last) == 2 and all(w.final and w.closes for w in last)
    assert all(4.0 <= w.seconds <= transcriber.params.final_piece for w in last)
    assert last[0].end == last[1].start and last[0].end in silences
    with pytest.raises(IncrementalError):
        transcriber.accept(last[1], fake.hear(last[1]))
    for window in last:
        transcriber.accept(window, fake.hear(window))
    assert transcriber.done
    spoken = [w.text for w in fake.words if w.start < last[-1].end / RATE]
    assert [w.text for w in transcriber.result().words] == spoken


def test_discarding_one_piece_of_the_last_window_gives_them_all_again():
    """A failed piece: the pieces are given up together, and finish_windows() gives the same ones again."""
    transcriber, fake, _ = long_tail(20.0)
    first = transcriber.finish_windows()
    transcriber.discard(first[1])
    assert not transcriber.done and not transcriber.is_outstanding(first[0])
    again = transcriber.finish_windows()
    assert [(w.start, w.end) for w in again] == [(w.start, w.end) for w in first]


def test_the_synchronous_driver_passes_audio_language_and_prompt_and_survives_a_failure(answer):
    """advance()/finish() call recognize(audio, language, prompt); a failed call leaves the audio for the next."""
    fake = ScriptedSpeech(answer)
    calls: list[tuple[int, str, str]] = []
    windows: list[Window] = []
    failures = iter([True])

    def recognize(audio: np.ndarray, language: str, prompt: str) -> Transcript:
        window = next(w for w in (transcriber._commit, transcriber._caption, *transcriber._finals)
                      if w is not None and w.audio is audio)
        assert audio.dtype == np.float32
        calls.append((audio.size, language, prompt))
        if next(failures, False):
            raise RuntimeError("model crashed")
        windows.append(window)
        return fake.hear(window)

    transcriber = IncrementalTranscriber(recognize, language="en")
    failed = False
    for piece in chunks(answer.pcm):
        transcriber.push(piece)
        try:
            transcriber.advance()
        except RuntimeError:
            failed = True
    result = transcriber.finish()
    assert failed and [w.text for w in result.words] == [w.text for w in fake.words]
    assert all(language == "en" for _, language, _ in calls)
    assert calls[0][2] == "" and any(prompt.startswith("c0w") for _, _, prompt in calls)  # committed text prompts
    assert transcriber.stats.model_calls == len(windows) == len(calls) - 1
    with pytest.raises(TranscriptionClosed):
        transcriber.finish()


def test_a_slower_cadence_asks_for_cadence_windows_less_often_but_never_delays_a_pause():
    """With `slower=2` a cadence window is due after twice the speech; a pause's window at once."""
    speech = build_answer(0.5, "q1_lead_deadline_strong.wav", trim_end=0.0)

    def first_window_at(slower: float) -> float:
        transcriber = IncrementalTranscriber(None, language="en")
        fed = 0
        for piece in chunks(speech.pcm):
            transcriber.push(piece)
            fed += piece.size
            if transcriber.next_window(slower=slower) is not None:
                return fed / RATE
        raise AssertionError("no window was due")

    cadence = IncrementalParams().cadence
    assert first_window_at(2.0) >= first_window_at(1.0) + cadence - 0.1
    quiet = IncrementalTranscriber(None, language="en")
    for piece in chunks(np.concatenate([speech.pcm[: int(5 * RATE)], np.zeros(RATE, np.int16)])):
        quiet.push(piece)
    window = quiet.next_window(slower=10.0)
    assert window is not None and window.closes  # the pause closes the phrase regardless of the slowdown


def test_when_no_caption_window_ever_runs_long_speech_is_still_committed_whole(answer):
    """A server too busy for captions discards every caption window; committing windows alone commit
    every word, none dropped."""
    fake = ScriptedSpeech(answer)
    transcriber = IncrementalTranscriber(None, language="en")
    for piece in chunks(answer.pcm):
        transcriber.push(piece)
        window = transcriber.next_window()
        if window is None:
            continue
        if window.commits:
            assert window.seconds <= transcriber.params.max_window
            transcriber.accept(window, fake.hear(window))
        else:
            transcriber.discard(window)
    for window in transcriber.finish_windows():
        transcriber.accept(window, fake.hear(window))
    assert [w.text for w in transcriber.result().words] == [w.text for w in fake.words]
    assert transcriber.stats.untranscribed_seconds == 0
    finals = [w.final for w in fake.windows]
    assert finals == sorted(finals) and finals[-1] and len(fake.windows) >= 3  # the last windows come last



def test_a_tentative_last_window_is_kept_when_no_speech_follows_it():
    """Recognised as the answer ends, before the last audio in flight arrives: if that audio is
    silence the window is the last one, and nothing more is recognised."""
    answer = build_answer(1.0, "q1_lead_deadline_weak.wav", 1.0)
    fake = ScriptedSpeech(answer)
    transcriber = IncrementalTranscriber(None, language="en")
    stop = int((answer.spans[0][1] - CLIP_SILENCE + 0.2) * RATE)  # the click: 0.2 s after the last word
    stream(transcriber, fake, answer.pcm[:stop])
    tentative = transcriber.tentative_finals()
    assert len(tentative) == 1 and tentative[0].final
    for piece in chunks(answer.pcm[stop:]):  # the tail: silence
        transcriber.push(piece)
    assert transcriber.finish_with(tentative, [fake.hear(w) for w in tentative])
    assert transcriber.done and [w.text for w in transcriber.result().words] == [w.text for w in fake.words]
    with pytest.raises(TranscriptionClosed):
        transcriber.finish_windows()


def test_a_tentative_last_window_gives_way_when_speech_follows_it():
    """Speech in the audio still in flight: the tentative window is dropped and the real last one
    hears everything."""
    answer = build_answer(1.0, "q1_lead_deadline_weak.wav", 1.0)
    fake = ScriptedSpeech(answer)
    transcriber = IncrementalTranscriber(None, language="en")
    stop = int((answer.spans[0][0] + 4.0) * RATE)  # mid-sentence
    stream(transcriber, fake, answer.pcm[:stop])
    tentative = transcriber.tentative_finals()
    for piece in chunks(answer.pcm[stop:]):
        transcriber.push(piece)
    assert not transcriber.finish_with(tentative, [fake.hear(w) for w in tentative])
    assert not transcriber.done
    (last,) = transcriber.finish_windows()
    assert last.final and last.end > tentative[-1].end
    transcriber.accept(last, fake.hear(last))
    assert [w.text for w in transcriber.result().words] == [w.text for w in fake.words]


def pending_commit(answer: Answer, fake: ScriptedSpeech, params: IncrementalParams | None = None,
                   *, settles: bool) -> tuple[IncrementalTranscriber, Window, int]:
    """Stream until a committing window of the wanted kind is given, recognising the others at once;
    leave that one outstanding. Returns the transcriber, the window and the samples pushed."""
    transcriber = IncrementalTranscriber(None, language="en", params=params)
    pushed = 0
    for piece in chunks(answer.pcm):
        transcriber.push(piece)
        pushed += piece.size
        window = transcriber.next_window()
        if window is None:
            continue
        if window.commits and window.settles == settles:
            return transcriber, window, pushed
        transcriber.accept(window, fake.hear(window))
    raise AssertionError("no such committing window")


def test_captions_go_on_while_a_committing_window_is_recognised():
    """A long commit takes seconds of the model: caption windows of the newer speech are given
    meanwhile, and a caption older than what the commit heard does not replace its words."""
    answer = build_answer(0.5, "q3_outage_strong.wav", trim_end=CLIP_SILENCE)
    fake = ScriptedSpeech(answer)
    params = IncrementalParams(commit_window=10.0, right_context=3.0, max_window=12.0)
    transcriber, commit, pushed = pending_commit(answer, fake, params, settles=True)
    captions = []
    for piece in chunks(answer.pcm[pushed: pushed + 5 * RATE]):
        transcriber.push(piece)
        window = transcriber.next_window()
        if window is not None:
            assert not window.commits  # one committing window at a time
            captions.append(window)
            transcriber.accept(window, fake.hear(window))
    assert len(captions) >= 2 and all(w.end > commit.end for w in captions)
    shown = transcriber.unconfirmed
    assert shown and shown[-1].end * RATE > commit.end
    transcriber.accept(commit, fake.hear(commit))
    assert transcriber.unconfirmed[-1] == shown[-1]  # the newer caption's words stay shown


def test_a_caption_older_than_a_commit_does_not_replace_its_words():
    """A caption window given before a committing window but recognised after it: the commit heard
    newer speech, so the caption's words are not shown over its words."""
    answer = build_answer(0.5, "q3_outage_strong.wav", trim_end=CLIP_SILENCE)
    fake = ScriptedSpeech(answer)
    params = IncrementalParams(commit_window=10.0, right_context=3.0, max_window=12.0)
    transcriber = IncrementalTranscriber(None, language="en", params=params)
    caption = commit = None
    for piece in chunks(answer.pcm):
        transcriber.push(piece)
        window = transcriber.next_window()
        if window is None:
            continue
        if not window.commits and caption is None and transcriber.commit_due is False:
            caption = window  # held: its recognition is slow
        elif window.commits and caption is not None:
            commit = window
            break
        else:
            transcriber.accept(window, fake.hear(window))
    assert caption is not None and commit is not None and commit.end > caption.end
    transcriber.accept(commit, fake.hear(commit))
    shown = transcriber.unconfirmed
    assert transcriber.accept(caption, fake.hear(caption)) == ()
    assert transcriber.unconfirmed == shown


@pytest.mark.parametrize("settles", [False, True], ids=["after-a-pause", "long-speech"])
def test_the_last_windows_need_not_wait_for_a_committing_window(settles):
    """The answer ends while a committing window is being recognised: the last windows start where it
    will commit up to (a pause's end, or its latest silence), are accepted after it, and every word is
    committed once."""
    if settles:
        answer = build_answer(0.5, "q3_outage_strong.wav", trim_end=CLIP_SILENCE)
        params = IncrementalParams(commit_window=10.0, right_context=3.0, max_window=12.0)
    else:
        answer = build_answer(0.5, "q1_lead_deadline_weak.wav", 1.0, "q2_disagreement_weak.wav", trim_end=CLIP_SILENCE)
        params = None
    fake = ScriptedSpeech(answer)
    transcriber, commit, pushed = pending_commit(answer, fake, params, settles=settles)
    for piece in chunks(answer.pcm[pushed: pushed + 6 * RATE]):
        transcriber.push(piece)
    last = transcriber.finish_windows()
    assert last and transcriber.is_outstanding(commit)
    assert last[0].start < commit.end if settles else last[0].start >= commit.end
    assert last[0].start > commit.start
    with pytest.raises(IncrementalError):
        transcriber.accept(last[0], fake.hear(last[0]))  # the committing window comes first
    transcriber.accept(commit, fake.hear(commit))
    assert transcriber.committed[-1].end * RATE <= last[0].start
    for window in last:
        transcriber.accept(window, fake.hear(window))
    assert transcriber.done
    spoken = [w.text for w in fake.words if w.start < last[-1].end / RATE]
    assert [w.text for w in transcriber.result().words] == spoken


def test_a_failed_committing_window_takes_the_last_windows_that_go_on_from_it():
    """The commit the last windows start inside fails: they are given up too, and finish_windows()
    gives last windows from the last cut, so nothing is lost."""
    answer = build_answer(0.5, "q3_outage_strong.wav", trim_end=CLIP_SILENCE)
    fake = ScriptedSpeech(answer)
    params = IncrementalParams(commit_window=10.0, right_context=3.0, max_window=12.0)
    transcriber, commit, pushed = pending_commit(answer, fake, params, settles=True)
    for piece in chunks(answer.pcm[pushed: pushed + 3 * RATE]):
        transcriber.push(piece)
    first = transcriber.finish_windows()
    transcriber.discard(commit)
    assert not any(transcriber.is_outstanding(w) for w in first) and not transcriber.done
    again = transcriber.finish_windows()
    assert again[0].start == commit.start
    for window in again:
        transcriber.accept(window, fake.hear(window))
    spoken = [w.text for w in fake.words if w.start < again[-1].end / RATE]
    assert [w.text for w in transcriber.result().words] == spoken


def test_words_recognised_unsure_are_left_out_of_the_prompt():
    """The prompt is the committed text before the window, without words below `prompt_min_probability`
    (a misheard word in the prompt is heard again in every later window)."""
    answer = build_answer(0.5, "q1_lead_deadline_weak.wav", 1.0, "q2_disagreement_weak.wav", trim_end=CLIP_SILENCE)
    fake = ScriptedSpeech(answer)
    transcriber = IncrementalTranscriber(None, language="en")
    prompts = []
    for piece in chunks(answer.pcm):
        transcriber.push(piece)
        while (window := transcriber.next_window()) is not None:
            prompts.append(window.prompt)
            heard = fake.hear(window)
            unsure = tuple(Word(w.text, w.start, w.end, 0.3 if w.text.endswith("w1") else 0.9) for w in heard.words)
            transcriber.accept(window, Transcript(heard.text, unsure, "en", heard.audio_seconds))
    later = [p.split() for p in prompts if "c0w2" in p.split()]
    assert later and all("c0w0" in words and "c0w1" not in words for words in later)
