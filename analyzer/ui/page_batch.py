"""The Batch page: upload files and tables, analyze them all, browse the results and download them.

Layout only; the run, the records and the downloads live in :mod:`analyzer.ui.batch_view`.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from analyzer.ui import batch_view, cards
from analyzer.ui.cards import md_escape
from analyzer.ui.state import Keys, bullets, load_analyzer


def render() -> None:
    st.header("Analyze many documents")
    st.markdown(
        "Upload text, Markdown, HTML, Word (.docx) or PDF files, one document each, or tables (CSV, TSV, "
        "JSON Lines, JSON), one document per row. Each document gets a row in the results; a file that "
        "cannot be read gets a row that says why."
    )
    st.caption(batch_view.limits_text())
    files = st.file_uploader(
        "Files to analyze",
        type=list(batch_view.UPLOAD_TYPES),
        accept_multiple_files=True,
        key=Keys.BATCH_UPLOAD,
        max_upload_size=batch_view.MAX_FILE_MB,
    )
    if not files:
        return
    uploads = [(f.name, f.getvalue()) for f in files]
    problems = batch_view.upload_problems(uploads)
    if problems:
        st.error("These files cannot be analyzed together:\n\n" + bullets([md_escape(p) for p in problems]))
        return
    loaded = load_analyzer()
    if loaded is None:
        return
    options = batch_options(uploads)
    key = batch_view.uploads_key(uploads, options, loaded.model)
    if st.button("Analyze the files", type="primary", key=Keys.BATCH_RUN):
        bar = st.progress(0.0, text="Reading the files…")

        def progress(done: int, total: int) -> None:
            bar.progress(done / total if total else 1.0, text=f"{done:,} of {total:,} documents analyzed")

        st.session_state[Keys.BATCH_OUTCOME] = batch_view.analyze_uploads(
            uploads, loaded.analyzer, options, key=key, progress=progress
        )
    outcome: batch_view.BatchOutcome | None = st.session_state.get(Keys.BATCH_OUTCOME)
    if outcome is None:
        return
    if outcome.key != key:
        st.info("The files or settings have changed since the last run; click Analyze the files to update.")
        return
    show_batch(outcome)


def batch_options(uploads: list[batch_view.Upload]) -> batch_view.BatchOptions:
    """The run's settings: each table's own text and id column, and the sensitivity."""
    chosen: list[tuple[str, tuple[str, str]]] = []
    for name, sampled in batch_view.columns_per_table(uploads).items():
        columns = list(sampled)
        default_text, default_id = batch_view.default_columns(sampled)
        texts = columns or [default_text]
        ids = [batch_view.NO_ID, *columns]
        tag = hashlib.sha256(("\0".join([name, *columns])).encode()).hexdigest()[:8]  # per table and its columns
        left, right = st.columns(2)
        text_column = left.selectbox(
            f"Text column of {name}",
            texts,
            index=texts.index(default_text) if default_text in texts else 0,
            key=f"{Keys.BATCH_TEXT_COLUMN_}{tag}",
        )
        id_column = right.selectbox(
            f"Id column of {name}",
            ids,
            index=ids.index(default_id) if default_id in ids else 0,
            format_func=lambda c: "(none: number the rows)" if c == batch_view.NO_ID else c,
            key=f"{Keys.BATCH_ID_COLUMN_}{tag}",
        )
        chosen.append((name, (text_column, id_column)))
    threshold = st.slider(
        "Sensitivity: minimum score",
        min_value=cards.SENSITIVITY_FLOOR,
        max_value=1.0,
        value=cards.DEFAULT_SENSITIVITY,
        step=0.05,
        key=Keys.BATCH_SENSITIVITY,
        help="Flags scoring below this are left out of the results and the downloads.",
    )
    return batch_view.BatchOptions(threshold=threshold, columns=tuple(chosen))


def show_batch(outcome: batch_view.BatchOutcome) -> None:
    if outcome.error is not None or outcome.downloads is None:
        st.error(md_escape(outcome.error or "The files could not be analyzed."))  # it names the user's files
        return
    records = outcome.records
    st.subheader(batch_view.summary_text(records))
    st.caption(f"Analyzed in {outcome.seconds:.1f} s, at sensitivity {outcome.threshold:.2f}.")
    counts = batch_view.flag_counts(records)
    if counts:
        st.altair_chart(batch_view.category_chart(counts, outcome.colors), width="stretch")
    options = batch_view.category_options(records)
    left, right = st.columns([3, 2])
    chosen = left.multiselect(
        "Documents with flags in",
        list(options),
        format_func=options.__getitem__,
        key=f"{Keys.BATCH_CATEGORIES_}{outcome.key}",
        placeholder="any category",
    )
    show = right.radio(
        "Show",
        list(batch_view.SHOW_CHOICES),
        format_func=batch_view.SHOW_CHOICES.__getitem__,
        horizontal=True,
        key=f"{Keys.BATCH_SHOW_}{outcome.key}",
    )
    indices = batch_view.filter_records(records, chosen, show)
    if indices:
        st.dataframe(batch_view.results_rows(records, indices), hide_index=True, column_order=batch_view.RESULT_COLUMNS)
    else:
        st.info("No document matches these filters.")
    st.caption(f"{len(indices):,} of {len(records):,} documents")
    show_document(outcome, indices)
    show_downloads(outcome.downloads)


def show_document(outcome: batch_view.BatchOutcome, indices: list[int]) -> None:
    records = outcome.records
    choices = batch_view.viewable(records, indices)
    if not choices:
        return
    st.subheader("One document")
    index = st.selectbox(
        "Document",
        choices,
        format_func=lambda i: batch_view.document_label(records[i], i + 1),
        key=f"{Keys.BATCH_DOCUMENT_}{outcome.key}",
    )
    view = batch_view.document_view(records[index], outcome.threshold, outcome.colors)
    st.markdown(f"**{md_escape(view.summary)}**")
    if view.shown_chars < view.total_chars:
        st.caption(
            f"The first {view.shown_chars:,} of {view.total_chars:,} characters are shown; the downloads have all."
        )
    st.markdown(view.html, unsafe_allow_html=True)
    for number, card in enumerate(view.cards, start=1):
        with st.container(border=True, key=f"{Keys.BATCH_CARD_}{number}"):
            st.markdown(card, unsafe_allow_html=True)
    if view.hidden_flags:
        st.caption(f"{view.hidden_flags} more flag{'s' if view.hidden_flags != 1 else ''} in the downloads.")


def show_downloads(downloads: batch_view.Downloads) -> None:
    st.subheader("Download")
    st.caption(
        "The same files as `allyship batch` (JSON Lines, or CSV with one row per flag) and `allyship report` "
        "(a self-contained page without scripts)."
    )
    columns = st.columns(3)
    files = [
        ("Results (JSON Lines)", downloads.jsonl, "allyship-results.jsonl", "application/jsonl", Keys.BATCH_JSONL),
        ("Results (CSV)", downloads.csv, "allyship-results.csv", "text/csv", Keys.BATCH_CSV),
        ("Report (HTML)", downloads.html, "allyship-report.html", "text/html", Keys.BATCH_HTML),
    ]
    for column, (label, data, name, mime, key) in zip(columns, files, strict=True):
        column.download_button(label, data, file_name=name, mime=mime, key=key, on_click="ignore")
