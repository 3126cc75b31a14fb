"""The compiled model: the trained pipeline's probabilities without scikit-learn at prediction time, and no pickle."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.errors import ModelError
from analyzer.lexicon.loader import load_lexicon
from analyzer.model import compiled, compiler
from analyzer.model.category_model import load_model
from analyzer.model.compiler import check_parity, compile_pipeline
from analyzer.model.features import build_estimator
from analyzer.model.folders import METADATA_FILE, load_verified, load_verified_compiled, sha256_file
from analyzer.model.inputs import TokenBatch, doc_unit, read_batch
from analyzer.training.parsing import text_units
from tests.conftest import REPO

TEXTS = [
    "Man up and deal with it, son.",
    "Calm down, it was just a joke!!!",
    "Women are vile creatures and should be silenced.",
    "Half of our engineering leads are women.",
    "b*tch, m4n up @someone https://example.com/x [URL] sooooo tired",
    "Don’t tell me to calm down. Real men don't cry?",
    "",
    "   ",
    "naïve café ümlaut — “quoted” text\twith\ttabs\nand lines",
    "the the the the the the the the",
]
EXTRA = ["Nobody here will tell you to toughen up.", "She should know her place.", "Great talk by Ana today."]


@pytest.fixture(scope="module")
def nlp():
    """The analyzer's pipeline without a classifier: what training reads examples with."""
    from analyzer.pipeline.build import build_pipeline

    return build_pipeline(load_lexicon([]))


@pytest.fixture(scope="module")
def pipeline(nlp):
    """A small fitted pipeline with every feature block the shipped model has."""
    lexicon = load_lexicon([])
    estimator = build_estimator(sorted(lexicon.categories), n_jobs=1, word_min_df=1, char_min_df=1)
    texts = (TEXTS + EXTRA) * 3
    y = np.zeros((len(texts), 2), dtype=np.int8)
    for i, text in enumerate(texts):
        y[i, 0] = "calm" in text.lower() or "joke" in text.lower()
        y[i, 1] = "man up" in text.lower() or "m4n" in text.lower() or "cry" in text.lower()
    return estimator.fit([doc_unit(doc) for doc in nlp.pipe(texts)], y)


def test_compiled_probabilities_equal_the_pipeline(pipeline, nlp) -> None:
    model = compile_pipeline(pipeline)
    texts = TEXTS + EXTRA + ["an unseen sentence with unseen wordz", "MAN UP!!!", "m3n, c@lm d0wn"]
    units = [doc_unit(doc) for doc in nlp.pipe(texts)]
    assert any(u.lexicon for u in units) and any(not u.keys for u in units)  # lexicon hits and empty texts
    assert check_parity(pipeline, model, units) < 1e-5


def test_save_and_load_round_trip_without_pickle(pipeline, nlp, tmp_path: Path) -> None:
    model = compile_pipeline(pipeline)
    path = tmp_path / compiled.COMPILED_FILE
    compiled.save(model, path)
    with np.load(path, allow_pickle=False) as data:  # nothing in the file needs pickle
        assert {"spec", "word_coef", "char_coef", "intercept"} <= set(data.files)
        assert data["word_coef"].dtype == data["char_coef"].dtype == compiled.STORED_WEIGHTS
    units = [doc_unit(doc) for doc in nlp.pipe(TEXTS)]
    again = compiled.load(path)
    batch = TokenBatch.from_units(units)
    assert np.array_equal(again.predict_proba(batch), compiled.as_stored(model).predict_proba(batch))
    assert np.allclose(again.predict_proba(batch), pipeline.predict_proba(units), atol=compiled.PARITY_TOLERANCE)


def test_a_file_with_pickled_objects_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.npz"
    np.savez(path, spec=np.array([{"format": 2}], dtype=object))
    with pytest.raises(ValueError, match="allow_pickle"):
        compiled.load(path)


def test_a_file_of_an_older_format_asks_for_retraining(tmp_path: Path) -> None:
    path = tmp_path / "old.npz"
    np.savez(path, spec=np.frombuffer(json.dumps({"format": 1}).encode(), dtype=np.uint8))
    with pytest.raises(compiled.CompileError, match=r"format 1.*retrain"):
        compiled.load(path)


