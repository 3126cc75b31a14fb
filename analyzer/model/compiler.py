"""Copying a fitted scikit-learn pipeline of :mod:`analyzer.model.features` into a :class:`CompiledModel`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.pipeline import FeatureUnion

from analyzer.model.compiled import CompiledModel, CompileError
from analyzer.model.features import CharNgrams, KeyNgrams, LexiconHits, NBLogisticHeads
from analyzer.model.inputs import TokenBatch
from analyzer.model.targeting import CueCounts
from analyzer.model.word_features import CUE_FEATURES


def compile_pipeline(pipeline: Any) -> CompiledModel:
    """A :class:`CompiledModel` equal to a fitted ``features → heads`` pipeline of :mod:`analyzer.model.features`.

    Raises :class:`CompileError` for any step whose behaviour this module does
    not reproduce exactly: better no compiled copy than a subtly different one.
    """
    steps = dict(getattr(pipeline, "named_steps", {}))
    if set(steps) != {"features", "heads"}:
        raise CompileError(f"expected the steps features, heads; got {', '.join(steps) or 'none'}")
    union, heads = steps["features"], steps["heads"]
    if not isinstance(union, FeatureUnion) or not isinstance(heads, NBLogisticHeads):
        raise CompileError("expected a FeatureUnion of features and NBLogisticHeads")
    weights = union.transformer_weights or {}
    coef = np.asarray(heads.coef_, dtype=np.float32)
    n_heads = coef.shape[0]
    parts: dict[str, Any] = {}
    offset = 0
    for name, part in union.transformer_list:
        if part == "drop" or part is None:
            continue
        kind = {KeyNgrams: "word", CharNgrams: "char", LexiconHits: "lexicon", CueCounts: "cues"}.get(type(part))
        if kind is None or kind in parts:
            raise CompileError(f"{name}: no compiled form for {type(part).__name__} here")
        width = len(part.get_feature_names_out())
        block = coef[:, offset : offset + width] * float(weights.get(name, 1.0))
        idf = getattr(part, "idf_", None)
        parts[kind] = (part, block * idf if idf is not None else block)  # a column's idf folds into its weights
        offset += width
    if offset != coef.shape[1]:
        raise CompileError(f"the blocks have {offset} features but the heads expect {coef.shape[1]}")
    for needed in ("word", "char"):
        if needed not in parts:
            raise CompileError(f"no {needed} block in the feature union")
    word, word_coef = parts["word"]
    char, char_coef = parts["char"]
    lexicon, lexicon_coef = parts.get("lexicon", (None, np.zeros((n_heads, 0), dtype=np.float32)))
    cues, cue_coef = parts.get("cues", (None, np.zeros((n_heads, len(CUE_FEATURES)), dtype=np.float32)))
    char_terms = sorted(char.vocabulary_, key=char.vocabulary_.__getitem__)
    return CompiledModel(
        unigrams=word.unigrams_,
        bigrams=word.bigrams_,
        word_coef=word_coef,
        char_terms=char_terms,
        char_range=char.ngram_range,
        char_coef=char_coef,
        categories=lexicon.categories_ if lexicon is not None else [],
        lexicon_coef=lexicon_coef,
        cues={k: sorted(v) for k, v in cues.words_.items()} if cues is not None else {},
        cue_coef=cue_coef,
        intercept=heads.intercept_,
    )


def check_parity(pipeline: Any, compiled: CompiledModel, units: Sequence[Any]) -> float:
    """The largest probability difference between the pipeline and its compiled copy on ``units``."""
    if not units:
        return 0.0
    expected = np.asarray(pipeline.predict_proba(list(units)), dtype=np.float64)
    return float(np.max(np.abs(expected - compiled.predict_proba(TokenBatch.from_units(units)))))
