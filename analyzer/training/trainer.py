"""``allyship train``: lexicons and labeled data in, a model folder out.

Steps: gather examples (every lexicon example, the project's corpus, the
given data files), cross-validate to choose a threshold per category and to
measure precision, recall and F1, fit on everything, and write the folder
atomically with a ``metadata.json`` that records versions, hashes, labels,
thresholds and scores. Nothing here is specific to the built-in categories: a
trainer's new category trains like the others.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from analyzer.errors import DataError
from analyzer.lexicon import loader as lexicons
from analyzer.lexicon.loader import Lexicon, load_lexicon
from analyzer.model.folders import sha256_file, write_model_folder
from analyzer.resources import CORPUS_DIR
from analyzer.training.datasets import DEFAULT_MAX_DATA_BYTES, Example, comparable_text, load_labeled
from analyzer.training.encoder_base import load_base
from analyzer.training.encoder_fit import EncoderOptions, check_installed, fit_encoder

if TYPE_CHECKING:
    from analyzer.feedback.examples import FeedbackLabels

MIN_POSITIVES = 5
DEFAULT_FOLDS = 3
TRAIN_SPLITS = ("train", None)
PARITY_SAMPLE = 3000

Progress = Callable[[str], None]


def shown_path(path: str | Path) -> str:
    """A path for metadata: the project's own files as the repository names them (``lexicons/NAME``,
    ``data/corpus/NAME``), so a model folder records neither a checkout nor an install location; other
    paths as the user gave them."""
    resolved = Path(path).resolve()
    for folder, shown in ((CORPUS_DIR, "data/corpus"), (lexicons.BUILTIN_DIR, "lexicons")):
        if resolved.parent == folder.resolve():
            return f"{shown}/{resolved.name}"
    return str(path)


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class TrainingSet:
    """Texts, the label matrix, and where each example came from."""

    texts: list[str]
    labels: list[str]
    y: np.ndarray
    sources: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)


def lexicon_examples(lexicon: Lexicon) -> list[Example]:
    """Every rule example: ``flag`` ones are positives of the rule's category, ``pass`` ones negatives."""
    out = []
    for rule in lexicon.rules.values():
        out += [Example(t, frozenset({rule.category}), rule.file, i + 1) for i, t in enumerate(rule.flag_examples)]
        out += [Example(t, frozenset(), rule.file, i + 1) for i, t in enumerate(rule.pass_examples)]
    return out


