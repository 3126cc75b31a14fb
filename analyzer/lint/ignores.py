"""Inline ignores: which flags a document's ``allyship-disable…`` comments suppress.

``disable-next-line [ids]`` covers the next line that has text after the
comment; ``disable [ids]`` covers everything up to an ``enable`` (with no ids
it closes every open region, with ids the regions naming them) or the end of
the file. No ids means every rule; an id is a rule id or a category id. Each
directive remembers whether it suppressed anything, for
``--report-unused-ignores``.
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.lint.prose import Directive


def matches(ids: tuple[str, ...] | frozenset[str], rule_id: str | None, category: str) -> bool:
    """Whether an ignore naming ``ids`` (empty: all) covers a flag of ``rule_id`` in ``category``."""
    return not ids or category in ids or (rule_id is not None and rule_id in ids)


@dataclass
class _Region:
    directive: Directive
    start: int  # source offsets covered
    end: int
    used: bool = False


class Ignores:
    """The regions a document's directives cover, with their use recorded."""

    def __init__(self, directives: list[Directive], source: str) -> None:
        self.regions: list[_Region] = []
        open_regions: list[_Region] = []
        for directive in directives:
            if directive.kind == "disable-next-line":
                start, end = _next_line(source, directive.end)
                self.regions.append(_Region(directive, start, end))
            elif directive.kind == "disable":
                region = _Region(directive, directive.end, len(source))
                self.regions.append(region)
                open_regions.append(region)
            else:  # enable
                for region in list(open_regions):
                    if not directive.ids or set(directive.ids) & set(region.directive.ids):
                        region.end = directive.start
                        open_regions.remove(region)

    def suppresses(self, start: int, rule_id: str | None, category: str) -> bool:
        """Whether a flag starting at source offset ``start`` is ignored; marks the directives that ignore it."""
        hit = False
        for region in self.regions:
            if region.start <= start < region.end and matches(region.directive.ids, rule_id, category):
                region.used = True
                hit = True
        return hit

    def unused(self) -> list[Directive]:
        """The disable directives that suppressed no flag."""
        return [r.directive for r in self.regions if not r.used]


def _next_line(source: str, after: int) -> tuple[int, int]:
    """The source span of the first line after offset ``after``'s line that has text."""
    newline = source.find("\n", after)
    while newline >= 0:
        start = newline + 1
        end = source.find("\n", start)
        end = len(source) if end < 0 else end
        if source[start:end].strip():
            return start, end
        newline = end if end < len(source) else -1
    return len(source), len(source)
