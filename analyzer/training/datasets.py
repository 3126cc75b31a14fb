"""Labeled data for training and evaluation: the project's formats and three public datasets.

A trainer brings labeled sentences; the classifier needs ``(text, categories)``
pairs. This module turns a file into a list of :class:`Example` objects, or
into a one-line :class:`~analyzer.errors.DataError` that names the file and the
row, so ``allyship train`` can exit 2 with a message a trainer can act on.

Formats
-------

- **The project's own** (SPEC.md): ``.jsonl`` with fields ``text`` and
  ``categories``; ``.csv`` / ``.tsv`` with columns ``text`` and ``categories``.
  ``categories`` holds category ids separated by ``,`` (empty for a sentence
  that must not be flagged); in JSONL it may also be a list of ids. An optional
  ``split`` field or column (``train`` / ``dev`` / ``test``) is kept.
- **Public datasets**, recognised by their own columns (a file that has the
  ``text`` and ``categories`` columns is always read as the project's format):

  - EDOS, SemEval-2023 Task 10 (``rewire_id, text, label_sexist,
    label_category, label_vector, split``);
  - Guest et al. 2021, expert-annotated online misogyny (``final_labels.csv``:
    ``body, level_1, level_2, level_3, split``, ...);
  - Social Bias Frames, the aggregated files (``post, offensiveYN,
    targetCategory, targetMinority, targetStereotype``, ...). They have no split
    column; the split comes from the file name (``SBIC.v2.agg.trn|dev|tst.csv``).

  They are never copied into the repository: read them by path.

How public labels map onto the categories
-----------------------------------------

The public datasets annotate *sexism* or *misogyny*, with their own
taxonomies. Each label below maps to one SPEC category or to none (a negative).
The same table is :data:`LABEL_MAP`; a label missing from it is an error, so a
new release with a renamed label cannot be silently read as a negative.

| dataset | label | category | why |
| --- | --- | --- | --- |
| EDOS | `none` (not sexist) | — | negative |
| EDOS | `1.1 threats of harm` | gendered_hostility | threats aimed at women |
| EDOS | `1.2 incitement and encouragement of harm` | gendered_hostility | calls for harm are threats by proxy |
| EDOS | `2.1 descriptive attacks` | gendered_hostility | derogation of women |
| EDOS | `2.2 aggressive and emotive attacks` | gendered_hostility | derogation of women |
| EDOS | `2.3 dehumanising attacks & overt sexual objectification` | gendered_hostility | SPEC names objectification |
| EDOS | `3.1 casual use of gendered slurs, profanities, and insults` | gendered_hostility | SPEC names slurs |
| EDOS | `3.2 immutable gender differences and gender stereotypes` | gender_stereotype | stereotypes |
| EDOS | `3.3 backhanded gendered compliments` | gender_stereotype | SPEC names backhanded compliments |
| EDOS | `3.4 condescending explanations or unwelcome advice` | dismissive | talking down brushes a woman's view aside |
| EDOS | `4.1 supporting mistreatment of individual women` | excusing_harassment | defends what was done to a woman |
| EDOS | `4.2 supporting systemic discrimination against women as a group` | gender_stereotype | see note 1 |
| Guest | `None_of_the_categories` | — | negative |
| Guest | `Counter_speech` | — | challenges misogyny: a hard negative |
| Guest | `Nonmisogynistic_personal_attack` (any recipient) | — | an insult, but not a gendered one |
| Guest | `Misogynistic_pejorative` | gendered_hostility | gendered slurs and insults |
| Guest | `Misogynistic_personal_attack` (any recipient) | gendered_hostility | a gendered insult aimed at a person |
| Guest | `Derogation` / `Moral_inferiority` | gendered_hostility | "women are trash"-style derogation |
| Guest | `Derogation` / `Sexual_or_physical_limitations` | gendered_hostility | derogation of bodies |
| Guest | `Derogation` / `Other` | gendered_hostility | derogation of women |
| Guest | `Derogation` / `Intellectual_inferiority` | gender_stereotype | the competence stereotype |
| Guest | `Treatment` / `Disrespectful_actions_*` | gendered_hostility | controlling or objectifying |
| Guest | `Treatment` / every `Threatening_*` | gendered_hostility | threats aimed at women |
| SBIC | offensive, gender, targets women (note 2) | gendered_hostility | offensive content aimed at women |
| SBIC | everything else | — | negative: not aimed at women |

Notes on the choices:

1. EDOS 4.2 argues that women as a group are less fit for some roles or
   rights. That is the stereotype the SPEC category covers ("too emotional to
   lead"), not a defence of one harasser, so it is not excusing_harassment.
2. SBIC "offensive, gender, targets women" means ``offensiveYN`` ≥ 0.5,
   ``targetCategory`` includes ``gender``, and a ``targetMinority`` entry
   contains *women*, *woman*, *girl(s)*, *female(s)* or starts with
   *feminist*. A stereotype-vs-abuse split (``targetStereotype`` present and
   not overtly abusive → gender_stereotype) was considered and rejected: SBIC
   fills ``targetStereotype`` for all but a handful of the offensive posts that
   target women, and ``intentYN`` is ≥ 0.5 for about 96% of them, so neither
   column tells a stereotype from an attack.
3. Guest posts with an empty ``body`` (image-only posts, a dozen in the
   release) are skipped: there is no text to learn from. In the project's own
   formats an empty text is an error, because there it is always a mistake.
4. A Guest ``level_2/level_3`` pair that the table does not list falls back to
   the ``level_2`` row. Each Guest row is also checked against ``level_1``
   (Misogynistic exactly when the mapped category is not empty).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.errors import DataError

# Fields larger than this are almost certainly a broken quote swallowing the rest of the file;
# Python's default (128 KiB) is too small for long Reddit posts, so raise it, but not without bound.
MAX_FIELD_CHARS = 10_000_000

SPLITS = ("train", "dev", "test")
_SPLIT_ALIASES = {
    "train": "train",
    "trn": "train",
    "training": "train",
    "dev": "dev",
    "val": "dev",
    "valid": "dev",
    "validation": "dev",
    "test": "test",
    "tst": "test",
}

# The one mapping table (see the module docstring for the reasons). Keys are (dataset, label);
# Guest labels are "level_2" or "level_2/level_3"; a value of None means "no category" (a negative).
LABEL_MAP: dict[tuple[str, str], str | None] = {
    ("edos", "none"): None,
    ("edos", "1.1 threats of harm"): "gendered_hostility",
    ("edos", "1.2 incitement and encouragement of harm"): "gendered_hostility",
    ("edos", "2.1 descriptive attacks"): "gendered_hostility",
    ("edos", "2.2 aggressive and emotive attacks"): "gendered_hostility",
    ("edos", "2.3 dehumanising attacks & overt sexual objectification"): "gendered_hostility",
    ("edos", "3.1 casual use of gendered slurs, profanities, and insults"): "gendered_hostility",
    ("edos", "3.2 immutable gender differences and gender stereotypes"): "gender_stereotype",
    ("edos", "3.3 backhanded gendered compliments"): "gender_stereotype",
    ("edos", "3.4 condescending explanations or unwelcome advice"): "dismissive",
    ("edos", "4.1 supporting mistreatment of individual women"): "excusing_harassment",
    ("edos", "4.2 supporting systemic discrimination against women as a group"): "gender_stereotype",
    ("guest", "None_of_the_categories"): None,
    ("guest", "Counter_speech"): None,
    ("guest", "Nonmisogynistic_personal_attack"): None,
    ("guest", "Misogynistic_pejorative"): "gendered_hostility",
    ("guest", "Misogynistic_personal_attack"): "gendered_hostility",
    ("guest", "Derogation"): "gendered_hostility",
    ("guest", "Derogation/Moral_inferiority"): "gendered_hostility",
    ("guest", "Derogation/Sexual_or_physical_limitations"): "gendered_hostility",
    ("guest", "Derogation/Other"): "gendered_hostility",
    ("guest", "Derogation/Intellectual_inferiority"): "gender_stereotype",
    ("guest", "Treatment"): "gendered_hostility",
    ("sbic", "offensive, gender, targets women"): "gendered_hostility",
    ("sbic", "other"): None,
}

# Columns that identify each public format (a subset of the file's header).
PUBLIC_SIGNATURES: dict[str, frozenset[str]] = {
    "edos": frozenset({"rewire_id", "text", "label_sexist", "label_vector"}),
    "guest": frozenset({"body", "level_1", "level_2", "level_3"}),
    "sbic": frozenset({"post", "offensiveYN", "targetCategory", "targetMinority", "targetStereotype"}),
}
FORMAT_NAMES = {"edos": "EDOS", "guest": "Guest et al.", "sbic": "Social Bias Frames", "project": "project"}

_WOMEN_TARGET = re.compile(r"\b(?:women|woman|girls?|females?)\b|^feminist")
_SBIC_SPLIT = re.compile(r"\.(trn|dev|tst)\.csv$", re.IGNORECASE)


@dataclass(frozen=True)
class Example:
    """One labeled text: an empty ``categories`` is a negative (a text that must not be flagged).

    ``source`` and ``row`` say where it came from, so a surprising training
    example can be traced back to the line a trainer has to fix.
    """

    text: str
    categories: frozenset[str]
    source: str
    row: int
    split: str | None = None


class _RowError(Exception):
    """A problem in one row; turned into a DataError with the file and row by the caller."""


def load_labeled(
    path: str | Path,
    *,
    known_categories: set[str] | frozenset[str],
    text_column: str = "text",
    categories_column: str = "categories",
) -> list[Example]:
    """Read a labeled data file (project format, EDOS, Guest et al. or Social Bias Frames).

    Every category must be one of ``known_categories`` (the categories of the
    loaded lexicons), so a typo in a data file fails loudly instead of training
    a category nobody can see. Raises :class:`DataError` naming the file and the row.
    """
    path = Path(path)
    known = frozenset(known_categories)
    if not path.is_file():
        raise DataError(f"{path}: no such data file")
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return _load_jsonl(path, known, text_column, categories_column)
    if suffix in (".csv", ".tsv"):
        return _load_table(path, known, text_column, categories_column, delimiter="\t" if suffix == ".tsv" else ",")
    raise DataError(f"{path}: unsupported data file type '{path.suffix}' (use .jsonl, .csv or .tsv)")


def detect_format(columns: Sequence[str], *, text_column: str = "text", categories_column: str = "categories") -> str:
    """``"project"``, ``"edos"``, ``"guest"`` or ``"sbic"`` from a table's header, or ``"unknown"``.

    The project's own columns win, so a trainer who adds a ``categories`` column
    to a copy of a public file gets exactly the labels they wrote.
    """
    header = set(columns)
    if text_column in header and categories_column in header:
        return "project"
    for name, signature in PUBLIC_SIGNATURES.items():
        if signature <= header:
            return name
    return "unknown"


def parse_categories(value: Any, known: frozenset[str]) -> frozenset[str]:
    """Category ids from ``"a,b"``, ``""`` or ``["a", "b"]``; unknown ids and wrong types raise."""
    if isinstance(value, str):
        ids = [part.strip() for part in value.split(",")]
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        ids = [item.strip() for item in value]
    else:
        raise _RowError(
            f"'categories' must be a string of ids separated by ',' or a list of ids, not {type(value).__name__}"
        )
    ids = [i for i in ids if i]
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise _RowError(f"unknown category {unknown[0]!r} (known: {', '.join(sorted(known)) or 'none'})")
    return frozenset(ids)


def normalize_split(value: Any) -> str | None:
    """``train`` / ``dev`` / ``test`` (or ``None`` when empty); common aliases such as ``validation`` accepted."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise _RowError(f"'split' must be a string, not {type(value).__name__}")
    key = value.strip().lower()
    if not key:
        return None
    if key not in _SPLIT_ALIASES:
        raise _RowError(f"unknown split {value!r} (use {', '.join(SPLITS)})")
    return _SPLIT_ALIASES[key]


