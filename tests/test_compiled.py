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

from analyzer import compiled
from analyzer.artifacts import METADATA_FILE, load_verified, load_verified_compiled
from analyzer.errors import ModelError
from analyzer.features import build_estimator
from analyzer.lexicon import load_lexicon
from analyzer.model import load_model
from analyzer.targeting import TargetedNegativity, load_cues
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
def pipeline():
    """A small fitted pipeline with every feature block the shipped model has."""
    phrases = {"toxic_masculinity": ["man up", "real men don't cry"], "dismissive": ["calm down", "just a joke"]}
    estimator = build_estimator(phrases, n_jobs=1)
    estimator.named_steps["features"].transformer_list.append(("targeting", TargetedNegativity(load_cues())))
    texts = (TEXTS + EXTRA) * 3
    y = np.zeros((len(texts), 2), dtype=np.int8)
    for i, text in enumerate(texts):
        y[i, 0] = "calm" in text.lower() or "joke" in text.lower()
        y[i, 1] = "man up" in text.lower() or "m4n" in text.lower() or "cry" in text.lower()
    return estimator.fit(texts, y)


def test_compiled_probabilities_equal_the_pipeline(pipeline) -> None:
    model = compiled.compile_pipeline(pipeline)
    texts = TEXTS + EXTRA + ["an unseen sentence with unseen wordz", "MAN UP!!!"]
    assert compiled.check_parity(pipeline, model, texts) < 1e-6


def test_save_and_load_round_trip_without_pickle(pipeline, tmp_path: Path) -> None:
    model = compiled.compile_pipeline(pipeline)
    path = tmp_path / compiled.COMPILED_FILE
    compiled.save(model, path)
    with np.load(path, allow_pickle=False) as data:  # nothing in the file needs pickle
        assert {"spec", "coef", "intercept"} <= set(data.files)
    again = compiled.load(path)
    assert np.allclose(again.predict_proba(TEXTS), pipeline.predict_proba(TEXTS), atol=1e-6)


def test_a_file_with_pickled_objects_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.npz"
    np.savez(path, spec=np.array([{"format": 1}], dtype=object))
    with pytest.raises(ValueError, match="allow_pickle"):
        compiled.load(path)


def test_unsupported_settings_are_refused_not_approximated(pipeline) -> None:
    word = pipeline.named_steps["features"].transformer_list[0][1]
    word.stop_words = ["the"]
    try:
        with pytest.raises(compiled.CompileError, match="stop_words"):
            compiled.compile_pipeline(pipeline)
    finally:
        word.stop_words = None


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from(TEXTS + EXTRA + ["man", "up", "calm", "down.", "x"]), min_size=1, max_size=4),
        min_size=1,
        max_size=5,
    )
)
def test_a_text_read_from_its_pieces_scores_as_the_whole_text(pipeline, docs: list[list[str]]) -> None:
    """The analyzer scores a short post from its sentences' counts: it must equal scoring the post itself."""
    model = compiled.compile_pipeline(pipeline)
    pieces: list[str] = []
    groups: list[tuple[int, int]] = []
    for doc in docs:
        start = len(pieces)
        pieces += [p + " " for p in doc]  # pieces join on whitespace, as the component guarantees
        groups.append((start, len(pieces)))
    prepared = model.prepare(pieces)
    own, joined = model.tiled_features(prepared, list(range(len(pieces))), groups)
    wholes = ["".join(pieces[a:b]) for a, b in groups]
    assert np.allclose(_proba(model, joined), pipeline.predict_proba(wholes), atol=1e-6)
    assert np.allclose(_proba(model, own), pipeline.predict_proba(pieces), atol=1e-6)


def test_word_trigrams_across_pieces_are_counted(pipeline) -> None:
    """With word n-grams longer than two, a group is read as its joined text: still equal to the whole."""
    from sklearn.base import clone

    wider = clone(pipeline)
    wider.named_steps["features"].transformer_list[0][1].set_params(ngram_range=(1, 3), min_df=1)
    texts = (TEXTS + EXTRA) * 2
    wider.fit(texts, np.tile([[1, 0], [0, 1]], (len(texts) // 2, 1)))
    model = compiled.compile_pipeline(wider)
    pieces = ["calm down ", "man up ", "it was just ", "a joke "]
    own, joined = model.tiled_features(model.prepare(pieces), [0, 1, 2, 3], [(0, 4)])
    assert np.allclose(_proba(model, joined), wider.predict_proba(["".join(pieces)]), atol=1e-6)
    assert np.allclose(_proba(model, own), wider.predict_proba(pieces), atol=1e-6)


def _proba(model: compiled.CompiledModel, features: compiled.Rows) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-model.decision(features)))


# --- the shipped model folder ------------------------------------------------------------------------------------


def test_the_shipped_model_runs_compiled_and_matches_its_pipeline() -> None:
    lexicon = load_lexicon([])
    fast = load_model(REPO / "models" / "default", lexicon)
    exact = load_model(REPO / "models" / "default", lexicon, engine="sklearn")
    assert fast.engine == "compiled" and exact.engine == "sklearn"
    texts = TEXTS + EXTRA
    assert np.allclose(fast.predict_proba(texts), exact.predict_proba(texts), atol=1e-5)
    assert fast.metadata["compiled"]["written"] and fast.metadata["compiled"]["max_abs_difference"] < 1e-4


def test_both_engines_give_the_same_flags() -> None:
    from analyzer import Analyzer

    texts = TEXTS + EXTRA + ["Females are vile creatures. I'll make her regret speaking up.", "Wom3n are such pests."]
    fast = [r.to_dict()["flags"] for r in Analyzer().analyze_many(texts)]
    exact_model = load_model(REPO / "models" / "default", load_lexicon([]), engine="sklearn")
    slow = Analyzer()
    slow.nlp.get_pipe("allyship_classifier").model = exact_model
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


def _copy_model(tmp_path: Path) -> Path:
    import shutil

    folder = tmp_path / "model"
    shutil.copytree(REPO / "models" / "default", folder)
    return folder


def test_a_changed_compiled_file_is_refused(tmp_path: Path) -> None:
    folder = _copy_model(tmp_path)
    with open(folder / compiled.COMPILED_FILE, "ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ModelError, match=r"compiled\.npz does not match the sha256"):
        load_verified_compiled(folder)
    with pytest.raises(ModelError, match="does not match the sha256"):
        load_verified(folder)  # every listed file is checked, whichever engine loads


def test_a_missing_compiled_file_is_named(tmp_path: Path) -> None:
    folder = _copy_model(tmp_path)
    (folder / compiled.COMPILED_FILE).unlink()
    with pytest.raises(ModelError, match=r"missing its file compiled\.npz"):
        load_verified_compiled(folder)


def test_an_older_folder_without_a_compiled_copy_loads_with_scikit_learn(tmp_path: Path) -> None:
    folder = _copy_model(tmp_path)
    (folder / compiled.COMPILED_FILE).unlink()
    meta = json.loads((folder / METADATA_FILE).read_text())
    del meta["files"]
    (folder / METADATA_FILE).write_text(json.dumps(meta))
    assert load_model(folder, load_lexicon([])).engine == "sklearn"


def test_an_unknown_engine_is_a_clear_error() -> None:
    with pytest.raises(ModelError, match="unknown model engine 'torch'"):
        load_model(REPO / "models" / "default", load_lexicon([]), engine="torch")
