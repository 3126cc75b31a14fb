"""The ``allyship`` Typer app and the options its commands share.

Each command parses its options, calls one library function and prints the
result; every error a user can cause is an :class:`AnalyzerError`, which
:func:`analyzer.cli.main.main` prints as one line with exit code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

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
