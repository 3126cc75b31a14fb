"""The lexicon's phrases, markers and template words as the normalizer keys them, cached on disk.

Compiling a lexicon tokenizes and normalizes every form of every phrase (tens
of thousands), which is most of a new process's start-up. What comes out
depends only on the rules' words and on the code and data that tokenize and
normalize them, so it is stored as plain JSON strings in the user's cache
folder (:mod:`analyzer.cache`), in a file named by a digest of exactly that;
the next process with the same lexicon reads it instead. Both paths feed the
normalizer the same words in the same order, so they compile the same matcher.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyzer.cache import cache_dir, code_digest, read_json, write_json
from analyzer.lexicon.templates import builtin_slots, parse, words_in
from analyzer.pipeline.spelling import load_spellings
from analyzer.tokens.doc_state import doc_keys

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from analyzer.lexicon.loader import Lexicon
    from analyzer.pipeline.normalizer import NormalizerComponent

FORMAT = 2
KEEP_FILES = 8  # lexicon sets whose keys stay cached; the least recently written go first
_PREFIX = "lexicon-keys-"
_Keys = tuple[str, ...]


@dataclass(frozen=True)
class LexiconKeys:
    """What the matcher compiles from: the words the normalizer must know, and every form's keys."""

    vocabulary: tuple[str, ...]  # norms of the phrases' words: never "corrected" into something else
    squashed: tuple[str, ...]  # phrases written as one hashtag word ("realmendontcry")
    targets: tuple[str, ...]  # one-word phrases, also matched one typo away
    literal: tuple[str, ...]  # norms of the templates' literal words
    template_keys: dict[str, _Keys]  # template word -> its tokens' keys
    phrases: dict[str, tuple[_Keys, ...]]  # rule id -> keys of each phrase form
    markers: dict[str, tuple[_Keys, ...]]  # rule id -> keys of each innocent-sense marker
    real_words: dict[str, bool]  # one-typo variant of a target -> whether it is a real word (wordfreq)

    def teach(self, normalize: NormalizerComponent) -> None:
        """Give the normalizer the lexicon's words, in the order :func:`compute_keys` does."""
        normalizer = normalize.normalizer
        normalizer.add_vocabulary(self.vocabulary)
        normalizer.add_squashed(self.squashed)
        normalizer.add_targets(self.targets)
        normalizer.add_vocabulary(self.literal)
        normalizer.real_words.update(self.real_words)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "vocabulary": list(self.vocabulary),
            "squashed": list(self.squashed),
            "targets": list(self.targets),
            "literal": list(self.literal),
            "template_keys": {w: list(k) for w, k in self.template_keys.items()},
            "phrases": {r: [list(k) for k in forms] for r, forms in self.phrases.items()},
            "markers": {r: [list(k) for k in forms] for r, forms in self.markers.items()},
            "real_words": self.real_words,
        }

    @classmethod
    def from_json(cls, data: Any) -> LexiconKeys | None:
        """The keys in ``data``, or None when it is not a file this code wrote."""
        try:
            if data["format"] != FORMAT:
                return None
            words = {name: tuple(_strings(data[name])) for name in ("vocabulary", "squashed", "targets", "literal")}
            return cls(
                **words,
                template_keys={str(w): tuple(_strings(k)) for w, k in data["template_keys"].items()},
                phrases={str(r): tuple(tuple(_strings(k)) for k in f) for r, f in data["phrases"].items()},
                markers={str(r): tuple(tuple(_strings(k)) for k in f) for r, f in data["markers"].items()},
                real_words=_flags(data["real_words"]),
            )
        except (KeyError, TypeError, AttributeError, ValueError):
            return None


def lexicon_keys(
    lexicon: Lexicon, nlp: Language, normalize: NormalizerComponent, folder: Path | None = None
) -> LexiconKeys:
    """The keys of ``lexicon``, read from the cache when this lexicon and code compiled them before.

    Either way the normalizer has been taught the lexicon's words on return.
    """
    path = (folder or cache_dir()) / f"{_PREFIX}{cache_key(lexicon, nlp)}.json.gz"
    keys = LexiconKeys.from_json(read_json(path)) if path.is_file() else None
    if keys is not None and set(keys.phrases) == set(lexicon.rules):
        keys.teach(normalize)
        return keys
    keys = compute_keys(lexicon, nlp, normalize)
    if write_json(path, keys.to_json()):
        _prune(path.parent)
    return keys


def cache_key(lexicon: Lexicon, nlp: Language) -> str:
    """A digest of what the keys depend on: the rules' words, the code and data that key them, the packages,
    and the pipeline's tokenizer (a user's own pipeline may cut words differently)."""
    digest = hashlib.sha256(f"{FORMAT};{nlp.lang};".encode())
    digest.update(hashlib.sha256(nlp.tokenizer.to_bytes(exclude=["vocab"])).digest())
    for package in ("spacy", "spacy-lookups-data", "wordfreq"):
        try:
            digest.update(f"{package}={metadata.version(package)};".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package}=none;".encode())
    digest.update(code_digest("pipeline", "tokens", "lexicon").encode())
    words = [
        (r.id, r.phrases, r.unless, r.templates, r.innocent, r.slots)
        for r in lexicon.rules.values()
    ]
    digest.update(json.dumps(words, ensure_ascii=False).encode())
    return digest.hexdigest()[:32]


