"""Classifier features from spaCy token arrays: do they keep EDOS accuracy, and how fast is the decision?

Why this exists (issue 7, performance): ``analyze_many`` must reach 25 % of
the throughput of spaCy's blank tokenizer. The classifier stage
(``analyzer/compiled.py`` + ``analyzer/classifier.py``) costs about 225 µs per
EDOS post (``bench/RESULTS.md``, Stages), most of it recomputing the
``build_features`` n-grams (tf-idf word 1-2 + char_wb 2-5, sublinear tf, l2
norm) from text in Python, although the pipeline already holds every token as
spaCy arrays. The plan is a featurizer that works on those arrays. The l2 norm
is what stands in its way: it needs the whole feature vector before any
weight can be applied. Dividing raw counts by a length (sqrt of the number of
tokens for word n-grams, sqrt of the number of character n-grams for the
char block) keeps the decision linear in the tokens, so every token just adds
a precomputed weight vector (all heads at once) and a sentence's decision is a
sum. This script is the evidence for that plan, in two parts:

1. **Accuracy.** Sexist vs not sexist on EDOS with one head:

   - ``A_*`` the reference: normalized text (:func:`analyzer.features.normalize_text`),
     ``build_features(None)`` exactly as the analyzer builds it (no lexicon block);
   - ``B`` / ``C_*`` array-friendly: every token of the project's own pipeline
     (``Analyzer(model=None).nlp``; its lemma key or the lowercase form;
     whitespace tokens included, as in the first exploration), word
     unigrams + bigrams (``min_df`` 2) and char_wb 2-5-grams of each lowercase
     token padded with one space (``min_df`` 3), counts (times a smoothed idf
     from the fitting rows, or not) divided by sqrt(length) (or by the length,
     ``plain``).

   Heads: ``nb`` is the analyzer's NB-scaled logistic regression
   (:func:`analyzer.features._fit_head`, alpha 1), ``lr`` plain liblinear
   logistic regression. Protocol: vocabularies, idf and the head are fitted on
   EDOS **train**; C (grid 0.003-10) and the threshold (the exact cut that
   maximises macro-F1) are chosen on EDOS **dev**; **test** is scored once per
   variant at that C and threshold. A noise check follows: 5-fold stratified
   cross-validation on train + dev (features refitted per fold), C in
   {C*/3, C*, 3 C*} around the dev choice, macro-F1 at each fold's best cut.

2. **Speed.** The best array-friendly variant on dev is folded into weight
   tables: per unigram and per bigram ``coef × idf``; per distinct lowercase
   word, the sum of its char n-gram weights and its n-gram count (cached the
   first time the word is seen). The measured path then takes a batch of
   parsed docs, reads ``to_array([key, LOWER, SENT_START])``, finds unigrams by
   ``searchsorted`` on sorted hashes, bigrams by a combined index of the two
   unigram ranks (within a sentence), and sums per sentence with
   ``np.add.reduceat``. Before any timing it is **checked against the fitted
   scikit-learn model** on every test post, per post and per sentence
   (sentences rebuilt from ``doc.sents`` as string token lists and pushed
   through the scikit-learn vectorizers): the maximum absolute difference of
   decision values is printed and must stay below 1e-3. The weights are
   tiled to ``--heads`` columns (default 9, the shipped model's number of
   heads) so the timing pays for every head, as the prototype did; the
   columns are copies of the one fitted head.

What it does not do: it is evidence, not the analyzer's code. Nothing in
``analyzer`` or ``tests`` imports it. It has no lexicon or cue block, no
category heads and no flag model (the shipped recipe has all three), so its
F1 figures compare feature sets with one head, not the shipped decision;
the 0.80 target of issue 3 is not in question here. The fast path starts
from parsed docs (parsing is timed once, for scale, not in its figures) and
its word cache is warm after the first pass over the same posts, as a
long-running analyzer's would be; the cold first pass is reported too.

Figures (2-core machine, script pinned to one core with ``taskset -c 1``;
EDOS train 14,000 / dev 2,000 / test 4,000 posts; test scored once per variant;
``CV`` is the 5-fold mean (sd) on train + dev):

| variant | features | C | dev macro-F1 | test macro-F1 | CV macro-F1 |
| --- | ---: | ---: | ---: | ---: | ---: |
| A_ref_nb (the analyzer's n-grams, NB-LR) | 95,826 | 1 | 0.7667 | 0.7874 | 0.7811 (0.0089) |
| A_ref_lr (the same, plain LR) | 95,826 | 3 | 0.7698 | 0.7753 | 0.7692 (0.0085) |
| B_lemma_idf_sqrt_nb | 83,111 | 0.03 | 0.7730 | **0.7901** | 0.7816 (0.0131) |
| C_lower_idf_sqrt_nb | 87,200 | 0.03 | 0.7729 | 0.7891 | 0.7806 (0.0096) |
| C_lemma_noidf_sqrt_nb | 83,111 | 3 | 0.7764 | 0.7877 | **0.7865** (0.0123) |
| C_lemma_idf_sqrt_lr | 83,111 | 0.1 | 0.7689 | 0.7685 | 0.7724 (0.0064) |
| C_lemma_idf_plain_nb | 83,111 | 0.003 | 0.7681 | 0.7719 | 0.7637 (0.0114), C=0.009 |
| C_lemma_noidf_sqrt_lr | 83,111 | 3 | 0.7731 | 0.7760 | 0.7695 (0.0068) |
| **C_lower_noidf_sqrt_nb** (timed below) | 87,200 | 3 | **0.7797** | 0.7892 | 0.7843 (0.0101) |

CV picked the dev C for every variant but ``C_lemma_idf_plain_nb``. Reading:
with the NB-LR head, counts / sqrt(length) from the pipeline's tokens are at
least as good as the l2-normalized tf-idf of text (+0.6 to +1.3 points on dev,
+0.0 to +0.3 on test, -0.1 to +0.5 in CV; folds differ by about 1 point, so
"as good" is the safe claim). idf adds nothing once the NB ratio scales each
feature (without it CV is 0.4-0.5 points higher, test equal or 0.2 lower), so
the weights can be plain ``coef`` (no idf table); lemma and lowercase words
are equal within noise (lowercase needs one attribute array, not two);
dividing by the length instead of its square root costs about 2 points in CV.
Plain LR is worse than NB-LR on both feature sets in CV and on test, as
``analyzer/features.py`` found. The plain-LR rows at C=3 move in the fourth
decimal with the column order of the features (liblinear stops at its
tolerance): the first exploration, which joined bigrams as strings, had
``C_lemma_noidf_sqrt_lr`` at 0.7736 / 0.7769; every other figure here equals it.

Parity (``C_lower_noidf_sqrt_nb``, all 4,000 test posts, 8,207 sentences,
decision values from -6.76 to 15.58, all 9 head columns): the fast path and
``X @ coef + b`` of the fitted scikit-learn features differ by at most
7.6e-06 per post and 7.6e-06 per sentence (float32 summed in another order).

Speed, µs per EDOS post (20,000 posts, 41,380 sentences; median of 3 passes
unless noted; the fast path scores every sentence with 9 head columns, the
one fitted head tiled 9 times, as the shipped model has 9 heads):

| what | µs per post |
| --- | ---: |
| spaCy blank tokenizer (issue 7's ceiling; 25 % of it = 257 µs for all of ``analyze_many``) | 64.2 |
| the project pipeline, lexicons only (the parse the fast path starts from; one pass, cold caches) | 247.1 |
| **fast path, per sentence, warm word cache** | **13.8** |
| fast path, per post (one segment per post), warm | 13.9 |
| fast path, per sentence, cold word cache (first pass: 26,511 distinct words learned in Python) | 31.7 |
| reference: ``normalize_text`` + ``build_features`` + 9 heads, from text (no lexicon / cue block) | 170.3 |

For scale: the shipped classifier stage measured 225 µs per EDOS post in
``bench/RESULTS.md`` (it adds the lexicon and cue blocks and the flag
model). The prototype this script replaces measured 28 µs with random
weights; it ran ``np.unique`` and a Python dict lookup per distinct word in
every batch, where this path keeps the word table as a sorted hash array and
``searchsorted`` finds every token's row, so only new words touch Python.
The timings come from one run on a shared 2-core machine. The fast path
measured 13.6 µs in a shorter run the same day; the blank tokenizer is the
noisier figure (52.2 µs in ``bench/RESULTS.md``, 87.8 µs in a one-pass smoke
run here), so compare figures within one run.

Rerun (EDOS is read where it lies, never copied; a full run took 442 s on one core)::

    taskset -c 1 .venv/bin/python bench/array_features_probe.py [--edos CSV] [--variants NAME ...]
        [--cv-folds 5] [--no-test] [--repeat 3] [--heads 9] [--speed-variant NAME] [--json OUT]

``--edos`` defaults to ``$ALLYSHIP_SHARED_DATA/edos/edos_labelled_aggregated.csv``
(``../shared/data`` beside the repository when the variable is unset).
``--cv-folds 0`` skips the noise check; ``--no-test`` stops before the test
split (the speed part still runs; its parity check then uses dev). The texts
are parsed in memory at the start (about 5 s on one core); nothing is cached
on disk.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import os
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import FeatureUnion

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from analyzer.datasets import load_labeled  # noqa: E402
from analyzer.features import _fit_head, build_features, normalize_text  # noqa: E402
from analyzer.lexicon import load_lexicon  # noqa: E402
from bench.bench_throughput import timed  # noqa: E402
from bench.corpus import DEFAULT_EDOS  # noqa: E402
from bench.edos_experiments import SPEC_CATEGORIES, macro_f1, sexist_of  # noqa: E402

C_GRID = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
WORD_MIN_DF = 2  # as build_features' word block
CHAR_MIN_DF = 3  # as build_features' char block
CHAR_NGRAMS = (2, 5)
BATCH = 256  # docs per call of the fast path, as nlp.pipe batches them
PARITY_LIMIT = 1e-3


class ProbeError(Exception):
    """A setup problem the user can fix; main() prints it as one line and exits with status 2."""


# --- variants ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """One feature set + head. ``reference`` variants use ``build_features``; the others the token arrays."""

    name: str
    note: str
    reference: bool = False
    key: str = "lemma"  # word n-grams from the pipeline's lemma key or the lowercase form
    idf: bool = True
    norm: str = "sqrt"  # divide counts by sqrt(length) or by the length ("plain")
    head: str = "nb"  # NB-scaled LR (_fit_head) or plain LR


VARIANTS = (
    Variant("A_ref_nb", "build_features (tf-idf, l2), NB-LR", reference=True),
    Variant("A_ref_lr", "build_features (tf-idf, l2), plain LR", reference=True, head="lr"),
    Variant("B_lemma_idf_sqrt_nb", "lemma words, idf, / sqrt(length), NB-LR"),
    Variant("C_lower_idf_sqrt_nb", "lowercase words, idf, / sqrt(length), NB-LR", key="lower"),
    Variant("C_lemma_noidf_sqrt_nb", "lemma words, counts, / sqrt(length), NB-LR", idf=False),
    Variant("C_lemma_idf_sqrt_lr", "lemma words, idf, / sqrt(length), plain LR", head="lr"),
    Variant("C_lemma_idf_plain_nb", "lemma words, idf, / length, NB-LR", norm="plain"),
    Variant("C_lemma_noidf_sqrt_lr", "lemma words, counts, / sqrt(length), plain LR", idf=False, head="lr"),
    Variant("C_lower_noidf_sqrt_nb", "lowercase words, counts, / sqrt(length), NB-LR", key="lower", idf=False),
)
BY_NAME = {v.name: v for v in VARIANTS}


# --- data --------------------------------------------------------------------------------------------------------


@dataclass
class Corpus:
    """EDOS in file order, with the project pipeline's docs and their token strings."""

    texts: list[str]
    y: np.ndarray  # bool, sexist
    split: np.ndarray  # "train" / "dev" / "test"
    docs: list[Any]  # spacy Doc, kept for the speed part
    lemma: list[list[str]]
    lower: list[list[str]]
    parse_seconds: float
    normalized: list[str] = field(default_factory=list)

    def rows(self, name: str) -> np.ndarray:
        """Indices of one EDOS split, in file order."""
        return np.flatnonzero(self.split == name)


