"""Cutting long texts into pieces spaCy can take, without losing offsets.

spaCy refuses texts over ``nlp.max_length`` and its memory grows with the
text. A long text is cut at paragraph, then line, then sentence, then word
boundaries into pieces of at most ``max_chars`` characters; each piece keeps
its offset so flags point into the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

DEFAULT_PIECE_CHARS = 50_000
_BOUNDARIES = (re.compile(r"\n\s*\n"), re.compile(r"\n"), re.compile(r"(?<=[.!?])\s+"), re.compile(r"\s+"))


def pieces(text: str, max_chars: int = DEFAULT_PIECE_CHARS) -> Iterator[tuple[int, str]]:
    """Yield ``(offset, piece)`` covering ``text`` in order, each piece <= max_chars."""
    if len(text) <= max_chars:
        yield 0, text
        return
    start = 0
    n = len(text)
    while start < n:
        end = min(n, start + max_chars)
        if end < n:
            end = _best_cut(text, start, end)
        yield start, text[start:end]
        start = end


def _best_cut(text: str, start: int, end: int) -> int:
    """The last good boundary in text[start:end], preferring larger units."""
    window = text[start:end]
    floor = len(window) // 2  # never cut so early that pieces become tiny
    for pattern in _BOUNDARIES:
        last = None
        for match in pattern.finditer(window, floor):
            last = match
        if last is not None:
            return start + last.end()
    return end
