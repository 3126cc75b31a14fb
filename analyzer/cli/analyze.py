"""``allyship analyze`` and ``allyship lexicon validate``: one text, and the lexicon checks."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from analyzer.cli.root import (
    LexiconsOpt,
    ModelOpt,
    NoModelOpt,
    ThresholdOpt,
    TrustedOpt,
    app,
    lexicon_app,
    make_analyzer,
)
from analyzer.errors import AnalyzerError, LexiconError


def read_text_arg(text: str | None) -> str:
    """The TEXT argument, or standard input for '-' (which must be UTF-8)."""
    if text is None or text == "-":
        if text is None and sys.stdin.isatty():
            raise AnalyzerError("give a TEXT to analyze, or '-' to read standard input")
        data = sys.stdin.buffer.read()
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise AnalyzerError(
                f"standard input is not UTF-8 text (invalid byte at position {exc.start}); convert it first, "
                "e.g. with iconv -f cp1252 -t utf-8"
            ) from None
    return text


def line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def format_text(result: Any) -> str:
    """Linter-style lines: ``line:col  category  "phrase"  explanation  → strategy``."""
    if not result.flags:
        return "No flags: nothing in this text matched a rule or the classifier."
    lines = []
    for flag in result.flags:
        line, col = line_col(result.text, flag.start)
        strategies = ", ".join(s.title for s in flag.strategies)
        suggestion = f" Try: {flag.suggestion}" if flag.suggestion else ""
        lines.append(f'{line}:{col}  {flag.category}  "{flag.text}"  {flag.explanation}{suggestion}  → {strategies}')
    counts = ", ".join(f"{n} {c}" for c, n in result.summary["categories"].items())
    lines.append(f"{len(result.flags)} flag{'s' if len(result.flags) != 1 else ''}: {counts}")
    return "\n".join(lines)


@app.command("analyze")
def analyze_cli(
    text: Annotated[str | None, typer.Argument(help="The text to analyze, or '-' for standard input.")] = None,
    output_format: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    lexicons: LexiconsOpt = None,
    model: ModelOpt = None,
    no_model: NoModelOpt = False,
    trusted_lexicons: TrustedOpt = False,
    threshold: ThresholdOpt = 0.5,
    show_suppressed: Annotated[
        bool, typer.Option("--show-suppressed", help="With --format json, also list what the context step ruled out.")
    ] = False,
) -> None:
    """Analyze one text and print its flags.

    Example: allyship analyze "Man up, and calm down, it was just a joke."
    """
    if output_format not in ("text", "json"):
        raise typer.BadParameter("must be 'text' or 'json'", param_hint="--format")
    body = read_text_arg(text)
    analyzer = make_analyzer(lexicons, model, no_model, trusted_lexicons, threshold)
    result = analyzer.analyze(body)
    if output_format == "json":
        typer.echo(json.dumps(result.to_dict(include_suppressed=show_suppressed), ensure_ascii=False, indent=2))
    else:
        typer.echo(format_text(result))


@lexicon_app.command("validate")
def validate_cli(
    directories: Annotated[list[Path], typer.Argument(help="Lexicon folders or files to check.")],
    trusted_lexicons: TrustedOpt = False,
) -> None:
    """Check lexicon files: schema, ids, article references, phrases and every example.

    Example: allyship lexicon validate lexicons my_lexicons
    """
    from analyzer.training.validate import validate_lexicons

    try:
        files, rules, examples = validate_lexicons(directories, trusted=trusted_lexicons)
    except LexiconError as exc:
        for problem in exc.problems:
            typer.echo(f"{_display(problem.file)}:{problem.line}: {problem.message}", err=True)
        typer.echo(f"{len(exc.problems)} problem{'s' if len(exc.problems) != 1 else ''} found", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"ok: {files} files, {rules} rules, {examples} examples checked")


def _display(path: str) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return rel if not rel.startswith("..") else path
