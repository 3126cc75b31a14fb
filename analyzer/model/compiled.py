"""The fitted classifier as plain arrays, scoring a whole batch of parsed docs at once.

Why it exists: the trained estimator (:func:`analyzer.model.features.build_estimator`)
is a linear model over key n-grams, character n-grams, lexicon hits and cue
counts of :class:`analyzer.model.inputs.Unit` objects. Every one of those features is
a count divided by a length (or a ``log1p`` of a count), so a unit's log-odds
is a sum of per-token weights: :func:`compile_pipeline` folds what the fitted
pipeline learned into weight tables keyed by spaCy's string hashes, and
:meth:`CompiledModel.score` reads a batch of docs as the hash arrays spaCy
already holds (``doc.to_array``), looks every token up with one
``searchsorted`` per table, and sums per sentence with prefix sums. Only a
word never seen before touches Python (its character n-grams, once; then it
is cached). No Python loop runs per token or per n-gram, which is what made
the classifier the slowest stage of the pipeline (issue 7).

The file (``compiled.npz``) is numpy's zip of arrays, read with
``allow_pickle=False``: loading it can never run code, unlike ``joblib.load``.
``allyship train`` writes it next to ``model.joblib`` only after checking
that both give the same probabilities on training texts
(:func:`check_parity`), so the two are interchangeable by construction.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from spacy.strings import hash_string

from analyzer.model.inputs import TokenBatch
from analyzer.model.word_features import CUE_FEATURES, CUE_KINDS, IDENTITY_KEY, char_grams, cue_features, cue_index

FORMAT = 2
VECTOR_FORMAT = 3  # a file with a word-vector block: older analyzers must refuse it, not score without the block
COMPILED_FILE = "compiled.npz"
# The n-gram and vector weights are stored as float16: half the file (every retrain is a blob in git),
# and on EDOS dev and test no flag changes; probabilities move by under 2e-4.
STORED_WEIGHTS = np.float16
PARITY_TOLERANCE = 1e-3  # largest probability difference accepted between the pipeline and its stored copy
_WORD_CACHE_LIMIT = 200_000  # distinct written words whose character n-gram weights stay cached
# The cue features that only say women are referred to (how often; named with nothing hostile). The
# co-occurrence features (a reference meeting derogation or a threat) say something about them: they stay.
TARGET_CUES = ("target", "target_only")
TARGET_COLUMNS = tuple(CUE_FEATURES.index(name) for name in TARGET_CUES)


class CompileError(ValueError):
    """A fitted pipeline or a compiled file this module cannot reproduce exactly."""


@dataclass
class Scored:
    """The log-odds of every unit of a batch, and the per-token weights they were summed from (explanations)."""

    logits: np.ndarray  # units x labels
    batch: TokenBatch
    word: np.ndarray  # tokens x labels: unigram weight
    pair: np.ndarray  # tokens x labels: weight of the bigram that starts at the token
    char: np.ndarray  # tokens x labels: summed character n-gram weights of the token
    char_count: np.ndarray  # tokens: all character n-grams of the token
    vector: np.ndarray | None = None  # tokens x labels: the word-vector block's weight of the token's key
    cue: np.ndarray | None = None  # units x CUE_FEATURES, after log1p (None: no cue word in the batch)


def _lookup(table: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Per value, its position in the sorted ``table``, or -1."""
    if not len(table):
        return np.full(len(values), -1, dtype=np.int64)
    at = np.minimum(np.searchsorted(table, values), len(table) - 1)
    return np.where(table[at] == values, at, -1)


def _gather(table: np.ndarray, at: np.ndarray, width: int | None = None) -> np.ndarray:
    """``table[at]`` with zeros where ``at`` is -1 (not found); an empty table gives zeros."""
    shape = (len(at),) if width is None else (len(at), width)
    out = np.zeros(shape, dtype=table.dtype)
    found = at >= 0
    if len(table) and found.any():
        out[found] = table[at[found]]
    return out


def _prefix(values: np.ndarray) -> np.ndarray:
    """Prefix sums with a leading zero row: ``p[b] - p[a]`` is the sum of rows ``a:b``."""
    out = np.zeros((len(values) + 1, *values.shape[1:]), dtype=np.float64)
    np.cumsum(values, axis=0, out=out[1:])
    return out


