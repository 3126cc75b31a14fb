"""Undoing obfuscation and chat spelling, one token at a time.

People write "m4n up", "b*tch", "calmmm down" and "#ManUp" to get past word
lists. Every rewrite here is *guided by the lexicon's own words*: a token is
only rewritten when the rewritten form is a word some rule uses, so ordinary
text ("mp3", "2nd", "coooool") is never mangled. The result is a matching key,
the lookup lemma of the cleaned-up word, computed once per distinct token and
cached.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from analyzer.lexicon.yaml_lines import load_plain
from analyzer.resources import DATA_DIR

LEET = str.maketrans(
    {"4": "a", "@": "a", "3": "e", "1": "i", "!": "i", "0": "o", "5": "s", "$": "s", "7": "t", "+": "t", "|": "l"}
)
_REPEAT3 = re.compile(r"(.)\1{2,}")
_MASK = re.compile(r"[*•#_.\-]")
_HAS_ALPHA = re.compile(r"[^\W\d_]")
# The longest word cut into words written together: three long English words. Bounds the cost of a cut,
# which tries every split point (one random word of 40,000 letters took 2.4 s).
MAX_RUN_CHARS = 40
# The words of one or two letters a run-together word may contain ("ihatewomen", "womenareso...");
# any other short piece ("co" + "ng" + "rats" for "congrats") is a wrong cut.
_SHORT_WORDS = frozenset(
    {"i", "a", "am", "an", "as", "at", "be", "by", "do", "go", "he", "if", "in", "is", "it", "me", "my", "no"}
    | {"of", "on", "or", "so", "to", "up", "us", "we"}
)


@lru_cache(maxsize=1)
def _spellings_file() -> dict:
    """``analyzer/data/spellings.yml``, parsed once for the tables read from it below."""
    return load_plain((DATA_DIR / "spellings.yml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def load_spellings() -> tuple[dict[str, str], dict[str, list[str]]]:
    """The chat-spelling table from ``analyzer/data/spellings.yml``."""
    raw = _spellings_file()
    return dict(raw.get("tokens") or {}), {k: list(v) for k, v in (raw.get("phrases") or {}).items()}


@lru_cache(maxsize=1)
def load_typo_words() -> tuple[str, ...]:
    """Words of ``spellings.yml``'s ``typos`` list: also matched with one letter swapped, dropped or doubled."""
    return tuple(str(w).lower() for w in _spellings_file().get("typos") or ())


@lru_cache(maxsize=1)
def load_lemma_table() -> dict[str, str]:
    """English lookup lemmas from spacy-lookups-data, as a plain dict of strings.

    Read from the package's JSON file rather than through ``spacy.lookups``,
    whose tables are keyed by hashes: a plain dict is faster to query per token.
    """
    import gzip
    import json

    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lemma_lookup.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return dict(json.load(handle))


@lru_cache(maxsize=1)
def real_word_threshold() -> float:
    """``spellings.yml``'s ``real_word_zipf``: a word at least this common (wordfreq's Zipf scale) is a real word."""
    return float(_spellings_file().get("real_word_zipf", 2.5))


