"""The Retraining page: learn from reviewers' verdicts, lexicon files and labeled examples; compare; use.

Layout only; the flow and the comparison live in :mod:`analyzer.ui.retraining_view`.
"""

from __future__ import annotations

import uuid

import streamlit as st

from analyzer.errors import AnalyzerError
from analyzer.ui import cache, lexicon_view, retraining_view
from analyzer.ui.cards import md_escape
from analyzer.ui.state import Keys, feedback_path, session_analyzer, session_model

MODES = {
    "quick": "Quick: keep the current model's thresholds (seconds)",
    "full": "Full: choose thresholds by cross-validation (minutes)",
}


def render() -> None:
    st.header("Retraining")
    st.markdown(
        "Teach the classifier from what reviewers said on the Analyze page, and from new lexicon files and "
        "labeled examples; compare the new model with the current one on the same held-out texts, and use it. "
        "The new model is used in this browser session only and is gone when the server stops."
    )
    chosen = session_model()
    current = retraining_view.current_model(chosen)
    if current.metadata is None:
        st.markdown(f"**Current model:** no model. {md_escape(current.note)}")
    else:
        st.markdown(f"**Current model:** {md_escape(current.name)}")
    if chosen is not None and st.button("Go back to the default model", key=Keys.DEFAULT_MODEL):
        del st.session_state[Keys.SESSION_MODEL]
        st.rerun()

    st.subheader("1. Reviewers' feedback")
    verdicts = feedback_count()
    use_feedback = st.checkbox(
        f"Learn from the {verdicts:,} verdict{'s' if verdicts != 1 else ''} in the feedback file",
        value=verdicts > 0,
        disabled=verdicts == 0,
        key=Keys.RETRAIN_FEEDBACK,
        help="'Fits' and 'missed' become examples of their category; 'not harmful here' makes that text pass "
        "for the category, unless a rule's own example says it must be flagged (then it is reported).",
    )

    with st.expander("2. Lexicon files and labeled examples (optional)"):
        lexicon_uploads, data_uploads, blocked = uploads()

    st.subheader("3. Retrain")
    mode = st.radio("How", list(MODES), format_func=MODES.__getitem__, key=Keys.RETRAIN_MODE, horizontal=True)
    st.caption(
        "Trains on the built-in lexicons and the project's corpus plus the feedback and files above; the corpus is "
        "parsed once and then read from a cache."
    )
    if st.button("Retrain", type="primary", key=Keys.RETRAIN, disabled=blocked):
        outcome = run_retraining(lexicon_uploads, data_uploads, current, use_feedback and verdicts > 0, mode == "quick")
        st.session_state[Keys.RETRAIN_OUTCOME] = outcome
        st.session_state[Keys.RETRAIN_COMPARISON] = comparison(outcome) if outcome.model is not None else None
    outcome: retraining_view.RetrainOutcome | None = st.session_state.get(Keys.RETRAIN_OUTCOME)
    if outcome is not None:
        show_retraining(outcome)


def feedback_count() -> int:
    from analyzer.feedback.store import open_store

    path = feedback_path()
    if not path.is_file():
        return 0
    try:
        with open_store(path) as store:
            return store.count()
    except AnalyzerError as exc:
        st.warning(f"The feedback file cannot be read: {md_escape(str(exc))}")
        return 0


