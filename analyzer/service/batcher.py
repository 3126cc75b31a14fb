"""Coalesces concurrent requests into one ``analyze_many`` pass on the worker's analysis thread.

Requests that arrive while a pass is running wait together and go through
the pipeline as one batch when it ends: fewer hand-offs between the event
loop and the analysis thread, and spaCy's batching for single texts too.
Each result is encoded to JSON on the analysis thread, so the event loop
only copies bytes. Answers are the same as ``analyze`` gives one text at a
time; if a pass fails, its requests are retried one by one so that one bad
request cannot fail the others.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import Executor
from typing import Any

MAX_PASS_TEXTS = 256


def encode(result: Any) -> bytes:
    """One result as the JSON of ``allyship analyze --format json``."""
    return json.dumps(result.to_dict(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class Batcher:
    """Queues texts per request and analyzes everything queued in one pass at a time."""

    def __init__(self, analyzer: Any, executor: Executor, max_pass_texts: int = MAX_PASS_TEXTS) -> None:
        self.analyzer = analyzer
        self.executor = executor
        self.max_pass_texts = max_pass_texts
        self._queue: list[tuple[list[str], asyncio.Future[list[bytes]]]] = []
        self._running = False

    async def analyze(self, texts: list[str]) -> list[bytes]:
        """The JSON of each text's result, in order."""
        future: asyncio.Future[list[bytes]] = asyncio.get_running_loop().create_future()
        self._queue.append((texts, future))
        if not self._running:
            self._running = True
            asyncio.get_running_loop().create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._queue:
                batch = self._take()
                texts = [text for request_texts, _ in batch for text in request_texts]
                try:
                    encoded = await loop.run_in_executor(self.executor, self._work, texts)
                except Exception:
                    await self._one_by_one(batch)
                    continue
                start = 0
                for request_texts, future in batch:
                    if not future.done():  # a client that went away has a cancelled future
                        future.set_result(encoded[start : start + len(request_texts)])
                    start += len(request_texts)
        finally:
            self._running = False

    def _take(self) -> list[tuple[list[str], asyncio.Future[list[bytes]]]]:
        """The queued requests for the next pass: at least one, then as many as fit in ``max_pass_texts``."""
        batch = [self._queue.pop(0)]
        size = len(batch[0][0])
        while self._queue and size + len(self._queue[0][0]) <= self.max_pass_texts:
            size += len(self._queue[0][0])
            batch.append(self._queue.pop(0))
        return batch

    async def _one_by_one(self, batch: list[tuple[list[str], asyncio.Future[list[bytes]]]]) -> None:
        loop = asyncio.get_running_loop()
        for request_texts, future in batch:
            try:
                result = await loop.run_in_executor(self.executor, self._work, request_texts)
            except Exception as exc:
                if not future.done():
                    future.set_exception(exc)
            else:
                if not future.done():
                    future.set_result(result)

    def _work(self, texts: list[str]) -> list[bytes]:
        return [encode(r) for r in self.analyzer.analyze_many(texts, batch_size=max(1, len(texts)))]
