"""Concrete actions the candidate says they took (or would take), found in the answer.

English: an action verb after "I" or "we" (a few words such as "would", "first", "then" may sit
between), and further action verbs chained in the same sentence ("I broke the work…, paired
…, and cut …"). Chinese drops the subject, so any listed action verb counts.
"""

from __future__ import annotations

from .text import Passage, Span, phrase_pattern, stem
from .vocabulary import ACTION_STEMS, SUBJECT_GAP, ZH_ACTION_VERBS

_SUBJECTS = frozenset({"i", "we"})
_CHAIN_LINKS = frozenset({"and", "then", "also"})


def _is_action(word: str) -> bool:
    return word.isalpha() and stem(word) in ACTION_STEMS


def _english_actions(passage: Passage) -> list[tuple[str, Span]]:
    tokens = passage.tokens
    found: list[tuple[str, Span]] = []
    for index, token in enumerate(tokens):
        if token.norm not in _SUBJECTS:
            continue
        probe = index + 1
        while probe < len(tokens) and probe - index <= 3 and tokens[probe].norm in SUBJECT_GAP:
            probe += 1
        if probe < len(tokens) and _is_action(tokens[probe].norm) and not passage.barrier_before(probe):
            found.append((stem(tokens[probe].norm), (token.start, tokens[probe].end)))
    # Verbs chained after a first-person action in the same sentence: ", paired …, and cut …".
    chained: list[tuple[str, Span]] = []
    for index, token in enumerate(tokens):
        if not _is_action(token.norm):
            continue
        linked = passage.barrier_before(index) or (index > 0 and tokens[index - 1].norm in _CHAIN_LINKS)
        sentence = passage.sentence_of((token.start, token.end))
        if linked and any(span[1] < token.start and passage.sentence_of(span) == sentence for _, span in found):
            chained.append((stem(token.norm), (token.start, token.end)))
    return found + chained


def find_actions(passage: Passage) -> list[tuple[str, Span]]:
    """(verb, where it was said) for each distinct action verb, in order of first mention."""
    if passage.language == "zh":
        raw = [(verb, spans[0]) for verb in ZH_ACTION_VERBS if (spans := passage.search(phrase_pattern(verb)))]
        raw.sort(key=lambda item: item[1])
    else:
        raw = sorted(_english_actions(passage), key=lambda item: item[1])
    distinct: dict[str, Span] = {}
    for verb, span in raw:
        distinct.setdefault(verb, span)
    return list(distinct.items())
