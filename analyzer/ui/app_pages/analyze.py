"""The analyze page (see analyzer.ui.page_analyze)."""

from analyzer.ui.page_analyze import render

render()
