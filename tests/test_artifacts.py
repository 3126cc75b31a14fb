"""Model folders: atomic writes, and refusal of anything that is not what train wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sklearn.dummy import DummyClassifier

from analyzer.errors import ModelError
from analyzer.model.folders import METADATA_FILE, MODEL_FILE, load_verified, write_model_folder
from tests.conftest import REPO, run_cli_text


class Unpicklable:
    def __reduce__(self):
        raise RuntimeError("cannot pickle this")


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    estimator = DummyClassifier(strategy="prior").fit([[0], [1]], [0, 1])
    return write_model_folder(tmp_path / "model", estimator, {"labels": ["x"]})


def test_written_folder_loads_with_its_metadata(folder: Path) -> None:
    estimator, meta = load_verified(folder)
    assert list(estimator.predict([[0]])) in ([0], [1])
    assert meta["labels"] == ["x"] and len(meta["model_sha256"]) == 64
    assert {"python", "spacy", "scikit-learn", "joblib", "analyzer"} <= set(meta["versions"])


def test_a_changed_model_file_is_refused_before_loading(folder: Path) -> None:
    with open(folder / MODEL_FILE, "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ModelError, match="does not match the sha256"):
        load_verified(folder)


def test_a_different_scikit_learn_version_is_refused(folder: Path) -> None:
    meta = json.loads((folder / METADATA_FILE).read_text())
    meta["versions"]["scikit-learn"] = "0.0.1"
    (folder / METADATA_FILE).write_text(json.dumps(meta))
    with pytest.raises(ModelError, match=r"built with scikit-learn 0\.0\.1"):
        load_verified(folder)


@pytest.mark.parametrize("missing", [MODEL_FILE, METADATA_FILE])
def test_missing_files_are_named(folder: Path, missing: str) -> None:
    (folder / missing).unlink()
    with pytest.raises(ModelError, match=missing.replace(".", r"\.")):
        load_verified(folder)


def test_existing_folder_needs_force(folder: Path) -> None:
    other = DummyClassifier(strategy="most_frequent").fit([[0], [1], [1]], [0, 1, 1])
    with pytest.raises(ModelError, match="already exists"):
        write_model_folder(folder, other, {"labels": ["y"]})
    write_model_folder(folder, other, {"labels": ["y"]}, force=True)
    assert load_verified(folder)[1]["labels"] == ["y"]
    assert sorted(p.name for p in folder.parent.iterdir()) == ["model"]


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path, folder: Path) -> None:
    before = (folder / MODEL_FILE).read_bytes()
    with pytest.raises(RuntimeError):
        write_model_folder(tmp_path / "new", Unpicklable(), {})
    with pytest.raises(RuntimeError):
        write_model_folder(folder, Unpicklable(), {}, force=True)
    assert not (tmp_path / "new").exists()
    assert (folder / MODEL_FILE).read_bytes() == before  # the old model is untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


def test_cli_refuses_a_tampered_model_with_one_line(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (folder / MODEL_FILE).write_bytes(b"not a model")
    monkeypatch.setenv("ALLYSHIP_MODEL_ENGINE", "sklearn")  # the pickle is read only when asked for
    proc = run_cli_text("analyze", "--model", folder, "man up", cwd=REPO)
    assert proc.returncode == 2
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1 and "sha256" in err
