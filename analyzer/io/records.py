"""A batch record's flags as :class:`analyzer.flags.Flag` objects: how every reader of records sees them.

A record (SPEC.md: ``{"id", "source", "flags", "error", ...}``) keeps its flags
as JSON, the form :meth:`Flag.to_dict` writes. The CSV writer, ``--resume``,
the report and the app's Batch page read them back through :meth:`Flag.from_dict`
here, so no reader has its own idea of which fields a flag has.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from analyzer.flags import Flag


def record_flags(record: Mapping[str, Any]) -> list[Flag]:
    """The flags of ``record``, in order; raises ``TypeError``/``KeyError``/``ValueError`` for a malformed one."""
    flags = record.get("flags") or []
    if not isinstance(flags, list):
        raise TypeError("a record's flags is a list")
    return [Flag.from_dict(flag) for flag in flags]


def with_flags(record: Mapping[str, Any], flags: list[Flag]) -> dict[str, Any]:
    """``record`` with ``flags`` in place of its own, and a summary that counts them."""
    counts: dict[str, int] = {}
    for flag in flags:
        counts[flag.category] = counts.get(flag.category, 0) + 1
    return {
        **record,
        "flags": [flag.to_dict() for flag in flags],
        "summary": {"flag_count": len(flags), "categories": counts},
    }
