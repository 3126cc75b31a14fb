"""The app's helpers, without Streamlit: escaping, highlighting, cards, filters, limits, uploads."""

from __future__ import annotations

import html
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from analyzer.errors import AnalyzerError, ModelError
from analyzer.flags import Flag, ScoreStep
from analyzer.lexicon import palette
from analyzer.lexicon.article import Reference
from analyzer.lexicon.loader import load_lexicon
from analyzer.ui import about, analysis, cards, highlight, lexicon_view
from tests.conftest import MINIMAL_RULE, builtin_colors, write

COLORS = builtin_colors()

REPO = Path(__file__).resolve().parent.parent

# A small lexicon written for these tests, so they do not depend on the
# built-in lexicons as those grow.
TEST_LEXICONS = {
    "toxic_masculinity.yml": """\
category:
  id: toxic_masculinity
  label: Toxic masculinity norm
  description: Demands that a man hide his feelings, refuse help or prove he is tough.
  strategies: [challenge_toxic_masculinity]
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
    phrases: ["just a joke", "only a joke"]
    explanation: Calling it a joke asks the person who was hurt to accept it and move on.
    suggestion: If it landed badly, say sorry and drop it.
    score: 0.8
    examples:
      flag: ["Relax, it was just a joke."]
      pass: ["The film is a comedy, full of gags."]
""",
}

GOOD_UPLOAD = b"""\
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


def write_test_lexicons(folder: Path) -> Path:
    """A built-in lexicon folder for tests: the real references plus :data:`TEST_LEXICONS`."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "lexicons" / "strategies.yml", folder / "strategies.yml")
    for name, text in TEST_LEXICONS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def test_lexicons(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the built-in lexicons at the test folder and hide any shipped model."""
    folder = write_test_lexicons(tmp_path / "lexicons")
    monkeypatch.setattr("analyzer.lexicon.loader.BUILTIN_DIR", folder)
    monkeypatch.setattr("analyzer.engine.MODELS_DIR", tmp_path / "no-models")
    return folder


def ref(kind: str, ref_id: str, title: str) -> Reference:
    return Reference(id=ref_id, title=title, summary=f"Summary of {title}.", kind=kind, section="")


def make_flag(
    start: int,
    end: int,
    text: str,
    category: str = "dismissive",
    label: str = "Dismissing or minimizing",
    score: float = 0.8,
    source: str = "lexicon",
    rule_id: str | None = "di.calm-down",
    top_words: tuple[str, ...] = (),
) -> Flag:
    return Flag(
        start=start,
        end=end,
        text=text[start:end],
        category=category,
        label=label,
        score=score,
        source=source,
        rule_id=rule_id,
        explanation="Why it lands badly.",
        suggestion="What to say instead.",
        strategies=(ref("strategies", "listen_and_learn", "Listen and learn"),),
        barriers=(ref("barriers", "defensiveness", "Defensiveness"),),
        roles=(),
        history=(
            ScoreStep("lexicon", score, f"matched rule {rule_id}"),
            ScoreStep("context:negation", score, "not negated"),
            ScoreStep("threshold", score, "kept: score >= threshold 0.10"),
        ),
        top_words=top_words,
    )


class _Visible(HTMLParser):
    """The text a browser shows for an HTML fragment, without the card-number superscripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[str] = []
        self.in_sup = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "br":
            self.parts.append("\n")
        self.in_sup = self.in_sup or tag == "sup"

    def handle_endtag(self, tag: str) -> None:
        if tag == "sup":
            self.in_sup = False

    def handle_data(self, data: str) -> None:
        if not self.in_sup:
            self.parts.append(data)


def visible(fragment: str) -> tuple[str, list[str]]:
    parser = _Visible()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts), parser.tags


# -- escaping ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, absent, present",
    [
        ("<img src=x onerror=alert(1)>", ["<img", "<"], ["&lt;img"]),
        ("<script>alert('x')</script>", ["<script", "'"], ["&lt;script&gt;", "&#x27;"]),
        ('a "quoted" word', ['"'], ["&quot;quoted&quot;"]),
        ("Tom & Jerry", [" & "], ["&amp;"]),
        ("$x$ and **bold** and `code`", ["$", "*", "`"], ["&#36;", "&#42;", "&#96;"]),
        ("# heading\n\n- item", ["\n", "# heading"], ["&#35; heading<br><br>- item"]),
        ("line one\r\nline two\rthree", ["\r", "\n"], ["one<br>line", "two<br>three"]),
        ("[a link](https://example.com)", ["[", "](", "://"], ["&#91;", "&#58;"]),
    ],
)
def test_escape_text_leaves_no_markup(text: str, absent: list[str], present: list[str]) -> None:
    escaped = highlight.escape_text(text)
    for part in absent:
        assert part not in escaped
    for part in present:
        assert part in escaped
    shown, tags = visible(escaped)
    assert shown == text.replace("\r\n", "\n").replace("\r", "\n")
    assert set(tags) <= {"br"}


