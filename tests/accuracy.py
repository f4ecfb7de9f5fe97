"""Word and character error rates for comparing transcripts with reference texts (tests, benchmarks).

Both sides are normalised the same way first — case, punctuation, digits spelled out,
contractions expanded — so "15-minute stand-up" and "fifteen minute stand up" count as equal.
"""

from __future__ import annotations

import re

import jiwer
from num2words import num2words

_CONTRACTIONS = {
    "i'm": "i am", "don't": "do not", "doesn't": "does not", "didn't": "did not", "it's": "it is",
    "i've": "i have", "i'd": "i would", "i'll": "i will", "we're": "we are", "we've": "we have",
    "can't": "cannot", "won't": "will not", "isn't": "is not", "that's": "that is", "they're": "they are",
    "you're": "you are", "let's": "let us", "there's": "there is", "wasn't": "was not", "couldn't": "could not",
}
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def normalize_english(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = text.replace("%", " percent")
    text = _NUMBER.sub(lambda m: " " + num2words(float(m.group()) if "." in m.group() else int(m.group())) + " ", text)
    words = []
    for word in re.split(r"\s+", text):
        word = word.strip(".,!?;:\"()[]")
        words.append(_CONTRACTIONS.get(word, word))
    text = " ".join(words)
    text = re.sub(r"[^a-z' ]+", " ", text.replace("-", " "))
    return " ".join(text.replace("'", "").split())


def word_error_rate(reference: str, hypothesis: str) -> float:
    ref, hyp = normalize_english(reference), normalize_english(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return jiwer.wer(ref, hyp or "<empty>")


def corpus_word_error_rate(references: list[str], hypotheses: list[str]) -> float:
    """WER over a set of utterances: all word errors divided by all reference words."""
    refs = [normalize_english(r) for r in references]
    hyps = [normalize_english(h) or "<empty>" for h in hypotheses]
    return jiwer.wer(refs, hyps)


def character_error_rate(reference: str, hypothesis: str) -> float:
    """For Mandarin: punctuation and spaces removed, every character a token."""
    strip = lambda s: re.sub(r"[\s\W_]+", "", s)  # noqa: E731
    ref, hyp = strip(reference), strip(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return jiwer.cer(ref, hyp or "∅")
