"""The scikit-learn pieces of the sentence classifier: unit features, heads, thresholds, flag decision.

The classifier reads :class:`analyzer.model.inputs.Unit` objects, the tokens the
analyzer's own spaCy pipeline made of a text, so that the analyzer can score
sentences from the arrays it already holds (:mod:`analyzer.model.compiled`). Why
this recipe:

- **Key 1-2-grams + character 2-5-grams of each written token**
  (:class:`KeyNgrams`, :class:`CharNgrams`), idf-weighted counts divided by
  the square root of the unit's length. Keys (the normalizer's lemma of the
  de-obfuscated word) carry the phrasing ("back to the kitchen") whatever
  the spelling; character n-grams keep what keys smooth away (slang,
  fragments, "femoids"). Unlike tf-idf's l2 norm, a count over a length is a
  sum of per-token weights, which is what makes scoring from arrays possible;
  on EDOS it scored as well as the tf-idf of normalized text it replaced
  (document macro-F1 dev 0.742 / test 0.756, against 0.758 / 0.755). With idf,
  neutral mentions of women ("the new mayor is a woman...") stay below the
  sexist head's threshold; without it two of them in the functional suite did not.
- **Lexicon hits** (:class:`LexiconHits`): per category, how many lexicon
  phrases the analyzer's matcher found. The lexicon is the trainer's
  knowledge; this lets a new lexicon move the classifier before there is
  much labeled data for it.
- **Cue counts** (:class:`analyzer.model.targeting.CueCounts`): references to women
  meeting derogation, threats or praise.
- **Naive-Bayes-scaled logistic regression per label** (:class:`NBLogisticHeads`,
  "NBSVM", Wang & Manning 2012): each feature is scaled by how much more often
  it occurs in that label's positives than in its negatives, then a logistic
  regression is fitted. In 5-fold cross-validation on EDOS train + dev this
  was the change that helped most (+1.3 macro-F1 points over the same n-grams
  with plain logistic regression).
- **One head per category plus the sexist head** (:data:`SEXIST_LABEL`,
  positive when a text has one of :data:`SEXIST_CATEGORIES`). No class
  weights, so probabilities stay close to calibrated and comparable across
  heads; thresholds are chosen per head on held-out data
  (:func:`choose_threshold`, F0.5: a flag is a claim about someone's words,
  so precision weighs more than recall).
- :func:`build_flag_model` (a stacked "does this document deserve a flag"
  decision over the heads' out-of-fold probabilities) is kept for
  experiments; the shipped analyzer does not use it.

Everything a fitted estimator needs is stored in it, nothing is a lambda or
a closure, and every class lives at this stable import path, so
``joblib.load`` rebuilds it without the lexicon files. This module must not
import spaCy: the integrator's component wraps it.
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np
from joblib import Parallel, delayed
from scipy import sparse
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import fbeta_score
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from analyzer.model.labels import SEXIST_CATEGORIES, SEXIST_LABEL, with_sexist_label
from analyzer.model.word_features import char_grams

if TYPE_CHECKING:
    from analyzer.model.inputs import Unit

__all__ = [
    "SEXIST_CATEGORIES",
    "SEXIST_LABEL",
    "CharNgrams",
    "KeyNgrams",
    "LexiconHits",
    "NBLogisticHeads",
    "build_estimator",
    "build_features",
    "choose_threshold",
    "with_sexist_label",
]

DEFAULT_C = 0.03  # inverse regularization of every head: n-gram counts weighted by idf need a strong prior

# Document statistics for the flag decision. Word lists, not models: they count how often a text talks
# about women and how coarse it is, which the length-normalized n-gram features dilute.
_WOMEN = re.compile(
    r"\b(?:she|her|hers|herself|women|woman|womens|girls?|gals?|ladies|lady|females?|wife|wives|"
    r"girlfriends?|gf|moms?|mothers?|daughters?|sisters?|feminists?|feminism|bitch\w*|whores?|sluts?|"
    r"thots?|hoes?|femoids?|foids?|stac(?:y|ies)|roasties?)\b",
    re.IGNORECASE,
)
_PROFANE = re.compile(
    r"\b(?:fuck\w*|shit\w*|cunts?|dicks?|ass|asshole\w*|retard\w*|stupid|idiots?|dumb|trash|pathetic)\b",
    re.IGNORECASE,
)


def _rows(cols: list[list[int]], vals: list[list[float]], width: int) -> sparse.csr_matrix:
    """A float32 CSR matrix from per-row column and value lists (repeated columns add up)."""
    indptr = np.zeros(len(cols) + 1, dtype=np.int64)
    np.cumsum([len(c) for c in cols], out=indptr[1:])
    flat_cols = np.fromiter((c for row in cols for c in row), dtype=np.int64, count=int(indptr[-1]))
    flat_vals = np.fromiter((v for row in vals for v in row), dtype=np.float32, count=int(indptr[-1]))
    matrix = sparse.csr_matrix((flat_vals, flat_cols, indptr), shape=(len(cols), width), dtype=np.float32)
    matrix.sum_duplicates()
    return matrix


def _idf(document_counts: Sequence[int], n_documents: int) -> np.ndarray:
    """Smoothed inverse document frequency, as scikit-learn's ``TfidfVectorizer`` computes it."""
    return (np.log((1 + n_documents) / (1 + np.asarray(document_counts, dtype=np.float64))) + 1).astype(np.float32)


