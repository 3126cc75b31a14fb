"""How the whole analyzer does on data it was not trained on, and whether naming women moves it toward a flag.

Sets (none trained on for the split reported; the shipped training reads the
EDOS train split, the project's corpus and the lexicon examples, see
``analyzer/training/trainer.py``): EDOS dev and test, Guest et al. (all rows), Social
Bias Frames dev and test. Per set and per way of counting a post as flagged
(``edos``: a flag of a category EDOS labels sexism, those whose lexicon file says
``sexism: true``; ``all``: any flag):

- P, R, F1 of "flagged" against the dataset's positive label, macro-F1 of
  flagged / not flagged, and FPR (share of negatives flagged);
- the identity-mention gap: among the innocent texts (EDOS/Guest negatives,
  SBIC non-offensive rows), the flag rate of those that name women
  (``bench/mentions.py``) minus that of those that don't, in points;
- slices of the innocent texts: Guest's counter-speech rows, and texts with a
  negation word.

Beside them, the functional suite (``tests/data/functional_cases.yml``):
share of must-pass cases flagged, share of must-flag cases caught.

    .venv/bin/python bench/bench_generalization.py [--model DIR | --no-model] [--sets edos_dev,...] [--json]
        [--write]   # also update the "Generalization" section of bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.mentions import names_women, negated

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
CASES = REPO / "tests" / "data" / "functional_cases.yml"
MODES = ("edos", "all")


def counting(lexicon: Any) -> dict[str, Callable[[set[str]], bool]]:
    """Per mode, whether a post with flags of these categories counts as flagged (EDOS's: the lexicon's ``sexism``)."""
    sexism = lexicon.sexism_categories
    return {"edos": lambda cats: bool(cats & sexism), "all": lambda cats: bool(cats)}


def edos_categories(lexicon: Any) -> str:
    """The categories the ``edos`` mode counts, for the printed header."""
    return ", ".join(sorted(lexicon.sexism_categories))


@dataclass
class Item:
    """One labeled text: positive for the dataset's label, innocent (counts for the gap), and its slices."""

    text: str
    positive: bool
    innocent: bool
    slices: tuple[str, ...] = ()


def _raw_rows(path: Path) -> dict[int, dict[str, str]]:
    """Row number (as ``analyzer.training.datasets`` counts it) -> the raw record, for columns the loader drops."""
    csv.field_size_limit(10_000_000)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader)]
        return {i: dict(zip(header, row, strict=False)) for i, row in enumerate(reader, start=1)}


def _examples(path: Path) -> list[Any]:
    from analyzer.lexicon.loader import load_lexicon
    from analyzer.training.datasets import load_labeled

    return load_labeled(path, known_categories=set(load_lexicon([]).categories))


def edos(split: str) -> list[Item]:
    path = DATA / "edos" / "edos_labelled_aggregated.csv"
    return [
        Item(e.text, bool(e.categories), not e.categories, ("negation",) if negated(e.text) else ())
        for e in _examples(path)
        if e.split == split
    ]


def guest() -> list[Item]:
    path = DATA / "guest_misogyny" / "final_labels.csv"
    raw = _raw_rows(path)
    items = []
    for e in _examples(path):
        slices = ("counter_speech",) if raw[e.row]["level_2"].strip() == "Counter_speech" else ()
        slices += ("negation",) if negated(e.text) else ()
        items.append(Item(e.text, bool(e.categories), not e.categories, slices))
    return items


def sbic(split: str) -> list[Item]:
    path = DATA / "sbic" / f"SBIC.v2.agg.{split}.csv"
    raw = _raw_rows(path)
    items = []
    for e in _examples(path):
        value = raw[e.row]["offensiveYN"].strip()
        innocent = (float(value) if value else 0.0) < 0.5
        items.append(Item(e.text, bool(e.categories), innocent, ("negation",) if negated(e.text) else ()))
    return items


SETS: dict[str, Callable[[], list[Item]]] = {
    "edos_dev": lambda: edos("dev"),
    "edos_test": lambda: edos("test"),
    "guest": guest,
    "sbic_dev": lambda: sbic("dev"),
    "sbic_test": lambda: sbic("tst"),
}


def _rate(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def score(items: Sequence[Item], categories: Sequence[set[str]], flagged: Callable[[set[str]], bool]) -> dict[str, Any]:
    """P, R, F1, macro-F1, FPR, and the identity-mention gap with its two rates and slices."""
    pred = [flagged(c) for c in categories]
    truth = [i.positive for i in items]
    tp = sum(p and t for p, t in zip(pred, truth, strict=True))
    fp = sum(p and not t for p, t in zip(pred, truth, strict=True))
    fn = sum(t and not p for p, t in zip(pred, truth, strict=True))
    tn = len(items) - tp - fp - fn

    def f1(a: int, b: int, c: int) -> tuple[float, float, float]:
        p = a / (a + b) if a + b else 0.0
        r = a / (a + c) if a + c else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    precision, recall, f1_pos = f1(tp, fp, fn)
    f1_neg = f1(tn, fn, fp)[2]
    innocent = [(i, p) for i, p in zip(items, pred, strict=True) if i.innocent]
    women = [p for i, p in innocent if names_women(i.text)]
    others = [p for i, p in innocent if not names_women(i.text)]
    slices: dict[str, dict[str, float]] = {}
    for name in sorted({s for i, _ in innocent for s in i.slices}):
        chosen = [p for i, p in innocent if name in i.slices]
        slices[name] = {"n": len(chosen), "flag_rate": round(_rate(chosen), 4)}
    return {
        "n": len(items),
        "positives": sum(truth),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1_pos, 4),
        "macro_f1": round((f1_pos + f1_neg) / 2, 4),
        "fpr": round(fp / (fp + tn), 4) if fp + tn else 0.0,
        "innocent": len(innocent),
        "women_n": len(women),
        "women_rate": round(_rate(women), 4),
        "others_n": len(others),
        "others_rate": round(_rate(others), 4),
        "gap_points": round(100 * (_rate(women) - _rate(others)), 2),
        "slices": slices,
    }


