"""The Analyze page: paste, analyze, review each flag in one line, give feedback, copy or download.

Layout only; what a card says, the numbering, the exports and the draft live
in :mod:`analyzer.ui.review`, the feedback rows in :mod:`analyzer.feedback`.
"""

from __future__ import annotations

import streamlit as st

from analyzer.feedback.store import Verdict, open_store
from analyzer.feedback.versions import lexicon_version, model_version
from analyzer.flags import Flag
from analyzer.lexicon.palette import Colors, colors_of
from analyzer.ui import cards, highlight, review
from analyzer.ui.analysis import MAX_PASTE_CHARS, AnalysisOutcome, LoadedAnalyzer, run_analysis
from analyzer.ui.cards import md_escape
from analyzer.ui.state import Keys, feedback_path, load_analyzer, session_model

# What the reviewer may say about a card, as the pills show it, and the verdict stored.
CARD_VERDICTS = {"Fits": "fits", "Not harmful here": "not_harmful"}


def render() -> None:
    st.header("Allyship analyzer: analyze a text")
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
    if Keys.PASTE not in st.session_state and Keys.PASTE_KEPT in st.session_state:
        # Streamlit forgets a widget's value while another page is open: bring the paste back.
        st.session_state[Keys.PASTE] = st.session_state[Keys.PASTE_KEPT]
    text = st.text_area(
        "Text to analyze",
        key=Keys.PASTE,
        height=120,
        placeholder="Man up, and calm down, it was just a joke.",
        help=f"Up to {MAX_PASTE_CHARS:,} characters. The text is analyzed on this machine and not stored; only "
        "the feedback you give is kept.",
    )
    st.session_state[Keys.PASTE_KEPT] = text
    if st.button("Analyze", type="primary", key=Keys.ANALYZE):
        st.session_state[Keys.OUTCOME] = run_analysis(loaded.analyzer, text)
        st.session_state[Keys.OUTCOME_MODEL] = loaded.model
    outcome: AnalysisOutcome | None = st.session_state.get(Keys.OUTCOME)
    if outcome is None:
        return
    if st.session_state.get(Keys.OUTCOME_MODEL) != loaded.model:
        st.info("The model has changed since this text was analyzed; click Analyze to see its flags.")
        return
    if outcome.error is not None or outcome.result is None:
        st.error(outcome.error or "The text could not be analyzed.")
        return
    if outcome.text != text:
        st.info("The text has changed since it was analyzed; click Analyze to update the flags.")
    show_result(outcome, loaded)


