"""Property tests: any text in, no crash out, offsets that hold, the same answer twice.

Strangers paste anything: emoji sequences, combining marks, bidi controls,
zero-width characters, NUL. None of it may crash the analyzer or shift a
flag's offsets off its text.
"""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.errors import LexiconError

SPECIALS = [
    "\u200b",
    "\u200c",
    "\u200d",
    "\ufeff",
    "\u202e",
    "\u202d",
    "\u2066",
    "\u2069",
    "\u0301",
    "\u0308",
    "\x00",
    "\r\n",
    "\t",
    "👩‍💻",
    "🏳️‍🌈",
    "\U0001f926\U0001f3fd\u200d\u2642\ufe0f",
    "ﷺ",
    "עברית",
    "العربية",
    "\\ud800",
    '"',
    "“",
    "”",
    "'",
    "#",
    "*",
    "@",
    "4",
    "1",
    "0",
]
PHRASES = ["man up", "calm down", "not all men", "b*tch", "s l u t", "#ManUp", "it was just a joke", "simp"]

texts = st.lists(
    st.one_of(
        st.text(max_size=40),
        st.sampled_from(SPECIALS),
        st.sampled_from(PHRASES),
        st.sampled_from([" ", "\n", ". ", ", ", "!!! "]),
    ),
    max_size=25,
).map("".join)

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(text=texts)
def test_any_text_is_analyzed_with_offsets_that_hold(lexicon_analyzer, text: str) -> None:
    result = lexicon_analyzer.analyze(text)
    previous = -1
    for flag in result.flags:
        assert 0 <= flag.start < flag.end <= len(text)
        assert text[flag.start : flag.end] == flag.text
        assert flag.start >= previous
        previous = flag.start
        assert 0.0 <= flag.score <= 1.0
    assert lexicon_analyzer.analyze(text).to_dict() == result.to_dict()


@FAST
@given(text=texts)
def test_full_analyzer_never_raises(analyzer, text: str) -> None:
    result = analyzer.analyze(text)
    assert all(text[f.start : f.end] == f.text for f in result.flags)


yaml_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
lexicon_like = st.fixed_dictionaries(
    {},
    optional={
        "category": st.one_of(
            yaml_values,
            st.fixed_dictionaries(
                {"id": st.text(max_size=10), "label": st.text(max_size=10)},
                optional={"strategies": yaml_values, "description": yaml_values},
            ),
        ),
        "rules": st.one_of(
            yaml_values,
            st.lists(
                st.dictionaries(
                    st.sampled_from(["id", "phrases", "explanation", "examples", "unless", "score", "patterns"]),
                    yaml_values,
                ),
                max_size=3,
            ),
        ),
    },
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(lexicon_like, yaml_values), raw=st.text(max_size=200))
def test_lexicon_loader_raises_only_its_own_error(tmp_path_factory, data, raw: str) -> None:
    from analyzer.lexicon.loader import load_lexicon

    folder = tmp_path_factory.mktemp("lex")
    (folder / "a.yml").write_text(yaml.safe_dump(data), encoding="utf-8")
    (folder / "b.yml").write_text(raw, encoding="utf-8")
    try:
        load_lexicon([folder], include_builtin=False)
    except LexiconError as exc:
        assert exc.problems and all(p.file.startswith(str(folder)) for p in exc.problems)


def test_a_five_megabyte_paste_is_analyzed_whole(lexicon_analyzer) -> None:
    block = "We shipped the release on time and everyone pitched in. " * 20 + "Man up and stop complaining.\n\n"
    text = block * (5_000_000 // len(block) + 1)
    assert len(text) > 5_000_000
    result = lexicon_analyzer.analyze(text)
    assert len([f for f in result.flags if f.category == "toxic_masculinity"]) == text.count("Man up")
    assert all(text[f.start : f.end] == f.text for f in result.flags[:50])


@pytest.mark.parametrize(
    "text",
    ["\x00" * 1000, "\u202e" * 500 + "man up", "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace")],
)
def test_odd_unicode(lexicon_analyzer, text: str) -> None:
    result = lexicon_analyzer.analyze(text)
    assert all(text[f.start : f.end] == f.text for f in result.flags)
