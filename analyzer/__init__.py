"""allyship-analyzer: flags harassment-adjacent language and explains each flag.

    from analyzer import Analyzer
    result = Analyzer().analyze("Calm down, it was just a joke.")

Names are imported lazily so that ``allyship --help`` starts without loading
spaCy or scikit-learn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from analyzer.version import __version__

__all__ = ["AnalysisResult", "Analyzer", "AnalyzerError", "Flag", "__version__"]

if TYPE_CHECKING:
    from analyzer.engine import Analyzer
    from analyzer.errors import AnalyzerError
    from analyzer.flags import AnalysisResult, Flag


def __getattr__(name: str) -> Any:
    if name == "Analyzer":
        from analyzer.engine import Analyzer

        return Analyzer
    if name in ("Flag", "AnalysisResult"):
        from analyzer import flags

        return getattr(flags, name)
    if name == "AnalyzerError":
        from analyzer.errors import AnalyzerError

        return AnalyzerError
    raise AttributeError(f"module 'analyzer' has no attribute {name!r}")
