"""The Retraining page's helpers, without Streamlit and with a stub for the training itself.

The one real training run of the page is in ``tests/test_app.py``
(``test_retraining_page_trains_compares_and_switches_the_session_model``), on
a tiny lexicon and without the corpus; ``tests/test_training.py`` covers
``allyship train`` itself. Here ``train_fn`` is a stub that writes a model
folder the way :func:`analyzer.model.folders.write_model_folder` does (a
``metadata.json`` with the model's sha256), so the flow around it is tested
in milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

from analyzer.errors import DataError, LexiconError, Problem
from analyzer.ui import retraining_view
from analyzer.ui.retraining_view import ModelInfo, ProgressTracker
from tests.test_ui_helpers import GOOD_UPLOAD, write_test_lexicons

KNOWN = {"toxic_masculinity", "dismissive", "talking_over"}
GOOD_DATA = b'text,categories\n"What she means is, the plan is late.",talking_over\nThe build is green.,\n'


@pytest.fixture
def test_lexicons(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = write_test_lexicons(tmp_path / "lexicons")
    monkeypatch.setattr("analyzer.lexicon.loader.BUILTIN_DIR", folder)
    monkeypatch.setattr("analyzer.engine.MODELS_DIR", tmp_path / "no-models")
    return folder


def write_metadata(folder: Path, **extra: Any) -> dict[str, Any]:
    """A model folder as far as the page reads it: metadata.json (no model file is ever loaded here)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.joblib").write_bytes(b"not a pickle: nothing here is ever loaded")
    meta = {
        "labels": ["dismissive", "talking_over"],
        "thresholds": {"dismissive": 0.4, "talking_over": 0.55},
        "cv_metrics": {
            "dismissive": {"precision": 0.8, "recall": 0.6, "f1": 0.6857, "support": 12},
            "talking_over": {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 8},
        },
        "warnings": [],
        "model_sha256": hashlib.sha256((folder / "model.joblib").read_bytes()).hexdigest(),
        "versions": {"scikit-learn": "x"},
        **extra,
    }
    (folder / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    return meta


class StubTrain:
    """Stands in for :func:`analyzer.training.trainer.train`: records its call, reports progress, writes metadata."""

    def __init__(self, error: BaseException | None = None, message_with_path: bool = False) -> None:
        self.error = error
        self.message_with_path = message_with_path
        self.calls: list[dict[str, Any]] = []

    def __call__(self, out: Path, **kwargs: Any) -> dict[str, Any]:
        self.calls.append({"out": out, **kwargs})
        progress = kwargs["progress"]
        progress("[1/4] loading lexicons and data")
        if self.message_with_path:
            for path in kwargs["data_files"]:
                progress(f"warning: {path} has few rows")
        if self.error is not None:
            raise self.error
        progress("[2/4] cross-validating (3 folds) to choose thresholds")
        progress("[4/4] writing the model folder")
        return write_metadata(Path(out))


# -- labeled examples ----------------------------------------------------------------


def test_good_examples_are_counted() -> None:
    report = retraining_view.check_data("examples.csv", GOOD_DATA, KNOWN)
    assert report.ok, report.message
    assert report.message == "examples.csv: 2 examples (1 talking_over; 1 negatives)."
    assert report.examples == 2 and report.positives == {"talking_over": 1}


def test_dev_and_test_rows_are_kept_out_and_said_so() -> None:
    data = b"text,categories,split\nman up,toxic_masculinity,train\ncalm down,dismissive,dev\nhello,,test\n"
    report = retraining_view.check_data("e.csv", data, KNOWN)
    assert report.ok and report.examples == 1
    assert report.message.endswith("2 dev or test rows are kept out of training.")
    report = retraining_view.check_data("e.csv", data.replace(b",train", b",test"), KNOWN)
    assert not report.ok and "no example in the train split" in report.message


@pytest.mark.parametrize(
    "name, data, expected",
    [
        (
            "my data.csv",
            b"text,categories\nhello,not_a_category\n",
            "my data.csv row 1: unknown category 'not_a_category'",
        ),
        ("e.csv", b"body,labels\nhello,dismissive\n", "e.csv header row: missing column 'text', 'categories'"),
        ("e.jsonl", b'{"text": "ok", "categories": ""}\n{broken\n', "e.jsonl line 2: not valid JSON"),
        ("e.csv", b"text,categories\n\xff\xfe\xfa,\n", "e.csv row 1: not valid UTF-8 text"),
        ("e.txt", GOOD_DATA, "e.txt: labeled examples are a .csv, .tsv or .jsonl file."),
        ("C:\\Users\\me\\e.csv", b"text,categories\n,dismissive\n", "e.csv row 1: empty 'text'"),
    ],
)
def test_bad_examples_name_the_upload_and_the_row(name: str, data: bytes, expected: str) -> None:
    report = retraining_view.check_data(name, data, KNOWN)
    assert not report.ok
    assert report.message.startswith(expected), report.message
    assert "allyship-data" not in report.message and "/tmp" not in report.message


def test_examples_over_the_size_limit_are_refused_unread() -> None:
    report = retraining_view.check_data("e.csv", GOOD_DATA, KNOWN, max_bytes=10)
    assert not report.ok and report.message == f"e.csv: the file has {len(GOOD_DATA):,} bytes; the limit is 10."


def test_too_many_example_files() -> None:
    files = [(f"{i}.csv", GOOD_DATA) for i in range(retraining_view.MAX_DATA_FILES + 1)]
    reports = retraining_view.check_data_files(files, KNOWN)
    assert len(reports) == 1 and not reports[0].ok and "at most 10" in reports[0].message
    assert [r.ok for r in retraining_view.check_data_files(files[:2], KNOWN)] == [True, True]


def test_rename_paths_replaces_the_longest_path_first() -> None:
    names = {"/t/a.csv": "a.csv", "/t/a.csv.bak": "backup.csv"}
    assert retraining_view.rename_paths("/t/a.csv.bak and /t/a.csv", names) == "backup.csv and a.csv"


# -- the current model ---------------------------------------------------------------


def test_without_models_default_there_is_no_model(test_lexicons: Path) -> None:
    info = retraining_view.current_model()
    assert info.name == "no model" and info.metadata is None
    assert "lexicons only" in info.note


def test_models_default_is_read_without_loading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("analyzer.engine.MODELS_DIR", tmp_path / "models")
    meta = write_metadata(tmp_path / "models" / "default")
    info = retraining_view.current_model()
    assert info.name == "models/default" and info.metadata == meta
    (tmp_path / "models" / "default" / "metadata.json").write_text("{broken", encoding="utf-8")
    info = retraining_view.current_model()
    assert info.metadata is None and info.note.startswith("models/default cannot be read")


def test_the_session_model_is_the_current_one(tmp_path: Path) -> None:
    meta = write_metadata(tmp_path / "m")
    chosen = retraining_view.TrainedModel(2, tmp_path / "m", (), meta)
    assert retraining_view.current_model(chosen) == ModelInfo("Session model 2", meta)


# -- progress ----------------------------------------------------------------------


def test_progress_follows_the_steps_and_folds() -> None:
    tracker = ProgressTracker()
    messages = [
        ("[1/4] loading lexicons and data", 0.0),
        ("warning: category 'x' has only 2 positive example(s)", 0.0),
        ("      1,332 examples, 550 negatives; positives: {...}", 0.0),
        ("[2/4] cross-validating (3 folds) to choose thresholds", 0.25),
        ("  fold 1/3 done in 0.6s", 0.25 + 0.25 / 3),
        ("  fold 3/3 done in 0.5s", 0.5),
        ("[3/4] fitting on all examples", 0.5),
        ("[4/4] writing the model folder", 0.75),
    ]
    for message, expected in messages:
        assert tracker.feed(message) == pytest.approx(expected), message


# -- comparing -----------------------------------------------------------------------


def test_metrics_rows_put_the_new_model_next_to_the_current_one(tmp_path: Path) -> None:
    new = write_metadata(tmp_path / "new")
    new["cv_metrics"]["__sexist__"] = {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 3}
    current = {
        "thresholds": {"dismissive": 0.3, "toxic_masculinity": 0.6},
        "cv_metrics": {
            "dismissive": {"precision": 0.7, "recall": 0.7, "f1": 0.7, "support": 10},
            "toxic_masculinity": {"precision": 0.9, "recall": 0.8, "f1": 0.8471, "support": 9},
        },
    }
    labels = {"dismissive": "Dismissing or minimizing", "talking_over": "Talking over women"}
    rows = retraining_view.metrics_rows(new, current, labels)
    assert [tuple(row) for row in rows] == [retraining_view.METRIC_COLUMNS] * 4
    assert [row["category"] for row in rows] == [
        "Dismissing or minimizing",
        "Talking over women",
        "toxic_masculinity",
        retraining_view.SEXIST_HEAD_LABEL,
    ]
    assert rows[0]["new F1"] == 0.6857 and rows[0]["current F1"] == 0.7 and rows[0]["new threshold"] == 0.4
    assert rows[1]["current F1"] is None and rows[1]["new positives"] == 8
    assert rows[2]["new F1"] is None and rows[2]["current threshold"] == 0.6
    assert all(row["current F1"] is None for row in retraining_view.metrics_rows(new, None, labels))


def test_comparison_text(tmp_path: Path) -> None:
    new = write_metadata(tmp_path / "new")
    new["cv_metrics"]["__sexist__"] = {"f1": 0.1}  # the document-level head is not a category
    assert retraining_view.mean_f1(new) == pytest.approx((0.6762, 2))
    text = retraining_view.comparison_text(new, ModelInfo("no model", None, "there is no models/default yet"))
    assert text.startswith("New model: mean F1 0.676 over 2 categories; current: no model (there is no models/default")
    text = retraining_view.comparison_text(new, ModelInfo("models/default", {"cv_metrics": {"a": {"f1": 0.5}}}))
    assert "current (models/default): mean F1 0.500 over 1 categories" in text
    assert "no cross-validated scores" in retraining_view.comparison_text({}, ModelInfo("models/default", {}))


# -- training ------------------------------------------------------------------------


def test_retrain_trains_on_the_uploads_in_a_run_folder(tmp_path: Path) -> None:
    stub = StubTrain(message_with_path=True)
    messages: list[str] = []
    baseline = ModelInfo("no model", None)
    outcome = retraining_view.retrain(
        tmp_path / "session",
        [("talking_over.yml", GOOD_UPLOAD)],
        [("my examples.csv", GOOD_DATA)],
        progress=messages.append,
        baseline=baseline,
        include_corpus=False,
        train_fn=stub,
    )
    assert outcome.error is None and outcome.model is not None and outcome.baseline is baseline
    run = tmp_path / "session" / "run-1"
    (call,) = stub.calls
    assert call["out"] == run / "model"
    assert call["lexicon_dirs"] == [str(run / "lexicons")]
    assert call["data_files"] == [str(run / "data" / "my_examples.csv")]
    assert call["include_corpus"] is False and "Retraining page" in call["command"]
    assert (run / "lexicons" / "talking_over.yml").read_bytes() == GOOD_UPLOAD
    assert messages[1] == "warning: my examples.csv has few rows"  # the upload's name, not the run folder
    assert outcome.messages == tuple(messages)
    model = outcome.model
    assert (model.run, model.folder, model.lexicons) == (1, run / "model", (str(run / "lexicons"),))
    assert model.uploads == ("talking_over.yml", "my examples.csv") and model.label == "session model 1"
    assert retraining_view.is_trained_here(model.folder)
    assert retraining_view.analyzer_settings(model) == ((str(run / "lexicons"),), str(run / "model"))


def test_without_uploads_the_builtin_lexicons_are_retrained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stub = StubTrain()
    monkeypatch.setattr(retraining_view, "INCLUDE_CORPUS", True)
    outcome = retraining_view.retrain(tmp_path / "s", train_fn=stub)
    assert outcome.model is not None and outcome.model.lexicons == ()
    assert stub.calls[0]["lexicon_dirs"] == [] and stub.calls[0]["data_files"] == []
    assert stub.calls[0]["include_corpus"] is True


def test_only_folders_trained_here_are_loaded(tmp_path: Path) -> None:
    from analyzer.engine import DEFAULT_MODEL

    elsewhere = tmp_path / "elsewhere"
    write_metadata(elsewhere)
    assert not retraining_view.is_trained_here(elsewhere)
    assert not retraining_view.is_trained_here(tmp_path / "missing")
    outsider = retraining_view.TrainedModel(1, elsewhere, ("lex",), {})
    assert retraining_view.analyzer_settings(outsider) == ((), DEFAULT_MODEL)
    assert retraining_view.analyzer_settings(None) == ((), DEFAULT_MODEL)

    outcome = retraining_view.retrain(tmp_path / "s", train_fn=StubTrain())
    assert outcome.model is not None
    folder = outcome.model.folder
    assert retraining_view.is_trained_here(folder)
    write_metadata(folder, model_sha256="0" * 64)  # replaced after training: refused
    assert not retraining_view.is_trained_here(folder)
    assert retraining_view.analyzer_settings(outcome.model) == ((), DEFAULT_MODEL)


@pytest.mark.parametrize(
    "error, expected, problems",
    [
        (
            DataError("{data} row 2: unknown category 'x'"),
            "Training stopped: my examples.csv row 2: unknown category",
            (),
        ),
        (
            LexiconError([Problem("{lexicon}", 3, "category.colour: unknown field")]),
            "The lexicons could not be loaded:",
            ("talking_over.yml:3: category.colour: unknown field",),
        ),
        (RuntimeError("out of luck"), "Training failed (RuntimeError: out of luck).", ()),
    ],
)
def test_a_failed_training_is_a_message_and_leaves_no_folder(
    tmp_path: Path, error: Exception, expected: str, problems: tuple[str, ...]
) -> None:
    session = tmp_path / "session"
    run = session / "run-1"
    # The stub's error names the run's files, as the library's errors do.
    data, lexicon = str(run / "data" / "my_examples.csv"), str(run / "lexicons" / "talking_over.yml")
    if isinstance(error, LexiconError):
        error = LexiconError([Problem(lexicon, p.line, p.message) for p in error.problems])
    elif isinstance(error, DataError):
        error = DataError(str(error).format(data=data))
    outcome = retraining_view.retrain(
        session, [("talking_over.yml", GOOD_UPLOAD)], [("my examples.csv", GOOD_DATA)], train_fn=StubTrain(error)
    )
    assert outcome.model is None and outcome.error is not None
    assert outcome.error.startswith(expected), outcome.error
    assert outcome.problems == problems
    assert outcome.messages[0] == "[1/4] loading lexicons and data"
    assert not run.exists()
    assert retraining_view.retrain(session, train_fn=StubTrain()).model is not None  # the lock was released


def test_leaving_the_page_mid_training_removes_the_run_and_frees_the_server(tmp_path: Path) -> None:
    with pytest.raises(KeyboardInterrupt):
        retraining_view.retrain(tmp_path / "s", train_fn=StubTrain(KeyboardInterrupt()))
    assert not (tmp_path / "s" / "run-1").exists()
    assert retraining_view.retrain(tmp_path / "s", train_fn=StubTrain()).model is not None


def test_one_training_at_a_time_on_the_server(tmp_path: Path) -> None:
    entered, release = threading.Event(), threading.Event()
    outcomes: list[retraining_view.RetrainOutcome] = []

    class Slow(StubTrain):
        def __call__(self, out: Path, **kwargs: Any) -> dict[str, Any]:
            entered.set()
            release.wait(10)
            return super().__call__(out, **kwargs)

    thread = threading.Thread(target=lambda: outcomes.append(retraining_view.retrain(tmp_path / "a", train_fn=Slow())))
    thread.start()
    assert entered.wait(10)
    second = retraining_view.retrain(tmp_path / "b", train_fn=StubTrain())
    release.set()
    thread.join(10)
    assert second.model is None and second.error is not None and "Another model is being trained" in second.error
    assert outcomes[0].model is not None


def test_a_session_keeps_a_limited_number_of_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retraining_view, "MAX_RUNS_PER_SESSION", 2)
    runs = [retraining_view.retrain(tmp_path / "s", train_fn=StubTrain()) for _ in range(3)]
    assert [o.model.run if o.model else None for o in runs] == [1, 2, None]
    assert runs[2].error is not None and "the most it may keep" in runs[2].error


