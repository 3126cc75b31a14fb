"""Context checks added for issue 4's external suite: praise that is denied, denials followed by hostility about
something else, sentences that condemn a hostile act, and one-typo spellings of the words hostile phrases use."""

from __future__ import annotations

import pytest

from analyzer.model.word_features import is_cue, load_cues
from analyzer.pipeline.spelling import Normalizer


@pytest.fixture(scope="module")
def cues():
    return {kind: frozenset(words) for kind, words in load_cues().items()}


def _norms(lexicon_analyzer, text: str) -> list[str]:
    return [t.norm_ for t in lexicon_analyzer.process(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Women are brilliant engineers.", True),
        ("Women are just as capable as men.", True),
        ("Women are no less capable than men.", True),
        ("Women aren't any less capable than men.", True),  # "any less" is only said when denied or asked
        ("Women deserve the same pay as men.", True),
        ("Women are people, just like everyone else.", True),
        ("Women are not capable of leading a team.", False),
        ("Women aren't smart enough to be surgeons.", False),
        ("Women are less capable than men.", False),
        ("Women don't deserve the same rights as men.", False),
        ("No woman has ever been a brilliant engineer.", False),
        ("Women are in the office today.", None),
    ],
)
def test_praise_after_a_negation_is_denied(
    lexicon_analyzer, context_rules, cues, text: str, expected: bool | None
) -> None:
    praise = cues["praise"]
    assert context_rules.praises(_norms(lexicon_analyzer, text), lambda w: is_cue(w, praise)) is expected


@pytest.mark.parametrize(
    ("text", "denied"),
    [
        ("I don't hate women, I hate bad arguments.", True),
        ("Women are not a plague, that's a disgusting thing to say.", True),
        ("I don't hate women, I hate them.", False),
        ("I don't hate women, but women are stupid.", False),
        ("I don't love women, I hate feminists.", False),
        ("Nobody wants a whiny wife.", False),
    ],
)
def test_hostility_said_of_something_else_keeps_a_denial(
    lexicon_analyzer, context_rules, cues, text: str, denied
) -> None:
    hostile = cues["derogation"] | cues["threat"]
    targets = cues["targets"]
    doc = lexicon_analyzer.process(text)
    verdict = context_rules.denial(doc[:], lambda w: is_cue(w, hostile), lambda w: is_cue(w, targets))
    assert verdict.applies is denied, verdict.note


@pytest.mark.parametrize(
    ("text", "condemned"),
    [
        ("Hating women is never acceptable.", True),
        ("Your comment about women being stupid was completely out of line.", True),
        ("Statements that dehumanise women have no place on this forum.", True),
        ("Sexist jokes about female drivers are not funny.", True),
        ("Women are unacceptable as leaders.", False),
        ("Women's comments are disgusting.", False),
        ("Hating women is natural.", False),
    ],
)
def test_a_sentence_that_condemns_a_hostile_act(lexicon_analyzer, context_rules, text: str, condemned: bool) -> None:
    words = [w for w in _norms(lexicon_analyzer, text) if w.isalnum() or "'" in w or "-" in w]
    assert (context_rules.condemned_act(words) is not None) is condemned


@pytest.mark.parametrize(
    ("typo", "word"), [("wmen", "women"), ("womne", "women"), ("hte", "hate"), ("femlaes", "females")]
)
def test_typo_words_map_back(typo: str, word: str) -> None:
    assert Normalizer().clean(typo) == word


def test_typo_variants_that_are_words_stay_words() -> None:
    assert Normalizer().clean("hat") == "hat"


@pytest.mark.parametrize(
    ("text", "rejected"),
    [
        ("Why do people say women are too emotional? It's not true.", True),
        ("People say women can't do math. Nonsense, my sister is a statistician.", True),
        ("Real men don't cry. That's a myth.", True),
        ("Women are too emotional to lead. But that's a stereotype, and a tired one.", True),
        ("Women are too emotional. That's not true of men though.", False),  # the next sentence goes on
        ("Women are too emotional to lead. Wrong? No, it's a fact.", False),  # a question is no rejection
        ("Women belong in the kitchen. Is that not true?", False),
        ("Dumb bitch. Not true.", False),  # a one-word insult is no claim to reject
    ],
)
def test_a_claim_the_next_sentence_rejects_is_counter_speech(analyzer, text: str, rejected: bool) -> None:
    """The check reads the sentence after a phrase: a claim held up and rejected there is not made."""
    result = analyzer.analyze(text)
    if rejected:
        assert result.flags == ()
        assert any("next sentence rejects" in step.note for s in result.suppressed for step in s.history)
    else:
        assert result.flags, result.suppressed
