"""Rule templates (issue 15): one claim matched with another subject, tense, filler word or as a question.

The behaviour rows live in ``tests/data/rule_generalization.yml``; the rows here pin the template
syntax, a trainer's own templates and slots, and what ``lexicon validate`` reports about them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from analyzer.errors import LexiconError
from analyzer.lexicon.loader import load_lexicon
from analyzer.lexicon.templates import TemplateError, builtin_slots, check_size, parse
from analyzer.training.validate import validate_lexicons
from tests.conftest import write

CASES = yaml.safe_load((Path(__file__).parent / "data" / "rule_generalization.yml").read_text(encoding="utf-8"))
ROWS = [(rule, kind, text) for rule, entry in CASES.items() for kind in ("flag", "pass") for text in entry[kind]]


@pytest.mark.parametrize(("rule_id", "kind", "text"), ROWS)
def test_a_rule_states_its_claim_once_and_matches_its_variants(lexicon_analyzer, rule_id, kind, text) -> None:
    result = lexicon_analyzer.analyze(text)
    hits = [f for f in result.flags if f.rule_id == rule_id]
    if kind == "flag":
        assert hits, f"{rule_id} did not flag {text!r}: {[(s.rule_id, s.reason) for s in result.suppressed]}"
        for flag in hits:
            assert text[flag.start : flag.end] == flag.text
    else:
        assert not hits, f"{rule_id} flagged {text!r} at {[f.text for f in hits]}"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{other} {be} {adv}*", "at least one plain word"),
        ("{nobody_knows} is overreacting", "unknown slot '{nobody_knows}'"),
        ("she|{women} belong", "is not a slot"),
        ("a|{women}x belong", "mixes a slot into words"),
        ("so?* dramatic", "more than one modifier"),
        ("a||b dramatic", "empty alternative"),
        ("! dramatic", "write '!' before a slot or words"),
        ("   ", "is empty"),
        (" ".join(["word"] * 17), "more than 16 items"),
    ],
)
def test_malformed_templates_say_what_is_wrong(template, message) -> None:
    with pytest.raises(TemplateError, match=None) as caught:
        check_size(template, builtin_slots())
    assert message in str(caught.value)


def test_a_template_compiles_to_bounded_patterns_only() -> None:
    """No REGEX, FUZZY or unbounded '*' / '+': a user's template cannot make matching blow up."""
    from analyzer.lexicon.templates import WordsAsKeys, compile_template

    patterns = compile_template("{other} {be}? {adv}* overreacting ...", builtin_slots(), WordsAsKeys())
    assert any(p.question for p in patterns) and any(not p.question for p in patterns)
    for compiled in patterns:
        for token in compiled.pattern():
            assert token.get("OP") not in ("*", "+")
            assert not {"REGEX", "FUZZY"} & {k for v in token.values() if isinstance(v, dict) for k in v}


def test_parse_reads_modifiers_slots_and_negated_items() -> None:
    items = parse("{other} !{anyone}? =‘s a|an ... overreacting+")
    assert [(i.kind, i.lo, i.hi) for i in items] == [
        ("slot", 1, 1),
        ("not", 0, 1),
        ("exact", 1, 1),
        ("words", 1, 1),
        ("gap", 0, 4),
        ("words", 1, 3),
    ]


RELAX_RULE = """\
category:
  id: nicknames
  label: Pet names at work
  description: Calling a colleague sweetheart or honey to brush her off.
  strategies: [listen_and_learn]
slots:
  nickname: [sweetheart, sweetie, honey, babe, "little lady"]
rules:
  - id: pn.relax-pet-name
    templates: ["whatever you say {nickname}", "{other} {be} {adv}* cute when ... angry|mad"]
    explanation: A pet name while brushing her off makes her concern sound childish.
    suggestion: Use her name and answer what she raised.
    UNLESS
    examples:
      flag: ["Whatever you say sweetie, the numbers stand.", "Sure, whatever you say little lady.",
             "You're so cute when you're angry."]
      pass: ["Whatever you say, I'll back you up.", "The puppy is cute when it sleeps."]
"""


