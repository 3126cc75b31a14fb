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
whitespace tokens. For each it keeps the matching key the normalizer recorded
(``token._.allyship_key``: de-obfuscated, lemmatized, "wom3n" -> "woman") for word
n-grams and cue words, and the lowercase form as written (``token.lower_``)
for character n-grams, which is where misspellings are still visible. It also
keeps the category of every lexicon phrase the matcher found in the range.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from spacy.attrs import IS_ALPHA, IS_SPACE, LOWER, SENT_START
from spacy.tokens import Doc

from analyzer.batcharrays import DocArrays
from analyzer.docdata import batch_keys, candidates, doc_keys
from analyzer.lexicon import Lexicon

if TYPE_CHECKING:
    from analyzer.compiled import TokenBatch

# what the classifier reads of a token, in this order (after its matching key, from analyzer.docdata)
ATTRS = [LOWER, IS_SPACE, SENT_START, IS_ALPHA]


class Unit(NamedTuple):
    """One text as the classifier sees it (see the module docstring)."""

    keys: tuple[str, ...]
    words: tuple[str, ...]
    lexicon: tuple[str, ...]


def doc_unit(doc: Doc, start: int = 0, end: int | None = None) -> Unit:
    """The unit of ``doc[start:end]`` (the whole doc by default)."""
    end = len(doc) if end is None else end
    tokens = [t for t in doc[start:end] if not t.is_space]
    keys, strings = doc_keys(doc), doc.vocab.strings
    lexicon = tuple(c.category for c in candidates(doc) if c.source == "lexicon" and start <= c.start < end)
    return Unit(tuple(strings[int(keys[t.i])] for t in tokens), tuple(t.lower_ for t in tokens), lexicon)


def text_units(lexicon: Lexicon, texts: Iterable[str], batch_size: int = 256) -> list[Unit]:
    """One whole-text unit per text, parsed with ``lexicon``'s pipeline (no classifier): what training fits on."""
    from analyzer.pipeline import build_pipeline

    nlp = build_pipeline(lexicon)
    return [doc_unit(doc) for doc in nlp.pipe(texts, batch_size=batch_size)]


def read_batch(
    docs: Sequence[Doc], min_alpha: int, whole_max: int
) -> tuple[TokenBatch, list[tuple[Doc, int, int]], list[tuple[Doc, int, int]]]:
    """The units the classifier scores in a batch of docs, as one :class:`~analyzer.compiled.TokenBatch`.

    Units are every sentence with at least ``min_alpha`` alphabetic tokens
    (returned as (doc, start token, end token), in batch order), then every
    doc of at most ``whole_max`` tokens that has such a sentence, read as a
    whole (returned as (doc, its first sentence unit, end unit)): the batch
    has ``len(sentences) + len(wholes)`` units. One ``to_array`` per doc;
    sentence bounds, token counts and positions are computed once for the
    whole batch (per-doc numpy calls on arrays of twenty tokens cost more
    than the arithmetic).
    """
    from analyzer.compiled import TokenBatch

    present = [doc for doc in docs if len(doc)]
    if not present:
        empty = np.zeros(0, dtype=np.int64)
        return TokenBatch(empty.astype(np.uint64), empty.astype(np.uint64), empty, empty, [], str), [], []
    arrays = DocArrays([doc.to_array(ATTRS) for doc in present])
    array, firsts, lasts = arrays.array.reshape(-1, len(ATTRS)), arrays.firsts, arrays.ends
    keys = batch_keys(present)
    keep = array[:, 1] == 0
    position = np.zeros(len(array) + 1, dtype=np.int64)  # kept tokens before each token of the batch
    np.cumsum(keep, out=position[1:])
    alpha = np.zeros(len(array) + 1, dtype=np.int64)
    np.cumsum(array[:, 3] == 1, out=alpha[1:])
    is_start = array[:, 2] == 1
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
        keys[keep],
        array[keep, 0],
        np.concatenate([position[bounds[chosen]], position[firsts[whole_docs]]]),
        np.concatenate([position[ends[chosen]], position[lasts[whole_docs]]]),
        lexicon,
        present[0].vocab.strings.__getitem__,
    )
    return batch, units, wholes
