"""The feedback store: verdicts kept, several writers at once, nothing left after purge, and the CLI."""

from __future__ import annotations

import csv
import multiprocessing
import sqlite3
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from analyzer.cli.main import root_app as app
from analyzer.feedback.examples import labeled_rows, labels_from, rule_candidates
from analyzer.feedback.store import SCHEMA_VERSION, FeedbackError, Verdict, open_store, sentence_around

TEXT = "Thanks for the update. Man up and stop whining about it. See you Monday."
START = TEXT.index("Man up")
SECRET = "zebra-quartz-7719"  # a word that appears nowhere but in what the tests store


def verdict(**changes: object) -> Verdict:
    fields: dict[str, object] = dict(
        text=TEXT, start=START, end=START + 6, category="toxic_masculinity", verdict="fits", rule_id="tm.man-up"
    )
    fields.update(changes)
    return Verdict(**fields)  # type: ignore[arg-type]


def test_only_the_sentence_is_kept_unless_the_reviewer_opts_in(tmp_path: Path) -> None:
    with open_store(tmp_path / "fb.db") as store:
        store.add(verdict())
        store.add(verdict(whole_text=True, reviewer="Sam"))
        short, whole = store.verdicts()
    assert short.text == "Man up and stop whining about it."
    assert short.phrase == "Man up" and not short.whole_text and short.reviewer is None
    assert whole.text == TEXT and whole.phrase == "Man up" and whole.reviewer == "Sam"
    assert short.created and short.category == "toxic_masculinity" and short.rule_id == "tm.man-up"


@pytest.mark.parametrize(
    "text, start, end, expected",
    [
        ("One. Two three! Four?", 5, 8, "Two three!"),
        ("no end at all", 3, 6, "no end at all"),
        ("First line\nsecond line here\nthird", 11, 17, "second line here"),
    ],
)
def test_sentence_around(text: str, start: int, end: int, expected: str) -> None:
    sentence, s, e = sentence_around(text, start, end)
    assert sentence == expected and sentence[s:e] == text[start:end]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"verdict": "maybe"}, "verdict must be one of"),
        ({"category": "Not An Id"}, "category must be"),
        ({"start": 10, "end": 5}, "is not inside the text"),
        ({"end": len(TEXT) + 1}, "is not inside the text"),
        ({"text": "   ", "start": 0, "end": 1}, "empty"),
    ],
)
def test_bad_verdicts_are_refused_in_one_line(tmp_path: Path, changes: dict[str, object], message: str) -> None:
    with open_store(tmp_path / "fb.db") as store, pytest.raises(FeedbackError, match=message):
        store.add(verdict(**changes))


def test_schema_version_and_wal(tmp_path: Path) -> None:
    path = tmp_path / "fb.db"
    open_store(path).close()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(FeedbackError, match="newer version"):
        open_store(path)


def test_a_foreign_file_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE notes (x)")
    with pytest.raises(FeedbackError, match="not a feedback file"):
        open_store(other)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(FeedbackError, match="not a feedback file"):
        open_store(garbage)


def _writer(path: str, worker: int, count: int) -> None:
    with open_store(path) as store:
        for i in range(count):
            store.add(verdict(verdict=("fits", "not_harmful", "missed")[i % 3], reviewer=f"w{worker}-{i}"))


@pytest.mark.slow
def test_four_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "fb.db")
    open_store(path).close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(path, w, 1000)) for w in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=300)
        assert process.exitcode == 0
    with open_store(path) as store:
        rows = store.verdicts()
    assert len(rows) == 4000
    assert {r.reviewer for r in rows} == {f"w{w}-{i}" for w in range(4) for i in range(1000)}
    assert len({r.id for r in rows}) == 4000
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_purge_leaves_no_text_behind(tmp_path: Path) -> None:
    path = tmp_path / "fb.db"
    with open_store(path) as store:
        for i in range(200):
            text = f"Man up, {SECRET} number {i}, and stop crying."
            store.add(verdict(text=text, start=0, end=6, whole_text=True, reviewer=f"{SECRET}-reviewer"))
        assert store.purge() == 200
        assert store.count() == 0
    dump = subprocess.run(["sqlite3", str(path), ".dump"], capture_output=True, text=True, check=True).stdout
    assert "CREATE TABLE verdicts" in dump and SECRET not in dump
    for file in tmp_path.iterdir():  # the database, and its WAL and shared-memory files if any remain
        assert SECRET.encode() not in file.read_bytes(), file.name


