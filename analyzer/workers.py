"""Worker processes that each hold one :class:`~analyzer.engine.Analyzer`.

``Analyzer.analyze_many(n_process=N)`` and ``allyship batch --jobs N`` both
run chunks of texts in a pool built here, so they start workers the same way.
Forking hands each worker the analyzer already loaded in this process: no
second start-up (about a second per worker, a large share of a short run) and
memory shared until written. Where forking is unsafe (the platform has no
fork, or threads are already running, and forking a threaded process can
deadlock) the workers are spawned and build their own analyzer from
:func:`worker_settings`.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from analyzer.resources import DEFAULT_MODEL

_ANALYZER: Any = None  # the analyzer of this worker process


def worker_settings(analyzer: Any) -> dict[str, Any]:
    """``Analyzer.settings()`` with folders made absolute, for processes that may not share our directory."""
    settings = dict(analyzer.settings())
    settings["lexicons"] = [os.path.abspath(p) for p in settings.get("lexicons", [])]
    model = settings.get("model")
    if model is not None and model != DEFAULT_MODEL:
        settings["model"] = os.path.abspath(model)
    return settings


def start_pool(analyzer: Any, jobs: int) -> ProcessPoolExecutor:
    """``jobs`` processes, each holding an analyzer equal to ``analyzer`` (see :func:`current`)."""
    fork = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
    context = multiprocessing.get_context("fork" if fork else "spawn")
    initargs = (analyzer, None, None) if fork else (None, type(analyzer), worker_settings(analyzer))
    return ProcessPoolExecutor(jobs, mp_context=context, initializer=_initialize, initargs=initargs)


def current() -> Any:
    """The analyzer of this worker process (only inside a pool from :func:`start_pool`)."""
    if _ANALYZER is None:
        raise RuntimeError("not inside a worker started by analyzer.workers.start_pool")
    return _ANALYZER


def _initialize(analyzer: Any, factory: Callable[..., Any] | None, settings: dict[str, Any] | None) -> None:
    """Keep the forked ``analyzer``, or build one with ``factory(**settings)`` in a spawned worker."""
    global _ANALYZER
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle, not a traceback per worker
    if analyzer is None and factory is not None:
        analyzer = factory(**(settings or {}))
    _ANALYZER = analyzer
