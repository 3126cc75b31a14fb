"""The HTTP API behind ``allyship serve``: a thin FastAPI layer over :class:`analyzer.engine.Analyzer`."""
