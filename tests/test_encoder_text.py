"""What the optional encoder reads: the text as written, compatibility forms folded, and a gender-free copy
for its evidence check."""

from __future__ import annotations

import subprocess
import sys

from analyzer.model.encoder import neutral_text, prepare_text
from tests.conftest import run_cli_text


def pairs(text: str) -> list[tuple[str, str]]:
    words = text.split(" ")
    return [(w, " " if i < len(words) - 1 else "") for i, w in enumerate(words)]


def test_gender_words_become_neutral_and_keep_their_capitals() -> None:
    assert neutral_text(pairs("Women are too emotional , Sarah said to her husband")) == (
        "People are too emotional , Alex said to their partner"
    )


def test_a_text_that_names_no_gender_has_no_neutral_copy() -> None:
    assert neutral_text(pairs("The build is broken again")) is None


def test_full_width_letters_and_dataset_masks_are_read_as_plain_words() -> None:
    assert prepare_text("ｗｏｍｅｎ [USER] [URL]") == "women @user http"


def test_the_command_line_does_not_load_torch() -> None:
    """spaCy would import torch on every start when it is installed; ``allyship`` keeps it out."""
    code = (
        "import sys\n"
        "from analyzer.cli.main import main\n"
        "try:\n    main(['analyze', 'Calm down, it was just a joke.'])\n"
        "except SystemExit:\n    pass\n"
        "print('torch loaded' if sys.modules.get('torch') is not None else 'no torch', file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.stderr.strip().endswith("no torch"), proc.stderr


def test_a_folder_naming_an_encoder_without_its_files_is_refused(tmp_path) -> None:
    import pytest

    from analyzer.errors import ModelError
    from analyzer.model.encoder import load_encoder

    with pytest.raises(ModelError, match=r"does not list encoder\.onnx"):
        load_encoder(tmp_path, {"encoder": {"threshold": 0.4}, "files": {"compiled.npz": "0" * 64}})
    assert load_encoder(tmp_path, {"files": {}}) is None  # no encoder: the linear sexist head decides


def test_missing_runtime_or_training_packages_are_one_sentence_with_the_install_hint(tmp_path, monkeypatch) -> None:
    import sys

    import numpy as np
    import pytest

    from analyzer.errors import ModelError
    from analyzer.model.encoder import load_encoder
    from analyzer.model.wordpiece import WordPiece
    from analyzer.training import encoder_fit
    from analyzer.training.encoder_fit import fine_tune

    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    meta = {"encoder": {"threshold": 0.4}, "files": {"encoder.onnx": "0" * 64, "encoder_vocab.txt": "0" * 64}}
    with pytest.raises(ModelError, match=r"needs onnxruntime: pip install 'allyship-analyzer\[encoder\]'"):
        load_encoder(tmp_path, meta)
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ModelError, match=r"needs torch: pip install 'allyship-analyzer\[encoder-train\]'"):
        fine_tune({}, WordPiece(["[PAD]", "[UNK]", "[CLS]", "[SEP]"]), ["a"] * 30, np.array([0, 1] * 15))
    monkeypatch.delitem(sys.modules, "torch")  # scikit-learn looks torch up there; a None entry breaks it

    def no_torch() -> None:
        raise ModelError(f"fine-tuning the encoder needs torch: {encoder_fit.TRAIN_HINT}")

    monkeypatch.setattr(encoder_fit, "_torch", no_torch)
    proc = run_cli_text("train", "--encoder", "--out", str(tmp_path / "m"))  # refused before any work
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "needs torch" in proc.stderr
    assert "[1/4]" not in proc.stderr and not (tmp_path / "m").exists()


def test_a_bad_thread_count_is_one_sentence(tmp_path, monkeypatch) -> None:
    import pytest

    from analyzer.errors import ModelError
    from analyzer.model.encoder import load_encoder

    pytest.importorskip("onnxruntime", reason="the encoder runs with onnxruntime (allyship-analyzer[encoder])")
    monkeypatch.setenv("ALLYSHIP_ENCODER_THREADS", "lots")
    meta = {"encoder": {"threshold": 0.4}, "files": {"encoder.onnx": "0" * 64, "encoder_vocab.txt": "0" * 64}}
    with pytest.raises(ModelError, match="ALLYSHIP_ENCODER_THREADS must be a whole number from 1 to 64, not 'lots'"):
        load_encoder(tmp_path, meta)
