"""YAML loading that remembers line numbers, so errors can say ``file:line``.

PyYAML's safe loader forgets where a value came from; this loader keeps the
line of every mapping and of every list item, which is all that validation
messages need.
"""

from __future__ import annotations

from typing import Any

import yaml


class LineDict(dict):
    """A dict from YAML that knows its own line and the line of each key."""

    line: int = 1
    key_lines: dict[str, int]


class LineList(list):
    """A list from YAML that knows the line of each item."""

    line: int = 1
    item_lines: list[int]


# libyaml's C parser when PyYAML was built with it (the wheels are): parsing the built-in lexicons
# takes a fifth of the pure-Python parser's time, and its nodes carry the same line marks.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):  # type: ignore[misc,valid-type]
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "mapping keys must be plain values", key_node.start_mark
            )
        if key in result:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_with_lines(text: str) -> Any:
    """Parse YAML text into plain values, with :class:`LineDict`/:class:`LineList`."""
    return yaml.load(text, Loader=_LineLoader)


def line_at(root: Any, loc: tuple[Any, ...]) -> int:
    """The line of the value at ``loc`` (a pydantic error location), best effort."""
    line = getattr(root, "line", 1)
    node = root
    for part in loc:
        if isinstance(node, LineDict):
            key = str(part)
            if key in node.key_lines:
                line = node.key_lines[key]
            node = node.get(part) if part in node else None
        elif isinstance(node, LineList) and isinstance(part, int) and part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line


def load_plain(text: str) -> Any:
    """Parse YAML text into plain values with the safe loader, libyaml's C parser when there is one.

    For the analyzer's own data files (context rules, cues, spellings, slots):
    ``yaml.safe_load`` would use the pure-Python parser, several times slower at start-up.
    """
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
