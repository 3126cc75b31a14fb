"""The Batch page's helpers, without Streamlit: uploads in; records, table, chart, document view and downloads out."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from analyzer.engine import Analyzer
from analyzer.errors import AnalyzerError
from analyzer.io.records import record_flags
from analyzer.io.writers import CSV_COLUMNS
from analyzer.ui import batch_view, cards, highlight
from analyzer.ui.analysis import LoadedAnalyzer, build_analyzer
from tests.conftest import builtin_colors
from tests.messy import tiny_docx, tiny_pdf
from tests.test_ui_helpers import write_test_lexicons

COLORS = builtin_colors()

TEXT = "Man up, and calm down, it was just a joke."
# A rule scoring below the default sensitivity, so the threshold has something to cut.
WEAK_RULE = """\
category:
  id: derailing
  label: Derailing
  description: Turning the talk away from the harm that was raised.
  strategies: [listen_and_learn]
rules:
  - id: de.what-about-men
    phrases: ["what about men"]
    explanation: Changing the subject to men moves the talk away from what happened to her.
    suggestion: Stay with what happened first; other topics can wait.
    score: 0.3
    examples:
      flag: ["But what about men, they suffer too."]
      pass: ["What about lunch at noon?"]
"""


@pytest.fixture(scope="module")
def lexicon_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The test lexicons as the built-in folder, for every test of this module (and no shipped model)."""
    base = tmp_path_factory.mktemp("batch-lexicons")
    folder = write_test_lexicons(base / "lexicons")
    (folder / "derailing.yml").write_text(WEAK_RULE, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("analyzer.lexicon.loader.BUILTIN_DIR", folder)
        patch.setattr("analyzer.engine.MODELS_DIR", base / "no-models")
        yield folder


@pytest.fixture(scope="module")
def loaded(lexicon_folder: Path) -> LoadedAnalyzer:
    """The analyzer as the page has it: at the sensitivity floor."""
    return build_analyzer((), None)


@pytest.fixture(scope="module")
def floor(loaded: LoadedAnalyzer) -> Analyzer:
    return loaded.analyzer


def every_format(tmp_path: Path) -> list[batch_view.Upload]:
    """One upload of each format the readers know, and a few that cannot be read."""
    docx = tiny_docx(tmp_path / "memo.docx", ["Minutes of the meeting.", "Calm down, it was just a joke."])
    return [
        ("notes.txt", TEXT.encode()),
        ("readme.md", b"# Title\n\nNothing to see here."),
        ("page.html", b"<html><body><p>Man up</p><script>alert(1)</script></body></html>"),
        ("memo.docx", docx.read_bytes()),
        ("scan.pdf", tiny_pdf("Calm down, man up.")),
        ("survey.csv", b"id,text\nr1,calm down please\nr2,thanks for telling me\n"),
        ("survey.tsv", b"text\tid\nwhat about men\tt1\n"),
        ("chat.jsonl", b'{"id": 7, "text": "just a joke"}\n\n{"text": "ok"}\n'),
        ("posts.json", b'[{"id": "p1", "text": "man up"}]'),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))),
        ("broken.pdf", b"%PDF-1.4 truncated"),
        ("broken.docx", b"PK\x03\x04 not a zip"),
        ("broken.json", b"[{"),
    ]


# -- limits and options ------------------------------------------------------------


def test_the_limits_are_stated() -> None:
    text = batch_view.limits_text()
    assert f"{batch_view.MAX_FILE_MB} MB each" in text and f"{batch_view.MAX_TOTAL_MB} MB in all" in text
    assert f"{batch_view.MAX_FILES} files" in text


def test_upload_problems_name_each_limit() -> None:
    assert batch_view.upload_problems([("a.txt", b"x" * 10)]) == []
    problems = batch_view.upload_problems(
        [("big.txt", b"x" * 30), ("b.txt", b"x" * 10), ("c.txt", b"x")],
        max_file_bytes=20,
        max_total_bytes=35,
        max_files=2,
    )
    assert len(problems) == 3
    assert problems[0].startswith("3 files were uploaded; at most 2")
    assert problems[1].startswith("big.txt is 0.0 MB, over the limit")
    assert problems[2].startswith("The files add up to") and "allyship batch" in problems[2]


