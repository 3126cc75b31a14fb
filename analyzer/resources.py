"""Where the analyzer's own data lives: one place for every built-in folder and file."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent
DATA_DIR = PACKAGE_DIR / "data"  # context rules, cues, spellings
LEXICONS_DIR = Path(os.environ.get("ALLYSHIP_LEXICONS", REPO_DIR / "lexicons"))
MODELS_DIR = REPO_DIR / "models"
DEFAULT_MODEL = "default"  # the name of the shipped model, a folder in MODELS_DIR
CORPUS_DIR = REPO_DIR / "data" / "corpus"
APP_FILE = REPO_DIR / "app.py"
