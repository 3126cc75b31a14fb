"""The user's cache folder, and gzipped JSON files in it written atomically.

Caches hold what the analyzer can always recompute (parsed training texts,
the lexicon's phrases as matching keys), so a missing, damaged or unwritable
file only costs the time to recompute it. They are plain JSON, never a
pickle: reading one runs no code.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from analyzer.resources import user_dir

ENV_VAR = "ALLYSHIP_CACHE_DIR"
PACKAGE_DIR = Path(__file__).resolve().parent


def cache_dir() -> Path:
    """``ALLYSHIP_CACHE_DIR``, else ``allyship`` in the user's cache folder."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    return user_dir("cache")


@lru_cache(maxsize=8)
def code_digest(*subpackages: str) -> str:
    """A digest of the source of ``subpackages`` (names under ``analyzer``) and the package's ``data/`` folder.

    What a cache entry was computed with: editing that code, or upgrading to a
    release that changes it, starts a fresh cache file. Read once per process, as
    the code itself is imported once.
    """
    digest = hashlib.sha256()
    files = [p for name in subpackages for p in (PACKAGE_DIR / name).rglob("*.py")]
    files += [p for p in (PACKAGE_DIR / "data").rglob("*") if p.is_file()]
    for path in sorted(files):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def read_json(path: Path) -> Any:
    """The JSON in the gzipped file ``path``, or None when it is missing or damaged."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError, EOFError):
        return None


def write_json(path: Path, data: Any) -> bool:
    """Write ``data`` to ``path`` as gzipped JSON, through a temporary file renamed into place.

    Returns False when the folder cannot be written (a read-only home, a full
    disk): the caller goes on without the cache.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, tmp = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(handle, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1) as zipped:
            zipped.write(json.dumps(data, ensure_ascii=False).encode("utf-8"))
        os.replace(tmp, path)
        return True
    except OSError:
        return False
    finally:
        with contextlib.suppress(OSError):
            Path(tmp).unlink(missing_ok=True)
