"""The context step's token view reads what spaCy's Token and Span objects would have given it.

The checks of :mod:`analyzer.pipeline.context` read a :class:`TokenView` (lists
read once per doc) instead of Tokens and Spans; a difference would silently
change which flags are ruled out.
"""

from __future__ import annotations

import pytest

from analyzer.pipeline.context_view import TokenView
from analyzer.tokens.doc_state import key_text

TEXTS = [
    'He said "calm down, sweetie" and I told him that was rude. Then he left!',
    "not all men... but you are so emotional\n\nnew line here? yes: c@n't m4n up",
    "ihatewomen when wom3n say b*tch -- 'quoted' words, ok? ok.",
    "one",
    "s l u t " * 3 + "“curly quotes” and ‘single’ ones…",
]


def _spacy_facts(doc, a: int, b: int) -> list[tuple]:
    return [(t.norm_, t.text, key_text(t), t.is_punct, t.idx) for t in doc[a:b]]


def _view_facts(view: TokenView, a: int, b: int) -> list[tuple]:
    columns = (view.norms(a, b), view.texts(a, b), view.keys(a, b), view.puncts(a, b), view.idxs(a, b))
    return list(zip(*columns, strict=True))


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_the_view_of_a_doc_reads_what_its_tokens_and_sentences_say(analyzer, text: str) -> None:
    doc = analyzer.process(text)
    view = TokenView.of_doc(doc)
    n = len(doc)
    assert _view_facts(view, 0, n) == _spacy_facts(doc, 0, n)
    for i in range(n):
        sent = doc[i].sent
        assert view.sentence(i) == (sent.start, sent.end, sent.start_char, sent.end_char)
        assert view.sentence_norms(view.sentence(i)) == [t.norm_ for t in sent]
        assert view.words(sent.start, sent.end) == [t.norm_ for t in sent if not t.is_space and not t.is_punct]
    # ranges are clipped as a doc slice clips them
    assert _view_facts(view, n - 2, n + 5) == _spacy_facts(doc, n - 2, n + 5)
    assert view.norms(3, 1) == []


@pytest.mark.parametrize("text", TEXTS, ids=range(len(TEXTS)))
def test_a_view_of_a_stretch_reads_the_same_as_the_view_of_the_doc(analyzer, text: str) -> None:
    doc = analyzer.process(text)
    whole = TokenView.of_doc(doc)
    lo, hi = len(doc) // 3, len(doc) - len(doc) // 3
    part = TokenView.of_tokens(doc, lo, hi)
    assert _view_facts(part, lo, hi) == _view_facts(whole, lo, hi)
    if lo > 0:
        with pytest.raises(IndexError):
            part.norms(lo - 1, hi)


def test_sentences_set_by_a_hook_are_read_from_spacy(analyzer) -> None:
    doc = analyzer.process("one two three four five six")
    doc.user_hooks["sents"] = lambda d: iter([d[0:2], d[2:6]])
    view = TokenView.of_doc(doc)
    assert view.sentence(1)[:2] == (0, 2)
    assert view.sentence(3)[:2] == (2, 6)
