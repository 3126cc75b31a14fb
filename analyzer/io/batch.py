"""The batch engine: documents in, one record each out, in input order, written as it goes.

:func:`run_batch` reads the inputs (:mod:`analyzer.io.readers`), sends the texts
in chunks to a runner, and appends one record per document to the output
(:mod:`analyzer.io.writers`), flushing after every chunk. A kill loses at most the
chunks in flight; ``resume=True`` keeps what the output already holds and
analyzes only the documents without a record, so no record is ever written
twice. A document is known by its key (absolute path, plus the row or line
number in a table), so resuming assumes the input files did not change in
between: a row inserted into a CSV shifts the keys of the rows after it.

The output is guarded (:mod:`analyzer.io.output`): locked while a run writes
it, resumed only when its state file proves batch wrote it, and never the same
file as an input, whatever path (a linked folder, a hard link) leads there.

The analysis itself is always ``Analyzer.analyze_many``: in this process
(``jobs=1``), in worker processes (``jobs>1``), or on Dask workers
(``engine="dask"``). Every runner returns the results of a chunk in the order
it was sent, so all of them write the same records in the same order.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, TextIO

from analyzer.errors import AnalyzerError, BatchError
from analyzer.io.output import BatchOutput, claim_output, side_files, written_by_batch
from analyzer.io.progress import Progress, should_show
from analyzer.io.readers import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_DOC_CHARS,
    Document,
    ReadError,
    ReadOptions,
    Source,
    count_documents,
    discover,
    read_source,
)
from analyzer.io.writers import DoneRecord, open_writer
from analyzer.workers import current, start_pool, worker_settings

ENGINES = ("local", "dask")
DEFAULT_BATCH_SIZE = 128
CHUNK_CHARS = 2_000_000  # a chunk also ends at this many characters, so long documents do not pile up in memory


@dataclass(frozen=True)
class BatchConfig:
    """Everything a batch run needs besides the analyzer."""

    inputs: Sequence[str | Path]
    out: str | Path
    resume: bool = False
    force: bool = False
    jobs: int = 1
    engine: str = "local"
    scheduler: str | None = None
    connect_timeout: float = 10.0  # seconds to wait for the Dask scheduler at ``scheduler``
    batch_size: int = DEFAULT_BATCH_SIZE
    text_column: str = "text"
    id_column: str = "id"
    max_bytes: int = DEFAULT_MAX_BYTES
    max_chars: int = DEFAULT_MAX_DOC_CHARS
    follow_symlinks: bool = False
    read_hints: tuple[tuple[str, str], ...] = ()  # how the caller's users raise a limit (see ReadOptions.hints)
    include_text: bool = True
    quiet: bool = False

    @property
    def read_options(self) -> ReadOptions:
        return ReadOptions(
            text_column=self.text_column,
            id_column=self.id_column,
            max_bytes=self.max_bytes,
            max_chars=self.max_chars,
            hints=self.read_hints,
        )


@dataclass
class BatchStats:
    """Counts over every record in the output (kept from an earlier run or written now)."""

    out: str = ""
    documents: int = 0
    kept: int = 0
    flagged: int = 0
    flags: int = 0
    errors: int = 0
    categories: Counter[str] = field(default_factory=Counter)
    error_types: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    discarded_bytes: int = 0

    @property
    def analyzed(self) -> int:
        """Documents with a record written by this run."""
        return self.documents - self.kept

    @property
    def rate(self) -> float:
        return self.analyzed / self.seconds if self.seconds > 0 else 0.0

    def add(self, categories: list[str], error_type: str | None, kept: bool = False) -> None:
        self.documents += 1
        self.kept += kept
        if error_type:
            self.errors += 1
            self.error_types[error_type] += 1
        if categories:
            self.flagged += 1
            self.flags += len(categories)
            self.categories.update(categories)

    def summary(self) -> str:
        """The lines printed at the end of a run."""
        lines = [f"{self.documents:,} documents in {self.out}"]
        if self.kept:
            torn = " (a torn last record was discarded)" if self.discarded_bytes else ""
            lines[0] += f" ({self.analyzed:,} analyzed now, {self.kept:,} kept from the earlier run{torn})"
        lines.append(f"flagged: {self.flagged:,} documents, {self.flags:,} flags")
        if self.categories:
            counts = ", ".join(f"{c} {n:,}" for c, n in self.categories.most_common())
            lines.append(f"flags per category: {counts}")
        errors = f"errors: {self.errors:,}"
        if self.error_types:
            errors += " (" + ", ".join(f"{t} {n:,}" for t, n in self.error_types.most_common()) + ")"
        lines.append(errors)
        lines.append(f"throughput: {self.analyzed:,} documents in {self.seconds:.1f} s, {self.rate:,.1f} documents/s")
        return "\n".join(lines)


# -- records -----------------------------------------------------------------------------


def build_record(doc: Document, result: dict[str, Any] | None, include_text: bool = True) -> dict[str, Any]:
    """The record of one document (SPEC.md): its flags, or the error that kept it from being analyzed."""
    error = doc.error.to_dict() if doc.error else (result or {}).get("error")
    flags = [] if error else result["flags"] if result else []
    record: dict[str, Any] = {
        "id": doc.id,
        "source": doc.source,
        "flags": flags,
        "error": error,
        "summary": result["summary"] if result and not error else {"flag_count": 0, "categories": {}},
        "key": doc.key,
    }
    if doc.encoding_note:
        record["encoding_note"] = doc.encoding_note
    if doc.note:
        record["note"] = doc.note
    if include_text and doc.text is not None and not error:
        record["text"] = doc.text
    return record


def _record_stats(record: dict[str, Any]) -> tuple[list[str], str | None]:
    """The record's flag categories (one per flag, from its summary) and its error type."""
    error = record.get("error")
    counts = record["summary"]["categories"]
    return [category for category, n in counts.items() for _ in range(n)], error["type"] if error else None


