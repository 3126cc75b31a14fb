"""Errors the analyzer raises on purpose.

Every error a user can cause (a bad lexicon, a bad data file, a tampered model,
unreadable input) is an :class:`AnalyzerError` whose message is one line. The
CLI prints that line and exits 2, so no user ever sees a traceback for their
own input.
"""

from __future__ import annotations

from dataclasses import dataclass


class AnalyzerError(Exception):
    """A problem with the user's input or files, explained in one line.

    ``index`` is the position of the text it is about, when it stopped
    ``Analyzer.analyze_many``.
    """

    index: int | None = None


@dataclass(frozen=True)
class Problem:
    """One problem found in a file: where it is and what is wrong."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class LexiconError(AnalyzerError):
    """One or more lexicon files are invalid; ``problems`` lists each place."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        first = str(self.problems[0]) if self.problems else "invalid lexicon"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(first + more)


class ModelError(AnalyzerError):
    """A model folder is missing, incomplete, tampered with or incompatible."""


class DataError(AnalyzerError):
    """A labeled data file has an unknown category, a missing column or a bad row."""


class InputTooLargeError(AnalyzerError):
    """A text is larger than the configured limit."""


class BatchError(AnalyzerError):
    """A batch run cannot go ahead as asked (its output, its workers), said in the library's own words.

    The message describes the situation and what would fix it, naming no
    command-line option; ``reason`` (a stable name such as ``output_exists``)
    and ``details`` (the paths and numbers in the message) let a caller such as
    the CLI say the same in terms of its own options (``--resume``, ``--force``).
    """

    def __init__(self, message: str, reason: str, **details: object) -> None:
        super().__init__(message)
        self.reason = reason
        self.details = details
