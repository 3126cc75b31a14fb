"""Retraining as a trainer does it: a new lexicon, labeled data, a model folder, the new category flagged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REPO, CliText, run_cli_text, write

TALKING_OVER = """\
category:
  id: talking_over
  label: Talking over women
  description: Interrupting, re-explaining or taking credit for what a woman said.
  strategies: [listen_and_learn]
  barriers: [unconscious_bias]
rules:
  - id: to.let-me-explain
    phrases: ["let me explain it to you", "what she means is", "what she's trying to say"]
    explanation: Re-explaining a woman's point in your words takes the floor from her.
    suggestion: Let her finish, then build on her point and credit it to her.
    examples:
      flag:
        - "Let me explain it to you, since you seem confused."
        - "What she means is that the budget is too small."
        - "What she's trying to say is we should wait."
        - "Let me explain it to you slowly, sweetheart."
        - "Okay, what she means is the launch slips a week."
        - "Let me explain it to you in simple terms."
      pass:
        - "Let me explain the new expense policy to the team."
        - "She explained the plan and everyone agreed."
"""


FEW_EXAMPLES = """\
category:
  id: taking_credit
  label: Taking credit
  description: Presenting a woman's idea or work as one's own.
  strategies: [support_womens_leadership]
rules:
  - id: tc.my-idea-really
    phrases: ["basically my idea", "i came up with it first"]
    explanation: Claiming her idea as yours takes the credit her work earned.
    suggestion: Name who had the idea, then add what you bring to it.
    examples:
      flag:
        - "Her proposal is basically my idea with nicer slides."
        - "Honestly, I came up with it first, she just wrote it down."
        - "That plan is basically my idea, she only presented it."
      pass:
        - "Basically, my idea of a good weekend is a long hike."
"""


def allyship(*args: str) -> CliText:
    """``allyship ARGS`` run in this process, from the checkout."""
    return run_cli_text(*args, cwd=REPO)


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, Path, CliText]:
    base = tmp_path_factory.mktemp("trainer")
    lex = base / "my_lex"
    write(lex / "talking_over.yml", TALKING_OVER)
    data = write(
        base / "examples.csv",
        "text,categories\n"
        '"As I was saying before she interrupted, her idea is basically mine.",talking_over\n'
        '"Great point from Ana, let us build on it.",\n'
        '"Sure, she said it first, but I explained it better.",talking_over\n',
    )
    write(lex / "few.yml", FEW_EXAMPLES)  # a second category, with too few examples for a warning-free head
    out = base / "models" / "mine"
    assert allyship("lexicon", "validate", str(lex)).returncode == 0
    proc = allyship("train", "--lexicons", str(lex), "--data", str(data), "--no-corpus", "--out", str(out))
    return lex, out, proc


def test_train_writes_a_model_folder_with_metadata(trained) -> None:
    _, out, proc = trained
    assert proc.returncode == 0, proc.stderr
    meta = json.loads((out / "metadata.json").read_text())
    assert "talking_over" in meta["labels"]
    assert set(meta["thresholds"]) >= set(meta["labels"]) - {"__any__"}
    for label in meta["labels"]:
        assert {"precision", "recall", "f1"} <= set(meta["cv_metrics"][label])
    assert {"python", "spacy", "scikit-learn", "joblib", "analyzer"} <= set(meta["versions"])
    assert len(meta["model_sha256"]) == 64 and meta["lexicons"] and meta["data_files"]
    assert meta["command"].startswith("allyship train")
    assert "[1/4]" in proc.stderr and "[4/4]" in proc.stderr  # progress on long steps
    assert "with its compiled copy" in proc.stdout  # the analyzer will run it without scikit-learn
    assert meta["compiled"]["written"] and set(meta["files"]) == {"compiled.npz"}


def test_the_new_category_is_flagged_with_the_new_model(trained) -> None:
    lex, out, _ = trained
    proc = allyship(
        "analyze",
        "--lexicons",
        str(lex),
        "--model",
        str(out),
        "--format",
        "json",
        "Let me explain it to you, since you clearly missed the point.",
    )
    assert proc.returncode == 0, proc.stderr
    flags = json.loads(proc.stdout)["flags"]
    assert any(f["category"] == "talking_over" and f["label"] == "Talking over women" for f in flags)


def test_the_model_needs_the_lexicons_it_was_trained_with(trained) -> None:
    _, out, _ = trained
    proc = allyship("analyze", "--model", str(out), "hello")
    assert proc.returncode == 2
    assert "talking_over" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_an_existing_folder_needs_force(trained) -> None:
    lex, out, _ = trained
    proc = allyship("train", "--lexicons", str(lex), "--no-corpus", "--out", str(out))
    assert proc.returncode == 2 and "--force" in proc.stderr


def test_few_positives_train_with_a_warning(trained) -> None:
    _, _, proc = trained
    assert proc.returncode == 0
    assert "category 'talking_over' has only" not in proc.stderr  # 8 positives: no warning


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("text,categories\nhello,not_a_category\n", "row 1: unknown category 'not_a_category'"),
        ("text,categories\n,dismissive\n", "row 1"),
        ("body,labels\nhello,dismissive\n", "text"),
        ('{"text": "ok", "categories": ""}\n{broken\n', "line 2"),
    ],
)
def test_bad_data_is_one_line_naming_file_and_row(tmp_path: Path, content: str, message: str) -> None:
    suffix = ".jsonl" if content.startswith("{") else ".csv"
    bad = write(tmp_path / f"bad{suffix}", content)
    proc = allyship("train", "--data", str(bad), "--no-corpus", "--out", str(tmp_path / "m"))
    assert proc.returncode == 2
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and str(bad) in errors[0] and message in errors[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "m").exists()


def test_a_category_with_few_examples_warns_but_trains(trained) -> None:
    _, out, proc = trained
    assert proc.returncode == 0, proc.stderr
    assert "category 'taking_credit' has only 3 positive example(s)" in proc.stderr
    assert "taking_credit" in json.loads((out / "metadata.json").read_text())["labels"]


def test_evaluate_prints_a_table_and_json(trained, tmp_path: Path) -> None:
    lex, out, _ = trained
    data = write(
        tmp_path / "eval.jsonl",
        "\n".join(
            json.dumps(r)
            for r in [
                {"text": "Man up and stop whining.", "categories": "toxic_masculinity"},
                {"text": "What she means is the budget is too small.", "categories": "talking_over"},
                {"text": "The build is green again.", "categories": ""},
            ]
        )
        + "\n",
    )
    proc = allyship("evaluate", "--data", str(data), "--lexicons", str(lex), "--model", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "document macro-F1" in proc.stdout and "toxic_masculinity" in proc.stdout
    proc = allyship("evaluate", "--data", str(data), "--lexicons", str(lex), "--model", str(out), "--format", "json")
    report = json.loads(proc.stdout)
    assert report["documents"] == 3 and 0 <= report["document"]["macro_f1"] <= 1
