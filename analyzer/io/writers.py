"""Writing batch records as JSONL or CSV, and reading back what a killed run left.

Records are appended and flushed as the batch goes, so an interrupted run
keeps everything written before the batch in flight. :func:`scan_existing`
reads an output file for ``--resume``: it keeps the complete records, cuts off
a torn tail (a last line without its newline, or a document whose CSV rows
were not all written) and returns the keys of the documents already done.

JSONL (the default)
-------------------

One JSON object per line and per document::

    {"id": ..., "source": "path", "flags": [flag, ...], "error": null, "summary": {...}, "key": "...", ...}

with ``error`` ``{"type": ..., "message": ...}`` and no flags for a document
that could not be read. Optional fields: ``encoding_note``, ``note``, ``text``.

CSV (when the output name ends in ``.csv``)
-------------------------------------------

One row per flag, plus one row for each document without flags (an error, or
nothing flagged). The file starts with a UTF-8 byte-order mark so that
spreadsheet programs read accents correctly. Columns, in order:

==================  =================================================================
``id``              the document id (given, or ``path#row``)
``source``          the file it came from
``key``             the document's identity for ``--resume`` (absolute path, ``#row``)
``error_type``      empty, or why the document could not be read (``binary``, ...)
``error_message``   the explanation of the error
``encoding_note``   set when the file was not UTF-8 and was read as cp1252
``note``            other remarks (an empty table, a PDF without text)
``flag_count``      number of flags of the document (the same on each of its rows)
``flag_index``      1..flag_count for a flag row, empty on a row without a flag
``start``           character offset of the flagged phrase in the document text
``end``             character offset just past the phrase
``text``            the flagged phrase
``category``        the category id (``dismissive``, ...)
``label``           the category as shown to people
``score``           0..1
``flag_source``     ``lexicon`` or ``classifier``
``rule_id``         the lexicon rule (empty for a classifier flag)
``explanation``     why this phrasing harms
``suggestion``      what to say instead (may be empty)
``strategies``      titles of the article's strategies, separated by ``; ``
``barriers``        titles of the barriers, separated by ``; ``
``roles``           titles of the ally roles, separated by ``; ``
==================  =================================================================

A cell that a spreadsheet would run as a formula gets a leading apostrophe,
so opening the results of strangers' text never runs anything: one whose first
visible character, after any whitespace, no-break space, zero-width character
or byte-order mark, is ``=``, ``+``, ``-`` or ``@`` (or its full-width form
``＝＋－＠``), and one starting with a tab or a carriage return.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from analyzer.errors import AnalyzerError, BatchError
from analyzer.io.records import record_flags

CSV_COLUMNS = (
    "id",
    "source",
    "key",
    "error_type",
    "error_message",
    "encoding_note",
    "note",
    "flag_count",
    "flag_index",
    "start",
    "end",
    "text",
    "category",
    "label",
    "score",
    "flag_source",
    "rule_id",
    "explanation",
    "suggestion",
    "strategies",
    "barriers",
    "roles",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What a spreadsheet skips before deciding a cell is a formula: whitespace, no-break and zero-width spaces, joiners,
# the word joiner, soft hyphen and byte-order mark; then a formula sign, ASCII or full-width.
_FORMULA = re.compile(
    r"[\s\u00a0\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]*[=+\-@\uff1d\uff0b\uff0d\uff20]"
)
SYNC_INTERVAL = 5.0  # seconds between fsyncs while a batch runs


def output_format(path: str | Path) -> str:
    """``csv`` for a ``.csv`` name, else ``jsonl``."""
    return "csv" if Path(path).suffix.lower() == ".csv" else "jsonl"


def _formula_like(cell: str) -> bool:
    return cell.startswith(FORMULA_STARTS) or _FORMULA.match(cell) is not None


def neutralize(cell: Any) -> Any:
    """A cell a spreadsheet will show as text: formula-like strings get a leading apostrophe."""
    if isinstance(cell, str) and _formula_like(cell):
        return "'" + cell
    return cell


def _unneutralize(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and _formula_like(cell[1:]) else cell


class RecordWriter(Protocol):
    """Appends records to an output file."""

    path: Path

    def write(self, record: dict[str, Any]) -> None: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


# Called with (bytes written, sha256 of them) each time they are safely on disk.
Commit = Callable[[int, Any], None]


@dataclass
class Target:
    """An output already opened (and locked) by the caller: where to append and what it holds so far."""

    handle: IO[bytes]
    size: int = 0
    digest: Any = field(default_factory=hashlib.sha256)  # sha256 of the ``size`` bytes already there
    commit: Commit | None = None
    syncable: bool = True  # False for a pipe or a device


class _FileWriter:
    """Shared by both formats: one handle, appended to, flushed and synced on request.

    Every byte written is counted and hashed, so that the output's state file
    (:mod:`analyzer.io.output`) can later prove which bytes batch wrote.
    """

    def __init__(self, path: Path, append: bool, target: Target | None = None) -> None:
        self.path = path
        if target is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            fresh = not append or not path.exists() or path.stat().st_size == 0
            target = Target(open(path, "wb" if fresh else "ab"))  # noqa: SIM115
            target.size = 0 if fresh else path.stat().st_size
        self._target = target
        self._handle = target.handle
        self.fresh = target.size == 0
        self._synced = time.monotonic()

    def _emit(self, text: str, errors: str = "strict") -> None:
        data = text.encode("utf-8", errors)
        self._handle.write(data)
        self._target.digest.update(data)
        self._target.size += len(data)

    def flush(self) -> None:
        """Hand written records to the operating system: a killed process loses none of them after this.

        Syncing to the disk as well (against a power cut) costs a disk round
        trip, so it happens at most every few seconds and at the end; only
        synced bytes are recorded as committed.
        """
        self._handle.flush()
        now = time.monotonic()
        if now - self._synced >= SYNC_INTERVAL:
            self._sync()
            self._synced = now

    def _sync(self) -> None:
        if self._target.syncable:
            os.fsync(self._handle.fileno())
        if self._target.commit is not None:
            self._target.commit(self._target.size, self._target.digest)

    def close(self) -> None:
        if not self._handle.closed:
            try:
                self._handle.flush()
                self._sync()
            finally:
                self._handle.close()


_SURROGATES = re.compile(r"[\ud800-\udfff]")
STREAMED_FLAGS = 1000  # a record with more flags is encoded piece by piece, not as one string (and its bytes)


class JsonlWriter(_FileWriter):
    """One JSON object per line."""

    def write(self, record: dict[str, Any]) -> None:
        if len(record.get("flags") or ()) > STREAMED_FLAGS:
            self._write_streamed(record)
            return
        line = json.dumps(record, ensure_ascii=False)
        try:
            self._emit(line + "\n")
        except UnicodeEncodeError:  # a lone surrogate slipped through: escape it instead of crashing
            self._emit(json.dumps(record, ensure_ascii=True) + "\n")

    def _write_streamed(self, record: dict[str, Any]) -> None:
        """The same line as :meth:`write`, written a megabyte at a time.

        A text made of trigger phrases has a flag every few words, about 2 KB
        of JSON each: holding the whole line and its UTF-8 bytes at once would
        cost more than the analysis. Surrogates can only come from the
        document's own strings (a file name that is not UTF-8), checked first.
        """
        escape = any(isinstance(v, str) and _SURROGATES.search(v) for v in record.values())
        pending: list[str] = []
        size = 0
        for piece in json.JSONEncoder(ensure_ascii=escape).iterencode(record):
            pending.append(piece)
            size += len(piece)
            if size >= 1 << 20:
                self._emit("".join(pending))
                pending, size = [], 0
        self._emit("".join(pending) + "\n")


class CsvWriter(_FileWriter):
    """One row per flag plus one row per document without flags (see the module docstring)."""

    def __init__(self, path: Path, append: bool, target: Target | None = None) -> None:
        super().__init__(path, append, target)
        self._buffer = io.StringIO()
        self._csv = csv.writer(self._buffer, lineterminator="\n")
        if self.fresh:
            self._buffer.write("\ufeff")
            self._csv.writerow(CSV_COLUMNS)
            self._drain()

    def write(self, record: dict[str, Any]) -> None:
        self._csv.writerows(csv_rows(record))
        self._drain()

    def _drain(self) -> None:
        text = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        self._emit(text, errors="surrogateescape")  # a file name that is not UTF-8 keeps its own bytes


def csv_rows(record: dict[str, Any]) -> list[list[Any]]:
    """The CSV rows of one record, neutralized."""
    error = record.get("error") or {}
    flags = record_flags(record)
    base = [
        record.get("id"),
        record.get("source"),
        record.get("key"),
        error.get("type", ""),
        error.get("message", ""),
        record.get("encoding_note") or "",
        record.get("note") or "",
        len(flags),
    ]
    if not flags:
        return [[neutralize(c) for c in [*base, *([""] * (len(CSV_COLUMNS) - len(base)))]]]
    rows = []
    for index, flag in enumerate(flags, start=1):
        row = [*base, index, *flag.cells()]
        rows.append([neutralize(c) for c in row])
    return rows


def open_writer(path: str | Path, *, append: bool, target: Target | None = None) -> RecordWriter:
    """A writer for ``path`` in the format its extension names; ``append`` continues an existing file.

    ``target`` is an output the caller opened and locked itself (see
    :mod:`analyzer.io.output`); without it the writer opens ``path``.
    """
    path = Path(path)
    try:
        return CsvWriter(path, append, target) if output_format(path) == "csv" else JsonlWriter(path, append, target)
    except OSError as exc:
        raise AnalyzerError(f"cannot write {path}: {exc.strerror or exc}") from None


# -- resuming --------------------------------------------------------------------------

NOT_RESUMABLE_ADVICE = "write to another file, or replace it"


def not_resumable(problem: str, *, parenthesized: bool = False) -> BatchError:
    """The refusal to resume into an output that batch cannot prove it wrote, with what to do instead."""
    advice = f" ({NOT_RESUMABLE_ADVICE})" if parenthesized else f"; {NOT_RESUMABLE_ADVICE}"
    return BatchError(problem + advice, "not_resumable", problem=problem, parenthesized=parenthesized)


@dataclass
class DoneRecord:
    """What ``--resume`` needs to know about a record already written."""

    key: str
    categories: list[str] = field(default_factory=list)  # one entry per flag
    error_type: str | None = None


@dataclass
class Existing:
    """The complete records of an output file, and how much of it was cut off."""

    records: list[DoneRecord]
    discarded_bytes: int = 0

    @property
    def keys(self) -> set[str]:
        return {r.key for r in self.records}


def scan_existing(path: str | Path) -> Existing:
    """Read ``path`` for ``--resume`` and truncate it after its last complete record.

    A file that is not a batch output (a line that is not a record, a CSV with
    other columns) is refused rather than cut, since it may be someone's data.
    The batch command itself first proves the file is its own (see
    :mod:`analyzer.io.output`) and then calls :func:`scan_records`.
    """
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return Existing([])
    try:
        with open(path, "rb") as handle:
            records, good_end = scan_records(handle, path)
            size = os.fstat(handle.fileno()).st_size
        if good_end < size:
            os.truncate(path, good_end)
    except OSError as exc:
        raise AnalyzerError(f"cannot resume from {path}: {exc.strerror or exc}") from None
    return Existing(records, size - good_end)


def scan_records(handle: IO[bytes], path: Path) -> tuple[list[DoneRecord], int]:
    """The complete records of an output read from ``handle`` (at its start), and where the last one ends.

    Reads only; raises :class:`AnalyzerError` for content that is not a batch record.
    """
    handle.seek(0)
    return _scan_csv(handle, path) if output_format(path) == "csv" else _scan_jsonl(handle, path)  # type: ignore[arg-type]


def _scan_jsonl(handle: io.BufferedReader, path: Path) -> tuple[list[DoneRecord], int]:
    records: list[DoneRecord] = []
    offset = 0
    for number, line in enumerate(handle, start=1):
        if not line.endswith(b"\n"):
            break  # torn by a kill: the document will be analyzed again
        try:
            record = json.loads(line)
            done = _done_record(record)
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            raise not_resumable(
                f"{path}:{number}: not a batch record, so this file was not written by 'allyship batch'; "
                "refusing to resume into it",
                parenthesized=True,
            ) from None
        records.append(done)
        offset += len(line)
    return records, offset


def _done_record(record: Any) -> DoneRecord:
    """A record's key, flag categories and error type; raises TypeError for anything not shaped like a record."""
    if not isinstance(record, dict) or not isinstance(record.get("key"), str):
        raise TypeError("not a record")
    flags, error = record_flags(record), record.get("error")
    if error is not None and not (isinstance(error, dict) and isinstance(error.get("type"), str)):
        raise TypeError("error is not an error object")
    return DoneRecord(record["key"], [f.category for f in flags], error["type"] if error else None)


