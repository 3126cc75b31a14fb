"""Where the analyzer's own data lives: one place for every built-in folder and file.

The repository keeps ``lexicons/``, ``models/`` and ``data/corpus/`` at its top;
the wheel carries them inside the package (``analyzer.lexicons``,
``analyzer.models``, ``analyzer.corpus``, mapped in pyproject.toml), so they are
found with :mod:`importlib.resources` wherever the package is installed.
"""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path
from typing import Literal

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"  # context rules, cues, spellings
LEXICONS_DIR = Path(os.environ.get("ALLYSHIP_LEXICONS") or str(resources.files("analyzer.lexicons")))
MODELS_DIR = Path(str(resources.files("analyzer.models")))
CORPUS_DIR = Path(str(resources.files("analyzer.corpus")))
DEFAULT_MODEL = "default"  # the name of the shipped model, a folder in MODELS_DIR
APP_FILE = PACKAGE_DIR / "ui" / "streamlit_app.py"  # the Streamlit entry file, inside the package


def user_dir(kind: Literal["cache", "data"]) -> Path:
    """The user's ``allyship`` folder for caches or for data, where the platform keeps them (XDG on Linux)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / ("Caches" if kind == "cache" else "Application Support")
    elif kind == "cache":
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "allyship"