def _scaled(matrix: sparse.csr_matrix, weights: np.ndarray | None) -> sparse.csr_matrix:
    """Every column multiplied by its weight (none: unchanged)."""
    if weights is not None:
        matrix.data *= weights[matrix.indices]
    return matrix


class KeyNgrams(TransformerMixin, BaseEstimator):
    """Word 1- and 2-grams of a unit's keys (:class:`analyzer.model.inputs.Unit`), counts divided by sqrt(tokens).

    Why not tf-idf: its l2 norm needs the whole feature vector before any
    weight applies, while a count over a length is a sum of per-token
    weights, which the analyzer adds up from token arrays
    (:mod:`analyzer.model.compiled`); ``use_idf`` multiplies each column by its
    smoothed idf, a constant that folds into the weights. Columns: unigrams in
    sorted order, then bigrams as pairs of unigram columns (a bigram seen in
    ``min_df`` texts has both its words seen in as many).
    """

    def __init__(self, min_df: int = 2, use_idf: bool = False) -> None:
        self.min_df = min_df
        self.use_idf = use_idf

    def fit(self, X: Sequence[Unit], y: object = None) -> KeyNgrams:
        """Keep the unigrams and bigrams that occur in at least ``min_df`` units."""
        counts: Counter[Any] = Counter()
        for unit in X:
            keys = unit.keys
            counts.update(set(keys))
            counts.update(set(pairwise(keys)))
        self.unigrams_ = sorted(k for k, c in counts.items() if isinstance(k, str) and c >= self.min_df)
        column = {w: i for i, w in enumerate(self.unigrams_)}
        pairs = sorted(
            (column[a], column[b])
            for k, c in counts.items()
            if isinstance(k, tuple) and c >= self.min_df
            for a, b in [k]
        )
        self.bigrams_ = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        df = [counts[w] for w in self.unigrams_] + [counts[(self.unigrams_[a], self.unigrams_[b])] for a, b in pairs]
        self.idf_ = _idf(df, len(X)) if self.use_idf else None
        self.n_features_in_ = 1
        return self

    def transform(self, X: Sequence[Unit]) -> sparse.csr_matrix:
        """Per unit, (unigram and bigram counts) / sqrt(number of tokens)."""
        check_is_fitted(self, "unigrams_")
        unigram = {w: i for i, w in enumerate(self.unigrams_)}
        width = len(self.unigrams_)
        bigram = {(int(a), int(b)): width + i for i, (a, b) in enumerate(self.bigrams_.tolist())}
        cols: list[list[int]] = []
        vals: list[list[float]] = []
        for unit in X:
            ranks = [unigram.get(k) for k in unit.keys]
            row = [r for r in ranks if r is not None]
            row += [c for c in map(bigram.get, pairwise(ranks)) if c is not None]
            cols.append(row)
            vals.append([1.0 / np.sqrt(len(unit.keys))] * len(row) if row else [])
        return _scaled(_rows(cols, vals, width + len(self.bigrams_)), self.idf_)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        check_is_fitted(self, "unigrams_")
        pairs = [f"{self.unigrams_[a]} {self.unigrams_[b]}" for a, b in self.bigrams_.tolist()]
        return np.asarray([*self.unigrams_, *pairs], dtype=object)


