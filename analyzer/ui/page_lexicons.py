"""The Lexicons page: search the rules, and check a lexicon file before using it.

Layout only; the table and the check live in :mod:`analyzer.ui.lexicon_view`.
"""

from __future__ import annotations

import streamlit as st

from analyzer.ui import cache, lexicon_view
from analyzer.ui.cards import md_escape
from analyzer.ui.state import Keys, load_analyzer


def render() -> None:
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
        query = left.text_input("Search the rules", key=Keys.RULE_SEARCH)
        labels = sorted({row["category"] for row in rows})
        picked = right.multiselect("Categories", labels, key=Keys.RULE_CATEGORIES)
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
        key=Keys.LEXICON_UPLOAD,
        max_upload_size=max(1, lexicon_view.MAX_UPLOAD_BYTES // 1_000_000),
    )
    if upload is None:
        return
    report = cache.validate_upload(upload.name, upload.getvalue())
    if report.ok:
        st.success(md_escape(report.message))  # the message names the uploaded file: no Markdown from it
        if report.rows:
            st.dataframe(list(report.rows), hide_index=True, column_order=lexicon_view.TABLE_COLUMNS)
    else:
        st.error(md_escape(report.message))
        if report.problems:
            st.code("\n".join(report.problems), language=None)
