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
- the answer's end: only what followed the last cut is left (`finish_windows`). When that is
  longer than `final_piece` seconds it is split at silences (VAD gaps, or the pauses between
  phrases too short to close one) into pieces of about equal speech, recognised side by side on
  the scheduler's workers: two 8 s pieces, each in a 15 s encoder input, take 0.5 s of one core
  each where the 16 s whole, in Whisper's 30 s input, took 1.1-1.5 s (and the corpus WER of the
  load bench's answers did not get worse: 0.071 against 0.075). If a committing window is still
  being recognised as the answer ends, the last windows start where it will commit up to (its end
  after a pause; its latest silence for long speech), so they need not wait for it.

Between commits — and while a committing window is being recognised, so a caption does not stand
still for the seconds a long commit takes — a caption window every `cadence` seconds of new
speech re-recognises only the latest `view` seconds, cheaply: its words are what a caption shows
after the committed ones (`unconfirmed`), and they are never committed.

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
  `finish_windows()` ends the input and gives the last windows (none if nothing is left), and
  `result()` the transcript. At most one committing and one caption window are outstanding at a
  time (call `next_window()` again after it gave one); the last windows are accepted in order,
  after a committing window still outstanding. `Window.final` and `Window.commits` say which
  windows a score waits for (final) or commit words (commits); a caption window that is not run
  in time is simply superseded by a newer one.

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
- `final_piece` 13 s: the longest last window recognised in one piece; 13 s fits a 15 s encoder
  input with the headroom Whisper needs (scoring.asr).
- `max_window` 28 s: Whisper decodes 30 s at a time. Only if committing windows could not run
  (a refused job) does a window reach this; then its oldest audio is not transcribed, counted.
- `prompt_chars` 200: whisper_streaming's prompt length.
- `prompt_min_probability` 0.5: words Whisper was less sure of are left out of the prompt. A
  prompt carries a misheard word into every later window ("design" heard once as "benign" came
  back as "benign" three more times); without the unsure words the corpus WER went from 0.072 to
  0.067 on the load bench's answers and from 0.066 to 0.039 on real voices, 0.061 either way on
  bench/incremental's answers.
