"""The Retraining page: a trainer's lexicons and labeled examples in, a model this server trained out.

The flow is the one of ``allyship lexicon validate`` and ``allyship train``,
run over uploads: lexicon files are checked together with the built-ins
(:func:`analyzer.ui.lexicon_view.validate_uploads`, problems as
``name.yml:line: message``), labeled files are read by
:func:`analyzer.training.datasets.load_labeled` against the categories those lexicons
define (:func:`check_data`), and :func:`retrain` calls
:func:`analyzer.training.trainer.train` into a new folder of this session.

What is never done: unpickling anything a user sent. Uploads are YAML (read
by the safe loader) and CSV or JSONL (read as text). The only model folders
the app loads besides ``models/default`` are the ones :func:`retrain` wrote in
this server process: each is recorded with its model's sha256
(:func:`is_trained_here`), and the page asks that registry before it hands a
folder to the analyzer, which verifies the file's hash again before loading.

Every trained folder lives under one private temporary folder per server
process (mode 0700, removed when the process exits), one subfolder per
browser session: a session's models are its own, and nothing is written into
the project's ``models/``.
"""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer.errors import AnalyzerError, LexiconError, ModelError
from analyzer.lexicon.yaml_lines import load_plain
from analyzer.ui.lexicon_view import path_names, problem_lines, shown_name, write_uploads

MAX_LEXICON_FILES = 20
MAX_DATA_FILES = 10
MAX_DATA_MB = 20
MAX_DATA_BYTES = MAX_DATA_MB * 1024 * 1024
MAX_RUNS_PER_SESSION = 5  # each run keeps a model folder on disk until the server stops
DATA_TYPES = ("csv", "tsv", "jsonl")
# The project's corpus is part of every real retraining (as ``allyship train``
# does by default); tests switch it off to train on a tiny lexicon in seconds.
INCLUDE_CORPUS = True
SEXIST_HEAD = "__sexist__"  # analyzer.model.features.SEXIST_LABEL, named here so this module imports no scikit-learn
SEXIST_HEAD_LABEL = "Sexist content, any category (document level)"
METRIC_COLUMNS = (
    "category",
    "new F1",
    "new precision",
    "new recall",
    "new threshold",
    "new positives",
    "current F1",
    "current precision",
    "current recall",
    "current threshold",
    "current positives",
)

Progress = Callable[[str], None]
TrainFunction = Callable[..., dict[str, Any]]

_TRAIN_LOCK = threading.Lock()  # one training per server: it takes every core for minutes
_REGISTRY_LOCK = threading.Lock()
_TRAINED: dict[str, str] = {}  # resolved model folder -> the sha256 of the model file it was written with
_ROOT: Path | None = None


@dataclass(frozen=True)
class DataReport:
    """The check of one labeled examples file."""

    name: str
    ok: bool
    message: str
    examples: int = 0
    positives: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelInfo:
    """A model to compare against: its name on the page and its metadata (``None``: no model)."""

    name: str
    metadata: dict[str, Any] | None
    note: str = ""


@dataclass(frozen=True)
class TrainedModel:
    """A model folder this server trained in one session, and the lexicon folder it needs."""

    run: int
    folder: Path
    lexicons: tuple[str, ...]
    metadata: dict[str, Any]
    uploads: tuple[str, ...] = ()  # the names of the files it was trained with
    labels: dict[str, str] = field(default_factory=dict)  # category id -> label, for the scores table

    @property
    def label(self) -> str:
        return f"session model {self.run}"


@dataclass(frozen=True)
class TrainSettings:
    """What a run learns from besides the uploads, and whether it cross-validates."""

    include_corpus: bool = True
    feedback_db: str | Path | None = None
    quick: bool = False


@dataclass(frozen=True)
class RetrainOutcome:
    """What the Retrain button produced: a model, or a message (and problem lines) saying why not."""

    model: TrainedModel | None
    baseline: ModelInfo
    error: str | None = None
    problems: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()


# -- labeled examples ----------------------------------------------------------------


def data_problem(name: str, data: bytes, max_bytes: int = MAX_DATA_BYTES) -> str | None:
    """Why this file cannot be labeled examples, before reading it; ``None`` when it may be read."""
    shown = shown_name(name)
    if Path(shown).suffix.lower().lstrip(".") not in DATA_TYPES:
        return f"{shown}: labeled examples are a .csv, .tsv or .jsonl file."
    if len(data) > max_bytes:
        return f"{shown}: the file has {len(data):,} bytes; the limit is {max_bytes:,}."
    return None


