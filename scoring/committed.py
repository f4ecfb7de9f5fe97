"""The committed words of one answer: what the transcript keeps, in order, each said once.

Incremental transcription (scoring.incremental) recognises overlapping windows: a window usually
starts a little before the end of the last committed word (audio is cut only in silences or
between words), so its hypothesis may repeat the committed tail. `CommittedWords.add` keeps only
what is new, as whisper_streaming's `HypothesisBuffer` does: words that start before the last
committed word ended (with 0.1 s of slack), then up to 5 leading words that repeat the committed
tail word for word. Times stay monotonic: a word never starts before the previous one ended.

Comparison is on a normalised form (`normalize`: NFKC, case folded, punctuation and spaces
removed), so "Team," and "team" match. Chinese is kept character by character (`units`):
Whisper's Chinese "words" are characters or short strings it may split differently from one
recognition to the next ("我们" + "的" versus "我" + "们的").
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


class CommittedWords:
    """The committed words of one answer, in order."""

    def __init__(self) -> None:
        self._words: list[Word] = []
        self._until = 0.0  # the audio up to here is settled: nothing before it is added again

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(self._words)

    @property
    def end(self) -> float:
        """End of the last committed word (0 before any)."""
        return self._words[-1].end if self._words else 0.0

    def add(self, hypothesis: Sequence[Word], *, until: float) -> tuple[Word, ...]:
        """Commit the new words of a hypothesis over audio that is settled up to `until` seconds; return them."""
        added = []
        for word in self._fresh(hypothesis):
            floor = self.end
            start = max(word.start, floor)
            word = Word(word.text, start, max(word.end, start), word.probability)
            self._words.append(word)
            added.append(word)
        self._until = max(self._until, until, self.end)
        return tuple(added)

    def _fresh(self, hypothesis: Sequence[Word]) -> list[Word]:
        """The hypothesis as units, without what is already committed."""
        limit = self.end - _SLACK
        fresh = [unit for unit in units(hypothesis) if unit.start > limit and unit.end > self._until]
        if fresh and self._words and abs(fresh[0].start - self.end) < _REPEAT_WINDOW:
            for n in range(min(_MAX_REPEAT, len(fresh), len(self._words)), 0, -1):
                tail = [normalize(unit.text) for unit in self._words[-n:]]
                if tail == [normalize(unit.text) for unit in fresh[:n]]:
                    return fresh[n:]
        return fresh