def test_escape_text_uses_html_escape_first() -> None:
    """Entities html.escape writes stay whole: its '#' is not escaped a second time."""
    assert highlight.escape_text("it's") == "it&#x27;s"
    assert highlight.escape_text("&lt;") == "&amp;lt;"


# -- highlighting --------------------------------------------------------------

TEXT = "Man up, and calm down, it was just a joke."


@pytest.mark.parametrize(
    "spans, expected_marked",
    [
        ([], []),
        ([(0, 6, "toxic_masculinity")], ["Man up"]),
        (
            [(0, 6, "toxic_masculinity"), (12, 21, "dismissive"), (30, 41, "dismissive")],
            ["Man up", "calm down", "just a joke"],
        ),
        ([(30, 41, "dismissive"), (0, 6, "toxic_masculinity")], ["Man up", "just a joke"]),
        ([(0, 42, "new_category")], [TEXT]),
    ],
)
def test_highlight_marks_exact_offsets(spans: list[tuple[int, int, str]], expected_marked: list[str]) -> None:
    flags = [make_flag(s, e, TEXT, category=c, label=c) for s, e, c in spans]
    out = highlight.highlight_html(TEXT, flags, colors=COLORS)
    marked = [html.unescape(m) for m in re.findall(r"<mark [^>]*>(.*?)</mark>", out)]
    assert marked == expected_marked
    shown, _ = visible(out)
    assert shown == TEXT
    assert out.count("<sup") == len(spans)


def test_highlight_colors_by_category_with_fallback() -> None:
    flags = [
        make_flag(0, 6, TEXT, category="toxic_masculinity"),
        make_flag(30, 41, TEXT, category="talking_over", label="Talking over women"),
    ]
    out = highlight.highlight_html(TEXT, flags, colors=COLORS)
    assert f"background-color: {highlight.color_for('toxic_masculinity', COLORS)}" in out
    assert f"background-color: {highlight.color_for('talking_over', COLORS)}" in out
    builtin = [highlight.color_for(c, COLORS) for c in COLORS]
    assert len(set(builtin)) == len(builtin) == 8  # every built-in category has a colour of its own


def test_the_app_and_the_report_share_one_palette_from_the_lexicon_files(tmp_path: Path) -> None:
    """The report draws a category in its file's colour; the app marks text with a light tint of the same."""
    assert palette.color_of("toxic_masculinity", COLORS) == "#d95f02"  # lexicons/toxic_masculinity.yml
    assert highlight.color_for("toxic_masculinity", COLORS) == palette.tint("#d95f02")
    assert palette.tint("#000000", 0.4) == "#999999" and palette.tint("#ffffff") == "#ffffff"
    # A user's category without a colour gets the same fallback in every view and every run.
    assert palette.color_of("talking_over", COLORS) == palette.color_of("talking_over", {}) in palette.FALLBACKS
    # One that names its colour gets it, in the app as in the report.
    path = write(
        tmp_path / "lex" / "talking_over.yml", MINIMAL_RULE.replace("  label:", '  color: "#123456"\n  label:')
    )
    own = palette.colors_of(load_lexicon([path.parent]).categories)
    assert palette.color_of("talking_over", own) == "#123456" and own["toxic_masculinity"] == "#d95f02"


def test_highlight_escapes_user_text_inside_and_outside_marks() -> None:
    text = "<img src=x onerror=alert(1)> man up <b>now</b>"
    start = text.index("man up")
    flags = [make_flag(start, start + 6, text), make_flag(0, 28, text, category="x", label='"><script>')]
    out = highlight.highlight_html(text, flags, colors=COLORS)
    shown, tags = visible(out)
    assert shown == text
    assert set(tags) <= {"div", "mark", "sup", "br"}
    assert "<img" not in out and "<b>" not in out and "<script" not in out
    assert 'title="2. &quot;&gt;&lt;script&gt;"' in out


