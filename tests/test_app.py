"""Each page of the Streamlit app through ``streamlit.testing.v1.AppTest``, and ``allyship app``.

The app runs in this process against a small lexicon written for the tests
(the built-in folder is pointed at it), so what the pages must show is known
exactly; the browser test covers the real built-in lexicons.
"""

from __future__ import annotations

import html
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from analyzer.cli import main as cli
from analyzer.cli import ui as cli_app
from analyzer.ui import batch_view
from analyzer.ui.cards import md_escape

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "app.py"
TEXT = "Man up, and calm down, it was just a joke."

TEST_LEXICONS = {
    "toxic_masculinity.yml": """\
category:
  id: toxic_masculinity
  label: Toxic masculinity norm
  description: Demands that a man hide his feelings, refuse help or prove he is tough.
  strategies: [challenge_toxic_masculinity, engage_other_men]
  barriers: [lack_of_role_models]
  roles: [challenge_norms]
rules:
  - id: tm.man-up
    phrases: ["man up"]
    explanation: Telling someone to man up treats feelings or asking for help as weakness.
    suggestion: Ask what is going on and whether they want a hand.
    score: 0.9
    examples:
      flag: ["Stop complaining and man up."]
      pass: ["We need two people to staff the front desk."]
""",
    "dismissive.yml": """\
category:
  id: dismissive
  label: Dismissing or minimizing
  description: Brushing a concern aside instead of looking at it.
  strategies: [listen_and_learn]
  barriers: [defensiveness]
  roles: [amplify_voices]
rules:
  - id: di.calm-down
    phrases: ["calm down"]
    explanation: Telling someone to calm down makes their reaction the problem instead of what happened.
    suggestion: Tell me what happened; I am listening.
    score: 0.75
    examples:
      flag: ["Calm down, it was nothing."]
      pass: ["Please stay calm during the fire drill."]
  - id: di.just-a-joke
    phrases: ["just a joke"]
    strategies: [speak_up_and_intervene]
    explanation: Calling it a joke asks the person who was hurt to accept it and move on.
    suggestion: If it landed badly, say sorry and drop it.
    score: 0.8
    examples:
      flag: ["Relax, it was just a joke."]
      pass: ["The film is a comedy, full of gags."]
""",
}

UPLOAD_OK = b"""\
category:
  id: talking_over
  label: Talking over women
  description: Re-explaining what a woman just said, in your own words, as if it were yours.
  strategies: [listen_and_learn]
rules:
  - id: to.what-she-means
    phrases: ["what she means is"]
    explanation: Re-explaining her point takes the floor from her.
    suggestion: Let her finish, then build on her point and credit it to her.
    examples:
      flag: ["What she means is that the plan is late."]
      pass: ["She said the plan is late, and I agree."]
"""
UPLOAD_BAD = UPLOAD_OK.replace(b"  strategies: [listen_and_learn]", b"  strategies: [listen_and_learn]\n  colour: red")


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    """The app, run once, on the test lexicons and without a shipped model."""
    folder = tmp_path / "lexicons"
    folder.mkdir()
    shutil.copy(REPO / "lexicons" / "strategies.yml", folder / "strategies.yml")
    for name, text in TEST_LEXICONS.items():
        (folder / name).write_text(text, encoding="utf-8")
    monkeypatch.setattr("analyzer.lexicon.loader.BUILTIN_DIR", folder)
    monkeypatch.setattr("analyzer.engine.MODELS_DIR", tmp_path / "no-models")
    st.cache_resource.clear()  # the analyzer is cached per process: never reuse another test's
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    yield at
    st.cache_resource.clear()


def analyze(at: AppTest, text: str) -> AppTest:
    at.text_area(key="paste").input(text)
    at.button(key="analyze").click()
    at.run()
    assert not at.exception, at.exception
    return at


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def card_blocks(at: AppTest) -> list[str]:
    """The HTML of each flag card, in order, with entities decoded (tags stay, text reads plainly)."""
    return [html.unescape(m.value) for m in at.markdown if m.value.startswith('<div class="allyship-card"')]