class CharNgrams(TransformerMixin, BaseEstimator):
    """Character n-grams of each token as written (lowercase, padded: ``char_wb``), counts / sqrt(all n-grams).

    They carry what the keys smooth away: spellings meant to dodge a filter
    ("b1tch"), slang and word fragments. The divisor counts every n-gram of
    the unit, in the vocabulary or not, so it depends on the text alone.
    """

    def __init__(self, ngram_range: tuple[int, int] = (2, 5), min_df: int = 3, use_idf: bool = False) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.use_idf = use_idf

    def fit(self, X: Sequence[Unit], y: object = None) -> CharNgrams:
        """Keep the n-grams that occur in at least ``min_df`` units."""
        low, high = self.ngram_range
        grams: dict[str, frozenset[str]] = {}
        counts: Counter[str] = Counter()
        for unit in X:
            seen: set[str] = set()
            for word in set(unit.words):
                found = grams.get(word)
                if found is None:
                    found = grams[word] = frozenset(char_grams(word, low, high))
                seen |= found
            counts.update(seen)
        kept = sorted(g for g, c in counts.items() if c >= self.min_df)
        self.vocabulary_ = {g: i for i, g in enumerate(kept)}
        self.idf_ = _idf([counts[g] for g in kept], len(X)) if self.use_idf else None
        self.n_features_in_ = 1
        return self

    def transform(self, X: Sequence[Unit]) -> sparse.csr_matrix:
        """Per unit, n-gram counts / sqrt(the unit's number of n-grams)."""
        check_is_fitted(self, "vocabulary_")
        low, high = self.ngram_range
        vocabulary = self.vocabulary_
        known: dict[str, tuple[list[int], int]] = {}
        cols: list[list[int]] = []
        vals: list[list[float]] = []
        for unit in X:
            row: list[int] = []
            total = 0
            for word in unit.words:
                entry = known.get(word)
                if entry is None:
                    all_grams = char_grams(word, low, high)
                    entry = known[word] = ([vocabulary[g] for g in all_grams if g in vocabulary], len(all_grams))
                row += entry[0]
                total += entry[1]
            cols.append(row)
            vals.append([1.0 / np.sqrt(total)] * len(row) if total else [])
        return _scaled(_rows(cols, vals, len(vocabulary)), self.idf_)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        check_is_fitted(self, "vocabulary_")
        return np.asarray(sorted(self.vocabulary_, key=self.vocabulary_.__getitem__), dtype=object)


class LexiconHits(TransformerMixin, BaseEstimator):
    """Per category, ``log1p`` of how many lexicon phrases the analyzer's matcher found in the unit.

    The lexicon is the trainer's knowledge: this lets a new lexicon move the
    classifier before there is much labeled data for it. The matches are the
    pipeline's own (lemmas, obfuscation, hashtags), recorded on each
    :class:`~analyzer.model.inputs.Unit`, so training and use count the same thing.
    ``categories`` fixes the columns (a category with no match in the
    training data still gets its column).
    """

    def __init__(self, categories: Sequence[str] | None = None) -> None:
        self.categories = categories

    def fit(self, X: Sequence[Unit], y: object = None) -> LexiconHits:
        self.categories_ = (
            sorted(self.categories) if self.categories is not None else sorted({c for unit in X for c in unit.lexicon})
        )
        self.n_features_in_ = 1
        return self

    def transform(self, X: Sequence[Unit]) -> sparse.csr_matrix:
        check_is_fitted(self, "categories_")
        column = {c: i for i, c in enumerate(self.categories_)}
        cols: list[list[int]] = []
        vals: list[list[float]] = []
        for unit in X:
            counts = Counter(column[c] for c in unit.lexicon if c in column)
            cols.append(list(counts))
            vals.append([float(np.log1p(n)) for n in counts.values()])
        return _rows(cols, vals, len(self.categories_))

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        check_is_fitted(self, "categories_")
        return np.asarray([f"lexicon:{c}" for c in self.categories_], dtype=object)


def log_count_ratio(X: sparse.spmatrix, y: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """NB log-count ratio per feature: ``log((p/|p|₁) / (q/|q|₁))``, ``p``/``q`` smoothed document counts.

    Computed on presence (not tf-idf mass), as in NBSVM: a feature's weight
    should say how much its *occurrence* points to the label.
    """
    present = sparse.csr_matrix(X, dtype=np.float32, copy=True)  # a copy: the input may be a read-only memmap
    present.data = (present.data > 0).astype(np.float32)
    y = np.asarray(y).astype(bool)
    p = alpha + np.asarray(present[y].sum(axis=0)).ravel()
    q = alpha + np.asarray(present[~y].sum(axis=0)).ravel()
    return np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)