def test_highlight_handles_overlaps_with_the_innermost_color() -> None:
    outer = make_flag(0, 42, TEXT, category="gender_stereotype", label="Gender stereotype", source="classifier")
    inner = make_flag(12, 21, TEXT, category="dismissive")
    out = highlight.highlight_html(TEXT, [outer, inner], colors=COLORS)
    shown, _ = visible(out)
    assert shown == TEXT
    inner_mark = re.search(r"<mark [^>]*>calm down</mark>", out)
    assert inner_mark is not None
    assert highlight.color_for("dismissive", COLORS) in inner_mark.group(0)
    assert "1. Gender stereotype; 2. Dismissing or minimizing" in inner_mark.group(0)


def test_highlight_skips_offsets_outside_the_text() -> None:
    bad = make_flag(0, 6, TEXT)
    bad = Flag(**{**bad.__dict__, "start": 40, "end": 99})
    out = highlight.highlight_html(TEXT, [bad], colors=COLORS)
    assert "<mark" not in out
    assert visible(out)[0] == TEXT


def test_card_header_and_legend_escape_their_text() -> None:
    header = highlight.card_header_html(3, "<i>man up</i>", "toxic_masculinity", "Toxic & norm", COLORS)
    assert "&lt;i&gt;man up&lt;/i&gt;" in header and "Toxic &amp; norm" in header
    legend = highlight.legend_html([("dismissive", "Dismissing <or> minimizing")], COLORS)
    assert "&lt;or&gt;" in legend and highlight.color_for("dismissive", COLORS) in legend
    assert highlight.legend_html([], COLORS) == ""


# -- summary, filters, cards ---------------------------------------------------


@pytest.mark.parametrize(
    "spans, expected",
    [
        ([], "No flags"),
        ([(0, 6, "toxic_masculinity", "Toxic masculinity norm")], "1 flag: 1 toxic masculinity norm"),
        (
            [
                (0, 6, "toxic_masculinity", "Toxic masculinity norm"),
                (12, 21, "dismissive", "Dismissing or minimizing"),
                (30, 41, "dismissive", "Dismissing or minimizing"),
            ],
            "3 flags: 2 dismissing or minimizing, 1 toxic masculinity norm",
        ),
        ([(0, 6, "lgbt", "LGBT slurs")], "1 flag: 1 LGBT slurs"),
    ],
)
def test_summary_text(spans: list[tuple[int, int, str, str]], expected: str) -> None:
    flags = [make_flag(s, e, TEXT, category=c, label=label) for s, e, c, label in spans]
    assert cards.summary_text(flags) == expected


def test_filter_flags_by_score_and_category() -> None:
    flags = [
        make_flag(0, 6, TEXT, category="toxic_masculinity", label="Toxic masculinity norm", score=0.9),
        make_flag(12, 21, TEXT, score=0.75),
        make_flag(30, 41, TEXT, score=0.3),
    ]
    assert [f.text for f in cards.filter_flags(flags, threshold=0.5)] == ["Man up", "calm down"]
    assert [f.text for f in cards.filter_flags(flags, threshold=0.8)] == ["Man up"]
    assert [f.text for f in cards.filter_flags(flags, categories={"dismissive"})] == ["calm down", "just a joke"]
    assert cards.filter_flags(flags, categories=set()) == []
    assert cards.filter_flags(flags, threshold=0.95) == []
    assert cards.category_options(flags) == {
        "dismissive": "Dismissing or minimizing",
        "toxic_masculinity": "Toxic masculinity norm",
    }


def test_card_rests_on_rule_and_restates_the_threshold() -> None:
    text = "Hello.\n  Calm down."
    flag = make_flag(9, 18, text, score=0.75)
    card = cards.card_for(flag, 1, text, threshold=0.6)
    assert (card.phrase, card.label, card.line, card.column) == ("Calm down", "Dismissing or minimizing", 2, 3)
    assert card.basis == "lexicon rule di.calm-down"
    assert [s.step for s in card.steps] == ["lexicon", "context:negation", "threshold"]
    assert card.steps[-1].note == "shown: score 0.75 ≥ your sensitivity threshold 0.60"
    assert [r.title for r in card.strategies] == ["Listen and learn"]
    assert [r.title for r in card.barriers] == ["Defensiveness"]


