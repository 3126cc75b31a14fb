"""The ``allyship`` entry point: every command registered, every user error one line and exit 2.

Set ``ALLYSHIP_DEBUG=1`` to see the traceback of an unexpected failure.
"""

from __future__ import annotations

import os
import sys

import typer

from analyzer.cli import analyze, batch, train, ui  # noqa: F401  (importing a command module registers it)
from analyzer.cli.root import app as root_app
from analyzer.errors import AnalyzerError


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app and turn every user error into one line and exit 2."""
    try:
        code = root_app(args=argv, standalone_mode=False)
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
    # Run the imported module's main, so commands registered on analyzer.cli.main.app are there.
    from analyzer.cli.main import main as _main

    _main()
