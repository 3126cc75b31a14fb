"""Seconds per million characters of ``Analyzer.analyze`` on hostile texts, at two sizes, so linearity shows.

Issue 17: any text must be analyzed at 1 MB per 5 s or faster on one core,
whatever its characters. Each family below is a text an attacker can paste
(spaced letters, runs of one punctuation mark, one long word, emoji, CJK,
random bytes decoded...). Each family runs in its own worker process (the
analyzer loaded once, the smaller size first), killed after ``--timeout``
seconds; a linear stage shows the same seconds per million characters at both
sizes, a quadratic one doubles. The peak memory the larger text added to the
loaded analyzer is printed beside it.

    taskset -c 0 .venv/bin/python bench/bench_pathological.py [--sizes 200000 400000] [--timeout 120] [--repeat 3]
    .venv/bin/python bench/bench_pathological.py --families spaced_letters star_run --sizes 4000 8000

Timings on a busy machine are noisy: run it on a quiet one and read ``uptime``.
With ``--repeat N`` each family runs in N fresh workers and the fastest run
per size is printed (interference only ever adds time), with the slowest in
brackets so the spread shows.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import string
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TARGET_SECONDS_PER_MB = 5.0

_EMOJI = [chr(c) for c in range(0x1F600, 0x1F650)] + ["\u2764\ufe0f", "\U0001f44d\U0001f3fd"]
_PUNCT = "*'\"$#!?.,;:-_()[]{}<>/\\|@%^&+=~`"
_PRINTABLE = string.ascii_letters + string.digits + string.punctuation + " " * 6  # a space every ~17 characters


_PHRASES = ["man up", "calm down", "you are so", "s l u t", "b*tch", "ihatewomen", "wom3n", "real men don't cry"]


def _prose(r: random.Random, n: int) -> str:
    from bench.corpus import words_text

    return words_text(n // 5, seed=r.randint(0, 1000))[:n]


def _cycle(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


def _random_words(r: random.Random, n: int, alphabet: str, low: int, high: int) -> str:
    out: list[str] = []
    size = 0
    while size < n:
        word = "".join(r.choice(alphabet) for _ in range(r.randint(low, high)))
        out.append(word)
        size += len(word) + 1
    return " ".join(out)[:n]


def _mixed(r: random.Random, n: int) -> str:
    """Stretches of every other family, and ordinary and obfuscated words, in random order."""
    makers = [f for name, f in FAMILIES.items() if name != "mixed"]
    words = _PHRASES
    parts: list[str] = []
    size = 0
    while size < n:
        part = r.choice(makers)(r, r.randint(1, 3000)) if r.random() < 0.5 else " ".join(r.choices(words, k=20))
        parts.append(part)
        size += len(part) + 1
    return " ".join(parts)[:n]


FAMILIES: dict[str, Callable[[random.Random, int], str]] = {
    "prose": _prose,  # ordinary sentences: the baseline to compare with
    "spaced_letters": lambda r, n: _cycle("a ", n),
    "spaced_random_letters": lambda r, n: " ".join(r.choices("abcdefghijklmnopqrstuvwxyz", k=n // 2))[:n],
    "star_run": lambda r, n: "*" * n,
    "apostrophe_run": lambda r, n: "'" * n,
    "quote_run": lambda r, n: '"' * n,
    "dollar_run": lambda r, n: "$" * n,
    "hash_run": lambda r, n: "#" * n,
    "bang_run": lambda r, n: "!" * n,
    "mixed_punct_run": lambda r, n: _cycle("*'\"$#!", n),
    "punct_words": lambda r, n: _random_words(r, n, _PUNCT, 1, 11),
    "spaced_dashes": lambda r, n: _cycle("\u2014 ", n),
    "long_word": lambda r, n: "".join(r.choices("abcdefghijklmnopqrstuvwxyz", k=n)),
    "emoji": lambda r, n: "".join(r.choices(_EMOJI, k=n))[:n],
    "cjk": lambda r, n: "".join(chr(r.randint(0x4E00, 0x9FFF)) for _ in range(n)),
    "random_bytes": lambda r, n: bytes(r.getrandbits(8) for _ in range(n)).decode("utf-8", "replace")[:n],
    "random_printable": lambda r, n: "".join(r.choices(_PRINTABLE, k=n)),  # random keyboard characters
    "repeated_phrase": lambda r, n: _cycle("calm down you are overreacting ", n),
    "words_to_cut": lambda r, n: _cycle("c@n't m4n up ihatewomen ", n),
    "joined_words": lambda r, n: _cycle("women.are.trash i_hate_women a.b.c ", n),
    "mixed": _mixed,
}


def worker(family: str, sizes: list[int]) -> None:
    """Analyze the family's texts (smallest first) and print one JSON line per size."""
    import resource

    from analyzer import Analyzer

    analyzer = Analyzer()
    analyzer.analyze("warm up: calm down, it was just a joke")
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for size in sizes:
        text = FAMILIES[family](random.Random(17 + size), size)  # a fresh stream per size: no shared prefix
        start, cpu = time.perf_counter(), time.process_time()
        result = analyzer.analyze(text)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        line = {"size": len(text), "seconds": seconds, "cpu": cpu, "flags": len(result.flags)}
        line["added_mb"] = (peak - base) / 1024
        print(json.dumps(line), flush=True)