def test_card_of_a_classifier_flag_names_its_words() -> None:
    flag = make_flag(0, 6, TEXT, source="classifier", rule_id=None, top_words=("man", "up", "tough"))
    assert cards.card_for(flag, 1, TEXT, 0.5).basis == "classifier; the words that weighed most: 'man', 'up', 'tough'"
    assert cards.basis_of(make_flag(0, 6, TEXT, source="classifier", rule_id=None)) == "classifier"


def test_cards_are_numbered_and_capped() -> None:
    flags = [make_flag(0, 6, TEXT)] * 5
    assert [c.number for c in cards.cards_for(flags, TEXT, 0.5, limit=3)] == [1, 2, 3]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("plain words", "plain words"),
        ("**bold** _it_", r"\*\*bold\*\* \_it\_"),
        ("<b>x</b>", r"\<b\>x\</b\>"),
        ("$5 and $6", r"\$5 and \$6"),
        ("[x](http://a)", r"\[x\](http\://a)"),
        (":red[no]", r"\:red\[no\]"),
        ("a & b", "a &amp; b"),
        ("two\n\nlines", "two lines"),
    ],
)
def test_md_escape(text: str, expected: str) -> None:
    assert cards.md_escape(text) == expected


# -- limits and running --------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", "Paste or type a text first."),
        ("   \n\t", "Paste or type a text first."),
        ("a" * analysis.MAX_PASTE_CHARS, None),
        ("a" * (analysis.MAX_PASTE_CHARS + 1), "at most 200,000"),
    ],
)
def test_paste_problem(text: str, expected: str | None) -> None:
    problem = analysis.paste_problem(text)
    if expected is None:
        assert problem is None
    else:
        assert problem is not None and expected in problem


class _Refusing:
    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0

    def analyze(self, text: str) -> None:
        self.calls += 1
        raise self.error


@pytest.mark.parametrize(
    "error, expected",
    [
        (AnalyzerError("text too odd"), "The text could not be analyzed: text too odd"),
        (RuntimeError("boom"), "Something went wrong while analyzing (RuntimeError: boom)."),
    ],
)
def test_run_analysis_turns_errors_into_messages(error: Exception, expected: str) -> None:
    outcome = analysis.run_analysis(_Refusing(error), "some text")  # type: ignore[arg-type]
    assert outcome.result is None and outcome.error == expected


def test_run_analysis_refuses_a_long_paste_without_analyzing() -> None:
    refusing = _Refusing(RuntimeError("must not be called"))
    outcome = analysis.run_analysis(refusing, "x" * 200_001)  # type: ignore[arg-type]
    assert outcome.error is not None and "200,001 characters" in outcome.error
    assert refusing.calls == 0


def test_run_analysis_with_the_real_pipeline(test_lexicons: Path) -> None:
    loaded = analysis.build_analyzer(model=None)
    assert loaded.warning is None and loaded.analyzer.threshold == cards.SENSITIVITY_FLOOR
    outcome = analysis.run_analysis(loaded.analyzer, TEXT)
    assert outcome.error is None and outcome.result is not None
    assert [(f.text, f.rule_id) for f in outcome.result.flags] == [
        ("Man up", "tm.man-up"),
        ("calm down", "di.calm-down"),
        ("just a joke", "di.just-a-joke"),
    ]
    assert cards.summary_text(outcome.result.flags) == "3 flags: 2 dismissing or minimizing, 1 toxic masculinity norm"
    same = analysis.run_analysis(loaded.analyzer, TEXT)
    assert same.key == outcome.key and analysis.run_analysis(loaded.analyzer, TEXT + " ").key != outcome.key


def test_build_analyzer_falls_back_to_lexicons_when_the_model_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[object] = []

    class FakeAnalyzer:
        def __init__(self, lexicons: list[str], model: str | None, threshold: float) -> None:
            if model is not None:
                raise ModelError("model folder is tampered with")
            self.classifier = None
            made.append(model)

    monkeypatch.setattr(analysis, "Analyzer", FakeAnalyzer)
    loaded = analysis.build_analyzer(model="models/x")
    assert loaded.model is None and made == [None]
    assert loaded.warning is not None and "tampered" in loaded.warning and "lexicons only" in loaded.warning


