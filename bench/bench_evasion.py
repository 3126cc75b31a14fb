"""Catch rates of the functional suite's must-flag cases, plain and rewritten the way filter dodgers write.

The variants (zero-width characters, soft hyphens, bidi controls, full-width
letters, Cyrillic and Greek look-alikes inside every word of the flagged span)
are made by ``tests/test_evasion.py``; a case counts as caught when it gets a
flag of its expected category.

    .venv/bin/python bench/bench_evasion.py [--no-model]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-model", action="store_true", help="lexicons only")
    args = parser.parse_args()

    from analyzer import Analyzer
    from tests.test_evasion import evasion_rates

    analyzer = Analyzer(model=None if args.no_model else "default")
    print(f"{'variant':24} {'caught':>9} {'rate':>6}")
    for name, (caught, total) in evasion_rates(analyzer).items():
        print(f"{name:24} {caught:>4}/{total:<4} {caught / total:6.1%}")


if __name__ == "__main__":
    main()
