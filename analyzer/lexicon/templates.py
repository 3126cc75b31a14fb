"""Rule templates: a claim written once, with slots for who says it and how.

``"{other} {be} {adv}* overreacting"`` matches "You're overreacting", "I think
Priya is overreacting", "They are totally overreacting" and, as a question,
"Aren't you overreacting?". A template is a line of items separated by spaces:

- ``word`` a word, compared on the normalizer's key (its lemma), so
  "overreacting" also matches "overreacted"; ``a|an|the`` any one of them;
- ``{slot}`` any entry of a word class (``analyzer/data/slots.yml``, or the
  lexicon file's own ``slots:``); ``{name}`` a capitalized word that is no
  common English word; ``{women_pronoun}`` a "they" or "them" that refers back
  to women (:mod:`analyzer.pipeline.references`); ``_`` any one word; ``...`` up
  to four words;
- ``!{slot}`` or ``!a|b`` any one word but these (the slot's one-word entries);
  ``=word`` the word exactly as written (``='s`` is a possessive, not "is");
- a suffix ``?`` (may be left out), ``*`` (up to three words) or ``+`` (one to
  three words).

Templates compile to spaCy ``Matcher`` token patterns over keys with bounded
repetition only: no regular expressions, so a user's lexicon cannot make
matching slow. Parsing needs no pipeline (the loader reports errors as
``file:line``); compiling needs each word's key, which the matcher supplies.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from analyzer.lexicon.yaml_lines import load_plain
from analyzer.resources import DATA_DIR

SLOTS_FILE = DATA_DIR / "slots.yml"
NAME_ATTR = "allyship_name"  # the Token extension a {name} slot matches (set up by the lexicon matcher)
WOMEN_PRONOUN_ATTR = "allyship_women_pronoun"  # the one {women_pronoun} matches (analyzer.pipeline.references)
# Slots that no list can state: each matches the tokens for which its Token extension is true.
EXTENSION_SLOTS = {"name": NAME_ATTR, "women_pronoun": WOMEN_PRONOUN_ATTR}
MAX_REPEAT = 3  # words a '*' or '+' item may take
MAX_GAP = 4  # words a '...' item may take
MAX_PATTERNS = 400  # Matcher patterns one template may expand to
MAX_ITEMS = 16
MAX_SLOT_DEPTH = 4
_MODIFIERS = {"?": (0, 1), "*": (0, MAX_REPEAT), "+": (1, MAX_REPEAT)}


class TemplateError(ValueError):
    """A template that cannot be read or compiled; the message says why, in a line."""


@dataclass(frozen=True)
class Item:
    """One item of a template: ``kind`` is words, exact, slot, any, extension (its one word names it), gap or
    not; ``lo``/``hi`` how often."""

    kind: str
    words: tuple[str, ...] = ()
    slot: str = ""
    lo: int = 1
    hi: int = 1
    text: str = ""

    @property
    def required_word(self) -> bool:
        return self.kind in ("words", "exact") and self.lo >= 1


@dataclass(frozen=True)
class Spec:
    """One Matcher token: its attributes, how often it may occur, and the template item it stands for."""

    attrs: tuple[tuple[str, Any], ...]
    lo: int = 1
    hi: int = 1
    item: int = -1

    def pattern(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in self.attrs:
            if key == "_":
                out[key] = {value: True}  # a Token extension that must be true
            elif key == "NOT_LEMMA":
                out["LEMMA"] = {"NOT_IN": list(value)}
            else:
                out[key] = {"IN": list(value)} if isinstance(value, tuple) else value
        if (self.lo, self.hi) == (0, 1):
            out["OP"] = "?"
        elif (self.lo, self.hi) != (1, 1):
            out["OP"] = f"{{{self.lo},{self.hi}}}" if self.lo else f"{{,{self.hi}}}"
        return out

    @property
    def lemmas(self) -> tuple[str, ...] | None:
        """The keys of a plain word spec (one key or a set), else None."""
        if len(self.attrs) == 1 and self.attrs[0][0] == "LEMMA":
            value = self.attrs[0][1]
            return value if isinstance(value, tuple) else (value,)
        return None


@dataclass(frozen=True)
class Compiled:
    """One Matcher pattern of a template; ``question`` when it is the inverted (question) form."""

    specs: tuple[Spec, ...]
    question: bool = False

    def pattern(self) -> list[dict[str, Any]]:
        return [s.pattern() for s in self.specs]

    @property
    def breadth(self) -> int:
        """How many words its first required token accepts (a wildcard or a {name}: very many).

        A template's first required token is usually who the claim is about; a rule whose
        widest pattern accepts fewer words makes a narrower claim ("women" rather than anyone).
        """
        for spec in self.specs:
            if spec.lo >= 1:
                key, value = spec.attrs[0]
                if key in ("LEMMA", "LOWER", "ORTH"):
                    return len(value) if isinstance(value, tuple) else 1
                return 1_000_000
        return 1_000_000

    @property
    def reach(self) -> int:
        """The most tokens a match of this pattern can span."""
        return sum(s.hi for s in self.specs)

    def anchor(self, literal: set[int], common: frozenset[str] = frozenset()) -> tuple[str, tuple[str, ...]] | None:
        """(attribute, values) of a token every match holds, taken from a plain word of the template
        (item numbers in ``literal``): where to look for matches in a long text.

        The rarest such word is wanted: one with no ``common`` word among its values, then
        one whose values are all four letters or more, then the last (a claim's content word
        usually ends it).
        """
        found: list[tuple[bool, int, int, str, tuple[str, ...]]] = []
        for n, spec in enumerate(self.specs):
            if spec.lo >= 1 and spec.item in literal and spec.attrs[0][0] in ("LEMMA", "LOWER"):
                value = spec.attrs[0][1]
                values = value if isinstance(value, tuple) else (value,)
                rare = not common.intersection(values)
                found.append((rare, min(4, min(len(v) for v in values)), n, spec.attrs[0][0], values))
        if not found:
            return None
        *_, attr, values = max(found)
        return attr, values


@dataclass(frozen=True)
class SlotTable:
    """The word classes a template may name, with the rules for the question form."""

    slots: Mapping[str, tuple[str, ...]]
    question_subjects: frozenset[str] = frozenset()
    question_verbs: frozenset[str] = frozenset()
    auxiliary: str = "aux"
    negation: str = "not"
    not_names: frozenset[str] = frozenset()
    common: frozenset[str] = frozenset()  # keys too common to look for a template's matches by
    question_openers: frozenset[str] = frozenset()  # words that may come before a question's fronted auxiliary
    reference_pronouns: frozenset[str] = frozenset()  # pronouns that may fill {women_pronoun}
    reference_women: frozenset[str] = frozenset()  # keys of person words that name women, for {women_pronoun}
    _parsed: dict[str, tuple[tuple[Item, ...], ...]] = field(default_factory=dict, compare=False, repr=False)
    # slot expansions already built, per keys mapping (held, so its id stays its own): {id: (keys, {...})}
    _expanded: dict[int, tuple[object, dict]] = field(default_factory=dict, compare=False, repr=False)

    def expansions(self, keys: object) -> dict[tuple[str, int, int], list[tuple[Spec, ...]]]:
        """The memo of slot expansions made with ``keys`` (every template of a lexicon shares them)."""
        held = self._expanded.get(id(keys))
        if held is None or held[0] is not keys:
            if len(self._expanded) > 8:
                self._expanded.clear()
            held = self._expanded[id(keys)] = (keys, {})
        return held[1]

    def with_local(self, local: Mapping[str, Sequence[str]]) -> SlotTable:
        """This table plus a lexicon file's own ``slots:`` (which may not redefine a built-in class)."""
        if not local:
            return self
        merged = dict(self.slots)
        merged.update({k: tuple(v) for k, v in local.items()})
        return replace(self, slots=merged, _parsed={}, _expanded={})

    def entries(self, name: str) -> tuple[tuple[Item, ...], ...]:
        """The parsed entries of slot ``name`` (each a short template)."""
        parsed = self._parsed.get(name)
        if parsed is None:
            if name not in self.slots:
                raise TemplateError(f"unknown slot '{{{name}}}' (known: {', '.join(sorted(self.slots))})")
            parsed = tuple(parse(entry, where=f"slot '{name}'") for entry in self.slots[name])
            self._parsed[name] = parsed
        return parsed


