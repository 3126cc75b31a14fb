"""The texts benchmarks run on: a generated corpus, and the EDOS posts where they lie.

The generated corpus (ordinary talk with some flaggable lines) is
deterministic and sampled from no dataset, so every benchmark can run
anywhere. EDOS is read from ``../shared/data`` (or a path given), never copied.
"""

from __future__ import annotations

import csv
import os
import random
import sys
from pathlib import Path

# ``$ALLYSHIP_SHARED_DATA`` (the shared data folder), else ``../shared/data`` beside the repository
SHARED = Path(os.environ.get("ALLYSHIP_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
DEFAULT_EDOS = SHARED / "edos" / "edos_labelled_aggregated.csv"

ORDINARY = [
    "We moved the release to Thursday so the team can finish the migration.",
    "Can someone review the pull request before lunch?",
    "The quarterly numbers look better than we expected.",
    "Half of our engineering leads are women and the team is stronger for it.",
    "Please man the phones while I'm out this afternoon.",
    "Wait for the storm to calm down before driving home.",
    "Thanks for the notes from yesterday's planning meeting.",
    "The new onboarding guide is in the shared folder.",
    "Investors tend to overreact to earnings news.",
    "Let's book the big room for the workshop on Friday.",
    "My brother cried at the wedding and I love him for it.",
    "The build is green again after the dependency update.",
]
FLAGGABLE = [
    "Man up and stop complaining about the schedule.",
    "Calm down, you're overreacting about one comment.",
    "It was just a joke, lighten up.",
    "Boys will be boys at the offsite.",
    "Not all men are like that, you know.",
    "She's too emotional to lead the project.",
    "What was she wearing at the party?",
    "Stop being such a simp for her.",
]


def words_text(n_words: int, seed: int = 0, flag_rate: float = 0.1) -> str:
    """About ``n_words`` words of text, roughly ``flag_rate`` of sentences flaggable."""
    rng = random.Random(seed)
    out: list[str] = []
    count = 0
    while count < n_words:
        sentence = rng.choice(FLAGGABLE if rng.random() < flag_rate else ORDINARY)
        out.append(sentence)
        count += len(sentence.split())
    return " ".join(out)


def sentences(n: int, seed: int = 0, flag_rate: float = 0.1) -> list[str]:
    """``n`` short documents of one or two sentences."""
    rng = random.Random(seed)
    docs = []
    for _ in range(n):
        parts = [rng.choice(FLAGGABLE if rng.random() < flag_rate else ORDINARY) for _ in range(rng.randint(1, 2))]
        docs.append(" ".join(parts))
    return docs


def edos_texts(path: Path) -> list[str]:
    """The text column of the EDOS CSV, every split."""
    csv.field_size_limit(10_000_000)
    with open(path, newline="", encoding="utf-8") as handle:
        return [row["text"] for row in csv.DictReader(handle)]


def load_corpora(edos: str | Path, generated: int) -> dict[str, list[str]]:
    """The EDOS posts (skipped with a note on stderr when absent) and ``generated`` generated documents."""
    corpora: dict[str, list[str]] = {}
    path = Path(edos)
    if path.is_dir():
        path = path / "edos_labelled_aggregated.csv"
    if path.is_file():
        corpora["EDOS posts"] = edos_texts(path)
    else:
        print(f"note: EDOS not found at {path}; measuring the generated corpus only", file=sys.stderr)
    corpora["generated"] = sentences(generated, seed=1)
    return corpora
