"""The ``allyship`` entry point: every command registered, every failure one line and exit 2.

A user's error is an :class:`AnalyzerError`; anything else (out of memory, a
full disk, a bug) is one line too, naming what failed. Set
``ALLYSHIP_DEBUG=1`` to see the traceback.
"""

from __future__ import annotations

import os
import sys

import typer

from analyzer import torch_import
from analyzer.cli import analyze, batch, check, feedback, serve, train, ui  # noqa: F401  (importing a command module registers it)
from analyzer.cli.root import app as root_app
from analyzer.errors import AnalyzerError


def check_arguments(argv: list[str]) -> None:
    """Refuse an argument that is not valid UTF-8 (the shell passed raw bytes), unless it names an existing file.

    Such bytes reach Python as lone surrogates, which no output can encode; a
    file name may legitimately hold them, a text or an option value may not.
    """
    for number, arg in enumerate(argv, start=1):
        bad = next((i for i, ch in enumerate(arg) if "\ud800" <= ch <= "\udfff"), None)
        if bad is None or os.path.lexists(arg):
            continue
        raw = arg[bad].encode("utf-8", "surrogateescape")
        shown = arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        byte = f"byte 0x{raw[0]:02x}" if len(raw) == 1 else "a surrogate"
        raise AnalyzerError(
            f"argument {number} ('{shown[:60]}') is not valid UTF-8 text ({byte} at position {bad}); "
            "convert it to UTF-8 first"
        )


def one_line(exc: BaseException, limit: int = 300) -> str:
    """``Type: message`` of an exception on one line, cut to ``limit`` characters."""
    message = " ".join(str(exc).split())
    if len(message) > limit:
        message = message[: limit - 1] + "…"
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def failure_line(exc: BaseException) -> str:
    """The one line printed for a failure that is not an :class:`AnalyzerError`."""
    if isinstance(exc, MemoryError):
        return "error: ran out of memory; give a smaller input (or split it), or run on a machine with more memory"
    if isinstance(exc, OSError) and exc.strerror:
        where = f" {exc.filename}" if exc.filename else ""
        return f"error: cannot read or write{where}: {exc.strerror}"
    if isinstance(exc, UnicodeError):
        return f"error: text that cannot be encoded or decoded ({one_line(exc)}); use UTF-8 text"
    return f"error: the command stopped on {one_line(exc)} (set ALLYSHIP_DEBUG=1 for the traceback)"


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the app and turn every user error into one line and exit 2."""
    torch_import.load_thinc_without_torch()  # spaCy would load torch, if installed, on every start
    try:
        check_arguments(sys.argv[1:] if argv is None else argv)
        code = root_app(args=argv, standalone_mode=False)
        sys.exit(code if isinstance(code, int) else 0)
    except AnalyzerError as exc:
        typer.echo(f"error: {' '.join(str(exc).split())}", err=True)
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
        typer.echo(failure_line(exc), err=True)
        sys.exit(2)


if __name__ == "__main__":
    # Run the imported module's main, so commands registered on analyzer.cli.main.app are there.
    from analyzer.cli.main import main as _main

    _main()
