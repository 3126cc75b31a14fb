"""The one place that builds and orders the spaCy pipeline.

Blank English on purpose: no statistical model is needed (or trusted from a
re-upload), so the analyzer installs from the package registry alone and runs
fast. Lemmas come from spacy-lookups-data through the normalizer component.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import spacy
from spacy.language import Language

import analyzer.components  # registers the factories
import analyzer.sentences  # noqa: F401  (registers allyship_sentences)
from analyzer.lexicon import Lexicon

if TYPE_CHECKING:
    from analyzer.model import CategoryClassifier


def build_pipeline(lexicon: Lexicon, classifier: CategoryClassifier | None = None) -> Language:
    """A blank English pipeline with the analyzer's components, ready to run."""
    nlp = spacy.blank("en")
    nlp.add_pipe("allyship_sentences")
    normalizer = nlp.add_pipe("allyship_normalizer")
    matcher = nlp.add_pipe("allyship_lexicon")
    matcher.initialize_lexicon(lexicon, normalizer)
    context = nlp.add_pipe("allyship_context")
    if classifier is not None:
        import analyzer.classifier  # noqa: F401  (registers the factory)

        component = nlp.add_pipe("allyship_classifier")
        component.initialize_model(classifier, lexicon, context.rules)
    return nlp