def test_a_trainers_own_slots_and_templates_work_without_trusted_lexicons(tmp_path: Path) -> None:
    folder = tmp_path / "lex"
    write(folder / "nicknames.yml", RELAX_RULE.replace("    UNLESS\n", ""))
    files, rules, examples = validate_lexicons([folder])
    assert (files, rules) == (1, 1)
    assert examples > 5  # the five examples and their variants ("Are you so cute when...", "Priya is so cute...")
    from analyzer import Analyzer

    analyzer = Analyzer(lexicons=[folder], model=None)
    [flag] = analyzer.analyze("OK, whatever you say honey.").flags
    assert (flag.rule_id, flag.text) == ("pn.relax-pet-name", "whatever you say honey")
    assert [f.rule_id for f in analyzer.analyze("Isn't Priya cute when she's mad?").flags] == ["pn.relax-pet-name"]


def test_validate_reports_a_variant_the_rule_does_not_flag_at_the_examples_line(tmp_path: Path) -> None:
    """A filler word the rule's own unless list rejects: the filler variant fails, reported as file:line."""
    path = write(tmp_path / "lex" / "nicknames.yml", RELAX_RULE.replace("UNLESS", "unless: [really]"))
    with pytest.raises(LexiconError) as caught:
        validate_lexicons([path.parent])
    lines = str(caught.value).splitlines()
    flagged_line = next(n for n, line in enumerate(path.read_text().splitlines(), 1) if "cute when you're" in line)
    assert any(
        f"{path}:{flagged_line}:" in line and "a filler word inserted" in line and "really" in line for line in lines
    ), lines


@pytest.mark.parametrize(
    ("slots", "template", "message"),
    [
        ("slots:\n  other: [someone]\n", "{other} {be} wrong", "slots.other: slot 'other' is built in"),
        ("", "{pet} {be} wrong", "unknown slot '{pet}'"),
        ("slots:\n  loop: ['{loop} x']\n", "{loop} wrong", "refers to itself"),
        (
            "slots:\n  b: ['x y', 'y z', 'z w', 'w v', 'v u', 'u t', 't s']\n  a: ['{b} {b} {b} {b} {b} {b}']\n",
            "{a} wrong",
            "more than 400 patterns",
        ),
    ],
)
def test_template_problems_are_reported_as_file_and_line(tmp_path: Path, slots, template, message) -> None:
    text = RELAX_RULE.replace('slots:\n  nickname: [sweetheart, sweetie, honey, babe, "little lady"]\n', slots).replace(
        '["whatever you say {nickname}", "{other} {be} {adv}* cute when ... angry|mad"]', f'["{template}"]'
    )
    path = write(tmp_path / "lex" / "bad.yml", text.replace("    UNLESS\n", ""))
    with pytest.raises(LexiconError) as caught:
        load_lexicon([path.parent])
    problems = [p for p in caught.value.problems if message in p.message]
    assert problems, [p.message for p in caught.value.problems]
    assert all(p.file == str(path) and p.line > 1 for p in problems)


def test_a_name_is_a_capitalized_word_no_dictionary_knows(lexicon_analyzer) -> None:
    """'Priya' is a name anywhere; 'Markets' opening a sentence is a word, not a person."""
    assert [f.rule_id for f in lexicon_analyzer.analyze("Priya is overreacting.").flags] == ["di.overreacting"]
    assert lexicon_analyzer.analyze("Markets are overreacting to the rate news.").flags == ()


def test_the_data_files_hold_words_where_they_list_words() -> None:
    """YAML reads an unquoted no, yes, on or off as a boolean: in a word list it would stand for "False"."""
    from analyzer.resources import DATA_DIR

    def booleans(value: object, where: str) -> list[str]:
        if isinstance(value, bool):
            return [where]
        if isinstance(value, dict):
            return [b for k, v in value.items() for b in booleans(v, f"{where}/{k}")]
        if isinstance(value, list):
            return [b for i, v in enumerate(value) for b in booleans(v, f"{where}[{i}]")]
        return []

    files = sorted(DATA_DIR.glob("*.yml"))
    found = [b for path in files for b in booleans(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)]
    assert not found, f"quote these words: {found}"