def _fit_head(X: sparse.csr_matrix, y: np.ndarray, C: float, alpha: float) -> tuple[np.ndarray, float]:
    """One NB-LR head, folded into a plain linear model: ``coef = ratio * lr.coef``."""
    y = np.asarray(y).astype(bool)
    n_pos = int(y.sum())
    if n_pos == 0 or n_pos == len(y):  # nothing to separate: a constant head at the (smoothed) base rate
        rate = (n_pos + 0.5) / (len(y) + 1.0)
        return np.zeros(X.shape[1], dtype=np.float32), float(np.log(rate / (1 - rate)))
    ratio = log_count_ratio(X, y, alpha)
    scaled = sparse.csr_matrix(X, dtype=np.float32, copy=True)
    scaled.data *= ratio[scaled.indices]
    lr = LogisticRegression(C=C, solver="liblinear", max_iter=1000)
    lr.fit(scaled, y)
    return (ratio * lr.coef_.ravel()).astype(np.float32), float(lr.intercept_[0])


class NBLogisticHeads(ClassifierMixin, BaseEstimator):
    """One naive-Bayes-scaled logistic regression per label column (multi-label, one-vs-rest).

    Fit with ``y`` a binary indicator matrix (n_texts, n_labels). Each head
    learns the NB ratio of its own label, so rare categories get the prior
    that helps them most. After fitting, ratio and weights are folded into one
    ``coef_`` matrix (n_labels, n_features, float32): prediction is a single
    sparse product, about 1 ms for a page of text, and the pickled model
    holds one small matrix instead of a pipeline per head. A column with no
    positive (or no negative) example gets a constant head and a warning, not a crash.
    """

    def __init__(self, C: float = 1.0, alpha: float = 1.0, n_jobs: int | None = None) -> None:
        self.C = C
        self.alpha = alpha
        self.n_jobs = n_jobs

    def fit(self, X: sparse.spmatrix, y: np.ndarray) -> NBLogisticHeads:
        """Fit every head (in threads: liblinear releases the GIL, and threads share ``X`` without copies)."""
        X = sparse.csr_matrix(X, dtype=np.float32)
        Y = np.asarray(y)
        if Y.ndim == 1:
            Y = Y.reshape(-1, 1)
        for j in range(Y.shape[1]):
            positives = int(Y[:, j].astype(bool).sum())
            if positives == 0 or positives == Y.shape[0]:
                warnings.warn(f"label column {j} has only one class: its head predicts a constant", stacklevel=2)
        heads = Parallel(n_jobs=self.n_jobs, prefer="threads")(
            delayed(_fit_head)(X, Y[:, j], self.C, self.alpha) for j in range(Y.shape[1])
        )
        self.coef_ = np.vstack([coef for coef, _ in heads]).astype(np.float32)
        self.intercept_ = np.asarray([b for _, b in heads], dtype=np.float32)
        self.n_features_in_ = X.shape[1]
        self.classes_ = np.arange(Y.shape[1])
        return self

    def decision_function(self, X: sparse.spmatrix) -> np.ndarray:
        """Per text and label, the log-odds."""
        check_is_fitted(self, "coef_")
        return np.asarray(sparse.csr_matrix(X) @ self.coef_.T) + self.intercept_

    def predict_proba(self, X: sparse.spmatrix) -> np.ndarray:
        """Per text and label, the probability (each column on its own: labels are not exclusive)."""
        return 1.0 / (1.0 + np.exp(-self.decision_function(X)))

    def predict(self, X: sparse.spmatrix) -> np.ndarray:
        """The indicator matrix at probability 0.5; the analyzer uses per-label thresholds instead."""
        return (self.decision_function(X) >= 0).astype(int)


