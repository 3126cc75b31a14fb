"""Lexicon loading and validation: schema, ids, references, limits, messages with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.errors import LexiconError
from analyzer.lexicon.loader import load_lexicon
from analyzer.training.validate import validate_lexicons
from tests.conftest import MINIMAL_RULE, write


def problems_of(directory: Path, **kwargs) -> list[str]:
    with pytest.raises(LexiconError) as info:
        load_lexicon([directory], **kwargs)
    return [str(p) for p in info.value.problems]


def test_whether_edos_counts_a_category_as_sexism_is_read_from_its_file(tmp_path: Path) -> None:
    lexicon = load_lexicon()
    assert lexicon.categories["ally_ridicule"].sexism is False
    assert lexicon.sexism_categories == set(lexicon.categories) - {"ally_ridicule"}
    path = write(tmp_path / "lex" / "talking_over.yml", MINIMAL_RULE)
    assert load_lexicon([path.parent]).categories["talking_over"].sexism is True  # the default
    write(path, MINIMAL_RULE.replace("label: Talking over women", "label: Talking over women\n  sexism: false"))
    assert "talking_over" not in load_lexicon([path.parent]).sexism_categories


def test_user_lexicon_adds_a_new_category(user_lexicon: Path) -> None:
    lexicon = load_lexicon([user_lexicon])
    assert lexicon.categories["talking_over"].label == "Talking over women"
    assert lexicon.rules["to.let-me-explain"].strategies == ("listen_and_learn",)
    assert "toxic_masculinity" in lexicon.categories  # built-ins are always included


@pytest.mark.parametrize(
    ("edit", "line", "message"),
    [
        (("strategies: [listen_and_learn]", "strategies: [listen_more]"), 5, "unknown strategy id 'listen_more'"),
        (("id: to.let-me-explain", "id: Bad Id"), 8, "rules.0.id"),
        (("    suggestion:", "    colour: red\n    suggestion:"), 11, "rules.0.colour: unknown field"),
        (('      pass: ["Let me explain the new expense policy to the team."]\n', ""), 12, "pass"),
        (("label: Talking over women", "label: [unclosed"), 4, "YAML syntax error"),
        (("label: Talking over women", "label: Talking over women\n  sexism: maybe"), 4, "category.sexism"),
        (("label: Talking over women", "label: Talking over women\n  sexism: \"no\""), 4, "category.sexism"),
    ],
)
def test_schema_errors_name_file_and_line(tmp_path: Path, edit: tuple[str, str], line: int, message: str) -> None:
    text = MINIMAL_RULE.replace(*edit)
    assert text != MINIMAL_RULE
    path = write(tmp_path / "lex" / "talking_over.yml", text)
    found = problems_of(path.parent)
    assert any(p.startswith(f"{path}:") and message in p for p in found), found
    assert any(p.startswith(f"{path}:{line}:") for p in found), found


def test_duplicate_rule_id_across_files_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "lex" / "a.yml", MINIMAL_RULE)
    write(tmp_path / "lex" / "b.yml", MINIMAL_RULE.replace("what she means is", "as she was trying to say"))
    found = problems_of(tmp_path / "lex")
    assert any("rule id 'to.let-me-explain' is already defined" in p and "b.yml" in p for p in found)


def test_same_phrase_in_two_rules_is_an_error(tmp_path: Path) -> None:
    second = MINIMAL_RULE.replace("to.let-me-explain", "to.other").replace("let me explain it to you", "hold on")
    write(tmp_path / "lex" / "a.yml", MINIMAL_RULE)
    write(tmp_path / "lex" / "b.yml", second)
    found = problems_of(tmp_path / "lex")
    assert any("phrase 'what she means is' is already in rule 'to.let-me-explain'" in p for p in found)


@pytest.mark.parametrize("label", ["Talking over women", "Dismissing or minimizing"])
def test_redefining_a_builtin_category_is_an_error_at_its_line(tmp_path: Path, label: str) -> None:
    """Same label or not: a user file may not add to (or rename) a built-in category (SPEC)."""
    text = MINIMAL_RULE.replace("id: talking_over", "id: dismissive").replace("Talking over women", label)
    path = write(tmp_path / "lex" / "x.yml", text)
    found = problems_of(tmp_path / "lex")
    line = text.splitlines().index("  id: dismissive") + 1
    assert any(p.startswith(f"{path}:{line}: category 'dismissive' is already defined") for p in found), found


def test_regex_patterns_need_the_trusted_flag(tmp_path: Path) -> None:
    text = MINIMAL_RULE.replace(
        "    explanation: Re", '    patterns: [[{"LOWER": {"REGEX": "(a+)+$"}}]]\n    explanation: Re'
    )
    path = write(tmp_path / "lex" / "x.yml", text)
    found = problems_of(path.parent)
    assert any("REGEX is not allowed in an untrusted lexicon" in p for p in found), found
    assert load_lexicon([path.parent], trusted=True).rules["to.let-me-explain"].patterns


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ('[{"IS_ALPHA": true, "OP": "{1,50}"}]', "token 0: {1,50} repeats more than 5 times"),
        ('[{"IS_ALPHA": true, "OP": "{1000}"}]', "token 0: {1000} repeats more than 5 times"),
        ('[{"OP": "*"}, {"LOWER": "she"}, {"OP": "*"}, {"OP": "+"}]', "3 open-ended operators"),
        ('[{"LOWER": "a", "OP": "{2,}"}, {"OP": "*"}]', "2 open-ended operators"),
        ("[" + ", ".join(['{"LOWER": "a", "OP": "{0,4}"}'] * 5) + "]", "20 tokens once repetitions are counted"),
        (
            '[{"LOWER": {"NOT_IN": [{"REGEX": "x"}]}}]',
            "not a valid token pattern: token 0, LOWER NOT_IN 0: input should be a valid string",
        ),
        ('[{"COLOUR": "red"}]', "not a valid token pattern: token 0, COLOUR: extra inputs are not permitted"),
        ('[{"LOWER": "a", "OP": "{1,x}"}]', "not a valid token pattern: token 0, OP: input should be"),
    ],
)
def test_patterns_that_could_explode_or_that_the_matcher_rejects_are_one_line(
    tmp_path: Path, pattern: str, message: str
) -> None:
    text = MINIMAL_RULE.replace("    explanation: Re", f"    patterns:\n      - {pattern}\n    explanation: Re")
    path = write(tmp_path / "lex" / "x.yml", text)
    found = problems_of(path.parent, trusted=True)
    assert len(found) == 1 and found[0].startswith(f"{path}:11: rules.0.patterns.0: {message}"), found


def test_a_bad_regex_in_a_trusted_lexicon_is_one_line(tmp_path: Path) -> None:
    text = MINIMAL_RULE.replace(
        "    explanation: Re", '    patterns: [[{"LOWER": {"REGEX": "(a"}}]]\n    explanation: Re'
    )
    found = problems_of(write(tmp_path / "lex" / "x.yml", text).parent, trusted=True)
    assert len(found) == 1 and "token 0: LOWER REGEX '(a' is not a valid regular expression" in found[0], found


def test_added_lexicons_have_a_cap_on_patterns(tmp_path: Path) -> None:
    from analyzer.lexicon.patterns import MAX_USER_PATTERNS

    per_file = 50  # the most one rule may have
    for k in range(MAX_USER_PATTERNS // per_file + 1):
        patterns = "".join(f'      - [{{"LOWER": "w{k}x{i}"}}, {{"LOWER": "x"}}]\n' for i in range(per_file))
        text = MINIMAL_RULE.replace("    explanation: Re", f"    patterns:\n{patterns}    explanation: Re")
        text = text.replace("to.let-me-explain", f"to.r{k}").replace('"what she means is"', f'"what she means {k}"')
        text = text.replace("id: talking_over", f"id: talking_over_{chr(97 + k)}")  # each file its own category
        write(tmp_path / "lex" / f"x{k:02d}.yml", text.replace("let me explain it to you", f"let me explain {k}"))
    found = problems_of(tmp_path / "lex")
    last = tmp_path / "lex" / f"x{MAX_USER_PATTERNS // per_file:02d}.yml"
    assert found == [f"{last}:11: more than {MAX_USER_PATTERNS} token patterns in the added lexicons"], found[:3]


def test_limits_on_phrase_length_and_count(tmp_path: Path) -> None:
    long_phrase = "word " * 40
    text = MINIMAL_RULE.replace('"what she means is"', f'"{long_phrase.strip()}"')
    found = problems_of(write(tmp_path / "lex" / "x.yml", text).parent)
    assert any("at most 120 characters" in p for p in found), found


def test_not_utf8_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "lex" / "x.yml"
    path.parent.mkdir()
    path.write_bytes(b"category:\n  id: \xff\xfe\n")
    assert any("not UTF-8" in p for p in problems_of(path.parent))


def test_validate_runs_the_examples(tmp_path: Path) -> None:
    text = MINIMAL_RULE.replace(
        '      pass: ["Let me explain the new expense policy to the team."]',
        '      pass: ["What she means is that the build is broken."]',
    )
    path = write(tmp_path / "lex" / "x.yml", text)
    with pytest.raises(LexiconError) as info:
        validate_lexicons([path.parent])
    [problem] = info.value.problems
    assert problem.line == 14
    assert "pass example is flagged" in problem.message


def test_validate_accepts_specs_example(user_lexicon: Path) -> None:
    files, rules, examples = validate_lexicons([user_lexicon])
    assert (files, rules, examples) == (1, 1, 2)
