"""The app in a real browser: started as a user would, driven by Playwright in Debian's Chromium.

``allyship app --port N --feedback-db TMP`` runs as a subprocess against the
built-in lexicons (:mod:`bench.app_server`); Chromium (``apt-get install -y
chromium``, never ``playwright install``) pastes texts, reviews flags, uploads
files and retrains. Nothing here writes a tracked file: the README picture is
made by ``scripts/screenshot.py``, and timings are benchmarks (``bench/bench_app.py``).

Without ``/usr/bin/chromium`` the tests skip, except in CI (``CI=true``),
where a missing browser is a failure: CI must install it (see ``.ci/run``).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.app_server import CHROMIUM, ServerError, analyze, app_server, chromium

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1280, "height": 2400}
TEXT = "Man up, and calm down, it was just a joke."
EIGHT = (
    "Man up, and calm down, it was just a joke. She is so bossy in meetings. Boys will be boys. "
    "Not all men behave like that. What was she wearing at the party? Stop being such a simp for her."
)
FALSE_FLAG = "Women's football is getting more popular every year."  # the sexist head reads a stereotype into it
XSS = "<img src=x onerror=alert(1)> Man up, it was just a joke."
MARKDOWN = "It cost $5 or $6, **bold**, _it_, `code`, :smile: :red[red] [link](http://x.test) ~~no~~"
UI_TIMEOUT_MS = 120_000  # the first page view also builds the pipeline; a loaded machine is slow
CARDS = "[class*='st-key-flag-card-']"
PILL = "button[data-variant='pills']"  # Streamlit's pills: verdicts on a card, categories above the cards


def _unavailable(reason: str) -> None:
    """Skip on a developer machine; fail in CI, where the browser test must run."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: install it in .ci/run, this test must not skip)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def feedback_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("feedback") / "feedback.db"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, feedback_db: Path) -> Iterator[str]:
    """``allyship app`` on a free port, with its own feedback file and a parse cache already filled."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        import playwright  # noqa: F401
    except ImportError:
        _unavailable("Playwright for Python is not installed (pip install playwright; no 'playwright install')")
    cache = tmp_path_factory.mktemp("cache")
    _fill_parse_cache(cache)
    workdir = tmp_path_factory.mktemp("app")
    try:
        with app_server(workdir, ["--feedback-db", str(feedback_db)], {"ALLYSHIP_CACHE_DIR": str(cache)}) as url:
            yield url
    except ServerError as exc:
        pytest.fail(str(exc))


def _fill_parse_cache(folder: Path) -> None:
    """Parse the built-in training texts once, as an earlier retraining on this machine would have."""
    from analyzer.lexicon.loader import load_lexicon
    from analyzer.training.parse_cache import cached_units
    from analyzer.training.trainer import gather

    lexicon = load_lexicon(())
    data, _ = gather(lexicon)
    cached_units(lexicon, data.texts, folder)


@pytest.fixture(scope="module")
def browser(app_url: str) -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def _open(browser: Any, url: str, width: int = 1280) -> tuple[Any, Any]:
    context = browser.new_context(viewport={**VIEWPORT, "width": width}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    page.goto(url)
    return context, page


@pytest.fixture
def page(browser: Any, app_url: str) -> Iterator[Any]:
    context, opened = _open(browser, app_url)
    try:
        yield opened
    finally:
        context.close()


def expected_flags(text: str) -> list[Any]:
    """The flags the app should show at its default sensitivity, from the library itself."""
    from analyzer.ui.analysis import build_analyzer
    from analyzer.ui.cards import DEFAULT_SENSITIVITY, filter_flags

    result = build_analyzer().analyzer.analyze(text)
    return sorted(filter_flags(result.flags, threshold=DEFAULT_SENSITIVITY), key=lambda f: (f.start, f.end))


def _nav(page: Any, name: str) -> None:
    page.get_by_role("link", name=name, exact=True).first.click()


def test_paste_analyze_and_review_compact_cards(page: Any) -> None:
    flags = expected_flags(TEXT)
    assert {f.category for f in flags} >= {"toxic_masculinity", "dismissive"}, "the built-in lexicons changed"
    analyze(page, TEXT)
    cards = page.locator(CARDS)
    cards.nth(len(flags) - 1).wait_for()
    assert cards.count() == len(flags)
    page.get_by_role("heading", name=f"{len(flags)} flags:").wait_for()
    marks = page.locator(".allyship-text mark")
    marks.nth(len(flags) - 1).wait_for()
    assert [m.strip() for m in marks.all_inner_texts()] == [f.text for f in flags]
    for index, flag in enumerate(flags):
        header = cards.nth(index).locator(".allyship-card-header").inner_text()
        assert header.lstrip("▸ ").startswith(f"{index + 1}.") and flag.text in header and flag.label in header
    strategies = {s.id: s for f in flags for s in f.strategies}
    listed = page.locator(".st-key-ally_strategies").inner_text()
    whole = page.locator("[data-testid='stMainBlockContainer']").inner_text()
    for strategy in strategies.values():
        assert listed.count(strategy.title) == 1
        assert whole.count(strategy.summary) == 1  # its text once for the page, not once per card
    cards.first.locator("summary").click()  # a card opens for the whole explanation and the score history
    assert cards.first.locator(".allyship-steps li").first.is_visible()


def test_eight_flags_fit_in_two_thousand_pixels(page: Any) -> None:
    assert len(expected_flags(EIGHT)) == 8, "the built-in lexicons changed"
    analyze(page, EIGHT)
    page.locator(CARDS).nth(7).wait_for()
    page.get_by_role("button", name="Download CSV").wait_for()
    page.wait_for_timeout(500)
    height = page.evaluate(
        "() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').getBoundingClientRect().height"
    )
    assert height <= 2000, f"the Analyze page with 8 flags is {height:.0f} px tall at 1280 px"


@pytest.mark.parametrize("width", [400, 1280])
def test_category_chips_are_never_cut(browser: Any, app_url: str, width: int) -> None:
    context, page = _open(browser, app_url, width)
    try:
        analyze(page, EIGHT)
        page.locator(CARDS).nth(7).wait_for()
        page.locator(PILL).nth(8 * 2 + 7 - 1).wait_for()  # two verdict pills per card and a pill per category
        chips = page.locator(f"mark.allyship-mark, {PILL}")
        assert chips.count() >= 16
        clipped = page.evaluate(
            """() => [...document.querySelectorAll(
                    "mark.allyship-mark, button[data-variant='pills']")]
                .filter(el => el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right > innerWidth)
                .map(el => el.innerText)"""
        )
        assert clipped == []
    finally:
        context.close()


def test_numbers_stay_when_a_category_is_filtered_out(page: Any) -> None:
    analyze(page, EIGHT)
    cards = page.locator(CARDS)
    cards.nth(7).wait_for()
    page.locator(PILL, has_text="Dismissing or minimizing").click()  # deselect that category
    page.get_by_text("showing 6 of 8").wait_for()

    def shown() -> tuple[list[int], list[int]]:
        numbers = [int(h.split(".")[0].lstrip("▸ ")) for h in page.locator(".allyship-card-header").all_inner_texts()]
        return numbers, [int(n) for n in page.locator(".allyship-text sup").all_inner_texts()]

    # The caption can be drawn before the cards below it: a busy machine showed a card of the last run
    # still in place. Read again until the rerun settles (or 10 s pass), then compare.
    deadline = time.monotonic() + 10
    while shown() != ([1, 4, 5, 6, 7, 8], [1, 4, 5, 6, 7, 8]) and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    numbers, superscripts = shown()
    assert numbers == [1, 4, 5, 6, 7, 8]
    assert superscripts == [1, 4, 5, 6, 7, 8]


def test_downloads_and_markdown_and_draft(page: Any, tmp_path: Path) -> None:
    analyze(page, EIGHT)
    page.locator(CARDS).nth(7).wait_for()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download JSON").click()
    saved = tmp_path / "flags.json"
    download.value.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["summary"]["flag_count"] == 8 and [f["number"] for f in data["flags"]] == list(range(1, 9))
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    download.value.save_as(tmp_path / "flags.csv")
    assert (tmp_path / "flags.csv").read_text(encoding="utf-8").count("\n") == 9
    page.get_by_role("button", name="Copy as Markdown").click()
    page.get_by_text("Allyship analyzer: 8 flags", exact=False).first.wait_for()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Draft with suggested words").click()
    draft = page.get_by_text("Step up, and let's talk it through", exact=False).first
    draft.wait_for()
    assert "Boys will be boys" in draft.inner_text()  # no rule gives words for it: left for the writer


def test_pasted_markup_shows_as_text(page: Any) -> None:
    """HTML, Markdown and Streamlit's own directives in a paste all show as the characters typed."""
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    analyze(page, XSS + "\n\n" + MARKDOWN)
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
    box = page.get_by_role("textbox", name="Text to analyze")
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


