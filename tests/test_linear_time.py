"""Any text costs time linear in its length, and hostile stretches keep their offsets.

Runs of one punctuation mark, spaced-out letters and one long word used to
cost the square or the cube of their length (``"a " * 2000`` took 30 s).
The property test doubles a text built by repeating a random unit and checks
that the CPU time at most ~2.5x (never an absolute time: machines differ);
the work-count test counts the Python calls an analysis makes instead, which
no other process on the machine can disturb;
``bench/bench_pathological.py`` prints the seconds per megabyte.
"""

from __future__ import annotations

import cProfile
import pstats
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.tokens.guard import MAX_CHUNK, RUN_TOKEN, hostile_stretches

HOSTILE = [
    "*" * 5000,
    "'" * 3000,
    "’" * 40 + " man up " + "!" * 40,
    "man up" + "#" * 700 + "calm down",
    "a " * 2000,
    "x" * 3000 + " man up",
    "*'\"$#!" * 300,
    "😀" * 2000 + " calm down",
    "ab*" * 300 + "  \n " + "$" * 20,
    "s l u t " * 200,
    "c@n't m4n up ihatewomen " * 100,
]
UNITS = st.text(
    alphabet=st.sampled_from([*"a bs*'\"$#!.-_—’\n", "\u200b", "😀", "中", "\u0301", "é"]),
    min_size=1,
    max_size=12,
)


def _cpu(analyzer, text: str) -> float:
    """The least CPU time of three analyses of ``text`` (the least is the least disturbed by other processes)."""
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        analyzer.analyze(text)
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_keeps_its_characters_and_offsets(analyzer, text: str) -> None:
    doc = analyzer.process(text)
    assert doc.text == text
    assert max(len(t) for t in doc) <= max(MAX_CHUNK, RUN_TOKEN) + 1
    for flag in analyzer.analyze(text).flags:
        assert text[flag.start : flag.end] == flag.text


def test_a_phrase_beside_a_run_is_still_flagged(lexicon_analyzer) -> None:
    text = "!" * 500 + " man up " + "*" * 500 + "calm down"
    found = {(f.text, f.rule_id) for f in lexicon_analyzer.analyze(text).flags}
    assert {t for t, _ in found} >= {"man up", "calm down"}


def test_a_text_tokenized_in_pieces_keeps_the_tokenizers_words_spaces_and_norms() -> None:
    """Around a run the text is tokenized in pieces and joined: each piece's tokens, their spaces and the
    norms special cases give ("can't" -> "can" + "not", "gonna") are those the tokenizer gives it alone."""
    import spacy

    from analyzer.tokens.guard import tokenize_linear

    nlp = spacy.blank("en")
    before, after = "I can't, we're gonna ", " im ok :) y'all"
    doc = tokenize_linear(nlp.tokenizer, nlp.vocab, before + "!" * 40 + after)
    assert doc.text == before + "!" * 40 + after
    words = [(t.text, t.norm_, t.whitespace_) for t in doc]
    expected = [(t.text, t.norm_, t.whitespace_) for t in nlp.tokenizer(before.rstrip())]
    expected[-1] = (*expected[-1][:2], " ")
    assert words[: len(expected)] == expected
    tail = [(t.text, t.norm_, t.whitespace_) for t in nlp.tokenizer(after.strip())]
    assert words[-len(tail) :] == tail
    assert ("ca", "can", "") in words and ("n't", "not", "") in words


def test_stretches_cover_runs_and_long_chunks_in_order() -> None:
    text = "ok " + "b" * 300 + "!" * 20 + "c" * 10 + " end " + "'" * 3
    stretches = list(hostile_stretches(text))
    assert stretches == [(3, 303, False), (303, 323, True), (len(text) - 3, len(text), True)]


@pytest.mark.parametrize(
    "unit", ["c@n't ", "ihatewomen ", "m4n up ", "a ", "'", "b-i-t-c-h ", "women.are.trash ", "a.b.c."]
)
def test_doubling_a_text_of_words_to_cut_or_join_at_most_about_doubles_the_work(analyzer, unit: str) -> None:
    """Words cut or joined used to move every later token once each (spaCy's retokenizer): quadratic."""
    small, large = unit * (4000 // len(unit)), unit * (8000 // len(unit))
    analyzer.analyze(small)
    first, second = _cpu(analyzer, small), _cpu(analyzer, large)
    assert second <= 2.5 * first + 0.03, f"{unit!r}: {first:.3f} s, then {second:.3f} s for twice the text"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(unit=UNITS)
def test_doubling_a_text_at_most_about_doubles_the_work(analyzer, unit: str) -> None:
    size = 6000
    small = (unit * (size // len(unit) + 1))[:size]
    large = (unit * (2 * size // len(unit) + 1))[: 2 * size]
    analyzer.analyze(small)  # warm caches: the first sight of a word costs more than the next
    first, second = _cpu(analyzer, small), _cpu(analyzer, large)
    assert second <= 2.5 * first + 0.03, f"{unit!r}: {first:.3f} s for {size:,} characters, {second:.3f} s for twice"


# Texts packed with what costs work per occurrence: lexicon phrases (each a candidate the context
# step reads around), words cut or re-laid out, quotations, negations, innocent-sense templates.
WORK_UNITS = [
    "calm down you are overreacting ",
    "c@n't m4n up ihatewomen ",
    '"man up" he said, calm down ',
    "she is not a bitch but karma is a bitch ",
    "not all men but you are so emotional ",
    "s l u t ",
    "girlsareso dumb ",  # (with "women", 60 copies in one sentence get one whole-text finding: work once, not per copy)
    "x7\ufffd@q%\u0301 b*tch ",
    "women.are.trash i_hate_women ",
]


def _calls(analyzer, text: str) -> int:
    """The Python calls ``analyzer.analyze(text)`` makes (cProfile's count): work that no timing noise changes."""
    profile = cProfile.Profile()
    profile.enable()
    try:
        analyzer.analyze(text)
    finally:
        profile.disable()
    return pstats.Stats(profile).total_calls


@pytest.mark.parametrize("unit", WORK_UNITS, ids=range(len(WORK_UNITS)))
def test_each_copy_of_a_unit_costs_the_same_work_within_one_sentence(analyzer, unit: str) -> None:
    """k, 2k and 4k copies of ``unit``, the largest still one sentence: the last k copies cost no more than twice
    the k before them (a step that reads a candidate's whole sentence per candidate, as the context step once did,
    makes that 3 to 4 times)."""
    tokens = len(analyzer.process(unit))
    k = max(1, 240 // (4 * tokens))  # sentences are cut every 256 tokens (analyzer.pipeline.sentences)
    texts = [unit * (k * m) for m in (1, 2, 4)]
    analyzer.analyze(texts[-1])  # warm caches: a word seen the first time costs more work than the next times
    small, medium, large = (_calls(analyzer, text) for text in texts)
    assert large - medium <= 2.4 * (medium - small), f"{unit!r}: {small:,}, {medium:,}, {large:,} calls"


@pytest.mark.parametrize("unit", WORK_UNITS, ids=range(len(WORK_UNITS)))
def test_doubling_a_long_text_of_a_unit_doubles_the_work(analyzer, unit: str) -> None:
    """Across many sentences: 2,000, 4,000 and 8,000 characters' worth of ``unit``, the same work per copy."""
    texts = [unit * (n // len(unit)) for n in (2000, 4000, 8000)]
    analyzer.analyze(texts[-1])
    small, medium, large = (_calls(analyzer, text) for text in texts)
    assert large - medium <= 2.4 * (medium - small), f"{unit!r}: {small:,}, {medium:,}, {large:,} calls"
