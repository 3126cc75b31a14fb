"""The about page (see analyzer.ui.page_about)."""

from analyzer.ui.page_about import render

render()
