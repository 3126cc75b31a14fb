"""The allyship analyzer's Streamlit app: layout only.

Start it with ``allyship app`` (or ``streamlit run app.py``). Every decision
(what is escaped, what a card says, which flags a filter keeps, the input
limits, the check of an uploaded lexicon, how uploads become batch records,
which model folders may be loaded) lives in :mod:`analyzer.ui`, where it is
tested without Streamlit; this file only places widgets around it.

HTML is rendered in one way only: ``st.markdown(..., unsafe_allow_html=True)``
on strings built by :mod:`analyzer.ui.highlight`, which escapes every piece
of user text. Everything else goes through Streamlit's own escaping.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable

import streamlit as st

from analyzer.errors import AnalyzerError, LexiconError
from analyzer.ui import about, batch_view, cache, cards, highlight, lexicon_view, retraining_view
from analyzer.ui.analysis import MAX_PASTE_CHARS, AnalysisOutcome, LoadedAnalyzer, run_analysis
from analyzer.ui.cards import md_escape

st.set_page_config(page_title="Allyship analyzer", page_icon="🤝", layout="wide")


# -- shared -------------------------------------------------------------------


def session_model() -> retraining_view.TrainedModel | None:
    """The model this session chose on the Retraining page, if it still may be loaded."""
    chosen = st.session_state.get("session_model")
    if chosen is not None and not retraining_view.is_trained_here(chosen.folder):
        return None
    return chosen


def session_analyzer() -> LoadedAnalyzer:
    """The cached analyzer of this session: the default one, or the model it trained and chose."""
    lexicons, model = retraining_view.analyzer_settings(session_model())
    return cache.analyzer(lexicons, model)


def load_analyzer() -> LoadedAnalyzer | None:
    """The session's cached analyzer, or ``None`` after explaining in the page why it did not load."""
    try:
        return session_analyzer()
    except LexiconError as exc:
        st.error("The lexicons could not be loaded. Fix these problems, then reload the page:")
        st.code("\n".join(lexicon_view.problem_lines(exc.problems)), language=None)
    except AnalyzerError as exc:
        st.error(f"The analyzer could not start: {exc}")
    return None


def bullets(lines: list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)


# -- Analyze ------------------------------------------------------------------


def analyze_page() -> None:
    st.header("Analyze a text")
    st.markdown(
        "Paste an email, a chat message or a comment. Wording that tends to silence or shame people who raise "
        "harassment is highlighted, with why it lands badly, what to say instead, and what an ally can do."
    )
    loaded = load_analyzer()
    if loaded is None:
        return
    if loaded.warning:
        st.warning(loaded.warning)
    chosen = session_model()
    if chosen is not None:
        st.caption(f"Using {chosen.label}, trained on the Retraining page for this session only.")
    text = st.text_area(
        "Text to analyze", key="paste", height=180, placeholder="Man up, and calm down, it was just a joke."
    )
    st.caption(f"Up to {MAX_PASTE_CHARS:,} characters. The text is analyzed on this machine and not stored.")
    if st.button("Analyze", type="primary", key="analyze"):
        st.session_state["outcome"] = run_analysis(loaded.analyzer, text)
    outcome: AnalysisOutcome | None = st.session_state.get("outcome")
    if outcome is None:
        return
    if outcome.error is not None or outcome.result is None:
        st.error(outcome.error or "The text could not be analyzed.")
        return
    if outcome.text != text:
        st.info("The text has changed since it was analyzed; click Analyze to update the flags.")
    show_result(outcome)


