"""Seconds per million characters of ``Analyzer.analyze`` on hostile texts, at two sizes, so linearity shows.

Issue 17: any text must be analyzed at 1 MB per 5 s or faster on one core,
whatever its characters. Each family below is a text an attacker can paste
(spaced letters, runs of one punctuation mark, one long word, emoji, CJK,
random bytes decoded...). Each family runs in its own worker process (the
analyzer loaded once, the smaller size first), killed after ``--timeout``
seconds; a linear stage shows the same seconds per million characters at both
sizes, a quadratic one doubles. The peak memory the larger text added to the
loaded analyzer is printed beside it.

    taskset -c 0 .venv/bin/python bench/bench_pathological.py [--sizes 200000 400000] [--timeout 120]
    .venv/bin/python bench/bench_pathological.py --families spaced_letters star_run --sizes 4000 8000

Timings on a busy machine are noisy: run it on a quiet one and read ``uptime``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
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
    "repeated_phrase": lambda r, n: _cycle("calm down you are overreacting ", n),
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
        text = FAMILIES[family](random.Random(17), size)
        start = time.perf_counter()
        result = analyzer.analyze(text)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        line = {"size": len(text), "seconds": seconds, "flags": len(result.flags), "added_mb": (peak - base) / 1024}
        print(json.dumps(line), flush=True)


def run_family(family: str, sizes: list[int], timeout: float) -> list[dict]:
    """The worker's lines for ``family``; a size it did not finish in time is reported as timed out."""
    command = [sys.executable, __file__, "--worker", family, "--sizes", *map(str, sizes)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        out, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return lines + [{"size": size, "seconds": None} for size in sizes[len(lines) :]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs=2, default=[200_000, 400_000], help="characters per text")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per family (both sizes)")
    parser.add_argument("--families", nargs="*", default=list(FAMILIES), choices=list(FAMILIES))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.sizes)
        return
    small, large = args.sizes
    print(f"load: {os.getloadavg()[0]:.2f}; target {TARGET_SECONDS_PER_MB:.0f} s per million characters")
    print(f"{'family':24} {'s/MB @' + format(small, ','):>16} {'s/MB @' + format(large, ','):>16} {'ratio':>6}  memory")
    for family in args.families:
        rows = run_family(family, [small, large], args.timeout)
        rates = [row["seconds"] / (row["size"] / 1e6) if row["seconds"] is not None else None for row in rows]
        timed_out = f"{'>' + format(args.timeout, '.0f') + ' s':>16}"
        cells = [f"{rate:16.2f}" if rate is not None else timed_out for rate in rates]
        ratio = f"{rates[1] / rates[0]:6.2f}" if None not in rates and rates[0] else f"{'-':>6}"
        memory = f"+{rows[1]['added_mb']:.0f} MB" if rows[1].get("added_mb") is not None else ""
        verdict = "" if None not in rates and max(rates) <= TARGET_SECONDS_PER_MB else "  OVER TARGET"
        print(f"{family:24} {cells[0]} {cells[1]} {ratio}  {memory}{verdict}", flush=True)


if __name__ == "__main__":
    main()
