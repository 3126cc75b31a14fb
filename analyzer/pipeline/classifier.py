"""The classifier as a spaCy component: one decision per sentence and category.

Lexicons catch the phrasings someone listed; this catches paraphrases. The
trained model (:mod:`analyzer.model.category_model`, run from its compiled copy) scores
every sentence of a batch of docs, and every short doc as a whole, in one
call over the token arrays the pipeline already made (:mod:`analyzer.model.inputs`):
the text is not read a second time. Its calibrated probability is mapped onto the
shared 0..1 scale so that each category's tuned threshold lands on the
engine's 0.5: scores from lexicon and classifier compare.

Where a lexicon candidate and the classifier agree on a sentence, one flag
comes out with both steps in its history. Where the context step ruled out the
listed phrase of a sentence (negated, quoted...), the classifier's finding for
that category in that sentence is ruled out too.
"""

from __future__ import annotations

from bisect import bisect_left

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc, Span

from analyzer.flags import Candidate, ScoreStep
from analyzer.lexicon.loader import Lexicon
from analyzer.model.category_model import CategoryClassifier, to_shared_scale
from analyzer.model.inputs import read_batch
from analyzer.model.labels import SEXIST_CATEGORIES, SEXIST_LABEL
from analyzer.model.word_features import is_cue
from analyzer.pipeline.context import ContextRules
from analyzer.tokens.arrays import BatchComponent
from analyzer.tokens.doc_state import candidates

MIN_ALPHA_TOKENS = 3
WHOLE_DOC_TOKENS = 160  # the sexist head judges texts up to this length as a whole, longer ones per sentence
AGREE_WEIGHT = 0.3  # how far a disagreeing classifier pulls a lexicon score down


