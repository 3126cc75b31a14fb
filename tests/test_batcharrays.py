"""The batch-array helpers behind the fast components: each must give what the plain Python version gives."""

from __future__ import annotations

import numpy as np
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.pipeline.matcher import _longest_first
from analyzer.tokens.arrays import DocArrays, HashCache, WordSet

HASHES = st.integers(min_value=0, max_value=2**64 - 1)
TWENTY_WORDS = spacy.blank("en")(" ".join(["w"] * 20))  # built once: a blank pipeline costs a tenth of a second


@settings(max_examples=60, deadline=None)
@given(st.lists(HASHES, max_size=300), st.lists(HASHES, max_size=300))
def test_hash_cache_gives_its_function_even_when_slots_collide(first: list[int], second: list[int]) -> None:
    """Four slots for hundreds of hashes: every lookup displaces another, and the values stay right."""
    calls: list[int] = []

    def compute(value: int) -> int:
        calls.append(value)
        return (value * 7 + 3) % 2**64

    cache = HashCache(compute, np.uint64, bits=2)
    for batch in (first, second, first):
        hashes = np.array(batch, dtype=np.uint64)
        assert cache(hashes).tolist() == [compute(h) for h in batch]


def test_hash_cache_computes_each_distinct_hash_of_a_batch_once() -> None:
    calls: list[int] = []
    cache = HashCache(lambda value: calls.append(value) or value % 5, np.uint8, bits=8)
    values = cache(np.array([11, 11, 12, 11, 12], dtype=np.uint64))
    assert values.tolist() == [1, 1, 2, 1, 2] and sorted(calls) == [11, 12]
    cache(np.array([11, 12], dtype=np.uint64))
    assert sorted(calls) == [11, 12]  # cached: not computed again


@settings(max_examples=60, deadline=None)
@given(st.sets(HASHES, max_size=50), st.lists(HASHES, max_size=200), st.data())
def test_word_set_finds_what_a_dict_finds(words: set[int], others: list[int], data: st.DataObject) -> None:
    """Both paths (a dict for short arrays, a bitmap and searchsorted for long ones) agree with a plain lookup."""
    pool = sorted(words) + others
    hashes = data.draw(st.lists(st.sampled_from(pool), max_size=150)) if pool else []
    found = WordSet(words)
    rows, which = found.find(np.array(hashes, dtype=np.uint64))
    expected = [(i, h) for i, h in enumerate(hashes) if h in words]
    assert rows.tolist() == [i for i, _ in expected]
    assert found.words[which].tolist() == [h for _, h in expected]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 12), st.integers(1, 4)), max_size=12))
def test_longest_first_keeps_the_spans_filter_spans_keeps(raw: list[tuple[int, int, int]]) -> None:
    doc = TWENTY_WORDS
    matches = sorted({(m, start, start + length) for m, start, length in raw})
    spans = [doc[start:end] for _, start, end in matches]
    kept = spacy.util.filter_spans(spans)
    assert [(s, e) for _, s, e in _longest_first(matches)] == [(s.start, s.end) for s in kept]


def test_doc_arrays_find_each_rows_doc() -> None:
    batch = DocArrays([np.zeros((3, 1)), np.zeros((1, 1)), np.zeros((2, 1))])
    assert batch.firsts.tolist() == [0, 3, 4] and batch.ends.tolist() == [3, 4, 6]
    assert batch.doc_index(np.arange(6)).tolist() == [0, 0, 0, 1, 2, 2]
