"""The one place that builds and orders the spaCy pipeline.

Blank English on purpose: no statistical model is needed (or trusted from a
re-upload), so the analyzer installs from the package registry alone and runs
fast. Matching keys (lookup lemmas from spacy-lookups-data) come from the normalizer component.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

import analyzer.pipeline.factories  # registers the factories
import analyzer.pipeline.sentences  # noqa: F401  (registers allyship_sentences)
from analyzer.lexicon.loader import Lexicon
from analyzer.tokens.doc_state import ORIGIN_KEY, TEXT_KEY
from analyzer.tokens.folding import fold
from analyzer.tokens.guard import tokenize_linear
from analyzer.tokens.suffixes import tail_suffix_search

if TYPE_CHECKING:
    from analyzer.model.category_model import CategoryClassifier


class TextKeepingTokenizer:
    """spaCy's tokenizer on the text with invisible and look-alike characters undone (:mod:`analyzer.tokens.folding`),
    in linear time on any text (:mod:`analyzer.tokens.guard`), keeping the string it tokenized on the doc (see
    :func:`analyzer.tokens.doc_state.doc_text`) and, when folding changed it, where each character came from
    (:func:`analyzer.tokens.doc_state.original_offsets`)."""

    folds_text = True  # what it tokenizes is fold(text): a component may fold and tokenize pieces itself

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        folded, origin = fold(text)
        doc = tokenize_linear(self.tokenizer, self.tokenizer.vocab, folded)
        doc.user_data[TEXT_KEY] = folded
        if origin is not None:
            doc.user_data[ORIGIN_KEY] = origin
        return doc

    def __getattr__(self, name: str) -> Any:  # rules, pipe, explain...: the wrapped tokenizer's
        return getattr(self.tokenizer, name)


def build_pipeline(lexicon: Lexicon, classifier: CategoryClassifier | None = None, threshold: float = 0.5) -> Language:
    """A blank English pipeline with the analyzer's components, ready to run.

    ``threshold`` is the score a candidate needs to be written to ``doc.spans["allyship"]``
    rather than to ``doc.spans["allyship_suppressed"]``.
    """
    nlp = spacy.blank("en")
    tail_suffix_search(nlp.tokenizer, nlp.Defaults.suffixes)
    nlp.tokenizer = TextKeepingTokenizer(nlp.tokenizer)
    nlp.add_pipe("allyship_sentences")
    normalizer = nlp.add_pipe("allyship_normalizer")
    matcher = nlp.add_pipe("allyship_lexicon", config={"threshold": threshold, "trusted": lexicon.trusted})
    matcher.initialize_lexicon(lexicon, normalizer)
    context = nlp.add_pipe("allyship_context", config={"threshold": threshold})
    if classifier is not None:
        import analyzer.pipeline.classifier  # noqa: F401  (registers the factory)

        component = nlp.add_pipe("allyship_classifier", config={"threshold": threshold})
        component.initialize_model(classifier, lexicon, context.rules)
    return nlp
