"""Load on ``allyship serve``: requests/s, latency percentiles, errors and server memory, on 127.0.0.1 only.

Starts the server (2 workers by default) on a free local port, then drives it
from a bounded asyncio httpx client for a fixed time per level: single texts
of about 1,000 characters and batches of 64, at 1, 8 and 32 concurrent
clients. During the 8-client single-text level it mixes in 100 malformed or
oversized requests and checks that each gets a 4xx and that every good
answer equals what ``analyze`` gives in this process. Last, ``analyze_many``
runs in this process on the same batches, for the batch-throughput ratio.

    .venv/bin/python bench/bench_service.py                # writes its section of bench/RESULTS.md
    .venv/bin/python bench/bench_service.py --duration 5 --no-write

The client shares the machine with the server: on a 2-core machine it takes
CPU from the two workers, so the figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.corpus import FLAGGABLE, ORDINARY
from bench.results import update_section

REPO = Path(__file__).resolve().parents[1]
TEXT_CHARS = 1_000
BAD_REQUESTS = 100


def texts_of_about(chars: int, count: int, seed: int = 7) -> list[str]:
    """``count`` distinct texts of about ``chars`` characters, about one sentence in ten flaggable."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) < chars:
            parts.append(rng.choice(FLAGGABLE if rng.random() < 0.1 else ORDINARY))
        out.append(" ".join(parts))
    return out


def bad_requests(count: int) -> list[tuple[bytes, str]]:
    """Malformed or oversized bodies, and what each is (for the report)."""
    kinds = [
        (b"{not json", "malformed JSON"),
        (b'{"text": 42}', "wrong type"),
        (b'{"text": "a", "texts": ["b"]}', "both fields"),
        (b"{}", "no field"),
        (json.dumps({"texts": ["x"] * 300}).encode(), "too many texts"),
        (json.dumps({"text": "word " * 30_000}).encode(), "text too long"),
        (b"\xff\xfe\xfd", "not UTF-8"),
    ]
    out = [kinds[i % len(kinds)] for i in range(count - 3)]
    out += [(b'{"text": "' + b"x" * 10_500_000 + b'"}', "body over 10 MB")] * 3
    return out


@dataclass
class Level:
    name: str
    clients: int
    texts_per_request: int
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    server_errors: int = 0
    wrong_answers: int = 0
    seconds: float = 0.0

    def row(self) -> str:
        lat = sorted(self.latencies)
        n = len(lat)

        def pct(p: float) -> float:
            return lat[min(n - 1, max(0, round(p * n) - 1))] if n else float("nan")

        rps = n / self.seconds if self.seconds else 0.0
        return (
            f"| {self.name} | {self.clients} | {n:,} | {rps:,.1f} | {rps * self.texts_per_request:,.0f} | "
            f"{statistics.median(lat) if lat else float('nan'):.1f} | {pct(0.95):.1f} | {pct(0.99):.1f} | "
            f"{self.errors} | {self.server_errors} | {self.wrong_answers} |"
        )

    @property
    def texts_per_second(self) -> float:
        return len(self.latencies) * self.texts_per_request / self.seconds if self.seconds else 0.0