class CompiledModel:
    """Weight tables of every feature block and head; :meth:`score` turns a :class:`TokenBatch` into log-odds."""

    def __init__(
        self,
        unigrams: Sequence[str],
        bigrams: np.ndarray,
        word_coef: np.ndarray,
        char_terms: Sequence[str],
        char_range: Sequence[int],
        char_coef: np.ndarray,
        categories: Sequence[str],
        lexicon_coef: np.ndarray,
        cues: Mapping[str, Sequence[str]],
        cue_coef: np.ndarray,
        intercept: np.ndarray,
        identity: Sequence[str] = (),
        vector_words: Sequence[str] = (),
        vector_coef: np.ndarray | None = None,
    ) -> None:
        self.intercept = np.asarray(intercept, dtype=np.float64)
        n_heads = len(self.intercept)
        self.unigrams = list(unigrams)
        self.bigrams = np.asarray(bigrams, dtype=np.int64).reshape(-1, 2)
        self.word_coef = np.asarray(word_coef, dtype=np.float32).reshape(n_heads, -1)
        size = len(self.unigrams)
        if self.word_coef.shape[1] != size + len(self.bigrams):
            raise CompileError(f"{size + len(self.bigrams)} word features but {self.word_coef.shape[1]} weights")
        hashes = np.fromiter((hash_string(t) for t in self.unigrams), dtype=np.uint64, count=size)
        order = np.argsort(hashes, kind="stable")
        self._uni_hash = hashes[order]
        self._uni_w = self.word_coef[:, order].T.astype(np.float64)
        rank = np.empty(size, dtype=np.int64)
        rank[order] = np.arange(size)
        pair_keys = rank[self.bigrams[:, 0]] * size + rank[self.bigrams[:, 1]]
        pair_order = np.argsort(pair_keys, kind="stable")
        self._pair_key = pair_keys[pair_order]
        self._pair_w = self.word_coef[:, size + pair_order].T.astype(np.float64)

        self.char_terms = list(char_terms)
        self.char_range = (int(char_range[0]), int(char_range[1]))
        self.char_coef = np.asarray(char_coef, dtype=np.float32).reshape(n_heads, len(self.char_terms))
        self._char_vocab = {g: i for i, g in enumerate(self.char_terms)}
        self._char_w = self.char_coef.T.astype(np.float64)
        self._char_rows: dict[int, int] = {}  # lowercase hash -> row of the two tables below
        self._cache_lock = threading.Lock()
        self._char_sums = np.zeros((1024, n_heads))
        self._char_counts = np.zeros(1024)

        self.categories = list(categories)
        self.lexicon_coef = np.asarray(lexicon_coef, dtype=np.float32).reshape(n_heads, len(self.categories))
        self._category_column = {c: i for i, c in enumerate(self.categories)}

        self.cues = {kind: sorted(cues.get(kind, ())) for kind in CUE_KINDS}
        self.cue_coef = np.asarray(cue_coef, dtype=np.float32).reshape(n_heads, len(CUE_FEATURES))
        forms = cue_index(self.cues)
        cue_hashes = np.fromiter((hash_string(w) for w in forms), dtype=np.uint64, count=len(forms))
        masks = np.asarray([sum(1 << p for p in positions) for positions in forms.values()], dtype=np.int64)
        cue_order = np.argsort(cue_hashes, kind="stable")
        self._cue_hash, self._cue_mask = cue_hashes[cue_order], masks[cue_order]

        # Identity words read as IDENTITY_KEY (zero unigram weight) and add no character n-gram
        # (see analyzer.model.features.KeyNgrams): a token is one when its key or its lowercase form is listed.
        self.identity = sorted(identity)
        self._identity_hash = np.sort(np.fromiter((hash_string(w) for w in self.identity), dtype=np.uint64))
        self._identity_key = np.uint64(hash_string(IDENTITY_KEY))
        # The word-vector block folded over its vocabulary: one weight per word and head, summed over a unit's
        # tokens and divided by their number (the block's mean and spread are already in the intercept).
        self.vector_words = list(vector_words)
        coef = np.zeros((n_heads, 0)) if vector_coef is None else vector_coef
        self.vector_coef = np.asarray(coef, dtype=np.float32).reshape(n_heads, len(self.vector_words))
        vector_hashes = np.fromiter(
            (hash_string(w) for w in self.vector_words), dtype=np.uint64, count=len(self.vector_words)
        )
        vector_order = np.argsort(vector_hashes, kind="stable")
        self._vec_hash = vector_hashes[vector_order]
        self._vec_w = self.vector_coef[:, vector_order].T.astype(np.float64)

    @property
    def n_labels(self) -> int:
        return len(self.intercept)

    # -- scoring ------------------------------------------------------------------------------------------------

    def _char_table(self, lowers: np.ndarray, text_of: Callable[[int], str]) -> tuple[np.ndarray, np.ndarray]:
        """Per token, its character n-gram weights summed per head and its number of n-grams.

        Each distinct written word is looked up once per batch; a word never
        seen is cut into n-grams once and cached (:data:`_WORD_CACHE_LIMIT`).
        The cache is shared: one batch at a time updates it, so two threads
        scoring with one model never hand the same row to two words.
        """
        with self._cache_lock:
            return self._char_rows_of(lowers, text_of)

    def _char_rows_of(self, lowers: np.ndarray, text_of: Callable[[int], str]) -> tuple[np.ndarray, np.ndarray]:
        if len(self._char_rows) > _WORD_CACHE_LIMIT:
            self._char_rows.clear()
        distinct, inverse = np.unique(lowers, return_inverse=True)
        rows = self._char_rows
        found = [rows.get(h) for h in distinct.tolist()]
        missing = [i for i, row in enumerate(found) if row is None]
        if missing:
            need = len(rows) + len(missing)
            if need > len(self._char_counts):
                grow = max(need, 2 * len(self._char_counts))
                self._char_sums = np.resize(self._char_sums, (grow, self.n_labels))
                self._char_counts = np.resize(self._char_counts, grow)
            low, high = self.char_range
            column_of = self._char_vocab.get
            first = len(rows)
            columns: list[int] = []
            bounds = [0]
            for j, i in enumerate(missing):  # the new words' known n-grams, one run of columns per word
                value = int(distinct[i])
                grams = char_grams(text_of(value), low, high)
                columns += [c for c in map(column_of, grams) if c is not None]
                bounds.append(len(columns))
                self._char_counts[first + j] = len(grams)
                rows[value] = found[i] = first + j
            # Summed per word in one numpy call, not one per word: junk text brings thousands of new words at once.
            sums = np.zeros((len(missing), self.n_labels))
            starts = np.asarray(bounds[:-1], dtype=np.int64)
            some = np.diff(bounds) > 0
            if some.any():
                sums[some] = np.add.reduceat(self._char_w[np.asarray(columns, dtype=np.int64)], starts[some], axis=0)
            self._char_sums[first : first + len(missing)] = sums
        at = np.asarray(found, dtype=np.int64)[inverse.reshape(-1)]
        return self._char_sums[at], self._char_counts[at]

    def score(self, batch: TokenBatch) -> Scored:
        """The log-odds of every unit of ``batch`` for every head (labels in training order)."""
        n, heads = len(batch.keys), self.n_labels
        starts, ends = batch.starts, batch.ends
        logits = np.tile(self.intercept, (len(starts), 1))
        if not n:
            empty = np.zeros((0, heads))
            return Scored(logits, batch, empty, empty, empty, np.zeros(0))
        lengths = (ends - starts).astype(np.float64)

        silent = None
        keys = batch.keys
        if len(self._identity_hash):
            silent = np.isin(batch.keys, self._identity_hash) | np.isin(batch.lowers, self._identity_hash)
            if silent.any():
                keys = np.where(silent, self._identity_key, batch.keys)
            else:
                silent = None
        rank = _lookup(self._uni_hash, keys)
        word = _gather(self._uni_w, rank, heads)
        pair = np.zeros((n, heads))
        both = (rank[:-1] >= 0) & (rank[1:] >= 0)
        if both.any() and len(self._pair_key):
            left = np.flatnonzero(both)
            at = _lookup(self._pair_key, rank[left] * len(self.unigrams) + rank[left + 1])
            hit = at >= 0
            pair[left[hit]] = self._pair_w[at[hit]]
        word_sum, pair_sum = _prefix(word), _prefix(pair)
        inner_end = np.maximum(ends - 1, starts)  # the bigram starting at a unit's last token is not in the unit
        words = word_sum[ends] - word_sum[starts] + pair_sum[inner_end] - pair_sum[starts]
        logits += np.divide(words, np.sqrt(lengths)[:, None], out=np.zeros_like(words), where=lengths[:, None] > 0)

        char, char_count = self._char_table(batch.lowers, batch.text_of)
        if silent is not None:
            char = np.where(silent[:, None], 0.0, char)
        char_sum, count_sum = _prefix(char), _prefix(char_count)
        chars = char_sum[ends] - char_sum[starts]
        totals = count_sum[ends] - count_sum[starts]
        logits += np.divide(chars, np.sqrt(totals)[:, None], out=np.zeros_like(chars), where=totals[:, None] > 0)

        if batch.lexicon and self.categories:
            counts = np.zeros((len(starts), len(self.categories)))
            by_column: dict[int, list[int]] = {}
            for position, category in batch.lexicon:
                column = self._category_column.get(category)
                if column is not None:
                    by_column.setdefault(column, []).append(position)
            for column, positions in by_column.items():
                ordered = np.sort(np.asarray(positions, dtype=np.int64))
                counts[:, column] = np.searchsorted(ordered, ends) - np.searchsorted(ordered, starts)
            logits += np.log1p(counts) @ self.lexicon_coef.T.astype(np.float64)

        masks = np.zeros(n, dtype=np.int64)
        for hashes in (batch.keys, batch.lowers):
            masks |= _gather(self._cue_mask, _lookup(self._cue_hash, hashes))
        cue = None
        if masks.any():
            bits = ((masks[:, None] >> np.arange(len(CUE_KINDS))) & 1).astype(np.float64)
            kinds = _prefix(bits)
            cue = np.log1p(np.stack(cue_features((kinds[ends] - kinds[starts]).T), axis=1).astype(np.float64))
            logits += cue @ self.cue_coef.T.astype(np.float64)
        vector = None
        if len(self._vec_hash):
            vector = _gather(self._vec_w, _lookup(self._vec_hash, batch.keys), heads)
            vector_sum = _prefix(vector)
            vectors = vector_sum[ends] - vector_sum[starts]
            logits += np.divide(vectors, lengths[:, None], out=np.zeros_like(vectors), where=lengths[:, None] > 0)
        return Scored(logits, batch, word, pair, char, char_count, vector=vector, cue=cue)

    def predict_proba(self, batch: TokenBatch) -> np.ndarray:
        """Per unit and label, the probability (labels are independent, one sigmoid each)."""
        return 1.0 / (1.0 + np.exp(-self.score(batch).logits))

    def target_contribution(self, scored: Scored, unit: int, label_index: int) -> float:
        """What the cue columns that only count references to women (:data:`TARGET_CUES`) added to the log-odds."""
        if scored.cue is None:
            return 0.0
        return float(scored.cue[unit, list(TARGET_COLUMNS)] @ self.cue_coef[label_index, list(TARGET_COLUMNS)])

    def mention_contribution(self, scored: Scored, unit: int, label_index: int, silent: np.ndarray) -> float:
        """What the tokens ``silent`` marks (a mask over the unit) added to head ``label_index``'s log-odds:
        their words, character n-grams and vectors, and their bigrams: whole when both words are marked
        ("women 's", "'s football"), else half, the other half being the other word's ("women drive")."""
        a, b = int(scored.batch.starts[unit]), int(scored.batch.ends[unit])
        if b <= a or not silent.any():
            return 0.0
        word = float(scored.word[a:b, label_index][silent].sum())
        pair = scored.pair[a : b - 1, label_index]
        whole = silent[:-1] & silent[1:]
        half = (silent[:-1] | silent[1:]) & ~whole
        word += float(pair[whole].sum()) + float(pair[half].sum()) / 2.0
        total = float(scored.char_count[a:b].sum())
        char = float(scored.char[a:b, label_index][silent].sum()) / np.sqrt(total) if total else 0.0
        vector = float(scored.vector[a:b, label_index][silent].sum()) / (b - a) if scored.vector is not None else 0.0
        return word / np.sqrt(b - a) + char + vector

    def contributions(self, scored: Scored, unit: int, label_index: int) -> np.ndarray:
        """What each token of unit ``unit`` added to head ``label_index``'s log-odds (word, char, vector blocks).

        A bigram's weight is shared by its two tokens; lexicon hits and cue
        counts are not single words and are left out.
        """
        a, b = int(scored.batch.starts[unit]), int(scored.batch.ends[unit])
        if b <= a:
            return np.zeros(0)
        word = scored.word[a:b, label_index].copy()
        pair = scored.pair[a : b - 1, label_index] / 2.0
        word[:-1] += pair
        word[1:] += pair
        total = float(scored.char_count[a:b].sum())
        char = scored.char[a:b, label_index] / np.sqrt(total) if total else 0.0
        vector = scored.vector[a:b, label_index] / (b - a) if scored.vector is not None else 0.0
        return word / np.sqrt(b - a) + char + vector


