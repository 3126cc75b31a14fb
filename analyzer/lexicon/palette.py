"""One colour per category for every view: the app's highlights and chips, and the batch report.

A category's colour is its lexicon file's ``color``; a category whose file
names none gets one of a fixed cycle, chosen by its id so it is the same in
every view and every run. Views that put dark text on a colour use its
:func:`tint`.
"""

from __future__ import annotations

import zlib
from functools import lru_cache

import yaml

from analyzer.lexicon.yaml_lines import load_plain
from analyzer.resources import LEXICONS_DIR

FALLBACKS = ("#377eb8", "#984ea3", "#4daf4a", "#ff7f00", "#a65628", "#f781bf", "#999999")


@lru_cache(maxsize=1)
def builtin_colors() -> dict[str, str]:
    """The ``color`` of each built-in category, read from the category block of its file."""
    colors: dict[str, str] = {}
    for path in sorted(LEXICONS_DIR.glob("*.yml")):
        try:
            data = load_plain(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        category = data.get("category") if isinstance(data, dict) else None
        if isinstance(category, dict) and isinstance(category.get("color"), str) and category.get("id"):
            colors[str(category["id"])] = category["color"]
    return colors


def color_of(category: str, own: str | None = None) -> str:
    """The colour of ``category``: ``own`` (its file's), else the built-in one, else one of :data:`FALLBACKS`."""
    if own:
        return own
    return builtin_colors().get(category) or FALLBACKS[zlib.crc32(category.encode("utf-8")) % len(FALLBACKS)]


def tint(color: str, strength: float = 0.4) -> str:
    """``color`` mixed with white (``strength`` of the colour): a background dark text reads well on."""
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    mixed = (round(255 - (255 - c) * strength) for c in (red, green, blue))
    return "#" + "".join(f"{c:02x}" for c in mixed)
