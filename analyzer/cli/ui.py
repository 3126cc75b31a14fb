"""``allyship app``: start the Streamlit UI on this machine.

Registered on :data:`analyzer.cli.root.app` when :mod:`analyzer.cli.main` imports it.
Streamlit is an optional dependency (the ``ui`` extra) and slow to import, so
this module only looks for it when the command runs; ``allyship --help``
stays fast and works without it.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from analyzer.cli.root import app
from analyzer.errors import AnalyzerError
from analyzer.resources import APP_FILE

DEFAULT_PORT = 8501


def streamlit_command(port: int, app_file: Path = APP_FILE) -> list[str]:
    """The command that serves the app on localhost only, headless, with usage statistics off."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_file),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",  # no "Deploy" button: this app is meant to stay on the machine
    ]


def check_can_start(app_file: Path = APP_FILE) -> None:
    """Raise a one-line :class:`AnalyzerError` when the app cannot start at all."""
    if importlib.util.find_spec("streamlit") is None:
        raise AnalyzerError("the app needs Streamlit, which is not installed: pip install 'allyship-analyzer[ui]'")
    if not app_file.is_file():
        raise AnalyzerError(f"the app file {app_file} is missing; reinstall from a source checkout")


def launch(command: list[str]) -> int:
    """Run the server until it stops; on POSIX the server replaces this process.

    Replacing the process (exec) means a signal sent to ``allyship app`` (Ctrl-C,
    a test's ``terminate()``) reaches Streamlit itself and leaves no orphan.
    """
    if os.name == "posix":
        os.execv(command[0], command)  # does not return
    return subprocess.call(command)


@app.command("app")
def app_cli(
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to serve on (127.0.0.1 only).")] = (
        DEFAULT_PORT
    ),
) -> None:
    """Start the Streamlit UI on localhost and print its address.

    Nothing leaves the machine: the server listens on 127.0.0.1 only and
    Streamlit's usage statistics are turned off.

    Example: allyship app --port 8502
    """
    check_can_start()
    typer.echo(f"Starting the allyship analyzer on http://127.0.0.1:{port} (Ctrl-C to stop)", err=True)
    sys.stderr.flush()
    raise typer.Exit(launch(streamlit_command(port)))
