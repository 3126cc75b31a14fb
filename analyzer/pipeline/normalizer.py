"""``allyship_normalizer``: each token's matching key (``token._.allyship_key``), and words cut or joined to match.

Runs on every token of every text, so it has ``pipe`` (what ``Language.pipe``
calls): per doc it only reads and writes token arrays, and the checks and
lookups run once over the concatenated tokens of a batch, where the fixed cost
of each numpy call is shared by all its docs. ``__call__`` is the same work on
a batch of one. The rare docs whose tokens must change (run-together words,
spelled-out letters, leetspeak) go through the one-doc path.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from functools import partial
from itertools import accumulate, pairwise

import numpy as np
from spacy import util as spacy_util
from spacy.attrs import IDX, IS_ALPHA, LENGTH, NORM, ORTH, SENT_START, SPACY
from spacy.lang import lex_attrs
from spacy.language import Language
from spacy.tokens import Doc

from analyzer.model.word_features import load_cues
from analyzer.pipeline.spelling import LEET, Normalizer
from analyzer.tokens.arrays import BatchComponent, DocArrays, HashCache
from analyzer.tokens.doc_state import doc_texts, set_keys
from analyzer.tokens.folding import fold
from analyzer.tokens.guard import tokenize_linear


class NormalizerComponent(BatchComponent):
    """Records each token's matching key (:func:`analyzer.tokens.doc_state.set_keys`) and rejoins spaced letters.

    The key is the lookup lemma (spacy-lookups-data) of the de-obfuscated
    norm, so "Manning", "m4n" and "MAN" all match a pattern written "man".
    """

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self.normalizer = Normalizer()
        self._strings = nlp.vocab.strings
        self._keys: dict[int, int] = {}  # norm hash -> key hash, so each distinct word is cleaned once
        self._hash = self._strings.add("#")
        self._separators = np.array([self._strings.add(s) for s in _LETTER_SEPARATORS], dtype=np.uint64)
        # "t." is one token (the tokenizer keeps initials whole): it may end a run of spaced letters
        letters = "abcdefghijklmnopqrstuvwxyz"
        self._dotted = np.array([self._strings.add(c + ".") for c in letters + letters.upper()], dtype=np.uint64)
        self._tokenizer = nlp.tokenizer
        self._runs: dict[int, list[int] | None] = {}
        # words that make a run-together word worth cutting: references to women, listed insults
        cues = load_cues()
        self._salient = frozenset(cues["targets"]) | self.normalizer.targets
        self._layouts: dict[str, list[tuple[int, int, str]]] = {}
        self._leet: dict[str, _LeetPieces] = {}  # see _leet_pieces_of
        self._words_in: tuple[tuple[int, int], _WordsIn] | None = None  # see _lexicon_words
        self._vocab = nlp.vocab
        # the per-token lookups of a batch, vectorized (see HashCache): norm -> key, word -> whether
        # it is cut (see _split_runs), one-character token -> whether it is a letter
        self._key_table = HashCache(self._key)
        self._cut_table = HashCache(lambda orth: self._run_lengths(orth) is not None, np.uint8, bits=16)
        self._letter_table = HashCache(lambda orth: self._vocab[orth].is_alpha, np.uint8, bits=12)

    def process(self, docs: list[Doc]) -> list[Doc]:
        """Set the keys of ``docs``; the rare docs with words to cut or join go through :meth:`_normalize_one`.

        On short posts the fixed cost of each numpy call outweighs its work, so the
        checks and the key lookups run once over the concatenated tokens of a batch.
        Returns the docs, some of them new ones when words were cut (see :meth:`_retokenized`).
        """
        docs = list(docs)
        present = [i for i, doc in enumerate(docs) if len(doc)]
        if not present:
            return docs
        leet: dict[int, list[_Change]] = {}  # position in ``present`` -> its leetspeak words' new layout
        for k, (i, text) in enumerate(zip(present, doc_texts([docs[i] for i in present]), strict=True)):
            changes = self._leet_changes(docs[i], text) if _LEET_MIX.search(text) else []
            if _JOINED_MARK.search(text):
                changes += self._joined_changes(docs[i], text)
            if changes:
                leet[k] = changes
        # Whole-doc arrays instead of Token objects: this runs on every token of every text.
        batch = DocArrays([docs[i].to_array(_BATCH_ATTRS) for i in present])
        norms, lengths, spaces, orths = batch.array.T
        retokenize = self._runs_to_split(batch, lengths, orths) | self._spelled_word_docs(batch, lengths, orths)
        keys = self._keys_of(norms, spaces, orths, batch.firsts)
        for k, (i, first, end) in enumerate(zip(present, batch.firsts.tolist(), batch.ends.tolist(), strict=True)):
            if k in retokenize or k in leet:
                docs[i] = self._normalize_one(docs[i], keys[first:end], leet.get(k, []))
            else:
                set_keys(docs[i], keys[first:end])
        return docs

    def _normalize_one(self, doc: Doc, keys: np.ndarray | None = None, leet: Sequence[_Change] = ()) -> Doc:
        """Lay leetspeak words out anew (``leet``: :meth:`_leet_changes`), cut run-together words, join
        spelled letters, then set the keys: one doc at a time.

        The first two are made in one rebuild of the doc. ``keys``: the doc's keys as they stand, kept when
        no step changes a token (junk with scattered single letters is sent here and usually left as it is).
        """
        array = doc.to_array(_ATTRS)
        cut = self._split_runs(doc, array, leet)
        changed = cut is not doc
        if changed:
            doc = cut
            array = doc.to_array(_ATTRS)
        if self._may_have_spelled_words(array) and self._join_spaced_letters(doc):
            changed = True
            array = doc.to_array(_ATTRS)
        if changed or keys is None:
            keys = self._keys_of(array[:, 0], array[:, 3], array[:, 4], np.zeros(1, dtype=np.int64))
        set_keys(doc, keys)
        return doc

    def _keys_of(self, norms: np.ndarray, spaces: np.ndarray, orths: np.ndarray, firsts: np.ndarray) -> np.ndarray:
        """The matching key of every token (of docs laid end to end, each starting at one of ``firsts``).

        "#ManUp" (a word right after a '#') gets the key of the hashtag's phrase instead.
        """
        keys = self._key_table(norms)
        tags = np.flatnonzero((orths[:-1] == self._hash) & (spaces[:-1] == 0))
        if len(tags):
            strings, vocab, doc_starts = self._strings, self._vocab, set(firsts.tolist())
            for i in (tags + 1).tolist():
                if i not in doc_starts and vocab[int(orths[i])].is_alpha:
                    keys[i] = strings.add(self.normalizer.hashtag_key(strings[int(norms[i])]))
        return keys

    def _key(self, norm: int) -> int:
        """The key hash of a norm hash, cached so each distinct word is cleaned once."""
        key = self._keys.get(norm)
        if key is None:
            key = self._strings.add(self.normalizer.key(self._strings[norm]))
            if len(self._keys) < 500_000:
                self._keys[norm] = key
        return key

    def _runs_to_split(self, batch: DocArrays, lengths: np.ndarray, orths: np.ndarray) -> set[int]:
        """The docs of the batch with a run-together word to cut (see :meth:`_split_runs`)."""
        long_words = np.flatnonzero(lengths >= 6)
        if not len(long_words):
            return set()
        cut = self._cut_table(orths[long_words]).astype(bool)  # False for a word not all letters
        return batch.docs_of(long_words[cut]) if cut.any() else set()

    def _spelled_word_docs(self, batch: DocArrays, lengths: np.ndarray, orths: np.ndarray) -> set[int]:
        """The docs of the batch that may hold a spelled-out word: :meth:`_may_have_spelled_words` within a doc."""
        one = lengths == 1
        around = np.flatnonzero(one[:-2] & one[1:-1] & one[2:])  # letters and separators are one character long
        if not len(around):
            return set()
        letters = self._letter_table(orths[np.concatenate((around, around + 1, around + 2))]).astype(bool)
        first, middle, last = letters.reshape(3, -1)
        around = around[first & last & (middle | np.isin(orths[around + 1], self._separators))]
        first_doc = batch.doc_index(around)
        return set(first_doc[first_doc == batch.doc_index(around + 2)].tolist())

    def _layout(self, word: str) -> list[tuple[int, int, str]]:
        """How the tokenizer cuts a plain word: (start, end, norm) per piece ("can't" -> ca/can, n't/not)."""
        layout = self._layouts.get(word)
        if layout is None:
            layout = [(t.idx, t.idx + len(t), t.norm_) for t in self._tokenizer(word)]
            if len(self._layouts) < 100_000:
                self._layouts[word] = layout
        return layout

    def _split_runs(self, doc: Doc, array: np.ndarray, leet: Sequence[_Change] = ()) -> Doc:
        """Cut words written together ("womenare worthless", "ihatewomen") into the words they are made of,
        after laying out the leetspeak words of ``leet`` (whose pieces are cut the same way).

        Returns the doc with the words cut (a new doc when there were any).
        """
        long_words = np.flatnonzero((array[:, 1] >= 6) & (array[:, 2] == 1))  # columns: NORM LENGTH IS_ALPHA . ORTH
        if not len(long_words) and not leet:
            return doc
        changes: list[_Change] = [self._cut_pieces(change) for change in leet]
        covered = {i for start, end, _, _ in leet for i in range(start, end)}
        for i, orth in zip(long_words.tolist(), array[long_words, 4].tolist(), strict=True):
            lengths = self._run_lengths(orth)
            if lengths is not None and i not in covered:
                changes.append((i, i + 1, _cut(doc[i].text, lengths), None))
        return _retokenized(doc, changes) if changes else doc

    def _cut_pieces(self, change: _Change) -> _Change:
        """A leetspeak layout with its run-together pieces cut as well ("c@n't-ihatewomen")."""
        start, end, pieces, norms = change
        cuts = [
            self._run_lengths(self._strings.add(piece)) if len(piece) >= 6 and piece.isalpha() else None
            for piece in pieces
        ]
        if not any(cuts):
            return change
        new_pieces: list[str] = []
        new_norms: list[str] = []
        for k, (piece, lengths) in enumerate(zip(pieces, cuts, strict=True)):
            if lengths is None:
                new_pieces.append(piece)
                new_norms.append(norms[k] if norms is not None else self._vocab[piece].norm_)
            else:
                cut = _cut(piece, lengths)
                new_pieces += cut
                new_norms += [self._vocab[part].norm_ for part in cut]
        return start, end, new_pieces, new_norms

    def _run_lengths(self, orth: int) -> list[int] | None:
        """Where to cut the word ``orth`` (piece lengths) or None, cached so each distinct word is looked at once."""
        known = self._runs
        if orth in known:
            return known[orth]
        lengths = self.normalizer.split_run(self._strings[orth], self._salient)
        if len(known) < 200_000:
            known[orth] = lengths
        return lengths

    def _leet_changes(self, doc: Doc, text: str) -> list[_Change]:
        """How to cut an obfuscated word where its plain spelling would be cut: "n0t" is one word, "c@n't" two.

        spaCy splits "n0t" into "n0" + "t" and keeps "c@n't" whole, while
        "not" and "can't" (ca + n't) are cut the other way, so the phrase
        matcher could never line them up. Leetspeak swaps one character for
        one, so the plain word's token boundaries apply to the written one.
        Only words whose plain pieces include a lexicon word of two or more
        characters are touched: a lone "a", "i" or "," is in nearly every run
        of junk and makes no obfuscated word ("AR-15s" is no leetspeak).
        Returns the changes that cut those words anew (``text`` is the doc's text).
        """
        vocabulary = self.normalizer.vocabulary
        changes: list[_Change] = []
        bounds: tuple[list[int], list[int]] | None = None  # where each token starts and ends, read on first use
        words = [found for found in _WORD_RUN.finditer(text) if _LEET_MIX.search(found.group())]
        laid_out = self._leet_pieces_of([found.group() for found in words])
        for found in words:
            pieces, orths, norms, lowered = laid_out[found.group()]
            if not any(len(norm) > 1 and norm in vocabulary for norm in lowered):
                continue
            bounds = bounds or _token_bounds(doc)
            tokens = _tokens_at(*bounds, found.start(), found.end())
            if tokens is None:
                continue
            start = found.start()
            if [(bounds[0][k] - start, bounds[1][k] - start) for k in range(*tokens)] != pieces:
                changes.append((*tokens, orths, norms))  # the lists are shared: nothing changes them
        return changes

    def _joined_changes(self, doc: Doc, text: str) -> list[_Change]:
        """Words joined by dots or underscores ("women.are.trash", "i_hate_women"), cut into their words.

        spaCy keeps such a run as one token. Each piece after the first keeps the separator before it in its
        text (".are") and gets the plain word as its norm, so the matcher reads "women are trash"; the first
        piece, usually who a claim is about, is the word as written, which templates' exact words need. Only
        runs of three or more words with one separator, one of them a lexicon word, outside an address
        ("x@a.b", "a.b/c") are cut: "e.g.", "U.S.A." and "config.yml" stay as they are.
        """
        vocabulary, vocab = self.normalizer.vocabulary, self._vocab
        changes: list[_Change] = []
        bounds: tuple[list[int], list[int]] | None = None
        for found in _JOINED.finditer(text):
            words = found.group().split(found.group(1))
            if not any(len(word) > 1 and word.lower() in vocabulary for word in words):
                continue
            bounds = bounds or _token_bounds(doc)
            tokens = _tokens_at(*bounds, found.start(), found.end())
            if tokens is None or tokens[1] - tokens[0] != 1:
                continue
            written = _cut(found.group(), [len(words[0])] + [len(word) + 1 for word in words[1:]])
            changes.append((*tokens, written, [vocab[word].norm_ for word in words]))
        return changes

    def _leet_pieces_of(self, words: list[str]) -> dict[str, _LeetPieces]:
        """How each leetspeak word is cut when laid out as its plain spelling, cached per word: the pieces'
        (start, end), written texts and norms, and the plain pieces' lowercased norms.

        The words not cached are laid out together (:meth:`_layouts_of`): one tokenizer call per text, not one
        per word, which cost more than the rest of the normalizer on text made of short unknown words.
        """
        found = {word: self._leet[word] for word in words if word in self._leet}
        new = list(dict.fromkeys(word for word in words if word not in found))
        words_in = self._lexicon_words()
        if words_in is not None:  # a word whose plain spelling holds no lexicon word is not laid out
            folds = getattr(self._tokenizer, "folds_text", False)  # as _layouts_of lays it out
            for word in new:
                plain = word.translate(LEET)
                if not words_in.found_in((fold(plain)[0] if folds else plain).lower()):
                    found[word] = _NOT_LAID_OUT
                    if len(self._leet) < 100_000:
                        self._leet[word] = _NOT_LAID_OUT
            new = [word for word in new if word not in found]
        for word, layout in zip(new, self._layouts_of([word.translate(LEET) for word in new]), strict=True):
            orths = [word[a:b] for a, b, _ in layout]
            norms = [
                norm if norm != orth.translate(LEET).lower() else orth.lower()
                for (_, _, norm), orth in zip(layout, orths, strict=True)
            ]
            found[word] = ([(a, b) for a, b, _ in layout], orths, norms, [norm.lower() for _, _, norm in layout])
            if len(self._leet) < 100_000:
                self._leet[word] = found[word]
        return found

    def _lexicon_words(self) -> _WordsIn | None:
        """What is found in a (folded, lowercased) plain spelling wherever the tokenizer could cut from it a
        piece whose norm is a lexicon word of two or more characters: the words themselves, the strings the
        norm table maps to one ("’s"), and the tokenizer's special cases that give a piece such a norm ("im":
        "i" + "m", norm "am"). Built again when the vocabulary grows; None when the tokenizer's norms are not
        spaCy's usual lookup-then-lowercase (every word is then laid out)."""
        vocabulary, rules = self.normalizer.vocabulary, self._tokenizer.rules
        if self._words_in is not None and self._words_in[0] == (len(vocabulary), len(rules)):
            return self._words_in[1]
        getter = self._vocab.lex_attr_getters.get(NORM)
        if not (
            isinstance(getter, partial)
            and getter.func is getattr(spacy_util, "_get_attr_unless_lookup", None)
            and getter.args[:1] == (lex_attrs.lower,)
            and all(isinstance(table, dict) for table in getter.args[1])
        ):
            return None
        long = {word for word in vocabulary if len(word) > 1}
        sources = set(long)
        for table in getter.args[1]:
            sources.update(key.lower() for key, norm in table.items() if str(norm).lower() in long)
        for key, pieces in rules.items():
            if any(str(piece.get(NORM, piece.get("NORM", ""))).lower() in long for piece in pieces):
                sources.add(key.lower())
        found = _WordsIn({source for source in sources if source})
        self._words_in = ((len(vocabulary), len(rules)), found)
        return found

    def _layouts_of(self, words: list[str]) -> list[list[tuple[int, int, str]]]:
        """:meth:`_layout` of each word, the words tokenized in one call.

        The tokenizer cuts each whitespace-free chunk on its own, so the words are
        folded one by one (as :meth:`_layout` folds each, with the pipeline's
        tokenizer, :class:`analyzer.pipeline.build.TextKeepingTokenizer`) and joined by a newline
        between spaces: no special case of the tokenizer holds a newline, so none
        matches across two words. A word that folds to one with a space in it is
        laid out alone.
        """
        if not getattr(self._tokenizer, "folds_text", False):  # another pipeline's tokenizer: one call per word
            return [self._layout(word) for word in words]
        folded = [fold(word)[0] for word in words]
        alone = {i for i, word in enumerate(folded) if len(word.split()) != 1}
        together = [word for i, word in enumerate(folded) if i not in alone]
        offsets = list(accumulate((len(word) + len(_SEPARATOR) for word in together), initial=0))
        rows = np.zeros((0, 3), dtype=np.uint64)
        if together:
            doc = tokenize_linear(self._tokenizer.tokenizer, self._vocab, _SEPARATOR.join(together))
            rows = doc.to_array(_IDX_LENGTH_NORM)
        starts = rows[:, 0].astype(np.int64)
        firsts = np.searchsorted(starts, offsets[:-1]).tolist()
        lasts = np.searchsorted(starts, [o + len(w) for o, w in zip(offsets[:-1], together, strict=True)]).tolist()
        strings = self._strings
        norm_of: dict[int, str] = {}
        columns = rows.tolist()
        layouts: list[list[tuple[int, int, str]]] = []
        at = 0  # index into together
        for i, word in enumerate(words):
            if i in alone:
                layouts.append(self._layout(word))
                continue
            offset, layout = offsets[at], []
            for idx, length, norm in columns[firsts[at] : lasts[at]]:
                text = norm_of.get(norm)
                if text is None:
                    text = norm_of[norm] = strings[norm]
                layout.append((idx - offset, idx - offset + length, text))
            layouts.append(layout)
            at += 1
        return layouts

    def _may_have_spelled_words(self, array: np.ndarray) -> bool:
        """Three single letters in a row, or letters joined by '-', '.': cheap test before the real one."""
        if len(array) < 3:
            return False
        single = (array[:, 1] == 1) & (array[:, 2] == 1)
        if int(single.sum()) < 3:
            return False
        middle = array[1:-1, 4]
        separator = np.zeros(len(middle), dtype=bool)
        for value in self._separators:
            separator |= middle == value
        return bool((single[:-2] & (single[1:-1] | separator) & single[2:]).any())

    def _join_spaced_letters(self, doc: Doc) -> list[int]:
        """'s l u t' is one word written to dodge a filter: merge it to one token; return the merged tokens."""
        runs: list[tuple[int, int, str]] = []
        # per token, from arrays (a Token object per token cost more than the rest): a single letter?
        # followed by a space? a separator ('-', '.')?
        array = doc.to_array(_SPELLING_ATTRS)
        single_array = (array[:, 0] == 1) & (array[:, 1] == 1)
        single, spaced = single_array.tolist(), array[:, 2].astype(bool).tolist()
        separator = np.isin(array[:, 3], self._separators).tolist()
        dotted = np.isin(array[:, 3], self._dotted).tolist()
        starts = np.flatnonzero(single_array).tolist()
        n, at = len(doc), 0
        while at < len(starts):
            i = starts[at]
            j = i + 1
            while j < n:
                if single[j] and spaced[j - 1]:
                    j += 1
                elif j + 1 < n and separator[j] and not spaced[j - 1] and not spaced[j] and single[j + 1]:
                    j += 2  # "b-i-t-c-h", "s.l.u.t"
                else:
                    if dotted[j] and spaced[j - 1]:
                        j += 1  # "a s l u t.": the last letter and the full stop are one token
                    break
            if j - i >= 3:
                found = self._spelled_word(doc, i, j)
                if found is not None:
                    runs.append(found)
            at = bisect_left(starts, j, at + 1)  # the next single letter at or after j
        if not runs:
            return []
        with doc.retokenize() as retokenizer:
            for start, end, word in runs:
                retokenizer.merge(doc[start:end], attrs={"NORM": word})
        shift, merged = 0, []
        for start, end, _ in runs:
            merged.append(start - shift)
            shift += end - start - 1
        return merged

    def _spelled_word(self, doc: Doc, i: int, j: int) -> tuple[int, int, str] | None:
        """The longest lexicon word spelled by the single letters of doc[i:j] (the first one, of equal lengths)."""
        positions = [k for k in range(i, j) if doc[k].text not in _LETTER_SEPARATORS]
        joined = "".join(doc[k].text[0] for k in positions).lower()  # [0]: "t." of "s l u t." is the letter t
        if len(joined) != len(positions):
            return None  # a letter that changes length when lowercased: no lexicon word is spelled that way
        found = self.normalizer.longest_spelled(joined)
        if found is None:
            return None
        start, end = found
        return positions[start], positions[end - 1] + 1, joined[start:end]


class _WordsIn:
    """Whether a plain spelling holds one of ``sources`` where the tokenizer could cut it out.

    The tokenizer cuts between two letters only by a special case, which applies to a whole chunk and
    whose key is itself a source; so a source made of letters only can be a piece only as a whole run of
    letters ("up" in "x-up!", not in "xgupa"), which is a set lookup. Sources with other characters
    ("n't", "’s", "y'all") are searched for anywhere. On random text most words hold some two-letter
    word somewhere, and laying each out cost more than the rest of the normalizer.
    """

    def __init__(self, sources: set[str]) -> None:
        self.letter_runs = frozenset(source for source in sources if _LETTERS.fullmatch(source))
        others = sorted(sources - self.letter_runs)
        self.others = re.compile(_alternation(others)) if others else None

    def found_in(self, plain: str) -> bool:
        if any(run in self.letter_runs for run in _LETTERS.findall(plain)):
            return True
        return self.others is not None and self.others.search(plain) is not None


def _alternation(words: list[str]) -> str:
    """A regex found wherever one of ``words`` is, as a trie: the engine follows one branch per character
    instead of trying each word at each position. Only whether one is there counts, so a word that
    begins with another adds nothing."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here

    def branch(node: dict[str, dict]) -> str:
        if "" in node:
            return ""  # found: what could follow does not matter
        parts = [re.escape(char) + branch(child) for char, child in sorted(node.items())]
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"

    return branch(trie) if trie else "(?!)"


def _token_bounds(doc: Doc) -> tuple[list[int], list[int]]:
    """Where each token of ``doc`` starts and ends (character offsets), read from arrays: see :func:`_tokens_at`."""
    columns = doc.to_array(_IDX_LENGTH)
    return columns[:, 0].tolist(), (columns[:, 0] + columns[:, 1]).tolist()


def _tokens_at(starts: list[int], ends: list[int], start: int, end: int) -> tuple[int, int] | None:
    """The tokens ``[first, last)`` covering characters ``[start, end)`` exactly (``doc.char_span``, strict), or None.

    ``starts`` and ``ends``: where each token of the doc starts and ends. Read from arrays rather than
    through a Span, whose tokens cost a Python object each.
    """
    first = bisect_right(starts, start) - 1
    last = bisect_right(starts, end - 1) - 1
    if first < 0 or starts[first] != start or ends[last] != end:
        return None
    return first, last + 1


# A leetspeak word's pieces laid out as its plain spelling: (start, end) each, written texts, norms, plain norms
_LeetPieces = tuple[list[tuple[int, int]], list[str], list[str], list[str]]
_NOT_LAID_OUT: _LeetPieces = ([], [], [], [])  # a word whose plain spelling holds no lexicon word
# A change to a doc's tokens: tokens [start, end) become the given pieces, with these norms (None: the pieces' own).
_Change = tuple[int, int, list[str], list[str] | None]


def _cut(word: str, lengths: Sequence[int]) -> list[str]:
    """``word`` cut into pieces of ``lengths``."""
    bounds = list(accumulate(lengths, initial=0))
    return [word[a:b] for a, b in pairwise(bounds)]


def _retokenized(doc: Doc, changes: list[_Change]) -> Doc:
    """A new doc with each change made, built in one pass over the tokens.

    spaCy's retokenizer moves every later token once per token it splits, so
    a text with a cut word every few tokens ("ihatewomen " repeated) cost the
    square of its length. The new doc has the same text, the old tokens' norms
    and sentence starts, and the first piece of a change keeps its first
    token's sentence start while the others continue that sentence.
    """
    vocab, strings = doc.vocab, doc.vocab.strings
    array = doc.to_array(_KEPT)
    # every token's text and whitespace, from arrays: a Token object per token cost more than the rest
    texts_spaces = doc.to_array(_TEXT_SPACE)
    orths = texts_spaces[:, 0].tolist()
    texts = {orth: strings[orth] for orth in set(orths)}
    old_words = [texts[orth] for orth in orths]
    old_spaces = texts_spaces[:, 1].astype(bool).tolist()
    sent_starts = array[:, 1].tolist()
    words: list[str] = []
    spaces: list[bool] = []
    take: list[int] = []  # per token of the new doc: the old token whose row it keeps, or -1 (a new piece)
    added: list[int] = []  # the new pieces' NORM and SENT_START, in turn
    done = 0
    for start, end, pieces, norms in sorted(changes, key=lambda change: change[0]):
        if start < done:
            continue  # overlapping changes: the first one stands
        words += old_words[done:start]
        spaces += old_spaces[done:start]
        take += range(done, start)
        words += pieces
        spaces += [False] * (len(pieces) - 1) + [old_spaces[end - 1]]
        take += [-1] * len(pieces)
        piece_norms = [strings.add(n) for n in norms] if norms is not None else [vocab[p].norm for p in pieces]
        for k, norm in enumerate(piece_norms):
            added += (norm, sent_starts[start] if k == 0 else _NOT_A_START)
        done = end
    words += old_words[done:]
    spaces += old_spaces[done:]
    take += range(done, len(old_words))
    # the rows, gathered in one go (an array per change cost more than the rest on a text full of changes)
    index = np.array(take, dtype=np.int64)
    rows = np.empty((len(take), 2), dtype=np.uint64)
    kept = index >= 0
    rows[kept] = array[index[kept]]
    rows[~kept] = np.array(added, dtype=np.uint64).reshape(-1, 2)
    new = Doc(vocab, words=words, spaces=spaces)
    new.from_array(_KEPT, rows)
    new.user_data.update(doc.user_data)
    return new


_NOT_A_START = 2**64 - 1  # SENT_START -1, as to_array gives it
_KEPT = [NORM, SENT_START]  # what the tokens have when they reach this component, besides their text
_TEXT_SPACE = [ORTH, SPACY]
_IDX_LENGTH = [IDX, LENGTH]
_IDX_LENGTH_NORM = [IDX, LENGTH, NORM]
_SEPARATOR = " \n "  # between the words laid out together (see NormalizerComponent._layouts_of)
_SPELLING_ATTRS = [LENGTH, IS_ALPHA, SPACY, ORTH]
_LETTER_SEPARATORS = frozenset({"-", ".", "_", "*"})
# A leetspeak symbol against a letter (a letter before it, or after it). Starting with the
# symbol lets the regex engine skip ahead to the symbols; "letter then symbol | symbol then
# letter" as an alternation tried each position and cost more than the rest of the normalizer.
_LEET_MIX = re.compile(r"[0-9@$|+](?:(?<=[^\W\d_].)|(?=[^\W\d_]))")
# A written word that can be a disguised one: letters, digits, the leetspeak and masking marks, apostrophes,
# hyphens and dots. Brackets, quotes, other symbols, control characters and U+FFFD end it: nobody swaps a
# letter for them, and random bytes, made mostly of them, would otherwise send every chunk to be laid out.
_LETTERS = re.compile(r"[^\W\d_]+")
# What joins the words _joined_changes cuts apart. Each piece after the first keeps its mark ("_hate" of
# "i_hate_women"), so a flag that starts on a piece starts after the mark (matcher._candidate).
JOINED_SEPARATORS = "._"
_JOINED_SEPARATOR = f"[{re.escape(JOINED_SEPARATORS)}]"  # one of them, in a regex
# A letter, a dot or underscore, a letter: a cheap test for words joined by one (see _joined_changes),
# starting with the separator so the regex engine skips ahead to them.
_JOINED_MARK = re.compile(rf"{_JOINED_SEPARATOR}(?<=[^\W\d_]{_JOINED_SEPARATOR})(?=[^\W\d_])")
# Three or more words joined by the same dot or underscore, not part of an address, a path or a longer word.
_JOINED = re.compile(
    rf"(?<![\w.@/:'’-])[^\W\d_]+({_JOINED_SEPARATOR})[^\W\d_]+(?:\1[^\W\d_]+)+(?![\w@/:'’-]|\.\w)"
)
_WORD_RUN = re.compile(r"[\w@$|+!'’‘`´\-.*•]+")
_ATTRS = [NORM, LENGTH, IS_ALPHA, SPACY, ORTH]  # the columns of one doc's arrays
# A batch's columns: IS_ALPHA (a lexeme flag) costs to_array more per token than the others
# together, and is only needed for the few tokens looked at more closely.
_BATCH_ATTRS = [NORM, LENGTH, SPACY, ORTH]
