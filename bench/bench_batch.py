"""Throughput of ``allyship batch`` on the 20,000 EDOS posts with 1 and 2 jobs, and the memory each takes.

Runs the command line as a user would (a separate process, under
``/usr/bin/time -v`` when it exists) and prints, per job count:

- documents/s end to end (process start to exit: imports, model load, reading, writing);
- documents/s of the batch itself (the figure the batch summary prints, without start-up);
- peak RSS of the largest process (``/usr/bin/time -v``, else ``getrusage``), and the peak
  total RSS of the whole process tree (parent and workers), sampled every 50 ms;
- the CPU seconds of the whole run (user + system, workers included), which the load of
  other processes does not change: 2 jobs should cost about the same CPU as 1;

then the speedup of 2 jobs over 1 (the target is at least 1.6) and whether both runs wrote
identical records. The data is read where it lies and never copied into the repository:

    .venv/bin/python bench/bench_batch.py [--data DIR_OR_CSV] [--no-model] [--repeat 3]

Each job count runs ``--repeat`` times, interleaved, and the fastest run is
reported: on a shared machine the slower runs measure the neighbours.

``--data`` defaults to ``$ALLYSHIP_EDOS``, else ``../shared/data/edos`` beside the repository.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import update_section

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "edos"
EDOS_FILE = "edos_labelled_aggregated.csv"
TIME = "/usr/bin/time"


@dataclass
class Run:
    jobs: int
    documents: int
    wall: float  # seconds, process start to exit
    batch_seconds: float  # the batch's own time, from its summary
    max_rss_mb: float  # the largest single process
    tree_rss_mb: float | None  # parent and workers together, sampled
    cpu: float | None  # user + system seconds of the process and its workers (/usr/bin/time)
    output: bytes

    @property
    def end_to_end(self) -> float:
        return self.documents / self.wall

    @property
    def batch_rate(self) -> float:
        return self.documents / self.batch_seconds if self.batch_seconds else 0.0


def find_data(given: str | None) -> Path | None:
    path = Path(given or os.environ.get("ALLYSHIP_EDOS") or DEFAULT_DATA)
    if path.is_dir():
        path = path / EDOS_FILE
    return path if path.is_file() else None


class TreeSampler(threading.Thread):
    """Peak of the summed RSS of a process and all its descendants (psutil, when installed)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.stopped = threading.Event()
        try:
            import psutil

            self.psutil = psutil
        except ImportError:
            self.psutil = None

    def run(self) -> None:
        if self.psutil is None:
            return
        try:
            root = self.psutil.Process(self.pid)
        except self.psutil.Error:
            return
        while not self.stopped.is_set():
            total = 0
            try:
                for proc in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(self.psutil.Error):  # a worker may exit between the two calls
                        total += proc.memory_info().rss
            except self.psutil.Error:
                break
            self.peak = max(self.peak, total)
            self.stopped.wait(0.05)


