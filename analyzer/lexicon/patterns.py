"""Checks on a lexicon's token patterns, before spaCy's Matcher ever sees them.

A token pattern is a small program the Matcher runs at every token of every
text, and some cost far more than they look: ``{"IS_ALPHA": true, "OP":
"{1,50}"}`` becomes fifty optional tokens, and made an eight-word text take
65 s and 4 GB. So repetition is bounded (:data:`MAX_REPEAT` for ``{n,m}``,
:data:`MAX_WILDCARDS` ``*``/``+`` per pattern, :data:`MAX_PATTERN_TOKENS`
tokens once repetitions are spelled out), and anything the Matcher would
reject (a ``REGEX`` nested in ``NOT_IN``, an unknown attribute) is found here,
so every problem is one ``file:line: message``.
"""

from __future__ import annotations

import re
from typing import Any

MAX_REPEAT = 5  # the largest n or m in an {n}, {n,m}, {n,} or {,m} operator
MAX_WILDCARDS = 1  # "*", "+" and "{n,}" operators per pattern
MAX_PATTERN_TOKENS = 16  # tokens of a pattern once {n,m} is spelled out as m tokens
MAX_USER_PATTERNS = 500  # patterns in all the lexicon folders a user adds

_RANGE = re.compile(r"^\{(\d*)(,?)(\d*)\}$")
_TYPE_NAMES = re.compile(r"^(TokenPattern\w*|str|int|float|bool|constrained-str|str-enum\[.*\])$")


def pattern_problems(pattern: Any) -> list[str]:
    """What is wrong with one token pattern (a list of token dicts), each as one short sentence; empty if fine."""
    from spacy.schemas import validate_token_pattern

    errors = validate_token_pattern(pattern)
    if errors:
        return [_matcher_error(errors[0])]
    problems: list[str] = []
    wildcards, tokens = 0, 0
    for index, token in enumerate(pattern):
        problems += [f"token {index}: {problem}" for problem in _regex_problems(token)]
        op = next((str(v) for k, v in token.items() if str(k).upper() == "OP"), "")
        found = _RANGE.match(op)
        if op in ("*", "+"):
            wildcards += 1
            tokens += 1
        elif found is not None:
            low, comma, high = found.groups()
            numbers = [int(n) for n in (low, high) if n]
            if any(n > MAX_REPEAT for n in numbers):
                problems.append(f"token {index}: {op} repeats more than {MAX_REPEAT} times")
            if comma and not high:
                wildcards += 1
            tokens += max(numbers, default=1)
        else:
            tokens += 1
    if wildcards > MAX_WILDCARDS:
        problems.append(f"{wildcards} open-ended operators (*, +, {{n,}}); at most {MAX_WILDCARDS} per pattern")
    if tokens > MAX_PATTERN_TOKENS and not problems:
        problems.append(f"{tokens} tokens once repetitions are counted; at most {MAX_PATTERN_TOKENS}")
    return problems


def _regex_problems(token: dict[str, Any]) -> list[str]:
    """A ``REGEX`` value (trusted lexicons only) that Python cannot compile: the Matcher would fail on every text."""
    out = []
    for key, value in token.items():
        if isinstance(value, dict):
            for operator, expression in value.items():
                if str(operator).upper() == "REGEX":
                    try:
                        re.compile(str(expression))
                    except re.error as exc:
                        out.append(f"{key} REGEX {expression!r} is not a valid regular expression ({exc})")
    return out


def _matcher_error(error: str) -> str:
    """spaCy's "[pattern -> 0 -> LOWER -> TokenPatternString -> NOT_IN -> 0] Input should be a valid string" as
    "not a valid token pattern: token 0, LOWER NOT_IN 0: input should be a valid string"."""
    where, _, message = error.partition("] ")
    parts = [p for p in where.strip("[").split(" -> ") if p != "pattern" and not _TYPE_NAMES.match(p)]
    place = f"token {parts[0]}" + (f", {' '.join(parts[1:])}" if len(parts) > 1 else "") if parts else "the pattern"
    message = message[:1].lower() + message[1:]
    return f"not a valid token pattern: {place}: {message}"
