"""Invisible and look-alike characters inside a trigger word do not hide it.

Each must-flag case of the functional suite (``tests/data/functional_cases.yml``)
is rewritten the way someone dodging a filter would: inside every word of
the span it is flagged for (of two letters or more), a zero-width joiner, space or non-joiner, a soft
hyphen or bidi controls are slipped in, or the letters are written full-width
or with Cyrillic and Greek look-alikes. Every variant must be caught exactly as
the plain case is, with flags that point into the text as written.
``bench/bench_evasion.py`` prints the catch rates.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

CASES = yaml.safe_load((Path(__file__).parent / "data" / "functional_cases.yml").read_text(encoding="utf-8"))
MUST_FLAG = [case for kind in CASES.values() for case in kind.get("must_flag", ())]
_WORD = re.compile(r"[A-Za-z]{2,}")
_LOOK_ALIKES = str.maketrans("aeopcxyiAEOPCXYIKMHTBsS", "аеорсхуіАЕОРСХУІКМНТВѕЅ")  # Cyrillic, one for one
_GREEK = str.maketrans("aeoipvktuxABEHIKMNOPTXYZ", "αεοιρνκτυχΑΒΕΗΙΚΜΝΟΡΤΧΥΖ")


def _inside(mark: str) -> Callable[[str], str]:
    return lambda word: word[: len(word) // 2] + mark + word[len(word) // 2 :]


def _full_width(word: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in word)


VARIANTS: dict[str, Callable[[str], str]] = {
    "zero-width joiner": _inside("\u200d"),
    "zero-width space": _inside("\u200b"),
    "zero-width non-joiner": _inside("\u200c"),
    "soft hyphen": _inside("\u00ad"),
    "bidi controls": lambda word: word[:1] + "\u202d" + word[1:2] + "\u202c\u2066" + word[2:] + "\u2069",
    "full-width letters": _full_width,
    "Cyrillic look-alikes": lambda word: word.translate(_LOOK_ALIKES),
    "Greek look-alikes": lambda word: word[0] + word[1:].translate(_GREEK),
}


def variant(text: str, spans: list[tuple[int, int]], rewrite: Callable[[str], str]) -> str:
    """``text`` with every word of two or more letters inside ``spans`` rewritten."""
    inside = [False] * len(text)
    for start, end in spans:
        inside[start:end] = [True] * (end - start)
    return _WORD.sub(lambda m: rewrite(m.group()) if inside[m.start()] else m.group(), text)


def caught(analyzer, texts: list[str], categories: list[str]) -> list[bool]:
    """Per text, whether it got a flag of its expected category (flags checked to point into the text)."""
    out = []
    for text, category, result in zip(texts, categories, analyzer.analyze_many(texts), strict=True):
        assert all(text[f.start : f.end] == f.text for f in result.flags), text
        out.append(category in {f.category for f in result.flags})
    return out


def evasion_rates(analyzer) -> dict[str, tuple[int, int]]:
    """Caught / total for the plain must-flag cases and for each variant (what bench_evasion.py prints)."""
    texts = [case["text"] for case in MUST_FLAG]
    categories = [case["category"] for case in MUST_FLAG]
    results = list(analyzer.analyze_many(texts))
    spans = [[(f.start, f.end) for f in r.flags if f.category == c] for r, c in zip(results, categories, strict=True)]
    rates = {"plain": (sum(bool(s) for s in spans), len(texts))}
    for name, rewrite in VARIANTS.items():
        written = [variant(t, s, rewrite) for t, s in zip(texts, spans, strict=True)]
        rates[name] = (sum(caught(analyzer, written, categories)), len(texts))
    return rates


@pytest.fixture(scope="module")
def plain(analyzer) -> tuple[list[str], list[str], list[list[tuple[int, int]]]]:
    texts = [case["text"] for case in MUST_FLAG]
    categories = [case["category"] for case in MUST_FLAG]
    results = list(analyzer.analyze_many(texts))
    spans = [[(f.start, f.end) for f in r.flags if f.category == c] for r, c in zip(results, categories, strict=True)]
    return texts, categories, spans


@pytest.mark.parametrize("name", list(VARIANTS))
def test_evasion_variants_of_must_flag_cases_are_caught_as_the_plain_ones(analyzer, plain, name: str) -> None:
    texts, categories, spans = plain
    assert sum(bool(s) for s in spans) > 100  # the suite's plain cases are mostly caught to begin with
    written = [variant(t, s, VARIANTS[name]) for t, s in zip(texts, spans, strict=True)]
    changed = [w != t for w, t, s in zip(written, texts, spans, strict=True) if s]
    assert sum(changed) >= 0.9 * len(changed)  # nearly every caught case has a word rewritten
    got = caught(analyzer, written, categories)
    missed = [w for w, g, s in zip(written, got, spans, strict=True) if s and not g]
    assert not missed, f"{name}: {len(missed)} caught plain but not written this way, e.g. {missed[0]!r}"


def test_real_cyrillic_and_greek_words_keep_their_letters(lexicon_analyzer) -> None:
    from analyzer.tokens.folding import fold

    assert fold("Привет, как дела? Καλημέρα!")[0] == "Привет, как дела? Καλημέρα!"
    assert fold("сука")[0] == "сука"  # a Russian word, not a disguised English one
    doc = lexicon_analyzer.process("a bіtch ｍａｎ")
    assert [t.text for t in doc] == ["a", "bitch", "man"]


def test_a_run_of_undecodable_or_control_characters_reads_as_one_and_offsets_still_point_into_the_text(
    lexicon_analyzer,
) -> None:
    """Badly decoded bytes are runs of U+FFFD and control characters: each run reads as one space, not one
    token per character, and a flag after it still points at what the user wrote."""
    junk = "\ufffd" * 40 + "\x07\x00\x1b" + "\ufffd" * 3
    text = f"{junk} man up {junk}\x07 calm down"
    doc = lexicon_analyzer.process(text)
    assert [t.text for t in doc if not t.is_space] == ["man", "up", "calm", "down"]
    assert len(doc) == 6  # each run and the space after it: one whitespace token
    flags = lexicon_analyzer.analyze(text).flags
    assert [f.text for f in flags] == ["man up", "calm down"]
    assert all(text[f.start : f.end] == f.text for f in flags)
    assert [t.text for t in lexicon_analyzer.process("a\x07b \ufffd")] == ["a\x07b", " "]  # a control char alone stays
    flags = lexicon_analyzer.analyze("calm\ufffddown").flags  # where a byte did not decode, a word ends
    assert [f.text for f in flags] == ["calm\ufffddown"]
    assert [t.text for t in lexicon_analyzer.process("man\x00\x01up")] == ["man", "up"]  # all-ASCII text alike
