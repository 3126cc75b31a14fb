"""Which "they" and "them" refer back to women: the ``{women_pronoun}`` slot of templates.

A claim about women is often made of them by pronoun, a sentence after they are
named: "I've worked with plenty of women. They are all worthless." A plural
pronoun is read as referring to the nearest person word before it, in its
sentence or the one before (``references`` in ``analyzer/data/slots.yml``), or
to what an earlier "they" there refers to; it fills the slot only when that word
names women, so "I talked to the managers. They are all idiots." is not a claim
about women. No parser: word lists and the normalizer's keys, read only where a
template could match.
"""

from __future__ import annotations

from functools import lru_cache

from spacy.tokens import Token

from analyzer.lexicon.templates import WOMEN_PRONOUN_ATTR, builtin_slots
from analyzer.tokens.doc_state import doc_keys

MAX_LOOKBACK = 60  # tokens searched before a pronoun for the word it refers to
MAX_CHAIN = 3  # "they" referring to an earlier "they": how many are followed back
AGENT_PLURALS = ("ers", "ors", "ists", "ants", "ents", "ians")  # "contractors", "scientists", "immigrants"


@lru_cache(maxsize=1)
def _person_words() -> frozenset[str]:
    """Every one-word entry of ``{person}``: a word a pronoun can refer to."""
    entries = builtin_slots().entries("person")
    return frozenset(entry[0].words[0] for entry in entries if len(entry) == 1 and len(entry[0].words) == 1)


def refers_to_women(token: Token, chain: int = 0) -> bool:
    """Is ``token`` a "they" or "them" whose nearest person word before it names women?"""
    table = builtin_slots()
    if token.lower_ not in table.reference_pronouns:
        return False
    doc = token.doc
    keys = doc_keys(doc)
    strings = doc.vocab.strings
    persons = _person_words()
    crossed = 0
    for i in range(token.i - 1, max(-1, token.i - 1 - MAX_LOOKBACK), -1):
        if doc[i + 1].is_sent_start:
            crossed += 1
            if crossed == 2:
                break  # the sentence before the pronoun's is as far as a reference reaches
        word = doc[i]
        key = strings[int(keys[i])]
        if key in table.reference_women:
            return True
        if key in persons or _names_people(word.lower_, key):
            # someone else ("the managers. They ...", "the contractors. They ..."), unless they are women
            # too: "female applicants"
            return i > 0 and strings[int(keys[i - 1])] in table.reference_women
        if word.lower_ in table.reference_pronouns:
            return chain < MAX_CHAIN and refers_to_women(word, chain + 1)
    return False


def _names_people(lower: str, key: str) -> bool:
    """A plural of an agent noun ("contractors", "scientists", "immigrants", "politicians"): people, not women."""
    return lower != key and lower.endswith(AGENT_PLURALS)


if not Token.has_extension(WOMEN_PRONOUN_ATTR):
    Token.set_extension(WOMEN_PRONOUN_ATTR, getter=refers_to_women)