def check_data(
    name: str, data: bytes, known_categories: Collection[str], *, max_bytes: int = MAX_DATA_BYTES
) -> DataReport:
    """Read one upload as ``allyship train --data`` would; a problem names the upload and its row.

    ``known_categories`` are the category ids of the built-in and uploaded
    lexicons: a label outside them is refused here, as training would refuse
    it, so the trainer fixes it before waiting for a run.
    """
    from analyzer.training.datasets import load_labeled
    from analyzer.training.trainer import TRAIN_SPLITS

    shown = shown_name(name)
    refused = data_problem(name, data, max_bytes)
    if refused:
        return DataReport(shown, False, refused)
    with tempfile.TemporaryDirectory(prefix="allyship-data-") as tmp:
        written = write_uploads(tmp, [(name, data)])
        try:
            examples = load_labeled(written[0][0], known_categories=frozenset(known_categories))
        except AnalyzerError as exc:
            return DataReport(shown, False, rename_paths(str(exc), path_names(written)))
        except Exception as exc:  # a reader bug must not become a traceback in the page
            return DataReport(shown, False, f"{shown}: could not be read ({type(exc).__name__}: {exc})")
    kept = [e for e in examples if e.split in TRAIN_SPLITS]
    if not kept:
        return DataReport(
            shown, False, f"{shown}: no example in the train split (or without a split): nothing to train on."
        )
    positives = Counter(c for e in kept for c in e.categories)
    negatives = sum(1 for e in kept if not e.categories)
    found = ", ".join(f"{n} {c}" for c, n in sorted(positives.items())) or "no positives"
    message = f"{shown}: {len(kept):,} examples ({found}; {negatives:,} negatives)."
    if len(kept) < len(examples):
        message += f" {len(examples) - len(kept):,} dev or test rows are kept out of training."
    return DataReport(shown, True, message, len(kept), dict(positives))


def check_data_files(files: Sequence[tuple[str, bytes]], known_categories: Collection[str]) -> list[DataReport]:
    """:func:`check_data` for each upload, after the limit on how many there may be."""
    if len(files) > MAX_DATA_FILES:
        return [DataReport("", False, f"{len(files)} files were uploaded; at most {MAX_DATA_FILES} can be used.")]
    return [check_data(name, data, known_categories) for name, data in files]


def rename_paths(message: str, names: Mapping[str, str]) -> str:
    """A library message with every temporary path replaced by the name the user uploaded."""
    for path in sorted(names, key=len, reverse=True):  # a longer path first: one may contain another
        message = message.replace(path, names[path])
    return message


# -- the current model ---------------------------------------------------------------


def default_model_folder() -> Path:
    """``models/default`` as the engine finds it (read at call time, so tests can point it elsewhere)."""
    from analyzer import engine

    return Path(engine.MODELS_DIR) / engine.DEFAULT_MODEL


def current_model(session_model: TrainedModel | None = None) -> ModelInfo:
    """The model the session's analyzer uses now: its own trained one, else ``models/default``, else none.

    Only ``metadata.json`` is read (:func:`analyzer.model.folders.read_metadata`):
    comparing scores never loads a model.
    """
    from analyzer.model.folders import read_metadata

    if session_model is not None:
        return ModelInfo(session_model.label.capitalize(), session_model.metadata)
    folder = default_model_folder()
    if not (folder / "metadata.json").exists():
        return ModelInfo("no model", None, "there is no models/default yet: the analyzer uses the lexicons only")
    try:
        return ModelInfo("models/default", read_metadata(folder))
    except ModelError as exc:
        return ModelInfo("no model", None, f"models/default cannot be read ({exc})")


# -- training --------------------------------------------------------------------------


def sessions_root() -> Path:
    """This server process's private folder for trained models, removed when the process exits."""
    global _ROOT
    with _REGISTRY_LOCK:
        if _ROOT is None or not _ROOT.is_dir():
            _ROOT = Path(tempfile.mkdtemp(prefix="allyship-app-models-"))  # mode 0700
            atexit.register(shutil.rmtree, _ROOT, True)
        return _ROOT