@lru_cache(maxsize=1)
def builtin_slots() -> SlotTable:
    """The word classes of ``analyzer/data/slots.yml``."""
    raw = load_plain(SLOTS_FILE.read_text(encoding="utf-8"))
    questions = raw.get("questions") or {}
    references = raw.get("references") or {}
    table = SlotTable(
        slots={str(k): tuple(str(v) for v in values) for k, values in raw["slots"].items()},
        question_subjects=frozenset(questions.get("subjects") or ()),
        question_verbs=frozenset(questions.get("verbs") or ()),
        auxiliary=str(questions.get("auxiliary", "aux")),
        not_names=frozenset(str(w).lower() for w in raw.get("not_names") or ()),
        common=frozenset(str(w).lower() for w in raw.get("common") or ()),
        question_openers=frozenset(str(w).lower() for w in questions.get("openers") or ()),
        reference_pronouns=frozenset(str(w).lower() for w in references.get("pronouns") or ()),
        reference_women=frozenset(str(w).lower() for w in references.get("women") or ()),
    )
    for name in table.slots:  # a broken built-in class is a bug: fail at start-up, not on some rule
        check_slot(table, name)
    return table


def parse(text: str, where: str = "template") -> tuple[Item, ...]:
    """The items of one template line; :class:`TemplateError` for anything malformed."""
    parts = text.split()
    if not parts:
        raise TemplateError(f"{where} is empty")
    if len(parts) > MAX_ITEMS:
        raise TemplateError(f"{where} has more than {MAX_ITEMS} items")
    return tuple(_parse_item(part, where) for part in parts)