def analyze_chunk(analyzer: Any, texts: list[str], batch_size: int = DEFAULT_BATCH_SIZE) -> list[dict[str, Any]]:
    """``{"flags", "summary"}`` per text, in order, through ``analyzer.analyze_many``.

    If the chunk fails as a whole (a bug, not bad input: inputs are checked
    before), each text is retried alone so that one bad document becomes an
    ``analysis_failed`` record instead of taking the whole batch down.
    """
    try:
        return [_result(r) for r in analyzer.analyze_many(texts, batch_size=max(batch_size, 1))]
    except Exception:
        out = []
        for text in texts:
            try:
                out.append(_result(analyzer.analyze(text)))
            except Exception as exc:
                out.append({"error": {"type": "analysis_failed", "message": f"{type(exc).__name__}: {exc}"}})
        return out


def _result(result: Any) -> dict[str, Any]:
    data = result.to_dict()
    return {"flags": data["flags"], "summary": data["summary"]}


# -- runners -----------------------------------------------------------------------------


class Runner(Protocol):
    """Analyzes chunks of texts somewhere; ``submit`` returns something with ``.result()``."""

    in_flight: int

    def submit(self, texts: list[str]) -> Any: ...

    def close(self) -> None: ...


class _Ready:
    """A result computed on the spot, shaped like a future."""

    def __init__(self, value: list[dict[str, Any]]) -> None:
        self.value = value

    def result(self) -> list[dict[str, Any]]:
        return self.value


class LocalRunner:
    """One job: the analyzer of this process."""

    in_flight = 0

    def __init__(self, analyzer: Any, batch_size: int) -> None:
        self.analyzer = analyzer
        self.batch_size = batch_size

    def submit(self, texts: list[str]) -> _Ready:
        return _Ready(analyze_chunk(self.analyzer, texts, self.batch_size))

    def close(self) -> None:
        pass


def _pool_task(texts: list[str], batch_size: int) -> list[dict[str, Any]]:
    return analyze_chunk(current(), texts, batch_size)


class PoolRunner:
    """``jobs`` worker processes on this machine (started as :func:`analyzer.workers.start_pool` says)."""

    def __init__(self, analyzer: Any, jobs: int, batch_size: int) -> None:
        self.pool = start_pool(analyzer, jobs)
        self.batch_size = batch_size
        self.in_flight = 2 * jobs

    def submit(self, texts: list[str]) -> Future[list[dict[str, Any]]]:
        return self.pool.submit(_pool_task, texts, self.batch_size)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


_DASK_ANALYZERS = threading.local()


def analyze_texts(settings: dict[str, Any], texts: list[str], batch_size: int) -> list[dict[str, Any]]:
    """The Dask task: one analyzer per worker thread, built on first use from ``settings``."""
    import json

    from analyzer.engine import Analyzer

    cache: dict[str, Any] = getattr(_DASK_ANALYZERS, "cache", None) or {}
    _DASK_ANALYZERS.cache = cache
    tag = json.dumps(settings, sort_keys=True)
    if tag not in cache:
        cache[tag] = Analyzer(**settings)
    return analyze_chunk(cache[tag], texts, batch_size)