# --- JSONL ------------------------------------------------------------------------------------------------------


def _load_jsonl(path: Path, known: frozenset[str], text_column: str, categories_column: str) -> list[Example]:
    examples: list[Example] = []
    line_no = 0
    try:
        with path.open(encoding="utf-8-sig", newline=None) as handle:
            for line_no, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    examples.append(_jsonl_example(line, path, line_no, known, text_column, categories_column))
                except _RowError as exc:
                    raise DataError(f"{path} line {line_no}: {exc}") from None
    except UnicodeDecodeError:
        raise DataError(f"{path} line {line_no + 1}: not valid UTF-8 text") from None
    return examples


def _jsonl_example(
    line: str, path: Path, line_no: int, known: frozenset[str], text_column: str, categories_column: str
) -> Example:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _RowError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise _RowError(
            f"expected a JSON object with '{text_column}' and '{categories_column}', not {type(record).__name__}"
        )
    for field in (text_column, categories_column):
        if field not in record:
            raise _RowError(f"missing field '{field}'")
    text = record[text_column]
    if not isinstance(text, str):
        raise _RowError(f"'{text_column}' must be a string, not {type(text).__name__}")
    if not text.strip():
        raise _RowError(f"empty '{text_column}'")
    categories = parse_categories(record[categories_column], known)
    return Example(text, categories, str(path), line_no, normalize_split(record.get("split")))