def test_run_batch_refuses_uploads_over_the_limit(floor: Analyzer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch_view, "MAX_TOTAL_BYTES", 10)
    with pytest.raises(AnalyzerError, match="over the limit"):
        batch_view.run_batch([("a.txt", b"x" * 11)], floor)
    outcome = batch_view.analyze_uploads([("a.txt", b"x" * 11)], floor, key="k")
    assert outcome.records == [] and outcome.downloads is None
    assert outcome.error is not None and outcome.error.startswith("The files could not be analyzed: The files add up")


def test_table_columns_come_from_every_table_in_order_with_their_text_length() -> None:
    uploads = [
        ("notes.txt", b"id,text\n"),  # not a table: its content is not a header
        ("a.csv", b"\n\nref,comment,when\n1,hi there,now\n"),
        ("b.tsv", b"comment\tauthor\nok\tme\n"),
        ("c.jsonl", b'{"body": "x", "ref": 1}\n'),
        ("d.json", b'[{"text": "y"}, 3]'),
        ("bad.json", b"[{"),
        ("bin.csv", b"\x00\x01"),
    ]
    assert batch_view.has_tables(uploads) and not batch_view.has_tables(uploads[:1])
    assert batch_view.table_columns(uploads) == {"ref": 1, "comment": 10, "when": 3, "author": 2, "body": 1, "text": 1}
    assert batch_view.table_columns([("a.csv", b"a,b\n" + b"x,yy\n" * 100)], sample_rows=10) == {"a": 10, "b": 20}


@pytest.mark.parametrize(
    "columns, expected",
    [
        (["id", "text"], ("text", "id")),
        ({"id": 50, "text": 3}, ("text", "id")),
        ({"ref": 10, "comment": 400, "when": 80}, ("comment", batch_view.NO_ID)),
        ({"id": 30, "comment": 300}, ("comment", "id")),
        (["id", "comment"], ("comment", "id")),
        (["comment", "author"], ("comment", batch_view.NO_ID)),
        (["id"], ("id", "id")),
        ([], ("text", batch_view.NO_ID)),
    ],
)
def test_default_columns(columns: Any, expected: tuple[str, str]) -> None:
    assert batch_view.default_columns(columns) == expected


def test_uploads_key_changes_with_anything_that_changes_the_result() -> None:
    uploads = [("a.txt", b"hello"), ("b.csv", b"text\nx\n")]
    options = batch_view.BatchOptions()
    key = batch_view.uploads_key(uploads, options)
    assert key == batch_view.uploads_key(list(uploads), batch_view.BatchOptions())
    assert len(key) == 16
    others = [
        batch_view.uploads_key([("a.txt", b"hello!"), uploads[1]], options),
        batch_view.uploads_key([("c.txt", b"hello"), uploads[1]], options),
        batch_view.uploads_key(uploads[::-1], options),
        batch_view.uploads_key(uploads, batch_view.BatchOptions(text_column="body")),
        batch_view.uploads_key(uploads, batch_view.BatchOptions(id_column=batch_view.NO_ID)),
        batch_view.uploads_key(uploads, batch_view.BatchOptions(threshold=0.7)),
        batch_view.uploads_key(uploads, options, model="/tmp/some-model"),
    ]
    assert key not in others and len(set(others)) == len(others)


def test_unique_names() -> None:
    assert batch_view.unique_names(["a.txt", "b.txt", "a.txt", "a.txt"]) == ["a.txt", "b.txt", "a.txt (2)", "a.txt (3)"]


# -- the run -----------------------------------------------------------------------


def test_every_format_gives_records_in_upload_order_under_the_uploaded_names(floor: Analyzer, tmp_path: Path) -> None:
    records = batch_view.run_batch(every_format(tmp_path), floor)
    found = [(r["id"], r["source"], (r["error"] or {}).get("type")) for r in records]
    assert found == [
        ("notes.txt", "notes.txt", None),
        ("readme.md", "readme.md", None),
        ("page.html", "page.html", None),
        ("memo.docx", "memo.docx", None),
        ("scan.pdf", "scan.pdf", None),
        ("r1", "survey.csv", None),
        ("r2", "survey.csv", None),
        ("t1", "survey.tsv", None),
        (7, "chat.jsonl", None),
        ("chat.jsonl#3", "chat.jsonl", None),
        ("p1", "posts.json", None),
        ("binary.txt", "binary.txt", "binary"),
        ("broken.pdf", "broken.pdf", "unreadable_pdf"),
        ("broken.docx", "broken.docx", "unreadable_docx"),
        ("broken.json", "broken.json", "malformed_json"),
    ]
    assert [r["key"] for r in records][5:7] == ["survey.csv#1", "survey.csv#2"]
    flagged = {r["source"] for r in records if r["flags"]}
    assert flagged == {"notes.txt", "page.html", "memo.docx", "scan.pdf", "survey.csv", "chat.jsonl", "posts.json"}
    assert "alert" not in records[2]["text"]  # the HTML reader keeps the text, not the script
    assert "allyship-batch" not in json.dumps(records), "a temporary path leaked into the records"