async def drive(base: str, level: Level, bodies: list[tuple[bytes, list]], duration: float, bad: list | None) -> dict:
    """Run ``level.clients`` clients for ``duration`` seconds; returns the outcome of the bad requests mixed in."""
    import httpx

    limits = httpx.Limits(max_connections=level.clients + 2, max_keepalive_connections=level.clients + 2)
    bad_outcome: dict[str, int] = {"4xx": 0, "5xx": 0, "other": 0}
    headers = {"content-type": "application/json"}
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        deadline = time.perf_counter() + duration
        counter = iter(range(10**9))

        async def one_client() -> None:
            while time.perf_counter() < deadline:
                body, expected = bodies[next(counter) % len(bodies)]
                start = time.perf_counter()
                try:
                    response = await client.post("/v1/analyze", content=body, headers=headers)
                except httpx.HTTPError:
                    level.errors += 1
                    continue
                level.latencies.append((time.perf_counter() - start) * 1000)
                if response.status_code != 200:
                    level.errors += 1
                    level.server_errors += response.status_code >= 500
                    continue
                data = response.json()
                got = [data] if "flags" in data else data["results"]
                if got != expected:
                    level.wrong_answers += 1

        async def bad_client() -> None:
            pause = duration / (len(bad or []) + 1) / 2  # spread over the first half of the level
            for body, _ in bad or []:
                await asyncio.sleep(pause)
                try:
                    response = await client.post("/v1/analyze", content=body, headers=headers)
                    key = (
                        "4xx"
                        if 400 <= response.status_code < 500
                        else "5xx"
                        if response.status_code >= 500
                        else "other"
                    )
                except httpx.HTTPError:
                    key = "other"
                bad_outcome[key] += 1

        start = time.perf_counter()
        mixed = asyncio.create_task(bad_client())
        await asyncio.gather(*(one_client() for _ in range(level.clients)))
        level.seconds = time.perf_counter() - start
        await mixed
    return bad_outcome


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree_peak_rss_mb(pid: int) -> float:
    """Sum over the server's processes of each one's peak resident memory (VmHWM), in MB."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
            for task in Path(f"/proc/{current}/task").iterdir():
                pending.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, StopIteration, ValueError):
            continue
    return total / 1024


def start_server(port: int, workers: int, no_model: bool) -> subprocess.Popen:
    import httpx

    command = [sys.executable, "-m", "analyzer.cli.main", "serve", "--port", str(port), "--workers", str(workers)]
    if no_model:
        command.append("--no-model")
    server = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"server exited: {server.stderr.read().decode()[-2000:]}")
        try:
            ready = [httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code for _ in range(workers * 2)]
            if all(code == 200 for code in ready):
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    server.kill()
    raise SystemExit("server did not become ready in 300 s")


def warm_up(base: str, singles: list, batches: list, workers: int) -> None:
    """A few requests per worker first, so lazily loaded tables are not timed."""
    import httpx

    with httpx.Client(base_url=base, timeout=120) as client:
        for body, _ in singles[: 10 * workers] + batches[: 2 * workers]:
            client.post("/v1/analyze", content=body, headers={"content-type": "application/json"})


def in_process_throughput(analyzer, batches: list[list[str]], duration: float) -> float:
    """Texts per second of ``analyze_many`` over the same batches, in this process, for ``duration`` seconds."""
    for batch in batches[:2]:
        list(analyzer.analyze_many(batch, batch_size=len(batch)))
    done = 0
    start = time.perf_counter()
    i = 0
    while time.perf_counter() - start < duration:
        batch = batches[i % len(batches)]
        list(analyzer.analyze_many(batch, batch_size=len(batch)))
        done += len(batch)
        i += 1
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per level")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, nargs="*", default=[1, 8, 32])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--no-model", action="store_true", help="lexicons only")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()

    from analyzer import Analyzer

    analyzer = Analyzer(model=None if args.no_model else "default")
    pool = texts_of_about(TEXT_CHARS, 256)
    expected = {t: json.loads(json.dumps(r.to_dict())) for t, r in zip(pool, analyzer.analyze_many(pool), strict=True)}
    singles = [(json.dumps({"text": t}).encode(), [expected[t]]) for t in pool]
    batches = [pool[i : i + args.batch] for i in range(0, len(pool) - args.batch + 1, args.batch // 2)]
    batch_bodies = [(json.dumps({"texts": b}).encode(), [expected[t] for t in b]) for b in batches]
    print(f"texts: {len(pool)} of {min(map(len, pool))}-{max(map(len, pool))} chars; load: {os.getloadavg()}")

    port = free_port()
    server = start_server(port, args.workers, args.no_model)
    base = f"http://127.0.0.1:{port}"
    warm_up(base, singles, batch_bodies, args.workers)
    levels: list[Level] = []
    bad_outcome: dict[str, int] = {}
    try:
        for kind, bodies, per in (
            ("single ~1,000 chars", singles, 1),
            (f"batch of {args.batch}", batch_bodies, args.batch),
        ):
            for clients in args.clients:
                level = Level(kind, clients, per)
                mix = bad_requests(BAD_REQUESTS) if per == 1 and clients == 8 else None
                outcome = asyncio.run(drive(base, level, bodies, args.duration, mix))
                if mix:
                    bad_outcome = outcome
                levels.append(level)
                print(level.row(), flush=True)
        peak_mb = tree_peak_rss_mb(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    local = in_process_throughput(analyzer, batches, args.duration)

    batch_levels = [lv for lv in levels if lv.texts_per_request > 1]
    single_8 = next((lv for lv in levels if lv.texts_per_request == 1 and lv.clients == 8), None)
    ratio_lines = [
        f"- batch of {args.batch} at {lv.clients} client(s): {lv.texts_per_second:,.0f} texts/s = "
        f"{lv.texts_per_second / local:.0%} of analyze_many in one process ({local:,.0f} texts/s)"
        for lv in batch_levels
    ]
    errors = sum(lv.errors for lv in levels)
    five = sum(lv.server_errors for lv in levels)
    wrong = sum(lv.wrong_answers for lv in levels)
    p99_8 = sorted(single_8.latencies)[max(0, round(0.99 * len(single_8.latencies)) - 1)] if single_8 else float("nan")
    body = "\n".join(
        [
            f"{args.workers} workers, {args.duration:g} s per level, model: {'none' if args.no_model else 'default'}; "
            f"load average at start {os.getloadavg()[0]:.2f} (client and server share the machine)",
            "",
            "| requests | clients | done | requests/s | texts/s | p50 ms | p95 ms | p99 ms | errors | 5xx | wrong |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            *(lv.row() for lv in levels),
            "",
            f"- server peak RSS (all processes, VmHWM): {peak_mb:,.0f} MB",
            f"- {BAD_REQUESTS} malformed/oversized requests mixed into the 8-client single-text level: "
            f"{bad_outcome.get('4xx', 0)} answered 4xx, {bad_outcome.get('5xx', 0)} 5xx, "
            f"{bad_outcome.get('other', 0)} other; good answers that differ from analyze: {wrong}",
            f"- targets: 0 errors/5xx: {errors}/{five}; p99 at 8 clients <= 100 ms: {p99_8:.1f} ms",
            *ratio_lines,
        ]
    )
    print(body)
    if not args.no_write:
        update_section("Service load", body, "python bench/bench_service.py")


if __name__ == "__main__":
    main()
