"""``allyship_lexicon``: lexicon phrases (found on the tokens' matching keys) and token patterns, as candidates.

Runs on every doc, so phrases are found for a whole batch at once on its key
arrays (:class:`_PhraseIndex`), and whether a doc could match a token pattern
is decided the same way (most docs match nothing and never reach the
``Matcher``); ``__call__`` is the same work on a batch of one. The keys are
the normalizer's (:func:`analyzer.tokens.doc_state.doc_keys`), never ``token.lemma``;
a token pattern's ``LEMMA`` means the key (see :meth:`LexiconMatcher._match_patterns`).
"""

from __future__ import annotations

import shutil
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from spacy.attrs import LEMMA, LOWER, NORM, ORTH, SENT_START
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span, Token

from analyzer.flags import Candidate
from analyzer.lexicon import loader as lexicons
from analyzer.lexicon.loader import Lexicon, Rule, load_lexicon
from analyzer.lexicon.templates import NAME_ATTR, Compiled, SlotTable, builtin_slots, compile_template, parse
from analyzer.pipeline import references  # noqa: F401  (registers the {women_pronoun} extension)
from analyzer.pipeline.lexicon_keys import lexicon_keys
from analyzer.pipeline.normalizer import JOINED_SEPARATORS
from analyzer.pipeline.spelling import english_words
from analyzer.tokens.arrays import BatchComponent, DocArrays, WordSet
from analyzer.tokens.doc_state import SPANS_KEY, candidates, doc_keys, publish_spans

if TYPE_CHECKING:
    from analyzer.pipeline.normalizer import NormalizerComponent

_SENT_START = [SENT_START]
ANCHORLESS = -1  # the template group of patterns with no word every match holds (see _compile_templates)
_LEMMA = [LEMMA]
_LOWER = [LOWER]
_TEMPLATE_ATTRS = [LEMMA, LOWER, SENT_START]


