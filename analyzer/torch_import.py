"""Keep spaCy from loading torch in a process that does not need it.

spaCy's thinc imports torch when its ``thinc.compat`` module is first imported,
whenever torch is installed, though the analyzer never runs anything through
it: with the ``encoder-train`` extra installed, that is 1.4 s and 230 MB on
every start of ``allyship``. :func:`load_thinc_without_torch` imports that one
small module while torch cannot be found, so thinc records "no torch"; nothing
else changes (``torch`` is not in ``sys.modules``, a later ``import torch``,
such as fine-tuning's, works). The command line calls it; a program that
imports the library decides for itself.
"""

from __future__ import annotations

import importlib.abc
import sys
from typing import Any

NAME = "torch"


class _NoTorch(importlib.abc.MetaPathFinder):
    """An import finder under which ``torch`` and its submodules cannot be found."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        if fullname == NAME or fullname.startswith(NAME + "."):
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None


def load_thinc_without_torch() -> None:
    """Import ``thinc.compat`` with torch hidden, unless thinc or torch is already loaded (then nothing to do)."""
    if "thinc.compat" in sys.modules or NAME in sys.modules:
        return
    finder = _NoTorch()
    sys.meta_path.insert(0, finder)
    try:
        import thinc.compat  # noqa: F401  - reads once whether torch is importable
    except ImportError:
        pass  # no thinc: nothing would have loaded torch either
    finally:
        sys.meta_path.remove(finder)
