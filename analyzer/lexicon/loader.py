"""Lexicon files: the schema, loading, and the checks that need no pipeline.

Rules are data. A lexicon folder holds one YAML file per category; this module
turns those files into :class:`Lexicon` objects, or into a :class:`LexiconError`
that lists every problem as ``file:line: message``. Checks that need the spaCy
pipeline (phrases that tokenize, examples that behave) live in
:mod:`analyzer.training.validate`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, field_validator

from analyzer.errors import LexiconError, Problem
from analyzer.lexicon.article import References, load_references
from analyzer.lexicon.patterns import MAX_USER_PATTERNS, pattern_problems
from analyzer.lexicon.templates import MAX_ITEMS, TemplateError, builtin_slots, check_size, local_slot_problems
from analyzer.lexicon.yaml_lines import line_at, load_with_lines
from analyzer.resources import LEXICONS_DIR

BUILTIN_DIR = LEXICONS_DIR
REFERENCES_FILE = "strategies.yml"
DEFAULT_RULE_SCORE = 0.85

# Limits that keep a user's lexicon from slowing the matcher to a crawl.
MAX_RULES_PER_FILE = 5_000
MAX_PHRASES_PER_RULE = 300
MAX_PHRASE_CHARS = 120
MAX_TEMPLATES_PER_RULE = 50
MAX_TEMPLATE_CHARS = 12 * MAX_ITEMS
MAX_SLOT_ENTRIES = 300
MAX_FILE_BYTES = 2_000_000
# Token attributes a Matcher pattern may use without --trusted-lexicons:
# no REGEX or FUZZY, whose cost can explode on crafted input.
SAFE_PATTERN_KEYS = frozenset(
    {
        "ORTH",
        "TEXT",
        "LOWER",
        "NORM",
        "LEMMA",
        "IS_ALPHA",
        "IS_PUNCT",
        "IS_DIGIT",
        "LIKE_NUM",
        "OP",
        "IS_SENT_START",
        "LENGTH",
        "SHAPE",
    }
)
UNSAFE_PATTERN_OPERATORS = frozenset(
    {"REGEX", "FUZZY", "FUZZY1", "FUZZY2", "FUZZY3", "FUZZY4", "FUZZY5", "FUZZY6", "FUZZY7", "FUZZY8", "FUZZY9"}
)

Text = Annotated[str, Field(min_length=1, max_length=2_000)]
Id = Annotated[str, Field(pattern=r"^[a-z][a-z_]*$", max_length=64)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class CategoryModel(_Strict):
    id: Id
    label: Text
    color: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")] | None = None  # "#rrggbb", the same in every view
    sexism: StrictBool = True  # whether EDOS-style sexism datasets label it sexism (what their benchmarks count)
    description: Text
    strategies: list[Id] = Field(min_length=1)
    barriers: list[Id] = []
    roles: list[Id] = []


class ExamplesModel(_Strict):
    flag: list[Text] = Field(min_length=1)
    pass_: list[Text] = Field(alias="pass", min_length=1)


class RuleModel(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z0-9][a-z0-9-]*$", max_length=80)]
    phrases: list[Annotated[str, Field(min_length=1, max_length=MAX_PHRASE_CHARS)]] = Field(
        default=[], max_length=MAX_PHRASES_PER_RULE
    )
    patterns: list[list[dict[str, Any]]] = Field(default=[], max_length=50)
    # Claims with slots for who and how ("{other} {be} {adv}* overreacting"): see analyzer/lexicon/templates.py.
    templates: list[Annotated[str, Field(min_length=1, max_length=MAX_TEMPLATE_CHARS)]] = Field(
        default=[], max_length=MAX_TEMPLATES_PER_RULE
    )
    explanation: Text
    suggestion: Text | None = None
    replacement: Annotated[str, Field(min_length=1, max_length=MAX_PHRASE_CHARS)] | None = None
    strategies: list[Id] | None = None
    barriers: list[Id] | None = None
    roles: list[Id] | None = None
    score: float = Field(default=DEFAULT_RULE_SCORE, ge=0.0, le=1.0)
    unless: list[Annotated[str, Field(min_length=1, max_length=MAX_PHRASE_CHARS)]] = []
    # Templates of innocent senses: a match overlapping the hit clears it ("The rollback was a bitch").
    innocent: list[Annotated[str, Field(min_length=1, max_length=MAX_TEMPLATE_CHARS)]] = Field(
        default=[], max_length=MAX_TEMPLATES_PER_RULE
    )
    examples: ExamplesModel

    @field_validator("phrases", "unless", "templates", "innocent")
    @classmethod
    def _no_blank(cls, values: list[str]) -> list[str]:
        for value in values:
            if not value.strip():
                raise ValueError("a phrase may not be blank")
        return values


SlotName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)]


class LexiconFileModel(_Strict):
    category: CategoryModel
    # Word classes of this file's templates, beside the built-in ones (analyzer/data/slots.yml).
    slots: dict[SlotName, list[Annotated[str, Field(min_length=1, max_length=MAX_PHRASE_CHARS)]]] = Field(
        default={}, max_length=100
    )
    rules: list[RuleModel] = Field(min_length=1, max_length=MAX_RULES_PER_FILE)


@dataclass(frozen=True)
class Category:
    """A category of flag, with the article references its flags draw on."""

    id: str
    label: str
    description: str
    strategies: tuple[str, ...]
    barriers: tuple[str, ...]
    roles: tuple[str, ...]
    source: str
    builtin: bool
    color: str | None = None  # "#rrggbb" from the file; see analyzer.lexicon.palette for the views
    sexism: bool = True  # sexism datasets (EDOS) label its texts sexist: a benchmark on them counts its flags


@dataclass(frozen=True)
class Rule:
    """One lexicon rule: phrases that mean one thing, and what to say about it."""

    id: str
    category: str
    phrases: tuple[str, ...]
    patterns: tuple[tuple[dict[str, Any], ...], ...]
    explanation: str
    suggestion: str | None
    strategies: tuple[str, ...]
    barriers: tuple[str, ...]
    roles: tuple[str, ...]
    score: float
    unless: tuple[str, ...]
    flag_examples: tuple[str, ...]
    pass_examples: tuple[str, ...]
    file: str
    line: int
    example_lines: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False)
    templates: tuple[str, ...] = ()
    innocent: tuple[str, ...] = ()
    # The file's own word classes (name, entries), which its templates may use beside the built-in ones.
    slots: tuple[tuple[str, tuple[str, ...]], ...] = ()
    replacement: str | None = None  # plain words that can stand in for any of the phrases, when there are such


@dataclass(frozen=True)
class Lexicon:
    """Categories and rules from one or more lexicon folders, plus the references."""

    categories: dict[str, Category]
    rules: dict[str, Rule]
    references: References
    files: tuple[Path, ...]
    trusted: bool = True

    def rules_of(self, category: str) -> list[Rule]:
        return [r for r in self.rules.values() if r.category == category]

    @property
    def sexism_categories(self) -> frozenset[str]:
        """The categories that sexism datasets such as EDOS label sexist (each file's ``sexism``)."""
        return frozenset(c.id for c in self.categories.values() if c.sexism)


def lexicon_files(directory: Path) -> list[Path]:
    """The category files of a folder, sorted, without the references file."""
    if directory.is_file():
        return [directory]
    if not directory.is_dir():
        raise LexiconError([Problem(str(directory), 0, "no such lexicon folder")])
    return sorted(
        p
        for p in directory.iterdir()
        if p.suffix in (".yml", ".yaml") and p.name != REFERENCES_FILE and not p.name.startswith(".")
    )


def _parse_file(path: Path, trusted: bool, problems: list[Problem]) -> tuple[LexiconFileModel, Any] | None:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            problems.append(Problem(str(path), 1, f"file is larger than {MAX_FILE_BYTES} bytes"))
            return None
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(Problem(str(path), 1, "file is not UTF-8 text"))
        return None
    except OSError as exc:
        problems.append(Problem(str(path), 1, f"cannot read file: {exc.strerror or exc}"))
        return None
    try:
        raw = load_with_lines(text)
    except Exception as exc:  # yaml raises many types; all are the user's syntax problem
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(Problem(str(path), line, f"YAML syntax error: {problem}"))
        return None
    if not isinstance(raw, dict):
        problems.append(Problem(str(path), 1, "expected a mapping with 'category' and 'rules'"))
        return None
    try:
        model = LexiconFileModel.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            where = ".".join(str(p) for p in loc) or "file"
            msg = err["msg"]
            if err["type"] == "extra_forbidden":
                msg = "unknown field"
            problems.append(Problem(str(path), line_at(raw, loc), f"{where}: {msg}"))
        return None
    for r_index, rule in enumerate(model.rules):
        for p_index, pattern in enumerate(rule.patterns):
            line = line_at(raw, ("rules", r_index, "patterns", p_index))
            problems += [
                Problem(str(path), line, f"rules.{r_index}.patterns.{p_index}: {problem}")
                for problem in pattern_problems(pattern)
            ]
    if not trusted:
        for r_index, rule in enumerate(model.rules):
            for p_index, pattern in enumerate(rule.patterns):
                for t_index, token in enumerate(pattern):
                    bad = _unsafe_keys(token)
                    if bad:
                        loc = ("rules", r_index, "patterns", p_index, t_index)
                        problems.append(
                            Problem(
                                str(path),
                                line_at(raw, loc),
                                f"rules.{r_index}.patterns: {', '.join(sorted(bad))} is not allowed in "
                                "an untrusted lexicon (trust only lexicons you wrote yourself)",
                            )
                        )
    return model, raw


def _unsafe_keys(token: dict[str, Any]) -> set[str]:
    bad = {str(k) for k in token if str(k).upper() not in SAFE_PATTERN_KEYS}
    for value in token.values():
        if isinstance(value, dict):
            bad |= {str(k) for k in value if str(k).upper() in UNSAFE_PATTERN_OPERATORS}
    return bad


def load_lexicon(
    directories: Sequence[str | Path] = (),
    *,
    include_builtin: bool = True,
    trusted: bool = False,
    builtin_dir: str | Path | None = None,
) -> Lexicon:
    """Load the built-in lexicons plus the given folders (or files).

    Everything is checked before anything is returned: unknown fields, ids,
    article references, duplicates across files. All problems are reported at
    once so a trainer can fix a file in one pass.
    """
    base = Path(builtin_dir) if builtin_dir is not None else BUILTIN_DIR
    references = load_references(base / REFERENCES_FILE)
    problems: list[Problem] = []
    sources: list[tuple[Path, bool]] = []
    if include_builtin:
        sources += [(p, True) for p in lexicon_files(base)]
    for directory in directories:
        directory = Path(directory)
        if include_builtin and directory.resolve() == base.resolve():
            continue
        try:
            sources += [(p, False) for p in lexicon_files(directory)]
        except LexiconError as exc:
            problems += exc.problems
    categories: dict[str, Category] = {}
    rules: dict[str, Rule] = {}
    phrase_owner: dict[str, str] = {}
    user_patterns = 0
    for path, builtin in sources:
        parsed = _parse_file(path, trusted or builtin, problems)
        if parsed is None:
            continue
        model, raw = parsed
        if not builtin:
            user_patterns = _count_patterns(path, model, raw, user_patterns, problems)
        _add_file(path, builtin, model, raw, references, categories, rules, phrase_owner, problems)
    if problems:
        raise LexiconError(problems)
    return Lexicon(
        categories=categories,
        rules=rules,
        references=references,
        files=tuple(p for p, _ in sources),
        trusted=trusted,
    )


def _count_patterns(path: Path, model: LexiconFileModel, raw: Any, before: int, problems: list[Problem]) -> int:
    """``before`` plus the patterns of this file; the pattern that goes over :data:`MAX_USER_PATTERNS` is a problem."""
    count = before
    for r_index, rule in enumerate(model.rules):
        for p_index in range(len(rule.patterns)):
            count += 1
            if count == MAX_USER_PATTERNS + 1:
                line = line_at(raw, ("rules", r_index, "patterns", p_index))
                problems.append(
                    Problem(str(path), line, f"more than {MAX_USER_PATTERNS} token patterns in the added lexicons")
                )
    return count


def _add_file(
    path: Path,
    builtin: bool,
    model: LexiconFileModel,
    raw: Any,
    references: References,
    categories: dict[str, Category],
    rules: dict[str, Rule],
    phrase_owner: dict[str, str],
    problems: list[Problem],
) -> None:
    cat = model.category
    where = str(path)
    for name, message in local_slot_problems(model.slots, builtin_slots()):
        problems.append(Problem(where, line_at(raw, ("slots", name)), f"slots.{name}: {message}"))
    slots = builtin_slots().with_local(model.slots)
    local_slots = tuple((name, tuple(entries)) for name, entries in model.slots.items())
    for kind in ("strategies", "barriers", "roles"):
        for index, ref in enumerate(getattr(cat, kind)):
            if ref not in references.ids(kind):
                problems.append(
                    Problem(
                        where,
                        line_at(raw, ("category", kind, index)),
                        f"unknown {kind[:-1] if kind != 'strategies' else 'strategy'} id '{ref}'",
                    )
                )
    existing = categories.get(cat.id)
    if existing is not None:  # one file per category (SPEC): rules of a new kind take a new category id
        problems.append(
            Problem(
                where,
                line_at(raw, ("category", "id")),
                f"category '{cat.id}' is already defined in {existing.source}; give your category its own id",
            )
        )
    else:
        categories[cat.id] = Category(
            id=cat.id,
            label=cat.label,
            description=" ".join(cat.description.split()),
            strategies=tuple(cat.strategies),
            barriers=tuple(cat.barriers),
            roles=tuple(cat.roles),
            source=where,
            builtin=builtin,
            color=cat.color,
            sexism=cat.sexism,
        )
    for index, rule in enumerate(model.rules):
        line = line_at(raw, ("rules", index))
        if rule.id in rules:
            problems.append(Problem(where, line, f"rule id '{rule.id}' is already defined in {rules[rule.id].file}"))
            continue
        if not rule.phrases and not rule.patterns and not rule.templates:
            problems.append(Problem(where, line, f"rule '{rule.id}' needs at least one phrase, template or pattern"))
        for kind in ("templates", "innocent"):
            for t_index, template in enumerate(getattr(rule, kind)):
                try:
                    check_size(template, slots)
                except TemplateError as exc:
                    problems.append(
                        Problem(
                            where,
                            line_at(raw, ("rules", index, kind, t_index)),
                            f"rule '{rule.id}': {'template' if kind == 'templates' else 'innocent template'}"
                            f" '{template}': {exc}",
                        )
                    )
        for kind in ("strategies", "barriers", "roles"):
            for ref in getattr(rule, kind) or ():
                if ref not in references.ids(kind):
                    problems.append(Problem(where, line, f"rule '{rule.id}': unknown {kind} id '{ref}'"))
        for p_index, phrase in enumerate(rule.phrases):
            key = " ".join(phrase.lower().split())
            owner = phrase_owner.get(key)
            if owner is not None and owner != rule.id:
                problems.append(
                    Problem(
                        where,
                        line_at(raw, ("rules", index, "phrases", p_index)),
                        f"rule '{rule.id}': phrase '{phrase}' is already in rule '{owner}'",
                    )
                )
            phrase_owner[key] = rule.id
        category = categories.get(cat.id)
        rules[rule.id] = Rule(
            id=rule.id,
            category=cat.id,
            phrases=tuple(rule.phrases),
            patterns=tuple(tuple(tok for tok in pattern) for pattern in rule.patterns),
            explanation=" ".join(rule.explanation.split()),
            suggestion=" ".join(rule.suggestion.split()) if rule.suggestion else None,
            replacement=" ".join(rule.replacement.split()) if rule.replacement else None,
            strategies=tuple(rule.strategies or (category.strategies if category else cat.strategies)),
            barriers=tuple(rule.barriers if rule.barriers is not None else (category.barriers if category else ())),
            roles=tuple(rule.roles if rule.roles is not None else (category.roles if category else ())),
            score=rule.score,
            unless=tuple(rule.unless),
            flag_examples=tuple(rule.examples.flag),
            pass_examples=tuple(rule.examples.pass_),
            file=where,
            line=line,
            example_lines={
                "flag": tuple(
                    line_at(raw, ("rules", index, "examples", "flag", i)) for i in range(len(rule.examples.flag))
                ),
                "pass": tuple(
                    line_at(raw, ("rules", index, "examples", "pass", i)) for i in range(len(rule.examples.pass_))
                ),
            },
            templates=tuple(" ".join(t.split()) for t in rule.templates),
            innocent=tuple(" ".join(t.split()) for t in rule.innocent),
            slots=local_slots,
        )
