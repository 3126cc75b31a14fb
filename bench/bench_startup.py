"""Cold start: ``allyship analyze "…"`` as a fresh process, its peak memory, and where the time goes.

Runs the installed command line the way a user does (a new process each
time), with and without the model, ``--repeat`` times each, and reports the
median wall time and the peak RSS (``/usr/bin/time -v``, else ``getrusage``).
A second table times the steps inside one fresh process: imports, loading
the lexicons, loading the model, building the spaCy pipeline, the first text.

    .venv/bin/python bench/bench_startup.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import update_section

REPO = Path(__file__).resolve().parents[1]
TIME = "/usr/bin/time"
TEXT = "Man up, and calm down, it was just a joke."
STEPS = """
import json, time
start = time.perf_counter()
marks = {}
from analyzer.lexicon.loader import load_lexicon
from analyzer.pipeline.build import build_pipeline
marks["imports"] = time.perf_counter()
lexicon = load_lexicon([])
marks["load lexicons"] = time.perf_counter()
classifier = None
if MODEL:
    from analyzer.model.category_model import load_model
    classifier = load_model(MODELS / "default", lexicon)
marks["load model"] = time.perf_counter()
nlp = build_pipeline(lexicon, classifier)
marks["build pipeline"] = time.perf_counter()
nlp(TEXT)
marks["first text"] = time.perf_counter()
previous, out = start, {}
for name, mark in marks.items():
    out[name] = mark - previous
    previous = mark
print(json.dumps(out))
"""


def cold_run(model: bool) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one ``allyship analyze`` process."""
    command = [sys.executable, "-m", "analyzer.cli.main", "analyze", TEXT]
    if not model:
        command.append("--no-model")
    timed = os.path.exists(TIME)
    if timed:
        command = [TIME, "-v", *command]
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"allyship analyze failed ({proc.returncode}):\n{proc.stderr}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr) if timed else None
    kb = int(rss.group(1)) if rss else resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, kb / 1024


def steps(model: bool) -> dict[str, float]:
    """Seconds per start-up step in one fresh process."""
    code = f"from pathlib import Path\nMODEL = {model!r}\nMODELS = Path({str(REPO / 'models')!r})\nTEXT = {TEXT!r}\n"
    proc = subprocess.run([sys.executable, "-c", code + STEPS], cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="processes per configuration (median reported)")
    args = parser.parse_args()
    rows = [
        f'`allyship analyze "{TEXT}"` as a new process; median of {args.repeat} runs',
        "",
        "| configuration | wall s (median) | peak RSS MB (max) |",
        "| --- | ---: | ---: |",
    ]
    print(f"{'configuration':<22} {'wall s':>7} {'peak RSS MB':>12}")
    for model in (True, False):
        cold_run(model)  # the first run warms the OS file cache
        runs = [cold_run(model) for _ in range(args.repeat)]
        wall = statistics.median(w for w, _ in runs)
        rss = max(r for _, r in runs)
        name = "with the model" if model else "lexicons only (--no-model)"
        print(f"{name:<22} {wall:>7.2f} {rss:>12.0f}")
        rows.append(f"| {name} | {wall:.2f} | {rss:.0f} |")
    rows += ["", "Steps inside one fresh process (seconds, median of the runs):", ""]
    samples = [steps(True) for _ in range(args.repeat)]
    names = list(samples[0])
    rows += ["| step | s |", "| --- | ---: |"]
    for name in names:
        value = statistics.median(s[name] for s in samples)
        print(f"  {name:<16} {value:.3f} s")
        rows.append(f"| {name} | {value:.3f} |")
    update_section("Start-up", "\n".join(rows), "python bench/bench_startup.py")


if __name__ == "__main__":
    main()