def test_export_rows_and_rule_candidates() -> None:
    rows = [
        verdict(id=1),
        verdict(id=2, text="Grow a pair, I said it as a joke.", start=0, end=11, verdict="not_harmful"),
        verdict(
            id=3,
            text="She is a strong lead.",
            start=9,
            end=15,
            category="gender_stereotype",
            verdict="missed",
            rule_id=None,
        ),
        verdict(
            id=4,
            text="She is a strong lead.",
            start=9,
            end=15,
            category="gender_stereotype",
            verdict="fits",
            rule_id=None,
        ),
    ]
    labeled = labeled_rows(rows)
    assert labeled == [
        {"text": TEXT, "categories": "toxic_masculinity", "source": "feedback"},
        {"text": "She is a strong lead.", "categories": "gender_stereotype", "source": "feedback"},
        {"text": "Grow a pair, I said it as a joke.", "categories": "", "source": "feedback"},
    ]
    candidates = rule_candidates(rows)
    assert candidates["tm.man-up"] == {"flag": [TEXT], "pass": ["Grow a pair, I said it as a joke."]}
    assert candidates["new:gender_stereotype"] == {"flag": ["She is a strong lead."], "pass": []}


def test_a_not_harmful_verdict_against_a_rule_example_is_reported(lexicon_analyzer) -> None:
    lexicon = lexicon_analyzer.lexicon
    rule = next(r for r in lexicon.rules.values() if r.flag_examples)
    example = rule.flag_examples[0]
    labels = labels_from(
        [verdict(id=7, text=example, start=0, end=1, category=rule.category, verdict="not_harmful")], lexicon
    )
    assert not labels.negatives
    assert len(labels.conflicts) == 1 and rule.id in labels.conflicts[0] and "#7" in labels.conflicts[0]


def test_cli_add_list_export_purge(tmp_path: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "fb.db")
    base = ["feedback", "add", "--db", db, "--text", TEXT, "--start", str(START), "--end", str(START + 6)]
    result = runner.invoke(app, [*base, "--category", "toxic_masculinity", "--verdict", "fits"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, [*base, "--category", "toxic_masculinity", "--verdict", "nope"])
    assert result.exit_code != 0 and "verdict must be one of" in str(result.exception or result.output)
    result = runner.invoke(app, ["feedback", "list", "--db", db])
    assert result.exit_code == 0 and '"Man up"' in result.output and "fits" in result.output
    out = tmp_path / "reviewed.csv"
    result = runner.invoke(app, ["feedback", "export", "--db", db, "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as handle:
        assert list(csv.DictReader(handle)) == [
            {"text": "Man up and stop whining about it.", "categories": "toxic_masculinity", "source": "feedback"}
        ]
    examples = yaml.safe_load(out.with_suffix(".examples.yml").read_text(encoding="utf-8"))
    assert examples == {"new:toxic_masculinity": {"examples": {"flag": ["Man up and stop whining about it."]}}}
    result = runner.invoke(app, ["feedback", "purge", "--db", db, "--yes"])
    assert result.exit_code == 0 and "purged 1" in result.output


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    command = Path(__import__("sys").executable).with_name("allyship")
    done = subprocess.run(
        [
            str(command),
            "feedback",
            "add",
            "--db",
            str(tmp_path / "fb.db"),
            "--text",
            "hi",
            "--start",
            "0",
            "--end",
            "9",
            "--category",
            "dismissive",
            "--verdict",
            "fits",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "not inside the text" in done.stderr
