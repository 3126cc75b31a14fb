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

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np
from spacy.attrs import IS_ALPHA, IS_SPACE, LEMMA, LOWER, SENT_START
from spacy.tokens import Doc

from analyzer.components import candidates
from analyzer.lexicon import Lexicon

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
