"""The fitted classifier as plain arrays: the same probabilities, without scikit-learn and without pickle.

Why it exists: the trained estimator (:func:`analyzer.features.build_estimator`)
is a linear model over tf-idf n-grams, lexicon hits and cue counts. Running it
through scikit-learn at prediction time costs a second of imports and 90 MB
before the first text (scikit-learn pulls in SciPy's statistics and pandas),
and its character n-gram analyzer re-slices every word of every text in
Python. :func:`compile_pipeline` copies what the fitted pipeline learned
(vocabularies, idf weights, folded coefficients, lexicon phrases, cue words)
into a :class:`CompiledModel` that needs numpy only and caches the character
n-grams of each distinct word, so a word seen before costs one dict lookup.

The file (``compiled.npz``) is numpy's zip of arrays, read with
``allow_pickle=False``: loading it can never run code, unlike ``joblib.load``.
``allyship train`` writes it next to ``model.joblib`` only after checking
that both give the same probabilities on the training texts
(:func:`check_parity`), so the two are interchangeable by construction.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.textprep import (
    CUE_FEATURES,
    crossing_phrase_counts,
    cue_features,
    cue_index,
    cue_totals,
    normalize_text,
    phrase_counts,
    phrase_index,
    rank_words,
    text_words,
    word_tokens,
)

FORMAT = 1
COMPILED_FILE = "compiled.npz"
PARITY_TOLERANCE = 1e-4  # largest probability difference accepted between the pipeline and its compiled copy
EXPLAIN_FEATURES = 32  # strongest positive features shared out among the words of an explanation
_WORD_CACHE_LIMIT = 200_000  # distinct words whose character n-grams stay cached


class CompileError(ValueError):
    """The fitted pipeline has a step this module does not know how to copy."""


@dataclass
class Rows:
    """Sparse features of a batch as coordinate arrays (``rows`` ascending within each block)."""

    rows: np.ndarray
    cols: np.ndarray
    vals: np.ndarray
    n: int
    # Where each block's entries lie in the arrays; within a block, rows ascend (see ``CompiledModel.decision``).
    segments: tuple[tuple[int, int], ...] = ()
    _order: np.ndarray | None = field(default=None, repr=False)
    _bounds: np.ndarray | None = field(default=None, repr=False)

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Columns and values of text ``i`` (the first call sorts the batch by row once)."""
        if self._order is None:
            self._order = np.argsort(self.rows, kind="stable")
            self._bounds = np.searchsorted(self.rows[self._order], np.arange(self.n + 1))
        picked = self._order[self._bounds[i] : self._bounds[i + 1]]
        return self.cols[picked], self.vals[picked]


def _tfidf(rows: np.ndarray, cols: np.ndarray, n: int, idf: np.ndarray, sublinear: bool) -> Rows:
    """Counts of (row, col) pairs → tf-idf with l2-normalized rows, as scikit-learn's TfidfVectorizer computes it."""
    if not len(cols):
        return Rows(rows.astype(np.int64), cols.astype(np.int64), np.zeros(0), n)
    width = np.int64(len(idf))
    keys, counts = np.unique(rows.astype(np.int64) * width + cols, return_counts=True)
    rows, cols = keys // width, keys % width
    tf = np.log(counts) + 1.0 if sublinear else counts.astype(np.float64)
    vals = tf * idf[cols]
    norms = np.sqrt(np.bincount(rows, weights=vals * vals, minlength=n))
    return Rows(rows, cols, vals / norms[rows], n)


