"""Files and folders in, documents out: one :class:`Document` per file or per table row.

A batch must give exactly one record per document, so reading never raises for
a bad file: whatever cannot be read becomes a document that carries an error
(``type`` and ``message``) instead of text. The batch engine writes those as
error records, next to the analyzed ones, in input order.

What counts as a document
-------------------------

- ``.txt``, ``.text``, ``.md``, ``.markdown``, ``.html``, ``.htm``, ``.docx``,
  ``.pdf``: the whole file is one document; its id is the path.
- ``.csv``, ``.tsv``, ``.jsonl``/``.ndjson``, ``.json`` (an array of
  objects): each row or object is a document. The text is in the column or
  field ``text`` (``text_column``), the id in ``id`` (``id_column``); a row
  without an id gets ``path#N``, N counting rows from 1 (for JSONL, N is the
  line number). Blank lines and blank CSV rows are not documents.
- A table with no rows at all is still one record (no flags, with a note), so
  that every file named or found leaves a trace in the output.
- Any other file is an ``unsupported_type`` error record.

Every document has a ``key``: the file's absolute path, plus ``#N`` for a row.
It does not depend on how the path was typed (``./data``, ``data/``, an
absolute path), which is what lets ``--resume`` recognise finished documents.

Encodings: UTF-8, UTF-8 with a BOM, UTF-16 and UTF-32 with a BOM. Text that
is not valid UTF-8 is decoded as cp1252 (what Windows tools write) and the
record says so in ``encoding_note``; a file with NUL bytes or many control
characters is ``binary``; one that is neither is ``undecodable``.

Limits on what a file expands to
--------------------------------

A file's size on disk says little about what it costs: a small .docx may
inflate to gigabytes, a PDF page to megabytes of text. So besides the file
size (``max_bytes``), reading stops at these, each an error record of type
``too_large`` whose message names the limit:

- the bytes inflated from a .docx's parts, counted while streaming them
  (never trusting the sizes the zip declares): ``max_bytes`` in all, and
  :data:`MAX_DOCX_XML_BYTES` for the XML parts a .docx reader parses;
- the characters extracted from any document, or held in one table row's text
  (``max_chars``); a CSV field over that limit ends the
  table, since the csv reader cannot find the next row after it;
- an id over :data:`MAX_ID_CHARS` characters.

A .json array is decoded one item at a time, so a large array costs one item's
objects at a time, not the whole tree.

Links
-----

A symbolic link found in a folder whose target lies outside every input given
is an ``outside_input`` error record, and nothing is read through it, unless
``follow_symlinks`` is set: a shared folder must not turn a batch into a way to
copy other files (``/etc/shadow``, someone's keys) into the results.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import stat
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from analyzer.errors import AnalyzerError

DEFAULT_MAX_BYTES = 100 * 1024 * 1024
# Characters of text one document may hold once extracted (a 500-page book has about 1 million): a text of
# nothing but trigger phrases has a flag every few words, and its record costs about 2 KB of JSON per flag.
DEFAULT_MAX_DOC_CHARS = 1_000_000
# The XML a .docx reader parses into a tree costs several times its size in memory: cap it.
MAX_DOCX_XML_BYTES = 48 * 1024 * 1024
MAX_ID_CHARS = 1000
_STREAM_CHUNK = 1024 * 1024

TEXT_SUFFIXES = {".txt": "text", ".text": "text", ".md": "text", ".markdown": "text"}
HTML_SUFFIXES = {".html": "html", ".htm": "html"}
TABLE_SUFFIXES = {".csv": "csv", ".tsv": "tsv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json"}
BINARY_DOC_SUFFIXES = {".docx": "docx", ".pdf": "pdf"}
KINDS = {**TEXT_SUFFIXES, **HTML_SUFFIXES, **TABLE_SUFFIXES, **BINARY_DOC_SUFFIXES}
TABLE_KINDS = frozenset(TABLE_SUFFIXES.values())

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
CP1252_NOTE = "not valid UTF-8: decoded as cp1252 (Windows-1252); check accented letters and quotes"


@dataclass(frozen=True)
class ReadError:
    """Why a file or row could not become a document: a stable ``type`` and a one-line ``message``."""

    type: str
    message: str
    limit: str | None = field(default=None, compare=False)  # the ReadOptions setting that would let it be read

    def to_dict(self) -> dict[str, str]:
        return {"type": self.type, "message": self.message}


class _Unreadable(Exception):
    """Raised inside this module only, and always turned into a :class:`ReadError`."""

    def __init__(self, type_: str, message: str, limit: str | None = None) -> None:
        super().__init__(message)
        self.error = ReadError(type_, message, limit)


@dataclass(frozen=True)
class ReadOptions:
    """How to read tables, how big a file may be and how much text one document may hold."""

    text_column: str = "text"
    id_column: str = "id"
    max_bytes: int = DEFAULT_MAX_BYTES
    max_chars: int = DEFAULT_MAX_DOC_CHARS
    # How the caller's users change a limit, by setting ("max_chars", "max_bytes", "follow_symlinks"): the CLI
    # names its options. Added to the message of an error record that the setting would avoid.
    hints: tuple[tuple[str, str], ...] = ()

    def with_hint(self, error: ReadError) -> ReadError:
        """``error`` with the caller's words on how to change the limit that caused it, if it has some."""
        hint = dict(self.hints).get(error.limit or "")
        return replace(error, message=f"{error.message} ({hint})") if hint else error


