"""reStructuredText and plain text as prose.

reST is read line by line, following its indentation rules: literal blocks
(after a paragraph ending in ``::``), doctest blocks, comments, hyperlink
targets, substitution definitions and code-like directives (``code-block``,
``code``, ``sourcecode``, ``literalinclude``, ``raw``, ``math``, ``image``
and friends) are dropped with their indented bodies; other directives keep
their content, only the ``.. name::`` marker is dropped. Inline literals,
roles, ``<targets>`` of links and bare URLs are dropped; a comment
``.. allyship-disable-next-line [ids]`` (or ``-disable`` / ``-enable``) is a directive.
Plain text is all prose except bare URLs.
"""

from __future__ import annotations

import re

from analyzer.lint.prose import Directive, Prose, ProseBuilder, drop_urls, keep_with_mask, line_starts, parse_ids

CODE_DIRECTIVES = frozenset(
    {
        "code-block", "code", "sourcecode", "literalinclude", "include", "raw", "math", "image", "figure",
        "highlight", "doctest", "testcode", "testoutput", "testsetup", "csv-table", "graphviz", "automodule",
        "autoclass", "autofunction", "program-output", "command-output", "parsed-literal",
        "toctree", "autosummary", "automethod", "autoattribute", "autodata", "autoexception", "contents", "index",
    }
)  # fmt: skip
EXPLICIT_RE = re.compile(r"^(\s*)\.\.(?:\s+|$)")
DIRECTIVE_RE = re.compile(r"^(\s*)\.\.\s+([A-Za-z0-9_:+\-]+)::")
TARGET_RE = re.compile(r"^\s*\.\.\s+(?:_|\[|\|)")
IGNORE_RE = re.compile(r"^\s*\.\.\s+allyship-(disable-next-line|disable|enable)\b(.*)$")
LITERAL_RE = re.compile(r"``.+?``")
ROLE_RE = re.compile(r":[A-Za-z0-9_.+\-:]+:`[^`]+`")
LINK_TARGET_RE = re.compile(r"\s*<[^<>]+>(?=`_{1,2})")


def read_plain(source: str) -> Prose:
    """The prose of a plain-text document: everything but bare URLs."""
    keep = bytearray(b"\x01" * len(source))
    drop_urls(source, keep)
    builder = ProseBuilder(source)
    keep_with_mask(builder, keep)
    return builder.build()


def read_rst(source: str) -> Prose:
    """The prose of a reStructuredText document."""
    starts = line_starts(source)
    lines = [source[a:b] for a, b in zip(starts, [*starts[1:], len(source)], strict=True)]
    if lines and not lines[-1]:
        lines.pop()
    keep = bytearray(b"\x01" * len(source))
    builder = ProseBuilder(source)
    i = 0
    previous_literal = False
    while i < len(lines):
        line = lines[i]
        begin = starts[i]
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if previous_literal and stripped:
            previous_literal = False
            base = _indent_before(lines, i)
            if indent > base:
                i = _drop_indented(lines, starts, i, base, keep)
                continue
        if stripped.startswith(">>>"):
            j = i
            while j < len(lines) and lines[j].strip():
                j += 1
            _drop_lines(starts, i, j, keep)
            i = j
            continue
        ignore = IGNORE_RE.match(line)
        directive = DIRECTIVE_RE.match(line)
        if ignore:
            end = begin + len(line.rstrip("\r\n"))
            builder.directives.append(Directive(ignore.group(1), parse_ids(ignore.group(2)), begin + indent, end))
            i = _drop_block(lines, starts, i, indent, keep)
            continue
        if directive and directive.group(2).lower() not in CODE_DIRECTIVES:
            marker_end = begin + directive.end()
            keep[begin:marker_end] = bytes(marker_end - begin)
            _drop_options(lines, starts, i + 1, indent, keep)
            i += 1
            continue
        if directive or TARGET_RE.match(line) or EXPLICIT_RE.match(line):
            i = _drop_block(lines, starts, i, indent, keep)
            continue
        if stripped.endswith("::"):
            line_end = begin + len(line.rstrip())
            keep[line_end - 2 : line_end] = b"\x00\x00"  # the marker; "Example::" reads as "Example:"
            previous_literal = True
        _drop_inline(source, begin, begin + len(line), keep)
        i += 1
    drop_urls(source, keep)
    keep_with_mask(builder, keep)
    return builder.build()


def _indent_before(lines: list[str], i: int) -> int:
    for j in range(i - 1, -1, -1):
        if lines[j].strip():
            return len(lines[j]) - len(lines[j].lstrip())
    return 0


def _drop_block(lines: list[str], starts: list[int], i: int, indent: int, keep: bytearray) -> int:
    """Drop line ``i`` and the lines after it indented deeper than ``indent``; returns the next line."""
    _drop_lines(starts, i, i + 1, keep)
    return _drop_indented(lines, starts, i + 1, indent, keep)


def _drop_indented(lines: list[str], starts: list[int], i: int, indent: int, keep: bytearray) -> int:
    """Drop the lines from ``i`` that are blank or indented deeper than ``indent``; returns the next line."""
    j = i
    while j < len(lines):
        text = lines[j]
        if text.strip() and len(text) - len(text.lstrip()) <= indent:
            break
        j += 1
    while j > i and not lines[j - 1].strip():
        j -= 1
    _drop_lines(starts, i, j, keep)
    return j


def _drop_options(lines: list[str], starts: list[int], i: int, indent: int, keep: bytearray) -> None:
    """Drop a directive's ``:option: value`` lines right after its marker."""
    while (
        i < len(lines)
        and re.match(r"^\s+:[A-Za-z0-9_\- ]+:", lines[i])
        and len(lines[i]) - len(lines[i].lstrip()) > indent
    ):
        _drop_lines(starts, i, i + 1, keep)
        i += 1


def _drop_lines(starts: list[int], i: int, j: int, keep: bytearray) -> None:
    """Mark lines ``i`` to ``j`` (exclusive) as not prose; an empty range (a marker on the last line) is nothing."""
    if i >= j or i >= len(starts):
        return
    begin = starts[i]
    end = starts[j] if j < len(starts) else len(keep)
    keep[begin:end] = bytes(end - begin)


def _drop_inline(source: str, begin: int, end: int, keep: bytearray) -> None:
    for pattern in (LITERAL_RE, ROLE_RE, LINK_TARGET_RE):
        for match in pattern.finditer(source, begin, end):
            keep[match.start() : match.end()] = bytes(match.end() - match.start())
