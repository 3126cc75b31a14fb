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

A cell that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) gets a leading apostrophe, so opening
the results of strangers' text never runs anything.
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from analyzer.errors import AnalyzerError

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
SYNC_INTERVAL = 5.0  # seconds between fsyncs while a batch runs


def output_format(path: str | Path) -> str:
    """``csv`` for a ``.csv`` name, else ``jsonl``."""
    return "csv" if Path(path).suffix.lower() == ".csv" else "jsonl"


def neutralize(cell: Any) -> Any:
    """A cell a spreadsheet will show as text: formula-like strings get a leading apostrophe."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def _unneutralize(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


class RecordWriter(Protocol):
    """Appends records to an output file."""

    path: Path

    def write(self, record: dict[str, Any]) -> None: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


class _FileWriter:
    """Shared by both formats: one handle, appended to, flushed and synced on request."""

    def __init__(self, path: Path, append: bool) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fresh = not append or not path.exists() or path.stat().st_size == 0
        self._handle = open(path, "w" if self.fresh else "a", encoding="utf-8", newline="")  # noqa: SIM115
        self._synced = time.monotonic()

    def flush(self) -> None:
        """Hand written records to the operating system: a killed process loses none of them after this.

        Syncing to the disk as well (against a power cut) costs a disk round
        trip, so it happens at most every few seconds and at the end.
        """
        self._handle.flush()
        now = time.monotonic()
        if now - self._synced >= SYNC_INTERVAL:
            os.fsync(self._handle.fileno())
            self._synced = now

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()


class JsonlWriter(_FileWriter):
    """One JSON object per line."""

    def write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False)
        try:
            line.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate slipped through: escape it instead of crashing
            line = json.dumps(record, ensure_ascii=True)
        self._handle.write(line + "\n")


class CsvWriter(_FileWriter):
    """One row per flag plus one row per document without flags (see the module docstring)."""

    def __init__(self, path: Path, append: bool) -> None:
        super().__init__(path, append)
        self._csv = csv.writer(self._handle, lineterminator="\n")
        if self.fresh:
            self._handle.write("\ufeff")
            self._csv.writerow(CSV_COLUMNS)

    def write(self, record: dict[str, Any]) -> None:
        self._csv.writerows(csv_rows(record))


def csv_rows(record: dict[str, Any]) -> list[list[Any]]:
    """The CSV rows of one record, neutralized."""
    error = record.get("error") or {}
    flags = record.get("flags") or []
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
        row = [
            *base,
            index,
            flag.get("start"),
            flag.get("end"),
            flag.get("text"),
            flag.get("category"),
            flag.get("label"),
            flag.get("score"),
            flag.get("source"),
            flag.get("rule_id") or "",
            flag.get("explanation"),
            flag.get("suggestion") or "",
            "; ".join(r["title"] for r in flag.get("strategies", [])),
            "; ".join(r["title"] for r in flag.get("barriers", [])),
            "; ".join(r["title"] for r in flag.get("roles", [])),
        ]
        rows.append([neutralize(c) for c in row])
    return rows


def open_writer(path: str | Path, *, append: bool) -> RecordWriter:
    """A writer for ``path`` in the format its extension names; ``append`` continues an existing file."""
    path = Path(path)
    try:
        return CsvWriter(path, append) if output_format(path) == "csv" else JsonlWriter(path, append)
    except OSError as exc:
        raise AnalyzerError(f"cannot write {path}: {exc.strerror or exc}") from None


# -- resuming --------------------------------------------------------------------------


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
    """
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return Existing([])
    try:
        with open(path, "rb") as handle:
            scan = _scan_csv(handle, path) if output_format(path) == "csv" else _scan_jsonl(handle, path)
            records, good_end = scan
            size = os.fstat(handle.fileno()).st_size
        if good_end < size:
            os.truncate(path, good_end)
    except OSError as exc:
        raise AnalyzerError(f"cannot resume from {path}: {exc.strerror or exc}") from None
    return Existing(records, size - good_end)


def _scan_jsonl(handle: io.BufferedReader, path: Path) -> tuple[list[DoneRecord], int]:
    records: list[DoneRecord] = []
    offset = 0
    for number, line in enumerate(handle, start=1):
        if not line.endswith(b"\n"):
            break  # torn by a kill: the document will be analyzed again
        try:
            record = json.loads(line)
            key = record["key"]
            flags = record.get("flags") or []
            error = record.get("error")
        except (ValueError, KeyError, TypeError, AttributeError):
            raise AnalyzerError(
                f"{path}:{number}: not a batch record, so this file was not written by 'allyship batch'; "
                "refusing to resume into it (choose another --out, or --force to replace it)"
            ) from None
        records.append(
            DoneRecord(str(key), [f.get("category", "") for f in flags], error.get("type") if error else None)
        )
        offset += len(line)
    return records, offset


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
    refuse = AnalyzerError(
        f"{path} does not have the columns of 'allyship batch' CSV output; refusing to resume into it "
        "(choose another --out, or --force to replace it)"
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
