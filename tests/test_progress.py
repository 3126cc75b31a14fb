"""The progress bar: documents, rate and time left on a terminal; nothing at all anywhere else."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from analyzer.io.batch import BatchConfig, run_batch
from analyzer.io.progress import Progress, format_duration, should_show
from tests.messy import FLAGGED, put


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    "seconds, shown", [(0, "0:00"), (7.4, "0:07"), (725, "12:05"), (3729, "1:02:09"), (-3, "0:00")]
)
def test_format_duration(seconds: float, shown: str) -> None:
    assert format_duration(seconds) == shown


def test_line_shows_documents_rate_and_time_left() -> None:
    progress = Progress(1000, enabled=False)
    progress.started = 0.0
    progress.advance(250)
    line = progress.line(now=10.0, width=100)
    assert "250/1,000 documents" in line and "25 docs/s" in line and "0:30 left" in line and "25%" in line


def test_rate_and_time_left_count_only_this_run() -> None:
    progress = Progress(1000, initial=600, enabled=False)
    progress.started = 0.0
    progress.advance(100)
    line = progress.line(now=10.0, width=60)
    assert "700/1,000 documents" in line and "10 docs/s" in line and "0:30 left" in line


def test_unknown_total_shows_count_and_rate() -> None:
    progress = Progress(None, enabled=False)
    progress.started = 0.0
    progress.advance(42)
    assert progress.line(now=2.0) == "42 documents  21 docs/s"


@pytest.mark.parametrize(
    "stream, quiet, term, shown",
    [
        (FakeTerminal(), False, "xterm", True),
        (FakeTerminal(), True, "xterm", False),
        (FakeTerminal(), False, "dumb", False),
        (io.StringIO(), False, "xterm", False),
    ],
    ids=["terminal", "quiet", "dumb-terminal", "redirected"],
)
def test_shown_only_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, stream: io.StringIO, quiet: bool, term: str, shown: bool
) -> None:
    monkeypatch.setenv("TERM", term)
    assert should_show(stream, quiet) is shown


def test_a_batch_draws_on_a_terminal_and_erases_the_bar(
    lexicon_analyzer: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TERM", "xterm")
    for i in range(5):
        put(tmp_path / "in" / f"{i}.txt", FLAGGED)
    terminal = FakeTerminal()
    config = BatchConfig(inputs=[tmp_path / "in"], out=tmp_path / "o.jsonl", batch_size=1)
    monkeypatch.setattr(Progress, "__init__", _eager(Progress.__init__))
    run_batch(lexicon_analyzer, config, stream=terminal)
    drawn = terminal.getvalue()
    assert "\r" in drawn and "/5 documents" in drawn and "docs/s" in drawn
    assert drawn.endswith("\r")  # erased: the summary starts on a clean line

    redirected = io.StringIO()
    run_batch(lexicon_analyzer, BatchConfig(inputs=[tmp_path / "in"], out=tmp_path / "p.jsonl"), stream=redirected)
    assert redirected.getvalue() == ""


def _eager(init):  # draw on every document, not ten times a second, so a short test sees the bar
    def wrapped(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.interval = 0.0

    return wrapped
