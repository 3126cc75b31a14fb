"""Tokenizing any text in time linear in its length.

spaCy's tokenizer peels prefixes and suffixes off a whitespace-free chunk one
at a time, copying the rest of the chunk each time, so a chunk of n
punctuation marks costs n² ("*" * 8000 took 16 s); some marks also go through
its special-case matcher at several microseconds each ("'''", "’’’"). Texts
without such stretches (nearly all) go to the tokenizer unchanged. In the
others:

- a run of :data:`RUN_MIN` or more punctuation or symbol characters (or
  :data:`COSTLY_RUN_MIN` of one costly mark) becomes tokens of at most
  :data:`RUN_TOKEN` characters, made directly rather than by the tokenizer:
  no word hides in "!!!!!!!!!!!!!!!!" and a run of one character yields at
  most :data:`RUN_TOKEN` distinct token strings, so the vocabulary stays small;
- any other whitespace-free chunk longer than :data:`MAX_CHUNK` is cut into
  pieces of at most that length, each tokenized on its own.

The pieces' docs are joined with ``Doc.from_docs``, so the doc's text is the
input text character for character and every offset still points into it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import numpy as np
from spacy.attrs import NORM, ORTH, SPACY
from spacy.tokens import Doc
from spacy.vocab import Vocab

RUN_MIN = 12  # punctuation/symbol characters in a row that are made into run tokens
COSTLY_RUN_MIN = 3  # the same, for a run of one of the marks in COSTLY
COSTLY = "'’‘`´—―"  # marks spaCy's special cases make slow to tokenize one by one
RUN_TOKEN = 16  # characters per run token
MAX_CHUNK = 256  # longest whitespace-free piece handed to the tokenizer

_SYMBOLS = r"[^\w\s]"
# Each alternative starts only where its stretch starts (the lookbehinds), so a search never rescans a stretch.
_HOSTILE = re.compile(
    rf"(?<!{_SYMBOLS}){_SYMBOLS}{{{RUN_MIN},}}"
    rf"|([{COSTLY}])\1{{{COSTLY_RUN_MIN - 1},}}"
    rf"|(?<!\S)\S{{{MAX_CHUNK + 1},}}"
)
_RUN = re.compile(rf"(?<!{_SYMBOLS}){_SYMBOLS}{{{RUN_MIN},}}|([{COSTLY}])\1{{{COSTLY_RUN_MIN - 1},}}")
_NORM = [NORM]
_LONG_CHUNK = re.compile(rf"(?<!\S)\S{{{MAX_CHUNK + 1},}}")


def tokenize_linear(tokenizer: Callable[[str], Doc], vocab: Vocab, text: str) -> Doc:
    """``tokenizer(text)``, unless the text has a stretch that would make that superlinear (see module doc)."""
    if _HOSTILE.search(text) is None:
        return tokenizer(text)
    docs = [doc for doc in _piece_docs(tokenizer, vocab, text) if len(doc)]
    if not docs:
        return tokenizer(text)
    return docs[0] if len(docs) == 1 else _joined(vocab, docs)


def hostile_stretches(text: str) -> Iterator[tuple[int, int, bool]]:
    """``(start, end, is_run)`` of each run (see module doc) and each over-long chunk, in order, not overlapping.

    A run inside a long chunk is reported as a run; the parts of the chunk
    around it are reported as chunks when still over :data:`MAX_CHUNK`.
    """
    runs = [(m.start(), m.end()) for m in _RUN.finditer(text)]
    at = 0  # index into runs
    for chunk in _LONG_CHUNK.finditer(text):
        while at < len(runs) and runs[at][1] <= chunk.start():
            yield runs[at][0], runs[at][1], True
            at += 1
        start = chunk.start()
        while at < len(runs) and runs[at][0] < chunk.end():
            if runs[at][0] - start > MAX_CHUNK:
                yield start, runs[at][0], False
            yield runs[at][0], runs[at][1], True
            start = runs[at][1]
            at += 1
        if chunk.end() - start > MAX_CHUNK:
            yield start, chunk.end(), False
    for start, end in runs[at:]:
        yield start, end, True


def _joined(vocab: Vocab, docs: list[Doc]) -> Doc:
    """``Doc.from_docs(docs, ensure_whitespace=False)`` for docs fresh from the tokenizer, read from their arrays.

    ``from_docs`` reads every token's text and whitespace through a ``Token``
    object, which cost more than tokenizing random text. The tokenizer's docs
    carry their tokens' texts, whitespace and norms (special cases) and nothing
    else (a special case may set only ORTH and NORM), all of which the arrays
    hold; copying every attribute ``from_docs`` copies cost twice as much, and
    marked each piece's first token as a sentence start.
    """
    attrs = [ORTH, SPACY, NORM]
    arrays = np.concatenate([doc.to_array(attrs) for doc in docs])
    strings = vocab.strings
    orths = arrays[:, 0].tolist()
    texts = {orth: strings[orth] for orth in set(orths)}
    joined = Doc(vocab, words=[texts[orth] for orth in orths], spaces=arrays[:, 1].astype(bool).tolist())
    joined.from_array(_NORM, arrays[:, 2:])
    return joined


def _piece_docs(tokenizer: Callable[[str], Doc], vocab: Vocab, text: str) -> Iterator[Doc]:
    """The docs of the pieces of ``text``, in order: plain stretches tokenized, hostile ones cut (module doc)."""
    done = 0
    for start, end, is_run in hostile_stretches(text):
        if start > done:
            yield tokenizer(text[done:start])
        space = end < len(text) and text[end] == " "  # one space after the stretch belongs to its last token
        if is_run:
            words = [text[i : min(i + RUN_TOKEN, end)] for i in range(start, end, RUN_TOKEN)]
            yield Doc(vocab, words=words, spaces=[False] * (len(words) - 1) + [space])
        else:
            for i in range(start, end, MAX_CHUNK):
                last = i + MAX_CHUNK >= end
                yield tokenizer(text[i : end + 1 if last and space else min(i + MAX_CHUNK, end)])
        done = end + 1 if space else end
    if done < len(text):
        yield tokenizer(text[done:])
