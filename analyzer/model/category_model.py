"""The fitted classifier behind the component: its estimator, labels, thresholds, and how it is loaded.

Kept apart from the spaCy component (:mod:`analyzer.pipeline.classifier`) so the
decision logic (which sentence, which gate) and the model (features, scores,
explanations) change independently. The estimator is the compiled copy of
the trained pipeline (:mod:`analyzer.model.compiled`: numpy only, no pickle);
``ALLYSHIP_MODEL_ENGINE=sklearn`` runs the scikit-learn pipeline itself
(``model.joblib``, in folders a user trained) instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.lexicon.loader import Lexicon
from analyzer.model.compiled import CompiledModel, Scored
from analyzer.model.encoder import EncoderHead
from analyzer.model.inputs import TokenBatch
from analyzer.model.sexist_head import SEXIST_LABEL

ENGINES = ("compiled", "sklearn")


def to_shared_scale(probability: float, threshold: float) -> float:
    """Map a probability so that the category's threshold becomes 0.5."""
    threshold = min(max(threshold, 1e-6), 1 - 1e-6)
    if probability < threshold:
        return 0.5 * probability / threshold
    return 0.5 + 0.5 * (probability - threshold) / (1 - threshold)


@dataclass
class BatchScores:
    """What a classifier made of one batch: a row of probabilities per unit, and the words behind them.

    Returned by :meth:`CategoryClassifier.score_batch` rather than kept on the
    classifier, so threads sharing one classifier never read another batch's
    words into an explanation.
    """

    probabilities: np.ndarray
    batch: TokenBatch
    scorer: Any  # () -> CompiledModel: the weights explanations are read from
    scored: Scored | None = None  # the batch's token weights; with the scikit-learn engine, made on first use

    def top_words(self, unit: int, label_index: int, k: int = 5) -> tuple[str, ...]:
        """The words of unit ``unit`` that weighed most for ``label_index``, stop words left out.

        A word is shown as written when it is plain letters, else by its key
        ("wom3n" is shown as "woman"); tokens of the same word add up.
        """
        from spacy.lang.en.stop_words import STOP_WORDS

        scorer: CompiledModel = self.scorer()
        if self.scored is None:
            self.scored = scorer.score(self.batch)
        scored = self.scored
        if not 0 <= unit < len(scored.batch.starts):
            return ()
        weights = scorer.contributions(scored, unit, label_index)
        batch = scored.batch
        a = int(batch.starts[unit])
        totals: dict[str, float] = {}
        for offset, weight in enumerate(weights.tolist()):
            word = batch.text_of(int(batch.lowers[a + offset]))
            if not word.isalpha():
                word = batch.text_of(int(batch.keys[a + offset]))
            if len(word) > 1 and word.isalpha() and word not in STOP_WORDS:
                totals[word] = totals.get(word, 0.0) + weight
        ranked = sorted((item for item in totals.items() if item[1] > 0), key=lambda item: -item[1])
        return tuple(word for word, _ in ranked[:k])

    def without_mentions(self, unit: int, label_index: int) -> float | None:
        """The probability of head ``label_index`` for unit ``unit`` with what its identity words
        (``analyzer/data/identity_terms.yml``: "woman", "wife", "Sarah"; see :meth:`CompiledModel.mention_contribution`
        for their bigrams) added taken back out, and with them
        the cue features that only count references to women: what the rest of the sentence (including
        hostile words aimed at them) says. What its topic words ("harassment", "victims") added is taken out
        too, but never what they took away: naming the subject is no evidence either way. None for a unit
        not in the batch."""
        scorer: CompiledModel = self.scorer()
        if self.scored is None:
            self.scored = scorer.score(self.batch)
        scored = self.scored
        if not 0 <= unit < len(scored.batch.starts):
            return None
        batch = scored.batch
        a, b = int(batch.starts[unit]), int(batch.ends[unit])
        logit = float(scored.logits[unit, label_index])
        if b > a:
            keys, lowers = batch.keys[a:b], batch.lowers[a:b]
            silent = _mentions(keys, lowers)
            named = 0.0
            if silent.any():
                named = scorer.mention_contribution(scored, unit, label_index, silent)
                logit -= named + scorer.target_contribution(scored, unit, label_index)
            topics = _mention_tables()[3]
            topic = _member(topics, keys) | _member(topics, lowers)
            if topic.any():
                logit -= max(0.0, scorer.mention_contribution(scored, unit, label_index, silent | topic) - named)
        return float(_sigmoid(np.asarray(logit)))


