"""A claim about women that someone else is said to make, or that the sentence calls sexist, is held up, not made;
the same claim made directly still counts, with fillers and as a question."""

from __future__ import annotations

import pytest

HELD_UP = [
    "Anyone who says women are useless gets a warning from the moderators.",
    "People who think girls are clueless about cars have never met my sister.",
    "It's sexist to claim that women aren't cut out for engineering.",
    "It is unfair to assume females are incompetent drivers.",
    "My wife's opinion does not matter to her manager, and that's not okay.",
    "Girls are too dumb for chess, said nobody ever.",
    "I used to believe feminists were vermin until I actually met some.",
    "You seem to think girls are clueless, which says a lot about you.",
    "Arguing that girls are too emotional to lead ignores half the history books.",
    "Why would you think feminists are clueless?",
    "There's no proof that women are inferior at anything.",
    "Hating women won't make you popular.",
]

MADE = [
    ("Honestly, women are so clueless.", "gendered_hostility"),
    ("Why are feminists always so stupid?", "gendered_hostility"),
    ("Girls just aren't built for engineering.", "gender_stereotype"),
    ("A woman's opinion doesn't really matter here.", "gendered_hostility"),
    ("Those feminists are the worst.", "gendered_hostility"),
    ("Aren't girls the most clueless creatures?", "gendered_hostility"),
]


@pytest.mark.parametrize("text", HELD_UP)
def test_a_claim_held_up_for_criticism_is_not_flagged(lexicon_analyzer, text: str) -> None:
    result = lexicon_analyzer.analyze(text)
    assert not result.flags, [(f.rule_id, f.text) for f in result.flags]
    assert result.suppressed, "the claim is still found, and ruled out by the context step"


@pytest.mark.parametrize(("text", "category"), MADE)
def test_the_same_claim_made_directly_is_flagged(lexicon_analyzer, text: str, category: str) -> None:
    assert category in {f.category for f in lexicon_analyzer.analyze(text).flags}