def _short_pastes(page: Any) -> float:
    """The best time from click to card of three one-line pastes."""
    timings = []
    cases = (("Man up.", "Man up"), ("Calm down.", "Calm down"), ("It was just a joke.", "just a joke"))
    for text, phrase in cases:
        box = page.get_by_role("textbox", name="Text to analyze")
        box.fill(text)
        box.press("Control+Enter")
        page.wait_for_timeout(700)  # the commit's rerun, so the click alone is timed
        started = time.monotonic()
        page.get_by_role("button", name="Analyze", exact=True).click()
        page.locator(".allyship-card-header", has_text=phrase).first.wait_for()
        timings.append(time.monotonic() - started)
    return min(timings)


def test_a_long_paste_in_one_session_does_not_hold_up_another(browser: Any, app_url: str) -> None:
    """Issue 17: while one session analyzes a 200,000-character pathological paste, another's line is answered.

    Timed against the same session's pastes with nothing else running, so a
    busy machine (which slows both) does not decide: the long paste may add
    at most 2 s. The absolute 2 s target is measured by ``bench/bench_app.py``.
    """
    busy_context, busy = _open(browser, app_url)
    quick_context, quick = _open(browser, app_url)
    try:
        quick.get_by_role("textbox", name="Text to analyze").wait_for()
        alone = _short_pastes(quick)
        box = busy.get_by_role("textbox", name="Text to analyze")
        box.evaluate(
            """(el) => {
                const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set;
                setter.call(el, 'a '.repeat(100000));
                el.dispatchEvent(new Event('input', {bubbles: true}));
            }"""
        )
        box.press("Control+Enter")
        busy.wait_for_timeout(1000)
        busy.get_by_role("button", name="Analyze", exact=True).click()
        busy.wait_for_timeout(1000)  # the long analysis is under way in the server
        beside = _short_pastes(quick)
        print(f"one-line paste: {alone:.2f} s alone, {beside:.2f} s beside the long one")
        assert beside - alone < 2.0, f"a one-line paste took {beside:.2f} s beside the long one, {alone:.2f} s alone"
    finally:
        quick_context.close()
        busy_context.close()


