"""Answer text prepared for scoring: tokens, a normalised search string, clauses and quotes.

A `Passage` keeps every token's position in the original text, so anything found by a pattern
can be quoted verbatim from what the recogniser produced. English is lower-cased, contractions
are expanded ("I'm" -> "i am"), "%" reads as "percent" and hyphens split words ("15-minute" ->
"15 minute"). Chinese characters are one token each and are searched without spaces. Clause
punctuation becomes a " | " barrier in the search string, so no phrase matches across it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{CJK}]")
_TOKEN = re.compile(
    rf"[{CJK}]"
    r"|\d+(?:[.,]\d+)*"
    rf"|(?:(?![{CJK}])[^\W_])+(?:['’](?:(?![{CJK}])[^\W_])+)*"
    r"|[%％]"
)
_SENTENCE_END = re.compile(r"[.!?…]+(?=\s|$)|[。！？；;\n]+")
_CLAUSE_PUNCT = set(",;:!?。，、；：！？…—()（）\"“”\n") | {"."}
_CONTRACTIONS = {"n't": "not", "'re": "are", "'ve": "have", "'ll": "will", "'d": "would", "'m": "am"}
_WHOLE_CONTRACTIONS = {"can't": ("can", "not"), "won't": ("will", "not"), "shan't": ("shall", "not"),
                       "it's": ("it", "is"), "that's": ("that", "is"), "there's": ("there", "is"),
                       "what's": ("what", "is"), "let's": ("let", "us"), "he's": ("he", "is"),
                       "she's": ("she", "is")}
_BARRIER = "|"

Span = tuple[int, int]


@dataclass(frozen=True)
class Token:
    """One normalised token and the span of the original text it came from."""

    norm: str
    start: int
    end: int

    @property
    def is_cjk(self) -> bool:
        return bool(_CJK_CHAR.fullmatch(self.norm))


def language_rules(text: str, declared: str) -> str:
    """The rule set for `text`: "zh" when Chinese characters dominate or are declared, else "en"."""
    content = [char for char in text if char.isalnum()]
    if not content:
        return "zh" if declared.lower().startswith("zh") else "en"
    cjk = sum(1 for char in content if _CJK_CHAR.match(char))
    return "zh" if cjk / len(content) >= 0.3 else "en"


def _normalise(raw: str) -> tuple[str, ...]:
    word = raw.lower().replace("’", "'")
    if word in ("%", "％"):
        return ("percent",)
    if word[0].isdigit():
        return (word.replace(",", ""),)
    if word in _WHOLE_CONTRACTIONS:
        return _WHOLE_CONTRACTIONS[word]
    for suffix, expansion in _CONTRACTIONS.items():
        if word.endswith(suffix) and len(word) > len(suffix):
            return (word[: -len(suffix)], expansion)
    if word.endswith("'s"):
        return (word[:-2],)
    return (word,)


def tokenize(text: str) -> tuple[Token, ...]:
    """Split `text` into normalised tokens that remember their source spans."""
    tokens: list[Token] = []
    for match in _TOKEN.finditer(text):
        for norm in _normalise(match.group()):
            tokens.append(Token(norm, match.start(), match.end()))
    return tuple(tokens)


def _spans(text: str, boundary: re.Pattern[str], within: Span) -> list[Span]:
    start, end = within
    spans: list[Span] = []
    cursor = start
    for match in boundary.finditer(text, start, end):
        spans.append((cursor, match.end()))
        cursor = match.end()
    spans.append((cursor, end))
    trimmed = []
    for a, b in spans:
        piece = text[a:b]
        if piece.strip():
            left = a + len(piece) - len(piece.lstrip())
            trimmed.append((left, left + len(piece[left - a:].rstrip())))
    return trimmed


_CLAUSE_END = re.compile(r"[,;:，、；：—]+")


@dataclass(frozen=True)
class Passage:
    """A text analysed once: tokens, the search string, sentences and clauses."""

    source: str
    language: str  # "en" | "zh": the rule set applied
    tokens: tuple[Token, ...]
    flat: str
    flat_starts: tuple[int, ...]
    sentences: tuple[Span, ...]
    clauses: tuple[Span, ...]

    @classmethod
    def of(cls, text: str, declared_language: str) -> Passage:
        """Analyse `text`; the rule set follows its script, falling back to the declared language."""
        tokens = tokenize(text)
        parts: list[str] = []
        starts: list[int] = []
        length = 0
        for index, token in enumerate(tokens):
            if index:
                previous = tokens[index - 1]
                gap = text[previous.end:token.start]
                if any(char in _CLAUSE_PUNCT for char in gap):
                    separator = f" {_BARRIER} "
                elif previous.is_cjk and token.is_cjk:
                    separator = ""
                else:
                    separator = " "
                parts.append(separator)
                length += len(separator)
            starts.append(length)
            parts.append(token.norm)
            length += len(token.norm)
        sentences = tuple(_spans(text, _SENTENCE_END, (0, len(text))))
        clauses = tuple(clause for sentence in sentences for clause in _spans(text, _CLAUSE_END, sentence))
        return cls(text, language_rules(text, declared_language), tokens, "".join(parts), tuple(starts),
                   sentences, clauses)

    @property
    def units(self) -> int:
        """Words said: English words, or Chinese characters plus any Latin words."""
        return len({(token.start, token.end) if not token.is_cjk else (token.start, -1) for token in self.tokens})

    def find(self, pattern: re.Pattern[str]) -> list[tuple[re.Match[str], Span]]:
        """Every match of `pattern` in the normalised search string with its source span, in order."""
        found: list[tuple[re.Match[str], Span]] = []
        for match in pattern.finditer(self.flat):
            if match.end() <= match.start():
                continue
            first = bisect.bisect_right(self.flat_starts, match.start()) - 1
            last = bisect.bisect_right(self.flat_starts, match.end() - 1) - 1
            found.append((match, (self.tokens[max(first, 0)].start, self.tokens[last].end)))
        return found

    def search(self, pattern: re.Pattern[str]) -> list[Span]:
        """Distinct source spans matched by `pattern`, in order."""
        return list(dict.fromkeys(span for _, span in self.find(pattern)))

    def token_before(self, span: Span) -> str:
        """The normalised token just before `span`, or "" at the start."""
        index = bisect.bisect_left([token.start for token in self.tokens], span[0])
        return self.tokens[index - 1].norm if index > 0 else ""

    def barrier_before(self, index: int) -> bool:
        """True when clause punctuation separates token `index` from the one before it."""
        start = self.flat_starts[index]
        return self.flat[max(0, start - 3):start] == f" {_BARRIER} "

    def sentence_of(self, span: Span) -> int:
        """Index of the sentence holding the start of `span`."""
        for index, (_, end) in enumerate(self.sentences):
            if span[0] < end:
                return index
        return len(self.sentences) - 1

    def quote(self, span: Span, *, limit: int = 160) -> str:
        """The clause around `span`, verbatim; the sentence if the clause is very short."""
        minimum = 8 if self.language == "zh" else 25
        area = next(((a, b) for a, b in self.clauses if a <= span[0] < b), span)
        if area[1] - area[0] < minimum or area[1] < span[1]:
            area = self.sentences[self.sentence_of(span)] if self.sentences else span
        a, b = min(area[0], span[0]), max(area[1], span[1])
        if b - a > limit:
            room = max(0, (limit - (span[1] - span[0])) // 2)
            a, b = max(a, span[0] - room), min(b, span[1] + room)
            if self.language == "en":
                while a > 0 and a < span[0] and not self.source[a - 1].isspace():
                    a += 1
                while b < len(self.source) and b > span[1] and not self.source[b].isspace():
                    b -= 1
        return self.source[a:b].strip().rstrip(",;:.，、；：。")

    def excerpt(self, span: Span) -> str:
        """The exact source text of `span`."""
        return self.source[span[0]:span[1]]


# About this many words (Chinese: characters) are needed to develop an answer and to judge it.
MIN_UNITS = {"en": 40, "zh": 70}


def fullness(passage: Passage) -> float:
    """How fully developed the answer is by length alone: 1.0 from `MIN_UNITS` up, less below."""
    return min(1.0, passage.units / MIN_UNITS[passage.language])


def unit_name(passage: Passage) -> str:
    """What `Passage.units` counts, in words a reader understands."""
    return "characters" if passage.language == "zh" else "words"


_IRREGULAR = {
    "led": "lead", "ran": "run", "broke": "break", "broken": "break", "wrote": "write", "written": "write",
    "held": "hold", "told": "tell", "met": "meet", "built": "build", "sent": "send", "spoke": "speak",
    "took": "take", "taken": "take", "made": "make", "brought": "bring", "chose": "choose", "drew": "draw",
    "drove": "drive", "found": "find", "gave": "give", "given": "give", "got": "get", "kept": "keep",
    "began": "begin", "begun": "begin", "caught": "catch", "taught": "teach", "thought": "think",
    "sought": "seek", "won": "win", "spent": "spend", "understood": "understand", "knew": "know",
    "saw": "see", "seen": "see", "went": "go", "gone": "go", "came": "come", "did": "do", "done": "do",
    "said": "say", "paid": "pay", "sold": "sell", "stood": "stand", "lost": "lose", "felt": "feel",
    "heard": "hear", "grew": "grow", "grown": "grow", "threw": "throw", "shown": "show", "fell": "fall",
    "rewrote": "rewrite", "rebuilt": "rebuild", "overcame": "overcome", "people": "person",
    "children": "child", "used": "use", "using": "use", "better": "good", "best": "good", "worse": "bad",
    "worst": "bad",
}
# (suffix, replacement), tried in order; "es" only after a sibilant.
_SUFFIXES = (
    ("isations", "is"), ("isation", "is"), ("ations", "at"), ("ation", "at"), ("ements", ""),
    ("ement", ""), ("ments", ""), ("ment", ""), ("ness", ""), ("ings", ""), ("ing", ""), ("ied", "y"),
    ("ies", "y"), ("edly", ""), ("ed", ""), ("ly", ""), ("es", ""), ("s", ""),
)
_SIBILANT_ES = ("ches", "shes", "xes", "sses", "zes")


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """A crude English stem: irregular forms mapped, one suffix stripped, "-ize" read as "-ise"."""
    word = word.lower()
    if word in _IRREGULAR:
        return stem(_IRREGULAR[word]) if _IRREGULAR[word] != word else word
    if not word.isalpha() or len(word) <= 3:
        return word
    word = word.replace("iz", "is").replace("yz", "ys")
    removed = ""
    for suffix, replacement in _SUFFIXES:
        if not word.endswith(suffix) or len(word) - len(suffix) < 3:
            continue
        if suffix == "s" and word.endswith(("ss", "us", "is")):
            break
        if suffix == "es" and not word.endswith(_SIBILANT_ES):
            continue
        word, removed = word[: -len(suffix)] + replacement, suffix
        break
    if removed in ("ing", "ings", "ed", "edly"):
        if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
            word = word[:-1]  # planned -> plan, agreeing -> agre
    elif removed in ("", "s") and word.endswith("e") and len(word) > 4:
        word = word[:-1]  # deadline(s) -> deadlin, agree -> agre
    return word


@lru_cache(maxsize=4096)
def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A pattern for one indicator: Chinese as a substring; Latin words in order, the last as a prefix.

    Inner words also match their stem's forms; the words may be written together ("post mortem"
    matches "postmortem"), and a stem of 4+ letters widens the prefix ("delivered" -> "deliver…").
    """
    if _CJK_CHAR.search(phrase):
        chars = [re.escape(char) for char in phrase.lower() if not char.isspace()]
        return re.compile("".join(chars))
    words = [token.norm for token in tokenize(phrase)]
    if not words:
        return re.compile(r"(?!x)x")
    pieces = []
    for index, word in enumerate(words):
        forms = {re.escape(word)}
        root = stem(word)
        if root.isalpha() and len(root) >= 4 and root != word:
            forms.add(re.escape(root))
        alternatives = "|".join(sorted(forms, key=len, reverse=True))
        tail = r"[\w']*" if index == len(words) - 1 or len(forms) > 1 else ""
        pieces.append(f"(?:{alternatives}){tail}")
    return re.compile(r"(?<![\w'])" + " ?".join(pieces))
