"""Per kind of the functional suite (``tests/data/functional_cases.yml``): how many must-pass cases get a flag,
how many must-flag cases get their category.

The tests assert the targets of issue 4 (at most 5% flagged, at least 90%
caught); this prints the counts behind them, for the README and the notes.

    .venv/bin/python bench/bench_functional.py [--model DIR | --no-model]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import update_section

CASES = Path(__file__).resolve().parents[1] / "tests" / "data" / "functional_cases.yml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="default", help="a model folder (default: the shipped model)")
    parser.add_argument("--no-model", action="store_true", help="lexicons only")
    args = parser.parse_args()

    from analyzer import Analyzer

    analyzer = Analyzer(model=None if args.no_model else args.model)
    cases = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    rows = [
        f"model: {'none' if args.no_model else args.model}; targets: at most 5% flagged, at least 90% caught",
        "",
        "| kind | must not flag: flagged | must flag: caught (right category) |",
        "| --- | ---: | ---: |",
    ]
    print(f"{'kind':<26} {'flagged':>12} {'caught':>12}")
    misses: list[str] = []
    for kind, entry in sorted(cases.items()):
        passes = entry.get("must_pass") or []
        flags = entry.get("must_flag") or []
        flagged = [t for t, r in zip(passes, analyzer.analyze_many(passes), strict=True) if r.flags]
        results = analyzer.analyze_many(c["text"] for c in flags)
        missed = [c for c, r in zip(flags, results, strict=True) if c["category"] not in {f.category for f in r.flags}]
        pass_cell = f"{len(flagged)}/{len(passes)} ({len(flagged) / len(passes):.0%})" if passes else "-"
        flag_cell = f"{len(flags) - len(missed)}/{len(flags)} ({1 - len(missed) / len(flags):.0%})" if flags else "-"
        print(f"{kind:<26} {pass_cell:>12} {flag_cell:>12}")
        rows.append(f"| {kind} | {pass_cell} | {flag_cell} |")
        misses += [f"  flagged ({kind}): {t}" for t in flagged] + [f"  missed ({kind}): {c['text']}" for c in missed]
    print("\n".join(misses))
    command = "python bench/bench_functional.py" + (" --no-model" if args.no_model else "")
    update_section("Functional suite" + (" (lexicons only)" if args.no_model else ""), "\n".join(rows), command)


if __name__ == "__main__":
    main()
