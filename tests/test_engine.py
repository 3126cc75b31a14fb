"""The Python API: flags as SPEC.md promises them, offsets, long texts, ordering."""

from __future__ import annotations

import json
import threading

import pytest

from analyzer import Analyzer
from analyzer.errors import AnalyzerError, InputTooLargeError

SPEC_FIELDS = {
    "start",
    "end",
    "text",
    "category",
    "label",
    "score",
    "source",
    "rule_id",
    "explanation",
    "suggestion",
    "strategies",
    "barriers",
    "roles",
}
EXAMPLE = "Man up, and calm down, it was just a joke."


def test_the_issue_example_gets_explained_flags(lexicon_analyzer) -> None:
    result = lexicon_analyzer.analyze(EXAMPLE)
    categories = {f.category for f in result.flags}
    assert len(result.flags) >= 2
    assert {"toxic_masculinity", "dismissive"} <= categories
    for flag in result.flags:
        assert EXAMPLE[flag.start : flag.end] == flag.text
        assert flag.explanation and flag.strategies
        assert flag.label == lexicon_analyzer.lexicon.categories[flag.category].label
        assert flag.history[0].step == "lexicon"
        assert 0.0 <= flag.score <= 1.0


def test_to_dict_keeps_every_spec_field_and_is_json(lexicon_analyzer) -> None:
    data = json.loads(json.dumps(lexicon_analyzer.analyze(EXAMPLE).to_dict()))
    assert set(data) == {"flags", "summary"}
    assert data["summary"]["flag_count"] == len(data["flags"])
    assert sum(data["summary"]["categories"].values()) == len(data["flags"])
    for flag in data["flags"]:
        assert set(flag) >= SPEC_FIELDS
        assert flag["source"] in ("lexicon", "classifier")
        for ref in flag["strategies"] + flag["barriers"] + flag["roles"]:
            assert set(ref) == {"id", "title", "summary"} and ref["summary"]
        assert [s["step"] for s in flag["score_history"]][:1] == ["lexicon"]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t"])
def test_empty_text_has_no_flags(lexicon_analyzer, text: str) -> None:
    result = lexicon_analyzer.analyze(text)
    assert result.flags == () and result.summary == {"flag_count": 0, "categories": {}}


def test_flags_are_sorted_and_multiline_offsets_hold(lexicon_analyzer) -> None:
    text = "Hi team,\n\nwhat was she wearing?\nBoys will be boys.\n\nMan up."
    flags = lexicon_analyzer.analyze(text).flags
    assert [f.start for f in flags] == sorted(f.start for f in flags)
    assert len(flags) >= 3
    assert all(text[f.start : f.end] == f.text for f in flags)


def test_long_text_is_analyzed_whole_in_pieces(lexicon_analyzer) -> None:
    paragraph = "We met on Monday to plan the release and everyone agreed on the scope. " * 30
    chunks = [paragraph + "Man up and stop complaining." for _ in range(50)]
    text = "\n\n".join(chunks)
    small = Analyzer(model=None, piece_chars=5_000)
    result = small.analyze(text)
    assert len([f for f in result.flags if f.rule_id == "tm.man-up"]) == 50
    assert all(text[f.start : f.end] == f.text for f in result.flags)
    assert [f.to_dict() for f in result.flags] == [f.to_dict() for f in lexicon_analyzer.analyze(text).flags]


def test_text_over_the_limit_is_refused_with_one_line() -> None:
    small = Analyzer(model=None, max_chars=100)
    with pytest.raises(InputTooLargeError) as info:
        small.analyze("x" * 101)
    assert "\n" not in str(info.value) and "101" in str(info.value)


def test_analyze_many_keeps_order_and_matches_analyze(lexicon_analyzer) -> None:
    texts = ["Man up.", "Nice work on the release!", "Calm down, you're overreacting.", "", "Not all men."] * 7
    many = list(lexicon_analyzer.analyze_many(texts, batch_size=4))
    assert len(many) == len(texts)
    assert [r.to_dict() for r in many] == [lexicon_analyzer.analyze(t).to_dict() for t in texts]


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_analyze_many_with_two_processes_gives_the_same_results(lexicon_analyzer, start: str) -> None:
    """Workers are forked with this analyzer, or spawned and rebuild it (when threads run): same results."""
    texts = [f"Message {i}: man up and calm down." if i % 3 else f"Plain message {i}." for i in range(40)]
    one = [r.to_dict() for r in lexicon_analyzer.analyze_many(texts, batch_size=8)]
    release = threading.Event()
    busy = threading.Thread(target=release.wait)  # a running thread makes forking unsafe: workers are spawned
    if start == "spawn":
        busy.start()
    try:
        two = [r.to_dict() for r in lexicon_analyzer.analyze_many(texts, batch_size=8, n_process=2)]
    finally:
        release.set()
    assert one == two


