"""Flags: what the analyzer found, why, and how sure it is.

A :class:`Candidate` is a mutable working record that pipeline components
pass along and annotate (each adds a :class:`ScoreStep`). The engine turns the
candidates that survive into immutable :class:`Flag` objects, which carry
their whole explanation: rule, category label, article references, and the
score history that led to the final score.

A flag has one JSON form, :class:`FlagJSON` (SPEC.md's flag): ``Flag.to_dict``
writes it and ``Flag.from_dict`` reads it back, so batch records, the report,
the app and the HTTP service (whose schema is built from :class:`FlagJSON`)
all read flags the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from typing_extensions import TypedDict

from analyzer.lexicon.article import Reference, ReferenceJSON


class ScoreStepJSON(TypedDict):
    """One step of a flag's score history."""

    # The service's schema (pydantic) takes each field's docstring as its description.
    __pydantic_config__ = {"use_attribute_docstrings": True}  # type: ignore[misc]  # noqa: RUF012

    step: str
    """What set the score: "lexicon", "context:<kind>", "classifier" or "threshold"."""
    score: float
    """The score after this step."""
    note: str
    """Why, in words."""


class FlagJSON(TypedDict):
    """A flag as SPEC.md defines it: the JSON of ``allyship analyze --format json``, batch records and the service."""

    __pydantic_config__ = {"use_attribute_docstrings": True}  # type: ignore[misc]  # noqa: RUF012

    start: int
    """Character offset of the phrase in the text (``text[start:end]`` is the phrase)."""
    end: int
    """Character offset just past the phrase."""
    text: str
    """The flagged phrase."""
    category: str
    """The category id."""
    label: str
    """The category as shown to people."""
    score: float
    """0..1, comparable across sources."""
    source: str
    """"lexicon" or "classifier"."""
    rule_id: str | None
    """The lexicon rule; null for a classifier flag."""
    explanation: str
    """Why this phrasing harms, in plain words."""
    suggestion: str | None
    """What to say instead; may be null."""
    strategies: list[ReferenceJSON]
    """The article's strategies that answer it (at least one)."""
    barriers: list[ReferenceJSON]
    """The barriers it reflects."""
    roles: list[ReferenceJSON]
    """The ally roles that answer it."""
    score_history: list[ScoreStepJSON]
    """Each step that set or changed the score, in order."""
    context_notes: list[str]
    """What the context checks noticed (quoted, negated...)."""
    top_words: list[str]
    """The words that weighed most in a classifier flag."""


class ScoreStep(NamedTuple):
    """One step that set or changed a flag's score, and why.

    A named tuple, not a frozen dataclass: every candidate gets several, and flag-dense text makes
    hundreds of thousands, which a frozen dataclass's ``__init__`` made several times dearer.
    """

    step: str  # "lexicon", "context:<kind>", "classifier", "threshold"
    score: float  # the score after this step
    note: str

    def to_dict(self) -> ScoreStepJSON:
        return {"step": self.step, "score": round(self.score, 4), "note": self.note}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScoreStep:
        return cls(str(data["step"]), float(data["score"]), str(data["note"]))


@dataclass(frozen=True)
class Verdict:
    """What one context check found about a finding, as fields the engine reads (never parsed from the note).

    ``applies``: the check rules the finding out (quoted, negated, praise...).
    ``endorsed``: it found its cue but the writer endorses the phrase ("... and he was right").
    ``overruled``: it found its cue but judged it does not change the reading (a negated
    imperative that still gives the advice, a rhetorical question). Both of the last two
    are worth telling the reader. ``check`` names the check ("negation", "praise"...).
    """

    applies: bool
    note: str
    endorsed: bool = False
    overruled: bool = False
    check: str = ""

    def named(self, check: str) -> Verdict:
        """The same verdict, saying which check gave it."""
        return Verdict(self.applies, self.note, self.endorsed, self.overruled, check)

    @property
    def worth_telling(self) -> bool:
        """A finding that stands although a check found its cue: the explanation says why it still stands."""
        return self.endorsed or self.overruled


@dataclass(slots=True)
class Candidate:
    """A possible flag while the pipeline is still deciding about it."""

    start: int  # token index
    end: int
    start_char: int
    end_char: int
    category: str
    source: str  # "lexicon" or "classifier"
    rule_id: str | None
    score: float
    history: list[ScoreStep] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    top_words: tuple[str, ...] = ()
    suppressed_by: str | None = None  # the context step that ruled it out
    verdicts: list[Verdict] = field(default_factory=list)  # what the context checks found, in order

    def step(self, step: str, score: float, note: str) -> None:
        if not 0.0 <= score <= 1.0:  # (NaN too: min/max make it 1.0) most scores need no clamping
            score = max(0.0, min(1.0, score))
        self.score = score
        self.history.append(ScoreStep(step, score, note))


