"""Cold start: ``allyship analyze "…"`` as a fresh process, its peak memory, and where the time goes.

Runs the installed command line the way a user does (a new process each
time), with and without the model, ``--repeat`` times each, and reports the
median wall time and the peak RSS (``/usr/bin/time -v``, else ``getrusage``).
The compiled lexicon keys are cached after the first run (see
``analyzer/pipeline/lexicon_keys.py``); the first run after an install or a
lexicon change, with an empty cache, is a row of its own.
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
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import update_section

REPO = Path(__file__).resolve().parents[1]
TIME = "/usr/bin/time"
TEXT = "Man up, and calm down, it was just a joke."
CHECK = ("check", "README.md", "lexicons/README.md")  # issue 18: the linter on the project's own documents
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


def cold_run(model: bool, cache: Path, args: tuple[str, ...] = ("analyze", TEXT)) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one ``allyship ARGS`` process, with ``cache`` as its cache folder."""
    command = [sys.executable, "-m", "analyzer.cli.main", *args]
    if not model:
        command.append("--no-model")
    timed = os.path.exists(TIME)
    if timed:
        command = [TIME, "-v", *command]
    start = time.perf_counter()
    env = {**os.environ, "ALLYSHIP_CACHE_DIR": str(cache)}
    proc = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):  # check exits 1 when it flags something
        sys.exit(f"allyship {args[0]} failed ({proc.returncode}):\n{proc.stderr}")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr) if timed else None
    kb = int(rss.group(1)) if rss else resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, kb / 1024


def steps(model: bool, cache: Path) -> dict[str, float]:
    """Seconds per start-up step in one fresh process."""
    code = f"from pathlib import Path\nMODEL = {model!r}\nMODELS = Path({str(REPO / 'models')!r})\nTEXT = {TEXT!r}\n"
    env = {**os.environ, "ALLYSHIP_CACHE_DIR": str(cache)}
    proc = subprocess.run(
        [sys.executable, "-c", code + STEPS], cwd=REPO, capture_output=True, text=True, check=True, env=env
    )
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
    print(f"{'configuration':<48} {'wall s':>7} {'peak RSS MB':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        configurations = [
            ("with the model", True, lambda n: cache, ("analyze", TEXT)),
            ("lexicons only (--no-model)", False, lambda n: cache, ("analyze", TEXT)),
            ("with the model, first run (empty cache)", True, lambda n: Path(tmp) / f"empty{n}", ("analyze", TEXT)),
            ("`allyship check README.md lexicons/README.md`", True, lambda n: cache, CHECK),
        ]
        for name, model, folder, *command in configurations:
            cold_run(model, folder(-1), *command)  # warms the OS file cache (and fills the shared cache folder)
            runs = [cold_run(model, folder(n), *command) for n in range(args.repeat)]
            wall = statistics.median(w for w, _ in runs)
            rss = max(r for _, r in runs)
            print(f"{name:<48} {wall:>7.2f} {rss:>12.0f}")
            rows.append(f"| {name} | {wall:.2f} | {rss:.0f} |")
        samples = [steps(True, cache) for _ in range(args.repeat)]
    rows += ["", "Steps inside one fresh process (seconds, median of the runs):", ""]
    names = list(samples[0])
    rows += ["| step | s |", "| --- | ---: |"]
    for name in names:
        value = statistics.median(s[name] for s in samples)
        print(f"  {name:<16} {value:.3f} s")
        rows.append(f"| {name} | {value:.3f} |")
    update_section("Start-up", "\n".join(rows), "python bench/bench_startup.py")


if __name__ == "__main__":
    main()
