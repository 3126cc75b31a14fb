"""Does a text name a woman or women? A small word-list detector for measuring the identity-mention gap.

The gap (flag rate of innocent texts that name women minus that of innocent
texts that don't) says whether naming women by itself moves the analyzer
toward a flag. The detector is deliberately independent of the analyzer's own
cue lists (``analyzer/data``), so the measurement does not lean on what it
measures. It counts a text as naming women when a whole word (case-insensitive,
possessive "'s" allowed) is one of :data:`WOMEN_WORDS` or of the common female
first names in :data:`FEMALE_NAMES`. Names that are also common words ("May",
"Hope", "Grace") are left out: they would count texts that name nobody.
"""

from __future__ import annotations

import re

WOMEN_WORDS = frozenset(
    """
    woman women womens girl girls gal gals wife wives she her hers herself feminist feminists feminism
    lady ladies female females mother mothers mom moms mum mums daughter daughters sister sisters
    girlfriend girlfriends gf aunt aunts niece nieces grandmother grandma bride brides
    """.split()  # noqa: SIM905 - a block of words reads better than a list literal
)

FEMALE_NAMES = frozenset(
    """
    mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty sandra
    ashley kimberly emily donna michelle carol amanda melissa deborah stephanie rebecca sharon laura
    cynthia amy angela anna brenda pamela emma nicole helen samantha katherine christine debra rachel
    carolyn janet maria catherine heather diane olivia julie joyce victoria kelly christina lauren
    joan evelyn judith megan andrea cheryl hannah jacqueline martha gloria teresa sara madison
    kathryn janice julia abigail alice judy sophia denise danielle marilyn isabella natalie diana
    brittany charlotte alexis kayla priya aisha fatima mei yuki sofia chloe zoe ella lily
    hillary kamala beyonce oprah greta meghan
    """.split()  # noqa: SIM905 - a block of words reads better than a list literal
)

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def names_women(text: str) -> bool:
    """True when ``text`` has a word of :data:`WOMEN_WORDS` or :data:`FEMALE_NAMES` (possessive 's allowed)."""
    for word in _WORD.findall(text.casefold().replace("\u2019", "'")):
        if word.endswith("'s"):
            word = word[:-2]
        if word in WOMEN_WORDS or word in FEMALE_NAMES:
            return True
    return False


_NEGATION = re.compile(r"\b(?:not|never|no|nobody|nothing|none|neither|nor|without)\b|n't\b", re.IGNORECASE)


def negated(text: str) -> bool:
    """True when ``text`` has a negation word ("not", "never", "n't", "nobody"...): a rough slice, not a parse."""
    return bool(_NEGATION.search(text.replace("\u2019", "'")))