def load_corpus(path: Path, nlp: Any) -> Corpus:
    """EDOS through the project's loader (labels as ``edos_experiments.py`` reads them), parsed by ``nlp``."""
    if not path.is_file():
        raise ProbeError(f"EDOS not found at {path} (set ALLYSHIP_SHARED_DATA or pass --edos)")
    known = set(SPEC_CATEGORIES) | set(load_lexicon().categories)
    examples = load_labeled(path, known_categories=known)
    texts = [e.text for e in examples]
    started = time.perf_counter()
    docs = list(nlp.pipe(texts, batch_size=BATCH))
    parse_s = time.perf_counter() - started
    return Corpus(
        texts=texts,
        y=sexist_of(examples),
        split=np.array([e.split for e in examples]),
        docs=docs,
        lemma=[[t.lemma_ for t in d] for d in docs],
        lower=[[t.lower_ for t in d] for d in docs],
        parse_seconds=parse_s,
    )


# --- features ----------------------------------------------------------------------------------------------------


@functools.cache
def char_grams(word: str) -> tuple[str, ...]:
    """char_wb-style 2-5-grams of one token padded with a space each side (none longer than the padded word)."""
    padded = f" {word} "
    lo, hi = CHAR_NGRAMS
    return tuple(padded[i : i + n] for n in range(lo, hi + 1) for i in range(len(padded) - n + 1))