class LexiconMatcher(BatchComponent):
    """Finds lexicon phrases (on the normalizer's keys) and token patterns.

    Its data, the lexicon files, is loaded by :meth:`initialize` (the built-in
    lexicons plus the config's ``lexicons`` folders) or by :meth:`from_disk`,
    which reads the copies :meth:`to_disk` saved with the pipeline. Flags go to
    ``doc.spans[spans_key]``, what was ruled out to ``doc.spans[spans_key + "_suppressed"]``.
    """

    def __init__(
        self,
        nlp: Language,
        name: str,
        *,
        lexicons: Sequence[str] = (),
        trusted: bool = False,
        spans_key: str = SPANS_KEY,
        threshold: float = 0.5,
    ) -> None:
        self.name = name
        self.nlp = nlp
        self.lexicon_dirs = [str(p) for p in lexicons]
        self.trusted = trusted
        self.spans_key = spans_key
        self.threshold = threshold
        self.lexicon: Lexicon | None = None
        self._builtin_dir: Path | None = None
        self._reset()

    def _reset(self) -> None:
        """Empty matchers, before a lexicon is compiled into them."""
        nlp = self.nlp
        self.phrases = _PhraseIndex()
        self.matcher = Matcher(nlp.vocab)
        # The token Matcher costs far more per doc than finding phrases: run it only on docs that
        # could match some pattern, i.e. that contain a listed word for every required token of it.
        self.requirements: list[list[tuple[int, frozenset[int]]]] = []  # per pattern: (attribute, hashes)
        self._of_templates: list[bool] = []  # per requirement: a template's screen (else a rule's token pattern)
        self.unanchored = False
        self._anchors: _AnchorTable | None = None  # the requirements as arrays, built on first use
        self.rules: dict[str, Rule] = {}
        self._unless_keys: dict[str, list[tuple[tuple[int, ...], str]]] = {}  # the markers as key hashes
        self._unless_firsts: dict[str, frozenset[int]] = {}  # the first key hash of each marker
        self.templates: dict[str, list[tuple[int, Compiled]]] = {}  # per rule: (template number, pattern)
        self.innocent: dict[str, _LazyMatcher] = {}  # per rule: its innocent-sense templates
        # one slot table per lexicon file's own slots, so the rules of a file share its memo of expansions
        self._slot_tables: dict[tuple[tuple[str, tuple[str, ...]], ...], SlotTable] = {}
        self._innocent_needs: dict[str, list[tuple[tuple[int, frozenset[int]], ...]]] = {}  # see _needs
        # Template patterns open with optional words ("{det}* _? {person}"), so a Matcher holding them all
        # would try each at every token of a text: each rule's patterns are run (see _template_groups) only
        # on the stretch around a word each of its patterns holds (its trigger).
        self.template_reach: dict[str, int] = {}  # rule id -> the most tokens one of its template matches spans
        # attribute -> key -> (rule id, group) of the templates whose matches hold that word: a group is one
        # template's patterns (its number), or ANCHORLESS for patterns with no word every match holds
        self._triggers: dict[int, dict[int, set[tuple[str, int]]]] = {LEMMA: {}, LOWER: {}}
        self._trigger_arrays: dict[int, np.ndarray] = {}
        self.reach = 0  # the most tokens a template match can span
        # per (rule id, group): its Matcher, and for each of its patterns the words its required tokens take:
        # ((0 LEMMA | 1 LOWER, keys), ...)
        self._template_groups: dict[tuple[str, int], tuple[_LazyMatcher, list[tuple[tuple[int, frozenset[int]], ...]]]]
        self._template_groups = {}
        # per rule hash: (breadth, lexicon order), which of two rules matching the same words wins
        self._rank: dict[int, tuple[int, int]] = {}
        self._matched_notes: dict[str, str] = {}  # rule id -> the note of its lexicon step

    def initialize(self, get_examples: Any = None, *, nlp: Language | None = None) -> None:
        """Load the built-in lexicons plus the config's ``lexicons`` folders, and compile them."""
        lexicon = load_lexicon(self.lexicon_dirs, trusted=self.trusted)
        self.initialize_lexicon(lexicon, self._normalizer(), builtin_dir=lexicons.BUILTIN_DIR)

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Save the lexicon files: the built-in ones (and strategies.yml) in ``builtin/``, the user's in ``user/``."""
        lexicon = self._ready()
        path = Path(path)
        builtin_dir = self._builtin_dir or lexicons.BUILTIN_DIR
        builtin = [builtin_dir / lexicons.REFERENCES_FILE, *lexicons.lexicon_files(builtin_dir)]
        shipped = {p.resolve() for p in builtin}
        for folder, files in (
            (path / "builtin", builtin),
            (path / "user", [p for p in lexicon.files if p.resolve() not in shipped]),
        ):
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            for index, file in enumerate(files):
                shutil.copyfile(file, folder / (file.name if folder.name == "builtin" else f"{index:03d}_{file.name}"))

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> LexiconMatcher:
        """Load the lexicon files :meth:`to_disk` saved."""
        path = Path(path)
        user = path / "user"
        lexicon = load_lexicon(
            [user] if any(user.glob("*.y*ml")) else [], trusted=self.trusted, builtin_dir=path / "builtin"
        )
        self.initialize_lexicon(lexicon, self._normalizer(), builtin_dir=path / "builtin")
        return self

    def _ready(self) -> Lexicon:
        """The compiled lexicon, loaded by :meth:`initialize` on first use if nobody called it."""
        if self.lexicon is None:
            self.initialize()
        assert self.lexicon is not None
        return self.lexicon

    def _normalizer(self) -> NormalizerComponent:
        from analyzer.pipeline.normalizer import NormalizerComponent

        for _, component in self.nlp.pipeline:
            if isinstance(component, NormalizerComponent):
                return component
        raise ValueError(
            f"'{self.name}' needs 'allyship_normalizer' before it: nlp.add_pipe('allyship_normalizer', "
            f"before='{self.name}')"
        )

    def initialize_lexicon(
        self, lexicon: Lexicon, normalize: NormalizerComponent, builtin_dir: Path | None = None
    ) -> None:
        """Compile every rule of ``lexicon`` (replacing what was compiled before)."""
        self._reset()
        self.lexicon = lexicon
        self._builtin_dir = builtin_dir
        self.rules = dict(lexicon.rules)
        strings = self.nlp.vocab.strings
        keys = lexicon_keys(lexicon, self.nlp, normalize)
        for order, rule in enumerate(lexicon.rules.values()):
            match_id = strings.add(rule.id)
            for phrase in keys.phrases[rule.id]:
                self.phrases.add(match_id, tuple(strings.add(k) for k in phrase))
            if rule.patterns:
                self.matcher.add(rule.id, [list(p) for p in rule.patterns])
                for pattern in rule.patterns:
                    self._add_anchor(pattern, template=False)
            self._compile_templates(rule, keys.template_keys)
            self._rank[match_id] = (self._breadth(rule.id), order)
            self._unless_keys[rule.id] = [
                (tuple(strings.add(k) for k in marker), " ".join(marker)) for marker in keys.markers[rule.id]
            ]
            self._unless_firsts[rule.id] = frozenset(hashes[0] for hashes, _ in self._unless_keys[rule.id] if hashes)

    def _breadth(self, rule_id: str) -> int:
        """How wide a claim the rule makes: 0 for phrases only, else the widest subject its templates accept."""
        compiled = [c for _, c in self.templates.get(rule_id, ())]
        plain = [c.breadth for c in compiled if not c.question] or [c.breadth for c in compiled]
        return max(plain, default=0)

    def _compile_templates(self, rule: Rule, keys: dict[str, tuple[str, ...]]) -> None:
        """Compile a rule's templates (kept per rule for ``lexicon validate``'s variants) and innocent senses;
        their Matchers are built the first time a text needs them."""
        local = tuple(sorted((name, tuple(entries)) for name, entries in dict(rule.slots).items()))
        table = self._slot_tables.get(local)
        if table is None:
            table = self._slot_tables[local] = builtin_slots().with_local(dict(local))
        if rule.innocent:
            innocent = [c for t in rule.innocent for c in compile_template(t, table, keys)]
            self.innocent[rule.id] = _LazyMatcher(self.nlp, rule.id, innocent)
            self._innocent_needs[rule.id] = self._needs(innocent)
        if not rule.templates:
            return
        compiled = [(n, c) for n, t in enumerate(rule.templates) for c in compile_template(t, table, keys)]
        self.templates[rule.id] = compiled
        strings = self.nlp.vocab.strings
        reach = 0
        screened: set[int] = set()
        anchors = []
        for n, pattern in compiled:
            literal = {i for i, item in enumerate(parse(rule.templates[n])) if item.kind in ("words", "exact")}
            anchors.append(pattern.anchor(literal, table.common))
            reach = max(reach, pattern.reach)
            if n not in screened:  # the batch screen: every pattern of a template holds its plain words
                screened.add(n)
                self._add_anchor(
                    [
                        {spec.attrs[0][0]: {"IN": list(values)}}
                        for spec in pattern.specs
                        if spec.lo >= 1 and spec.item in literal and spec.attrs[0][0] in ("LEMMA", "LOWER")
                        for values in [spec.attrs[0][1] if isinstance(spec.attrs[0][1], tuple) else (spec.attrs[0][1],)]
                    ],
                    template=True,
                )
        self.reach = max(self.reach, reach)
        self._trigger_arrays = {}
        # A template's patterns are matched apart from the others' (a group), around their own words only:
        # a text full of "hate" need not run "{women_group} disgust me", whose optional opening words cost
        # a Matcher state at every token. Patterns with no word every match holds form one group, tried
        # wherever any of the rule's words is.
        unanchored = {n for (n, _), anchor in zip(compiled, anchors, strict=True) if anchor is None}
        grouped: dict[int, list[Compiled]] = {}
        for (n, pattern), anchor in zip(compiled, anchors, strict=True):
            group = ANCHORLESS if n in unanchored else n
            grouped.setdefault(group, []).append(pattern)
            if anchor is not None:
                attr, values = anchor
                for value in values:
                    triggers = self._triggers[LEMMA if attr == "LEMMA" else LOWER]
                    triggers.setdefault(strings.add(value), set()).add((rule.id, group))
        for group, members in grouped.items():
            statements = [c for c in members if not c.question]
            lazy = _LazyMatcher(self.nlp, rule.id, statements, [c for c in members if c.question])
            self._template_groups[rule.id, group] = (lazy, self._needs(members))
        self.template_reach[rule.id] = reach

    def _needs(self, patterns: Sequence[Compiled]) -> list[tuple[tuple[int, frozenset[int]], ...]]:
        """For each pattern (once per distinct need), the words its required tokens take, fewest first."""
        strings = self.nlp.vocab.strings
        needs = {
            tuple(
                sorted(
                    {
                        (0 if spec.attrs[0][0] == "LEMMA" else 1, frozenset(strings.add(v) for v in values))
                        for spec in c.specs
                        if spec.lo >= 1 and spec.attrs[0][0] in ("LEMMA", "LOWER")
                        for values in [spec.attrs[0][1] if isinstance(spec.attrs[0][1], tuple) else (spec.attrs[0][1],)]
                    },
                    key=lambda need: len(need[1]),  # the fewest words first: the likeliest to be missing
                )
            )
            for c in patterns
        }
        return sorted(needs, key=len)

    def process(self, docs: list[Doc]) -> None:
        """Candidates for every doc of the batch (an empty list when nothing matched).

        Phrases are found for the whole batch at once, and whether the token
        Matcher could match is decided the same way (see :meth:`_find`); most
        docs match nothing, and then only their empty candidate list remains.
        """
        self._ready()
        phrase_matches, patterns = self._find(docs)
        for doc, matches, (rules, templates) in zip(docs, phrase_matches, patterns, strict=True):
            found = candidates(doc)
            if rules or templates:
                matches = matches + self._match_patterns(doc, rules, templates)
            if matches:
                kept = _longest_first(matches, self._rank)
                made = self._candidates(doc, kept)
                if len(kept) < len(matches) and any(c.suppressed_by == "unless" for c in made):
                    made = self._unshadow(doc, matches, kept, made)
                found.extend(made)
            publish_spans(doc, self.spans_key, self.threshold)

    def _candidates(self, doc: Doc, kept: list[tuple[int, int, int]]) -> list[Candidate]:
        """A candidate for each of the ``kept`` matches of ``doc``, its innocent senses looked up."""
        strings = self.nlp.vocab.strings
        context = _SentenceContext(doc, kept)
        return [
            self._candidate(Span(doc, start, end, label=m, span_id=m), self.rules[strings[m]], context)
            for m, start, end in kept
        ]

    def _unshadow(
        self,
        doc: Doc,
        matches: list[tuple[int, int, int]],
        kept: list[tuple[int, int, int]],
        made: list[Candidate],
    ) -> list[Candidate]:
        """A match that an innocent sense rules out does not hide another rule's match on the same words:
        in "Women belong in cages, not in boardrooms" the role rule's wider match is ruled out by "cages",
        and the narrower claim that women belong in cages still stands."""
        live = [k for k, c in zip(kept, made, strict=True) if c.suppressed_by != "unless"]
        taken = {i for _, start, end in live for i in range(start, end)}
        chosen = set(kept)
        rest = [m for m in matches if m not in chosen and not taken.intersection(range(m[1], m[2]))]
        extra = _longest_first(rest, self._rank)
        if not extra:
            return made
        return sorted([*made, *self._candidates(doc, extra)], key=lambda c: (c.start, c.end))

    def _match_patterns(self, doc: Doc, rules: bool = True, templates: bool = True) -> list[tuple[int, int, int]]:
        """Token pattern (``rules``) and template (``templates``) matches in ``doc``, a pattern's ``LEMMA``
        read as the matching key."""
        with keys_as_lemmas(doc):
            matches = self.matcher(doc) if rules and len(self.matcher) else []
            if templates and self.template_reach:
                matches += self._template_matches(doc)
        return matches

    def _template_matches(self, doc: Doc) -> list[tuple[int, int, int]]:
        """Template matches of ``doc``: each rule's Matcher runs on the sentence stretch around its triggers,
        and only when that stretch holds a word for every required token of one of its patterns."""
        if not self._trigger_arrays:
            self._trigger_arrays = {
                attr: np.array(sorted(keys), dtype=np.uint64) for attr, keys in self._triggers.items() if keys
            }
        columns = doc.to_array(_TEMPLATE_ATTRS)  # LEMMA, LOWER, SENT_START
        starts = np.flatnonzero(columns[:, 2] == 1).tolist()  # a template match lies within one sentence
        windows: dict[str, list[list[int]]] = {}  # rule id -> merged [start, end) windows
        groups: dict[str, list[set[int]]] = {}  # rule id -> per window, the groups with a word in it
        for n, attr in enumerate((LEMMA, LOWER)):
            if attr not in self._trigger_arrays:
                continue
            column = columns[:, n]
            for at in np.flatnonzero(np.isin(column, self._trigger_arrays[attr])).tolist():
                here = bisect_right(starts, at)
                first = starts[here - 1] if here else 0
                last = starts[here] if here < len(starts) else len(doc)
                for rule_id, group in self._triggers[attr][int(column[at])]:
                    reach = self.template_reach[rule_id]
                    start, end = max(first, at - reach + 1), min(last, at + reach)
                    spans = windows.setdefault(rule_id, [])
                    held = groups.setdefault(rule_id, [])
                    if spans and start <= spans[-1][1] and end >= spans[-1][0]:
                        spans[-1] = [min(start, spans[-1][0]), max(end, spans[-1][1])]
                        held[-1].add(group)
                    else:
                        spans.append([start, end])
                        held.append({group, ANCHORLESS})
        # A window is tried with the groups that have a word in it (every match of a group holds one of
        # its words), so each group finds in it exactly what the rule's whole Matcher would.
        found: list[tuple[int, int, int]] = []
        for rule_id, spans in windows.items():
            for (start, end), held in zip(spans, groups[rule_id], strict=True):
                present = (set(columns[start:end, 0].tolist()), set(columns[start:end, 1].tolist()))
                for group in sorted(held):
                    entry = self._template_groups.get((rule_id, group))
                    if entry is None:
                        continue  # no patterns without a word every match holds
                    lazy, needs = entry
                    if not any(all(not values.isdisjoint(present[n]) for n, values in need) for need in needs):
                        continue
                    for m, a, b in lazy.get()(doc[start:end]):
                        if m == lazy.question_key and not self._opens_question(doc, a + start, starts):
                            continue  # "I don't think she is ...": an auxiliary inside a clause asks nothing
                        found.append((lazy.key_hash, a + start, b + start))
        return list(dict.fromkeys(found))  # a window met twice (two attributes) gives its matches twice

    def _opens_question(self, doc: Doc, i: int, sentence_starts: list[int]) -> bool:
        """Can the auxiliary at ``i`` open a question ("Aren't you ...", "Why is she ...", "Honestly, is he ...")?

        It must open its sentence or clause, or follow a word of ``questions.openers``
        (slots.yml); after a subject ("I don't think ...") it is part of a statement.
        """
        if i == 0 or (sentence_starts and sentence_starts[bisect_right(sentence_starts, i) - 1] == i):
            return True
        before = doc[i - 1]
        return before.is_punct or before.lower_ in builtin_slots().question_openers

    def _find(self, docs: Sequence[Doc]) -> tuple[list[list[tuple[int, int, int]]], list[tuple[bool, bool]]]:
        """Per doc: its phrase matches (match id, start, end), and whether the rules' token patterns and the
        templates could match.

        The phrase matches are exact; the Matcher conditions are necessary ones
        only, so a doc ruled out is one the Matcher would have found nothing in.
        The two are decided apart: a doc that holds a template's words is no
        reason to run every rule's token patterns over it (one "0K" in a
        megabyte of junk did).
        """
        phrases: list[list[tuple[int, int, int]]] = [[] for _ in docs]
        patterns = [(False, False)] * len(docs)
        nonempty = [i for i, doc in enumerate(docs) if len(doc)]
        if not nonempty:
            return phrases, patterns
        present = [docs[i] for i in nonempty]
        batch = DocArrays([doc_keys(doc) for doc in present])
        keys = batch.array
        found = self.phrases.find(keys, batch)
        patterned = len(self.matcher) + len(self.template_reach)
        anchors = self._anchor_table() if patterned and not self.unanchored else None
        pattern_ok = [(bool(patterned), bool(patterned))] * len(nonempty)  # no patterns, or one that needs no word
        if anchors:
            others = [attr for attr in anchors.attrs if attr != LEMMA]
            columns = {LEMMA: keys}
            if others:
                arrays = DocArrays([doc.to_array(others).reshape(len(doc), -1) for doc in present]).array
                columns.update({attr: arrays[:, k] for k, attr in enumerate(others)})
            pattern_ok = anchors.matching([columns[attr] for attr in anchors.attrs], batch)
        for i, matches, pattern in zip(nonempty, found, pattern_ok, strict=True):
            phrases[i], patterns[i] = matches, pattern
        return phrases, patterns

    def _candidate(self, span: Span, rule: Rule, context: _SentenceContext) -> Candidate:
        first = span[0].text
        lead = len(first) - len(first.lstrip(JOINED_SEPARATORS))  # a joined word's piece: "_hate" of "i_hate_women"
        cand = Candidate(
            start=span.start,
            end=span.end,
            start_char=span.start_char + (lead if lead < len(first) else 0),
            end_char=span.end_char,
            category=rule.category,
            source="lexicon",
            rule_id=rule.id,
            score=rule.score,
        )
        note = self._matched_notes.get(rule.id)
        if note is None:  # one note per rule, not one f-string per finding
            note = self._matched_notes[rule.id] = f"matched rule {rule.id} (base score {rule.score:.2f})"
        cand.step("lexicon", rule.score, note)
        innocent = self._innocent_sense(span, rule, context)
        if innocent:
            cand.step("lexicon:unless", rule.score * 0.1, f"innocent sense: '{innocent}' in the same sentence")
            cand.suppressed_by = "unless"
        return cand

    def _add_anchor(self, pattern: Sequence[dict[str, Any]], template: bool) -> None:
        """Record what a doc must contain for ``pattern`` (a template's screen, or a rule's token pattern)
        to match: one listed word per required token."""
        strings = self.nlp.vocab.strings
        needs: list[tuple[int, frozenset[int]]] = []
        for spec in pattern:
            if not _required(spec.get("OP")):
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
            self._of_templates.append(template)
            self._anchors = None
        else:
            self.unanchored = True

    def _anchor_table(self) -> _AnchorTable:
        if self._anchors is None:
            self._anchors = _AnchorTable(self.requirements, self._of_templates)
        return self._anchors

    def _innocent_sense(self, span: Span, rule: Rule, context: _SentenceContext) -> str | None:
        """The first of the rule's ``unless`` markers in the span's sentence or the one before it,
        else the words of an ``innocent`` template match that overlaps the span."""
        if rule.innocent:
            innocent = context.innocent(self.innocent[rule.id], span, self.reach, self._innocent_needs[rule.id])
            for start, end in innocent:
                if start < span.end and end > span.start:
                    return span.doc[start:end].text
        markers = self._unless_keys.get(rule.id)
        if not markers:
            return None
        lemmas, present = context.keys_around(span)
        if self._unless_firsts[rule.id].isdisjoint(present):
            return None  # the usual case: no marker starts anywhere near
        for keys, text in markers:
            if not keys or (keys[0] in present and (len(keys) == 1 or _contains(lemmas, keys))):
                return text
        return None


