"""The thin Streamlit layer: cached loaders around the plain functions.

Only the layout imports this module (it imports Streamlit). Each function
here is a one-line wrapper, so everything worth testing stays in the plain
modules beside it; the wrappers only decide what is built once per server
process (``st.cache_resource``: the spaCy pipeline, shared by every session)
and what is recomputed.
"""

from __future__ import annotations

import streamlit as st

from analyzer.engine import DEFAULT_MODEL
from analyzer.references import References
from analyzer.ui import about
from analyzer.ui.analysis import LoadedAnalyzer, build_analyzer


@st.cache_resource(show_spinner="Loading the analyzer (once per server process)…")
def analyzer(lexicons: tuple[str, ...] = (), model: str | None = DEFAULT_MODEL) -> LoadedAnalyzer:
    """The shared analyzer for these lexicons and model; a failure is not cached, so a fix is picked up."""
    return build_analyzer(lexicons, model)


@st.cache_resource(show_spinner=False)
def article_references() -> References:
    """The strategies, barriers and roles of ``strategies.yml`` (read once)."""
    return about.load_article_references()
