"""The spaCy components of the analyzer, registered with ``@Language.factory``.

Order (set in :mod:`analyzer.pipeline.build`): sentences -> ``allyship_normalizer``
-> ``allyship_lexicon`` -> ``allyship_context`` -> ``allyship_classifier``.
The package registers the factories as ``spacy_factories`` entry points, so
``nlp.add_pipe("allyship_lexicon")`` works in any pipeline without importing
``analyzer`` first. Configs hold only JSON-safe settings (lexicon folders,
trusted, spans key, threshold); the lexicon and the model are data, loaded by
``initialize()`` and saved with the pipeline by ``to_disk``. Candidates travel
on ``doc._.allyship_candidates``; flags are written to ``doc.spans[spans_key]``
(label = category, ``id_`` = rule id) and what was ruled out to
``doc.spans[spans_key + "_suppressed"]``.

The components live in their own modules (:mod:`analyzer.pipeline.normalizer`,
:mod:`analyzer.pipeline.matcher`, :mod:`analyzer.pipeline.sentences`,
:mod:`analyzer.pipeline.classifier`); what they keep on a doc is in :mod:`analyzer.tokens.doc_state`.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from analyzer.pipeline.context import ContextRules
from analyzer.pipeline.context_view import TokenView
from analyzer.pipeline.matcher import LexiconMatcher
from analyzer.pipeline.normalizer import NormalizerComponent
from analyzer.tokens.doc_state import SPANS_KEY, candidates, doc_text, publish_spans

DEFAULT_THRESHOLD = 0.5


class ContextComponent:
    """Runs the context checks of :mod:`analyzer.pipeline.context` on every candidate."""

    def __init__(self, nlp: Language, name: str, *, spans_key: str = SPANS_KEY, threshold: float = 0.5) -> None:
        self.name = name
        self.spans_key = spans_key
        self.threshold = threshold
        tokenizer = nlp.tokenizer
        self.rules = ContextRules(lambda text: [t.norm_ for t in tokenizer(text)])

    def __call__(self, doc: Doc) -> Doc:
        found = candidates(doc)
        if not found:
            return doc
        text = doc_text(doc)
        view: TokenView | None = None  # the doc's tokens, read once for all of its candidates
        for cand in found:
            if cand.source == "lexicon" and cand.suppressed_by is None:
                view = view or TokenView.of_doc(doc)
                self.rules.apply(doc, cand, text, view)
        publish_spans(doc, self.spans_key, self.threshold)
        return doc


@Language.factory("allyship_normalizer", assigns=["token._.allyship_key", "token.norm"])
def make_normalizer(nlp: Language, name: str) -> NormalizerComponent:
    return NormalizerComponent(nlp, name)


@Language.factory(
    "allyship_lexicon",
    assigns=["doc.spans", "doc._.allyship_candidates"],
    requires=["token._.allyship_key"],
    default_config={"lexicons": [], "trusted": False, "spans_key": SPANS_KEY, "threshold": DEFAULT_THRESHOLD},
)
def make_lexicon_matcher(
    nlp: Language, name: str, lexicons: list[str], trusted: bool, spans_key: str, threshold: float
) -> LexiconMatcher:
    return LexiconMatcher(nlp, name, lexicons=lexicons, trusted=trusted, spans_key=spans_key, threshold=threshold)


@Language.factory(
    "allyship_context",
    assigns=["doc.spans"],
    requires=["doc._.allyship_candidates", "token.is_sent_start"],
    default_config={"spans_key": SPANS_KEY, "threshold": DEFAULT_THRESHOLD},
)
def make_context(nlp: Language, name: str, spans_key: str, threshold: float) -> ContextComponent:
    return ContextComponent(nlp, name, spans_key=spans_key, threshold=threshold)
