"""Sentence boundaries from punctuation and line breaks, computed on arrays.

Same rule as spaCy's ``sentencizer`` (a sentence starts at the first
non-punctuation token after a sentence-final character, so closing quotes
and brackets stay with their sentence), plus a break at every line break: a
chat message or a list item is its own sentence. Working on token attribute
arrays instead of Token objects makes it several times faster, and it runs on
every text.

The work is done a batch of docs at a time (``pipe``): on short posts the
fixed cost of each numpy call outweighs its work, so the rule runs once over
the concatenated tokens of the batch, and only ``to_array``/``from_array``
remain per doc. Tokens are read from the text (where each token is, from its
IDX and SPACY) rather than from their lexemes: a lexeme attribute such as
ORTH or IS_PUNCT costs ``to_array`` a memory fetch per token that the token's
own fields do not.
"""

from __future__ import annotations

import numpy as np
from spacy.attrs import IDX, SENT_START, SPACY
from spacy.language import Language
from spacy.pipeline.sentencizer import Sentencizer
from spacy.tokens import Doc

from analyzer.tokens.arrays import BatchComponent, DocArrays, TokenChars
from analyzer.tokens.doc_state import doc_texts

FINAL = frozenset(Sentencizer.default_punct_chars)

# What a token is to the rule (bit flags): skipped tokens never start a sentence
# (punctuation, sentence-final characters, whitespace); ending tokens make the next
# unskipped token start one (sentence-final characters, whitespace with a line break).
SKIPPED = 1
ENDING = 2
_KNOWN = 4  # in the per-character table: this character's bits are filled in
_MAX_CACHED = 100_000
_ATTRS = [IDX, SPACY]
_SENT_START = [SENT_START]
_NOT_A_START = np.uint64(2**64 - 1)  # SENT_START -1, as from_array reads it


class SentenceSplitter(BatchComponent):
    """Sets ``token.is_sent_start`` for every token of a doc."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.vocab = nlp.vocab
        self._by_char = np.zeros(0x110000, dtype=np.uint8)  # one-character tokens: code point -> bits | _KNOWN
        self._by_text: dict[str, int] = {}  # longer tokens that do not start with an ASCII letter or digit

    def process(self, docs: list[Doc]) -> None:
        docs = [doc for doc in docs if len(doc)]
        if not docs:
            return
        batch = DocArrays([doc.to_array(_ATTRS) for doc in docs])
        tokens = TokenChars(doc_texts(docs), batch, batch.array[:, 0], batch.array[:, 1])
        starts = sentence_starts(self._kinds(tokens), tokens.firsts)
        for doc, first, end in zip(docs, tokens.firsts.tolist(), tokens.ends.tolist(), strict=True):
            doc.from_array(_SENT_START, starts[first:end])

    def _kinds(self, tokens: TokenChars) -> np.ndarray:
        """The SKIPPED/ENDING bits of every token.

        A token of more than one character starting with an ASCII letter or
        digit is a word (never punctuation, whitespace or sentence-final); the
        others are looked up, one-character tokens by code point in a table.
        """
        single = tokens.lengths == 1
        kinds = np.zeros(len(single), dtype=np.uint8)
        kinds[single] = self._char_kinds(tokens.first_chars[single])
        others = np.flatnonzero(~single & ~tokens.ascii_alnum_first())
        if len(others):
            kinds[others] = self._text_kinds(tokens.text, tokens.starts[others], tokens.lengths[others])
        return kinds

    def _char_kinds(self, chars: np.ndarray) -> np.ndarray:
        """The bits of one-character tokens, by code point (each character's bits worked out once)."""
        found = self._by_char[chars]
        unknown = chars[(found & _KNOWN) == 0]
        if len(unknown):
            for char in np.unique(unknown).tolist():
                self._by_char[char] = self._kind(chr(char)) | _KNOWN
            found = self._by_char[chars]
        return found & (SKIPPED | ENDING)

    def _text_kinds(self, text: str, starts: np.ndarray, lengths: np.ndarray) -> list[int]:
        """The bits of the tokens at ``text[start : start + length]``, cached by token text."""
        known, kinds = self._by_text, []
        for start, length in zip(starts.tolist(), lengths.tolist(), strict=True):
            word = text[start : start + length]
            kind = known.get(word)
            if kind is None:
                kind = self._kind(word)
                if len(known) < _MAX_CACHED:
                    known[word] = kind
            kinds.append(kind)
        return kinds

    def _kind(self, text: str) -> int:
        """SKIPPED | ENDING bits of the token ``text``, from its lexeme's flags."""
        lexeme = self.vocab[text]
        is_final = text in FINAL
        skipped = is_final or lexeme.is_punct or lexeme.is_space
        ending = is_final or (lexeme.is_space and "\n" in text)
        return (SKIPPED if skipped else 0) | (ENDING if ending else 0)


def sentence_starts(kinds: np.ndarray, firsts: np.ndarray) -> np.ndarray:
    """SENT_START values (1 or -1) of docs laid end to end; ``firsts`` are the docs' first token positions.

    A doc's first token starts a sentence; any other token starts one when it is
    not skipped and an ending token lies between the previous unskipped token
    of its doc (or the doc's first token, included) and itself. Ending tokens
    are skipped tokens, so a running count of them finds every start at once.
    """
    ending = (kinds & ENDING).astype(np.int64)
    seen = np.cumsum(ending)  # ending tokens up to and including each position
    marks = (kinds & SKIPPED) == 0
    marks[firsts] = True  # a doc's first token bounds the count like an unskipped token
    marked = np.flatnonzero(marks)
    after, before = marked[1:], marked[:-1]
    out = np.full(len(kinds), _NOT_A_START, dtype=np.uint64)
    out[after[seen[after] > seen[before] - ending[before]]] = 1
    out[firsts] = 1
    return out


@Language.factory("allyship_sentences", assigns=["token.is_sent_start"])
def make_sentences(nlp: Language, name: str) -> SentenceSplitter:
    return SentenceSplitter(nlp, name)