# -- layout --------------------------------------------------------------------


def test_the_pages_are_tabs_in_order(app: AppTest) -> None:
    assert [tab.label for tab in app.tabs] == ["Analyze", "Batch", "Lexicons", "Retraining", "About"]
    assert app.title[0].value == "Allyship analyzer"
    assert not app.error


def test_the_analyzer_is_built_once_per_process(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    from analyzer.ui import analysis, cache

    built: list[object] = []
    real = analysis.build_analyzer

    def counting(*args: object, **kwargs: object) -> analysis.LoadedAnalyzer:
        built.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cache, "build_analyzer", counting)
    st.cache_resource.clear()
    sessions = [AppTest.from_file(str(APP), default_timeout=120).run() for _ in range(2)]
    for session in sessions:
        analyze(session, TEXT)
        analyze(session, "Calm down.")
    assert len(built) == 1
    assert len(card_blocks(sessions[0])) == len(card_blocks(sessions[1])) == 1


# -- Analyze -------------------------------------------------------------------


def test_analyze_shows_summary_highlights_and_a_card_per_flag(app: AppTest) -> None:
    analyze(app, TEXT)
    assert app.subheader[0].value == "3 flags: 2 dismissing or minimizing, 1 toxic masculinity norm"
    highlighted = next(m.value for m in app.markdown if 'class="allyship-text"' in m.value)
    for phrase in ("Man up", "calm down", "just a joke"):
        assert f">{phrase}</mark>" in highlighted
    blocks = card_blocks(app)
    assert len(blocks) == 3
    expected = [
        ("Man up", "Toxic masculinity norm", ["Challenge toxic masculinity", "Engage in dialogue with other men"]),
        ("calm down", "Dismissing or minimizing", ["Listen and learn"]),
        ("just a joke", "Dismissing or minimizing", ["Speak up and intervene"]),
    ]
    for block, (phrase, label, strategies) in zip(blocks, expected, strict=True):
        assert f">{phrase}</mark>" in block and f"<strong>{label}</strong>" in block
        for title in strategies:
            assert f"<strong>{title}</strong>:" in block
        assert "Try instead:" in block and "How the score was reached" in block
    assert "The barrier behind it" in blocks[0] and "<strong>Lack of role models</strong>" in blocks[0]
    assert "<strong>Challenging toxic masculinity</strong>" in blocks[0]
    assert "lexicon rule tm.man-up" in blocks[0] and "<code>context:negation</code>" in blocks[0]
    assert "your sensitivity threshold 0.50" in blocks[0]
    assert not app.error and not app.info


def test_a_text_without_flags_gets_a_plain_note(app: AppTest) -> None:
    analyze(app, "Thanks for raising this. Tell me what happened and I will listen.")
    assert app.subheader[0].value == "No flags"
    assert any("Nothing in this text was flagged" in i.value for i in app.info)
    assert card_blocks(app) == []
    assert len(app.slider) == 0


def test_pasted_markup_is_shown_as_text(app: AppTest) -> None:
    analyze(app, '<img src=x onerror=alert(1)> <script>alert("x")</script> man up')
    html_blocks = [m.value for m in app.markdown if m.allow_html]
    assert html_blocks, "the highlighted text is rendered as HTML"
    joined = "\n".join(html_blocks)
    assert "<img" not in joined and "<script" not in joined
    assert "&lt;img src=x onerror=alert(1)&gt;" in joined
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in joined


def test_only_helper_html_is_rendered_unescaped(app: AppTest) -> None:
    analyze(app, TEXT)
    for block in (m for m in app.markdown if m.allow_html):
        assert block.value.startswith(("<div class=", "<div class='")), block.value[:80]


@pytest.mark.parametrize(
    "text, message",
    [
        ("x" * 200_001, "a paste can have at most 200,000"),
        ("   ", "Paste or type a text first."),
    ],
)
def test_bad_pastes_get_a_message_not_a_traceback(app: AppTest, text: str, message: str) -> None:
    analyze(app, text)
    assert len(app.error) == 1 and message in app.error[0].value
    assert card_blocks(app) == []