class WordBlock:
    """Word n-grams (scikit-learn's ``analyzer="word"``): tokens by regex, then 1..n-grams joined by spaces."""

    kind = "word"

    def __init__(
        self, terms: list[str], idf: np.ndarray, ngram_range: Sequence[int], token_pattern: str, sublinear: bool
    ):
        self.terms = terms
        self.vocabulary = {t: i for i, t in enumerate(terms)}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        self.token_pattern = token_pattern
        self.pattern = re.compile(token_pattern)
        self.sublinear = sublinear
        self.size = len(terms)

    def occurrences(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[tuple[str, str] | None]]:
        """Every in-vocabulary n-gram occurrence as (row, column), and each text's first and last token."""
        low, high = self.ngram_range
        lookup = self.vocabulary.get
        findall = self.pattern.findall
        rows: list[int] = []
        cols: list[int] = []
        edges: list[tuple[str, str] | None] = []
        for r, text in enumerate(texts):
            tokens = findall(text)
            edges.append((tokens[0], tokens[-1]) if tokens else None)
            found: list[int | None] = []
            for n in range(low, min(high, len(tokens)) + 1):
                # map() keeps the per-token loop in C: this block runs on every sentence.
                grams = tokens if n == 1 else map(" ".join, zip(*(tokens[i:] for i in range(n)), strict=False))
                found += map(lookup, grams)
            hits = [c for c in found if c is not None]
            rows += [r] * len(hits)
            cols += hits
        return np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64), edges

    def transform(self, texts: Sequence[str]) -> Rows:
        rows, cols, _ = self.occurrences(texts)
        return _tfidf(rows, cols, len(texts), self.idf, self.sublinear)

    def joins(self, edges: Sequence[tuple[str, str] | None], groups: Sequence[tuple[int, int]]) -> tuple[list, list]:
        """The bigrams that span two consecutive texts of each group, as (group, column) pairs (n-grams up to 2)."""
        rows: list[int] = []
        cols: list[int] = []
        if self.ngram_range[1] < 2:
            return rows, cols
        for g, (start, end) in enumerate(groups):
            last = None
            for edge in edges[start:end]:
                if edge is None:
                    continue
                if last is not None:
                    col = self.vocabulary.get(f"{last} {edge[0]}")
                    if col is not None:
                        rows.append(g)
                        cols.append(col)
                last = edge[1]
        return rows, cols

    def spec(self) -> dict[str, Any]:
        return {"ngram_range": list(self.ngram_range), "token_pattern": self.token_pattern, "sublinear": self.sublinear}


