"""Pretrained static word vectors, read from an installed registry package and checked by sha256 before use.

Why static vectors: the n-gram features only know words seen in training, so
a put-down in new words ("her place is at the stove") scores nothing. A word
vector table brings what a large corpus knows about a word's neighbours. Why
this table: WordLlama's ``l2_supercat`` 256-dimension token embeddings ship
inside the ``wordllama`` wheel on PyPI (nothing is downloaded at run time),
and mean-pooling them is the sentence embedding WordLlama was trained for.
A word's vector is the mean of the vectors of its tokenizer pieces.

Only training and the scikit-learn engine read the table: the compiled model
folds a linear head's weights over it into one number per word and head
(:mod:`analyzer.model.compiled`), so the analyzer's default engine needs neither
this package nor the tokenizer when it runs. The safetensors file is parsed
with numpy (a JSON header and raw float16 rows), never unpickled.
"""

from __future__ import annotations

import hashlib
import json
import struct
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import util
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.errors import ModelError

PACKAGE = "wordllama"
VERSION = "0.4.0.post1"
TABLE_ID = "wordllama-l2_supercat-256"
WEIGHTS_FILE = "weights/l2_supercat_256.safetensors"
TOKENIZER_FILE = "tokenizers/l2_supercat_tokenizer_config.json"
TENSOR = "embedding.weight"
SHA256 = {
    WEIGHTS_FILE: "64b47a2dc493cb8e85944076601189739852d7b64e0e1eedcb1937a251cd9fd5",
    TOKENIZER_FILE: "93248f2a9ec36c7b35f700a033d5f36228aae48db61aee31007fa49062cdeb68",
}
INSTALL_HINT = f"pip install {PACKAGE}=={VERSION}  (or: pip install 'allyship-analyzer[vectors]')"


class EmbeddingError(ModelError):
    """The pinned embedding package is missing, or one of its files is not the pinned file."""


def package_dir() -> Path:
    """Where the installed package lives, found without importing it (its import pulls in more than we read)."""
    spec = util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingError(f"the word vectors need the package {PACKAGE}: {INSTALL_HINT}")
    return Path(next(iter(spec.submodule_search_locations)))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def checked_file(relative: str, root: Path | None = None) -> Path:
    """The package file ``relative``, after checking its sha256 against the pinned one."""
    path = (root or package_dir()) / relative
    if not path.is_file():
        raise EmbeddingError(f"{path} is missing: reinstall the word vectors with {INSTALL_HINT}")
    found = _sha256(path)
    if found != SHA256[relative]:
        raise EmbeddingError(
            f"{path} has sha256 {found[:12]}…, not the pinned {SHA256[relative][:12]}…: reinstall with {INSTALL_HINT}"
        )
    return path


def read_safetensors(path: Path, name: str) -> np.ndarray:
    """One float16/float32 tensor of a safetensors file, as float32, parsed with numpy (no pickle, no torch)."""
    with open(path, "rb") as handle:
        (size,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(size))
        entry = header.get(name)
        if not isinstance(entry, dict):
            raise EmbeddingError(f"{path} has no tensor {name}")
        dtype = {"F16": np.float16, "F32": np.float32}.get(entry.get("dtype"))
        if dtype is None:
            raise EmbeddingError(f"{path}: tensor {name} has dtype {entry.get('dtype')}, expected F16 or F32")
        begin, end = entry["data_offsets"]
        handle.seek(8 + size + begin)
        raw = handle.read(end - begin)
    return np.frombuffer(raw, dtype=dtype).reshape(entry["shape"]).astype(np.float32)


@dataclass
class StaticTable:
    """Token vectors and the tokenizer that cuts words into those tokens; :meth:`vectors` per word, cached."""

    table: np.ndarray  # tokens x dimensions, float32
    tokenizer: Any  # a ``tokenizers.Tokenizer``

    def __post_init__(self) -> None:
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    @property
    def dimensions(self) -> int:
        return int(self.table.shape[1])

    def vectors(self, words: Sequence[str]) -> np.ndarray:
        """Per word, the mean vector of its tokenizer pieces (zeros for a word with none)."""
        with self._lock:
            missing = sorted({w for w in words if w not in self._cache})
            if missing:
                encoded = self.tokenizer.encode_batch(missing, add_special_tokens=False)
                for word, encoding in zip(missing, encoded, strict=True):
                    ids = [i for i in encoding.ids if 0 <= i < len(self.table)]
                    self._cache[word] = self.table[ids].mean(axis=0) if ids else np.zeros(self.dimensions, np.float32)
            out = np.zeros((len(words), self.dimensions), dtype=np.float32)
            for row, word in enumerate(words):
                out[row] = self._cache[word]
        return out


@lru_cache(maxsize=1)
def load_table() -> StaticTable:
    """The pinned table from the installed package; raises :class:`EmbeddingError` (one line) if it is not there."""
    root = package_dir()
    weights = checked_file(WEIGHTS_FILE, root)
    tokenizer_file = checked_file(TOKENIZER_FILE, root)
    try:
        from tokenizers import Tokenizer
    except ImportError as exc:  # a dependency of the package itself
        raise EmbeddingError(f"the word vectors need the package tokenizers: {INSTALL_HINT}") from exc
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return StaticTable(read_safetensors(weights, TENSOR), tokenizer)


@lru_cache(maxsize=1)
def whole_words() -> tuple[str, ...]:
    """The tokenizer's lowercase whole-word tokens ("▁kitchen" -> "kitchen"): words every model knows a vector of."""
    vocabulary = load_table().tokenizer.get_vocab()
    words = {piece[1:] for piece in vocabulary if piece.startswith("▁") and len(piece) > 2}
    return tuple(sorted(w for w in words if w.isascii() and w.isalpha() and w.islower()))
