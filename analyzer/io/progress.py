"""A one-line progress bar on standard error: documents, rate, time left.

It draws only on a terminal (and not with ``--quiet``): redirected to a file
or a CI log, carriage-return animation is noise, and the summary at the end
says everything that matters.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from typing import TextIO


def should_show(stream: TextIO, quiet: bool = False) -> bool:
    """Draw only for a person watching a terminal."""
    if quiet or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


def format_duration(seconds: float) -> str:
    """``0:07``, ``12:05``, ``1:02:09``."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """Counts documents and redraws at most ten times a second.

    ``total`` may be unknown (``None``): the bar then shows the count and the
    rate without a percentage. ``initial`` counts documents kept from an
    earlier run; the rate and time left use only the documents of this run.
    """

    def __init__(
        self,
        total: int | None = None,
        *,
        initial: int = 0,
        enabled: bool = True,
        stream: TextIO | None = None,
        interval: float = 0.1,
    ) -> None:
        self.total = total
        self.done = initial
        self.initial = initial
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.interval = interval
        self.started = time.monotonic()
        self._last_draw = 0.0
        self._drawn = False

    def advance(self, n: int = 1) -> None:
        self.done += n
        now = time.monotonic()
        if self.enabled and now - self._last_draw >= self.interval:
            self._last_draw = now
            self._draw(now)

    def line(self, now: float | None = None, width: int = 80) -> str:
        """The text of the bar, without drawing it (tests read this)."""
        now = time.monotonic() if now is None else now
        elapsed = max(now - self.started, 1e-9)
        new = self.done - self.initial
        rate = new / elapsed
        count = f"{self.done:,}" + (f"/{self.total:,}" if self.total else "") + " documents"
        parts = [count, f"{rate:,.0f} docs/s"]
        if self.total:
            left = max(self.total - self.done, 0)
            parts.append(f"{format_duration(left / rate)} left" if rate > 0 else "--:-- left")
            share = min(self.done / self.total, 1.0)
            text = "  ".join(parts)
            bar_width = max(width - len(text) - 8, 0)
            if bar_width >= 10:
                filled = int(share * bar_width)
                return f"{share:4.0%} [{'#' * filled}{'.' * (bar_width - filled)}] {text}"
            return f"{share:4.0%} {text}"
        return "  ".join(parts)

    def _draw(self, now: float) -> None:
        width = shutil.get_terminal_size((80, 20)).columns - 1
        text = self.line(now, width)[:width]
        self.stream.write("\r" + text.ljust(width))
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """Erase the bar so the summary starts on a clean line."""
        if self.enabled and self._drawn:
            width = shutil.get_terminal_size((80, 20)).columns - 1
            self.stream.write("\r" + " " * width + "\r")
            self.stream.flush()
            self._drawn = False

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