def _parse_item(part: str, where: str) -> Item:
    if part == "...":
        return Item("gap", lo=0, hi=MAX_GAP, text=part)
    lo, hi, body = 1, 1, part
    if len(part) > 1 and part[-1] in _MODIFIERS:
        lo, hi = _MODIFIERS[part[-1]]
        body = part[:-1]
        if body.endswith(tuple(_MODIFIERS)) or body == "...":
            raise TemplateError(f"{where}: '{part}' has more than one modifier")
    if body == "_":
        return Item("any", lo=lo, hi=hi, text=part)
    if body.startswith("!"):
        inner = _parse_item(body[1:], where) if len(body) > 1 else None
        if inner is None or inner.kind not in ("words", "slot") or (inner.lo, inner.hi) != (1, 1):
            raise TemplateError(f"{where}: '{part}': write '!' before a slot or words, as in !{{person}} or !she|he")
        return Item("not", words=inner.words, slot=inner.slot, lo=lo, hi=hi, text=part)
    if body.startswith("="):
        words = tuple(body[1:].split("|"))
        if any(not w for w in words):
            raise TemplateError(f"{where}: '{part}' needs a word after '='")
        return Item("exact", words=tuple(w.lstrip("=").lower() for w in words), lo=lo, hi=hi, text=part)
    if body.startswith("{") or body.endswith("}"):
        name = body[1:-1]
        if not (body.startswith("{") and body.endswith("}")) or not name.replace("_", "").isalnum():
            raise TemplateError(f"{where}: '{part}' is not a slot; write a slot alone, as {{person}}")
        if name in EXTENSION_SLOTS:
            return Item("extension", words=(name,), lo=lo, hi=min(hi, 1), text=part)
        return Item("slot", slot=name, lo=lo, hi=hi, text=part)
    words = tuple(w for w in body.split("|"))
    if any(not w for w in words):
        raise TemplateError(f"{where}: '{part}' has an empty alternative")
    if any(ch in w for w in words for ch in "{}"):
        raise TemplateError(f"{where}: '{part}' mixes a slot into words; give the slot its own item")
    return Item("words", words=words, lo=lo, hi=hi, text=part)