def session_folder(session_id: str, root: Path | None = None) -> Path:
    """The folder of one browser session's runs (created on first use)."""
    safe = re.sub(r"[^A-Za-z0-9_-]", "", session_id)[:64] or "session"
    folder = (root or sessions_root()) / f"session-{safe}"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def register_trained(folder: str | Path) -> None:
    """Record a folder this process trained, so the page may load it (and only it)."""
    fingerprint = _fingerprint(folder)
    with _REGISTRY_LOCK:
        _TRAINED[str(Path(folder).resolve())] = fingerprint


def _fingerprint(folder: str | Path) -> str:
    """The sha256 of the folder's ``metadata.json``, which holds the sha256 of every model file."""
    from analyzer.model.folders import METADATA_FILE, sha256_file

    try:
        return sha256_file(Path(folder) / METADATA_FILE)
    except OSError:
        return ""


def is_trained_here(folder: str | Path) -> bool:
    """Whether ``folder`` was trained by this server process and still holds the model it wrote.

    Its ``metadata.json`` must be byte for byte the one written at training;
    loading then checks every model file against it (:func:`analyzer.model.folders.verify_model_folder`).
    """
    with _REGISTRY_LOCK:
        expected = _TRAINED.get(str(Path(folder).resolve()))
    return bool(expected) and _fingerprint(folder) == expected


def analyzer_settings(chosen: TrainedModel | None) -> tuple[tuple[str, ...], str]:
    """``(lexicons, model)`` for :func:`analyzer.ui.cache.analyzer`: the session's model if it may be loaded."""
    from analyzer.engine import DEFAULT_MODEL

    if chosen is None or not is_trained_here(chosen.folder):
        return (), DEFAULT_MODEL
    return chosen.lexicons, str(chosen.folder)


def retrain(
    session_dir: str | Path,
    lexicon_files: Sequence[tuple[str, bytes]] = (),
    data_files: Sequence[tuple[str, bytes]] = (),
    *,
    progress: Progress = lambda message: None,
    baseline: ModelInfo | None = None,
    include_corpus: bool | None = None,
    train_fn: TrainFunction | None = None,
    feedback_db: str | Path | None = None,
    quick: bool = False,
) -> RetrainOutcome:
    """Train a model on the built-in lexicons and corpus plus the uploads, into a new run folder.

    The uploads are written into the run folder (``lexicons/``, ``data/``)
    and stay there, because a model needs the lexicons it was trained with
    every time it is loaded. ``progress`` gets the library's messages ("[2/4]
    cross-validating ..."). One training runs at a time on the server; a
    second one gets a message. Every failure is a message, never a traceback.

    ``feedback_db`` adds the reviewers' verdicts; ``quick`` skips
    cross-validation and keeps the current model's thresholds, so a few new
    rows retrain in seconds (the parse of the corpus is cached).
    """
    if train_fn is None:
        from analyzer.training.trainer import train as train_fn
    include_corpus = INCLUDE_CORPUS if include_corpus is None else include_corpus
    baseline = baseline or ModelInfo("no model", None)
    if len(lexicon_files) > MAX_LEXICON_FILES:
        return RetrainOutcome(None, baseline, f"At most {MAX_LEXICON_FILES} lexicon files can be used at once.")
    if not _TRAIN_LOCK.acquire(blocking=False):
        return RetrainOutcome(
            None, baseline, "Another model is being trained on this server right now; try again when it is done."
        )
    try:
        session_dir = Path(session_dir)
        session_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        runs = sorted(p for p in session_dir.glob("run-*") if p.is_dir())
        if len(runs) >= MAX_RUNS_PER_SESSION:
            return RetrainOutcome(
                None,
                baseline,
                f"This session has trained {len(runs)} models, the most it may keep; reload the page to start "
                "a new session.",
            )
        number = 1 + max((int(p.name.split("-")[1]) for p in runs if p.name.split("-")[1].isdigit()), default=0)
        run = session_dir / f"run-{number}"
        run.mkdir(mode=0o700)
        settings = TrainSettings(include_corpus, feedback_db, quick)
        return _train_run(run, number, lexicon_files, data_files, progress, baseline, settings, train_fn)
    finally:
        _TRAIN_LOCK.release()