def test_sensitivity_slider_filters_by_score(app: AppTest) -> None:
    analyze(app, TEXT)
    app.slider(key="sensitivity").set_value(0.8).run()
    assert app.subheader[0].value == "2 flags: 1 dismissing or minimizing, 1 toxic masculinity norm"
    assert any("1 weaker finding below the sensitivity threshold hidden" in c.value for c in app.caption)
    assert len(card_blocks(app)) == 2
    app.slider(key="sensitivity").set_value(0.95).run()
    assert app.subheader[0].value == "No flags"
    assert any("Nothing reaches this sensitivity threshold" in i.value for i in app.info)
    assert card_blocks(app) == []


def test_category_filter_limits_highlights_and_cards(app: AppTest) -> None:
    analyze(app, TEXT)
    categories = next(m for m in app.multiselect if m.key and m.key.startswith("cats-"))
    assert categories.value == ["dismissive", "toxic_masculinity"]
    categories.set_value(["toxic_masculinity"]).run()
    assert app.subheader[0].value == "3 flags: 2 dismissing or minimizing, 1 toxic masculinity norm"
    assert any("Showing 1 of 3 (category filter)" in c.value for c in app.caption)
    blocks = card_blocks(app)
    assert len(blocks) == 1 and ">Man up</mark>" in blocks[0]


def test_a_changed_text_is_pointed_out(app: AppTest) -> None:
    analyze(app, TEXT)
    app.text_area(key="paste").input("Something else entirely.").run()
    assert any("has changed since it was analyzed" in i.value for i in app.info)
    assert len(card_blocks(app)) == 3


# -- Lexicons ------------------------------------------------------------------


def test_lexicons_page_lists_and_searches_every_rule(app: AppTest) -> None:
    table = app.dataframe[0].value
    assert list(table["rule"]) == ["di.calm-down", "di.just-a-joke", "tm.man-up"]
    assert list(table.columns) == [
        "rule",
        "category",
        "phrases",
        "explanation",
        "suggestion",
        "strategies",
        "score",
        "file",
    ]
    app.text_input(key="rule_search").input("joke").run()
    assert list(app.dataframe[0].value["rule"]) == ["di.just-a-joke"]
    app.text_input(key="rule_search").input("").run()
    app.multiselect(key="rule_categories").set_value(["Toxic masculinity norm"]).run()
    assert list(app.dataframe[0].value["rule"]) == ["tm.man-up"]
    app.text_input(key="rule_search").input("no such words").run()
    assert any("No rule matches" in i.value for i in app.info)


def test_lexicons_page_validates_an_upload(app: AppTest) -> None:
    app.file_uploader(key="lexicon_upload").upload("talking_over.yml", UPLOAD_OK, "application/x-yaml")
    app.run()
    assert not app.exception
    assert any(md_escape("talking_over.yml is valid: 1 rule") in s.value for s in app.success)
    assert list(app.dataframe[1].value["rule"]) == ["to.what-she-means"]


def test_lexicons_page_shows_an_uploaded_file_name_as_text(app: AppTest) -> None:
    name = "![x](http://example.invalid/p.png).yml"
    app.file_uploader(key="lexicon_upload").upload(name, UPLOAD_OK, "application/x-yaml")
    app.run()
    assert not app.exception
    messages = [s.value for s in app.success] + [e.value for e in app.error]
    assert messages and all("![x](" not in m for m in messages)  # no Markdown image for the browser to fetch


def test_lexicons_page_shows_upload_errors_with_the_file_name_and_line(app: AppTest) -> None:
    app.file_uploader(key="lexicon_upload").upload("my rules.yml", UPLOAD_BAD, "application/x-yaml")
    app.run()
    assert not app.exception
    assert any("1 problem found" in e.value for e in app.error)
    assert app.code[0].value == "my rules.yml:6: category.colour: unknown field"