def check_slot(table: SlotTable, name: str, depth: int = 0, seen: tuple[str, ...] = ()) -> None:
    """Every slot an entry names exists, with no cycle and no deeper nesting than ``MAX_SLOT_DEPTH``."""
    if name in seen:
        raise TemplateError(f"slot '{name}' refers to itself through {' -> '.join((*seen, name))}")
    if depth > MAX_SLOT_DEPTH:
        raise TemplateError(f"slots nest deeper than {MAX_SLOT_DEPTH} levels at '{name}'")
    for entry in table.entries(name):
        for item in entry:
            if item.slot:
                check_slot(table, item.slot, depth + 1, (*seen, name))


def check(text: str, table: SlotTable) -> tuple[Item, ...]:
    """Parse ``text`` and check it against ``table``; the items, or :class:`TemplateError`."""
    items = parse(text)
    for item in items:
        if item.slot:
            check_slot(table, item.slot)
    if not any(item.required_word for item in items):
        raise TemplateError(
            "a template needs at least one plain word that is not optional (it is what the matcher looks for first)"
        )
    return items


class WordsAsKeys(dict):
    """Each word as its own single key: enough to count a template's patterns before the pipeline exists."""

    def __missing__(self, word: str) -> tuple[str, ...]:
        return (word,)


_WORDS_AS_KEYS = WordsAsKeys()


def check_size(text: str, table: SlotTable) -> int:
    """How many patterns ``text`` compiles to; :class:`TemplateError` when it is malformed or too many."""
    return len(compile_template(text, table, _WORDS_AS_KEYS))


def forms(items: Sequence[Item], table: SlotTable) -> list[tuple[tuple[Item, int], ...]]:
    """The template as written and, when it opens with a subject and a verb group, as a question.

    Each form is a sequence of (item, index of the template item it stands for).
    """
    plain = tuple((item, i) for i, item in enumerate(items))
    out = [plain]
    if (
        len(items) >= 3
        and items[0].kind == "slot"
        and items[0].slot in table.question_subjects
        and items[0].hi == 1
        and items[1].kind == "slot"
        and items[1].slot in table.question_verbs
    ):
        aux = table.auxiliary
        question = (
            (Item("slot", slot=aux, text=f"{{{aux}}}"), 1),
            (Item("slot", slot=table.negation, lo=0, hi=1, text=f"{{{table.negation}}}?"), -1),
            (items[0], 0),
            (Item("slot", slot=aux, lo=0, hi=2, text=f"{{{aux}}}*"), 1),
            *((item, i) for i, item in enumerate(items) if i >= 2),
        )
        out.append(question)
    return out


def words_in(items: Iterable[Item], table: SlotTable, grammar: bool = True) -> set[str]:
    """Every literal word a template reaches, its slots' entries included: what needs a key to compile.
    ``grammar``: with the words of the auxiliary and negation classes, which the question form adds."""
    found: set[str] = set()
    stack = list(items)
    seen: set[str] = set()
    for name in (table.auxiliary, table.negation) if grammar else ():
        if name in table.slots:
            stack.append(Item("slot", slot=name))
    while stack:
        item = stack.pop()
        if item.kind in ("words", "not"):
            found.update(item.words)
        if item.slot and item.slot not in seen:
            seen.add(item.slot)
            for entry in table.entries(item.slot):
                stack.extend(entry)
    return found


