"""The functional suite of issue 4: does the analyzer judge like a careful reader?

Cases live in ``tests/data/functional_cases.yml``, grouped by kind (quotation,
counter-speech, negation, reported speech, innocent senses, neutral mentions,
obfuscation, hostility without a listed phrase, plain use). For each kind the
analyzer may flag at most 5% of the must-pass cases, and must
flag at least 90% of the must-flag cases with the expected category. Misses
are listed in the assertion message, so a failure says which sentences to read.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

CASES = yaml.safe_load((Path(__file__).parent / "data" / "functional_cases.yml").read_text(encoding="utf-8"))
MAX_FALSE_FLAGS = 0.05
MIN_RECALL = 0.90

# Kinds where the shipped model does not reach the targets of issue 4 yet, with what was measured.
# They still run and report their misses; a kind is taken off this list when it turns green, and issue 4
# stays open until the list is empty. Measured 2026-11-28 with models/default and with a model retrained on
# the corpus including negatives_negation.jsonl / positives_negation.jsonl: negation must-pass 0/32 flagged,
# must-flag 19/21 caught (90%); neutral mentions 1/34 flagged (3%) with models/default, 0/34 retrained.
# Run against another model folder with ALLYSHIP_TEST_MODEL=/tmp/m1 (see conftest.py).
KNOWN_GAPS: dict[tuple[str, str], str] = {}


def _kinds(which: str, key: str) -> list[object]:
    return [
        pytest.param(kind, marks=pytest.mark.xfail(reason=KNOWN_GAPS[(which, kind)], strict=False))
        if (which, kind) in KNOWN_GAPS
        else kind
        for kind in sorted(k for k, v in CASES.items() if v.get(key))
    ]


@pytest.mark.parametrize("kind", _kinds("pass", "must_pass"))
def test_must_pass_cases_are_not_flagged(analyzer, kind: str) -> None:
    texts = CASES[kind]["must_pass"]
    results = list(analyzer.analyze_many(texts))
    wrong = [
        f"{t!r} -> {[(f.category, f.text) for f in r.flags]}" for t, r in zip(texts, results, strict=True) if r.flags
    ]
    rate = len(wrong) / len(texts)
    assert rate <= MAX_FALSE_FLAGS, f"{kind}: {len(wrong)}/{len(texts)} flagged:\n" + "\n".join(wrong)


@pytest.mark.parametrize("kind", _kinds("flag", "must_flag"))
def test_must_flag_cases_are_flagged(analyzer, kind: str) -> None:
    cases = CASES[kind]["must_flag"]
    results = list(analyzer.analyze_many(c["text"] for c in cases))
    missed = [
        f"{c['text']!r} expected {c['category']}, got {sorted({f.category for f in r.flags})}"
        for c, r in zip(cases, results, strict=True)
        if c["category"] not in {f.category for f in r.flags}
    ]
    recall = 1 - len(missed) / len(cases)
    assert recall >= MIN_RECALL, f"{kind}: {len(missed)}/{len(cases)} missed:\n" + "\n".join(missed)


def test_a_flag_that_survived_a_context_check_says_so(analyzer) -> None:
    result = analyzer.analyze('As my father always said, "real men don\'t cry", and he was right.')
    [flag] = [f for f in result.flags if f.category == "toxic_masculinity"]
    assert "quoted, but endorsed" in flag.explanation
    steps = [s.step for s in flag.history]
    for check in ("quotation", "mention", "counter_speech", "negation", "reported_speech"):
        assert f"context:{check}" in steps
