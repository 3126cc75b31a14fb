"""Start ``allyship app`` on a free port and drive it with Playwright in Debian's Chromium.

Shared by the browser tests, ``scripts/screenshot.py`` and the app benchmark:
one place knows how to start the server in its own process group, wait for its
health check, stop everything it started, and launch Chromium
(``/usr/bin/chromium``; never ``playwright install``).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
START_TIMEOUT = 90  # seconds for the server to answer its health check


class ServerError(RuntimeError):
    """The app did not start; the message holds its log."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def allyship_command() -> str:
    beside = Path(sys.executable).with_name("allyship")
    found = str(beside) if beside.exists() else shutil.which("allyship")
    if found is None:
        raise ServerError("the 'allyship' command is not installed (pip install -e '.[dev]')")
    return found


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the server and anything it started: its whole process group, politely then firmly."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)
    except ProcessLookupError:
        pass


@contextmanager
def app_server(workdir: Path, args: Sequence[str] = (), env: Mapping[str, str] | None = None) -> Iterator[str]:
    """``allyship app --port <free port> ARGS`` run from ``workdir``; yields its URL until the block ends."""
    port = free_port()
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [allyship_command(), "app", "--port", str(port), *args],
            cwd=workdir,  # the app must not depend on the working directory
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() reaches every child
            env={**os.environ, **(env or {})},
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                if process.poll() is not None:
                    raise ServerError(f"allyship app exited with {process.returncode}:\n{log_path.read_text()}")
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise ServerError(f"allyship app did not answer within {START_TIMEOUT}s:\n{log_path.read_text()}")
                time.sleep(0.3)
            yield url
        finally:
            stop(process)


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Chromium from Debian's package, through Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def analyze(page: Any, text: str) -> None:
    """Paste ``text`` on the Analyze page and click Analyze."""
    box = page.get_by_role("textbox", name="Text to analyze")
    box.fill(text)
    box.press("Control+Enter")  # commit the text area's value, as a user leaving the box would
    page.get_by_role("button", name="Analyze", exact=True).click()
