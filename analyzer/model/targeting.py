"""Who is the target, and what is said of them: a small feature block for the classifier.

n-gram features see the word "women" in praise and in abuse alike, so a
linear model learns "women" itself as a signal. These features count, per
text, references to women, derogatory words, threats and praise, and above
all their *co-occurrence* (a reference to women together with derogation or a
threat), which is what separates "Women are vermin" from "Women are brilliant
engineers". Word lists are data (``analyzer/data/hostility_cues.yml``) and
parameters of the transformer, so a pickled model carries them; the compiled
model (:mod:`analyzer.model.compiled`) counts the same tokens from arrays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from analyzer.model.word_features import (
    CUE_FEATURES,
    CUE_KINDS,
    CUES_FILE,
    cue_features,
    cue_index,
    cue_sets,
    is_cue,
    load_cues,
)

if TYPE_CHECKING:
    from analyzer.model.inputs import Unit

KINDS = CUE_KINDS
__all__ = ["CUES_FILE", "KINDS", "CueCounts", "is_cue", "load_cues"]


class CueCounts(TransformerMixin, BaseEstimator):
    """Per unit: log counts of each cue kind, and of targets meeting derogation, threats or praise.

    A token is a cue of a kind when its key (lemma, de-obfuscated) or its
    lowercase form is in that kind's list, plurals included ("femoids" as "femoid").
    """

    def __init__(self, cues: Mapping[str, Sequence[str]] | None = None) -> None:
        self.cues = cues

    def fit(self, X: Sequence[Unit], y: object = None) -> CueCounts:
        self.words_ = cue_sets(dict(self.cues or load_cues()))
        self.index_ = cue_index(self.words_)
        self.n_features_in_ = 1
        return self

    def transform(self, X: Sequence[Unit]) -> sparse.csr_matrix:
        check_is_fitted(self, "index_")
        index = self.index_
        rows = []
        for unit in X:
            totals = [0, 0, 0, 0]
            for key, word in zip(unit.keys, unit.words, strict=True):
                for position in set(index.get(key, ())) | set(index.get(word, ())):
                    totals[position] += 1
            rows.append(cue_features(totals))
        return sparse.csr_matrix(np.log1p(np.asarray(rows, dtype=np.float32)).reshape(len(rows), len(CUE_FEATURES)))

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.asarray(CUE_FEATURES, dtype=object)