"""

from __future__ import annotations

import logging
import math
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
_MIN_PIECE = 4.0  # seconds of speech: the shortest piece a last window is split into (Whisper hears short clips poorly)


@dataclass(frozen=True)
class IncrementalParams:
    """When to recognise and what to commit (seconds; see the module docstring for why these values)."""

    cadence: float = 2.0
    view: float = 6.0
    commit_window: float = 24.0
    right_context: float = 8.0
    min_close: float = 3.0
    final_piece: float = 13.0
    max_window: float = 28.0
    prompt_chars: int = 200
    prompt_min_probability: float = 0.5
    vad: VadParams = field(default_factory=VadParams)

    def __post_init__(self) -> None:
        if self.cadence <= 0 or self.view <= 0 or self.min_close < 0 or self.right_context < 0:
            raise ValueError("cadence and view must be positive; min_close and right_context not negative")
        if not 0.0 <= self.prompt_min_probability <= 1.0:
            raise ValueError("prompt_min_probability is a probability: 0 to 1")
        if not 2 * _MIN_PIECE <= self.final_piece <= 28.0:
            raise ValueError(f"need {2 * _MIN_PIECE:.0f} s <= final_piece <= 28 s (Whisper hears 30 s)")
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

    provisional: float = 0.0  # seconds at its end that will be heard again: their words need not be finished

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
    finish_calls: int = 0  # recognitions left after the answer ended (the last window's pieces)
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
        self._commit: Window | None = None  # the committing window being recognised
        self._caption: Window | None = None  # the caption window being recognised
        self._finals: list[Window] = []  # the last windows being recognised, in order
        self._final_from: int | None = None  # set while the last windows overlap a committing window: they start here
        self._ended = False  # no more audio: the segmenter is flushed
        self._last_given = False  # the last windows were given (finish_windows, or confirmed by finish_with)

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
        return self._commit_ready() or self._caption_ready(self.params.cadence)

    def _commit_ready(self) -> bool:
        return self._commit is None and not self._ended and self.commit_due

    def _caption_ready(self, cadence: float) -> bool:
        if self._caption is not None or self._ended:
            return False
        return self._speech(max(self._heard, self._cut), self._segmenter.position) >= cadence * SAMPLE_RATE

    def next_window(self, *, slower: float = 1.0) -> Window | None:
        """The window to recognise now, or None if none is due: a committing window first, else a caption
        window — also while a committing window is outstanding, so call again after it gave one. `slower`
        > 1 stretches the cadence (a busy scheduler asks for caption windows less often; a committing
        window is never delayed)."""
        if self._commit_ready():
            window = self._commit_window()
            if window is not None:
                self._commit = window
                return window
        if self._caption_ready(self.params.cadence * max(1.0, slower)):
            end = self._segmenter.position
            self._caption = self._window(self._view_start(end), end)
            return self._caption
        return None

    def _commit_window(self) -> Window | None:
        if self._close_at is not None:
            end = self._close_at
            window = self._window(self._cut, end, closes=True)
            if window is None:
                self._move_cut(end)
                self._close_at = None
            return window
        return self._window(self._cut, self._segmenter.position, settles=True)

    def finish_windows(self) -> tuple[Window, ...]:
        """End the answer; return its last windows (none if everything is committed), to be accepted in order.

        A caption window still outstanding is given up. A committing window still outstanding stays
        so: accept (or discard) it first; the last windows start where it will commit up to."""
        if self.done:
            raise TranscriptionClosed("this answer's transcription is already finished")
        if self._finals:
            raise IncrementalError("the last windows are already being recognised; accept or discard them first")
        if not self._ended:
            self._handle(self._segmenter.flush())
            self._ended = True
        self._caption = None
        self._finals = self._last_windows()
        self._last_given = True
        return tuple(self._finals)

    def tentative_finals(self) -> tuple[Window, ...]:
        """The answer is about to end, its last audio still in flight: the last windows as things stand
        (none if nothing is left), recognised at once and confirmed by `finish_with` once the input has
        ended — saving the wait for audio that is most often silence."""
        if self._ended or self._finals:
            raise IncrementalError("tentative last windows need open input and no last windows outstanding")
        self._caption = None
        self._finals = self._last_windows()
        return tuple(self._finals)

    def finish_with(self, windows: Sequence[Window], transcripts: Sequence[Transcript]) -> bool:
        """End the input and confirm `tentative_finals` windows (after the committing window they overlap,
        if any, was accepted): accepted as the last ones (True) if no voice came after them; else
        discarded (False), and `finish_windows()` gives the real last windows."""
        if list(windows) != self._finals or len(windows) != len(transcripts) or not windows:
            raise IncrementalError("finish_with() needs the outstanding tentative last windows and their transcripts")
        if self._commit is not None:
            raise IncrementalError("accept or discard the outstanding committing window first")
        if not self._ended:
            self._handle(self._segmenter.flush())
            self._ended = True
        if self._segmenter.last_voice > windows[-1].end + VAD_WINDOW:  # one model window may straddle the end
            self.discard(windows[0])
            return False
        self._last_given = True
        for window, transcript in zip(windows, transcripts, strict=True):
            self.accept(window, transcript)
        return True

    def _last_windows(self) -> list[Window]:
        """The speech from where the last windows start to the end, in pieces of at most `final_piece`
        seconds of speech (about equal, cut at silences), each window closing its speech."""
        start, end = self._cut, self._segmenter.position
        self._final_from = None
        if self._commit is not None:
            start = self._commit.end if self._commit.closes else max(
                [gap for gap in self._gaps if self._commit.start < gap <= self._commit.end], default=self._cut)
            if start == self._cut:  # long speech without a silence: its committing window is not used
                self._commit = None
            else:
                self._final_from = start
        bounds = [start, *self._splits(start, end), end]
        windows = [self._window(a, b, closes=True, final=True) for a, b in zip(bounds, bounds[1:], strict=False)]
        return [window for window in windows if window is not None]

    def _splits(self, start: int, end: int) -> list[int]:
        """Where to cut the speech between two samples into pieces of at most `final_piece` seconds:
        at the silences nearest to equal shares, keeping each piece at least `_MIN_PIECE` long."""
        speech = self._speech(start, end)
        pieces = math.ceil(speech / (self.params.final_piece * SAMPLE_RATE))
        if pieces < 2:
            return []
        silences = sorted({*(g for g in self._gaps if start < g < end),
                           *(r.start for r in self._regions if start < r.start < end)})
        shortest = _MIN_PIECE * SAMPLE_RATE
        cuts: list[int] = []
        for share in range(1, pieces):
            target = speech * share / pieces
            fitting = [s for s in silences if self._speech(cuts[-1] if cuts else start, s) >= shortest
                       and self._speech(s, end) >= shortest]
            if fitting:
                cuts.append(min(fitting, key=lambda s: abs(self._speech(start, s) - target)))
        return cuts

    @property
    def done(self) -> bool:
        """The last windows are accepted (or none were needed): `result()` is final."""
        return self._last_given and not self._finals and self._commit is None

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
        # A caption is heard again whole; long speech from its right context on.
        provisional = 0.0 if closes else self.params.right_context if settles else samples.size / SAMPLE_RATE
        return Window(samples, self._prompt(pieces[0].start), tuple(pieces), end, closes, final, settles, provisional)

    def _make_room(self, end: int, limit: int) -> None:
        """No committing window ran in time and this one would outgrow Whisper's: its oldest audio is
        not transcribed (counted), so the rest still is."""
        cut = self._speech_before(end, limit)
        log.warning("%.0f s of speech could not be committed in time; its oldest part is not transcribed",
                    self._speech(self._cut, end) / SAMPLE_RATE)
        self.stats.untranscribed_seconds += self._speech(self._cut, cut) / SAMPLE_RATE
        self._move_cut(cut)

    def _prompt(self, start: int) -> str:
        """The text said before answer sample `start`, at most `prompt_chars` of it, without the words
        recognised with less than `prompt_min_probability`."""
        before = [w for w in (*self._committed.words, *self._shown) if w.start * SAMPLE_RATE < start
                  and w.probability >= self.params.prompt_min_probability]
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
        limited = window is self._commit and self._final_from is not None  # the last windows go on inside it
        self._take(window)
        self._count(window)
        words = [
            Word(w.text, round(window.to_answer(w.start), 3), round(window.to_answer(w.end, is_end=True), 3),
                 w.probability)
            for w in transcript.words
        ]
        if not window.commits:  # a caption: it replaces what the caption showed of its stretch
            if window.end > self._heard:  # else a committing window heard newer speech meanwhile
                self._heard = window.end
                self._shown = [w for w in self._shown if w.end * SAMPLE_RATE <= window.start] + [
                    w for w in words if w.start * SAMPLE_RATE >= self._cut]
            return ()
        self._heard = max(self._heard, window.end)
        if limited:
            until, self._final_from = self._final_from, None
        else:
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

    def _take(self, window: Window) -> None:
        """`window` is accepted now: it must be outstanding, the last windows in order and after the
        committing window they overlap."""
        if window is self._commit:
            self._commit = None
        elif window is self._caption:
            self._caption = None
        elif self._finals and window is self._finals[0]:
            if self._commit is not None:
                raise IncrementalError("accept the outstanding committing window before the last windows")
            self._finals.pop(0)
        else:
            raise IncrementalError("accept() of a window that is not outstanding (or a last window out of order)")

    def is_outstanding(self, window: Window) -> bool:
        """`window` still waits to be accepted or discarded (False for one given up, e.g. a caption window
        once the answer ended)."""
        return window is self._commit or window is self._caption or window in self._finals

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
        """The recognition of `window` failed or was dropped: its audio stays for the next window.

        Discarding one of the last windows, or the committing window they go on from, discards them
        all: `finish_windows()` gives them again."""
        if window is self._caption:
            self._caption = None
        elif window is self._commit or window in self._finals:
            if window is self._commit:
                self._commit = None
            if self._finals and (window in self._finals or self._final_from is not None):
                self._finals = []
                self._last_given = False
            self._final_from = None

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
        for window in self.finish_windows():
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
