"""The package as users install it: a wheel that carries its data and works from any folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from analyzer.version import __version__
from tests.conftest import MINIMAL_RULE, REPO, write

MAX_WHEEL_BYTES = 15_000_000
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def test_every_package_of_the_source_is_listed_for_the_wheel() -> None:
    """The wheel's packages are listed by hand (lexicons/, models/, data/corpus/ are mapped into analyzer):
    a subpackage added under analyzer/ and not listed would be missing from every install."""
    found = {
        ".".join(path.parent.relative_to(REPO).parts) for path in (REPO / "analyzer").rglob("__init__.py")
    }
    assert found <= set(SETUPTOOLS["packages"]), sorted(found - set(SETUPTOOLS["packages"]))
    for package, folder in SETUPTOOLS["package-dir"].items():
        assert (REPO / folder / "__init__.py").is_file(), package


def test_every_spacy_factory_entry_point_names_a_registered_factory() -> None:
    import importlib

    from spacy.language import Language

    for name, target in PYPROJECT["project"]["entry-points"]["spacy_factories"].items():
        module, _, function = target.partition(":")
        assert callable(getattr(importlib.import_module(module), function))
        assert Language.has_factory(name), name


def _copy_source(to: Path) -> Path:
    """The checkout's files without build leftovers, so building never writes into the checkout."""
    ignore = shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis"
    )
    shutil.copytree(REPO, to, ignore=ignore)
    return to


def _run(args: list[str | Path], cwd: Path, **kwargs) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALLYSHIP_", "PYTHON", "VIRTUAL_ENV"))}
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=900, env=env, **kwargs
    )


@pytest.mark.slow
@pytest.mark.timeout(1800)  # installs the dependencies into a fresh venv and trains a model
def test_the_wheel_installed_in_a_clean_venv_works_from_any_folder(tmp_path: Path) -> None:
    """Build the wheel, install it into a fresh venv, and run every command from a folder outside the checkout."""
    source = _copy_source(tmp_path / "source")
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path / "dist", source], tmp_path)
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("allyship_analyzer-*.whl")
    assert wheel.stat().st_size <= MAX_WHEEL_BYTES
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "analyzer/lexicons/strategies.yml",
        "analyzer/lexicons/toxic_masculinity.yml",
        "analyzer/data/context.yml",
        "analyzer/models/default/compiled.npz",
        "analyzer/models/default/metadata.json",
        "analyzer/corpus/positives_a.jsonl",
    ):
        assert needed in names, needed
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert not any(n.endswith("model.joblib") for n in names)  # a training artifact, not shipped
    assert {n.split("/")[0] for n in names if not n.endswith((".dist-info", ".data"))} <= {
        "analyzer",
        wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info",
    }

    venv = tmp_path / "venv"
    assert _run([sys.executable, "-m", "venv", venv], tmp_path).returncode == 0
    # --no-compile: byte-compiling every file of spaCy, SciPy and scikit-learn is most of an install's time, and
    # what it saves (a .pyc per module) the first run writes anyway; the files installed are the same.
    installed = _run([venv / "bin" / "python", "-m", "pip", "install", "-q", "--no-compile", wheel], tmp_path)
    assert installed.returncode == 0, installed.stderr
    allyship = venv / "bin" / "allyship"
    work = tmp_path / "elsewhere"
    work.mkdir()

    version = _run([allyship, "--version"], work)
    assert version.returncode == 0 and version.stdout.strip() == f"allyship {__version__}"

    analyzed = _run([allyship, "analyze", "Man up. Women are vile creatures.", "--format", "json"], work)
    assert analyzed.returncode == 0, analyzed.stderr
    assert '"toxic_masculinity"' in analyzed.stdout and '"classifier"' in analyzed.stdout  # lexicons and model

    write(work / "docs" / "a.txt", "Calm down, it was just a joke.")
    write(work / "docs" / "b.csv", "id,text\n1,Boys will be boys.\n2,Lunch is at noon.\n")
    batch = _run([allyship, "batch", "docs", "--out", "out.jsonl", "--quiet"], work)
    assert batch.returncode == 0, batch.stderr
    assert len((work / "out.jsonl").read_text(encoding="utf-8").splitlines()) >= 3

    write(work / "my_lex" / "talking_over.yml", MINIMAL_RULE)
    validated = _run([allyship, "lexicon", "validate", "my_lex"], work)
    assert validated.returncode == 0 and validated.stdout.startswith("ok:"), validated.stderr

    write(
        work / "examples.csv",
        "text,categories\n"
        '"Let me explain it to you, since she clearly did not get it.",talking_over\n'
        '"Great point from Ana, let us build on it.",\n',
    )
    trained = _run([allyship, "train", "--lexicons", "my_lex", "--data", "examples.csv", "--out", "mine"], work)
    assert trained.returncode == 0, trained.stderr
    assert sorted(p.name for p in (work / "mine").iterdir()) == ["compiled.npz", "metadata.json", "model.joblib"]
    again = _run([allyship, "analyze", "--lexicons", "my_lex", "--model", "mine", "Let me explain it to you."], work)
    assert again.returncode == 0 and "talking_over" in again.stdout, again.stderr

    refused = _run([allyship, "analyze", "out.jsonl"], work)
    assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1

    # spaCy finds the components through the package's entry points: no import of analyzer first
    code = (
        "import spacy; nlp = spacy.blank('en'); nlp.add_pipe('sentencizer'); "
        "[nlp.add_pipe(n) for n in ('allyship_normalizer', 'allyship_lexicon', 'allyship_context')]; "
        "nlp.initialize(); doc = nlp('Man up, son.'); "
        "print([(s.text, s.label_, s.id_) for s in doc.spans['allyship']])"
    )
    spacy_user = _run([venv / "bin" / "python", "-c", code], work)
    assert spacy_user.returncode == 0, spacy_user.stderr
    assert "('Man up', 'toxic_masculinity', 'tm.man-up')" in spacy_user.stdout
