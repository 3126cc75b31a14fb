"""``allyship batch`` as a user runs it: one record per document, in order, whatever the files, however it is run."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from analyzer.cli.batch import cli_message
from analyzer.cli.main import main
from analyzer.errors import AnalyzerError
from analyzer.io.batch import BatchConfig, run_batch
from analyzer.io.output import STATE_FORMAT, state_path
from tests.conftest import REPO, run_cli_text
from tests.messy import CLEAN, FLAGGED, make_messy_folder, put

Cli = Callable[..., tuple[int, str]]


@pytest.fixture()
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    """Runs ``allyship ARGS`` in this process; returns the exit code and standard error."""

    def run(*args: str | Path) -> tuple[int, str]:
        capsys.readouterr()
        with pytest.raises(SystemExit) as exit_info:
            main([str(a) for a in args])
        code = exit_info.value.code
        return (code if isinstance(code, int) else 0), capsys.readouterr().err

    return run


def interrupted(out: Path, data: bytes, checkpoint: int = 0) -> Path:
    """What a run killed mid-way leaves: the bytes it had flushed, and its state at its last checkpoint."""
    out.write_bytes(data)
    info = out.stat()
    state = {
        "format": STATE_FORMAT,
        "version": 1,
        "output": out.name,
        "device": info.st_dev,
        "inode": info.st_ino,
        "size": checkpoint,
        "sha256": hashlib.sha256(data[:checkpoint]).hexdigest(),
    }
    state_path(out).write_text(json.dumps(state))
    return out


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def subprocess_cli(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analyzer.cli.main", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str | None]]:
    root = tmp_path_factory.mktemp("batch") / "messy"
    return root, make_messy_folder(root)


@pytest.fixture(scope="module")
def messy_out(messy: tuple[Path, dict[str, str | None]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The messy folder analyzed once, with one job: the reference the other runs must equal."""
    out = tmp_path_factory.mktemp("ref") / "out.jsonl"
    proc = run_cli_text("batch", messy[0], "--out", out, "--no-model", cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    return out


def test_messy_folder_gives_exactly_one_record_per_document_in_order(
    messy: tuple[Path, dict[str, str | None]], messy_out: Path
) -> None:
    root, expected = messy
    got = records(messy_out)
    assert [r["key"] for r in got] == list(expected)
    assert {r["key"]: (r["error"] or {}).get("type") for r in got} == expected
    for r in got:
        assert set(r) >= {"id", "source", "flags", "error", "summary", "key"}
        if r["error"]:
            assert r["flags"] == [] and r["error"]["message"] and "text" not in r
        else:
            assert r["summary"]["flag_count"] == len(r["flags"])
            for flag in r["flags"]:
                assert r["text"][flag["start"] : flag["end"]] == flag["text"]
    by_key = {r["key"]: r for r in got}

    def rec(rel: str, row: int | None = None) -> dict:
        path = os.path.abspath(root / rel)
        return by_key[f"{path}#{row}" if row else path]

    for flagged in [("chat.jsonl", 1), ("notes/bom.md",), ("notes/utf16.txt",), ("notes/windows.txt",), ("page.html",)]:
        assert rec(*flagged)["flags"], flagged
    for flagged in [("policy/handbook.docx",), ("policy/memo.pdf",), ("survey/2024/answers.csv", 1)]:
        assert rec(*flagged)["flags"], flagged
    assert rec("empty.txt")["flags"] == [] and rec("empty.txt")["error"] is None
    assert rec("survey/2024/answers.csv", 2)["flags"] == [] and rec("survey/2024/answers.csv", 2)["text"] == ""
    assert rec("chat.jsonl", 3)["flags"] == []
    assert "cp1252" in rec("notes/windows.txt")["encoding_note"]
    assert "encoding_note" not in rec("notes/utf16.txt")
    assert not any("alert" in f["text"] for f in rec("page.html")["flags"])  # the script was dropped
    # ids: given, else the path (with #row for a table row)
    assert rec("chat.jsonl", 1)["id"] == "c1" and rec("chat.jsonl", 5)["id"] == 7
    assert rec("survey/2024/answers.csv", 3)["id"] == os.path.join(str(root), "survey", "2024", "answers.csv") + "#3"
    assert rec("empty.txt")["id"] == rec("empty.txt")["source"] == os.path.join(str(root), "empty.txt")


def test_jobs_2_gives_the_same_records(messy: tuple[Path, dict], messy_out: Path, tmp_path: Path, cli: Cli) -> None:
    out = tmp_path / "jobs2.jsonl"
    code, err = cli("batch", messy[0], "--out", out, "--no-model", "--jobs", "2", "--batch-size", "3")
    assert code == 0, err
    assert out.read_bytes() == messy_out.read_bytes()


def test_resume_after_an_interruption_gives_the_same_records(
    messy: tuple[Path, dict], messy_out: Path, tmp_path: Path, cli: Cli
) -> None:
    full = messy_out.read_bytes()
    lines = full.splitlines(keepends=True)
    out = tmp_path / "partial.jsonl"
    interrupted(out, b"".join(lines[:9]) + lines[9][:40], len(lines[0]))  # nine records and a torn tenth
    code, err = cli("batch", messy[0], "--out", out, "--no-model", "--resume")
    assert code == 0, err
    assert out.read_bytes() == full
    assert f"({len(lines) - 9} analyzed now, 9 kept from the earlier run" in err
    # Resuming a finished output analyzes nothing and writes nothing.
    code, err = cli("batch", messy[0], "--out", out, "--no-model", "--resume")
    assert code == 0 and out.read_bytes() == full
    assert "(0 analyzed now" in err


def test_summary_on_standard_error(messy: tuple[Path, dict], tmp_path: Path, cli: Cli) -> None:
    out = tmp_path / "o.jsonl"
    code, err = cli("batch", messy[0], "--out", out, "--no-model")
    assert code == 0
    n = len(messy[1])
    errors = sum(1 for t in messy[1].values() if t)
    assert f"{n} documents in {out}" in err
    assert f"errors: {errors} (" in err and "unreadable_docx 1" in err
    assert "flagged: " in err and "flags per category: " in err and "documents/s" in err
    assert "\r" not in err  # no progress bar when standard error is not a terminal
    code, err = cli("batch", messy[0], "--out", tmp_path / "q.jsonl", "--no-model", "--quiet")
    assert code == 0 and err == ""


def test_csv_output_neutralizes_formulas(tmp_path: Path, cli: Cli) -> None:
    put(
        tmp_path / "in.csv",
        'id,text\n=HYPERLINK("http://x"),"=1+2, calm down, you are overreacting"\n@evil,\n+1,"-Man up, not all men."\n',
    )
    out = tmp_path / "out.csv"
    code, err = cli("batch", tmp_path / "in.csv", "--out", out, "--no-model")
    assert code == 0, err
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig", newline="")))
    assert {r["id"] for r in rows} == {'\'=HYPERLINK("http://x")', "'@evil", "'+1"}
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    flagged = [r for r in rows if r["flag_index"]]
    assert flagged and all(r["category"] and r["explanation"] for r in flagged)
    assert [r["flag_count"] for r in rows if r["id"] == "'@evil"] == ["0"]


def test_csv_output_resumes(messy: tuple[Path, dict], tmp_path: Path, cli: Cli) -> None:
    out = tmp_path / "o.csv"
    code, _ = cli("batch", messy[0], "--out", out, "--no-model")
    full = out.read_bytes()
    interrupted(out, full[: len(full) // 2])
    code, err = cli("batch", messy[0], "--out", out, "--no-model", "--resume")
    assert code == 0, err
    assert out.read_bytes() == full


def test_output_inside_an_input_folder_is_not_read(tmp_path: Path, cli: Cli) -> None:
    put(tmp_path / "in" / "a.txt", FLAGGED)
    out = tmp_path / "in" / "results.jsonl"
    assert cli("batch", tmp_path / "in", "--out", out, "--no-model")[0] == 0
    assert cli("batch", tmp_path / "in", "--out", out, "--no-model", "--resume")[0] == 0
    assert [r["source"] for r in records(out)] == [str(tmp_path / "in" / "a.txt")]


def test_no_text_leaves_the_text_out(tmp_path: Path, cli: Cli) -> None:
    put(tmp_path / "a.txt", FLAGGED)
    out = tmp_path / "o.jsonl"
    assert cli("batch", tmp_path / "a.txt", "--out", out, "--no-model", "--no-text")[0] == 0
    [record] = records(out)
    assert "text" not in record and record["flags"]


def test_text_column_and_id_column(tmp_path: Path, cli: Cli) -> None:
    put(tmp_path / "posts.jsonl", json.dumps({"post": "x1", "body": FLAGGED}) + "\n")
    out = tmp_path / "o.jsonl"
    code, err = cli(
        "batch", tmp_path / "posts.jsonl", "--out", out, "--no-model", "--text-column", "body", "--id-column", "post"
    )
    assert code == 0, err
    [record] = records(out)
    assert record["id"] == "x1" and record["flags"]


def test_a_text_over_the_analyzer_limit_is_an_error_record(
    lexicon_analyzer: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    put(tmp_path / "big.txt", "calm down " * 100)
    put(tmp_path / "small.txt", "calm down")
    monkeypatch.setattr(lexicon_analyzer, "max_chars", 500)
    out = tmp_path / "o.jsonl"
    run_batch(lexicon_analyzer, BatchConfig(inputs=[tmp_path / "big.txt", tmp_path / "small.txt"], out=out, quiet=True))
    big, small = records(out)
    assert big["error"]["type"] == "too_large" and "ALLYSHIP_MAX_CHARS" in big["error"]["message"]
    assert small["flags"]


def test_a_chunk_that_fails_is_retried_one_by_one(lexicon_analyzer: object, tmp_path: Path) -> None:
    """A bug in analysis costs one document an error record, not the whole run."""

    class Flaky:
        max_chars = 10_000

        def __init__(self, inner: object) -> None:
            self.inner = inner

        def analyze_many(self, texts: list[str], batch_size: int = 1):
            if any("boom" in t for t in texts):
                raise RuntimeError("boom")
            return self.inner.analyze_many(texts, batch_size=batch_size)

        def analyze(self, text: str):
            if "boom" in text:
                raise RuntimeError("boom")
            return self.inner.analyze(text)

    put(tmp_path / "t.jsonl", "".join(json.dumps({"text": t}) + "\n" for t in ["calm down", "boom", CLEAN]))
    out = tmp_path / "o.jsonl"
    run_batch(Flaky(lexicon_analyzer), BatchConfig(inputs=[tmp_path / "t.jsonl"], out=out, quiet=True))
    got = records(out)
    assert [(r["error"] or {}).get("type") for r in got] == [None, "analysis_failed", None]
    assert got[0]["flags"] and "RuntimeError: boom" in got[1]["error"]["message"]


def test_records_are_passed_to_on_record_in_order(
    lexicon_analyzer: object, messy: tuple[Path, dict], tmp_path: Path
) -> None:
    seen: list[str] = []
    stats = run_batch(
        lexicon_analyzer,
        BatchConfig(inputs=[messy[0]], out=tmp_path / "o.jsonl", quiet=True),
        on_record=lambda r: seen.append(r["key"]),
    )
    assert seen == list(messy[1])
    assert stats.documents == len(messy[1]) and stats.errors == sum(1 for t in messy[1].values() if t)


@pytest.mark.parametrize(
    "args, message",
    [
        (["nope/missing.txt", "--out", "{out}"], "no such file or folder: nope/missing.txt"),
        (["{in}", "--out", "{existing}"], "already exists: add --resume to finish it, or --force to replace it"),
        (["{in}", "--out", "{existing}", "--resume", "--force"], "choose one"),
        (["{in}", "--out", "{in}"], "is also an input"),
        (["{in}", "--out", "{out}", "--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --engine dask"),
        (["{in}", "--out", "{foreign}", "--resume"], "refusing to resume"),
    ],
    ids=["missing-input", "out-exists", "resume-and-force", "out-is-input", "scheduler-without-dask", "foreign-out"],
)
def test_usage_errors_are_one_line_and_exit_2(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    inp = put(tmp_path / "a.txt", FLAGGED)
    existing = put(tmp_path / "existing.jsonl", '{"key": "x", "flags": []}\n')
    foreign = put(tmp_path / "foreign.jsonl", '{"name": "not ours"}\n')
    values = {"out": tmp_path / "o.jsonl", "in": inp, "existing": existing, "foreign": foreign}
    monkeypatch.chdir(tmp_path)
    code, err = cli("batch", *[a.format(**values) for a in args], "--no-model")
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and message in err and "Traceback" not in err
    assert existing.read_text() == '{"key": "x", "flags": []}\n' and foreign.read_text() == '{"name": "not ours"}\n'


@pytest.mark.parametrize(
    "out, resume, force, said",
    [
        ("{existing}", False, False, "the output file {existing} already exists: resume the run to finish it"),
        ("{existing}", True, True, "resuming keeps the records in the output and forcing replaces them"),
        ("{in}", False, False, "the output {in} is also an input"),
        ("{folder}", False, False, "the output {folder} is a folder"),
        ("{foreign}", True, False, "nothing proves 'allyship batch' wrote it; refusing to resume into it"),
    ],
    ids=["exists", "resume-and-force", "is-input", "folder", "foreign"],
)
def test_the_library_describes_the_situation_and_names_no_option(
    tmp_path: Path, out: str, resume: bool, force: bool, said: str
) -> None:
    """``prepare`` speaks in its own words; the command adds its options (see the test above)."""
    from analyzer.errors import BatchError
    from analyzer.io.batch import prepare

    values = {
        "in": put(tmp_path / "a.txt", FLAGGED),
        "existing": put(tmp_path / "existing.jsonl", '{"key": "x", "flags": []}\n'),
        "foreign": put(tmp_path / "foreign.jsonl", '{"name": "not ours"}\n'),
        "folder": tmp_path,
    }
    config = BatchConfig(inputs=[values["in"]], out=out.format(**values), resume=resume, force=force, quiet=True)
    with pytest.raises(BatchError) as refused:
        prepare(config)
    message = str(refused.value)
    assert said.format(**values) in message and "--" not in message
    assert "--" in cli_message(refused.value)


def test_force_replaces_the_output(tmp_path: Path, cli: Cli) -> None:
    put(tmp_path / "a.txt", FLAGGED)
    out = put(tmp_path / "o.jsonl", '{"key": "old", "flags": []}\n')
    assert cli("batch", tmp_path / "a.txt", "--out", out, "--no-model", "--force")[0] == 0
    assert [r["key"] for r in records(out)] == [str(tmp_path / "a.txt")]


def test_dask_engine_without_dask_is_a_one_line_error(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # what an install without the extra looks like
    put(tmp_path / "a.txt", FLAGGED)
    code, err = cli("batch", tmp_path / "a.txt", "--out", tmp_path / "o.jsonl", "--no-model", "--engine", "dask")
    assert (
        code == 2
        and err.strip() == "error: --engine dask needs Dask distributed: pip install 'allyship-analyzer[dask]'"
    )


def test_dask_local_cluster_on_loopback_gives_the_same_records(
    messy: tuple[Path, dict], messy_out: Path, tmp_path: Path
) -> None:
    pytest.importorskip(
        "distributed", reason="Dask distributed is not installed (pip install 'allyship-analyzer[dask]')"
    )
    out = tmp_path / "dask.jsonl"
    proc = subprocess_cli(
        "batch", messy[0], "--out", out, "--no-model", "--engine", "dask", "--jobs", "2", "--batch-size", "4"
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == messy_out.read_bytes()


def test_dask_scheduler_that_cannot_be_reached(tmp_path: Path) -> None:
    """A refused connection is retried until the timeout (10 s by default, 1 s here), then one line.

    In a process of its own: a Dask client leaves an event-loop thread behind, and
    with threads running, worker pools in this process would be spawned instead of forked.
    """
    pytest.importorskip(
        "distributed", reason="Dask distributed is not installed (pip install 'allyship-analyzer[dask]')"
    )
    code = (
        "import sys\n"
        "from analyzer import Analyzer\n"
        "from analyzer.errors import AnalyzerError\n"
        "from analyzer.io.batch import BatchConfig, make_runner\n"
        "config = BatchConfig(inputs=[], out=sys.argv[1], engine='dask', scheduler='tcp://127.0.0.1:9',"
        " connect_timeout=1.0)\n"
        "try:\n"
        "    make_runner(Analyzer(model=None), config)\n"
        "except AnalyzerError as exc:\n"
        "    print(exc)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "o.jsonl")], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert len(proc.stdout.strip().splitlines()) == 1 and not (tmp_path / "o.jsonl").exists()


def test_sigkill_mid_run_then_resume_gives_every_document_exactly_once(
    lexicon_analyzer: object, tmp_path: Path
) -> None:
    texts = [f"Message {i}: calm down, you are overreacting." if i % 3 == 0 else f"{CLEAN} ({i})" for i in range(2000)]
    source = put(
        tmp_path / "posts.jsonl", "".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts))
    )
    out = tmp_path / "out.jsonl"
    args = [
        sys.executable,
        "-m",
        "analyzer.cli.main",
        "batch",
        str(source),
        "--out",
        str(out),
        "--no-model",
        "--batch-size",
        "20",
    ]
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if out.exists() and out.stat().st_size > 20_000:
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the batch ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
        assert proc.stderr is not None
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    partial = len(out.read_bytes().splitlines())
    assert 0 < partial < len(texts)

    resumed = run_cli_text(*args[3:], "--resume", cwd=REPO)  # the same command, in this process
    assert resumed.returncode == 0, resumed.stderr
    keys = [r["key"] for r in records(out)]
    assert keys == [f"{source}#{i}" for i in range(1, len(texts) + 1)]  # each exactly once, in order

    reference = tmp_path / "reference.jsonl"
    run_batch(lexicon_analyzer, BatchConfig(inputs=[source], out=reference, quiet=True))
    assert out.read_bytes() == reference.read_bytes()


class _DiesOn:
    """An analyzer whose worker process dies (as if killed for memory) on one text."""

    max_chars = 10_000

    def __init__(self, inner: object) -> None:
        self.inner = inner

    def analyze_many(self, texts: list[str], batch_size: int = 1):
        if "die" in texts:
            os._exit(1)
        return self.inner.analyze_many(texts, batch_size=batch_size)


def test_a_worker_that_dies_stops_the_run_with_advice_and_resume_finishes(
    lexicon_analyzer: object, tmp_path: Path
) -> None:
    from analyzer.io.batch import PoolRunner

    texts = ["calm down"] * 6 + ["die"] + [CLEAN] * 6
    source = put(tmp_path / "t.jsonl", "".join(json.dumps({"text": t}) + "\n" for t in texts))
    out = tmp_path / "o.jsonl"
    config = BatchConfig(inputs=[source], out=out, batch_size=2, jobs=2, quiet=True)
    dying = _DiesOn(lexicon_analyzer)
    with pytest.raises(AnalyzerError, match=r"a worker failed .* resume the run to finish") as failed:
        run_batch(dying, config, runner=PoolRunner(dying, 2, 2))
    assert "--" not in str(failed.value)  # the library names no command-line option; the command words it
    assert cli_message(failed.value).endswith("kept: run the same command with --resume to finish")
    kept = records(out)
    assert len(kept) <= 6 and all(r["flags"] for r in kept)  # only chunks before the one that died
    (tmp_path / "t.jsonl").write_text(source.read_text().replace('"die"', '"fine"'))
    run_batch(lexicon_analyzer, BatchConfig(inputs=[source], out=out, resume=True, quiet=True))
    assert [r["key"] for r in records(out)] == [f"{source}#{i}" for i in range(1, 14)]


def test_help_lists_batch_and_report_with_examples_and_loads_nothing_heavy() -> None:
    code = (
        "import sys, analyzer.cli.main as c\n"
        "heavy = [m for m in ('spacy', 'analyzer.io.batch', 'analyzer.io.readers', 'analyzer.io.report',"
        " 'docx', 'pypdf', 'distributed') if m in sys.modules]\n"
        "print(heavy)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.stdout.strip() == "[]", proc.stdout + proc.stderr
    for command in ("batch", "report"):
        proc = subprocess_cli(command, "--help", timeout=60)
        assert proc.returncode == 0 and "Example: allyship " + command in proc.stdout


def test_dask_scheduler_address_gives_the_same_records(
    messy: tuple[Path, dict], messy_out: Path, tmp_path: Path
) -> None:
    """What a team with a cluster does: point --scheduler at it (here a cluster in another process, on loopback)."""
    pytest.importorskip(
        "distributed", reason="Dask distributed is not installed (pip install 'allyship-analyzer[dask]')"
    )
    script = (
        "import logging, sys\n"
        "from distributed import LocalCluster\n"
        "if __name__ == '__main__':\n"
        "    cluster = LocalCluster(n_workers=1, threads_per_worker=2, host='127.0.0.1', dashboard_address=None,"
        " silence_logs=logging.ERROR)\n"
        "    print(cluster.scheduler_address, flush=True)\n"
        "    sys.stdin.read()\n"
        "    cluster.close()\n"
    )
    (tmp_path / "cluster.py").write_text(script)
    cluster = subprocess.Popen(
        [sys.executable, str(tmp_path / "cluster.py")], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert cluster.stdout is not None and cluster.stdin is not None
        address = cluster.stdout.readline().strip()
        assert address.startswith("tcp://127.0.0.1:"), address
        out = tmp_path / "remote.jsonl"
        proc = subprocess_cli("batch", messy[0], "--out", out, "--no-model", "--engine", "dask", "--scheduler", address)
        assert proc.returncode == 0, proc.stderr
        assert out.read_bytes() == messy_out.read_bytes()
    finally:
        if cluster.stdin is not None:
            cluster.stdin.close()
        try:
            cluster.wait(timeout=60)
        except subprocess.TimeoutExpired:
            cluster.kill()
            cluster.wait()


def test_benchmark_skips_with_a_clear_message_without_the_data(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "bench/bench_batch.py", "--data", str(tmp_path / "no-edos")],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert proc.returncode == 0 and proc.stdout.startswith("skipped: the EDOS data is not at"), proc.stdout


def test_an_error_record_names_the_option_that_would_read_it(tmp_path: Path, cli: Cli) -> None:
    """The readers say which limit stopped a document; the command adds which of its options raises it."""
    put(tmp_path / "in" / "long.txt", "calm down " * 100)
    out = tmp_path / "o.jsonl"
    code, err = cli("batch", tmp_path / "in", "--out", out, "--no-model", "--max-doc-chars", "100", "--quiet")
    assert code == 0, err
    (record,) = records(out)
    assert record["error"]["type"] == "too_large"
    assert record["error"]["message"].endswith("the limit is 100 (raise it with --max-doc-chars)")
