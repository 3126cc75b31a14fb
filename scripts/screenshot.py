"""Regenerate the README's picture of the Analyze page (and a phone-width one): ``python scripts/screenshot.py``.

Starts ``allyship app`` with a throwaway feedback file, pastes a text with
eight flags, and saves the page at 1280 px wide to ``docs/screenshot-analyze.png``
and at 400 px to ``docs/screenshot-analyze-400.png`` (``--out-dir`` to write
elsewhere). Needs Playwright and ``/usr/bin/chromium``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.app_server import analyze, app_server, chromium  # noqa: E402

TEXT = (
    "Man up, and calm down, it was just a joke. She is so bossy in meetings. Boys will be boys. "
    "Not all men behave like that. What was she wearing at the party? Stop being such a simp for her."
)
WIDTHS = {1280: "screenshot-analyze.png", 400: "screenshot-analyze-400.png"}
TALL = 4000  # Streamlit scrolls inside its own container: a tall window shows the whole page at once


def content_height(page: object) -> int:
    """How tall the page's content is, in CSS pixels (the bottom of Streamlit's main block)."""
    return int(
        page.evaluate(  # type: ignore[attr-defined]
            "() => document.querySelector('[data-testid=\"stMainBlockContainer\"]').getBoundingClientRect().bottom"
        )
    )


def capture(url: str, browser: object, out_dir: Path) -> dict[int, Path]:
    saved = {}
    for width, name in WIDTHS.items():
        viewport = {"width": width, "height": TALL}
        context = browser.new_context(viewport=viewport, device_scale_factor=1)  # type: ignore[attr-defined]
        page = context.new_page()
        page.set_default_timeout(120_000)
        page.goto(url)
        analyze(page, TEXT)
        page.locator("[class*='st-key-flag-card-']").nth(7).wait_for()
        page.get_by_role("button", name="Download CSV").wait_for()
        page.get_by_text("Not harmful here").nth(7).wait_for()
        page.wait_for_timeout(1000)  # let the last elements settle
        page.mouse.move(0, 0)
        path = out_dir / name
        height = min(TALL, content_height(page) + 16)
        page.screenshot(path=str(path), clip={"x": 0, "y": 0, "width": width, "height": height})
        saved[width] = path
        context.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=REPO / "docs")
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="allyship-shot-") as tmp,
        app_server(Path(tmp), ["--feedback-db", str(Path(tmp) / "feedback.db")]) as url,
        chromium() as browser,
    ):
        for width, path in capture(url, browser, args.out_dir).items():
            print(f"{width} px: {path}")


if __name__ == "__main__":
    main()