def _train_run(
    run: Path,
    number: int,
    lexicon_files: Sequence[tuple[str, bytes]],
    data_files: Sequence[tuple[str, bytes]],
    progress: Progress,
    baseline: ModelInfo,
    settings: TrainSettings,
    train_fn: TrainFunction,
) -> RetrainOutcome:
    written_lexicons = write_uploads(run / "lexicons", lexicon_files) if lexicon_files else []
    written_data = write_uploads(run / "data", data_files) if data_files else []
    names = path_names([*written_lexicons, *written_data])
    lexicon_dirs = (str(run / "lexicons"),) if lexicon_files else ()
    messages: list[str] = []

    def report(message: str) -> None:
        messages.append(rename_paths(message, names))
        progress(messages[-1])

    error: str | None = None
    problems: tuple[str, ...] = ()
    extra: dict[str, Any] = {}
    if settings.feedback_db is not None:
        extra["feedback_db"] = str(settings.feedback_db)
    if settings.quick:
        extra["folds"] = 0
        extra["base_thresholds"] = dict((baseline.metadata or {}).get("thresholds") or {})
    try:
        metadata = train_fn(
            run / "model",
            lexicon_dirs=list(lexicon_dirs),
            data_files=[str(path) for path, _ in written_data],
            include_corpus=settings.include_corpus,
            progress=report,
            command="allyship app (Retraining page)",
            **extra,
        )
    except LexiconError as exc:
        error, problems = "The lexicons could not be loaded:", tuple(problem_lines(exc.problems, names))
    except AnalyzerError as exc:
        error = f"Training stopped: {rename_paths(str(exc), names)}"
    except Exception as exc:  # a bug in training must not become a traceback in the page
        error = f"Training failed ({type(exc).__name__}: {rename_paths(str(exc), names)})."
    except BaseException:  # the page was left or rerun mid-training: leave nothing half-made behind
        shutil.rmtree(run, ignore_errors=True)
        raise
    if error is not None:
        shutil.rmtree(run, ignore_errors=True)
        return RetrainOutcome(None, baseline, error, problems, tuple(messages))
    register_trained(run / "model")
    uploads = tuple(name for _, name in [*written_lexicons, *written_data])
    model = TrainedModel(number, run / "model", lexicon_dirs, metadata, uploads, category_labels(lexicon_dirs))
    return RetrainOutcome(model, baseline, None, (), tuple(messages))


def category_labels(lexicon_dirs: Sequence[str | Path] = ()) -> dict[str, str]:
    """Category id -> label of the built-in lexicons and these folders (YAML only: no pipeline is built)."""
    from analyzer.lexicon.loader import load_lexicon

    try:
        return {cid: category.label for cid, category in load_lexicon(lexicon_dirs).categories.items()}
    except AnalyzerError:
        return {}


class ProgressTracker:
    """Turns the training messages into a fraction for a progress bar.

    ``[k/n] ...`` starts step k of n; ``fold i/f done`` moves within the
    cross-validation step; anything else (warnings, counts) keeps the bar
    where it is.
    """

    _STEP = re.compile(r"^\s*\[(\d+)/(\d+)\]")
    _FOLD = re.compile(r"\bfold (\d+)/(\d+)\b")

    def __init__(self) -> None:
        self.step, self.steps, self.fraction = 0, 1, 0.0

    def feed(self, message: str) -> float:
        step = self._STEP.match(message)
        fold = self._FOLD.search(message)
        if step:
            self.step, self.steps = int(step.group(1)), max(1, int(step.group(2)))
            self.fraction = (self.step - 1) / self.steps
        elif fold and self.step:
            done, folds = int(fold.group(1)), max(1, int(fold.group(2)))
            self.fraction = (self.step - 1 + min(done, folds) / folds) / self.steps
        self.fraction = min(max(self.fraction, 0.0), 1.0)
        return self.fraction


# -- comparing models --------------------------------------------------------------------


def label_of(category: str, labels: Mapping[str, str]) -> str:
    """How a model label is named on the page: the category's label, or the sexist head in words."""
    if category == SEXIST_HEAD:
        return SEXIST_HEAD_LABEL
    return labels.get(category, category)


