"""LocalAgreement on hand-made hypotheses: what is committed, when, and with which times."""

import pytest

from scoring.agreement import LocalAgreement, normalize, units
from scoring.transcript import Word


def hyp(*spec: str, start: float = 0.0, step: float = 0.5) -> list[Word]:
    """Words laid end to end from `start`, `step` seconds each: hyp(" I", " led") → [ I 0–0.5, led 0.5–1]."""
    return [Word(text, round(start + i * step, 3), round(start + (i + 1) * step, 3)) for i, text in enumerate(spec)]


def texts(words) -> list[str]:
    return [word.text for word in words]


def test_first_hypothesis_commits_nothing_second_commits_the_common_prefix():
    """One hypothesis alone is never trusted; two commit their longest common prefix, from the newer one."""
    agreement = LocalAgreement()
    assert agreement.insert(hyp(" I", " lead", " a")) == ()
    committed = agreement.insert(hyp(" I", " lead", " the", " team"))
    assert texts(committed) == [" I", " lead"]
    assert texts(agreement.unconfirmed) == [" the", " team"]
    assert texts(agreement.insert(hyp(" I", " lead", " the", " team", " well"))) == [" the", " team"]
    assert texts(agreement.committed) == [" I", " lead", " the", " team"]


def test_case_and_punctuation_do_not_break_agreement():
    """ "Team," and "team" agree; the committed word is spelled as the newer hypothesis spells it."""
    agreement = LocalAgreement()
    agreement.insert(hyp(" our", " Team,", " shipped"))
    committed = agreement.insert(hyp(" Our", " team", " shipped."))
    assert texts(committed) == [" Our", " team", " shipped."]
    assert normalize(" Team,") == normalize("team") == "team"
    assert normalize("ＡＢＣ") == "abc"  # full-width letters fold too


def test_a_revision_in_the_tail_is_not_committed():
    """Words after the first disagreement stay unconfirmed, even when later words agree again."""
    agreement = LocalAgreement()
    agreement.insert(hyp(" we", " cut", " two", " low", " value", " features"))
    committed = agreement.insert(hyp(" we", " cut", " two", " old", " value", " features"))
    assert texts(committed) == [" we", " cut", " two"]
    assert texts(agreement.unconfirmed) == [" old", " value", " features"]
    assert texts(agreement.insert(hyp(" we", " cut", " two", " low", " value", " features", " after"))) == []


def test_chinese_agrees_character_by_character_across_different_word_splits():
    """ "我们"+"的" and "我"+"们的" are the same three characters; punctuation rides along."""
    agreement = LocalAgreement()
    agreement.insert([Word("我们", 0.0, 0.4), Word("的", 0.4, 0.6), Word("团队，", 0.6, 1.0)])
    committed = agreement.insert([Word("我", 0.0, 0.2), Word("们的", 0.2, 0.6), Word("团体", 0.6, 1.0)])
    assert texts(committed) == ["我", "们", "的", "团"]
    assert texts(agreement.unconfirmed) == ["体"]
    assert "".join(texts(units([Word("，AI技术。", 0.0, 0.3)]))) == "，AI技术。"
    assert texts(units([Word("AI技术。", 0.0, 0.3)])) == ["AI", "技", "术。"]


def test_a_stray_punctuation_word_joins_its_neighbour():
    """A "word" with nothing to compare (a dash) is attached to the unit before it, not compared alone."""
    assert texts(units(hyp(" so", " —", " we"))) == [" so —", " we"]
    assert texts(units(hyp(" —", " we"))) == [" — we"]
    assert units(hyp(" ...")) == []


def test_lookahead_holds_back_words_the_older_hypothesis_heard_without_right_context():
    """With a 2 s lookahead, agreed words ending later than 2 s before the older window's end wait."""
    agreement = LocalAgreement(lookahead=2.0)
    agreement.insert(hyp(" a", " b", " c", " d", " e", " f"), heard_until=3.0)
    committed = agreement.insert(hyp(" a", " b", " c", " d", " e", " f", " g", " h"), heard_until=4.0)
    assert texts(committed) == [" a", " b"]  # they end by 1.0 = 3.0 - 2.0
    longer = hyp(" a", " b", " c", " d", " e", " f", " g", " h", " i", " j")
    assert texts(agreement.insert(longer, heard_until=5.0)) == [" c", " d"]  # they end by 2.0 = 4.0 - 2.0


def test_words_repeated_from_the_committed_tail_are_not_committed_twice():
    """A window that starts before the last committed word re-hears it; the repeat is dropped."""
    agreement = LocalAgreement()
    agreement.insert(hyp(" I", " held", " a", " stand-up"))
    agreement.insert(hyp(" I", " held", " a", " stand-up", " every"))
    assert texts(agreement.committed) == [" I", " held", " a", " stand-up"]
    # The next window starts at 1.0 s: " a" and " stand-up" are heard again, with slightly later times.
    assert texts(agreement.insert(hyp(" a", " stand-up", " every", " morning", start=1.05))) == [" every"]
    committed = agreement.insert(hyp(" a", " stand-up", " every", " morning", " and", start=1.05))
    assert texts(committed) == [" morning"]
    assert texts(agreement.committed) == [" I", " held", " a", " stand-up", " every", " morning"]