# --- CSV / TSV --------------------------------------------------------------------------------------------------


def _load_table(
    path: Path, known: frozenset[str], text_column: str, categories_column: str, *, delimiter: str
) -> list[Example]:
    if csv.field_size_limit() < MAX_FIELD_CHARS:
        csv.field_size_limit(MAX_FIELD_CHARS)
    row_no = 0
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            header = [name.strip() for name in next(reader, [])]
            if not header:
                raise DataError(f"{path} header row: the file is empty")
            kind = detect_format(header, text_column=text_column, categories_column=categories_column)
            if kind == "unknown":
                missing = [c for c in (text_column, categories_column) if c not in header]
                raise DataError(
                    f"{path} header row: missing column {', '.join(repr(m) for m in missing)} "
                    f"(columns: {', '.join(header)})"
                )
            convert = _CONVERTERS[kind]
            examples: list[Example] = []
            sbic_split = _split_from_sbic_name(path) if kind == "sbic" else None
            for row_no, values in enumerate(reader, start=1):
                if not any(v.strip() for v in values):
                    continue  # a blank line (or a row of empty fields) in a hand-edited file
                if len(values) != len(header):
                    raise DataError(
                        f"{path} row {row_no}: {len(values)} fields where the header has {len(header)} "
                        "(an unquoted delimiter or quote?)"
                    )
                record = dict(zip(header, values, strict=True))
                try:
                    example = convert(record, str(path), row_no, known, text_column, categories_column)
                except _RowError as exc:
                    where = "" if kind == "project" else f" ({FORMAT_NAMES[kind]} format)"
                    raise DataError(f"{path} row {row_no}{where}: {exc}") from None
                if example is not None:
                    if sbic_split is not None and example.split is None:
                        example = Example(example.text, example.categories, example.source, example.row, sbic_split)
                    examples.append(example)
            return examples
    except csv.Error as exc:
        raise DataError(
            f"{path} row {row_no + 1}: malformed {'TSV' if delimiter == chr(9) else 'CSV'} ({exc})"
        ) from None
    except UnicodeDecodeError:
        raise DataError(f"{path} row {row_no + 1}: not valid UTF-8 text") from None