def test_two_uploads_with_one_name_stay_apart(floor: Analyzer) -> None:
    records = batch_view.run_batch([("a.txt", b"man up"), ("a.txt", b"hello"), ("dir\\a.txt", b"calm down")], floor)
    assert [r["id"] for r in records] == ["a.txt", "a.txt (2)", "a.txt (3)"]
    assert [r["summary"]["flag_count"] for r in records] == [1, 0, 1]


def test_the_chosen_columns_are_read(floor: Analyzer) -> None:
    uploads = [("survey.csv", b"ref,comment\nA,man up\nB,fine\n")]
    records = batch_view.run_batch(uploads, floor, options=batch_view.BatchOptions("comment", "ref"))
    assert [(r["id"], r["summary"]["flag_count"]) for r in records] == [("A", 1), ("B", 0)]
    records = batch_view.run_batch(uploads, floor, options=batch_view.BatchOptions("comment", batch_view.NO_ID))
    assert [r["id"] for r in records] == ["survey.csv#1", "survey.csv#2"]
    records = batch_view.run_batch(uploads, floor)  # no 'text' column: one error record that says so
    assert len(records) == 1 and records[0]["error"]["type"] == "missing_field"
    assert "no 'text' column (columns: ref, comment)" in records[0]["error"]["message"]


def test_records_are_those_of_the_command_line_at_the_chosen_threshold(
    floor: Analyzer, lexicon_folder: Path, tmp_path: Path
) -> None:
    """The page runs at the sensitivity floor and cuts afterwards; `allyship batch --threshold` cuts in the engine."""
    from analyzer.io.batch import BatchConfig, run_batch

    uploads = [
        ("a.txt", b"But what about men? Man up, and calm down."),
        ("b.csv", b"text\nwhat about men\njust a joke\nhello\n"),
    ]
    folder = tmp_path / "in"
    folder.mkdir()
    for name, data in uploads:
        (folder / name).write_bytes(data)
    for threshold in (0.1, 0.5, 0.8):
        mine = batch_view.run_batch(uploads, floor, options=batch_view.BatchOptions(threshold=threshold))
        out = tmp_path / f"cli-{threshold}.jsonl"
        config = BatchConfig(inputs=[str(folder / n) for n, _ in uploads], out=out, quiet=True)
        run_batch(Analyzer(model=None, threshold=threshold), config, stream=io.StringIO())
        theirs = [json.loads(line) for line in out.read_text().splitlines()]
        assert [(r["flags"], r["summary"]) for r in mine] == [(r["flags"], r["summary"]) for r in theirs]
    weak = batch_view.run_batch(uploads[:1], floor, options=batch_view.BatchOptions(threshold=0.1))[0]
    assert "derailing" in weak["summary"]["categories"]


def test_apply_threshold_leaves_error_records_alone() -> None:
    record = {"id": "x", "flags": [], "error": {"type": "binary", "message": "m"}, "summary": {"flag_count": 0}}
    assert batch_view.apply_threshold(record, 0.9) is record


def test_rename_record_replaces_temporary_paths_everywhere() -> None:
    names = {"/tmp/x/uploads/a.csv": "a.csv"}
    record = {
        "id": "/tmp/x/uploads/a.csv#3",
        "source": "/tmp/x/uploads/a.csv",
        "key": "/tmp/x/uploads/a.csv#3",
        "error": {"type": "unreadable", "message": "cannot read /tmp/x/uploads/a.csv: no"},
        "flags": [],
    }
    renamed = batch_view.rename_record(record, names)
    assert (renamed["id"], renamed["source"], renamed["key"]) == ("a.csv#3", "a.csv", "a.csv#3")
    assert renamed["error"]["message"] == "cannot read a.csv: no"
    assert record["id"].startswith("/tmp")  # the original is not changed
    assert batch_view.rename_record({"id": 7, "source": "elsewhere"}, names) == {"id": 7, "source": "elsewhere"}


