"""Undoing invisible and look-alike characters before a text is analyzed, keeping a map back to it.

"man\u200dup" (a zero-width joiner), "bi\u00adtch" (a soft hyphen), bidi
controls, "ｍａｎ ｕｐ" (full-width letters), "𝐛𝐢𝐭𝐜𝐡" (mathematical bold) and
"bіtch" (a Cyrillic "і") read like the plain words to a person and matched
nothing. :func:`fold` returns the text the pipeline analyzes, with

- invisible characters removed (zero-width spaces and joiners, soft hyphens,
  bidi controls, variation selectors, tag characters, combining marks of the
  diacritics blocks that stack on Latin letters), and blank fillers read as
  spaces;
- compatibility forms of ASCII letters and digits written as those
  (full-width forms, mathematical alphanumerics, circled and squared letters,
  ligatures, superscript letters), by their NFKC decomposition;
- in a word that mixes Latin letters with Cyrillic, Greek or Armenian
  look-alikes, or is made only of look-alikes in a text mostly in Latin
  letters, each look-alike read as its Latin letter (Russian or Greek text
  keeps its letters).
- a run of two or more characters nobody types (U+FFFD, left where bytes did
  not decode, and control characters) read as one space, and a lone U+FFFD
  as a space too: badly decoded text is mostly such runs, which the
  tokenizer made one token per character (then one per run, a third of the
  tokens of random bytes) and no later step learns anything from; where a
  character did not decode, a word ends.

It also returns, for each character of the folded text, the position of the
character of the input it came from (None when nothing changed), so flags
found in the folded text point into the text the user gave
(:func:`original_span`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np

_INVISIBLE_RANGES = [
    (0x00AD, 0x00AD),  # soft hyphen
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x061C, 0x061C),  # Arabic letter mark
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),  # Mongolian free variation selectors and vowel separator
    (0x200B, 0x200F),  # zero-width space, non-joiner, joiner; left-to-right and right-to-left marks
    (0x202A, 0x202E),  # bidi embeddings and overrides
    (0x2060, 0x2064),  # word joiner, invisible operators
    (0x2066, 0x206F),  # bidi isolates, deprecated format characters
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFEFF, 0xFEFF),  # zero-width no-break space (BOM)
    (0xE0000, 0xE007F),  # tag characters
    (0xE0100, 0xE01EF),  # variation selectors supplement
    (0x0300, 0x036F),  # combining diacritical marks (stacked on letters to break up a word)
    (0x1AB0, 0x1AFF),
    (0x1DC0, 0x1DFF),
    (0x20D0, 0x20FF),
    (0xFE20, 0xFE2F),
]
_BLANKS = [0x115F, 0x1160, 0x3164, 0xFFA0, 0x3000]  # Hangul fillers and the ideographic space: shown as blanks
_COMPATIBILITY_RANGES = [
    (0xFF01, 0xFF5E),  # full-width ASCII
    (0x1D400, 0x1D7FF),  # mathematical alphanumeric symbols
    (0x2460, 0x24FF),  # enclosed alphanumerics (circled letters)
    (0x1F130, 0x1F149),  # squared Latin capital letters
    (0xFB00, 0xFB06),  # Latin ligatures
    (0x1D2C, 0x1D6A),  # modifier (superscript) letters
    (0x2070, 0x209C),  # superscripts and subscripts
    (0x2100, 0x214F),  # letterlike symbols
]
# Negative circled and squared Latin capitals have no decomposition: A..Z by position.
_LETTER_BLOCKS = [(0x1F150, 0x1F169), (0x1F170, 0x1F189)]
HOMOGLYPHS = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "і": "i", "ј": "j", "к": "k", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x",
    "ѕ": "s", "ԁ": "d", "һ": "h", "ӏ": "l", "ԛ": "q", "ԝ": "w", "ь": "b",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T", "У": "Y",
    "Х": "X", "І": "I", "Ј": "J", "Ѕ": "S", "Ԛ": "Q", "Ԝ": "W", "Ӏ": "I",
    # Greek
    "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Armenian and Latin look-alikes
    "օ": "o", "ս": "u", "ı": "i", "ɑ": "a", "ɡ": "g",
}  # fmt: skip
_HOMOGLYPH_TABLE = str.maketrans(HOMOGLYPHS)
_LOOKS = "[" + "".join(re.escape(char) for char in HOMOGLYPHS) + "]"
# A whole run of letters holding a look-alike (the lookbehind starts a match only where a run starts, so a
# run without one costs its length once): the runs _unmask_word can change, and no others.
_LETTERS_WITH_LOOKS = re.compile(rf"(?<![^\W\d_])[^\W\d_]*?{_LOOKS}[^\W\d_]*")
_ASCII_LETTER = re.compile(r"[A-Za-z]")
_NOT_LATIN = re.compile(r"[^A-Za-z]+")
# runs of the replacement character and of the control characters that are not whitespace to Python
_JUNK_RUN = re.compile("[\ufffd\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]{2,}")
_NOT_LOOK_ALIKE_SCRIPT = re.compile(r"[^\u0370-\u03ff\u0400-\u052f\u0530-\u058f]+")  # Greek, Cyrillic, Armenian


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, str | None], np.ndarray, np.ndarray, re.Pattern[str]]:
    """The translate table, the folded length of every code point, which code points fold, and a pattern finding
    look-alikes.

    Which characters fold is a table indexed by code point: a regex character class of them cost 2 µs per
    character searched (a megabyte of text without any took 4 s).
    """
    table: dict[int, str | None] = {}
    for low, high in _INVISIBLE_RANGES:
        table.update(dict.fromkeys(range(low, high + 1)))
    table.update({code: " " for code in _BLANKS})
    for low, high in _COMPATIBILITY_RANGES:
        for code in range(low, high + 1):
            plain = unicodedata.normalize("NFKC", chr(code))
            full_width = 0xFF01 <= code <= 0xFF5E
            if plain.isascii() and plain and len(plain) <= 3 and (full_width or plain.isalnum()):
                table[code] = plain
    for low, high in _LETTER_BLOCKS:
        table.update({code: chr(ord("A") + code - low) for code in range(low, high + 1)})
    lengths = np.ones(0x110000, dtype=np.int64)
    for code, plain in table.items():
        lengths[code] = len(plain or "")
    changed = np.zeros(0x110000, dtype=bool)
    changed[list(table)] = True
    return table, lengths, changed, re.compile(_LOOKS)


def fold(text: str) -> tuple[str, np.ndarray | None]:
    """The text to analyze and, per character of it, the position in ``text`` it came from (None: same text)."""
    if text.isascii():
        return _one_per_junk_run(text, None) if _JUNK_RUN.search(text) else (text, None)
    table, lengths, changed, looks = _tables()
    origin = None
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if changed[codes].any():
        origin = np.repeat(np.arange(len(text), dtype=np.int64), lengths[codes])
        text = text.translate(table)
    if _JUNK_RUN.search(text) is not None:
        text, origin = _one_per_junk_run(text, origin)
    if looks.search(text) is not None:
        latin = len(_NOT_LATIN.sub("", text)) > len(_NOT_LOOK_ALIKE_SCRIPT.sub("", text))
        swapped = _LETTERS_WITH_LOOKS.sub(lambda found: _unmask_word(found.group(), latin), text)
        if swapped != text:
            text = swapped
            if origin is None:
                origin = np.arange(len(text), dtype=np.int64)
    if "\ufffd" in text:  # a lone one
        if origin is None:  # a space for it, in place: the characters still line up with the input
            origin = np.arange(len(text), dtype=np.int64)
        text = text.replace("\ufffd", " ")
    return text, origin


def _one_per_junk_run(text: str, origin: np.ndarray | None) -> tuple[str, np.ndarray]:
    """``text`` with each run of junk characters read as one space, and the map back to the input."""
    bounds = np.array([found.span() for found in _JUNK_RUN.finditer(text)], dtype=np.int64)
    step = np.zeros(len(text) + 1, dtype=np.int64)
    np.add.at(step, bounds[:, 0] + 1, 1)
    np.add.at(step, bounds[:, 1], -1)
    keep = np.cumsum(step[:-1]) == 0  # all but the first character of each run
    positions = np.arange(len(text), dtype=np.int64) if origin is None else origin
    return _JUNK_RUN.sub(" ", text), positions[keep]


def _unmask_word(word: str, latin: bool) -> str:
    """``word`` with look-alike letters read as Latin, when it mixes them with Latin letters or, in a text
    mostly in Latin letters (``latin``), is made only of look-alikes."""
    plain = word.translate(_HOMOGLYPH_TABLE)
    if plain == word:
        return word
    if _ASCII_LETTER.search(word) is not None or (latin and plain.isascii()):
        return plain
    return word


def original_span(origin: np.ndarray | None, start: int, end: int) -> tuple[int, int]:
    """Where the folded text's ``[start, end)`` is in the text :func:`fold` was given."""
    if origin is None or end <= start:
        return start, end
    return int(origin[start]), int(origin[end - 1]) + 1