def _scan_csv(handle: io.BufferedReader, path: Path) -> tuple[list[DoneRecord], int]:
    """CSV rows may span lines (quoted newlines); track byte offsets as the csv reader pulls lines."""
    consumed = 0

    def lines() -> Iterator[str]:
        nonlocal consumed
        first = True
        for raw in handle:
            if not raw.endswith(b"\n"):
                return  # a torn last line
            consumed += len(raw)
            yield raw.decode("utf-8-sig" if first else "utf-8", errors="replace")
            first = False

    reader = csv.reader(lines(), strict=True)
    refuse = not_resumable(
        f"{path} does not have the columns of 'allyship batch' CSV output; refusing to resume into it",
        parenthesized=True,
    )
    try:
        header = next(reader, None)
    except csv.Error:
        raise refuse from None
    if header is None:
        return [], 0
    if tuple(header) != CSV_COLUMNS:
        raise refuse
    at = {name: i for i, name in enumerate(CSV_COLUMNS)}
    records: list[DoneRecord] = []
    good_end = consumed
    current: DoneRecord | None = None
    try:
        for row in reader:
            if len(row) != len(CSV_COLUMNS):
                break
            key = _unneutralize(row[at["key"]])
            count, index = int(row[at["flag_count"]]), row[at["flag_index"]]
            if current is None or current.key != key:
                current = DoneRecord(key, [], _unneutralize(row[at["error_type"]]) or None)
            if count:
                current.categories.append(row[at["category"]])
            if count == 0 or (index and int(index) == count):  # the document's last row: it is complete
                records.append(current)
                current = None
                good_end = consumed
    except (csv.Error, ValueError):
        pass  # a damaged tail: keep what was complete before it
    return records, good_end
