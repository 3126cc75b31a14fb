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


def test_redefining_a_builtin_category_label_is_an_error(tmp_path: Path) -> None:
    text = MINIMAL_RULE.replace("id: talking_over", "id: dismissive")
    write(tmp_path / "lex" / "x.yml", text)
    found = problems_of(tmp_path / "lex")
    assert any("category 'dismissive' is already defined" in p for p in found)


def test_regex_patterns_need_the_trusted_flag(tmp_path: Path) -> None:
    text = MINIMAL_RULE.replace(
        "    explanation: Re", '    patterns: [[{"LOWER": {"REGEX": "(a+)+$"}}]]\n    explanation: Re'
    )
    path = write(tmp_path / "lex" / "x.yml", text)
    found = problems_of(path.parent)
    assert any("REGEX is not allowed in an untrusted lexicon" in p for p in found), found
    assert load_lexicon([path.parent], trusted=True).rules["to.let-me-explain"].patterns


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