class DaskRunner:
    """Chunks as tasks on Dask distributed: a scheduler at ``address``, or a local cluster on 127.0.0.1.

    Workers build their analyzer from the settings, so lexicon and model
    folders must be readable at the same paths on every worker.
    """

    def __init__(
        self, analyzer: Any, jobs: int, batch_size: int, address: str | None, timeout: float = 10.0
    ) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise BatchError(
                "the dask engine needs Dask distributed: pip install 'allyship-analyzer[dask]'", "dask_missing"
            ) from None
        self.settings = worker_settings(analyzer)
        self.batch_size = batch_size
        self.cluster = None
        try:
            if address:
                self.client = Client(address, timeout=f"{timeout}s")
            else:
                self.cluster = LocalCluster(
                    n_workers=jobs,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                self.client = Client(self.cluster)
        except (OSError, TimeoutError) as exc:
            self.close()
            where = f"the Dask scheduler at {address}" if address else "a local Dask cluster"
            raise AnalyzerError(f"cannot reach {where}: {exc}") from None
        threads = sum(self.client.nthreads().values()) or jobs
        self.in_flight = 2 * threads

    def submit(self, texts: list[str]) -> Any:
        return self.client.submit(analyze_texts, self.settings, texts, self.batch_size, pure=False)

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_runner(analyzer: Any, config: BatchConfig) -> Runner:
    if config.engine not in ENGINES:
        raise AnalyzerError(f"unknown engine '{config.engine}': choose one of {', '.join(ENGINES)}")
    if config.jobs < 1:
        raise BatchError(f"the number of jobs must be at least 1, got {config.jobs}", "jobs", jobs=config.jobs)
    if config.engine == "dask":
        return DaskRunner(analyzer, config.jobs, config.batch_size, config.scheduler, config.connect_timeout)
    if config.scheduler:
        raise BatchError("a Dask scheduler needs the dask engine", "scheduler_without_dask")
    if config.jobs == 1:
        return LocalRunner(analyzer, config.batch_size)
    return PoolRunner(analyzer, config.jobs, config.batch_size)


# -- the run -----------------------------------------------------------------------------


@dataclass
class Prepared:
    """The inputs found and the output claimed (locked, proven), before any analyzer is loaded."""

    sources: list[Source]
    output: BatchOutput


def prepare(config: BatchConfig) -> Prepared:
    """Check the inputs and claim the output: every refusal comes here, before seconds go into loading a model.

    Call :meth:`BatchOutput.abandon` on ``prepared.output`` if the run does not go ahead.
    """
    out = Path(config.out)
    _check_output(out, config)
    # The output itself is left out by identity below (only when batch wrote it), its state files by name here.
    sources = discover(config.inputs, exclude=side_files(out)[1:], follow_symlinks=config.follow_symlinks)
    sources = _without_output(sources, out)
    return Prepared(sources, claim_output(out, resume=config.resume))  # locked from here; nothing cut or written


def run_batch(
    analyzer: Any,
    config: BatchConfig,
    *,
    stream: TextIO | None = None,
    runner: Runner | None = None,
    on_record: Callable[[dict[str, Any]], None] | None = None,
    prepared: Prepared | None = None,
) -> BatchStats:
    """Analyze every document of ``config.inputs`` into ``config.out``; return the counts.

    ``stream`` gets the progress bar (standard error by default); ``on_record``
    sees every record written (the app uses it to show results as they come);
    ``prepared`` is what :func:`prepare` returned, when the caller checked first.
    """
    stream = sys.stderr if stream is None else stream
    out = Path(config.out)
    prepared = prepared or prepare(config)
    sources, output = prepared.sources, prepared.output
    try:
        runner = runner or make_runner(analyzer, config)  # before the output is touched: a cluster may be unreachable
    except BaseException:
        output.abandon()
        raise
    try:
        writer = open_writer(out, append=config.resume, target=output.start())
    except BaseException:
        runner.close()
        output.abandon()
        raise
    stats = BatchStats(out=str(out), discarded_bytes=output.discarded_bytes)
    for done in output.records:
        stats.add(done.categories, done.error_type, kept=True)
    show = should_show(stream, config.quiet)
    total = count_documents(sources, config.read_options) if show else None
    max_chars = getattr(analyzer, "max_chars", None)
    documents = _documents(sources, output.records, config.read_options, max_chars)
    started = time.monotonic()
    try:
        with Progress(total, initial=min(stats.kept, total or stats.kept), enabled=show, stream=stream) as progress:
            for docs, results in _pipeline(documents, runner, config.batch_size):
                for doc, result in zip(docs, results, strict=True):
                    record = build_record(doc, result, config.include_text)
                    writer.write(record)
                    stats.add(*_record_stats(record))
                    if on_record is not None:
                        on_record(record)
                writer.flush()
                progress.advance(len(docs))
    except OSError as exc:  # a full disk, a quota, a vanished mount: what was flushed is kept
        problem = f"cannot write {out}: {exc.strerror or exc}; the records written so far are kept"
        raise BatchError(f"{problem}: fix that and resume the run", "write_failed", problem=problem) from None
    finally:
        stats.seconds = time.monotonic() - started
        try:
            writer.close()
        except OSError as exc:
            problem = f"cannot write {out}: {exc.strerror or exc}"
            raise BatchError(f"{problem}; resume the run once that is fixed", "close_failed", problem=problem) from None
        finally:
            runner.close()
    return stats


def _check_output(out: Path, config: BatchConfig) -> None:
    """Refuse an output that is an input (by path or by identity), a folder, or an existing file not to be touched."""
    if config.resume and config.force:
        raise BatchError(
            "resuming keeps the records in the output and forcing replaces them: choose one", "resume_and_force"
        )
    target = os.path.abspath(out)
    same = _same_file(out)
    for given in config.inputs:
        if os.path.abspath(given) == target or (same is not None and _same_file(given) == same):
            raise BatchError(
                f"the output {out} is also an input ({given}); write the results to another file",
                "output_is_input",
                out=out,
                input=given,
            )
    if out.is_dir():
        raise BatchError(
            f"the output {out} is a folder; give a file name ending in .jsonl or .csv", "output_is_folder", out=out
        )
    if out.exists() and out.stat().st_size > 0 and not (config.resume or config.force):
        message = f"the output file {out} already exists: resume the run to finish it, or replace it"
        raise BatchError(message, "output_exists", out=out)


def _same_file(path: str | Path) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_dev, info.st_ino


def _without_output(sources: list[Source], out: Path) -> list[Source]:
    """The sources minus the output when a folder holds it under another path (a linked folder, a hard link).

    An output batch wrote is left out, as it is when found under its own path;
    any other file that --out reaches is an input, and is refused even with
    --force: batch never writes over a file it was asked to read.
    """
    same = _same_file(out)
    state = {identity for identity in map(_same_file, side_files(out)[1:]) if identity is not None}
    if same is None and not state:
        return sources
    kept = []
    for source in sources:
        identity = None if source.kind in ("unlisted", "outside") else _same_file(source.path)
        if identity in state:
            continue  # the output's state file, found through an alias of its folder
        if identity is None or identity != same:
            kept.append(source)
        elif not written_by_batch(out):
            raise BatchError(
                f"the output {out} is the same file as the input {source.display}; write the results to another file",
                "output_is_same_file",
                out=out,
                input=source.display,
            )
    return kept


def _documents(
    sources: Iterable[Source], done: Iterable[DoneRecord], options: ReadOptions, max_chars: int | None
) -> Iterator[Document]:
    """Every document without a record yet, once, in input order."""
    seen = {record.key for record in done}
    for source in sources:
        if not source.is_table and source.key in seen:
            continue  # finished before: do not even open it
        for doc in read_source(source, options):
            if doc.key in seen:
                continue
            seen.add(doc.key)
            if max_chars is not None and doc.text is not None and len(doc.text) > max_chars:
                message = (
                    f"the text has {len(doc.text):,} characters, over the limit of {max_chars:,} "
                    "(set ALLYSHIP_MAX_CHARS to raise it)"
                )
                doc = replace(doc, text=None, error=ReadError("too_large", message))
            yield doc


def _chunks(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    chunk: list[Document] = []
    chars = 0
    for doc in documents:
        chunk.append(doc)
        chars += len(doc.text or "")
        if len(chunk) >= size or chars >= CHUNK_CHARS:
            yield chunk
            chunk, chars = [], 0
    if chunk:
        yield chunk


def _pipeline(
    documents: Iterable[Document], runner: Runner, size: int
) -> Iterator[tuple[list[Document], list[dict[str, Any] | None]]]:
    """``(documents, results)`` per chunk, in input order, with up to ``runner.in_flight`` chunks pending.

    A document that could not be read has ``None`` as its result and never
    leaves this process.
    """
    pending: deque[tuple[list[Document], Any]] = deque()

    def resolve(docs: list[Document], future: Any) -> tuple[list[Document], list[dict[str, Any] | None]]:
        try:
            results = iter(future.result() if future is not None else [])
        except Exception as exc:
            raise _worker_lost(exc) from None
        return docs, [next(results) if doc.ok else None for doc in docs]

    for docs in _chunks(documents, max(size, 1)):
        texts = [doc.text or "" for doc in docs if doc.ok]
        try:
            future = runner.submit(texts) if texts else None
        except Exception as exc:  # a broken pool refuses new work: write what finished, then stop
            while pending:
                yield resolve(*pending.popleft())
            raise _worker_lost(exc) from None
        pending.append((docs, future))
        while len(pending) > runner.in_flight:
            yield resolve(*pending.popleft())
    while pending:
        yield resolve(*pending.popleft())


def _worker_lost(exc: Exception) -> BatchError:
    """Analysis errors are caught inside the workers: an error here means a worker was lost (killed, out of memory)."""
    why = " ".join(str(exc).split())
    problem = f"a worker failed ({type(exc).__name__}: {why}); the records written so far are kept"
    return BatchError(f"{problem}: resume the run to finish", "worker_lost", problem=problem)
