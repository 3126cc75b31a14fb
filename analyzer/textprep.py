"""Text preparation and counting shared by training (scikit-learn) and prediction (:mod:`analyzer.compiled`).

Pure Python and the standard library only: the fitted transformers in
:mod:`analyzer.features` and :mod:`analyzer.targeting` call these functions,
and so does the compiled model the analyzer runs, so both compute the same
features by construction and prediction never imports scikit-learn.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import yaml

_USER = re.compile(r"\[user\]|(?<![\w@])@\w{1,30}", re.IGNORECASE)
_URL = re.compile(r"\[url\]|\bhttps?://\S+|\bwww\.\S+", re.IGNORECASE)
_REPEAT = re.compile(r"(\S)\1{2,}")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " "})
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_CUE_WORD = re.compile(r"[a-z]+")

CUES_FILE = Path(__file__).resolve().parent / "data" / "hostility_cues.yml"
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

# first token -> phrase length -> phrase tokens -> the columns (categories) that list the phrase
PhraseIndex = dict[str, dict[int, dict[tuple[str, ...], list[int]]]]


def normalize_text(text: str) -> str:
    """Lowercase and flatten what varies without changing meaning, for the n-gram features.

    User mentions and links become one token each (``xxuser``, ``xxurl``), so
    the model learns "someone is addressed" instead of memorising handles;
    characters repeated three times or more are cut to two ("sooooo" → "soo"),
    so stretched words share n-grams with their usual spelling; curly quotes and
    HTML entities are unified so "don’t" and "don't" are the same word.
    Idempotent: normalizing twice gives the same text.
    """
    text = html.unescape(text).translate(_QUOTES)
    lower = text.lower()
    # The link and mention patterns are skipped when their anchors are absent (most sentences).
    if "http" in lower or "www." in lower or "[url]" in lower:
        text = _URL.sub(" xxurl ", text)
    if "@" in text or "[user]" in lower:
        text = _USER.sub(" xxuser ", text)
    text = _REPEAT.sub(r"\1\1", text.lower())
    return _SPACE.sub(" ", text).strip()


def word_tokens(normalized: str) -> list[str]:
    """Word tokens of normalized text for lexicon matching; apostrophes dropped so "you're" = "youre"."""
    return _WORD.findall(normalized.replace("'", ""))


def text_words(normalized: str) -> list[str]:
    """The distinct ``\\w+`` words of a text, in order of first appearance (what explanations may name)."""
    return list(dict.fromkeys(_WORD.findall(normalized)))


def rank_words(words: Sequence[str], contributions: Iterable[tuple[str, str, float]], k: int) -> list[str]:
    """The ``k`` words that pushed a score up the most, from per-feature contributions (value × weight).

    ``contributions`` yields ``(kind, term, contribution)``: a ``"word"``
    n-gram's share goes to its words; a ``"char"`` n-gram's is split among the
    ``words`` that contain it, so an obfuscated spelling still points at a
    readable word; other kinds (lexicon hits, cue counts) are not words of the
    text and are ignored. Only positive totals count: an explanation says what
    raised the score, not what held it back.
    """
    scores = dict.fromkeys(words, 0.0)
    for kind, term, contribution in contributions:
        if kind == "word":
            parts = term.split()
            for part in parts:
                scores[part] = scores.get(part, 0.0) + contribution / len(parts)
        elif kind == "char":
            gram = term.strip()
            owners = [w for w in words if gram and gram in w]
            for owner in owners:
                scores[owner] += contribution / len(owners)
    ranked = sorted((item for item in scores.items() if item[1] > 0), key=lambda item: -item[1])
    return [word for word, _ in ranked[:k]]


def phrase_index(phrases: Mapping[str, Sequence[str]]) -> tuple[list[str], PhraseIndex]:
    """Categories in column order, and every phrase indexed by its first token, then its length.

    A token that starts no phrase costs one dict lookup, and one that does
    costs one lookup per distinct phrase length, however many phrases share
    the start: matching grows with the text, not with the lexicon.
    """
    categories = sorted(phrases)
    index: PhraseIndex = {}
    for column, category in enumerate(categories):
        for phrase in sorted(set(phrases[category])):
            tokens = tuple(word_tokens(normalize_text(phrase)))
            if tokens:
                columns = index.setdefault(tokens[0], {}).setdefault(len(tokens), {}).setdefault(tokens, [])
                if column not in columns:
                    columns.append(column)
    return categories, index


def phrase_counts(tokens: Sequence[str], index: PhraseIndex, n_columns: int) -> list[int]:
    """Per column, how many indexed phrases occur in ``tokens`` (whole-token comparison)."""
    counts = [0] * n_columns
    starts = [i for i, by_length in enumerate(map(index.get, tokens)) if by_length is not None]
    for i in starts:
        for length, phrases in index[tokens[i]].items():
            columns = phrases.get(tuple(tokens[i : i + length]))
            if columns is not None:
                for column in columns:
                    counts[column] += 1
    return counts


def crossing_phrase_counts(
    tokens: Sequence[str], boundaries: Sequence[int], index: PhraseIndex, n_columns: int, longest: int
) -> list[int]:
    """Per column, the phrases of ``tokens`` that cross one of ``boundaries`` (token positions where a piece starts).

    ``phrase_counts`` of a text laid end to end from pieces is the sum of the
    pieces' counts plus these: only starts within ``longest - 1`` tokens
    before a boundary can cross it, so the whole text is not matched again.
    """
    counts = [0] * n_columns
    cuts = sorted({b for b in boundaries if 0 < b < len(tokens)})
    starts = sorted({i for b in cuts for i in range(max(0, b - longest + 1), b)})
    for i in starts:
        by_length = index.get(tokens[i])
        if by_length is None:
            continue
        cut = cuts[bisect_right(cuts, i)]  # the first piece start after i
        for length, phrases in by_length.items():
            if i + length > cut and i + length <= len(tokens):
                columns = phrases.get(tuple(tokens[i : i + length]))
                if columns is not None:
                    for column in columns:
                        counts[column] += 1
    return counts


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
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
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


def cue_totals(text: str, index: Mapping[str, tuple[int, ...]]) -> list[int]:
    """How many words of each of the :data:`CUE_KINDS` a text has (``index`` from :func:`cue_index`)."""
    totals = [0, 0, 0, 0]
    for positions in filter(None, map(index.get, _CUE_WORD.findall(text.lower().replace("'", "")))):
        for position in positions:
            totals[position] += 1
    return totals


def cue_features(totals: Sequence[int]) -> list[float]:
    """The :data:`CUE_FEATURES` (before ``log1p``) from :func:`cue_totals`: the counts and their co-occurrences."""
    target, derogation, threat, praise = totals
    return [
        target,
        derogation,
        threat,
        praise,
        min(target, derogation),
        min(target, threat),
        min(target, praise),
        float(target > 0 and derogation == 0 and threat == 0),
    ]


def cue_counts(text: str, index: Mapping[str, tuple[int, ...]]) -> list[float]:
    """The :data:`CUE_FEATURES` of one text, before ``log1p`` (``index`` from :func:`cue_index`)."""
    return cue_features(cue_totals(text, index))


def cue_sets(cues: Mapping[str, Iterable[str]]) -> dict[str, frozenset[str]]:
    """Cue lists as frozensets, every kind present (missing kinds are empty)."""
    return {kind: frozenset(cues.get(kind, ())) for kind in CUE_KINDS}
