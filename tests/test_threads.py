"""One Analyzer shared by threads gives exactly what it gives in sequence, explanations included.

A web server or a notebook shares one analyzer between threads. Nothing a
batch leaves behind (scores, the words an explanation names, cached keys) may
leak into another thread's batch: 8 threads analyze thousands of texts in
small interleaved batches and every result must equal the sequential one.
"""

from __future__ import annotations

import json
import random
import threading
from pathlib import Path

import yaml

CASES = yaml.safe_load((Path(__file__).parent / "data" / "functional_cases.yml").read_text(encoding="utf-8"))
THREADS = 8
TEXTS = 3_000


def _texts() -> list[str]:
    """Texts of one to three suite sentences, so classifier flags (whose explanations name words) abound."""
    sentences = [
        c if isinstance(c, str) else c["text"] for kind in CASES.values() for cases in kind.values() for c in cases
    ]
    rng = random.Random(17)
    return [" ".join(rng.sample(sentences, rng.randint(1, 3))) for _ in range(TEXTS)]


def _as_json(result) -> str:
    return json.dumps(result.to_dict(include_suppressed=True), sort_keys=True)


def test_threads_sharing_one_analyzer_give_the_sequential_results(analyzer) -> None:
    texts = _texts()
    expected = [_as_json(r) for r in analyzer.analyze_many(texts, batch_size=64)]
    assert sum('"source": "classifier"' in e and '"top_words": ["' in e for e in expected) > 100

    got: list[str | None] = [None] * len(texts)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        rng = random.Random(worker)
        indexes = list(range(worker, len(texts), THREADS))
        try:
            while indexes:
                size = rng.randint(1, 40)  # batches of different sizes, so threads' batches interleave
                chunk, indexes = indexes[:size], indexes[size:]
                for index, result in zip(chunk, analyzer.analyze_many([texts[i] for i in chunk]), strict=True):
                    got[index] = _as_json(result)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[0]
    different = [i for i in range(len(texts)) if got[i] != expected[i]]
    assert not different, f"{len(different)} of {len(texts)} differ, first: {texts[different[0]]!r}"
