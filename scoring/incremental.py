"""Incremental transcription of one answer: only speech is transcribed, committed as it settles.

Audio goes through voice activity detection (`vad.SpeechSegmenter`); only speech segments (with
their padding) are ever sent to the recogniser, so silence costs no inference. Everything since
the last cut (the "window", long silences left out) is committed by one of three windows:

- a pause (`VadParams.min_silence`) after at least `min_close` seconds of speech closes the window:
  its speech is complete, so it is recognised once and committed whole;
- speech that runs on without a pause is committed once `commit_window` seconds of it are
  waiting: that window is recognised and its words are committed up to the latest silence (a VAD
  gap, else between two words) that Whisper heard `right_context` seconds of speech after. The
  rest is heard again by the next window;
- the answer's end: only what followed the last cut is left (`finish_window`).

Between commits, a caption window every `cadence` seconds of new speech re-recognises only the
latest `view` seconds, cheaply: its words are what a caption shows after the committed ones
(`unconfirmed`), and they are never committed.

Why not LocalAgreement (commit the prefix two successive hypotheses of the growing window agree
on, as whisper_streaming does): measured on the test answers with Whisper base
(bench/incremental.py), it needs every caption to re-recognise the whole growing window, and its
agreements are trustworthy only with ~17 s of audio heard after a word — 0.42 CPU-seconds of
captions per second of speech for a corpus WER of 1.04 × the whole answers'. Committing a 24 s
window with 8 s of right context (Whisper base decides a word well once it has heard several
seconds after it, and badly at a window's end), with 6 s caption windows, costs 0.14-0.23 CPU-s
per second of speech in all, for 0.76 × the whole answers' corpus WER (0.065 against 0.085).

The model is injected: `recognize(audio, language, prompt) -> Transcript`, blocking, with word
timestamps relative to `audio` (float32, 16 kHz). The prompt is the text just before the window,
as in whisper_streaming, so spelling and punctuation carry across windows. Results have every
word on the ORIGINAL answer timeline, the skipped silences included.

Two ways to drive it:

- synchronously: `push()` audio, call `advance()` as often as convenient (it recognises only
  when a window is due), then `finish()`;
- sans I/O, for a scheduler that runs recognitions elsewhere: `next_window()` gives the audio
  and prompt to recognise (None when nothing is due), `accept(window, transcript)` feeds the
  result back, `discard(window)` gives up on it (the audio stays for the next window);
  `finish_window()` ends the input and gives the last window (None if nothing is left), and
  `result()` the transcript. One window is outstanding at a time. `Window.final` and
  `Window.commits` say which windows a score waits for (final) or commit words (commits); a
  caption window that is not run in time is simply superseded by a newer one.

Not thread-safe: the owner calls an instance from one thread at a time.

Parameters (`IncrementalParams`), chosen on the recorded clips with Whisper base:

- `cadence` 2 s of new speech between caption windows; a busy scheduler may ask less often.
- `view` 6 s: a caption window holds at most the latest this-much speech (starting at a silence
  when one is near): a 4-6 s window costs 0.2-0.25 s of one core, a 20 s one over 1 s.
- `commit_window` 24 s and `right_context` 8 s: see above; 28 s windows were a little more
  accurate still, but pay for Whisper's full 30 s encoder input.
- `min_close` 3 s: a pause closes the window only if it holds this much speech; shorter phrases
  ("ask not", an "um") are heard together with what follows, since Whisper recognises short
  clips poorly.
- `max_window` 28 s: Whisper decodes 30 s at a time. Only if committing windows could not run
  (a refused job) does a window reach this; then its oldest audio is not transcribed, counted.
- `prompt_chars` 200: whisper_streaming's prompt length.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .asr import SAMPLE_RATE
from .committed import CommittedWords
from .errors import IncrementalError, TranscriptionClosed
from .transcript import Transcript, Word
from .vad import WINDOW as VAD_WINDOW
from .vad import SpeechSegmenter, VadEvent, VadEventKind, VadParams, VoiceActivity

log = logging.getLogger(__name__)

Recognize = Callable[[np.ndarray, str, str], Transcript]

_VIEW_SLACK = 1.5  # seconds: a caption window may start this much earlier, to start at a silence


@dataclass(frozen=True)
class IncrementalParams:
    """When to recognise and what to commit (seconds; see the module docstring for why these values)."""

    cadence: float = 2.0
    view: float = 6.0
    commit_window: float = 24.0
    right_context: float = 8.0
    min_close: float = 3.0
    max_window: float = 28.0
    prompt_chars: int = 200
    vad: VadParams = field(default_factory=VadParams)

    def __post_init__(self) -> None:
        if self.cadence <= 0 or self.view <= 0 or self.min_close < 0 or self.right_context < 0:
            raise ValueError("cadence and view must be positive; min_close and right_context not negative")
        if not self.right_context < self.commit_window <= self.max_window <= 28.0:
            raise ValueError("need right_context < commit_window <= max_window <= 28 s (Whisper hears 30 s)")


@dataclass(frozen=True)
class Piece:
    """A stretch of answer audio inside a window: `length` samples at `offset` in the window, `start` in the answer."""

    offset: int
    start: int
    length: int


@dataclass(frozen=True, eq=False)
class Window:
    """Audio to recognise: speech from `pieces[0].start` to `end`, silences longer than a pause left out."""

    audio: np.ndarray  # float32, 16 kHz mono
    prompt: str
    pieces: tuple[Piece, ...]
    end: int  # answer sample up to which this window holds all the speech
    closes: bool  # the speech is complete up to `end` (a pause, or the end of the answer): commit it all
    final: bool  # the answer's last window
    settles: bool = False  # long speech: commit what has `right_context` after it

    @property
    def commits(self) -> bool:
        """Its words are committed (else it only refreshes the caption)."""
        return self.closes or self.settles

    @property
    def start(self) -> int:
        return self.pieces[0].start

    @property
    def seconds(self) -> float:
        return self.audio.size / SAMPLE_RATE

    def to_answer(self, seconds: float, *, is_end: bool = False) -> float:
        """A time in the window's audio → the same moment on the answer's timeline."""
        sample = round(seconds * SAMPLE_RATE)
        for piece in self.pieces:
            inside = sample < piece.offset + piece.length or (is_end and sample == piece.offset + piece.length)
            if inside:
                return (piece.start + max(0, sample - piece.offset)) / SAMPLE_RATE
        last = self.pieces[-1]
        return (last.start + last.length) / SAMPLE_RATE


@dataclass
class IncrementalStats:
    """What the model was asked to do for this answer (counted when a result is accepted)."""

    model_calls: int = 0
    seconds_sent: float = 0.0  # audio seconds in all recognised windows (overlapping windows count twice)
    finish_calls: int = 0  # recognitions left after the answer ended (0 or 1)
    finish_seconds_sent: float = 0.0
    sent: list[tuple[float, float]] = field(default_factory=list)  # answer spans (seconds) the model heard
    speech_seconds: float = 0.0  # speech the VAD found (padding included), counted as each segment ends
    untranscribed_seconds: float = 0.0  # speech cut from a window that could not be committed in time


@dataclass
class _Region:
    start: int  # padded start (answer samples); moves forward when the window is cut inside it
    end: int | None = None  # padded end; None while speech goes on
    began: int = -1  # the padded start as the VAD reported it

    def __post_init__(self) -> None:
        if self.began < 0:
            self.began = self.start


class IncrementalTranscriber:
    """One answer's audio in, committed words out; the recogniser sees only its speech."""

    def __init__(self, recognize: Recognize | None, *, language: str, params: IncrementalParams | None = None,
                 voice: VoiceActivity | None = None) -> None:
        self.params = p = params or IncrementalParams()
        self.language = language
        self.stats = IncrementalStats()
        self._recognize = recognize
        self._segmenter = SpeechSegmenter(p.vad, voice)
        self._committed = CommittedWords()
        self._shown: list[Word] = []  # the latest hypothesis of the speech after the committed words
        self._chunks: list[np.ndarray] = []
        self._base = 0  # answer sample of the first kept sample
        self._kept = 0  # samples kept from `_base`
        self._regions: list[_Region] = []
        self._gaps: list[int] = []
        self._cut = 0  # audio before this is never sent again
        self._heard = 0  # the latest hypothesis heard the audio up to here
        self._close_at: int | None = None
        self._outstanding: Window | None = None
        self._ended = False  # no more audio: the segmenter is flushed
        self._done = False  # the last window is accepted (or none was needed)

    # --- what has been said -------------------------------------------------------------------

    @property
    def committed(self) -> tuple[Word, ...]:
        return self._committed.words

    @property
    def unconfirmed(self) -> tuple[Word, ...]:
        """The latest hypothesis of the speech after the committed words: what a caption shows in grey."""
        return tuple(self._shown)

    @property
    def audio_seconds(self) -> float:
        return self._segmenter.position / SAMPLE_RATE

    def result(self) -> Transcript:
        """The transcript so far; after the last window is accepted, the final one."""
        words = self._committed.words
        text = "".join(word.text for word in words).strip()
        return Transcript(text=text, words=words, language=self.language, audio_seconds=self.audio_seconds)

    # --- audio in -------------------------------------------------------------------------------

    def push(self, pcm: np.ndarray) -> list[VadEvent]:
        """Append 16 kHz mono int16 audio; returns the voice activity events it completed."""
        if self._ended:
            raise TranscriptionClosed("audio pushed after the answer ended")
        if pcm.size == 0:
            return []
        pcm = np.asarray(pcm, dtype=np.int16)
        self._chunks.append(pcm)
        self._kept += pcm.size
        events = self._segmenter.push(pcm)
        self._handle(events)
        return events

    def _handle(self, events: list[VadEvent]) -> None:
        for event in events:
            if event.kind is VadEventKind.STARTED:
                self._regions.append(_Region(max(event.sample, self._base, self._cut)))
            elif event.kind is VadEventKind.GAP:
                self._gaps.append(event.sample)
            else:
                region = self._regions[-1]
                region.end = event.sample
                self.stats.speech_seconds += (region.end - region.began) / SAMPLE_RATE
                if self._speech(self._cut, event.sample) >= self.params.min_close * SAMPLE_RATE:
                    self._close_at = event.sample  # a pause: the window up to here is complete
        if not self._segmenter.in_speech:
            self._trim()

    @property
    def commit_due(self) -> bool:
        """A committing window is due: a pause closed the speech, or enough of it runs on."""
        return self._close_at is not None or self._speech(self._cut, self._segmenter.position) >= (
            self.params.commit_window * SAMPLE_RATE)

    # --- windows ----------------------------------------------------------------------------------

    def _stop(self, region: _Region) -> int:
        """Where a region's speech ends so far (the current position while it goes on)."""
        return self._segmenter.position if region.end is None else region.end

    def _speech(self, start: int, end: int) -> int:
        """Samples of (padded) speech between two answer samples."""
        return sum(max(0, min(self._stop(region), end) - max(region.start, start)) for region in self._regions)

    def _speech_before(self, end: int, amount: int) -> int:
        """The answer sample from which `amount` samples of speech lead up to `end` (the cut if fewer)."""
        for region in reversed(self._regions):
            stop = min(end, self._stop(region))
            take = max(0, stop - region.start)
            if take >= amount:
                return stop - amount
            amount -= take
        return self._cut

    def speech_after(self, sample: int) -> float:
        """Seconds of speech heard after answer sample `sample` (e.g. the end of a window in flight)."""
        return self._speech(sample, self._segmenter.position) / SAMPLE_RATE

    @property
    def due(self) -> bool:
        """A recognition would make progress now: a committing window, or `cadence` seconds of new speech."""
        return self._due(self.params.cadence)

    def _due(self, cadence: float) -> bool:
        if self._outstanding is not None or self._ended:
            return False
        if self.commit_due:
            return True
        return self._speech(max(self._heard, self._cut), self._segmenter.position) >= cadence * SAMPLE_RATE

    def next_window(self, *, slower: float = 1.0) -> Window | None:
        """The window to recognise now, or None if none is due. `slower` > 1 stretches the cadence
        (a busy scheduler asks for caption windows less often; a committing window is never delayed)."""
        if not self._due(self.params.cadence * max(1.0, slower)):
            return None
        if self._close_at is not None:
            end = self._close_at
            window = self._window(self._cut, end, closes=True)
            if window is None:
                self._move_cut(end)
                self._close_at = None
            return window
        end = self._segmenter.position
        if self.commit_due:
            return self._window(self._cut, end, settles=True)
        return self._window(self._view_start(end), end)

    def finish_window(self) -> Window | None:
        """End the answer; return its last window, or None if everything is already committed."""
        if self._done:
            raise TranscriptionClosed("this answer's transcription is already finished")
        if self._outstanding is not None:
            raise IncrementalError("finish while a window is being recognised; accept or discard it first")
        if not self._ended:
            self._handle(self._segmenter.flush())
            self._ended = True
        window = self._window(self._cut, self._segmenter.position, closes=True, final=True)
        self._done = window is None
        return window

    def tentative_final(self) -> Window | None:
        """The answer is about to end, its last audio still in flight: the last window as things stand
        (None if nothing is left), recognised at once and confirmed by `finish_with` once the input
        has ended — saving the wait for audio that is most often silence."""
        if self._ended or self._outstanding is not None:
            raise IncrementalError("a tentative last window needs open input and no window outstanding")
        return self._window(self._cut, self._segmenter.position, closes=True, final=True)

    def finish_with(self, window: Window, transcript: Transcript) -> bool:
        """End the input and confirm a `tentative_final` window: accepted as the last one (True) if no
        voice came after it; else discarded (False), and `finish_window()` gives the real last window."""
        if window is not self._outstanding or not window.final:
            raise IncrementalError("finish_with() needs the outstanding tentative last window")
        if not self._ended:
            self._handle(self._segmenter.flush())
            self._ended = True
        if self._segmenter.last_voice > window.end + VAD_WINDOW:  # one model window may straddle the end
            self.discard(window)
            return False
        self.accept(window, transcript)
        return True

    @property
    def done(self) -> bool:
        """The last window is accepted (or none was needed): `result()` is final."""
        return self._done

    def _view_start(self, end: int) -> int:
        """Where a caption window starts: `view` seconds of speech before `end`, at a silence if one is near."""
        view = int(self.params.view * SAMPLE_RATE)
        if self._speech(self._cut, end) <= view:
            return self._cut
        start = self._speech_before(end, view)
        later = [gap for gap in self._gaps if start <= gap <= start + _VIEW_SLACK * SAMPLE_RATE]
        return later[0] if later else start

    def _window(self, start: int, end: int, *, closes: bool = False, settles: bool = False,
                final: bool = False) -> Window | None:
        limit = int(self.params.max_window * SAMPLE_RATE)
        if not final and start == self._cut and self._speech(start, end) > limit:
            self._make_room(end, limit)
            start = self._cut
        pieces: list[Piece] = []
        offset = 0
        for region in self._regions:
            stop = min(end, self._stop(region))
            first = max(region.start, start, self._base)
            if stop > first:
                pieces.append(Piece(offset, first, stop - first))
                offset += stop - first
        if not pieces:
            return None
        audio = self._joined()
        parts = [audio[p.start - self._base:p.start - self._base + p.length] for p in pieces]
        samples = np.concatenate(parts).astype(np.float32) / 32768.0
        window = Window(samples, self._prompt(pieces[0].start), tuple(pieces), end, closes, final, settles)
        self._outstanding = window
        return window

    def _make_room(self, end: int, limit: int) -> None:
        """No committing window ran in time and this one would outgrow Whisper's: its oldest audio is
        not transcribed (counted), so the rest still is."""
        cut = self._speech_before(end, limit)
        log.warning("%.0f s of speech could not be committed in time; its oldest part is not transcribed",
                    self._speech(self._cut, end) / SAMPLE_RATE)
        self.stats.untranscribed_seconds += self._speech(self._cut, cut) / SAMPLE_RATE
        self._move_cut(cut)

    def _prompt(self, start: int) -> str:
        """The text said before answer sample `start`, at most `prompt_chars` of it."""
        before = [w for w in (*self._committed.words, *self._shown) if w.start * SAMPLE_RATE < start]
        parts: list[str] = []
        length = 0
        for word in reversed(before):
            parts.append(word.text)
            length += len(word.text)
            if length >= self.params.prompt_chars:
                break
        return "".join(reversed(parts)).strip()

    def _joined(self) -> np.ndarray:
        if len(self._chunks) > 1:
            self._chunks = [np.concatenate(self._chunks)]
        return self._chunks[0] if self._chunks else np.zeros(0, np.int16)

    # --- results in ---------------------------------------------------------------------------

    def accept(self, window: Window, transcript: Transcript) -> tuple[Word, ...]:
        """Feed back the recognition of `window`; returns the words it committed."""
        if window is not self._outstanding:
            raise IncrementalError("accept() of a window that is not the outstanding one")
        self._outstanding = None
        self._count(window)
        words = [
            Word(w.text, round(window.to_answer(w.start), 3), round(window.to_answer(w.end, is_end=True), 3),
                 w.probability)
            for w in transcript.words
        ]
        self._done = self._done or window.final
        self._heard = max(self._heard, window.end)
        if not window.commits:  # a caption: it replaces what the caption showed of its stretch
            self._shown = [w for w in self._shown if w.end * SAMPLE_RATE <= window.start] + words
            return ()
        until = window.end if window.closes else self._settled_until(window, words)
        committed = self._committed.add([w for w in words if w.end * SAMPLE_RATE <= until], until=until / SAMPLE_RATE)
        # What the caption shows after the commit: this window's words after it, then any caption
        # window's words of speech this window did not hear.
        heard = [w for w in words if w.start * SAMPLE_RATE >= until] if window.settles else []
        newer = [w for w in self._shown if w.start * SAMPLE_RATE >= max(until, window.end)]
        self._shown = heard + newer
        if self._close_at is not None and self._close_at <= window.end:
            self._close_at = None
        self._move_cut(until)
        return committed

    def _settled_until(self, window: Window, words: Sequence[Word]) -> int:
        """Where a long window's commit stops: the latest silence with `right_context` of speech heard
        after it — a VAD gap not inside a recognised word, else the middle between two words."""
        limit = window.end - int(self.params.right_context * SAMPLE_RATE)
        gaps = [gap for gap in self._gaps if window.start < gap <= limit
                and not any(w.start * SAMPLE_RATE < gap < w.end * SAMPLE_RATE for w in words)]
        if gaps:
            return gaps[-1]
        between = [int((a.end + b.start) / 2 * SAMPLE_RATE) for a, b in zip(words, words[1:], strict=False)]
        between = [sample for sample in between if window.start < sample <= limit]
        return between[-1] if between else limit

    def discard(self, window: Window) -> None:
        """The recognition of `window` failed or was dropped: its audio stays for the next window."""
        if window is self._outstanding:
            self._outstanding = None  # a discarded last window can be asked for again with finish_window()

    def _count(self, window: Window) -> None:
        self.stats.model_calls += 1
        self.stats.seconds_sent += window.seconds
        if window.final:
            self.stats.finish_calls += 1
            self.stats.finish_seconds_sent += window.seconds
        self.stats.sent.extend((p.start / SAMPLE_RATE, (p.start + p.length) / SAMPLE_RATE) for p in window.pieces)

    def _move_cut(self, cut: int) -> None:
        if cut <= self._cut:
            return
        self._cut = cut
        self._regions = [r for r in self._regions if r.end is None or r.end > cut]
        for region in self._regions:
            region.start = max(region.start, cut)
        self._gaps = [g for g in self._gaps if g > cut]
        self._trim()

    def _trim(self) -> None:
        """Free audio no window will need: before the cut, and silence before the next speech."""
        keep_from = self._cut
        if self._regions:
            keep_from = max(keep_from, self._regions[0].start)
        elif not self._segmenter.in_speech:
            # Speech confirmed later is dated back by at most min_speech + pad (+ one model window).
            lookback = int((self.params.vad.min_speech + self.params.vad.pad + 0.1) * SAMPLE_RATE)
            keep_from = max(keep_from, self._segmenter.position - lookback)
        drop = min(keep_from, self._base + self._kept) - self._base
        if drop > 0:
            audio = self._joined()
            self._chunks = [audio[drop:]]
            self._base += drop
            self._kept -= drop

    # --- synchronous driving --------------------------------------------------------------------

    def advance(self) -> bool:
        """Recognise the due window, if any, with the injected recogniser; True if one was recognised."""
        window = self.next_window()
        if window is None:
            return False
        self._run(window)
        return True

    def finish(self) -> Transcript:
        """End the answer, recognise what is left (only the speech since the last commit) and return the transcript."""
        window = self.finish_window()
        if window is not None:
            self._run(window)
        return self.result()

    def _run(self, window: Window) -> None:
        if self._recognize is None:
            raise IncrementalError("no recogniser was given; drive this transcriber with next_window()/accept()")
        try:
            transcript = self._recognize(window.audio, self.language, window.prompt)
        except BaseException:
            self.discard(window)
            raise
        self.accept(window, transcript)
