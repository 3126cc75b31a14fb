"""``allyship_normalizer``: each token's matching key (``token.lemma``), and words cut or joined to match.

Runs on every token of every text, so it has ``pipe`` (what ``Language.pipe``
calls): per doc it only reads and writes token arrays, and the checks and
lookups run once over the concatenated tokens of a batch, where the fixed cost
of each numpy call is shared by all its docs. ``__call__`` is the same work on
a batch of one. The rare docs whose tokens must change (run-together words,
spelled-out letters, leetspeak) go through the one-doc path.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

import numpy as np
from spacy.attrs import IS_ALPHA, LEMMA, LENGTH, NORM, ORTH, SPACY
from spacy.language import Language
from spacy.tokens import Doc, Span

from analyzer.model.word_features import load_cues
from analyzer.pipeline.spelling import LEET, Normalizer
from analyzer.tokens.arrays import BatchComponent, DocArrays, HashCache
from analyzer.tokens.doc_state import doc_text, doc_texts


class NormalizerComponent(BatchComponent):
    """Writes each token's matching key to ``token.lemma`` and rejoins spaced letters.

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
        self._tokenizer = nlp.tokenizer
        self._runs: dict[int, list[int] | None] = {}
        # words that make a run-together word worth cutting: references to women, listed insults
        cues = load_cues()
        self._salient = frozenset(cues["targets"]) | self.normalizer.targets
        self._layouts: dict[str, list[tuple[int, int, str]]] = {}
        self._vocab = nlp.vocab
        # the per-token lookups of a batch, vectorized (see HashCache): norm -> key, word -> whether
        # it is cut (see _split_runs), one-character token -> whether it is a letter
        self._key_table = HashCache(self._key)
        self._cut_table = HashCache(lambda orth: self._run_lengths(orth) is not None, np.uint8, bits=16)
        self._letter_table = HashCache(lambda orth: self._vocab[orth].is_alpha, np.uint8, bits=12)

    def process(self, docs: list[Doc]) -> None:
        """Set the keys of ``docs``; the rare docs with words to cut or join go through :meth:`_normalize_one`.

        On short posts the fixed cost of each numpy call outweighs its work, so the
        checks and the key lookups run once over the concatenated tokens of a batch.
        """
        docs = [doc for doc in docs if len(doc)]
        if not docs:
            return
        for doc, text in zip(docs, doc_texts(docs), strict=True):
            if _LEET_MIX.search(text):
                self._relayout_leet(doc)
        # Whole-doc arrays instead of Token objects: this runs on every token of every text.
        batch = DocArrays([doc.to_array(_BATCH_ATTRS) for doc in docs])
        norms, lengths, spaces, orths = batch.array.T
        retokenize = self._runs_to_split(batch, lengths, orths) | self._spelled_word_docs(batch, lengths, orths)
        keys = self._keys_of(norms, spaces, orths, batch.firsts)
        for i, (doc, first, end) in enumerate(zip(docs, batch.firsts.tolist(), batch.ends.tolist(), strict=True)):
            if i in retokenize:
                self._normalize_one(doc)
            else:
                doc.from_array(_LEMMA, keys[first:end])

    def _normalize_one(self, doc: Doc) -> None:
        """Cut run-together words, join spelled letters, then set the keys: one doc at a time."""
        array = doc.to_array(_ATTRS)
        if self._split_runs(doc, array):
            array = doc.to_array(_ATTRS)
        if self._may_have_spelled_words(array):
            self._join_spaced_letters(doc)
            array = doc.to_array(_ATTRS)
        doc.from_array(_LEMMA, self._keys_of(array[:, 0], array[:, 3], array[:, 4], np.zeros(1, dtype=np.int64)))

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

    def _split_runs(self, doc: Doc, array: np.ndarray) -> bool:
        """Cut words written together ("womenare worthless", "ihatewomen") into the words they are made of.

        Returns whether any word was cut (the doc's arrays are then stale).
        """
        long_words = np.flatnonzero((array[:, 1] >= 6) & (array[:, 2] == 1))  # columns: NORM LENGTH IS_ALPHA . ORTH
        if not len(long_words):
            return False
        cuts: list[tuple[int, list[str]]] = []  # (token index, pieces)
        for i, orth in zip(long_words.tolist(), array[long_words, 4].tolist(), strict=True):
            lengths = self._run_lengths(orth)
            if lengths is not None:
                token = doc[i]
                bounds = np.cumsum([0, *lengths]).tolist()
                cuts.append((i, [token.text[a:b] for a, b in pairwise(bounds)]))
        if not cuts:
            return False
        with doc.retokenize() as retokenizer:
            for i, orths in cuts:
                token = doc[i]
                retokenizer.split(token, orths, heads=[(token, k) for k in range(len(orths))])
        shift = 0  # the first piece keeps the word's sentence start; the others continue its sentence
        for i, orths in cuts:
            for k in range(i + shift + 1, i + shift + len(orths)):
                doc[k].is_sent_start = False
            shift += len(orths) - 1
        return True

    def _run_lengths(self, orth: int) -> list[int] | None:
        """Where to cut the word ``orth`` (piece lengths) or None, cached so each distinct word is looked at once."""
        known = self._runs
        if orth in known:
            return known[orth]
        lengths = self.normalizer.split_run(self._strings[orth], self._salient)
        if len(known) < 200_000:
            known[orth] = lengths
        return lengths

    def _relayout_leet(self, doc: Doc) -> None:
        """Cut an obfuscated word where its plain spelling would be cut: "n0t" is one word, "c@n't" two.

        spaCy splits "n0t" into "n0" + "t" and keeps "c@n't" whole, while
        "not" and "can't" (ca + n't) are cut the other way, so the phrase
        matcher could never line them up. Leetspeak swaps one character for
        one, so the plain word's token boundaries apply to the written one.
        Only words whose plain pieces include a lexicon word are touched.
        """
        text = doc_text(doc)
        vocabulary = self.normalizer.vocabulary
        changes: list[tuple[Span, list[tuple[int, int, str]]]] = []
        for found in _WORD_RUN.finditer(text):
            word = found.group()
            if not _LEET_MIX.search(word):
                continue
            layout = self._layout(word.translate(LEET))
            span = doc.char_span(found.start(), found.end())
            if span is None or not any(norm.lower() in vocabulary for _, _, norm in layout):
                continue
            current = [(t.idx - found.start(), t.idx - found.start() + len(t)) for t in span]
            if current != [(a, b) for a, b, _ in layout]:
                changes.append((span, layout))
        if not changes:
            return
        with doc.retokenize() as retokenizer:
            for span, _ in changes:
                if len(span) > 1:
                    retokenizer.merge(span)
        with doc.retokenize() as retokenizer:
            for span, layout in changes:
                token = doc.char_span(span.start_char, span.end_char)[0]
                if len(layout) > 1:
                    orths = [token.text[a:b] for a, b, _ in layout]
                    norms = [
                        norm if norm != orth.translate(LEET).lower() else orth.lower()
                        for (_, _, norm), orth in zip(layout, orths, strict=True)
                    ]
                    heads = [(token, i) for i in range(len(layout))]
                    retokenizer.split(token, orths, heads=heads, attrs={"NORM": norms})

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
        i, n = 0, len(doc)
        while i < n:
            if not _single_letter(doc[i]):
                i += 1
                continue
            j = i + 1
            while j < n:
                if _single_letter(doc[j]) and doc[j - 1].whitespace_ == " ":
                    j += 1
                elif (
                    j + 1 < n
                    and doc[j].text in _LETTER_SEPARATORS
                    and not doc[j - 1].whitespace_
                    and not doc[j].whitespace_
                    and _single_letter(doc[j + 1])
                ):
                    j += 2  # "b-i-t-c-h", "s.l.u.t"
                else:
                    break
            if j - i >= 3:
                found = self._spelled_word(doc, i, j)
                if found is not None:
                    runs.append(found)
            i = j
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
        """The longest lexicon word spelled by the single letters of doc[i:j]."""
        positions = [k for k in range(i, j) if doc[k].text not in _LETTER_SEPARATORS]
        letters = [doc[k].text for k in positions]
        for length in range(len(letters), 2, -1):
            for start in range(len(letters) - length + 1):
                word = self.normalizer.join_letters(letters[start : start + length])
                if word is not None:
                    return positions[start], positions[start + length - 1] + 1, word
        return None


_LETTER_SEPARATORS = frozenset({"-", ".", "_", "*"})
# A leetspeak symbol against a letter (a letter before it, or after it). Starting with the
# symbol lets the regex engine skip ahead to the symbols; "letter then symbol | symbol then
# letter" as an alternation tried each position and cost more than the rest of the normalizer.
_LEET_MIX = re.compile(r"[0-9@$|+](?:(?<=[^\W\d_].)|(?=[^\W\d_]))")
_WORD_RUN = re.compile(r"\S+")
_ATTRS = [NORM, LENGTH, IS_ALPHA, SPACY, ORTH]  # the columns of one doc's arrays
# A batch's columns: IS_ALPHA (a lexeme flag) costs to_array more per token than the others
# together, and is only needed for the few tokens looked at more closely.
_BATCH_ATTRS = [NORM, LENGTH, SPACY, ORTH]
_LEMMA = [LEMMA]


def _single_letter(token: Any) -> bool:
    return len(token.text) == 1 and token.is_alpha
