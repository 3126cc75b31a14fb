"""The About page: what the tool looks for, the article's strategies, how it decides, what it cannot do."""

from __future__ import annotations

import streamlit as st

from analyzer.errors import AnalyzerError
from analyzer.ui import about, cache, cards
from analyzer.ui.cards import md_escape
from analyzer.ui.state import bullets, session_analyzer


def render() -> None:
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
    st.markdown("Every card shows these steps for its flag when you open it.")
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
