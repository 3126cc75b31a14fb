"""Label names shared by training, the model and the spaCy component (no scikit-learn import here)."""

from __future__ import annotations

from collections.abc import Iterable

# The extra binary head: "this text is sexist" in the sense of the public datasets (EDOS label_sexist).
# Its name cannot collide with a category id, which must match ^[a-z][a-z_]*$ (SPEC.md, lexicon schema).
SEXIST_LABEL = "__sexist__"
# The categories that make a text positive for the sexist head. The other six describe responses around
# harassment (dismissing, derailing, excusing...) that sexism datasets do not label as sexist; counting
# them as positives cost 2 macro-F1 points on EDOS in cross-validation (1.5 on dev).
SEXIST_CATEGORIES = frozenset({"gendered_hostility", "gender_stereotype"})


def with_sexist_label(categories: Iterable[str]) -> set[str]:
    """The label set to train on: the categories, plus :data:`SEXIST_LABEL` when one of them is sexist.

    A rule on the categories alone (not on where the text came from), so the
    project's corpus, a trainer's file and the public datasets all feed the
    sexist head the same way.
    """
    labels = set(categories)
    if labels & SEXIST_CATEGORIES:
        labels.add(SEXIST_LABEL)
    return labels
