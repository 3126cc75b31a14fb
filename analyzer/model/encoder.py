"""The optional encoder head: a fine-tuned MiniLM, run with onnxruntime, that decides "is this sexist".

A model folder trained with ``allyship train --encoder`` carries the exported
graph (``encoder.onnx``, written by :mod:`analyzer.training.encoder_fit`) and
the base model's vocabulary, both listed with their sha256 in
``metadata.json`` and checked before loading like every model file. When it is
there, its probability replaces the linear sexist head's for every sentence
and short text; the category heads, the lexicon and the context step are
unchanged. Slower than the default (a transformer per sentence); what it gains
and what it costs are measured in models/README.md.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.errors import ModelError
from analyzer.model.wordpiece import WordPiece

ENCODER_FILE = "encoder.onnx"
VOCAB_FILE = "encoder_vocab.txt"
MAX_LENGTH = 96  # word pieces per text, [CLS] and [SEP] included
THREADS_ENV = "ALLYSHIP_ENCODER_THREADS"
RUN_HINT = "pip install 'allyship-analyzer[encoder]'"
BATCH = 64


def prepare_text(text: str) -> str:
    """Full-width and other compatibility forms as plain letters (NFKC: "ｗｏｍｅｎ" -> "women", which the
    vocabulary knows); EDOS's [USER] / [URL] masks as the plain words the pretrained vocabulary reads better."""
    return unicodedata.normalize("NFKC", text).replace("[USER]", "@user").replace("[URL]", "http")


@lru_cache(maxsize=1)
def _neutral() -> dict[str, str]:
    from analyzer.model.word_features import load_identity_neutral

    return load_identity_neutral()


def neutral_text(words: Sequence[tuple[str, str]]) -> str | None:
    """The text of (word, trailing space) pairs with identity words swapped for gender-free ones, capitals kept;
    None when no word changed."""
    mapping = _neutral()
    out: list[str] = []
    changed = False
    for word, space in words:
        stand_in = mapping.get(word.lower())
        if stand_in is not None:
            changed = True
            word = stand_in.capitalize() if word[:1].isupper() else stand_in
        out.append(word + space)
    return "".join(out) if changed else None


@dataclass
class EncoderHead:
    """The ONNX session, its tokenizer, and the probability cut chosen at training."""

    session: Any
    tokenizer: WordPiece
    threshold: float
    max_length: int = MAX_LENGTH

    def without_mentions(self, words: Sequence[tuple[str, str]]) -> float | None:
        """P(sexist) of the text with every word that names a gender made neutral ("women" -> "people",
        "Sarah" -> "Alex"), from its (word, trailing space) pairs; None when it names nobody's gender."""
        text = neutral_text(words)
        if text is None:
            return None
        return float(self.probabilities([text])[0])

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """P(sexist) for each text, run in batches of similar length (little time goes to padding).

        A text given twice is run once (a one-sentence post is both a sentence and a whole text).
        """
        unique = list(dict.fromkeys(texts))
        if len(unique) < len(texts):
            found = dict(zip(unique, self.probabilities(unique).tolist(), strict=True))
            return np.asarray([found[t] for t in texts], dtype=np.float64)
        encoded = [self.tokenizer.encode(prepare_text(t), self.max_length) for t in texts]
        out = np.zeros(len(encoded), dtype=np.float64)
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            length = max(len(encoded[i]) for i in rows)
            ids = np.zeros((len(rows), length), dtype=np.int64)
            mask = np.zeros((len(rows), length), dtype=np.float32)
            for j, i in enumerate(rows):
                ids[j, : len(encoded[i])] = encoded[i]
                mask[j, : len(encoded[i])] = 1.0
            (logits,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask})
            out[rows] = 1.0 / (1.0 + np.exp(-np.asarray(logits, dtype=np.float64)))
        return out


def _threads() -> int:
    """onnxruntime's threads per run, from ``ALLYSHIP_ENCODER_THREADS`` (default 1: threads sharing an analyzer,
    and batch workers, each already use a core)."""
    value = os.environ.get(THREADS_ENV, "").strip() or "1"
    if not value.isdigit() or not 1 <= int(value) <= 64:
        raise ModelError(f"{THREADS_ENV} must be a whole number from 1 to 64, not {value!r}")
    return int(value)


def load_encoder(folder: str | Path, meta: dict[str, Any]) -> EncoderHead | None:
    """The encoder head of a verified model folder, or None when the folder has none.

    The folder's files were already checked against ``metadata.json``
    (:func:`analyzer.model.folders.verify_model_folder`).
    """
    info = meta.get("encoder")
    if not info:
        return None
    files = meta.get("files") or {}
    if ENCODER_FILE not in files or VOCAB_FILE not in files:
        raise ModelError(f"{folder}: metadata.json names an encoder but does not list {ENCODER_FILE} and {VOCAB_FILE}")
    try:
        import onnxruntime
    except ImportError:
        raise ModelError(f"{folder} has an encoder model, which needs onnxruntime: {RUN_HINT}") from None
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = _threads()
    options.inter_op_num_threads = 1
    try:
        session = onnxruntime.InferenceSession(
            str(Path(folder) / ENCODER_FILE), options, providers=["CPUExecutionProvider"]
        )
        tokenizer = WordPiece.from_file(Path(folder) / VOCAB_FILE)
    except Exception as exc:  # a corrupt file that still matched its hash
        raise ModelError(f"{folder}: the encoder could not be loaded ({type(exc).__name__}: {exc})") from None
    return EncoderHead(session, tokenizer, float(info["threshold"]), int(info.get("max_length", MAX_LENGTH)))