@dataclass(frozen=True)
class Source:
    """One file to read (or one folder that could not be listed)."""

    path: Path  # what to open
    display: str  # the path as the user sees it in records
    key: str  # the absolute path: identity across runs
    kind: str  # a value of KINDS, "unsupported", "unlisted" (a folder that could not be read) or "outside"
    problem: str | None = None  # why a folder could not be listed, or where an outside link leads
    follow: bool = True  # False: open without following a link (it was a plain file when found)

    @property
    def is_table(self) -> bool:
        return self.kind in TABLE_KINDS


@dataclass(frozen=True)
class Document:
    """One document: text to analyze, or the error that kept it from being read."""

    key: str
    id: Any  # str, or the int a JSON file gave
    source: str
    text: str | None
    error: ReadError | None = None
    encoding_note: str | None = None
    note: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


# -- finding the files ---------------------------------------------------------------


def discover(
    inputs: Sequence[str | Path], exclude: Iterable[str | Path] = (), *, follow_symlinks: bool = False
) -> list[Source]:
    """The files named or found (recursively, sorted) in ``inputs``, in order, each once.

    A path that does not exist is a usage error (a typo should stop the run
    before it starts). ``exclude`` holds paths never to read, e.g. the output
    file when it sits inside an input folder. A link found in a folder whose
    target is outside every input becomes an ``outside`` source (an error
    record) unless ``follow_symlinks``.
    """
    excluded = {os.path.abspath(p) for p in exclude}
    missing = [str(p) for p in inputs if not os.path.lexists(p)]
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise AnalyzerError(f"no such file or folder: {missing[0]}{more}")
    roots = [os.path.realpath(p) for p in inputs]
    sources: list[Source] = []
    seen: set[str] = set()
    for given in inputs:
        display = os.path.normpath(str(given))
        found = _walk(display) if os.path.isdir(given) else [_source(display)]
        if os.path.isdir(given):
            found = [_confined(source, roots, follow_symlinks) for source in found]
        for source in found:
            if source.key in seen or source.key in excluded:
                continue
            seen.add(source.key)
            sources.append(source)
    return sources


def _walk(folder: str) -> list[Source]:
    """Every entry below ``folder``, sorted by path components so the order is the same on every run.

    A folder that cannot be listed, or a link to a folder (not followed, to
    avoid loops and duplicates), is kept as a source that reads as an error
    record: nothing found is skipped silently.
    """
    found: list[tuple[tuple[str, ...], Source]] = []

    def add(path: str, problem: str | None = None) -> None:
        rel = os.path.relpath(path, folder)
        display = os.path.normpath(os.path.join(folder, rel))
        source = (
            _source(display)
            if problem is None
            else Source(Path(path), display, os.path.abspath(path), "unlisted", problem)
        )
        found.append((tuple(Path(rel).parts), source))

    def unlisted(exc: OSError) -> None:
        add(exc.filename or folder, f"cannot list this folder: {exc.strerror or exc}")

    for root, dirs, files in os.walk(folder, onerror=unlisted):
        for name in dirs:
            if os.path.islink(os.path.join(root, name)):
                add(os.path.join(root, name), "a link to a folder, not followed (name the folder itself to include it)")
        for name in files:
            add(os.path.join(root, name))
    found.sort(key=lambda item: item[0])
    return [source for _, source in found]


def _source(display: str) -> Source:
    kind = KINDS.get(Path(display).suffix.lower(), "unsupported")
    return Source(Path(display), display, os.path.abspath(display), kind)


