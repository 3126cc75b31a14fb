"""A cache of parsed training texts, so retraining with a few new rows does not parse the corpus again.

Training reads each example as a :class:`~analyzer.model.inputs.Unit` (tuples of
strings), made by the analyzer's pipeline. That pipeline depends on the
lexicon files and the analyzer's code, so the cache file is named by a hash
of the lexicon files' contents and the analyzer version, and each entry by
the sha256 of its text: a change to either starts a fresh file, and a new
text is parsed once. The file is plain JSON (never a pickle), written to a
temporary file and renamed into place, in the user's cache folder.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analyzer.lexicon.loader import Lexicon
    from analyzer.model.inputs import Unit

ENV_VAR = "ALLYSHIP_CACHE_DIR"
FORMAT = 1
MAX_ENTRIES = 200_000  # past this, a new file is started rather than growing without end


def cache_dir() -> Path:
    """``ALLYSHIP_CACHE_DIR``, else ``allyship`` in the user's cache folder."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "allyship"


def pipeline_key(lexicon: Lexicon) -> str:
    """What a unit depends on besides its text: the lexicon files' contents and the analyzer version."""
    from analyzer.version import __version__

    digest = hashlib.sha256(f"units-{FORMAT}-{__version__}".encode())
    for path in sorted(str(p) for p in lexicon.files):
        digest.update(Path(path).name.encode() + b"\0" + Path(path).read_bytes())
    spellings = Path(__file__).resolve().parent.parent / "data"
    for path in sorted(spellings.glob("*")) if spellings.is_dir() else ():
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:24]


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _read(path: Path) -> dict[str, list[list[str]]]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError, EOFError):
        return {}  # missing or damaged: parse again and rewrite
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("units"), dict):
        return {}
    return data["units"]


def _write(path: Path, units: dict[str, list[list[str]]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, tmp = tempfile.mkstemp(prefix=".units-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1) as zipped:
            zipped.write(json.dumps({"format": FORMAT, "units": units}, ensure_ascii=False).encode("utf-8"))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def cached_units(lexicon: Lexicon, texts: Sequence[str], folder: Path | None = None) -> tuple[list[Unit], int]:
    """The units of ``texts`` (as :func:`analyzer.model.inputs.text_units` makes them) and how many were parsed now."""
    from analyzer.model.inputs import Unit
    from analyzer.training.parsing import text_units

    path = (folder or cache_dir()) / f"units-{pipeline_key(lexicon)}.json.gz"
    stored = _read(path)
    keys = [_text_key(t) for t in texts]
    missing = [i for i, k in enumerate(keys) if k not in stored]
    if missing:
        parsed = text_units(lexicon, [texts[i] for i in missing])
        if len(stored) + len(parsed) > MAX_ENTRIES:
            stored = {}
        for i, unit in zip(missing, parsed, strict=True):
            stored[keys[i]] = [list(unit.keys), list(unit.words), list(unit.lexicon)]
        with contextlib.suppress(OSError):  # a read-only cache folder only costs the next run a parse
            _write(path, stored)
    units = [Unit(tuple(stored[k][0]), tuple(stored[k][1]), tuple(stored[k][2])) for k in keys]
    return units, len(missing)
