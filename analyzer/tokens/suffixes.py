"""spaCy's suffix search, tried only where a suffix can start: the same match, without scanning the whole string.

spaCy's tokenizer peels suffixes off a whitespace-free chunk one at a time and
looks for the next one with ``suffix_regex.search(rest)``: an alternation of
about eighty rules, each ending in ``$``, that Python's regex engine tries at
every position of the rest. On junk (random bytes, long runs of symbols, where
a chunk is cut into dozens of tokens) that cost more than the rest of the
tokenizer. A rule of bounded width can only start in the last few characters,
so the search starts there (lookbehinds still see the characters before). A
rule of unbounded width (``\\.\\.+``) is searched on its own first, and when it
starts earlier the whole string is searched as before; so the match is always
the one spaCy's own search finds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

try:  # the regex parser, for the width of each rule (private to ``re``: without it the search is spaCy's own)
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python before 3.11
    try:
        import sre_parse  # type: ignore[no-redef]
    except ImportError:
        sre_parse = None


class TailSuffixSearch:
    """``regex.search`` for a regex spaCy compiled from ``entries`` (``compile_suffix_regex``), faster.

    ``pattern`` is the regex's own, so ``Tokenizer.to_bytes`` saves the regex
    unchanged (it reads ``suffix_search.__self__.pattern``).
    """

    def __init__(self, regex: re.Pattern[str], entries: Sequence[str]) -> None:
        self.pattern = regex.pattern
        self.flags = regex.flags
        self._regex = regex
        rules = [entry + "$" for entry in entries]
        widths = [sre_parse.parse(rule, regex.flags).getwidth()[1] for rule in rules]
        bounded = [width for width in widths if width < sre_parse.MAXREPEAT]
        self._longest = max(bounded, default=0)
        unbounded = [rule for rule, width in zip(rules, widths, strict=True) if width >= sre_parse.MAXREPEAT]
        self._unbounded = re.compile("|".join(unbounded), regex.flags) if unbounded else None

    def search(self, string: str) -> re.Match[str] | None:
        """The leftmost suffix match of ``string``, as ``regex.search(string)`` finds it."""
        start = len(string) - self._longest
        if start <= 0:
            return self._regex.search(string)
        if self._unbounded is not None:
            early = self._unbounded.search(string)
            if early is not None and early.start() < start:
                return self._regex.search(string)
        return self._regex.search(string, start)


def tail_suffix_search(tokenizer: Any, entries: Sequence[str]) -> bool:
    """Give ``tokenizer`` a :class:`TailSuffixSearch` when its suffix regex is the one ``entries`` compile to.

    Returns whether it did; a tokenizer with another suffix search keeps it.
    """
    from spacy.util import compile_suffix_regex

    current = getattr(tokenizer.suffix_search, "__self__", None)
    if not isinstance(current, re.Pattern) or sre_parse is None:
        return False
    if not all(isinstance(entry, str) for entry in entries):
        return False
    kept = [entry for entry in entries if entry.strip()]  # as compile_suffix_regex keeps them
    if compile_suffix_regex(kept).pattern != current.pattern:
        return False
    tokenizer.suffix_search = TailSuffixSearch(current, kept).search
    return True
