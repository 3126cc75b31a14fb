"""The context step: is the writer *using* a phrase, or talking *about* it?

Word-list checkers are mostly wrong in the same few ways: a phrase inside a
quotation that criticizes it, a negated sentence, a complaint that reports
what someone else said. Each check here reads the tokens around a candidate
(within its sentence and clause) against the cue lists of
``analyzer/data/context.yml``, and writes one step into the candidate's score
history, whether it changed the score or not. No statistical parse is needed.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from spacy.tokens import Doc, Span, Token

from analyzer.flags import Candidate, ScoreStep, Verdict
from analyzer.model.word_features import is_cue, load_cues
from analyzer.pipeline.context_view import Sentence, TokenView, sentence_of_span
from analyzer.tokens.doc_state import key_text

__all__ = ["CONTEXT_FILE", "ContextRules", "Cues", "Verdict"]
from analyzer.lexicon.templates import NAME_ATTR, Item, builtin_slots, words_in
from analyzer.lexicon.yaml_lines import load_plain
from analyzer.resources import DATA_DIR

CONTEXT_FILE = DATA_DIR / "context.yml"

Seq = tuple[str, ...]

# The usual outcomes of the checks of a lexicon candidate, made once (named already): each check of each
# candidate returns one.
_NOT_QUOTED = Verdict(False, "not inside a quotation", check="quotation")
_NOT_MENTIONED = Verdict(False, "not introduced as a phrase or example", check="mention")
_NO_COUNTER_SPEECH = Verdict(False, "no counter-speech around it", check="counter_speech")
_NOT_NEGATED = Verdict(False, "not negated", check="negation")
_NOT_REPORTED = Verdict(False, "not reported speech", check="reported_speech")
_NAMED_KEPT = 10_000  # verdicts named once and reused (see ContextRules.apply)
_OUTCOMES_KEPT = 10_000  # outcomes of shared verdicts, worked out once (see ContextRules.apply)
_SHARED = (_NOT_QUOTED, _NOT_MENTIONED, _NO_COUNTER_SPEECH, _NOT_NEGATED, _NOT_REPORTED)
# What the checks add to a candidate: steps, named verdicts, notes, the check that ruled it out
_Outcome = tuple[tuple[ScoreStep, ...], tuple[Verdict, ...], tuple[str, ...], str | None]
_STEP_NAMES = {
    name: f"context:{name}" for name in ("quotation", "mention", "counter_speech", "negation", "reported_speech")
}


class Cues:
    """Cue phrases indexed by their first word, so a search costs one dict lookup per word."""

    def __init__(self, seqs: Iterable[Seq]) -> None:
        self.by_first: dict[str, list[Seq]] = {}
        for seq in sorted(set(seqs), key=len, reverse=True):
            if seq:
                self.by_first.setdefault(seq[0], []).append(seq)
        # per first word: (length, the cues of that length), longest first: one slice per length, not per cue
        self._by_length: dict[str, list[tuple[int, frozenset[Seq]]]] = {
            first: [(n, frozenset(q for q in found if len(q) == n)) for n in sorted({len(q) for q in found})[::-1]]
            for first, found in self.by_first.items()
        }

    def find(self, words: Sequence[str]) -> Seq | None:
        """The longest cue starting at the earliest position in ``words``."""
        by_first = self.by_first
        for i, word in enumerate(words):
            if word in by_first:
                found = self.at(words, i)
                if found:
                    return found
        return None

    def at(self, words: Sequence[str], i: int) -> Seq | None:
        """The longest cue starting at ``words[i]`` and ending within ``words``."""
        n = len(words)
        for length, found in self._by_length.get(words[i], ()):
            if i + length <= n:
                seq = tuple(words[i : i + length])
                if seq in found:
                    return seq
        return None

    def positions(self, words: Sequence[str]) -> tuple[list[int], list[Seq]]:
        """Every position of ``words`` where a cue starts (with :meth:`at`'s cue there), in order.

        ``find(words[k:])`` is the cue of the first position at or after ``k``
        (see :meth:`find_from`): a sentence's positions, worked out once, answer
        that for every candidate in it.
        """
        where: list[int] = []
        found: list[Seq] = []
        for i in range(len(words)):
            seq = self.at(words, i) if words[i] in self.by_first else None
            if seq:
                where.append(i)
                found.append(seq)
        return where, found

    @staticmethod
    def find_from(positions: tuple[list[int], list[Seq]], k: int) -> Seq | None:
        """``find(words[k:])``, given ``positions(words)``."""
        where, found = positions
        at = bisect_left(where, max(k, 0))
        return found[at] if at < len(where) else None

    def last(self, words: Sequence[str]) -> int | None:
        """Where the last cue in ``words`` starts (its index), or None."""
        by_first = self.by_first
        for i in range(len(words) - 1, -1, -1):
            if words[i] in by_first and self.at(words, i):
                return i
        return None

    def starts(self, words: Sequence[str]) -> Seq | None:
        """The longest cue ``words`` opens with, or None."""
        return self.at(words, 0) if words else None


def _check_strings(node: object, path: Path) -> None:
    """YAML reads a bare ``no`` or ``on`` as a boolean: refuse it, loudly."""
    if isinstance(node, dict):
        for value in node.values():
            _check_strings(value, path)
    elif isinstance(node, list):
        for value in node:
            _check_strings(value, path)
    elif isinstance(node, bool) or node is None:
        raise ValueError(f"{path}: a cue reads as {node!r}; put it in quotes")


class ContextRules:
    """The cue lists, tokenized once with the pipeline's own tokenizer."""

    def __init__(self, tokenize: Callable[[str], list[str]], path: Path = CONTEXT_FILE) -> None:
        raw = load_plain(path.read_text(encoding="utf-8"))
        _check_strings(raw, path)

        def seqs(values: Iterable[str]) -> Cues:
            return Cues(tuple(tokenize(v)) for v in values)

        self.window: int = int(raw.get("window", 9))
        self.separators = {s for s in raw["clause_separators"] if " " not in s}
        neg = raw["negation"]
        self.neg_multiplier = float(neg["multiplier"])
        self.neg_cues = seqs(neg["cues"])
        self.imperative_openers = seqs(neg["imperative_openers"])
        self.no_subjects = frozenset(neg.get("no_subjects", ()))
        self.speech_verbs = set(neg["speech_verbs"])
        self.apophasis = seqs(neg["apophasis"])
        self.insult_reach = set(neg["insult_reach"])
        self.insult_categories = set(neg["insult_categories"])
        den = raw["denial"]
        self.denial_cues = seqs(den["cues"])
        self.denial_except = set(den["except"])
        self.attributive = set(den["attributive"])
        self.continuers = set(den["continuers"])
        self.referents = {w for v in den.get("referents", ()) for w in tokenize(v)}
        self.refusal_subjects = frozenset(den.get("refusal_subjects", ()))
        self.refusal_verbs = frozenset(den.get("refusal_verbs", ()))
        praise = raw.get("praise") or {}
        self.equality = seqs(praise.get("equality", ()))
        self.weak_threats = {str(w).lower() for w in praise.get("weak_threats", ())}
        self.weak_derogation = {str(w).lower() for w in praise.get("weak_derogation", ())}
        self.derogation_after = {str(w).lower() for w in praise.get("derogation_after", ())}
        self.existentials = {str(w).lower() for w in praise.get("existentials", ())}
        self.comparatives = {tuple(tokenize(v)) for v in praise.get("comparatives", ())}
        self.praise_negations = seqs([*praise.get("negations", ()), *praise.get("comparatives", ())])
        self.comparative_cancel = {w for v in praise.get("comparative_cancel", ()) for w in tokenize(v)}
        self.quote_multiplier = float(raw["quotation"]["multiplier"])
        self.quote_pairs = [(a, b) for a, b in raw["quotation"]["pairs"]]
        self.mention_multiplier = float(raw["mention"]["multiplier"])
        self.mention_cues = seqs(raw["mention"]["cues"])
        cs = raw["counter_speech"]
        self.counter_multiplier = float(cs["multiplier"])
        self.gerunds = set(cs["gerunds"])
        self.counter_cues = seqs(cs["cues"])
        self.judgements = seqs(cs["judgements"])
        self.attributions = seqs(cs.get("attributions", ()))
        self.contrasts = frozenset(cs.get("contrasts", ()))
        self.acts = set(cs.get("acts", ()))
        self.speech_nouns = set(cs.get("speech_nouns", ()))
        self.act_openers = {w for v in cs.get("openers", ()) for w in tokenize(v)}
        self.condemnations = seqs(cs.get("condemnations", ()))
        self.rejections = seqs(cs.get("rejections", ()))
        self.rejection_openers = set(cs.get("rejection_openers", ()))
        # tokens of a sentence read to find a rejection: an opener, the longest cue, the mark after it, spaces
        longest = max((len(cue) for cues in self.rejections.by_first.values() for cue in cues), default=0)
        self.rejection_reach = 2 * (2 + longest)
        rs = raw["reported_speech"]
        self.reported_multiplier = float(rs["multiplier"])
        self.reported_verbs = set(rs["verbs"])
        self.answers = frozenset(rs.get("answers", ()))
        self.own_subjects = set(rs["own_subjects"])
        self.reported_note = str(rs["note"])
        self.reported_window = int(rs.get("window", 20))
        self.reported_skip = {w for v in rs["skip_between"] for w in tokenize(v)}
        self.not_subjects = {w for v in rs["not_subjects"] for w in tokenize(v)}
        self.plural_subjects = {w for v in rs["plural_subjects"] for w in tokenize(v)}
        self.endorsements = seqs(raw["endorsement"]["cues"])
        self.self_quotes = seqs(raw["endorsement"]["self_quote"])
        self.gendered_terms = frozenset(str(w).lower() for w in raw.get("gendered_terms", ()))
        self.extra_praise = {w for v in praise.get("words", ()) for w in tokenize(v)}
        self.protective = seqs(praise.get("protective", ()))
        self.disparity = seqs(praise.get("disparity", ()))
        self.harms = {w for v in praise.get("harms", ()) for w in tokenize(v)}
        findings = raw["findings"]
        self.finding_multipliers = {str(k): float(v) for k, v in findings["multipliers"].items()}
        self.evidence_floor = float(findings["evidence_floor"])
        self.evidence_floor_other = float(findings.get("evidence_floor_other", self.evidence_floor))
        self.evidence_floor_encoder = float(findings.get("evidence_floor_encoder", self.evidence_floor))
        self.claim_words = frozenset(str(w).lower() for w in findings.get("claims", ()))
        self.min_score_other = float(findings.get("min_score_other", 0.0))
        self.validation = seqs(findings.get("validation", ()))
        ridicule = findings.get("ridicule") or {}
        self.ridicule = frozenset(str(c) for c in ridicule.get("categories", ()))
        self.sneer_cues = seqs(ridicule.get("cues", ()))
        addressed = findings.get("addressed") or {}
        self.addressed = frozenset(str(c) for c in addressed.get("categories", ()))
        slot = Item("slot", slot=str(addressed.get("slot", "anyone")))
        people = words_in([slot], builtin_slots(), grammar=False) if self.addressed else set()
        self.people = frozenset(people) - {str(w).lower() for w in addressed.get("except", ())}
        cues = load_cues()
        self.targets = frozenset(cues["targets"])
        self.derogation = frozenset(cues["derogation"])
        self.threats = frozenset(cues["threat"])
        self.praise_words = frozenset(cues["praise"])
        self._negated: dict[Seq, Verdict] = {}  # see negation
        # (verdict, check) -> the verdict naming its check, made once per distinct verdict (see apply)
        self._named: dict[tuple[Verdict, str], Verdict] = {}
        # The verdicts made once and kept (so their ids stay theirs), and what a candidate's score and such
        # verdicts make of it: on text dense with findings most candidates get the same few.
        self._shared: set[int] = {id(verdict) for verdict in _SHARED}
        self._outcomes: dict[tuple[float | int, ...], _Outcome] = {}
        self._check_functions = [getattr(type(self), name) for name, _ in self.CHECKS]

    # -- helpers -----------------------------------------------------------

    def clause_before(self, view: TokenView, cand: Candidate, sent: Sentence, window: int | None = None) -> list[str]:
        """Norms of the tokens between the clause start and the phrase (at most ``window``).

        A narrower window's clause is the end of a wider one's: the clause in
        the widest window the checks use is read once per candidate and cut to
        ``window`` (the list returned may be shared: do not change it).
        """
        window = window or self.window
        start = max(sent.start, cand.start - max(window, self.window, self.reported_window))
        remembered = view.last_clause
        if remembered is not None and remembered[0] == (start, cand.start):
            words = remembered[1]
        else:
            last = view.last_separator(self.separators, start, cand.start)
            words = view.norms(start if last is None else last + 1, cand.start)
            view.last_clause = ((start, cand.start), words)
        return words[-window:] if len(words) > window else words

    def _sentence_endorsed(self, view: TokenView, sent: Sentence) -> Seq | None:
        """:meth:`endorsed` of the sentence's norms, once per sentence."""
        return view.of_sentence(sent, "endorsed", lambda: self.endorsed(view.sentence_norms(sent)))

    def endorsed(self, words: Sequence[str]) -> Seq | None:
        return self.endorsements.find(words)

    def condemned_act(self, words: Sequence[str]) -> str | None:
        """A sentence whose subject is a hostile act or someone's words, and which condemns it.

        "Hating women is never acceptable", "Your comment about women being
        stupid was out of line", "Statements that dehumanise women have no
        place here": the subject (after a few opening words) is an act of
        ``counter_speech.acts`` or a noun of ``speech_nouns``, and a cue of
        ``condemnations`` follows it. A clause may open such a subject too: "I get that you're angry, but
        hating all women is not fair". Returns a note, or None.
        """
        starts = [0] + [i + 1 for i, word in enumerate(words) if word in self.separators]
        for start in starts:
            for i, word in enumerate(words[start : start + 6], start):
                if word in self.acts or word in self.speech_nouns:
                    cue = self.condemnations.find(words[i + 1 :])
                    if cue:
                        return f"'{word}' ... '{' '.join(cue)}'"
                    break
                if word not in self.act_openers:
                    break
        return None

    def praises(self, words: Sequence[str], praise: Callable[[str], bool]) -> bool | None:
        """Does the sentence give praise or equality (True), deny it (False), or neither (None)?

        ``words`` are the sentence's norms; ``praise`` tells a praise word of
        hostility_cues.yml. A praise word or equality phrase after a negation in
        its clause ("women are not capable", "aren't smart enough") is denied.
        """
        clause: list[str] = []
        given = False
        if len(words) > 2 and words[-1] == "?" and words[1] in ("not", "n't"):
            words = [words[0], "", *words[2:]]  # "Wouldn't the world be better with more women leaders?" asks
        i = 0
        while i < len(words):
            word = words[i]
            if word in self.separators:
                clause = []
                i += 1
                continue
            phrase = self.equality.starts(words[i:])
            if phrase or praise(word.replace("'", "")):
                recent = clause[-self.window :]
                at = self.praise_negations.last(recent)
                cue = self.praise_negations.starts(recent[at:]) if at is not None else None
                if cue in self.comparatives and (
                    (at > 0 and recent[at - 1] in self.comparative_cancel) or len(recent) - at - len(cue) > 2
                ):
                    cue = None  # "no less capable" is praise; "paid less than men for the same work" denies none
                if cue is not None:
                    return False  # "not capable", "less capable"
                given = True
            clause.append(word)
            i += 1
        return True if given else None

    # -- the checks ----------------------------------------------------------

    def quotation(self, view: TokenView, cand: Candidate, sent: Sentence, text: str) -> Verdict:
        lo, hi = sent.start_char, sent.end_char
        pairs = view.of_sentence(sent, "quote pairs", lambda: [p for p in self.quote_pairs if p[0] in text[lo:hi]])
        for open_q, close_q in pairs:  # only the pairs whose opening quote the sentence holds
            left = text.rfind(open_q, lo, cand.start_char)
            if left < 0:
                continue
            if open_q == close_q:
                # A straight quote opens a quotation only after a space or start.
                if left > 0 and text[left - 1].isalnum():
                    continue
                if text.count(open_q, lo, left) % 2:
                    continue  # that quote closed an earlier quotation
            elif text.rfind(close_q, left + 1, cand.start_char) >= 0:
                continue
            right = text.find(close_q, cand.end_char, hi + 1)
            if right < 0:
                continue
            if open_q == close_q and right + 1 < len(text) and text[right + 1].isalnum():
                continue  # an apostrophe, not a closing quote
            norms, starts = view.norms(sent.start, sent.end), view.idxs(sent.start, sent.end)
            outside = [norm for norm, at in zip(norms, starts, strict=True) if at < left or at > right]
            if sent.end < len(view.doc) and right + 2 >= sent.end_char:
                after = view.sentence(sent.end)  # '"Get back in the kitchen." Truest thing ...'
                outside += view.norms(after.start, after.end)
            puncts = view.puncts(sent.start, sent.end)
            following = [n for n, at, p in zip(norms, starts, puncts, strict=True) if at > right and not p][:4]
            cue = self.endorsed(outside) or self.self_quotes.starts(following)
            if cue:
                return Verdict(False, f"quoted, but endorsed ('{' '.join(cue)}')", endorsed=True)
            return Verdict(True, "quoted: the writer is mentioning the phrase, not using it")
        return _NOT_QUOTED

    def mention(self, view: TokenView, cand: Candidate, sent: Sentence, text: str) -> Verdict:
        words = self.clause_before(view, cand, sent)
        cue = self.mention_cues.find(words[-4:])
        if cue:
            endorsed = self._sentence_endorsed(view, sent)
            if endorsed:
                return Verdict(False, f"named, but endorsed ('{' '.join(endorsed)}')", endorsed=True)
            return Verdict(True, f"mentioned as an example ('{' '.join(cue)}')")
        return _NOT_MENTIONED

    def counter_speech(self, view: TokenView, cand: Candidate, sent: Sentence, text: str) -> Verdict:
        clause = self.clause_before(view, cand, sent)
        if clause and clause[0] in self.gerunds:
            return Verdict(True, f"counter-speech: the sentence is about '{clause[0]}' it, not saying it")
        before = self._mask_answers(view.norms(max(sent.start, cand.start - self.window), cand.start))
        cue = self.counter_cues.find(before)
        if cue:
            return Verdict(True, f"counter-speech: someone else's words held up for criticism ('{' '.join(cue)}')")
        answered = self.answered(self.attributions.find(before), view.norms(cand.end, sent.end))
        if answered:
            return answered
        # the first judgement after the phrase in its sentence, from the sentence's judgements found once
        judgements = view.of_sentence(sent, "judgements", lambda: self.judgements.positions(view.sentence_norms(sent)))
        cue = Cues.find_from(judgements, cand.end - sent.start)
        if cue:
            return Verdict(True, f"counter-speech: the sentence judges the phrase ('{' '.join(cue)}')")
        act = view.of_sentence(sent, "condemned_act", lambda: self.condemned_act(view.words(sent.start, sent.end)))
        if act:
            return Verdict(True, f"counter-speech: the sentence condemns an act or someone's words ({act})")
        if not (cand.category in self.insult_categories and cand.end - cand.start == 1):
            cue = view.of_sentence(sent, "rejected after", lambda: self.rejection_after(view.doc, sent.end))
            if cue:
                return Verdict(True, f"counter-speech: the next sentence rejects it ('{' '.join(cue)}')")
        return _NO_COUNTER_SPEECH

    def answered(self, cue: Seq | None, after: Iterable[str]) -> Verdict | None:
        """A view others hold (``cue``: "some people think") answered in the words ``after`` it ("but", "yet"):
        counter-speech. None when there is no cue or no answer ("..., and they're right")."""
        if not cue:
            return None
        answer = next((w for w in after if w in self.contrasts), None)
        if answer is None:
            return None
        return Verdict(True, f"counter-speech: a view others hold ('{' '.join(cue)}'), then answered ('{answer}')")

    def rejection_after(self, doc: Doc, start: int) -> Seq | None:
        """The rejection the sentence starting at token ``start`` consists of, if it is nothing more ("It's not
        true.", "But that's a myth, and ..."), else None. Only its first :attr:`rejection_reach` tokens are
        read, so a long sentence costs no more than a short one."""
        opening = doc[start : min(len(doc), start + self.rejection_reach)]
        if not len(opening):
            return None
        ends = [t.i for t in opening[1:] if t.is_sent_start]
        opening = opening[: ends[0] - start] if ends else opening
        whole = bool(ends) or opening.end == len(doc)
        words = [(t.norm_, t.is_punct) for t in opening if t.norm_.strip()]
        at = 1 if words and words[0][0] in self.rejection_openers else 0
        if at >= len(words):
            return None
        cue = self.rejections.at([n for n, _ in words], at)
        if cue is None:
            return None
        after = at + len(cue)
        if after == len(words):
            return cue if whole else None
        return cue if words[after][1] and words[after][0] != "?" else None

    def _mask_answers(self, words: Sequence[str]) -> list[str]:
        """``words`` with each word followed by an answer ("says no", "said yes") masked: an answer given is
        an act, not someone's words held up ("Any woman who says no is playing hard to get")."""
        if self.answers.isdisjoint(words):
            return list(words)
        return [
            "" if i + 1 < len(words) and words[i + 1] in self.answers else word for i, word in enumerate(words)
        ]

    def negation(self, view: TokenView, cand: Candidate, sent: Sentence, text: str) -> Verdict:
        clause = self.clause_before(view, cand, sent)
        cue = self.neg_cues.find(clause)
        if not cue and clause[-1:] == ["no"]:
            first = view.norms(cand.start, cand.start + 1)[0]
            if first in self.no_subjects:
                cue = ("no", first)  # "No woman is worthless": the claim is denied of everyone
        if not cue:
            return _NOT_NEGATED
        sentence_words = view.sentence_norms(sent)
        if self.apophasis.find(clause) and "but" in sentence_words[cand.end - sent.start :]:
            return Verdict(False, "denied, then taken back with 'but': treated as endorsed", endorsed=True)
        if (
            cand.category in self.insult_categories
            and cand.end - cand.start == 1
            and not self._reaches(view, cand, clause)
        ):
            return Verdict(False, "a negation in the clause, but not of this word: an insult stays an insult")
        opener = self.imperative_openers.starts(clause)
        if opener:
            rest = set(view.keys(cand.start - len(clause) + len(opener), cand.start))
            if not rest & self.speech_verbs:
                return Verdict(False, "a negated imperative that still gives the advice", overruled=True)
        if (
            cue == ("not",)
            and view.of_sentence(sent, "question", lambda: text[sent.start_char : sent.end_char].rstrip().endswith("?"))
            and "n't" in {word.lower() for word in view.texts(cand.start - len(clause), cand.start)}
        ):
            return Verdict(False, "a rhetorical question, not a negation", overruled=True)
        found = self._negated.get(cue)
        if found is None:  # one verdict per cue, shared (verdicts are frozen): a text may negate thousands
            note = f"negated ('{' '.join(cue)}'): the sentence rejects the idea"
            found = self._negated[cue] = Verdict(True, note, check="negation")
            self._shared.add(id(found))
        return found

    def reported_speech(self, view: TokenView, cand: Candidate, sent: Sentence, text: str) -> Verdict:
        clause = self.clause_before(view, cand, sent, window=self.reported_window)
        first = cand.start - len(clause)
        keys = view.keys(first, cand.start)
        norms = view.norms(first, cand.start)
        for i, key in enumerate(keys):
            if key not in self.reported_verbs or (i + 1 < len(norms) and norms[i + 1] in self.answers):
                continue  # not a speech verb, or one that gives an answer ("a woman who says no")
            j = i - 1
            if j >= 2 and norms[j] == "to" and norms[j - 1] == "used":
                j -= 2  # "Dad used to tell me ...": a habit of someone else's
            elif j >= 0 and norms[j] in self.not_subjects:
                continue  # "to say", "will say", "those jokes": not a report of what was said
            elif j >= 0 and norms[i] == key and norms[self._skip_back(norms, j)] not in self.plural_subjects:
                continue  # a bare "say" is a report only after "they", "people" ("people still say")...
            if j < 0 or view.puncts(first, cand.start)[j]:
                continue  # an imperative ("Tell him to ..."): the writer's own words
            subject = norms[j]
            while j > 0 and norms[j] in self.reported_skip:
                j -= 1
                subject = norms[j]
            if subject in self.own_subjects:
                return Verdict(False, "the writer's own words")
            cue = self._sentence_endorsed(view, sent)
            if cue:
                return Verdict(False, f"reported, but endorsed ('{' '.join(cue)}')", endorsed=True)
            texts = view.texts(first, cand.start)
            return Verdict(True, f"reported speech ('{texts[i - 1]} {texts[i]}'): {self.reported_note}")
        return _NOT_REPORTED

    def _skip_back(self, norms: Sequence[str], j: int) -> int:
        """From ``norms[j]``, back over adverbs and auxiliaries ("still", "always", "do") to the subject."""
        while j > 0 and norms[j] in self.reported_skip and norms[j] not in self.not_subjects:
            j -= 1
        return j

    def _reaches(self, view: TokenView, cand: Candidate, clause: Sequence[str]) -> bool:
        """Does the clause's last negation bear on the one-word insult right after it?

        "She's not a slut" denies the word and "nobody here would call her a
        bitch" refuses it; in "this ain't twitter bitch" or "make sure she is
        not hurt bitches" the negation is about something else and the insult is
        still thrown. Between the cue and the word: a speech verb, or only
        articles, copulas, adverbs and pronouns (``negation.insult_reach``).
        """
        at = self.neg_cues.last(clause)
        if at is None:
            return False
        cue = self.neg_cues.starts(clause[at:]) or ()
        first = cand.start - len(clause) + at + len(cue)
        if any(key in self.speech_verbs for key in view.keys(first, cand.start)):
            return True
        return all(norm in self.insult_reach for norm in view.norms(first, cand.start))

    # -- whole sentences (classifier findings) ---------------------------------

    def denial(
        self, sent: Span, hostile: Callable[[str], bool], target: Callable[[str], bool] | None = None
    ) -> Verdict:
        """Does the sentence deny its hostile words ("I don't hate women", "never thought of women as property")?

        For classifier findings, which have no phrase to look around. Negation
        alone is no denial ("Women shouldn't be allowed to vote"), so this needs
        hostile words (``hostile``: derogation and threat cues) and every one of
        them negated earlier in its own clause. A hostile word right after an
        article ("nobody wants a whiny wife") describes someone, and is not denied.

        With ``target`` (a test for words that refer to women), a hostile word
        said in a clause that names nobody ("I don't hate women, I hate bad
        arguments") is left out, as long as another one is denied.
        """
        named = self._clauses_naming(sent, target) if target is not None else None
        clause: list[str] = []
        clause_index = 0
        found = 0
        previous = ""
        for token in sent:
            word = token.norm_
            if token.is_sent_start:
                clause, previous = [], ""
                clause_index += token.i != sent.start
            if word in self.separators or token.text in self.separators:
                clause, previous = [], word
                clause_index += 1
                continue
            bare = token.lower_.replace("'", "")
            if hostile(bare) and bare not in self.denial_except:
                found += 1
                recent = clause[-self.window :]
                at = self.denial_cues.last(recent)
                if at is not None:
                    cue = self.denial_cues.starts(recent[at:]) or ()
                    if recent[at + len(cue) : at + len(cue) + 1] and recent[at + len(cue)] in self.continuers:
                        at = None  # "never stop whining": an affirmation
                attributive = previous in self.attributive
                if attributive and at is not None:
                    cue = self.denial_cues.starts(recent[at:]) or ()
                    attributive = at + len(cue) < len(recent) - 1  # "not a plague" denies; "nobody wants a whiny"
                if attributive or at is None:
                    if named is not None and not named[clause_index]:
                        found -= 1  # said of something else: "..., I hate bad arguments"
                        clause.append(word)
                        previous = word
                        continue
                    return Verdict(False, f"'{token.text}' is said, not denied")
            clause.append(word)
            previous = word
        if not found:
            return Verdict(False, "no hostile word to deny")
        return Verdict(True, "negated: the sentence denies the hostile words it contains")

    def _clauses_naming(self, sent: Span, target: Callable[[str], bool]) -> list[bool]:
        """Per clause of ``sent`` (cut as :meth:`denial` cuts it): does it name a woman, women or a referent?"""
        named = [False]
        for token in sent:
            if token.is_sent_start and token.i != sent.start:
                named.append(False)
            if token.norm_ in self.separators or token.text in self.separators:
                named.append(False)
                continue
            bare = token.lower_.replace("'", "")
            if token.norm_ in self.referents or target(bare):
                named[-1] = True
        return named

    def about_speech(self, doc: Doc, sent: Span) -> Verdict:
        """Is a whole sentence about someone's words (counter-speech or a report), not saying them?

        For classifier findings, which have no phrase to look around: the same
        cues, read over the sentence. Negation is left out on purpose: "Women
        shouldn't be allowed to vote" is negated and hostile.
        """
        words = [t.norm_ for t in sent if not t.is_space]
        if words and words[0] in self.gerunds:
            return Verdict(True, f"counter-speech: the sentence is about '{words[0]}' something, not saying it")
        cue = self.counter_cues.find(words) or self.judgements.find(words)
        if cue:
            return Verdict(True, f"counter-speech: the sentence criticizes what it mentions ('{' '.join(cue)}')")
        where, found = self.attributions.positions(words)
        answered = self.answered(found[0], words[where[0] + len(found[0]) :]) if where else None
        if answered:
            return answered
        act = self.condemned_act([w for w in words if w.isalnum() or "'" in w or "-" in w])
        if act:
            return Verdict(True, f"counter-speech: the sentence condemns an act or someone's words ({act})")
        cue = self.rejection_after(doc, sent.end)
        if cue:
            return Verdict(True, f"counter-speech: the next sentence rejects it ('{' '.join(cue)}')")
        # A report opens the sentence ("HR asked what I was wearing"); a speech verb late in it
        # ("... for what she wrote about us") is part of what the writer says.
        middle = sent.start + max(3, len(sent) // 2)
        pseudo = Candidate(
            start=middle,
            end=middle,
            start_char=doc[min(middle, len(doc) - 1)].idx,
            end_char=sent.end_char,
            category="",
            source="classifier",
            rule_id=None,
            score=0.0,
        )
        view = TokenView.of_tokens(doc, sent.start, min(len(doc), max(sent.end, middle)))
        return self.reported_speech(view, pseudo, sentence_of_span(sent), "")

    # -- classifier findings: the same step, read over the sentence ---------------

    def hostile(self, word: str) -> bool:
        """A derogation or threat word of ``hostility_cues.yml``."""
        return is_cue(word, self.derogation) or is_cue(word, self.threats)

    def refers_to_women(self, word: str) -> bool:
        """One word that refers to a woman or women (a target cue or a gendered term)."""
        return word in self.gendered_terms or is_cue(word, self.targets)

    def names_women(self, span: Span) -> bool:
        """Is anyone female referred to in ``span`` (as written, or by the normalizer's key: "fem@les")?"""
        for token in span:
            if token.lower_ in self.gendered_terms:
                return True
            if is_cue(token.lower_.replace("'", ""), self.targets) or is_cue(key_text(token), self.targets):
                return True
        return False

    def says_something(self, span: Span) -> bool:
        """Does ``span`` judge, rule, compare or attack (``findings.claims`` or a hostile cue), as written or by
        the normalizer's key? "Many women in my class study physics" says nothing of them; "Women can't do
        physics" does."""
        claims = self.claim_words
        spelled: list[str] = []  # a word spelled out letter by letter ("s c u m")
        for token in span:
            written = token.lower_.replace("'", "").replace("\u2019", "").rstrip(".")
            if len(written) == 1 and written.isalpha():
                spelled.append(written)
                continue
            words = (written, key_text(token), "".join(spelled)) if spelled else (written, key_text(token))
            spelled = []
            if any(word in claims or self.hostile(word) for word in words):
                return True
        joined = "".join(spelled)
        return joined in claims or self.hostile(joined)

    def sneers(self, span: Span) -> bool:
        """Does ``span`` mock someone: a word or phrase of ``findings.ridicule.cues`` or a hostile cue, as written
        (apostrophes dropped) or by the normalizer's key? "He defended her in the meeting, and that mattered"
        does not; "He defends her in every meeting because he's desperate" does."""
        written = [t.lower_.replace("'", "").replace("\u2019", "") for t in span if not t.is_space]
        keys = [key_text(t) for t in span if not t.is_space]
        if self.sneer_cues.find(written) is not None or self.sneer_cues.find(keys) is not None:
            return True
        return any(self.hostile(word) for word in (*written, *keys))

    def names_someone(self, span: Span) -> bool:
        """Does ``span`` name or address a person: a pronoun, a person word (``{anyone}`` of slots.yml) or a
        name? "Relax, it's a holiday" dismisses no one's reaction; "Relax, you're fine" may."""
        named = Token.has_extension(NAME_ATTR)
        return any(
            t.lower_ in self.people or key_text(t) in self.people or (named and t._.get(NAME_ATTR)) for t in span
        )

    def praises_women(self, sent: Span) -> bool:
        """'Women are brilliant engineers', 'Women deserve the same pay as men': a reference to women with praise
        or equality and nothing hostile. Praise after a negation ("women are not capable") is no praise, and the
        weakest threat words ("deserve", "watch") do not rule praise out."""
        words = [t.lower_.replace("'", "") for t in sent]
        if not any(is_cue(w, self.targets) for w in words):
            return False
        if any(self._derogates(words, i) for i in range(len(words))):
            return False
        if any(is_cue(w, self.threats) and w not in self.weak_threats for w in words):
            return False
        return bool(self.praises([t.norm_ for t in sent], self._praise_word))

    def _derogates(self, words: Sequence[str], i: int) -> bool:
        """Is ``words[i]`` a derogation word as used here? One of ``praise.weak_derogation`` ("nothing") is
        only right after a word of ``praise.derogation_after``: "women are nothing", not "nothing to do with" or
        "there is nothing wrong with"."""
        word = words[i]
        if word in self.weak_derogation:
            return i > 0 and words[i - 1] in self.derogation_after and (i < 2 or words[i - 2] not in self.existentials)
        return is_cue(word, self.derogation)

    def _praise_word(self, word: str) -> bool:
        return is_cue(word, self.praise_words) or word in self.extra_praise

    def protects_women(self, sent: Span) -> Verdict:
        """'We should not let women suffer like that', 'Nobody should have to put up with that': the sentence
        guards women against a harm. Needs a reference to women, a protective cue (``praise.protective``),
        a harm or hostile word after it in its clause, and no hostile word before it. A harm women are more
        exposed to ("more likely to be victims of violence", ``praise.disparity``) counts the same, but only
        with a word of ``praise.harms`` after it: "more likely to be hysterical" guards nobody."""
        words = [t.norm_ for t in sent if not t.is_space]
        if self.protective.find(words) is None and self.disparity.find(words) is None:
            return Verdict(False, "no protective words")
        if not any(self.refers_to_women(t.lower_.replace("'", "")) for t in sent):
            return Verdict(False, "no reference to women")
        clause: list[str] = []
        cue: Seq | None = None
        exposed = False  # the cue is one of praise.disparity: only a harm word completes it
        for word in words:
            if word in self.separators:
                clause, cue = [], None
                continue
            bare = word.replace("'", "")
            if cue is None:
                if self.hostile(bare) and bare not in self.weak_threats:
                    return Verdict(False, f"'{word}' is said before any protective words")
                clause.append(word)
                cue = self.protective.find(clause)
                exposed = False
                if cue is None:
                    cue = self.disparity.find(clause)
                    exposed = cue is not None
                continue
            if word in self.harms or (not exposed and self.hostile(bare)):
                return Verdict(True, f"pro-equality: the sentence guards women against harm ('{' '.join(cue)}')")
        return Verdict(False, "no protective words before a harm")

    def validates(self, sent: Span) -> Seq | None:
        """The words of ``sent`` that take someone's feelings seriously (``findings.validation``), unless a
        negation comes before them in their clause: "Real men don't go to therapy" validates nothing."""
        words = [t.norm_ for t in sent if not t.is_space]
        for i, word in enumerate(words):
            if word in self.validation.by_first:
                cue = self.validation.at(words, i)
                if cue:
                    opens = max((k + 1 for k in range(i) if words[k] in self.separators), default=0)
                    return None if self.neg_cues.find(words[opens:i]) else cue
        return None

    def judge_finding(
        self,
        doc: Doc,
        sent: Span,
        scope: Span,
        category: str,
        listed: Sequence[Candidate],
        gendered: bool,
        score: float = 1.0,
    ) -> tuple[Verdict, float] | None:
        """The context step for a classifier finding of ``category`` on ``sent``: the first check that rules it
        out, with its multiplier (``findings.multipliers`` of context.yml), or None when it stands.

        In order: a listed phrase of the sentence (``listed``) already ruled out; for gendered
        categories (``gendered``), praise or a pro-equality statement in the sentence itself,
        no reference to women in ``scope`` (the sentence and the one before, or the whole short text
        for a decision on the whole text), and a ``scope`` that, with the sentence after it, says nothing
        of anyone ("Ever work for a woman boss? They're the worst!" says it in the next one); for the
        other categories, a ``score`` (shared scale) below ``findings.min_score_other``, no person named
        in ``scope`` for the categories of ``findings.addressed`` (dismissing), no sneer in ``scope`` and the
        sentence after it for those of ``findings.ridicule`` (ally ridicule), or a sentence that takes
        someone's feelings seriously (``findings.validation``); then a
        sentence about someone's words, and a denial of its hostile words. A sentence is judged on its own
        words: a later, unrelated sentence ("... Thanks for the review.") neither rescues nor condemns it,
        except that it may say what the finding's sentence leaves unsaid.
        """
        multipliers = self.finding_multipliers
        ruled_out = next((c for c in listed if c.suppressed_by), None)
        if ruled_out is not None:
            note = f"the listed phrase in this sentence was ruled out ({ruled_out.suppressed_by})"
            return Verdict(True, note, check=ruled_out.suppressed_by or ""), multipliers["listed_phrase_ruled_out"]
        if gendered:
            protective = self.protects_women(sent)
            if protective.applies:
                return protective.named("pro_equality"), multipliers["pro_equality"]
            if self.praises_women(sent):
                note = "a positive mention: praise of women, no derogation or threat"
                return Verdict(True, note, check="praise"), multipliers["praise"]
            if not self.names_women(scope):
                note = "no woman or women referred to in this or the previous sentence"
                return Verdict(True, note, check="target"), multipliers["target"]
            said = _through_next(doc, scope, sent)
            if self.claim_words and not self.says_something(said):
                note = "a plain statement: nothing judged, ruled, compared or attacked"
                return Verdict(True, note, check="descriptive"), multipliers["descriptive"]
        elif score < self.min_score_other:
            note = f"a weak guess: score {score:.2f} is below {self.min_score_other:.2f}, the bar with no listed phrase"
            return Verdict(True, note, check="weak"), multipliers["weak"]
        elif category in self.addressed and not self.names_someone(scope):
            note = "no one whose reaction is brushed aside: the sentence names no person"
            return Verdict(True, note, check="no_one"), multipliers["no_one"]
        elif category in self.ridicule and not self.sneers(_through_next(doc, scope, sent)):
            note = "nothing here mocks anyone: no sneer, insult or jeer"
            return Verdict(True, note, check="no_sneer"), multipliers["no_sneer"]
        else:
            cue = self.validates(sent)
            if cue and not any(is_cue(t.lower_.replace("'", ""), self.derogation) for t in sent):
                note = f"the sentence takes someone's feelings seriously ('{' '.join(cue)}')"
                return Verdict(True, note, check="validation"), multipliers["validation"]
        about = self.about_speech(doc, sent)
        if about.applies:
            return about.named("sentence"), multipliers["about_speech"]
        denial = self.denial(sent, self.hostile, self.refers_to_women)
        if denial.applies:
            return denial.named("negation"), multipliers["denial"]
        refusal = self.refuses_to_say(sent)
        if refusal.applies:
            return refusal.named("negation"), multipliers["denial"]
        return None

    def refuses_to_say(self, sent: Span) -> Verdict:
        """'I will never tell a woman to smile': the writer refuses to say what the finding is about. A subject
        of ``denial.refusal_subjects`` opens the sentence, then auxiliaries or fillers, a negation and a verb of
        ``denial.refusal_verbs``; no hostile word may come before the verb. Refusing to praise or to call women
        equal ("I would never say women are equal") is no refusal of a harm."""
        tokens = [t for t in sent if not t.is_space and not t.is_punct]
        words = [t.lower_.replace("'", "") for t in tokens]
        if not words or words[0] not in self.refusal_subjects:
            return Verdict(False, "no refusal")
        norms = [t.norm_ for t in tokens]
        negated = False
        for k in range(1, min(5, len(words))):
            if self.hostile(words[k]):
                break
            if negated and words[k] in self.refusal_verbs:
                if self.praises(norms[k + 1 :], self._praise_word) or self.equality.find(norms[k + 1 :]):
                    break
                return Verdict(True, f"the writer refuses to say it ('{norms[k]}')")
            negated = negated or bool(self.neg_cues.at(norms, k))
        return Verdict(False, "no refusal")

    def evidence(
        self,
        span: Span,
        without_mentions: float | None,
        threshold: float,
        gendered: bool = True,
        encoder: bool = False,
    ) -> Verdict | None:
        """Is a classifier finding on ``span`` more than the mention of someone? ``without_mentions`` is the
        head's probability with what its identity words ("woman", "wife", "Sarah") and the cue features that
        only count references to women added taken back out; below ``findings.evidence_floor`` times the
        head's ``threshold`` the mention carried the finding, and naming women is no evidence: ruled out.
        A derogation or threat word in ``span`` ("should be shot", "waiting in the parking lot"), or praise
        it denies ("never intelligent", "not capable"), is evidence of its own: such a finding stands.
        ``gendered``: a finding of gendered hostility, a stereotype or the sexist head
        (``findings.evidence_floor``); the other categories use ``evidence_floor_other``, and the optional
        encoder's findings (``without_mentions``: its probability for the text with gender words made
        neutral) ``evidence_floor_encoder``."""
        share = self.evidence_floor if gendered else self.evidence_floor_other
        floor = threshold * (self.evidence_floor_encoder if encoder else share)
        if without_mentions is None or without_mentions >= floor:
            return None
        if any(self.hostile(t.lower_.replace("'", "")) or self.hostile(t.lemma_) for t in span):
            return None
        if self.praises([t.norm_ for t in span], self._praise_word) is False:
            return None  # praise denied ("women are never intelligent"): a claim of its own, not a mention
        note = (
            f"without the words that name someone the model gives p={without_mentions:.2f} "
            f"(needs {floor:.2f}): the mention carried the finding"
        )
        return Verdict(True, note, check="identity_only")

    # -- the step ------------------------------------------------------------

    CHECKS: tuple[tuple[str, str], ...] = (
        ("quotation", "quote_multiplier"),
        ("mention", "mention_multiplier"),
        ("counter_speech", "counter_multiplier"),
        ("negation", "neg_multiplier"),
        ("reported_speech", "reported_multiplier"),
    )

    def apply(self, doc: Doc, cand: Candidate, text: str, view: TokenView | None = None) -> None:
        """Run every check on one candidate and record each in its history.

        ``text`` is ``doc.text``, passed in because spaCy rebuilds it on every access;
        ``view`` is :meth:`TokenView.of_doc` of ``doc``, read once for all of its candidates.
        """
        if view is None:
            view = TokenView.of_doc(doc)
        sent = view.sentence(cand.start)
        verdicts = [check(self, view, cand, sent, text) for check in self._check_functions]
        shared = self._shared
        key = (cand.score, *map(id, verdicts)) if all(id(v) in shared for v in verdicts) else None
        outcome = self._outcomes.get(key) if key is not None else None
        if outcome is None:
            outcome = self._outcome(cand.score, verdicts)
            if key is not None and len(self._outcomes) < _OUTCOMES_KEPT:
                self._outcomes[key] = outcome
        steps, named, notes, suppressed_by = outcome
        cand.history += steps
        cand.verdicts += named
        cand.notes += notes
        if suppressed_by is not None:
            cand.suppressed_by = suppressed_by
        cand.score = steps[-1].score

    def _outcome(self, score: float, verdicts: Sequence[Verdict]) -> _Outcome:
        """What the checks' ``verdicts`` make of a candidate scored ``score``: the steps they add to its
        history, the verdicts naming their checks, the notes worth showing, and the check that rules it
        out (the one of lowest multiplier among those that apply), if any."""
        strongest: tuple[float, str] | None = None
        for (name, multiplier_attr), verdict in zip(self.CHECKS, verdicts, strict=True):
            if verdict.applies:
                multiplier = getattr(self, multiplier_attr)
                if strongest is None or multiplier < strongest[0]:
                    strongest = (multiplier, name)
        scratch = Candidate(0, 0, 0, 0, "", "", None, score)
        named: list[Verdict] = []
        notes: list[str] = []
        for (name, _), verdict in zip(self.CHECKS, verdicts, strict=True):
            score = scratch.score
            if strongest is not None and strongest[1] == name:
                score = scratch.score * strongest[0]
                scratch.suppressed_by = name
            scratch.step(_STEP_NAMES[name], score, verdict.note)
            named_verdict = verdict if verdict.check == name else self._named.get((verdict, name))
            if named_verdict is None:
                named_verdict = verdict.named(name)
                if len(self._named) < _NAMED_KEPT:  # notes quoting the text's words are many: keep a few
                    self._named[verdict, name] = named_verdict
            named.append(named_verdict)
            if verdict.applies or verdict.worth_telling:
                notes.append(verdict.note)
        return tuple(scratch.history), tuple(named), tuple(notes), scratch.suppressed_by


def _through_next(doc: Doc, scope: Span, sent: Span) -> Span:
    """``scope`` and the sentence after ``sent``: what a finding's words may lean on ("Ever work for a woman
    boss? They're the worst!" says it in the next sentence)."""
    return doc[scope.start : max(scope.end, _next_sentence_end(doc, sent))]


def _next_sentence_end(doc: Doc, sent: Span) -> int:
    """Where the sentence after ``sent`` ends (the end of ``doc`` when ``sent`` is its last)."""
    return doc[sent.end].sent.end if sent.end < len(doc) else len(doc)