def build_features(
    categories: Sequence[str] | None = None,
    *,
    word_min_df: int = 2,
    char_min_df: int = 3,
    char_ngrams: tuple[int, int] = (2, 5),
    cues: Mapping[str, Sequence[str]] | None = None,
) -> FeatureUnion:
    """Key n-grams + character n-grams + lexicon hits + cue counts of units, as one ``FeatureUnion`` (float32).

    ``min_df`` keeps the vocabulary (and so the model file and its load time)
    small: an n-gram seen in a single training text cannot generalise anyway.
    ``categories`` are the lexicon's (one lexicon column each); ``cues`` the
    word lists of :class:`analyzer.model.targeting.CueCounts` (the shipped ones by default).
    """
    from analyzer.model.targeting import CueCounts

    parts: list[tuple[str, Any]] = [
        ("word", KeyNgrams(min_df=word_min_df, use_idf=True)),
        ("char", CharNgrams(ngram_range=char_ngrams, min_df=char_min_df, use_idf=True)),
    ]
    if categories:
        parts.append(("lexicon", LexiconHits(sorted(categories))))
    parts.append(("targeting", CueCounts(cues)))
    return FeatureUnion(parts)


def build_estimator(
    categories: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    *,
    C: float = DEFAULT_C,
    alpha: float = 1.0,
    word_min_df: int = 2,
    char_min_df: int = 3,
    n_jobs: int | None = 2,
) -> Pipeline:
    """The unfitted classifier over :class:`~analyzer.model.inputs.Unit` objects: ``FeatureUnion`` then NB-LR heads.

    Fit it with units (:func:`analyzer.model.inputs.text_units`) and ``y`` a binary
    indicator matrix whose columns are ``labels`` (category ids, plus
    :data:`SEXIST_LABEL` via :func:`with_sexist_label`); ``predict_proba``
    gives one probability per column, to compare with per-label thresholds
    chosen on held-out data (:func:`choose_threshold`). ``labels`` does not
    change the estimator (the column order lives in ``y``); it is accepted so
    callers can say what they will fit.
    """
    del labels
    return Pipeline(
        [
            ("features", build_features(categories, word_min_df=word_min_df, char_min_df=char_min_df)),
            ("heads", NBLogisticHeads(C=C, alpha=alpha, n_jobs=n_jobs)),
        ]
    )


def choose_threshold(y_true: Sequence[int], scores: Sequence[float], *, beta: float = 0.5) -> float:
    """The score cut that maximises F-beta of one head on held-out predictions.

    ``beta=0.5`` by default: precision counts twice as much as recall, because
    a flag is a claim about someone's words and the sexist head or the flag
    decision recovers recall at the document level. (With F1-optimal cuts the
    rare heads fired on 11% of EDOS dev, two thirds of them wrongly.)
    Candidates are 401 quantiles of the scores (the lowest best one wins); with no
    positive the head never fires (1.0).
    """
    y = np.asarray(y_true).astype(bool)
    s = np.asarray(scores, dtype=np.float64)
    if not y.any():
        return 1.0
    best, best_score = 0.5, -1.0
    for t in np.unique(np.quantile(s, np.linspace(0.0, 1.0, 401))):
        score = fbeta_score(y, s >= t, beta=beta, zero_division=0)
        if score > best_score:
            best, best_score = float(t), score
    return best


# --- the document-level flag decision ------------------------------------------------------------------------------


def document_stats(texts: Sequence[str]) -> np.ndarray:
    """Per text: log words, share of capitals, log references to women, log profanity, log '!' and '?'."""
    rows = []
    for text in texts:
        letters = sum(c.isalpha() for c in text)
        rows.append(
            [
                np.log1p(len(text.split())),
                sum(c.isupper() for c in text) / max(1, letters),
                np.log1p(len(_WOMEN.findall(text))),
                np.log1p(len(_PROFANE.findall(text))),
                np.log1p(text.count("!")),
                np.log1p(text.count("?")),
            ]
        )
    return np.asarray(rows, dtype=np.float64).reshape(len(texts), 6)


def flag_features(proba: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """The flag decision's input: every head's probability, then :func:`document_stats`."""
    return np.hstack([np.asarray(proba, dtype=np.float64), document_stats(texts)])


def build_flag_model(C: float = 1.0) -> Pipeline:
    """Standardize, then logistic regression: "does this document deserve a flag?".

    Fit on ``flag_features(out_of_fold_proba, texts)`` against the
    :data:`SEXIST_LABEL` column, never on in-sample probabilities (they are
    overconfident, and the model would learn to trust the heads too much).
    """
    return Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression(C=C, max_iter=2000))])
