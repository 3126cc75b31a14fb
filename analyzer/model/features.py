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

Everything a fitted estimator needs is stored in it, nothing is a lambda or
a closure, and every class lives at this stable import path, so
``joblib.load`` rebuilds it without the lexicon files. This module must not
import spaCy: the integrator's component wraps it.
"""

from __future__ import annotations

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
from sklearn.utils.validation import check_is_fitted

from analyzer.model.sexist_head import SEXIST_CATEGORIES, SEXIST_LABEL, with_sexist_label
from analyzer.model.word_features import IDENTITY_KEY, char_grams, is_identity, load_identity_terms

if TYPE_CHECKING:
    from analyzer.model.inputs import Unit

__all__ = [
    "SEXIST_CATEGORIES",
    "SEXIST_LABEL",
    "CharNgrams",
    "KeyNgrams",
    "LexiconHits",
    "NBLogisticHeads",
    "WordVectors",
    "build_estimator",
    "build_features",
    "choose_threshold",
    "with_sexist_label",
]

MENTION_FREE_CUES = False  # True: the cue columns that only count references to women stay zero (CueCounts)
IDENTITY_ABSTRACTION = False  # True: identity words weigh nothing in n-grams (see KeyNgrams); measured, not shipped
DEFAULT_C = 0.03  # inverse regularization of every head: n-gram counts weighted by idf need a strong prior



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

    ``identity`` (words of ``analyzer/data/identity_terms.yml``): each such
    token reads as :data:`~analyzer.model.word_features.IDENTITY_KEY`, whose unigram
    column is never set, so its weight stays zero: who is named cannot be
    evidence by itself, while bigrams keep what is said of them.
    """

    def __init__(self, min_df: int = 2, use_idf: bool = False, identity: Sequence[str] | None = None) -> None:
        self.min_df = min_df
        self.use_idf = use_idf
        self.identity = identity

    def _keys(self, unit: Unit) -> tuple[str, ...]:
        identity = getattr(self, "identity_", frozenset())  # models fitted before identity words existed
        if not identity:
            return unit.keys
        return tuple(
            IDENTITY_KEY if is_identity(k, w, identity) else k for k, w in zip(unit.keys, unit.words, strict=True)
        )

    def fit(self, X: Sequence[Unit], y: object = None) -> KeyNgrams:
        """Keep the unigrams and bigrams that occur in at least ``min_df`` units."""
        self.identity_ = frozenset(self.identity or ())
        counts: Counter[Any] = Counter()
        for unit in X:
            keys = self._keys(unit)
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
        silent = unigram.get(IDENTITY_KEY)  # its unigram column stays empty: a zero weight
        cols: list[list[int]] = []
        vals: list[list[float]] = []
        for unit in X:
            ranks = [unigram.get(k) for k in self._keys(unit)]
            row = [r for r in ranks if r is not None and r != silent]
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
    An ``identity`` word (see :class:`KeyNgrams`) adds no n-gram, only to that count.
    """

    def __init__(
        self,
        ngram_range: tuple[int, int] = (2, 5),
        min_df: int = 3,
        use_idf: bool = False,
        identity: Sequence[str] | None = None,
    ) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.use_idf = use_idf
        self.identity = identity

    def _spoken(self, unit: Unit) -> set[str]:
        """The distinct written words of ``unit`` that are not identity words (by key or as written)."""
        identity = self.identity_
        if not identity:
            return set(unit.words)
        return {w for k, w in zip(unit.keys, unit.words, strict=True) if not is_identity(k, w, identity)}

    def fit(self, X: Sequence[Unit], y: object = None) -> CharNgrams:
        """Keep the n-grams that occur in at least ``min_df`` units."""
        self.identity_ = frozenset(self.identity or ())
        low, high = self.ngram_range
        grams: dict[str, frozenset[str]] = {}
        counts: Counter[str] = Counter()
        for unit in X:
            seen: set[str] = set()
            for word in self._spoken(unit):
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
        identity = getattr(self, "identity_", frozenset())  # models fitted before identity words existed
        known: dict[str, tuple[list[int], int]] = {}
        cols: list[list[int]] = []
        vals: list[list[float]] = []
        for unit in X:
            row: list[int] = []
            total = 0
            for key, word in zip(unit.keys, unit.words, strict=True):
                entry = known.get(word)
                if entry is None:
                    all_grams = char_grams(word, low, high)
                    entry = known[word] = ([vocabulary[g] for g in all_grams if g in vocabulary], len(all_grams))
                if not (identity and is_identity(key, word, identity)):
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


class WordVectors(TransformerMixin, BaseEstimator):
    """The mean pretrained vector of a unit's keys (:mod:`analyzer.model.embeddings`), standardized, times ``scale``.

    What it adds: words the n-grams never saw still land near words they did
    ("stove" near "kitchen"), so a claim in new words can score. Why a mean
    over the unit's tokens and a linear head on it: the head's weight on the
    block, folded over the table, is one number per word, and the unit's
    contribution is their sum divided by the number of tokens, which the
    compiled model adds up from token arrays like the n-gram weights. A key
    outside ``vocabulary_`` (the training keys plus the table's whole-word
    tokens) adds nothing but still counts in the divisor, so both paths agree
    on every text. Fit the heads with ``plain_columns`` equal to this block's
    width and the block last in the union (its columns are dense and signed).
    With ``sif`` set, the vocabulary keeps words with a letter only and each
    word's vector is weighted ``sif / (sif + its share of training tokens)``
    (Arora et al. 2017: frequent words say little about the sentence).
    """

    def __init__(self, scale: float = 0.3, sif: float | None = None) -> None:
        self.scale = scale
        self.sif = sif

    def word_weights(self) -> np.ndarray:
        """Per word of ``vocabulary_``, the weight of its vector in the mean (ones without ``sif``)."""
        weights = getattr(self, "weights_", None)
        return np.ones(len(self.vocabulary_), dtype=np.float32) if weights is None else weights

    def _mean_vectors(self, X: Sequence[Unit]) -> np.ndarray:
        from analyzer.model.embeddings import load_table

        table = load_table()
        known = self._known
        keys = sorted({k for unit in X for k in unit.keys if k in known})
        row = {k: i for i, k in enumerate(keys)}
        vectors = table.vectors(keys) if keys else np.zeros((0, table.dimensions), np.float32)
        if getattr(self, "weights_", None) is not None and keys:
            position = {w: i for i, w in enumerate(self.vocabulary_)}
            vectors = vectors * self.weights_[[position[k] for k in keys]][:, None]
        out = np.zeros((len(X), table.dimensions), dtype=np.float64)
        for i, unit in enumerate(X):
            rows = [row[k] for k in unit.keys if k in row]
            if rows:
                out[i] = vectors[rows].sum(axis=0, dtype=np.float64) / len(unit.keys)
        return out

    def fit(self, X: Sequence[Unit], y: object = None) -> WordVectors:
        """Fix the vocabulary, and the mean and spread of the block on the training units."""
        from analyzer.model.embeddings import TABLE_ID, whole_words

        self.table_ = TABLE_ID
        self.vocabulary_ = sorted({k for unit in X for k in unit.keys if k.strip()} | set(whole_words()))
        self.weights_ = None
        if self.sif:
            counts = Counter(k for unit in X for k in unit.keys)
            total = max(1, sum(counts.values()))
            self.vocabulary_ = [w for w in self.vocabulary_ if any(c.isalpha() for c in w)]
            shares = np.asarray([counts[w] / total for w in self.vocabulary_], dtype=np.float64)
            self.weights_ = (self.sif / (self.sif + shares)).astype(np.float32)
        self._known = frozenset(self.vocabulary_)
        means = self._mean_vectors(X)
        self.mean_ = means.mean(axis=0)
        self.std_ = np.maximum(means.std(axis=0), 1e-6)
        self.n_features_in_ = 1
        return self

    def transform(self, X: Sequence[Unit]) -> sparse.csr_matrix:
        """Per unit, ``scale * (mean vector - mean_) / std_`` (dense values in a sparse matrix, for the union)."""
        check_is_fitted(self, "vocabulary_")
        if getattr(self, "_known", None) is None:
            self._known = frozenset(self.vocabulary_)
        block = (self._mean_vectors(X) - self.mean_) / self.std_ * self.scale
        return sparse.csr_matrix(block.astype(np.float32))

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_known", None)  # rebuilt from vocabulary_: the pickle keeps one copy of the words
        return state

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        check_is_fitted(self, "vocabulary_")
        return np.asarray([f"vector:{d}" for d in range(len(self.mean_))], dtype=object)


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


def _fit_head(
    X: sparse.csr_matrix, y: np.ndarray, C: float, alpha: float, plain_columns: int = 0
) -> tuple[np.ndarray, float]:
    """One NB-LR head, folded into a plain linear model: ``coef = ratio * lr.coef``.

    The last ``plain_columns`` columns keep a ratio of 1: a dense, signed block
    (word vectors) has no "occurrence" for a count ratio to weigh.
    """
    y = np.asarray(y).astype(bool)
    n_pos = int(y.sum())
    if n_pos == 0 or n_pos == len(y):  # nothing to separate: a constant head at the (smoothed) base rate
        rate = (n_pos + 0.5) / (len(y) + 1.0)
        return np.zeros(X.shape[1], dtype=np.float32), float(np.log(rate / (1 - rate)))
    ratio = log_count_ratio(X, y, alpha)
    if plain_columns:
        ratio[-plain_columns:] = 1.0
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

    def __init__(self, C: float = 1.0, alpha: float = 1.0, n_jobs: int | None = None, plain_columns: int = 0) -> None:
        self.C = C
        self.alpha = alpha
        self.n_jobs = n_jobs
        self.plain_columns = plain_columns

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
            delayed(_fit_head)(X, Y[:, j], self.C, self.alpha, getattr(self, "plain_columns", 0))
            for j in range(Y.shape[1])
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
    identity: Sequence[str] | None = None,
    word_vectors: float | None = None,
    vector_sif: float | None = None,
) -> FeatureUnion:
    """Key n-grams + character n-grams + lexicon hits + cue counts of units, as one ``FeatureUnion`` (float32).

    ``min_df`` keeps the vocabulary (and so the model file and its load time)
    small: an n-gram seen in a single training text cannot generalise anyway.
    ``categories`` are the lexicon's (one lexicon column each); ``cues`` the
    word lists of :class:`analyzer.model.targeting.CueCounts` (the shipped ones by default);
    ``identity`` the words n-grams read as one weightless placeholder (the shipped
    ``identity_terms.yml`` by default; ``()`` for none).
    ``word_vectors``, when set, adds :class:`WordVectors` with that scale as the last block.
    """
    from analyzer.model.targeting import CueCounts

    if identity is None:
        identity = load_identity_terms() if IDENTITY_ABSTRACTION else ()
    parts: list[tuple[str, Any]] = [
        ("word", KeyNgrams(min_df=word_min_df, use_idf=True, identity=tuple(identity))),
        ("char", CharNgrams(ngram_range=char_ngrams, min_df=char_min_df, use_idf=True, identity=tuple(identity))),
    ]
    if categories:
        parts.append(("lexicon", LexiconHits(sorted(categories))))
    parts.append(("targeting", CueCounts(cues, mention_free=MENTION_FREE_CUES)))
    if word_vectors:
        # last: the heads leave its columns unscaled
        parts.append(("vectors", WordVectors(scale=word_vectors, sif=vector_sif)))
    return FeatureUnion(parts)


def build_estimator(
    categories: Sequence[str] | None = None,
    *,
    C: float = DEFAULT_C,
    alpha: float = 1.0,
    word_min_df: int = 2,
    char_min_df: int = 3,
    n_jobs: int | None = 2,
    word_vectors: float | None = None,
    vector_sif: float | None = None,
) -> Pipeline:
    """The unfitted classifier over :class:`~analyzer.model.inputs.Unit` objects: ``FeatureUnion`` then NB-LR heads.

    Fit it with units (:func:`analyzer.training.parsing.text_units`) and ``y`` a binary
    indicator matrix with one column per label (category ids, plus
    :data:`SEXIST_LABEL` via :func:`with_sexist_label`); ``predict_proba``
    gives one probability per column, to compare with per-label thresholds
    chosen on held-out data (:func:`choose_threshold`).
    """
    features = build_features(
        categories,
        word_min_df=word_min_df,
        char_min_df=char_min_df,
        word_vectors=word_vectors,
        vector_sif=vector_sif,
    )
    plain = vector_width() if word_vectors else 0
    return Pipeline(
        [
            ("features", features),
            ("heads", NBLogisticHeads(C=C, alpha=alpha, n_jobs=n_jobs, plain_columns=plain)),
        ]
    )


def vector_width() -> int:
    """How many columns :class:`WordVectors` adds (the pinned table's dimensions)."""
    from analyzer.model.embeddings import load_table

    return load_table().dimensions


PLATEAU = 0.003  # cuts scoring within this of the best are equally good: the middle one is taken


def choose_threshold(y_true: Sequence[int], scores: Sequence[float], *, beta: float = 0.5) -> float:
    """The score cut that maximises F-beta of one head on held-out predictions.

    ``beta=0.5`` by default: precision counts twice as much as recall, because
    a flag is a claim about someone's words and the sexist head or the flag
    decision recovers recall at the document level. (With F1-optimal cuts the
    rare heads fired on 11% of EDOS dev, two thirds of them wrongly.)
    Candidates are 401 quantiles of the scores; of those within :data:`PLATEAU` of
    the best, the middle one (see :func:`plateau_middle`). With no positive the
    head never fires (1.0).
    """
    y = np.asarray(y_true).astype(bool)
    s = np.asarray(scores, dtype=np.float64)
    if not y.any():
        return 1.0
    candidates = np.unique(np.quantile(s, np.linspace(0.0, 1.0, 401)))
    return plateau_middle(candidates, [fbeta_score(y, s >= t, beta=beta, zero_division=0) for t in candidates])


def plateau_middle(candidates: Sequence[float], scores: Sequence[float]) -> float:
    """The median of the candidate cuts whose score is within :data:`PLATEAU` of the best.

    A score curve is often flat over a range of cuts; its highest point then
    moves with every added example, while the middle of the flat part stays put,
    so a retrain with a few more rows does not swing what gets flagged.
    """
    values = np.asarray(scores, dtype=np.float64)
    near = np.asarray(candidates, dtype=np.float64)[values >= values.max() - PLATEAU]
    return float(near[(len(near) - 1) // 2])
