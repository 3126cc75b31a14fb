"""The About page's content: the article's references and how the analyzer works.

The strategies, barriers and ally roles come from ``lexicons/strategies.yml``
(the same entries the flags cite), so a trainer who rewords a summary changes
it everywhere at once. The rest is the project's own description of the
pipeline, its limits and what it keeps, written here once so tests can check
that the page says it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analyzer.lexicon.article import Reference, References, load_references

# Shown in this order, with a heading of our own and the article's section name.
KIND_HEADINGS: tuple[tuple[str, str], ...] = (
    ("strategies", "Strategies an ally can use"),
    ("barriers", "What holds men back"),
    ("roles", "What a male ally does"),
)


@dataclass(frozen=True)
class ReferenceSection:
    """One kind of reference (strategies, barriers, roles) with its entries."""

    kind: str
    heading: str
    article_section: str
    entries: tuple[Reference, ...]


DECISION_STEPS: tuple[tuple[str, str], ...] = (
    (
        "Lexicon",
        "Each category is a YAML file of rules: phrases and token patterns, an explanation, a suggested "
        "rewording and the article's strategies. Words are matched after undoing common spelling tricks, "
        "so 'm4n up', 'man-up' and '#ManUp' count too. A match starts with the rule's base score.",
    ),
    (
        "Context",
        "The sentence around a match is checked: is the phrase quoted, mentioned as an example, "
        "criticized, negated, or someone else's words being reported? Each check is written into the "
        "flag's score history, and a check that applies can rule the match out.",
    ),
    (
        "Classifier",
        "When a trained model is installed, it reads whole sentences and can flag wording that no rule "
        "lists. Its flags name the words that weighed most, and its scores sit on the same 0 to 1 scale.",
    ),
    (
        "Threshold",
        "A finding becomes a flag when its score reaches the threshold. The sensitivity slider on the "
        "Analyze page sets it: lower shows more, weaker findings; higher only the clearest.",
    ),
)

LIMITS: tuple[str, ...] = (
    "It prompts reflection; it does not judge people. A flag says that some wording often works against "
    "women who raise harassment, not that the person who wrote it is a harasser or a bad ally.",
    "It reads words, not situations: it does not know who is speaking to whom, the tone of a conversation, "
    "or what happened before. Irony, quotes it did not recognize and new slang can fool it both ways.",
    "No flag is not a clean bill of health. It only knows its lexicons and its model, in English.",
    "The explanations and strategies are the project's own short summaries of one article, meant as a "
    "starting point for a conversation, not as expert advice.",
)

PRIVACY: tuple[str, ...] = (
    "Nothing leaves the machine. Text is analyzed by this server process on this computer; the analyzer "
    "calls no outside service and loads no remote model.",
    "Nothing is kept unless you give feedback. A pasted text, a batch's results and their flags live in this "
    "browser session's memory and are gone when the tab is closed or the server stops; nothing is logged.",
    "Feedback on a flag (fits, not harmful here, missed) is kept in a SQLite file on this machine (shown in the "
    "sidebar): the sentence around the flagged words, or the whole text only if you tick the box, with the "
    "category, the rule, the versions, the time and the name you give, if any. `allyship feedback purge` "
    "deletes all of it.",
    "Uploaded lexicons and batch files are written to a temporary folder that is deleted right after the check "
    "or the run. Uploads are read as text (YAML, CSV, JSON, documents) only and are never unpickled or run.",
    "Retraining keeps its uploads and the model it trains in a private temporary folder of this server, for "
    "this session only, until the server stops. The app loads no model file but models/default and the ones "
    "it trained itself.",
    "`allyship app` listens on 127.0.0.1 only and turns Streamlit's usage statistics off.",
)


def load_article_references(lexicon_dir: str | Path | None = None) -> References:
    """The references of ``strategies.yml`` in the built-in lexicon folder (or another folder)."""
    if lexicon_dir is None:
        from analyzer.lexicon import loader as lexicon

        lexicon_dir = lexicon.BUILTIN_DIR  # read at call time, so tests can point it elsewhere
    from analyzer.lexicon.loader import REFERENCES_FILE

    return load_references(Path(lexicon_dir) / REFERENCES_FILE)


def reference_sections(references: References) -> list[ReferenceSection]:
    """Strategies, barriers and roles, each with the article's section name."""
    sections = []
    for kind, heading in KIND_HEADINGS:
        table = references.by_kind.get(kind, {})
        entries = tuple(table.values())
        section = entries[0].section if entries else ""
        sections.append(ReferenceSection(kind, heading, section, entries))
    return sections