def test_progress_is_reported_per_chunk(floor: Analyzer) -> None:
    calls: list[tuple[int, int]] = []
    uploads = [("t.csv", b"text\n" + b"man up\n" * 5), ("n.txt", b"hello")]
    options = batch_view.BatchOptions(chunk_documents=2)
    records = batch_view.run_batch(uploads, floor, lambda done, total: calls.append((done, total)), options)
    assert len(records) == 6
    assert calls == [(0, 6), (2, 6), (4, 6), (6, 6)]


class FakeAnalyzer:
    """Records the chunks it is given, and can fail on purpose."""

    max_chars = 1_000

    def __init__(self, real: Analyzer, fail_on: str | None = None) -> None:
        self.real = real
        self.fail_on = fail_on
        self.chunks: list[int] = []

    def analyze_many(self, texts: list[str], batch_size: int = 1) -> Iterator[Any]:
        self.chunks.append(len(texts))
        if self.fail_on is not None and any(self.fail_on in t for t in texts):
            raise RuntimeError("boom")
        return self.real.analyze_many(texts, batch_size=batch_size)

    def analyze(self, text: str) -> Any:
        if self.fail_on is not None and self.fail_on in text:
            raise RuntimeError("boom")
        return self.real.analyze(text)

    def settings(self) -> dict[str, Any]:
        return self.real.settings()


def test_the_shared_analyzer_is_called_one_chunk_at_a_time(floor: Analyzer) -> None:
    fake = FakeAnalyzer(floor)
    uploads = [("t.csv", b"text\n" + b"man up\n" * 6)]
    batch_view.run_batch(uploads, fake, None, batch_view.BatchOptions(chunk_documents=2))
    assert fake.chunks == [2, 2, 2]


def test_each_table_is_read_with_its_own_columns(floor: Analyzer) -> None:
    """A CSV with 'answer' and a JSONL with 'text' uploaded together: both are read, in upload order."""
    uploads = [
        ("survey.csv", b"ref,answer\nr1,Man up and deal with it.\nr2,Thanks for telling me.\n"),
        ("notes.txt", b"Calm down, it was nothing."),
        ("chat.jsonl", b'{"key": "c1", "text": "It was just a joke."}\n'),
    ]
    assert batch_view.columns_per_table(uploads) == {
        "survey.csv": {"ref": 4, "answer": 46},
        "chat.jsonl": {"key": 2, "text": 19},
    }
    options = batch_view.BatchOptions(columns=(("survey.csv", ("answer", "ref")), ("chat.jsonl", ("text", "key"))))
    records = batch_view.run_batch(uploads, floor, None, options)
    assert [r["id"] for r in records] == ["r1", "r2", "notes.txt", "c1"]
    assert all(r["error"] is None for r in records)
    assert [len(r["flags"]) > 0 for r in records] == [True, False, True, True]


def test_a_document_the_analyzer_fails_on_is_an_error_record(floor: Analyzer) -> None:
    fake = FakeAnalyzer(floor, fail_on="explode")
    uploads = [("t.csv", b"text\nman up\nplease explode\n"), ("long.txt", b"x" * 2_000)]
    records = batch_view.run_batch(uploads, fake)
    assert [r["summary"]["flag_count"] for r in records] == [1, 0, 0]
    assert records[1]["error"] == {"type": "analysis_failed", "message": "RuntimeError: boom"}
    assert records[2]["error"]["type"] == "too_large"  # the analyzer's own limit, checked before analysis


