"""Reviewers' verdicts on flags, kept in one SQLite file that several processes may write at once.

One row per verdict: the reviewed text (the whole text only when the
reviewer opts in, otherwise the sentence around the span), the span inside
it, the category, the rule id, the verdict (``fits``, ``not_harmful``,
``missed``), the model and lexicon versions, the time and an optional
reviewer name. The file runs in WAL mode with a busy timeout, so app
sessions and the command line can write side by side; every write is one
short transaction. The schema carries a version (``PRAGMA user_version``)
and is brought up to date by the migrations below when the file is opened.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from analyzer.errors import AnalyzerError
from analyzer.resources import user_dir

VERDICTS = ("fits", "not_harmful", "missed")
ENV_VAR = "ALLYSHIP_FEEDBACK_DB"
BUSY_TIMEOUT_MS = 60_000
MAX_TEXT_CHARS = 200_000
MAX_REVIEWER_CHARS = 100

# Each entry brings the schema from version i to i + 1; never edit one that has shipped, add another.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE verdicts (
        id INTEGER PRIMARY KEY,
        created TEXT NOT NULL,
        text TEXT NOT NULL,
        whole_text INTEGER NOT NULL CHECK (whole_text IN (0, 1)),
        span_start INTEGER NOT NULL CHECK (span_start >= 0),
        span_end INTEGER NOT NULL CHECK (span_end > span_start),
        phrase TEXT NOT NULL,
        category TEXT NOT NULL,
        rule_id TEXT,
        verdict TEXT NOT NULL CHECK (verdict IN ('fits', 'not_harmful', 'missed')),
        model_version TEXT NOT NULL DEFAULT '',
        lexicon_version TEXT NOT NULL DEFAULT '',
        reviewer TEXT
    );
    CREATE INDEX verdicts_category ON verdicts (category);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*\s+|\n\s*\n|\n")


class FeedbackError(AnalyzerError):
    """The feedback file cannot be used, or a verdict is not valid."""


@dataclass(frozen=True)
class Verdict:
    """One reviewer's verdict on a span of ``text`` (``text[start:end]`` is the phrase)."""

    text: str
    start: int
    end: int
    category: str
    verdict: str
    rule_id: str | None = None
    whole_text: bool = False
    model_version: str = ""
    lexicon_version: str = ""
    reviewer: str | None = None
    created: str = ""
    id: int | None = None

    @property
    def phrase(self) -> str:
        return self.text[self.start : self.end]


