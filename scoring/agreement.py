"""LocalAgreement-2: which recognised words are stable enough to keep, from successive hypotheses.

Whisper re-transcribes the same growing stretch of unconfirmed audio again and again; its last
words change while the speaker is still talking. LocalAgreement (Macháček, Dabre and Bojar,
"Turning Whisper into Real-Time Transcription System", 2023, the `HypothesisBuffer` of
whisper_streaming) commits the longest common prefix of the last two hypotheses: a word that two
recognitions over different amounts of audio agree on, with everything before it, will not change.

`LocalAgreement` takes hypotheses whose word timestamps are already on the answer's timeline:

- `insert(words, heard_until)` adds the hypothesis for the current window and commits the agreed
  prefix — only words that end at least `lookahead` seconds before the end of the audio the
  OLDER of the two hypotheses heard: Whisper revises a word while it lacks right context (the
  first words of a sentence heard for 2 s are often wrong twice in the same way, and right
  again once the sentence goes on), so an agreement counts only with context after the word;
- `close(words, until)` takes a hypothesis over audio that is complete up to `until` (the window
  ended in a pause) and commits all of it; `finish(words)` does the same when the answer ended,
  and `settle(until)` when the latest hypothesis itself already heard the speech end;
- `droppable_until` says up to where the audio is no longer needed: every word before it is
  committed.

Comparison is on a normalised form (`normalize`: NFKC, case folded, punctuation and spaces
removed), so "Team," and "team" agree. Chinese is compared character by character (`units`):
Whisper's Chinese "words" are characters or short strings it may split differently from one
recognition to the next ("我们" + "的" versus "我" + "们的").

A window usually starts a little before the end of the last committed word (audio is cut only in
silences), so a new hypothesis repeats the committed tail. Those repeats are dropped, as in
whisper_streaming: words that start before the last committed word ended (with 0.1 s of slack),
then up to 5 leading words that repeat the committed tail word for word.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from .transcript import Word

_SLACK = 0.1  # seconds: a word starting this close before the committed end is still new
_REPEAT_WINDOW = 1.0  # seconds: only a hypothesis that starts this near the committed end can repeat it
_MAX_REPEAT = 5  # words


def normalize(text: str) -> str:
    """The comparable form of a word: compatibility-normalised, case folded, only letters and digits."""
    return "".join(char for char in unicodedata.normalize("NFKC", text).casefold() if char.isalnum())


def is_cjk(char: str) -> bool:
    """True for a Chinese character (CJK unified ideographs and their extensions, compatibility forms)."""
    code = ord(char)
    return (
        0x3400 <= code <= 0x4DBF or 0x4E00 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x3134F
    )


def _split(word: Word) -> list[Word]:
    """One word → its comparable units: itself, or for Chinese one unit per character.

    A run of Latin letters or digits inside a Chinese word stays one unit ("AI技术" → "AI", "技",
    "术"); punctuation stays with the unit before it (leading punctuation with the first). Each
    unit gets an equal share of the word's time.
    """
    if not any(is_cjk(char) for char in word.text):
        return [word]
    pieces: list[str] = []
    prefix = ""
    latin_open = False  # the last piece ends in a Latin letter or digit that the next one continues
    for char in word.text:
        if is_cjk(char) or (char.isalnum() and not latin_open):
            pieces.append(prefix + char)
            prefix = ""
            latin_open = not is_cjk(char)
        elif char.isalnum():
            pieces[-1] += char
        else:
            latin_open = False
            if pieces:
                pieces[-1] += char
            else:
                prefix += char
    step = (word.end - word.start) / len(pieces)
    return [
        Word(piece, round(word.start + i * step, 3), round(word.start + (i + 1) * step, 3), word.probability)
        for i, piece in enumerate(pieces)
    ]


def units(words: Sequence[Word]) -> list[Word]:
    """Split words into comparable units; one with nothing to compare (a stray "—") joins a neighbour."""
    out: list[Word] = []
    carry: Word | None = None  # leading units with nothing to compare, joined to the next real one
    for word in words:
        for unit in _split(word):
            if not normalize(unit.text):
                if out:
                    last = out[-1]
                    out[-1] = Word(last.text + unit.text, last.start, max(last.end, unit.end), last.probability)
                else:
                    carry = unit if carry is None else Word(carry.text + unit.text, carry.start, unit.end)
                continue
            if carry is not None:
                unit = Word(carry.text + unit.text, carry.start, unit.end, unit.probability)
                carry = None
            out.append(unit)
    return out


class LocalAgreement:
    """The committed words of one answer and the unconfirmed tail of the latest hypothesis."""

    def __init__(self, *, lookahead: float = 0.0) -> None:
        self.lookahead = lookahead  # seconds of audio a hypothesis must have heard after a word to commit it
        self._committed: list[Word] = []
        self._unconfirmed: list[Word] = []
        self._heard_until = 0.0  # end of the audio the latest hypothesis heard
        self._closed_until = 0.0  # audio up to here is settled by a `close`

    @property
    def committed(self) -> tuple[Word, ...]:
        return tuple(self._committed)

    @property
    def unconfirmed(self) -> tuple[Word, ...]:
        """The latest hypothesis after the committed words: what a caption shows in grey."""
        return tuple(self._unconfirmed)

    @property
    def committed_until(self) -> float:
        """End of the last committed word (0 before any)."""
        return self._committed[-1].end if self._committed else 0.0

    @property
    def droppable_until(self) -> float:
        """Audio before this point holds only committed words: it need not be transcribed again."""
        settled = max(self._closed_until, self.committed_until)
        if self._unconfirmed:
            return min(settled, self._unconfirmed[0].start)
        return settled

    def insert(self, hypothesis: Sequence[Word], *, heard_until: float = float("inf")) -> tuple[Word, ...]:
        """Add a hypothesis over audio that ends at `heard_until` seconds; commit and return the agreed prefix."""
        fresh = self._fresh(hypothesis)
        horizon = min(self._heard_until, heard_until) - self.lookahead
        self._heard_until = heard_until
        agreed = 0
        for old, new in zip(self._unconfirmed, fresh, strict=False):
            if normalize(old.text) != normalize(new.text) or max(old.end, new.end) > horizon:
                break
            agreed += 1
        committed = self._commit(fresh[:agreed])
        self._unconfirmed = fresh[agreed:]
        return committed

    def close(self, hypothesis: Sequence[Word], *, until: float) -> tuple[Word, ...]:
        """Commit all of a hypothesis over audio that is complete up to `until` seconds; return it."""
        committed = self._commit(self._fresh(hypothesis))
        self._unconfirmed = []
        self._closed_until = max(self._closed_until, until, self.committed_until)
        return committed

    def settle(self, until: float) -> tuple[Word, ...]:
        """The latest hypothesis heard all the speech up to `until` (a pause followed it): commit it as it is."""
        committed = self._commit(self._unconfirmed)
        self._unconfirmed = []
        self._closed_until = max(self._closed_until, until, self.committed_until)
        return committed

    def finish(self, hypothesis: Sequence[Word]) -> tuple[Word, ...]:
        """The answer ended and `hypothesis` is the last one, over all its remaining audio: commit the rest."""
        return self.close(hypothesis, until=max((word.end for word in hypothesis), default=0.0))

    def force(self, before: float) -> tuple[Word, ...]:
        """Commit the unconfirmed words that end by `before` (for a window that cannot grow any longer)."""
        count = 0
        while count < len(self._unconfirmed) and self._unconfirmed[count].end <= before:
            count += 1
        committed = self._commit(self._unconfirmed[:count])
        self._unconfirmed = self._unconfirmed[count:]
        return committed

    def _fresh(self, hypothesis: Sequence[Word]) -> list[Word]:
        """The hypothesis as units, without what is already committed."""
        limit = self.committed_until - _SLACK
        fresh = [unit for unit in units(hypothesis) if unit.start > limit and unit.end > self._closed_until]
        if fresh and self._committed and abs(fresh[0].start - self.committed_until) < _REPEAT_WINDOW:
            for n in range(min(_MAX_REPEAT, len(fresh), len(self._committed)), 0, -1):
                tail = [normalize(unit.text) for unit in self._committed[-n:]]
                if tail == [normalize(unit.text) for unit in fresh[:n]]:
                    return fresh[n:]
        return fresh

    def _commit(self, words: Sequence[Word]) -> tuple[Word, ...]:
        """Append words, keeping times monotonic: a word never starts before the previous one ended."""
        added = []
        for word in words:
            floor = self._committed[-1].end if self._committed else 0.0
            start = max(word.start, floor)
            word = Word(word.text, start, max(word.end, start), word.probability)
            self._committed.append(word)
            added.append(word)
        return tuple(added)
