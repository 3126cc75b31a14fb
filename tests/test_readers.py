"""Reading files and folders into documents: every format, every encoding, every way a file can be bad."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from analyzer.cli.batch import READ_HINTS
from analyzer.errors import AnalyzerError
from analyzer.io.readers import (
    CP1252_NOTE,
    ReadOptions,
    count_documents,
    decode,
    discover,
    html_text,
    read_source,
)
from tests.messy import CLEAN, FLAGGED, make_messy_folder, put, tiny_docx, tiny_pdf


def read(path: Path, **options: object) -> list:
    return [doc for source in discover([path]) for doc in read_source(source, ReadOptions(**options))]


def one(path: Path, **options: object):
    docs = read(path, **options)
    assert len(docs) == 1
    return docs[0]


@pytest.mark.parametrize(
    "data, text, note",
    [
        ("calm down, café".encode(), "calm down, café", None),
        (b"\xef\xbb\xbfcalm down", "calm down", None),
        ("calm down".encode("utf-16"), "calm down", None),
        ("calm down".encode("utf-16-be").join([b"\xfe\xff", b""]), "calm down", None),
        ("calm down".encode("utf-32"), "calm down", None),
        ("Café – “calm down”".encode("cp1252"), "Café – “calm down”", CP1252_NOTE),
        (b"", "", None),
    ],
    ids=["utf8", "utf8-bom", "utf16-le-bom", "utf16-be-bom", "utf32-bom", "cp1252", "empty"],
)
def test_encodings_are_decoded_and_the_fallback_is_noted(data: bytes, text: str, note: str | None) -> None:
    assert decode(data) == (text, note)


@pytest.mark.parametrize(
    "data, error_type",
    [
        (b"GIF89a\x00\x00\x01\x02" * 50, "binary"),
        (bytes(range(1, 32)) * 40, "binary"),
        (b"\x81\x8d\x8f\x90\x9d not cp1252 either", "undecodable"),
    ],
    ids=["nul-bytes", "control-characters", "neither-utf8-nor-cp1252"],
)
def test_undecodable_text_files_are_error_documents(tmp_path: Path, data: bytes, error_type: str) -> None:
    doc = one(put(tmp_path / "x.txt", data))
    assert doc.text is None
    assert doc.error is not None and doc.error.type == error_type
    assert doc.error.message and "\n" not in doc.error.message


def test_the_messy_folder_gives_one_document_per_file_and_row_in_order(tmp_path: Path) -> None:
    expected = make_messy_folder(tmp_path / "messy")
    docs = read(tmp_path / "messy")
    assert [d.key for d in docs] == list(expected)
    assert {d.key: d.error.type if d.error else None for d in docs} == expected
    by_key = {d.key: d for d in docs}
    assert by_key[os.path.abspath(tmp_path / "messy" / "empty.txt")].text == ""
    windows = by_key[os.path.abspath(tmp_path / "messy" / "notes" / "windows.txt")]
    assert windows.text == "Café chat – calm down, you are overreacting." and windows.encoding_note == CP1252_NOTE


def test_paths_typed_differently_give_the_same_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    put(tmp_path / "data" / "a.txt", FLAGGED)
    monkeypatch.chdir(tmp_path)
    keys = [[s.key for s in discover([p])] for p in ("data", "./data/", str(tmp_path / "data"))]
    assert keys[0] == keys[1] == keys[2] == [str(tmp_path / "data" / "a.txt")]
    assert discover(["./data/"])[0].display == os.path.join("data", "a.txt")


def test_a_file_named_twice_is_read_once_and_excluded_files_are_skipped(tmp_path: Path) -> None:
    a = put(tmp_path / "a.txt", FLAGGED)
    out = put(tmp_path / "out.jsonl", "")
    sources = discover([tmp_path, a], exclude=[out])
    assert [s.key for s in sources] == [str(a)]


def test_a_missing_input_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(AnalyzerError, match="no such file or folder"):
        discover([tmp_path / "nope.txt"])


def test_csv_rows_ids_and_empty_cells(tmp_path: Path) -> None:
    path = put(tmp_path / "t.csv", 'id,text\na1,"multi\nline, calm down"\n,\n\na3,ok\n')
    docs = read(path)
    assert [(d.id, d.text) for d in docs] == [("a1", "multi\nline, calm down"), (f"{path}#2", ""), ("a3", "ok")]
    assert [d.key for d in docs] == [f"{path}#1", f"{path}#2", f"{path}#3"]


def test_tsv_and_other_columns(tmp_path: Path) -> None:
    path = put(tmp_path / "t.tsv", "post_id\tbody\nx9\tcalm down\n")
    [doc] = read(path, text_column="body", id_column="post_id")
    assert (doc.id, doc.text) == ("x9", "calm down")


def test_a_table_without_the_text_column_is_one_error_naming_the_columns(tmp_path: Path) -> None:
    doc = one(put(tmp_path / "t.csv", "id,body\n1,calm down\n"))
    assert doc.error is not None and doc.error.type == "missing_field"
    assert "'text'" in doc.error.message and "id, body" in doc.error.message
    assert "--" not in doc.error.message  # the library speaks no CLI flag names


def test_a_short_csv_row_is_an_error_row_and_the_rest_is_read(tmp_path: Path) -> None:
    path = put(tmp_path / "t.csv", "id,team,text\n1,ops\n2,ops,calm down\n")
    docs = read(path)
    assert [d.error.type if d.error else None for d in docs] == ["malformed_csv", None]
    assert docs[1].text == "calm down"


@pytest.mark.parametrize(
    "content", ["", "id,text\n", "\n\n", "[]"], ids=["empty", "header-only", "blank", "empty-array"]
)
def test_a_table_without_rows_is_still_one_record(tmp_path: Path, content: str) -> None:
    suffix = ".json" if content == "[]" else ".csv"
    doc = one(put(tmp_path / f"t{suffix}", content))
    assert doc.error is None and doc.text == "" and doc.note == "the table has no rows"


def test_jsonl_keeps_ids_as_given_and_numbers_rows_by_line(tmp_path: Path) -> None:
    lines = [{"id": 5, "text": "a"}, {"id": "s", "text": "b"}, {"id": None, "text": "c"}, {"id": [1], "text": None}]
    path = put(tmp_path / "d.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n\n")
    docs = read(path)
    assert [d.id for d in docs] == [5, "s", f"{path}#3", "[1]"]
    assert [d.text for d in docs] == ["a", "b", "c", ""]


@pytest.mark.parametrize(
    "line, error_type",
    [
        ("{not json", "malformed_json"),
        ('"just a string"', "malformed_json"),
        ('{"id": 1}', "missing_field"),
        ('{"text": 42}', "malformed_json"),
        ("[" * 100_000 + "]" * 100_000, "malformed_json"),
    ],
    ids=["broken", "string", "no-text", "number-text", "nested-too-deep"],
)
def test_bad_jsonl_lines_are_error_records(tmp_path: Path, line: str, error_type: str) -> None:
    path = put(tmp_path / "d.jsonl", f'{{"text": "fine"}}\n{line}\n{{"text": "also fine"}}\n')
    docs = read(path)
    assert [d.error.type if d.error else None for d in docs] == [None, error_type, None]
    assert docs[1].key == f"{path}#2" and "line 2" in docs[1].error.message


def test_a_lone_surrogate_escape_is_replaced(tmp_path: Path) -> None:
    doc = one(put(tmp_path / "d.jsonl", '{"text": "calm \\ud800 down"}\n'))
    assert doc.text == "calm \ufffd down"


@pytest.mark.parametrize(
    "content", ['{"text": "an object"}', "42", "", "[1] x"], ids=["object", "number", "empty", "extra"]
)
def test_a_json_file_must_be_an_array(tmp_path: Path, content: str) -> None:
    doc = read(put(tmp_path / "d.json", content))[-1]
    assert doc.error is not None and doc.error.type == "malformed_json"


def test_a_json_array_is_read_item_by_item_up_to_a_broken_one(tmp_path: Path) -> None:
    path = put(tmp_path / "d.json", '[{"text": "calm down"}, {"text": "fine"} {"text": "lost"}]')
    docs = read(path)
    assert [d.text for d in docs] == ["calm down", "fine", None]
    assert docs[2].error is not None and docs[2].error.type == "malformed_json"
    assert "expected ',' or ']' after item 2 (line 1)" in docs[2].error.message
    broken = read(put(tmp_path / "e.json", '[{"text": "calm down"}, {"text": '))
    assert [d.error.type if d.error else None for d in broken] == [None, "malformed_json"]
    whole = read(put(tmp_path / "f.json", "[{"))  # broken before any item: the file is one error record
    assert [(Path(d.key).name, d.error.type if d.error else None) for d in whole] == [("f.json", "malformed_json")]


def test_docx_paragraphs_and_tables_in_order(tmp_path: Path) -> None:
    path = tiny_docx(tmp_path / "d.docx", ["First", FLAGGED], [["a", "b"], ["c", CLEAN]])
    doc = one(path)
    assert doc.text == f"First\n{FLAGGED}\na\tb\nc\t{CLEAN}"


def test_pdf_text(tmp_path: Path) -> None:
    doc = one(put(tmp_path / "d.pdf", tiny_pdf("Calm down, man up.")))
    assert doc.error is None and doc.text is not None and "Calm down, man up." in doc.text


@pytest.mark.parametrize(
    "name, data, error_type",
    [
        ("bad.docx", b"PK\x03\x04 not a zip", "unreadable_docx"),
        ("bad.docx", b"", "unreadable_docx"),
        ("bad.pdf", b"%PDF-1.4 truncated", "unreadable_pdf"),
        ("bad.pdf", b"", "unreadable_pdf"),
        ("photo.jpg", b"\xff\xd8\xff\xe0", "unsupported_type"),
        ("README", b"no extension", "unsupported_type"),
    ],
)
def test_unreadable_documents_are_error_records(tmp_path: Path, name: str, data: bytes, error_type: str) -> None:
    doc = one(put(tmp_path / name, data))
    assert doc.error is not None and doc.error.type == error_type and doc.text is None


def test_a_docx_that_is_a_valid_zip_but_not_a_document(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "fake.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "calm down")
    doc = one(path)
    assert doc.error is not None and doc.error.type == "unreadable_docx"


def test_a_docx_that_would_inflate_past_the_limit_is_refused(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", "a" * 3_000_000)
    doc = one(path, max_bytes=100_000)
    assert doc.error is not None and doc.error.type == "too_large"


def test_files_over_the_size_limit_are_error_records(tmp_path: Path) -> None:
    doc = one(put(tmp_path / "big.txt", "calm down " * 200), max_bytes=1000)
    assert doc.error is not None and doc.error.type == "too_large" and "limit" in doc.error.message


def test_a_fifo_is_not_opened(tmp_path: Path) -> None:
    path = tmp_path / "pipe.txt"
    os.mkfifo(path)
    doc = one(path)
    assert doc.error is not None and doc.error.type == "unsupported_type"


def test_html_keeps_visible_text_and_drops_scripts_and_styles(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Board &amp; chat</title><style>p{color:red}</style></head><body>"
        "<script>var s = 'man up';</script><p>Calm&nbsp;down,</p><p>you are <b>overreacting</b>.</p>"
        "<noscript>man up</noscript></body></html>"
    )
    doc = one(put(tmp_path / "p.html", page))
    assert doc.text == "Board & chat\n\nCalm\xa0down,\n\nyou are overreacting."
    assert html_text("<p>unclosed <head> man up") == "unclosed man up"


def test_count_documents_counts_rows(tmp_path: Path) -> None:
    expected = make_messy_folder(tmp_path / "messy")
    assert count_documents(discover([tmp_path / "messy"])) == len(expected)


def test_a_link_to_a_folder_is_a_record_not_a_loop(tmp_path: Path) -> None:
    put(tmp_path / "in" / "a.txt", FLAGGED)
    os.symlink(tmp_path / "in", tmp_path / "in" / "loop")
    docs = read(tmp_path / "in")
    assert [(Path(d.key).name, d.error.type if d.error else None) for d in docs] == [
        ("a.txt", None),
        ("loop", "unreadable"),
    ]
    assert "not followed" in docs[1].error.message


# -- limits on what a file expands to, and links ----------------------------------------------------------------


def bomb_docx(path: Path, inflated: int) -> Path:
    """A .docx whose document.xml inflates to ``inflated`` bytes (it compresses to almost nothing)."""
    import zipfile

    paragraph = "<w:p><w:r><w:t>" + "a" * 200 + "</w:t></w:r></w:p>"
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("word/document.xml", "w") as part:
        part.write(f'<w:document xmlns:w="{ns}"><w:body>'.encode())
        for _ in range(inflated // len(paragraph)):
            part.write(paragraph.encode())
        part.write(b"</w:body></w:document>")
    return path


def test_a_docx_is_inflated_as_a_stream_and_stopped_at_the_limit(tmp_path: Path) -> None:
    path = bomb_docx(tmp_path / "bomb.docx", 3 * 1024 * 1024)
    assert path.stat().st_size < 100_000
    doc = one(path, max_bytes=1024 * 1024)
    assert doc.error is not None and doc.error.type == "too_large"
    assert "inflates to over 1.0 MB" in doc.error.message and "--" not in doc.error.message
    assert one(path, max_bytes=1024 * 1024, hints=READ_HINTS).error.message.endswith("(raise it with --max-file-mb)")


@pytest.mark.parametrize("kind", ["txt", "html", "docx", "pdf"])
def test_a_document_over_the_character_limit_is_too_large(tmp_path: Path, kind: str) -> None:
    text = "Calm down, you are overreacting. " * 40
    if kind == "docx":
        path = tiny_docx(tmp_path / "d.docx", [text, text])
    elif kind == "pdf":
        path = put(tmp_path / "d.pdf", tiny_pdf(text))
    else:
        path = put(tmp_path / f"d.{kind}", f"<p>{text}</p>" if kind == "html" else text)
    assert one(path, max_chars=5000).ok
    doc = one(path, max_chars=500)
    assert doc.error is not None and doc.error.type == "too_large"
    assert "the limit is 500" in doc.error.message and "--" not in doc.error.message  # the library names no option
    worded = one(path, max_chars=500, hints=READ_HINTS).error.message  # as allyship batch words it
    assert worded == doc.error.message + " (raise it with --max-doc-chars)"


def test_table_rows_over_the_limits(tmp_path: Path) -> None:
    long = "calm down " * 100
    rows = [
        json.dumps({"id": 1, "text": long}),
        json.dumps({"id": "x" * 1001, "text": "hi"}),
        json.dumps({"text": "ok"}),
    ]
    docs = read(put(tmp_path / "t.jsonl", "\n".join(rows)), max_chars=500)
    assert [d.error.type if d.error else None for d in docs] == ["too_large", "too_large", None]
    assert "row 1 has 1,000 characters" in docs[0].error.message
    assert "id is over the limit of 1,000" in docs[1].error.message
    # A CSV field past the limit ends the table: the csv reader cannot find where the next row starts.
    docs = read(put(tmp_path / "t.csv", f'id,text\n1,fine\n2,"{long * 2}"\n3,lost\n'), max_chars=1500)
    assert [d.error.type if d.error else None for d in docs] == [None, "too_large"]
    assert "row 2 has a field over the limit of 1,500 characters" in docs[1].error.message
    worded = read(put(tmp_path / "t.csv", f'id,text\n1,fine\n2,"{long * 2}"\n'), max_chars=1500, hints=READ_HINTS)
    assert worded[1].error.message.endswith("the rest of the file is not read (raise it with --max-doc-chars)")


def test_a_link_leading_outside_the_folders_is_an_error_record_unless_followed(tmp_path: Path) -> None:
    secret = put(tmp_path / "elsewhere" / "secret.txt", "TOPSECRET")
    put(tmp_path / "in" / "a.txt", FLAGGED)
    os.symlink(secret, tmp_path / "in" / "shadow.txt")
    os.symlink(tmp_path / "in" / "a.txt", tmp_path / "in" / "inside.txt")
    docs = read(tmp_path / "in")
    assert [(Path(d.key).name, d.error.type if d.error else None) for d in docs] == [
        ("a.txt", None),
        ("inside.txt", None),
        ("shadow.txt", "outside_input"),
    ]
    assert docs[2].text is None and "--" not in docs[2].error.message
    assert read(tmp_path / "in", hints=READ_HINTS)[2].error.message.endswith("(--follow-symlinks reads it)")
    followed = [d for s in discover([tmp_path / "in"], follow_symlinks=True) for d in read_source(s)]
    assert followed[2].text == "TOPSECRET"
    # Named as an input itself, the other folder is inside the inputs.
    both = [d for s in discover([tmp_path / "in", tmp_path / "elsewhere"]) for d in read_source(s)]
    assert [d.error for d in both] == [None] * 4


def test_a_file_swapped_for_a_link_after_listing_is_not_read(tmp_path: Path) -> None:
    secret = put(tmp_path / "elsewhere" / "secret.txt", "TOPSECRET")
    put(tmp_path / "in" / "a.txt", FLAGGED)
    sources = discover([tmp_path / "in"])
    os.remove(tmp_path / "in" / "a.txt")
    os.symlink(secret, tmp_path / "in" / "a.txt")
    doc = next(read_source(sources[0]))
    assert doc.text is None and doc.error is not None and doc.error.type == "outside_input"


def test_the_command_line_default_is_the_readers_default() -> None:
    from analyzer.cli.batch import DEFAULT_MAX_DOC_CHARS as shown
    from analyzer.io.readers import DEFAULT_MAX_DOC_CHARS

    assert shown == DEFAULT_MAX_DOC_CHARS
