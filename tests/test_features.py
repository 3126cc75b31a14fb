"""The scikit-learn pieces of the classifier: normalizer, lexicon features, NB-LR heads, pickling, explanations."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone

from analyzer.features import (
    SEXIST_LABEL,
    LexiconFeatures,
    NBLogisticHeads,
    build_estimator,
    build_flag_model,
    choose_threshold,
    explain_row,
    explain_top_words,
    flag_features,
    normalize_text,
    with_sexist_label,
)

PHRASES = {"toxic_masculinity": ["man up", "real men don't cry"], "dismissive": ["calm down", "just a joke"]}
POSITIVE_TM = ["Man up and deal with it.", "Real men don't cry, son.", "Just man-up already.", "man up, bro"]
POSITIVE_DI = ["Calm down, it was just a joke.", "Calm down please.", "It was just a joke!", "calm DOWN"]
NEGATIVE = ["Can you man the booth?", "The storm will calm down.", "Lunch is at noon.", "See you at the meeting."]


def training_set() -> tuple[list[str], np.ndarray, list[str]]:
    labels = ["dismissive", "toxic_masculinity", SEXIST_LABEL]
    texts = POSITIVE_TM + POSITIVE_DI + NEGATIVE
    y = np.zeros((len(texts), len(labels)), dtype=np.int8)
    y[: len(POSITIVE_TM), 1] = 1
    y[len(POSITIVE_TM) : len(POSITIVE_TM) + len(POSITIVE_DI), 0] = 1
    return texts * 3, np.vstack([y] * 3), labels


def test_normalize_text() -> None:
    assert normalize_text("@bob SOOOO  tired [URL] https://x.y/z don\u2019t") == "xxuser soo tired xxurl xxurl don't"
    assert normalize_text(normalize_text("Hey [USER]!!!")) == normalize_text("Hey [USER]!!!")


def test_lexicon_features_count_whole_tokens() -> None:
    features = LexiconFeatures(PHRASES).fit([])
    matrix = features.transform(
        ["Man-up! Real men dont cry.", "Manup is not a word; human update", "calm down x2, calm down"]
    )
    columns = list(features.get_feature_names_out())
    assert columns == ["lexicon:dismissive", "lexicon:toxic_masculinity"]
    dense = matrix.toarray()
    assert dense[0, 1] == pytest.approx(np.log1p(2))  # "man-up" and "real men dont cry" (apostrophe dropped)
    assert dense[1].sum() == 0  # no partial-word matches
    assert dense[2, 0] == pytest.approx(np.log1p(2))
    assert matrix.dtype == np.float32


def test_estimator_fits_predicts_pickles_and_clones() -> None:
    texts, y, labels = training_set()
    estimator = build_estimator(PHRASES, labels, n_jobs=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        estimator.fit(texts, y)
    assert any("only one class" in str(w.message) for w in caught)  # the sexist column has no positive here
    proba = estimator.predict_proba(["You need to man up.", "Calm down, it is just a joke.", "Lunch at noon."])
    assert proba.shape == (3, 3)
    assert proba[0, 1] > proba[2, 1] and proba[1, 0] > proba[2, 0]
    assert np.allclose(proba[:, 2], proba[0, 2])  # a constant head, not a crash
    again = pickle.loads(pickle.dumps(estimator))
    assert np.allclose(again.predict_proba(["man up"]), estimator.predict_proba(["man up"]))
    assert clone(estimator).get_params()["features__lexicon__phrases"] == PHRASES
    heads = estimator.named_steps["heads"]
    assert heads.coef_.dtype == np.float32 and heads.coef_.shape[0] == 3


@pytest.mark.filterwarnings("ignore:label column")
def test_explain_top_words_points_at_the_phrase() -> None:
    texts, y, labels = training_set()
    estimator = build_estimator(PHRASES, labels, n_jobs=1).fit(texts, y)
    column = labels.index("toxic_masculinity")
    words = explain_top_words(estimator, "Honestly, man up.", column, k=3)
    assert "man" in words or "lexicon:toxic_masculinity" in words
    normalized = estimator.named_steps["normalize"].transform(["Honestly, man up."])
    row = estimator.named_steps["features"].transform(normalized)[0]
    assert explain_row(estimator, normalized[0], row, column, k=3) == words


def test_heads_with_a_single_column() -> None:
    texts, y, _ = training_set()
    heads = NBLogisticHeads(n_jobs=1)
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer().fit_transform(texts)
    heads.fit(x, y[:, 1])
    assert heads.predict_proba(x).shape == (len(texts), 1)


def test_sexist_label_and_threshold_and_flag_model() -> None:
    assert with_sexist_label({"gendered_hostility"}) == {"gendered_hostility", SEXIST_LABEL}
    assert with_sexist_label({"derailing"}) == {"derailing"}
    cut = choose_threshold([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    assert 0.2 < cut <= 0.8  # separates the two classes
    assert choose_threshold([0, 0], [0.1, 0.2]) == 1.0
    proba = np.array([[0.9, 0.1], [0.1, 0.2], [0.8, 0.7], [0.2, 0.1]])
    texts = ["She is awful!!", "Nice day.", "Women are trash", "ok?"]
    model = build_flag_model().fit(flag_features(proba, texts), [1, 0, 1, 0])
    assert model.predict_proba(flag_features(proba, texts)).shape == (4, 2)
