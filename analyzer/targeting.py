"""Who is the target, and what is said of them: a small feature block for the classifier.

n-gram features see the word "women" in praise and in abuse alike, so a
linear model learns "women" itself as a signal. These features count, per
text, references to women, derogatory words, threats and praise, and above
all their *co-occurrence* (a reference to women together with derogation or a
threat), which is what separates "Women are vermin" from "Women are brilliant
engineers". Word lists are data (``analyzer/data/hostility_cues.yml``) and
parameters of the transformer, so a pickled model carries them. The counting
itself lives in :mod:`analyzer.textprep`, shared with the compiled model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from analyzer.textprep import CUE_FEATURES, CUE_KINDS, CUES_FILE, cue_counts, cue_index, cue_sets, is_cue, load_cues

KINDS = CUE_KINDS
__all__ = ["CUES_FILE", "KINDS", "TargetedNegativity", "is_cue", "load_cues"]


class TargetedNegativity(TransformerMixin, BaseEstimator):
    """Per text: log counts of each cue kind, and of targets meeting derogation, threats or praise."""

    def __init__(self, cues: Mapping[str, Sequence[str]] | None = None) -> None:
        self.cues = cues

    def fit(self, X: Sequence[str], y: object = None) -> TargetedNegativity:
        self.words_ = cue_sets(dict(self.cues or load_cues()))
        self.index_ = cue_index(self.words_)
        self.n_features_in_ = 1
        return self

    def transform(self, X: Sequence[str]) -> sparse.csr_matrix:
        check_is_fitted(self, "index_")
        rows = [cue_counts(text, self.index_) for text in X]
        return sparse.csr_matrix(np.log1p(np.asarray(rows, dtype=np.float32)).reshape(len(rows), len(CUE_FEATURES)))

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.asarray(CUE_FEATURES, dtype=object)
