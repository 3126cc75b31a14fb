"""The spaCy components of the analyzer, registered with ``@Language.factory``.

Order (set in :mod:`analyzer.pipeline.build`): sentencizer -> ``allyship_normalizer``
-> ``allyship_lexicon`` -> ``allyship_context`` -> ``allyship_classifier``.
Configs hold only JSON-safe settings; the lexicon and the model arrive through
``initialize``-style setters, because they are data, not configuration.
Candidates travel on ``doc._.allyship_candidates``; matched spans are also
written to ``doc.spans["allyship"]`` with each span's ``id_`` set to its rule.

The components live in their own modules (:mod:`analyzer.pipeline.normalizer`,
:mod:`analyzer.pipeline.matcher`, :mod:`analyzer.pipeline.sentences`,
:mod:`analyzer.pipeline.classifier`); what they keep on a doc is in :mod:`analyzer.tokens.doc_state`.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from analyzer.pipeline.context import ContextRules
from analyzer.pipeline.matcher import LexiconMatcher
from analyzer.pipeline.normalizer import NormalizerComponent
from analyzer.tokens.doc_state import candidates, doc_text


class ContextComponent:
    """Runs the context checks of :mod:`analyzer.pipeline.context` on every candidate."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        tokenizer = nlp.tokenizer
        self.rules = ContextRules(lambda text: [t.norm_ for t in tokenizer(text)])

    def __call__(self, doc: Doc) -> Doc:
        found = candidates(doc)
        if not found:
            return doc
        text = doc_text(doc)
        for cand in found:
            if cand.source == "lexicon" and cand.suppressed_by is None:
                self.rules.apply(doc, cand, text)
        return doc


@Language.factory("allyship_normalizer", assigns=["token.lemma", "token.norm"])
def make_normalizer(nlp: Language, name: str) -> NormalizerComponent:
    return NormalizerComponent(nlp, name)


@Language.factory(
    "allyship_lexicon",
    assigns=["doc.spans", "doc._.allyship_candidates"],
    requires=["token.lemma"],
)
def make_lexicon_matcher(nlp: Language, name: str) -> LexiconMatcher:
    return LexiconMatcher(nlp, name)


@Language.factory("allyship_context", requires=["doc._.allyship_candidates", "token.is_sent_start"])
def make_context(nlp: Language, name: str) -> ContextComponent:
    return ContextComponent(nlp, name)
