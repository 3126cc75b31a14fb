"""A deterministic generated corpus for benchmarks: ordinary talk with some flaggable lines.

Generated, not sampled from any dataset, so every benchmark can run anywhere.
"""

from __future__ import annotations

import random

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