def test_non_text_input_is_a_clear_error(lexicon_analyzer) -> None:
    with pytest.raises(AnalyzerError, match=r"^text is bytes, not a string$"):
        lexicon_analyzer.analyze(b"bytes")  # type: ignore[arg-type]


@pytest.mark.parametrize("n_process", [1, 2])
def test_a_bad_text_in_a_batch_names_its_index_after_the_results_before_it(n_process: int) -> None:
    small = Analyzer(model=None, max_chars=100)
    texts = ["Man up, son."] * 17 + ["x" * 101] + ["Calm down."] * 5
    results = []
    with pytest.raises(InputTooLargeError) as info:
        for result in small.analyze_many(texts, batch_size=5, n_process=n_process):
            results.append(result)
    assert str(info.value) == (
        "text 17 has 101 characters, over the limit of 100 (set ALLYSHIP_MAX_CHARS or max_chars to raise it)"
    )
    assert info.value.index == 17
    assert [r.flags[0].rule_id for r in results] == [small.analyze("Man up, son.").flags[0].rule_id] * 17
    with pytest.raises(AnalyzerError, match=r"^text 2 is NoneType, not a string$"):
        list(small.analyze_many(["fine", "also fine", None]))  # type: ignore[list-item]


def test_threshold_filters_flags() -> None:
    strict = Analyzer(model=None, threshold=0.99)
    assert strict.analyze(EXAMPLE).flags == ()
    assert strict.analyze(EXAMPLE).suppressed


def test_matched_spans_are_on_the_doc_with_their_rule(lexicon_analyzer) -> None:
    doc = lexicon_analyzer.process(EXAMPLE)
    spans = doc.spans["allyship"]
    assert spans and all(s.id_ in lexicon_analyzer.lexicon.rules for s in spans)
    assert lexicon_analyzer.nlp.pipe_names[:4] == [
        "allyship_sentences",
        "allyship_normalizer",
        "allyship_lexicon",
        "allyship_context",
    ]


def test_user_lexicon_category_is_flagged(user_lexicon) -> None:
    custom = Analyzer(lexicons=[user_lexicon], model=None)
    [flag] = custom.analyze("Let me explain it to you, since you seem confused.").flags
    assert flag.category == "talking_over" and flag.label == "Talking over women"
    assert [s.title for s in flag.strategies] == ["Listen and learn"]
    assert [b.id for b in flag.barriers] == ["unconscious_bias"]


def test_batches_relax_the_garbage_collector_and_restore_it() -> None:
    import gc

    from analyzer.engine import GC_FULL_DEFERRED, GC_YOUNG_THRESHOLD, fewer_gc_pauses

    before = gc.get_threshold()
    with fewer_gc_pauses():
        assert gc.get_threshold()[0] == max(before[0], GC_YOUNG_THRESHOLD)
        assert gc.get_threshold()[2] >= GC_FULL_DEFERRED  # no full collection in the middle of a batch
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), fewer_gc_pauses():
        raise RuntimeError("a failing batch")
    assert gc.get_threshold() == before


def test_every_sentence_of_a_long_text_gets_the_models_word_on_its_listed_phrase(analyzer) -> None:
    """The classifier reads each sentence's lexicon phrases (found by where they start, not by reading
    every phrase of the text for every sentence): in a text of hundreds of such sentences each copy of
    the phrase gets the same history, the model's step included, as the first."""
    result = analyzer.analyze("Man up. " * 50 + "Calm down, you are overreacting. " * 200)
    found = [c for c in (*result.flags, *result.suppressed) if c.text.lower().startswith("calm down")]
    assert len(found) == 200
    assert all(c.history == found[0].history for c in found)
    assert "classifier" in [step.step for step in found[0].history]
