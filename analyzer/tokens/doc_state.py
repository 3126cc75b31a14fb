"""What the pipeline's components keep on a doc, and how to read it fast.

Candidates travel on ``doc._.allyship_candidates``; matched lexicon spans on
``doc.spans["allyship"]``; the input text on ``doc.user_data``. Every
component reads these for every doc, so the accessors here avoid spaCy's
slower generic paths where it is safe to.
"""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Doc

from analyzer.flags import Candidate

SPANS_KEY = "allyship"

if not Doc.has_extension("allyship_candidates"):
    Doc.set_extension("allyship_candidates", default=None)
# Where spaCy stores a Doc attribute extension's value (``Underscore._get_key``), and whether ours
# is such a plain value (no getter, setter or method that would have to run).
_CANDIDATES_KEY = ("._.", "allyship_candidates", None, None)
_PLAIN_EXTENSION = Doc.get_extension("allyship_candidates")[1:] == (None, None, None)


TEXT_KEY = "allyship_text"


def doc_text(doc: Doc) -> str:
    """The text a doc was made from.

    spaCy rebuilds ``doc.text`` from its tokens on every access, which cost
    more than a whole component on a batch of short posts; the pipeline's
    tokenizer (:class:`analyzer.pipeline.build.TextKeepingTokenizer`) stores the
    string in ``doc.user_data`` instead.
    """
    text = doc.user_data.get(TEXT_KEY)
    return text if isinstance(text, str) else doc.text


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
