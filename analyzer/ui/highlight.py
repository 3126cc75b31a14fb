"""The text shown back with each flagged phrase highlighted, as escaped HTML.

The page renders this with ``st.markdown(..., unsafe_allow_html=True)``, so
this module is the one place that decides what reaches the browser as markup.
Every piece of user text goes through :func:`escape_text`: a pasted
``<img src=x onerror=...>`` arrives as the characters ``&lt;img ...&gt;`` and
shows as text. Markdown characters are turned into entities as well, so a
pasted ``$x$`` or ``**bold**`` is not re-interpreted by the Markdown layer
either; only the tags built here are markup.

A flag's card is one block of this HTML too (with a native ``<details>`` for
the score history): a card made of a dozen Streamlit elements made a page of
many flags take seconds to draw.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Protocol

from analyzer.lexicon.palette import Colors, color_of, tint

if TYPE_CHECKING:
    from analyzer.lexicon.article import Reference
    from analyzer.ui.cards import FlagCard

TEXT_COLOR = "#111111"  # dark text on the light marks, readable in light and dark themes

# Characters Streamlit's Markdown layer could act on inline (emphasis, code,
# links, math, ``:emoji:`` and ``:color[...]`` directives, headings, tables):
# sent as numeric entities, which HTML decodes to the same character and
# Markdown never treats as syntax. Defense in depth: the whole fragment is one
# HTML block, which Markdown passes through untouched.
_MARKDOWN_CHARS = "\\`*_[]#|~$:"
# An entity html.escape wrote (kept whole), or one Markdown character.
_ENTITY_OR_MARKDOWN = re.compile(r"&#?[0-9A-Za-z]+;|[" + re.escape(_MARKDOWN_CHARS) + "]")
_NEWLINES = re.compile(r"\r\n|\r|\n")
_TEXT_BOX_STYLE = (
    "white-space: pre-wrap; line-height: 1.8; padding: 0.75rem 1rem; margin-bottom: 0.5rem; "
    "border: 1px solid rgba(128, 128, 128, 0.35); border-radius: 0.5rem;"
)


class Highlightable(Protocol):
    """What highlighting needs of a flag (a :class:`analyzer.flags.Flag` has it)."""

    start: int
    end: int
    category: str
    label: str


@dataclass(frozen=True)
class Mark:
    """One flag to highlight: its span, category, label and card number."""

    start: int
    end: int
    category: str
    label: str
    number: int


def color_for(category: str, colors: Colors) -> str:
    """The category's colour in ``colors`` (:func:`analyzer.lexicon.palette.colors_of` of the analyzer's lexicon,
    as in the batch report), light enough for dark text."""
    return tint(color_of(category, colors))


def escape_text(text: str) -> str:
    """User text as HTML that displays exactly as typed, line breaks included."""
    escaped = html.escape(text, quote=True)
    escaped = _ENTITY_OR_MARKDOWN.sub(_markdown_entity, escaped)
    # No raw newline survives: a blank line would end the HTML block and hand
    # the rest of the text back to the Markdown parser.
    return _NEWLINES.sub("<br>", escaped)


def _markdown_entity(match: re.Match[str]) -> str:
    found = match.group(0)
    return found if len(found) > 1 else f"&#{ord(found)};"


def escape_attr(value: str) -> str:
    """A value for an HTML attribute: quotes and newlines included."""
    return html.escape(" ".join(value.split()), quote=True)


def marks_for(flags: Sequence[Highlightable], numbers: Sequence[int] | None = None) -> list[Mark]:
    """Number the flags 1, 2, … in the order given (the order of their cards), or with ``numbers``."""
    numbers = range(1, len(flags) + 1) if numbers is None else numbers
    return [Mark(f.start, f.end, f.category, f.label, n) for f, n in zip(flags, numbers, strict=True)]


def highlight_html(
    text: str, flags: Sequence[Highlightable], numbers: Sequence[int] | None = None, *, colors: Colors
) -> str:
    """The whole text, escaped, with each flag in a ``<mark>`` of its category's color (in ``colors``).

    Flags may overlap (a classifier sentence around a lexicon phrase): the text
    is cut at every flag boundary and each piece is colored by the innermost
    flag covering it, its tooltip naming every flag that covers it. Each flag's
    card number follows its last character as a superscript (``numbers``
    gives each flag's number; by default 1, 2, … in the order given).
    """
    marks = [m for m in marks_for(flags, numbers) if 0 <= m.start < m.end <= len(text)]
    bounds = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks)})
    by_start = sorted(marks, key=lambda m: (m.start, m.number))
    ends: dict[int, list[Mark]] = {}
    for mark in marks:
        ends.setdefault(mark.end, []).append(mark)
    out: list[str] = []
    active: list[Mark] = []
    pointer = 0
    for left, right in pairwise(bounds):
        while pointer < len(by_start) and by_start[pointer].start <= left:
            active.append(by_start[pointer])
            pointer += 1
        active = [m for m in active if m.end > left]
        piece = escape_text(text[left:right])
        if active:
            out.append(_mark_html(piece, active, colors))
        else:
            out.append(piece)
        for mark in sorted(ends.get(right, ()), key=lambda m: m.number):
            out.append(f'<sup class="allyship-ref">{mark.number}</sup>')
    body = "".join(out)
    return f'<div class="allyship-text" style="{_TEXT_BOX_STYLE}">{body}</div>'


def _mark_html(piece: str, active: Sequence[Mark], colors: Colors) -> str:
    inner = min(active, key=lambda m: (m.end - m.start, m.number))
    title = "; ".join(f"{m.number}. {m.label}" for m in sorted(active, key=lambda m: m.number))
    return (
        f'<mark class="allyship-mark" data-category="{escape_attr(inner.category)}" title="{escape_attr(title)}" '
        f'style="background-color: {color_for(inner.category, colors)}; color: {TEXT_COLOR}; '
        f'padding: 0 0.15em; border-radius: 0.2em;">{piece}</mark>'
    )


def chip_html(text: str, category: str, colors: Colors) -> str:
    """A short piece of text on its category's color, for a card header or the legend (never cut off)."""
    return (
        f'<mark class="allyship-mark" data-category="{escape_attr(category)}" '
        f'style="background-color: {color_for(category, colors)}; color: {TEXT_COLOR}; '
        f'padding: 0.05em 0.3em; border-radius: 0.2em; overflow-wrap: anywhere;">{escape_text(text)}</mark>'
    )


def legend_html(categories: Iterable[tuple[str, str]], colors: Colors) -> str:
    """The colors of the categories shown, as ``(id, label)`` pairs, in one line."""
    chips = " ".join(
        f'<span style="white-space: nowrap;">{chip_html(label, cat, colors)}</span>' for cat, label in categories
    )
    return f'<div class="allyship-legend" style="line-height: 1.9;">{chips}</div>' if chips else ""


def card_header_html(number: int, phrase: str, category: str, label: str, colors: Colors) -> str:
    """The first line of a flag's card: its number, the phrase on its color, the label."""
    return (
        f'<div class="allyship-card-header"><strong>{number}.</strong> {chip_html(phrase, category, colors)} '
        f"&nbsp;<strong>{escape_text(label)}</strong></div>"
    )


_MUTED = "opacity: 0.75; font-size: 0.875em;"


def _references_html(heading: str, refs: Sequence[Reference]) -> str:
    items = "".join(f"<li><strong>{escape_text(r.title)}</strong>: {escape_text(r.summary)}</li>" for r in refs)
    return f'<p style="margin: 0.5em 0 0.2em;"><strong>{escape_text(heading)}</strong></p><ul>{items}</ul>'


def card_html(card: FlagCard, colors: Colors) -> str:
    """The whole card of one flag as one block of escaped HTML.

    Phrase and label, explanation, suggestion, strategies, barriers, roles,
    and the score with what it rests on and how it was reached.
    """
    parts = [card_header_html(card.number, card.phrase, card.category, card.label, colors)]
    parts.append(f'<p style="margin: 0.4em 0;">{escape_text(card.explanation)}</p>')
    if card.suggestion:
        parts.append(f'<p style="margin: 0.4em 0;"><strong>Try instead:</strong> {escape_text(card.suggestion)}</p>')
    parts.append(_references_html("What an ally can do", card.strategies))
    if card.barriers:
        parts.append(_references_html("The barrier behind it", card.barriers))
    if card.roles:
        parts.append(_references_html("The ally's role here", card.roles))
    parts.append(
        f'<p class="allyship-basis" style="{_MUTED} margin: 0.4em 0;">Score {card.score:.2f}, resting on '
        f"{escape_text(card.basis)} · line {card.line}, column {card.column}</p>"
    )
    steps = "".join(
        f"<li><code>{escape_text(s.step)}</code> → {s.score:.2f}: {escape_text(s.note)}</li>" for s in card.steps
    )
    parts.append(
        f'<details class="allyship-steps" style="{_MUTED}"><summary>How the score was reached</summary>'
        f"<ul>{steps}</ul></details>"
    )
    return f'<div class="allyship-card" data-category="{escape_attr(card.category)}">{"".join(parts)}</div>'
