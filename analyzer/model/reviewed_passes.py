"""Texts reviewers marked as not harmful, which a model trained on their verdicts lets pass.

A retrained classifier learns from such a text as a negative, but a lexicon
phrase in it would still be flagged; the model folder therefore lists the
texts (``metadata["feedback"]["pass"]``), and the analyzer suppresses a
finding of the listed category whose span lies inside an occurrence of the
listed text (compared in lower case). Nothing else changes: the same phrase
elsewhere is still flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

REASON = "a reviewer marked this not harmful here (feedback the model was trained with)"


class ReviewedPasses:
    """Per category, the reviewed texts whose findings of that category are suppressed."""

    def __init__(self, entries: Iterable[Mapping[str, Any]] = ()) -> None:
        found: dict[str, set[str]] = {}
        for entry in entries:
            text, category = str(entry.get("text") or "").strip(), str(entry.get("category") or "")
            if text and category:
                found.setdefault(category, set()).add(text.lower())
        self._patterns = {
            category: re.compile("|".join(re.escape(t) for t in sorted(texts, key=len, reverse=True)))
            for category, texts in found.items()
        }

    @classmethod
    def from_metadata(cls, metadata: Mapping[str, Any] | None) -> ReviewedPasses:
        feedback = (metadata or {}).get("feedback") or {}
        entries = feedback.get("pass") if isinstance(feedback, dict) else None
        return cls(e for e in entries or () if isinstance(e, dict))

    def __bool__(self) -> bool:
        return bool(self._patterns)

    def covers(self, text: str, start: int, end: int, category: str) -> bool:
        """Whether ``text[start:end]`` lies inside a reviewed text of ``category``."""
        pattern = self._patterns.get(category)
        if pattern is None:
            return False
        lowered = text.lower()
        if len(lowered) != len(text):  # a rare letter whose lower case is longer: offsets would drift
            return False
        return any(m.start() <= start and end <= m.end() for m in pattern.finditer(lowered))
