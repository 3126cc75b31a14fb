"""The allyship analyzer's Streamlit app: the entry file ``allyship app`` runs.

Each page is a module under :mod:`analyzer.ui` with a ``render()``, run by
a two-line file in ``app_pages/``; the navigation runs only the open page. Every decision (what is
escaped, what a card says, the limits, the checks of uploads, how uploads
become batch records, which model folders may be loaded) lives in plain
modules beside them, tested without Streamlit.

HTML is rendered in one way only: ``st.markdown(..., unsafe_allow_html=True)``
on strings built by :mod:`analyzer.ui.highlight` and :mod:`analyzer.ui.review`,
which escape every piece of user text.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

PAGES = Path(__file__).resolve().parent / "app_pages"
# (file, title), in the order of the navigation; the first is the default page.
PAGE_FILES = (
    ("analyze.py", "Analyze"),
    ("batch.py", "Batch"),
    ("lexicons.py", "Lexicons"),
    ("retraining.py", "Retraining"),
    ("about.py", "About"),
)


def main() -> None:
    st.set_page_config(page_title="Allyship analyzer", page_icon="🤝", layout="wide")
    pages = [
        st.Page(PAGES / name, title=title, url_path=name.removesuffix(".py"), default=index == 0)
        for index, (name, title) in enumerate(PAGE_FILES)
    ]
    current = st.navigation(pages, position="top")
    current.run()


main()