def test_build_analyzer_reports_lexicon_problems(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_test_lexicons(tmp_path / "lexicons")
    (folder / "broken.yml").write_text("category: [unclosed\n", encoding="utf-8")
    monkeypatch.setattr("analyzer.lexicon.loader.BUILTIN_DIR", folder)
    from analyzer.errors import LexiconError

    with pytest.raises(LexiconError) as caught:
        analysis.build_analyzer(model=None)
    lines = lexicon_view.problem_lines(caught.value.problems)
    assert len(lines) == 1 and re.match(r".*broken\.yml:\d+: YAML syntax error", lines[0])


# -- lexicons page -------------------------------------------------------------


def test_rules_table_and_search(test_lexicons: Path) -> None:
    from analyzer.lexicon.loader import load_lexicon

    rows = lexicon_view.rules_table(load_lexicon())
    assert [r["rule"] for r in rows] == ["di.calm-down", "di.just-a-joke", "tm.man-up"]
    assert set(rows[0]) == set(lexicon_view.TABLE_COLUMNS)
    assert rows[1]["phrases"] == "just a joke; only a joke"
    assert rows[2]["strategies"] == "Challenge toxic masculinity"
    assert [r["rule"] for r in lexicon_view.search_rows(rows, "JOKE")] == ["di.just-a-joke"]
    assert [r["rule"] for r in lexicon_view.search_rows(rows, "listen calm")] == ["di.calm-down"]
    assert lexicon_view.search_rows(rows, "", ["Toxic masculinity norm"]) == [rows[2]]
    assert lexicon_view.search_rows(rows, "nothing-like-this") == []


@pytest.mark.parametrize(
    "name, expected",
    [
        ("mine.yml", "mine.yml"),
        ("../../etc/passwd.yml", "passwd.yml"),
        ("C:\\Users\\me\\my lexicon.yaml", "my_lexicon.yaml"),
        (".hidden.yml", "hidden.yml"),
        ("", "uploaded.yml"),
    ],
)
def test_safe_upload_name(name: str, expected: str) -> None:
    assert lexicon_view.safe_upload_name(name) == expected


def test_validate_upload_accepts_a_good_file(test_lexicons: Path) -> None:
    report = lexicon_view.validate_upload("talking_over.yml", GOOD_UPLOAD)
    assert report.ok, report.problems
    assert report.message.startswith("talking_over.yml is valid: 1 rule, 2 examples")
    assert [(r["rule"], r["file"]) for r in report.rows] == [("to.what-she-means", "talking_over.yml")]


@pytest.mark.parametrize(
    "data, expected",
    [
        (
            GOOD_UPLOAD.replace(b"  description:", b"  colour: red\n  description:"),
            ["my-rules.yml:4: category.colour: unknown field"],
        ),
        (b"category: [unclosed\n", ["my-rules.yml:2: YAML syntax error"]),
        (
            GOOD_UPLOAD.replace(b"to.what-she-means", b"tm.man-up"),
            ["my-rules.yml:7: rule id 'tm.man-up' is already defined in "],
        ),
        (GOOD_UPLOAD.replace(b"[listen_and_learn]", b"[be_nice]"), ["my-rules.yml:5: unknown strategy id 'be_nice'"]),
        (
            GOOD_UPLOAD.replace(b'pass: ["She said', b'pass: ["What she means is fine. She said'),
            ["my-rules.yml:13: rule 'to.what-she-means': pass example is flagged"],
        ),
        ("caf\xe9".encode("latin-1"), ["my-rules.yml:1: file is not UTF-8 text"]),
    ],
)
def test_validate_upload_reports_problems_with_the_uploaded_name(
    test_lexicons: Path, data: bytes, expected: list[str]
) -> None:
    report = lexicon_view.validate_upload("my-rules.yml", data)
    assert not report.ok
    assert len(report.problems) == len(expected), report.problems
    for line, start in zip(report.problems, expected, strict=True):
        assert line.startswith(start), line
    assert not any("allyship-upload" in line for line in report.problems)


@pytest.mark.parametrize(
    "name, data, expected",
    [
        ("rules.txt", GOOD_UPLOAD, "rules.txt: a lexicon is a .yml or .yaml file."),
        ("big.yml", b"#" * (lexicon_view.MAX_UPLOAD_BYTES + 1), "the limit is 2,000,000"),
        ("strategies.yml", GOOD_UPLOAD, "reserved for the article references"),
    ],
)
def test_validate_upload_refuses_before_reading(name: str, data: bytes, expected: str) -> None:
    def never(*args: object) -> None:
        raise AssertionError("must not be called")

    report = lexicon_view.validate_upload(name, data, validate=never, load=never)
    assert not report.ok and expected in report.message


def test_validate_upload_turns_a_checker_bug_into_a_message() -> None:
    def broken(dirs: list[str]) -> tuple[int, int, int]:
        raise KeyError("oops")

    report = lexicon_view.validate_upload("a.yml", GOOD_UPLOAD, validate=broken)
    assert not report.ok and report.message == "a.yml: could not be checked (KeyError: 'oops')"


def test_display_path_is_relative_to_the_project() -> None:
    assert lexicon_view.display_path(REPO / "lexicons" / "dismissive.yml") == "lexicons/dismissive.yml"
    assert lexicon_view.display_path("/elsewhere/x.yml") == "/elsewhere/x.yml"
    assert lexicon_view.display_path("/tmp/u/x.yml", {"/tmp/u/x.yml": "x.yml"}) == "x.yml"


# -- about ---------------------------------------------------------------------


def test_about_lists_every_reference_from_strategies_yml() -> None:
    sections = about.reference_sections(about.load_article_references(REPO / "lexicons"))
    titles = {s.kind: [r.title for r in s.entries] for s in sections}
    assert titles["strategies"] == [
        "Educate oneself",
        "Listen and learn",
        "Challenge toxic masculinity",
        "Speak up and intervene",
        "Support women's leadership",
        "Engage in dialogue with other men",
    ]
    assert len(titles["barriers"]) == 5 and len(titles["roles"]) == 5
    assert [s.article_section for s in sections] == [
        "Strategies for Overcoming Barriers",
        "Barriers to Male Allyship",
        "The Importance of Male Allies",
    ]
    assert all(r.summary for s in sections for r in s.entries)


def test_about_explains_the_steps_limits_and_privacy() -> None:
    assert [name for name, _ in about.DECISION_STEPS] == ["Lexicon", "Context", "Classifier", "Threshold"]
    assert "does not judge people" in about.LIMITS[0]
    assert about.PRIVACY[0].startswith("Nothing leaves the machine")


def test_card_html_escapes_everything_and_shows_every_part() -> None:
    text = "<b>calm down</b>"
    flag = Flag(
        **{
            **make_flag(3, 12, text).__dict__,
            "explanation": "Explains <script>x</script>",
            "suggestion": 'Say "this" & that',
            "roles": (ref("roles", "amplify_voices", "Amplifying <women's> voices"),),
        }
    )
    out = highlight.card_html(cards.card_for(flag, 2, text, 0.5), COLORS)
    shown, tags = visible(out)
    shown = " ".join(shown.split())  # the header's non-breaking space
    assert set(tags) <= {"div", "mark", "strong", "p", "ul", "li", "details", "summary", "code"}
    assert "<script" not in out and "<women" not in out
    for part in (
        "2. calm down Dismissing or minimizing",
        "Explains <script>x</script>",
        'Try instead: Say "this" & that',
        "What an ally can do",
        "Listen and learn: Summary of Listen and learn.",
        "The barrier behind it",
        "Defensiveness: Summary of Defensiveness.",
        "The ally's role here",
        "Amplifying <women's> voices: Summary of Amplifying <women's> voices.",
        "Score 0.80, resting on lexicon rule di.calm-down · line 1, column 4",
        "How the score was reached",
        "lexicon → 0.80: matched rule di.calm-down",
        "threshold → 0.80: shown: score 0.80 ≥ your sensitivity threshold 0.50",
    ):
        assert part in shown, part


def test_card_html_leaves_out_what_a_flag_does_not_have() -> None:
    flag = Flag(**{**make_flag(0, 6, TEXT).__dict__, "suggestion": None, "barriers": (), "roles": ()})
    shown, _ = visible(highlight.card_html(cards.card_for(flag, 1, TEXT, 0.5), COLORS))
    assert "Try instead" not in shown and "barrier" not in shown and "role" not in shown
    assert "What an ally can do" in shown


def test_problem_lines_hide_temporary_and_project_paths() -> None:
    from analyzer.errors import Problem

    problems = [
        Problem("/tmp/up/mine.yml", 7, f"rule id 'x.y' is already defined in {REPO}/lexicons/dismissive.yml"),
        Problem(str(REPO / "lexicons" / "derailing.yml"), 3, "phrase 'a' is already in rule 'b' (/tmp/up/mine.yml)"),
    ]
    assert lexicon_view.problem_lines(problems, {"/tmp/up/mine.yml": "mine.yml"}) == [
        "mine.yml:7: rule id 'x.y' is already defined in lexicons/dismissive.yml",
        "lexicons/derailing.yml:3: phrase 'a' is already in rule 'b' (mine.yml)",
    ]