class ClassifierComponent(BatchComponent):
    """Adds classifier candidates per sentence and merges them with lexicon ones."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.model: CategoryClassifier | None = None
        self.known: set[str] = set()
        self.context: ContextRules | None = None
        self.cues = _cue_words()

    def initialize_model(
        self, model: CategoryClassifier, lexicon: Lexicon, context: ContextRules | None = None
    ) -> None:
        """The model, the categories it may flag, and the context step's cue lists (shared, not rebuilt)."""
        self.model = model
        self.known = set(lexicon.categories)
        self.context = context

    def process(self, docs: list[Doc]) -> None:
        """Score every sentence (and every short doc as a whole) of the batch in one call, then decide."""
        model = self.model
        if model is None:
            return
        batch, units, wholes = read_batch(docs, MIN_ALPHA_TOKENS, WHOLE_DOC_TOKENS)
        if not units:
            return
        scores = model.predict_batch(batch)
        probabilities, whole_rows = scores[: len(units)], scores[len(units) :]
        # A row can only matter if some label reaches its threshold or a listed phrase is in its sentence:
        # skip the rest without building notes (most sentences of most texts).
        thresholds = np.asarray([_cut(model.thresholds.get(label, 0.5)) for label in model.labels])
        hot = (probabilities >= thresholds).any(axis=1).tolist()
        listed: dict[int, list[int]] = {}  # per doc, where its lexicon candidates start
        for i, (doc, start, end) in enumerate(units):
            starts_of_doc = listed.get(id(doc))
            if starts_of_doc is None:
                starts_of_doc = listed[id(doc)] = sorted(c.start for c in candidates(doc) if c.source == "lexicon")
            at = bisect_left(starts_of_doc, start)
            if hot[i] or (at < len(starts_of_doc) and starts_of_doc[at] < end):
                self._decide(doc, doc[start:end], probabilities[i], i)
        sexist = model.labels.index(SEXIST_LABEL) if SEXIST_LABEL in model.labels else None
        if sexist is not None:
            cut = _cut(model.thresholds.get(SEXIST_LABEL, 0.5))
            for (doc, first, end), whole in zip(wholes, whole_rows, strict=True):
                if whole[sexist] >= cut:  # sexist as a whole: place it on its most suspect sentence
                    best = first + int(np.argmax(probabilities[first:end, sexist]))
                    self._decide_whole(doc, doc[units[best][1] : units[best][2]], best, whole)

    def _decide_whole(self, doc: Doc, sent: Span, unit: int, row: np.ndarray) -> None:
        """A short post can be sexist as a whole though no sentence is alone: flag its most suspect sentence."""
        found = candidates(doc)
        if any(c.source == "classifier" or c.suppressed_by is None for c in found):
            return  # already flagged (or a sentence-level decision stands)
        lexical = [c for c in found if c.source == "lexicon"]
        self._sexist_head(sent, unit, row, lexical, found, whole=True)

    def _decide(self, doc: Doc, sent: Span, row: np.ndarray, unit: int) -> None:
        model = self.model
        assert model is not None
        found = candidates(doc)
        in_sentence = [c for c in found if c.source == "lexicon" and sent.start <= c.start < sent.end]
        added = False
        sexist = self._sexist_score(row)
        for index, label in enumerate(model.labels):
            if label == SEXIST_LABEL:
                continue
            probability = float(row[index])
            threshold = float(model.thresholds.get(label, 0.5))
            score = to_shared_scale(probability, threshold)
            same = [c for c in in_sentence if c.category == label]
            if not same and score < 0.5:
                continue  # nothing listed here and nothing to flag: no note to write (most labels of most rows)
            note = f"classifier: p={probability:.2f} for {label} (threshold {threshold:.2f})"
            for cand in same:
                if cand.suppressed_by is not None:
                    continue
                if score >= cand.score:
                    cand.step("classifier", score, note + ", agrees: score raised")
                else:
                    merged = cand.score + AGREE_WEIGHT * (score - cand.score)
                    cand.step("classifier", merged, note + ", doubts it: score lowered a little")
            if same or score < 0.5 or label not in self.known:
                continue  # the lexicon flag carries the decision, or nothing to flag
            if label in SEXIST_CATEGORIES and sexist is not None and sexist < 0.5:
                continue  # a stereotype or hostility head alone is weak evidence: the sexist head must agree
            found.append(self._candidate(sent, unit, label, index, score, note, in_sentence))
            added = True
        if (
            SEXIST_LABEL in model.labels
            and not added
            and len(doc) > WHOLE_DOC_TOKENS
            and not any(c.suppressed_by is None for c in in_sentence)
        ):
            self._sexist_head(sent, unit, row, in_sentence, found)  # long texts: the sexist head reads each sentence

    def _sexist_score(self, row: np.ndarray) -> float | None:
        """The sexist head's probability on the shared scale (its threshold at 0.5), if the model has that head."""
        model = self.model
        assert model is not None
        if SEXIST_LABEL not in model.labels:
            return None
        probability = float(row[model.labels.index(SEXIST_LABEL)])
        return to_shared_scale(probability, float(model.thresholds.get(SEXIST_LABEL, 0.5)))

    def _hostile(self, word: str) -> bool:
        return is_cue(word, self.cues["derogation"]) or is_cue(word, self.cues["threat"])

    def _praises_women(self, sent: Span) -> bool:
        """'Women are brilliant engineers', 'Women deserve the same pay as men': a reference to women with praise
        or equality and nothing hostile. Praise after a negation ("women are not capable") is no praise, and the
        weakest threat words ("deserve", "watch") do not rule praise out."""
        words = [t.lower_.replace("'", "") for t in sent]
        weak = self.context.weak_threats if self.context is not None else frozenset()

        def has(kind: str, skip: frozenset[str] | set[str] = frozenset()) -> bool:
            return any(is_cue(w, self.cues[kind]) and w not in skip for w in words)

        if not has("targets") or has("derogation") or has("threat", weak):
            return False
        if self.context is None:
            return has("praise")
        return bool(self.context.praises([t.norm_ for t in sent], lambda w: is_cue(w, self.cues["praise"])))

    def _refers_to_women(self, word: str) -> bool:
        """One word that refers to a woman or women (a target cue or a gendered term)."""
        if self.context is not None and word in self.context.gendered_terms:
            return True
        return is_cue(word, self.cues["targets"])

    def _mentions_women(self, sent: Span) -> bool:
        """Gendered hostility and stereotypes are about women: is anyone female referred to nearby?"""
        doc = sent.doc
        start = doc[sent.start - 1].sent.start if sent.start > 0 else sent.start
        if self.context is not None and any(t.lower_ in self.context.gendered_terms for t in doc[start : sent.end]):
            return True
        targets = self.cues["targets"]
        # the token as written, or its matching key: "fem@les" refers to women as much as "females"
        return any(
            is_cue(t.lower_.replace("'", ""), targets) or is_cue(t.lemma_, targets) for t in doc[start : sent.end]
        )

    def _sexist_head(
        self,
        sent: Span,
        unit: int,
        row: np.ndarray,
        in_sentence: list[Candidate],
        found: list[Candidate],
        whole: bool = False,
    ) -> None:
        """The head trained on "is anything sexist here": it flags under the category its peers rank highest."""
        model = self.model
        assert model is not None
        index = model.labels.index(SEXIST_LABEL)
        probability = float(row[index])
        threshold = float(model.thresholds.get(SEXIST_LABEL, 0.5))
        score = to_shared_scale(probability, threshold)
        if score < 0.5:
            return
        ranked = [
            (float(row[i]) / max(float(model.thresholds.get(label, 0.5)), 1e-6), i, label)
            for i, label in enumerate(model.labels)
            if label in SEXIST_CATEGORIES and label in self.known
        ]
        if not ranked:
            return
        _, label_index, label = max(ranked)
        note = (
            f"classifier: p={probability:.2f} that the sentence is sexist (threshold {threshold:.2f}); "
            f"closest category {label}"
        )
        if whole:
            note += "; judged on the whole text, shown on its most suspect sentence"
        found.append(
            self._candidate(
                sent, unit, label, label_index, score, note, in_sentence, scope=sent.doc[:] if whole else None
            )
        )

    def _candidate(
        self,
        sent: Span,
        unit: int,
        label: str,
        index: int,
        score: float,
        note: str,
        in_sentence: list[Candidate],
        scope: Span | None = None,
    ) -> Candidate:
        """A classifier finding on ``sent``, through the gates; ``scope`` is what they read (the whole text for
        a whole-text decision: a post that names women in another sentence still has a target)."""
        model = self.model
        scope = sent if scope is None else scope
        assert model is not None
        cand = Candidate(
            start=sent.start,
            end=sent.end,
            start_char=sent.start_char,
            end_char=_trim_end(sent),
            category=label,
            source="classifier",
            rule_id=None,
            score=score,
        )
        cand.history.append(ScoreStep("classifier", score, note))
        ruled_out = next((c for c in in_sentence if c.suppressed_by), None)
        if ruled_out is not None:
            cand.step(
                f"context:{ruled_out.suppressed_by}",
                score * 0.15,
                f"the listed phrase in this sentence was ruled out ({ruled_out.suppressed_by})",
            )
            cand.suppressed_by = ruled_out.suppressed_by
        elif label in SEXIST_CATEGORIES and self._praises_women(scope):
            cand.step("context:praise", score * 0.15, "a positive mention: praise of women, no derogation or threat")
            cand.suppressed_by = "context:praise"
        elif label in SEXIST_CATEGORIES and not self._mentions_women(scope):
            cand.step("context:target", score * 0.15, "no woman or women referred to in this or the previous sentence")
            cand.suppressed_by = "context:target"
        else:
            verdict = self.context.about_speech(sent.doc, sent) if self.context is not None else None
            if verdict is not None and verdict.applies:
                cand.step("context:sentence", score * 0.15, verdict.note)
                cand.suppressed_by = "context:sentence"
                return cand
            denial = (
                self.context.denial(scope, self._hostile, self._refers_to_women) if self.context is not None else None
            )
            if denial is not None and denial.applies:
                cand.step("context:negation", score * 0.15, denial.note)
                cand.suppressed_by = "context:negation"
            else:
                cand.top_words = model.top_words(unit, index)
        return cand


def _cue_words() -> dict[str, frozenset[str]]:
    from analyzer.model.word_features import load_cues

    return {kind: frozenset(words) for kind, words in load_cues().items()}


def _cut(threshold: float) -> float:
    """The probability at which :func:`to_shared_scale` reaches 0.5 (the threshold, kept inside (0, 1))."""
    return min(max(float(threshold), 1e-6), 1 - 1e-6)


def _trim_end(sent: Span) -> int:
    """The sentence's end offset without trailing whitespace."""
    return sent.start_char + len(sent.text.rstrip())


@Language.factory("allyship_classifier", requires=["doc._.allyship_candidates", "token.is_sent_start"])
def make_classifier(nlp: Language, name: str) -> ClassifierComponent:
    return ClassifierComponent(nlp, name)