@dataclass
class CategoryClassifier:
    """A fitted estimator with its labels, thresholds and where it came from.

    ``estimator`` is a :class:`~analyzer.model.compiled.CompiledModel` or a fitted
    scikit-learn pipeline over :class:`~analyzer.model.inputs.Unit` objects; both
    give one probability per label and unit of a :class:`~analyzer.model.inputs.TokenBatch`.
    It holds no state of any batch: one classifier serves many threads.
    """

    estimator: Any
    labels: list[str]
    thresholds: dict[str, float]
    metadata: dict[str, Any] = field(default_factory=dict)
    path: str | None = None
    encoder: EncoderHead | None = None  # the optional fine-tuned transformer that replaces the sexist head's score
    _explainer: CompiledModel | None = field(default=None, repr=False)

    @property
    def engine(self) -> str:
        return "compiled" if isinstance(self.estimator, CompiledModel) else "sklearn"

    def score_batch(self, batch: TokenBatch) -> BatchScores:
        """One row of probabilities per unit of ``batch``, with what explains them (:meth:`BatchScores.top_words`)."""
        if isinstance(self.estimator, CompiledModel):
            scored = self.estimator.score(batch)  # its token weights come with the scores
            return BatchScores(_sigmoid(scored.logits), batch, self._scorer, scored)
        if not len(batch.starts):
            return BatchScores(np.zeros((0, len(self.labels))), batch, self._scorer)
        return BatchScores(np.asarray(self.estimator.predict_proba(batch_units(batch))), batch, self._scorer)

    def predict_batch(self, batch: TokenBatch) -> np.ndarray:
        """One row of probabilities per unit of ``batch``."""
        return self.score_batch(batch).probabilities

    def predict_units(self, units: Sequence[Any]) -> np.ndarray:
        """Probabilities of :class:`~analyzer.model.inputs.Unit` objects (training's view of texts)."""
        return self.predict_batch(TokenBatch.from_units(units))

    def score_units(self, units: Sequence[Any]) -> BatchScores:
        """:meth:`score_batch` of :class:`~analyzer.model.inputs.Unit` objects."""
        return self.score_batch(TokenBatch.from_units(units))

    def _scorer(self) -> CompiledModel:
        """The compiled weights explanations are read from (compiled once from the scikit-learn pipeline)."""
        if isinstance(self.estimator, CompiledModel):
            return self.estimator
        if self._explainer is None:
            from analyzer.model.compiler import compile_pipeline

            self._explainer = compile_pipeline(self.estimator)
        return self._explainer


def batch_units(batch: TokenBatch) -> list[Any]:
    """The units of ``batch`` as :class:`~analyzer.model.inputs.Unit` objects, for the scikit-learn pipeline."""
    from analyzer.model.inputs import Unit

    text = batch.text_of
    out = []
    for a, b in zip(batch.starts.tolist(), batch.ends.tolist(), strict=True):
        out.append(
            Unit(
                tuple(text(h) for h in batch.keys[a:b].tolist()),
                tuple(text(h) for h in batch.lowers[a:b].tolist()),
                tuple(category for position, category in batch.lexicon if a <= position < b),
            )
        )
    return out


def _member(table: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Which ``values`` are in the sorted ``table`` (``np.isin`` sorts both sides on every call: slower here)."""
    if not len(table):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(table, values), len(table) - 1)
    return table[at] == values


def _mentions(keys: np.ndarray, lowers: np.ndarray) -> np.ndarray:
    """Which tokens only say who or what for whom: identity words ("woman", "Sarah"), and the word naming a
    thing right after one or its possessive ("women's football", "girls' school"; ``identity_terms.yml``)."""
    identity, compounds, possessives, _ = _mention_tables()
    silent = _member(identity, keys) | _member(identity, lowers)
    named = _member(compounds, keys) | _member(compounds, lowers)
    if silent.any() and named.any():
        after = np.zeros_like(silent)
        after[1:] = silent[:-1]  # "womens football"
        after[2:] |= silent[:-2] & _member(possessives, lowers[1:-1])  # "women 's football"
        silent = silent | (named & after)
    if silent[:-1].any():
        owner = np.zeros_like(silent)
        owner[1:] = silent[:-1]
        silent = silent | (owner & _member(possessives, lowers))  # the "'s" of "women's"
    return silent


@lru_cache(maxsize=1)
def _mention_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sorted hashes of the identity words, the words a possessive mention names, the possessives and the topic
    words (read once)."""
    from spacy.strings import hash_string

    from analyzer.model.word_features import load_identity_compounds, load_identity_terms, load_identity_topics

    def table(words: Iterable[str]) -> np.ndarray:
        return np.sort(np.fromiter((hash_string(w) for w in words), dtype=np.uint64))

    possessives = table(("'s", "'", "’s", "’"))
    return table(load_identity_terms()), table(load_identity_compounds()), possessives, table(load_identity_topics())


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-logits))


def load_model(path: str | Path, lexicon: Lexicon, engine: str | None = None) -> CategoryClassifier:
    """Load a verified model folder; its categories must all be in ``lexicon``.

    ``engine`` is ``"compiled"`` (the default) or ``"sklearn"``, the pickle a
    user's own training wrote, read only when asked for (``ALLYSHIP_MODEL_ENGINE``
    sets it when not given), never as a fallback for a folder without its
    compiled copy.
    """
    from analyzer.errors import ModelError
    from analyzer.model.encoder import load_encoder
    from analyzer.model.folders import load_verified, load_verified_compiled

    engine = engine or os.environ.get("ALLYSHIP_MODEL_ENGINE") or "compiled"
    if engine not in ENGINES:
        raise ModelError(f"unknown model engine {engine!r}; use one of {', '.join(ENGINES)}")
    if engine == "compiled":
        estimator, meta = load_verified_compiled(path)
    else:
        estimator, meta = load_verified(path)
    labels = list(meta.get("labels") or [])
    missing = [c for c in labels if c not in lexicon.categories and c != SEXIST_LABEL]
    if missing:
        raise ModelError(
            f"{path} was trained with categories {', '.join(missing)} that the loaded lexicons do not define; "
            "load it with the lexicons it was trained with"
        )
    thresholds = {str(k): float(v) for k, v in (meta.get("thresholds") or {}).items()}
    encoder = load_encoder(path, meta)
    if encoder is not None:
        if SEXIST_LABEL not in labels:
            raise ModelError(f"{path} has an encoder but no sexist head for it to replace; retrain it")
        thresholds[SEXIST_LABEL] = encoder.threshold
    return CategoryClassifier(
        estimator=estimator, labels=labels, thresholds=thresholds, metadata=meta, path=str(path), encoder=encoder
    )
