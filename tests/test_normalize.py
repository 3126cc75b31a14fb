"""Obfuscation and spelling: each row is written the way people dodge word lists."""

from __future__ import annotations

import pytest
from spacy.attrs import IS_ALPHA, LENGTH, NORM, ORTH, SPACY
from spacy.tokens import Doc


@pytest.mark.parametrize(
    ("text", "rule_prefix", "phrase"),
    [
        ("Just man up already.", "tm.", "man up"),
        ("Stop whining and MAN UP!!!", "tm.", "MAN UP"),
        ("m4n up dude", "tm.", "m4n up"),
        ("You need to be manning up here.", "tm.", "manning up"),
        ("man-up and get back out there", "tm.", "man-up"),
        ("#ManUp #NoExcuses", "tm.", "ManUp"),
        ("calmmm down, seriously", "di.", "calmmm down"),
        ("ur overreacting", "di.", "ur overreacting"),
        ("you are overreacting", "di.", "you are overreacting"),
        ("You're overreacting.", "di.", "You're overreacting"),
        ("what a b*tch", "gh.", "b*tch"),
        ("she is such a b1tch", "gh.", "b1tch"),
        ("what a s l u t", "gh.", "s l u t"),
        ("You are a s l u t. Bye.", "gh.", "s l u t."),  # "t." is one token, as initials are
        ("those b1tches need to shut up", "gh.", "b1tches"),
        ("a bunch of sl*ts", "gh.", "sl*ts"),
        ("I h8 women so much", "gh.", "h8 women"),
        ("#NotAllMen though", "de.", "NotAllMen"),
        ("#RealMenDontCry so wipe your face", "tm.", "RealMenDontCry"),
        ("Just g r o w a p a i r already.", "tm.", "g r o w a p a i r"),
        ("b-i-t-c-h, that is all she is", "gh.", "b-i-t-c-h"),
        ("Shut up you dumb bicth", "gh.", "bicth"),
        ("stupid btch", "gh.", "btch"),
        ("what a bitchh she is", "gh.", "bitchh"),
        ("Wommen are disgustingg.", "gh.", "Wommen are disgustingg"),
        ("total wh*re", "gh.", "wh*re"),
        ("boyz will be boyz", "eh.", "boyz will be boyz"),
        ("n0t all m3n, calm down", "de.", "n0t all m3n"),  # spaCy cuts "n0t" as "n0" + "t"
        ("N0T ALL M3N!!!", "de.", "N0T ALL M3N"),
        ("women c@n't dr1ve", "gs.", "c@n't dr1ve"),  # and keeps "c@n't" whole, unlike "ca" + "n't"
        ("(n0t all m3n), calm down", "de.", "n0t all m3n"),  # brackets end a disguised word
        ("women c@n't dr1ve\ufffd\x07", "gs.", "c@n't dr1ve"),  # so do junk characters written onto it
    ],
)
def test_obfuscated_forms_are_flagged_like_the_plain_form(lexicon_analyzer, text, rule_prefix, phrase) -> None:
    result = lexicon_analyzer.analyze(text)
    hits = [f for f in result.flags if f.rule_id.startswith(rule_prefix)]
    assert hits, f"nothing flagged in {text!r}: {result.suppressed}"
    assert any(phrase in f.text for f in hits), [f.text for f in hits]
    for flag in result.flags:
        assert text[flag.start : flag.end] == flag.text


@pytest.mark.parametrize(
    "text",
    [
        "The mp3 player is on the 2nd shelf.",
        "That was coooool, thanks!",
        "Rate: 4/5 stars, would buy again.",
        "a b c d e f g",
        "Plan A. Then plan B. I met J. K. at the station.",
        "The cl@sses and buses are late.",
        "Are there any women-led startups in this accelerator batch?",
        "Where are the whisks?",
        "Version 2.0 ships with b2b billing and 4k video.",
        "Meet at 5pm in room b3, then c4n be skipped.",
        "Pricey tho, and the queue was long.",  # chat "though", one letter from a listed slur
        "He's a paid shill for the vape lobby.",  # a real word the lemma table lacks, one letter from "shrill"
        "I lost the whole weekend building a mansion in The Sims.",  # a game, one letter from "simps"
        "My sims keep setting the kitchen on fire.",
        "Hae you seen the new dashboard?",  # a common word per wordfreq, one letter from "hate"
    ],
)
def test_ordinary_text_is_not_rewritten_into_a_flag(lexicon_analyzer, text) -> None:
    assert lexicon_analyzer.analyze(text).flags == ()


@pytest.mark.parametrize(
    ("word", "common"),
    [("sims", True), ("shill", True), ("hae", True), ("bicth", False), ("btch", False), ("wmen", False)],
)
def test_a_common_word_is_never_taken_for_a_typo(word, common) -> None:
    from analyzer.pipeline.spelling import common_word

    assert common_word(word) is common


