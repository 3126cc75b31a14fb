"""The fitted classifier behind the component: its estimator, labels, thresholds, and how it is loaded.

Kept apart from the spaCy component (:mod:`analyzer.pipeline.classifier`) so the
decision logic (which sentence, which gate) and the model (features, scores,
explanations) change independently. The estimator is the compiled copy of
the trained pipeline (:mod:`analyzer.model.compiled`: numpy only, no pickle) when the
model folder has one, which is the default; ``ALLYSHIP_MODEL_ENGINE=sklearn``
runs the scikit-learn pipeline itself (``model.joblib``) instead.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.lexicon.loader import Lexicon
from analyzer.model.compiled import CompiledModel, Scored
from analyzer.model.inputs import TokenBatch
from analyzer.model.labels import SEXIST_LABEL

ENGINES = ("compiled", "sklearn")


def to_shared_scale(probability: float, threshold: float) -> float:
    """Map a probability so that the category's threshold becomes 0.5."""
    threshold = min(max(threshold, 1e-6), 1 - 1e-6)
    if probability < threshold:
        return 0.5 * probability / threshold
    return 0.5 + 0.5 * (probability - threshold) / (1 - threshold)


@dataclass
class CategoryClassifier:
    """A fitted estimator with its labels, thresholds and where it came from.

    ``estimator`` is a :class:`~analyzer.model.compiled.CompiledModel` or a fitted
    scikit-learn pipeline over :class:`~analyzer.model.inputs.Unit` objects; both
    give one probability per label and unit of a :class:`~analyzer.model.inputs.TokenBatch`.
    """

    estimator: Any
    labels: list[str]
    thresholds: dict[str, float]
    metadata: dict[str, Any] = field(default_factory=dict)
    path: str | None = None
    _batch: TokenBatch | None = field(default=None, repr=False)
    _last: Scored | None = field(default=None, repr=False)
    _explainer: CompiledModel | None = field(default=None, repr=False)

    @property
    def engine(self) -> str:
        return "compiled" if isinstance(self.estimator, CompiledModel) else "sklearn"

    def predict_batch(self, batch: TokenBatch) -> np.ndarray:
        """One row of probabilities per unit of ``batch``; the batch is kept for :meth:`top_words`."""
        self._batch, self._last = batch, None
        if isinstance(self.estimator, CompiledModel):
            self._last = self.estimator.score(batch)  # its token weights come with the scores
            return _sigmoid(self._last.logits)
        if not len(batch.starts):
            return np.zeros((0, len(self.labels)))
        return np.asarray(self.estimator.predict_proba(batch_units(batch)))

    def predict_units(self, units: Sequence[Any]) -> np.ndarray:
        """Probabilities of :class:`~analyzer.model.inputs.Unit` objects (training's view of texts)."""
        return self.predict_batch(TokenBatch.from_units(units))

    def top_words(self, unit: int, label_index: int, k: int = 5) -> tuple[str, ...]:
        """The words of unit ``unit`` of the last batch that weighed most for ``label_index``, stop words left out.

        A word is shown as written when it is plain letters, else by its key
        ("wom3n" is shown as "woman"); tokens of the same word add up.
        """
        from spacy.lang.en.stop_words import STOP_WORDS

        scored = self._scored()
        if scored is None or not 0 <= unit < len(scored.batch.starts):
            return ()
        weights = self._scorer.contributions(scored, unit, label_index)
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

    def _scored(self) -> Scored | None:
        """The last batch's token weights; with the scikit-learn engine, worked out when an explanation asks."""
        if self._last is None and self._batch is not None:
            self._last = self._scorer.score(self._batch)
        return self._last

    @property
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


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-logits))


def load_model(path: str | Path, lexicon: Lexicon, engine: str | None = None) -> CategoryClassifier:
    """Load a verified model folder; its categories must all be in ``lexicon``.

    ``engine`` is ``"compiled"`` (the default when the folder has a compiled
    copy) or ``"sklearn"``; ``ALLYSHIP_MODEL_ENGINE`` sets it when not given.
    """
    from analyzer.errors import ModelError
    from analyzer.model.compiled import COMPILED_FILE
    from analyzer.model.folders import load_verified, load_verified_compiled, read_metadata

    engine = engine or os.environ.get("ALLYSHIP_MODEL_ENGINE") or None
    if engine is not None and engine not in ENGINES:
        raise ModelError(f"unknown model engine {engine!r}; use one of {', '.join(ENGINES)}")
    if engine is None:
        engine = "compiled" if COMPILED_FILE in (read_metadata(path).get("files") or {}) else "sklearn"
    if engine == "compiled":
        estimator, meta = load_verified_compiled(path)
    else:
        estimator, meta = load_verified(path)
    labels = list(meta.get("labels") or [])
    missing = [c for c in labels if c not in lexicon.categories and c != SEXIST_LABEL]
    if missing:
        raise ModelError(
            f"{path} was trained with categories {', '.join(missing)} that the loaded lexicons do not define; "
            "pass the same --lexicons you trained with"
        )
    thresholds = {str(k): float(v) for k, v in (meta.get("thresholds") or {}).items()}
    return CategoryClassifier(estimator=estimator, labels=labels, thresholds=thresholds, metadata=meta, path=str(path))