def compute_keys(lexicon: Lexicon, nlp: Language, normalize: NormalizerComponent) -> LexiconKeys:
    """Tokenize (with ``nlp``'s tokenizer) and normalize every phrase form, marker and template word of ``lexicon``."""
    make_doc = nlp.make_doc
    _, phrase_variants = load_spellings()
    rules = list(lexicon.rules.values())
    texts = {r.id: sorted({v for p in r.phrases for v in phrase_forms(p, phrase_variants, make_doc)}) for r in rules}
    squashed = {r.id: squashed_forms(make_doc, r.phrases) for r in rules}
    words, literal = _template_words(lexicon)
    keys = LexiconKeys(
        vocabulary=_unique(t.norm_ for variants in texts.values() for v in variants for t in make_doc(v)),
        squashed=_unique(s for forms in squashed.values() for s in forms),
        targets=_unique(t.norm_ for r in rules for p in r.phrases if len(d := make_doc(p)) == 1 for t in d),
        literal=_unique(t.norm_ for w in sorted(literal) for t in make_doc(w)),
        template_keys={},
        phrases={},
        markers={},
        real_words={},
    )
    keys.teach(normalize)
    normalizer = normalize.normalizer
    keys.real_words.update({variant: normalizer.real_word(variant) for variant in sorted(normalizer.fuzzy)})
    strings = nlp.vocab.strings
    ordered = sorted(words)
    docs = normalize.pipe(_word_doc(make_doc, w) for w in ordered)
    keys.template_keys.update(
        {w: tuple(strings[int(k)] for k in doc_keys(doc)) for w, doc in zip(ordered, docs, strict=True)}
    )
    # Every phrase and marker streams through the normalizer's batches, in rule order (one call per
    # phrase costs seconds; holding every doc at once costs tens of MB).
    wanted = {r.id: (texts[r.id] + squashed[r.id], list(r.unless)) for r in rules}
    read = normalize.pipe(make_doc(text) for phrases, markers in wanted.values() for text in (*phrases, *markers))
    for rule_id, (phrases, markers) in wanted.items():
        keys.phrases[rule_id] = tuple(_doc_key_texts(next(read), strings) for _ in phrases)
        keys.markers[rule_id] = tuple(_doc_key_texts(next(read), strings) for _ in markers)
    return keys


def _template_words(lexicon: Lexicon) -> tuple[set[str], set[str]]:
    """Every word the rules' templates reach (their slots' words included), and the templates' literal words."""
    words: set[str] = set()
    literal: set[str] = set()
    for rule in lexicon.rules.values():
        table = builtin_slots().with_local(dict(rule.slots))
        for template in (*rule.templates, *rule.innocent):
            items = parse(template)
            words |= words_in(items, table)
            if template in rule.templates:
                literal.update(w for item in items if item.kind == "words" for w in item.words)
    return words, literal


def _doc_key_texts(doc: Doc, strings: Any) -> _Keys:
    return tuple(strings[int(k)] for k in doc_keys(doc))


def _word_doc(make_doc: Callable[[str], Doc], word: str) -> Doc:
    """A template word as the tokenizer cuts it in running text: "'m" and "n't" as they follow a word."""
    if word.startswith(("'", "’")) or word.lower() == "n't":
        for carrier in ("I", "you", "he", "do", "we"):
            doc = make_doc(carrier + word)
            if len(doc) == 2 and doc[1].text == word:
                return doc[1:].as_doc()
    return make_doc(word)


def phrase_forms(phrase: str, variants: dict[str, list[str]], make_doc: Callable[[str], Doc]) -> list[str]:
    """A phrase plus its hyphenated and chat-spelled forms.

    Chat variants are found on the tokenizer's norms, so "you're" counts as
    "you are" and gets the variant "ur".
    """
    base = " ".join(phrase.split())
    forms = {base}
    words = base.split(" ")
    if 1 < len(words) <= 4 and all(w.isalpha() for w in words):
        forms.add("-".join(words))
    normed = " ".join(t.norm_ for t in make_doc(base))
    for left, rights in variants.items():
        if f" {left} " in f" {normed} ":
            for right in rights:
                forms.add(f" {normed} ".replace(f" {left} ", f" {right} ", 1).strip())
    return sorted(forms)


def squashed_forms(make_doc: Callable[[str], Doc], phrases: Iterable[str]) -> list[str]:
    """'#ManUp' and '#realmendontcry': the phrase written as one hashtag word."""
    out = set()
    for phrase in phrases:
        words = [t.text.lower().replace("'", "").replace("’", "") for t in make_doc(phrase) if not t.is_punct]
        squashed = "".join(words)
        if len(words) > 1 and len(squashed) >= 5 and squashed.isalpha():
            out.add(squashed)
    return sorted(out)


def _unique(words: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(words))


def _strings(values: Any) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise TypeError("expected a list of strings")
    return values


def _flags(values: Any) -> dict[str, bool]:
    if not isinstance(values, dict) or not all(isinstance(v, bool) for v in values.values()):
        raise TypeError("expected a mapping of words to booleans")
    return {str(word): flag for word, flag in values.items()}


def _prune(folder: Path) -> None:
    """Keep the :data:`KEEP_FILES` most recently written key files."""
    try:
        files = sorted(folder.glob(f"{_PREFIX}*.json.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[KEEP_FILES:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass  # another process pruned first
