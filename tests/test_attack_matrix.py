"""The fast subset of ``bench/attack_matrix.py``: hostile inputs answered by records or one line, nothing harmed.

Each case runs the installed ``allyship`` as a fresh process under a memory
limit; this asserts the answers (exit code, one line, the case's own check),
not the timings, which depend on the machine's load.
"""

from __future__ import annotations

import io
import os
import sys

import pytest

from bench.attack_matrix import ALLYSHIP, CASES, run_matrix


@pytest.mark.skipif(
    not os.path.exists(ALLYSHIP), reason=f"the allyship command is not installed beside {sys.executable}"
)
def test_the_fast_attack_cases_are_answered_in_one_line_and_harm_nothing() -> None:
    cases = [case for case in CASES if case.fast]
    assert len(cases) >= 8
    table = io.StringIO()
    rows = run_matrix(cases, stream=table)
    wrong = {row.case.name: row.problems for row in rows if not row.ok}
    assert not wrong, table.getvalue()
