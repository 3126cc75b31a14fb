"""The fitted classifier behind the component: its estimator, labels, thresholds, and how it is loaded.

Kept apart from the spaCy component (:mod:`analyzer.classifier`) so the
decision logic (which sentence, which gate) and the model (features, scores,
explanations) change independently. The estimator is the compiled copy of
the trained pipeline (:mod:`analyzer.compiled`: numpy only, no pickle) when the
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

from analyzer.compiled import CompiledModel
from analyzer.labels import SEXIST_LABEL
from analyzer.lexicon import Lexicon

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

    ``estimator`` is a :class:`~analyzer.compiled.CompiledModel` or a fitted
    scikit-learn pipeline; both give one probability per label.
    """

    estimator: Any
    labels: list[str]
    thresholds: dict[str, float]
    metadata: dict[str, Any] = field(default_factory=dict)
    path: str | None = None
    _last: tuple[dict[str, int], list[str], Any] | None = field(default=None, repr=False)

    @property
    def engine(self) -> str:
        return "compiled" if isinstance(self.estimator, CompiledModel) else "sklearn"

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """One row of probabilities per text; keeps the features for :meth:`top_words`."""
        if not texts:
            return np.zeros((0, len(self.labels)))
        rows = {text: i for i, text in enumerate(texts)}
        estimator = self.estimator
        if isinstance(estimator, CompiledModel):
            prepared = estimator.prepare(texts)
            features = estimator.features(prepared)
            self._last = (rows, prepared, features)
            return _sigmoid(estimator.decision(features))
        steps = getattr(estimator, "named_steps", {})
        if {"normalize", "features", "heads"} <= set(steps):
            # Transform once and keep the features: explanations reuse them instead of recomputing.
            from scipy import sparse

            normalized = steps["normalize"].transform(list(texts))
            features = sparse.csr_matrix(steps["features"].transform(normalized))
            self._last = (rows, normalized, features)
            return np.asarray(steps["heads"].predict_proba(features))
        self._last = None
        return np.asarray(estimator.predict_proba(list(texts)))

    def predict_tiles(
        self, pieces: Sequence[str], wanted: Sequence[int], groups: Sequence[tuple[int, int]], keys: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Probabilities of the ``wanted`` pieces and of each group of consecutive pieces read as one text.

        ``"".join(pieces[start:end])`` is a group's text; ``keys`` names each
        wanted piece for :meth:`top_words`. The compiled model reuses the
        pieces' n-gram counts for the groups (:meth:`CompiledModel.tiled_features`);
        the scikit-learn pipeline scores the joined texts.
        """
        estimator = self.estimator
        if not isinstance(estimator, CompiledModel):
            wholes = ["".join(pieces[start:end]) for start, end in groups]
            probabilities = self.predict_proba([*(pieces[i] for i in wanted), *wholes])
            if self._last is not None:  # explanations are asked for by key, not by piece text
                self._last = ({key: i for i, key in enumerate(keys)}, *self._last[1:])
            return probabilities[: len(keys)], probabilities[len(keys) :]
        prepared = estimator.prepare(pieces)
        # A group of one wanted piece (a post that is one sentence) is that piece's row: not scored twice.
        row_of = {piece: row for row, piece in enumerate(wanted)}
        same = [row_of.get(start) if end - start == 1 else None for start, end in groups]
        rest = [group for group, row in zip(groups, same, strict=True) if row is None]
        own, joined = estimator.tiled_features(prepared, wanted, rest)
        self._last = ({key: i for i, key in enumerate(keys)}, [prepared[i] for i in wanted], own)
        units, others = _sigmoid(estimator.decision(own)), iter(_sigmoid(estimator.decision(joined)))
        wholes = np.asarray([units[row] if row is not None else next(others) for row in same])
        return units, wholes.reshape(len(groups), units.shape[1])

    def top_words(self, text: str, label_index: int, k: int = 5) -> tuple[str, ...]:
        """The words of ``text`` that weighed most for ``label_index``, stop words left out (best effort)."""
        from spacy.lang.en.stop_words import STOP_WORDS

        try:
            ranked = self._ranked_words(text, label_index, k + 10)
        except Exception:  # explanations are best effort; the decision stands without them
            return ()
        return tuple([w for w in ranked if len(w) > 1 and w.isalpha() and w not in STOP_WORDS][:k])

    def _ranked_words(self, text: str, label_index: int, k: int) -> list[str]:
        estimator = self.estimator
        if self._last is None or text not in self._last[0]:
            self.predict_proba([text])
        assert self._last is not None
        rows, prepared, features = self._last
        row = rows[text]
        if isinstance(estimator, CompiledModel):
            return estimator.explain(prepared[row], *features.row(row), label_index, k)
        from analyzer.features import explain_row

        return explain_row(estimator, prepared[row], features[row], label_index, k)


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-logits))


def load_model(path: str | Path, lexicon: Lexicon, engine: str | None = None) -> CategoryClassifier:
    """Load a verified model folder; its categories must all be in ``lexicon``.

    ``engine`` is ``"compiled"`` (the default when the folder has a compiled
    copy) or ``"sklearn"``; ``ALLYSHIP_MODEL_ENGINE`` sets it when not given.
    """
    from analyzer.artifacts import load_verified, load_verified_compiled, read_metadata
    from analyzer.compiled import COMPILED_FILE
    from analyzer.errors import ModelError

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
