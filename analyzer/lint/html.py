"""HTML as prose, read with the standard library's :class:`html.parser.HTMLParser`.

Text nodes are prose, except inside ``script``, ``style``, ``code``, ``pre``,
``kbd``, ``samp`` and ``textarea``. Tags, attributes (so link targets) and
comments are not; entities are decoded in place and still map back to their
source position. Comments may hold inline ignore directives.
"""

from __future__ import annotations

from html import unescape
from html.parser import HTMLParser

from analyzer.lint.markdown import COMMENT_DIRECTIVE_RE
from analyzer.lint.prose import URL_RE, Directive, Prose, ProseBuilder, line_starts, parse_ids

SKIPPED_TAGS = frozenset({"script", "style", "code", "pre", "kbd", "samp", "textarea", "template"})
# Tags inside a line of text: they neither break a word nor end a sentence.
INLINE_TAGS = frozenset(
    {
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "data",
        "dfn",
        "em",
        "i",
        "mark",
        "q",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
        "del",
        "ins",
    }
)


class _ProseOfHtml(HTMLParser):
    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=False)
        self.source = source
        self.lines = line_starts(source)
        self.builder = ProseBuilder(source)
        self.skipping: list[str] = []

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.lines[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self.skipping.append(tag)
        self._gap(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.skipping:
            while self.skipping and self.skipping.pop() != tag:
                pass
        self._gap(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._gap(tag)

    def handle_data(self, data: str) -> None:
        start = self._offset()
        if self.skipping:
            self.builder.gap(start, start + len(data))
            return
        cursor = start
        for match in URL_RE.finditer(data):
            self.builder.keep(cursor, start + match.start())
            self.builder.gap(start + match.start(), start + match.end())
            cursor = start + match.end()
        self.builder.keep(cursor, start + len(data))

    def handle_entityref(self, name: str) -> None:
        self._entity(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self._entity(f"&#{name};")

    def _entity(self, raw: str) -> None:
        start = self._offset()
        end = start + len(raw) if self.source.startswith(raw, start) else start + len(raw) - 1
        if not self.skipping:
            self.builder.replace(start, end, unescape(raw))

    def handle_comment(self, data: str) -> None:
        start = self._offset()
        end = self.source.find("-->", start)
        end = len(self.source) if end < 0 else end + 3
        for match in COMMENT_DIRECTIVE_RE.finditer(self.source, start, end):
            self.builder.directives.append(
                Directive(match.group(1), parse_ids(match.group(2)), match.start(), match.end())
            )
        self._gap("")

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        """A ``<![name[ ... ]]>`` section; one with no name or an unknown one ("<![:") is read as text.

        Python 3.11's parser raises AssertionError on those, after moving its position: the position is
        put back and -1 returned, which makes the parser read the stretch as text when it closes.
        """
        position = self.lineno, self.offset
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            self.lineno, self.offset = position
            return -1

    def _gap(self, tag: str) -> None:
        if tag in INLINE_TAGS:
            return
        start = self._offset()
        self.builder.gap(start, start + 1, paragraph=tag != "")


def read_html(source: str) -> Prose:
    """The prose of an HTML document."""
    parser = _ProseOfHtml(source)
    parser.feed(source)
    parser.close()
    return parser.builder.build()