def default_path() -> Path:
    """``ALLYSHIP_FEEDBACK_DB``, else ``feedback.db`` in the user's data folder (XDG, macOS or Windows style)."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    return user_dir("data") / "feedback.db"


def sentence_around(text: str, start: int, end: int) -> tuple[str, int, int]:
    """The sentence (or sentences) holding ``text[start:end]``, and the span's offsets inside it.

    What is kept when the reviewer has not opted in to keeping the whole text.
    """
    left = 0
    for match in _SENTENCE_END.finditer(text, 0, start):
        left = match.end()
    found = _SENTENCE_END.search(text, end)
    right = found.start() + len(found.group(0).rstrip()) if found else len(text)
    right = max(right, end)
    piece = text[left:right]
    stripped = len(piece) - len(piece.lstrip())
    piece = piece.strip()
    return piece, start - left - stripped, end - left - stripped


def check(verdict: Verdict) -> Verdict:
    """The verdict if it can be stored; a :class:`FeedbackError` saying what is wrong otherwise."""
    if verdict.verdict not in VERDICTS:
        raise FeedbackError(f"verdict must be one of {', '.join(VERDICTS)}, got '{verdict.verdict}'")
    if not re.fullmatch(r"[a-z_]+", verdict.category or ""):
        raise FeedbackError(f"category must be a category id ([a-z_]+), got '{verdict.category}'")
    if not verdict.text.strip():
        raise FeedbackError("the text is empty")
    if len(verdict.text) > MAX_TEXT_CHARS:
        raise FeedbackError(f"the text has {len(verdict.text):,} characters; at most {MAX_TEXT_CHARS:,} are kept")
    if not 0 <= verdict.start < verdict.end <= len(verdict.text):
        raise FeedbackError(
            f"the span {verdict.start}-{verdict.end} is not inside the text ({len(verdict.text)} characters)"
        )
    if verdict.reviewer is not None and len(verdict.reviewer) > MAX_REVIEWER_CHARS:
        raise FeedbackError(f"the reviewer name is longer than {MAX_REVIEWER_CHARS} characters")
    return verdict


def kept_form(verdict: Verdict) -> Verdict:
    """What is written: the whole text if the reviewer opted in, else the sentence around the span."""
    if verdict.whole_text:
        return verdict
    sentence, start, end = sentence_around(verdict.text, verdict.start, verdict.end)
    return Verdict(**{**verdict.__dict__, "text": sentence, "start": start, "end": end})


class FeedbackStore:
    """One feedback file. Open it with :func:`open_store`; each method is one short transaction."""

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        self.path = path
        self._db = connection

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> FeedbackStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise FeedbackError(f"{self.path}: cannot write feedback ({exc})") from exc
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def add(self, verdict: Verdict) -> int:
        """Store one verdict (its text cut down to the sentence unless opted in); return its row id."""
        row = kept_form(check(verdict))
        created = row.created or datetime.now(UTC).isoformat(timespec="seconds")
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO verdicts (created, text, whole_text, span_start, span_end, phrase, category, rule_id,"
                " verdict, model_version, lexicon_version, reviewer) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    created,
                    row.text,
                    int(row.whole_text),
                    row.start,
                    row.end,
                    row.phrase,
                    row.category,
                    row.rule_id,
                    row.verdict,
                    row.model_version,
                    row.lexicon_version,
                    row.reviewer or None,
                ),
            )
            return int(cursor.lastrowid or 0)

    def verdicts(self) -> list[Verdict]:
        """Every verdict, oldest first."""
        rows = self._db.execute(
            "SELECT id, created, text, whole_text, span_start, span_end, category, rule_id, verdict,"
            " model_version, lexicon_version, reviewer FROM verdicts ORDER BY id"
        ).fetchall()
        return [
            Verdict(
                id=r[0],
                created=r[1],
                text=r[2],
                whole_text=bool(r[3]),
                start=r[4],
                end=r[5],
                category=r[6],
                rule_id=r[7],
                verdict=r[8],
                model_version=r[9],
                lexicon_version=r[10],
                reviewer=r[11],
            )
            for r in rows
        ]

    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM verdicts").fetchone()[0])

    def delete(self, verdict_id: int) -> bool:
        """Remove one verdict (an undo in the app); whether it was there."""
        with self._write() as db:
            return db.execute("DELETE FROM verdicts WHERE id = ?", (verdict_id,)).rowcount > 0

    def purge(self) -> int:
        """Delete every verdict and leave none of their text in the file: zeroed pages, no WAL, vacuumed."""
        with self._write() as db:
            removed = db.execute("DELETE FROM verdicts").rowcount
        self._db.execute("VACUUM")
        self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(removed)


def open_store(path: str | Path | None = None) -> FeedbackStore:
    """Open (creating it and its folder if needed) the feedback file and bring its schema up to date."""
    target = Path(path).expanduser() if path is not None else default_path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise FeedbackError(f"{target}: cannot open the feedback file ({exc})") from exc
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA secure_delete = ON")  # deleted text is overwritten, not left in free pages
        mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise FeedbackError(f"{target}: the file could not be switched to WAL mode ({mode})")
        connection.execute("PRAGMA synchronous = NORMAL")
        _migrate(connection, target)
    except sqlite3.DatabaseError as exc:
        connection.close()
        raise FeedbackError(f"{target}: not a feedback file ({exc})") from exc
    except BaseException:
        connection.close()
        raise
    return FeedbackStore(target, connection)


def _migrate(connection: sqlite3.Connection, path: Path) -> None:
    """Apply the migrations the file lacks, in one transaction that other writers wait for."""
    with closing(connection.cursor()) as cursor:
        cursor.execute("BEGIN IMMEDIATE")
        try:
            version = int(cursor.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise FeedbackError(
                    f"{path}: written by a newer version of the analyzer (schema {version}, this one knows "
                    f"{SCHEMA_VERSION})"
                )
            if version == 0 and cursor.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]:
                raise FeedbackError(f"{path}: a SQLite file, but not a feedback file")
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        cursor.execute(statement)
            cursor.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        cursor.execute("COMMIT")
