"""What the pipeline's components keep on a doc, and how to read it fast.

Candidates travel on ``doc._.allyship_candidates``; flags on
``doc.spans["allyship"]`` (what the context step or the classifier ruled out on
``doc.spans["allyship_suppressed"]``, see :func:`publish_spans`); the input text and each token's matching
key on ``doc.user_data``. Every component reads these for every doc, so the
accessors here avoid spaCy's slower generic paths where it is safe to.

The matching key (the normalizer's de-obfuscated lookup lemma: "wom3n" ->
"woman") is kept as a hash array of its own, read by the matcher and the
classifier, and shown as ``token._.allyship_key``: it never overwrites
``token.lemma_``, which a trained pipeline's lemmatizer owns.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from spacy.attrs import NORM
from spacy.tokens import Doc, Span, Token

from analyzer.flags import Candidate

SPANS_KEY = "allyship"
SUPPRESSED_SUFFIX = "_suppressed"  # the group of what was ruled out: doc.spans["allyship_suppressed"]
KEYS_KEY = "allyship_keys"
_NORM = [NORM]

if not Doc.has_extension("allyship_candidates"):
    Doc.set_extension("allyship_candidates", default=None)
# Where spaCy stores a Doc attribute extension's value (``Underscore._get_key``), and whether ours
# is such a plain value (no getter, setter or method that would have to run).
_CANDIDATES_KEY = ("._.", "allyship_candidates", None, None)
_PLAIN_EXTENSION = Doc.get_extension("allyship_candidates")[1:] == (None, None, None)


TEXT_KEY = "allyship_text"
ORIGIN_KEY = "allyship_origin"  # per character of the analyzed text, its position in the input (when they differ)


def doc_text(doc: Doc) -> str:
    """The text a doc was made from.

    spaCy rebuilds ``doc.text`` from its tokens on every access, which cost
    more than a whole component on a batch of short posts; the pipeline's
    tokenizer (:class:`analyzer.pipeline.build.TextKeepingTokenizer`) stores the
    string in ``doc.user_data`` instead.
    """
    text = doc.user_data.get(TEXT_KEY)
    return text if isinstance(text, str) else doc.text


def original_offsets(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """Where characters ``[start, end)`` of the doc's text are in the text the user gave.

    They differ when the tokenizer undid invisible or look-alike characters
    (:mod:`analyzer.tokens.folding`); flags must point into the user's text.
    """
    from analyzer.tokens.folding import original_span

    return original_span(doc.user_data.get(ORIGIN_KEY), start, end)


def doc_texts(docs: Iterable[Doc]) -> list[str]:
    """:func:`doc_text` of each doc (a list comprehension: this runs on every doc of a batch)."""
    texts = [doc.user_data.get(TEXT_KEY) for doc in docs]
    if not all(isinstance(text, str) for text in texts):
        texts = [doc_text(doc) for doc in docs]
    return texts


def candidates(doc: Doc) -> list[Candidate]:
    """The candidate list of a doc, created on first use.

    Read and written where spaCy keeps ``doc._.allyship_candidates`` (a plain
    attribute extension) rather than through ``doc._``, which builds an
    ``Underscore`` object on every access: that cost more per doc than the
    whole phrase match.
    """
    if not _PLAIN_EXTENSION:
        found = doc._.allyship_candidates
        if found is None:
            found = []
            doc._.allyship_candidates = found
        return found
    found = doc.user_data.get(_CANDIDATES_KEY)
    if found is None:
        found = []
        doc.user_data[_CANDIDATES_KEY] = found
    return found


def set_keys(doc: Doc, keys: np.ndarray) -> None:
    """Record the matching key hash of each token of ``doc`` (written by the normalizer)."""
    doc.user_data[KEYS_KEY] = keys


def doc_keys(doc: Doc) -> np.ndarray:
    """The matching key hash of each token (uint64); the tokens' norms when the normalizer has not run
    on this doc (or a later component changed its tokens)."""
    keys = doc.user_data.get(KEYS_KEY)
    if keys is None or len(keys) != len(doc):
        return doc.to_array(_NORM).reshape(-1)
    return keys


def batch_keys(docs: Sequence[Doc]) -> np.ndarray:
    """:func:`doc_keys` of several docs, laid end to end."""
    arrays = [doc_keys(doc) for doc in docs]
    return np.concatenate(arrays) if len(arrays) != 1 else arrays[0]


def key_text(token: Token) -> str:
    """The matching key of one token, as a string."""
    return token.doc.vocab.strings[int(doc_keys(token.doc)[token.i])]


if not Token.has_extension("allyship_key"):
    Token.set_extension("allyship_key", getter=key_text)


def publish_spans(doc: Doc, key: str, threshold: float) -> None:
    """Write the doc's candidates as spans: flags (not ruled out, score at least ``threshold``) on
    ``doc.spans[key]``, the others on ``doc.spans[key + "_suppressed"]``; label = category, id = rule id
    (empty for a classifier finding). Both groups are set, empty or not, so readers can rely on them."""
    found = candidates(doc)
    if not found:  # most docs: no Span objects to build
        spans = doc.spans
        spans[key] = ()
        spans[key + SUPPRESSED_SUFFIX] = ()
        return
    kept: list[Span] = []
    held: list[Span] = []
    strings = doc.vocab.strings
    hashes: dict[str, int] = {}  # a label or rule id as its hash, looked up once (a text may have thousands)
    for cand in found:
        label, rule = cand.category, cand.rule_id or ""
        label_hash = hashes.get(label)
        if label_hash is None:
            label_hash = hashes[label] = strings.add(label)
        rule_hash = hashes.get(rule)
        if rule_hash is None:
            rule_hash = hashes[rule] = strings.add(rule)
        span = Span(doc, cand.start, cand.end, label=label_hash, span_id=rule_hash)
        (kept if cand.suppressed_by is None and cand.score >= threshold else held).append(span)
    doc.spans[key] = kept
    doc.spans[key + SUPPRESSED_SUFFIX] = held