def test_rewrites_only_produce_lexicon_words() -> None:
    from analyzer.pipeline.spelling import Normalizer

    normalizer = Normalizer(["bitch", "calm", "man"])
    assert normalizer.clean("b*tch") == "bitch"
    assert normalizer.clean("calmmm") == "calm"
    assert normalizer.clean("m4n") == "man"
    assert normalizer.clean("mp3") == "mp3"  # not a lexicon word: left alone
    assert normalizer.clean("c*t") == "c*t"  # no lexicon word fits the mask


def test_obfuscated_words_take_the_plain_words_token_boundaries(lexicon_analyzer) -> None:
    doc = lexicon_analyzer.nlp("n0t all m3n, and c@n't dr1ve. Room b3 at 5pm.")
    assert [t.text for t in doc] == [
        "n0t",
        "all",
        "m3n",
        ",",
        "and",
        "c@",
        "n't",
        "dr1ve",
        ".",
        "Room",
        "b3",
        "at",
        "5",
        "pm",
        ".",
    ]
    assert doc.text == "n0t all m3n, and c@n't dr1ve. Room b3 at 5pm."


LEET_WORDS = [
    "c@n't", "n0t", "m3n,", "$h!t", "wh0re!!!", "1'm", "4$$h0le", "@ss", "(b!tch.)", "h3ll0...", "р4с", "4,рс",
    "'''c@n't", "x" * 300 + "4y", "!" * 14 + "m4n", "m4n:)", "e.g.4ever", "5km/h4", "10US$s0", "\ufffd4\ufffda\x07$",
    "m4n\u3000up", "ＭＡＮ4",
]  # fmt: skip


def test_words_laid_out_together_are_cut_as_each_alone(lexicon_analyzer) -> None:
    """The leetspeak layout tokenizes a text's words in one call: each must come out as tokenized alone
    (special cases, runs of marks, over-long chunks, look-alikes and a word that folds to two)."""
    from analyzer.pipeline.spelling import LEET

    normalizer = lexicon_analyzer.nlp.get_pipe("allyship_normalizer")
    plain = [word.translate(LEET) for word in LEET_WORDS]
    alone = [normalizer._layout(word) for word in plain]
    assert normalizer._layouts_of(plain) == alone
    assert alone[0] == [(0, 2, "can"), (2, 5, "not")]  # "can't" is cut by a special case


_COLUMNS = [NORM, LENGTH, IS_ALPHA, SPACY, ORTH]  # the normalizer's per-doc columns


def test_a_leetspeak_layout_and_the_cutting_of_run_together_words_make_one_rebuild(lexicon_analyzer) -> None:
    """Both changes go into one new doc: a run-together piece of a leetspeak layout is cut as well, and a
    token a layout replaces is not cut a second time."""
    nlp = lexicon_analyzer.nlp
    normalizer = nlp.get_pipe("allyship_normalizer")
    doc = Doc(nlp.vocab, words=["c@n't", "ihatewomen", "ihatewomen"], spaces=[False, True, False])
    layout = (0, 2, ["c@", "n't", "ihatewomen"], ["can", "not", "ihatewomen"])  # "c@n'tihatewomen" laid out
    cut = normalizer._split_runs(doc, doc.to_array(_COLUMNS), [layout])
    assert [t.text for t in cut] == ["c@", "n't", "i", "hate", "women", "i", "hate", "women"]
    assert [t.norm_ for t in cut][:3] == ["can", "not", "i"]
    assert cut.text == doc.text


PREFILTERED = "1m s0 d0ne, c@n't y'@ll 'cuz b!tch 1/1000th AR-15s, w/0 h3's h4d d1d 0l' n0t 1'd g0nna ＭＡＮ4 р4с"


def test_leetspeak_is_cut_anew_only_for_a_lexicon_word_of_two_letters_or_more(lexicon_analyzer, monkeypatch) -> None:
    """The plain spelling of "1/1000th" holds "i" (a lexicon word) and nothing longer: it is no
    leetspeak and keeps the tokenizer's cut, while "1m" ("im": "i" + "m", read "am") is cut anew.
    Which words are laid out at all is decided first on their text: that shortcut must give the tokens
    laying out every word gives."""
    nlp = lexicon_analyzer.nlp
    normalizer = nlp.get_pipe("allyship_normalizer")
    tokens = [t.text for t in nlp(PREFILTERED)]
    assert "1/1000th" in tokens and "AR-15s" in tokens
    assert tokens[:2] == ["1", "m"]
    monkeypatch.setattr(normalizer, "_lexicon_words", lambda: None)
    monkeypatch.setattr(normalizer, "_leet", {})
    assert [t.text for t in nlp(PREFILTERED)] == tokens


def test_the_classifier_reads_obfuscated_words_plainly(analyzer) -> None:
    """'wom3n' weighs as 'woman' (its key) for the model; the flag still points at what was written."""
    text = "Honestly. Wom3n are such pathetic creatures."
    doc = analyzer.nlp(text)
    assert [t._.allyship_key for t in doc][2] == "woman"
    [flag] = analyzer.analyze(text).flags
    assert (flag.category, flag.source) == ("gendered_hostility", "classifier")
    assert text[flag.start : flag.end] == flag.text == "Wom3n are such pathetic creatures."
    assert "woman" in flag.top_words


