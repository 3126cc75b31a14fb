"""The app in a real browser: started as a user would, driven by Playwright in Debian's Chromium.

``allyship app --port N`` runs as a subprocess against the built-in lexicons;
Chromium (``apt-get install -y chromium``, never ``playwright install``)
pastes a text, clicks Analyze and looks for the flag cards with their
strategy titles. The Analyze page with flags is saved as
``docs/screenshot-analyze.png`` for the README.

Without ``/usr/bin/chromium`` the tests skip, except in CI (``CI=true``),
where a missing browser is a failure: CI must install it (see ``.ci/run``).
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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analyzer.ui.cards import MAX_CARDS

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
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
SCREENSHOT = REPO / "docs" / "screenshot-analyze.png"
VIEWPORT = {"width": 1280, "height": 2400}  # tall enough for the three cards of TEXT in one picture
TEXT = "Man up, and calm down, it was just a joke."
XSS = "<img src=x onerror=alert(1)> Man up, it was just a joke."
MARKDOWN = "It cost $5 or $6, **bold**, _it_, `code`, :smile: :red[red] [link](http://x.test) ~~no~~"
START_TIMEOUT = 90  # seconds for the server to answer its health check
UI_TIMEOUT_MS = 60_000  # the first page view also builds the pipeline


def _unavailable(reason: str) -> None:
    """Skip on a developer machine; fail in CI, where the browser test must run."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: install it in .ci/run, this test must not skip)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _allyship_command() -> str:
    beside = Path(sys.executable).with_name("allyship")
    found = str(beside) if beside.exists() else shutil.which("allyship")
    if found is None:
        pytest.fail("the 'allyship' command is not installed (pip install -e '.[dev]')")
    return found


def _stop(process: subprocess.Popen[bytes]) -> None:
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


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``allyship app --port <free port>``, running until the module's tests are done."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    port = _free_port()
    log_path = tmp_path_factory.mktemp("app") / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [_allyship_command(), "app", "--port", str(port)],
            cwd=tmp_path_factory.getbasetemp(),  # the app must not depend on the working directory
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so _stop reaches every child
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + START_TIMEOUT
            while True:
                if process.poll() is not None:
                    pytest.fail(f"allyship app exited with {process.returncode}:\n{log_path.read_text()}")
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"allyship app did not answer within {START_TIMEOUT}s:\n{log_path.read_text()}")
                time.sleep(0.3)
            yield url
        finally:
            _stop(process)


@pytest.fixture(scope="module")
def browser(app_url: str) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install playwright; no 'playwright install')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, app_url: str) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    page.goto(app_url)
    try:
        yield page
    finally:
        context.close()


def _analyze(page: Any, text: str) -> None:
    box = page.get_by_label("Text to analyze")
    box.fill(text)
    box.press("Control+Enter")  # commit the text area's value, as a user leaving the box would
    page.get_by_role("button", name="Analyze", exact=True).click()


def expected_flags(text: str) -> list[Any]:
    """The flags the app should show at its default sensitivity, from the library itself."""
    from analyzer.ui.analysis import build_analyzer
    from analyzer.ui.cards import DEFAULT_SENSITIVITY, filter_flags

    result = build_analyzer().analyzer.analyze(text)
    return filter_flags(result.flags, threshold=DEFAULT_SENSITIVITY)