def run_batch(data: Path, jobs: int, out: Path, no_model: bool) -> Run:
    command = [
        sys.executable, "-m", "analyzer.cli.main", "batch", str(data), "--out", str(out), "--force",
        "--jobs", str(jobs), "--id-column", "rewire_id",
    ]  # fmt: skip
    if no_model:
        command.append("--no-model")
    timed = os.path.exists(TIME)
    if timed:
        command = [TIME, "-v", *command]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = TreeSampler(proc.pid)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    sampler.stopped.set()
    sampler.join()
    if proc.returncode != 0:
        sys.exit(f"batch --jobs {jobs} failed ({proc.returncode}):\n{err}")
    found = re.search(r"throughput: ([\d,]+) documents in ([\d.]+) s", err)
    if not found:
        sys.exit(f"no summary in the output of batch --jobs {jobs}:\n{err}")
    documents, seconds = int(found.group(1).replace(",", "")), float(found.group(2))
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err) if timed else None
    # ru_maxrss of children is a high-water mark over all of them: only meaningful when it grew.
    max_rss_kb = int(rss.group(1)) if rss else max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)
    tree = sampler.peak / 2**20 if sampler.psutil is not None and sampler.peak else None
    user = re.search(r"User time \(seconds\): ([\d.]+)", err)
    system = re.search(r"System time \(seconds\): ([\d.]+)", err)
    cpu = float(user.group(1)) + float(system.group(1)) if user and system else None
    return Run(jobs, documents, wall, seconds, max_rss_kb / 1024, tree, cpu, out.read_bytes())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--data", help=f"the EDOS folder or its {EDOS_FILE} (default: $ALLYSHIP_EDOS or {DEFAULT_DATA})"
    )
    parser.add_argument("--no-model", action="store_true", help="lexicons only, without the classifier")
    parser.add_argument("--repeat", type=int, default=3, help="runs per job count; the fastest is reported")
    args = parser.parse_args()

    data = find_data(args.data)
    if data is None:
        print(f"skipped: the EDOS data is not at {args.data or os.environ.get('ALLYSHIP_EDOS') or DEFAULT_DATA}")
        print("(give --data DIR or set ALLYSHIP_EDOS; the data is read in place, never copied into the repository)")
        return
    print(f"data: {data}")
    print(f"machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}; load average {os.getloadavg()[0]:.2f}")
    model = "none (--no-model)" if args.no_model else "default"
    print(f"model: {model}; peak RSS via {TIME if os.path.exists(TIME) else 'getrusage'}")
    runs: dict[int, list[Run]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory(prefix="allyship-bench-") as tmp:
        for _ in range(args.repeat):  # interleaved, so that both job counts meet the same background load
            for jobs in (1, 2):
                runs[jobs].append(run_batch(data, jobs, Path(tmp) / f"out{jobs}.jsonl", args.no_model))
    results: dict[int, Run] = {}
    for jobs, done in runs.items():
        results[jobs] = min(done, key=lambda r: r.wall)  # the least disturbed run, as timeit does
        if args.repeat > 1:
            print(f"  --jobs {jobs}: wall times {', '.join(f'{r.wall:.1f}' for r in done)} s (fastest kept)")
    print()
    print(f"{'jobs':>4} {'documents':>9} {'wall s':>7} {'docs/s':>8} {'batch docs/s':>12}", end="")
    print(f" {'max RSS MB':>10} {'tree RSS MB':>11} {'CPU s':>6}")
    for run in results.values():
        tree = f"{run.tree_rss_mb:.0f}" if run.tree_rss_mb is not None else "n/a"
        cpu = f"{run.cpu:.1f}" if run.cpu is not None else "n/a"
        print(
            f"{run.jobs:>4} {run.documents:>9,} {run.wall:>7.1f} {run.end_to_end:>8.0f} {run.batch_rate:>12.0f} "
            f"{run.max_rss_mb:>10.0f} {tree:>11} {cpu:>6}"
        )
    one, two = results[1], results[2]
    speedup = two.end_to_end / one.end_to_end
    batch_speedup = two.batch_rate / one.batch_rate if one.batch_rate else 0.0
    print()
    print(
        f"speedup of 2 jobs over 1: {speedup:.2f}x end to end, {batch_speedup:.2f}x for the batch itself (target 1.6x)"
    )
    print(f"identical records with 1 and 2 jobs: {'yes' if one.output == two.output else 'NO'}")
    lines = [
        f"model: {model}; 20,000 EDOS posts; fastest of {args.repeat} interleaved runs per job count",
        "",
        "| jobs | wall s | docs/s end to end | docs/s batch | max RSS MB (largest process) | tree RSS MB | CPU s |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in results.values():
        tree = f"{run.tree_rss_mb:.0f}" if run.tree_rss_mb is not None else "n/a"
        cpu = f"{run.cpu:.1f}" if run.cpu is not None else "n/a"
        lines.append(
            f"| {run.jobs} | {run.wall:.1f} | {run.end_to_end:,.0f} | {run.batch_rate:,.0f} | {run.max_rss_mb:.0f} "
            f"| {tree} | {cpu} |"
        )
    lines += [
        "",
        f"Speedup of 2 jobs over 1: {speedup:.2f}x end to end, {batch_speedup:.2f}x for the batch itself "
        f"(target 1.6x); identical records: {'yes' if one.output == two.output else 'NO'}.",
    ]
    name = "Batch with 1 and 2 jobs" + (" (lexicons only)" if args.no_model else "")
    command = f"python bench/bench_batch.py --repeat {args.repeat}" + (" --no-model" if args.no_model else "")
    update_section(name, "\n".join(lines), command)
    if shutil.which("nproc") and (os.cpu_count() or 1) < 2:
        print("note: this machine has one CPU; 2 jobs cannot be faster than 1 here")


if __name__ == "__main__":
    main()
