"""``allyship evaluate``: how well the whole analyzer does on labeled data.

The analyzer (lexicons, context step and classifier together) runs on every
text; the categories of its flags are compared with the labels. Reported:
precision, recall and F1 per category, and the document-level macro-F1 of
"flagged or not" against "labeled with any category or not" (the measure of
EDOS subtask A when the data is EDOS).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from analyzer.training.datasets import Example


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def score(examples: Sequence[Example], predicted: Sequence[set[str]], categories: Sequence[str]) -> dict[str, Any]:
    """Per-category and document-level scores of ``predicted`` against the examples' labels."""
    per_category: dict[str, dict[str, float]] = {}
    for category in categories:
        tp = sum(1 for e, p in zip(examples, predicted, strict=True) if category in e.categories and category in p)
        fp = sum(1 for e, p in zip(examples, predicted, strict=True) if category not in e.categories and category in p)
        fn = sum(1 for e, p in zip(examples, predicted, strict=True) if category in e.categories and category not in p)
        support = tp + fn
        if support == 0 and fp == 0:
            continue
        precision, recall, f1 = _f1(tp, fp, fn)
        per_category[category] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": support,
            "predicted": tp + fp,
        }
    truth = [bool(e.categories) for e in examples]
    flagged = [bool(p) for p in predicted]
    tp = sum(t and f for t, f in zip(truth, flagged, strict=True))
    fp = sum((not t) and f for t, f in zip(truth, flagged, strict=True))
    fn = sum(t and not f for t, f in zip(truth, flagged, strict=True))
    tn = len(truth) - tp - fp - fn
    pos = _f1(tp, fp, fn)
    neg = _f1(tn, fn, fp)
    return {
        "documents": len(examples),
        "per_category": per_category,
        "document": {
            "macro_f1": round((pos[2] + neg[2]) / 2, 4),
            "flagged": {"precision": round(pos[0], 4), "recall": round(pos[1], 4), "f1": round(pos[2], 4)},
            "not_flagged": {"precision": round(neg[0], 4), "recall": round(neg[1], 4), "f1": round(neg[2], 4)},
            "confusion": {"tp": tp, "fp": fp, "fn": fn, "tn": tn},
            "false_flag_rate": round(fp / (fp + tn), 4) if fp + tn else 0.0,
        },
    }


def evaluate(analyzer: Any, examples: Sequence[Example], batch_size: int = 256) -> dict[str, Any]:
    """Run ``analyzer`` on every example and score it."""
    started = time.perf_counter()
    predicted = [
        {f.category for f in result.flags}
        for result in analyzer.analyze_many((e.text for e in examples), batch_size=batch_size)
    ]
    report = score(examples, predicted, sorted(analyzer.lexicon.categories))
    report["seconds"] = round(time.perf_counter() - started, 2)
    report["model"] = None if analyzer.classifier is None else analyzer.classifier.path
    return report


def format_table(report: dict[str, Any]) -> str:
    """The report as an aligned text table."""
    lines = [f"{'category':<22} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8} {'flagged':>8}"]
    for category, m in sorted(report["per_category"].items()):
        scores = f"{m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f}"
        lines.append(f"{category:<22} {scores} {m['support']:>8} {m['predicted']:>8}")
    doc = report["document"]
    lines.append("")
    lines.append(
        f"documents: {report['documents']}  document macro-F1: {doc['macro_f1']:.4f}  "
        f"(flagged P {doc['flagged']['precision']:.3f} R {doc['flagged']['recall']:.3f}; "
        f"false flags on unlabeled: {doc['false_flag_rate']:.1%})"
    )
    return "\n".join(lines)