@dataclass(frozen=True)
class Flag:
    """One explained flag, as promised by SPEC.md."""

    start: int
    end: int
    text: str
    category: str
    label: str
    score: float
    source: str
    rule_id: str | None
    explanation: str
    suggestion: str | None
    strategies: tuple[Reference, ...]
    barriers: tuple[Reference, ...]
    roles: tuple[Reference, ...]
    history: tuple[ScoreStep, ...] = ()
    notes: tuple[str, ...] = ()
    top_words: tuple[str, ...] = ()

    def cells(self) -> list[Any]:
        """The flag as table cells, for CSV: start, end, text, category, label, score, source, rule id,
        explanation, suggestion, then the titles of its strategies, barriers and roles."""
        return [
            self.start,
            self.end,
            self.text,
            self.category,
            self.label,
            round(self.score, 4),
            self.source,
            self.rule_id or "",
            self.explanation,
            self.suggestion or "",
            *("; ".join(r.title for r in refs) for refs in (self.strategies, self.barriers, self.roles)),
        ]

    def to_dict(self) -> FlagJSON:
        """The flag's JSON (:class:`FlagJSON`); :meth:`from_dict` gives the flag back."""
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "category": self.category,
            "label": self.label,
            "score": round(self.score, 4),
            "source": self.source,
            "rule_id": self.rule_id,
            "explanation": self.explanation,
            "suggestion": self.suggestion,
            "strategies": [r.to_dict() for r in self.strategies],
            "barriers": [r.to_dict() for r in self.barriers],
            "roles": [r.to_dict() for r in self.roles],
            "score_history": [s.to_dict() for s in self.history],
            "context_notes": list(self.notes),
            "top_words": list(self.top_words),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Flag:
        """The flag of its JSON (a batch record's, the service's): ``Flag.from_dict(d).to_dict() == d``.

        SPEC's fields are required; the ones beyond it (score history, context
        notes, top words) default to empty, as a record written elsewhere may
        leave them out. A value of the wrong shape raises ``KeyError``,
        ``TypeError`` or ``ValueError``.
        """
        if not isinstance(data, Mapping):
            raise TypeError(f"a flag is a JSON object, not {type(data).__name__}")
        start, end = data["start"], data["end"]
        if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
            raise TypeError("a flag's start and end are whole numbers")
        suggestion, rule_id = data["suggestion"], data["rule_id"]
        return cls(
            start=start,
            end=end,
            text=_text(data, "text"),
            category=_text(data, "category"),
            label=_text(data, "label"),
            score=float(data["score"]),
            source=_text(data, "source"),
            rule_id=None if rule_id is None else str(rule_id),
            explanation=_text(data, "explanation"),
            suggestion=None if suggestion is None else str(suggestion),
            strategies=_references(data["strategies"], "strategies"),
            barriers=_references(data["barriers"], "barriers"),
            roles=_references(data["roles"], "roles"),
            history=tuple(ScoreStep.from_dict(step) for step in data.get("score_history") or ()),
            notes=tuple(str(note) for note in data.get("context_notes") or ()),
            top_words=tuple(str(word) for word in data.get("top_words") or ()),
        )


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str):
        raise TypeError(f"a flag's {key} is a string")
    return value


def _references(items: Any, kind: str) -> tuple[Reference, ...]:
    if not isinstance(items, list):
        raise TypeError(f"a flag's {kind} is a list")
    return tuple(Reference.from_dict(item, kind) for item in items)


@dataclass(frozen=True)
class Suppressed:
    """A phrase that matched a rule but was not flagged, and the reason."""

    start: int
    end: int
    text: str
    category: str
    rule_id: str | None
    reason: str
    history: tuple[ScoreStep, ...]

    def to_dict(self) -> FlagJSON:
        """The flag's JSON (:class:`FlagJSON`); :meth:`from_dict` gives the flag back."""
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "category": self.category,
            "rule_id": self.rule_id,
            "reason": self.reason,
            "score_history": [s.to_dict() for s in self.history],
        }


@dataclass(frozen=True)
class AnalysisResult:
    """The flags of one text, sorted by position, with a summary."""

    text: str
    flags: tuple[Flag, ...]
    suppressed: tuple[Suppressed, ...] = ()

    @property
    def summary(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for flag in self.flags:
            counts[flag.category] = counts.get(flag.category, 0) + 1
        return {"flag_count": len(self.flags), "categories": counts}

    def to_dict(self, *, include_suppressed: bool = False) -> dict[str, Any]:
        """The JSON of ``allyship analyze --format json`` (and of the service's ``POST /v1/analyze``)."""
        out: dict[str, Any] = {"flags": [f.to_dict() for f in self.flags], "summary": self.summary}
        if include_suppressed:
            out["suppressed"] = [s.to_dict() for s in self.suppressed]
        return out
