"""Token arrays of a whole batch of docs, and fast lookups of spaCy hashes in them.

Why: the pipeline's components run on every token of every text, and on
short posts the fixed cost of each numpy call (about a microsecond) and of
each dict lookup per token outweighs the work. These helpers let a component
lay the arrays of a batch end to end and do its checks and lookups once per
batch (:class:`BatchComponent`, :class:`DocArrays`), look hashes up without a Python loop
(:class:`HashCache`, :class:`WordSet`), and read tokens' characters from the
text instead of their lexemes (:class:`TokenChars`). spaCy's 64-bit hashes
are uniformly spread, so their low bits can index tables directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np
from spacy.util import minibatch

if TYPE_CHECKING:
    from spacy.tokens import Doc


class BatchComponent:
    """A pipeline component whose work is done a batch of docs at a time, in :meth:`process`.

    ``Language.pipe`` calls :meth:`pipe`; ``nlp(text)`` calls ``__call__``,
    the same work on a batch of one, so both give the same docs.
    """

    def process(self, docs: list[Doc]) -> None:
        """Annotate ``docs`` in place."""
        raise NotImplementedError

    def __call__(self, doc: Doc) -> Doc:
        self.process([doc])
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 256) -> Iterator[Doc]:
        for batch in minibatch(docs, batch_size):
            self.process(batch)
            yield from batch


class HashCache:
    """A function of spaCy hashes, applied to a whole array at once, its results kept in a fixed-size table.

    Looking the tokens of a batch up one by one in a dict costs more than the
    rest of a component. spaCy's hashes are uniformly spread, so their low bits
    index a table directly: each slot keeps the last hash that landed there and
    its value. The hashes not found (new, or displaced by another) go to
    ``compute``, one call per distinct hash.
    """

    def __init__(self, compute: Callable[[int], int], dtype: type[np.generic] = np.uint64, bits: int = 18) -> None:
        self._compute = compute
        self._dtype = dtype
        self._mask = 2**bits - 1
        self._hashes = np.arange(1, 2**bits + 1, dtype=np.uint64)  # no hash lands where its slot's placeholder is
        self._values = np.zeros(2**bits, dtype=dtype)

    def __call__(self, hashes: np.ndarray) -> np.ndarray:
        """``compute`` of each of ``hashes`` (uint64), as an array."""
        slots = hashes.view(np.int64) & self._mask
        values = self._values[slots]
        missed = np.flatnonzero(self._hashes[slots] != hashes)
        if len(missed):
            distinct, inverse = np.unique(hashes[missed], return_inverse=True)
            found = np.fromiter(map(self._compute, distinct.tolist()), dtype=self._dtype, count=len(distinct))
            values[missed] = found[inverse]
            where, first = np.unique(distinct.view(np.int64) & self._mask, return_index=True)
            self._hashes[where] = distinct[first]
            self._values[where] = found[first]
        return values


class DocArrays:
    """Token attribute arrays of several docs laid end to end, and where each doc's rows are."""

    def __init__(self, arrays: Sequence[np.ndarray]) -> None:
        lengths = np.array([len(array) for array in arrays], dtype=np.int64)
        self.ends = np.cumsum(lengths)
        self.firsts = self.ends - lengths
        self.array = np.concatenate(arrays) if len(arrays) > 1 else arrays[0]

    def doc_index(self, rows: np.ndarray) -> np.ndarray:
        """The doc (position in the batch) of each row; every doc is non-empty."""
        return np.searchsorted(self.firsts, rows, side="right") - 1

    def docs_of(self, rows: np.ndarray) -> set[int]:
        return set(self.doc_index(rows).tolist())


class TokenChars:
    """Where each token of a batch is in the batch's text, found from its IDX and SPACY alone.

    Token ``i`` is ``text[starts[i] : starts[i] + lengths[i]]`` (``text``: the
    docs' texts joined). A token's length and characters are otherwise read
    from its lexeme, and fetching lexemes is most of what ``to_array`` costs.
    """

    def __init__(self, texts: Sequence[str], batch: DocArrays, offsets: np.ndarray, spaces: np.ndarray) -> None:
        self.text = "".join(texts)
        self.firsts, self.ends = batch.firsts, batch.ends
        text_lengths = np.array([len(text) for text in texts], dtype=np.int64)
        text_ends = np.cumsum(text_lengths)
        self.starts = np.repeat(text_ends - text_lengths, self.ends - self.firsts) + offsets.view(np.int64)
        nexts = np.empty_like(self.starts)
        nexts[:-1] = self.starts[1:]
        nexts[self.ends - 1] = text_ends
        self.lengths = nexts - self.starts - spaces.view(np.int64)
        codes = np.frombuffer(self.text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        self.first_chars = codes[self.starts]

    def ascii_alnum_first(self) -> np.ndarray:
        """Which tokens start with an ASCII letter or digit."""
        return _ASCII_ALNUM[np.minimum(self.first_chars, 128)]


_ASCII_ALNUM = np.zeros(129, dtype=bool)  # by code point; 128 stands for every character above ASCII
_ASCII_ALNUM[list(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")] = True


class WordSet:
    """A small set of hashes to find in long hash arrays.

    ``np.isin`` and ``np.searchsorted`` cost about 10-20 ns per element; a
    bitmap on the hashes' low bits (spaCy's hashes are uniformly spread) rules
    out nearly every element in one gather, and only the few left are
    compared exactly.
    """

    _BITS = 18
    _FEW = 64  # fewer hashes than this are looked up in a dict: numpy's per-call cost would dominate

    def __init__(self, words: Iterable[int]) -> None:
        self.words = np.array(sorted(set(words)), dtype=np.uint64)
        self._index = {word: i for i, word in enumerate(self.words.tolist())}
        self._mask = 2**self._BITS - 1
        self._bitmap = np.zeros(2**self._BITS, dtype=bool)
        self._bitmap[self.words.view(np.int64) & self._mask] = True

    def find(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The positions of ``hashes`` (uint64) that are in the set, and the index in ``words`` of each."""
        if len(hashes) < self._FEW:
            index = self._index
            found = [(i, index[h]) for i, h in enumerate(hashes.tolist()) if h in index]
            pairs = np.array(found, dtype=np.intp).reshape(-1, 2)
            return pairs[:, 0], pairs[:, 1]
        maybe = np.flatnonzero(self._bitmap[hashes.view(np.int64) & self._mask])
        if not len(maybe):
            return maybe, maybe
        candidates = hashes[maybe]
        at = np.minimum(np.searchsorted(self.words, candidates), len(self.words) - 1)
        found = self.words[at] == candidates
        return maybe[found], at[found]
