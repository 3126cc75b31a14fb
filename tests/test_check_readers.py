"""Documents read as prose: what is analyzed, what is not, and where each character came from."""

from __future__ import annotations

import pytest

from analyzer.lint.html import read_html
from analyzer.lint.markdown import read_markdown
from analyzer.lint.rst import read_plain, read_rst

MARKDOWN = """\
---
title: man up
---
# Release notes

Run `man up --force` or see [the guide](https://example.com/man-up "man up") today.
Inline <span title="man up">HTML</span> and <!-- man up --> comments, ![man up](man-up.png) images,
<https://example.com/manup> autolinks and bare https://example.com/man/up URLs.

    man up (indented code)

```text
man up (fenced code)
```

<div>
man up (HTML block)
</div>

[guide]: https://example.com/man-up
| column | other |
| ------ | ----- |
| plain cell | `man up` |
"""


@pytest.mark.parametrize(
    "reader, source, kept, dropped",
    [
        (read_markdown, MARKDOWN, ["Release notes", "the guide", "today.", "HTML", "plain cell"], ["man up", "manup"]),
        (read_markdown, "A **bold** claim with _emphasis_.", ["bold", "claim", "emphasis"], []),
        (read_markdown, "> Quoted advice: be kind.\n> Second line.", ["Quoted advice: be kind.", "Second line."], []),
        (read_markdown, "- first item\n- second `code` item\n", ["first item", "second", "item"], ["code"]),
        (
            read_html,
            "<html><head><title>Notes</title><style>.man-up{}</style><script>man_up()</script></head>"
            '<body><p>Be <a href="https://x.test/man-up">kind</a></p><pre>man up</pre><code>man up</code>'
            "<!-- man up --><p>Done</p></body></html>",
            ["Notes", "Be", "kind", "Done"],
            ["man", "x.test"],
        ),
        (read_html, "<p>Don&rsquo;t wo<b>rr</b>y &amp; relax</p>", ["Don’t worry & relax"], ["&amp;", "rsquo"]),
        (
            read_rst,
            "Title\n=====\n\nUse ``man up`` or :code:`man up` or `docs <https://x.test/man-up>`_ here.\n\n"
            "Example::\n\n    man up literal\n\n.. code-block:: python\n\n    man up code\n\n"
            ".. a comment that says man up\n   and goes on\n\n.. note:: Keep this note.\n\n   And its body.\n\n"
            ">>> man_up()\n\nThe end.\n",
            ["Title", "Use", "or", "docs", "here.", "Example", "Keep this note.", "And its body.", "The end."],
            ["man", "comment", "x.test"],
        ),
        (read_plain, "Plain words and https://x.test/man-up in them.", ["Plain words and", "in them."], ["x.test"]),
    ],
)
def test_prose_keeps_text_and_drops_code_urls_and_markup(reader, source, kept, dropped) -> None:
    prose = reader(source)
    for piece in kept:
        assert piece in prose.text, (piece, prose.text)
    for piece in dropped:
        assert piece not in prose.text, (piece, prose.text)


@pytest.mark.parametrize(
    "reader, source",
    [
        (read_markdown, MARKDOWN),
        (read_markdown, "Line one\r\nsecond *line* with [a link](u) and `x`\r\n"),
        (read_html, "<p>Don&rsquo;t <i>stop</i>\n now &#x2014; ok</p>"),
        (read_rst, "Title\n=====\n\nSome ``code`` and words.\n"),
    ],
)
def test_every_kept_character_maps_back_to_the_same_source_character(reader, source) -> None:
    prose = reader(source)
    for i, char in enumerate(prose.text):
        start, end = prose.starts[i], prose.ends[i]
        if char.isalnum() and end - start == 1:
            assert source[start] == char


def test_blocks_end_sentences_so_list_items_do_not_run_together() -> None:
    assert read_markdown("- first item\n- second item\n").text.split("\n\n") == ["- first item", "- second item"]


def test_front_matter_needs_a_closing_fence() -> None:
    prose = read_markdown("---\nnot front matter, a rule and a heading\n")
    assert "not front matter" in prose.text


@pytest.mark.parametrize(
    "reader, source, kinds",
    [
        (
            read_markdown,
            "<!-- allyship-disable-next-line tm.man-up -->\nText\n\n<!-- allyship-disable -->\n\n"
            "Para <!-- allyship-enable -->\n\n```\n<!-- allyship-disable -->\n```\n",
            [("disable-next-line", ("tm.man-up",)), ("disable", ()), ("enable", ())],
        ),
        (
            read_html,
            "<p>a</p><!-- allyship-disable dismissive, tm.man-up --><p>b</p>",
            [("disable", ("dismissive", "tm.man-up"))],
        ),
        (read_rst, ".. allyship-disable-next-line dismissive\n\nText.\n", [("disable-next-line", ("dismissive",))]),
    ],
)
def test_ignore_directives_are_read_from_comments_not_from_code(reader, source, kinds) -> None:
    assert [(d.kind, d.ids) for d in reader(source).directives] == kinds


MARKUP_ALPHABET = "ab man up\n\r\t `*_#>-|[]()<>!:=.~&;/\\"


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("<![:", []),
        ("<p>Calm down</p><![:x <b>man up</b>", ["Calm down", "man up"]),
        ("<![foo[ calm down ]]>", ["calm down"]),
    ],
)
def test_a_broken_marked_section_in_html_is_read_as_text(source: str, words: list[str]) -> None:
    """Python's HTML parser gives up on "<![" without a known name (found by the property test below)."""
    prose = read_html(source)
    assert len(prose.starts) == len(prose.text)
    for i, char in enumerate(prose.text):
        if char.isalnum() and prose.ends[i] - prose.starts[i] == 1:
            assert source[prose.starts[i]] == char
    for phrase in words:
        at = prose.text.index(phrase)
        assert source[prose.starts[at] : prose.ends[at + len(phrase) - 1]] == phrase


@pytest.mark.parametrize("reader", [read_markdown, read_html, read_rst, read_plain])
def test_readers_never_crash_and_always_map_back(reader) -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=150, deadline=None)
    @given(st.text(alphabet=MARKUP_ALPHABET + "é€\u2028", max_size=200))
    def prop(source: str) -> None:
        prose = reader(source)
        assert len(prose.starts) == len(prose.ends) == len(prose.text)
        for i, char in enumerate(prose.text):
            start, end = prose.starts[i], prose.ends[i]
            assert 0 <= start <= end <= len(source)
            if char.isalnum() and end - start == 1:
                assert source[start] == char
        for directive in prose.directives:
            assert 0 <= directive.start < directive.end <= len(source)

    prop()
