"""What the classifier reads: runs of tokens of parsed docs, the same in training and in use.

Training keeps a :class:`Unit` per example (parsed by the analyzer's own
pipeline without the classifier), which the scikit-learn transformers of
:mod:`analyzer.model.features` read. Prediction reads the same attributes of
the same tokens as hash arrays, a batch of docs at a time
(:func:`read_batch` makes a :class:`TokenBatch`), never building a Unit.

A unit's tokens are the doc's tokens from ``start`` to ``end`` without
whitespace tokens. For each it keeps the matching key the normalizer wrote
(de-obfuscated, lemmatized: "wom3n" -> "woman") for word n-grams and cue
words, and the lowercase form as written for character n-grams, which is
where misspellings are still visible. It also keeps the category of every
lexicon phrase the matcher found in the range.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from spacy.attrs import IS_ALPHA, IS_SPACE, LEMMA, LOWER, SENT_START
from spacy.strings import hash_string
from spacy.tokens import Doc

from analyzer.tokens.arrays import DocArrays
from analyzer.tokens.doc_state import candidates

ATTRS = [LEMMA, LOWER, IS_SPACE, SENT_START, IS_ALPHA]  # what the classifier reads of a token, in this order


class Unit(NamedTuple):
    """One text as the classifier sees it (see the module docstring)."""

    keys: tuple[str, ...]
    words: tuple[str, ...]
    lexicon: tuple[str, ...]


@dataclass
class TokenBatch:
    """The units of a batch as token arrays: what :meth:`CompiledModel.score` reads.

    ``keys`` and ``lowers`` hold, per kept token (see :func:`analyzer.model.inputs.kept_tokens`),
    the hash of its key and of its lowercase form; unit ``u`` is tokens
    ``starts[u]:ends[u]``; ``lexicon`` has one (token position, category)
    per lexicon match; ``text_of`` turns a key or lowercase hash back into its string
    (a doc's ``vocab.strings``), needed for words the model has not seen and
    for explanations.
    """

    keys: np.ndarray
    lowers: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    lexicon: list[tuple[int, str]]
    text_of: Callable[[int], str]

    @classmethod
    def from_units(cls, units: Sequence[Any]) -> TokenBatch:
        """A batch of :class:`~analyzer.model.inputs.Unit` objects (training's view): for parity checks and tests."""
        keys: list[int] = []
        lowers: list[int] = []
        starts: list[int] = []
        lexicon: list[tuple[int, str]] = []
        strings: dict[int, str] = {}
        for unit in units:
            starts.append(len(keys))
            lexicon += [(len(keys), category) for category in unit.lexicon]
            for key, word in zip(unit.keys, unit.words, strict=True):
                keys.append(hash_string(key))
                lowers.append(hash_string(word))
                strings[keys[-1]], strings[lowers[-1]] = key, word
        ends = [*starts[1:], len(keys)]
        return cls(
            np.asarray(keys, dtype=np.uint64),
            np.asarray(lowers, dtype=np.uint64),
            np.asarray(starts, dtype=np.int64),
            np.asarray(ends, dtype=np.int64),
            lexicon,
            strings.__getitem__,
        )



def doc_unit(doc: Doc, start: int = 0, end: int | None = None) -> Unit:
    """The unit of ``doc[start:end]`` (the whole doc by default)."""
    end = len(doc) if end is None else end
    tokens = [t for t in doc[start:end] if not t.is_space]
    lexicon = tuple(c.category for c in candidates(doc) if c.source == "lexicon" and start <= c.start < end)
    return Unit(tuple(t.lemma_ for t in tokens), tuple(t.lower_ for t in tokens), lexicon)


def read_batch(
    docs: Sequence[Doc], min_alpha: int, whole_max: int
) -> tuple[TokenBatch, list[tuple[Doc, int, int]], list[tuple[Doc, int, int]]]:
    """The units the classifier scores in a batch of docs, as one :class:`TokenBatch`.

    Units are every sentence with at least ``min_alpha`` alphabetic tokens
    (returned as (doc, start token, end token), in batch order), then every
    doc of at most ``whole_max`` tokens that has such a sentence, read as a
    whole (returned as (doc, its first sentence unit, end unit)): the batch
    has ``len(sentences) + len(wholes)`` units. One ``to_array`` per doc;
    sentence bounds, token counts and positions are computed once for the
    whole batch (per-doc numpy calls on arrays of twenty tokens cost more
    than the arithmetic).
    """
    present = [doc for doc in docs if len(doc)]
    if not present:
        empty = np.zeros(0, dtype=np.int64)
        return TokenBatch(empty.astype(np.uint64), empty.astype(np.uint64), empty, empty, [], str), [], []
    arrays = DocArrays([doc.to_array(ATTRS) for doc in present])
    array, firsts, lasts = arrays.array.reshape(-1, len(ATTRS)), arrays.firsts, arrays.ends
    keep = array[:, 2] == 0
    position = np.zeros(len(array) + 1, dtype=np.int64)  # kept tokens before each token of the batch
    np.cumsum(keep, out=position[1:])
    alpha = np.zeros(len(array) + 1, dtype=np.int64)
    np.cumsum(array[:, 4] == 1, out=alpha[1:])
    is_start = array[:, 3] == 1
    is_start[firsts] = True  # every doc starts a sentence, so no sentence runs into the next doc
    bounds = np.flatnonzero(is_start)
    ends = np.append(bounds[1:], len(array))
    doc_of = arrays.doc_index(bounds)
    chosen = np.flatnonzero(alpha[ends] - alpha[bounds] >= min_alpha)
    units = [
        (present[d], a - firsts[d], b - firsts[d])
        for d, a, b in zip(doc_of[chosen].tolist(), bounds[chosen].tolist(), ends[chosen].tolist(), strict=True)
    ]
    scored_docs = np.unique(doc_of[chosen])
    first_unit = np.searchsorted(doc_of[chosen], scored_docs)
    end_unit = np.append(first_unit[1:], len(chosen))
    short = lasts[scored_docs] - firsts[scored_docs] <= whole_max
    spans = zip(scored_docs[short].tolist(), first_unit[short].tolist(), end_unit[short].tolist(), strict=True)
    wholes = [(present[d], f, e) for d, f, e in spans]
    lexicon: list[tuple[int, str]] = []
    for d in scored_docs.tolist():
        base = firsts[d]
        lexicon += [
            (int(position[base + c.start]), c.category) for c in candidates(present[d]) if c.source == "lexicon"
        ]
    whole_docs = scored_docs[short]
    batch = TokenBatch(
        array[keep, 0],
        array[keep, 1],
        np.concatenate([position[bounds[chosen]], position[firsts[whole_docs]]]),
        np.concatenate([position[ends[chosen]], position[lasts[whole_docs]]]),
        lexicon,
        present[0].vocab.strings.__getitem__,
    )
    return batch, units, wholes
