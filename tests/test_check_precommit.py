"""The pre-commit hook, run for real: ``pre-commit try-repo`` installs this repository and checks two files.

pre-commit installs the hook repository from a git commit, so the test copies
the package into a temporary git repository and commits it there. It installs
the package and its dependencies into pre-commit's own environment: slow.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, write

pytestmark = pytest.mark.slow
pytest.importorskip("pre_commit", reason="pre-commit is a dev dependency: pip install -e '.[dev]'")

# What a clone of the repository holds that installing the package needs (setuptools maps the data folders in).
HOOK_FILES = (
    "analyzer",
    "lexicons",
    "models",
    "data/corpus",
    "pyproject.toml",
    "README.md",
    "LICENSE",
    ".pre-commit-hooks.yaml",
)


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_pre_commit_try_repo_passes_clean_and_fails_flagged(tmp_path) -> None:
    hook_repo = tmp_path / "hook"
    hook_repo.mkdir()
    for name in HOOK_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, hook_repo / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, hook_repo / name)
    git(hook_repo, "init", "-q")
    git(hook_repo, "add", "-A")
    git(hook_repo, "commit", "-q", "-m", "hook")

    project = tmp_path / "project"
    write(project / "clean.md", "# Notes\n\nThanks for raising this; let's talk it through.\n")
    write(project / "flagged.md", "# Notes\n\nHonestly, just man up and deal with it.\n")
    git(project, "init", "-q")
    git(project, "add", "-A")

    # PIP_NO_COMPILE: pre-commit's pip installs the same files without byte-compiling all of spaCy and SciPy first.
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"), PRE_COMMIT_COLOR="never", PIP_NO_COMPILE="1")
    env.pop("ALLYSHIP_LEXICONS", None)  # the installed package carries its built-in lexicons

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "allyship-check", "--files", *files],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=1500,
        )

    passed = try_repo("clean.md")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
    failed = try_repo("clean.md", "flagged.md")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert 'flagged.md:3:16  toxic_masculinity  "man up"' in failed.stdout
    assert "clean.md:" not in failed.stdout.replace("clean.md\n", "")
