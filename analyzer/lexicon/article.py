"""The article's strategies, barriers and ally roles, loaded from ``strategies.yml``.

Flags point to these entries by id; keeping them as data means a trainer can
reword a summary without touching code, and the UI and the CLI show the same
text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from typing_extensions import TypedDict

from analyzer.errors import LexiconError, Problem
from analyzer.lexicon.yaml_lines import load_plain

KINDS = ("strategies", "barriers", "roles")


class ReferenceJSON(TypedDict):
    """An entry of the article as a flag's JSON names it."""

    __pydantic_config__ = {"use_attribute_docstrings": True}  # type: ignore[misc]  # noqa: RUF012

    id: str
    """The stable id (SPEC.md)."""
    title: str
    """The title as the article's section names it."""
    summary: str
    """What it asks of an ally, in the project's own words."""


@dataclass(frozen=True)
class Reference:
    """One entry of the article: a strategy, a barrier or an ally role."""

    id: str
    title: str
    summary: str
    kind: str
    section: str

    def to_dict(self) -> ReferenceJSON:
        return {"id": self.id, "title": self.title, "summary": self.summary}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], kind: str) -> Reference:
        """The entry a flag's JSON names (its section is not in the JSON, so it is left empty)."""
        if not isinstance(data, Mapping) or not all(isinstance(data.get(k), str) for k in ("id", "title", "summary")):
            raise TypeError(f"a reference in a flag's {kind} has a string id, title and summary")
        return cls(data["id"], data["title"], data["summary"], kind, "")


@dataclass(frozen=True)
class References:
    """All entries of ``strategies.yml``, looked up by kind and id."""

    by_kind: dict[str, dict[str, Reference]]
    source_title: str

    def get(self, kind: str, ref_id: str) -> Reference:
        return self.by_kind[kind][ref_id]

    def ids(self, kind: str) -> set[str]:
        return set(self.by_kind.get(kind, {}))

    def resolve(self, kind: str, ids: list[str] | tuple[str, ...]) -> tuple[Reference, ...]:
        table = self.by_kind[kind]
        return tuple(table[i] for i in ids if i in table)


def load_references(path: str | Path) -> References:
    """Read ``strategies.yml``; a malformed file is a :class:`LexiconError`."""
    path = Path(path)
    try:
        raw = load_plain(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LexiconError([Problem(str(path), _line_of(exc), f"cannot read: {exc}")]) from None
    problems: list[Problem] = []
    by_kind: dict[str, dict[str, Reference]] = {}
    if not isinstance(raw, dict):
        raise LexiconError([Problem(str(path), 1, "expected a mapping of kinds to entries")])
    for kind in (*KINDS, "case_studies"):
        block = raw.get(kind)
        if block is None and kind == "case_studies":
            continue
        if not isinstance(block, dict) or not isinstance(block.get("entries"), list):
            problems.append(Problem(str(path), 1, f"'{kind}' needs a 'section' and 'entries'"))
            continue
        table: dict[str, Reference] = {}
        for entry in block["entries"]:
            if not isinstance(entry, dict) or not all(
                isinstance(entry.get(k), str) and entry.get(k) for k in ("id", "title", "summary")
            ):
                problems.append(Problem(str(path), 1, f"every '{kind}' entry needs id, title, summary"))
                continue
            table[entry["id"]] = Reference(
                id=entry["id"],
                title=entry["title"],
                summary=" ".join(entry["summary"].split()),
                kind=kind,
                section=str(block.get("section", "")),
            )
        by_kind[kind] = table
    if problems:
        raise LexiconError(problems)
    source = raw.get("source") or {}
    return References(by_kind=by_kind, source_title=str(source.get("title", "")))


def _line_of(exc: BaseException) -> int:
    mark = getattr(exc, "problem_mark", None)
    return mark.line + 1 if mark is not None else 1
