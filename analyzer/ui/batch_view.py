"""The Batch page: uploads in, one record per document out, with a table, a chart, a view and downloads.

Nothing here re-implements the batch engine. The uploads are written to a
fresh temporary folder and handed to :func:`analyzer.io.batch.run_batch`, which
reads them (:mod:`analyzer.io.readers`: a bad file becomes an error record, never
an exception) and analyzes them in chunks; the downloads are written by
:mod:`analyzer.io.writers` and :mod:`analyzer.io.report`. What this module adds is
what a browser upload needs and a command line does not:

- limits stated up front and checked before anything is read
  (:func:`upload_problems`);
- the temporary paths replaced by the names the user uploaded, in every
  record, so the table and the downloads never show ``/tmp/...``;
- each table read with its own text and id columns (:func:`columns_per_table`);
- the shared analyzer called one chunk at a time, with no lock across
  sessions, so a long batch in one session never makes a paste in another wait;
- the sensitivity: the cached analyzer runs at the slider's floor (see
  :mod:`analyzer.ui.cards`), so the records are cut at the user's threshold
  afterwards, giving exactly what ``allyship batch --threshold T`` writes.

Everything is plain Python and testable without Streamlit; the page only
places widgets around it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from analyzer.errors import AnalyzerError
from analyzer.flags import ScoreStep
from analyzer.io.readers import KINDS, TABLE_SUFFIXES, decode
from analyzer.io.records import record_flags, with_flags
from analyzer.lexicon.loader import Category
from analyzer.lexicon.palette import Colors, colors_of
from analyzer.ui import cards, highlight
from analyzer.ui.analysis import MAX_PASTE_CHARS
from analyzer.ui.lexicon_view import shown_name, write_uploads

# Limits of one run. A browser upload is held in memory (by Streamlit, and
# again as records with their text), and the run blocks its session, so they
# are far below the command line's: larger collections belong in
# ``allyship batch``, which streams from disk and can resume.
MAX_FILE_MB = 10
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024
MAX_TOTAL_MB = 25
MAX_TOTAL_BYTES = MAX_TOTAL_MB * 1024 * 1024
MAX_FILES = 200
# Documents per chunk: the progress bar moves and the shared lock is released after each.
CHUNK_DOCUMENTS = 32
# The document view draws the text as HTML; past this many characters a browser tab struggles.
MAX_VIEW_CHARS = MAX_PASTE_CHARS
MAX_VIEW_CHOICES = 1_000

UPLOAD_TYPES = tuple(sorted({suffix.lstrip(".") for suffix in KINDS}))
TABLE_TYPES = frozenset(TABLE_SUFFIXES)
NO_ID = "\x00no id column"  # a column name no table can have (the readers refuse NUL bytes)
RESULT_COLUMNS = ("#", "document", "file", "flags", "categories", "problem")
SHOW_CHOICES = {"all": "All documents", "flagged": "Flagged", "errors": "Could not be read"}

Upload = tuple[str, bytes]  # (name as uploaded, content)
ProgressCallback = Callable[[int, int], None]  # (documents done, documents in all)


@dataclass(frozen=True)
class BatchOptions:
    """How to read tables and which flags to keep: everything besides the files that changes the result."""

    text_column: str = "text"
    id_column: str = "id"
    threshold: float = cards.DEFAULT_SENSITIVITY
    chunk_documents: int = CHUNK_DOCUMENTS
    # Per table upload (its name as uploaded): (text column, id column); others use the two above.
    columns: tuple[tuple[str, tuple[str, str]], ...] = ()


@dataclass(frozen=True)
class Downloads:
    """The three files a run offers, as bytes ready for ``st.download_button``."""

    jsonl: bytes
    csv: bytes
    html: bytes


@dataclass(frozen=True)
class BatchOutcome:
    """What the Analyze button of the Batch page produced: records and downloads, or a message."""

    key: str
    records: list[dict[str, Any]] = field(default_factory=list)
    downloads: Downloads | None = None
    error: str | None = None
    threshold: float = cards.DEFAULT_SENSITIVITY
    seconds: float = 0.0
    colors: Mapping[str, str] = field(default_factory=dict)  # of the analyzer's lexicon (analyzer.lexicon.palette)


@dataclass(frozen=True)
class DocumentView:
    """One document as the page shows it: highlighted text, cards, and what was left out."""

    summary: str
    html: str
    cards: tuple[str, ...]
    shown_chars: int
    total_chars: int
    hidden_flags: int


# -- before the run ------------------------------------------------------------------


def limits_text() -> str:
    """The limits in one sentence, for the page (said before anyone uploads)."""
    return (
        f"Up to {MAX_FILES} files, {MAX_FILE_MB} MB each and {MAX_TOTAL_MB} MB in all. For larger collections, "
        "run `allyship batch` on the folder. The files are analyzed on this machine and not stored."
    )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def upload_problems(
    uploads: Sequence[Upload],
    *,
    max_file_bytes: int | None = None,
    max_total_bytes: int | None = None,
    max_files: int | None = None,
) -> list[str]:
    """Why these uploads cannot be analyzed together; empty when they can.

    Checked here, before anything is written or read, even though the upload
    widget has its own per-file limit: the widget's check runs in the browser,
    and the total is not the widget's to know.
    """
    max_file_bytes = MAX_FILE_BYTES if max_file_bytes is None else max_file_bytes
    max_total_bytes = MAX_TOTAL_BYTES if max_total_bytes is None else max_total_bytes
    max_files = MAX_FILES if max_files is None else max_files
    problems = []
    if len(uploads) > max_files:
        problems.append(f"{len(uploads)} files were uploaded; at most {max_files} can be analyzed at once.")
    for name, data in uploads:
        if len(data) > max_file_bytes:
            problems.append(f"{shown_name(name)} is {_mb(len(data))}, over the limit of {_mb(max_file_bytes)} a file.")
    total = sum(len(data) for _, data in uploads)
    if total > max_total_bytes:
        problems.append(
            f"The files add up to {_mb(total)}, over the limit of {_mb(max_total_bytes)} in all: "
            "analyze them in smaller groups, or run `allyship batch` on them."
        )
    return problems


def has_tables(uploads: Sequence[Upload]) -> bool:
    """Whether any upload is a table (CSV, TSV, JSONL, JSON), where a text column must be chosen."""
    return any(Path(shown_name(name)).suffix.lower() in TABLE_TYPES for name, _ in uploads)


def table_columns(uploads: Sequence[Upload], sample_rows: int = 50) -> dict[str, int]:
    """The column (or field) names of the table uploads, in the order first seen, with their sample's length.

    Only a header and the first ``sample_rows`` rows or objects are looked at;
    the number is how many characters of text the column holds in them (what
    :func:`default_columns` guesses the text column from). A table that cannot
    be read offers no columns here and becomes an error record when the run
    reads it.
    """
    found: dict[str, int] = {}
    for name, data in uploads:
        suffix = Path(shown_name(name)).suffix.lower()
        if suffix not in TABLE_TYPES:
            continue
        try:
            text, _note = decode(data)
            columns = _sample_columns(TABLE_SUFFIXES[suffix], text, sample_rows)
        except Exception:  # the reader says what is wrong when the run reaches this file
            continue
        for column, chars in columns.items():
            if column:
                found[column] = found.get(column, 0) + chars
    return found


def columns_per_table(uploads: Sequence[Upload], sample_rows: int = 50) -> dict[str, dict[str, int]]:
    """Per table upload (by its name as uploaded), its own columns as :func:`table_columns` samples them.

    Each table gets its own text and id column on the page: a CSV with
    ``answer`` and a JSONL with ``text`` uploaded together are both read.
    """
    return {name: table_columns([(name, data)], sample_rows) for name, data in uploads if _is_table(name)}


def _is_table(name: str) -> bool:
    return Path(shown_name(name)).suffix.lower() in TABLE_TYPES


def _sample_columns(kind: str, text: str, sample_rows: int) -> dict[str, int]:
    """``{column: characters of string values in the sample}`` of one table."""
    rows: list[dict[str, Any]] = []
    if kind in ("csv", "tsv"):
        import csv

        reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if kind == "tsv" else ",")
        header = [cell.strip() for cell in next((r for r in reader if any(c.strip() for c in r)), [])]
        for row in reader:
            if len(rows) >= sample_rows:
                break
            rows.append(dict(zip(header, row, strict=False)))
        columns = dict.fromkeys(header, 0)
    else:
        if kind == "jsonl":
            objects = []
            for line in text.split("\n"):
                if line.strip():
                    objects.append(json.loads(line))
                if len(objects) >= sample_rows:
                    break
        else:
            data = json.loads(text)
            objects = data[:sample_rows] if isinstance(data, list) else []
        rows = [obj for obj in objects if isinstance(obj, dict)]
        columns = {str(k): 0 for obj in rows for k in obj}
    for row in rows:
        for key, value in row.items():
            if isinstance(value, str):
                columns[str(key)] = columns.get(str(key), 0) + len(value)
    return columns


def default_columns(columns: Mapping[str, int] | Sequence[str]) -> tuple[str, str]:
    """The text and id columns to preselect.

    ``text`` and ``id`` when present (the command line's defaults). Without a
    ``text`` column, the column holding the most text in the sample: ids and
    dates are short, comments are long (``ref,comment`` picks ``comment``).
    """
    lengths = dict(columns) if isinstance(columns, Mapping) else dict.fromkeys(columns, 0)
    id_column = "id" if "id" in lengths else NO_ID
    if "text" in lengths or not lengths:
        return "text", id_column
    return max(lengths, key=lambda c: (lengths[c], c != "id")), id_column  # ties: the first column not 'id'


def uploads_key(uploads: Sequence[Upload], options: BatchOptions, model: str | None = None) -> str:
    """A short hash of everything the result depends on: names, contents, options and model.

    The page keeps one run's results under this key and shows them only while
    the key still matches, so a changed file or setting never shows stale results.
    """
    digest = hashlib.sha256()
    for name, data in uploads:
        digest.update(name.encode("utf-8", "surrogatepass") + b"\0" + hashlib.sha256(data).digest())
    settings = (options.text_column, options.id_column, options.columns, round(options.threshold, 4), model)
    digest.update(repr(settings).encode())
    return digest.hexdigest()[:16]


# -- the run ---------------------------------------------------------------------------


class _TakingTurns:
    """The shared analyzer, shaped for :func:`analyzer.io.batch.run_batch`, one chunk per call.

    No lock is held: one ``Analyzer`` serves every session's thread at once
    (it keeps no per-call state between calls), so a long batch in one
    session never makes a paste in another wait for it.
    """

    def __init__(self, analyzer: Any) -> None:
        self._analyzer = analyzer
        self.max_chars = getattr(analyzer, "max_chars", None)

    def analyze_many(self, texts: list[str], batch_size: int = CHUNK_DOCUMENTS) -> list[Any]:
        return list(self._analyzer.analyze_many(texts, batch_size=batch_size))

    def analyze(self, text: str) -> Any:
        return self._analyzer.analyze(text)

    def settings(self) -> dict[str, Any]:
        return dict(self._analyzer.settings())


def unique_names(names: Sequence[str]) -> list[str]:
    """The names shown for the uploads, made distinct: a second ``notes.txt`` is ``notes.txt (2)``."""
    counts: Counter[str] = Counter()
    out = []
    for name in names:
        counts[name] += 1
        out.append(name if counts[name] == 1 else f"{name} ({counts[name]})")
    return out


def run_batch(
    uploads: Sequence[Upload],
    analyzer: Any,
    progress: ProgressCallback | None = None,
    options: BatchOptions = BatchOptions(),
) -> list[dict[str, Any]]:
    """Analyze the uploads with the library's batch engine; one record per document, in upload order.

    Records are those of ``allyship batch --threshold T`` with the uploaded
    names in place of paths. Each table is read with its own text and id
    columns (``options.columns``, else the run's defaults): uploads sharing
    columns go to the engine together. ``progress(done, total)`` is called at
    the start and after every chunk. Raises :class:`AnalyzerError` when the
    uploads break a limit; an unreadable file is an error record, not an exception.
    """
    from analyzer.io.batch import BatchConfig
    from analyzer.io.batch import run_batch as engine_run_batch
    from analyzer.io.readers import count_documents, discover

    problems = upload_problems(uploads)
    if problems:
        raise AnalyzerError(problems[0])
    found: list[tuple[int, int, dict[str, Any]]] = []  # (upload index, order, record)
    with tempfile.TemporaryDirectory(prefix="allyship-batch-") as tmp:
        written = write_uploads(Path(tmp) / "uploads", uploads)
        shown = unique_names([name for _, name in written])
        names = {os.path.abspath(path): name for (path, _), name in zip(written, shown, strict=True)}
        index_of = {name: i for i, name in enumerate(shown)}
        per_upload = dict(options.columns)
        groups: dict[tuple[str, str], list[str]] = {}
        for (path, _), (uploaded, _data) in zip(written, uploads, strict=True):
            columns = per_upload.get(uploaded, (options.text_column, options.id_column))
            groups.setdefault(columns, []).append(os.path.abspath(path))
        configs = [
            BatchConfig(
                inputs=paths,
                out=Path(tmp) / f"results-{number}.jsonl",
                batch_size=max(1, options.chunk_documents),
                text_column=text_column,
                id_column=id_column,
                max_bytes=MAX_FILE_BYTES,
                include_text=True,
                quiet=True,
            )
            for number, ((text_column, id_column), paths) in enumerate(groups.items())
        ]
        total = sum(count_documents(discover(c.inputs), c.read_options) for c in configs)
        if progress is not None:
            progress(0, total)

        def on_record(record: dict[str, Any]) -> None:
            renamed = apply_threshold(rename_record(record, names), options.threshold)
            source = str(renamed.get("source") or "")
            found.append((index_of.get(source, len(shown)), len(found), renamed))
            step = max(1, options.chunk_documents)
            if progress is not None and (len(found) % step == 0 or len(found) >= total):
                progress(len(found), max(total, len(found)))

        for config in configs:
            engine_run_batch(_TakingTurns(analyzer), config, stream=io.StringIO(), on_record=on_record)
    return [record for _, _, record in sorted(found, key=lambda entry: entry[:2])]


def rename_record(record: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """The record with every temporary path (in id, source, key and error message) replaced by the upload's name."""
    out = dict(record)
    for field_name in ("id", "source", "key"):
        value = out.get(field_name)
        if isinstance(value, str):
            head, sep, tail = value.partition("#")  # safe names have no '#': what follows is a row number
            if head in names:
                out[field_name] = names[head] + sep + tail
    error = out.get("error")
    if error and isinstance(error.get("message"), str):
        message = error["message"]
        for path, name in names.items():
            message = message.replace(path, name)
        out["error"] = {**error, "message": message}
    return out


def apply_threshold(record: dict[str, Any], threshold: float) -> dict[str, Any]:
    """The record as an analyzer at ``threshold`` writes it: weaker flags dropped, summary and notes to match.

    The page's analyzer runs at :data:`analyzer.ui.cards.SENSITIVITY_FLOOR`
    (one pipeline serves every sensitivity). A flag's score does not depend on
    the threshold, so keeping the flags that reach it, recounting the summary
    and restating the threshold step gives the records the command line would.
    """
    if record.get("error"):
        return record
    kept = [
        replace(
            flag,
            history=tuple(
                ScoreStep(step.step, step.score, f"kept: score {step.score:.2f} >= threshold {threshold:.2f}")
                if step.step == "threshold"
                else step
                for step in flag.history
            ),
        )
        for flag in record_flags(record)
        if flag.score >= threshold
    ]
    return with_flags(record, kept)


def build_downloads(
    records: Sequence[dict[str, Any]],
    *,
    source: str = "",
    title: str = "Allyship batch report",
    categories: Mapping[str, Category] | None = None,
) -> Downloads:
    """The JSONL and CSV of ``allyship batch`` and the HTML of ``allyship report``, as bytes.

    The two tables are written by the library's own writers into a temporary
    folder (so they are byte for byte what the command line writes); the
    report is rendered from the records, naming ``source`` and not that folder,
    with the labels and colours of ``categories`` (the analyzer's lexicon's).
    """
    from analyzer.io.report import collect, render
    from analyzer.io.writers import open_writer

    contents: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory(prefix="allyship-export-") as tmp:
        for name in ("results.jsonl", "results.csv"):
            path = Path(tmp) / name
            writer = open_writer(path, append=False)
            try:
                for record in records:
                    writer.write(record)
            finally:
                writer.close()
            contents[name] = path.read_bytes()
    page = render(collect(records), title=title, source=source, categories=categories)
    return Downloads(contents["results.jsonl"], contents["results.csv"], page.encode("utf-8"))


def source_label(uploads: Sequence[Upload], limit: int = 5) -> str:
    """'3 uploaded files: a.txt, b.csv, c.pdf' for the report's header line."""
    names = [shown_name(name) for name, _ in uploads]
    listed = ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")
    return f"{len(names)} uploaded file{'s' if len(names) != 1 else ''}: {listed}"


def analyze_uploads(
    uploads: Sequence[Upload],
    analyzer: Any,
    options: BatchOptions = BatchOptions(),
    *,
    key: str = "",
    progress: ProgressCallback | None = None,
) -> BatchOutcome:
    """Run and export; every failure becomes a one-line message for the page, never a traceback."""
    started = time.monotonic()
    try:
        records = run_batch(uploads, analyzer, progress, options)
        categories = analyzer.lexicon.categories
        downloads = build_downloads(records, source=source_label(uploads), categories=categories)
    except AnalyzerError as exc:
        return BatchOutcome(key, error=f"The files could not be analyzed: {exc}", threshold=options.threshold)
    except Exception as exc:  # a bug, not the user's fault: still no traceback in their page
        return BatchOutcome(
            key,
            error=f"Something went wrong while analyzing the files ({type(exc).__name__}: {exc}).",
            threshold=options.threshold,
        )
    seconds = time.monotonic() - started
    return BatchOutcome(key, records, downloads, None, options.threshold, seconds, colors_of(categories))


# -- the results ---------------------------------------------------------------------


def _labels(records: Sequence[dict[str, Any]]) -> dict[str, str]:
    return {f.category: f.label or f.category for r in records for f in record_flags(r)}


def category_options(records: Sequence[dict[str, Any]]) -> dict[str, str]:
    """The categories flagged anywhere, id -> label, ordered by label for a stable filter."""
    return dict(sorted(_labels(records).items(), key=lambda item: item[1].lower()))


def summary_text(records: Sequence[dict[str, Any]]) -> str:
    """'12 documents: 5 flagged (9 flags), 1 could not be read'."""
    errors = sum(1 for r in records if r.get("error"))
    flagged = [r for r in records if r.get("flags")]
    flags = sum(len(r["flags"]) for r in flagged)
    parts = [f"{len(records):,} document{'s' if len(records) != 1 else ''}: {len(flagged):,} flagged"]
    if flagged:
        parts[0] += f" ({flags:,} flag{'s' if flags != 1 else ''})"
    if errors:
        parts.append(f"{errors:,} could not be read")
    return ", ".join(parts)


def filter_records(
    records: Sequence[dict[str, Any]], categories: Collection[str] | None = None, show: str = "all"
) -> list[int]:
    """Indices of the records to list: of ``show`` (all, flagged, errors), with a flag in ``categories``.

    An empty or missing ``categories`` does not filter by category; a category
    filter keeps only documents with at least one flag of a chosen category.
    """
    if show not in SHOW_CHOICES:
        raise ValueError(f"show must be one of {', '.join(SHOW_CHOICES)}, not {show!r}")
    wanted = set(categories or ())
    kept = []
    for index, record in enumerate(records):
        flags = record.get("flags") or []
        if show == "flagged" and not flags:
            continue
        if show == "errors" and not record.get("error"):
            continue
        if wanted and not any(f.category in wanted for f in record_flags(record)):
            continue
        kept.append(index)
    return kept


def results_rows(records: Sequence[dict[str, Any]], indices: Sequence[int] | None = None) -> list[dict[str, Any]]:
    """One table row per document (the columns of :data:`RESULT_COLUMNS`); ``#`` counts from 1."""
    labels = _labels(records)
    rows = []
    for index in range(len(records)) if indices is None else indices:
        record = records[index]
        counts = Counter(f.category for f in record_flags(record))
        error = record.get("error")
        problem = f"{error.get('type', 'error')}: {error.get('message', '')}" if error else ""
        notes = [n for n in (record.get("note"), record.get("encoding_note")) if n]
        rows.append(
            {
                "#": index + 1,
                "document": str(record.get("id", "")),
                "file": str(record.get("source", "")),
                "flags": sum(counts.values()),
                "categories": ", ".join(f"{n} {labels[c]}" for c, n in counts.most_common()),
                "problem": problem or "; ".join(notes),
            }
        )
    return rows


def flag_counts(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Flags per category over all records, most first: ``{"category", "label", "flags"}`` rows for the chart."""
    counts = Counter(f.category for r in records for f in record_flags(r))
    labels = _labels(records)
    return [
        {"category": c, "label": labels[c], "flags": n}
        for c, n in sorted(counts.items(), key=lambda item: (-item[1], labels[item[0]].lower()))
    ]


def category_chart(counts: Sequence[dict[str, Any]], colors: Colors) -> Any:
    """An Altair bar chart of :func:`flag_counts`, each bar in its category's highlight color.

    The height is a step per bar: a fixed pixel height drew no bars at all
    inside Streamlit's stretched layout (seen in Chromium, Streamlit 1.67).
    """
    import altair as alt

    labels = [row["label"] for row in counts]
    bar_colors = [highlight.color_for(row["category"], colors) for row in counts]
    return (
        alt.Chart(alt.Data(values=list(counts)), title="Flags per category")
        .mark_bar(stroke="#555555", strokeWidth=0.5)
        .encode(
            x=alt.X("flags:Q", title="Flags", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("label:N", title=None, sort=labels, axis=alt.Axis(labelLimit=320)),
            color=alt.Color("label:N", scale=alt.Scale(domain=labels, range=bar_colors), legend=None),
            tooltip=[alt.Tooltip("label:N", title="Category"), alt.Tooltip("flags:Q", title="Flags")],
        )
        .properties(height=alt.Step(28))
    )


def viewable(records: Sequence[dict[str, Any]], indices: Sequence[int], limit: int = MAX_VIEW_CHOICES) -> list[int]:
    """The documents among ``indices`` that have a text to show (errors have none), flagged ones first."""
    with_text = [i for i in indices if isinstance(records[i].get("text"), str)]
    with_text.sort(key=lambda i: not records[i].get("flags"))  # stable: input order within each group
    return with_text[:limit]


def document_label(record: dict[str, Any], number: int) -> str:
    """How a document is named in the picker: '1. notes.txt (3 flags)', '2. 17 in survey.csv (1 flag)'.

    ``number`` is the row's ``#`` in the results table. A row of a table is
    named by its id and its file, since an id alone ("17") says little.
    """
    count = len(record.get("flags") or [])
    doc_id, source = str(record.get("id", "")), str(record.get("source", ""))
    name = doc_id if doc_id == source or doc_id.startswith(f"{source}#") else f"{doc_id} in {source}"
    return f"{number}. {name} ({count} flag{'s' if count != 1 else ''})"


def document_view(
    record: dict[str, Any],
    threshold: float,
    colors: Colors,
    max_chars: int = MAX_VIEW_CHARS,
    max_cards: int = cards.MAX_CARDS,
) -> DocumentView:
    """The document's text with its flags highlighted, and one card per flag, as escaped HTML.

    The same helpers as the Analyze page (:func:`highlight.highlight_html`,
    :func:`highlight.card_html`), so a flag looks the same on both pages. A
    text longer than ``max_chars`` is shown up to there, with the flags inside
    that part; the downloads hold the whole.
    """
    text = record.get("text") or ""
    flags = record_flags(record)
    shown = text[:max_chars]
    inside = [f for f in flags if f.end <= len(shown)]
    card_html = tuple(highlight.card_html(c, colors) for c in cards.cards_for(inside, text, threshold, max_cards))
    return DocumentView(
        summary=cards.summary_text(flags),
        html=highlight.highlight_html(shown, inside, colors=colors),
        cards=card_html,
        shown_chars=len(shown),
        total_chars=len(text),
        hidden_flags=len(flags) - len(card_html),
    )
