"""The Streamlit app: its entry file (``streamlit_app.py``), its pages, and the plain helpers they use.

Pages are ``page_*.py`` modules (run through ``app_pages/``); :mod:`~analyzer.ui.state`
holds every session key. Everything else except :mod:`analyzer.ui.cache` is plain
Python that tests can call without Streamlit: the HTML of the highlighted text (with every piece of
user text escaped), the card shown for each flag, the filters, the input
limits, the rules table and the check of an uploaded lexicon, the batch run
over uploads (:mod:`~analyzer.ui.batch_view`) and the retraining flow with
its registry of the model folders the app may load
(:mod:`~analyzer.ui.retraining_view`). The layout file only arranges widgets
around these functions, as the Presidio demo does.

Import the submodules directly (``from analyzer.ui import highlight``); this
file imports nothing, so the order in which they load never matters.
"""
