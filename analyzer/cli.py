"""The ``allyship`` command line: a thin layer over the library.

Each command parses its options, calls one library function and prints the
result. Every error a user can cause is an :class:`AnalyzerError`, printed as
one line on standard error with exit code 2 (set ``ALLYSHIP_DEBUG=1`` to see
the traceback of an unexpected failure).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from analyzer.errors import AnalyzerError, LexiconError

app = typer.Typer(
    name="allyship",
    help="Flags harassment-adjacent language, explains why, and suggests what an ally would say instead.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
lexicon_app = typer.Typer(help="Work with lexicon files.", no_args_is_help=True)
app.add_typer(lexicon_app, name="lexicon")

LexiconsOpt = Annotated[
    list[Path] | None,
    typer.Option("--lexicons", help="A lexicon folder added to the built-in ones (repeatable)."),
]
ModelOpt = Annotated[
    str | None,
    typer.Option("--model", help="A model folder from 'allyship train' (default: the shipped model)."),
]
NoModelOpt = Annotated[bool, typer.Option("--no-model", help="Use the lexicons only, without the classifier.")]
TrustedOpt = Annotated[
    bool, typer.Option("--trusted-lexicons", help="Allow REGEX/FUZZY token patterns in your own lexicons.")
]
ThresholdOpt = Annotated[
    float, typer.Option("--threshold", min=0.0, max=1.0, help="Score a finding needs to be flagged.")
]


def make_analyzer(
    lexicons: list[Path] | None, model: str | None, no_model: bool, trusted: bool = False, threshold: float = 0.5
) -> Any:
    from analyzer.engine import DEFAULT_MODEL, Analyzer

    chosen = None if no_model else (model or DEFAULT_MODEL)
    return Analyzer(lexicons=lexicons or [], model=chosen, trusted_lexicons=trusted, threshold=threshold)


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
    from analyzer.validate import validate_lexicons

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


# Commands that live in their own modules register themselves on `app` when imported.
from analyzer import cli_app, cli_batch, cli_feedback, cli_train  # noqa: E402,F401


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app and turn every user error into one line and exit 2."""
    try:
        code = app(args=argv, standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except AnalyzerError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # click usage errors and anything unexpected
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):  # click's usage errors, from typer
            exc.show()
            sys.exit(2)
        if os.environ.get("ALLYSHIP_DEBUG"):
            raise
        typer.echo(f"error: unexpected {type(exc).__name__}: {exc} (set ALLYSHIP_DEBUG=1 for details)", err=True)
        sys.exit(2)


if __name__ == "__main__":
    # Run the imported module's main, so commands registered on analyzer.cli.app are there.
    from analyzer.cli import main as _main

    _main()
