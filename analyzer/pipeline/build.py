"""The one place that builds and orders the spaCy pipeline.

Blank English on purpose: no statistical model is needed (or trusted from a
re-upload), so the analyzer installs from the package registry alone and runs
fast. Lemmas come from spacy-lookups-data through the normalizer component.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

import analyzer.pipeline.factories  # registers the factories
import analyzer.pipeline.sentences  # noqa: F401  (registers allyship_sentences)
from analyzer.lexicon.loader import Lexicon
from analyzer.tokens.doc_state import TEXT_KEY

if TYPE_CHECKING:
    from analyzer.model.category_model import CategoryClassifier


class TextKeepingTokenizer:
    """spaCy's tokenizer, keeping the input string on the doc (see :func:`analyzer.pipeline.factories.doc_text`)."""

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        doc = self.tokenizer(text)
        doc.user_data[TEXT_KEY] = text
        return doc

    def __getattr__(self, name: str) -> Any:  # rules, pipe, explain...: the wrapped tokenizer's
        return getattr(self.tokenizer, name)


def build_pipeline(lexicon: Lexicon, classifier: CategoryClassifier | None = None) -> Language:
    """A blank English pipeline with the analyzer's components, ready to run."""
    nlp = spacy.blank("en")
    nlp.tokenizer = TextKeepingTokenizer(nlp.tokenizer)
    nlp.add_pipe("allyship_sentences")
    normalizer = nlp.add_pipe("allyship_normalizer")
    matcher = nlp.add_pipe("allyship_lexicon")
    matcher.initialize_lexicon(lexicon, normalizer)
    context = nlp.add_pipe("allyship_context")
    if classifier is not None:
        import analyzer.pipeline.classifier  # noqa: F401  (registers the factory)

        component = nlp.add_pipe("allyship_classifier")
        component.initialize_model(classifier, lexicon, context.rules)
    return nlp