def functional(analyzer: Any) -> dict[str, Any]:
    """Must-pass cases flagged and must-flag cases caught (right category), over the whole suite."""
    cases = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    passes = [t for entry in cases.values() for t in entry.get("must_pass") or []]
    flags = [c for entry in cases.values() for c in entry.get("must_flag") or []]
    flagged = sum(bool(r.flags) for r in analyzer.analyze_many(passes))
    caught = sum(
        c["category"] in {f.category for f in r.flags}
        for c, r in zip(flags, analyzer.analyze_many(c["text"] for c in flags), strict=True)
    )
    return {
        "must_pass": len(passes),
        "flagged": flagged,
        "flagged_rate": round(flagged / max(1, len(passes)), 4),
        "must_flag": len(flags),
        "caught": caught,
        "caught_rate": round(caught / max(1, len(flags)), 4),
    }


def run(analyzer: Any, names: Iterable[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"sets": {}}
    for name in names:
        started = time.perf_counter()
        items = SETS[name]()
        categories = [{f.category for f in r.flags} for r in analyzer.analyze_many(i.text for i in items)]
        out["sets"][name] = {mode: score(items, categories, rule) for mode, rule in counting(analyzer.lexicon).items()}
        out["sets"][name]["seconds"] = round(time.perf_counter() - started, 1)
    out["functional"] = functional(analyzer)
    return out


def _slice(entry: dict[str, Any] | None) -> str:
    return f"{entry['flag_rate']:.1%} of {entry['n']:,}" if entry else "-"


def table(report: dict[str, Any], mode: str) -> list[str]:
    rows = [
        "| set | n | P | R | F1 | macro-F1 | FPR | gap (points) | innocent naming women: flagged | others: flagged "
        "| negation | counter-speech |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, modes in report["sets"].items():
        m = modes[mode]
        neg, counter = (_slice(m["slices"].get(name)) for name in ("negation", "counter_speech"))
        rows.append(
            f"| {name} | {m['n']:,} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['macro_f1']:.3f} "
            f"| {m['fpr']:.1%} | {m['gap_points']:+.1f} | {m['women_rate']:.1%} of {m['women_n']:,} "
            f"| {m['others_rate']:.1%} of {m['others_n']:,} "
            f"| {neg} | {counter} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="default", help="a model folder (default: the shipped model)")
    parser.add_argument("--no-model", action="store_true", help="lexicons only")
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, from {', '.join(SETS)}")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--write", action="store_true", help="update the section of bench/RESULTS.md")
    args = parser.parse_args()
    names = [n.strip() for n in args.sets.split(",") if n.strip()]
    unknown = [n for n in names if n not in SETS]
    if unknown:
        parser.error(f"unknown set {unknown[0]!r} (known: {', '.join(SETS)})")
    if not DATA.is_dir():
        parser.error(f"{DATA} is missing: the public datasets are read from there")

    from analyzer import Analyzer

    model = None if args.no_model else args.model
    analyzer = Analyzer(model=model)
    report = run(analyzer, names)
    report["model"] = "none" if model is None else model
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for mode in MODES:
            what = f"a flag of {edos_categories(analyzer.lexicon)}" if mode == "edos" else "any flag"
            print(f"\nflagged = {what}")
            print("\n".join(table(report, mode)))
        f = report["functional"]
        print(
            f"\nfunctional suite: must-pass flagged {f['flagged']}/{f['must_pass']} ({f['flagged_rate']:.1%}), "
            f"must-flag caught {f['caught']}/{f['must_flag']} ({f['caught_rate']:.1%})"
        )
    if args.write:
        from bench.results import update_section

        f = report["functional"]
        body = [f"model: {report['model']}; flagged = a flag of EDOS's categories (lexicon `sexism: true`)", ""]
        body += table(report, "edos")
        body += ["", "flagged = any flag", "", *table(report, "all")]
        body += [
            "",
            f"Functional suite: must-pass flagged {f['flagged']}/{f['must_pass']} ({f['flagged_rate']:.1%}), "
            f"must-flag caught {f['caught']}/{f['must_flag']} ({f['caught_rate']:.1%}).",
        ]
        command = "python bench/bench_generalization.py" + (" --no-model" if args.no_model else "")
        update_section("Generalization", "\n".join(body), command)


if __name__ == "__main__":
    main()
