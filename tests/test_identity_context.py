"""Issue 15: who is named does not decide a flag, and one context step judges every finding.

Table-driven cases live in ``tests/data/identity_context_cases.yml`` (held out from training,
see ``tests/test_heldout.py``). As in the functional suite, at most 5% of the must-pass cases of a
kind may get a flag and at least 90% of the must-flag cases must get their category. The other
tests pin the context step's contract: typed verdicts, multipliers read from ``context.yml``,
and a sentence judged on its own words.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analyzer.flags import Candidate, Verdict

CASES = yaml.safe_load((Path(__file__).parent / "data" / "identity_context_cases.yml").read_text(encoding="utf-8"))
MAX_FALSE_FLAGS = 0.05
MIN_RECALL = 0.90


@pytest.mark.parametrize("kind", sorted(k for k, v in CASES.items() if v.get("must_pass")))
def test_must_pass_cases_are_not_flagged(analyzer, kind: str) -> None:
    texts = CASES[kind]["must_pass"]
    results = list(analyzer.analyze_many(texts))
    wrong = [
        f"{t!r} -> {[(f.category, round(f.score, 2)) for f in r.flags]}"
        for t, r in zip(texts, results, strict=True)
        if r.flags
    ]
    assert len(wrong) / len(texts) <= MAX_FALSE_FLAGS, f"{kind}: {len(wrong)}/{len(texts)} flagged:\n" + "\n".join(
        wrong
    )


@pytest.mark.parametrize("kind", sorted(k for k, v in CASES.items() if v.get("must_flag")))
def test_must_flag_cases_are_flagged(analyzer, kind: str) -> None:
    cases = CASES[kind]["must_flag"]
    results = list(analyzer.analyze_many(c["text"] for c in cases))
    missed = [
        f"{c['text']!r} expected {c['category']}, got {sorted({f.category for f in r.flags})}"
        for c, r in zip(cases, results, strict=True)
        if c["category"] not in {f.category for f in r.flags}
    ]
    assert 1 - len(missed) / len(cases) >= MIN_RECALL, f"{kind}: {len(missed)} missed:\n" + "\n".join(missed)


SENTENCE = "Women are too moody to run a company."


@pytest.mark.parametrize(
    "text",
    [
        SENTENCE,
        f"{SENTENCE} Thanks for the quick reply.",
        f"{SENTENCE} I loved the talk, great work everyone.",
        f"Thanks for the quick reply. {SENTENCE}",
    ],
)
def test_a_sexist_sentence_is_flagged_whatever_unrelated_sentence_surrounds_it(analyzer, text: str) -> None:
    flagged = [f for f in analyzer.analyze(text).flags if f.text == SENTENCE]
    assert flagged, f"{text!r}: the sentence {SENTENCE!r} lost its flag"


def test_a_classifier_finding_ruled_out_by_praise_records_a_typed_verdict(analyzer) -> None:
    result = analyzer.analyze("I adore my grandmother and every woman who raised me.")
    assert not result.flags
    doc = analyzer.process("I adore my grandmother and every woman who raised me.")
    ruled = [c for c in doc._.allyship_candidates or [] if c.source == "classifier"]
    for cand in ruled:  # the model may or may not propose a finding; if it does, the step rules it out
        assert cand.suppressed_by is not None
        assert cand.verdicts and cand.verdicts[-1].applies and cand.verdicts[-1].check


def test_the_engine_reads_endorsement_from_the_verdict_not_the_note(analyzer) -> None:
    result = analyzer.analyze('My coach always said "man up", and he was right.')
    [flag] = [f for f in result.flags if f.category == "toxic_masculinity"]
    assert "Context checked" in flag.explanation
    cand = Candidate(0, 1, 0, 6, "toxic_masculinity", "lexicon", "tm.man-up", 0.9)
    cand.verdicts.append(Verdict(False, "some note without the magic words", endorsed=True, check="quotation"))
    assert analyzer._flag("man up", cand).explanation.endswith("(Context checked: some note without the magic words.)")


def test_finding_multipliers_come_from_context_yml(tmp_path: Path, lexicon_analyzer) -> None:
    from analyzer.pipeline.context import CONTEXT_FILE, ContextRules

    raw = yaml.safe_load(CONTEXT_FILE.read_text(encoding="utf-8"))
    raw["findings"]["multipliers"]["praise"] = 0.42
    custom = tmp_path / "context.yml"
    custom.write_text(yaml.safe_dump(raw), encoding="utf-8")
    tokenizer = lexicon_analyzer.nlp.tokenizer
    rules = ContextRules(lambda text: [t.norm_ for t in tokenizer(text)], custom)
    doc = lexicon_analyzer.process("Women are brilliant engineers.")
    judged = rules.judge_finding(doc, doc[:], doc[:], "gender_stereotype", [], gendered=True)
    assert judged is not None
    verdict, multiplier = judged
    assert (verdict.check, verdict.applies, multiplier) == ("praise", True, 0.42)


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("We must not let women be harassed at the depot.", "pro_equality"),
        ("No girl should have to put up with that in class.", "pro_equality"),
        ("Women are brilliant engineers.", "praise"),
        ("Accountants are all the same.", "target"),
        ("I do not hate women.", "negation"),
        ("Most of the women on my street cycle to the station.", "descriptive"),
        ("Women are more likely to be victims of violence at home.", "pro_equality"),
        ("Women are paid less than men for the same work.", "praise"),
        ("Many people believe women ruin every workplace, but the numbers say otherwise.", "sentence"),
        ("I get that you're angry, but hating all women is not fair.", "sentence"),
        ("No woman deserves to be spoken to like that.", "pro_equality"),
        ("I will never tell a woman to smile.", "negation"),
    ],
)
def test_judge_finding_names_the_check_that_rules_a_finding_out(lexicon_analyzer, context_rules, text, check) -> None:
    doc = lexicon_analyzer.process(text)
    judged = context_rules.judge_finding(doc, doc[:], doc[:], "gendered_hostility", [], gendered=True)
    assert judged is not None and judged[0].check == check and judged[0].applies


@pytest.mark.parametrize(
    "text",
    [
        "Nobody should let women vote.",
        "Women should not be allowed to drive.",
        "We should not let women into the club.",
        "Women are vermin and nobody should protect them.",
        "Women are more likely to be hysterical in a crisis.",
        "Women are less capable than men, and they earn less because of it.",
        "No woman deserves to vote.",
    ],
)
def test_hostile_or_exclusionary_sentences_are_not_taken_for_pro_equality(lexicon_analyzer, context_rules, text):
    doc = lexicon_analyzer.process(text)
    judged = context_rules.judge_finding(doc, doc[:], doc[:], "gendered_hostility", [], gendered=True)
    assert judged is None or judged[0].check not in ("pro_equality", "praise"), judged


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Most of the women on my street cycle to the station.", False),
        ("Women on my street can't cycle to save their lives.", True),
        ("Women on my street should leave cycling to the men.", True),
        ("Women on my street are worse at cycling than men.", True),
        ("Women on my street are s c u m.", True),
    ],
)
def test_a_plain_statement_says_nothing_of_anyone(lexicon_analyzer, context_rules, text: str, says: bool) -> None:
    doc = lexicon_analyzer.process(text)
    assert context_rules.says_something(doc[:]) is says


def test_a_weak_guess_of_another_category_is_ruled_out_below_the_bar(lexicon_analyzer, context_rules) -> None:
    doc = lexicon_analyzer.process("Take it easy, you sent the invoice on time.")
    bar = context_rules.min_score_other
    assert bar > 0.5
    weak = context_rules.judge_finding(doc, doc[:], doc[:], "dismissive", [], gendered=False, score=bar - 0.01)
    assert weak is not None and weak[0].check == "weak" and weak[0].applies
    assert context_rules.judge_finding(doc, doc[:], doc[:], "dismissive", [], gendered=False, score=bar) is None
    # the bar is for the other categories: a gendered finding is judged on what it says (here: about no woman)
    gendered = context_rules.judge_finding(doc, doc[:], doc[:], "gendered_hostility", [], gendered=True, score=0.51)
    assert gendered is not None and gendered[0].check == "target"


def test_a_near_threshold_dismissive_guess_about_a_thing_is_not_flagged(analyzer) -> None:
    result = analyzer.analyze("Relax, it's just a test email.")
    assert not result.flags
    assert [(s.category, s.reason) for s in result.suppressed] == [("dismissive", "context:weak")]


REASSURANCES = ["Relax, it's just a test email", "Relax, it's a holiday.", "Chill, the build is green."]


@pytest.mark.parametrize("text", REASSURANCES)
def test_reassurance_that_addresses_no_one_is_not_dismissing(analyzer, lexicon_analyzer, context_rules, text) -> None:
    assert not analyzer.analyze(text).flags
    doc = lexicon_analyzer.process(text)
    judged = context_rules.judge_finding(doc, doc[:], doc[:], "dismissive", [], gendered=False, score=0.9)
    assert judged is not None and judged[0].check == "no_one" and judged[0].applies


@pytest.mark.parametrize("text", ["Relax, you're fine.", "Calm yourself, Priya.", "Relax, she was only teasing."])
def test_a_dismissive_finding_about_someone_is_judged_on(lexicon_analyzer, context_rules, text) -> None:
    doc = lexicon_analyzer.process(text)
    judged = context_rules.judge_finding(doc, doc[:], doc[:], "dismissive", [], gendered=False, score=0.9)
    assert judged is None or judged[0].check != "no_one", judged


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("That comment hurt you, and it makes sense you're upset.", "dismissive"),
        ("Your feelings matter.", "toxic_masculinity"),
        ("It's okay to cry when a project you loved gets cancelled.", "toxic_masculinity"),
    ],
)
def test_a_sentence_that_takes_feelings_seriously_is_no_dismissing(lexicon_analyzer, context_rules, text, category):
    doc = lexicon_analyzer.process(text)
    judged = context_rules.judge_finding(doc, doc[:], doc[:], category, [], gendered=False, score=0.9)
    assert judged is not None and judged[0].check == "validation" and judged[0].applies


def test_validation_words_do_not_excuse_derogation(lexicon_analyzer, context_rules) -> None:
    doc = lexicon_analyzer.process("It's okay to cry if you're a pathetic weak little boy.")
    judged = context_rules.judge_finding(doc, doc[:], doc[:], "toxic_masculinity", [], gendered=False, score=0.9)
    assert judged is None or judged[0].check != "validation"


@pytest.mark.parametrize(
    "text",
    ["Real men don't go to therapy.", "Men never go to therapy, they handle it.", "Crying is not okay to talk about."],
)
def test_validation_words_under_a_negation_validate_nothing(lexicon_analyzer, context_rules, text) -> None:
    doc = lexicon_analyzer.process(text)
    judged = context_rules.judge_finding(doc, doc[:], doc[:], "toxic_masculinity", [], gendered=False, score=0.9)
    assert judged is None or judged[0].check != "validation", judged


def test_a_negated_norm_proposed_to_everyone_repeats_it(analyzer) -> None:
    """A norm proposed to everyone ("Let's not ...") repeats it, as an order ("Don't ...") does."""
    for text in ("Let's not make a big deal out of it.", "Don't make a big deal out of it."):
        assert [f.category for f in analyzer.analyze(text).flags] == ["dismissive"], text


@pytest.mark.parametrize(
    "text",
    [
        "I would never say women are equal.",  # refusing equality is no refusal of a harm
        "Never tell a woman she is smart, it goes to her head.",  # advice, not the writer's refusal
        "I said women never listen.",
    ],
)
def test_only_the_writer_refusing_a_harm_is_a_refusal(lexicon_analyzer, context_rules, text) -> None:
    doc = lexicon_analyzer.process(text)
    assert not context_rules.refuses_to_say(doc[:]).applies
