"""The command line as a user runs it: output, exit codes, one-line errors (in process, through the entry point)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.conftest import run_cli as run

EXAMPLE = "Man up, and calm down, it was just a joke."


def test_analyze_prints_linter_style_lines() -> None:
    proc = run("analyze", "--no-model", EXAMPLE)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.decode().splitlines()
    assert lines[0].startswith('1:1  toxic_masculinity  "Man up"  ')
    assert "→ Challenge toxic masculinity" in lines[0]
    assert any("dismissive" in line for line in lines)
    assert lines[-1].startswith(f"{len(lines) - 1} flags:")


def test_analyze_json_is_the_contract() -> None:
    proc = run("analyze", "--no-model", "--format", "json", EXAMPLE)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["summary"]["flag_count"] == len(data["flags"]) >= 2
    for flag in data["flags"]:
        assert EXAMPLE[flag["start"] : flag["end"]] == flag["text"]


def test_analyze_reads_standard_input() -> None:
    proc = run("analyze", "--no-model", "--format", "json", "-", stdin=b"Not all men, though.")
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["flags"][0]["category"] == "derailing"


def test_blank_input_has_no_flags_and_exit_0() -> None:
    proc = run("analyze", "--no-model", "-", stdin=b"   \n")
    assert proc.returncode == 0
    assert "No flags" in proc.stdout.decode()


def test_non_utf8_stdin_is_one_line_exit_2() -> None:
    proc = run("analyze", "--no-model", "-", stdin=b"caf\xe9 man up")
    assert proc.returncode == 2
    err = proc.stderr.decode().strip()
    assert len(err.splitlines()) == 1 and "not UTF-8" in err and "Traceback" not in err


@pytest.mark.parametrize("args", [("analyze", "--frobnicate", "x"), ("analyze", "--format", "xml", "x"), ("nope",)])
def test_usage_errors_exit_2_with_usage(args: tuple[str, ...]) -> None:
    proc = run(*args)
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert "Usage:" in err and "Traceback" not in err


def test_lexicon_validate_clean_on_builtin_lexicons() -> None:
    proc = run("lexicon", "validate", "lexicons")
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode().startswith("ok: ")


def test_lexicon_validate_prints_file_line_errors(tmp_path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("category:\n  id: x\nrules: []\n", encoding="utf-8")
    proc = run("lexicon", "validate", str(tmp_path))
    assert proc.returncode == 2
    lines = proc.stderr.decode().splitlines()
    assert all(line.startswith(f"{bad}:") for line in lines[:-1])
    assert lines[-1].endswith("found")


def test_missing_model_folder_is_one_line_exit_2(tmp_path) -> None:
    proc = run("analyze", "--model", str(tmp_path / "nope"), "hello")
    assert proc.returncode == 2
    assert len(proc.stderr.decode().strip().splitlines()) == 1


def test_help_lists_every_command() -> None:
    proc = run("--help")
    assert proc.returncode == 0
    for command in ("analyze", "lexicon"):
        assert command in proc.stdout.decode()


def test_an_argument_that_is_not_utf8_is_one_line_exit_2() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "analyzer.cli.main", "analyze", b"calm down \xff\xfe", "--no-model"],
        capture_output=True,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert len(err.strip().splitlines()) == 1 and "argument 2" in err and "not valid UTF-8" in err
    assert "byte 0xff at position 10" in err


@pytest.mark.parametrize(
    "exc, shown",
    [
        (MemoryError(), "ran out of memory"),
        (OSError(28, "No space left on device", "out.jsonl"), "cannot read or write out.jsonl: No space left"),
        (RuntimeError("first line\n  second line\n\nthird"), "RuntimeError: first line second line third"),
        (UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"), "use UTF-8 text"),
    ],
    ids=["memory", "disk-full", "multi-line", "encoding"],
)
def test_a_failure_that_is_not_a_user_error_is_still_one_sentence(exc: BaseException, shown: str) -> None:
    from analyzer.cli.main import failure_line

    line = failure_line(exc)
    assert shown in line and "\n" not in line and "unexpected" not in line and line.startswith("error: ")


def test_a_pattern_the_matcher_rejects_is_one_line_never_unexpected(tmp_path) -> None:
    rule = """\
category:
  id: regex_test
  label: Regex test
  description: A category whose pattern nests REGEX inside NOT_IN.
  strategies: [listen_and_learn]
rules:
  - id: rt.nested
    phrases: ["qqzx never"]
    patterns:
      - [{LOWER: {NOT_IN: [{REGEX: "^a"}]}}, {LOWER: "never"}]
    explanation: A rule made for this test.
    suggestion: null
    examples:
      flag: ["qqzx never"]
      pass: ["all clear here"]
"""
    (tmp_path / "regex_test.yml").write_text(rule, encoding="utf-8")
    proc = run("analyze", "qqzx never", "--no-model", "--trusted-lexicons", "--lexicons", str(tmp_path))
    assert proc.returncode == 2
    err = proc.stderr.decode()
    assert len(err.strip().splitlines()) == 1 and "unexpected" not in err and "Traceback" not in err


def test_version_prints_the_package_version() -> None:
    from analyzer.version import __version__

    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.decode().strip() == f"allyship {__version__}"


def test_analyze_of_an_existing_file_points_to_stdin_or_batch(tmp_path) -> None:
    """A path given as TEXT was meant to be read: analyzing the path string would silently find nothing."""
    path = tmp_path / "notes.txt"
    path.write_text("Man up.", encoding="utf-8")
    proc = run("analyze", "--no-model", str(path))
    err = proc.stderr.decode().strip()
    assert proc.returncode == 2 and len(err.splitlines()) == 1, err
    assert f"allyship analyze - < {path}" in err and f"allyship batch {path}" in err


def test_a_suggestion_is_never_introduced_twice() -> None:
    """Suggestions are shown after "Try:"; none may read "Try: Try ..." (nor "Try instead: Try ...")."""
    from analyzer.lexicon.loader import load_lexicon

    openings = [r.id for r in load_lexicon([]).rules.values() if (r.suggestion or "").lower().startswith("try ")]
    assert openings == []
    proc = run("analyze", "--no-model", "Man up, it's just a joke.")
    assert proc.returncode == 0 and "Try: Try" not in proc.stdout.decode()