def test_an_unknown_feature_block_is_refused_not_approximated(pipeline) -> None:
    import copy

    from sklearn.preprocessing import FunctionTransformer

    changed = copy.deepcopy(pipeline)
    changed.named_steps["features"].transformer_list.append(("extra", FunctionTransformer()))
    with pytest.raises(compiled.CompileError, match="extra: no compiled form for FunctionTransformer"):
        compile_pipeline(changed)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(TEXTS + EXTRA + ["Man up.", "calm down!", "x", "Wom3n are pests."]), max_size=4),
        min_size=1,
        max_size=5,
    )
)
def test_a_batch_of_docs_scores_as_each_sentence_and_text_alone(pipeline, nlp, posts: list[list[str]]) -> None:
    """The analyzer scores all sentences and short texts of a batch from token arrays at once: each unit must
    score as the scikit-learn pipeline scores that sentence (or text) read on its own."""
    model = compile_pipeline(pipeline)
    docs = list(nlp.pipe([" ".join(post) for post in posts]))
    batch, sentences, wholes = read_batch(docs, 3, 160)
    units = [doc_unit(doc, a, b) for doc, a, b in sentences] + [doc_unit(doc) for doc, _, _ in wholes]
    assert len(units) == len(batch.starts)
    if units:
        assert np.allclose(model.predict_proba(batch), pipeline.predict_proba(units), atol=1e-5)


# --- the shipped model folder ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trained_folder(pipeline, tmp_path_factory) -> Path:
    """A model folder as 'allyship train' writes it (pickle, compiled copy, metadata), from the small pipeline."""
    from analyzer.model.folders import write_model_folder

    model = compiler.compile_pipeline(pipeline)
    folder = tmp_path_factory.mktemp("trained") / "model"
    metadata = {"labels": ["dismissive", "toxic_masculinity"], "thresholds": {"dismissive": 0.5}, "compiled": {}}
    write_model_folder(
        folder, pipeline, metadata, extra_files={compiled.COMPILED_FILE: lambda path: compiled.save(model, path)}
    )
    return folder


def _copy(folder: Path, tmp_path: Path) -> Path:
    import shutil

    copy = tmp_path / "model"
    shutil.copytree(folder, copy)
    return copy


def _edit_metadata(folder: Path, edit) -> None:
    meta = json.loads((folder / METADATA_FILE).read_text())
    edit(meta)
    (folder / METADATA_FILE).write_text(json.dumps(meta))


def test_the_shipped_model_runs_compiled_without_a_pickle() -> None:
    """The repository and the wheel carry only what analysis reads: the compiled arrays and metadata.json."""
    folder = REPO / "models" / "default"
    model = load_model(folder, load_lexicon([]))
    assert model.engine == "compiled" and not (folder / "model.joblib").exists()
    parity = model.metadata["compiled"]
    assert parity["written"] and parity["max_abs_difference"] < compiled.PARITY_TOLERANCE
    with pytest.raises(ModelError, match=r"missing its file model\.joblib"):
        load_model(folder, load_lexicon([]), engine="sklearn")


def test_a_trained_folder_runs_on_both_engines_with_the_same_probabilities(trained_folder: Path) -> None:
    lexicon = load_lexicon([])
    fast = load_model(trained_folder, lexicon)
    exact = load_model(trained_folder, lexicon, engine="sklearn")
    assert fast.engine == "compiled" and exact.engine == "sklearn"
    units = text_units(lexicon, TEXTS + EXTRA)
    assert np.allclose(fast.predict_units(units), exact.predict_units(units), atol=compiled.PARITY_TOLERANCE)


def test_both_engines_give_the_same_flags(trained_folder: Path, monkeypatch) -> None:
    from analyzer import Analyzer

    texts = TEXTS + EXTRA + ["Females are vile creatures. I'll make her regret speaking up.", "Wom3n are such pests."]
    fast = [r.to_dict()["flags"] for r in Analyzer(model=trained_folder, threshold=0.3).analyze_many(texts)]
    monkeypatch.setenv("ALLYSHIP_MODEL_ENGINE", "sklearn")
    slow = Analyzer(model=trained_folder, threshold=0.3)
    assert slow.classifier.engine == "sklearn"
    assert any(f["source"] == "classifier" for flags in fast for f in flags)
    assert [[(f["start"], f["end"], f["category"]) for f in flags] for flags in fast] == [
        [(f["start"], f["end"], f["category"]) for f in r.to_dict()["flags"]] for r in slow.analyze_many(texts)
    ]


