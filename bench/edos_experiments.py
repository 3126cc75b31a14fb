"""Which estimator reaches the EDOS target: candidates on EDOS dev, the winner once on EDOS test.

The target (issue 3): on the EDOS test split, a post counts as flagged when
*any* category fires, and document-level macro-F1 over sexist / not sexist
against ``label_sexist`` must reach 0.80.

Protocol, so the test figure stays honest:

- every candidate is fitted on the EDOS **train** split (plus, for the full
  recipe, the project corpus and the lexicon examples);
- per-category thresholds come from out-of-fold predictions on that training
  data; the document-level threshold of the sexist head is tuned on EDOS
  **dev**; every choice (features, C, labels) was made on dev or by
  cross-validation on train;
- the **test** split is scored once, for the winner and for the plain
  tf-idf + logistic regression baseline, after everything is fixed.

Then the winner is timed: training from scratch (out-of-fold thresholds
included), model file size (joblib, compressed), load time, and prediction
time per 1,000 words (one long text, and the same words as 20-word sentences
in one batch, which is how the spaCy component calls it).

Results of the run that fixed the recipe (2-core machine; test scored once):

| candidate | dev macro-F1 | test macro-F1 |
| --- | --- | --- |
| baseline tf-idf + LR, threshold 0.5 | 0.665 | 0.686 |
| baseline tf-idf + LR, threshold tuned on dev | 0.739 | 0.750 |
| word 1-2 + char_wb 2-5 tf-idf, LR balanced | 0.772 | |
| the same n-grams, one NB-LR head | 0.766 | |
| **recipe** (NB-LR heads + sexist head + flag model; flag OR any category) | **0.777** | **0.777** |
| recipe, flag model alone | 0.779 | |
| recipe, sexist head OR category (F0.5 / F1 thresholds) | 0.768 / 0.754 | |
| recipe, sexist head alone | 0.770 | |
| recipe without lexicon features | 0.776 | |
| recipe, every category trains the sexist head | 0.762 | |
| recipe, C=2 | 0.771 | |

The 0.80 target is not reached. Also tried, by 5-fold cross-validation on EDOS
train + dev (macro-F1 at the best threshold; plain LR on the same n-grams
0.765, one NB-LR head 0.777-0.778), none of which reached 0.79:
word 1-3 / char 1-6 / char (not char_wb) 1-5 / block weights 0.775-0.779;
crossing all features with a "mentions women" indicator 0.761; replacing
words for women and men by class tokens 0.777; LinearSVC 0.763, ridge 0.763,
SVM on binarized NB features 0.768, k-NN 0.652; rank-averaged ensembles of
those ≤ 0.778; bagging NB-LR 0.778; MLPClassifier (64 units, 60k chi²
features) 0.752-0.759 at 3 minutes per fold; Guest et al. + Social Bias
Frames added to training 0.776 (as a transfer feature 0.771); heads per EDOS
category combined by max / noisy-or 0.775; gradient-boosted stacker over the
head scores and document statistics 0.782-0.784 (the logistic flag model kept
here gets most of that with a far smaller model); the sexist head trained
with every corpus category as positive 0.756, with none 0.771, with
gendered_hostility + gender_stereotype 0.776 (kept).

The data is read where it lies and never copied into the repository::

    .venv/bin/python bench/edos_experiments.py [--edos CSV] [--corpus DIR] [--no-test] [--json OUT]

``--edos`` defaults to ``$ALLYSHIP_SHARED_DATA/edos/edos_labelled_aggregated.csv``
(``../shared/data`` beside the repository when the variable is unset).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline, make_pipeline, make_union
from sklearn.preprocessing import MultiLabelBinarizer

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from analyzer.datasets import Example, load_labeled  # noqa: E402
from analyzer.features import (  # noqa: E402
    SEXIST_CATEGORIES,
    SEXIST_LABEL,
    NBLogisticHeads,
    TextNormalizer,
    build_estimator,
    build_features,
    build_flag_model,
    choose_threshold,
    flag_features,
    normalize_text,
    with_sexist_label,
)
from analyzer.lexicon import iter_examples, load_lexicon  # noqa: E402
from bench.corpus import SHARED  # noqa: E402

SPEC_CATEGORIES = frozenset(
    {
        "toxic_masculinity",
        "dismissive",
        "victim_blaming",
        "excusing_harassment",
        "gender_stereotype",
        "derailing",
        "ally_ridicule",
        "gendered_hostility",
    }
)
TARGET = 0.80
WINNER = "recipe"
BASELINE = "baseline tf-idf + LR"
OOF_FOLDS = 3
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def macro_f1(y: np.ndarray, flagged: np.ndarray) -> float:
    """The issue's metric: sklearn macro-F1 over the two classes sexist / not sexist."""
    return float(f1_score(y, flagged, average="macro"))


