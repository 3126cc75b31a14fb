"""Training with reviewers' verdicts: a text marked not harmful passes afterwards, a rule example wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer import Analyzer
from analyzer.feedback.store import Verdict, open_store
from analyzer.training.trainer import train

REVIEWED = "Just man up about the cold and come to practice."
ELSEWHERE = "Man up and stop complaining about the schedule."


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("ALLYSHIP_CACHE_DIR", str(folder))
    return folder


@pytest.mark.slow
def test_a_not_harmful_verdict_makes_the_text_pass_after_retraining(
    tmp_path: Path, cache: Path, lexicon_analyzer: Analyzer
) -> None:
    lexicon = lexicon_analyzer.lexicon
    before = lexicon_analyzer.analyze(REVIEWED)
    flagged = [f for f in before.flags if f.category == "toxic_masculinity"]
    assert flagged, "the built-in lexicons no longer flag the reviewed text"
    rule = next(r for r in lexicon.rules.values() if r.category == "toxic_masculinity" and r.flag_examples)
    db = tmp_path / "fb.db"
    with open_store(db) as store:
        store.add(
            Verdict(
                REVIEWED,
                flagged[0].start,
                flagged[0].end,
                "toxic_masculinity",
                "not_harmful",
                flagged[0].rule_id,
                whole_text=True,
            )
        )
        example = rule.flag_examples[0]
        store.add(Verdict(example, 0, len(example), "toxic_masculinity", "not_harmful", rule.id, whole_text=True))
    messages: list[str] = []
    meta = train(tmp_path / "model", include_corpus=False, feedback_db=db, folds=0, progress=messages.append)
    assert meta["feedback"]["verdicts"] == 2
    assert [p["text"] for p in meta["feedback"]["pass"]] == [REVIEWED]
    assert len(meta["feedback"]["conflicts"]) == 1 and rule.id in meta["feedback"]["conflicts"][0]
    assert any(rule.id in m and m.startswith("warning:") for m in messages)
    retrained = Analyzer(model=tmp_path / "model")
    after = retrained.analyze(REVIEWED)
    assert not [f for f in after.flags if f.category == "toxic_masculinity"]
    assert any("reviewer marked this not harmful" in s.reason for s in after.suppressed)
    assert [f for f in retrained.analyze(ELSEWHERE).flags if f.category == "toxic_masculinity"]
    assert [f for f in retrained.analyze(example).flags if f.category == "toxic_masculinity"]
    # the second run finds every text in the parse cache
    messages.clear()
    train(tmp_path / "again", include_corpus=False, feedback_db=db, folds=0, progress=messages.append)
    assert any(m.strip().startswith("0 parsed now") for m in messages), messages
