"""The FastAPI app: ``/v1/analyze``, ``/v1/categories``, ``/v1/strategies`` and ``/healthz``.

The analyzer is built once per worker process, in the lifespan, and every
analysis runs on one dedicated thread so the event loop keeps answering
(health checks, refusals of bad input) while spaCy works; requests that
arrive meanwhile are analyzed together in the next pass (see ``batcher``). Every error is
JSON with a 4xx status; nothing a client sends can produce a 500 or a stack
trace.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from analyzer.errors import AnalyzerError
from analyzer.service.batcher import Batcher
from analyzer.service.limits import BodyLimit
from analyzer.service.models import (
    AnalyzeRequest,
    AnalyzeResult,
    BatchResult,
    CategoriesResponse,
    ErrorResponse,
    Health,
    StrategiesResponse,
)
from analyzer.service.settings import ServeSettings
from analyzer.version import __version__

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in (
        (401, "Missing or wrong API key."),
        (413, "Body, text or number of texts over the limit."),
        (422, "Malformed JSON or a request that does not fit the schema."),
    )
}


def build_analyzer(settings: ServeSettings) -> Any:
    from analyzer.engine import Analyzer

    return Analyzer(
        lexicons=settings.lexicons,
        model=settings.model,
        threshold=settings.threshold,
        trusted_lexicons=settings.trusted_lexicons,
    )


def create_app(settings: ServeSettings | None = None, analyzer: Any = None) -> FastAPI:
    """The app for ``settings`` (default: from the environment, as uvicorn workers get them).

    ``analyzer`` skips building one at start-up (tests share one).
    """
    settings = settings or ServeSettings.from_env()
    api_key = settings.api_key()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.analyzer = analyzer if analyzer is not None else build_analyzer(settings)
        app.state.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="allyship-analyze")
        app.state.batcher = Batcher(app.state.analyzer, app.state.executor)
        try:
            yield
        finally:
            app.state.executor.shutdown(wait=False, cancel_futures=True)
            app.state.analyzer = None

    app = FastAPI(
        title="allyship-analyzer",
        version=__version__,
        description="Flags harassment-adjacent language, explains why, and points to what an ally can do instead.",
        lifespan=lifespan,
    )
    app.state.analyzer = None
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    _add_error_handlers(app)
    authorized = _key_check(api_key)

    @app.post(
        "/v1/analyze",
        response_model=AnalyzeResult | BatchResult,
        responses=ERRORS,
        dependencies=[Depends(authorized)],
        summary="Analyze one text or several",
    )
    async def analyze(body: AnalyzeRequest, request: Request) -> Response:
        """``{"text": …}`` returns the JSON of ``allyship analyze --format json``;
        ``{"texts": […]}`` returns ``{"results": […]}``, one per text, in order."""
        texts = [body.text] if body.text is not None else list(body.texts or [])
        _check_limits(texts, settings)
        _ready(request)
        encoded = await request.app.state.batcher.analyze(texts)
        content = encoded[0] if body.text is not None else b'{"results":[' + b",".join(encoded) + b"]}"
        return Response(content, media_type="application/json")

    @app.get("/v1/categories", response_model=CategoriesResponse, responses=ERRORS, dependencies=[Depends(authorized)])
    async def categories(request: Request) -> dict[str, Any]:
        """The lexicon's categories: built-in and any added with ``--lexicons``."""
        lexicon = _ready(request).lexicon
        return {
            "categories": [
                {
                    "id": c.id,
                    "label": c.label,
                    "description": c.description,
                    "strategies": list(c.strategies),
                    "barriers": list(c.barriers),
                    "roles": list(c.roles),
                    "builtin": c.builtin,
                }
                for c in lexicon.categories.values()
            ]
        }

    @app.get("/v1/strategies", response_model=StrategiesResponse, responses=ERRORS, dependencies=[Depends(authorized)])
    async def strategies(request: Request) -> dict[str, Any]:
        """The article's strategies, barriers and ally roles that flags refer to."""
        refs = _ready(request).lexicon.references
        out: dict[str, Any] = {"source": refs.source_title}
        for kind in ("strategies", "barriers", "roles"):
            out[kind] = [r.to_dict() | {"section": r.section} for r in refs.by_kind.get(kind, {}).values()]
        return out

    @app.get("/healthz", response_model=Health, responses={503: {"model": ErrorResponse}})
    async def healthz(request: Request) -> dict[str, Any]:
        """200 once the analyzer is loaded in this worker."""
        analyzer_ = _ready(request)
        model = analyzer_.model_path if analyzer_.classifier is not None else None
        return {
            "status": "ok",
            "rules": len(analyzer_.lexicon.rules),
            "categories": len(analyzer_.lexicon.categories),
            "model": None if model is None else str(model),
        }

    return app


def _ready(request: Request) -> Any:
    analyzer = request.app.state.analyzer
    if analyzer is None:
        raise HTTPException(503, "the analyzer is still loading")
    return analyzer


def _check_limits(texts: list[str], settings: ServeSettings) -> None:
    if len(texts) > settings.max_texts:
        raise HTTPException(413, f"{len(texts):,} texts in one request, over the limit of {settings.max_texts:,}")
    for index, text in enumerate(texts):
        if len(text) > settings.max_chars:
            raise HTTPException(
                413, f"text {index} has {len(text):,} characters, over the limit of {settings.max_chars:,}"
            )


def _key_check(api_key: str | None) -> Callable[[Request], None]:
    """A dependency that answers 401 unless the request carries the key (``Authorization: Bearer`` or ``X-API-Key``)."""

    def authorized(request: Request) -> None:
        if api_key is None:
            return
        given = request.headers.get("x-api-key", "")
        bearer = request.headers.get("authorization", "")
        if bearer.lower().startswith("bearer "):
            given = given or bearer[7:].strip()
        if not given or not hmac.compare_digest(given.encode(), api_key.encode()):
            raise HTTPException(401, "a valid API key is needed (header 'X-API-Key' or 'Authorization: Bearer')")

    return authorized


ERROR_TYPES = {401: "unauthorized", 404: "not_found", 405: "method_not_allowed", 413: "too_large", 503: "not_ready"}


def _error(status: int, kind: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"type": kind, "message": message}}, status_code=status, headers=headers)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI could not decode the body (e.g. not UTF-8): malformed, like bad JSON
            return _error(422, "invalid_request", f"the body is not valid JSON ({exc.detail})")
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        return _error(exc.status_code, ERROR_TYPES.get(exc.status_code, "http_error"), str(exc.detail), headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, "invalid_request", _first_problem(exc))

    @app.exception_handler(AnalyzerError)
    async def analyzer_error(request: Request, exc: AnalyzerError) -> JSONResponse:
        return _error(422, "invalid_input", str(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        return _error(500, "internal", "the analyzer failed on this request; it has been logged")


def _first_problem(exc: RequestValidationError) -> str:
    """One line for a validation error: where and what, never the (possibly huge) input itself."""
    errors = exc.errors()
    if not errors:
        return "the request does not fit the schema"
    first = errors[0]
    if first.get("type") == "json_invalid":
        return f"the body is not valid JSON ({first.get('ctx', {}).get('error', 'parse error')})"
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first.get('msg', 'invalid')}{more}"