def _project_row(
    record: Mapping[str, str], source: str, row: int, known: frozenset[str], text_column: str, categories_column: str
) -> Example:
    text = record[text_column]
    if not text.strip():
        raise _RowError(f"empty '{text_column}'")
    categories = parse_categories(record[categories_column], known)
    return Example(text, categories, source, row, normalize_split(record.get("split")))


def _mapped(dataset: str, label: str, known: frozenset[str]) -> frozenset[str]:
    """The categories of a public label per :data:`LABEL_MAP`; unmapped labels and unknown targets raise."""
    if (dataset, label) not in LABEL_MAP:
        raise _RowError(f"label {label!r} is not in the mapping table (analyzer.training.datasets.LABEL_MAP)")
    category = LABEL_MAP[(dataset, label)]
    if category is None:
        return frozenset()
    if category not in known:
        raise _RowError(
            f"label {label!r} maps to category {category!r}, which no loaded lexicon defines "
            f"(known: {', '.join(sorted(known)) or 'none'})"
        )
    return frozenset({category})


def _edos_row(
    record: Mapping[str, str], source: str, row: int, known: frozenset[str], _text: str, _categories: str
) -> Example | None:
    text = record["text"]
    if not text.strip():
        return None
    vector = record["label_vector"].strip()
    sexist = record["label_sexist"].strip().lower()
    if sexist not in ("sexist", "not sexist"):
        raise _RowError(f"label_sexist must be 'sexist' or 'not sexist', not {record['label_sexist']!r}")
    categories = _mapped("edos", vector, known)
    if (sexist == "sexist") != (vector != "none"):
        raise _RowError(f"label_sexist {sexist!r} contradicts label_vector {vector!r}")
    return Example(text, categories, source, row, normalize_split(record.get("split")))


