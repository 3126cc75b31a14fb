"""The versions a verdict records: which analyzer and model, and which lexicon files it was given against."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def lexicon_version(files: list[str] | tuple[str, ...] | None = None) -> str:
    """A short sha256 over the lexicon files (the built-ins by default), names and contents."""
    from analyzer.lexicon.loader import BUILTIN_DIR

    paths = sorted(Path(f) for f in files) if files else sorted(Path(BUILTIN_DIR).glob("*.yml"))
    digest = hashlib.sha256()
    for path in paths:
        try:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        except OSError:
            digest.update(path.name.encode() + b"\0missing")
    return digest.hexdigest()[:12]


def model_version(metadata: Mapping[str, Any] | None = None, name: str = "") -> str:
    """'allyship 0.1.0' plus the model's name and the start of its metadata hash, when there is a model."""
    import json

    from analyzer.version import __version__

    version = f"allyship {__version__}"
    if metadata:
        blob = json.dumps(metadata, sort_keys=True, default=str).encode()
        version += f", model {name or 'custom'} {hashlib.sha256(blob).hexdigest()[:12]}"
    return version