def compile_template(text: str, table: SlotTable, keys: Mapping[str, Sequence[str]]) -> list[Compiled]:
    """The Matcher patterns of one template (``keys``: each word's token keys, from the normalizer)."""
    items = check(text, table)
    out: list[Compiled] = []
    seen: set[tuple[Spec, ...]] = set()
    for n, form in enumerate(forms(items, table)):
        per_item = [_expand_item(item, index, table, keys, 0) for item, index in form]
        _check_product(per_item)
        for combo in itertools.product(*per_item):
            specs = tuple(spec for alternative in combo for spec in alternative)
            if not specs or specs in seen or not any(s.lo >= 1 for s in specs):
                continue
            seen.add(specs)
            out.append(Compiled(specs, question=n > 0))
            if len(out) > MAX_PATTERNS:
                raise TemplateError(f"template expands to more than {MAX_PATTERNS} patterns: split it")
    return out


Alternative = tuple[Spec, ...]


def _expand_item(
    item: Item, index: int, table: SlotTable, keys: Mapping[str, Sequence[str]], depth: int
) -> list[Alternative]:
    """The alternatives (each a run of specs) one item may match, its modifier applied."""
    if item.kind == "gap":
        return [(Spec((("IS_PUNCT", False), ("IS_SENT_START", False)), 0, MAX_GAP, index),)]
    if item.kind == "any":
        base: list[Alternative] = [(Spec((("IS_ALPHA", True),), item=index),)]
    elif item.kind == "extension":
        attr = EXTENSION_SLOTS[item.words[0]]
        if attr == WOMEN_PRONOUN_ATTR:  # the pronouns as a word to look for first: the extension is a Python call
            words = tuple(sorted(table.reference_pronouns))
            base = [(Spec((("LOWER", words), ("_", attr)), item=index),)]
        else:
            base = [(Spec((("_", attr),), item=index),)]
    elif item.kind == "exact":
        base = [(Spec((("LOWER", item.words[0] if len(item.words) == 1 else tuple(sorted(item.words))),), item=index),)]
    elif item.kind == "not":
        inner = Item("slot", slot=item.slot) if item.slot else Item("words", words=item.words)
        banned = sorted(
            {
                k
                for alt in _expand_item(inner, index, table, keys, depth + 1)
                if len(alt) == 1
                for k in alt[0].lemmas or ()
            }
        )
        base = [(Spec((("IS_ALPHA", True), ("NOT_LEMMA", tuple(banned))), item=index),)]
    elif item.kind == "words":
        base = []
        for word in item.words:
            run = tuple(keys[word] if isinstance(keys, WordsAsKeys) else keys.get(word) or ())
            if not run:
                raise TemplateError(f"'{word}' has no word to match")
            base.append(tuple(Spec((("LEMMA", k),), item=index) for k in run))
    else:
        if depth > MAX_SLOT_DEPTH:
            raise TemplateError(f"slots nest deeper than {MAX_SLOT_DEPTH} levels at '{item.slot}'")
        memo = table.expansions(keys)
        done = memo.get((item.slot, item.lo, item.hi))
        if done is not None:
            return [tuple(Spec(s.attrs, s.lo, s.hi, index) for s in alt) for alt in done]
        base = []
        for entry in table.entries(item.slot):
            parts = [_expand_item(sub, index, table, keys, depth + 1) for sub in entry]
            _check_product(parts)
            base += [tuple(s for alt in combo for s in alt) for combo in itertools.product(*parts)]
            if len(base) > MAX_PATTERNS:
                raise TemplateError(f"slot '{item.slot}' expands to more than {MAX_PATTERNS} alternatives")
        done = _repeat(_merge(base), item.lo, item.hi)
        memo[(item.slot, item.lo, item.hi)] = done
        return done
    return _repeat(_merge(base), item.lo, item.hi)