def metrics_rows(
    new: Mapping[str, Any], current: Mapping[str, Any] | None, labels: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """One row per model label (columns of :data:`METRIC_COLUMNS`): the new model's cross-validated
    scores and threshold next to the current model's (empty cells where it has no such label).
    """
    labels = labels or {}
    new_metrics = new.get("cv_metrics") or {}
    old_metrics = (current or {}).get("cv_metrics") or {}
    new_thresholds = new.get("thresholds") or {}
    old_thresholds = (current or {}).get("thresholds") or {}
    order = [*new_metrics, *(c for c in old_metrics if c not in new_metrics)]
    order.sort(key=lambda c: (c == SEXIST_HEAD, label_of(c, labels).lower()))
    rows = []
    for category in order:
        mine, theirs = new_metrics.get(category) or {}, old_metrics.get(category) or {}
        rows.append(
            {
                "category": label_of(category, labels),
                "new F1": mine.get("f1"),
                "new precision": mine.get("precision"),
                "new recall": mine.get("recall"),
                "new threshold": new_thresholds.get(category),
                "new positives": mine.get("support"),
                "current F1": theirs.get("f1"),
                "current precision": theirs.get("precision"),
                "current recall": theirs.get("recall"),
                "current threshold": old_thresholds.get(category),
                "current positives": theirs.get("support"),
            }
        )
    return rows


def mean_f1(metadata: Mapping[str, Any] | None) -> tuple[float, int] | None:
    """The mean cross-validated F1 over the categories (not the document-level head), and how many there are."""
    metrics = (metadata or {}).get("cv_metrics") or {}
    scores = [m["f1"] for c, m in metrics.items() if c != SEXIST_HEAD and isinstance(m, dict) and "f1" in m]
    if not scores:
        return None
    return sum(scores) / len(scores), len(scores)


def comparison_text(new: Mapping[str, Any], baseline: ModelInfo) -> str:
    """One line comparing the mean F1 of the new model with the current one's (or saying there is none)."""
    mine = mean_f1(new)
    theirs = mean_f1(baseline.metadata)
    new_part = "no cross-validated scores" if mine is None else f"mean F1 {mine[0]:.3f} over {mine[1]} categories"
    if baseline.metadata is None:
        current = f"current: no model ({baseline.note})" if baseline.note else "current: no model"
    elif theirs is None:
        current = f"current ({baseline.name}): no cross-validated scores"
    else:
        current = f"current ({baseline.name}): mean F1 {theirs[0]:.3f} over {theirs[1]} categories"
    return f"New model: {new_part}; {current}. Scores are cross-validated on each model's own training examples."


# -- before and after, on the same held-out data -------------------------------------------


def shared_data_folder() -> Path:
    """``ALLYSHIP_SHARED_DATA``, else ``../shared/data`` beside the project (where EDOS is kept, if anywhere)."""
    import os

    default = Path(__file__).resolve().parents[3] / "shared" / "data"
    return Path(os.environ.get("ALLYSHIP_SHARED_DATA", default))


def functional_cases_file() -> Path:
    """The project's own functional sentences (written for its tests; no model trains on them)."""
    return Path(__file__).resolve().parents[2] / "tests" / "data" / "functional_cases.yml"


@dataclass(frozen=True)
class HeldOut:
    """Labeled texts neither model trained on, what they are, and what their absence means."""

    name: str
    description: str
    examples: tuple[Any, ...] = ()
    note: str = ""


EDOS_ABSENT = (
    "EDOS is not on this server, so neither the new model's training nor this comparison uses it. The shipped "
    "model was trained with EDOS's training posts as well (about three times as many examples), so a model "
    "trained here learns from the project's corpus, the lexicon examples, the uploads and the feedback only, "
    "and may do worse on social-media posts even when the scores below look fine."
)


def held_out(known_categories: Collection[str], max_examples: int = 2000) -> HeldOut:
    """The held-out data both models are scored on: EDOS's dev split if present, else the functional cases."""
    from analyzer.training.datasets import Example, load_labeled

    edos = shared_data_folder() / "edos" / "edos_labelled_aggregated.csv"
    if edos.is_file():
        try:
            rows = [e for e in load_labeled(edos, known_categories=frozenset(known_categories)) if e.split == "dev"]
        except AnalyzerError:
            rows = []
        if rows:
            return HeldOut(
                "EDOS dev",
                f"the dev split of EDOS ({len(rows[:max_examples]):,} posts), which neither model trains on",
                tuple(rows[:max_examples]),
            )
    cases = functional_cases_file()
    examples: list[Any] = []
    if cases.is_file():

        data = load_plain(cases.read_text(encoding="utf-8")) or {}
        for kind in data.values():
            for case in (kind or {}).get("must_flag") or ():
                if case.get("category") in known_categories:
                    examples.append(Example(case["text"], frozenset({case["category"]}), str(cases), 0))
            for text in (kind or {}).get("must_pass") or ():
                examples.append(Example(text, frozenset(), str(cases), 0))
    if examples:
        return HeldOut(
            "functional cases",
            f"the project's functional test sentences ({len(examples):,}, written for its tests; no model trains "
            "on them)",
            tuple(examples),
            EDOS_ABSENT,
        )
    return HeldOut("none", "no held-out data is available on this server", (), EDOS_ABSENT)


def compare_on(held: HeldOut, before: Any, after: Any, threshold: float = 0.5) -> list[dict[str, Any]]:
    """Per category and for 'flagged at all', precision/recall/F1 of the current and the new analyzer on ``held``.

    Both analyzers are scored on the same texts at the same threshold (the
    app's analyzers run lower for the sensitivity slider: flags below
    ``threshold`` are not counted).
    """
    if not held.examples:
        return []
    old, new = _scores(before, held, threshold), _scores(after, held, threshold)
    rows = []
    for category in sorted(set(old["per_category"]) | set(new["per_category"])):
        rows.append(
            _compare_row(category, old["per_category"].get(category) or {}, new["per_category"].get(category) or {})
        )
    rows.append(_compare_row("any category (flagged or not)", old["document"]["flagged"], new["document"]["flagged"]))
    return rows


def _scores(analyzer: Any, held: HeldOut, threshold: float) -> dict[str, Any]:
    from analyzer.training.evaluate import score

    examples = list(held.examples)
    predicted = [
        {f.category for f in result.flags if f.score >= threshold}
        for result in analyzer.analyze_many([e.text for e in examples])
    ]
    return score(examples, predicted, sorted(analyzer.lexicon.categories))


def _compare_row(name: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    def pick(metrics: Mapping[str, Any], key: str) -> float | None:
        value = metrics.get(key)
        return round(float(value), 3) if isinstance(value, (int, float)) else None

    return {
        "category": name,
        "current F1": pick(old, "f1"),
        "new F1": pick(new, "f1"),
        "current precision": pick(old, "precision"),
        "new precision": pick(new, "precision"),
        "current recall": pick(old, "recall"),
        "new recall": pick(new, "recall"),
    }


COMPARE_COLUMNS = (
    "category",
    "current F1",
    "new F1",
    "current precision",
    "new precision",
    "current recall",
    "new recall",
)


@dataclass(frozen=True)
class RuleCheck:
    """How many rule examples an analyzer handles as ``lexicon validate`` requires, and the first misses."""

    passed: int
    total: int
    misses: tuple[str, ...] = ()


def check_rule_examples(analyzer: Any, threshold: float = 0.5, shown: int = 5) -> RuleCheck:
    """Every rule's ``flag`` examples flagged by that rule and its ``pass`` examples not, at ``threshold``."""
    rules = list(analyzer.lexicon.rules.values())
    texts = [t for r in rules for t in (*r.flag_examples, *r.pass_examples)]
    results = iter(analyzer.analyze_many(texts))
    passed, misses = 0, []
    for rule in rules:
        for kind, examples in (("flag", rule.flag_examples), ("pass", rule.pass_examples)):
            for text in examples:
                result = next(results)
                hit = any(f.rule_id == rule.id and f.score >= threshold for f in result.flags)
                if hit == (kind == "flag"):
                    passed += 1
                elif len(misses) < shown:
                    misses.append(f"{rule.id}: {kind} example {'not ' if kind == 'flag' else ''}flagged: {text!r}")
    return RuleCheck(passed, len(texts), tuple(misses))


@dataclass(frozen=True)
class Comparison:
    """What the page shows after a run, worked out once: rule examples, and both models on held-out texts."""

    rules: RuleCheck | None
    description: str = ""
    note: str = ""
    rows: tuple[dict[str, Any], ...] = ()
    error: str | None = None


def compare_models(before: Any, after: Any, held: HeldOut) -> Comparison:
    """The rule-example check of the new analyzer and both analyzers scored on ``held``."""
    return Comparison(check_rule_examples(after), held.description, held.note, tuple(compare_on(held, before, after)))