def test_of_two_rules_on_the_same_words_the_narrower_claim_wins_in_every_process() -> None:
    """di.emotional (anyone "is too emotional") and gs.women-are-too-emotional (women as a group) both match;
    the rule about women wins, whatever order Python's string hashing gives the matches in."""
    import os
    import subprocess
    import sys

    code = (
        "from analyzer import Analyzer\n"
        "print([f.rule_id for f in Analyzer(model=None).analyze('Girls are way too emotional for the debate club.')"
        ".flags])"
    )
    seen = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        seen.add(out.stdout.strip())
    assert seen == {"['gs.women-are-too-emotional']"}


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["Relax, sweetie."], [["di.sweetie"]]),
        (["Just be a man about it."], [["tm.be-a-man"]]),
        (["Just be a man about it. Relax, sweetie."], [["tm.be-a-man", "di.sweetie"]]),
        (["Relax, sweetie.", "She totally deserved it."], [["di.sweetie"], ["vb.got-what-she-deserved"]]),
    ],
)
def test_a_docs_templates_and_token_patterns_are_each_run_when_its_words_call_for_them(
    lexicon_analyzer, texts, expected
) -> None:
    """Whether a doc could match a template and whether it could match a rule's token pattern are decided
    apart: holding the words of one kind neither skips nor stands in for the other, in one doc or a batch."""
    got = [[f.rule_id for f in result.flags] for result in lexicon_analyzer.analyze_many(texts)]
    assert got == expected


def test_innocent_senses_are_found_around_each_phrase_of_a_long_text(lexicon_analyzer) -> None:
    """The innocent-sense templates run only around the phrases of their rule: one far from any phrase is
    not looked for, and each phrase still finds its own."""
    filler = "The weather was fine and we walked to the old bridge near the river. " * 30
    text = (
        "I hate how women are treated at work. " + filler + "I hate women. " + filler
        + "Honestly I hate seeing women mocked online. " + filler + "I hate how girls get talked over."
    )  # fmt: skip
    result = lexicon_analyzer.analyze(text)
    assert [f.text for f in result.flags] == ["I hate women"]
    notes = [s.history[1].note for s in result.suppressed if s.reason == "unless"]
    innocent = ("hate how women", "hate seeing women", "hate how girls")
    assert notes == [f"innocent sense: '{words}' in the same sentence" for words in innocent]


def test_each_template_of_a_rule_is_matched_around_its_own_words(lexicon_analyzer) -> None:
    """A rule's templates are matched apart, each where its own words are: in one sentence or in two, in a
    long text, with or without the other template's words nearby."""
    filler = "We walked to the old bridge near the river and talked. " * 20
    texts = [
        "Honestly, women disgust me.",
        "I really hate women.",
        "I really hate women, and honestly women disgust me.",
        "I really hate women. " + filler + "Females sicken me.",
    ]
    got = [[(f.rule_id, f.text) for f in r.flags] for r in lexicon_analyzer.analyze_many(texts)]
    assert got == [
        [("gh.hate-women", "women disgust me")],
        [("gh.hate-women", "I really hate women")],
        [("gh.hate-women", "I really hate women"), ("gh.hate-women", "honestly women disgust me")],
        [("gh.hate-women", "I really hate women"), ("gh.hate-women", "Females sicken me")],
    ]


TWO_RULES = """\
category:
  id: talking_over
  label: Talking over
  description: Claims that keep a colleague out of the conversation.
  strategies: [listen_and_learn]
rules:
  - id: to.wide
    templates: ["interns belong ... ,? not in the meeting|meetings"]
    unless: [printer]
    explanation: It tells people where they may be instead of hearing them.
    suggestion: Invite them and ask what they think.
    examples:
      flag: ["Interns belong at their desks, not in the meeting."]
      pass: ["Interns belong by the printer, not in the meeting."]
  - id: to.narrow
    templates: ["interns belong by the printer"]
    explanation: It parks people by a machine instead of hearing them.
    suggestion: Ask them what they want to work on.
    examples:
      flag: ["Honestly, interns belong by the printer."]
      pass: ["Interns learn a lot by the printer."]
"""


def test_a_match_ruled_out_by_an_innocent_sense_hides_no_other_rules_match(tmp_path: Path) -> None:
    """The wider rule matches all of "interns belong by the printer, not in the meeting" and its innocent sense
    ("printer") rules it out; the narrower rule's match on the same words is still found and flagged."""
    from analyzer import Analyzer

    folder = tmp_path / "lex"
    write(folder / "talking.yml", TWO_RULES)
    analyzer = Analyzer(lexicons=[folder], model=None)
    result = analyzer.analyze("Interns belong by the printer, not in the meeting.")
    assert [(f.rule_id, f.text) for f in result.flags] == [("to.narrow", "Interns belong by the printer")]
    assert [(s.rule_id, s.reason) for s in result.suppressed] == [("to.wide", "unless")]
    wide = analyzer.analyze("Interns belong at their desks, not in the meeting.")
    assert [f.rule_id for f in wide.flags] == ["to.wide"]
