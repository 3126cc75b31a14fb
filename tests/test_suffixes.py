"""The tokenizer's faster suffix search finds exactly the suffixes spaCy's own search finds.

:mod:`analyzer.tokens.suffixes` starts the search where a suffix can start;
these tests hold it to the plain regex on strings made of what suffix rules
look at (units after digits, dot runs, quotes, symbols), and hold the whole
tokenizer to spaCy's on text.
"""

from __future__ import annotations

import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.tokens.suffixes import TailSuffixSearch, tail_suffix_search

PIECES = [*"abKMGTs'’.…,;:!?()[]_#*&09$£€+-—°%²/ ", "km", "US$", "mph", "'s", "..", "\ufffd", "😀", "¦", "мм", "кг"]
TEXTS = [
    "I paid 10US$ for 5km... really??",
    "wait.......what",
    "it's 30°C. ok",
    "\ufffd" * 30 + "abc" + "." * 40,
    "he said 'no'!!! (fine)",
    "x" * 300 + "...",
]


def _plain_and_fast() -> tuple[spacy.language.Language, spacy.language.Language]:
    plain, fast = spacy.blank("en"), spacy.blank("en")
    assert tail_suffix_search(fast.tokenizer, fast.Defaults.suffixes)
    return plain, fast


PLAIN, FAST = _plain_and_fast()
REGEX = PLAIN.tokenizer.suffix_search.__self__
SEARCH = TailSuffixSearch(REGEX, [e for e in PLAIN.Defaults.suffixes if e.strip()])


def _span(found):
    return None if found is None else (found.start(), found.end())


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=16).map("".join))
def test_the_search_finds_the_plain_regexs_match(string: str) -> None:
    assert _span(SEARCH.search(string)) == _span(REGEX.search(string))


def test_a_run_of_dots_longer_than_any_bounded_rule_is_found_whole() -> None:
    assert _span(SEARCH.search("wait" + "." * 20)) == (4, 24)


def test_the_tokenizer_cuts_text_as_spacys_own() -> None:
    for text in TEXTS:
        assert [(t.text, t.norm_) for t in FAST.tokenizer(text)] == [(t.text, t.norm_) for t in PLAIN.tokenizer(text)]


def test_the_tokenizer_saves_the_same_suffix_rules() -> None:
    assert FAST.tokenizer.to_bytes(exclude=["vocab"]) == PLAIN.tokenizer.to_bytes(exclude=["vocab"])


def test_a_tokenizer_with_other_suffix_rules_keeps_its_search() -> None:
    nlp = spacy.blank("en")
    nlp.tokenizer.suffix_search = spacy.util.compile_suffix_regex(["!"]).search
    assert not tail_suffix_search(nlp.tokenizer, nlp.Defaults.suffixes)
