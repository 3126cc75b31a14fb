"""The scikit-learn pieces of the classifier: unit features, NB-LR heads, pickling, explanations."""

from __future__ import annotations

import pickle
import warnings
from collections import Counter

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.feature_extraction.text import CountVectorizer

from analyzer.lexicon.loader import load_lexicon
from analyzer.model.features import (
    SEXIST_LABEL,
    CharNgrams,
    KeyNgrams,
    LexiconHits,
    NBLogisticHeads,
    build_estimator,
    choose_threshold,
    with_sexist_label,
)
from analyzer.model.inputs import Unit
from analyzer.training.parsing import text_units

POSITIVE_TM = ["Man up and deal with it.", "Real men don't cry, son.", "Just man-up already.", "man up, bro"]
POSITIVE_DI = ["Calm down, it was just a joke.", "Calm down please.", "It was just a joke!", "calm DOWN"]
NEGATIVE = ["Can you man the booth?", "The storm will calm down.", "Lunch is at noon.", "See you at the meeting."]


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon([])


def training_set(lexicon) -> tuple[list[Unit], np.ndarray, list[str]]:
    labels = ["dismissive", "toxic_masculinity", SEXIST_LABEL]
    texts = POSITIVE_TM + POSITIVE_DI + NEGATIVE
    y = np.zeros((len(texts), len(labels)), dtype=np.int8)
    y[: len(POSITIVE_TM), 1] = 1
    y[len(POSITIVE_TM) : len(POSITIVE_TM) + len(POSITIVE_DI), 0] = 1
    return text_units(lexicon, texts * 3), np.vstack([y] * 3), labels


def test_units_carry_keys_written_forms_and_lexicon_matches(lexicon) -> None:
    [unit] = text_units(lexicon, ["Real m3n don't cry,\n  so MAN UP."])
    assert "man" in unit.keys and "m3n" in unit.words and "\n  " not in unit.words  # whitespace tokens dropped
    assert Counter(unit.lexicon)["toxic_masculinity"] == 2


def test_key_ngrams_are_counts_over_the_square_root_of_the_length() -> None:
    units = [Unit(("man", "up", "now"), ("man", "up", "now"), ()), Unit(("man", "up"), ("man", "up"), ())]
    features = KeyNgrams(min_df=2).fit(units)
    assert list(features.get_feature_names_out()) == ["man", "up", "man up"]  # "now" is in one unit only
    dense = features.transform([*units, Unit((), (), ())]).toarray()
    assert dense[0] == pytest.approx([1 / np.sqrt(3)] * 3)
    assert dense[1] == pytest.approx([1 / np.sqrt(2)] * 3)
    assert not dense[2].any()


def test_char_ngrams_count_as_char_wb_does() -> None:
    words = ("b1tch", "is", "a", "b1tch")
    features = CharNgrams((2, 5), min_df=1).fit([Unit(words, words, ())])
    reference = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5), lowercase=False)
    counts = Counter(reference.build_analyzer()(" ".join(words)))
    row = features.transform([Unit(words, words, ())]).toarray()[0]
    names = features.get_feature_names_out()
    total = sum(counts.values())
    assert {n: round(v * np.sqrt(total)) for n, v in zip(names, row, strict=True) if v} == dict(counts)


def test_lexicon_hits_count_matches_per_category() -> None:
    features = LexiconHits(["dismissive", "toxic_masculinity"]).fit([])
    unit = Unit(("x",), ("x",), ("toxic_masculinity", "toxic_masculinity", "unknown_category"))
    dense = features.transform([unit, Unit((), (), ())]).toarray()
    assert list(features.get_feature_names_out()) == ["lexicon:dismissive", "lexicon:toxic_masculinity"]
    assert dense[0] == pytest.approx([0.0, np.log1p(2)])
    assert not dense[1].any()


def test_estimator_fits_predicts_pickles_and_clones(lexicon) -> None:
    units, y, _labels = training_set(lexicon)
    categories = sorted(lexicon.categories)
    estimator = build_estimator(categories, n_jobs=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        estimator.fit(units, y)
    assert any("only one class" in str(w.message) for w in caught)  # the sexist column has no positive here
    probe = text_units(lexicon, ["You need to man up.", "Calm down, it is just a joke.", "Lunch at noon."])
    proba = estimator.predict_proba(probe)
    assert proba.shape == (3, 3)
    assert proba[0, 1] > proba[2, 1] and proba[1, 0] > proba[2, 0]
    assert np.allclose(proba[:, 2], proba[0, 2])  # a constant head, not a crash
    again = pickle.loads(pickle.dumps(estimator))
    assert np.allclose(again.predict_proba(probe), proba)
    assert clone(estimator).get_params()["features__lexicon__categories"] == categories
    heads = estimator.named_steps["heads"]
    assert heads.coef_.dtype == np.float32 and heads.coef_.shape[0] == 3


@pytest.mark.filterwarnings("ignore:label column")
def test_top_words_point_at_the_phrase(lexicon) -> None:
    from analyzer.model.category_model import CategoryClassifier
    from analyzer.model.compiler import compile_pipeline

    units, y, labels = training_set(lexicon)
    estimator = build_estimator(sorted(lexicon.categories), n_jobs=1).fit(units, y)
    column = labels.index("toxic_masculinity")
    for model in (compile_pipeline(estimator), estimator):  # both engines explain from the same weights
        classifier = CategoryClassifier(model, labels, {})
        scores = classifier.score_units(text_units(lexicon, ["Honestly, the weather. Man up, son."]))
        words = scores.top_words(0, column, k=3)
        assert "man" in words and "the" not in words and "weather" not in words  # stop words never shown


def test_heads_with_a_single_column() -> None:
    texts = POSITIVE_TM + NEGATIVE
    heads = NBLogisticHeads(n_jobs=1)
    x = CountVectorizer().fit_transform(texts)
    heads.fit(x, [1] * len(POSITIVE_TM) + [0] * len(NEGATIVE))
    assert heads.predict_proba(x).shape == (len(texts), 1)


def test_sexist_label_and_threshold() -> None:
    assert with_sexist_label({"gendered_hostility"}) == {"gendered_hostility", SEXIST_LABEL}
    assert with_sexist_label({"derailing"}) == {"derailing"}
    cut = choose_threshold([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    assert 0.2 < cut <= 0.8  # separates the two classes
    assert choose_threshold([0, 0], [0.1, 0.2]) == 1.0


def test_a_flat_score_curve_gives_the_middle_of_its_flat_part() -> None:
    """Cuts that score alike are equally good: the middle one is kept, so one more example does not move it
    from one end of the flat part to the other."""
    from analyzer.model.features import PLATEAU, plateau_middle

    cuts = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
    assert plateau_middle(cuts, [0.5, 0.7, 0.701, 0.7005, 0.702, 0.6]) == 0.3  # 0.2-0.5 are within PLATEAU
    assert plateau_middle(cuts, [0.5, 0.7, 0.7 + 2 * PLATEAU, 0.6, 0.6, 0.6]) == 0.3  # one clear best