def tune(y: np.ndarray, decide: Callable[[float], np.ndarray], candidates: np.ndarray) -> tuple[float, float]:
    """The threshold among ``candidates`` whose decisions maximise macro-F1, and that F1."""
    best_t, best_f = 0.5, -1.0
    for t in candidates:
        f = macro_f1(y, decide(float(t)))
        if f > best_f:
            best_t, best_f = float(t), f
    return best_t, best_f


def grid(scores: np.ndarray) -> np.ndarray:
    return np.unique(np.quantile(scores, np.linspace(0.2, 0.98, 300)))


# --- data --------------------------------------------------------------------------------------------------------


@dataclass
class Data:
    train: list[Example]
    dev: list[Example]
    test: list[Example]
    extra: list[tuple[str, frozenset[str]]]  # corpus and lexicon examples: (text, categories)
    phrases: dict[str, list[str]]
    categories: list[str]


def load_data(edos: Path, corpus: Path) -> Data:
    """EDOS by split, the corpus, the lexicon phrases and examples (the lexicon is read from lexicons/)."""
    lexicon = load_lexicon()
    known = set(SPEC_CATEGORIES) | set(lexicon.categories)
    rows = load_labeled(edos, known_categories=known)
    extra = [
        (e.text, e.categories)
        for path in sorted(corpus.glob("*.jsonl"))
        for e in load_labeled(path, known_categories=known)
    ]
    extra += [(text, frozenset({c}) if flag else frozenset()) for text, c, flag in iter_examples(lexicon)]
    phrases = {c: sorted({p for r in lexicon.rules_of(c) for p in r.phrases}) for c in lexicon.categories}
    return Data(
        train=[e for e in rows if e.split == "train"],
        dev=[e for e in rows if e.split == "dev"],
        test=[e for e in rows if e.split == "test"],
        extra=extra,
        phrases=phrases,
        categories=sorted(known),
    )


def texts_of(examples: Sequence[Example]) -> list[str]:
    return [e.text for e in examples]


def sexist_of(examples: Sequence[Example]) -> np.ndarray:
    """``label_sexist``: in the EDOS mapping, a post is sexist exactly when it has a category."""
    return np.array([bool(e.categories) for e in examples])


# --- candidates --------------------------------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    note: str
    dev_f1: float
    dev_threshold: float
    fit_seconds: float
    extra: dict[str, Any] = field(default_factory=dict)


class Binary:
    """A single binary estimator on EDOS train only; the document decision is its probability ≥ a threshold."""

    def __init__(self, name: str, note: str, make: Callable[[], Any], fixed_threshold: float | None = None) -> None:
        self.name, self.note, self.make, self.fixed = name, note, make, fixed_threshold

    def fit(self, data: Data) -> float:
        started = time.perf_counter()
        self.model = self.make().fit(texts_of(data.train), sexist_of(data.train))
        return time.perf_counter() - started

    def scores(self, texts: list[str]) -> np.ndarray:
        return self.model.predict_proba(texts)[:, -1]  # the positive class (or the single head)

    def tune(self, data: Data) -> tuple[float, float]:
        s, y = self.scores(texts_of(data.dev)), sexist_of(data.dev)
        if self.fixed is not None:
            self.threshold = self.fixed
            return self.fixed, macro_f1(y, s >= self.fixed)
        self.threshold, f = tune(y, lambda t: s >= t, grid(s))
        return self.threshold, f

    def flagged(self, texts: list[str]) -> np.ndarray:
        return self.scores(texts) >= self.threshold