def gather(
    lexicon: Lexicon,
    data_files: Sequence[str | Path] = (),
    *,
    include_corpus: bool = True,
    splits: Sequence[str | None] = TRAIN_SPLITS,
    text_column: str = "text",
    categories_column: str = "categories",
    max_data_bytes: int = DEFAULT_MAX_DATA_BYTES,
    feedback: FeedbackLabels | None = None,
) -> tuple[TrainingSet, dict[str, str]]:
    """Collect and de-duplicate examples; return them and the sha256 of each data file.

    ``feedback`` (reviewers' verdicts) adds its texts last: a verdict that a
    category fits adds it, one that it is not harmful there takes it away.
    """
    known = set(lexicon.categories)
    examples = lexicon_examples(lexicon)
    hashes: dict[str, str] = {}
    files = sorted(CORPUS_DIR.glob("*.jsonl")) if include_corpus else []
    files += [Path(p) for p in data_files]
    for path in files:
        loaded = load_labeled(
            path,
            known_categories=known,
            text_column=text_column,
            categories_column=categories_column,
            max_bytes=max_data_bytes,
        )
        # A row of a split left out (a dataset's dev or test) is a measuring set: the same text in a trained
        # split (EDOS repeats a few short posts across splits) would leak it into training.
        held_out = {comparable_text(e.text) for e in loaded if e.split not in splits}
        kept = [e for e in loaded if e.split in splits and comparable_text(e.text) not in held_out]
        if not kept:
            raise DataError(f"{path}: no rows in the splits {', '.join(str(s) for s in splits)}")
        examples += kept
        hashes[shown_path(path)] = sha256_file(path)
    merged: dict[str, set[str]] = {}
    sources: Counter[str] = Counter()
    for example in examples:
        text = example.text.strip()
        if not text:
            continue
        merged.setdefault(text, set()).update(example.categories)
        sources[Path(example.source).name] += 1
    if feedback is not None:
        for text in [*feedback.positives, *feedback.negatives]:
            cats = merged.setdefault(text, set())
            cats.update(c for c in feedback.positives.get(text, ()) if c in known)
            cats.difference_update(feedback.negatives.get(text, ()))
            sources["feedback"] += 1
    from analyzer.model.sexist_head import SEXIST_LABEL, with_sexist_label

    texts = list(merged)
    merged = {t: with_sexist_label(cats) for t, cats in merged.items()}
    positives = Counter(c for cats in merged.values() for c in cats)
    labels = sorted(c for c in known if positives[c] > 0)
    if positives[SEXIST_LABEL]:
        labels.append(SEXIST_LABEL)  # the "is anything sexist here" head, see analyzer.model.features
    warnings = [
        f"category '{c}' has only {positives[c]} positive example(s) (fewer than {MIN_POSITIVES}): "
        "trained, but expect weak results; add labeled examples"
        for c in labels
        if positives[c] < MIN_POSITIVES
    ]
    warnings += [
        f"category '{c}' has no positive example: the classifier will not flag it" for c in sorted(known - set(labels))
    ]
    y = np.zeros((len(texts), len(labels)), dtype=np.int8)
    index = {c: i for i, c in enumerate(labels)}
    for row, text in enumerate(texts):
        for category in merged[text]:
            if category in index:
                y[row, index[category]] = 1
    return TrainingSet(texts, labels, y, sources, warnings), hashes


def _feedback_labels(path: str | Path | None, lexicon: Lexicon) -> FeedbackLabels | None:
    """The verdicts of a feedback file as training labels (``None`` without a file)."""
    if path is None:
        return None
    from analyzer.feedback.examples import labels_from
    from analyzer.feedback.store import open_store

    if not Path(path).is_file():
        raise DataError(f"{path}: no such feedback file")
    with open_store(path) as store:
        return labels_from(store.verdicts(), lexicon)