@dataclass
class Units:
    """What the array featurizer counts, per segment (a post or a sentence): computed once per token key."""

    words: list[list[str]]
    bigrams: list[list[tuple[str, str]]]
    chars: list[list[str]]
    n_tokens: np.ndarray
    n_chars: np.ndarray

    @classmethod
    def of(cls, words: list[list[str]], lowers: list[list[str]]) -> Units:
        chars = [[g for w in low for g in char_grams(w)] for low in lowers]
        return cls(
            words=words,
            bigrams=[list(itertools.pairwise(w)) for w in words],
            chars=chars,
            n_tokens=np.array([len(w) for w in words], dtype=np.float64),
            n_chars=np.array([len(c) for c in chars], dtype=np.float64),
        )


def _identity(units: list[Any]) -> list[Any]:
    """The analyzer of a CountVectorizer whose documents are already lists of units."""
    return units


class ArrayFeatures:
    """The array-friendly features as plain scikit-learn blocks over token strings: the slow, readable definition.

    Columns: word unigrams, word bigrams (pairs of adjacent tokens of a segment),
    char n-grams. Values: count (times smoothed idf ``log((1+n)/(1+df))+1`` of
    the fitting rows when ``idf``) divided by ``sqrt`` (or the plain value) of
    the segment's token count (word blocks) or char n-gram count (char block),
    both counted over all units, in vocabulary or not. The fast path in
    :class:`TokenArrayScorer` must reproduce these values' dot product with the head.
    """

    def __init__(self, variant: Variant) -> None:
        self.variant = variant
        self.blocks = [
            CountVectorizer(analyzer=_identity, token_pattern=None, min_df=min_df, dtype=np.float32)
            for min_df in (WORD_MIN_DF, WORD_MIN_DF, CHAR_MIN_DF)
        ]
        self.idf: list[np.ndarray] = []

    @staticmethod
    def _parts(units: Units) -> tuple[list[Any], list[Any], list[Any]]:
        return units.words, units.bigrams, units.chars

    def fit(self, units: Units, rows: np.ndarray) -> ArrayFeatures:
        """Vocabularies and idf from ``rows`` only, so dev, test and held-out folds stay unseen."""
        self.idf = []
        for block, part in zip(self.blocks, self._parts(units), strict=True):
            counts = block.fit_transform([part[i] for i in rows])
            if self.variant.idf:
                df = np.bincount(counts.indices, minlength=counts.shape[1])
                self.idf.append((np.log((1 + len(rows)) / (1 + df)) + 1).astype(np.float32))
            else:
                self.idf.append(np.ones(counts.shape[1], dtype=np.float32))
        return self

    def length(self, n: np.ndarray) -> np.ndarray:
        """The divisor of a block for segments with ``n`` units (at least 1)."""
        n = np.maximum(n, 1)
        return np.sqrt(n) if self.variant.norm == "sqrt" else n

    def transform(self, units: Units) -> sparse.csr_matrix:
        """One float32 row per segment: [unigrams | bigrams | char n-grams]."""
        out = []
        divisors = (units.n_tokens, units.n_tokens, units.n_chars)
        for block, idf, part, n in zip(self.blocks, self.idf, self._parts(units), divisors, strict=True):
            x = block.transform(part).astype(np.float32) @ sparse.diags(idf)
            out.append(sparse.diags((1.0 / self.length(n)).astype(np.float32)) @ x)
        return sparse.hstack(out, format="csr", dtype=np.float32)

    @property
    def sizes(self) -> tuple[int, int, int]:
        return tuple(len(b.vocabulary_) for b in self.blocks)  # type: ignore[return-value]


