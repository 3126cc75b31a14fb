"""The pinned word-vector table and the classifier's vector block: checked before use, same scores on both engines."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from analyzer.errors import ModelError
from analyzer.lexicon.loader import load_lexicon
from analyzer.model import compiled, compiler, embeddings
from analyzer.model.features import WordVectors, build_estimator
from analyzer.model.inputs import TokenBatch, doc_unit

TEXTS = [
    "She belongs in the kitchen, not in the boardroom.",
    "Women should stay home and cook for their husbands.",
    "A woman's job is to look pretty and keep quiet.",
    "The quarterly report is due on Friday.",
    "Our team shipped the release two days early.",
    "Thanks for the review, I merged the fix.",
    "",
    "b*tch pls, m4n up",
    "naïve café — “quoted” text\twith tabs",
]
UNSEEN = [
    "Her place is at the stove.",
    "The stove in the office kitchen is broken again.",
    "zxqv wibblefrotz unseenword",
    "   ",
]


@pytest.fixture(scope="module")
def nlp():
    from analyzer.pipeline.build import build_pipeline

    return build_pipeline(load_lexicon([]))


@pytest.fixture(scope="module")
def fitted(nlp):
    """A small fitted pipeline with every block the shipped model has, the vector block included."""
    lexicon = load_lexicon([])
    estimator = build_estimator(sorted(lexicon.categories), n_jobs=1, word_min_df=1, char_min_df=1, word_vectors=0.3)
    texts = TEXTS * 3
    y = np.zeros((len(texts), 2), dtype=np.int8)
    for i, text in enumerate(texts):
        y[i, 0] = i % len(TEXTS) < 3
        y[i, 1] = "m4n" in text
    return estimator.fit([doc_unit(doc) for doc in nlp.pipe(texts)], y)


def test_the_table_is_read_from_the_installed_package_after_its_hash_check() -> None:
    table = embeddings.load_table()
    assert table.table.shape == (32000, 256) and table.table.dtype == np.float32
    kitchen, stove, invoice = table.vectors(["kitchen", "stove", "invoice"])

    def cosine(a: np.ndarray, b: np.ndarray) -> float:
        return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))

    assert cosine(kitchen, stove) > cosine(kitchen, invoice)  # the vectors carry meaning, not noise
    assert "kitchen" in embeddings.whole_words()


def test_a_changed_file_is_refused_in_one_line(tmp_path: Path) -> None:
    root = tmp_path / "wordllama"
    target = root / embeddings.TOKENIZER_FILE
    target.parent.mkdir(parents=True)
    shutil.copy(embeddings.package_dir() / embeddings.TOKENIZER_FILE, target)
    assert embeddings.checked_file(embeddings.TOKENIZER_FILE, root) == target
    target.write_bytes(target.read_bytes() + b" ")
    with pytest.raises(ModelError, match="not the pinned") as caught:
        embeddings.checked_file(embeddings.TOKENIZER_FILE, root)
    assert "\n" not in str(caught.value) and embeddings.INSTALL_HINT in str(caught.value)
    target.unlink()
    with pytest.raises(ModelError, match="is missing"):
        embeddings.checked_file(embeddings.TOKENIZER_FILE, root)


def test_a_missing_package_is_named_with_its_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings.util, "find_spec", lambda name: None)
    with pytest.raises(ModelError, match="pip install wordllama==") as caught:
        embeddings.package_dir()
    assert "\n" not in str(caught.value)


def test_compiled_vector_block_gives_the_pipelines_probabilities(fitted, nlp) -> None:
    model = compiler.compile_pipeline(fitted)
    assert model.vector_words and model.vector_coef.shape == (2, len(model.vector_words))
    units = [doc_unit(doc) for doc in nlp.pipe(TEXTS + UNSEEN)]
    assert any(not u.keys for u in units)
    assert compiler.check_parity(fitted, model, units) < 1e-5


def test_frequency_weighted_vectors_compile_to_the_same_probabilities(nlp) -> None:
    lexicon = load_lexicon([])
    estimator = build_estimator(
        sorted(lexicon.categories), n_jobs=1, word_min_df=1, char_min_df=1, word_vectors=0.3, vector_sif=1e-3
    )
    units = [doc_unit(doc) for doc in nlp.pipe(TEXTS * 2)]
    y = np.asarray([[i % len(TEXTS) < 3] for i in range(len(units))], dtype=np.int8)
    estimator.fit(units, y)
    block = estimator.named_steps["features"].transformer_list[-1][1]
    weights = dict(zip(block.vocabulary_, block.word_weights(), strict=True))
    assert "," not in weights and weights["the"] < weights["boardroom"] <= 1.0  # frequent words weigh less
    model = compiler.compile_pipeline(estimator)
    probe = [doc_unit(doc) for doc in nlp.pipe(TEXTS + UNSEEN)]
    assert compiler.check_parity(estimator, model, probe) < 1e-5


def test_the_vector_block_moves_scores_and_explanations(fitted, nlp) -> None:
    """Without the block the compiled copy scores differently: the block is really used, token by token."""
    model = compiler.compile_pipeline(fitted)
    units = [doc_unit(doc) for doc in nlp.pipe(UNSEEN[:2])]
    batch = TokenBatch.from_units(units)
    scored = model.score(batch)
    assert scored.vector is not None and np.abs(scored.vector).sum() > 0
    total = sum(model.contributions(scored, u, 0).sum() for u in range(len(units)))
    model._vec_hash = model._vec_hash[:0]  # the same model with the block switched off
    assert not np.allclose(model.score(batch).logits, scored.logits)
    assert np.isfinite(total)


def test_a_model_with_vectors_saves_and_loads_without_pickle(fitted, nlp, tmp_path: Path) -> None:
    model = compiler.compile_pipeline(fitted)
    path = tmp_path / compiled.COMPILED_FILE
    compiled.save(model, path)
    with np.load(path, allow_pickle=False) as data:
        assert {"vector_words", "vector_coef"} <= set(data.files)
    again = compiled.load(path)
    units = [doc_unit(doc) for doc in nlp.pipe(TEXTS + UNSEEN)]
    assert np.allclose(
        again.predict_proba(TokenBatch.from_units(units)),
        fitted.predict_proba(units),
        atol=compiled.PARITY_TOLERANCE,  # the weights are stored as float16
    )


def test_the_block_does_not_pickle_its_lookup_set(fitted) -> None:
    block = next(part for _, part in fitted.named_steps["features"].transformer_list if isinstance(part, WordVectors))
    assert "_known" not in block.__getstate__()
    assert len(block.vocabulary_) > len(embeddings.whole_words()) // 2


@pytest.mark.slow
def test_train_with_word_vectors_writes_a_compiled_model_that_flags(tmp_path: Path) -> None:
    """The trainer's path: ``allyship train --word-vectors`` records the pinned table and ships a compiled copy."""
    import json

    from tests.conftest import REPO, run_cli_text

    data = tmp_path / "examples.csv"
    data.write_text(
        "text,categories\n"
        '"Her place is at the stove, not in the lab.",gender_stereotype\n'
        '"The stove in the lab kitchen is broken.",\n',
        encoding="utf-8",
    )
    out = tmp_path / "vectors"
    proc = run_cli_text("train", "--data", data, "--no-corpus", "--word-vectors", "0.1", "--out", out, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    meta = json.loads((out / "metadata.json").read_text())
    assert meta["word_vectors"]["table"] == embeddings.TABLE_ID
    assert meta["word_vectors"]["sha256"] == embeddings.SHA256 and meta["compiled"]["written"]
    with np.load(out / compiled.COMPILED_FILE, allow_pickle=False) as stored:
        assert len(stored["vector_words"]) > 0
    analyzed = run_cli_text("analyze", "--model", out, "--format", "json", "Women are hysterical.", cwd=REPO)
    assert analyzed.returncode == 0, analyzed.stderr
    assert json.loads(analyzed.stdout)["flags"]
