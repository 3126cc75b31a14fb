"""The retraining page (see analyzer.ui.page_retraining)."""

from analyzer.ui.page_retraining import render

render()
