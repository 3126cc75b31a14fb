"""BERT's uncased WordPiece tokenizer in plain Python: text to the ids an encoder was trained on.

The encoder option (:mod:`analyzer.model.encoder`) runs a fine-tuned MiniLM
through onnxruntime; its input ids must be exactly the ones the pretrained
tokenizer gives, or the weights read noise. This is that tokenizer
(``BertNormalizer`` with lower-casing and accent stripping, ``BertPreTokenizer``,
greedy longest-match ``WordPiece``), small enough to need no extra package.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

CLS, SEP, PAD, UNK = "[CLS]", "[SEP]", "[PAD]", "[UNK]"
MAX_WORD_CHARS = 100  # a longer word is one [UNK], as in BERT


def _is_punctuation(ch: str) -> bool:
    """BERT counts every non-alphanumeric ASCII symbol as punctuation, and any Unicode P* character."""
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


def normalize(text: str) -> str:
    """Drop control characters, make all whitespace a space, space out CJK ideographs, lower-case, strip accents."""
    out: list[str] = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD:
            continue
        if ch in "\t\n\r" or unicodedata.category(ch) == "Zs":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf"):
            continue
        elif _is_cjk(cp):
            out.append(f" {ch} ")
        else:
            out.append(ch)
    lowered = "".join(out).lower()
    return "".join(c for c in unicodedata.normalize("NFD", lowered) if unicodedata.category(c) != "Mn")


def pre_tokenize(text: str) -> list[str]:
    """Whitespace-separated words, each punctuation character a word of its own."""
    words: list[str] = []
    for chunk in text.split():
        current: list[str] = []
        for ch in chunk:
            if _is_punctuation(ch):
                if current:
                    words.append("".join(current))
                    current = []
                words.append(ch)
            else:
                current.append(ch)
        if current:
            words.append("".join(current))
    return words


class WordPiece:
    """Text to input ids for a BERT-style encoder, from its ``vocab.txt`` (one piece per line, id = line number)."""

    def __init__(self, vocab: Sequence[str]) -> None:
        self.ids = {piece: i for i, piece in enumerate(vocab)}
        for special in (CLS, SEP, PAD, UNK):
            if special not in self.ids:
                raise ValueError(f"the vocabulary has no {special} piece")
        self.cls, self.sep, self.pad, self.unk = (self.ids[s] for s in (CLS, SEP, PAD, UNK))
        self.pieces = lru_cache(maxsize=65536)(self._pieces)

    @classmethod
    def from_file(cls, path: str | Path) -> WordPiece:
        return cls(Path(path).read_text(encoding="utf-8").splitlines())

    def _pieces(self, word: str) -> tuple[int, ...]:
        """Greedy longest-match-first split of one word; a word with an unmatchable rest is one [UNK]."""
        if len(word) > MAX_WORD_CHARS:
            return (self.unk,)
        out: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                found = self.ids.get(piece)
                if found is not None:
                    break
                end -= 1
            if found is None:
                return (self.unk,)
            out.append(found)
            start = end
        return tuple(out)

    def encode(self, text: str, max_length: int) -> list[int]:
        """[CLS] + the text's pieces, cut so that with [SEP] at most ``max_length`` ids remain."""
        room = max(0, max_length - 2)
        ids = [self.cls]
        for word in pre_tokenize(normalize(text)):
            ids.extend(self.pieces(word))
            if len(ids) > room:
                break
        return [*ids[: room + 1], self.sep]
