"""Session state of the app: every key in one place, and the helpers every page shares.

Streamlit keeps one ``st.session_state`` per browser tab; widgets write their
value under their ``key``. Naming every key here means two pages can never
pick the same one by accident, and a test or a reader finds them all at once.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from analyzer.errors import AnalyzerError, LexiconError
from analyzer.ui import cache, lexicon_view, retraining_view
from analyzer.ui.analysis import LoadedAnalyzer


class Keys:
    """Widget and session-state keys (a name ending in ``_`` is a prefix completed per item)."""

    # Analyze
    PASTE = "paste"
    PASTE_KEPT = "paste_kept"  # the paste, kept while another page is open
    ANALYZE = "analyze"
    OUTCOME = "outcome"
    OUTCOME_MODEL = "outcome_model"  # the model folder the outcome was analyzed with
    SENSITIVITY = "sensitivity"
    CATEGORIES_ = "cats-"
    VERDICT_ = "verdict-"
    VERDICTS = "verdicts"  # {flag key: (verdict, row id)} saved from this session
    KEEP_WHOLE_TEXT = "feedback_keep_text"
    REVIEWER = "feedback_reviewer"
    MISSED_PHRASE = "missed_phrase"
    MISSED_CATEGORY = "missed_category"
    MISSED_SAVE = "missed_save"
    FLAG_CARD_ = "flag-card-"
    STRATEGIES = "ally_strategies"
    ACTIONS = "analyze_actions"
    DOWNLOAD_JSON = "analyze_json"
    DOWNLOAD_CSV = "analyze_csv"
    COPY_MARKDOWN = "analyze_markdown"
    DRAFT = "analyze_draft"
    FEEDBACK_SETTINGS = "analyze_feedback_settings"
    # Batch
    BATCH_UPLOAD = "batch_upload"
    BATCH_RUN = "batch_run"
    BATCH_OUTCOME = "batch_outcome"
    BATCH_TEXT_COLUMN_ = "batch_text_column-"
    BATCH_ID_COLUMN_ = "batch_id_column-"
    BATCH_SENSITIVITY = "batch_sensitivity"
    BATCH_CATEGORIES_ = "batch_categories-"
    BATCH_SHOW_ = "batch_show-"
    BATCH_DOCUMENT_ = "batch_document-"
    BATCH_CARD_ = "batch-card-"
    BATCH_JSONL = "batch_jsonl"
    BATCH_CSV = "batch_csv"
    BATCH_HTML = "batch_html"
    # Lexicons
    RULE_SEARCH = "rule_search"
    RULE_CATEGORIES = "rule_categories"
    LEXICON_UPLOAD = "lexicon_upload"
    # Retraining
    SESSION_MODEL = "session_model"
    SESSION_FOLDER = "session_folder"
    DEFAULT_MODEL = "default_model"
    RETRAIN_LEXICONS = "retrain_lexicons"
    RETRAIN_DATA = "retrain_data"
    RETRAIN_FEEDBACK = "retrain_feedback"
    RETRAIN_MODE = "retrain_mode"
    RETRAIN = "retrain"
    RETRAIN_OUTCOME = "retrain_outcome"
    RETRAIN_COMPARISON = "retrain_comparison"
    USE_MODEL = "use_model"


def session_model() -> retraining_view.TrainedModel | None:
    """The model this session chose on the Retraining page, if it still may be loaded."""
    chosen = st.session_state.get(Keys.SESSION_MODEL)
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


def feedback_path() -> Path:
    """The feedback file every session of this server writes to (``--feedback-db`` of ``allyship app``)."""
    from analyzer.feedback.store import default_path

    return default_path()


def bullets(lines: list[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)
