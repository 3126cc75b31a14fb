"""The spaCy components of the analyzer, registered with ``@Language.factory``.

Order (set in :mod:`analyzer.pipeline`): sentencizer -> ``allyship_normalizer``
-> ``allyship_lexicon`` -> ``allyship_context`` -> ``allyship_classifier``.
Configs hold only JSON-safe settings; the lexicon and the model arrive through
``initialize``-style setters, because they are data, not configuration.
Candidates travel on ``doc._.allyship_candidates``; matched spans are also
written to ``doc.spans["allyship"]`` with each span's ``id_`` set to its rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any

import numpy as np
from spacy.attrs import IS_ALPHA, LEMMA, LENGTH, LOWER, NORM, ORTH, SPACY
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from analyzer.context import ContextRules
from analyzer.flags import Candidate
from analyzer.lexicon import Lexicon, Rule
from analyzer.normalize import LEET, Normalizer, load_spellings
from analyzer.textprep import load_cues

SPANS_KEY = "allyship"

if not Doc.has_extension("allyship_candidates"):
    Doc.set_extension("allyship_candidates", default=None)


TEXT_KEY = "allyship_text"


def doc_text(doc: Doc) -> str:
    """The text a doc was made from.

    spaCy rebuilds ``doc.text`` from its tokens on every access, which cost
    more than a whole component on a batch of short posts; the pipeline's
    tokenizer (:class:`analyzer.pipeline.TextKeepingTokenizer`) stores the
    string in ``doc.user_data`` instead.
    """
    text = doc.user_data.get(TEXT_KEY)
    return text if isinstance(text, str) else doc.text


def candidates(doc: Doc) -> list[Candidate]:
    """The candidate list of a doc, created on first use."""
    found = doc._.allyship_candidates
    if found is None:
        found = []
        doc._.allyship_candidates = found
    return found


class NormalizerComponent:
    """Writes each token's matching key to ``token.lemma`` and rejoins spaced letters.

    The key is the lookup lemma (spacy-lookups-data) of the de-obfuscated
    norm, so "Manning", "m4n" and "MAN" all match a pattern written "man".
    """

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.normalizer = Normalizer()
        self._strings = nlp.vocab.strings
        self._keys: dict[int, int] = {}  # norm hash -> key hash, so each distinct word is cleaned once
        self._hash = self._strings.add("#")
        self._separators = np.array([self._strings.add(s) for s in _LETTER_SEPARATORS], dtype=np.uint64)
        self._tokenizer = nlp.tokenizer
        self._runs: dict[int, list[int] | None] = {}
        # words that make a run-together word worth cutting: references to women, listed insults
        cues = load_cues()
        self._salient = frozenset(cues["targets"]) | self.normalizer.targets
        self._layouts: dict[str, list[tuple[int, int, str]]] = {}

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        if _LEET_MIX.search(doc_text(doc)):
            self._relayout_leet(doc)
        # Whole-doc arrays instead of Token objects: this runs on every token of every text.
        array = doc.to_array([NORM, LENGTH, IS_ALPHA, SPACY, ORTH])
        if self._split_runs(doc, array):
            array = doc.to_array([NORM, LENGTH, IS_ALPHA, SPACY, ORTH])
        if self._may_have_spelled_words(array):
            self._join_spaced_letters(doc)
            array = doc.to_array([NORM, LENGTH, IS_ALPHA, SPACY, ORTH])
        keys, strings = self._keys, self._strings
        norms = array[:, 0].tolist()
        out = []
        for norm in norms:
            key = keys.get(norm)
            if key is None:
                key = strings.add(self.normalizer.key(strings[norm]))
                if len(keys) < 500_000:
                    keys[norm] = key
            out.append(key)
        for i in np.flatnonzero(array[:-1, 4] == self._hash):
            if not array[i, 3] and array[i + 1, 2]:  # "#ManUp": the word right after a '#'
                out[i + 1] = strings.add(self.normalizer.hashtag_key(strings[norms[i + 1]]))
        doc.from_array([LEMMA], np.asarray(out, dtype=np.uint64).reshape(-1, 1))
        return doc

    def _layout(self, word: str) -> list[tuple[int, int, str]]:
        """How the tokenizer cuts a plain word: (start, end, norm) per piece ("can't" -> ca/can, n't/not)."""
        layout = self._layouts.get(word)
        if layout is None:
            layout = [(t.idx, t.idx + len(t), t.norm_) for t in self._tokenizer(word)]
            if len(self._layouts) < 100_000:
                self._layouts[word] = layout
        return layout

    def _split_runs(self, doc: Doc, array: np.ndarray) -> bool:
        """Cut words written together ("womenare worthless", "ihatewomen") into the words they are made of.

        Returns whether any word was cut (the doc's arrays are then stale).
        """
        long_words = np.flatnonzero((array[:, 1] >= 6) & (array[:, 2] == 1))  # columns: NORM LENGTH IS_ALPHA . ORTH
        if not len(long_words):
            return False
        cuts: list[tuple[int, list[str]]] = []  # (token index, pieces)
        known = self._runs  # ORTH hash -> piece lengths or None, so each distinct word is looked at once
        for i, orth in zip(long_words.tolist(), array[long_words, 4].tolist(), strict=True):
            if orth in known:
                lengths = known[orth]
            else:
                lengths = self.normalizer.split_run(self._strings[orth], self._salient)
                if len(known) < 200_000:
                    known[orth] = lengths
            if lengths is not None:
                token = doc[i]
                bounds = np.cumsum([0, *lengths]).tolist()
                cuts.append((i, [token.text[a:b] for a, b in pairwise(bounds)]))
        if not cuts:
            return False
        with doc.retokenize() as retokenizer:
            for i, orths in cuts:
                token = doc[i]
                retokenizer.split(token, orths, heads=[(token, k) for k in range(len(orths))])
        shift = 0  # the first piece keeps the word's sentence start; the others continue its sentence
        for i, orths in cuts:
            for k in range(i + shift + 1, i + shift + len(orths)):
                doc[k].is_sent_start = False
            shift += len(orths) - 1
        return True

    def _relayout_leet(self, doc: Doc) -> None:
        """Cut an obfuscated word where its plain spelling would be cut: "n0t" is one word, "c@n't" two.

        spaCy splits "n0t" into "n0" + "t" and keeps "c@n't" whole, while
        "not" and "can't" (ca + n't) are cut the other way, so the phrase
        matcher could never line them up. Leetspeak swaps one character for
        one, so the plain word's token boundaries apply to the written one.
        Only words whose plain pieces include a lexicon word are touched.
        """
        text = doc_text(doc)
        vocabulary = self.normalizer.vocabulary
        changes: list[tuple[Span, list[tuple[int, int, str]]]] = []
        for found in _WORD_RUN.finditer(text):
            word = found.group()
            if not _LEET_MIX.search(word):
                continue
            layout = self._layout(word.translate(LEET))
            span = doc.char_span(found.start(), found.end())
            if span is None or not any(norm.lower() in vocabulary for _, _, norm in layout):
                continue
            current = [(t.idx - found.start(), t.idx - found.start() + len(t)) for t in span]
            if current != [(a, b) for a, b, _ in layout]:
                changes.append((span, layout))
        if not changes:
            return
        with doc.retokenize() as retokenizer:
            for span, _ in changes:
                if len(span) > 1:
                    retokenizer.merge(span)
        with doc.retokenize() as retokenizer:
            for span, layout in changes:
                token = doc.char_span(span.start_char, span.end_char)[0]
                if len(layout) > 1:
                    orths = [token.text[a:b] for a, b, _ in layout]
                    norms = [
                        norm if norm != orth.translate(LEET).lower() else orth.lower()
                        for (_, _, norm), orth in zip(layout, orths, strict=True)
                    ]
                    heads = [(token, i) for i in range(len(layout))]
                    retokenizer.split(token, orths, heads=heads, attrs={"NORM": norms})

    def _may_have_spelled_words(self, array: np.ndarray) -> bool:
        """Three single letters in a row, or letters joined by '-', '.': cheap test before the real one."""
        if len(array) < 3:
            return False
        single = (array[:, 1] == 1) & (array[:, 2] == 1)
        if int(single.sum()) < 3:
            return False
        middle = array[1:-1, 4]
        separator = np.zeros(len(middle), dtype=bool)
        for value in self._separators:
            separator |= middle == value
        return bool((single[:-2] & (single[1:-1] | separator) & single[2:]).any())

    def _join_spaced_letters(self, doc: Doc) -> list[int]:
        """'s l u t' is one word written to dodge a filter: merge it to one token; return the merged tokens."""
        runs: list[tuple[int, int, str]] = []
        i, n = 0, len(doc)
        while i < n:
            if not _single_letter(doc[i]):
                i += 1
                continue
            j = i + 1
            while j < n:
                if _single_letter(doc[j]) and doc[j - 1].whitespace_ == " ":
                    j += 1
                elif (
                    j + 1 < n
                    and doc[j].text in _LETTER_SEPARATORS
                    and not doc[j - 1].whitespace_
                    and not doc[j].whitespace_
                    and _single_letter(doc[j + 1])
                ):
                    j += 2  # "b-i-t-c-h", "s.l.u.t"
                else:
                    break
            if j - i >= 3:
                found = self._spelled_word(doc, i, j)
                if found is not None:
                    runs.append(found)
            i = j
        if not runs:
            return []
        with doc.retokenize() as retokenizer:
            for start, end, word in runs:
                retokenizer.merge(doc[start:end], attrs={"NORM": word})
        shift, merged = 0, []
        for start, end, _ in runs:
            merged.append(start - shift)
            shift += end - start - 1
        return merged

    def _spelled_word(self, doc: Doc, i: int, j: int) -> tuple[int, int, str] | None:
        """The longest lexicon word spelled by the single letters of doc[i:j]."""
        positions = [k for k in range(i, j) if doc[k].text not in _LETTER_SEPARATORS]
        letters = [doc[k].text for k in positions]
        for length in range(len(letters), 2, -1):
            for start in range(len(letters) - length + 1):
                word = self.normalizer.join_letters(letters[start : start + length])
                if word is not None:
                    return positions[start], positions[start + length - 1] + 1, word
        return None


_LETTER_SEPARATORS = frozenset({"-", ".", "_", "*"})
_LEET_MIX = re.compile(r"[^\W\d_][0-9@$|+]|[0-9@$|+][^\W\d_]")  # a leetspeak symbol against a letter
_WORD_RUN = re.compile(r"\S+")


def _single_letter(token: Any) -> bool:
    return len(token.text) == 1 and token.is_alpha


class LexiconMatcher:
    """Finds lexicon phrases (``PhraseMatcher`` on keys) and token patterns."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.nlp = nlp
        self.phrase_matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.matcher = Matcher(nlp.vocab)
        # The token Matcher costs far more per doc than the PhraseMatcher: run it only on docs that
        # could match some pattern, i.e. that contain a listed word for every required token of it.
        self.requirements: list[list[tuple[int, frozenset[int]]]] = []  # per pattern: (attribute, hashes)
        self.unanchored = False
        self._listed: dict[int, frozenset[int]] | None = None  # per attribute, every word some pattern requires
        self.rules: dict[str, Rule] = {}
        self.unless: dict[str, list[tuple[str, ...]]] = {}

    def initialize_lexicon(self, lexicon: Lexicon, normalize: NormalizerComponent) -> None:
        """Compile every rule of ``lexicon`` (called once per pipeline)."""
        self.rules = dict(lexicon.rules)
        _, phrase_variants = load_spellings()
        make_doc = self.nlp.make_doc
        texts: dict[str, list[str]] = {}
        for rule in lexicon.rules.values():
            texts[rule.id] = sorted({v for p in rule.phrases for v in phrase_forms(p, phrase_variants, make_doc)})
        normalize.normalizer.add_vocabulary(
            t.norm_ for variants in texts.values() for v in variants for t in make_doc(v)
        )
        squashed = {rule.id: squashed_forms(make_doc, rule.phrases) for rule in lexicon.rules.values()}
        normalize.normalizer.add_squashed(s for forms in squashed.values() for s in forms)
        normalize.normalizer.add_targets(
            t.norm_ for rule in lexicon.rules.values() for p in rule.phrases if len(d := make_doc(p)) == 1 for t in d
        )
        for rule in lexicon.rules.values():
            docs = [normalize(make_doc(v)) for v in texts[rule.id]]
            docs += [normalize(make_doc(s)) for s in squashed[rule.id]]
            if docs:
                self.phrase_matcher.add(rule.id, docs)
            if rule.patterns:
                self.matcher.add(rule.id, [list(p) for p in rule.patterns])
                for pattern in rule.patterns:
                    self._add_anchor(pattern)
            self.unless[rule.id] = [tuple(t.lemma_ for t in normalize(make_doc(u))) for u in rule.unless]

    def __call__(self, doc: Doc) -> Doc:
        found = candidates(doc)
        strings = self.nlp.vocab.strings
        spans = [Span(doc, s, e, label=strings[m], span_id=strings[m]) for m, s, e in self.phrase_matcher(doc)]
        if len(self.matcher) and self._anchored(doc):
            spans += [Span(doc, s, e, label=strings[m], span_id=strings[m]) for m, s, e in self.matcher(doc)]
        spans = filter_spans(spans)
        kept: list[Span] = []
        for span in spans:
            rule = self.rules[span.label_]
            cand = Candidate(
                start=span.start,
                end=span.end,
                start_char=span.start_char,
                end_char=span.end_char,
                category=rule.category,
                source="lexicon",
                rule_id=rule.id,
                score=rule.score,
            )
            cand.step("lexicon", rule.score, f"matched rule {rule.id} (base score {rule.score:.2f})")
            innocent = self._innocent_sense(span, rule)
            if innocent:
                cand.step("lexicon:unless", rule.score * 0.1, f"innocent sense: '{innocent}' in the same sentence")
                cand.suppressed_by = "unless"
            found.append(cand)
            kept.append(span)
        doc.spans[SPANS_KEY] = kept
        return doc

    def _add_anchor(self, pattern: Sequence[dict[str, Any]]) -> None:
        """Record what a doc must contain for ``pattern`` to match: one listed word per required token."""
        strings = self.nlp.vocab.strings
        needs: list[tuple[int, frozenset[int]]] = []
        for spec in pattern:
            if spec.get("OP") in ("?", "*", "!"):
                continue
            for name, attr in (("LOWER", LOWER), ("ORTH", ORTH), ("TEXT", ORTH), ("NORM", NORM), ("LEMMA", LEMMA)):
                value = spec.get(name, spec.get(name.lower()))
                if isinstance(value, dict):
                    value = value.get("IN")
                values = [value] if isinstance(value, str) else value
                if isinstance(values, list) and values and all(isinstance(v, str) for v in values):
                    needs.append((attr, frozenset(strings.add(v) for v in values)))
                    break
        if needs:
            self.requirements.append(needs)
            self._listed = None
        else:
            self.unanchored = True

    def _anchored(self, doc: Doc) -> bool:
        """Could any token pattern match this doc? (Every required token's words present.)

        Most docs contain no listed word at all: one intersection per
        attribute with every pattern's words rules them out before any
        pattern is looked at.
        """
        if self.unanchored:
            return True
        if self._listed is None:
            listed: dict[int, set[int]] = {}
            for needs in self.requirements:
                for attr, values in needs:
                    listed.setdefault(attr, set()).update(values)
            self._listed = {attr: frozenset(values) for attr, values in listed.items()}
        attrs = sorted(self._listed)
        array = doc.to_array(attrs).reshape(len(doc), len(attrs))
        present = {attr: self._listed[attr].intersection(array[:, i].tolist()) for i, attr in enumerate(attrs)}
        if not any(present.values()):
            return False
        return any(all(not present[attr].isdisjoint(values) for attr, values in needs) for needs in self.requirements)

    def _innocent_sense(self, span: Span, rule: Rule) -> str | None:
        markers = self.unless.get(rule.id)
        if not markers:
            return None
        # The sentence and the one before it: "Forgot your password? It happens to everyone."
        sent = span.sent
        start = sent.start
        if start > 0:
            start = span.doc[start - 1].sent.start
        lemmas = [t.lemma_ for t in span.doc[start : sent.end]]
        for marker in markers:
            n = len(marker)
            for i in range(len(lemmas) - n + 1):
                if tuple(lemmas[i : i + n]) == marker:
                    return " ".join(marker)
        return None


def phrase_forms(phrase: str, variants: dict[str, list[str]], make_doc: Any) -> list[str]:
    """A phrase plus its hyphenated and chat-spelled forms.

    Chat variants are found on the tokenizer's norms, so "you're" counts as
    "you are" and gets the variant "ur".
    """
    base = " ".join(phrase.split())
    forms = {base}
    words = base.split(" ")
    if 1 < len(words) <= 4 and all(w.isalpha() for w in words):
        forms.add("-".join(words))
    normed = " ".join(t.norm_ for t in make_doc(base))
    for left, rights in variants.items():
        if f" {left} " in f" {normed} ":
            for right in rights:
                forms.add(f" {normed} ".replace(f" {left} ", f" {right} ", 1).strip())
    return sorted(forms)


def squashed_forms(make_doc: Any, phrases: Iterable[str]) -> list[str]:
    """'#ManUp' and '#realmendontcry': the phrase written as one hashtag word."""
    out = set()
    for phrase in phrases:
        words = [t.text.lower().replace("'", "").replace("’", "") for t in make_doc(phrase) if not t.is_punct]
        squashed = "".join(words)
        if len(words) > 1 and len(squashed) >= 5 and squashed.isalpha():
            out.add(squashed)
    return sorted(out)


class ContextComponent:
    """Runs the context checks of :mod:`analyzer.context` on every candidate."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        tokenizer = nlp.tokenizer
        self.rules = ContextRules(lambda text: [t.norm_ for t in tokenizer(text)])

    def __call__(self, doc: Doc) -> Doc:
        found = candidates(doc)
        if not found:
            return doc
        text = doc_text(doc)
        for cand in found:
            if cand.source == "lexicon" and cand.suppressed_by is None:
                self.rules.apply(doc, cand, text)
        return doc


@Language.factory("allyship_normalizer", assigns=["token.lemma", "token.norm"])
def make_normalizer(nlp: Language, name: str) -> NormalizerComponent:
    return NormalizerComponent(nlp, name)


@Language.factory(
    "allyship_lexicon",
    assigns=["doc.spans", "doc._.allyship_candidates"],
    requires=["token.lemma"],
)
def make_lexicon_matcher(nlp: Language, name: str) -> LexiconMatcher:
    return LexiconMatcher(nlp, name)


@Language.factory("allyship_context", requires=["doc._.allyship_candidates", "token.is_sent_start"])
def make_context(nlp: Language, name: str) -> ContextComponent:
    return ContextComponent(nlp, name)