def test_lexicons_page_shows_broken_builtin_lexicons_instead_of_crashing(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from analyzer.lexicon import loader as lexicon

    (lexicon.BUILTIN_DIR / "dismissive.yml").write_text("category: [unclosed\n", encoding="utf-8")
    st.cache_resource.clear()
    app.run()
    assert not app.exception
    assert any("lexicons could not be loaded" in e.value for e in app.error)
    assert any("dismissive.yml:2: YAML syntax error" in c.value for c in app.code)


# -- About ---------------------------------------------------------------------


def test_about_lists_strategies_barriers_roles_and_the_limits(app: AppTest) -> None:
    text = markdown_text(app)
    for title in (
        "Educate oneself",
        "Listen and learn",
        "Challenge toxic masculinity",
        "Speak up and intervene",
        "Support women's leadership",
        "Engage in dialogue with other men",
        "Fear of backlash",
        "Lack of awareness",
        "Defensiveness",
        "Unconscious bias",
        "Lack of role models",
        "Amplifying women's voices",
        "Challenging toxic masculinity",
        "Intervening in instances of harassment",
        "Supporting policies and initiatives",
        "Engaging in self-reflection and education",
    ):
        assert f"**{title}**:" in text, title
    headings = [s.value for s in app.subheader]
    for heading in ("How the analyzer decides", "What it cannot do", "What is kept"):
        assert heading in headings
    assert "1. **Lexicon.**" in text and "4. **Threshold.**" in text
    assert "does not judge people" in text and "Nothing leaves the machine" in text
    assert "**Toxic masculinity norm**:" in text  # the categories of the loaded lexicons


# -- Batch ---------------------------------------------------------------------
#
# AppTest drives st.file_uploader (``.set_value`` with (name, bytes, mime)
# tuples), so these tests upload as a user would. What AppTest cannot do is
# fetch a download button's bytes: the buttons are checked here, their
# content (the library's JSONL, CSV and HTML report) in tests/test_ui_batch.py.

BATCH_UPLOADS = [
    ("notes.txt", TEXT.encode(), "text/plain"),
    ("survey.csv", b"ref,comment\nA,calm down please\nB,thanks for raising it\n", "text/csv"),
    ("broken.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "text/plain"),
]


def batch_upload(at: AppTest, files: list[tuple[str, bytes, str]] = BATCH_UPLOADS) -> AppTest:
    at.file_uploader(key="batch_upload").set_value(files)
    at.run()
    assert not at.exception, at.exception
    return at


def keyed(at: AppTest, kind: str, prefix: str) -> Any:
    """The one widget of ``kind`` whose key starts with ``prefix`` (keys carry a hash of the run)."""
    (found,) = [w for w in getattr(at, kind) if w.key and w.key.startswith(prefix)]
    return found


def run_batch(at: AppTest) -> AppTest:
    keyed(at, "selectbox", "batch_text_column").set_value("comment")
    keyed(at, "selectbox", "batch_id_column").set_value("ref")
    at.run()
    at.button(key="batch_run").click()
    at.run()
    assert not at.exception, at.exception
    return at


def batch_table(at: AppTest) -> Any:
    (table,) = [d.value for d in at.dataframe if "problem" in d.value.columns]
    return table


def test_batch_page_states_its_limits_before_any_upload(app: AppTest) -> None:
    assert any("10 MB each and 25 MB in all" in c.value for c in app.caption)
    assert "batch_run" not in [b.key for b in app.button]


def test_batch_page_runs_with_progress_and_shows_table_chart_document_and_downloads(app: AppTest) -> None:
    batch_upload(app)
    text_column = keyed(app, "selectbox", "batch_text_column")
    assert text_column.options == ["ref", "comment"] and text_column.value == "comment"
    assert keyed(app, "selectbox", "batch_id_column").value == batch_view.NO_ID
    run_batch(app)
    (progress,) = app.get("progress")
    assert progress.value == 100 and progress.text == "4 of 4 documents analyzed"
    assert "4 documents: 2 flagged (4 flags), 1 could not be read" in [s.value for s in app.subheader]
    table = batch_table(app)
    assert list(table.columns) == list(batch_view.RESULT_COLUMNS)
    assert list(table["document"]) == ["notes.txt", "A", "B", "broken.txt"]
    assert list(table["flags"]) == [3, 1, 0, 0]
    assert table["problem"][3].startswith("binary: looks like a binary file")
    (chart,) = app.get("vega_lite_chart")
    spec = json.loads(chart.proto.spec)
    assert spec["title"] == "Flags per category" and spec["mark"]["type"] == "bar"
    assert spec["encoding"]["color"]["scale"]["domain"] == ["Dismissing or minimizing", "Toxic masculinity norm"]
    bars = dataframe_util.convert_arrow_bytes_to_pandas_df(chart.proto.data.data)
    assert list(bars["category"]) == ["dismissive", "toxic_masculinity"] and list(bars["flags"]) == [3, 1]
    document = keyed(app, "selectbox", "batch_document")
    assert document.options == ["1. notes.txt (3 flags)", "2. A in survey.csv (1 flag)", "3. B in survey.csv (0 flags)"]
    blocks = card_blocks(app)
    assert len(blocks) == 3 and ">Man up</mark>" in blocks[0]
    document.set_value(1).run()
    blocks = card_blocks(app)
    assert len(blocks) == 1 and ">calm down</mark>" in blocks[0] and "Listen and learn" in blocks[0]
    labels = [b.proto.label for b in app.get("download_button")]
    assert labels == ["Results (JSON Lines)", "Results (CSV)", "Report (HTML)"]
    assert not app.error


def test_batch_table_filters_by_category_and_kind(app: AppTest) -> None:
    run_batch(batch_upload(app))
    categories = keyed(app, "multiselect", "batch_categories")
    assert categories.options == ["Dismissing or minimizing", "Toxic masculinity norm"]
    categories.set_value(["toxic_masculinity"]).run()
    assert list(batch_table(app)["document"]) == ["notes.txt"]
    categories.set_value([]).run()
    keyed(app, "radio", "batch_show").set_value("errors").run()
    assert list(batch_table(app)["document"]) == ["broken.txt"]
    assert any(c.value == "1 of 4 documents" for c in app.caption)
    keyed(app, "multiselect", "batch_categories").set_value(["dismissive"]).run()
    assert any("No document matches these filters" in i.value for i in app.info)


def test_batch_oversize_uploads_are_an_error_in_the_page(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch_view, "MAX_TOTAL_BYTES", 100)
    batch_upload(app)
    assert any("over the limit of 0.0 MB in all" in e.value for e in app.error)
    assert "batch_run" not in [b.key for b in app.button]


def test_batch_results_are_kept_for_the_same_uploads_and_settings(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs: list[int] = []
    real = batch_view.run_batch

    def counting(*args: Any, **kwargs: Any) -> Any:
        runs.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(batch_view, "run_batch", counting)
    run_batch(batch_upload(app))
    app.slider(key="batch_sensitivity").set_value(0.8).run()
    assert any("have changed since the last run" in i.value for i in app.info)
    assert not [d for d in app.dataframe if "problem" in d.value.columns]
    app.slider(key="batch_sensitivity").set_value(0.5).run()
    assert list(batch_table(app)["flags"]) == [3, 1, 0, 0]  # the same key again: the kept results, not a rerun
    assert len(runs) == 1


def test_batch_file_names_with_markup_are_shown_as_text(app: AppTest) -> None:
    batch_upload(app, [("<img src=x onerror=alert(1)>.txt", b"<b>man up</b>", "text/plain")])
    app.button(key="batch_run").click().run()
    assert not app.exception
    assert list(batch_table(app)["document"]) == ["<img src=x onerror=alert(1)>.txt"]
    for block in (m.value for m in app.markdown if m.allow_html):
        assert block.startswith("<div class=") and "<img" not in block and "<b>" not in block


# -- Retraining ----------------------------------------------------------------
#
# The uploads go through AppTest's file_uploader. Most tests stub the training
# (analyzer.training.trainer.train) so they take seconds; one trains a real model on
# the tiny test lexicons without the corpus (a few seconds) and uses it.

EXAMPLES = b'text,categories\n"As I was saying before she interrupted, her idea is mine.",talking_over\nGreat point.,\n'


@pytest.fixture
def models_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Trained folders under the test's own folder, without the project corpus."""
    from analyzer.ui import retraining_view

    root = tmp_path / "app-models"
    root.mkdir()
    monkeypatch.setattr(retraining_view, "_ROOT", root)
    monkeypatch.setattr(retraining_view, "INCLUDE_CORPUS", False)
    return root


def retrain_uploads(at: AppTest, lexicons: list[tuple[str, bytes]], data: list[tuple[str, bytes]]) -> AppTest:
    at.file_uploader(key="retrain_lexicons").set_value([(n, d, "application/x-yaml") for n, d in lexicons])
    at.file_uploader(key="retrain_data").set_value([(n, d, "text/csv") for n, d in data])
    at.run()
    assert not at.exception, at.exception
    return at


def stub_train(out: Path, **kwargs: Any) -> dict[str, Any]:
    """A training that writes only the metadata the page reads (the page must never load this folder)."""
    from tests.test_ui_retraining import write_metadata

    kwargs["progress"]("[1/4] loading lexicons and data")
    kwargs["progress"]("[2/4] cross-validating (3 folds) to choose thresholds")
    kwargs["progress"]("[4/4] writing the model folder")
    return write_metadata(Path(out), warnings=["category 'talking_over' has only 1 positive example(s)"])


def test_retraining_page_names_the_current_model(app: AppTest) -> None:
    assert any(m.value.startswith("**Current model:** no model.") for m in app.markdown)
    assert not app.button(key="retrain").disabled
    assert "use_model" not in [b.key for b in app.button]


def test_retraining_page_shows_lexicon_errors_with_line_numbers(app: AppTest, models_root: Path) -> None:
    retrain_uploads(app, [("my rules.yml", UPLOAD_BAD)], [("examples.csv", EXAMPLES)])
    assert any("1 problem found" in e.value for e in app.error)
    assert "my rules.yml:6: category.colour: unknown field" in [c.value for c in app.code]
    assert any("Fix the lexicon files first" in w.value for w in app.warning)
    assert app.button(key="retrain").disabled


def test_retraining_page_checks_examples_against_the_uploaded_categories(app: AppTest, models_root: Path) -> None:
    retrain_uploads(app, [], [("examples.csv", EXAMPLES)])  # talking_over is not a built-in category
    expected = md_escape("examples.csv row 1: unknown category 'talking_over'")
    assert any(e.value.startswith(expected) for e in app.error)
    assert app.button(key="retrain").disabled
    retrain_uploads(app, [("talking_over.yml", UPLOAD_OK)], [("examples.csv", EXAMPLES)])
    assert any(md_escape("talking_over.yml is valid: 1 rule") in s.value for s in app.success)
    assert any(s.value == md_escape("examples.csv: 2 examples (1 talking_over; 1 negatives).") for s in app.success)
    assert not app.button(key="retrain").disabled


def test_retraining_page_shows_markdown_from_an_upload_as_text(app: AppTest, models_root: Path) -> None:
    """A cell of a data file quoted in a message must not become a link or an image (it would load a URL)."""
    retrain_uploads(app, [], [("[x](y).csv", b"text,categories\nhi,![x](http://example.invalid/x.png)\n")])
    (error,) = [e.value for e in app.error]
    assert "![x](" not in error and "[x](" not in error
    assert error.startswith(md_escape("[x](y).csv row 1: unknown category '![x]"))


def test_retraining_page_trains_with_progress_and_compares(
    app: AppTest, models_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("analyzer.training.trainer.train", stub_train)
    retrain_uploads(app, [("talking_over.yml", UPLOAD_OK)], [("examples.csv", EXAMPLES)])
    app.button(key="retrain").click().run()
    assert not app.exception, app.exception
    progress = app.get("progress")[-1]
    assert progress.value == 100 and progress.text == "Done"
    assert any("[2/4] cross-validating" in c.value for c in app.code)
    assert "Session model 1: cross-validated scores" in [s.value for s in app.subheader]
    expected = md_escape("New model: mean F1 0.676 over 2 categories; current: no model")
    assert any(expected in m.value for m in app.markdown)
    (table,) = [d.value for d in app.dataframe if "new F1" in d.value.columns]
    assert list(table["category"]) == ["Dismissing or minimizing", "Talking over women"]
    assert list(table["new F1"]) == [0.6857, 0.6667]
    assert table["current F1"].isna().all()
    assert any("only 1 positive example" in w.value for w in app.warning)
    assert app.button(key="use_model").value is False
    assert list(models_root.glob("session-*/run-1/model/metadata.json"))


def test_retraining_page_shows_a_failed_training(
    app: AppTest, models_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from analyzer.errors import DataError

    def failing(out: Path, **kwargs: Any) -> dict[str, Any]:
        raise DataError(f"{kwargs['data_files'][0]} row 2: unknown category 'x'")

    monkeypatch.setattr("analyzer.training.trainer.train", failing)
    retrain_uploads(app, [("talking_over.yml", UPLOAD_OK)], [("examples.csv", EXAMPLES)])
    app.button(key="retrain").click().run()
    assert not app.exception
    assert any(e.value == md_escape("Training stopped: examples.csv row 2: unknown category 'x'") for e in app.error)
    assert "use_model" not in [b.key for b in app.button]


@pytest.mark.filterwarnings("ignore:label column .* has only one class:UserWarning")  # 1 positive on purpose
def test_retraining_page_trains_a_real_model_and_the_session_uses_it(app: AppTest, models_root: Path) -> None:
    """The one real training of these tests: tiny lexicons, no corpus, a few seconds."""
    from tests.test_training import TALKING_OVER

    retrain_uploads(app, [("talking_over.yml", TALKING_OVER.encode())], [("examples.csv", EXAMPLES)])
    app.button(key="retrain").click().run(timeout=300)
    assert not app.exception, app.exception
    (table,) = [d.value for d in app.dataframe if "new F1" in d.value.columns]
    assert "Talking over women" in list(table["category"])
    assert all(0.0 <= f1 <= 1.0 for f1 in table["new F1"])
    app.button(key="use_model").click().run()
    assert not app.exception, app.exception
    assert any("This session uses session model 1" in s.value for s in app.success)
    assert any("Using session model 1" in c.value for c in app.caption)
    assert any(m.value.startswith("**Current model:** Session model 1") for m in app.markdown)
    assert not app.warning or all("could not be loaded" not in w.value for w in app.warning)
    from analyzer.ui import cache

    chosen = app.session_state["session_model"]
    assert cache.analyzer(chosen.lexicons, str(chosen.folder)).model == str(chosen.folder)  # the classifier loaded
    analyze(app, "Let me explain it to you, since you seem confused.")
    assert any("<strong>Talking over women</strong>" in block for block in card_blocks(app))
    app.button(key="default_model").click().run()
    assert not app.exception
    assert "session_model" not in app.session_state
    assert not any("Using session model" in c.value for c in app.caption)


# -- allyship app --------------------------------------------------------------


def test_app_command_runs_streamlit_on_localhost(monkeypatch: pytest.MonkeyPatch) -> None:
    ran: list[list[str]] = []
    monkeypatch.setattr(cli_app, "launch", lambda command: ran.append(command) or 0)
    with pytest.raises(SystemExit) as exited:
        cli.main(["app", "--port", "8611"])
    assert exited.value.code == 0
    assert ran == [
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(APP),
            "--server.port",
            "8611",
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--browser.gatherUsageStats",
            "false",
            "--client.toolbarMode",
            "minimal",
        ]
    ]


def test_app_command_without_streamlit_says_so_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli_app.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(cli_app, "launch", lambda command: pytest.fail("must not start"))
    with pytest.raises(SystemExit) as exited:
        cli.main(["app"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err == "error: the app needs Streamlit, which is not installed: pip install 'allyship-analyzer[ui]'\n"


@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_app_command_rejects_a_bad_port(port: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["app", "--port", port])
    assert exited.value.code == 2
    assert "--port" in capsys.readouterr().err


def test_help_does_not_import_streamlit() -> None:
    import subprocess

    code = "import sys; from analyzer import cli; print('streamlit' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