def _confined(source: Source, roots: Sequence[str], follow_symlinks: bool) -> Source:
    """A file found in a folder: read without following links, or an ``outside`` source for a link leading out."""
    if source.kind == "unlisted":
        return source
    if not os.path.islink(source.path):
        return replace(source, follow=follow_symlinks)
    if follow_symlinks:
        return source
    target = os.path.realpath(source.path)
    if any(target == root or target.startswith(root.rstrip(os.sep) + os.sep) for root in roots):
        return source
    return replace(source, kind="outside", problem=f"a link to {target}")


# -- reading -----------------------------------------------------------------------


def read_source(source: Source, options: ReadOptions = ReadOptions()) -> Iterator[Document]:
    """The documents of one source; never raises for anything wrong with the file."""
    try:
        if source.kind == "unlisted":
            raise _Unreadable("unreadable", source.problem or "cannot list this folder")
        if source.kind == "outside":
            raise _Unreadable(
                "outside_input", f"{source.problem or 'a link'}, outside the folders given: not read", "follow_symlinks"
            )
        if source.kind == "unsupported":
            suffix = Path(source.display).suffix or "(no extension)"
            raise _Unreadable(
                "unsupported_type",
                f"cannot read '{suffix}' files; supported: {', '.join(sorted(KINDS))}",
            )
        data = _read_bytes(source.path, options.max_bytes, source.follow)
        if source.is_table:
            for doc in _read_table(source, data, options):
                yield replace(doc, error=options.with_hint(doc.error)) if doc.error is not None else doc
        else:
            text, encoding_note, note = _extract(source.kind, data, options)
            yield Document(source.key, source.display, source.display, text, None, encoding_note, note)
    except _Unreadable as exc:
        yield Document(source.key, source.display, source.display, None, options.with_hint(exc.error))
    except Exception as exc:  # a parser bug on a strange file must cost one record, not the whole batch
        error = ReadError("unreadable", f"cannot read this file: {type(exc).__name__}: {' '.join(str(exc).split())}")
        yield Document(source.key, source.display, source.display, None, error)


def count_documents(sources: Iterable[Source], options: ReadOptions = ReadOptions()) -> int:
    """How many documents ``sources`` hold; reads tables only (a whole file counts as one)."""
    return sum(sum(1 for _ in read_source(s, options)) if s.is_table else 1 for s in sources)


def _read_bytes(path: Path, max_bytes: int, follow: bool = True) -> bytes:
    """The file's bytes, opened before it is looked at, so what is checked is what is read.

    ``follow=False`` refuses a link (a file swapped for a link after the folder
    was listed); non-blocking open keeps a pipe from hanging the run.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | (0 if follow else getattr(os, "O_NOFOLLOW", 0))
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if not follow and os.path.islink(path):
            raise _Unreadable("outside_input", "became a link after the folder was listed: not read") from None
        raise _Unreadable("unreadable", f"cannot read the file: {exc.strerror or exc}") from None
    try:
        with open(fd, "rb", closefd=True) as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise _Unreadable("unsupported_type", "not a regular file (a device, pipe or socket)")
            if info.st_size > max_bytes:
                message = (
                    f"file is {_mb(info.st_size)}, over the limit of {_mb(max_bytes)} per file"
                )
                raise _Unreadable("too_large", message, "max_bytes")
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise _Unreadable("unreadable", f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:  # it grew while we looked
        raise _Unreadable("too_large", f"file is over the limit of {_mb(max_bytes)}", "max_bytes")
    return data


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def decode(data: bytes) -> tuple[str, str | None]:
    """The text of ``data`` and a note when it needed the cp1252 fallback.

    The order matters: a BOM is the only reliable sign of UTF-16, NUL bytes
    without one mean a binary file, and cp1252 comes last because it accepts
    almost any byte sequence.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding)), None
            except UnicodeDecodeError as exc:
                raise _Unreadable(
                    "undecodable", f"starts with a {encoding} byte-order mark but is not {encoding}: {exc.reason}"
                ) from None
    if b"\x00" in data[:65536]:
        raise _Unreadable("binary", "looks like a binary file (it has NUL bytes), not text")
    try:
        return _checked(data.decode("utf-8")), None
    except UnicodeDecodeError:
        pass
    try:
        return _checked(data.decode("cp1252")), CP1252_NOTE
    except UnicodeDecodeError as exc:
        raise _Unreadable(
            "undecodable", f"neither UTF-8 nor cp1252 (byte 0x{data[exc.start]:02x} at position {exc.start})"
        ) from None