def _check_product(parts: Sequence[Sequence[Alternative]]) -> None:
    """Refuse an expansion before building it when it would exceed ``MAX_PATTERNS`` (a user's file sets it)."""
    total = 1
    for alternatives in parts:
        total *= max(1, len(alternatives))
        if total > 4 * MAX_PATTERNS:
            raise TemplateError(f"template expands to more than {MAX_PATTERNS} patterns: split it or its slots")


def _merge(alternatives: list[Alternative]) -> list[Alternative]:
    """Fewer, wider alternatives: one-word ones become one spec with a set of keys, and runs of the
    same length that differ in one word only become one run ("a bit", "a little" -> "a bit|little")."""
    lemmas: list[str] = []
    index = -1
    rest: list[Alternative] = []
    for alt in alternatives:
        found = alt[0].lemmas if len(alt) == 1 and (alt[0].lo, alt[0].hi) == (1, 1) else None
        if found is None:
            _add_run(rest, alt)
        else:
            lemmas += [k for k in found if k not in lemmas]
            index = alt[0].item
    if not lemmas:
        return rest
    value: Any = lemmas[0] if len(lemmas) == 1 else tuple(sorted(lemmas))
    return [(Spec((("LEMMA", value),), item=index),), *rest]


def _add_run(runs: list[Alternative], new: Alternative) -> None:
    """Add ``new`` to ``runs``, folded into a run it differs from in one plain word, if there is one."""
    for n, run in enumerate(runs):
        if len(run) != len(new) or run == new:
            if run == new:
                return
            continue
        differ = [i for i, (a, b) in enumerate(zip(run, new, strict=True)) if a != b]
        if len(differ) != 1:
            continue
        a, b = run[differ[0]], new[differ[0]]
        if a.lemmas is None or b.lemmas is None or (a.lo, a.hi) != (b.lo, b.hi):
            continue
        keys = tuple(sorted({*a.lemmas, *b.lemmas}))
        wider = Spec((("LEMMA", keys),), a.lo, a.hi, a.item)
        runs[n] = (*run[: differ[0]], wider, *run[differ[0] + 1 :])
        return
    runs.append(new)


def _repeat(alternatives: list[Alternative], lo: int, hi: int) -> list[Alternative]:
    """Apply a modifier: optional, or repeated up to ``hi`` words (runs of several words occur at most once)."""
    if (lo, hi) == (1, 1):
        return alternatives
    singles = [a[0] for a in alternatives if len(a) == 1]
    runs = [a for a in alternatives if len(a) != 1]
    out: list[Alternative] = []
    if hi == 1:  # '?'
        for spec in singles:
            out.append((_bounds(spec, 0, max(spec.hi, 1)),))
        if runs or not singles:
            out = [(), *out, *runs] if not singles else [*out, *runs]
        return out
    for spec in singles:
        out.append((_bounds(spec, min(lo, spec.lo), max(hi, spec.hi)),))
    plain = next((s for s in singles if s.lemmas is not None), None)
    for run in runs:
        around = (_bounds(plain, 0, hi - 1),) if plain is not None else ()
        out.append((*around, *run, *around))
    if lo == 0 and not singles:
        out.insert(0, ())
    return out


def _bounds(spec: Spec, lo: int, hi: int) -> Spec:
    return Spec(spec.attrs, lo, hi, spec.item)


def local_slot_problems(local: Mapping[str, Sequence[str]], builtin: SlotTable) -> list[tuple[str, str]]:
    """(slot name, message) for a lexicon file's ``slots:`` that redefine a built-in class or do not parse."""
    problems: list[tuple[str, str]] = []
    table = builtin.with_local(local)
    for name in local:
        if name in builtin.slots or name in EXTENSION_SLOTS:
            problems.append((name, f"slot '{name}' is built in; choose another name"))
            continue
        try:
            check_slot(table, name)
        except TemplateError as exc:
            problems.append((name, str(exc)))
    return problems