def test_paste_analyze_and_see_cards_with_strategies(page: Any) -> None:
    flags = expected_flags(TEXT)
    assert {f.category for f in flags} >= {"toxic_masculinity", "dismissive"}, "the built-in lexicons changed"
    _analyze(page, TEXT)
    headers = page.locator(".allyship-card-header")
    headers.nth(len(flags) - 1).wait_for()
    assert headers.count() == len(flags)
    summary = page.get_by_role("heading", name=f"{len(flags)} flags:")
    summary.wait_for()
    marks = page.locator(".allyship-text mark")
    assert [m.strip() for m in marks.all_inner_texts()] == [f.text for f in flags]
    cards = page.locator("[class*='st-key-flag-card-']")
    assert cards.count() == len(flags)
    for index, flag in enumerate(flags):
        card = cards.nth(index)
        assert flag.text in card.locator(".allyship-card-header").inner_text()
        assert flag.label in card.inner_text()
        for strategy in flag.strategies:
            assert card.get_by_text(strategy.title, exact=True).first.is_visible()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)  # no hover effect in the picture
    bottom = cards.nth(len(flags) - 1).bounding_box()
    height = VIEWPORT["height"] if bottom is None else min(VIEWPORT["height"], bottom["y"] + bottom["height"] + 32)
    page.screenshot(path=str(SCREENSHOT), clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": height})
    assert SCREENSHOT.stat().st_size > 10_000


def test_pasted_markup_shows_as_text(page: Any) -> None:
    """HTML, Markdown and Streamlit's own directives in a paste all show as the characters typed."""
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    _analyze(page, XSS + "\n\n" + MARKDOWN)
    shown = page.locator(".allyship-text")
    shown.wait_for()
    page.locator(".allyship-card-header").first.wait_for()
    assert "<img src=x onerror=alert(1)>" in shown.inner_text()
    assert MARKDOWN in shown.inner_text()  # Markdown and Streamlit directives are not interpreted either
    assert shown.locator("a, strong, em, code, del, span.katex").count() == 0
    assert shown.locator("img").count() == 0
    assert page.locator("img[src='x']").count() == 0
    assert dialogs == []


def test_a_paste_over_the_limit_gets_a_message(page: Any) -> None:
    box = page.get_by_label("Text to analyze")
    box.evaluate(
        """(el) => {
            const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set;
            setter.call(el, 'word '.repeat(40001));
            el.dispatchEvent(new Event('input', {bubbles: true}));
        }"""
    )
    box.press("Control+Enter")
    page.get_by_role("button", name="Analyze", exact=True).click()
    page.get_by_text("a paste can have at most 200,000").wait_for()
    assert page.locator(".allyship-card-header").count() == 0


def test_a_thousand_word_paste_is_answered_within_a_second(page: Any) -> None:
    """Issue 6: the result of a 1,000-word paste appears within a second of the click.

    Measured from the click to the last card being drawn, best of three, so a
    busy machine's noise (which only ever adds time) does not decide.
    """
    filler = "We went over the schedule for the product launch and agreed on who reviews which part of the plan. "
    words = (TEXT + " " + filler) * 35
    assert 1_000 <= len(words.split()) <= 1_100
    last_card = page.locator("[class*='st-key-flag-card-']").nth(min(len(expected_flags(words)), MAX_CARDS) - 1)
    button = page.get_by_role("button", name="Analyze", exact=True)
    box = page.get_by_label("Text to analyze")
    timings = []
    for _ in range(3):
        box.fill("Thanks, I will listen.")  # clear the previous cards first
        box.press("Control+Enter")
        button.click()
        page.get_by_role("heading", name="No flags").wait_for()
        box.fill(words)  # filled and committed before the clock starts
        box.press("Control+Enter")
        page.wait_for_timeout(500)  # let the commit's rerun finish, so the click alone is measured
        started = time.monotonic()
        button.click()
        last_card.wait_for()
        timings.append(time.monotonic() - started)
    assert min(timings) < 1.0, f"from click to the last card: {', '.join(f'{t:.2f}s' for t in timings)}"


def test_batch_upload_analyze_view_and_download_the_report(page: Any, tmp_path: Path) -> None:
    """The Batch page as a user meets it: upload two files, one unreadable, analyze, read a card, download."""
    flags = expected_flags(TEXT)
    page.get_by_role("tab", name="Batch").click()
    page.locator(".st-key-batch_upload input[type='file']").set_input_files(
        [
            {"name": "notes.txt", "mimeType": "text/plain", "buffer": TEXT.encode()},
            {"name": "broken.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 truncated"},
        ]
    )
    page.get_by_role("button", name="Analyze the files").click()
    page.get_by_role("heading", name=f"2 documents: 1 flagged ({len(flags)} flags), 1 could not be read").wait_for()
    cards = page.locator("[class*='st-key-batch-card-']")
    cards.nth(len(flags) - 1).wait_for()
    assert cards.count() == len(flags)
    for index, flag in enumerate(flags):
        assert flag.text in cards.nth(index).locator(".allyship-card-header").inner_text()
    with page.expect_download() as download:
        page.get_by_role("button", name="Report (HTML)").click()
    saved = tmp_path / "report.html"
    download.value.save_as(saved)
    report = saved.read_text(encoding="utf-8")
    assert "2 uploaded files: notes.txt, broken.pdf" in report and "unreadable_pdf" in report
    assert "<script" not in report
