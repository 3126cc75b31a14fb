"""What the page shows about each flag, and which flags it shows.

A :class:`FlagCard` is the plain data of one card: the phrase, the category,
the explanation and the suggested wording, the article's strategies (and the
barrier and role, when the flag names them), and the score with what it rests
on. Building it here keeps the page a layout and lets tests pin the content;
:func:`analyzer.ui.highlight.card_html` turns it into escaped HTML.

The sensitivity slider filters flags by score. The cached analyzer runs with
a low threshold (:data:`SENSITIVITY_FLOOR`) so that moving the slider needs no
second pipeline and no re-analysis; the card then states the threshold the
user chose, not the analyzer's floor.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from analyzer.flags import Flag
from analyzer.lexicon.article import Reference

SENSITIVITY_FLOOR = 0.1  # the cached analyzer's threshold and the slider's minimum
DEFAULT_SENSITIVITY = 0.5  # the library's default threshold (analyzer.engine.DEFAULT_THRESHOLD)
MAX_CARDS = 100  # more cards than this make the page slow and nobody reads them all

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]{}<>#|~$:])")


@dataclass(frozen=True)
class Step:
    """One line of a flag's score history, in words."""

    step: str
    score: float
    note: str


@dataclass(frozen=True)
class FlagCard:
    """Everything one card shows, as plain values (escaped when rendered)."""

    number: int
    phrase: str
    category: str
    label: str
    explanation: str
    suggestion: str | None
    strategies: tuple[Reference, ...]
    barriers: tuple[Reference, ...]
    roles: tuple[Reference, ...]
    score: float
    source: str
    rule_id: str | None
    top_words: tuple[str, ...]
    basis: str
    steps: tuple[Step, ...]
    line: int
    column: int


def card_for(flag: Flag, number: int, text: str, threshold: float) -> FlagCard:
    """The card of one flag; ``text`` is the analyzed text (for line and column)."""
    line = text.count("\n", 0, flag.start) + 1
    column = flag.start - (text.rfind("\n", 0, flag.start) + 1) + 1
    return FlagCard(
        number=number,
        phrase=flag.text,
        category=flag.category,
        label=flag.label,
        explanation=flag.explanation,
        suggestion=flag.suggestion,
        strategies=flag.strategies,
        barriers=flag.barriers,
        roles=flag.roles,
        score=flag.score,
        source=flag.source,
        rule_id=flag.rule_id,
        top_words=flag.top_words,
        basis=basis_of(flag),
        steps=tuple(steps_of(flag, threshold)),
        line=line,
        column=column,
    )


def cards_for(flags: Sequence[Flag], text: str, threshold: float, limit: int = MAX_CARDS) -> list[FlagCard]:
    """Cards numbered 1, 2, … like the superscripts in the highlighted text."""
    return [card_for(flag, i, text, threshold) for i, flag in enumerate(flags[:limit], start=1)]


def basis_of(flag: Flag) -> str:
    """What the flag rests on, in one line: the lexicon rule, or the classifier's words."""
    if flag.source == "lexicon" and flag.rule_id:
        return f"lexicon rule {flag.rule_id}"
    words = ", ".join(f"'{w}'" for w in flag.top_words[:6])
    return f"classifier; the words that weighed most: {words}" if words else "classifier"


def steps_of(flag: Flag, threshold: float) -> list[Step]:
    """The score history, with the threshold step restated for the user's sensitivity.

    The analyzer's own threshold step names the floor the page runs it at;
    what decided that this card is shown is the slider, so say that instead.
    """
    steps = []
    for entry in flag.history:
        note = entry.note
        if entry.step == "threshold":
            note = f"shown: score {entry.score:.2f} ≥ your sensitivity threshold {threshold:.2f}"
        steps.append(Step(entry.step, entry.score, note))
    return steps


def filter_flags(
    flags: Iterable[Flag], *, threshold: float = 0.0, categories: Collection[str] | None = None
) -> list[Flag]:
    """The flags scoring at least ``threshold``, of the given categories (``None``: all)."""
    return [f for f in flags if f.score >= threshold and (categories is None or f.category in categories)]


def category_options(flags: Iterable[Flag]) -> dict[str, str]:
    """The categories present, id -> label, ordered by label for a stable filter."""
    found = {f.category: f.label for f in flags}
    return dict(sorted(found.items(), key=lambda item: item[1].lower()))


def summary_text(flags: Sequence[Flag]) -> str:
    """'3 flags: 2 dismissing or minimizing, 1 toxic masculinity norm' (most frequent first)."""
    if not flags:
        return "No flags"
    counts = Counter(f.category for f in flags)
    labels = {f.category: f.label for f in flags}
    parts = [
        f"{n} {_lower_first(labels[cat])}" for cat, n in sorted(counts.items(), key=lambda kv: (-kv[1], labels[kv[0]]))
    ]
    return f"{len(flags)} flag{'s' if len(flags) != 1 else ''}: {', '.join(parts)}"


def _lower_first(label: str) -> str:
    """Lower-case the first letter only, so an acronym inside a label survives."""
    if len(label) > 1 and label[:2].isupper():
        return label
    return label[:1].lower() + label[1:]


def md_escape(text: str) -> str:
    """Text for ``st.markdown`` without HTML: Markdown characters shown literally.

    For text from lexicons shown outside the escaped HTML (the About page's
    category descriptions): a user's own lexicon may supply it. Also keeps
    Streamlit's ``:emoji:`` and ``:color[...]`` directives from acting.
    """
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", text.replace("&", "&amp;"))
    return " ".join(text.split())


def reference_line(ref: Reference) -> str:
    """'**Title**: summary' for a strategy, barrier or role."""
    return f"**{md_escape(ref.title)}**: {md_escape(ref.summary)}"
