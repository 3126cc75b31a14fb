"""The components in someone else's spaCy pipeline: added by name, configured, saved and loaded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import spacy

from analyzer import Analyzer
from tests.conftest import REPO

TEXTS = [
    "Man up, son. Nobody wants to hear it.",
    "Calm down, it was just a joke.",
    "Let me explain it to you, since you seem confused.",
    "Wom3n are such pathetic creatures.",
    "I would never tell anyone to man up.",
    "She said he told her to calm down, which was unfair.",
    "The quarterly report is due on Friday.",
    "Boys will be boys, he didn't mean anything by it.",
]


def _flags(doc) -> list[tuple[int, int, str, str]]:
    return [(s.start_char, s.end_char, s.label_, s.id_) for s in doc.spans["allyship"]]


def _analyzer_flags(result) -> list[tuple[int, int, str, str]]:
    return [(f.start, f.end, f.category, f.rule_id or "") for f in result.flags]


def _users_pipeline(user_lexicon: Path) -> spacy.language.Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("allyship_normalizer")
    nlp.add_pipe("allyship_lexicon", config={"lexicons": [str(user_lexicon)]})
    nlp.add_pipe("allyship_context")
    nlp.add_pipe("allyship_classifier")
    return nlp


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> tuple[Path, Path]:
    from tests.conftest import MINIMAL_RULE, write

    base = tmp_path_factory.mktemp("spacy")
    lexicon = base / "my_lexicons"
    write(lexicon / "talking_over.yml", MINIMAL_RULE)
    nlp = _users_pipeline(lexicon)
    nlp.initialize()
    nlp.to_disk(base / "pipeline")
    return base / "pipeline", lexicon


def test_the_config_is_plain_json_with_the_settings_a_user_changes() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("allyship_normalizer")
    nlp.add_pipe("allyship_lexicon", config={"lexicons": ["mine/"], "trusted": True, "threshold": 0.7})
    nlp.add_pipe("allyship_classifier", config={"spans_key": "flags"})
    config = json.loads(json.dumps(nlp.config["components"]))
    lexicon, classifier = config["allyship_lexicon"], config["allyship_classifier"]
    assert lexicon == {
        "factory": "allyship_lexicon",
        "lexicons": ["mine/"],
        "spans_key": "allyship",
        "threshold": 0.7,
        "trusted": True,
    }
    assert classifier == {"factory": "allyship_classifier", "model": "default", "spans_key": "flags", "threshold": 0.5}


def test_a_saved_pipeline_loads_with_spacy_load_and_flags_as_the_analyzer(saved: tuple[Path, Path]) -> None:
    folder, lexicon = saved
    assert sorted(p.name for p in (folder / "allyship_lexicon").iterdir()) == ["builtin", "user"]
    assert sorted(p.name for p in (folder / "allyship_classifier").iterdir()) == ["compiled.npz", "metadata.json"]
    loaded = spacy.load(folder)
    analyzer = Analyzer(lexicons=[lexicon])
    docs = list(loaded.pipe(TEXTS))
    expected = [_analyzer_flags(r) for r in analyzer.analyze_many(TEXTS)]
    assert [_flags(doc) for doc in docs] == expected
    assert any(label == "talking_over" for flags in expected for _, _, label, _ in flags)  # the user's own rule
    assert any(rule == "" for flags in expected for *_, rule in flags)  # and a classifier finding
    # what the context step ruled out is kept apart, as the analyzer's suppressed list
    suppressed = [[(s.start_char, s.end_char, s.label_) for s in doc.spans["allyship_suppressed"]] for doc in docs]
    assert suppressed == [[(s.start, s.end, s.category) for s in r.suppressed] for r in analyzer.analyze_many(TEXTS)]
    assert any(suppressed)


def test_a_saved_pipeline_does_not_read_the_lexicon_folders_again(saved: tuple[Path, Path], tmp_path: Path) -> None:
    """The lexicons travel with the pipeline: the saved folder is all spacy.load needs."""
    import shutil

    folder, _ = saved
    moved = tmp_path / "moved"
    shutil.copytree(folder, moved)
    doc = spacy.load(moved)("Let me explain it to you, since you seem confused.")
    assert [(s.label_, s.id_) for s in doc.spans["allyship"]] == [("talking_over", "to.let-me-explain")]


def test_the_matching_key_leaves_a_trained_lemmatizer_alone() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("allyship_normalizer")
    nlp.add_pipe("allyship_lexicon")
    nlp.initialize()
    doc = nlp("The wom3n were running; man up, said the coaches. Why would she wait 3 years to report it?")
    assert [t.lemma_ for t in doc][1:5] == ["wom3n", "be", "run", ";"]  # the lemmatizer's, untouched
    assert [t.lemma_ for t in doc][-5:-1] == ["year", "to", "report", "it"]  # also where a token pattern ran
    assert doc[1]._.allyship_key == "woman"
    assert [(s.text, s.label_, s.id_) for s in doc.spans["allyship"]] == [
        ("man up", "toxic_masculinity", "tm.man-up"),
        ("Why would she wait 3 years", "victim_blaming", "vb.why-wait-to-report"),  # a LEMMA token pattern
    ]


def test_a_component_without_its_normalizer_says_what_is_missing() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("allyship_lexicon")
    with pytest.raises(ValueError, match="needs 'allyship_normalizer' before it"):
        nlp.initialize()


def test_spacy_finds_the_factories_without_importing_the_package() -> None:
    code = (
        "import spacy; nlp = spacy.blank('en'); "
        "nlp.add_pipe('sentencizer'); nlp.add_pipe('allyship_normalizer'); nlp.add_pipe('allyship_lexicon'); "
        "nlp.initialize(); doc = nlp('Just man up.'); print([(s.text, s.label_, s.id_) for s in doc.spans['allyship']])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO.parent, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[('man up', 'toxic_masculinity', 'tm.man-up')]"
