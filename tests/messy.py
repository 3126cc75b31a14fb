"""Builds the messy folder of issue 5, and tiny real .docx and .pdf files, for the batch tests.

``make_messy_folder`` returns what a correct batch must report for each
document: its key (absolute path, ``#N`` for a row) and the error type, or
``None`` for a document that must be analyzed. Texts use very common phrases
("calm down", "man up", "not all men") so the tests do not depend on the exact
content of the lexicons, which are still growing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

FLAGGED = "Calm down, you're overreacting. Man up. Not all men are like that."
CLEAN = "The quarterly report is due on Friday."


def tiny_pdf(text: str) -> bytes:
    """A valid one-page PDF showing ``text`` in Helvetica (written by hand: offsets computed, no library)."""
    safe = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    stream = f"BT /F1 12 Tf 72 720 Td ({safe}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def tiny_docx(path: Path, paragraphs: list[str], table: list[list[str]] | None = None) -> Path:
    """A real .docx written by python-docx."""
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                grid.cell(r, c).text = cell
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def put(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def make_messy_folder(root: Path) -> dict[str, str | None]:
    """The folder of issue 5; returns ``{key: expected error type or None}`` in the order a batch must write."""
    root.mkdir(parents=True, exist_ok=True)
    put(root / "binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    put(root / "broken.docx", b"PK\x03\x04 this is not really a zip archive")
    put(root / "broken.pdf", b"%PDF-1.4\n1 0 obj <<\ngarbage with no xref and no end")
    put(
        root / "chat.jsonl",
        "\n".join(
            [
                json.dumps({"id": "c1", "text": FLAGGED}),
                '{"id": "c2", "text": "broken line',
                json.dumps({"text": CLEAN}),
                "",
                json.dumps({"id": 7, "text": "calm down"}),
                json.dumps({"id": "c5"}),
            ]
        )
        + "\n",
    )
    put(root / "empty.txt", b"")
    put(root / "notes" / "bom.md", b"\xef\xbb\xbf# Notes\n\n" + FLAGGED.encode())
    put(root / "notes" / "utf16.txt", ("Meeting notes. " + FLAGGED).encode("utf-16"))
    put(root / "notes" / "windows.txt", "Café chat – calm down, you are overreacting.".encode("cp1252"))
    put(
        root / "page.html",
        f"<html><head><title>Forum</title><script>alert('man up')</script></head><body><p>{FLAGGED}</p></body></html>",
    )
    tiny_docx(root / "policy" / "handbook.docx", ["Team handbook", FLAGGED], [["name", "comment"], ["Ann", CLEAN]])
    put(root / "policy" / "memo.pdf", tiny_pdf(FLAGGED))
    put(root / "sheet.xlsx", b"PK\x03\x04 a spreadsheet we do not read")
    put(
        root / "survey" / "2024" / "answers.csv",
        f'id,text,team\nr1,"{FLAGGED}",ops\nr2,,ops\n,{CLEAN},hr\n',
    )
    put(root / "survey" / "list.json", json.dumps([{"id": "j1", "text": FLAGGED}, {"text": CLEAN}, "not an object"]))

    def key(rel: str, row: int | None = None) -> str:
        path = os.path.abspath(root / rel)
        return f"{path}#{row}" if row is not None else path

    return {
        key("binary.txt"): "binary",
        key("broken.docx"): "unreadable_docx",
        key("broken.pdf"): "unreadable_pdf",
        key("chat.jsonl", 1): None,
        key("chat.jsonl", 2): "malformed_json",
        key("chat.jsonl", 3): None,
        key("chat.jsonl", 5): None,
        key("chat.jsonl", 6): "missing_field",
        key("empty.txt"): None,
        key("notes/bom.md"): None,
        key("notes/utf16.txt"): None,
        key("notes/windows.txt"): None,
        key("page.html"): None,
        key("policy/handbook.docx"): None,
        key("policy/memo.pdf"): None,
        key("sheet.xlsx"): "unsupported_type",
        key("survey/2024/answers.csv", 1): None,
        key("survey/2024/answers.csv", 2): None,
        key("survey/2024/answers.csv", 3): None,
        key("survey/list.json", 1): None,
        key("survey/list.json", 2): None,
        key("survey/list.json", 3): "malformed_json",
    }