def show_result(outcome: AnalysisOutcome, loaded: LoadedAnalyzer) -> None:
    assert outcome.result is not None
    everything = review.numbered(outcome.result.flags)
    if not everything:
        st.markdown(f"##### {md_escape(cards.summary_text([]))}")
        st.info(
            "Nothing in this text was flagged. That is not a verdict either: the analyzer only knows its "
            "lexicons and model, so read it once more with the strategies on the About page in mind."
        )
        show_missed(outcome, loaded)
        return
    summary = st.container()
    left, _ = st.columns([2, 3])
    threshold = left.slider(
        "Sensitivity: minimum score",
        min_value=cards.SENSITIVITY_FLOOR,
        max_value=1.0,
        value=cards.DEFAULT_SENSITIVITY,
        step=0.05,
        key=Keys.SENSITIVITY,
        help="Lower it to see weaker findings too; raise it to see only the clearest.",
    )
    above = [item for item in everything if item.flag.score >= threshold]
    options = cards.category_options(item.flag for item in above)
    chosen = st.pills(
        "Categories",
        list(options),
        selection_mode="multi",
        default=list(options),
        format_func=options.__getitem__,
        key=f"{Keys.CATEGORIES_}{outcome.key}",
        width="stretch",
    )
    shown = [item for item in above if item.flag.category in set(chosen or ())]
    with summary:
        st.markdown(f"##### {md_escape(cards.summary_text([item.flag for item in above]))}")
        hidden = len(everything) - len(above)
        notes = []
        if hidden:
            notes.append(f"{hidden} weaker finding{'s' if hidden != 1 else ''} below the sensitivity threshold hidden")
        if len(shown) < len(above):
            notes.append(f"showing {len(shown)} of {len(above)} (category filter); cards keep their numbers")
        if notes:
            line = "; ".join(notes)
            st.caption(line[:1].upper() + line[1:] + ".")
    if not above:
        st.info("Nothing reaches this sensitivity threshold; lower it to see weaker findings.")
        return
    colors = colors_of(loaded.analyzer.lexicon.categories)
    st.markdown(
        review.STYLE
        + highlight.highlight_html(outcome.text, [i.flag for i in shown], [i.number for i in shown], colors=colors),
        unsafe_allow_html=True,
    )
    for card, item in zip(review.cards(shown[: cards.MAX_CARDS], outcome.text, threshold), shown, strict=False):
        show_card(card, item.flag, outcome, colors)
    if len(shown) > cards.MAX_CARDS:
        st.caption(f"The first {cards.MAX_CARDS} of {len(shown)} cards are shown; narrow the filters to see others.")
    entries = review.strategy_entries(shown)
    if entries:
        with st.container(key=Keys.STRATEGIES):
            st.markdown("**What an ally can do**")
            st.markdown(review.strategies_markdown(entries))
    show_exports(outcome, above, threshold, loaded)
    show_missed(outcome, loaded)


def flag_key(outcome: AnalysisOutcome, flag: Flag) -> str:
    return f"{outcome.key}-{flag.start}-{flag.end}-{flag.category}"


def show_card(card: cards.FlagCard, flag: Flag, outcome: AnalysisOutcome, colors: Colors) -> None:
    key = flag_key(outcome, flag)
    with st.container(key=f"{Keys.FLAG_CARD_}{card.number}"):
        left, right = st.columns([5, 1.3], vertical_alignment="center", gap="small")
        left.markdown(review.compact_card_html(card, colors), unsafe_allow_html=True)
        saved = (st.session_state.get(Keys.VERDICTS) or {}).get(key)
        choice = right.pills(
            f"Your verdict on flag {card.number}",
            list(CARD_VERDICTS),
            default=next((label for label, v in CARD_VERDICTS.items() if saved and v == saved[0]), None),
            key=f"{Keys.VERDICT_}{key}",
            label_visibility="collapsed",
        )  # a card hidden by a filter loses its widget: it comes back with the verdict already saved
    save_verdict(key, outcome.text, flag, choice)


def save_verdict(key: str, text: str, flag: Flag, choice: str | None) -> None:
    """Bring the feedback file in line with the card's pills: store, replace or take back its verdict.

    Done on every run from the widget's value (not in an ``on_change``
    callback), so a click that arrives while another run is under way is
    still saved once.
    """
    saved: dict[str, tuple[str, int]] = st.session_state.setdefault(Keys.VERDICTS, {})
    wanted = CARD_VERDICTS.get(choice or "")
    if (saved.get(key) or (None,))[0] == wanted:
        return
    try:
        with open_store(feedback_path()) as store:
            if key in saved:
                store.delete(saved.pop(key)[1])
            if choice in CARD_VERDICTS:
                row = store.add(_verdict(text, flag.start, flag.end, flag.category, CARD_VERDICTS[choice], flag))
                saved[key] = (CARD_VERDICTS[choice], row)
                st.toast(f"Saved: “{flag.text}” {choice.lower()}.")
    except Exception as exc:  # the feedback file is the user's: say what is wrong, never a traceback
        st.toast(f"The feedback could not be saved: {exc}")


