"""Delivery: pace, fillers, long pauses and the share of the allowed time used.

Measured from the timed words only (never from the voice itself). Pace is words (Chinese:
characters) per minute of speaking time, which excludes long pauses. Pace, fillers and pauses
need enough speech to judge: under about 40 words (70 characters) their credit is scaled down.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass

from .result import Component, Finding, points
from .text import MIN_UNITS, Passage, fullness, unit_name
from .transcript import Word, has_content

LONG_PAUSE_SECONDS = 3.0
SHARES = {"pace": 0.30, "fillers": 0.25, "pauses": 0.20, "time_used": 0.25}
# (zero credit below, full credit from, full credit to, zero credit above) per minute
PACE = {"en": (60.0, 110.0, 170.0, 240.0), "zh": (100.0, 180.0, 300.0, 420.0)}
# fillers per 100 words/characters: full credit up to, zero credit from
FILLER_RATE = {"en": (2.0, 10.0), "zh": (1.5, 8.0)}
# share of the allowed time used -> credit, linear between the points
TIME_USED = ((0.0, 0.0), (0.15, 0.4), (0.30, 1.0))

_EN_FILLER = re.compile(
    r"(?<![\w'])(?:u+m+|u+h+m*|e+r+m*|a+h+|h+m+|you know|i mean|basically|kind of|sort of)(?![\w'])"
)
_DETERMINERS = frozenset("a the this that what which any some every each one same other".split())
_ZH_FILLER = re.compile(
    r"嗯+|呃+|(?:(?<=[\s|])|^)额(?=[\s|]|$)|那个那个|这个这个|就是就是|然后然后|(?:那个|这个|就是)(?= \|)"
)


@dataclass(frozen=True)
class _Speech:
    words: tuple[Word, ...]  # words that carry content
    seconds: float  # speaking time, long pauses excluded
    pauses: tuple[tuple[int, float], ...]  # (index of the word before, gap seconds)


def _speech(words: tuple[Word, ...]) -> _Speech:
    spoken = tuple(word for word in words if has_content(word.text))
    pauses = tuple(
        (index, later.start - earlier.end)
        for index, (earlier, later) in enumerate(itertools.pairwise(spoken))
        if later.start - earlier.end > LONG_PAUSE_SECONDS
    )
    span = spoken[-1].end - spoken[0].start if spoken else 0.0
    return _Speech(spoken, max(0.5, span - sum(gap for _, gap in pauses)), pauses)


def _pace_credit(rate: float, language: str) -> float:
    low_zero, low_full, high_full, high_zero = PACE[language]
    if rate < low_full:
        return max(0.0, (rate - low_zero) / (low_full - low_zero))
    if rate > high_full:
        return max(0.0, (high_zero - rate) / (high_zero - high_full))
    return 1.0


def _time_credit(share: float) -> float:
    for (x0, y0), (x1, y1) in itertools.pairwise(TIME_USED):
        if share < x1:
            return y0 + (y1 - y0) * (max(share, x0) - x0) / (x1 - x0)
    return TIME_USED[-1][1]


def find_fillers(passage: Passage) -> list[str]:
    """The filler words and phrases said, as written in the transcript, in order."""
    pattern = _ZH_FILLER if passage.language == "zh" else _EN_FILLER
    found = []
    for match, span in passage.find(pattern):
        if match.group().endswith(" of") and passage.token_before(span) in _DETERMINERS:
            continue  # "what kind of database" is not a filler
        found.append(passage.excerpt(span))
    return found


def score_delivery(passage: Passage, words: tuple[Word, ...], *, answered_seconds: float,
                   answer_seconds: float, max_points: float) -> Component:
    """The delivery component: pace, fillers, pauses (scaled by how much was said) and time used."""
    language = passage.language
    unit = unit_name(passage)
    speech = _speech(words)
    units = Passage.of("".join(word.text for word in speech.words), language).units
    sample = fullness(passage)
    findings: list[Finding] = []
    earned = 0.0

    def add(part: str, credit: float, scaled: bool, message: str, params: dict[str, str | int | float],
            evidence: tuple[str, ...] = ()) -> None:
        nonlocal earned
        share = max_points * SHARES[part]
        value = share * credit * (sample if scaled else 1.0)
        earned += value
        findings.append(Finding(f"delivery.{part}", f"{message}; {points(value)} of {points(share)} points.",
                                {**params, "points": points(value), "max_points": points(share)}, evidence))

    rate = units / (speech.seconds / 60)
    low_zero, low_full, high_full, high_zero = PACE[language]
    add("pace", _pace_credit(rate, language), True,
        f"Pace: {rate:.0f} {unit} per minute over {speech.seconds:.1f} s of speech "
        f"({low_full:.0f}–{high_full:.0f} is ideal)",
        {"rate": round(rate), "speech_seconds": round(speech.seconds, 1), "ideal_low": low_full,
         "ideal_high": high_full})

    fillers = find_fillers(passage)
    per_100 = 100 * len(fillers) / max(passage.units, 1)
    full, zero = FILLER_RATE[language]
    filler_credit = 1.0 if per_100 <= full else max(0.0, (zero - per_100) / (zero - full))
    counted = Counter(filler.lower() for filler in fillers)
    listed = ", ".join(f'"{filler}" ×{count}' for filler, count in counted.most_common())
    add("fillers", filler_credit, True,
        f"Fillers: {len(fillers)}" + (f" ({listed})" if fillers else "")
        + f", {per_100:.1f} per 100 {unit} (up to {full:g} is fine)",
        {"count": len(fillers), "per_100": round(per_100, 1), "fillers": ", ".join(counted)},
        tuple(counted))

    pause_credit = max(0.0, 1.0 - 0.25 * len(speech.pauses))
    quotes = tuple(
        "".join(word.text for word in speech.words[max(0, index - 2):index + 4]).strip()
        for index, _ in speech.pauses
    )
    longest_at, longest = max(speech.pauses, key=lambda pause: pause[1], default=(0, 0.0))
    before = speech.words[longest_at].text.strip() if speech.pauses else ""
    add("pauses", pause_credit, True,
        f"Long pauses (over {LONG_PAUSE_SECONDS:g} s): {len(speech.pauses)}"
        + (f", longest {longest:.1f} s after \"{before}\"" if speech.pauses else "")
        + "; each costs a quarter of this part",
        {"count": len(speech.pauses), "longest_seconds": round(longest, 1)}, quotes)

    share = answered_seconds / answer_seconds
    add("time_used", _time_credit(share), False,
        f"Time used: {answered_seconds:.0f} s of the {answer_seconds:.0f} s allowed ({share * 100:.0f} %; "
        "30–100 % is ideal, under 15 % earns little)",
        {"answered_seconds": round(answered_seconds, 1), "answer_seconds": answer_seconds,
         "share_percent": round(share * 100)})

    if sample < 1:
        findings.append(Finding(
            "delivery.sample",
            f"Only {passage.units} {unit} were said; pace, fillers and pauses need about {MIN_UNITS[language]} to "
            f"judge, so their credit is scaled to {round(sample * 100)} %.",
            {"units": passage.units, "minimum": MIN_UNITS[language], "scale_percent": round(sample * 100)},
        ))
    return Component("delivery", points(earned), points(max_points), tuple(findings))
