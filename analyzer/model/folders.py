"""Model folders: written atomically, checked before anything is unpickled.

joblib (like pickle) runs code while loading, so a model file is only ever
loaded after its sha256 matches the one recorded in ``metadata.json`` and the
library versions it was built with match the ones installed. Users bring
lexicons and labeled data, never model files; these checks make sure a model
folder is exactly what ``allyship train`` wrote.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from analyzer.errors import ModelError

MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"
FORMAT_VERSION = 1


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    """The versions a model depends on; a scikit-learn mismatch refuses loading ``model.joblib``.

    Read from the installed packages' metadata rather than by importing them:
    verifying a model must not cost scikit-learn's second of imports.
    """
    from importlib.metadata import version

    from analyzer.version import __version__

    return {
        "python": platform.python_version(),
        "spacy": version("spacy"),
        "scikit-learn": version("scikit-learn"),
        "joblib": version("joblib"),
        "analyzer": __version__,
    }


# Versions that must match exactly for a model to load (pickles are not portable across them).
STRICT_VERSIONS = ("scikit-learn",)


def write_model_folder(
    out: str | Path,
    estimator: Any,
    metadata: dict[str, Any],
    *,
    force: bool = False,
    extra_files: dict[str, Callable[[Path], None]] | None = None,
) -> Path:
    """Write ``estimator`` and ``metadata.json`` to ``out``, all at once or not at all.

    Everything goes to a temporary folder beside ``out`` first, then one
    rename makes it appear. An existing folder is refused unless ``force``, and
    even then it is replaced only after the new one is complete.
    """
    import joblib

    out = Path(out)
    if out.exists() and not force:
        raise ModelError(f"{out} already exists; choose another --out or pass --force to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # mkdtemp's folder is private; the model folder is an ordinary one
    try:
        model_path = staging / MODEL_FILE
        joblib.dump(estimator, model_path, compress=("zlib", 3))
        for name, writer in (extra_files or {}).items():
            writer(staging / name)
        meta = dict(metadata)
        meta["files"] = {name: sha256_file(staging / name) for name in sorted(extra_files or {})}
        meta["format_version"] = FORMAT_VERSION
        meta["versions"] = library_versions()
        meta["model_file"] = MODEL_FILE
        meta["model_sha256"] = sha256_file(model_path)
        meta["model_bytes"] = model_path.stat().st_size
        _write_json(staging / METADATA_FILE, meta)
        _fsync_dir(staging)
        if out.exists():
            trash = out.with_name(f".{out.name}.old")
            if trash.exists():
                shutil.rmtree(trash)
            os.replace(out, trash)
            os.replace(staging, out)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.replace(staging, out)
        _fsync_dir(out.parent)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def read_metadata(folder: str | Path) -> dict[str, Any]:
    folder = Path(folder)
    meta_path = folder / METADATA_FILE
    if not folder.is_dir():
        raise ModelError(f"model folder {folder} does not exist")
    if not meta_path.is_file():
        raise ModelError(f"{folder} has no {METADATA_FILE}: not a model folder written by 'allyship train'")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{meta_path} is unreadable: {exc}") from None
    if not isinstance(meta, dict) or "model_sha256" not in meta or "versions" not in meta:
        raise ModelError(f"{meta_path} lacks model_sha256 or versions")
    return meta


def verify_model_folder(folder: str | Path, *, check_versions: bool = True) -> dict[str, Any]:
    """Check the hash of every file the folder lists (and, for the pickle, the versions); return the metadata.

    Nothing is loaded here. ``check_versions`` is for ``model.joblib``: a
    pickle is only valid with the scikit-learn that wrote it. The compiled
    copy is plain arrays and carries its own format number instead.
    """
    folder = Path(folder)
    meta = read_metadata(folder)
    model_path = folder / str(meta.get("model_file", MODEL_FILE))
    if model_path.name != MODEL_FILE or not model_path.is_file():
        raise ModelError(f"{folder} is missing its model file {MODEL_FILE}")
    expected = {MODEL_FILE: str(meta["model_sha256"]), **{str(k): str(v) for k, v in (meta.get("files") or {}).items()}}
    for name, digest in expected.items():
        path = folder / name
        if Path(name).name != name or not path.is_file():
            raise ModelError(f"{folder} is missing its file {name}")
        actual = sha256_file(path)
        if actual != digest:
            raise ModelError(
                f"{path} does not match the sha256 in {METADATA_FILE} "
                f"(expected {digest[:12]}…, found {actual[:12]}…): refusing to load a changed model file"
            )
    if check_versions:
        installed = library_versions()
        for name in STRICT_VERSIONS:
            built = meta["versions"].get(name)
            if built != installed[name]:
                raise ModelError(
                    f"{folder} was built with {name} {built}, but {installed[name]} is installed; "
                    "retrain it with 'allyship train' (models are not portable across versions)"
                )
    return meta


def load_verified(folder: str | Path) -> tuple[Any, dict[str, Any]]:
    """Verify, then ``joblib.load``; version warnings from scikit-learn become errors."""
    import joblib

    meta = verify_model_folder(folder)
    with warnings.catch_warnings():
        warnings.simplefilter("error", category=_inconsistent_version_warning())
        try:
            estimator = joblib.load(Path(folder) / MODEL_FILE)
        except Warning as exc:
            raise ModelError(f"{folder}: {exc}") from None
        except (AttributeError, ModuleNotFoundError) as exc:  # a class this analyzer no longer has
            raise ModelError(
                f"{folder}: the model was written by another version of the analyzer ({exc}); "
                "retrain it with this version (allyship train)"
            ) from None
        except Exception as exc:  # a corrupt file that still matched its hash
            raise ModelError(f"{folder}: the model file could not be loaded ({type(exc).__name__}: {exc})") from None
    return estimator, meta


def load_verified_compiled(folder: str | Path) -> tuple[Any, dict[str, Any]]:
    """Verify every file, then read the compiled copy (numpy arrays, ``allow_pickle=False``)."""
    from analyzer.model import compiled

    meta = verify_model_folder(folder, check_versions=False)
    if compiled.COMPILED_FILE not in (meta.get("files") or {}):
        raise ModelError(f"{folder} has no {compiled.COMPILED_FILE}; retrain it with 'allyship train'")
    try:
        model = compiled.load(Path(folder) / compiled.COMPILED_FILE)
    except Exception as exc:  # a corrupt or foreign file that still matched its hash
        raise ModelError(
            f"{folder}: {compiled.COMPILED_FILE} could not be read ({type(exc).__name__}: {exc})"
        ) from None
    return model, meta


def _inconsistent_version_warning() -> type[Warning]:
    try:
        from sklearn.exceptions import InconsistentVersionWarning

        return InconsistentVersionWarning
    except ImportError:  # pragma: no cover - older scikit-learn
        return UserWarning


def _write_json(path: Path, data: Any) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, ensure_ascii=False, sort_keys=False)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    if sys.platform.startswith("win"):
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write a file so that readers see the old or the new content, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