def _guest_row(
    record: Mapping[str, str], source: str, row: int, known: frozenset[str], _text: str, _categories: str
) -> Example | None:
    text = record["body"]
    if not text.strip():
        return None  # image-only post: nothing to learn from (see the module docstring)
    level_2 = record["level_2"].strip()
    level_3 = record["level_3"].strip()
    key = f"{level_2}/{level_3}" if ("guest", f"{level_2}/{level_3}") in LABEL_MAP else level_2
    categories = _mapped("guest", key, known)
    level_1 = record["level_1"].strip()
    if level_1 not in ("Misogynistic", "Nonmisogynistic"):
        raise _RowError(f"level_1 must be 'Misogynistic' or 'Nonmisogynistic', not {level_1!r}")
    if (level_1 == "Misogynistic") != bool(categories):
        raise _RowError(f"level_1 {level_1!r} contradicts level_2 {level_2!r}")
    return Example(text, categories, source, row, normalize_split(record.get("split")))


def _sbic_row(
    record: Mapping[str, str], source: str, row: int, known: frozenset[str], _text: str, _categories: str
) -> Example | None:
    text = record["post"]
    if not text.strip():
        return None
    try:
        offensive = float(record["offensiveYN"]) if record["offensiveYN"].strip() else 0.0
    except ValueError:
        raise _RowError(f"offensiveYN must be a number, not {record['offensiveYN']!r}") from None
    target_categories = _json_list(record["targetCategory"], "targetCategory")
    targets = [
        part.strip().lower()
        for entry in _json_list(record["targetMinority"], "targetMinority")
        for part in entry.split(",")
    ]
    women = any(_WOMEN_TARGET.search(t) for t in targets)
    label = (
        "offensive, gender, targets women" if offensive >= 0.5 and "gender" in target_categories and women else "other"
    )
    return Example(text, _mapped("sbic", label, known), source, row, normalize_split(record.get("split")))


def _json_list(value: str, column: str) -> list[str]:
    """SBIC's aggregated list columns are JSON lists; the per-annotator files hold a plain string."""
    value = value.strip()
    if not value:
        return []
    if not value.startswith("["):
        return [value]
    try:
        items = json.loads(value)
    except json.JSONDecodeError:
        raise _RowError(f"{column} is not a valid JSON list") from None
    if not isinstance(items, list):
        raise _RowError(f"{column} is not a JSON list")
    return [str(item) for item in items]


def _split_from_sbic_name(path: Path) -> str | None:
    match = _SBIC_SPLIT.search(path.name)
    return _SPLIT_ALIASES[match.group(1).lower()] if match else None


_CONVERTERS = {"project": _project_row, "edos": _edos_row, "guest": _guest_row, "sbic": _sbic_row}