def test_batch_reads_each_table_with_its_own_columns(page: Any) -> None:
    _nav(page, "Batch")
    page.locator(".st-key-batch_upload input[type='file']").set_input_files(
        [
            {"name": "survey.csv", "mimeType": "text/csv", "buffer": b"ref,answer\nr1,Man up and deal with it.\n"},
            {"name": "chat.jsonl", "mimeType": "application/json", "buffer": b'{"id": "c1", "text": "Calm down."}\n'},
        ]
    )
    page.get_by_text("Text column of survey.csv").wait_for()
    page.get_by_text("Text column of chat.jsonl").wait_for()
    page.get_by_role("button", name="Analyze the files").click()
    page.get_by_role("heading", name="2 documents: 2 flagged").wait_for()
    assert page.locator("text=missing_field").count() == 0


def test_batch_upload_analyze_view_and_download_the_report(page: Any, tmp_path: Path) -> None:
    """The Batch page as a user meets it: upload two files, one unreadable, analyze, read a card, download."""
    flags = expected_flags(TEXT)
    _nav(page, "Batch")
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
    with page.expect_download() as download:
        page.get_by_role("button", name="Report (HTML)").click()
    saved = tmp_path / "report.html"
    download.value.save_as(saved)
    report = saved.read_text(encoding="utf-8")
    assert "2 uploaded files: notes.txt, broken.pdf" in report and "unreadable_pdf" in report
    assert "<script" not in report


