"""The lexicons page (see analyzer.ui.page_lexicons)."""

from analyzer.ui.page_lexicons import render

render()
