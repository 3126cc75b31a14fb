"""The prose of a document: the text the analyzer reads, mapped back to the source.

A reader (Markdown, HTML, reST, plain text) decides which parts of a file are
prose. It marks the rest (code, URLs, link targets, markup) as dropped; what
is kept becomes :attr:`Prose.text`, with each dropped run replaced by one
space (or a paragraph break when it spanned lines) so words on either side do
not join. Every character of the text remembers where it came from, so a
flag's offsets map back to the source's line and column.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field

URL_RE = re.compile(r"\b(?:https?|ftp|file)://[^\s<>\"'`)\]]+|\bwww\.[^\s<>\"'`)\]]+|\bmailto:[^\s<>\"'`)\]]+", re.I)


@dataclass(frozen=True)
class Directive:
    """An inline ignore comment: ``disable-next-line``, ``disable`` or ``enable``, with optional ids."""

    kind: str
    ids: tuple[str, ...]
    start: int  # source offsets of the whole comment
    end: int


@dataclass
class Prose:
    """The analyzable text of one document and its map back to the source."""

    source: str
    text: str
    starts: array  # starts[i]: source offset of text[i]
    ends: array  # ends[i]: source offset just after text[i]
    directives: list[Directive] = field(default_factory=list)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The source offsets of ``text[start:end]``."""
        return self.starts[start], self.ends[max(start, end - 1)]


class ProseBuilder:
    """Collects what a reader keeps: source runs, replacements (e.g. decoded entities) and gaps."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.parts: list[str] = []
        self.starts = array("l")
        self.ends = array("l")
        self.directives: list[Directive] = []
        self._pending_gap = ""

    def keep(self, start: int, end: int) -> None:
        """Keep ``source[start:end]`` as prose, character for character."""
        if end <= start:
            return
        self._flush_gap(start)
        self.parts.append(self.source[start:end])
        self.starts.extend(range(start, end))
        self.ends.extend(range(start + 1, end + 1))

    def replace(self, start: int, end: int, text: str) -> None:
        """Keep ``text`` in place of ``source[start:end]`` (an entity, an escape)."""
        if not text:
            return
        self._flush_gap(start)
        self.parts.append(text)
        self.starts.extend([start] * len(text))
        self.ends.extend([end] * len(text))

    def gap(self, start: int, end: int, *, paragraph: bool | None = None) -> None:
        """Drop ``source[start:end]``; it still separates the words around it (a paragraph break if it spans lines)."""
        if end <= start:
            return
        if paragraph is None:
            paragraph = "\n" in self.source[start:end]
        separator = "\n\n" if paragraph else " "
        if len(separator) > len(self._pending_gap):
            self._pending_gap = separator

    def _flush_gap(self, at: int) -> None:
        if self._pending_gap and self.parts:
            self.parts.append(self._pending_gap)
            self.starts.extend([at] * len(self._pending_gap))
            self.ends.extend([at] * len(self._pending_gap))
        self._pending_gap = ""

    def build(self) -> Prose:
        return Prose(self.source, "".join(self.parts), self.starts, self.ends, sorted(self.directives, key=_pos))


def _pos(directive: Directive) -> int:
    return directive.start


def keep_with_mask(builder: ProseBuilder, keep: bytearray) -> None:
    """Feed ``builder`` from a per-character mask (1 keeps the character, 0 drops it)."""
    n = len(keep)
    i = 0
    while i < n:
        j = i
        flag = keep[i]
        while j < n and keep[j] == flag:
            j += 1
        if flag:
            builder.keep(i, j)
        else:
            builder.gap(i, j)
        i = j


def drop_urls(source: str, keep: bytearray, start: int = 0, end: int | None = None) -> None:
    """Mark bare URLs between ``start`` and ``end`` as not prose."""
    for match in URL_RE.finditer(source, start, len(source) if end is None else end):
        url_end = match.end()
        while url_end > match.start() and source[url_end - 1] in ".,;:!?":
            url_end -= 1  # a sentence's full stop after a URL is not part of it
        keep[match.start() : url_end] = bytes(url_end - match.start())


DIRECTIVE_IDS_RE = re.compile(r"[A-Za-z0-9_.\-]+")


def parse_ids(rest: str) -> tuple[str, ...]:
    """The rule and category ids after a directive, separated by spaces or commas."""
    return tuple(DIRECTIVE_IDS_RE.findall(rest))


def line_starts(source: str) -> list[int]:
    """The offset at which each line of ``source`` starts (line 1 is index 0)."""
    starts = [0]
    starts.extend(m.end() for m in re.finditer(r"\r\n|\n|\r", source))
    return starts
