"""The command line as a user runs it: output, exit codes, one-line errors (in process, through the entry point)."""

from __future__ import annotations

import json

import pytest

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