def _verdict(text: str, start: int, end: int, category: str, verdict: str, flag: Flag | None = None) -> Verdict:
    chosen = session_model()
    return Verdict(
        text=text,
        start=start,
        end=end,
        category=category,
        verdict=verdict,
        rule_id=flag.rule_id if flag is not None else None,
        whole_text=bool(st.session_state.get(Keys.KEEP_WHOLE_TEXT)),
        model_version=model_version(chosen.metadata if chosen else None, chosen.label if chosen else ""),
        lexicon_version=lexicon_version(),
        reviewer=(st.session_state.get(Keys.REVIEWER) or "").strip() or None,
    )


def show_exports(
    outcome: AnalysisOutcome, items: list[review.Numbered], threshold: float, loaded: LoadedAnalyzer
) -> None:
    """One row: the JSON and CSV downloads, copy as Markdown, the draft, and the feedback settings."""
    drafted = review.draft(outcome.text, items, loaded.analyzer.lexicon.rules)
    row = st.container(horizontal=True, key=Keys.ACTIONS)
    row.download_button(
        "Download JSON",
        review.result_json(items, threshold),
        file_name="allyship-flags.json",
        mime="application/json",
        key=Keys.DOWNLOAD_JSON,
        on_click="ignore",
        help="The flags at this sensitivity, all categories.",
    )
    row.download_button(
        "Download CSV",
        review.result_csv(items),
        file_name="allyship-flags.csv",
        mime="text/csv",
        key=Keys.DOWNLOAD_CSV,
        on_click="ignore",
        help="The flags at this sensitivity, all categories, one row each.",
    )
    with row.popover("Copy as Markdown", key=Keys.COPY_MARKDOWN):
        st.code(review.markdown_report(items, threshold), language="markdown", wrap_lines=True)
    with row.popover(f"Draft with suggested words ({len(drafted.replaced)})", key=Keys.DRAFT):
        if drafted.replaced:
            numbers = ", ".join(str(n) for n in drafted.replaced)
            st.caption(
                f"Cards {numbers}: their rules give plain words for the phrase. Other flags need rewording "
                "by you; their cards say how."
            )
            st.code(drafted.text, language=None, wrap_lines=True)
        else:
            st.caption("None of these flags has a rule with plain replacement words; their cards say what to do.")
    with row.popover("Feedback settings", key=Keys.FEEDBACK_SETTINGS):
        feedback_settings()


def show_missed(outcome: AnalysisOutcome, loaded: LoadedAnalyzer) -> None:
    """Say which words should have been flagged, and as what."""
    with st.expander("Something the analyzer missed?"):
        categories = {cid: c.label for cid, c in loaded.analyzer.lexicon.categories.items()}
        left, right = st.columns([3, 2])
        phrase = left.text_input("Words from the text that should have been flagged", key=Keys.MISSED_PHRASE)
        category = right.selectbox(
            "Flag them as", list(categories), format_func=categories.__getitem__, key=Keys.MISSED_CATEGORY
        )
        if st.button("Save as missed", key=Keys.MISSED_SAVE):
            start = outcome.text.find(phrase.strip()) if phrase.strip() else -1
            if start < 0:
                st.error("Those words are not in the analyzed text: copy them from it exactly.")
                return
            try:
                with open_store(feedback_path()) as store:
                    store.add(_verdict(outcome.text, start, start + len(phrase.strip()), category, "missed"))
            except Exception as exc:
                st.error(f"The feedback could not be saved: {md_escape(str(exc))}")
                return
            st.success(f"Saved: “{md_escape(phrase.strip())}” should be flagged as {md_escape(categories[category])}.")


def feedback_settings() -> None:
    """Who gives feedback and how much of the text is kept with it."""
    st.checkbox(
        "Keep the whole text with my feedback",
        key=Keys.KEEP_WHOLE_TEXT,
        help="Otherwise only the sentence around the flagged words is kept.",
    )
    st.text_input("Your name (optional)", key=Keys.REVIEWER, max_chars=100)
    st.caption(f"Kept in {md_escape(str(feedback_path()))}; the Retraining page learns from it.")
