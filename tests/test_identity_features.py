"""Identity words in the model: weightless when the recipe says so, and taken out to test a finding's evidence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analyzer.lexicon.loader import load_lexicon
from analyzer.model import compiled, compiler
from analyzer.model.category_model import CategoryClassifier
from analyzer.model.features import CharNgrams, KeyNgrams, build_estimator
from analyzer.model.inputs import Unit, doc_unit
from analyzer.model.word_features import IDENTITY_KEY, load_identity_terms

TEXTS = [
    "Women are vile creatures and should be silenced.",
    "Our new tax adviser is a woman.",
    "Sarah is the best engineer on the team.",
    "Men are trash and so are their jokes.",
    "His wife fixed the boiler.",
    "Calm down, it was just a joke.",
    "The quarterly report is late again.",
    "Females belong in the kitchen, not in the boardroom.",
]


@pytest.fixture(scope="module")
def nlp():
    from analyzer.pipeline.build import build_pipeline

    return build_pipeline(load_lexicon([]))


def _fit(nlp, identity: bool, mention_free: bool):
    import analyzer.model.features as features

    before = features.IDENTITY_ABSTRACTION, features.MENTION_FREE_CUES
    features.IDENTITY_ABSTRACTION, features.MENTION_FREE_CUES = identity, mention_free
    try:
        estimator = build_estimator(sorted(load_lexicon([]).categories), n_jobs=1, word_min_df=1, char_min_df=1)
    finally:
        features.IDENTITY_ABSTRACTION, features.MENTION_FREE_CUES = before
    texts = TEXTS * 3
    y = np.asarray([[("vile" in t or "trash" in t or "kitchen" in t)] for t in texts], dtype=np.int8)
    return estimator.fit([doc_unit(doc) for doc in nlp.pipe(texts)], y)


def test_identity_words_read_as_one_weightless_key() -> None:
    units = [
        Unit(("woman", "be", "great"), ("women", "are", "great"), ()),
        Unit(("man", "be", "great"), ("men", "are", "great"), ()),
    ]
    words = KeyNgrams(min_df=1, identity=("woman", "man")).fit(units)
    assert IDENTITY_KEY in words.unigrams_ and "woman" not in words.unigrams_
    matrix = words.transform(units).toarray()
    assert matrix[:, words.unigrams_.index(IDENTITY_KEY)].sum() == 0  # never set: its weight stays zero
    assert np.allclose(matrix[0], matrix[1])  # "women are great" and "men are great" read alike
    chars = CharNgrams((2, 5), min_df=1, identity=("women", "men")).fit(units)
    assert not any("wom" in gram for gram in chars.vocabulary_)
    rows = chars.transform(units).toarray()
    assert (rows[0] > 0).tolist() == (rows[1] > 0).tolist()  # the same n-grams; the length divisor still counts them


@pytest.mark.parametrize(("identity", "mention_free"), [(True, False), (True, True), (False, True)])
def test_the_compiled_copy_matches_with_identity_words_and_mention_free_cues(nlp, identity, mention_free) -> None:
    pipeline = _fit(nlp, identity, mention_free)
    model = compiler.compile_pipeline(pipeline)
    units = [doc_unit(doc) for doc in nlp.pipe([*TEXTS, "Her dentist Olivia is a woman.", "Girls, the bus is late."])]
    assert compiler.check_parity(pipeline, model, units) < 1e-5
    assert bool(model.identity) == identity


def test_identity_words_survive_saving(nlp, tmp_path: Path) -> None:
    model = compiler.compile_pipeline(_fit(nlp, True, False))
    compiled.save(model, tmp_path / compiled.COMPILED_FILE)
    assert compiled.load(tmp_path / compiled.COMPILED_FILE).identity == sorted(load_identity_terms())


def test_probability_without_mentions_takes_the_identity_words_out(nlp) -> None:
    pipeline = _fit(nlp, False, False)
    classifier = CategoryClassifier(compiler.compile_pipeline(pipeline), ["hostile"], {"hostile": 0.5})
    units = [doc_unit(doc) for doc in nlp.pipe(["Women are vile.", "Tables are vile."])]
    scores = classifier.score_units(units)
    probabilities = scores.probabilities
    without = [scores.without_mentions(i, 0) for i in range(2)]
    assert without[1] == pytest.approx(probabilities[1, 0])  # nothing to take out
    assert without[0] != pytest.approx(probabilities[0, 0])  # "women" and the target cues weighed in


def test_a_named_thing_and_every_bigram_of_the_mention_are_taken_out(nlp) -> None:
    """"Women's football" names a thing: the mention, its "'s" and "football", the bigrams among them and half
    of each bigram they share with another word are taken out; what is said about the thing stays."""
    from analyzer.model.category_model import _mentions

    pipeline = _fit(nlp, False, False)
    scorer = compiler.compile_pipeline(pipeline)
    classifier = CategoryClassifier(scorer, ["hostile"], {"hostile": 0.5})
    texts = ["Women's football is on tonight.", "Women's football is vile.", *TEXTS]
    units = [doc_unit(doc) for doc in nlp.pipe(texts)]
    scores = classifier.score_units(units)
    batch = scores.batch
    masks = [_mentions(batch.keys[a:b], batch.lowers[a:b]) for a, b in zip(batch.starts, batch.ends, strict=True)]
    assert masks[0].tolist() == [True, True, True, False, False, False, False]  # women 's football | is on tonight .
    scored = scorer.score(batch)
    for unit, mask in enumerate(masks):
        a, b = int(batch.starts[unit]), int(batch.ends[unit])
        pair = scored.pair[a : b - 1, 0]
        whole = mask[:-1] & mask[1:]  # "women 's", "'s football": all mention
        half = (mask[:-1] | mask[1:]) & ~whole  # "football is": shared with the other word
        expected = (scored.word[a:b, 0][mask].sum() + pair[whole].sum() + pair[half].sum() / 2) / np.sqrt(b - a)
        total = scored.char_count[a:b].sum()
        expected += scored.char[a:b, 0][mask].sum() / np.sqrt(total)
        assert scorer.mention_contribution(scored, unit, 0, mask) == pytest.approx(float(expected), rel=1e-5)
    without = [scores.without_mentions(i, 0) for i in range(2)]
    assert without[1] > without[0]  # "vile" is still said of it
    assert any(abs(scored.pair[int(batch.starts[u]) : int(batch.ends[u]) - 1, 0]).max() > 0 for u in range(2))