class Recipe:
    """The full recipe: NB-LR heads per category plus the sexist head, on EDOS train + corpus + lexicon examples.

    Training is what ``allyship train`` would do: out-of-fold probabilities
    (``OOF_FOLDS`` folds) give each head its F0.5 threshold and the stacked
    flag model its training input; then the heads are refitted on everything.

    ``rule`` decides documents, always with one score tuned on EDOS dev:

    - ``"flag"``: the stacked flag model ≥ t, *or* any category head ≥ its
      threshold (a document with any flag is flagged: what the analyzer does);
    - ``"flag-only"``: the flag model alone (no category head can add a flag);
    - ``"any"``: like ``"flag"`` with the sexist head's probability instead of the flag model;
    - ``"sexist"``: the sexist head alone (no category can add a flag).
    """

    def __init__(
        self,
        name: str,
        note: str,
        *,
        rule: str = "flag",
        lexicon: bool = True,
        sexist_rule: Callable[[frozenset[str]], set[str]] = with_sexist_label,
        beta: float = 0.5,
        params: dict[str, Any] | None = None,
        share: Recipe | None = None,
    ) -> None:
        self.name, self.note, self.rule, self.lexicon, self.beta = name, note, rule, lexicon, beta
        self.sexist_rule, self.params, self.share = sexist_rule, params or {}, share

    def build(self, data: Data) -> Pipeline:
        return build_estimator(data.phrases if self.lexicon else None, self.labels, **self.params)

    def fit(self, data: Data) -> float:
        if self.share is not None:  # the same model with another decision rule: reuse its fit
            for attr in ("labels", "model", "flag_model", "cat_thresholds", "oof_metrics", "fit_seconds"):
                setattr(self, attr, getattr(self.share, attr))
            self.recalibrate()
            return self.fit_seconds
        started = time.perf_counter()
        self.labels = [*data.categories, SEXIST_LABEL]
        texts = texts_of(data.train) + [t for t, _ in data.extra]
        cats = [e.categories for e in data.train] + [c for _, c in data.extra]
        y = MultiLabelBinarizer(classes=self.labels).fit_transform([self.sexist_rule(c) for c in cats])
        oof = np.zeros(y.shape)
        array = np.array(texts, dtype=object)
        for train_idx, held_idx in KFold(OOF_FOLDS, shuffle=True, random_state=0).split(array):
            model = self.build(data).fit(list(array[train_idx]), y[train_idx])
            oof[held_idx] = model.predict_proba(list(array[held_idx]))
        self.oof, self.y_train = oof, y
        self.flag_model = build_flag_model().fit(flag_features(oof, texts), y[:, self.labels.index(SEXIST_LABEL)])
        self.model = self.build(data).fit(texts, y)
        self.fit_seconds = time.perf_counter() - started
        self.recalibrate()
        return self.fit_seconds

    def recalibrate(self) -> None:
        """Per-head thresholds from the out-of-fold probabilities, with this candidate's beta."""
        source = self.share or self
        oof, y = source.oof, source.y_train
        self.cat_thresholds, self.oof_metrics = {}, {}
        for j, label in enumerate(self.labels):
            t = choose_threshold(y[:, j], oof[:, j], beta=self.beta)
            self.cat_thresholds[label] = t
            self.oof_metrics[label] = round(float(f1_score(y[:, j], oof[:, j] >= t, zero_division=0)), 3)

    def doc_scores(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(the score the rule thresholds, whether any category head fires) per text."""
        p = self.model.predict_proba(texts)
        cols = [j for j, label in enumerate(self.labels) if label != SEXIST_LABEL]
        fires = (p[:, cols] >= np.array([self.cat_thresholds[self.labels[j]] for j in cols])).any(axis=1)
        if self.rule in ("flag", "flag-only"):
            score = self.flag_model.predict_proba(flag_features(p, texts))[:, 1]
        else:
            score = p[:, self.labels.index(SEXIST_LABEL)]
        return score, (fires if self.rule in ("flag", "any") else np.zeros(len(texts), dtype=bool))

    def tune(self, data: Data) -> tuple[float, float]:
        score, fires = self.doc_scores(texts_of(data.dev))
        y = sexist_of(data.dev)
        self.threshold, f = tune(y, lambda t: (score >= t) | fires, grid(score))
        return self.threshold, f

    def flagged(self, texts: list[str]) -> np.ndarray:
        score, fires = self.doc_scores(texts)
        return (score >= self.threshold) | fires


def baseline() -> Pipeline:
    """The issue's reference: tf-idf with default settings, logistic regression with default settings."""
    return make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=1000))


