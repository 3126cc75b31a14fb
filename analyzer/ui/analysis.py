"""Loading the analyzer and running it on a paste, with limits and no tracebacks.

The page calls :func:`build_analyzer` through a ``st.cache_resource`` wrapper
(:mod:`analyzer.ui.cache`), so the pipeline is built once per server process;
:func:`run_analysis` turns every problem a user can cause (an empty box, a
paste over the limit, input the library refuses) into a message for the page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from analyzer.engine import DEFAULT_MODEL, Analyzer
from analyzer.errors import AnalyzerError, LexiconError
from analyzer.flags import AnalysisResult
from analyzer.ui.cards import SENSITIVITY_FLOOR

# A paste is one text in a browser text box; longer documents belong in batch.
MAX_PASTE_CHARS = 200_000
# Streamlit runs each browser session in its own thread and they share one
# cached Analyzer. No lock is taken around an analysis: the Analyzer keeps no
# per-call state between calls, so one session's long paste never holds up
# another session's short one.


@dataclass(frozen=True)
class LoadedAnalyzer:
    """The analyzer the page uses, and a warning when it had to fall back."""

    analyzer: Analyzer
    model: str | None
    warning: str | None = None


@dataclass(frozen=True)
class AnalysisOutcome:
    """What the Analyze button produced: a result, or a message saying why not."""

    text: str
    result: AnalysisResult | None = None
    error: str | None = None
    key: str = field(default="")  # stable id of this analysis, for widget keys


def build_analyzer(lexicons: Sequence[str | Path] = (), model: str | None = DEFAULT_MODEL) -> LoadedAnalyzer:
    """The analyzer at the sensitivity floor; lexicons only if the model cannot be loaded.

    A broken lexicon raises :class:`LexiconError` (the page lists its
    problems); a model that is missing or refused is not a reason to show
    nothing, so the page falls back to the lexicons and says so.
    """
    try:
        analyzer = Analyzer(lexicons=list(lexicons), model=model, threshold=SENSITIVITY_FLOOR)
    except LexiconError:
        raise
    except AnalyzerError as exc:
        if model is None:
            raise
        analyzer = Analyzer(lexicons=list(lexicons), model=None, threshold=SENSITIVITY_FLOOR)
        return LoadedAnalyzer(analyzer, None, f"The classifier could not be loaded ({exc}); using the lexicons only.")
    used = None if analyzer.classifier is None else str(model)
    return LoadedAnalyzer(analyzer, used)


def paste_problem(text: str, limit: int = MAX_PASTE_CHARS) -> str | None:
    """Why this paste cannot be analyzed, or ``None`` when it can."""
    if not text.strip():
        return "Paste or type a text first."
    if len(text) > limit:
        return (
            f"This text has {len(text):,} characters; a paste can have at most {limit:,}. "
            "Analyze it in parts, or run `allyship batch` on the file for long documents."
        )
    return None


def run_analysis(analyzer: Analyzer, text: str, limit: int = MAX_PASTE_CHARS) -> AnalysisOutcome:
    """Analyze one paste; every failure becomes a one-line message, never a traceback."""
    key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    problem = paste_problem(text, limit)
    if problem is not None:
        return AnalysisOutcome(text=text, error=problem, key=key)
    try:
        result = analyzer.analyze(text)
    except AnalyzerError as exc:
        return AnalysisOutcome(text=text, error=f"The text could not be analyzed: {exc}", key=key)
    except Exception as exc:  # a bug, not the user's fault: still no traceback in their page
        return AnalysisOutcome(
            text=text, error=f"Something went wrong while analyzing ({type(exc).__name__}: {exc}).", key=key
        )
    return AnalysisOutcome(text=text, result=result, key=key)
