"""The batch page (see analyzer.ui.page_batch)."""

from analyzer.ui.page_batch import render

render()