def show_result(outcome: AnalysisOutcome) -> None:
    assert outcome.result is not None
    flags = outcome.result.flags
    if not flags:
        st.subheader(cards.summary_text(flags))
        st.info(
            "Nothing in this text was flagged. That is not a verdict either: the analyzer only knows its "
            "lexicons and model, so read it once more with the strategies on the About page in mind."
        )
        return
    summary = st.container()
    options = cards.category_options(flags)
    left, right = st.columns([3, 2])
    chosen = left.multiselect(
        "Categories", list(options), default=list(options), format_func=options.__getitem__, key=f"cats-{outcome.key}"
    )
    threshold = right.slider(
        "Sensitivity: minimum score",
        min_value=cards.SENSITIVITY_FLOOR,
        max_value=1.0,
        value=cards.DEFAULT_SENSITIVITY,
        step=0.05,
        key="sensitivity",
        help="Lower it to see weaker findings too; raise it to see only the clearest.",
    )
    above = cards.filter_flags(flags, threshold=threshold)
    shown = cards.filter_flags(above, categories=set(chosen))
    with summary:
        st.subheader(cards.summary_text(above))
        hidden = len(flags) - len(above)
        if hidden:
            st.caption(f"{hidden} weaker finding{'s' if hidden != 1 else ''} below the sensitivity threshold hidden.")
        if len(shown) < len(above):
            st.caption(f"Showing {len(shown)} of {len(above)} (category filter).")
    if not above:
        st.info("Nothing reaches this sensitivity threshold; lower it to see weaker findings.")
        return
    st.markdown(highlight.highlight_html(outcome.text, shown), unsafe_allow_html=True)
    legend = [(cat, label) for cat, label in options.items() if cat in set(chosen)]
    st.markdown(highlight.legend_html(legend), unsafe_allow_html=True)
    st.caption("The small numbers in the text match the numbered cards below.")
    for card in cards.cards_for(shown, outcome.text, threshold):
        show_card(card)
    if len(shown) > cards.MAX_CARDS:
        st.caption(f"The first {cards.MAX_CARDS} of {len(shown)} cards are shown; narrow the filters to see others.")


def show_card(card: cards.FlagCard) -> None:
    with st.container(border=True, key=f"flag-card-{card.number}"):
        st.markdown(highlight.card_html(card), unsafe_allow_html=True)


# -- Batch --------------------------------------------------------------------


def batch_page() -> None:
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
        key="batch_upload",
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
    if st.button("Analyze the files", type="primary", key="batch_run"):
        bar = st.progress(0.0, text="Reading the files…")

        def progress(done: int, total: int) -> None:
            bar.progress(done / total if total else 1.0, text=f"{done:,} of {total:,} documents analyzed")

        st.session_state["batch_outcome"] = batch_view.analyze_uploads(
            uploads, loaded.analyzer, options, key=key, progress=progress
        )
    outcome: batch_view.BatchOutcome | None = st.session_state.get("batch_outcome")
    if outcome is None:
        return
    if outcome.key != key:
        st.info("The files or settings have changed since the last run; click Analyze the files to update.")
        return
    show_batch(outcome)


def batch_options(uploads: list[batch_view.Upload]) -> batch_view.BatchOptions:
    """The run's settings: the columns of the tables (when there are tables) and the sensitivity."""
    text_column, id_column = "text", "id"
    if batch_view.has_tables(uploads):
        sampled = batch_view.table_columns(uploads)
        columns = list(sampled)
        default_text, default_id = batch_view.default_columns(sampled)
        texts = columns or [default_text]
        ids = [batch_view.NO_ID, *columns]
        tag = hashlib.sha256("\0".join(columns).encode()).hexdigest()[:8]  # new columns, fresh pickers
        left, right = st.columns(2)
        text_column = left.selectbox(
            "Text column of the tables", texts, index=texts.index(default_text), key=f"batch_text_column-{tag}"
        )
        id_column = right.selectbox(
            "Id column of the tables",
            ids,
            index=ids.index(default_id),
            format_func=lambda c: "(none: number the rows)" if c == batch_view.NO_ID else c,
            key=f"batch_id_column-{tag}",
        )
    threshold = st.slider(
        "Sensitivity: minimum score",
        min_value=cards.SENSITIVITY_FLOOR,
        max_value=1.0,
        value=cards.DEFAULT_SENSITIVITY,
        step=0.05,
        key="batch_sensitivity",
        help="Flags scoring below this are left out of the results and the downloads.",
    )
    return batch_view.BatchOptions(text_column=text_column, id_column=id_column, threshold=threshold)


