"""One colour per category for every view: the app's highlights and chips, and the batch report.

A category's colour is its lexicon file's ``color``, read from the loaded
:class:`analyzer.lexicon.loader.Lexicon` (its category objects, the same ones
that give the label and ``sexism``); a category whose file names none, or one
the lexicon does not know, gets one of a fixed cycle chosen by its id, so it
is the same in every view and every run. Views that put dark text on a
colour use its :func:`tint`.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Protocol

FALLBACKS = ("#377eb8", "#984ea3", "#4daf4a", "#ff7f00", "#a65628", "#f781bf", "#999999")


class Colored(Protocol):
    """What the palette needs of a category (a :class:`analyzer.lexicon.loader.Category` has it)."""

    @property
    def color(self) -> str | None: ...


Colors = Mapping[str, str]  # category id -> "#rrggbb"


def colors_of(categories: Mapping[str, Colored]) -> dict[str, str]:
    """The colour of each of a lexicon's categories (``lexicon.categories``): its file's, else a fallback."""
    return {category: categories[category].color or fallback(category) for category in categories}


def color_of(category: str, colors: Colors) -> str:
    """The colour of ``category`` in ``colors`` (see :func:`colors_of`), else its fallback."""
    return colors.get(category) or fallback(category)


def fallback(category: str) -> str:
    """One of :data:`FALLBACKS`, chosen by the id, for a category without a colour of its own."""
    return FALLBACKS[zlib.crc32(category.encode("utf-8")) % len(FALLBACKS)]


def tint(color: str, strength: float = 0.4) -> str:
    """``color`` mixed with white (``strength`` of the colour): a background dark text reads well on."""
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    mixed = (round(255 - (255 - c) * strength) for c in (red, green, blue))
    return "#" + "".join(f"{c:02x}" for c in mixed)
