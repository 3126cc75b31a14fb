"""Each page of the Streamlit app through ``streamlit.testing.v1.AppTest``, and ``allyship app``.

The app runs in this process against a small lexicon written for the tests
(the built-in folder is pointed at it), so what the pages must show is known
exactly; the browser test covers the real built-in lexicons.
"""

from __future__ import annotations

import html
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analyzer import cli, cli_app

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
    monkeypatch.setattr("analyzer.lexicon.BUILTIN_DIR", folder)
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
    assert [tab.label for tab in app.tabs] == ["Analyze", "Lexicons", "About"]
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
    assert any("talking_over.yml is valid: 1 rule" in s.value for s in app.success)
    assert list(app.dataframe[1].value["rule"]) == ["to.what-she-means"]


def test_lexicons_page_shows_upload_errors_with_the_file_name_and_line(app: AppTest) -> None:
    app.file_uploader(key="lexicon_upload").upload("my rules.yml", UPLOAD_BAD, "application/x-yaml")
    app.run()
    assert not app.exception
    assert any("1 problem found" in e.value for e in app.error)
    assert app.code[0].value == "my rules.yml:6: category.colour: unknown field"


def test_lexicons_page_shows_broken_builtin_lexicons_instead_of_crashing(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    from analyzer import lexicon

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