def show_batch(outcome: batch_view.BatchOutcome) -> None:
    if outcome.error is not None or outcome.downloads is None:
        st.error(md_escape(outcome.error or "The files could not be analyzed."))  # it names the user's files
        return
    records = outcome.records
    st.subheader(batch_view.summary_text(records))
    st.caption(f"Analyzed in {outcome.seconds:.1f} s, at sensitivity {outcome.threshold:.2f}.")
    counts = batch_view.flag_counts(records)
    if counts:
        st.altair_chart(batch_view.category_chart(counts), width="stretch")
    options = batch_view.category_options(records)
    left, right = st.columns([3, 2])
    chosen = left.multiselect(
        "Documents with flags in",
        list(options),
        format_func=options.__getitem__,
        key=f"batch_categories-{outcome.key}",
        placeholder="any category",
    )
    show = right.radio(
        "Show",
        list(batch_view.SHOW_CHOICES),
        format_func=batch_view.SHOW_CHOICES.__getitem__,
        horizontal=True,
        key=f"batch_show-{outcome.key}",
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
        key=f"batch_document-{outcome.key}",
    )
    view = batch_view.document_view(records[index], outcome.threshold)
    st.markdown(f"**{md_escape(view.summary)}**")
    if view.shown_chars < view.total_chars:
        st.caption(
            f"The first {view.shown_chars:,} of {view.total_chars:,} characters are shown; the downloads have all."
        )
    st.markdown(view.html, unsafe_allow_html=True)
    for number, card in enumerate(view.cards, start=1):
        with st.container(border=True, key=f"batch-card-{number}"):
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
        ("Results (JSON Lines)", downloads.jsonl, "allyship-results.jsonl", "application/jsonl", "batch_jsonl"),
        ("Results (CSV)", downloads.csv, "allyship-results.csv", "text/csv", "batch_csv"),
        ("Report (HTML)", downloads.html, "allyship-report.html", "text/html", "batch_html"),
    ]
    for column, (label, data, name, mime, key) in zip(columns, files, strict=True):
        column.download_button(label, data, file_name=name, mime=mime, key=key, on_click="ignore")


# -- Lexicons -----------------------------------------------------------------


