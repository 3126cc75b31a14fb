"""The allyship analyzer's Streamlit app: layout only.

Start it with ``allyship app`` (or ``streamlit run app.py``). Every decision
(what is escaped, what a card says, which flags a filter keeps, the input
limits, the check of an uploaded lexicon) lives in :mod:`analyzer.ui`, where
it is tested without Streamlit; this file only places widgets around it.

HTML is rendered in one way only: ``st.markdown(..., unsafe_allow_html=True)``
on strings built by :mod:`analyzer.ui.highlight`, which escapes every piece
of user text. Everything else goes through Streamlit's own escaping.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import streamlit as st

from analyzer.errors import AnalyzerError, LexiconError
from analyzer.ui import about, cache, cards, highlight, lexicon_view
from analyzer.ui.analysis import MAX_PASTE_CHARS, AnalysisOutcome, LoadedAnalyzer, run_analysis
from analyzer.ui.cards import md_escape

st.set_page_config(page_title="Allyship analyzer", page_icon="🤝", layout="wide")


# -- shared -------------------------------------------------------------------


def load_analyzer() -> LoadedAnalyzer | None:
    """The cached analyzer, or ``None`` after explaining in the page why it did not load."""
    try:
        return cache.analyzer()
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
        st.success(report.message)
        if report.rows:
            st.dataframe(list(report.rows), hide_index=True, column_order=lexicon_view.TABLE_COLUMNS)
    else:
        st.error(report.message)
        if report.problems:
            st.code("\n".join(report.problems), language=None)


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
        lexicon = cache.analyzer().analyzer.lexicon
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

# The app's pages, in tab order. The Batch page (issue 5: analyzer/batch.py,
# readers.py, writers.py, report.py) and the Retraining page (issue 3) are
# added here, as ("Batch", batch_page) before "Lexicons" and ("Retraining",
# retraining_page) after it, once their libraries exist. No placeholder pages
# until then: a tab that pretends to work is worse than no tab.
PAGES: list[tuple[str, Callable[[], None]]] = [
    ("Analyze", analyze_page),
    ("Lexicons", lexicons_page),
    ("About", about_page),
]


def main() -> None:
    st.title("Allyship analyzer")
    tabs = st.tabs([name for name, _ in PAGES])
    for tab, (_, render) in zip(tabs, PAGES, strict=True):
        with tab:
            render()


main()
