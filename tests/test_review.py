"""The review screen's plain parts: stable numbers, compact cards, strategies once, exports and the draft."""

from __future__ import annotations

import csv
import io
import json

import pytest

from analyzer.ui import review
from analyzer.ui.cards import DEFAULT_SENSITIVITY
from analyzer.ui.highlight import escape_text
from tests.conftest import builtin_colors

COLORS = builtin_colors()

TEXT = "Man up, and calm down, it was just a joke. She is so bossy in meetings."


@pytest.fixture(scope="module")
def items(lexicon_analyzer):
    flags = [f for f in lexicon_analyzer.analyze(TEXT).flags if f.score >= DEFAULT_SENSITIVITY]
    return review.numbered(list(reversed(flags)))  # numbered by place in the text, whatever order they come in


def test_numbers_follow_the_text_and_stay_with_their_flag(items) -> None:
    assert [(i.number, i.flag.text) for i in items] == [
        (1, "Man up"),
        (2, "calm down"),
        (3, "just a joke"),
        (4, "bossy"),
    ]
    cards = review.cards([items[1], items[3]], TEXT, 0.5)  # a filter hides 1 and 3
    assert [c.number for c in cards] == [2, 4]


def test_a_compact_card_is_one_escaped_line_that_opens(items) -> None:
    card = review.cards(items[:1], TEXT, 0.5)[0]
    html = review.compact_card_html(card, COLORS)
    head, body = html.split("</summary>")
    assert head.startswith('<details class="allyship-card allyship-compact"')
    assert ">1.</strong>" in head and ">Man up</mark>" in head and "Toxic masculinity norm" in head
    assert escape_text(review.first_sentence(card.explanation)) in head
    assert "Instead:" in head
    for strategy in card.strategies:
        assert strategy.title in body and strategy.summary not in html  # titles only: texts once per page
    flag = items[0].flag
    hostile = type(flag)(**{**flag.__dict__, "text": "<img src=x onerror=alert(1)>", "suggestion": "<b>x</b>"})
    marked = review.compact_card_html(review.cards([review.Numbered(1, hostile)], TEXT, 0.5)[0], COLORS)
    assert "<img" not in marked and "<b>" not in marked


def test_strategies_are_listed_once_with_their_cards(items) -> None:
    entries = review.strategy_entries(items)
    ids = [e.reference.id for e in entries]
    assert len(ids) == len(set(ids))
    text = review.strategies_markdown(entries)
    for entry in entries:
        assert text.count(f"**{entry.reference.title}**") == 1
    assert all(set(e.numbers) <= {1, 2, 3, 4} and e.numbers == tuple(sorted(e.numbers)) for e in entries)


def test_exports(items) -> None:
    data = json.loads(review.result_json(items, 0.5))
    assert [f["number"] for f in data["flags"]] == [1, 2, 3, 4]
    assert data["summary"]["flag_count"] == 4 and data["flags"][0]["rule_id"] == "tm.man-up"
    rows = list(csv.DictReader(io.StringIO(review.result_csv(items))))
    assert [r["text"] for r in rows] == ["Man up", "calm down", "just a joke", "bossy"]
    assert list(rows[0]) == list(review.CSV_COLUMNS)
    markdown = review.markdown_report(items, 0.5)
    assert markdown.startswith("**Allyship analyzer: 4 flags** (sensitivity 0.50)")
    assert "1. “Man up”: Toxic masculinity norm" in markdown and "**What an ally can do**" in markdown


def test_the_draft_swaps_only_rule_replacements_for_phrases_as_written(items, lexicon_analyzer) -> None:
    rules = lexicon_analyzer.lexicon.rules
    drafted = review.draft(TEXT, items, rules)
    assert drafted.text == "Step up, and let's talk it through, it was just a joke. She is so assertive in meetings."
    assert drafted.replaced == (1, 2, 4)  # "just a joke" has no replacement words: left for the writer
    inflected = "Stop manning up about it."
    flags = review.numbered([f for f in lexicon_analyzer.analyze(inflected).flags if f.rule_id == "tm.man-up"])
    assert flags and review.draft(inflected, flags, rules).text == inflected  # "step up" would not fit "manning up"


def test_a_rule_may_give_replacement_words(user_lexicon) -> None:
    from analyzer.lexicon.loader import load_lexicon

    path = next(user_lexicon.glob("*.yml"))
    text = path.read_text(encoding="utf-8").replace(
        "    suggestion: Let her finish", '    replacement: "as she said"\n    suggestion: Let her finish', 1
    )
    path.write_text(text, encoding="utf-8")
    rule = load_lexicon([user_lexicon]).rules["to.let-me-explain"]
    assert rule.replacement == "as she said"
