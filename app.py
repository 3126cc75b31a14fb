"""Run the allyship analyzer's app from a checkout: ``streamlit run app.py`` (or ``allyship app``).

The app itself lives in the package (:mod:`analyzer.ui.streamlit_app`), so an installed wheel carries it.
"""

import runpy

runpy.run_module("analyzer.ui.streamlit_app", run_name="__main__")
