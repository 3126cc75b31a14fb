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

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from analyzer.cache import cache_dir, code_digest, read_json, write_json

if TYPE_CHECKING:
    from analyzer.lexicon.loader import Lexicon
    from analyzer.model.inputs import Unit

FORMAT = 1
MAX_ENTRIES = 200_000  # past this, a new file is started rather than growing without end


def pipeline_key(lexicon: Lexicon) -> str:
    """What a unit depends on besides its text: the lexicon files' contents and the code that parses."""
    from analyzer.version import __version__

    digest = hashlib.sha256(f"units-{FORMAT}-{__version__}".encode())
    digest.update(code_digest("pipeline", "tokens", "lexicon", "model").encode())
    for path in sorted(str(p) for p in lexicon.files):
        digest.update(Path(path).name.encode() + b"\0" + Path(path).read_bytes())
    return digest.hexdigest()[:24]


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _read(path: Path) -> dict[str, list[list[str]]]:
    data = read_json(path)  # None when missing or damaged: parse again and rewrite
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("units"), dict):
        return {}
    return data["units"]


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
        write_json(path, {"format": FORMAT, "units": stored})  # unwritable: the next run parses again
    units = [Unit(tuple(stored[k][0]), tuple(stored[k][1]), tuple(stored[k][2])) for k in keys]
    return units, len(missing)