class _LazyMatcher:
    """The Matcher of one rule's template patterns, built the first time a text needs it.

    Adding patterns to a Matcher is most of what compiling templates costs, and
    most rules' templates are never tried in a process that reads a few texts
    (a lint run, a CLI call). Two threads that build one at once build the same
    thing; the last one is kept.
    """

    def __init__(
        self,
        nlp: Language,
        key: str,
        patterns: Sequence[Compiled],
        questions: Sequence[Compiled] = (),
    ) -> None:
        self._nlp = nlp
        self._key = key
        self._patterns = list(patterns)
        self._questions = list(questions)
        self.key_hash = nlp.vocab.strings.add(key)
        self.question_key = nlp.vocab.strings.add(f"{key}?") if self._questions else -1  # question forms
        self._matcher: Matcher | None = None

    @property
    def patterns(self) -> list[list[dict[str, Any]]]:
        """The Matcher patterns of the statements (made when asked: most are never needed)."""
        return [c.pattern() for c in self._patterns]

    @property
    def questions(self) -> list[list[dict[str, Any]]]:
        """The Matcher patterns of the question forms."""
        return [c.pattern() for c in self._questions]

    def get(self) -> Matcher:
        matcher = self._matcher
        if matcher is None:
            matcher = Matcher(self._nlp.vocab)
            if self._patterns:
                matcher.add(self._key, self.patterns)
            if self._questions:
                matcher.add(f"{self._key}?", self.questions)
            self._matcher = matcher
        return matcher