# --- the file -----------------------------------------------------------------------------------------------------


def _text_array(lines: Sequence[str]) -> np.ndarray:
    if any("\n" in line for line in lines):
        raise CompileError("a vocabulary term contains a line break")
    return np.frombuffer("\n".join(lines).encode("utf-8"), dtype=np.uint8)


def _lines(array: np.ndarray) -> list[str]:
    raw = bytes(array).decode("utf-8")
    return raw.split("\n") if raw else []


def as_stored(model: CompiledModel) -> CompiledModel:
    """``model`` with its weights rounded as :func:`save` stores them: what a loaded copy will score."""
    return CompiledModel(
        unigrams=model.unigrams,
        bigrams=model.bigrams,
        word_coef=model.word_coef.astype(STORED_WEIGHTS),
        char_terms=model.char_terms,
        char_range=model.char_range,
        char_coef=model.char_coef.astype(STORED_WEIGHTS),
        categories=model.categories,
        lexicon_coef=model.lexicon_coef,
        cues=model.cues,
        cue_coef=model.cue_coef,
        intercept=model.intercept,
        identity=model.identity,
        vector_words=model.vector_words,
        vector_coef=model.vector_coef.astype(STORED_WEIGHTS) if model.vector_words else None,
    )


def save(model: CompiledModel, path: str | Path) -> None:
    """Write ``model`` as a compressed ``.npz``: a JSON spec, the vocabularies as text, the weights as arrays
    (n-gram and vector weights as :data:`STORED_WEIGHTS`)."""
    spec = {
        "format": VECTOR_FORMAT if model.vector_words else FORMAT,
        "char_range": list(model.char_range),
        "categories": model.categories,
        "cues": model.cues,
        "identity": model.identity,
    }
    with open(path, "wb") as handle:
        np.savez_compressed(
            handle,
            spec=np.frombuffer(json.dumps(spec, ensure_ascii=False).encode("utf-8"), dtype=np.uint8),
            unigrams=_text_array(model.unigrams),
            bigrams=model.bigrams.astype(np.int32),
            word_coef=model.word_coef.astype(STORED_WEIGHTS),
            char_terms=_text_array(model.char_terms),
            char_coef=model.char_coef.astype(STORED_WEIGHTS),
            lexicon_coef=model.lexicon_coef,
            cue_coef=model.cue_coef,
            intercept=model.intercept,
            **(
                {
                    "vector_words": _text_array(model.vector_words),
                    "vector_coef": model.vector_coef.astype(STORED_WEIGHTS),
                }
                if model.vector_words
                else {}
            ),
        )


def load(path: str | Path) -> CompiledModel:
    """Read a file written by :func:`save`; never unpickles (``allow_pickle=False``)."""
    with np.load(path, allow_pickle=False) as data:
        spec = json.loads(bytes(data["spec"]).decode("utf-8"))
        if spec.get("format") not in (FORMAT, VECTOR_FORMAT):
            raise CompileError(
                f"{path}: compiled format {spec.get('format')}, "
                f"this analyzer reads formats {FORMAT} and {VECTOR_FORMAT}; "
                "retrain the model with this version (allyship train)"
            )
        return CompiledModel(
            unigrams=_lines(data["unigrams"]),
            bigrams=data["bigrams"],
            word_coef=data["word_coef"],
            char_terms=_lines(data["char_terms"]),
            char_range=spec["char_range"],
            char_coef=data["char_coef"],
            categories=spec["categories"],
            lexicon_coef=data["lexicon_coef"],
            cues=spec["cues"],
            cue_coef=data["cue_coef"],
            intercept=data["intercept"],
            identity=spec.get("identity", ()),
            vector_words=_lines(data["vector_words"]) if "vector_words" in data.files else (),
            vector_coef=data["vector_coef"] if "vector_coef" in data.files else None,
        )