def uploads() -> tuple[list[tuple[str, bytes]], list[tuple[str, bytes]], bool]:
    """The lexicon and labeled-example uploads, each checked; whether a problem blocks training."""
    lexicon_files = st.file_uploader(
        "Lexicon files",
        type=["yml", "yaml"],
        accept_multiple_files=True,
        key=Keys.RETRAIN_LEXICONS,
        max_upload_size=max(1, lexicon_view.MAX_UPLOAD_BYTES // 1_000_000),
    )
    lexicon_uploads = [(f.name, f.getvalue()) for f in lexicon_files or []]
    report = cache.validate_uploads(tuple(lexicon_uploads)) if lexicon_uploads else None
    if report is not None:
        show_report(report)
    blocked = report is not None and not report.ok
    st.markdown(
        "Labeled examples: CSV or JSON Lines with a `text` and a `categories` column (category ids separated by "
        "commas, empty for a text that must not be flagged). `dev` and `test` rows of a `split` column are kept "
        "out of training. `allyship feedback export` writes this format."
    )
    data_files = st.file_uploader(
        "Labeled examples",
        type=list(retraining_view.DATA_TYPES),
        accept_multiple_files=True,
        key=Keys.RETRAIN_DATA,
        max_upload_size=retraining_view.MAX_DATA_MB,
    )
    data_uploads = [(f.name, f.getvalue()) for f in data_files or []]
    if data_uploads and blocked:
        st.warning("Fix the lexicon files first: the examples are checked against their categories.")
    elif data_uploads:
        known = set(report.categories) if report is not None and report.ok else builtin_categories()
        for data_report in cache.check_data_files(tuple(data_uploads), tuple(sorted(known))):
            (st.success if data_report.ok else st.error)(md_escape(data_report.message))  # it may quote a cell
            blocked = blocked or not data_report.ok
    return lexicon_uploads, data_uploads, blocked


def builtin_categories() -> set[str]:
    try:
        return set(cache.builtin_categories())
    except AnalyzerError:
        return set()


def show_report(report: lexicon_view.UploadReport) -> None:
    if report.ok:
        st.success(md_escape(report.message))  # messages quote the user's file names: no Markdown from them
    else:
        st.error(md_escape(report.message))
        if report.problems:
            st.code("\n".join(report.problems), language=None)


def run_retraining(
    lexicon_uploads: list[tuple[str, bytes]],
    data_uploads: list[tuple[str, bytes]],
    current: retraining_view.ModelInfo,
    use_feedback: bool,
    quick: bool,
) -> retraining_view.RetrainOutcome:
    """Train with a progress bar and the library's messages as they come."""
    folder = st.session_state.get(Keys.SESSION_FOLDER)
    if folder is None:
        folder = retraining_view.session_folder(uuid.uuid4().hex)
        st.session_state[Keys.SESSION_FOLDER] = folder
    bar = st.progress(0.0, text="Starting…")
    log = st.empty()
    tracker = retraining_view.ProgressTracker()
    lines: list[str] = []

    def progress(message: str) -> None:
        lines.append(message)
        bar.progress(tracker.feed(message), text=message.strip()[:120])
        log.code("\n".join(lines[-8:]), language=None)

    outcome = retraining_view.retrain(
        folder,
        lexicon_uploads,
        data_uploads,
        progress=progress,
        baseline=current,
        feedback_db=feedback_path() if use_feedback else None,
        quick=quick,
    )
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
    meta = model.metadata
    feedback = meta.get("feedback") or {}
    st.success(
        f"{model.label.capitalize()} trained in {meta.get('train_seconds', 0)} s on {meta.get('examples', 0):,} "
        f"examples ({feedback.get('verdicts', 0):,} verdicts)."
    )
    for conflict in feedback.get("conflicts") or []:
        st.warning(md_escape(str(conflict)))
    found = st.session_state.get(Keys.RETRAIN_COMPARISON)
    if found is not None:
        show_comparison(found)
    chosen = session_model()
    if chosen is not None and chosen.folder == model.folder:
        st.success(f"This session uses {model.label}: the Analyze, Batch and Lexicons pages use it now.")
    elif st.button("Use this model for this session", type="primary", key=Keys.USE_MODEL):
        st.session_state[Keys.SESSION_MODEL] = model
        st.rerun()


def comparison(outcome: retraining_view.RetrainOutcome) -> retraining_view.Comparison:
    """Score the new model once, right after training (kept with the outcome, not redone on every rerun)."""
    model = outcome.model
    assert model is not None
    try:
        before = session_analyzer().analyzer
        after = cache.analyzer(model.lexicons, str(model.folder)).analyzer
        with st.spinner("Checking the rule examples and scoring both models on held-out texts…"):
            held = cache.held_out(tuple(sorted(after.lexicon.categories)))
            return retraining_view.compare_models(before, after, held)
    except AnalyzerError as exc:
        return retraining_view.Comparison(None, error=f"The models could not be compared: {exc}")


def show_comparison(found: retraining_view.Comparison) -> None:
    """Both models on the same held-out texts, saying which texts those are."""
    if found.error is not None:
        st.warning(md_escape(found.error))
        return
    check = found.rules
    if check is not None and check.passed == check.total:
        st.markdown(f"**Rule examples:** all {check.total:,} behave as their rules say with the new model.")
    elif check is not None:
        st.warning(
            f"Rule examples: {check.passed:,} of {check.total:,} behave as their rules say with the new model; "
            "for instance:"
        )
        st.code("\n".join(check.misses), language=None)
    if found.note:
        st.info(found.note)
    st.markdown(f"**Current and new model on {md_escape(found.description)}** (flags scoring 0.5 or more):")
    if found.rows:
        st.dataframe(list(found.rows), hide_index=True, column_order=retraining_view.COMPARE_COLUMNS)