def ngram_lr() -> Pipeline:
    return make_pipeline(
        make_union(
            TfidfVectorizer(preprocessor=normalize_text, ngram_range=(1, 2), min_df=2, sublinear_tf=True),
            TfidfVectorizer(
                preprocessor=normalize_text, analyzer="char_wb", ngram_range=(2, 5), min_df=3, sublinear_tf=True
            ),
        ),
        LogisticRegression(C=2.0, max_iter=2000, class_weight="balanced"),
    )


def ngram_nblr() -> Pipeline:
    return Pipeline([("normalize", TextNormalizer()), ("features", build_features(None)), ("head", NBLogisticHeads())])


def all_categories_are_sexist(categories: frozenset[str]) -> set[str]:
    """Ablation: every positive of any category also trains the sexist head."""
    return set(categories) | ({SEXIST_LABEL} if categories else set())


def candidates() -> list[Any]:
    recipe = Recipe(
        WINNER,
        "NB-LR heads + sexist head + stacked flag model; EDOS train + corpus + lexicon; flag OR any category (F0.5)",
    )
    return [
        Binary(BASELINE, "TfidfVectorizer() + LogisticRegression(), EDOS train, threshold 0.5", baseline, 0.5),
        Binary(BASELINE + ", tuned", "same, threshold tuned on dev", baseline),
        Binary("word1-2 + char_wb2-5 LR", "sublinear tf-idf, normalized text, class_weight=balanced, C=2", ngram_lr),
        Binary("+ NB log-count ratio", "the same n-grams (min_df 2/3), NB-scaled LR C=1: one binary head", ngram_nblr),
        recipe,
        Recipe("recipe, flag model alone", "no category can add a flag", rule="flag-only", share=recipe),
        Recipe("recipe, sexist head OR category (F0.5)", "no stacked flag model", rule="any", share=recipe),
        Recipe("recipe, sexist head OR category (F1)", "per-head thresholds by F1", rule="any", share=recipe, beta=1.0),
        Recipe("recipe, sexist head alone", "no flag model, no category", rule="sexist", share=recipe),
        Recipe("recipe without lexicon features", "word + char n-grams only", lexicon=False),
        Recipe(
            "recipe, every category trains sexist head",
            "ablation of SEXIST_CATEGORIES: any category counts as sexist",
            sexist_rule=all_categories_are_sexist,
        ),
        Recipe("recipe, C=2", "weaker regularization", params={"C": 2.0}),
    ]


# --- measurements of the winner ----------------------------------------------------------------------------------


def sentence_level(recipe: Recipe, data: Data) -> tuple[float, float]:
    """Dev macro-F1 when each sentence is scored alone (as a per-sentence component would) and a post is
    flagged if any of its sentences is; the threshold is re-tuned for this setting."""
    sentences: list[str] = []
    owner: list[int] = []
    for i, e in enumerate(data.dev):
        parts = [s for s in _SENTENCE.split(e.text) if s.strip()] or [e.text]
        sentences += parts
        owner += [i] * len(parts)
    score, fires = recipe.doc_scores(sentences)
    owners = np.array(owner)
    y = sexist_of(data.dev)

    def decide(t: float) -> np.ndarray:
        fired = (score >= t) | fires
        return np.bincount(owners, weights=fired.astype(float), minlength=len(y)) > 0

    return tune(y, decide, grid(score))