def test_a_bug_becomes_a_message_not_a_traceback(floor: Analyzer, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> batch_view.Downloads:
        raise KeyError("oops")

    monkeypatch.setattr(batch_view, "build_downloads", broken)
    outcome = batch_view.analyze_uploads([("a.txt", b"man up")], floor, key="k")
    assert outcome.error == "Something went wrong while analyzing the files (KeyError: 'oops')."


# -- downloads -----------------------------------------------------------------------


def test_downloads_are_the_library_formats_under_the_uploaded_names(floor: Analyzer, tmp_path: Path) -> None:
    uploads = [("notes.txt", TEXT.encode()), ("=cmd.csv", b"text\n=1+1 man up\n"), ("bad.txt", b"\x00\x00")]
    outcome = batch_view.analyze_uploads(uploads, floor, batch_view.BatchOptions(threshold=0.5), key="k")
    assert outcome.error is None and outcome.downloads is not None and outcome.key == "k"
    downloads = outcome.downloads
    lines = downloads.jsonl.decode("utf-8").splitlines()
    assert [json.loads(line) for line in lines] == outcome.records
    assert downloads.csv.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(downloads.csv.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 1 + 3 + 1 + 1  # three flags of notes.txt, one of the CSV row, one row for the error
    assert rows[4][0] == "'=cmd.csv#1" and rows[4][1] == "'=cmd.csv"  # spreadsheet formulas neutralized
    page = downloads.html.decode("utf-8")
    assert page.startswith("<!doctype html>") and "<script" not in page
    assert "3 uploaded files: notes.txt, =cmd.csv, bad.txt" in page
    assert "allyship-batch" not in page and "allyship-export" not in page and str(tmp_path) not in page
    for blob in (downloads.jsonl, downloads.csv, downloads.html):
        assert b"/tmp/" not in blob


def test_markup_in_file_names_and_texts_is_escaped_in_the_report(floor: Analyzer) -> None:
    uploads = [("<img src=x onerror=alert(1)>.txt", b"<script>alert(1)</script> man up")]
    outcome = batch_view.analyze_uploads(uploads, floor, key="k")
    assert outcome.downloads is not None
    page = outcome.downloads.html.decode()
    assert "<img" not in page and "<script>alert" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in page
    assert outcome.records[0]["id"] == "<img src=x onerror=alert(1)>.txt"  # shown as typed, escaped where drawn


def test_source_label() -> None:
    uploads = [(f"{c}.txt", b"") for c in "abcdefg"]
    assert batch_view.source_label(uploads[:1]) == "1 uploaded file: a.txt"
    assert batch_view.source_label(uploads) == "7 uploaded files: a.txt, b.txt, c.txt, d.txt, e.txt and 2 more"


# -- the results -------------------------------------------------------------------


@pytest.fixture(scope="module")
def results(floor: Analyzer) -> list[dict[str, Any]]:
    uploads = [
        ("a.txt", TEXT.encode()),
        ("b.csv", b"id,text\nr1,calm down\nr2,all good\n"),
        ("c.txt", b"\x00binary"),
        ("d.txt", b"Stop complaining and man up."),
    ]
    return batch_view.run_batch(uploads, floor)


def test_summary_and_counts(results: list[dict[str, Any]]) -> None:
    assert batch_view.summary_text(results) == "5 documents: 3 flagged (5 flags), 1 could not be read"
    assert batch_view.summary_text(results[3:4]) == "1 document: 0 flagged, 1 could not be read"
    assert batch_view.flag_counts(results) == [
        {"category": "dismissive", "label": "Dismissing or minimizing", "flags": 3},
        {"category": "toxic_masculinity", "label": "Toxic masculinity norm", "flags": 2},
    ]
    assert batch_view.category_options(results) == {
        "dismissive": "Dismissing or minimizing",
        "toxic_masculinity": "Toxic masculinity norm",
    }


def test_filter_records_by_category_and_kind(results: list[dict[str, Any]]) -> None:
    assert batch_view.filter_records(results) == [0, 1, 2, 3, 4]
    assert batch_view.filter_records(results, ["toxic_masculinity"]) == [0, 4]
    assert batch_view.filter_records(results, ["dismissive"]) == [0, 1]
    assert batch_view.filter_records(results, [], "flagged") == [0, 1, 4]
    assert batch_view.filter_records(results, None, "errors") == [3]
    assert batch_view.filter_records(results, ["dismissive"], "errors") == []
    with pytest.raises(ValueError):
        batch_view.filter_records(results, None, "everything")


def test_results_rows(results: list[dict[str, Any]]) -> None:
    rows = batch_view.results_rows(results)
    assert [tuple(row) for row in rows] == [batch_view.RESULT_COLUMNS] * 5
    assert rows[0] == {
        "#": 1,
        "document": "a.txt",
        "file": "a.txt",
        "flags": 3,
        "categories": "2 Dismissing or minimizing, 1 Toxic masculinity norm",
        "problem": "",
    }
    assert rows[1]["document"] == "r1" and rows[1]["file"] == "b.csv"
    assert rows[3]["problem"].startswith("binary: looks like a binary file")
    assert [row["#"] for row in batch_view.results_rows(results, [4, 1])] == [5, 2]


def test_the_chart_has_a_bar_per_category_in_its_highlight_color(results: list[dict[str, Any]]) -> None:
    spec = batch_view.category_chart(batch_view.flag_counts(results), COLORS).to_dict()
    assert spec["mark"]["type"] == "bar"
    assert spec["data"]["values"] == batch_view.flag_counts(results)
    scale = spec["encoding"]["color"]["scale"]
    assert scale["domain"] == ["Dismissing or minimizing", "Toxic masculinity norm"]
    assert scale["range"] == [
        highlight.color_for("dismissive", COLORS),
        highlight.color_for("toxic_masculinity", COLORS),
    ]


def test_viewable_documents_are_flagged_first_and_never_errors(results: list[dict[str, Any]]) -> None:
    assert batch_view.viewable(results, [0, 1, 2, 3, 4]) == [0, 1, 4, 2]
    assert batch_view.viewable(results, [0, 1, 2, 3, 4], limit=2) == [0, 1]
    assert batch_view.document_label(results[0], 1) == "1. a.txt (3 flags)"
    assert batch_view.document_label(results[1], 2) == "2. r1 in b.csv (1 flag)"
    assert batch_view.document_label(results[2], 3) == "3. r2 in b.csv (0 flags)"


def test_the_document_view_uses_the_analyze_pages_highlights_and_cards(
    results: list[dict[str, Any]], floor: Analyzer
) -> None:
    view = batch_view.document_view(results[0], 0.5, COLORS)
    flags = list(floor.analyze(TEXT).flags)
    expected = cards.cards_for(cards.filter_flags(flags, threshold=0.5), TEXT, 0.5)
    assert view.summary == "3 flags: 2 dismissing or minimizing, 1 toxic masculinity norm"
    assert view.html == highlight.highlight_html(TEXT, [f for f in flags if f.score >= 0.5], colors=COLORS)
    assert list(view.cards) == [highlight.card_html(card, COLORS) for card in expected]
    assert (view.shown_chars, view.total_chars, view.hidden_flags) == (len(TEXT), len(TEXT), 0)


def test_a_record_s_flags_read_back_unchanged(floor: Analyzer) -> None:
    record = batch_view.run_batch([("x.txt", TEXT.encode())], floor)[0]
    assert record["flags"] and [f.to_dict() for f in record_flags(record)] == record["flags"]


def test_the_document_view_escapes_the_text_and_cuts_a_long_one(floor: Analyzer) -> None:
    text = "<img src=x onerror=alert(1)> man up. " + "filler " * 20 + "calm down"
    record = batch_view.run_batch([("x.txt", text.encode())], floor)[0]
    view = batch_view.document_view(record, 0.5, COLORS, max_chars=60)
    assert "<img" not in view.html and "&lt;img src=x onerror=alert(1)&gt;" in view.html
    assert (view.shown_chars, view.total_chars) == (60, len(text))
    assert len(view.cards) == 1 and view.hidden_flags == 1  # "calm down" lies past the part shown
    view = batch_view.document_view(record, 0.5, COLORS, max_cards=0)
    assert view.cards == () and view.hidden_flags == 2


def test_a_batch_run_does_not_block_a_paste_for_long(floor: Analyzer) -> None:
    """A paste in another thread gets the lock between two chunks of a running batch."""
    from analyzer.ui.analysis import run_analysis

    started = threading.Event()
    done: list[float] = []

    def paste() -> None:
        started.wait(10)
        outcome = run_analysis(floor, "man up")
        done.append(len(outcome.result.flags) if outcome.result else -1)

    thread = threading.Thread(target=paste)
    thread.start()
    seen_paste: list[bool] = []

    def progress(finished: int, total: int) -> None:
        started.set()
        if finished and not seen_paste:
            thread.join(10)  # between chunks, the paste runs to its end
            seen_paste.append(bool(done))

    uploads = [("t.csv", b"text\n" + b"calm down\n" * 8)]
    batch_view.run_batch(uploads, floor, progress, batch_view.BatchOptions(chunk_documents=2))
    thread.join(10)
    assert seen_paste == [True] and done == [1]
