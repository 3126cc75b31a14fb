"""Negation that bears on the hostile words, and negation that does not.

Two rules of analyzer/pipeline/context.py, table-driven:

- ``ContextRules.denial``: a classifier finding (no listed phrase) is ruled
  out when the sentence denies every hostile word it contains ("I don't hate
  women"), never for negation alone ("Women shouldn't be allowed to vote").
- ``ContextRules.negation`` on one-word insults: "she is not a slut" negates
  the word, "this ain't twitter bitch" does not.
"""

from __future__ import annotations

import pytest

from analyzer.model.targeting import is_cue, load_cues

DENIED = [
    "I don't hate women.",
    "I have never thought of women as property.",
    "Women are not stupid.",
    "Women are not inferior to men.",
    "Asking for help doesn't make a man weak.",
    "I would never hurt a woman.",
    "Nobody here thinks women are worthless.",
    "My mother was never weak for leaving him.",
    "I do not see my sisters as inferior.",
    "Girls are not dumb for liking pink.",
    "No one on this team thinks women are useless at math.",
    "I refuse to treat the women here as objects.",
    "Women aren't disgusting for having body hair.",
    "He has never been violent, and he would never beat his wife.",
    "We don't think female drivers are idiots.",
    "I'm not calling her crazy.",
    "Our daughters are not property.",
    "Men are not trash and women are not trash.",
    "I never said she was pathetic.",
    "Nobody should feel worthless after a breakup.",
]

NOT_DENIED = [
    "Women shouldn't be allowed to vote.",  # negated, but no hostile word: not a denial
    "Women are never worth listening to.",
    "No girl will ever code as well as a boy.",
    "Women are vile creatures.",  # not negated
    "I don't hate women, but they are stupid.",  # one hostile word said, after 'but'
    "Nobody wants a whiny wife.",  # 'a whiny': describes someone
    "No one likes a fat girlfriend.",
    "Women don't deserve rights.",  # 'deserve' is never denied by a negation
    "Women are nothing without men.",
    "Women are not people, they are property.",
    "Females are disgusting and I won't pretend otherwise.",
    "She isn't smart, she is a useless airhead.",
    "Never trust a woman, they are all liars.",
    "Women can't lead.",
    "I hate women.",
    "Not all women are bad, most are just stupid.",
    "Women are not equal to men, they are inferior.",
    "No woman has ever been funny.",
    "Women don't belong in the office.",
    "Women never stop whining.",
]


@pytest.fixture(scope="module")
def hostile():
    cues = load_cues()
    words = frozenset(cues["derogation"]) | frozenset(cues["threat"])
    return lambda word: is_cue(word, words)


@pytest.mark.parametrize("text", DENIED)
def test_a_sentence_that_denies_its_hostile_words_is_a_denial(
    lexicon_analyzer, context_rules, hostile, text: str
) -> None:
    doc = lexicon_analyzer.process(text)
    assert context_rules.denial(doc[:], hostile).applies, text


@pytest.mark.parametrize("text", NOT_DENIED)
def test_negation_without_denied_hostility_is_no_denial(lexicon_analyzer, context_rules, hostile, text: str) -> None:
    doc = lexicon_analyzer.process(text)
    assert not context_rules.denial(doc[:], hostile).applies, text


INSULT_STILL_THROWN = [
    ("This ain't twitter bitch, go cry somewhere else.", "gendered_hostility"),
    ("Make sure she is not hurt bitches.", "gendered_hostility"),
    ("There is nothing in the book about marrying a slut.", "gendered_hostility"),
    ("If you don't like it, leave, you dumb bitch.", "gendered_hostility"),
    ("Nobody cares what you think, simp.", "ally_ridicule"),
    ("He never shuts up about his feelings, the simp.", "ally_ridicule"),
    ("Not my problem that your girlfriend is a slut.", "gendered_hostility"),
    ("Don't come crying to me when the thot leaves you.", "gendered_hostility"),
    ("You won't last a week here, cunt.", "gendered_hostility"),
    ("No wonder she left, she's a whore.", "gendered_hostility"),
]

INSULT_NEGATED = [
    "She is not a slut.",
    "Nobody here would ever call her a bitch.",
    "I never called my sister a whore.",
    "Being kind to women doesn't make you a simp.",
    "She isn't a bitch for saying no.",
    "No one should be called a slut for a skirt.",
    "Wearing a short dress does not make her a whore.",
    "He's not a simp, he is a friend.",
    "Never call a woman a cunt.",
    "Your sister is not a thot.",
]


@pytest.mark.parametrize(("text", "category"), INSULT_STILL_THROWN)
def test_a_negation_about_something_else_does_not_cancel_an_insult(lexicon_analyzer, text: str, category: str) -> None:
    result = lexicon_analyzer.analyze(text)
    assert category in {f.category for f in result.flags}, [s.reason for s in result.suppressed]


@pytest.mark.parametrize("text", INSULT_NEGATED)
def test_a_negation_of_the_insult_itself_rules_it_out(lexicon_analyzer, text: str) -> None:
    assert not lexicon_analyzer.analyze(text).flags, text
