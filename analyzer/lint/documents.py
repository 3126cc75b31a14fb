"""Which files ``allyship check`` reads, and how: paths to documents, documents to prose.

A named file is read by its extension (a file with none is plain text); a
folder is searched recursively for the extensions below, skipping hidden
folders and dependency or build folders. ``-`` is standard input, read as
Markdown. A file that cannot be read is a document with an error, never a
crash and never skipped.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from analyzer.lint.html import read_html
from analyzer.lint.markdown import read_markdown
from analyzer.lint.prose import Prose
from analyzer.lint.rst import read_plain, read_rst

READERS: dict[str, Callable[[str], Prose]] = {
    "markdown": read_markdown,
    "text": read_plain,
    "html": read_html,
    "rst": read_rst,
}
KINDS_BY_SUFFIX = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".mkd": "markdown",
    ".txt": "text",
    ".text": "text",
    "": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".rst": "rst",
    ".rest": "rst",
}
SKIPPED_FOLDERS = frozenset({"node_modules", "__pycache__", "venv", "site-packages", "build", "dist", "_build"})
MAX_FILE_BYTES = 20_000_000
STDIN = "-"


@dataclass
class Document:
    """One thing to check: its display path, file path (``None`` for standard input), kind and text or error."""

    display: str
    path: Path | None
    kind: str
    source: str = ""
    error: str | None = None

    def prose(self) -> Prose:
        return READERS[self.kind](self.source)


def find_documents(arguments: list[str]) -> Iterator[Document]:
    """The documents the command line names, in order; folders are searched recursively, sorted."""
    for argument in arguments:
        if argument == STDIN:
            yield _read_stdin()
            continue
        path = Path(argument)
        if path.is_dir():
            for found in _walk(path):
                yield _read(found, KINDS_BY_SUFFIX[found.suffix.lower()])
        elif path.exists():
            kind = KINDS_BY_SUFFIX.get(path.suffix.lower())
            if kind is None:
                yield Document(
                    argument,
                    path,
                    "text",
                    error=f"cannot check '{path.suffix}' files (Markdown, text, HTML and reStructuredText only)",
                )
            else:
                yield _read(path, kind)
        else:
            yield Document(argument, path, "text", error="no such file or folder")


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_FOLDERS)
        for name in sorted(files):
            suffix = Path(name).suffix.lower()
            if suffix and suffix in KINDS_BY_SUFFIX and not name.startswith("."):
                yield Path(root) / name


def _read(path: Path, kind: str) -> Document:
    display = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Document(display, path, kind, error=f"file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}")
        data = path.read_bytes()
    except OSError as exc:
        return Document(display, path, kind, error=f"cannot read: {exc.strerror or exc}")
    return _decoded(display, path, kind, data)


def _read_stdin() -> Document:
    return _decoded(STDIN, None, "markdown", sys.stdin.buffer.read())


def _decoded(display: str, path: Path | None, kind: str, data: bytes) -> Document:
    try:
        return Document(display, path, kind, source=data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        return Document(display, path, kind, error=f"not UTF-8 text (invalid byte at position {exc.start})")