class ReferenceFeatures:
    """``build_features(None)`` on :func:`normalize_text` output: the analyzer's n-grams, l2-normalized tf-idf."""

    def __init__(self, variant: Variant) -> None:
        self.variant = variant
        self.union: FeatureUnion = build_features(None)

    def fit(self, corpus: Corpus, rows: np.ndarray) -> ReferenceFeatures:
        """Vocabularies and idf from ``rows`` only (the union fits on normalized text, as the analyzer's does)."""
        self.union.fit([corpus.normalized[i] for i in rows])
        return self

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Rows for already normalized texts."""
        return sparse.csr_matrix(self.union.transform(texts), dtype=np.float32)


class Features:
    """Featurizes the whole corpus for one variant, fitted on ``rows`` only (vocabulary, idf)."""

    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self._units: dict[str, Units] = {}

    def units(self, key: str) -> Units:
        """Units for a token key, built once: they do not depend on which rows a fit uses."""
        if key not in self._units:
            words = self.corpus.lemma if key == "lemma" else self.corpus.lower
            self._units[key] = Units.of(words, self.corpus.lower)
        return self._units[key]

    def __call__(self, variant: Variant, rows: np.ndarray) -> tuple[sparse.csr_matrix, Any]:
        if variant.reference:
            if not self.corpus.normalized:
                self.corpus.normalized = [normalize_text(t) for t in self.corpus.texts]
            ref = ReferenceFeatures(variant).fit(self.corpus, rows)
            return ref.transform(self.corpus.normalized), ref
        units = self.units(variant.key)
        feats = ArrayFeatures(variant).fit(units, rows)
        return feats.transform(units), feats


# --- heads and the metric ----------------------------------------------------------------------------------------


def fit_head(x: sparse.csr_matrix, y: np.ndarray, c: float, head: str) -> tuple[np.ndarray, float]:
    """A linear head as (coef, intercept): the analyzer's NB-LR head, or plain liblinear LR for comparison."""
    if head == "nb":
        return _fit_head(x, y, c, 1.0)
    lr = LogisticRegression(C=c, solver="liblinear", max_iter=1000).fit(x, y)
    return lr.coef_.ravel().astype(np.float32), float(lr.intercept_[0])


def decide(x: sparse.csr_matrix, coef: np.ndarray, intercept: float) -> np.ndarray:
    """Log-odds of a folded linear head: what both the scikit-learn side and the fast path compute."""
    return np.asarray(x @ coef).ravel() + intercept


