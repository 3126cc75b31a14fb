"""The token facts the context checks read, as plain lists, read once per doc instead of once per candidate.

The context step looks at the tokens around every lexicon candidate. Reading
them as spaCy ``Token`` and ``Span`` objects built a Python object per token
per look, and on a text packed with lexicon phrases that cost more than the
rest of the pipeline together. A :class:`TokenView` reads a doc's norms,
texts, keys, punctuation and space flags, offsets and sentence starts once from
its arrays; the checks then read slices of plain lists. What only depends on
a sentence (its words, where its cues are) is worked out once per sentence and
shared by every candidate in it, so each candidate costs about its window,
not its sentence.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection
from typing import NamedTuple, TypeVar

import numpy as np
from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, NORM, ORTH, SENT_START
from spacy.tokens import Doc, Span

from analyzer.tokens.doc_state import doc_keys

_ATTRS = [NORM, ORTH, IS_PUNCT, IS_SPACE, IDX, LENGTH, SENT_START]
T = TypeVar("T")


class Sentence(NamedTuple):
    """A sentence's token bounds ``[start, end)`` and character bounds, as ``Span.sent`` gives them."""

    start: int
    end: int
    start_char: int
    end_char: int


class TokenView:
    """The tokens of ``doc[lo:hi]`` (the whole doc by default) as lists indexed by token position.

    Built from the doc's arrays (:meth:`of_doc`, for every candidate of a doc)
    or from the tokens of one stretch (:meth:`of_tokens`, for a single look).
    Reading a range outside ``[lo, hi)`` that is inside the doc is a bug of the caller.
    """

    def __init__(
        self,
        doc: Doc,
        lo: int,
        columns: tuple[list[str], list[str], list[str], list[bool], list[bool], list[int], list[int]],
        starts: list[int] | None,
    ) -> None:
        self.doc = doc
        self.lo = lo
        self.norm, self.text, self.key, self.punct, self.space, self.idx, self.length = columns
        self.hi = lo + len(self.norm)
        self._starts = starts  # sentence starts of the whole doc; None: ask spaCy (hooks, or no annotation)
        self._per_sentence: dict[tuple[object, int], object] = {}
        self.last_clause: tuple[tuple[int, int], list[str]] | None = None  # see ContextRules.clause_before
        self._separators: tuple[Collection[str], list[int]] | None = None  # see last_separator

    @classmethod
    def of_doc(cls, doc: Doc) -> TokenView:
        """Every token of ``doc``, from its arrays: one ``to_array`` call, one string lookup per distinct word."""
        array = doc.to_array(_ATTRS)
        strings = doc.vocab.strings
        norms, orths, keys = array[:, 0].tolist(), array[:, 1].tolist(), doc_keys(doc).tolist()
        words = {h: strings[h] for h in {*norms, *orths, *keys}}
        columns = (
            [words[h] for h in norms],
            [words[h] for h in orths],
            [words[h] for h in keys],
            array[:, 2].astype(bool).tolist(),
            array[:, 3].astype(bool).tolist(),
            array[:, 4].tolist(),
            array[:, 5].tolist(),
        )
        sent_starts = array[:, 6]
        hooked = "sents" in doc.user_hooks or "sent" in doc.user_span_hooks or "sent" in doc.user_token_hooks
        starts = None if hooked or not _annotated(sent_starts) else np.flatnonzero(sent_starts == 1).tolist()
        return cls(doc, 0, columns, starts)

    @classmethod
    def of_tokens(cls, doc: Doc, lo: int, hi: int) -> TokenView:
        """The tokens of ``doc[lo:hi]`` only, read one by one: for one look at a stretch of a doc.

        Its sentences are spaCy's (``Span.sent``).
        """
        tokens = list(doc[lo:hi])
        keys = doc_keys(doc)[lo : lo + len(tokens)].tolist()
        strings = doc.vocab.strings
        columns = (
            [t.norm_ for t in tokens],
            [t.text for t in tokens],
            [strings[k] for k in keys],
            [t.is_punct for t in tokens],
            [t.is_space for t in tokens],
            [t.idx for t in tokens],
            [len(t) for t in tokens],
        )
        return cls(doc, max(0, min(lo, len(doc))), columns, None)

    # -- token ranges (spaCy's slice rules: clipped to the doc, empty when ``b <= a``) --------

    def _range(self, column: list[T], a: int, b: int) -> list[T]:
        lo = self.lo
        if lo <= a <= b <= self.hi:
            return column[a - lo : b - lo]
        n = len(self.doc)
        a, b = min(max(a, 0), n), min(max(b, 0), n)
        if a < b and (a < lo or b > self.hi):
            raise IndexError(f"tokens {a}:{b} are outside the view {lo}:{self.hi}")
        return column[a - lo : b - lo] if a < b else []

    def norms(self, a: int, b: int) -> list[str]:
        return self._range(self.norm, a, b)

    def texts(self, a: int, b: int) -> list[str]:
        return self._range(self.text, a, b)

    def keys(self, a: int, b: int) -> list[str]:
        """The normalizer's matching keys (:func:`analyzer.tokens.doc_state.key_text`)."""
        return self._range(self.key, a, b)

    def puncts(self, a: int, b: int) -> list[bool]:
        return self._range(self.punct, a, b)

    def idxs(self, a: int, b: int) -> list[int]:
        """Where each token starts in the text (``token.idx``)."""
        return self._range(self.idx, a, b)

    def last_separator(self, separators: Collection[str], a: int, b: int) -> int | None:
        """The position of the last token in ``[a, b)`` whose norm or text is one of ``separators``, if any.

        The positions are found once per view (and set of separators), so each look is a binary search.
        """
        found = self._separators
        if found is None or found[0] is not separators:
            positions = [
                self.lo + i
                for i, (norm, text) in enumerate(zip(self.norm, self.text, strict=True))
                if norm in separators or text in separators
            ]
            found = self._separators = (separators, positions)
        positions = found[1]
        at = bisect_left(positions, b) - 1
        return positions[at] if at >= 0 and positions[at] >= a else None

    def words(self, a: int, b: int) -> list[str]:
        """The norms of the tokens that are neither punctuation nor space."""
        spaces, puncts = self._range(self.space, a, b), self._range(self.punct, a, b)
        return [n for n, s, p in zip(self.norms(a, b), spaces, puncts, strict=True) if not s and not p]

    # -- sentences ------------------------------------------------------------------

    def sentence(self, i: int) -> Sentence:
        """The sentence of token ``i``, with the bounds ``doc[i].sent`` has."""
        starts = self._starts
        if starts is None:
            sent = self.doc[i].sent
            return Sentence(sent.start, sent.end, sent.start_char, sent.end_char)
        at = bisect_right(starts, i) - 1
        start = starts[at] if at >= 0 else 0
        after = bisect_left(starts, i + 1)
        end = starts[after] if after < len(starts) else len(self.doc)
        last = end - 1 - self.lo
        return Sentence(start, end, self.idx[start - self.lo], self.idx[last] + self.length[last])

    def of_sentence(self, sent: Sentence, what: object, compute: Callable[[], T]) -> T:
        """``compute()``, worked out once per sentence and ``what`` (a hashable name) and then reused."""
        slot = (what, sent.start)
        found = self._per_sentence.get(slot, _MISSING)
        if found is _MISSING:
            found = compute()
            self._per_sentence[slot] = found
        return found  # type: ignore[return-value]

    def sentence_norms(self, sent: Sentence) -> list[str]:
        """The norms of the sentence's tokens (shared: do not change the list)."""
        return self.of_sentence(sent, "norms", lambda: self.norms(sent.start, sent.end))


_MISSING = object()


def sentence_of_span(span: Span) -> Sentence:
    """A ``Span`` (a sentence) as a :class:`Sentence`."""
    return Sentence(span.start, span.end, span.start_char, span.end_char)


def _annotated(sent_starts: np.ndarray) -> bool:
    """``doc.has_annotation("SENT_START")`` from the doc's SENT_START column."""
    return len(sent_starts) == 1 or bool(sent_starts[1:].any())
