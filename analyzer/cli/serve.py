"""``allyship serve``: a thin command that starts uvicorn on :func:`analyzer.service.app.create_app`.

Importing this module registers the command on :data:`analyzer.cli.root.app`.
The settings reach each worker process through one environment variable;
the lexicons and model are checked here first, so a bad option is a one-line
error and exit 2 instead of workers failing one by one.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from analyzer.cli.root import LexiconsOpt, ModelOpt, NoModelOpt, ThresholdOpt, TrustedOpt, app

if TYPE_CHECKING:
    from analyzer.service.settings import ServeSettings


@app.command("serve")
def serve_cli(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (127.0.0.1: this machine only).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes, each with its analyzer.")] = 1,
    api_key_env: Annotated[
        str | None,
        typer.Option("--api-key-env", help="Name of an environment variable holding the API key clients must send."),
    ] = None,
    lexicons: LexiconsOpt = None,
    model: ModelOpt = None,
    no_model: NoModelOpt = False,
    trusted_lexicons: TrustedOpt = False,
    threshold: ThresholdOpt = 0.5,
    max_texts: Annotated[int, typer.Option("--max-texts", min=1, help="Texts allowed in one request.")] = 256,
    max_chars: Annotated[int, typer.Option("--max-chars", min=1, help="Characters allowed in one text.")] = 100_000,
    max_body_mb: Annotated[
        float, typer.Option("--max-body-mb", min=0.001, help="Largest request body, in megabytes.")
    ] = 10.0,
    access_log: Annotated[bool, typer.Option("--access-log", help="Log every request.")] = False,
) -> None:
    """Serve the analyzer over HTTP: POST /v1/analyze, GET /v1/categories, /v1/strategies, /healthz; docs at /docs.

    Example: allyship serve --port 8000 --workers 2
    """
    try:
        import uvicorn
    except ImportError:
        from analyzer.errors import AnalyzerError

        raise AnalyzerError(
            "allyship serve needs FastAPI and uvicorn: pip install 'allyship-analyzer[serve]'"
        ) from None
    from analyzer.service.app import build_analyzer, create_app
    from analyzer.service.settings import SETTINGS_ENV, ServeSettings

    settings = ServeSettings(
        lexicons=[str(p) for p in lexicons or []],
        model=None if no_model else (model or "default"),
        threshold=threshold,
        trusted_lexicons=trusted_lexicons,
        api_key_env=api_key_env,
        max_texts=max_texts,
        max_chars=max_chars,
        max_body_bytes=int(max_body_mb * 1_000_000),
    )
    settings.api_key()  # a missing key variable is an error now, not in every worker
    typer.echo(f"allyship serve: http://{host}:{port} (docs at /docs), {workers} worker(s)", err=True)
    options = {"host": host, "port": port, "access_log": access_log, "log_level": "info" if access_log else "warning"}
    if workers == 1:
        # One process: build the analyzer here, so a bad lexicon or model is one line and exit 2.
        uvicorn.run(create_app(settings, build_analyzer(settings)), **options)
        return
    _check_files(settings)  # each worker builds its own analyzer; catch bad options before they start
    os.environ[SETTINGS_ENV] = settings.to_env()
    uvicorn.run("analyzer.service.app:create_app", factory=True, workers=workers, **options)


def _check_files(settings: ServeSettings) -> None:
    from analyzer.errors import AnalyzerError
    from analyzer.lexicon.loader import load_lexicon

    load_lexicon(settings.lexicons, trusted=settings.trusted_lexicons)
    if settings.model not in (None, "default") and not Path(str(settings.model), "metadata.json").is_file():
        raise AnalyzerError(f"--model {settings.model}: not a model folder (no metadata.json)")
