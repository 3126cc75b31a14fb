"""``allyship check`` as a user sees it: positions, configuration, inline ignores, exit codes and formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.lint.output import format_text, sarif_log
from analyzer.lint.runner import CheckOptions, check
from tests.conftest import REPO, CliText, run_cli_text, write

FLAGGED = "# Notes\n\nHonestly, just man up and deal with it.\n"
CLEAN = "# Notes\n\nThanks for raising this; let's talk it through.\n"


@pytest.fixture(scope="module")
def factory(lexicon_analyzer):
    """The shared lexicon-only analyzer for default settings; a new one when a test asks for others."""
    from analyzer import Analyzer

    def make(lexicons, model, threshold, trusted):
        if not lexicons and threshold == 0.5:
            return lexicon_analyzer
        return Analyzer(lexicons=list(lexicons), model=None, threshold=threshold, trusted_lexicons=trusted)

    return make


def run_check(factory, *paths: Path | str, **options) -> object:
    return check([str(p) for p in paths], CheckOptions(model=None, **options), factory=factory)


def cli(*args: str, cwd: Path = REPO, stdin: bytes | None = None) -> CliText:
    """``allyship check --no-model ARGS`` run in this process, in ``cwd``."""
    return run_cli_text("check", "--no-model", *args, cwd=cwd, stdin=stdin)


def test_flag_positions_point_into_the_source_file(tmp_path, factory) -> None:
    doc = write(tmp_path / "a.md", "# Title\n\nSee `code` first.\nThen *just* man up, please.\n")
    report = run_check(factory, doc)
    [lint_flag] = report.files[0].flags
    assert (lint_flag.start.line, lint_flag.start.col) == (4, 13)
    assert (lint_flag.end.line, lint_flag.end.col) == (4, 19)
    source = doc.read_text()
    assert source[lint_flag.flag.start : lint_flag.flag.end] == lint_flag.flag.text == "man up"
    assert report.exit_code() == 1


@pytest.mark.parametrize(
    "name, text",
    [
        ("fenced.md", "Intro.\n\n```\nJust man up.\n```\n"),
        ("inline.md", "Run `man up` to update.\n"),
        ("link.md", "See [the docs](https://x.test/man-up) now.\n"),
        ("front.md", "---\ntagline: just man up\n---\n\nHello.\n"),
        ("comment.md", "Hello <!-- just man up --> there.\n"),
        ("page.html", "<p>Hello</p><pre>just man up</pre><script>// man up</script>\n"),
        ("doc.rst", "Hello.\n\n.. code-block:: text\n\n   just man up\n"),
    ],
)
def test_nothing_is_flagged_in_code_urls_comments_or_front_matter(tmp_path, factory, name, text) -> None:
    report = run_check(factory, write(tmp_path / name, text))
    assert report.files[0].flags == []
    assert report.exit_code() == 0


def test_the_same_phrase_in_prose_is_flagged_in_every_format(tmp_path, factory) -> None:
    docs = [
        write(tmp_path / "a.md", "Just man up.\n"),
        write(tmp_path / "b.txt", "Just man up.\n"),
        write(tmp_path / "c.html", "<p>Just man up.</p>\n"),
        write(tmp_path / "d.rst", "Just man up.\n"),
    ]
    report = run_check(factory, tmp_path)
    assert [Path(f.path).name for f in report.files] == [d.name for d in docs]
    assert all([f.flag.rule_id for f in file.flags] == ["tm.man-up"] for file in report.files)


def test_text_output_is_one_line_per_flag_and_a_summary(tmp_path, factory) -> None:
    doc = write(tmp_path / "a.md", FLAGGED)
    text = format_text(run_check(factory, doc))
    first, summary = text.splitlines()
    assert first.startswith(f'{doc}:3:16  toxic_masculinity  "man up"  ')
    assert first.endswith("  (tm.man-up)")
    assert summary == "1 flag in 1 of 1 file (1 toxic_masculinity)."


@pytest.mark.parametrize(
    "text, flagged",
    [
        ("<!-- allyship-disable-next-line -->\nJust man up.\n", False),
        ("<!-- allyship-disable-next-line tm.man-up -->\n\nJust man up.\n", False),
        ("<!-- allyship-disable-next-line toxic_masculinity -->\nJust man up.\n", False),
        ("<!-- allyship-disable-next-line dismissive -->\nJust man up.\n", True),
        ("<!-- allyship-disable-next-line -->\nFine.\nJust man up.\n", True),
        ("<!-- allyship-disable -->\n\nJust man up.\n\nAgain, man up.\n", False),
        ("<!-- allyship-disable -->\n\nJust man up.\n\n<!-- allyship-enable -->\n\nAgain, man up.\n", True),
        ("```\n<!-- allyship-disable -->\n```\n\nJust man up.\n", True),
    ],
)
def test_inline_ignores(tmp_path, factory, text, flagged) -> None:
    report = run_check(factory, write(tmp_path / "a.md", text))
    assert bool(report.files[0].flags) is flagged


def test_rst_disable_next_line(tmp_path, factory) -> None:
    text = ".. allyship-disable-next-line tm.man-up\n\nJust man up.\n\nAgain, man up.\n"
    [lint_flag] = run_check(factory, write(tmp_path / "a.rst", text)).files[0].flags
    assert lint_flag.start.line == 5


def test_unused_ignores_are_reported_only_when_asked(tmp_path, factory) -> None:
    text = (
        "<!-- allyship-disable-next-line dismissive -->\nAll good here.\n\n"
        "<!-- allyship-disable-next-line -->\nJust man up.\n"
    )
    doc = write(tmp_path / "a.md", text)
    quiet = run_check(factory, doc)
    assert quiet.exit_code() == 0 and quiet.files[0].flags == []
    loud = run_check(factory, doc, report_unused_ignores=True)
    [unused] = loud.files[0].unused_ignores
    assert (unused.start.line, unused.directive.ids) == (1, ("dismissive",))
    assert loud.exit_code() == 1
    assert "1:1  unused-ignore" in format_text(loud)


def test_configuration_is_found_walking_up(tmp_path, factory) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n\n[tool.allyship]\ndisable = ["toxic_masculinity"]\n')
    write(tmp_path / "docs" / "deep" / "a.md", "Just man up. Calm down, you're overreacting.\n")
    write(tmp_path / "docs" / "legacy" / "old.md", "Just man up.\n")
    write(tmp_path / "docs" / "legacy" / ".allyship.toml", 'exclude = ["old.md"]\n')
    report = run_check(factory, tmp_path / "docs")
    assert [Path(f.path).name for f in report.files] == ["a.md"]
    assert {f.flag.category for f in report.files[0].flags} == {"dismissive"}


def test_config_threshold_and_explicit_config_file(tmp_path, factory) -> None:
    doc = write(tmp_path / "a.md", "Just man up.\n")
    strict = write(tmp_path / "strict.toml", "threshold = 0.99\n")
    assert run_check(factory, doc).files[0].flags
    assert run_check(factory, doc, config_file=strict).files[0].flags == []


@pytest.mark.parametrize(
    "config, message",
    [
        ("disable = ['tm.no-such-rule']\n", "unknown rule or category ids: tm.no-such-rule"),
        ("threshold = 3\n", "'threshold'"),
        ("colour = 'red'\n", "'colour'"),
        ("disable = [\n", "not valid TOML"),
    ],
)
def test_bad_configuration_is_one_line_exit_2(tmp_path, config, message) -> None:
    write(tmp_path / ".allyship.toml", config)
    write(tmp_path / "a.md", "Hello.\n")
    proc = cli(str(tmp_path / "a.md"), cwd=tmp_path)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and message in proc.stderr


def test_cli_exit_codes_and_unreadable_files(tmp_path) -> None:
    clean = write(tmp_path / "clean.md", CLEAN)
    flagged = write(tmp_path / "flagged.md", FLAGGED)
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 man up".encode("latin-1"))
    assert cli(str(clean)).returncode == 0
    proc = cli(str(clean), str(flagged))
    assert proc.returncode == 1 and '"man up"' in proc.stdout
    proc = cli(str(tmp_path / "latin1.txt"), str(tmp_path / "missing.md"), str(flagged))
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"{tmp_path / 'latin1.txt'}: error: not UTF-8 text (invalid byte at position 3)",
        f"{tmp_path / 'missing.md'}: error: no such file or folder",
    ]
    assert '"man up"' in proc.stdout  # the readable file is still checked


def test_cli_stdin_and_json(tmp_path) -> None:
    proc = cli("-", "--format", "json", stdin=FLAGGED.encode())
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    [file] = data["files"]
    assert file["path"] == "-"
    [flag] = file["flags"]
    assert (flag["line"], flag["col"], flag["text"], flag["rule_id"]) == (3, 16, "man up", "tm.man-up")
    assert flag["strategies"][0]["id"] == "challenge_toxic_masculinity"
    assert data["summary"]["flag_count"] == 1


def test_bad_format_is_usage_error() -> None:
    proc = cli("README.md", "--format", "xml")
    assert proc.returncode == 2


def test_this_repositorys_readmes_have_no_flag_inside_code(factory) -> None:
    """The issue's target: README.md and lexicons/README.md, checked, flag nothing inside code."""
    from markdown_it import MarkdownIt

    paths = [REPO / "README.md", REPO / "lexicons" / "README.md"]
    report = run_check(factory, *paths)
    for path, file in zip(paths, report.files, strict=True):
        source = path.read_text(encoding="utf-8")
        starts = [0, *[i + 1 for i, c in enumerate(source) if c == "\n"]]
        code_lines = set()
        for token in MarkdownIt("commonmark").parse(source):
            if token.type in ("fence", "code_block") and token.map:
                code_lines.update(range(token.map[0] + 1, token.map[1] + 1))
        for lint_flag in file.flags:
            assert lint_flag.start.line not in code_lines
            line_text = source[starts[lint_flag.start.line - 1] : lint_flag.flag.start]
            assert line_text.count("`") % 2 == 0, (path, lint_flag.start)  # not inside an inline code span


def test_sarif_is_built_from_the_rules_that_fired(tmp_path, factory) -> None:
    doc = write(tmp_path / "a.md", "Just man up.\n\nCalm down, you're overreacting. Man up!\n")
    log = sarif_log(run_check(factory, doc))
    [run] = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    assert rules[0]["id"] == "tm.man-up"
    assert len(rules) == len({r["id"] for r in rules}) >= 2  # each rule listed once
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])
    man_up = rules[0]
    assert "Challenge toxic masculinity" in man_up["help"]["text"]
    region = run["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endLine"], region["endColumn"]) == (1, 6, 1, 12)


@pytest.mark.parametrize("command", ["check", "serve"])
def test_commands_have_help_with_an_example(command) -> None:
    proc = run_cli_text(command, "--help")
    assert proc.returncode == 0 and f"Example: allyship {command}" in proc.stdout
