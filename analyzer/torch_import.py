"""Keep torch out of a process that does not need it.

spaCy's thinc imports torch as soon as spaCy is imported, whenever torch is
installed, though the analyzer never runs anything through it: with the
``encoder-train`` extra installed, that is 1.4 s and 230 MB on every start of
``allyship``. The command line defers it; fine-tuning allows it again right
before it imports torch itself. A program that imports the library decides
for itself: nothing here runs on ``import analyzer``.
"""

from __future__ import annotations

import sys

NAME = "torch"


def defer() -> None:
    """Make ``import torch`` fail in this process until :func:`allow` (no effect if already imported)."""
    sys.modules.setdefault(NAME, None)  # type: ignore[arg-type]  # None in sys.modules: ImportError on import


def allow() -> None:
    """Undo :func:`defer`, so that the next ``import torch`` loads it."""
    if NAME in sys.modules and sys.modules[NAME] is None:
        del sys.modules[NAME]