def lexicons_page() -> None:
    st.header("Lexicons")
    loaded = load_analyzer()
    if loaded is not None:
        lexicon = loaded.analyzer.lexicon
        rows = lexicon_view.rules_table(lexicon)
        st.markdown(
            f"{len(rows)} rules in {len(lexicon.categories)} categories. Search any column: a phrase, "
            "a rule id, a word of an explanation or a strategy."
        )
        left, right = st.columns([3, 2])
        query = left.text_input("Search the rules", key="rule_search")
        labels = sorted({row["category"] for row in rows})
        picked = right.multiselect("Categories", labels, key="rule_categories")
        found = lexicon_view.search_rows(rows, query, picked)
        if found:
            st.dataframe(found, hide_index=True, column_order=lexicon_view.TABLE_COLUMNS)
        else:
            st.info("No rule matches this search.")
        st.caption(f"{len(found)} of {len(rows)} rules")
    st.subheader("Check a lexicon file")
    st.markdown(
        "Upload one category file (YAML, as described in `lexicons/README.md`). It is checked like "
        "`allyship lexicon validate` does, together with the built-in lexicons and with every example run "
        "through the pipeline. It is read as text only and is not added to the analyzer."
    )
    upload = st.file_uploader(
        "Lexicon file",
        type=["yml", "yaml"],
        key="lexicon_upload",
        max_upload_size=max(1, lexicon_view.MAX_UPLOAD_BYTES // 1_000_000),
    )
    if upload is None:
        return
    data = upload.getvalue()
    digest = hashlib.sha256(upload.name.encode() + b"\0" + data).hexdigest()
    checked = st.session_state.get("lexicon_report")
    if checked is None or checked[0] != digest:
        with st.spinner("Checking the file and running its examples…"):
            checked = (digest, lexicon_view.validate_upload(upload.name, data))
        st.session_state["lexicon_report"] = checked
    report: lexicon_view.UploadReport = checked[1]
    if report.ok:
        st.success(md_escape(report.message))  # the message names the uploaded file: no Markdown from it
        if report.rows:
            st.dataframe(list(report.rows), hide_index=True, column_order=lexicon_view.TABLE_COLUMNS)
    else:
        st.error(md_escape(report.message))
        if report.problems:
            st.code("\n".join(report.problems), language=None)


# -- Retraining ---------------------------------------------------------------


def retraining_page() -> None:
    st.header("Retraining")
    st.markdown(
        "Teach the classifier new wording: upload lexicon files (new rules or a new category) and labeled "
        "examples, retrain, compare the new model's scores with the current one's, and try it on the Analyze "
        "page. The new model is used in this browser session only and is gone when the server stops."
    )
    st.caption(
        "Uploads are read as YAML and CSV/JSON Lines text only; a model is only ever loaded from a folder this "
        "server trained. Training takes from seconds to a few minutes, depending on the data; the page shows each "
        "step as it goes."
    )
    chosen = session_model()
    current = retraining_view.current_model(chosen)
    if current.metadata is None:
        st.markdown(f"**Current model:** no model. {md_escape(current.note)}")
    else:
        st.markdown(f"**Current model:** {md_escape(current.name)}")
    if chosen is not None and st.button("Go back to the default model", key="default_model"):
        del st.session_state["session_model"]
        st.rerun()

    st.subheader("1. Lexicon files (optional)")
    lexicon_files = st.file_uploader(
        "Lexicon files",
        type=["yml", "yaml"],
        accept_multiple_files=True,
        key="retrain_lexicons",
        max_upload_size=max(1, lexicon_view.MAX_UPLOAD_BYTES // 1_000_000),
    )
    lexicon_uploads = [(f.name, f.getvalue()) for f in lexicon_files or []]
    lexicon_report = checked_lexicons(lexicon_uploads)
    blocked = lexicon_report is not None and not lexicon_report.ok

    st.subheader("2. Labeled examples (optional)")
    st.markdown(
        "CSV or JSON Lines with a `text` and a `categories` column: category ids separated by commas, empty "
        "for a text that must not be flagged. An optional `split` column keeps `dev` and `test` rows out of "
        "training."
    )
    data_files = st.file_uploader(
        "Labeled examples",
        type=list(retraining_view.DATA_TYPES),
        accept_multiple_files=True,
        key="retrain_data",
        max_upload_size=retraining_view.MAX_DATA_MB,
    )
    data_uploads = [(f.name, f.getvalue()) for f in data_files or []]
    if data_uploads and blocked:
        st.warning("Fix the lexicon files first: the examples are checked against their categories.")
    data_reports = checked_data(data_uploads, lexicon_report) if data_uploads and not blocked else []
    blocked = blocked or any(not r.ok for r in data_reports)

    st.subheader("3. Retrain")
    st.caption(
        "Trains on the built-in lexicons and the project's corpus plus the files above, choosing each category's "
        "threshold by cross-validation, then fits on everything."
    )
    if st.button("Retrain", type="primary", key="retrain", disabled=blocked):
        st.session_state["retrain_outcome"] = run_retraining(lexicon_uploads, data_uploads, current)
    outcome: retraining_view.RetrainOutcome | None = st.session_state.get("retrain_outcome")
    if outcome is not None:
        show_retraining(outcome)


def checked_lexicons(uploads: list[tuple[str, bytes]]) -> lexicon_view.UploadReport | None:
    """The uploaded lexicons' check, shown; kept per upload so a rerun does not check again."""
    if not uploads:
        return None
    digest = upload_digest(uploads)
    checked = st.session_state.get("retrain_lexicon_report")
    if checked is None or checked[0] != digest:
        with st.spinner("Checking the lexicon files and running their examples…"):
            checked = (digest, lexicon_view.validate_uploads(uploads))
        st.session_state["retrain_lexicon_report"] = checked
    report: lexicon_view.UploadReport = checked[1]
    if report.ok:
        st.success(md_escape(report.message))  # messages quote the user's file names: no Markdown from them
    else:
        st.error(md_escape(report.message))
        if report.problems:
            st.code("\n".join(report.problems), language=None)
    return report


def checked_data(
    uploads: list[tuple[str, bytes]], lexicons: lexicon_view.UploadReport | None
) -> list[retraining_view.DataReport]:
    """Each labeled file's check against the categories of the built-in and uploaded lexicons, shown."""
    if lexicons is not None and lexicons.ok:
        known = set(lexicons.categories)
    else:
        try:
            known = set(cache.builtin_categories())
        except AnalyzerError as exc:
            return [retraining_view.DataReport("", False, f"The built-in lexicons could not be loaded: {exc}")]
    digest = upload_digest(uploads) + hashlib.sha256(",".join(sorted(known)).encode()).hexdigest()
    checked = st.session_state.get("retrain_data_reports")
    if checked is None or checked[0] != digest:
        checked = (digest, retraining_view.check_data_files(uploads, known))
        st.session_state["retrain_data_reports"] = checked
    reports: list[retraining_view.DataReport] = checked[1]
    for report in reports:
        if report.ok:
            st.success(md_escape(report.message))
        else:
            st.error(md_escape(report.message))  # it may quote a cell of the file
    return reports


def upload_digest(uploads: list[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256()
    for name, data in uploads:
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def run_retraining(
    lexicon_uploads: list[tuple[str, bytes]],
    data_uploads: list[tuple[str, bytes]],
    current: retraining_view.ModelInfo,
) -> retraining_view.RetrainOutcome:
    """Train with a progress bar and the library's messages as they come."""
    folder = st.session_state.get("session_folder")
    if folder is None:
        folder = retraining_view.session_folder(uuid.uuid4().hex)
        st.session_state["session_folder"] = folder
    bar = st.progress(0.0, text="Starting…")
    log = st.empty()
    tracker = retraining_view.ProgressTracker()
    lines: list[str] = []

    def progress(message: str) -> None:
        lines.append(message)
        bar.progress(tracker.feed(message), text=message.strip()[:120])
        log.code("\n".join(lines[-12:]), language=None)

    outcome = retraining_view.retrain(folder, lexicon_uploads, data_uploads, progress=progress, baseline=current)
    if outcome.model is not None:
        bar.progress(1.0, text="Done")
    else:
        bar.empty()
    return outcome


def show_retraining(outcome: retraining_view.RetrainOutcome) -> None:
    if outcome.error is not None or outcome.model is None:
        st.error(md_escape(outcome.error or "Training did not finish."))
        if outcome.problems:
            st.code("\n".join(outcome.problems), language=None)
        return
    model = outcome.model
    st.subheader(f"{model.label.capitalize()}: cross-validated scores")
    st.markdown(md_escape(retraining_view.comparison_text(model.metadata, outcome.baseline)))  # it may quote a path
    rows = retraining_view.metrics_rows(model.metadata, outcome.baseline.metadata, model.labels)
    st.dataframe(rows, hide_index=True, column_order=retraining_view.METRIC_COLUMNS)
    for warning in model.metadata.get("warnings") or []:
        st.warning(md_escape(str(warning)))
    chosen = session_model()
    if chosen is not None and chosen.folder == model.folder:
        st.success(f"This session uses {model.label}: the Analyze, Batch and Lexicons pages use it now.")
    elif st.button("Use this model for this session", type="primary", key="use_model"):
        st.session_state["session_model"] = model
        st.rerun()


# -- About --------------------------------------------------------------------


def about_page() -> None:
    st.header("About")
    st.markdown(
        "This tool reads a text for wording that works against people who report harassment: norms that "
        "tell men to be tough and silent, brushing a concern off, blaming the person harassed, excusing the "
        "harasser, stereotypes, derailing, mocking men who speak up, and open hostility. For each finding it "
        "explains the problem and points to what an ally can do, drawing on the article *Addressing the "
        "Gender Gap: Men as Allies in the Fight Against Harassment*."
    )
    try:
        references = cache.article_references()
    except AnalyzerError as exc:
        st.error(f"The article references could not be read: {exc}")
    else:
        for section in about.reference_sections(references):
            st.subheader(section.heading)
            st.caption(f"From the article's section “{section.article_section}”, in this project's own words.")
            st.markdown(bullets([cards.reference_line(r) for r in section.entries]))
    st.subheader("How the analyzer decides")
    st.markdown("\n".join(f"{i}. **{name}.** {text}" for i, (name, text) in enumerate(about.DECISION_STEPS, start=1)))
    st.markdown("Every card shows these steps for its flag, under *How the score was reached*.")
    try:
        lexicon = session_analyzer().analyzer.lexicon
    except AnalyzerError:
        pass  # the Analyze and Lexicons pages already say why
    else:
        st.subheader("What it looks for")
        described = [f"**{md_escape(c.label)}**: {md_escape(c.description)}" for c in lexicon.categories.values()]
        st.markdown(bullets(described))
    st.subheader("What it cannot do")
    st.markdown(bullets(list(about.LIMITS)))
    st.subheader("What is kept")
    st.markdown(bullets(list(about.PRIVACY)))


# -- the page list --------------------------------------------------------------

# The app's pages, in tab order.
PAGES: list[tuple[str, Callable[[], None]]] = [
    ("Analyze", analyze_page),
    ("Batch", batch_page),
    ("Lexicons", lexicons_page),
    ("Retraining", retraining_page),
    ("About", about_page),
]


def main() -> None:
    st.title("Allyship analyzer")
    tabs = st.tabs([name for name, _ in PAGES])
    for tab, (_, render) in zip(tabs, PAGES, strict=True):
        with tab:
            render()


main()
