"""Flags: what the analyzer found, why, and how sure it is.

A :class:`Candidate` is a mutable working record that pipeline components
pass along and annotate (each adds a :class:`ScoreStep`). The engine turns the
candidates that survive into immutable :class:`Flag` objects, which carry
their whole explanation: rule, category label, article references, and the
score history that led to the final score.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from analyzer.lexicon.references import Reference


@dataclass(frozen=True)
class ScoreStep:
    """One step that set or changed a flag's score, and why."""

    step: str  # "lexicon", "context:<kind>", "classifier", "threshold"
    score: float  # the score after this step
    note: str

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "score": round(self.score, 4), "note": self.note}


@dataclass
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

    def step(self, step: str, score: float, note: str) -> None:
        self.score = max(0.0, min(1.0, score))
        self.history.append(ScoreStep(step, self.score, note))


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

    def to_dict(self) -> dict[str, Any]:
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

    def to_dict(self) -> dict[str, Any]:
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
        out: dict[str, Any] = {"flags": [f.to_dict() for f in self.flags], "summary": self.summary}
        if include_suppressed:
            out["suppressed"] = [s.to_dict() for s in self.suppressed]
        return out
