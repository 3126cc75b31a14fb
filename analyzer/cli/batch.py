"""``allyship batch`` and ``allyship report``: thin commands over :mod:`analyzer.io.batch` and its report.

Importing this module registers both commands on :data:`analyzer.cli.root.app`.
The engine, readers and report are imported inside the commands, so that
``allyship --help`` does not pay for them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from analyzer.cli.root import LexiconsOpt, ModelOpt, NoModelOpt, ThresholdOpt, TrustedOpt, app, make_analyzer

DEFAULT_MAX_DOC_CHARS = 1_000_000  # analyzer.io.readers.DEFAULT_MAX_DOC_CHARS, not imported here to keep --help light
AGAIN = "choose another --out, or --force to replace it"
# How a record that could not be read says which option would read it (analyzer.io.readers.ReadOptions.hints).
READ_HINTS = (
    ("max_chars", "raise it with --max-doc-chars"),
    ("max_bytes", "raise it with --max-file-mb"),
    ("follow_symlinks", "--follow-symlinks reads it"),
)
# How the command words the library's batch refusals (analyzer.errors.BatchError.reason), naming its own options.
WORDING = {
    "resume_and_force": "--resume keeps the records in --out and --force replaces them: choose one",
    "output_is_input": "--out {out} is also an input ({input}); write the results to another file",
    "output_is_same_file": "--out {out} is the same file as the input {input}; write the results to another file",
    "output_is_folder": "--out {out} is a folder; give a file name ending in .jsonl or .csv",
    "output_exists": "{out} already exists: add --resume to finish it, or --force to replace it",
    "not_state_file": "{path} is not a batch state file; move it away or choose another --out",
    "not_regular": "--resume needs a regular file, and {path} is a device or pipe; " + AGAIN,
    "locked": "another 'allyship batch' is writing {path}; wait for it to finish, or choose another --out",
    "write_failed": "{problem}: fix that and run the same command with --resume",
    "close_failed": "{problem}; run the same command with --resume once that is fixed",
    "worker_lost": "{problem}: run the same command with --resume to finish",
    "jobs": "--jobs must be at least 1, got {jobs}",
    "scheduler_without_dask": "--scheduler needs --engine dask",
    "dask_missing": "--engine dask needs Dask distributed: pip install 'allyship-analyzer[dask]'",
}


def cli_message(exc: BaseException) -> str:
    """A library error as this command says it: a batch refusal in terms of --out, --resume, --force..."""
    from analyzer.errors import BatchError

    if not isinstance(exc, BatchError):
        return str(exc)
    if exc.reason == "not_resumable":
        problem = exc.details["problem"]
        return f"{problem} ({AGAIN})" if exc.details.get("parenthesized") else f"{problem}; {AGAIN}"
    template = WORDING.get(exc.reason)
    return template.format(**exc.details) if template else str(exc)


@app.command("batch")
def batch_cli(
    inputs: Annotated[list[Path], typer.Argument(help="Files and folders (searched recursively) to analyze.")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Where to write one record per document: .jsonl, or .csv by extension.")
    ],
    resume: Annotated[
        bool,
        typer.Option("--resume", help="Keep the records already in --out; analyze only the documents without one."),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes (or Dask workers).")] = 1,
    engine: Annotated[str, typer.Option("--engine", help="local, or dask (needs the 'dask' extra).")] = "local",
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Address of a Dask scheduler (default: a local cluster on 127.0.0.1)."),
    ] = None,
    text_column: Annotated[
        str, typer.Option("--text-column", help="Column or field with the text, in CSV/TSV/JSON/JSONL.")
    ] = "text",
    id_column: Annotated[str, typer.Option("--id-column", help="Column or field with the document id.")] = "id",
    lexicons: LexiconsOpt = None,
    model: ModelOpt = None,
    no_model: NoModelOpt = False,
    trusted_lexicons: TrustedOpt = False,
    threshold: ThresholdOpt = 0.5,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Documents per chunk: written and flushed together.")
    ] = 128,
    max_file_mb: Annotated[
        float,
        typer.Option("--max-file-mb", min=0.001, help="Larger files (or a .docx inflating to more) are error records."),
    ] = 100.0,
    max_doc_chars: Annotated[
        int,
        typer.Option(
            "--max-doc-chars", min=1, help="A document or row with more characters of text becomes an error record."
        ),
    ] = DEFAULT_MAX_DOC_CHARS,
    follow_symlinks: Annotated[
        bool,
        typer.Option(
            "--follow-symlinks", help="Read links found in the folders even when they lead outside the inputs given."
        ),
    ] = False,
    no_text: Annotated[bool, typer.Option("--no-text", help="Leave each document's text out of the records.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary.")] = False,
) -> None:
    """Analyze many documents: one record per document (or table row), in input order.

    Reads .txt .md .html .docx .pdf (one document per file) and .csv .tsv .jsonl .json
    (one per row). Files that cannot be read become error records.

    Example: allyship batch comments/ survey.csv --out results.jsonl --jobs 2
    """
    from analyzer.errors import AnalyzerError, BatchError
    from analyzer.io.batch import BatchConfig, prepare, run_batch

    if engine not in ("local", "dask"):
        raise typer.BadParameter("must be 'local' or 'dask'", param_hint="--engine")
    if scheduler and engine != "dask":
        raise AnalyzerError(WORDING["scheduler_without_dask"])
    if engine == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise AnalyzerError(WORDING["dask_missing"]) from None
    config = BatchConfig(
        inputs=inputs,
        out=out,
        resume=resume,
        force=force,
        jobs=jobs,
        engine=engine,
        scheduler=scheduler,
        batch_size=batch_size,
        text_column=text_column,
        id_column=id_column,
        max_bytes=int(max_file_mb * 1024 * 1024),
        max_chars=max_doc_chars,
        follow_symlinks=follow_symlinks,
        read_hints=READ_HINTS,
        include_text=not no_text,
        quiet=quiet,
    )
    try:
        prepared = prepare(config)  # refusals (inputs, a locked or foreign --out) before the model is loaded
        try:
            analyzer = make_analyzer(lexicons, model, no_model, trusted_lexicons, threshold)
        except BaseException:
            prepared.output.abandon()
            raise
        stats = run_batch(analyzer, config, stream=sys.stderr, prepared=prepared)
    except BatchError as exc:
        raise AnalyzerError(cli_message(exc)) from None
    if not quiet:
        typer.echo(stats.summary(), err=True)


@app.command("report")
def report_cli(
    results: Annotated[Path, typer.Argument(help="The JSONL output of 'allyship batch'.")],
    html: Annotated[Path, typer.Option("--html", help="The HTML file to write.")],
    title: Annotated[str, typer.Option("--title", help="The page title.")] = "Allyship analysis report",
    max_documents: Annotated[
        int, typer.Option("--max-documents", min=0, help="Flagged documents shown in full (the counts cover all).")
    ] = 200,
    lexicons: LexiconsOpt = None,
    trusted_lexicons: TrustedOpt = False,
) -> None:
    """Write a self-contained HTML report: flags per category, most frequent rules, each flagged document.

    Categories are shown with the labels and colours of the built-in lexicons plus any given with --lexicons.

    Example: allyship report results.jsonl --html report.html
    """
    from analyzer.io.report import write_report
    from analyzer.lexicon.loader import load_lexicon

    categories = load_lexicon(lexicons or [], trusted=trusted_lexicons).categories
    data = write_report(results, html, title=title, max_documents=max_documents, categories=categories)
    typer.echo(
        f"wrote {html}: {data.documents:,} documents, {data.flagged:,} flagged, {data.flags:,} flags, "
        f"{data.errors:,} errors",
        err=True,
    )
