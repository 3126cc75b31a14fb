"""Throughput of ``analyze_many`` against the ceiling (spaCy's blank tokenizer) and a peer.

On the same texts in the same run: spaCy's blank English tokenizer alone (no
pipeline component can beat it), ``Analyzer.analyze_many``, and
alt-profanity-check (tf-idf + linear SVM) in its own virtual environment, since
it pins scikit-learn and joblib. Two corpora: the 20,000 EDOS posts (read
where they lie; skipped with a note when absent) and 20,000 generated
documents. Median of ``--repeat`` runs each.

    .venv/bin/python bench/bench_throughput.py [--edos PATH] [--apc-venv DIR] [--no-model]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import DEFAULT_EDOS, load_corpora
from bench.results import update_section

APC_SCRIPT = """
import json, sys, time
from profanity_check import predict_prob
texts = json.load(open(sys.argv[1]))
predict_prob(texts[:100])
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter(); predict_prob(texts); times.append(time.perf_counter() - start)
print(json.dumps(times))
"""


def timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ensure_apc(venv: Path) -> Path | None:
    """The peer's own venv (created on first use from PyPI); None when it cannot be had."""
    python = venv / "bin" / "python"
    if not python.exists():
        print(f"creating {venv} with alt-profanity-check ...", file=sys.stderr)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(python), "-m", "pip", "install", "-q", "alt-profanity-check"], check=True, timeout=900)
        except (subprocess.SubprocessError, OSError) as exc:
            print(f"alt-profanity-check unavailable: {exc}", file=sys.stderr)
            return None
    return python


def apc_seconds(python: Path, texts: list[str], repeat: int) -> float | None:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(texts, handle)
    try:
        out = subprocess.run(
            [str(python), "-c", APC_SCRIPT, handle.name, str(repeat)], capture_output=True, text=True, timeout=900
        )
        if out.returncode != 0:
            print(out.stderr[-500:], file=sys.stderr)
            return None
        return statistics.median(json.loads(out.stdout.strip().splitlines()[-1]))
    finally:
        os.unlink(handle.name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edos", default=os.environ.get("ALLYSHIP_EDOS", str(DEFAULT_EDOS)))
    parser.add_argument("--apc-venv", default=os.environ.get("ALLYSHIP_APC_VENV", "/tmp/allyship-apc-venv"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--generated", type=int, default=20_000)
    parser.add_argument("--no-model", action="store_true")
    parser.add_argument(
        "--processes",
        type=int,
        default=2,
        help="also time analyze_many(n_process=N), worker start-up included (0 or 1: skip)",
    )
    args = parser.parse_args()

    import spacy

    from analyzer import Analyzer

    corpora = load_corpora(args.edos, args.generated)

    tokenizer = spacy.blank("en")
    analyzer = Analyzer(model=None if args.no_model else "default")
    apc = ensure_apc(Path(args.apc_venv))
    rows = []
    for name, texts in corpora.items():
        list(analyzer.analyze_many(texts[:500]))  # warm up
        ceiling = timed(lambda t=texts: list(tokenizer.pipe(t, batch_size=1000)), args.repeat)
        ours = timed(lambda t=texts: list(analyzer.analyze_many(t, batch_size=256)), args.repeat)
        peer = apc_seconds(apc, texts, args.repeat) if apc else None
        workers = None
        if args.processes > 1:
            workers = timed(
                lambda t=texts: list(analyzer.analyze_many(t, batch_size=256, n_process=args.processes)), args.repeat
            )
        n = len(texts)
        rows.append((name, n, n / ceiling, n / ours, n / peer if peer else None, n / workers if workers else None))

    model = "none (lexicons only)" if analyzer.classifier is None else analyzer.classifier.path
    lines = [
        f"model: {model}; median of {args.repeat} runs; tokenizer, analyze_many and the peer in one process each",
        "",
        "| corpus | docs | tokenizer docs/s (ceiling) | analyze_many docs/s | share of ceiling "
        "| alt-profanity-check docs/s | ours / peer |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, n, ceiling, ours, peer, _ in rows:
        peer_cell = f"{peer:,.0f}" if peer else "n/a"
        ratio = f"{ours / peer:.2f}" if peer else "n/a"
        lines.append(
            f"| {name} | {n:,} | {ceiling:,.0f} | {ours:,.0f} | {ours / ceiling:.0%} | {peer_cell} | {ratio} |"
        )
    if args.processes > 1:
        lines += [
            "",
            f"With `analyze_many(..., n_process={args.processes})` (worker start-up included), "
            "against the same one-process ceiling:",
            "",
            "| corpus | docs/s | share of ceiling |",
            "| --- | ---: | ---: |",
        ]
        lines += [f"| {name} | {w:,.0f} | {w / c:.0%} |" for name, _, c, _, _, w in rows if w]
    table = "\n".join(lines)
    print(table)
    name = "Throughput (lexicons only)" if args.no_model else "Throughput"
    update_section(name, table, "python bench/bench_throughput.py" + (" --no-model" if args.no_model else ""))


if __name__ == "__main__":
    main()
