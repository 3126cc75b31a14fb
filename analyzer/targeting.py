"""Who is the target, and what is said of them: a small feature block for the classifier.

n-gram features see the word "women" in praise and in abuse alike, so a
linear model learns "women" itself as a signal. These features count, per
text, references to women, derogatory words, threats and praise, and above
all their *co-occurrence* (a reference to women together with derogation or a
threat), which is what separates "Women are vermin" from "Women are brilliant
engineers". Word lists are data (``analyzer/data/hostility_cues.yml``) and
parameters of the transformer, so a pickled model carries them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import yaml
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

CUES_FILE = Path(__file__).resolve().parent / "data" / "hostility_cues.yml"
KINDS = ("targets", "derogation", "threat", "praise")
_WORD = re.compile(r"[a-z]+")


def is_cue(word: str, vocabulary: frozenset[str] | set[str]) -> bool:
    """A word of a cue list, as written or as a plural ("women's" arrives here as "womens")."""
    return word in vocabulary or (word.endswith("s") and word[:-1] in vocabulary)


def load_cues(path: Path = CUES_FILE) -> dict[str, list[str]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {kind: sorted({str(w).lower() for w in raw.get(kind, [])}) for kind in KINDS}


class TargetedNegativity(TransformerMixin, BaseEstimator):
    """Per text: log counts of each cue kind, and of targets meeting derogation, threats or praise."""

    def __init__(self, cues: Mapping[str, Sequence[str]] | None = None) -> None:
        self.cues = cues

    def fit(self, X: Sequence[str], y: object = None) -> TargetedNegativity:
        cues = dict(self.cues or load_cues())
        self.words_ = {kind: frozenset(cues.get(kind, ())) for kind in KINDS}
        self.n_features_in_ = 1
        return self

    def _count(self, words: list[str], kind: str) -> int:
        vocabulary = self.words_[kind]
        return sum(1 for w in words if is_cue(w, vocabulary))

    def transform(self, X: Sequence[str]) -> sparse.csr_matrix:
        check_is_fitted(self, "words_")
        rows = []
        for text in X:
            words = _WORD.findall(text.lower().replace("'", ""))
            target, derogation, threat, praise = (self._count(words, kind) for kind in KINDS)
            rows.append(
                [
                    target,
                    derogation,
                    threat,
                    praise,
                    min(target, derogation),
                    min(target, threat),
                    min(target, praise),
                    float(target > 0 and derogation == 0 and threat == 0),
                ]
            )
        return sparse.csr_matrix(np.log1p(np.asarray(rows, dtype=np.float32)).reshape(len(rows), 8))

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        return np.asarray(
            [
                "target",
                "derogation",
                "threat",
                "praise",
                "target_x_derogation",
                "target_x_threat",
                "target_x_praise",
                "target_only",
            ],
            dtype=object,
        )
