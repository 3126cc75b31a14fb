"""A claim made of women by "they" or "them", a sentence after they are named, is the claim about women; the same
words about other people, or about nobody named, are not."""

from __future__ import annotations

import pytest

from analyzer.pipeline.references import refers_to_women

ABOUT_WOMEN = [
    ("We get lots of female applicants. Honestly they are all useless.", "gendered_hostility"),
    ("My cousin keeps inviting girls over. I really can't stand them.", "gendered_hostility"),
    ("The feminists marched downtown again. They deserve to suffer.", "gendered_hostility"),
    ("Why do we even hire women? They are so incompetent.", "gendered_hostility"),
    ("Talked to a lady at the bank today. She was stupid, just like the rest of them.", "gendered_hostility"),
]

NOT_ABOUT_WOMEN = [
    # the nearest person word before the pronoun is someone else
    "My sister told me about her bosses. They are all useless.",
    "I talked to the women in sales about the contractors. They are so incompetent.",
    # nobody is named: the pronoun alone is no claim about women
    "They are all useless.",
    # women named two sentences back are out of reach
    "Women run the front desk. The printer jammed twice today. They are so incompetent.",
    # the same reference, with nothing hostile said
    "We hired three women this spring. They are all doing great work.",
]


@pytest.mark.parametrize(("text", "category"), ABOUT_WOMEN)
def test_a_pronoun_that_refers_to_women_carries_the_claim(lexicon_analyzer, text: str, category: str) -> None:
    flags = lexicon_analyzer.analyze(text).flags
    assert category in {f.category for f in flags}, [(f.rule_id, f.text) for f in flags]


@pytest.mark.parametrize("text", NOT_ABOUT_WOMEN)
def test_a_pronoun_that_refers_to_someone_else_does_not(lexicon_analyzer, text: str) -> None:
    flags = lexicon_analyzer.analyze(text).flags
    assert not flags, [(f.rule_id, f.text) for f in flags]


def test_a_they_is_followed_back_through_an_earlier_they(lexicon_analyzer) -> None:
    doc = lexicon_analyzer.nlp("Women came in. They sat down. They left early.")
    pronouns = [t for t in doc if t.lower_ == "they"]
    assert [refers_to_women(t) for t in pronouns] == [True, True]
    doc = lexicon_analyzer.nlp("The interns came in. They sat down. They left early.")
    assert not any(refers_to_women(t) for t in doc if t.lower_ == "they")


def test_only_they_and_them_are_resolved(lexicon_analyzer) -> None:
    doc = lexicon_analyzer.nlp("Women came in. We sat down with you.")
    assert not any(refers_to_women(t) for t in doc)