@lru_cache(maxsize=100_000)
def common_word(word: str) -> bool:
    """Is ``word`` common enough in English text (wordfreq) to be a word in its own right, not a typo?

    "Sims" (the game) is one letter from "simps"; the lookup table does not know
    it, but people write it often. wordfreq's tables load on the first call, which
    only a would-be typo correction makes.
    """
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en") >= real_word_threshold()


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Every form and lemma of the lookup table, and ``spellings.yml``'s ``words`` (real words the table lacks):
    a typo variant that is a real word is left alone."""
    table = load_lemma_table()
    extra = frozenset(str(w).lower() for w in _spellings_file().get("words") or ())
    return frozenset(table) | frozenset(table.values()) | extra


class Normalizer:
    """Maps a token's norm to the key the lexicon matcher compares.

    ``vocabulary`` is every word that appears in a lexicon phrase (lowercased).
    """

    def __init__(self, vocabulary: Iterable[str] = ()) -> None:
        self.lemmas = load_lemma_table()
        self.english = english_words()
        self.tokens, _ = load_spellings()
        self.vocabulary: set[str] = set()
        self.squashed: set[str] = set()  # phrases written as one word: "manup", "notallmen"
        self.targets: set[str] = set()  # single-word phrases
        self.fuzzy: dict[str, str] = {}  # one-typo variants of targets
        # whether a variant of ``fuzzy`` is a real word (see real_word), known without loading wordfreq
        self.real_words: dict[str, bool] = {}
        self._by_length: dict[int, list[str]] = {}
        self._cache: dict[str, str] = {}
        self._hashtags: dict[str, str] = {}
        self._splits: dict[str, list[int] | None] = {}
        self._prefixes: frozenset[str] | None = None  # beginnings of lexicon words, for longest_spelled
        self.add_vocabulary(vocabulary)
        for word in load_typo_words():
            self._add_typos(word)

    def add_vocabulary(self, words: Iterable[str]) -> None:
        for word in words:
            word = word.lower()
            if word and word not in self.vocabulary:
                self.vocabulary.add(word)
                self._by_length.setdefault(len(word), []).append(word)
        self._cache.clear()
        self._prefixes = None

    def add_targets(self, words: Iterable[str]) -> None:
        """Single-word phrases (slurs, insults): also matched with one letter swapped, dropped or doubled.

        "btich", "bicth", "btch" and "whroe" are a keyboard away from the word a
        filter would catch. Variants that are English words themselves are left out.
        """
        for word in words:
            word = word.lower()
            if len(word) < 4 or not word.isalpha():
                continue
            self.targets.add(word)
            self._add_typos(word)
        self._cache.clear()

    def _add_typos(self, word: str) -> None:
        """Map each one-swap, one-drop and one-doubled-letter variant of ``word`` (not an English or
        lexicon word) back to it: "wommen" and "womenn" are as easy to type as "wmen"."""
        if len(word) < 4 or not word.isalpha():
            return
        variants = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(1, len(word) - 1)}
        variants |= {word[:i] + word[i + 1 :] for i in range(1, len(word))}
        variants |= {word[: i + 1] + word[i:] for i in range(1, len(word))}
        for variant in variants - {word}:
            if variant not in self.english and variant not in self.vocabulary:
                self.fuzzy.setdefault(variant, word)

    def add_squashed(self, words: Iterable[str]) -> None:
        self.squashed.update(w.lower() for w in words)
        self._prefixes = None

    def hashtag_key(self, norm: str) -> str:
        """'#RealMenDontCry' contains 'mendontcry': match it as that phrase."""
        cached = self._hashtags.get(norm)
        if cached is not None:
            return cached
        word = norm.lower().lstrip("#")
        if word in self.squashed or word in self.vocabulary:
            found = self.key(word)
        else:
            inside = [s for s in self.squashed if len(s) >= 6 and s in word]
            found = max(inside, key=len) if inside else self.key(word)
        if len(self._hashtags) < 100_000:
            self._hashtags[norm] = found
        return found

    def lemma(self, word: str) -> str:
        lemma = self.lemmas.get(word)
        if lemma is not None:
            return lemma
        # Slang plurals the lookup table does not know ("simps", "thots").
        if len(word) > 3 and word.endswith("s") and word[:-1] in self.vocabulary:
            return self.lemmas.get(word[:-1], word[:-1])
        return word

    def key(self, norm: str) -> str:
        """The matching key of a token whose spaCy norm is ``norm``."""
        cached = self._cache.get(norm)
        if cached is None:
            cached = self.lemma(self.clean(norm))
            if len(self._cache) < 500_000:
                self._cache[norm] = cached
        return cached

    def split_run(self, word: str, salient: frozenset[str] | set[str]) -> list[int] | None:
        """Where to cut words written together ("womenare", "ihatewomen"): the piece lengths, or None.

        Only an unknown word (not English, not a lexicon word or phrase) is cut, into
        two or three English words (pieces of one or two letters only from a
        short list of function words) of which one is ``salient`` (a word for
        women, a listed insult): a name or "congrats" stays whole unless it
        hides such a word. Fewer pieces win, then longer first pieces.
        """
        low = word.lower()
        if not 6 <= len(low) <= MAX_RUN_CHARS or not low.isalpha():
            return None
        if low in self.english or low in self.vocabulary or low in self.squashed:
            return None  # a lexicon phrase written as one word ("notallmen", "#ManUp") is matched whole
        cached = self._splits.get(low)
        if cached is not None or low in self._splits:
            return cached
        found: list[int] | None = None
        for parts in (2, 3):
            found = self._cut(low, parts, salient)
            if found is not None:
                break
        if len(self._splits) < 100_000:
            self._splits[low] = found
        return found

    def _cut(self, word: str, parts: int, salient: frozenset[str] | set[str]) -> list[int] | None:
        """The first cut of ``word`` into ``parts`` known words of which one is ``salient`` (longer first pieces
        first), or None. Cuts are made lazily, so the search stops at the first that fits; a word of n letters
        costs at most about n ** (parts - 1) lookups, and ``split_run`` caps n."""
        english = self.english

        def known(piece: str) -> bool:
            return piece in _SHORT_WORDS or (len(piece) > 2 and piece in english)

        def cuts(rest: str, left: int) -> Iterator[list[str]]:
            if left == 1:
                if known(rest):
                    yield [rest]
                return
            for end in range(len(rest) - 1, 0, -1):  # longer first pieces first
                head = rest[:end]
                if known(head):
                    for tail in cuts(rest[end:], left - 1):
                        yield [head, *tail]

        for pieces in cuts(word, parts):
            if any(p in salient for p in pieces):
                return [len(p) for p in pieces]
        return None

    def real_word(self, word: str) -> bool:
        """:func:`common_word`, read from ``real_words`` when known there (the lexicon keys cache stores the
        answers for every typo variant, so a process need not load wordfreq's tables to correct a typo)."""
        known = self.real_words.get(word)
        return common_word(word) if known is None else known

    def clean(self, norm: str) -> str:
        """Undo leetspeak, masking, stretching and chat spelling where it yields a lexicon word."""
        word = norm.lower()
        if word in self.tokens:
            return self.tokens[word]
        if word.isalpha() and not _REPEAT3.search(word) and not word.endswith("z"):
            fixed = self.fuzzy.get(word)
            return fixed if fixed is not None and not self.real_word(word) else word
        if not _HAS_ALPHA.search(word):
            return word
        candidates = [word]
        if word.startswith("#") and len(word) > 1:
            candidates.append(word[1:])
        leet = word.translate(LEET)
        if leet != word:
            candidates.append(leet)
        for candidate in list(candidates):
            if _REPEAT3.search(candidate):
                candidates.append(_REPEAT3.sub(r"\1\1", candidate))
                candidates.append(_REPEAT3.sub(r"\1", candidate))
        if word.endswith("z") and word[:-1] + "s" in self.vocabulary:
            candidates.append(word[:-1] + "s")  # "boyz"
        for candidate in candidates:
            stripped = candidate.replace("'", "").replace("’", "")
            if stripped in self.vocabulary or self._plural_of_known(stripped):
                return stripped
            if candidate in self.vocabulary:
                return candidate
        masked = self._unmask(word)
        if masked is None and word.endswith("s"):
            masked = self._unmask_plural(word)
        if masked is not None:
            return masked
        return word

    def _unmask_plural(self, word: str) -> str | None:
        """'sl*ts', 'b*tches': the singular fits the mask; the lemma table takes the plural back to it."""
        for cut in (2, 1) if word.endswith("es") else (1,):
            singular = self._unmask(word[:-cut])
            if singular is not None and len(singular) == len(word) - cut:
                return singular + word[-cut:]
        return None

    def _plural_of_known(self, word: str) -> bool:
        """'bitches', 'whores' undone from 'b1tches', 'wh0res': a plural whose singular is a lexicon word."""
        if len(word) < 4 or not word.endswith("s"):
            return False
        return word[:-1] in self.vocabulary or (word.endswith("es") and word[:-2] in self.vocabulary)

    def _unmask(self, word: str) -> str | None:
        """'b*tch' -> 'bitch' when exactly one lexicon word fits the mask."""
        if not _MASK.search(word) or len(word) < 3:
            return None
        squeezed = _MASK.sub("", word)
        if squeezed in self.vocabulary and len(squeezed) >= 3:
            return squeezed  # "s.l.u.t", "b-i-t-c-h"
        if not _HAS_ALPHA.search(word) or word.count("*") + word.count("•") == 0:
            return None
        # the letters the mask keeps, by position: a lexicon word of the same length fits if it has them all
        # (no regular expression: junk text brings thousands of masked words, each compiled anew)
        kept = [(i, ch) for i, ch in enumerate(word.translate(LEET)) if ch not in "*•"]
        first, letter = kept[0]
        fits = [
            w
            for w in self._by_length.get(len(word), ())
            if w[first] == letter and all(w[i] == ch for i, ch in kept)
        ]
        if len(fits) > 1:
            fits = [w for w in fits if w in self.targets]  # "wh*re": the insult, not "where"
        return fits[0] if len(fits) == 1 else None

    def join_letters(self, letters: str | list[str]) -> str | None:
        """'s l u t' -> 'slut' when the letters spell a lexicon word."""
        word = "".join(letters).lower()
        return word if len(word) >= 3 and (word in self.vocabulary or word in self.squashed) else None

    def longest_spelled(self, letters: str) -> tuple[int, int] | None:
        """Where in ``letters`` (lowercase, one per spelled-out letter) the longest lexicon word is, or None.

        Of equal lengths the first wins. Each start position is extended only
        while it is the beginning of some lexicon word, so a run of n letters
        costs n times at most the longest word, not n³ ("a " * 2000 took 30 s).
        """
        if self._prefixes is None:
            words = {w for w in self.vocabulary | self.squashed if len(w) >= 3}
            self._prefixes = frozenset(w[:n] for w in words for n in range(1, len(w) + 1))
        prefixes, best = self._prefixes, None
        for start in range(len(letters) - 2):
            end = start + 1
            while end <= len(letters) and letters[start:end] in prefixes:
                longer = best is None or end - start > best[1] - best[0]
                if end - start >= 3 and longer and self.join_letters(letters[start:end]) is not None:
                    best = (start, end)
                end += 1
        return best