def run_family(family: str, sizes: list[int], timeout: float) -> list[dict]:
    """The worker's lines for ``family``; a size it did not finish in time is reported as timed out."""
    command = [sys.executable, __file__, "--worker", family, "--sizes", *map(str, sizes)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    failed = None
    try:
        out, _ = process.communicate(timeout=timeout)
        if process.returncode:
            failed = f"failed, exit {process.returncode}"
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return lines + [{"size": size, "seconds": None, "failed": failed} for size in sizes[len(lines) :]]


def _fastest(runs: list[list[dict]]) -> list[dict]:
    """Per size, the run with the least CPU time, its ``spread`` the slowest run's CPU time (or, for a single
    run, its wall-clock time); a size any run did not finish is reported as not finished."""
    rows = []
    for sized in zip(*runs, strict=True):
        if any(row["seconds"] is None for row in sized):
            rows.append(next(row for row in sized if row["seconds"] is None))
            continue
        best = dict(min(sized, key=lambda row: row["cpu"]))
        best["spread"] = max(row["cpu"] for row in sized) if len(sized) > 1 else best["seconds"]
        rows.append(best)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs=2, default=[200_000, 400_000], help="characters per text")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per family (both sizes)")
    parser.add_argument("--families", nargs="*", default=list(FAMILIES), choices=list(FAMILIES))
    parser.add_argument("--repeat", type=int, default=1, help="fresh workers per family; the fastest is printed")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.sizes)
        return
    small, large = args.sizes
    print(f"load: {os.getloadavg()[0]:.2f}; target {TARGET_SECONDS_PER_MB:.0f} s per million characters on one core")
    if args.repeat > 1:
        print(f"CPU seconds per million characters at each size, fastest of {args.repeat} runs (slowest in brackets)")
    else:
        print("CPU seconds per million characters (wall-clock seconds in brackets) at each size; ratio large/small")
    print(f"{'family':24} {format(small, ',') + ' chars':>20} {format(large, ',') + ' chars':>20} {'ratio':>6}  memory")
    for family in args.families:
        runs = [run_family(family, [small, large], args.timeout) for _ in range(max(1, args.repeat))]
        rows = _fastest(runs)
        done = [row for row in rows if row["seconds"] is not None]
        rates = [row["cpu"] / (row["size"] / 1e6) for row in done]
        cells = [f"{row['cpu'] / row['size'] * 1e6:9.2f} ({row['spread'] / row['size'] * 1e6:7.2f})" for row in done]
        missing = [row.get("failed") or f">{args.timeout:.0f} s" for row in rows if row["seconds"] is None]
        cells += [f"{reason:>20}" for reason in missing]
        ratio = f"{rates[1] / rates[0]:6.2f}" if len(rates) == 2 and rates[0] else f"{'-':>6}"
        memory = f"+{done[-1]['added_mb']:.0f} MB" if len(done) == 2 else ""
        verdict = "" if len(rates) == 2 and max(rates) <= TARGET_SECONDS_PER_MB else "  OVER TARGET"
        print(f"{family:24} {cells[0]:>20} {cells[1]:>20} {ratio}  {memory}{verdict}", flush=True)


if __name__ == "__main__":
    main()
