"""JSONL and CSV output: formula cells neutralized, and torn tails cut off for --resume."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from analyzer.errors import AnalyzerError
from analyzer.io.writers import CSV_COLUMNS, neutralize, open_writer, output_format, scan_existing

FLAG = {
    "start": 0,
    "end": 9,
    "text": "calm down",
    "category": "dismissive",
    "label": "Dismissing or minimizing",
    "score": 0.9,
    "source": "lexicon",
    "rule_id": "di.calm-down",
    "explanation": "Why it harms.",
    "suggestion": '=HYPERLINK("http://evil")',
    "strategies": [{"id": "listen_and_learn", "title": "Listen and learn", "summary": "…"}],
    "barriers": [],
    "roles": [{"id": "intervene", "title": "Intervening", "summary": "…"}],
}


def record(key: str, flags: int = 1, error: dict | None = None, doc_id: str | None = None) -> dict:
    return {
        "id": doc_id or key,
        "source": "s.txt",
        "flags": [] if error else [dict(FLAG, start=i, end=i + 9) for i in range(flags)],
        "error": error,
        "summary": {},
        "key": key,
    }


@pytest.mark.parametrize(
    "cell, shown",
    [
        ("=1+1", "'=1+1"),
        ("+33 6 12", "'+33 6 12"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("calm down = bad", "calm down = bad"),
        ("", ""),
        (3, 3),
        (None, None),
    ],
)
def test_formula_cells_are_neutralized(cell: object, shown: object) -> None:
    assert neutralize(cell) == shown


@pytest.mark.parametrize("name, fmt", [("a.jsonl", "jsonl"), ("a.CSV", "csv"), ("a.json", "jsonl"), ("a", "jsonl")])
def test_format_follows_the_extension(name: str, fmt: str) -> None:
    assert output_format(name) == fmt


def test_csv_has_one_row_per_flag_and_one_per_document_without_flags(tmp_path: Path) -> None:
    out = tmp_path / "o.csv"
    writer = open_writer(out, append=False)
    writer.write(record("k1", flags=2, doc_id="=cmd|' /C calc'!A0"))
    writer.write(record("k2", flags=0))
    writer.write(record("k3", error={"type": "binary", "message": "-looks binary"}))
    writer.close()
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert [(r["key"], r["flag_count"], r["flag_index"]) for r in rows] == [
        ("k1", "2", "1"),
        ("k1", "2", "2"),
        ("k2", "0", ""),
        ("k3", "0", ""),
    ]
    assert rows[0]["id"] == "'=cmd|' /C calc'!A0"
    assert rows[0]["suggestion"] == '\'=HYPERLINK("http://evil")'
    assert rows[0]["strategies"] == "Listen and learn" and rows[0]["roles"] == "Intervening"
    assert (rows[3]["error_type"], rows[3]["error_message"]) == ("binary", "'-looks binary")


def test_jsonl_resume_cuts_a_torn_last_line(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    lines = [json.dumps(record(f"k{i}")) + "\n" for i in range(3)]
    out.write_text("".join(lines) + lines[0][:25])
    existing = scan_existing(out)
    assert [r.key for r in existing.records] == ["k0", "k1", "k2"]
    assert existing.records[0].categories == ["dismissive"]
    assert existing.discarded_bytes == 25
    assert out.read_text() == "".join(lines)


@pytest.mark.parametrize("cut", [10, -1, None], ids=["torn-row", "row-without-newline", "missing-rows"])
def test_csv_resume_keeps_only_complete_documents(tmp_path: Path, cut: int | None) -> None:
    out = tmp_path / "o.csv"
    writer = open_writer(out, append=False)
    writer.write(record("k1", flags=1))
    writer.write(record("k2", flags=3))
    writer.close()
    full = out.read_bytes()
    lines = full.splitlines(keepends=True)
    # Keep the header, k1 and one or two rows of k2's three, then maybe a torn piece of the next row.
    keep = b"".join(lines[:3]) if cut is None else b"".join(lines[:4]) + lines[4][:cut]
    out.write_bytes(keep)
    existing = scan_existing(out)
    assert [r.key for r in existing.records] == ["k1"]
    assert out.read_bytes() == b"".join(lines[:2])
    appended = open_writer(out, append=True)
    appended.write(record("k2", flags=3))
    appended.close()
    assert out.read_bytes() == full


def test_resume_refuses_a_file_that_is_not_a_batch_output(tmp_path: Path) -> None:
    out = tmp_path / "notes.jsonl"
    out.write_text('{"text": "my own data"}\n')
    with pytest.raises(AnalyzerError, match="not a batch record"):
        scan_existing(out)
    assert out.read_text() == '{"text": "my own data"}\n'
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(AnalyzerError, match="refusing to resume"):
        scan_existing(other)


def test_resume_from_nothing(tmp_path: Path) -> None:
    assert scan_existing(tmp_path / "none.jsonl").records == []
    (tmp_path / "empty.csv").write_text("")
    assert scan_existing(tmp_path / "empty.csv").records == []


def test_a_lone_surrogate_does_not_crash_the_jsonl_writer(tmp_path: Path) -> None:
    out = tmp_path / "o.jsonl"
    writer = open_writer(out, append=False)
    writer.write({"id": "\ud800", "flags": [], "key": "k"})
    writer.close()
    assert json.loads(out.read_text())["id"] == "\ud800"
