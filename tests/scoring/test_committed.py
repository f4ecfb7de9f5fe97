"""Committed words on hand-made hypotheses: what is kept, what is a repeat, and with which times."""

import pytest

from scoring.committed import CommittedWords, normalize, units
from scoring.transcript import Word


def hyp(*spec: str, start: float = 0.0, step: float = 0.5) -> list[Word]:
    """Words laid end to end from `start`, `step` seconds each: hyp(" I", " led") → [ I 0–0.5, led 0.5–1]."""
    return [Word(text, round(start + i * step, 3), round(start + (i + 1) * step, 3)) for i, text in enumerate(spec)]


def texts(words) -> list[str]:
    return [word.text for word in words]


def test_words_are_committed_in_order_and_returned():
    committed = CommittedWords()
    assert texts(committed.add(hyp(" We", " shipped"), until=1.0)) == [" We", " shipped"]
    assert texts(committed.add(hyp(" on", " time.", start=1.2), until=2.2)) == [" on", " time."]
    assert texts(committed.words) == [" We", " shipped", " on", " time."]
    assert committed.end == 2.2


def test_normalize_folds_case_punctuation_and_width():
    assert normalize(" Team,") == normalize("team") == "team"
    assert normalize("ＡＢＣ") == "abc"  # full-width letters fold too


def test_chinese_is_kept_character_by_character_with_punctuation_riding_along():
    """ "我们"+"的" and "我"+"们的" are the same three characters; punctuation stays with its character."""
    committed = CommittedWords()
    committed.add([Word("我们", 0.0, 0.4), Word("的", 0.4, 0.6), Word("团队，", 0.6, 1.0)], until=1.0)
    assert texts(committed.words) == ["我", "们", "的", "团", "队，"]
    assert "".join(texts(units([Word("，AI技术。", 0.0, 0.3)]))) == "，AI技术。"
    assert texts(units([Word("AI技术。", 0.0, 0.3)])) == ["AI", "技", "术。"]


def test_a_stray_punctuation_word_joins_its_neighbour():
    """A "word" with nothing to compare (a dash) is attached to the unit before it, not kept alone."""
    assert texts(units(hyp(" so", " —", " we"))) == [" so —", " we"]
    assert texts(units(hyp(" —", " we"))) == [" — we"]
    assert units(hyp(" ...")) == []


def test_words_repeated_from_the_committed_tail_are_not_committed_twice():
    """A window that starts before the last committed word re-hears it; the repeat is dropped."""
    committed = CommittedWords()
    committed.add(hyp(" I", " held", " a", " stand-up"), until=2.0)
    # The next window starts at 1.0 s: " a" and " stand-up" are heard again, with slightly later times.
    added = committed.add(hyp(" a", " stand-up", " every", " morning", start=1.05), until=3.0)
    assert texts(added) == [" every", " morning"]
    assert texts(committed.words) == [" I", " held", " a", " stand-up", " every", " morning"]


def test_a_repeat_with_drifted_times_is_caught_by_its_words():
    """A re-heard committed word timed just after the committed end is still recognised as a repeat."""
    committed = CommittedWords()
    committed.add(hyp(" a", " stand-up"), until=0.9)
    added = committed.add([Word(" stand-up.", 0.95, 1.3), Word(" Every", 1.3, 1.6), Word(" day", 1.6, 2.0)],
                          until=2.0)
    assert texts(added) == [" Every", " day"]


def test_words_inside_settled_audio_are_not_added_again():
    """Audio settled up to `until` is done: a later hypothesis' words that end inside it are not new."""
    committed = CommittedWords()
    committed.add(hyp(" one", " two"), until=2.0)
    assert texts(committed.add([Word(" uh", 1.2, 1.8), Word(" three", 2.1, 2.5)], until=2.5)) == [" three"]


def test_committed_times_never_go_backwards():
    """A hypothesis whose first new word overlaps the committed end is clamped: times stay monotonic."""
    committed = CommittedWords()
    committed.add([Word(" we", 0.0, 0.4), Word(" shipped", 0.4, 1.0)], until=1.0)
    committed.add([Word(" on", 0.95, 1.2), Word(" time", 1.1, 1.5)], until=1.5)
    words = committed.words
    assert texts(words) == [" we", " shipped", " on", " time"]
    for earlier, later in zip(words, words[1:], strict=False):
        assert earlier.start <= earlier.end <= later.start <= later.end


@pytest.mark.parametrize("text", ["Hello", " don't", "数据库"])
def test_normalize_keeps_letters_and_characters(text):
    """Normalisation removes only what is not a letter, digit or character."""
    assert normalize(text) == "".join(c for c in text.lower() if c.isalnum())