def _checked(text: str) -> str:
    """Refuse text that is mostly control characters: a binary file that happened to decode."""
    sample = text[:65536]
    if sample and len(_CONTROL.findall(sample)) > 0.05 * len(sample):
        raise _Unreadable("binary", "looks like a binary file (many control characters), not text")
    return text


def _extract(kind: str, data: bytes, options: ReadOptions) -> tuple[str, str | None, str | None]:
    """``(text, encoding_note, note)`` of a one-document file."""
    if kind == "docx":
        return _docx_text(data, options.max_bytes, options.max_chars), None, None
    if kind == "pdf":
        text = _pdf_text(data, options.max_chars)
        note = None if text.strip() else "the PDF has no text layer (a scan?): nothing to analyze"
        return text, None, note
    text, encoding_note = decode(data)
    if kind == "html":
        text = html_text(text)
    _check_chars(len(text), options.max_chars)
    return text, encoding_note, None


def _check_chars(count: int, max_chars: int, where: str = "the document", more: bool = False) -> None:
    if count > max_chars:
        amount = f"more than {max_chars:,}" if more else f"{count:,}"
        message = f"{where} has {amount} characters of text; the limit is {max_chars:,}"
        raise _Unreadable("too_large", message, "max_chars")


def _too_many_chars(count: int, max_chars: int, where: str) -> ReadError | None:
    try:
        _check_chars(count, max_chars, where)
    except _Unreadable as exc:
        return exc.error
    return None


# -- tables ------------------------------------------------------------------------


def _read_table(source: Source, data: bytes, options: ReadOptions) -> Iterator[Document]:
    text, encoding_note = decode(data)
    if source.kind == "json":
        rows = _json_rows(text, options)
    elif source.kind == "jsonl":
        rows = _jsonl_rows(text, options)
    else:
        rows = _csv_rows(text, "\t" if source.kind == "tsv" else ",", options)
    count = 0
    for number, given_id, row_text, error in rows:
        count += 1
        key = f"{source.key}#{number}"
        doc_id = given_id if given_id not in (None, "") else f"{source.display}#{number}"
        if error is None and isinstance(doc_id, str) and len(doc_id) > MAX_ID_CHARS:
            doc_id = f"{source.display}#{number}"
            error = ReadError("too_large", f"row {number}: the id is over the limit of {MAX_ID_CHARS:,} characters")
        if error is None and row_text is not None:
            error = _too_many_chars(len(row_text), options.max_chars, f"row {number}")
        if error is not None:
            yield Document(key, doc_id, source.display, None, error, encoding_note)
        else:
            yield Document(key, doc_id, source.display, row_text, None, encoding_note)
    if count == 0:
        yield Document(source.key, source.display, source.display, "", None, encoding_note, "the table has no rows")


Row = tuple[int, Any, str | None, ReadError | None]  # (number, id, text, error)


