"""The Analyze page as a review screen: compact cards, strategies once, exports and a draft.

Plain functions the page calls (tested without Streamlit):

- :func:`numbered` gives every flag of a result a number by its place in the
  text, so filtering never renumbers a card or the superscripts;
- :func:`compact_card_html` is one line per flag (phrase, category, the first
  sentence of why, the suggestion) that opens for the rest;
- :func:`strategy_entries` lists each strategy once for the page, with the
  cards that point to it;
- :func:`markdown_report`, :func:`result_json`, :func:`result_csv` are the
  copy and the downloads;
- :func:`draft` is the text with rule replacements swapped in, only where a
  rule's data gives plain words for the phrase exactly as it was written.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analyzer.lexicon.palette import Colors
from analyzer.ui.cards import FlagCard, card_for, md_escape
from analyzer.ui.highlight import chip_html, escape_attr, escape_text

if TYPE_CHECKING:
    from analyzer.flags import Flag
    from analyzer.lexicon.article import Reference
    from analyzer.lexicon.loader import Rule

# The cards' own rules, sent once per page with the highlighted text: each card's line is cut after
# two lines (five on a phone) with an ellipsis; opening the card shows all of it.
STYLE = (
    "<style>"
    ".allyship-compact { border-bottom: 1px solid rgba(128, 128, 128, 0.25); padding-bottom: 0.25em; }"
    ".allyship-compact > summary { list-style: none; cursor: pointer; }"
    ".allyship-compact > summary::-webkit-details-marker { display: none; }"
    ".allyship-line { display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }"
    ".allyship-line::before { content: '▸ '; }"
    ".allyship-compact[open] .allyship-line { display: block; }"
    ".allyship-compact[open] .allyship-line::before { content: '▾ '; }"
    "@media (max-width: 640px) { .allyship-line { -webkit-line-clamp: 5; } }"
    "</style>"
)
_SENTENCE = re.compile(r"(.+?[.!?])(\s|$)")
_MUTED = "opacity: 0.75; font-size: 0.875em;"
CSV_COLUMNS = (
    "number",
    "start",
    "end",
    "text",
    "category",
    "label",
    "score",
    "source",
    "rule_id",
    "explanation",
    "suggestion",
    "strategies",
)


@dataclass(frozen=True)
class Numbered:
    """A flag and its stable number (its place among all the result's flags)."""

    number: int
    flag: Flag


def numbered(flags: Sequence[Flag]) -> list[Numbered]:
    """Number the flags 1, 2, … in text order; the number stays with the flag whatever filters hide."""
    ordered = sorted(flags, key=lambda f: (f.start, f.end, f.category))
    return [Numbered(i, f) for i, f in enumerate(ordered, start=1)]


def first_sentence(text: str) -> str:
    """The first sentence of an explanation, for the card's one line."""
    found = _SENTENCE.match(" ".join(text.split()))
    return found.group(1) if found else " ".join(text.split())


def compact_card_html(card: FlagCard, colors: Colors) -> str:
    """One flag as a line that opens: the line names the phrase, category, why and what instead.

    Inside: the whole explanation, the strategies by title (their texts are
    listed once for the page), the barrier and the role, the score and how it
    was reached.
    """
    why = escape_text(first_sentence(card.explanation))
    line = [
        f'<strong class="allyship-number">{card.number}.</strong> {chip_html(card.phrase, card.category, colors)} ',
        f'<span class="allyship-label" style="white-space: nowrap; font-weight: 600;">{escape_text(card.label)}</span>',
        f'<span class="allyship-why"> · {why}</span>',
    ]
    if card.suggestion:
        line.append(f'<span class="allyship-suggestion"> · <em>Instead:</em> {escape_text(card.suggestion)}</span>')
    body = [f'<p style="margin: 0.3em 0;">{escape_text(card.explanation)}</p>']
    if card.suggestion:
        body.append(f'<p style="margin: 0.3em 0;"><strong>Instead:</strong> {escape_text(card.suggestion)}</p>')
    titles = ", ".join(escape_text(r.title) for r in card.strategies)
    body.append(f'<p style="margin: 0.3em 0;"><strong>What an ally can do:</strong> {titles} (see below)</p>')
    for heading, refs in (("The barrier behind it", card.barriers), ("The ally's role here", card.roles)):
        if refs:
            items = "; ".join(f"<strong>{escape_text(r.title)}</strong>: {escape_text(r.summary)}" for r in refs)
            body.append(f'<p style="margin: 0.3em 0;"><strong>{heading}:</strong> {items}</p>')
    steps = "".join(
        f"<li><code>{escape_text(s.step)}</code> → {s.score:.2f}: {escape_text(s.note)}</li>" for s in card.steps
    )
    body.append(
        f'<p class="allyship-basis" style="{_MUTED} margin: 0.3em 0;">Score {card.score:.2f}, resting on '
        f"{escape_text(card.basis)} · line {card.line}, column {card.column}</p>"
        f'<ul class="allyship-steps" style="{_MUTED}">{steps}</ul>'
    )
    return (
        f'<details class="allyship-card allyship-compact" data-category="{escape_attr(card.category)}">'
        f'<summary class="allyship-card-header" style="line-height: 1.7;">'
        f'<span class="allyship-line">{"".join(line)}</span></summary>'
        f'<div class="allyship-card-body" style="padding: 0.2em 0 0.2em 1.4em;">{"".join(body)}</div></details>'
    )


def cards(items: Sequence[Numbered], text: str, threshold: float) -> list[FlagCard]:
    """The cards of the numbered flags, keeping their numbers."""
    return [card_for(item.flag, item.number, text, threshold) for item in items]


@dataclass(frozen=True)
class StrategyEntry:
    """One strategy for the page's list, and the card numbers that point to it."""

    reference: Reference
    numbers: tuple[int, ...]


def strategy_entries(items: Sequence[Numbered]) -> list[StrategyEntry]:
    """Each strategy the shown flags name, once, in order of first mention."""
    found: dict[str, tuple[Reference, list[int]]] = {}
    for item in items:
        for ref in item.flag.strategies:
            found.setdefault(ref.id, (ref, []))[1].append(item.number)
    return [StrategyEntry(ref, tuple(numbers)) for ref, numbers in found.values()]


def strategies_markdown(entries: Sequence[StrategyEntry]) -> str:
    """The page's strategy list: '- **Title** (cards 1, 3): summary'."""
    lines = []
    for entry in entries:
        cards_named = ", ".join(str(n) for n in entry.numbers)
        word = "card" if len(entry.numbers) == 1 else "cards"
        lines.append(
            f"- **{md_escape(entry.reference.title)}** ({word} {cards_named}): {md_escape(entry.reference.summary)}"
        )
    return "\n".join(lines)


def markdown_report(items: Sequence[Numbered], threshold: float) -> str:
    """The flags as Markdown to paste into a review, a ticket or a chat."""
    count = len(items)
    lines = [f"**Allyship analyzer: {count} flag{'s' if count != 1 else ''}** (sensitivity {threshold:.2f})", ""]
    for item in items:
        flag = item.flag
        source = f"rule {flag.rule_id}" if flag.rule_id else "classifier"
        lines.append(
            f"{item.number}. “{md_escape(flag.text)}”: {md_escape(flag.label)} (score {flag.score:.2f}, {source}). "
            f"{md_escape(flag.explanation)}"
        )
        if flag.suggestion:
            lines.append(f"   Instead: {md_escape(flag.suggestion)}")
    entries = strategy_entries(items)
    if entries:
        lines += ["", "**What an ally can do**", strategies_markdown(entries)]
    return "\n".join(lines) + "\n"


def result_json(items: Sequence[Numbered], threshold: float) -> str:
    """The shown flags in the JSON of ``allyship analyze --format json``, plus each flag's number."""
    flags = [{"number": item.number, **item.flag.to_dict()} for item in items]
    categories: dict[str, int] = {}
    for item in items:
        categories[item.flag.category] = categories.get(item.flag.category, 0) + 1
    summary = {"flag_count": len(items), "categories": categories, "threshold": threshold}
    return json.dumps({"flags": flags, "summary": summary}, ensure_ascii=False, indent=2)


def result_csv(items: Sequence[Numbered]) -> str:
    """One row per shown flag; a cell a spreadsheet would run as a formula starts with an apostrophe."""
    from analyzer.io.writers import neutralize

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for item in items:
        row = [item.number, *item.flag.cells()][: len(CSV_COLUMNS)]  # its columns end at the strategies
        writer.writerow([neutralize(cell) for cell in row])
    return out.getvalue()


@dataclass(frozen=True)
class Draft:
    """The text with replacements swapped in, and which card numbers were replaced."""

    text: str
    replaced: tuple[int, ...]


def _plain(text: str) -> str:
    return " ".join(text.casefold().split())


def replacement_for(flag: Flag, rules: Mapping[str, Rule]) -> str | None:
    """The rule's replacement when the flagged text is one of the rule's phrases as written, else ``None``.

    "man up" has a replacement; "manning up" (matched through its lemma) does
    not get one, since the words would no longer fit the sentence.
    """
    rule = rules.get(flag.rule_id or "")
    if rule is None or not rule.replacement or flag.source != "lexicon":
        return None
    if _plain(flag.text) not in {_plain(p) for p in rule.phrases}:
        return None
    replacement = rule.replacement
    if flag.text[:1].isupper() and replacement[:1].islower():
        replacement = replacement[:1].upper() + replacement[1:]
    return replacement


def draft(text: str, items: Sequence[Numbered], rules: Mapping[str, Rule]) -> Draft:
    """``text`` with each replaceable flag's phrase swapped for its rule's replacement (overlaps skipped)."""
    pieces: list[str] = []
    replaced: list[int] = []
    position = 0
    for item in sorted(items, key=lambda i: (i.flag.start, i.flag.end)):
        flag = item.flag
        if flag.start < position:
            continue
        replacement = replacement_for(flag, rules)
        if replacement is None:
            continue
        pieces += [text[position : flag.start], replacement]
        position = flag.end
        replaced.append(item.number)
    pieces.append(text[position:])
    return Draft("".join(pieces), tuple(replaced))
