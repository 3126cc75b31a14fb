"""Variants of a template rule's flag examples, for ``lexicon validate``.

A template claims to match its sentence with another subject, a filler word
and as a question. Each flag example the template matches is rewritten those
three ways from the match itself (which words filled the subject, the verb
group, the filler slot), and every variant must be flagged by the same rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from spacy.matcher import Matcher
from spacy.tokens import Doc

from analyzer.lexicon.loader import Rule
from analyzer.lexicon.templates import NAME_ATTR, Item, builtin_slots, parse
from analyzer.pipeline.matcher import match_on_keys

if TYPE_CHECKING:
    from analyzer.engine import Analyzer

FILLER_SLOT = "adv"  # the slot a filler word is inserted into
FILLERS = ("really", "totally")
# Replacement subjects (text, plural) by the slot the template's subject is drawn from; a name or a
# singular person is preferred before a form of "be", which is then made to agree.
SUBJECTS = {
    "women": (("my wife", False), ("the new girls", True), ("that lady", False), ("those women", True)),
    "women_group": (("those ladies", True), ("the girls in sales", True)),
}
DEFAULT_SUBJECTS = (("Priya", False), ("my coworker", False), ("they", True), ("you", True))
_PRESENT = {"is", "are", "am", "'s", "'re", "'m", "’s", "’re", "’m"}
_PAST = {"was", "were"}
_FULL = {
    "'s": "is",
    "'re": "are",
    "'m": "am",
    "'ve": "have",
    "'ll": "will",
    "'d": "would",
    "ca": "can",
    "wo": "will",
    "sha": "shall",
    "’s": "is",
    "’re": "are",
    "’m": "am",
}
_CHAT_SUBJECTS = {"ur", "u", "ya", "youre", "u r"}  # chat spellings: no grammar to rewrite around
_FINITE = (
    _PRESENT
    | _PAST
    | set(_FULL)
    | {
        "do",
        "does",
        "did",
        "has",
        "have",
        "had",
        "will",
        "would",
        "can",
        "could",
        "should",
        "must",
        "may",
        "might",
        "shall",
    }
)
_PLURAL = {"you", "they", "we", "people", "u", "ya", "folks", "guys"}


@dataclass(frozen=True)
class Variant:
    """One rewritten flag example: which rule and example it came from, how it was made, its text."""

    rule: Rule
    example: int
    kind: str
    text: str


def template_variants(analyzer: Analyzer, rules: Sequence[Rule]) -> tuple[list[Variant], list[tuple[Rule, int]]]:
    """The variants of every template rule's flag examples, and the (rule, template number) matching none."""
    component = analyzer.nlp.get_pipe("allyship_lexicon")
    variants: list[Variant] = []
    unmatched: list[tuple[Rule, int]] = []
    for rule in rules:
        compiled = component.templates.get(rule.id, [])
        matcher = Matcher(analyzer.nlp.vocab)
        for i, (_, pattern) in enumerate(compiled):
            matcher.add(str(i), [pattern.pattern()])
        used: set[int] = set()
        for example, text in enumerate(rule.flag_examples):
            doc = _keyed(analyzer, text)
            best = None
            for match_id, start, end, align in match_on_keys(matcher, doc, with_alignments=True):
                number, pattern = compiled[int(analyzer.nlp.vocab.strings[match_id])]
                used.add(number)
                if not pattern.question and (best is None or end - start > best[1] - best[0]):
                    best = (start, end, [pattern.specs[a].item for a in align], number)
            if best is None:
                continue
            start, end, items, number = best
            template = parse(rule.templates[number])
            for kind, variant in _rewrites(doc, start, end, items, template):
                variants.append(Variant(rule, example, kind, variant))
        unmatched += [(rule, n) for n in range(len(rule.templates)) if n not in used]
    return variants, unmatched


def _keyed(analyzer: Analyzer, text: str) -> Doc:
    """``text`` through the sentence splitter and the normalizer only: the tokens and keys the matcher sees."""
    doc = analyzer.nlp.make_doc(text)
    for name in ("allyship_sentences", "allyship_normalizer"):
        doc = analyzer.nlp.get_pipe(name)(doc)
    return doc