def test_too_many_lexicon_files_are_refused_before_training(tmp_path: Path) -> None:
    stub = StubTrain()
    files = [(f"{i}.yml", GOOD_UPLOAD) for i in range(retraining_view.MAX_LEXICON_FILES + 1)]
    outcome = retraining_view.retrain(tmp_path / "s", files, train_fn=stub)
    assert outcome.model is None and stub.calls == []


def test_session_folders_are_private_and_named_safely(tmp_path: Path) -> None:
    folder = retraining_view.session_folder("../../etc/passwd", tmp_path)
    assert folder.parent == tmp_path and folder.name == "session-etcpasswd"
    root = retraining_view.sessions_root()
    assert root.is_dir() and stat.S_IMODE(os.stat(root).st_mode) == 0o700
    assert retraining_view.sessions_root() == root


def test_category_labels_come_from_the_lexicons(test_lexicons: Path, tmp_path: Path) -> None:
    lexicons = tmp_path / "mine"
    lexicons.mkdir()
    (lexicons / "talking_over.yml").write_bytes(GOOD_UPLOAD)
    assert retraining_view.category_labels([lexicons]) == {
        "dismissive": "Dismissing or minimizing",
        "talking_over": "Talking over women",
        "toxic_masculinity": "Toxic masculinity norm",
    }
    (lexicons / "talking_over.yml").write_text("category: [", encoding="utf-8")
    assert retraining_view.category_labels([lexicons]) == {}
