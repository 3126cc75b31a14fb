"""Word-level pieces shared by training (scikit-learn) and prediction (:mod:`analyzer.model.compiled`).

No scikit-learn and no spaCy (numpy and YAML only): the fitted transformers in
:mod:`analyzer.model.features` and :mod:`analyzer.model.targeting` call these functions,
and so does the compiled model the analyzer runs, so both compute the same
features by construction and prediction never imports scikit-learn.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.lexicon.yaml_lines import load_plain
from analyzer.resources import DATA_DIR

CUES_FILE = DATA_DIR / "hostility_cues.yml"
IDENTITY_FILE = DATA_DIR / "identity_terms.yml"
IDENTITY_KEY = "<identity>"  # the one key every identity word reads as in word n-grams (never a real token)
CUE_KINDS = ("targets", "derogation", "threat", "praise")
CUE_FEATURES = (
    "target",
    "derogation",
    "threat",
    "praise",
    "target_x_derogation",
    "target_x_threat",
    "target_x_praise",
    "target_only",
)


def char_grams(word: str, low: int, high: int) -> list[str]:
    """The character ``low``..``high``-grams of one word padded with a space on each side, repeats kept.

    scikit-learn's ``char_wb`` rule: a word shorter than ``n`` counts once, as
    the whole padded word, and longer n-grams are not tried.
    """
    padded = f" {word} "
    length = len(padded)
    grams: list[str] = []
    for n in range(low, high + 1):
        if length <= n:
            grams.append(padded)
            break
        grams += [padded[i : i + n] for i in range(length - n + 1)]
    return grams


def is_cue(word: str, vocabulary: frozenset[str] | set[str]) -> bool:
    """A word of a cue list, as written or as a plural ("women's" arrives here as "womens")."""
    return word in vocabulary or (word.endswith("s") and word[:-1] in vocabulary)


def load_cues(path: Path = CUES_FILE) -> dict[str, list[str]]:
    """The cue word lists (targets, derogation, threat, praise), lowercased and sorted."""
    raw = load_plain(path.read_text(encoding="utf-8"))
    return {kind: sorted({str(w).lower() for w in raw.get(kind, [])}) for kind in CUE_KINDS}


def cue_index(words: Mapping[str, Iterable[str]]) -> dict[str, tuple[int, ...]]:
    """Word → the :data:`CUE_KINDS` positions it belongs to, plurals included (see :func:`is_cue`)."""
    index: dict[str, list[int]] = {}
    for position, kind in enumerate(CUE_KINDS):
        for word in words.get(kind, ()):
            for form in (word, word + "s"):
                if position not in index.setdefault(form, []):
                    index[form].append(position)
    return {word: tuple(positions) for word, positions in index.items()}


def cue_features(totals: Sequence[Any]) -> list[Any]:
    """The :data:`CUE_FEATURES` (before ``log1p``) from the per-kind word counts (in :data:`CUE_KINDS` order):
    the counts and their co-occurrences. The counts may be numbers (one text, in training) or numpy arrays
    (every unit of a batch, in :meth:`analyzer.model.compiled.CompiledModel.score`): one formula for both."""
    target, derogation, threat, praise = totals
    return [
        target,
        derogation,
        threat,
        praise,
        np.minimum(target, derogation),
        np.minimum(target, threat),
        np.minimum(target, praise),
        (target > 0) & (derogation == 0) & (threat == 0),
    ]


def cue_sets(cues: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """Cue lists as frozensets, every kind present (missing kinds are empty)."""
    return {kind: frozenset(cues.get(kind, ())) for kind in CUE_KINDS}


def load_identity_terms(path: Path = IDENTITY_FILE) -> list[str]:
    """The identity words (genders, family roles, pronouns, first names), lowercased and sorted."""
    raw = load_plain(path.read_text(encoding="utf-8")) or {}
    return sorted({str(w).lower() for w in raw.get("words", [])})


def load_identity_compounds(path: Path = IDENTITY_FILE) -> list[str]:
    """Words that, right after an identity word or its possessive, name a thing ("women's football")."""
    raw = load_plain(path.read_text(encoding="utf-8")) or {}
    return sorted({str(w).lower() for w in raw.get("compounds", [])})


def load_identity_topics(path: Path = IDENTITY_FILE) -> list[str]:
    """Words that name what a text is about ("harassment", "victims"), not what it says of it."""
    raw = load_plain(path.read_text(encoding="utf-8")) or {}
    return sorted({str(w).lower() for w in raw.get("topics", [])})


def load_identity_neutral(path: Path = IDENTITY_FILE) -> dict[str, str]:
    """Each identity word's gender-free stand-in ("women" -> "people"); first names map to "alex"."""
    raw = load_plain(path.read_text(encoding="utf-8")) or {}
    mapping = {str(k).lower(): str(v).lower() for k, v in (raw.get("neutral") or {}).items()}
    return {w: mapping.get(w, "alex") for w in load_identity_terms(path)} | mapping


def is_identity(key: str, word: str, identity: frozenset[str] | set[str]) -> bool:
    """Does a token (its key and its lowercase form) only say who is meant? See ``identity_terms.yml``."""
    return key in identity or word in identity
