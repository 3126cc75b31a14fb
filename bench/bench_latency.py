"""Latency of one ``Analyzer.analyze`` call, warm, for texts of 20 to 10,000 words.

Prints median and p95 of 30 runs per size. Run pinned to one core for the
issue's "one core" figure:  taskset -c 0 .venv/bin/python bench/bench_latency.py
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import words_text
from bench.results import update_section


def measure(analyze, text: str, runs: int) -> tuple[float, float]:
    for _ in range(3):
        analyze(text)  # warm caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        analyze(text)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, round(0.95 * len(times)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--sizes", type=int, nargs="*", default=[20, 200, 1000, 10000])
    parser.add_argument("--no-model", action="store_true", help="lexicons only")
    parser.add_argument("--model", default="default", help="a model folder (default: the shipped model)")
    args = parser.parse_args()

    from analyzer import Analyzer

    analyzer = Analyzer(model=None if args.no_model else args.model)
    model = "none" if analyzer.classifier is None else str(analyzer.model_path)
    print(f"model: {model}; runs per size: {args.runs}")
    print(f"{'words':>7} {'median ms':>10} {'p95 ms':>8} {'flags':>6}")
    rows = [
        f"model: {model}; {args.runs} warm runs per size",
        "",
        "| words | median ms | p95 ms | flags |",
        "| ---: | ---: | ---: | ---: |",
    ]
    for size in args.sizes:
        text = words_text(size, seed=size)
        median, p95 = measure(analyzer.analyze, text, args.runs)
        flags = len(analyzer.analyze(text).flags)
        print(f"{size:>7} {median:>10.2f} {p95:>8.2f} {flags:>6}")
        rows.append(f"| {size:,} | {median:.2f} | {p95:.2f} | {flags} |")
    name = "Latency (lexicons only)" if args.no_model else "Latency"
    command = "taskset -c 0 python bench/bench_latency.py" + (" --no-model" if args.no_model else "")
    if not args.no_model and args.model != "default":
        name, command = f"Latency ({Path(args.model).name} model)", command + f" --model {args.model}"
    update_section(name, "\n".join(rows), command)


if __name__ == "__main__":
    main()
