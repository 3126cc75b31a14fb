"""The compiled lexicon keys cache: a process that reads it matches exactly what one that computed them does."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from analyzer.lexicon.loader import load_lexicon
from analyzer.pipeline.build import build_pipeline
from analyzer.pipeline.lexicon_keys import KEEP_FILES

from .conftest import MINIMAL_RULE, write

TEXTS = [
    "Man up and stop whining.",
    "Calm down, you're overreacting.",
    "I think Priya is totally overreacting.",
    "It was just a joke, relax.",
    "Not all men are like that.",
    "#RealMenDontCry is what my dad said.",
    "Stop being such a btich about it.",
    "She's being way too dramatic about the review.",
    "Karma's a bitch.",
    "The rollback was a bitch to get right.",
    "Let me explain it to you, since you seem confused.",
    "Thanks for the review, the graphs look great.",
]


def _build(cache: Path, monkeypatch: pytest.MonkeyPatch, folders: list[Path] | None = None):
    monkeypatch.setenv("ALLYSHIP_CACHE_DIR", str(cache))
    return build_pipeline(load_lexicon(folders or []), None)


def _spans(doc) -> list[tuple[str, str, str]]:
    return [(s.label_, s.id_, s.text) for s in doc.spans["allyship"]]


def _state(nlp) -> tuple:
    """What the matcher compiled, as plain values, and what it finds in the texts."""
    matcher = nlp.get_pipe("allyship_lexicon")
    normalizer = nlp.get_pipe("allyship_normalizer").normalizer
    by_length = matcher.phrases._by_length.items()
    phrases = sorted((n, c, tuple(entries)) for n, by in by_length for c, entries in by.items())
    found = [_spans(nlp(t)) for t in TEXTS]
    return (
        phrases,
        sorted(matcher._unless_keys.items()),
        sorted(normalizer.vocabulary),
        sorted(normalizer.targets),
        sorted(normalizer.squashed),
        {group: (lazy.patterns, lazy.questions) for group, (lazy, _) in sorted(matcher._template_groups.items())},
        found,
    )


def test_reading_the_cache_compiles_the_same_matcher(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    computed = _state(_build(cache, monkeypatch))
    files = list(cache.glob("lexicon-keys-*.json.gz"))
    assert len(files) == 1
    read = _state(_build(cache, monkeypatch))
    assert read == computed
    assert any(found for found in computed[-1])  # the texts do get flags: the comparison is not of nothing


def test_a_process_reading_the_cache_knows_which_typos_are_real_words_as_wordfreq_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from analyzer.pipeline.spelling import common_word

    cache = tmp_path / "cache"
    _build(cache, monkeypatch)
    normalizer = _build(cache, monkeypatch).get_pipe("allyship_normalizer").normalizer
    assert set(normalizer.real_words) == set(normalizer.fuzzy)  # every typo variant answered from the cache
    assert {w for w, real in normalizer.real_words.items() if real} == {w for w in normalizer.fuzzy if common_word(w)}
    real = next(w for w, is_real in normalizer.real_words.items() if is_real)
    assert normalizer.clean(real) == real  # a real word one letter from a target is left alone
    assert normalizer.clean("btich") == "bitch"


def test_a_damaged_cache_file_is_computed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    expected = _state(_build(cache, monkeypatch))
    (path,) = cache.glob("lexicon-keys-*.json.gz")
    for damage in (b"not gzip at all", gzip.compress(b'{"format": 1, "phrases": 3}'), gzip.compress(b"[1, 2")):
        path.write_bytes(damage)
        assert _state(_build(cache, monkeypatch)) == expected
        assert path.read_bytes() != damage  # rewritten with good keys


def test_a_user_lexicon_gets_its_own_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    folder = write(tmp_path / "lex" / "talking_over.yml", MINIMAL_RULE).parent
    _build(cache, monkeypatch)
    nlp = _build(cache, monkeypatch, [folder])
    assert len(list(cache.glob("lexicon-keys-*.json.gz"))) == 2
    assert [label for label, _, _ in _spans(nlp("Let me explain it to you, since you seem confused."))] == [
        "talking_over"
    ]
    # an edited phrase is a new lexicon: it is keyed, not read from the old file
    write(folder / "talking_over.yml", MINIMAL_RULE.replace("what she means is", "what she is trying to say"))
    nlp = _build(cache, monkeypatch, [folder])
    assert [label for label, _, _ in _spans(nlp("Honestly, what she is trying to say is simple."))] == ["talking_over"]


def test_an_unwritable_cache_folder_only_costs_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder would be", encoding="utf-8")
    nlp = _build(blocker / "cache", monkeypatch)
    assert [label for label, _, _ in _spans(nlp("Man up and stop whining."))] == ["toxic_masculinity"]


def test_old_key_files_are_pruned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    for n in range(KEEP_FILES + 3):
        old = cache / f"lexicon-keys-old{n}.json.gz"
        old.write_bytes(gzip.compress(b"{}"))
        os.utime(old, (1_000_000 + n, 1_000_000 + n))
    _build(cache, monkeypatch)
    left = sorted(p.name for p in cache.glob("lexicon-keys-*.json.gz"))
    assert len(left) == KEEP_FILES
    assert "lexicon-keys-old0.json.gz" not in left and f"lexicon-keys-old{KEEP_FILES + 2}.json.gz" in left


def test_a_pipeline_whose_tokenizer_cuts_differently_gets_its_own_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user's pipeline with its own tokenizer exceptions must not read keys another tokenizer made."""
    import spacy

    cache = tmp_path / "cache"
    monkeypatch.setenv("ALLYSHIP_CACHE_DIR", str(cache))
    for special in (False, True):
        nlp = spacy.blank("en")
        if special:
            nlp.tokenizer.add_special_case("manup", [{"ORTH": "man"}, {"ORTH": "up"}])
        nlp.add_pipe("allyship_sentences")
        nlp.add_pipe("allyship_normalizer")
        nlp.add_pipe("allyship_lexicon")
        nlp.initialize()
    assert len(list(cache.glob("lexicon-keys-*.json.gz"))) == 2