def timings(recipe: Recipe, data: Data) -> dict[str, Any]:
    """Model size and load time (in a fresh process, imports included), and prediction time per 1,000 words."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.joblib"
        joblib.dump(recipe.model, path, compress=3)
        size_mb = path.stat().st_size / 1e6
        loads = []
        for _ in range(3):
            started = time.perf_counter()
            joblib.load(path)
            loads.append(time.perf_counter() - started)
        code = (
            "import time,sys;s=time.perf_counter();import joblib,sklearn.pipeline,analyzer.features;"
            "t=time.perf_counter();joblib.load(sys.argv[1]);e=time.perf_counter();print(t-s,e-t)"
        )
        imports, cold = map(
            float,
            subprocess.run(
                [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True, cwd=REPO
            ).stdout.split(),
        )
    words = " ".join(texts_of(data.dev)).split()
    long_text = " ".join(words[:1000])
    sentences = [" ".join(words[i : i + 20]) for i in range(0, 1000, 20)]
    model = recipe.model
    model.predict_proba([long_text])  # warm
    one, batch = [], []
    for _ in range(20):
        started = time.perf_counter()
        model.predict_proba([long_text])
        one.append(time.perf_counter() - started)
        started = time.perf_counter()
        model.predict_proba(sentences)
        batch.append(time.perf_counter() - started)
    return {
        "size_mb": round(size_mb, 2),
        "load_s_warm": round(min(loads), 3),
        "load_s_fresh_process": round(cold, 3),
        "import_s_sklearn_and_features": round(imports, 3),
        "predict_ms_1000_words_one_text": round(1000 * statistics.median(one), 2),
        "predict_ms_1000_words_50_sentences": round(1000 * statistics.median(batch), 2),
    }


# --- main --------------------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edos", type=Path, default=SHARED / "edos" / "edos_labelled_aggregated.csv")
    parser.add_argument("--corpus", type=Path, default=REPO / "data" / "corpus")
    parser.add_argument("--no-test", action="store_true", help="stop after the dev table (no test figure)")
    parser.add_argument("--only", nargs="*", help="run only the candidates with these exact names (e.g. recipe)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args(argv)
    if not args.edos.is_file():
        print(f"EDOS not found at {args.edos} (set ALLYSHIP_SHARED_DATA or pass --edos)", file=sys.stderr)
        return 2
    data = load_data(args.edos, args.corpus)
    print(
        f"EDOS train {len(data.train):,} / dev {len(data.dev):,} / test {len(data.test):,}; "
        f"corpus + lexicon examples {len(data.extra):,}; sexist head = {sorted(SEXIST_CATEGORIES)}",
        flush=True,
    )
    chosen = [c for c in candidates() if not args.only or c.name in args.only]
    results: list[Result] = []
    for candidate in chosen:
        if isinstance(candidate, Recipe) and candidate.share is not None and candidate.share not in chosen:
            candidate.share = None
        fit_s = candidate.fit(data)
        threshold, f = candidate.tune(data)
        extra = (
            {"oof_f1": candidate.oof_metrics, "thresholds": candidate.cat_thresholds}
            if isinstance(candidate, Recipe)
            else {}
        )
        results.append(Result(candidate.name, candidate.note, f, threshold, fit_s, extra))
        print(f"  {candidate.name:45s} dev macro-F1 {f:.4f}  (threshold {threshold:.3f}, fit {fit_s:.0f}s)", flush=True)

    print("\n| candidate | what | dev macro-F1 | threshold | fit s |\n| --- | --- | --- | --- | --- |")
    for r in results:
        print(f"| {r.name} | {r.note} | {r.dev_f1:.4f} | {r.dev_threshold:.3f} | {r.fit_seconds:.0f} |")

    report: dict[str, Any] = {"candidates": [r.__dict__ for r in results]}
    winner = next((c for c in chosen if c.name == WINNER), None)
    if winner is not None:
        sent_t, sent_f = sentence_level(winner, data)
        print(
            f"\nwinner scored per sentence (post flagged if any sentence is): dev macro-F1 {sent_f:.4f} at {sent_t:.3f}"
        )
        print("per-label out-of-fold F1 on the training data:", winner.oof_metrics)
        print("per-label thresholds:", {k: round(v, 3) for k, v in winner.cat_thresholds.items()})
        print(f"sexist-head threshold for the any-flag decision (dev-tuned): {winner.threshold:.3f}")
        report["winner"] = {
            "sentence_level_dev_f1": sent_f,
            "sexist_threshold": winner.threshold,
            **timings(winner, data),
        }
        print("timings:", {k: v for k, v in report["winner"].items() if k not in ("sentence_level_dev_f1",)})
    if not args.no_test:
        y = sexist_of(data.test)
        tested = [c for c in chosen if c.name in (BASELINE, BASELINE + ", tuned", WINNER)]
        print("\nEDOS test split, measured once per final candidate:")
        for c in tested:
            f = macro_f1(y, c.flagged(texts_of(data.test)))
            report.setdefault("test", {})[c.name] = f
            mark = "meets" if f >= TARGET else "below"
            print(f"  {c.name:45s} test macro-F1 {f:.4f}  ({mark} the {TARGET:.2f} target)")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, default=float), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