def choose_thresholds(
    y: np.ndarray, proba: np.ndarray, labels: list[str]
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Per label, a threshold chosen on held-out predictions (see features.choose_threshold), and its scores."""
    from analyzer.model.features import SEXIST_LABEL, choose_threshold

    thresholds: dict[str, float] = {}
    metrics: dict[str, dict[str, float]] = {}
    for j, label in enumerate(labels):
        truth = y[:, j].astype(bool)
        if label == SEXIST_LABEL:
            # This head makes the document-level decision: tune it for macro-F1 of flagged / not flagged.
            t = _macro_f1_threshold(truth, proba[:, j])
        else:
            t = float(choose_threshold(truth.astype(int), proba[:, j]))
        pred = proba[:, j] >= t
        tp = int(np.sum(pred & truth))
        precision = tp / max(1, int(pred.sum()))
        recall = tp / max(1, int(truth.sum()))
        f1 = 0.0 if tp == 0 else 2 * precision * recall / (precision + recall)
        thresholds[label] = round(t, 6)
        metrics[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": int(truth.sum()),
        }
    return thresholds, metrics


def _macro_f1_threshold(truth: np.ndarray, scores: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    if not truth.any():
        return 1.0
    from analyzer.model.features import plateau_middle

    candidates = np.unique(np.quantile(scores, np.linspace(0.0, 1.0, 201)))
    return plateau_middle(candidates, [f1_score(truth, scores >= t, average="macro") for t in candidates])


def out_of_fold(
    build: Callable[[], Any], units: Sequence[Any], y: np.ndarray, folds: int, progress: Progress
) -> np.ndarray:
    """Held-out probabilities for every example, from ``folds`` fits."""
    from sklearn.model_selection import KFold

    proba = np.zeros(y.shape, dtype=np.float64)
    splitter = KFold(n_splits=folds, shuffle=True, random_state=0)
    for k, (train_idx, test_idx) in enumerate(splitter.split(np.zeros(len(units))), start=1):
        started = time.perf_counter()
        estimator = build()
        estimator.fit([units[i] for i in train_idx], y[train_idx])
        proba[test_idx] = estimator.predict_proba([units[i] for i in test_idx])
        progress(f"  fold {k}/{folds} done in {time.perf_counter() - started:.1f}s")
    return proba


def compile_checked(estimator: Any, units: Sequence[Any], progress: Progress) -> tuple[Any, dict[str, Any]]:
    """The compiled copy of ``estimator`` (see :mod:`analyzer.model.compiled`), if it predicts what the estimator does.

    Checked on up to :data:`PARITY_SAMPLE` training units, with its weights rounded as they are
    stored: a copy that differs by more than ``PARITY_TOLERANCE`` on any probability is not
    written, and the folder then loads only with ``ALLYSHIP_MODEL_ENGINE=sklearn``.
    """
    from analyzer.model import compiled, compiler

    rng = np.random.default_rng(0)
    sample = [units[i] for i in sorted(rng.choice(len(units), size=min(PARITY_SAMPLE, len(units)), replace=False))]
    try:
        model = compiled.as_stored(compiler.compile_pipeline(estimator))  # as the file will hold it
        difference = compiler.check_parity(estimator, model, sample)
    except compiled.CompileError as exc:
        progress(f"warning: no compiled copy ({exc}); the folder loads only with ALLYSHIP_MODEL_ENGINE=sklearn")
        return None, {"written": False, "reason": str(exc)}
    info = {
        "written": difference <= compiled.PARITY_TOLERANCE,
        "checked_units": len(sample),
        "max_abs_difference": difference,
    }
    if not info["written"]:
        progress(
            f"warning: the compiled copy differs by {difference:.2g}; not written "
            "(the folder loads only with ALLYSHIP_MODEL_ENGINE=sklearn)"
        )
        return None, info
    return model, info


def _vector_info(scale: float | None) -> dict[str, Any] | None:
    """What the metadata records of the word-vector block: table, package, file hashes, scale (checked now)."""
    if not scale:
        return None
    from analyzer.model import embeddings

    embeddings.load_table()  # a missing or changed package stops training here, in one line
    return {
        "table": embeddings.TABLE_ID,
        "package": f"{embeddings.PACKAGE}=={embeddings.VERSION}",
        "sha256": dict(embeddings.SHA256),
        "scale": scale,
    }


def train(
    out: str | Path,
    *,
    lexicon_dirs: Sequence[str | Path] = (),
    data_files: Sequence[str | Path] = (),
    include_corpus: bool = True,
    force: bool = False,
    folds: int = DEFAULT_FOLDS,
    trusted_lexicons: bool = False,
    splits: Sequence[str | None] = TRAIN_SPLITS,
    text_column: str = "text",
    categories_column: str = "categories",
    max_data_bytes: int = DEFAULT_MAX_DATA_BYTES,
    command: str = "",
    progress: Progress = stderr_progress,
    feedback_db: str | Path | None = None,
    base_thresholds: dict[str, float] | None = None,
    word_vectors: float | None = None,
    encoder: EncoderOptions | None = None,
) -> dict[str, Any]:
    """Train and write a model folder; return its metadata.

    ``feedback_db`` adds reviewers' verdicts (:mod:`analyzer.feedback`) as
    examples; the texts they mark as not harmful are recorded in the
    metadata, so the analyzer lets them pass for that category. ``folds=0``
    skips cross-validation and keeps ``base_thresholds`` (a previous model's)
    for the labels they name: the quick retraining after a few verdicts.
    ``word_vectors`` adds the pretrained word-vector block at that scale
    (:class:`analyzer.model.features.WordVectors`; needs the pinned package of
    :mod:`analyzer.model.embeddings`, checked before anything is parsed).
    ``encoder`` also fine-tunes the pretrained transformer as the sexist head
    (:mod:`analyzer.training.encoder_fit`; its base is checked before anything is parsed).
    """
    from analyzer.model.features import build_estimator
    from analyzer.training.parse_cache import cached_units

    started = time.perf_counter()
    out = Path(out)
    if out.exists() and not force:
        from analyzer.errors import ModelError

        raise ModelError(f"{out} already exists; write the model to another folder, or allow replacing it")
    vector_info = _vector_info(word_vectors)
    base = None
    if encoder is not None:  # a missing package or a changed base stops here, before any work
        check_installed()
        base = load_base(encoder.base)
    progress("[1/4] loading lexicons and data")
    lexicon = load_lexicon(lexicon_dirs, trusted=trusted_lexicons)
    feedback = _feedback_labels(feedback_db, lexicon)
    for conflict in feedback.conflicts if feedback else ():
        progress(f"warning: {conflict}")
    data, data_hashes = gather(
        lexicon,
        data_files,
        include_corpus=include_corpus,
        splits=splits,
        text_column=text_column,
        categories_column=categories_column,
        max_data_bytes=max_data_bytes,
        feedback=feedback,
    )
    for warning in data.warnings:
        progress(f"warning: {warning}")
    if not data.labels:
        raise DataError("no positive examples for any category: nothing to train")
    positives = {c: int(data.y[:, i].sum()) for i, c in enumerate(data.labels)}
    negatives = int((data.y.sum(axis=1) == 0).sum())
    progress(f"      {len(data.texts):,} examples, {negatives:,} negatives; positives: {positives}")
    progress(f"      reading {len(data.texts):,} examples with the analyzer's pipeline")
    units, parsed = cached_units(lexicon, data.texts)
    progress(f"      {parsed:,} parsed now, {len(data.texts) - parsed:,} from the cache")

    def build() -> Any:
        return build_estimator(sorted(lexicon.categories), word_vectors=word_vectors)

    if folds >= 2:
        progress(f"[2/4] cross-validating ({folds} folds) to choose thresholds")
        proba = out_of_fold(build, units, data.y, folds, progress)
        thresholds, metrics = choose_thresholds(data.y, proba, data.labels)
    else:
        progress("[2/4] keeping the current model's thresholds (no cross-validation)")
        known = base_thresholds or {}
        thresholds = {label: float(known.get(label, 0.5)) for label in data.labels}
        metrics = {}
    progress("[3/4] fitting on all examples")
    estimator = build()
    estimator.fit(units, data.y)
    encoder_files, encoder_info = {}, None
    if encoder is not None and base is not None:
        encoder_files, encoder_info = fit_encoder(base, encoder, data, progress)
    progress("[4/4] compiling the model and writing the folder")
    compiled_model, compiled_info = compile_checked(estimator, units, progress)
    metadata: dict[str, Any] = {
        "labels": data.labels,
        "thresholds": thresholds,
        "cv_metrics": metrics,
        "cv_folds": folds,
        "examples": len(data.texts),
        "positives": positives,
        "example_sources": dict(data.sources),
        "lexicons": {shown_path(p): sha256_file(p) for p in lexicon.files},
        "data_files": data_hashes,
        "warnings": data.warnings,
        "command": command,
        "compiled": compiled_info,
        **({"word_vectors": vector_info} if vector_info else {}),
        **({"encoder": encoder_info} if encoder_info else {}),
        "train_seconds": round(time.perf_counter() - started, 1),
    }
    if feedback is not None:
        metadata["feedback"] = {
            "verdicts": feedback.count,
            "conflicts": list(feedback.conflicts),
            "pass": feedback.passes(),
        }
    extra: dict[str, Callable[[Path], None]] = dict(encoder_files)
    if compiled_model is not None:
        from analyzer.model import compiled

        extra[compiled.COMPILED_FILE] = lambda path: compiled.save(compiled_model, path)
    write_model_folder(out, estimator, metadata, force=force, extra_files=extra)
    from analyzer.model.folders import read_metadata

    return read_metadata(out)