def test_a_repeat_with_drifted_times_is_caught_by_its_words():
    """A re-heard committed word timed just after the committed end is still recognised as a repeat."""
    agreement = LocalAgreement()
    agreement.close(hyp(" a", " stand-up"), until=1.0)
    agreement.insert([Word(" stand-up.", 0.95, 1.3), Word(" Every", 1.3, 1.6), Word(" day", 1.6, 2.0)])
    committed = agreement.insert([Word(" stand-up", 0.95, 1.3), Word(" every", 1.3, 1.6), Word(" day", 1.6, 2.0)])
    assert texts(committed) == [" every", " day"]
    assert texts(agreement.committed) == [" a", " stand-up", " every", " day"]


def test_close_commits_a_complete_hypothesis_and_the_audio_before_it_can_go():
    """A window that ended in a pause is committed whole; audio up to the pause is droppable."""
    agreement = LocalAgreement(lookahead=4.0)
    agreement.insert(hyp(" we", " shipped"), heard_until=1.0)
    assert agreement.droppable_until == 0.0
    committed = agreement.close(hyp(" We", " shipped", " on", " time."), until=2.4)
    assert texts(committed) == [" We", " shipped", " on", " time."]
    assert agreement.unconfirmed == ()
    assert agreement.droppable_until == 2.4
    # A later window that re-hears nothing of it commits only new words.
    agreement.insert(hyp(" Then", " we", start=3.0))
    assert texts(agreement.insert(hyp(" Then", " we", " rested", start=3.0))) == [" Then", " we"]


def test_droppable_stops_at_the_first_unconfirmed_word():
    """Audio may be dropped up to the end of the committed words, but never past an unconfirmed word."""
    agreement = LocalAgreement()
    agreement.insert(hyp(" one", " two", " three"))
    agreement.insert(hyp(" one", " two", " tree", " four"))
    assert texts(agreement.committed) == [" one", " two"]
    assert agreement.committed_until == 1.0
    assert agreement.droppable_until == 1.0
    overlapping = LocalAgreement()
    overlapping.insert([Word(" one", 0.0, 0.6), Word(" two", 0.5, 1.0)])
    overlapping.insert([Word(" one", 0.0, 0.6), Word(" too", 0.5, 1.0)])
    assert overlapping.droppable_until == 0.5  # " too" starts before " one" is said to end


def test_finish_commits_the_rest_of_the_final_hypothesis():
    """At the end of the answer the last hypothesis is committed whole, after what was committed."""
    agreement = LocalAgreement(lookahead=1.0)
    agreement.insert(hyp(" it", " works", " out"), heard_until=1.5)
    agreement.insert(hyp(" it", " works", " out", " somehow"), heard_until=2.0)
    assert texts(agreement.committed) == [" it"]
    committed = agreement.finish(hyp(" it", " works", " out", " somehow."))
    assert texts(committed) == [" works", " out", " somehow."]
    assert "".join(texts(agreement.committed)).strip() == "it works out somehow."
    assert agreement.unconfirmed == ()


def test_committed_times_never_go_backwards():
    """A hypothesis whose first new word overlaps the committed end is clamped: times stay monotonic."""
    agreement = LocalAgreement()
    agreement.close([Word(" we", 0.0, 0.4), Word(" shipped", 0.4, 1.0)], until=1.0)
    agreement.finish([Word(" on", 0.95, 1.2), Word(" time", 1.1, 1.5)])
    words = agreement.committed
    assert texts(words) == [" we", " shipped", " on", " time"]
    for earlier, later in zip(words, words[1:], strict=False):
        assert earlier.start <= earlier.end <= later.start <= later.end


def test_force_commits_only_words_that_end_in_time():
    """A window that cannot grow commits its unconfirmed words up to a point, and no further."""
    agreement = LocalAgreement()
    agreement.insert(hyp(" a", " b", " c", " d"))
    assert texts(agreement.force(1.0)) == [" a", " b"]
    assert texts(agreement.unconfirmed) == [" c", " d"]


@pytest.mark.parametrize("text", ["Hello", " don't", "数据库"])
def test_normalize_keeps_letters_and_characters(text):
    """Normalisation removes only what is not a letter, digit or character."""
    assert normalize(text) == "".join(c for c in text.lower() if c.isalnum())


def test_settle_commits_the_latest_hypothesis_as_it_is():
    """When the latest hypothesis already heard the end of the speech, a pause commits it unchanged."""
    agreement = LocalAgreement(lookahead=5.0)
    agreement.insert(hyp(" very", " very", " good"), heard_until=2.0)
    assert texts(agreement.settle(2.5)) == [" very", " very", " good"]
    assert agreement.unconfirmed == () and agreement.droppable_until == 2.5