def test_chat_spelling_is_not_rewritten_for_the_classifier(lexicon_analyzer) -> None:
    text = "ur right, the 2nd draft is better"
    assert [t._.allyship_key for t in lexicon_analyzer.nlp(text)][:2] == ["ur", "right"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("womenare worthless", ["women", "are", "worthless"]),
        ("Wait. ihatewomen, honestly.", ["Wait", ".", "i", "hate", "women", ",", "honestly", "."]),
        ("Shop the new womenswear line.", ["Shop", "the", "new", "women", "swear", "line", "."]),
        ("Our Kubernetes autoscaler misbehaved.", ["Our", "Kubernetes", "autoscaler", "misbehaved", "."]),
        ("Sallyanne and Johnathan are coming.", ["Sallyanne", "and", "Johnathan", "are", "coming", "."]),
        ("Congrats to the team!", ["Congrats", "to", "the", "team", "!"]),
        ("women.are.trash", ["women", ".are", ".trash"]),
        ("so i_hate_women ok", ["so", "i", "_hate", "_women", "ok"]),
        ("See e.g. the U.S.A. docs or www.x.com.", ["See", "e.g.", "the", "U.S.A.", "docs", "or", "www.x.com", "."]),
        ("mail women.are.great@example.com", ["mail", "women.are.great@example.com"]),
    ],
)
def test_words_written_together_are_cut_only_around_a_salient_word(lexicon_analyzer, text, expected) -> None:
    doc = lexicon_analyzer.nlp(text)
    assert [t.text for t in doc] == expected
    assert doc.text == text


def test_words_joined_by_dots_or_underscores_are_read_as_words(analyzer) -> None:
    """HateCheck-style spelling: the separator hides the phrase from a word matcher, not from a reader."""
    for text in ("women.are.trash", "Honestly i_hate_women.", "Thanks! women.are.scum lol", "ladies.are.useless"):
        [flag] = analyzer.analyze(text).flags
        assert flag.category == "gendered_hostility"
        assert text[flag.start : flag.end] == flag.text
        assert flag.text[0].isalpha()  # "hate_women", not "_hate_women": a flag starts on a word, not its mark
    assert analyzer.analyze("Open the women.team.roster file and the i.e. notes.").flags == ()


def test_words_written_together_are_flagged_and_keep_their_sentences(analyzer) -> None:
    text = "Wait. ihatewomen, honestly. And womenare dumb."
    result = analyzer.analyze(text)
    assert [f.text for f in result.flags] == ["ihatewomen", "womenare dumb"]  # "I hate women", subject and all
    assert [s.text for s in analyzer.nlp(text).sents] == ["Wait.", "ihatewomen, honestly.", "And womenare dumb."]
    assert analyzer.analyze("Shop the new womenswear collection today.").flags == ()


# Texts that meet at batch boundaries: a '#' ending one doc, spelled letters split across two docs,
# empty and whitespace-only docs, leetspeak and run-together words next to plain ones.
BATCH_TEXTS = [
    "Look at this #",
    "RealMenDontCry now.",
    "what a s l",
    "u t",
    "",
    "   ",
    "n0t all m3n, calm down\n\nreally",
    "Wait. ihatewomen, honestly. And womenare dumb.",
    "b-i-t-c-h, that is all she is",
    "#RealMenDontCry so wipe your face",
    "Calm down, the storm will pass.",
    "Why would she wait 3 years to report it?",
    "Just man up already!!! Seriously...",
]


def _doc_output(doc) -> tuple:
    cands = [(c.start, c.end, c.category, c.rule_id, c.suppressed_by, c.score) for c in doc._.allyship_candidates or []]
    spans = [(s.start, s.end, s.label_) for s in doc.spans["allyship"]]
    return [t.text for t in doc], [t._.allyship_key for t in doc], [t.is_sent_start for t in doc], cands, spans


@pytest.mark.parametrize("batch_size", [1, 3, 256])
def test_batched_pipeline_gives_what_one_doc_at_a_time_gives(lexicon_analyzer, batch_size) -> None:
    """The components work a batch at a time in ``pipe``: nothing may leak between the docs of a batch."""
    nlp = lexicon_analyzer.nlp
    one_by_one = [_doc_output(nlp(text)) for text in BATCH_TEXTS]
    batched = [_doc_output(doc) for doc in nlp.pipe(BATCH_TEXTS, batch_size=batch_size)]
    assert batched == one_by_one
    assert one_by_one[1][1][0] == "realmendontcry"  # it opens its doc: the '#' ending the doc before is not its hashtag


def test_the_candidate_shortcut_is_spacys_own_extension_value(lexicon_analyzer) -> None:
    """candidates() reads doc.user_data where spaCy keeps doc._ values: if spaCy moves them, this fails."""
    from analyzer.tokens.doc_state import candidates

    doc = lexicon_analyzer.nlp("Man up, it was just a joke.")
    assert candidates(doc) and candidates(doc) is doc._.allyship_candidates
