"""The Lexicons page: every rule as a table, and the check of an uploaded file.

An uploaded lexicon is YAML text and nothing else: it is written to a fresh
temporary folder under a cleaned-up version of its own name and read by the
same safe loader and validator as ``allyship lexicon validate`` (no pickle, no
code). Problems come back as ``file:line: message`` lines that name the
uploaded file, never the temporary path.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer.errors import AnalyzerError, LexiconError, Problem
from analyzer.lexicon.loader import MAX_FILE_BYTES, REFERENCES_FILE, Lexicon

REPO_ROOT = Path(__file__).resolve().parents[2]
LEXICON_SUFFIXES = (".yml", ".yaml")
MAX_UPLOAD_BYTES = MAX_FILE_BYTES  # the loader's own limit for one lexicon file

TABLE_COLUMNS = ("rule", "category", "phrases", "explanation", "suggestion", "strategies", "score", "file")


@dataclass(frozen=True)
class UploadReport:
    """The outcome of validating one uploaded lexicon file."""

    name: str
    ok: bool
    message: str
    problems: tuple[str, ...] = ()
    rows: tuple[dict[str, Any], ...] = ()  # the uploaded file's rules, when it loads
    # Every category id -> label of the built-in lexicons plus the uploads, when they load:
    # what labeled examples may name (the Retraining page checks them against it).
    categories: dict[str, str] = field(default_factory=dict)


def rules_table(lexicon: Lexicon, names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """One row per rule, with the columns of :data:`TABLE_COLUMNS`, sorted by category and id.

    ``names`` maps resolved paths to the names to show (an upload's own name).
    """
    refs = lexicon.references
    rows = []
    for rule in sorted(lexicon.rules.values(), key=lambda r: (r.category, r.id)):
        category = lexicon.categories.get(rule.category)
        strategies = refs.resolve("strategies", rule.strategies)
        rows.append(
            {
                "rule": rule.id,
                "category": category.label if category else rule.category,
                "phrases": "; ".join((*rule.templates, *rule.phrases)) or f"{len(rule.patterns)} token pattern(s)",
                "explanation": rule.explanation,
                "suggestion": rule.suggestion or "",
                "strategies": ", ".join(s.title for s in strategies),
                "score": round(rule.score, 2),
                "file": display_path(rule.file, names),
            }
        )
    return rows


def search_rows(
    rows: Iterable[dict[str, Any]], query: str, categories: Sequence[str] | None = None
) -> list[dict[str, Any]]:
    """Rows containing every word of ``query`` (any column, any case), of the given category labels."""
    words = query.lower().split()
    found = []
    for row in rows:
        if categories and row["category"] not in categories:
            continue
        haystack = " ".join(str(v) for v in row.values()).lower()
        if all(w in haystack for w in words):
            found.append(row)
    return found


def display_path(path: str | Path, names: dict[str, str] | None = None) -> str:
    """A path as the user knows it: the uploaded name, or relative to the project."""
    resolved = str(Path(path).resolve())
    if names and resolved in names:
        return names[resolved]
    try:
        rel = os.path.relpath(resolved, REPO_ROOT)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def safe_upload_name(name: str) -> str:
    """The uploaded file's base name with only safe characters, kept recognizable."""
    base = Path(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip(".")
    return cleaned[:100] or "uploaded.yml"


def validate_upload(
    name: str, data: bytes, *, validate: Any = None, load: Any = None, max_bytes: int = MAX_UPLOAD_BYTES
) -> UploadReport:
    """Validate one uploaded lexicon file together with the built-in lexicons.

    ``validate`` and ``load`` default to :func:`analyzer.training.validate.validate_lexicons`
    and :func:`analyzer.lexicon.loader.load_lexicon`; tests may pass others.
    """
    return validate_uploads([(name, data)], validate=validate, load=load, max_bytes=max_bytes)


def shown_name(name: str) -> str:
    """The base name of an upload as the user knows it (a browser may send a Windows path)."""
    return Path(name.replace("\\", "/")).name or "uploaded file"


def upload_problem(name: str, data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> str | None:
    """Why this file cannot be a lexicon, before anything reads it; ``None`` when it may be checked."""
    shown = shown_name(name)
    if not shown.lower().endswith(LEXICON_SUFFIXES):
        return f"{shown}: a lexicon is a .yml or .yaml file."
    if len(data) > max_bytes:
        return f"{shown}: the file has {len(data):,} bytes; the limit is {max_bytes:,}."
    if safe_upload_name(shown) == REFERENCES_FILE:
        return f"{shown}: this name is reserved for the article references; upload a category file."
    return None


def write_uploads(folder: str | Path, files: Sequence[tuple[str, bytes]]) -> list[tuple[Path, str]]:
    """Write each upload into ``folder`` under a safe name, unique in the folder; in upload order.

    Returns ``(path written, name shown to the user)`` per upload. Two uploads
    of the same name (from different folders) both keep their content: the
    second is written as ``name-2.yml``. Nothing but the bytes is written: no
    upload ever chooses where it goes.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written: list[tuple[Path, str]] = []
    used: set[str] = set()
    for name, data in files:
        safe = safe_upload_name(name)
        stem, suffix = Path(safe).stem, Path(safe).suffix
        candidate, n = safe, 1
        while candidate.lower() in used:
            n += 1
            candidate = f"{stem}-{n}{suffix}"
        used.add(candidate.lower())
        path = folder / candidate
        path.write_bytes(data)
        written.append((path, shown_name(name)))
    return written


def path_names(written: Iterable[tuple[Path, str]]) -> dict[str, str]:
    """``{path: shown name}`` for the plain and the resolved path of each written upload.

    Both, because messages name whichever the library was given or resolved;
    :func:`problem_lines` rewrites them so no temporary folder reaches the page.
    """
    names: dict[str, str] = {}
    for path, shown in written:
        names[str(path)] = names[str(path.resolve())] = shown
    return names


def validate_uploads(
    files: Sequence[tuple[str, bytes]],
    *,
    validate: Any = None,
    load: Any = None,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> UploadReport:
    """Validate uploaded lexicon files together, with the built-in lexicons.

    Checked together because a trainer's files belong together: a phrase
    claimed by two of them, or two files of one category, is a problem only
    the pair shows. A refusal before reading (wrong type, too big, reserved
    name) of a single file is the report's message; with several files each
    refusal is one of its problem lines.
    """
    if validate is None:
        from analyzer.training.validate import validate_lexicons as validate
    if load is None:
        from analyzer.lexicon.loader import load_lexicon as load
    shown = [shown_name(name) for name, _ in files]
    label = shown[0] if len(shown) == 1 else f"{len(shown)} files"
    if not files:
        return UploadReport("", False, "No lexicon file was uploaded.")
    refused = [p for p in (upload_problem(name, data, max_bytes) for name, data in files) if p]
    if refused:
        if len(files) == 1:
            return UploadReport(label, False, refused[0])
        return UploadReport(label, False, _problems_found(len(refused)), tuple(refused))
    with tempfile.TemporaryDirectory(prefix="allyship-upload-") as tmp:
        names = path_names(write_uploads(tmp, files))
        try:
            _files, rules, examples = validate([tmp])
            lexicon = load([tmp])
        except LexiconError as exc:
            problems = tuple(problem_lines(exc.problems, names))
            return UploadReport(label, False, _problems_found(len(problems)), problems)
        except AnalyzerError as exc:
            return UploadReport(label, False, f"{label}: {exc}")
        except Exception as exc:  # a bug in a checker must not become a traceback in the page
            return UploadReport(label, False, f"{label}: could not be checked ({type(exc).__name__}: {exc})")
        uploaded = set(names.values())
        own = [row for row in rules_table(lexicon, names) if row["file"] in uploaded]
        categories = {cid: category.label for cid, category in lexicon.categories.items()}
    noun = "rule" if rules == 1 else "rules"
    verb = "is" if len(files) == 1 else "are"
    return UploadReport(
        label,
        True,
        f"{label} {verb} valid: {rules} {noun}, {examples} examples checked against the pipeline.",
        (),
        tuple(own),
        categories,
    )


def _problems_found(count: int) -> str:
    return f"{count} problem{'s' if count != 1 else ''} found"


def problem_lines(problems: Iterable[Problem], names: dict[str, str] | None = None) -> list[str]:
    """``file:line: message`` for each problem, with the paths a user knows.

    Messages may name another file ("already defined in …"): those paths are
    shown the same way, so no temporary folder ever reaches the page.
    """
    names = names or {}
    lines = []
    for problem in problems:
        message = problem.message
        for path, shown in names.items():
            message = message.replace(path, shown)
        message = message.replace(f"{REPO_ROOT}{os.sep}", "")
        lines.append(f"{display_path(problem.file, names)}:{problem.line}: {message}")
    return lines
