"""The thin Streamlit layer: cached loaders around the plain functions.

Only the layout imports this module (it imports Streamlit). Each function
here is a one-line wrapper, so everything worth testing stays in the plain
modules beside it; the wrappers only decide what is built once per server
process (``st.cache_resource``: the spaCy pipeline, shared by every session)
and what is recomputed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import streamlit as st

from analyzer.engine import DEFAULT_MODEL
from analyzer.lexicon.article import References
from analyzer.ui import about, lexicon_view, retraining_view
from analyzer.ui.analysis import LoadedAnalyzer, build_analyzer

# The default analyzer plus a few models trained on the Retraining page. Each
# entry is a whole pipeline; past this many the least recently used is
# dropped (and rebuilt in a second or two if asked for again).
MAX_ANALYZERS = 6


def analyzer(lexicons: Sequence[str | Path] = (), model: str | Path | None = DEFAULT_MODEL) -> LoadedAnalyzer:
    """The shared analyzer for these lexicons and model; a failure is not cached, so a fix is picked up.

    Streamlit keys its cache on the arguments as passed, so ``analyzer()``
    and ``analyzer((), "default")`` would build two pipelines; the arguments
    are normalized here first, so every way of asking shares one.
    """
    return _analyzer(tuple(str(p) for p in lexicons), None if model is None else str(model))


@st.cache_resource(show_spinner="Loading the analyzer (once per server process)…", max_entries=MAX_ANALYZERS)
def _analyzer(lexicons: tuple[str, ...], model: str | None) -> LoadedAnalyzer:
    return build_analyzer(lexicons, model)


@st.cache_resource(show_spinner=False)
def article_references() -> References:
    """The strategies, barriers and roles of ``strategies.yml`` (read once)."""
    return about.load_article_references()


@st.cache_resource(show_spinner=False)
def builtin_categories() -> dict[str, str]:
    """Category id -> label of the built-in lexicons (read once; a failure is not cached).

    What labeled examples on the Retraining page may name when no lexicon is
    uploaded: the built-ins, whatever model this session's analyzer uses.
    """
    from analyzer.lexicon.loader import load_lexicon

    return {cid: category.label for cid, category in load_lexicon(()).categories.items()}


# Checks of uploads: cached by their content (Streamlit hashes the bytes), so a
# rerun of the page does not check the same files again. A few entries each:
# a session checks one set of files at a time.


@st.cache_data(show_spinner="Checking the file and running its examples…", max_entries=16)
def validate_upload(name: str, data: bytes) -> lexicon_view.UploadReport:
    """:func:`analyzer.ui.lexicon_view.validate_upload`, once per file content."""
    return lexicon_view.validate_upload(name, data)


@st.cache_data(show_spinner="Checking the lexicon files and running their examples…", max_entries=16)
def validate_uploads(uploads: tuple[tuple[str, bytes], ...]) -> lexicon_view.UploadReport:
    """:func:`analyzer.ui.lexicon_view.validate_uploads`, once per set of files."""
    return lexicon_view.validate_uploads(list(uploads))


@st.cache_data(show_spinner=False, max_entries=16)
def check_data_files(
    uploads: tuple[tuple[str, bytes], ...], known: tuple[str, ...]
) -> list[retraining_view.DataReport]:
    """:func:`analyzer.ui.retraining_view.check_data_files`, once per set of files and categories."""
    return retraining_view.check_data_files(list(uploads), set(known))


@st.cache_data(show_spinner="Reading the held-out texts…", max_entries=4)
def held_out(categories: tuple[str, ...]) -> retraining_view.HeldOut:
    """:func:`analyzer.ui.retraining_view.held_out` for these categories, read once."""
    return retraining_view.held_out(set(categories))
