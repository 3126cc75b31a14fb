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

import shutil
from bisect import bisect_left
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from spacy.language import Language
from spacy.tokens import Doc, Span

from analyzer.flags import Candidate, ScoreStep
from analyzer.lexicon.loader import Lexicon
from analyzer.model.category_model import BatchScores, CategoryClassifier, to_shared_scale
from analyzer.model.inputs import read_batch
from analyzer.model.sexist_head import SEXIST_CATEGORIES, SEXIST_LABEL
from analyzer.pipeline.context import ContextRules
from analyzer.tokens.arrays import BatchComponent
from analyzer.tokens.doc_state import SPANS_KEY, candidates, publish_spans

MIN_ALPHA_TOKENS = 3
WHOLE_DOC_TOKENS = 160  # the sexist head judges texts up to this length as a whole, longer ones per sentence
AGREE_WEIGHT = 0.3  # how far a disagreeing classifier pulls a lexicon score down
DEFAULT_MODEL = "default"  # the shipped model folder, models/default of the repository


class ClassifierComponent(BatchComponent):
    """Adds classifier candidates per sentence and merges them with lexicon ones.

    Its data, the model folder named by the config's ``model`` ("default": the
    shipped one), is loaded by :meth:`initialize` or, from a saved pipeline, by
    :meth:`from_disk`; the categories it may flag come from the pipeline's
    ``allyship_lexicon``.
    """

    def __init__(
        self,
        nlp: Language,
        name: str,
        *,
        model: str = DEFAULT_MODEL,
        spans_key: str = SPANS_KEY,
        threshold: float = 0.5,
    ) -> None:
        self.name = name
        self.nlp = nlp
        self.model_name = model
        self.spans_key = spans_key
        self.threshold = threshold
        self.model: CategoryClassifier | None = None
        self.known: set[str] = set()
        self.context: ContextRules | None = None

    def initialize(self, get_examples: Any = None, *, nlp: Language | None = None) -> None:
        """Load the config's model folder, checked like any other (hashes, versions; never a pickle)."""
        from analyzer.model.category_model import load_model

        folder = Path(self.model_name)
        if self.model_name == DEFAULT_MODEL:
            folder = Path(str(resources.files("analyzer.models"))) / DEFAULT_MODEL
        self._load(lambda lexicon: load_model(folder, lexicon, engine="compiled"))

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """Save the model folder's compiled copy and metadata (what analysis reads; no pickle)."""
        from analyzer.model.folders import METADATA_FILE, read_metadata

        if self.model is None:
            self.initialize()
        assert self.model is not None and self.model.path is not None
        source, path = Path(self.model.path), Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for name in [METADATA_FILE, *(read_metadata(source).get("files") or {})]:
            shutil.copyfile(source / name, path / name)

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> ClassifierComponent:
        """Load the model folder :meth:`to_disk` saved."""
        from analyzer.model.category_model import load_model

        self._load(lambda lexicon: load_model(Path(path), lexicon, engine="compiled"))
        return self

    def _load(self, load: Callable[[Lexicon], CategoryClassifier]) -> None:
        """Load a model for the categories of the pipeline's lexicon component, with its context's cue lists."""
        from analyzer.pipeline.factories import ContextComponent
        from analyzer.pipeline.matcher import LexiconMatcher

        components = [component for _, component in self.nlp.pipeline]
        matcher = next((c for c in components if isinstance(c, LexiconMatcher)), None)
        if matcher is None:
            raise ValueError(f"'{self.name}' needs 'allyship_lexicon' before it in the pipeline")
        context = next((c for c in components if isinstance(c, ContextComponent)), None)
        lexicon = matcher._ready()
        self.initialize_model(load(lexicon), lexicon, context.rules if context is not None else None)

    def initialize_model(
        self, model: CategoryClassifier, lexicon: Lexicon, context: ContextRules | None = None
    ) -> None:
        """The model, the categories it may flag, and the context step's cue lists (shared, not rebuilt)."""
        self.model = model
        self.known = set(lexicon.categories)
        self.context = context

    def process(self, docs: list[Doc]) -> None:
        """Score every sentence (and every short doc as a whole) of the batch in one call, then decide."""
        if self.model is None:
            self.initialize()  # nobody called nlp.initialize(): load the config's model now
        model = self.model
        assert model is not None
        self._score(model, docs)
        for doc in docs:
            if candidates(doc):
                publish_spans(doc, self.spans_key, self.threshold)

    def _score(self, model: CategoryClassifier, docs: list[Doc]) -> None:
        batch, units, wholes = read_batch(docs, MIN_ALPHA_TOKENS, WHOLE_DOC_TOKENS)
        if not units:
            return
        scores = model.score_batch(batch)
        if model.encoder is not None:  # the optional transformer decides "sexist" from the text itself
            texts = [doc[a:b].text for doc, a, b in units] + [doc.text for doc, _, _ in wholes]
            scores.probabilities[:, model.labels.index(SEXIST_LABEL)] = model.encoder.probabilities(texts)
        probabilities, whole_rows = scores.probabilities[: len(units)], scores.probabilities[len(units) :]
        # A row can only matter if some label reaches its threshold or a listed phrase is in its sentence:
        # skip the rest without building notes (most sentences of most texts).
        thresholds = np.asarray([_cut(model.thresholds.get(label, 0.5)) for label in model.labels])
        hot = (probabilities >= thresholds).any(axis=1).tolist()
        # per doc, its lexicon candidates by where they start: (starts, (start, place in the doc's list, candidate))
        listed: dict[int, tuple[list[int], list[tuple[int, int, Candidate]]]] = {}
        for i, (doc, start, end) in enumerate(units):
            entry = listed.get(id(doc))
            if entry is None:
                found = candidates(doc)
                lexical = sorted((c.start, n, c) for n, c in enumerate(found) if c.source == "lexicon")
                entry = listed[id(doc)] = ([at for at, _, _ in lexical], lexical)
            starts_of_doc, lexical = entry
            at = bisect_left(starts_of_doc, start)
            if hot[i] or (at < len(starts_of_doc) and starts_of_doc[at] < end):
                # the sentence's lexicon candidates, in the doc's order, found without reading all of them
                here = sorted(lexical[at : bisect_left(starts_of_doc, end, at)], key=lambda entry: entry[1])
                self._decide(doc, doc[start:end], probabilities[i], i, scores, [c for _, _, c in here])
        sexist = model.labels.index(SEXIST_LABEL) if SEXIST_LABEL in model.labels else None
        if sexist is not None:
            cut = _cut(model.thresholds.get(SEXIST_LABEL, 0.5))
            for j, ((doc, first, end), whole) in enumerate(zip(wholes, whole_rows, strict=True)):
                if whole[sexist] >= cut:  # sexist as a whole: place it on its most suspect sentence
                    best = first + int(np.argmax(probabilities[first:end, sexist]))
                    self._decide_whole(doc, doc[units[best][1] : units[best][2]], best, whole, scores, len(units) + j)
                elif end - first > 1:
                    # Not as a whole, but a sentence on its own may be: an unrelated sentence before or after
                    # it ("... Thanks for the review.") dilutes the whole text's score, never the sentence's.
                    for unit in range(first, end):
                        if probabilities[unit, sexist] >= cut:
                            sent = doc[units[unit][1] : units[unit][2]]
                            self._decide_alone(doc, sent, unit, probabilities[unit], scores)

    def _decide_whole(
        self, doc: Doc, sent: Span, unit: int, row: np.ndarray, scores: BatchScores, whole_unit: int
    ) -> None:
        """A short post can be sexist as a whole though no sentence is alone: flag its most suspect sentence
        (``unit``); ``whole_unit`` is the whole text's row, which the evidence check reads."""
        found = candidates(doc)
        if any(c.source == "classifier" or c.suppressed_by is None for c in found):
            return  # already flagged (or a sentence-level decision stands)
        lexical = [c for c in found if c.source == "lexicon"]
        self._sexist_head(sent, unit, row, lexical, found, scores, whole_unit=whole_unit)

    def _decide_alone(self, doc: Doc, sent: Span, unit: int, row: np.ndarray, scores: BatchScores) -> None:
        """A sentence of a short text that the sexist head flags on its own: flag it unless already flagged."""
        found = candidates(doc)
        here = [c for c in found if sent.start <= c.start < sent.end]
        if any(c.source == "classifier" or c.suppressed_by is None for c in here):
            return
        self._sexist_head(sent, unit, row, [c for c in here if c.source == "lexicon"], found, scores)

    def _decide(
        self, doc: Doc, sent: Span, row: np.ndarray, unit: int, scores: BatchScores, in_sentence: list[Candidate]
    ) -> None:
        """Score the sentence's lexicon candidates (``in_sentence``) with the model, and flag what it finds."""
        model = self.model
        assert model is not None
        found = candidates(doc)
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
            found.append(self._candidate(sent, scores, unit, label, index, score, note, in_sentence))
            added = True
        if (
            SEXIST_LABEL in model.labels
            and not added
            and len(doc) > WHOLE_DOC_TOKENS
            and not any(c.suppressed_by is None for c in in_sentence)
        ):
            # long texts: the sexist head reads each sentence
            self._sexist_head(sent, unit, row, in_sentence, found, scores)

    def _sexist_score(self, row: np.ndarray) -> float | None:
        """The sexist head's probability on the shared scale (its threshold at 0.5), if the model has that head."""
        model = self.model
        assert model is not None
        if SEXIST_LABEL not in model.labels:
            return None
        probability = float(row[model.labels.index(SEXIST_LABEL)])
        return to_shared_scale(probability, float(model.thresholds.get(SEXIST_LABEL, 0.5)))

    def _sexist_head(
        self,
        sent: Span,
        unit: int,
        row: np.ndarray,
        in_sentence: list[Candidate],
        found: list[Candidate],
        scores: BatchScores,
        whole_unit: int | None = None,
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
        if whole_unit is not None:
            note += "; judged on the whole text, shown on its most suspect sentence"
        found.append(
            self._candidate(
                sent,
                scores,
                unit,
                label,
                label_index,
                score,
                note,
                in_sentence,
                scope=sent.doc[:] if whole_unit is not None else None,
                decided_by=(index, unit if whole_unit is None else whole_unit),
            )
        )

    def _candidate(
        self,
        sent: Span,
        scores: BatchScores,
        unit: int,
        label: str,
        index: int,
        score: float,
        note: str,
        in_sentence: list[Candidate],
        scope: Span | None = None,
        decided_by: tuple[int, int] | None = None,
    ) -> Candidate:
        """A classifier finding on ``sent``, through the context step; ``scope`` is where it looks for a target
        (the whole text for a whole-text decision: a post that names women in another sentence still has one)."""
        model = self.model
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
        context = self.context
        if context is None:
            cand.top_words = scores.top_words(unit, index)
            return cand
        if scope is None:  # the sentence and the one before it: "Meet Anna. She is too emotional to lead."
            doc = sent.doc
            scope = doc[doc[sent.start - 1].sent.start : sent.end] if sent.start > 0 else sent
        judged = context.judge_finding(sent.doc, sent, scope, label, in_sentence, label in SEXIST_CATEGORIES, score)
        if judged is None:
            cand.top_words = scores.top_words(unit, index)
            head, row_unit = (index, unit) if decided_by is None else decided_by  # the head and row that decided
            cut = _cut(model.thresholds.get(model.labels[head], 0.5))
            gendered = label in SEXIST_CATEGORIES or model.labels[head] == SEXIST_LABEL
            span = scope if row_unit != unit else sent
            encoder = model.encoder if model.labels[head] == SEXIST_LABEL else None
            if encoder is not None:  # the encoder decided: ask it about the text with gender words made neutral
                without = encoder.without_mentions([(t.text, t.whitespace_) for t in span])
            else:
                without = scores.without_mentions(row_unit, head)
            verdict = context.evidence(span, without, cut, gendered, encoder is not None)
            if verdict is None:
                return cand
            judged = verdict, context.finding_multipliers["identity_only"]
        verdict, multiplier = judged
        cand.step(f"context:{verdict.check}", score * multiplier, verdict.note)
        cand.verdicts.append(verdict)
        cand.suppressed_by = f"context:{verdict.check}"
        return cand


def _cut(threshold: float) -> float:
    """The probability at which :func:`to_shared_scale` reaches 0.5 (the threshold, kept inside (0, 1))."""
    return min(max(float(threshold), 1e-6), 1 - 1e-6)


def _trim_end(sent: Span) -> int:
    """The sentence's end offset without trailing whitespace."""
    return sent.start_char + len(sent.text.rstrip())


@Language.factory(
    "allyship_classifier",
    assigns=["doc.spans"],
    requires=["doc._.allyship_candidates", "token.is_sent_start"],
    default_config={"model": DEFAULT_MODEL, "spans_key": SPANS_KEY, "threshold": 0.5},
)
def make_classifier(nlp: Language, name: str, model: str, spans_key: str, threshold: float) -> ClassifierComponent:
    return ClassifierComponent(nlp, name, model=model, spans_key=spans_key, threshold=threshold)
