#!/usr/bin/env bash
# Set up a virtual environment with everything the tests need, then run them.
# Installs Debian's Chromium for the browser test when it is missing (needs root or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'
.venv/bin/ruff check .
.venv/bin/lint-imports
.venv/bin/allyship lexicon validate lexicons
.venv/bin/python -m pytest -q "$@"