@pytest.mark.slow
def test_a_reviewer_unflags_a_false_flag_by_retraining(page: Any, feedback_db: Path) -> None:
    """Issue 19: mark a false flag 'not harmful here', retrain from the Retraining page, the text comes back clean.

    The time from the Retrain click to the clean result is printed; the 30 s
    target is measured on a quiet machine by ``bench/bench_app.py``.
    """
    false = [f for f in expected_flags(FALSE_FLAG) if f.source == "classifier"]
    assert false, "the shipped model no longer makes this false flag: pick another text"
    category = false[0].category
    analyze(page, FALSE_FLAG)
    card = page.locator(CARDS, has_text=false[0].label).first
    card.wait_for()
    card.get_by_role("radio", name="Not harmful here").click()
    page.get_by_text("Saved:").first.wait_for()
    from analyzer.feedback.store import open_store

    with open_store(feedback_db) as store:
        saved = store.verdicts()
    assert [(v.verdict, v.category, v.text) for v in saved][-1] == ("not_harmful", category, FALSE_FLAG)
    _nav(page, "Retraining")
    started = time.monotonic()
    page.get_by_role("button", name="Retrain", exact=True).click()
    page.get_by_text("Rule examples:").first.wait_for(timeout=600_000)
    assert page.get_by_text("behave as their rules say with the new model").first.is_visible()
    assert page.locator("text=/Rule examples: all [0-9,]+ behave/").count() == 1
    page.get_by_role("button", name="Use this model for this session").click()
    page.get_by_text("This session uses session model").wait_for()
    _nav(page, "Analyze")
    page.get_by_text("The model has changed since this text was analyzed").wait_for()  # no stale flags shown
    page.get_by_role("button", name="Analyze", exact=True).click()
    # the new flags, or none at all: the text was flagged by the classifier alone
    page.get_by_text("Nothing in this text was flagged").or_(page.locator(".allyship-card-header")).first.wait_for()
    elapsed = time.monotonic() - started
    page.wait_for_timeout(500)
    labels = page.locator(".allyship-card-header").all_inner_texts()
    assert not any(false[0].label in label and FALSE_FLAG[:20] in label for label in labels), labels
    assert [m for m in page.locator(".allyship-text mark").all_inner_texts() if m.strip() == FALSE_FLAG] == []
    print(f"retrain to a clean result: {elapsed:.1f} s")


def test_feedback_from_two_sessions_at_once_is_all_kept(browser: Any, app_url: str, feedback_db: Path) -> None:
    """Two browser sessions marking cards at the same moment: every verdict is in the file."""
    from analyzer.feedback.store import open_store

    def count() -> int:
        if not feedback_db.exists():
            return 0
        with open_store(feedback_db) as store:
            return store.count()

    before = count()
    opened = [_open(browser, app_url) for _ in range(2)]
    try:
        for _, page in opened:
            analyze(page, EIGHT)
            page.locator(CARDS).nth(7).wait_for()
        # the two sessions' clicks alternate, so their saves overlap in the server
        for index in range(8):
            for _, page in opened:
                page.locator(CARDS).nth(index).get_by_role("radio", name="Fits").click()
            for _, page in opened:  # each click's rerun has saved it before the next card is marked
                page.locator(CARDS).nth(index).get_by_role("radio", name="Fits", checked=True).wait_for()
        deadline = time.monotonic() + 60
        while count() < before + 16 and time.monotonic() < deadline:
            time.sleep(0.3)
        assert count() == before + 16
    finally:
        for context, _ in opened:
            context.close()
