"""What was said in one answer: the recognised text and its timed words.

These records are the only input the scorer sees about the candidate's speech; nothing about
the face or the voice's identity travels with them.
"""

from __future__ import annotations

from dataclasses import dataclass


def has_content(text: str) -> bool:
    """True when `text` holds at least one letter, digit or CJK character."""
    return any(char.isalnum() for char in text)


@dataclass(frozen=True)
class Word:
    """One recognised word with its timing, as the recogniser spelled it (e.g. " team,")."""

    text: str
    start: float  # seconds from the start of the answer audio
    end: float
    probability: float = 1.0


@dataclass(frozen=True)
class Transcript:
    """The final transcript of one answer."""

    text: str  # full text
    words: tuple[Word, ...]  # with timestamps, in order
    language: str  # "en" or "zh"
    audio_seconds: float  # duration of audio that was transcribed

    @property
    def is_empty(self) -> bool:
        """No timed word carries a letter, digit or character: nothing was said."""
        return not any(has_content(word.text) for word in self.words)