def _csv_rows(text: str, delimiter: str, options: ReadOptions) -> Iterator[Row]:
    field_limit = max(options.max_chars, MAX_ID_CHARS) + 1
    csv.field_size_limit(field_limit)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next((row for row in reader if any(cell.strip() for cell in row)), None)  # skip blank lines
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise _Unreadable(
                "too_large", f"the header has a field over the limit of {field_limit - 1:,} characters", "max_chars"
            ) from None
        raise _Unreadable("malformed_csv", f"cannot read the header: {exc}") from None
    if header is None:
        return
    names = [h.strip() for h in header]
    if options.text_column not in names:
        shown = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
        raise _Unreadable(
            "missing_field", f"no '{options.text_column}' column (columns: {shown}); name the column holding the text"
        )
    text_at = names.index(options.text_column)
    id_at = names.index(options.id_column) if options.id_column in names else None
    number = 0
    while True:
        csv.field_size_limit(field_limit)  # the limit is global to the csv module: set it again for each row
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            number += 1
            if "field larger than field limit" in str(exc):
                message = (
                    f"row {number} has a field over the limit of {field_limit - 1:,} characters; "
                    "the rest of the file is not read"
                )
                yield number, None, None, ReadError("too_large", message, "max_chars")
            else:
                yield (
                    number,
                    None,
                    None,
                    ReadError("malformed_csv", f"row {number}: {exc}; the rest of the file is not read"),
                )
            return
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # a blank line is not a document (a row of empty cells is: it has an empty text)
        number += 1
        given_id = row[id_at].strip() if id_at is not None and id_at < len(row) else None
        if text_at >= len(row):
            message = f"row {number} has {len(row)} fields, the header has {len(names)}: no '{options.text_column}'"
            yield number, given_id, None, ReadError("malformed_csv", message)
            continue
        yield number, given_id, row[text_at], None


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` split at "\n" only (U+2028 may sit unescaped inside a JSON string), one at a time."""
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        yield text[start:end]
        start = end + 1


def _jsonl_rows(text: str, options: ReadOptions) -> Iterator[Row]:
    for number, line in enumerate(_lines(text), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except (ValueError, RecursionError) as exc:
            reason, column = getattr(exc, "msg", exc), getattr(exc, "colno", "?")
            message = f"line {number} is not valid JSON: {reason} (column {column})"
            yield number, None, None, ReadError("malformed_json", message)
            continue
        yield _json_row(number, obj, f"line {number}", options)


_JSON_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _json_rows(text: str, options: ReadOptions) -> Iterator[Row]:
    """The items of a JSON array, decoded one at a time (a large array never becomes one tree in memory).

    An item that is not valid JSON ends the file: like a broken CSV quote,
    there is no telling where the next item starts.
    """
    at = _JSON_SPACE.match(text, 0).end()  # type: ignore[union-attr]
    if not text.startswith("[", at):
        try:
            value, _ = _DECODER.raw_decode(text, at)
        except (ValueError, RecursionError) as exc:
            raise _Unreadable("malformed_json", _json_problem(text, exc, "not valid JSON")) from None
        raise _Unreadable("malformed_json", f"expected an array of objects, found a JSON {_json_type(value)}")
    at = _JSON_SPACE.match(text, at + 1).end()  # type: ignore[union-attr]
    number = 0
    if text.startswith("]", at):
        return _trailing(text, at + 1)
    while True:
        number += 1
        try:
            obj, at = _DECODER.raw_decode(text, at)
        except (ValueError, RecursionError) as exc:
            if number == 1:  # nothing read yet: the file as a whole is broken
                raise _Unreadable("malformed_json", _json_problem(text, exc, "not valid JSON")) from None
            message = _json_problem(text, exc, f"item {number} is not valid JSON") + "; the rest is not read"
            yield number, None, None, ReadError("malformed_json", message)
            return
        yield _json_row(number, obj, f"item {number}", options)
        at = _JSON_SPACE.match(text, at).end()  # type: ignore[union-attr]
        if text.startswith(",", at):
            at = _JSON_SPACE.match(text, at + 1).end()  # type: ignore[union-attr]
            continue
        if text.startswith("]", at):
            return _trailing(text, at + 1)
        line = text.count("\n", 0, at) + 1
        message = f"expected ',' or ']' after item {number} (line {line}); the rest of the file is not read"
        yield number + 1, None, None, ReadError("malformed_json", message)
        return


def _trailing(text: str, at: int) -> None:
    at = _JSON_SPACE.match(text, at).end()  # type: ignore[union-attr]
    if at < len(text):
        line = text.count("\n", 0, at) + 1
        raise _Unreadable("malformed_json", f"not valid JSON: extra data after the array (line {line})")


def _json_problem(text: str, exc: Exception, what: str) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"{what}: {exc.msg} (line {exc.lineno})"
    return f"{what}: {type(exc).__name__}"


def _json_row(number: int, obj: Any, where: str, options: ReadOptions) -> Row:
    if not isinstance(obj, dict):
        return number, None, None, ReadError("malformed_json", f"{where} is a JSON {_json_type(obj)}, not an object")
    given_id = obj.get(options.id_column)
    if isinstance(given_id, str):
        given_id = _clean(given_id)
    elif isinstance(given_id, bool) or not isinstance(given_id, int | None):
        given_id = json.dumps(given_id, ensure_ascii=False)  # keep strings and integers as given, show the rest
    if options.text_column not in obj:
        return number, given_id, None, ReadError("missing_field", f"{where} has no '{options.text_column}' field")
    value = obj[options.text_column]
    if value is None:
        return number, given_id, "", None
    if not isinstance(value, str):
        message = f"{where}: '{options.text_column}' is a JSON {_json_type(value)}, not a string"
        return number, given_id, None, ReadError("malformed_json", message)
    return number, given_id, _clean(value), None


def _clean(text: str) -> str:
    """Replace lone surrogates (a JSON "\\ud800" escape): no UTF-8 writer could store them."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def _json_type(value: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number"
    )


# -- documents that are not plain text -------------------------------------------------


def _docx_inflated_within(data: bytes, max_bytes: int) -> None:
    """Inflate every part of the zip as a stream, counting real bytes, and stop at the limits.

    The sizes a zip declares are whatever its author wrote, so they are not
    trusted; streaming costs time but no memory, and stops at the limit.
    """
    total = xml = 0
    xml_limit = min(max_bytes, MAX_DOCX_XML_BYTES)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                is_xml = info.filename.lower().endswith((".xml", ".rels"))
                with archive.open(info) as part:
                    while chunk := part.read(_STREAM_CHUNK):
                        total += len(chunk)
                        xml += len(chunk) if is_xml else 0
                        if total > max_bytes:
                            raise _Unreadable(
                                "too_large", f"the .docx inflates to over {_mb(max_bytes)}, the limit", "max_bytes"
                            )
                        if xml > xml_limit:
                            raise _Unreadable(
                                "too_large", f"the .docx's XML inflates to over {_mb(xml_limit)}, the limit for a .docx"
                            )
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise _Unreadable("unreadable_docx", f"not a valid .docx (zip) file: {exc}") from None


def _docx_text(data: bytes, max_bytes: int, max_chars: int = DEFAULT_MAX_DOC_CHARS) -> str:
    """Paragraphs and table cells of a .docx, in document order, up to ``max_chars`` characters."""
    _docx_inflated_within(data, max_bytes)
    try:
        import docx
    except ImportError:
        raise _Unreadable(
            "unsupported_type", "reading .docx needs python-docx: pip install 'allyship-analyzer[docs]'"
        ) from None
    try:
        document = docx.Document(io.BytesIO(data))
        blocks = []
        chars = 0
        for block in document.iter_inner_content():
            blocks.append(_docx_table_text(block) if hasattr(block, "rows") else block.text)
            chars += len(blocks[-1]) + 1
            _check_chars(chars, max_chars, more=True)
        return "\n".join(blocks)
    except _Unreadable:
        raise
    except Exception as exc:  # a corrupt file can fail anywhere inside python-docx or lxml
        raise _Unreadable("unreadable_docx", f"cannot read this .docx: {type(exc).__name__}: {exc}") from None


def _docx_table_text(table: Any) -> str:
    lines = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:  # a merged cell is repeated: keep it once
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                cells.append(cell.text)
        lines.append("\t".join(cells))
    return "\n".join(lines)


def _pdf_text(data: bytes, max_chars: int = DEFAULT_MAX_DOC_CHARS) -> str:
    try:
        from pypdf import PdfReader
    except ImportError:
        raise _Unreadable(
            "unsupported_type", "reading .pdf needs pypdf: pip install 'allyship-analyzer[docs]'"
        ) from None
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings about sloppy files are not the user's business
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise _Unreadable("unreadable_pdf", "the PDF is encrypted with a password")
        pages = []
        chars = 0
        for page in reader.pages:
            pages.append(page.extract_text() or "")
            chars += len(pages[-1]) + 2
            _check_chars(chars, max_chars, more=True)
        return "\n\n".join(pages)
    except _Unreadable:
        raise
    except Exception as exc:  # pypdf raises many kinds of errors on damaged files
        raise _Unreadable("unreadable_pdf", f"cannot read this PDF: {type(exc).__name__}: {exc}") from None


# Not "head": its end tag may be omitted, and skipping to a missing </head> would drop the whole page.
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template"})
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "figure",
        "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p",
        "pre", "section", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip


class _TextOfHtml(HTMLParser):
    """Collects visible text; what is inside script, style and similar tags is dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []
        self.title: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        elif tag in _SKIPPED_TAGS:
            self.skipping.append(tag)
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif self.skipping and tag == self.skipping[-1]:
            self.skipping.pop()
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        elif not self.skipping:
            self.parts.append(data)


def html_text(markup: str) -> str:
    """The visible text of an HTML page: title first, then the body, one block per line."""
    parser = _TextOfHtml()
    parser.feed(markup)
    parser.close()
    body = re.sub(r"[ \t\r\f\v]+", " ", "".join(parser.parts))
    lines = [line.strip() for line in body.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    title = " ".join("".join(parser.title).split())
    return f"{title}\n\n{text}" if title and text else title or text


__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_DOC_CHARS",
    "Document",
    "ReadError",
    "ReadOptions",
    "Source",
    "count_documents",
    "decode",
    "discover",
    "html_text",
    "read_source",
]