def _rewrites(doc: Doc, start: int, end: int, items: list[int], template: Sequence[Item]) -> list[tuple[str, str]]:
    """(kind, text) for each rewrite that applies to this match: other subject, filler inserted, question."""
    words = [[t.text, t.whitespace_] for t in doc]
    role = {start + k: item for k, item in enumerate(items)}
    table = builtin_slots()
    out: list[tuple[str, str]] = []
    subject = [i for i in range(start, end) if role[i] == 0]
    opens_with_subject = (
        bool(subject)
        and template[0].kind == "slot"
        and template[0].slot in table.question_subjects
        and " ".join(doc[i].lower_ for i in subject) not in _CHAT_SUBJECTS
    )
    verbal = (
        len(template) > 1
        and template[1].kind == "slot"
        and template[1].slot in (*table.question_verbs, table.auxiliary)
    )
    verbs = [i for i in range(start, end) if role[i] == 1] if verbal else []
    if opens_with_subject:
        out.append(("another subject", _other_subject(doc, words, subject, verbs, template[0].slot)))
    filler = next((n for n, item in enumerate(template) if item.kind == "slot" and item.slot == FILLER_SLOT), None)
    if filler is not None and sum(1 for i in range(start, end) if role[i] == filler) < 3:
        before = [i for i in range(start, end) if role[i] < filler]
        at = (before[-1] + 1) if before else start
        word = next(w for w in FILLERS if w not in {t.lower_ for t in doc})
        copy = [list(w) for w in words]
        copy.insert(at, [word, " "])
        if at > 0 and not copy[at - 1][1]:
            copy[at - 1][1] = " "
        out.append(("a filler word inserted", _join(copy)))
    if (
        opens_with_subject
        and verbs
        and doc[verbs[0]].lower_ in _FINITE
        and template[1].kind == "slot"
        and template[1].slot in table.question_verbs
    ):
        first = doc[verbs[0]].lower_
        aux = _FULL.get(first, first)
        who = " ".join(doc[i].text for i in subject)
        if doc[subject[0]].text != "I" and not doc[subject[0]]._.get(NAME_ATTR):
            who = who[0].lower() + who[1:]
        stop = end  # the rest of the clause after the match, up to a punctuation mark
        while stop < len(doc) and not doc[stop].is_punct:
            stop += 1
        rest = "".join(doc[i].text_with_ws for i in range(verbs[0] + 1, stop) if i not in subject).strip()
        # the sentences before stay: a "they" may refer to the women they name
        before = doc[: doc[start].sent.start].text_with_ws
        out.append(("the question form", before + f"{aux.capitalize()} {who} {rest}".rstrip() + "?"))
    return out


def _other_subject(doc: Doc, words: list[list[str]], subject: list[int], verbs: list[int], slot: str) -> str:
    """The example with another subject of the same slot; a form of "be" after it is made to agree."""
    said = " ".join(doc[i].lower_ for i in subject)
    last = doc[subject[-1]].lower_
    plural = last in _PLURAL or (last.endswith("s") and not last.endswith("ss") and len(last) > 3)
    verb = doc[verbs[0]].lower_ if verbs else ""
    be = verb in _PRESENT or verb in _PAST
    choices = [c for c in SUBJECTS.get(slot, DEFAULT_SUBJECTS) if c[0].lower() != said]
    name, many = next((c for c in choices if be and not c[1]), None) or next(
        (c for c in choices if c[1] == plural), choices[0]
    )
    copy = [list(w) for w in words]
    if subject[0] == 0 or doc[subject[0]].is_sent_start:
        name = name[0].upper() + name[1:]
    copy[subject[0]] = [name, words[subject[-1]][1]]
    for i in subject[1:]:
        copy[i] = ["", ""]
    if be:
        past = verb in _PAST
        form = ("were" if past else "are") if many else ("was" if past else "is")
        copy[verbs[0]] = [form, words[verbs[0]][1]]
        if not words[subject[-1]][1]:
            copy[subject[0]][1] = " "
    return _join(copy)


def _join(words: list[list[str]]) -> str:
    return "".join(text + space for text, space in words if text or space).strip()