def _required(op: object) -> bool:
    """Must a token with this ``OP`` occur at least once ("+", "{2}", "{1,3}"; not "?", "*", "{,3}")?"""
    if op is None or op in ("+", "1"):
        return True
    if not isinstance(op, str) or op in ("?", "*", "!"):
        return False
    if op.startswith("{") and op.endswith("}"):
        low = op[1:-1].split(",")[0].strip()
        return low.isdigit() and int(low) > 0
    return False


def _is_name(token: Token) -> bool:
    """A capitalized word that is no common English word: 'Priya', 'Sarah' (a {name} slot of a template).

    Inside a sentence any capitalized word but a function word counts; at its start, where
    every word is capitalized, only one the English lookup table lacks.
    """
    text = token.text
    if len(text) < 2 or not text[0].isupper() or not text[1:].islower() or not text.isalpha():
        return False
    low = token.lower_
    if low in builtin_slots().not_names:
        return False
    return not token.is_sent_start or low not in english_words()


if not Token.has_extension(NAME_ATTR):
    Token.set_extension(NAME_ATTR, getter=_is_name)


class _AnchorTable:
    """The words token patterns require, per attribute, with each word's requirement bits."""

    def __init__(
        self, requirements: Sequence[Sequence[tuple[int, frozenset[int]]]], of_templates: Sequence[bool]
    ) -> None:
        self.of_templates = np.array(of_templates, dtype=bool)  # per pattern: a template's (else a rule's)
        numbered = [need for needs in requirements for need in needs]
        self.chunks = (len(numbered) + 63) // 64  # requirement bits, in uint64 words
        bits: dict[int, dict[int, list[int]]] = {}  # attribute -> word -> one bit field per chunk
        for r, (attr, values) in enumerate(numbered):
            for value in values:
                fields = bits.setdefault(attr, {}).setdefault(value, [0] * self.chunks)
                fields[r // 64] |= 1 << (r % 64)
        self.attrs = sorted(bits)
        self.words = [WordSet(bits[attr]) for attr in self.attrs]
        self.bits = [
            np.array([bits[attr][w] for w in words.words.tolist()], dtype=np.uint64)
            for attr, words in zip(self.attrs, self.words, strict=True)
        ]
        self.needs = np.zeros((len(requirements), self.chunks), dtype=np.uint64)
        r = 0
        for p, needs in enumerate(requirements):
            for _ in needs:
                self.needs[p, r // 64] |= np.uint64(1 << (r % 64))
                r += 1

    def matching(self, columns: Sequence[np.ndarray], batch: DocArrays) -> list[tuple[bool, bool]]:
        """Per doc of ``batch``: does it hold a word for every requirement of some rule's token pattern, and of
        some template? (``columns``: ``attrs``)"""
        per_doc = np.zeros((len(batch.firsts), self.chunks), dtype=np.uint64)
        for column, words, bits in zip(columns, self.words, self.bits, strict=True):
            rows, which = words.find(column)
            if len(rows):
                np.bitwise_or.at(per_doc, batch.doc_index(rows), bits[which])
        covered = ((per_doc[:, None, :] & self.needs[None, :, :]) == self.needs[None, :, :]).all(axis=2)
        rules = covered[:, ~self.of_templates].any(axis=1).tolist()
        templates = covered[:, self.of_templates].any(axis=1).tolist()
        return list(zip(rules, templates, strict=True))


class _PhraseIndex:
    """Phrases as sequences of key hashes, found in the key array of a whole batch at once.

    For each length n up to the longest phrase, the n keys from every position
    on are combined into one hash (a multiply-add per token, see
    :func:`_combine`) and looked up among the phrases of that length; the rare
    hits are then compared key by key. This costs a few array operations per
    batch where a ``PhraseMatcher`` would cost a call per doc, and it reads the
    normalizer's keys, which live outside the token attributes.
    """

    def __init__(self) -> None:
        self._by_length: dict[int, dict[int, list[tuple[tuple[int, ...], int]]]] = {}  # n -> combined -> entries
        self._sets: dict[int, WordSet] | None = None

    def __len__(self) -> int:
        return sum(len(entries) for by in self._by_length.values() for entries in by.values())

    def add(self, match_id: int, keys: tuple[int, ...]) -> None:
        """Find ``keys`` (a phrase's key hashes) as ``match_id``."""
        if not keys:
            return
        entries = self._by_length.setdefault(len(keys), {}).setdefault(_combine(keys), [])
        if (keys, match_id) not in entries:
            entries.append((keys, match_id))
            self._sets = None

    def find(self, keys: np.ndarray, batch: DocArrays) -> list[list[tuple[int, int, int]]]:
        """Per doc of ``batch`` (``keys``: its key column), each phrase found: (match id, start, end)."""
        out: list[list[tuple[int, int, int]]] = [[] for _ in batch.firsts]
        if not self._by_length:
            return out
        if self._sets is None:
            self._sets = {n: WordSet(by) for n, by in self._by_length.items()}
        firsts = batch.firsts.tolist()
        grams = keys
        for n in range(1, max(self._by_length) + 1):
            if n > 1:
                grams = grams[:-1] * _MIX + keys[n - 1 :]  # the n keys from each position on, combined
            if not len(grams):
                break
            words = self._sets.get(n)
            if words is None:
                continue
            rows, _ = words.find(grams)
            if not len(rows):
                continue
            docs, last_docs = batch.doc_index(rows).tolist(), batch.doc_index(rows + n - 1).tolist()
            by = self._by_length[n]
            for row, d, last in zip(rows.tolist(), docs, last_docs, strict=True):
                if d != last:
                    continue  # a run across two docs
                window = tuple(keys[row : row + n].tolist())
                for phrase, match_id in by[int(grams[row])]:
                    if phrase == window:
                        out[d].append((match_id, row - firsts[d], row - firsts[d] + n))
        return out


_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd: a * _MIX + b, wrapping at 2**64, mixes two hashes into one


def _combine(keys: Sequence[int]) -> int:
    """Several hashes as one, as :meth:`_PhraseIndex.find` combines neighbouring keys."""
    combined = keys[0]
    for key in keys[1:]:
        combined = (combined * int(_MIX) + key) % 2**64
    return combined


class _SentenceContext:
    """Sentence bounds and keys of one doc, read once from arrays for all of its matches.

    Same bounds as ``Span.sent``: back to the nearest token with
    ``sent_start == 1`` (or the doc's start), forward to the next one.
    """

    def __init__(self, doc: Doc, spans: Sequence[tuple[int, int, int]] | None = None) -> None:
        self.doc = doc
        self._lemmas: list[int] | None = None
        self._starts: list[int] = []
        self._innocent: dict[int, tuple[list[int], list[tuple[int, int, int]]]] = {}  # id(matcher) -> matches
        # the doc's matches (match id, start, end) per match id, when known: the innocent senses are looked for
        # around them only
        self._spans: dict[int, list[tuple[int, int]]] | None = None
        if spans is not None:
            self._spans = {}
            for m, start, end in spans:
                self._spans.setdefault(m, []).append((start, end))
        self._around: dict[tuple[int, int], tuple[list[int], set[int]]] = {}  # (first, end) -> keys, as a set
        self._lowers: list[int] | None = None  # each token's LOWER, read on first use

    def innocent(
        self, lazy: _LazyMatcher, span: Span, reach: int, needs: Sequence[tuple[tuple[int, frozenset[int]], ...]]
    ) -> list[tuple[int, int]]:
        """(start, end) of the innocent-sense matches within ``reach`` tokens of ``span``, in its sentence.

        The matcher runs once per doc, not once per span (each run lent the keys to the whole doc's
        lemmas), and when the doc's matches are known only over the windows of the spans of the same
        rule, merged where they meet: a Matcher run costs a Python call per token and extension, which
        over every token of a long text, once per rule found in it, cost more than the rest of the
        pipeline. The matches lying in a window are the ones a run on the window alone finds. A window
        that lacks a word some required token of each pattern takes (``needs``, see
        :meth:`LexiconMatcher._needs`) cannot hold a match, and the Matcher skips it.
        """
        self._read(span)  # the sentence starts
        first, stop = self._innocent_window(span.start, span.end, reach)
        if id(lazy) not in self._innocent:
            spans = self._spans.get(span.label) if self._spans is not None else None
            windows = [(0, len(self.doc))] if spans is None else self._merged_windows(spans, reach)
            windows = [(lo, hi) for lo, hi in windows if self._may_hold(lo, hi, needs)]
            located: list[tuple[int, int]] = []
            if windows:
                matcher = lazy.get()
                with keys_as_lemmas(self.doc):
                    for lo, hi in windows:
                        located += [(lo + a, lo + b) for _, a, b in matcher(self.doc[lo:hi])]
            found = sorted((a, n, b) for n, (a, b) in enumerate(located))
            self._innocent[id(lazy)] = ([a for a, _, _ in found], found)
        starts, found = self._innocent[id(lazy)]
        inside = [m for m in found[bisect_left(starts, first) : bisect_left(starts, stop)] if m[2] <= stop]
        return [(a, b) for a, _, b in sorted(inside, key=lambda m: m[1])]  # in the matcher's order

    def _may_hold(self, lo: int, hi: int, needs: Sequence[tuple[tuple[int, frozenset[int]], ...]]) -> bool:
        """Do the tokens ``[lo, hi)`` hold, for some pattern, a word of each of ``needs``' (key or lowercase)?"""
        if self._lowers is None:
            self._lowers = self.doc.to_array(_LOWER).reshape(-1).tolist()
        keys = self._lemmas
        assert keys is not None  # read by innocent() first
        present = (set(keys[lo:hi]), set(self._lowers[lo:hi]))
        return any(all(not values.isdisjoint(present[n]) for n, values in need) for need in needs)

    def _innocent_window(self, start: int, end: int, reach: int) -> tuple[int, int]:
        """The tokens ``[first, stop)`` an innocent sense of the span ``[start, end)`` may lie in: within
        ``reach`` of it, in the sentence of its first token."""
        first = max(self._sentence_start(start), start - reach)
        end_at = bisect_left(self._starts, start + 1)
        sentence_end = self._starts[end_at] if end_at < len(self._starts) else len(self.doc)
        return first, min(sentence_end, end + reach)

    def _merged_windows(self, spans: list[tuple[int, int]], reach: int) -> list[tuple[int, int]]:
        """The innocent windows of ``spans``, in order, merged where they overlap or touch."""
        merged: list[tuple[int, int]] = []
        for first, stop in sorted(self._innocent_window(start, end, reach) for start, end in spans):
            if merged and first <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
            else:
                merged.append((first, stop))
        return merged

    def lemmas_around(self, span: Span) -> list[int]:
        """The key hashes of the span's sentence and the one before it (shared: do not change the list)."""
        return self.keys_around(span)[0]

    def keys_around(self, span: Span) -> tuple[list[int], set[int]]:
        """:meth:`lemmas_around`, and the same keys as a set; read once for all the spans of a sentence
        (a text packed with phrases has hundreds in one long sentence). Shared: do not change them."""
        lemmas = self._read(span)
        if self.doc.user_hooks or self.doc.user_span_hooks or self.doc.user_token_hooks:
            sent = span.sent  # hooks define sentences their own way
            first = sent.start if sent.start == 0 else span.doc[sent.start - 1].sent.start
            end = sent.end
        else:
            first = self._sentence_start(span.start)
            end_at = bisect_left(self._starts, span.start + 1)
            end = self._starts[end_at] if end_at < len(self._starts) else len(lemmas)
            if first > 0:
                first = self._sentence_start(first - 1)
        found = self._around.get((first, end))
        if found is None:
            window = lemmas[first:end]
            found = self._around[first, end] = (window, set(window))
        return found

    def _read(self, span: Span) -> list[int]:
        """The doc's keys, reading them and its sentence starts on first use."""
        if self._lemmas is None:
            sent_starts = self.doc.to_array(_SENT_START).reshape(-1)
            self._lemmas = doc_keys(self.doc).tolist()
            self._starts = np.flatnonzero(sent_starts == 1).tolist()
            if not self._annotated(sent_starts):
                _ = span.sent  # spaCy's own error for a doc without sentence boundaries (unless hooks set them)
        return self._lemmas

    def _sentence_start(self, i: int) -> int:
        at = bisect_right(self._starts, i) - 1
        return self._starts[at] if at >= 0 else 0

    def _annotated(self, sent_starts: np.ndarray) -> bool:
        """``doc.has_annotation("SENT_START")`` (the last token is looked at first: it nearly always answers)."""
        return len(sent_starts) == 1 or int(sent_starts[-1]) != 0 or bool(sent_starts[1:].any())


@contextmanager
def keys_as_lemmas(doc: Doc) -> Iterator[Doc]:
    """Lend the matching keys to ``doc``'s lemmas while spaCy's Matcher reads them, then put the lemmas back.

    spaCy's Matcher reads ``LEMMA`` from the token attribute only (an extension
    attribute would cost it a Python call per token and pattern, more than the
    rest of the pipeline on a long text), so a pattern's ``LEMMA`` is matched
    on the key this way; the doc's own lemmas (a lemmatizer's, or none) come
    back whatever happens.
    """
    own = doc.to_array(_LEMMA)
    doc.from_array(_LEMMA, doc_keys(doc))
    try:
        yield doc
    finally:
        doc.from_array(_LEMMA, own)


def match_on_keys(matcher: Matcher, doc: Doc, **options: Any) -> list[Any]:
    """``matcher``'s matches in ``doc``, a pattern's ``LEMMA`` read as the matching key."""
    with keys_as_lemmas(doc):
        return matcher(doc, **options)


def _longest_first(
    matches: list[tuple[int, int, int]], rank: dict[int, tuple[int, int]] | None = None
) -> list[tuple[int, int, int]]:
    """``spacy.util.filter_spans`` on (match id, start, end) tuples: no Span is built for a match dropped.

    Of two rules that match the same words, the narrower claim wins (``rank``: breadth, then lexicon
    order), so the outcome never depends on the order the matches came in.
    """
    ranks = rank or {}
    ordered = sorted(
        matches, key=lambda m: (-(m[2] - m[1]), m[1], *ranks.get(m[0], (1_000_000, 1_000_000)), m[0])
    )
    kept, taken = [], set()
    for match in ordered:
        if match[1] not in taken and match[2] - 1 not in taken:
            kept.append(match)
            taken.update(range(match[1], match[2]))
    return sorted(kept, key=lambda m: m[1])


def _contains(words: list[int], run: tuple[int, ...]) -> bool:
    """Is ``run`` a contiguous part of ``words``? (An empty run is, as a slice comparison would say.)"""
    if not run:
        return True
    n, first, wanted = len(run), run[0], list(run)
    return any(words[i : i + n] == wanted for i, word in enumerate(words) if word == first)
