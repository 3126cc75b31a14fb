"""``allyship lexicon validate``: the schema checks plus every rule's examples.

A rule is only as good as its examples: each ``flag`` example must be flagged
by that rule, each ``pass`` example must not be. Running them through the
real pipeline (with the context step) keeps the lexicons honest as they grow.
A rule with templates must also flag variants of its flag examples (another
subject, a filler word, the question form; see :mod:`analyzer.training.template_variants`),
and each template must match one of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from analyzer.errors import LexiconError, Problem
from analyzer.lexicon.loader import lexicon_files, load_lexicon
from analyzer.training.template_variants import template_variants


def validate_lexicons(directories: Sequence[str | Path], *, trusted: bool = False) -> tuple[int, int, int]:
    """Check the given folders (with the built-ins); return (files, rules, examples).

    Raises :class:`LexiconError` listing every problem found.
    """
    from analyzer.engine import Analyzer

    lexicon = load_lexicon(directories, trusted=trusted)
    wanted = {str(p.resolve()) for d in directories for p in lexicon_files(Path(d))}
    problems: list[Problem] = []
    analyzer = Analyzer(lexicons=directories, model=None, trusted_lexicons=trusted)
    make_doc = analyzer.nlp.make_doc
    rules = [r for r in lexicon.rules.values() if str(Path(r.file).resolve()) in wanted]
    for rule in rules:
        for index, phrase in enumerate(rule.phrases):
            if not any(t.is_alpha or t.like_num for t in make_doc(phrase)):
                problems.append(
                    Problem(
                        rule.file, rule.line, f"rule '{rule.id}': phrase #{index + 1} '{phrase}' has no word to match"
                    )
                )
    texts = [t for r in rules for t in (*r.flag_examples, *r.pass_examples)]
    results = iter(analyzer.analyze_many(texts))
    checked = 0
    for rule in rules:
        for kind, examples in (("flag", rule.flag_examples), ("pass", rule.pass_examples)):
            for index, text in enumerate(examples):
                result = next(results)
                checked += 1
                hit = any(f.rule_id == rule.id for f in result.flags)
                line = (
                    rule.example_lines.get(kind, ())[index]
                    if index < len(rule.example_lines.get(kind, ()))
                    else rule.line
                )
                if kind == "flag" and not hit:
                    why = next((s.reason for s in result.suppressed if s.rule_id == rule.id), None)
                    other = [f.rule_id for f in result.flags]
                    detail = (
                        f" (suppressed: {why})"
                        if why
                        else (
                            f" (matched {', '.join(map(str, other))} instead)"
                            if other
                            else " (no phrase of the rule matched)"
                        )
                    )
                    problems.append(
                        Problem(rule.file, line, f"rule '{rule.id}': flag example is not flagged{detail}: {text!r}")
                    )
                if kind == "pass" and hit:
                    problems.append(Problem(rule.file, line, f"rule '{rule.id}': pass example is flagged: {text!r}"))
    variants, unmatched = template_variants(analyzer, [r for r in rules if r.templates])
    for rule, index in unmatched:
        problems.append(
            Problem(
                rule.file,
                rule.line,
                f"rule '{rule.id}': template #{index + 1} '{rule.templates[index]}' matches none of the flag examples",
            )
        )
    for variant, result in zip(variants, analyzer.analyze_many(v.text for v in variants), strict=True):
        checked += 1
        if not any(f.rule_id == variant.rule.id for f in result.flags):
            rule = variant.rule
            lines = rule.example_lines.get("flag", ())
            line = lines[variant.example] if variant.example < len(lines) else rule.line
            problems.append(
                Problem(
                    rule.file,
                    line,
                    f"rule '{rule.id}': {variant.kind} of this flag example is not flagged: {variant.text!r}",
                )
            )
    if problems:
        raise LexiconError(problems)
    return len(wanted), len(rules), checked