class CharWbBlock:
    """Character n-grams inside word boundaries (scikit-learn's ``analyzer="char_wb"``), cached per distinct word.

    A text's n-grams are the union of its words' n-grams (each word padded
    with one space on both sides), so the columns of a word are computed once
    and reused for every later occurrence: this is what makes the compiled
    model several times faster than the pipeline on real text.
    """

    kind = "char_wb"

    def __init__(self, terms: list[str], idf: np.ndarray, ngram_range: Sequence[int], sublinear: bool) -> None:
        self.terms = terms
        self.vocabulary = {t: i for i, t in enumerate(terms)}
        self.idf = np.asarray(idf, dtype=np.float64)
        self.ngram_range = (int(ngram_range[0]), int(ngram_range[1]))
        self.sublinear = sublinear
        self.size = len(terms)
        self._cache: dict[str, np.ndarray] = {}

    def _word_columns(self, word: str) -> np.ndarray:
        """The vocabulary columns of one word's n-grams, repeats kept (they are counts)."""
        low, high = self.ngram_range
        padded = f" {word} "
        length = len(padded)
        vocabulary = self.vocabulary
        found = []
        for n in range(low, high + 1):
            if length <= n:  # a short word counts once, as the whole padded word (scikit-learn's rule)
                col = vocabulary.get(padded)
                if col is not None:
                    found.append(col)
                break
            for offset in range(length - n + 1):
                col = vocabulary.get(padded[offset : offset + n])
                if col is not None:
                    found.append(col)
        return np.asarray(found, dtype=np.int64)

    def occurrences(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Every in-vocabulary n-gram occurrence as (row, column)."""
        cache = self._cache
        if len(cache) > _WORD_CACHE_LIMIT:
            cache.clear()
        parts: list[np.ndarray] = []
        lengths = np.zeros(len(texts), dtype=np.int64)
        for r, text in enumerate(texts):
            words = text.split()
            found = list(map(cache.get, words))
            for i, columns in enumerate(found):
                if columns is None:
                    found[i] = cache[words[i]] = self._word_columns(words[i])
            parts += found
            lengths[r] = sum(map(len, found))
        cols = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        return np.repeat(np.arange(len(texts), dtype=np.int64), lengths), cols

    def transform(self, texts: Sequence[str]) -> Rows:
        rows, cols = self.occurrences(texts)
        return _tfidf(rows, cols, len(texts), self.idf, self.sublinear)

    def spec(self) -> dict[str, Any]:
        return {"ngram_range": list(self.ngram_range), "sublinear": self.sublinear}


def _log_counts(counts: np.ndarray) -> Rows:
    """``log1p`` of a dense count matrix, as coordinates of its non-zero cells."""
    rows, cols = np.nonzero(counts)
    return Rows(rows.astype(np.int64), cols.astype(np.int64), np.log1p(counts[rows, cols]), len(counts))


class LexiconBlock:
    """``log1p`` of lexicon phrase counts per category (see :class:`analyzer.features.LexiconFeatures`)."""

    kind = "lexicon"

    def __init__(self, phrases: Mapping[str, Sequence[str]]) -> None:
        self.phrases = {c: list(p) for c, p in phrases.items()}
        self.categories, self.index = phrase_index(self.phrases)
        self.longest = max((n for by_length in self.index.values() for n in by_length), default=1)
        self.terms = [f"lexicon:{c}" for c in self.categories]
        self.size = len(self.categories)

    def counts(self, texts: Sequence[str]) -> tuple[np.ndarray, list[list[str]]]:
        """Phrase counts per text and category, and each text's tokens."""
        tokens = [word_tokens(text) for text in texts]
        counts = np.asarray([phrase_counts(t, self.index, self.size) for t in tokens], dtype=np.float64)
        return counts.reshape(len(texts), self.size), tokens

    def transform(self, texts: Sequence[str]) -> Rows:
        return _log_counts(self.counts(texts)[0])

    def grouped(self, counts: np.ndarray, tokens: Sequence[list[str]], groups: Sequence[tuple[int, int]]) -> Rows:
        """Counts of each group read as one text: its pieces' counts plus the phrases that cross between them."""
        out = np.zeros((len(groups), self.size))
        for g, (start, end) in enumerate(groups):
            out[g] = counts[start:end].sum(axis=0)
            if end - start > 1:
                joined = [t for piece in tokens[start:end] for t in piece]
                boundaries = np.cumsum([len(piece) for piece in tokens[start : end - 1]]).tolist()
                out[g] += crossing_phrase_counts(joined, boundaries, self.index, self.size, self.longest)
        return _log_counts(out)

    def spec(self) -> dict[str, Any]:
        return {"phrases": self.phrases}


class CueBlock:
    """``log1p`` of target, derogation, threat and praise counts (as :class:`analyzer.targeting.TargetedNegativity`)."""

    kind = "cues"

    def __init__(self, cues: Mapping[str, Sequence[str]]) -> None:
        self.cues = {k: sorted(v) for k, v in cues.items()}
        self.index = cue_index(self.cues)
        self.terms = list(CUE_FEATURES)
        self.size = len(CUE_FEATURES)

    def totals(self, texts: Sequence[str]) -> np.ndarray:
        """Per text, how many words of each cue kind (these add up across pieces)."""
        return np.asarray([cue_totals(text, self.index) for text in texts], dtype=np.int64).reshape(len(texts), 4)

    def features(self, totals: np.ndarray) -> Rows:
        return _log_counts(
            np.asarray([cue_features(row) for row in totals.tolist()], dtype=np.float64).reshape(-1, self.size)
        )

    def transform(self, texts: Sequence[str]) -> Rows:
        return self.features(self.totals(texts))

    def spec(self) -> dict[str, Any]:
        return {"cues": self.cues}


Block = WordBlock | CharWbBlock | LexiconBlock | CueBlock


class CompiledModel:
    """Normalize, compute every feature block, one linear map per label, sigmoid: :meth:`predict_proba`."""

    def __init__(
        self, blocks: list[tuple[str, Block, float]], coef: np.ndarray, intercept: np.ndarray, normalize: bool = True
    ) -> None:
        self.blocks = blocks
        self.coef = np.asarray(coef, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.normalize = normalize
        self.offsets = np.cumsum([0] + [block.size for _, block, _ in blocks])
        if self.offsets[-1] != self.coef.shape[1]:
            raise CompileError(f"the blocks have {self.offsets[-1]} features but the heads expect {self.coef.shape[1]}")

    def prepare(self, texts: Sequence[str]) -> list[str]:
        """The texts as the features see them (normalized, when the pipeline normalizes)."""
        return [normalize_text(t) for t in texts] if self.normalize else list(texts)

    def features(self, prepared: Sequence[str]) -> Rows:
        """All blocks side by side, as one coordinate list (the pipeline's ``FeatureUnion``)."""
        return self._stack([block.transform(prepared) for _, block, _ in self.blocks], len(prepared))

    def tiled_features(
        self, prepared: Sequence[str], wanted: Sequence[int], groups: Sequence[tuple[int, int]]
    ) -> tuple[Rows, Rows]:
        """Features of some texts (``wanted``) and of runs of consecutive texts read as one (``groups``).

        The analyzer scores each sentence of a post and, for short posts, the
        whole post too. The post is its sentences laid end to end (``prepared``
        holds the pieces, whitespace between them included), so its n-gram
        counts are the sum of theirs, plus the word pairs that straddle two
        pieces: the whole is not tokenized a second time. Lexicon and cue
        counts are cheap and can span sentences, so they read the joined text.
        The caller guarantees every join between pieces is whitespace.
        """
        n_wanted, n_groups = len(wanted), len(groups)
        to_wanted = np.full(len(prepared), -1, dtype=np.int64)
        to_wanted[np.asarray(wanted, dtype=np.int64)] = np.arange(n_wanted)
        to_group = np.full(len(prepared), -1, dtype=np.int64)
        for g, (start, end) in enumerate(groups):
            to_group[start:end] = g
        wanted_rows = np.asarray(wanted, dtype=np.int64)

        def group_sums(per_piece: np.ndarray) -> np.ndarray:
            sums = np.zeros((n_groups, per_piece.shape[1]), dtype=per_piece.dtype)
            for g, (start, end) in enumerate(groups):
                sums[g] = per_piece[start:end].sum(axis=0)
            return sums

        parts: tuple[list[Rows], list[Rows]] = ([], [])
        for _, block, _ in self.blocks:
            if isinstance(block, WordBlock) and block.ngram_range[1] > 2:
                # n-grams of three words or more can straddle several pieces: read the joined texts instead.
                parts[0].append(block.transform([prepared[i] for i in wanted]))
                parts[1].append(block.transform([" ".join(p for p in prepared[a:b] if p) for a, b in groups]))
            elif isinstance(block, WordBlock | CharWbBlock):
                if isinstance(block, WordBlock):
                    rows, cols, edges = block.occurrences(prepared)
                    extra_rows, extra_cols = block.joins(edges, groups)
                else:
                    rows, cols = block.occurrences(prepared)
                    extra_rows, extra_cols = [], []
                own, mine = to_wanted[rows], to_group[rows]
                keep, in_group = own >= 0, mine >= 0
                parts[0].append(_tfidf(own[keep], cols[keep], n_wanted, block.idf, block.sublinear))
                group_rows = np.concatenate([mine[in_group], np.asarray(extra_rows, dtype=np.int64)])
                group_cols = np.concatenate([cols[in_group], np.asarray(extra_cols, dtype=np.int64)])
                parts[1].append(_tfidf(group_rows, group_cols, n_groups, block.idf, block.sublinear))
            elif isinstance(block, LexiconBlock):
                counts, tokens = block.counts(prepared)
                parts[0].append(_log_counts(counts[wanted_rows]))
                parts[1].append(block.grouped(counts, tokens, groups))
            else:
                totals = block.totals(prepared)
                parts[0].append(block.features(totals[wanted_rows]))
                parts[1].append(block.features(group_sums(totals)))
        return self._stack(parts[0], n_wanted), self._stack(parts[1], n_groups)

    def _stack(self, parts: Sequence[Rows], n: int) -> Rows:
        """Blocks side by side (column offsets, block weights), as the pipeline's ``FeatureUnion`` does."""
        rows, cols, vals, segments = [], [], [], []
        start = 0
        for part, (_, _, weight), offset in zip(parts, self.blocks, self.offsets, strict=False):
            rows.append(part.rows)
            cols.append(part.cols + offset)
            vals.append(part.vals * weight if weight != 1.0 else part.vals)
            segments.append((start, start + len(part.rows)))
            start += len(part.rows)
        return Rows(np.concatenate(rows), np.concatenate(cols), np.concatenate(vals), n, tuple(segments))

    def decision(self, features: Rows) -> np.ndarray:
        """Per text and label, the log-odds.

        Every head at once: the weights of a block's entries are gathered for
        all labels in one ``take`` and summed per text with one ``reduceat``
        (a block's rows ascend), about twice as fast as a ``bincount`` per
        label; this runs on every sentence of every batch.
        """
        logits = np.zeros((features.n, self.coef.shape[0]))
        segments = features.segments or ((0, len(features.rows)),)
        for start, end in segments:
            rows, cols, vals = features.rows[start:end], features.cols[start:end], features.vals[start:end]
            if not len(rows):
                continue
            if not features.segments and np.any(rows[1:] < rows[:-1]):  # not from _stack: order unknown
                order = np.argsort(rows, kind="stable")
                rows, cols, vals = rows[order], cols[order], vals[order]
            firsts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
            weighted = np.take(self.coef, cols, axis=1) * vals  # labels x entries, each label contiguous
            logits[rows[firsts]] += np.add.reduceat(weighted, firsts, axis=1).T
        return logits + self.intercept

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Per text and label, the probability (labels are independent, one sigmoid each)."""
        return 1.0 / (1.0 + np.exp(-self.decision(self.features(self.prepare(texts)))))

    def explain(self, prepared: str, cols: np.ndarray, vals: np.ndarray, label_index: int, k: int = 5) -> list[str]:
        """The words of one text that pushed head ``label_index`` up the most, strongest first.

        A word n-gram's contribution (value × weight) goes to its words; a
        character n-gram's is shared by the words of the text that contain it,
        so an obfuscated spelling still points at a readable word. Lexicon and
        cue counts are not words of the text and are left out. Only the
        :data:`EXPLAIN_FEATURES` strongest positive features are shared out:
        the rest change no ranking a reader would see, and long texts stay fast.
        """
        contributions = vals * self.coef[label_index][cols]
        strongest = np.argsort(-contributions)[:EXPLAIN_FEATURES]
        strongest = strongest[contributions[strongest] > 0]
        cols = cols[strongest]
        block_of = np.searchsorted(self.offsets, cols, side="right") - 1
        kinds = {"word": "word", "char_wb": "char"}

        def items() -> Iterable[tuple[str, str, float]]:
            for col, value, b in zip(cols.tolist(), contributions[strongest].tolist(), block_of.tolist(), strict=True):
                _, block, _ = self.blocks[b]
                yield kinds.get(block.kind, block.kind), block.terms[col - self.offsets[b]], value

        return rank_words(text_words(prepared), items(), k)


# --- copying a fitted pipeline ------------------------------------------------------------------------------------


def compile_pipeline(pipeline: Any) -> CompiledModel:
    """A :class:`CompiledModel` equal to a fitted ``normalize → features → heads`` pipeline.

    Raises :class:`CompileError` for any step whose behaviour this module does
    not reproduce exactly (a custom tokenizer, stop words, a different norm...):
    better no compiled copy than a subtly different one.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    from analyzer.features import LexiconFeatures, NBLogisticHeads, TextNormalizer
    from analyzer.targeting import TargetedNegativity

    steps = dict(getattr(pipeline, "named_steps", {}))
    if set(steps) - {"normalize"} != {"features", "heads"}:
        raise CompileError(f"expected the steps normalize, features, heads; got {', '.join(steps) or 'none'}")
    if "normalize" in steps and not isinstance(steps["normalize"], TextNormalizer):
        raise CompileError("the normalize step is not analyzer.features.TextNormalizer")
    union, heads = steps["features"], steps["heads"]
    if not isinstance(union, FeatureUnion) or not isinstance(heads, NBLogisticHeads):
        raise CompileError("expected a FeatureUnion of features and NBLogisticHeads")
    weights = union.transformer_weights or {}
    blocks: list[tuple[str, Block, float]] = []
    for name, part in union.transformer_list:
        if part == "drop" or part is None:
            continue
        if isinstance(part, TfidfVectorizer):
            block: Block = _compile_tfidf(name, part)
        elif isinstance(part, LexiconFeatures):
            if part.normalize:
                raise CompileError(f"{name}: LexiconFeatures after the normalizer must have normalize=False")
            block = LexiconBlock({c: list(p) for c, p in (part.phrases or {}).items()})
        elif isinstance(part, TargetedNegativity):
            block = CueBlock({k: sorted(v) for k, v in part.words_.items()})
        else:
            raise CompileError(f"{name}: no compiled form for {type(part).__name__}")
        blocks.append((name, block, float(weights.get(name, 1.0))))
    return CompiledModel(blocks, heads.coef_, heads.intercept_, normalize="normalize" in steps)


def _compile_tfidf(name: str, vectorizer: Any) -> Block:
    v = vectorizer
    unsupported = {
        "input": v.input != "content",
        "lowercase": v.lowercase,
        "strip_accents": v.strip_accents is not None,
        "preprocessor": v.preprocessor is not None,
        "tokenizer": v.tokenizer is not None,
        "stop_words": v.stop_words is not None,
        "binary": v.binary,
        "norm": v.norm != "l2",
        "use_idf": not v.use_idf,
        "vocabulary": v.vocabulary is not None,
        "analyzer": v.analyzer not in ("word", "char_wb"),
    }
    bad = [key for key, flag in unsupported.items() if flag]
    if bad:
        raise CompileError(f"{name}: unsupported TfidfVectorizer settings: {', '.join(bad)}")
    terms = [""] * len(v.vocabulary_)
    for term, column in v.vocabulary_.items():
        terms[column] = term
    if any("\n" in t for t in terms):
        raise CompileError(f"{name}: a vocabulary term contains a line break")
    if v.analyzer == "word":
        return WordBlock(terms, v.idf_, v.ngram_range, v.token_pattern, bool(v.sublinear_tf))
    return CharWbBlock(terms, v.idf_, v.ngram_range, bool(v.sublinear_tf))


def check_parity(pipeline: Any, compiled: CompiledModel, texts: Sequence[str]) -> float:
    """The largest probability difference between the pipeline and its compiled copy on ``texts``."""
    if not texts:
        return 0.0
    expected = np.asarray(pipeline.predict_proba(list(texts)), dtype=np.float64)
    return float(np.max(np.abs(expected - compiled.predict_proba(texts))))


# --- the file -----------------------------------------------------------------------------------------------------


def _text_array(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def save(model: CompiledModel, path: str | Path) -> None:
    """Write ``model`` as a compressed ``.npz``: a JSON spec, the heads, and per block its terms and idf."""
    arrays: dict[str, np.ndarray] = {"coef": model.coef, "intercept": model.intercept}
    blocks = []
    for i, (name, block, weight) in enumerate(model.blocks):
        blocks.append({"name": name, "kind": block.kind, "weight": weight, **block.spec()})
        if isinstance(block, WordBlock | CharWbBlock):
            arrays[f"terms_{i}"] = _text_array("\n".join(block.terms))
            arrays[f"idf_{i}"] = block.idf
    spec = {"format": FORMAT, "normalize": model.normalize, "blocks": blocks}
    arrays["spec"] = _text_array(json.dumps(spec, ensure_ascii=False))
    with open(path, "wb") as handle:
        np.savez_compressed(handle, **arrays)


def load(path: str | Path) -> CompiledModel:
    """Read a file written by :func:`save`; never unpickles (``allow_pickle=False``)."""
    with np.load(path, allow_pickle=False) as data:
        spec = json.loads(bytes(data["spec"]).decode("utf-8"))
        if spec.get("format") != FORMAT:
            raise CompileError(f"{path}: compiled format {spec.get('format')}, this analyzer reads format {FORMAT}")
        blocks: list[tuple[str, Block, float]] = []
        for i, entry in enumerate(spec["blocks"]):
            kind = entry["kind"]
            if kind in ("word", "char_wb"):
                raw = bytes(data[f"terms_{i}"]).decode("utf-8")
                terms = raw.split("\n") if raw else []
                idf = data[f"idf_{i}"]
                if kind == "word":
                    block: Block = WordBlock(
                        terms, idf, entry["ngram_range"], entry["token_pattern"], entry["sublinear"]
                    )
                else:
                    block = CharWbBlock(terms, idf, entry["ngram_range"], entry["sublinear"])
            elif kind == "lexicon":
                block = LexiconBlock(entry["phrases"])
            elif kind == "cues":
                block = CueBlock(entry["cues"])
            else:
                raise CompileError(f"{path}: unknown feature block kind {kind!r}")
            blocks.append((entry["name"], block, float(entry["weight"])))
        return CompiledModel(blocks, data["coef"], data["intercept"], normalize=bool(spec["normalize"]))
