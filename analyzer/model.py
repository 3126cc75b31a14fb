"""The fitted classifier behind the component: its estimator, labels, thresholds, and how it is loaded.

Kept apart from the spaCy component (:mod:`analyzer.classifier`) so the
decision logic (which sentence, which gate) and the model (features, scores,
explanations) change independently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from analyzer.features import SEXIST_LABEL
from analyzer.lexicon import Lexicon


def to_shared_scale(probability: float, threshold: float) -> float:
    """Map a probability so that the category's threshold becomes 0.5."""
    threshold = min(max(threshold, 1e-6), 1 - 1e-6)
    if probability < threshold:
        return 0.5 * probability / threshold
    return 0.5 + 0.5 * (probability - threshold) / (1 - threshold)


@dataclass
class CategoryClassifier:
    """A fitted estimator with its labels, thresholds and where it came from."""

    estimator: Any
    labels: list[str]
    thresholds: dict[str, float]
    metadata: dict[str, Any] = field(default_factory=dict)
    path: str | None = None
    _last: tuple[list[str], list[str], Any] | None = field(default=None, repr=False)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """One row of probabilities per text; keeps the features for :meth:`top_words`."""
        if not texts:
            return np.zeros((0, len(self.labels)))
        steps = getattr(self.estimator, "named_steps", {})
        if {"normalize", "features", "heads"} <= set(steps):
            # Transform once and keep the features: explanations reuse them instead of recomputing.
            normalized = steps["normalize"].transform(list(texts))
            features = steps["features"].transform(normalized)
            self._last = (list(texts), normalized, sparse.csr_matrix(features))
            return np.asarray(steps["heads"].predict_proba(features))
        self._last = None
        return np.asarray(self.estimator.predict_proba(list(texts)))

    def top_words(self, text: str, label_index: int, k: int = 5) -> tuple[str, ...]:
        """The words of ``text`` that weighed most for ``label_index``, stop words left out (best effort)."""
        from spacy.lang.en.stop_words import STOP_WORDS

        ranked = self._ranked_words(text, label_index, k + 10)
        return tuple([w for w in ranked if w.isalpha() and w not in STOP_WORDS][:k])

    def _ranked_words(self, text: str, label_index: int, k: int) -> tuple[str, ...]:
        from analyzer.features import explain_row, explain_top_words

        try:
            last = self._last
            if last is not None:
                texts, normalized, features = last
                try:
                    row = texts.index(text)
                except ValueError:
                    row = -1
                if row >= 0:
                    return tuple(explain_row(self.estimator, normalized[row], features[row], label_index, k))
            return tuple(explain_top_words(self.estimator, text, label_index, k))
        except Exception:  # explanations are best effort; the decision stands without them
            return ()


def load_model(path: str | Path, lexicon: Lexicon) -> CategoryClassifier:
    """Load a verified model folder; its categories must all be in ``lexicon``."""
    from analyzer.artifacts import load_verified
    from analyzer.errors import ModelError

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
