"""What the classifier reads: a run of tokens of a parsed doc, the same in training and in use.

Why: the classifier used to re-read every sentence from its text (normalize,
regex tokens, n-grams as strings), which cost more than the rest of the
pipeline together. Its features are now taken from the tokens the pipeline
has already made, so training must see text exactly as the pipeline leaves
it. Both sides go through this module:

- training parses each example with the analyzer's own pipeline (tokenizer,
  sentences, normalizer, lexicon matcher; no classifier) and keeps a
  :class:`Unit` per example, what the scikit-learn transformers of
  :mod:`analyzer.features` read;
- prediction (:mod:`analyzer.compiled`) reads the same attributes of the same
  tokens as hash arrays, a batch of docs at a time, never building a Unit.

A unit's tokens are the doc's tokens from ``start`` to ``end`` without
whitespace tokens. For each it keeps the matching key the normalizer wrote
(``token.lemma_``: de-obfuscated, lemmatized, "wom3n" -> "woman") for word
n-grams and cue words, and the lowercase form as written (``token.lower_``)
for character n-grams, which is where misspellings are still visible. It also
keeps the category of every lexicon phrase the matcher found in the range.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from spacy.attrs import IS_ALPHA, IS_SPACE, LEMMA, LOWER, SENT_START
from spacy.tokens import Doc

from analyzer.components import candidates
from analyzer.lexicon import Lexicon

if TYPE_CHECKING:
    from analyzer.compiled import TokenBatch

ATTRS = [LEMMA, LOWER, IS_SPACE, SENT_START, IS_ALPHA]  # what the classifier reads of a token, in this order


class Unit(NamedTuple):
    """One text as the classifier sees it (see the module docstring)."""

    keys: tuple[str, ...]
    words: tuple[str, ...]
    lexicon: tuple[str, ...]


def doc_unit(doc: Doc, start: int = 0, end: int | None = None) -> Unit:
    """The unit of ``doc[start:end]`` (the whole doc by default)."""
    end = len(doc) if end is None else end
    tokens = [t for t in doc[start:end] if not t.is_space]
    lexicon = tuple(c.category for c in candidates(doc) if c.source == "lexicon" and start <= c.start < end)
    return Unit(tuple(t.lemma_ for t in tokens), tuple(t.lower_ for t in tokens), lexicon)


def text_units(lexicon: Lexicon, texts: Iterable[str], batch_size: int = 256) -> list[Unit]:
    """One whole-text unit per text, parsed with ``lexicon``'s pipeline (no classifier): what training fits on."""
    from analyzer.pipeline import build_pipeline

    nlp = build_pipeline(lexicon)
    return [doc_unit(doc) for doc in nlp.pipe(texts, batch_size=batch_size)]


class DocTokens(NamedTuple):
    """One doc as the classifier reads it, from a single ``to_array`` call (see :func:`doc_tokens`)."""

    rows: np.ndarray  # per kept (non-space) token: key hash, lowercase hash
    position: np.ndarray  # per doc token i, how many kept tokens come before it (length len(doc) + 1)
    sentences: list[tuple[int, int, int]]  # per sentence: start token, end token, alphabetic tokens


def doc_tokens(doc: Doc) -> DocTokens:
    """The kept tokens of ``doc`` and its sentences, without creating a Token or Span object.

    ``doc[a:b]`` is ``rows[position[a]:position[b]]``. Building Span objects
    for every sentence of every text cost more than scoring them.
    """
    n = len(doc)
    array = doc.to_array(ATTRS).reshape(n, len(ATTRS)).astype(np.uint64, copy=False)
    keep = array[:, 2] == 0
    position = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(keep, out=position[1:])
    starts = np.flatnonzero(array[:, 3] == 1).tolist()
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    alpha = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(array[:, 4] == 1, out=alpha[1:])
    bounds = [*starts, n]
    alphas = alpha[bounds].tolist()
    sentences = [(bounds[i], bounds[i + 1], alphas[i + 1] - alphas[i]) for i in range(len(starts))]
    return DocTokens(array[keep, :2], position, sentences)


def read_batch(
    docs: Sequence[Doc], min_alpha: int, whole_max: int
) -> tuple[TokenBatch, list[tuple[Doc, int, int]], list[tuple[Doc, int, int]]]:
    """The units the classifier scores in a batch of docs, as one :class:`~analyzer.compiled.TokenBatch`.

    Units are every sentence with at least ``min_alpha`` alphabetic tokens
    (returned as (doc, start token, end token), in batch order), then every
    doc of at most ``whole_max`` tokens that has such a sentence, read as a
    whole (returned as (doc, its first sentence unit, end unit)): the batch
    has ``len(sentences) + len(wholes)`` units.
    """
    from analyzer.compiled import TokenBatch

    units: list[tuple[Doc, int, int]] = []
    starts: list[int] = []
    ends: list[int] = []
    wholes: list[tuple[Doc, int, int]] = []
    whole_bounds: list[tuple[int, int]] = []
    keys: list[np.ndarray] = []
    lowers: list[np.ndarray] = []
    lexicon: list[tuple[int, str]] = []
    base = 0
    for doc in docs:
        if not len(doc):
            continue
        rows, position, sentences = doc_tokens(doc)
        first_unit = len(units)
        for start, end, alpha in sentences:
            if alpha >= min_alpha:
                units.append((doc, start, end))
                starts.append(base + int(position[start]))
                ends.append(base + int(position[end]))
        if len(units) == first_unit:
            continue
        keys.append(rows[:, 0])
        lowers.append(rows[:, 1])
        lexicon += [(base + int(position[c.start]), c.category) for c in candidates(doc) if c.source == "lexicon"]
        if len(doc) <= whole_max:
            wholes.append((doc, first_unit, len(units)))
            whole_bounds.append((base, base + len(rows)))
        base += len(rows)
    empty = np.zeros(0, dtype=np.uint64)
    batch = TokenBatch(
        np.concatenate(keys) if keys else empty,
        np.concatenate(lowers) if lowers else empty,
        np.asarray(starts + [a for a, _ in whole_bounds], dtype=np.int64),
        np.asarray(ends + [b for _, b in whole_bounds], dtype=np.int64),
        lexicon,
        docs[0].vocab.strings.__getitem__ if docs else str,
    )
    return batch, units, wholes
