"""``allyship feedback add|list|export|purge``: reviewers' verdicts from the command line.

A thin layer over :mod:`analyzer.feedback.store` and
:mod:`analyzer.feedback.examples`; importing this module registers the
``feedback`` command group on :data:`analyzer.cli.main.app`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from analyzer.cli.root import app
from analyzer.errors import AnalyzerError

feedback_app = typer.Typer(help="Reviewers' verdicts on flags: add, list, export for training, purge.")
app.add_typer(feedback_app, name="feedback")

DbOpt = Annotated[
    Path | None,
    typer.Option(
        "--db", help="The feedback file (default: $ALLYSHIP_FEEDBACK_DB, else feedback.db in your data folder)."
    ),
]


@feedback_app.command("add")
def add_cli(
    text: Annotated[str, typer.Option("--text", help="The text the verdict is about.")],
    start: Annotated[int, typer.Option("--start", min=0, help="Start of the span (character offset).")],
    end: Annotated[int, typer.Option("--end", min=1, help="End of the span (character offset, exclusive).")],
    category: Annotated[str, typer.Option("--category", help="The category id of the flag.")],
    verdict: Annotated[str, typer.Option("--verdict", help="fits, not_harmful or missed.")],
    db: DbOpt = None,
    rule_id: Annotated[str | None, typer.Option("--rule-id", help="The lexicon rule that flagged it.")] = None,
    keep_text: Annotated[
        bool, typer.Option("--keep-text", help="Keep the whole text, not only the sentence around the span.")
    ] = False,
    reviewer: Annotated[str | None, typer.Option("--reviewer", help="Your name, if you want it kept.")] = None,
) -> None:
    """Record one verdict on a span of a text.

    Example: allyship feedback add --db fb.db --text "Man up." --start 0 --end 6
    --category toxic_masculinity --verdict fits
    """
    from analyzer.feedback.store import Verdict, open_store
    from analyzer.feedback.versions import lexicon_version, model_version

    with open_store(db) as store:
        row = store.add(
            Verdict(
                text=text,
                start=start,
                end=end,
                category=category,
                verdict=verdict,
                rule_id=rule_id,
                whole_text=keep_text,
                model_version=model_version(),
                lexicon_version=lexicon_version(),
                reviewer=reviewer,
            )
        )
        typer.echo(f"added verdict #{row} to {store.path}")


@feedback_app.command("list")
def list_cli(
    db: DbOpt = None,
    output_format: Annotated[str, typer.Option("--format", help="text or json.")] = "text",
) -> None:
    """Print every verdict, oldest first.

    Example: allyship feedback list --db fb.db --format json
    """
    from analyzer.feedback.store import open_store

    if output_format not in ("text", "json"):
        raise typer.BadParameter("must be 'text' or 'json'", param_hint="--format")
    with open_store(db) as store:
        verdicts = store.verdicts()
    if output_format == "json":
        rows = [{**v.__dict__, "phrase": v.phrase} for v in verdicts]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for v in verdicts:
        who = f" by {v.reviewer}" if v.reviewer else ""
        typer.echo(f'#{v.id} {v.created} {v.verdict:<11} {v.category:<20} "{v.phrase}" ({v.rule_id or "-"}){who}')
    typer.echo(f"{len(verdicts)} verdict{'s' if len(verdicts) != 1 else ''}", err=True)


@feedback_app.command("export")
def export_cli(
    out: Annotated[Path, typer.Option("--out", help="The labeled CSV to write (what train --data reads).")],
    db: DbOpt = None,
    examples: Annotated[
        Path | None, typer.Option("--examples", help="Also write candidate rule examples as YAML here.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace existing files.")] = False,
) -> None:
    """Write the verdicts as labeled data, and per rule candidate flag/pass examples as YAML.

    Without --examples the YAML goes beside the CSV (FILE.examples.yml).

    Example: allyship feedback export --db fb.db --out reviewed.csv
    """
    from analyzer.feedback.examples import candidates_yaml, labeled_rows, rule_candidates, write_labeled_csv
    from analyzer.feedback.store import open_store

    if out.suffix.lower() != ".csv":
        raise typer.BadParameter("must end in .csv", param_hint="--out")
    examples = examples or out.with_suffix(".examples.yml")
    for path in (out, examples):
        if path.exists() and not force:
            raise AnalyzerError(f"{path} already exists; choose another name or pass --force")
    with open_store(db) as store:
        verdicts = store.verdicts()
    rows = labeled_rows(verdicts)
    write_labeled_csv(rows, out)
    examples.write_text(candidates_yaml(rule_candidates(verdicts)), encoding="utf-8")
    typer.echo(f"wrote {len(rows)} labeled texts to {out} and candidate rule examples to {examples}")


@feedback_app.command("purge")
def purge_cli(
    db: DbOpt = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete every verdict and leave none of their text in the file.

    Example: allyship feedback purge --db fb.db --yes
    """
    from analyzer.feedback.store import open_store

    with open_store(db) as store:
        if not yes and not typer.confirm(f"Delete all {store.count()} verdicts in {store.path}?"):
            raise typer.Exit(1)
        removed = store.purge()
        typer.echo(f"purged {removed} verdicts from {store.path}")
