"""``allyship check`` as a library call: documents in, flags with line and column out.

The steps: find the documents and the configuration of each, read each as
prose, analyze the prose of all documents that share settings in one
``analyze_many`` pass, map every flag back to its source position, then drop
what the configuration or an inline ignore turns off.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer.errors import AnalyzerError
from analyzer.flags import Flag
from analyzer.lint.config import ConfigFinder, LintConfig
from analyzer.lint.documents import Document, find_documents
from analyzer.lint.ignores import Ignores, matches
from analyzer.lint.prose import Directive, Prose, line_starts


@dataclass(frozen=True)
class Position:
    """A 1-based line and column, as editors and SARIF count them."""

    line: int
    col: int


@dataclass(frozen=True)
class LintFlag:
    """A flag whose offsets are in the source file, with its start and end positions."""

    flag: Flag
    start: Position
    end: Position

    def to_dict(self) -> dict[str, Any]:
        out = self.flag.to_dict()
        out.update(line=self.start.line, col=self.start.col, end_line=self.end.line, end_col=self.end.col)
        return out


@dataclass(frozen=True)
class UnusedIgnore:
    """An ignore comment that suppressed no flag."""

    directive: Directive
    text: str
    start: Position
    end: Position

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.start.line, "col": self.start.col, "comment": self.text, "ids": list(self.directive.ids)}


@dataclass
class FileReport:
    """What ``check`` found in one document, or why it could not read it."""

    path: str
    flags: list[LintFlag] = field(default_factory=list)
    unused_ignores: list[UnusedIgnore] = field(default_factory=list)
    error: str | None = None

    def to_dict(self, *, report_unused: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "flags": [f.to_dict() for f in self.flags]}
        if report_unused:
            out["unused_ignores"] = [u.to_dict() for u in self.unused_ignores]
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass
class CheckReport:
    """Every checked document, in command-line order, and the analyzers that read them."""

    files: list[FileReport]
    analyzers: list[Any]
    report_unused: bool = False

    @property
    def flag_count(self) -> int:
        return sum(len(f.flags) for f in self.files)

    @property
    def unused_count(self) -> int:
        return sum(len(f.unused_ignores) for f in self.files) if self.report_unused else 0

    @property
    def error_count(self) -> int:
        return sum(1 for f in self.files if f.error is not None)

    def summary(self) -> dict[str, Any]:
        categories: dict[str, int] = {}
        for report in self.files:
            for lint_flag in report.flags:
                categories[lint_flag.flag.category] = categories.get(lint_flag.flag.category, 0) + 1
        out = {
            "files_checked": len(self.files),
            "files_flagged": sum(1 for f in self.files if f.flags),
            "flag_count": self.flag_count,
            "categories": categories,
            "errors": self.error_count,
        }
        if self.report_unused:
            out["unused_ignores"] = self.unused_count
        return out

    def exit_code(self) -> int:
        """2 when a document could not be read, 1 when something was flagged (or an unused ignore reported), else 0."""
        if self.error_count:
            return 2
        return 1 if self.flag_count or self.unused_count else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": [f.to_dict(report_unused=self.report_unused) for f in self.files],
            "summary": self.summary(),
        }


@dataclass(frozen=True)
class CheckOptions:
    """Command-line settings; ``threshold`` and ``lexicons`` add to (or override) the configuration file's."""

    config_file: Path | None = None
    lexicons: tuple[Path, ...] = ()
    model: str | None = "default"
    threshold: float | None = None
    trusted_lexicons: bool = False
    report_unused_ignores: bool = False


DEFAULT_THRESHOLD = 0.5
AnalyzerFactory = Callable[[tuple[Path, ...], str | None, float, bool], Any]


def default_factory(lexicons: tuple[Path, ...], model: str | None, threshold: float, trusted: bool) -> Any:
    from analyzer.engine import Analyzer

    return Analyzer(lexicons=list(lexicons), model=model, threshold=threshold, trusted_lexicons=trusted)


def check(paths: list[str], options: CheckOptions, factory: AnalyzerFactory = default_factory) -> CheckReport:
    """Check the documents ``paths`` name (files, folders, ``-``) and return what was found."""
    finder = ConfigFinder(options.config_file)
    reports: list[FileReport] = []
    groups: dict[tuple[tuple[Path, ...], float], list[tuple[FileReport, Document, Prose, LintConfig]]] = {}
    for document in find_documents(paths):
        config = finder.for_path(document.path)
        if document.path is not None and config.excludes(document.path):
            continue
        report = FileReport(document.display, error=document.error)
        reports.append(report)
        if document.error is not None:
            continue
        try:
            prose = document.prose()
        except Exception as exc:  # a reader bug must not lose the other documents
            report.error = f"cannot read as {document.kind}: {type(exc).__name__}: {exc}"
            continue
        lexicons = tuple(dict.fromkeys((*config.lexicons, *options.lexicons)))
        threshold = (
            options.threshold
            if options.threshold is not None
            else (config.threshold if config.threshold is not None else DEFAULT_THRESHOLD)
        )
        groups.setdefault((lexicons, threshold), []).append((report, document, prose, config))
    analyzers = []
    for (lexicons, threshold), members in groups.items():
        analyzer = factory(lexicons, options.model, threshold, options.trusted_lexicons)
        analyzers.append(analyzer)
        _check_unknown_ids(analyzer, members)
        results = analyzer.analyze_many([prose.text for _, _, prose, _ in members])
        for (report, _, prose, config), result in zip(members, results, strict=True):
            _fill(report, prose, result.flags, config)
    return CheckReport(reports, analyzers, options.report_unused_ignores)


def _check_unknown_ids(analyzer: Any, members: list[tuple[FileReport, Document, Prose, LintConfig]]) -> None:
    known = set(analyzer.lexicon.rules) | set(analyzer.lexicon.categories)
    for _, _, _, config in members:
        unknown = sorted(config.disable - known)
        if unknown:
            raise AnalyzerError(f"{config.file}: 'disable' names unknown rule or category ids: {', '.join(unknown)}")


def _fill(report: FileReport, prose: Prose, flags: tuple[Flag, ...], config: LintConfig) -> None:
    source = prose.source
    lines = line_starts(source)
    ignores = Ignores(prose.directives, source)
    for flag in flags:
        if config.disable and matches(config.disable, flag.rule_id, flag.category):
            continue
        start, end = prose.source_span(flag.start, flag.end)
        if ignores.suppresses(start, flag.rule_id, flag.category):
            continue
        moved = dataclasses.replace(flag, start=start, end=end, text=source[start:end])
        report.flags.append(LintFlag(moved, _position(lines, start), _position(lines, end)))
    report.flags.sort(key=lambda f: (f.flag.start, f.flag.end, f.flag.category))
    for directive in ignores.unused():
        report.unused_ignores.append(
            UnusedIgnore(
                directive,
                source[directive.start : directive.end],
                _position(lines, directive.start),
                _position(lines, directive.end),
            )
        )


def _position(lines: list[int], offset: int) -> Position:
    """The 1-based line and column of a source offset."""
    low, high = 0, len(lines) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if lines[middle] <= offset:
            low = middle
        else:
            high = middle - 1
    return Position(low + 1, offset - lines[low] + 1)