def test_analyzing_never_imports_scikit_learn() -> None:
    """Start-up cost: the compiled model needs numpy only (scikit-learn alone takes a second to import)."""
    code = (
        "import sys; from analyzer import Analyzer; "
        "r = Analyzer().analyze('Women are vile creatures. Man up.'); "
        "print(len(r.flags), sorted(m for m in ('sklearn', 'scipy', 'pandas', 'joblib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert out.returncode == 0, out.stderr
    count, modules = out.stdout.strip().split(" ", 1)
    assert int(count) >= 2 and modules == "[]"


def test_a_changed_compiled_file_is_refused(trained_folder: Path, tmp_path: Path) -> None:
    folder = _copy(trained_folder, tmp_path)
    with open(folder / compiled.COMPILED_FILE, "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ModelError, match=r"compiled\.npz does not match the sha256"):
        load_verified_compiled(folder)
    with pytest.raises(ModelError, match="does not match the sha256"):
        load_verified(folder)  # every listed file is checked, whichever engine loads


def test_a_missing_compiled_file_is_named(trained_folder: Path, tmp_path: Path) -> None:
    folder = _copy(trained_folder, tmp_path)
    (folder / compiled.COMPILED_FILE).unlink()
    with pytest.raises(ModelError, match=r"missing its file compiled\.npz"):
        load_verified_compiled(folder)


def test_a_folder_without_a_compiled_copy_is_refused_not_unpickled(trained_folder: Path, tmp_path: Path) -> None:
    """The pickle is read only when ALLYSHIP_MODEL_ENGINE=sklearn asks for it, never as a fallback."""
    folder = _copy(trained_folder, tmp_path)
    (folder / compiled.COMPILED_FILE).unlink()
    _edit_metadata(folder, lambda meta: meta.pop("files"))
    (folder / "model.joblib").write_bytes(b"not a pickle: loading it would fail loudly")
    _edit_metadata(folder, lambda meta: meta.update(model_sha256=sha256_file(folder / "model.joblib")))
    with pytest.raises(ModelError, match=r"has no compiled\.npz; retrain it .*ALLYSHIP_MODEL_ENGINE=sklearn") as info:
        load_model(folder, load_lexicon([]))
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda meta: meta.update(format_version=99), "model folder format 99, this analyzer reads format 1"),
        (lambda meta: meta["versions"].update(analyzer="0.0.1"), "written by analyzer 0.0.1, this is"),
    ],
)
@pytest.mark.parametrize("engine", ["compiled", "sklearn"])
def test_a_folder_from_another_analyzer_or_format_is_refused(
    trained_folder: Path, tmp_path: Path, edit, message: str, engine: str
) -> None:
    folder = _copy(trained_folder, tmp_path)
    _edit_metadata(folder, edit)
    with pytest.raises(ModelError, match=message) as info:
        load_model(folder, load_lexicon([]), engine=engine)
    assert "\n" not in str(info.value) and "retrain it" in str(info.value)


def test_an_unknown_engine_is_a_clear_error() -> None:
    with pytest.raises(ModelError, match="unknown model engine 'torch'"):
        load_model(REPO / "models" / "default", load_lexicon([]), engine="torch")


def test_threads_sharing_one_model_get_the_probabilities_of_a_fresh_one(pipeline, nlp) -> None:
    """The word cache is filled while scoring: two threads filling it at once must not mix up words."""
    from concurrent.futures import ThreadPoolExecutor

    words = [f"word{i}x" for i in range(400)]
    texts = [" ".join(words[i : i + 7]) + " man up" for i in range(0, 400, 3)]
    units = [doc_unit(doc) for doc in nlp.pipe(texts)]
    batches = [TokenBatch.from_units(units[i::4]) for i in range(4)]
    expected = [compile_pipeline(pipeline).predict_proba(b) for b in batches]
    shared = compile_pipeline(pipeline)
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(shared.predict_proba, batches))
    assert all(np.allclose(g, e) for g, e in zip(got, expected, strict=True))


def test_a_model_with_empty_vocabularies_scores_its_intercepts(pipeline, nlp) -> None:
    """A trainer's tiny dataset can leave a block without a single feature: scoring still works."""
    model = compile_pipeline(pipeline)
    bare = compiled.CompiledModel(
        unigrams=[],
        bigrams=np.zeros((0, 2)),
        word_coef=np.zeros((model.n_labels, 0)),
        char_terms=[],
        char_range=model.char_range,
        char_coef=np.zeros((model.n_labels, 0)),
        categories=[],
        lexicon_coef=np.zeros((model.n_labels, 0)),
        cues={},
        cue_coef=np.zeros((model.n_labels, len(model.cue_coef[0]))),
        intercept=model.intercept,
    )
    batch = TokenBatch.from_units([doc_unit(doc) for doc in nlp.pipe(TEXTS)])
    assert np.allclose(bare.score(batch).logits, model.intercept)


def test_a_model_from_another_analyzer_version_asks_for_retraining(trained_folder: Path, tmp_path: Path) -> None:
    """A pickled pipeline naming a class this analyzer no longer has: one line that says to retrain."""
    import joblib

    from analyzer.model import features

    class Gone:
        pass

    Gone.__module__, Gone.__qualname__ = "analyzer.model.features", "GoneTransformer"
    features.GoneTransformer = Gone  # only while writing the file
    folder = _copy(trained_folder, tmp_path)
    try:
        joblib.dump(Gone(), folder / "model.joblib")
    finally:
        del features.GoneTransformer
    meta = json.loads((folder / METADATA_FILE).read_text())
    meta["model_sha256"] = sha256_file(folder / "model.joblib")
    (folder / METADATA_FILE).write_text(json.dumps(meta))
    with pytest.raises(ModelError, match=r"another version of the analyzer .*GoneTransformer.*retrain"):
        load_verified(folder)
