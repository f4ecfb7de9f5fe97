"""Incremental transcription of one answer: only speech is transcribed, committed as it settles.

Audio goes through voice activity detection (`vad.SpeechSegmenter`); only speech segments (with
their padding) are ever sent to the recogniser, so silence costs no inference. The speech since
the last cut (the "window", long silences left out) is re-transcribed every `cadence` seconds of
new speech, and LocalAgreement (`agreement.LocalAgreement`) commits the words two successive
hypotheses agree on. A pause (`VadParams.min_silence`) closes a window that holds enough speech:
its hypothesis is complete and is committed whole — with one more recognition only if the last
one had not heard the end of the speech. After each commit the window is cut at the latest pause
or gap before the first unconfirmed word, so when the answer ends only its last seconds are left
to transcribe.

The model is injected: `recognize(audio, language, prompt) -> Transcript`, blocking, with word
timestamps relative to `audio` (float32, 16 kHz). The prompt is the committed text just before
the window, as in whisper_streaming, so spelling and punctuation carry across windows. Results
have every word on the ORIGINAL answer timeline, the skipped silences included.

Two ways to drive it:

- synchronously: `push()` audio, call `advance()` as often as convenient (it recognises only
  when a window is due), then `finish()`;
- sans I/O, for a scheduler that runs recognitions elsewhere: `next_window()` gives the audio
  and prompt to recognise (None when nothing is due), `accept(window, transcript)` feeds the
  result back, `discard(window)` gives up on it (the audio stays for the next window);
  `finish_window()` ends the input and gives the last window (None if nothing is left), and
  `result()` the transcript. One window is outstanding at a time. `Window.final` and
  `Window.closes` say which windows a score waits for (final) or that commit whole (closes);
  a cadence window that is not run in time is simply superseded by a longer one.

Not thread-safe: the owner calls an instance from one thread at a time.

Parameters (`IncrementalParams`), chosen on the recorded clips with Whisper base (see
bench/incremental.py):

- `cadence` 2 s of new speech between recognitions. Every recognition pays for a whole Whisper
  encoder window (15 s or 30 s of audio, see scoring.asr), so this is the main cost knob; a busy
  scheduler may run windows less often, never more.
- `lookahead` 17 s: a word is committed only once both agreeing hypotheses heard at least this
  much audio after it. Whisper base revises words until it hears what follows them, and
  hypotheses of the same audio tend to agree on the same mistake: with 4 s the committed text of
  the load benchmark's answers had 1.5-2.5 times the errors of a whole-answer transcription;
  with 17 s nearly all words are committed whole at pauses (`closes`), and LocalAgreement only
  steps in for speech that runs on without a pause (corpus WER 0.071 against 0.085 whole, in
  bench/incremental.py). Since speech normally pauses more often than that, what `finish` is
  left with is the speech since the last pause (6-9 s on the test answers), bounded by
  `lookahead + 2 × cadence` seconds (plus the context before them).
- `context` 2 s: after a commit the window is cut at the latest pause or gap before the first
  unconfirmed word, or — if none is that close — inside committed speech this long before it,
  which bounds a window to about `lookahead + 2 × cadence + context` seconds.
- `min_close` 3 s: a pause closes the window only if it holds this much speech; shorter
  phrases ("ask not", an "um") are heard together with what follows, since Whisper recognises
  short clips poorly.
- `max_window` 24 s: Whisper decodes 30 s at a time; a window about to outgrow this commits its
  oldest unconfirmed words and is cut, rather than being split by faster-whisper.
- `prompt_chars` 200: whisper_streaming's prompt length.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .agreement import LocalAgreement
from .asr import SAMPLE_RATE
from .errors import IncrementalError, TranscriptionClosed
from .transcript import Transcript, Word
from .vad import SpeechSegmenter, VadEvent, VadEventKind, VadParams, VoiceActivity

log = logging.getLogger(__name__)

Recognize = Callable[[np.ndarray, str, str], Transcript]


@dataclass(frozen=True)
class IncrementalParams:
    """When to recognise and what to commit (seconds; see the module docstring for why these values)."""

    cadence: float = 2.0
    lookahead: float = 17.0
    min_close: float = 3.0
    context: float = 2.0
    max_window: float = 24.0
    prompt_chars: int = 200
    vad: VadParams = field(default_factory=VadParams)

    def __post_init__(self) -> None:
        if self.cadence <= 0 or self.lookahead < 0 or self.context < 0 or self.min_close < 0:
            raise ValueError("cadence must be positive; lookahead, context and min_close not negative")
        if not self.lookahead + 2 * self.cadence + self.context < self.max_window <= 28.0:
            raise ValueError("max_window must exceed lookahead + 2 x cadence + context and stay under Whisper's 30 s")


@dataclass(frozen=True)
class Piece:
    """A stretch of answer audio inside a window: `length` samples at `offset` in the window, `start` in the answer."""

    offset: int
    start: int
    length: int


@dataclass(frozen=True, eq=False)
class Window:
    """Audio to recognise: speech from the cut to `end`, silences longer than a pause left out."""

    audio: np.ndarray  # float32, 16 kHz mono
    prompt: str
    pieces: tuple[Piece, ...]
    end: int  # answer sample up to which this window holds all the speech
    closes: bool  # the speech is complete up to `end` (a pause, or the end of the answer)
    final: bool  # the answer's last window

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
    untranscribed_seconds: float = 0.0  # speech cut from a window that could not commit anything in time


@dataclass
class _Region:
    start: int  # padded start (answer samples); moves forward when the window is cut inside it
    end: int | None = None  # padded end; None while speech goes on
    speech_end: int | None = None  # where the speech itself stopped
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
        self._agreement = LocalAgreement(lookahead=p.lookahead)
        self._pad = int(p.vad.pad * SAMPLE_RATE)
        self._chunks: list[np.ndarray] = []
        self._base = 0  # answer sample of the first kept sample
        self._kept = 0  # samples kept from `_base`
        self._regions: list[_Region] = []
        self._gaps: list[int] = []
        self._cut = 0  # audio before this is never sent again
        self._covered = 0  # the last accepted hypothesis heard the audio up to here
        self._close_at: int | None = None
        self._outstanding: Window | None = None
        self._ended = False  # no more audio: the segmenter is flushed
        self._done = False  # the last window is accepted (or none was needed)

    # --- what has been said -------------------------------------------------------------------

    @property
    def committed(self) -> tuple[Word, ...]:
        return self._agreement.committed

    @property
    def unconfirmed(self) -> tuple[Word, ...]:
        return self._agreement.unconfirmed

    @property
    def audio_seconds(self) -> float:
        return self._segmenter.position / SAMPLE_RATE

    def result(self) -> Transcript:
        """The transcript so far; after the last window is accepted, the final one."""
        words = self._agreement.committed
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
                at_pause = self._segmenter.position > event.sample  # ended by silence, not by flush
                region.end = event.sample
                region.speech_end = event.sample - self._pad if at_pause else event.sample
                self.stats.speech_seconds += (region.end - region.began) / SAMPLE_RATE
                self._paused(region.end, region.speech_end)
        if self._segmenter.in_speech:
            self._close_if_long()
        else:
            self._trim()

    def _close_if_long(self) -> None:
        """Speech that runs on without a pause, on a server too busy to recognise its cadence windows
        in time, closes at its latest short silence once the window is one cadence from
        `max_window`: a closing window is committed whatever it holds, so nothing has to be dropped.
        (When cadence windows keep up, LocalAgreement commits such speech and `_make_room` cuts it.)"""
        if self._close_at is not None:
            return
        p = self.params
        limit = (p.max_window - p.cadence) * SAMPLE_RATE
        position = self._segmenter.position
        behind = self._speech(max(self._covered, self._cut), position) >= 2 * p.cadence * SAMPLE_RATE
        if not behind or self._speech(self._cut, position) < limit:
            return
        floor = p.min_close * SAMPLE_RATE
        words = self._agreement.unconfirmed  # the latest hypothesis: do not close inside one of its words
        gaps = [gap for gap in self._gaps if self._speech(self._cut, gap) >= floor
                and not any(w.start * SAMPLE_RATE < gap < w.end * SAMPLE_RATE for w in words)]
        self._close_at = gaps[-1] if gaps else position

    @property
    def closing(self) -> bool:
        """A pause has made a closing window due."""
        return self._close_at is not None

    def _paused(self, end: int, speech_end: int) -> None:
        """Speech stopped: settle the window now if possible, else make a closing recognition due."""
        if self._speech(self._cut, end) < self.params.min_close * SAMPLE_RATE:
            return
        if self._covered >= speech_end and self._outstanding is None:
            # The last hypothesis already heard all of this speech: it is final as it stands.
            self._agreement.settle(end / SAMPLE_RATE)
            self._move_cut(end)
            self._close_at = None
        else:
            self._close_at = end

    # --- windows ----------------------------------------------------------------------------------

    def _speech(self, start: int, end: int) -> int:
        """Samples of (padded) speech between two answer samples."""
        total = 0
        for region in self._regions:
            stop = self._segmenter.position if region.end is None else region.end
            total += max(0, min(stop, end) - max(region.start, start))
        return total

    def speech_after(self, sample: int) -> float:
        """Seconds of speech heard after answer sample `sample` (e.g. the end of a window in flight)."""
        return self._speech(sample, self._segmenter.position) / SAMPLE_RATE

    @property
    def due(self) -> bool:
        """A recognition would make progress now: a pause to close, or `cadence` seconds of new speech."""
        return self._due(self.params.cadence)

    def _due(self, cadence: float) -> bool:
        if self._outstanding is not None or self._ended:
            return False
        if self._close_at is not None:
            return True
        fresh = self._speech(max(self._covered, self._cut), self._segmenter.position)
        return fresh >= cadence * SAMPLE_RATE

    def next_window(self, *, slower: float = 1.0) -> Window | None:
        """The window to recognise now, or None if none is due. `slower` > 1 stretches the cadence
        (a busy scheduler asks for cadence windows less often; a pause's window is never delayed)."""
        if not self._due(self.params.cadence * max(1.0, slower)):
            return None
        closes = self._close_at is not None
        end = self._close_at if self._close_at is not None else self._segmenter.position
        window = self._window(end, closes=closes, final=False)
        if window is None and closes:
            self._move_cut(end)
            self._close_at = None
        return window

    def finish_window(self) -> Window | None:
        """End the answer; return its last window, or None if everything is already committed."""
        if self._done:
            raise TranscriptionClosed("this answer's transcription is already finished")
        if self._outstanding is not None:
            raise IncrementalError("finish while a window is being recognised; accept or discard it first")
        if not self._ended:
            self._handle(self._segmenter.flush())
            self._ended = True
        end = self._segmenter.position
        last_speech = max((end if r.speech_end is None else r.speech_end for r in self._regions), default=0)
        if self._covered >= last_speech:  # nothing said since the last hypothesis: it is final
            self._agreement.settle(end / SAMPLE_RATE)
            self._done = True
            return None
        window = self._window(end, closes=True, final=True)
        self._done = window is None
        return window

    def _window(self, end: int, *, closes: bool, final: bool) -> Window | None:
        limit = int(self.params.max_window * SAMPLE_RATE)
        if not final and self._speech(self._cut, end) > limit:
            self._make_room(end, limit)
        pieces: list[Piece] = []
        offset = 0
        for region in self._regions:
            stop = min(end, self._segmenter.position if region.end is None else region.end)
            start = max(region.start, self._cut, self._base)
            if stop > start:
                pieces.append(Piece(offset, start, stop - start))
                offset += stop - start
        if not pieces:
            return None
        audio = self._joined()
        parts = [audio[p.start - self._base:p.start - self._base + p.length] for p in pieces]
        samples = np.concatenate(parts).astype(np.float32) / 32768.0
        window = Window(samples, self._prompt(), tuple(pieces), end, closes, final)
        self._outstanding = window
        return window

    def _make_room(self, end: int, limit: int) -> None:
        """The window would outgrow Whisper's: commit its oldest unconfirmed words and cut after them."""
        self._agreement.force((end - limit // 2) / SAMPLE_RATE)
        cut = self._cut_point()
        if self._speech(cut, end) > limit:  # no silence to cut in: cut after the last committed word
            cut = max(cut, int(self._agreement.droppable_until * SAMPLE_RATE))
        if self._speech(cut, end) > limit:  # nothing could be committed: drop the oldest audio
            log.warning("no stable words in %.0f s of speech; its oldest part is not transcribed", limit / SAMPLE_RATE)
            self.stats.untranscribed_seconds += self._speech(cut, end - limit) / SAMPLE_RATE
            cut = end - limit
        self._move_cut(cut)

    def _prompt(self) -> str:
        parts: list[str] = []
        length = 0
        for word in reversed(self._agreement.committed):
            if word.start * SAMPLE_RATE >= self._cut:
                continue  # still inside the window: it is heard, not prompted
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
        if window.closes:
            # Everything after the close is forgotten (the unconfirmed words of a cadence window that
            # heard further are dropped with it), so the hypothesis now covers the audio up to here.
            self._covered = window.end
            committed = self._agreement.close(words, until=window.end / SAMPLE_RATE)
            if self._close_at is not None and self._close_at <= window.end:
                self._close_at = None
            self._move_cut(window.end)
        else:
            self._covered = max(self._covered, window.end)
            committed = self._agreement.insert(words, heard_until=window.end / SAMPLE_RATE)
            self._move_cut(self._cut_point())
        return committed

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

    def _cut_point(self) -> int:
        """The latest place before the first unconfirmed word where audio can be cut: a pause or a gap."""
        droppable = int(self._agreement.droppable_until * SAMPLE_RATE)
        best = self._cut
        for region in self._regions:
            if region.end is not None and region.end <= droppable:
                best = max(best, region.end)
        for gap in self._gaps:
            if gap <= droppable:
                best = max(best, gap)
        # No silence close enough: cut inside committed speech, `context` seconds before the first
        # unconfirmed word; the committed words re-heard after the cut are recognised as repeats.
        return max(best, droppable - int(self.params.context * SAMPLE_RATE))

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
        """End the answer, recognise what is left (only the unconfirmed tail) and return the transcript."""
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
