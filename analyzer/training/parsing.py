"""Parsing labeled texts into classifier inputs with the analyzer's own pipeline (no classifier)."""

from __future__ import annotations

from collections.abc import Iterable

from analyzer.lexicon.loader import Lexicon
from analyzer.model.inputs import Unit, doc_unit
from analyzer.pipeline.build import build_pipeline


def text_units(lexicon: Lexicon, texts: Iterable[str], batch_size: int = 256) -> list[Unit]:
    """One whole-text unit per text, parsed with ``lexicon``'s pipeline (no classifier): what training fits on."""
    nlp = build_pipeline(lexicon)
    return [doc_unit(doc) for doc in nlp.pipe(texts, batch_size=batch_size)]