def best_cut(y: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """(macro-F1, threshold) for the best rule ``score >= t`` over every distinct score: an exact search.

    Exact rather than ``edos_experiments.py``'s quantile grid, so that a
    variant's dev figure does not depend on where the grid points fall.
    """
    order = np.argsort(-scores, kind="stable")
    s, yy = scores[order], np.asarray(y)[order].astype(bool)
    pos = int(yy.sum())
    neg = len(yy) - pos
    tp, fp = np.cumsum(yy), np.cumsum(~yy)
    last = np.r_[s[1:] != s[:-1], True]  # cut after each distinct score
    tp, fp, cut = tp[last], fp[last], s[last]
    fn, tn = pos - tp, neg - fp
    f_pos = 2 * tp / (2 * tp + fp + fn)
    f_neg = np.where(2 * tn + fn + fp > 0, 2 * tn / np.maximum(2 * tn + fn + fp, 1), 0.0)
    mean = (f_pos + f_neg) / 2
    k = int(np.argmax(mean))
    return float(mean[k]), float(cut[k])


@dataclass
class Outcome:
    """One variant's figures, as printed and written to ``--json``."""

    variant: str
    note: str
    n_features: int
    c: float
    dev_f1: float
    threshold: float
    test_f1: float | None
    feature_seconds: float
    fit_seconds: float
    dev_by_c: dict[str, float]
    cv_c: float | None = None
    cv_mean: float | None = None
    cv_sd: float | None = None
    cv_folds: list[float] | None = None


@dataclass
class Fitted:
    """What the speed part needs from a variant's dev-chosen fit."""

    variant: Variant
    features: Any
    coef: np.ndarray
    intercept: float


def run_variant(variant: Variant, corpus: Corpus, featurize: Features, test: bool) -> tuple[Outcome, Fitted]:
    """Fit on train for each C, choose C and the cut on dev, then (once) score test."""
    train, dev, held = corpus.rows("train"), corpus.rows("dev"), corpus.rows("test")
    started = time.perf_counter()
    x, feats = featurize(variant, train)
    feature_s = time.perf_counter() - started
    tried = []
    for c in C_GRID:
        started = time.perf_counter()
        coef, b = fit_head(x[train], corpus.y[train], c, variant.head)
        fit_s = time.perf_counter() - started
        f, t = best_cut(corpus.y[dev], decide(x[dev], coef, b))
        tried.append((f, c, t, fit_s, coef, b))
        print(f"  {variant.name} C={c:g}: dev {f:.4f} (fit {fit_s:.1f}s)", flush=True)
    f, c, t, fit_s, coef, b = max(tried, key=lambda r: r[0])  # ties: the smaller C
    test_f = macro_f1(corpus.y[held], decide(x[held], coef, b) >= t) if test else None
    outcome = Outcome(
        variant.name,
        variant.note,
        x.shape[1],
        c,
        f,
        t,
        test_f,
        feature_s,
        fit_s,
        {f"{r[1]:g}": round(r[0], 4) for r in tried},
    )
    return outcome, Fitted(variant, feats, coef, b)


def cross_validate(
    variant: Variant, corpus: Corpus, featurize: Features, c_star: float, folds: int
) -> tuple[float, float, float, list[float]]:
    """Noise check on train + dev: per fold refit features and head, macro-F1 at that fold's best cut."""
    pool = np.flatnonzero(np.isin(corpus.split, ["train", "dev"]))
    splitter = StratifiedKFold(folds, shuffle=True, random_state=0)
    cs = [c_star / 3, c_star, c_star * 3]
    scores = np.zeros((len(cs), folds))
    for k, (fit_idx, held_idx) in enumerate(splitter.split(pool, corpus.y[pool])):
        fit_rows, held_rows = pool[fit_idx], pool[held_idx]
        x, _ = featurize(variant, fit_rows)
        for i, c in enumerate(cs):
            coef, b = fit_head(x[fit_rows], corpus.y[fit_rows], c, variant.head)
            scores[i, k] = best_cut(corpus.y[held_rows], decide(x[held_rows], coef, b))[0]
    i = int(np.argmax(scores.mean(axis=1)))
    return cs[i], float(scores[i].mean()), float(scores[i].std(ddof=1)), [round(float(v), 4) for v in scores[i]]


# --- the fast path -----------------------------------------------------------------------------------------------


class TokenArrayScorer:
    """Decisions of a fitted array variant computed straight from spaCy token arrays, for every head at once.

    The fitted head is folded into weight tables once: row ``r`` of ``uni_w``
    is ``coef × idf`` of the unigram whose hash is ``uni_keys[r]`` (sorted, so
    lookup is ``searchsorted``; the extra last row is zero for unknown words),
    bigrams are keyed ``rank(a) × (V + 1) + rank(b)`` (every bigram seen
    ``min_df`` times has both words in the unigram vocabulary, so ranks cover
    them), and each distinct lowercase word gets its char n-gram weight sum
    and n-gram count the first time it is seen. Weights are tiled to
    ``heads`` columns: the cost is that of a model with that many heads.
    """

    def __init__(self, fitted: Fitted, strings: Any, heads: int) -> None:
        from spacy.attrs import LEMMA, LOWER, SENT_START

        feats: ArrayFeatures = fitted.features
        self.variant = fitted.variant
        self.strings = strings
        self.heads = heads
        self.intercept = np.float32(fitted.intercept)
        nu, nb, _ = feats.sizes
        weight = fitted.coef * np.concatenate(feats.idf)
        w_uni, w_bi, w_char = weight[:nu], weight[nu : nu + nb], weight[nu + nb :]

        def tiled(w: np.ndarray) -> np.ndarray:
            return np.ascontiguousarray(np.repeat(w.astype(np.float32)[:, None], heads, axis=1))

        words = feats.blocks[0].vocabulary_
        hashes = np.zeros(nu, dtype=np.uint64)
        for word, col in words.items():
            hashes[col] = strings[word]
        if len(np.unique(hashes)) != nu:
            raise ProbeError("two vocabulary words share a 64-bit hash")
        order = np.argsort(hashes)
        self.uni_keys = hashes[order]
        self.uni_w = np.vstack([tiled(w_uni[order]), np.zeros((1, heads), np.float32)])
        rank = np.empty(nu, dtype=np.int64)
        rank[order] = np.arange(nu)
        self.n_uni = nu
        bi_keys = np.zeros(nb, dtype=np.int64)
        for (a, b), col in feats.blocks[1].vocabulary_.items():
            bi_keys[col] = rank[words[a]] * (nu + 1) + rank[words[b]]
        order = np.argsort(bi_keys)
        self.bi_keys = bi_keys[order]
        self.bi_w = np.vstack([tiled(w_bi[order]), np.zeros((1, heads), np.float32)])
        self.gram_col = feats.blocks[2].vocabulary_
        self.gram_w = tiled(w_char)
        self.word_keys = np.zeros(0, dtype=np.uint64)  # sorted lowercase hashes seen so far
        self.word_rows = np.zeros(0, dtype=np.int64)  # their rows in word_vec / word_n
        self.word_vec = np.zeros((0, heads), dtype=np.float32)
        self.word_n = np.zeros(0, dtype=np.float32)
        self.attrs = [LEMMA if self.variant.key == "lemma" else LOWER, LOWER, SENT_START]
        self.sqrt = self.variant.norm == "sqrt"

    def _learn_words(self, new: np.ndarray) -> None:
        """Char n-gram weight sum and n-gram count of words not seen before (Python, once per distinct word)."""
        vecs = np.zeros((len(new), self.heads), dtype=np.float32)
        counts = np.zeros(len(new), dtype=np.float32)
        for i, h in enumerate(new.tolist()):
            grams = char_grams(self.strings[h])
            cols = [c for c in map(self.gram_col.get, grams) if c is not None]
            if cols:
                vecs[i] = self.gram_w[cols].sum(axis=0)
            counts[i] = len(grams)
        start = len(self.word_n)
        self.word_vec = np.vstack([self.word_vec, vecs])
        self.word_n = np.concatenate([self.word_n, counts])
        keys = np.concatenate([self.word_keys, new])
        rows = np.concatenate([self.word_rows, np.arange(start, start + len(new))])
        order = np.argsort(keys)
        self.word_keys, self.word_rows = keys[order], rows[order]

    def _word_rows_of(self, lower: np.ndarray) -> np.ndarray:
        keys = self.word_keys
        pos = np.searchsorted(keys, lower)
        pos[pos >= len(keys)] = 0
        hit = keys[pos] == lower if len(keys) else np.zeros(len(lower), dtype=bool)
        if not hit.all():
            self._learn_words(np.unique(lower[~hit]))
            return self._word_rows_of(lower)
        return self.word_rows[pos]

    def _divide(self, total: np.ndarray, n: np.ndarray) -> np.ndarray:
        n = np.maximum(n, 1).astype(np.float32)
        return total / (np.sqrt(n) if self.sqrt else n)[:, None]

    def __call__(self, docs: Sequence[Any], by_sentence: bool) -> tuple[np.ndarray, np.ndarray]:
        """(decisions, owning doc) per segment: one row per doc, or per sentence when ``by_sentence``.

        Docs without tokens get no row (their decision would be the intercept).
        """
        arrays = [d.to_array(self.attrs) for d in docs]
        lengths = np.array([len(a) for a in arrays])
        a = np.concatenate(arrays)
        key, lower = a[:, 0], a[:, 1]
        n = len(key)
        starts = np.zeros(n, dtype=bool)
        starts[(np.cumsum(lengths) - lengths)[lengths > 0]] = True
        if by_sentence:
            starts |= a[:, 2] == 1
        firsts = np.flatnonzero(starts)
        # unigrams
        pos = np.searchsorted(self.uni_keys, key)
        pos[pos >= self.n_uni] = 0
        uid = np.where(self.uni_keys[pos] == key, pos, self.n_uni)
        token_w = self.uni_w[uid]
        # bigrams, never across a segment start; bigram (i, i+1) is added to token i+1
        bkey = uid[:-1] * (self.n_uni + 1) + uid[1:]
        bpos = np.searchsorted(self.bi_keys, bkey)
        bpos[bpos >= len(self.bi_keys)] = 0
        bid = np.where((self.bi_keys[bpos] == bkey) & ~starts[1:], bpos, len(self.bi_keys))
        token_w[1:] += self.bi_w[bid]
        # char n-grams, through the per-word table
        rows = self._word_rows_of(lower)
        n_tok = np.diff(np.r_[firsts, n])
        words = np.add.reduceat(token_w, firsts, axis=0)
        chars = np.add.reduceat(self.word_vec[rows], firsts, axis=0)
        n_char = np.add.reduceat(self.word_n[rows], firsts)
        out = self._divide(words, n_tok) + self._divide(chars, n_char) + self.intercept
        owner = np.repeat(np.arange(len(docs)), lengths)[firsts]
        return out, owner


def sentence_units(docs: Sequence[Any], key: str) -> tuple[Units, np.ndarray]:
    """Per sentence (``doc.sents``), the string tokens: the scikit-learn side of the per-sentence check."""
    words: list[list[str]] = []
    lowers: list[list[str]] = []
    owner: list[int] = []
    for i, doc in enumerate(docs):
        for sent in doc.sents:
            words.append([t.lemma_ if key == "lemma" else t.lower_ for t in sent])
            lowers.append([t.lower_ for t in sent])
            owner.append(i)
    return Units.of(words, lowers), np.array(owner)


def parity(scorer: TokenArrayScorer, fitted: Fitted, corpus: Corpus, rows: np.ndarray) -> dict[str, Any]:
    """Max |fast − scikit-learn| of the decision values, per post and per sentence, over ``rows``; every head column."""
    feats: ArrayFeatures = fitted.features
    docs = [corpus.docs[i] for i in rows]
    words = corpus.lemma if fitted.variant.key == "lemma" else corpus.lower
    post_units = Units.of([words[i] for i in rows], [corpus.lower[i] for i in rows])
    expected_post = decide(feats.transform(post_units), fitted.coef, fitted.intercept)
    sent_units, sent_owner = sentence_units(docs, fitted.variant.key)
    expected_sent = decide(feats.transform(sent_units), fitted.coef, fitted.intercept)
    got_post, got_sent, owners = [], [], []
    for k in range(0, len(docs), BATCH):
        out, _ = scorer(docs[k : k + BATCH], by_sentence=False)
        got_post.append(out)
        out, owner = scorer(docs[k : k + BATCH], by_sentence=True)
        got_sent.append(out)
        owners.append(owner + k)
    post, sent = np.vstack(got_post), np.vstack(got_sent)
    if len(sent) != len(expected_sent) or not np.array_equal(np.concatenate(owners), sent_owner):
        raise ProbeError("the fast path and doc.sents disagree on sentence boundaries")
    return {
        "posts": len(post),
        "sentences": len(sent),
        "max_abs_diff_post": float(np.abs(post - expected_post[:, None]).max()),
        "max_abs_diff_sentence": float(np.abs(sent - expected_sent[:, None]).max()),
        "decision_range": [float(expected_post.min()), float(expected_post.max())],
    }


def speed(fitted: Fitted, ref: Fitted | None, corpus: Corpus, heads: int, repeat: int) -> dict[str, Any]:
    """µs per EDOS post: the fast path cold and warm, per sentence and per post; the ceiling and the reference."""
    import spacy

    docs, texts = corpus.docs, corpus.texts
    per_post = 1e6 / len(docs)
    strings = docs[0].vocab.strings

    def sweep(scorer: TokenArrayScorer, by_sentence: bool) -> None:
        for k in range(0, len(docs), BATCH):
            scorer(docs[k : k + BATCH], by_sentence)

    scorer = TokenArrayScorer(fitted, strings, heads)
    cold = timed(lambda: sweep(scorer, True), 1)
    warm_sent = timed(lambda: sweep(scorer, True), repeat)
    warm_post = timed(lambda: sweep(scorer, False), repeat)
    blank = spacy.blank("en")
    ceiling = timed(lambda: list(blank.pipe(texts, batch_size=1000)), repeat)
    out: dict[str, Any] = {
        "variant": fitted.variant.name,
        "heads": heads,
        "posts": len(docs),
        "sentences": int(sum(len(list(d.sents)) for d in docs)),
        "distinct_words_cached": len(scorer.word_n),
        "fast_sentence_cold_us": cold * per_post,
        "fast_sentence_warm_us": warm_sent * per_post,
        "fast_post_warm_us": warm_post * per_post,
        "blank_tokenizer_us": ceiling * per_post,
        "pipeline_parse_us": corpus.parse_seconds * per_post,
    }
    if ref is not None:
        union = ref.features.union
        coef = np.ascontiguousarray(np.repeat(ref.coef[:, None], heads, axis=1))

        def reference() -> None:
            for k in range(0, len(texts), BATCH):
                union.transform([normalize_text(t) for t in texts[k : k + BATCH]]) @ coef

        out["reference_variant"] = ref.variant.name
        out["reference_post_us"] = timed(reference, repeat) * per_post
    return out


# --- report ------------------------------------------------------------------------------------------------------


def accuracy_table(outcomes: Sequence[Outcome]) -> str:
    """The accuracy figures as the Markdown table of the module docstring."""
    lines = [
        "| variant | features | C | dev macro-F1 | test macro-F1 | CV macro-F1 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for o in outcomes:
        test = f"{o.test_f1:.4f}" if o.test_f1 is not None else ""
        cv = f"{o.cv_mean:.4f} ({o.cv_sd:.4f}) at C={o.cv_c:g}" if o.cv_mean is not None else ""
        lines.append(f"| {o.variant} | {o.n_features:,} | {o.c:g} | {o.dev_f1:.4f} | {test} | {cv} |")
    return "\n".join(lines)


def speed_table(s: dict[str, Any]) -> str:
    """The speed figures as the Markdown table of the module docstring."""
    rows = [
        ("spaCy blank tokenizer (issue 7's ceiling)", s["blank_tokenizer_us"]),
        ("project pipeline, lexicons only (parse before the fast path; timed once)", s["pipeline_parse_us"]),
        (f"fast path, per sentence, {s['heads']} heads, cold word cache (first pass)", s["fast_sentence_cold_us"]),
        (f"fast path, per sentence, {s['heads']} heads, warm", s["fast_sentence_warm_us"]),
        (f"fast path, per post, {s['heads']} heads, warm", s["fast_post_warm_us"]),
    ]
    if "reference_post_us" in s:
        rows.append(
            (f"reference: normalize_text + build_features + {s['heads']} heads, from text", s["reference_post_us"])
        )
    body = "\n".join(f"| {name} | {us:,.1f} |" for name, us in rows)
    return f"| {s['variant']}: µs per EDOS post | µs |\n| --- | ---: |\n{body}"


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Parse, the accuracy part per variant, then parity and speed of the best array variant; the JSON report."""
    if not args.edos.is_file():
        raise ProbeError(f"EDOS not found at {args.edos} (set ALLYSHIP_SHARED_DATA or pass --edos)")
    from analyzer import Analyzer

    started_all = time.perf_counter()
    nlp = Analyzer(model=None).nlp
    corpus = load_corpus(args.edos, nlp)
    sizes = {s: len(corpus.rows(s)) for s in ("train", "dev", "test")}
    print(
        f"EDOS {sizes}; parsed with {nlp.pipe_names} in {corpus.parse_seconds:.1f}s; "
        f"sexist share {corpus.y.mean():.3f}",
        flush=True,
    )
    featurize = Features(corpus)
    chosen = [BY_NAME[n] for n in args.variants]
    outcomes: list[Outcome] = []
    fitted: dict[str, Fitted] = {}
    for variant in chosen:
        outcome, fit = run_variant(variant, corpus, featurize, test=not args.no_test)
        if args.cv_folds:
            started = time.perf_counter()
            outcome.cv_c, outcome.cv_mean, outcome.cv_sd, outcome.cv_folds = cross_validate(
                variant, corpus, featurize, outcome.c, args.cv_folds
            )
            print(f"  {variant.name}: CV {outcome.cv_mean:.4f} ({time.perf_counter() - started:.0f}s)", flush=True)
        outcomes.append(outcome)
        fitted[variant.name] = fit
        print(json.dumps({k: v for k, v in asdict(outcome).items() if k != "dev_by_c"}), flush=True)
    print("\n" + accuracy_table(outcomes) + "\n", flush=True)
    report: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpus": sorted(os.sched_getaffinity(0))},
        "edos": str(args.edos),
        "sizes": sizes,
        "variants": [asdict(o) for o in outcomes],
    }
    arrays = [o for o in outcomes if not BY_NAME[o.variant].reference]
    speed_name = args.speed_variant or (max(arrays, key=lambda o: o.dev_f1).variant if arrays else None)
    if speed_name is None or speed_name not in fitted or BY_NAME[speed_name].reference:
        print("speed part skipped: no array-friendly variant among --variants (or --speed-variant not run)")
    else:
        fit = fitted[speed_name]
        check_rows = corpus.rows("dev" if args.no_test else "test")
        scorer = TokenArrayScorer(fit, corpus.docs[0].vocab.strings, args.heads)
        check = parity(scorer, fit, corpus, check_rows)
        print(
            f"parity of the fast path with the fitted scikit-learn head ({speed_name}, {check['posts']:,} posts, "
            f"{check['sentences']:,} sentences, {args.heads} head columns; decisions span "
            f"{check['decision_range'][0]:.2f} to {check['decision_range'][1]:.2f}): max |difference| "
            f"{check['max_abs_diff_post']:.2e} per post, {check['max_abs_diff_sentence']:.2e} per sentence",
            flush=True,
        )
        if max(check["max_abs_diff_post"], check["max_abs_diff_sentence"]) > PARITY_LIMIT:
            raise ProbeError(f"the fast path differs from the fitted model by more than {PARITY_LIMIT:g}")
        ref = next((fitted[n] for n in ("A_ref_nb", "A_ref_lr") if n in fitted), None)
        timing = speed(fit, ref, corpus, args.heads, args.repeat)
        print("\n" + speed_table(timing) + "\n", flush=True)
        report["parity"] = check
        report["speed"] = timing
    report["seconds"] = time.perf_counter() - started_all
    print(f"run time {report['seconds']:.0f}s", flush=True)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edos", type=Path, default=DEFAULT_EDOS)
    parser.add_argument(
        "--variants", nargs="+", choices=list(BY_NAME), default=list(BY_NAME), metavar="NAME", help=", ".join(BY_NAME)
    )
    parser.add_argument("--no-test", action="store_true", help="never score the test split")
    parser.add_argument("--cv-folds", type=int, default=5, help="folds of the noise check on train + dev; 0 skips it")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes per figure (median)")
    parser.add_argument("--heads", type=int, default=9, help="head columns the fast path computes (tiled copies)")
    parser.add_argument(
        "--speed-variant", choices=list(BY_NAME), metavar="NAME", help="default: the best array variant on dev"
    )
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    try:
        report = run(args)
    except ProbeError as error:
        print(f"array_features_probe: {error}", file=sys.stderr)
        return 2
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
