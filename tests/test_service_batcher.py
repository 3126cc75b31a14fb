"""Concurrent requests share analysis passes, keep their own answers, and one failure stays with its request."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from analyzer.service.batcher import Batcher, encode

TEXTS = ["Man up.", "Thanks for the notes.", "Calm down, you're overreacting.", "", "Boys will be boys."]


class Counting:
    """An analyzer that counts its passes and fails any pass that holds the word 'explode'."""

    def __init__(self, analyzer) -> None:
        self.analyzer = analyzer
        self.passes: list[int] = []

    def analyze_many(self, texts, batch_size=256):
        self.passes.append(len(texts))
        if any("explode" in t for t in texts):
            raise RuntimeError("boom")
        return self.analyzer.analyze_many(texts, batch_size=batch_size)


def run(batcher: Batcher, requests: list[list[str]]) -> list:
    async def scenario():
        return await asyncio.gather(*(batcher.analyze(r) for r in requests), return_exceptions=True)

    return asyncio.run(scenario())


def test_concurrent_requests_are_coalesced_and_answered_in_order(lexicon_analyzer) -> None:
    counting = Counting(lexicon_analyzer)
    with ThreadPoolExecutor(1) as executor:
        requests = [[t] for t in TEXTS] * 4 + [TEXTS]
        answers = run(Batcher(counting, executor), requests)
    for request, answer in zip(requests, answers, strict=True):
        assert [json.loads(a) for a in answer] == [json.loads(encode(lexicon_analyzer.analyze(t))) for t in request]
    assert len(counting.passes) < len(requests)  # shared passes, not one per request
    assert sum(counting.passes) == sum(len(r) for r in requests)


def test_a_failing_request_does_not_fail_the_others(lexicon_analyzer) -> None:
    counting = Counting(lexicon_analyzer)
    with ThreadPoolExecutor(1) as executor:
        answers = run(Batcher(counting, executor), [["Man up."], ["explode"], ["Thanks."]])
    assert json.loads(answers[0][0])["summary"]["flag_count"] == 1
    assert isinstance(answers[1], RuntimeError)
    assert json.loads(answers[2][0])["summary"]["flag_count"] == 0


@pytest.mark.parametrize(
    "limit, sizes, passes", [(4, [3, 3, 1], [3, 4]), (10, [2, 2, 2], [6]), (5, [5, 1, 5], [5, 1, 5])]
)
def test_passes_respect_the_text_limit(lexicon_analyzer, limit, sizes, passes) -> None:
    counting = Counting(lexicon_analyzer)
    with ThreadPoolExecutor(1) as executor:
        run(Batcher(counting, executor, max_pass_texts=limit), [["Hello."] * n for n in sizes])
    assert counting.passes == passes
