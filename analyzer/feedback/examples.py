"""Verdicts as training data: labeled rows for ``train``, candidate rule examples, and the texts to let pass.

A ``fits`` or ``missed`` verdict makes its text a positive of its category; a
``not_harmful`` verdict makes it a text that must not be flagged for that
category. When one text has several verdicts for one category, the latest
counts. A ``not_harmful`` text that a rule's own ``flag`` example contains
conflicts with that rule: it is reported and not applied, because the rule
examples are what ``lexicon validate`` holds the analyzer to.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyzer.feedback.store import Verdict

if TYPE_CHECKING:
    from analyzer.lexicon.loader import Lexicon

SOURCE = "feedback"


def match_key(text: str) -> str:
    """How texts are compared: case-folded, whitespace collapsed."""
    return " ".join(text.casefold().split())


@dataclass(frozen=True)
class FeedbackLabels:
    """What a set of verdicts teaches: per text, the categories it has and the ones it must not have."""

    positives: dict[str, set[str]] = field(default_factory=dict)  # text -> categories that fit
    negatives: dict[str, set[str]] = field(default_factory=dict)  # text -> categories reviewed as not harmful
    rules: dict[tuple[str, str], str | None] = field(default_factory=dict)  # (text, category) -> rule id
    conflicts: tuple[str, ...] = ()
    count: int = 0  # verdicts read

    def passes(self) -> list[dict[str, Any]]:
        """The ``not_harmful`` texts to let pass after retraining, as the model's metadata records them."""
        return [
            {"text": text, "category": category, "rule_id": self.rules.get((text, category))}
            for text, categories in self.negatives.items()
            for category in sorted(categories)
        ]


def latest(verdicts: Iterable[Verdict]) -> list[Verdict]:
    """One verdict per (text, category): the last one given, in the order of the store."""
    kept: dict[tuple[str, str], Verdict] = {}
    for verdict in verdicts:
        key = (verdict.text.strip(), verdict.category)
        kept.pop(key, None)
        kept[key] = verdict
    return list(kept.values())


def rule_conflict(text: str, category: str, lexicon: Lexicon | None) -> str | None:
    """The rule whose ``flag`` example contains ``text`` in this category, as 'file:line rule id', or None."""
    if lexicon is None:
        return None
    key = match_key(text)
    for rule in lexicon.rules.values():
        if rule.category != category:
            continue
        for number, example in enumerate(rule.flag_examples):
            if key in match_key(example):
                lines = rule.example_lines.get("flag") or ()
                line = lines[number] if number < len(lines) else rule.line
                return f"{rule.file}:{line} (rule {rule.id})"
    return None


def labels_from(verdicts: Iterable[Verdict], lexicon: Lexicon | None = None) -> FeedbackLabels:
    """Sort the verdicts into positives and negatives per text; report ``not_harmful`` ones a rule contradicts."""
    positives: dict[str, set[str]] = {}
    negatives: dict[str, set[str]] = {}
    rules: dict[tuple[str, str], str | None] = {}
    conflicts: list[str] = []
    verdicts = list(verdicts)
    for verdict in latest(verdicts):
        text = verdict.text.strip()
        if verdict.verdict == "not_harmful":
            where = rule_conflict(text, verdict.category, lexicon)
            if where is not None:
                conflicts.append(
                    f"feedback #{verdict.id}: '{_short(text)}' was marked not harmful for {verdict.category}, but "
                    f"the rule example at {where} says it must be flagged; the verdict is not applied"
                )
                continue
            negatives.setdefault(text, set()).add(verdict.category)
        else:
            positives.setdefault(text, set()).add(verdict.category)
        rules[(text, verdict.category)] = verdict.rule_id
    return FeedbackLabels(positives, negatives, rules, tuple(conflicts), len(verdicts))


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def labeled_rows(verdicts: Iterable[Verdict]) -> list[dict[str, str]]:
    """Rows of the labeled-data format ``train`` reads: ``text`` and ``categories`` (ids joined by ``,``)."""
    labels = labels_from(verdicts)
    texts = list(dict.fromkeys([*labels.positives, *labels.negatives]))
    return [
        {"text": text, "categories": ",".join(sorted(labels.positives.get(text, set()))), "source": SOURCE}
        for text in texts
    ]


def write_labeled_csv(rows: Sequence[Mapping[str, str]], path: str | Path) -> None:
    """Write :func:`labeled_rows` as CSV, spreadsheet-safe (a text starting with ``=`` stays text)."""
    from analyzer.io.writers import neutralize

    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["text", "categories", "source"])
        writer.writeheader()
        for row in rows:
            writer.writerow({key: neutralize(value) for key, value in row.items()})


def rule_candidates(verdicts: Iterable[Verdict]) -> dict[str, dict[str, list[str]]]:
    """Per rule id, the reviewed texts as candidate ``flag`` (fits) and ``pass`` (not harmful) examples.

    A ``missed`` verdict has no rule: it is listed under ``new:<category>``,
    the seed of a rule a trainer may write.
    """
    found: dict[str, dict[str, list[str]]] = {}
    for verdict in latest(verdicts):
        key = verdict.rule_id or f"new:{verdict.category}"
        kind = "pass" if verdict.verdict == "not_harmful" else "flag"
        entry = found.setdefault(key, {"flag": [], "pass": []})
        if verdict.text.strip() not in entry[kind]:
            entry[kind].append(verdict.text.strip())
    return dict(sorted(found.items()))


def candidates_yaml(candidates: Mapping[str, Mapping[str, list[str]]]) -> str:
    """The candidates as YAML a trainer can paste under a rule's ``examples:``."""
    import yaml

    lines = ["# Candidate rule examples from reviewers' verdicts: check each before pasting it into a lexicon."]
    for rule_id, examples in candidates.items():
        body = {"examples": {k: v for k, v in examples.items() if v}}
        lines.append(f"# {rule_id}")
        lines.append(yaml.safe_dump({rule_id: body}, allow_unicode=True, sort_keys=False, width=100).rstrip())
    return "\n".join(lines) + "\n"
