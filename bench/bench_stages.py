"""Where the time of ``analyze_many`` goes: microseconds per document for each pipeline stage.

Issue 7 asks ``analyze_many`` for at least 25% of the bare tokenizer's
throughput, which leaves each document four tokenizer-times in all. This
script prints how that budget is spent, so a change can be aimed at the stage
that costs most and its effect read off the same table:

- the bare tokenizer (``spacy.blank("en")``), the ceiling;
- our tokenizer, then each pipeline component in turn, each over the whole
  batch of docs the stage before produced (so a stage's figure is its own
  time, not that of the generators upstream of it);
- turning candidates into flags (the engine's last step);
- and, for reference, ``analyze_many`` as users call it.

Median of ``--repeat`` runs on warm caches, one process. The EDOS posts are
read where they lie (skipped with a note when absent); the generated corpus
is always measured.

    .venv/bin/python bench/bench_stages.py [--edos PATH] [--repeat 3] [--no-model]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_throughput import timed
from bench.corpus import DEFAULT_EDOS, load_corpora
from bench.results import update_section

TARGET_SHARE = 0.25  # issue 7: analyze_many at least 25% of the tokenizer's throughput


def stage_times(analyzer: Any, texts: list[str], repeat: int) -> dict[str, float]:
    """Seconds per stage over ``texts`` (median of ``repeat`` runs), in pipeline order."""
    from analyzer.tokens.doc_state import candidates

    nlp = analyzer.nlp
    runs: dict[str, list[float]] = {}

    def clock(name: str, work: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        out = work()
        runs.setdefault(name, []).append(time.perf_counter() - start)
        return out

    for _ in range(repeat):
        docs = clock("tokenizer (ours)", lambda: [nlp.make_doc(t) for t in texts])
        for name, component in nlp.pipeline:
            if hasattr(component, "pipe"):
                docs = clock(name, lambda c=component, d=docs: list(c.pipe(d, batch_size=256)))
            else:
                docs = clock(name, lambda c=component, d=docs: [c(doc) for doc in d])
        clock(
            "flags (engine)",
            lambda d=docs: [analyzer._result(t, list(candidates(doc))) for t, doc in zip(texts, d, strict=True)],
        )
    return {name: statistics.median(times) for name, times in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edos", default=os.environ.get("ALLYSHIP_EDOS", str(DEFAULT_EDOS)))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--generated", type=int, default=20_000)
    parser.add_argument("--no-model", action="store_true")
    parser.add_argument("--model", default="default", help="a model folder (default: the shipped model)")
    args = parser.parse_args()

    import spacy

    from analyzer import Analyzer

    corpora = load_corpora(args.edos, args.generated)

    blank = spacy.blank("en")
    analyzer = Analyzer(model=None if args.no_model else args.model)
    tables = []
    for corpus, texts in corpora.items():
        n = len(texts)
        list(analyzer.analyze_many(texts[:500]))  # warm up
        ceiling = timed(lambda t=texts: list(blank.pipe(t, batch_size=1000)), args.repeat)
        stages = stage_times(analyzer, texts, args.repeat)
        whole = timed(lambda t=texts: list(analyzer.analyze_many(t, batch_size=256)), args.repeat)
        budget = ceiling / TARGET_SHARE
        lines = [
            f"**{corpus}** ({n:,} docs): budget for {TARGET_SHARE:.0%} of the ceiling "
            f"{budget / n * 1e6:,.0f} µs per doc; `analyze_many` takes {whole / n * 1e6:,.0f} µs "
            f"({ceiling / whole:.0%} of the ceiling)",
            "",
            "| stage | µs per doc | share of analyze_many |",
            "| --- | ---: | ---: |",
            f"| spaCy blank tokenizer (the ceiling) | {ceiling / n * 1e6:,.1f} | |",
        ]
        lines += [f"| {name} | {s / n * 1e6:,.1f} | {s / whole:.0%} |" for name, s in stages.items()]
        total = sum(stages.values())
        lines.append(f"| sum of the stages | {total / n * 1e6:,.1f} | {total / whole:.0%} |")
        tables.append("\n".join(lines))
    model = "none (lexicons only)" if analyzer.classifier is None else analyzer.classifier.path
    body = f"model: {model}; median of {args.repeat} runs; one process\n\n" + "\n\n".join(tables)
    print(body)
    name = "Stages (lexicons only)" if args.no_model else "Stages"
    update_section(name, body, "python bench/bench_stages.py" + (" --no-model" if args.no_model else ""))


if __name__ == "__main__":
    main()
