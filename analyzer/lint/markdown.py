"""Markdown as prose, read with markdown-it-py (CommonMark plus tables).

Only the lines of paragraphs, headings and table cells can hold prose; fenced
and indented code, HTML blocks, link reference definitions and front matter
are dropped whole. Inside prose lines the parser's inline tokens are walked in
order against the source, so code spans, inline HTML (comments included),
link and image targets, autolinks and bare URLs are dropped too, while link
text stays. Inline ignore comments are read from HTML blocks and inline HTML,
so a comment shown inside a code block is not a directive.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

from analyzer.lint.prose import Directive, Prose, ProseBuilder, drop_urls, keep_with_mask, line_starts, parse_ids

COMMENT_DIRECTIVE_RE = re.compile(r"<!--\s*allyship-(disable-next-line|disable|enable)\b(.*?)-->", re.S)
FRONT_MATTER_RE = re.compile(r"\A(?:---|\+\+\+)[ \t]*\r?\n")

_parser = MarkdownIt("commonmark").enable("table")


def read_markdown(source: str) -> Prose:
    """The prose of a Markdown document."""
    lines = line_starts(source)
    keep = bytearray(len(source))
    builder = ProseBuilder(source)
    parse_source = _blank_front_matter(source)
    tokens = _parser.parse(parse_source)
    cursors: dict[tuple[int, int], int] = {}
    for token in tokens:
        if token.map is None:
            continue
        begin = lines[token.map[0]] if token.map[0] < len(lines) else len(source)
        finish = lines[token.map[1]] if token.map[1] < len(lines) else len(source)
        if token.type == "inline":
            key = (token.map[0], token.map[1])
            start = cursors.get(key, begin)
            if key not in cursors:
                keep[begin:finish] = b"\x01" * (finish - begin)
                if finish > begin and source[finish - 1] == "\n":
                    keep[finish - 1] = 0  # a block ends its sentence: list items and table rows do not run together
                drop_urls(source, keep, begin, finish)
            cursors[key] = _walk_inline(source, token.children or [], start, finish, keep, builder)
        elif token.type == "html_block":
            _add_directives(source, begin, finish, builder)
    keep_with_mask(builder, keep)
    return builder.build()


def _blank_front_matter(source: str) -> str:
    """The source with a leading YAML/TOML front matter block turned into blank lines (same line count)."""
    opening = FRONT_MATTER_RE.match(source)
    if not opening:
        return source
    fence = source[:3]
    closing = re.compile(rf"^(?:{re.escape(fence)}|\.\.\.)[ \t]*$", re.M).search(source, opening.end())
    if not closing:
        return source
    head = source[: closing.end()]
    return re.sub(r"[^\r\n]", "", head) + source[closing.end() :]


def _walk_inline(
    source: str, children: list[Token], cursor: int, limit: int, keep: bytearray, builder: ProseBuilder
) -> int:
    """Drop the non-prose inline parts of one inline token; returns the cursor after them."""
    i = 0
    while i < len(children):
        child = children[i]
        kind = child.type
        if kind == "text":
            found = source.find(child.content, cursor, limit) if child.content else -1
            if found >= 0:
                cursor = found + len(child.content)
        elif kind == "code_inline":
            cursor = _drop_code_span(source, child.markup, cursor, limit, keep)
        elif kind == "html_inline":
            found = source.find(child.content, cursor, limit)
            if found >= 0:
                _drop(keep, found, found + len(child.content))
                _add_directives(source, found, found + len(child.content), builder)
                cursor = found + len(child.content)
        elif kind == "link_open" and child.markup == "autolink":
            found = source.find("<", cursor, limit)
            close = source.find(">", found + 1, limit) if found >= 0 else -1
            if close >= 0:
                _drop(keep, found, close + 1)
                cursor = close + 1
            i += 2  # the autolink's text and link_close
        elif kind == "link_close":
            cursor = _drop_link_target(source, cursor, limit, keep)
        elif kind == "image":
            found = source.find("![", cursor, limit)
            if found >= 0:
                close = source.find("]", found, limit)
                end = _drop_link_target(source, close if close >= 0 else found + 2, limit, keep)
                _drop(keep, found, end)
                cursor = end
        i += 1
    return cursor


def _drop_code_span(source: str, markup: str, cursor: int, limit: int, keep: bytearray) -> int:
    fence = re.compile(rf"(?<!`){re.escape(markup)}(?!`)")
    opening = fence.search(source, cursor, limit)
    if not opening:
        return cursor
    closing = fence.search(source, opening.end(), limit)
    if not closing:
        return cursor
    _drop(keep, opening.start(), closing.end())
    return closing.end()


def _drop_link_target(source: str, cursor: int, limit: int, keep: bytearray) -> int:
    """Drop ``](target "title")`` or ``][ref]`` after a link's text; returns the cursor after it."""
    bracket = source.find("]", cursor, limit)
    if bracket < 0:
        return cursor
    after = bracket + 1
    if after < limit and source[after] == "(":
        depth, j = 0, after
        while j < limit:
            if source[j] == "\\":
                j += 2
                continue
            if source[j] == "(":
                depth += 1
            elif source[j] == ")":
                depth -= 1
                if depth == 0:
                    _drop(keep, bracket, j + 1)
                    return j + 1
            j += 1
        return after
    if after < limit and source[after] == "[":
        close = source.find("]", after, limit)
        if close >= 0:
            _drop(keep, bracket, close + 1)
            return close + 1
    _drop(keep, bracket, after)
    return after


def _drop(keep: bytearray, start: int, end: int) -> None:
    keep[start:end] = bytes(end - start)


def _add_directives(source: str, start: int, end: int, builder: ProseBuilder) -> None:
    for match in COMMENT_DIRECTIVE_RE.finditer(source, start, end):
        builder.directives.append(Directive(match.group(1), parse_ids(match.group(2)), match.start(), match.end()))
