"""``allyship check``: a thin command over :func:`analyzer.lint.runner.check`.

Importing this module registers the command on :data:`analyzer.cli.root.app`.
Exit codes follow linters: 0 nothing flagged, 1 something flagged, 2 usage
or input errors (one line each on standard error).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from analyzer.cli.root import LexiconsOpt, ModelOpt, NoModelOpt, TrustedOpt, app

FORMATS = ("text", "json", "sarif")


@app.command("check")
def check_cli(
    paths: Annotated[list[str], typer.Argument(help="Files and folders to check, or '-' for standard input.")],
    output_format: Annotated[str, typer.Option("--format", help="text, json or sarif.")] = "text",
    config: Annotated[
        Path | None,
        typer.Option("--config", help="A .allyship.toml or pyproject.toml to use instead of searching for one."),
    ] = None,
    report_unused_ignores: Annotated[
        bool, typer.Option("--report-unused-ignores", help="Report allyship-disable comments that suppress nothing.")
    ] = False,
    lexicons: LexiconsOpt = None,
    model: ModelOpt = None,
    no_model: NoModelOpt = False,
    trusted_lexicons: TrustedOpt = False,
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", min=0.0, max=1.0, help="Score a finding needs (overrides the configuration)."),
    ] = None,
) -> None:
    """Lint prose: Markdown, text, HTML and reStructuredText files and folders.

    Code, URLs, link targets and front matter are not checked. Settings come from
    [tool.allyship] in pyproject.toml or .allyship.toml, found by walking up from each file.

    Example: allyship check README.md docs/ --format sarif > allyship.sarif
    """
    from analyzer.errors import AnalyzerError
    from analyzer.lint.output import format_json, format_sarif, format_text
    from analyzer.lint.runner import CheckOptions, check

    if output_format not in FORMATS:
        raise typer.BadParameter("must be 'text', 'json' or 'sarif'", param_hint="--format")
    if config is not None and not config.is_file():
        raise AnalyzerError(f"--config {config}: no such file")
    options = CheckOptions(
        config_file=config,
        lexicons=tuple(lexicons or ()),
        model=None if no_model else (model or "default"),
        threshold=threshold,
        trusted_lexicons=trusted_lexicons,
        report_unused_ignores=report_unused_ignores,
    )
    report = check(paths, options)
    for file in report.files:
        if file.error is not None:
            typer.echo(f"{file.path}: error: {file.error}", err=True)
    formatter = {"text": format_text, "json": format_json, "sarif": format_sarif}[output_format]
    typer.echo(formatter(report))
    raise typer.Exit(report.exit_code())
