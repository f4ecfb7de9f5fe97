"""Specificity: figures, concrete actions and named things, relative to the answer's length.

Three counts earn credit up to a cap (figures 35 % of the component, full at 3; actions 40 %,
full at 4; named things 25 %, full at 4). The sum is then scaled by density — specifics per
100 words — so a long, rambling answer does not collect credit by volume alone.
"""

from __future__ import annotations

import re

from .actions import find_actions
from .result import Component, Finding, points
from .text import Passage, Span, phrase_pattern, stem, unit_name
from .vocabulary import CONCRETE_WORDS, NUMBER_WORDS, STOP_WORDS, ZH_CONCRETE_THINGS

OFF_TOPIC_FACTOR = 0.5
# (share of the component, count that earns the whole share)
PARTS = {"figures": (0.35, 3), "actions": (0.40, 4), "named": (0.25, 4)}
FULL_DENSITY = {"en": 6.0, "zh": 4.0}  # specifics per 100 words / characters

_ZH_NUMERAL = "零一二两三四五六七八九十百千万"
_ZH_FIGURE = re.compile(
    r"\d+(?:\.\d+)?(?: ?percent)?"
    rf"|百分之[{_ZH_NUMERAL}\d]+"
    rf"|(?<!第)[零两二三四五六七八九十][{_ZH_NUMERAL}]*"
    r"(?:个月|个|位|名|天|周|星期|月|年|小时|分钟|秒|次|倍|人|元|块|条|项|版|成)"
    r"|(?<!第)一(?:倍|小时|分钟|周|星期|年|个月|半)"
)
_LABELS = {"figures": "Figures", "actions": "Concrete actions", "named": "Named things"}


def _english_figures(passage: Passage) -> list[Span]:
    """Number mentions ("three weeks", "30 percent", "fifteen minute"); "one" is too common to count."""
    tokens = passage.tokens

    def joins(following: int) -> bool:
        return following < len(tokens) and not passage.barrier_before(following)

    def is_number(word: str) -> bool:
        return word[0].isdigit() or word in NUMBER_WORDS

    mentions: list[Span] = []
    index = 0
    while index < len(tokens):
        if not is_number(tokens[index].norm) or tokens[index].norm == "percent":
            index += 1
            continue
        end = index
        while joins(end + 1) and is_number(tokens[end + 1].norm):
            end += 1
        if joins(end + 1) and tokens[end + 1].norm not in STOP_WORDS and tokens[end + 1].norm.isalpha():
            end += 1  # the unit or thing counted: "three weeks"
        mentions.append((tokens[index].start, tokens[end].end))
        index = end + 1
    return mentions


def _is_concrete(word: str) -> bool:
    """A listed thing, singular or plural ("dashboard", "dashboards", "mortems")."""
    return word in CONCRETE_WORDS or (word.endswith("s") and word[:-1] in CONCRETE_WORDS) \
        or (word.endswith("es") and word[:-2] in CONCRETE_WORDS)


def _english_named(passage: Passage) -> list[Span]:
    found: dict[str, Span] = {}
    sentence_starts = {start for start, _ in passage.sentences}
    for token in passage.tokens:
        raw = passage.excerpt((token.start, token.end))
        proper = (raw[:1].isupper() and token.start not in sentence_starts and token.norm not in STOP_WORDS) \
            or (len(raw) >= 2 and raw.isupper() and raw.isalpha() and token.norm not in STOP_WORDS)
        key = stem(token.norm)
        if proper or _is_concrete(token.norm):
            found.setdefault(key, (token.start, token.end))
    return sorted(found.values())


def _chinese_named(passage: Passage) -> list[Span]:
    found = [spans[0] for thing in ZH_CONCRETE_THINGS if (spans := passage.search(phrase_pattern(thing)))]
    latin = {t.norm: (t.start, t.end) for t in passage.tokens
             if not t.is_cjk and t.norm.isalpha() and len(t.norm) >= 2 and t.norm != "percent"}
    return sorted(set(found) | set(latin.values()))


def _distinct(passage: Passage, spans: list[Span]) -> list[Span]:
    seen: dict[str, Span] = {}
    for span in spans:
        seen.setdefault(passage.excerpt(span).lower(), span)
    return list(seen.values())


def score_specificity(passage: Passage, max_points: float, *, off_topic: bool = False) -> Component:
    """The specificity component: what was counted, how much it earned, and the density scaling."""
    if passage.language == "zh":
        figures = passage.search(_ZH_FIGURE)
        named = _chinese_named(passage)
    else:
        figures = _english_figures(passage)
        named = _english_named(passage)
    found = {
        "figures": _distinct(passage, figures),
        "actions": [span for _, span in find_actions(passage)],
        "named": _distinct(passage, named),
    }
    findings: list[Finding] = []
    raw = 0.0
    for part, spans in found.items():
        share, full_at = PARTS[part]
        credit = min(1.0, len(spans) / full_at)
        raw += share * credit
        listed = ", ".join(f'"{passage.excerpt(span)}"' for span in spans[:8]) or "none"
        findings.append(Finding(
            f"specificity.{part}",
            f"{_LABELS[part]}: {len(spans)} ({listed}); {full_at} or more earn this part's full "
            f"{round(share * 100)} % of the component, so it earns {round(credit * share * 100)} %.",
            {"count": len(spans), "full_at": full_at, "share_percent": round(share * 100),
             "items": ", ".join(passage.excerpt(span) for span in spans)},
            tuple(dict.fromkeys(passage.quote(span) for span in spans[:3])),
        ))
    specifics = sum(len(spans) for spans in found.values())
    units = max(passage.units, 1)
    density = 100 * specifics / units
    density_factor = min(1.0, density / FULL_DENSITY[passage.language])
    factor = density_factor * (OFF_TOPIC_FACTOR if off_topic else 1.0)
    earned = max_points * raw * factor
    unit = unit_name(passage)
    findings.append(Finding(
        "specificity.density",
        f"{specifics} specifics in {passage.units} {unit} ({density:.1f} per 100 {unit}; "
        f"{FULL_DENSITY[passage.language]:g} earns full credit): counts earn {round(raw * 100)} %, scaled to "
        f"{round(density_factor * 100)} %, {points(earned)} of {points(max_points)} points.",
        {"specifics": specifics, "units": passage.units, "density": round(density, 1),
         "scale_percent": round(density_factor * 100), "points": points(earned), "max_points": points(max_points)},
    ))
    if off_topic:
        findings.append(Finding(
            "specificity.off_topic",
            "The answer does not address the question, so specificity credit is halved.",
            {"scale_percent": round(OFF_TOPIC_FACTOR * 100)},
        ))
    return Component("specificity", points(earned), points(max_points), tuple(findings))
