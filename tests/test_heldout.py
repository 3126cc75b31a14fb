"""No sentence used to measure the analyzer is also a training example.

Measuring sets: every case file in ``tests/data`` (the functional suite and the
other table-driven suites), and the splits of public datasets that training
leaves out. Training data: the project's corpus, every lexicon rule example
(``allyship train`` reads both) and the trained splits of a data file.
Sentences are compared after :func:`analyzer.training.datasets.comparable_text`
(casefold, punctuation and whitespace removed), so a copy with other quotes or
spacing still counts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from analyzer.training.datasets import comparable_text
from tests.conftest import SHARED_DATA, write

CASE_FILES = sorted((Path(__file__).parent / "data").glob("*.yml"))
CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"


def measuring_sentences() -> dict[str, str]:
    """Comparable text -> where it is used to measure (file and kind)."""
    out: dict[str, str] = {}
    for path in CASE_FILES:
        for kind, entry in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            texts = list(entry.get("must_pass") or [])
            texts += [case["text"] for case in entry.get("must_flag") or []]
            for text in texts:
                out[comparable_text(text)] = f"{path.name} ({kind}): {text}"
    return out


def training_sentences() -> dict[str, str]:
    """Comparable text -> where training reads it (corpus file, or lexicon rule)."""
    from analyzer.lexicon.loader import load_lexicon

    out: dict[str, str] = {}
    for path in sorted(CORPUS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out[comparable_text(json.loads(line)["text"])] = path.name
    for rule in load_lexicon([]).rules.values():
        for text in (*rule.flag_examples, *rule.pass_examples):
            out[comparable_text(text)] = f"lexicon rule {rule.id}"
    return out


def test_case_files_are_found() -> None:
    assert any(p.name == "functional_cases.yml" for p in CASE_FILES)
    assert len(measuring_sentences()) > 500


def test_no_measuring_sentence_is_a_training_example() -> None:
    training = training_sentences()
    leaks = [f"{where} -- also in {training[key]}" for key, where in measuring_sentences().items() if key in training]
    assert not leaks, f"{len(leaks)} measuring sentence(s) also train the model:\n" + "\n".join(leaks)


def test_a_trained_row_that_repeats_a_held_out_row_is_left_out(tmp_path: Path) -> None:
    from analyzer.lexicon.loader import load_lexicon
    from analyzer.training.trainer import gather

    data = write(
        tmp_path / "mixed.csv",
        "text,categories,split\n"
        '"Women belong in the kitchen, obviously.",gendered_hostility,train\n'
        "women belong in the KITCHEN obviously,gendered_hostility,test\n"
        "The quarterly report is due on Friday.,,train\n",
    )
    training, _ = gather(load_lexicon([]), [data], include_corpus=False)
    kept = {comparable_text(t) for t in training.texts}
    assert comparable_text("The quarterly report is due on Friday.") in kept
    assert comparable_text("Women belong in the kitchen, obviously.") not in kept


EDOS = SHARED_DATA / "edos" / "edos_labelled_aggregated.csv"


@pytest.mark.slow
@pytest.mark.skipif(not EDOS.exists(), reason=f"EDOS is not at {EDOS} (shared data folder absent)")
def test_no_edos_dev_or_test_post_is_trained_on() -> None:
    from analyzer.lexicon.loader import load_lexicon
    from analyzer.training.datasets import load_labeled
    from analyzer.training.trainer import gather

    lexicon = load_lexicon([])
    training, _ = gather(lexicon, [EDOS])
    held_out = {
        comparable_text(e.text)
        for e in load_labeled(EDOS, known_categories=set(lexicon.categories))
        if e.split in ("dev", "test")
    }
    leaks = [t for t in training.texts if comparable_text(t) in held_out]
    assert not leaks, f"{len(leaks)} EDOS dev/test posts are trained on: {leaks[:5]}"
