"""The HTTP API: same JSON as the CLI, JSON errors for every kind of bad input, the API key, a real server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

pytest.importorskip("fastapi", reason="the service needs the 'serve' extra: pip install -e '.[dev]'")

from fastapi.testclient import TestClient

from analyzer.service.app import create_app
from analyzer.service.settings import ServeSettings
from tests.conftest import REPO

LIMITS = {"max_texts": 4, "max_chars": 200, "max_body_bytes": 4_000}


@pytest.fixture(scope="module")
def client(lexicon_analyzer):
    with TestClient(create_app(ServeSettings(model=None, **LIMITS), lexicon_analyzer)) as test_client:
        yield test_client


def test_single_text_returns_the_json_of_analyze(client, lexicon_analyzer) -> None:
    text = "Man up, and calm down, it was just a joke."
    response = client.post("/v1/analyze", json={"text": text})
    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(lexicon_analyzer.analyze(text).to_dict()))
    assert {f["rule_id"] for f in response.json()["flags"]} >= {"tm.man-up"}


def test_texts_return_results_in_order(client) -> None:
    texts = ["Thanks for the notes.", "Man up.", "", "Calm down, you're overreacting."]
    response = client.post("/v1/analyze", json={"texts": texts})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["summary"]["flag_count"] > 0 for r in results] == [False, True, False, True]
    assert results[1]["flags"][0]["text"] == "Man up"


@pytest.mark.parametrize(
    "body, status, kind",
    [
        (b"{not json", 422, "invalid_request"),
        (b"\xff\xfe\x00", 422, "invalid_request"),
        (b"[1, 2]", 422, "invalid_request"),
        (b"{}", 422, "invalid_request"),
        (b'{"text": 5}', 422, "invalid_request"),
        (b'{"texts": "one string"}', 422, "invalid_request"),
        (b'{"text": "a", "texts": ["b"]}', 422, "invalid_request"),
        (b'{"text": "a", "extra": 1}', 422, "invalid_request"),
        (b'{"texts": ["a", "b", "c", "d", "e"]}', 413, "too_large"),
        (json.dumps({"text": "x" * 201}).encode(), 413, "too_large"),
        (json.dumps({"texts": ["ok", "x" * 201]}).encode(), 413, "too_large"),
        (json.dumps({"text": "x" * 5_000}).encode(), 413, "too_large"),
    ],
)
def test_bad_input_is_a_4xx_json_error(client, body, status, kind) -> None:
    response = client.post("/v1/analyze", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status
    error = response.json()["error"]
    assert error["type"] == kind
    assert "\n" not in error["message"] and "Traceback" not in response.text and "xxxxxxxx" not in response.text


def test_chunked_oversized_body_is_413(client) -> None:
    def chunks():
        for _ in range(10):
            yield b" " * 1_000

    response = client.post("/v1/analyze", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_unknown_path_and_method_are_json(client) -> None:
    assert client.get("/v2/nothing").json()["error"]["type"] == "not_found"
    response = client.get("/v1/analyze")
    assert response.status_code == 405 and response.json()["error"]["type"] == "method_not_allowed"


def test_categories_strategies_health_and_docs(client) -> None:
    categories = client.get("/v1/categories").json()["categories"]
    assert {c["id"] for c in categories} >= {"toxic_masculinity", "dismissive", "gendered_hostility"}
    strategies = client.get("/v1/strategies").json()
    assert {s["id"] for s in strategies["strategies"]} >= {"challenge_toxic_masculinity", "speak_up_and_intervene"}
    assert strategies["barriers"] and strategies["roles"]
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert client.get("/docs").status_code == 200
    schema = client.get("/openapi.json").json()
    assert "AnalyzeRequest" in schema["components"]["schemas"]
    assert "413" in schema["paths"]["/v1/analyze"]["post"]["responses"]


def test_api_key_is_required_when_configured(lexicon_analyzer, monkeypatch) -> None:
    monkeypatch.setenv("ALLYSHIP_TEST_KEY", "s3cret-key")
    app = create_app(ServeSettings(model=None, api_key_env="ALLYSHIP_TEST_KEY"), lexicon_analyzer)
    with TestClient(app) as keyed:
        assert keyed.post("/v1/analyze", json={"text": "hi"}).status_code == 401
        wrong = keyed.post("/v1/analyze", json={"text": "hi"}, headers={"X-API-Key": "nope"})
        assert wrong.status_code == 401 and wrong.json()["error"]["type"] == "unauthorized"
        assert keyed.get("/v1/categories").status_code == 401
        ok = keyed.post("/v1/analyze", json={"text": "hi"}, headers={"Authorization": "Bearer s3cret-key"})
        assert ok.status_code == 200
        assert keyed.post("/v1/analyze", json={"text": "hi"}, headers={"X-API-Key": "s3cret-key"}).status_code == 200
        assert keyed.get("/healthz").status_code == 200


def test_missing_api_key_variable_is_an_error() -> None:
    from analyzer.errors import AnalyzerError

    with pytest.raises(AnalyzerError, match="ALLYSHIP_NO_SUCH_VARIABLE"):
        create_app(ServeSettings(api_key_env="ALLYSHIP_NO_SUCH_VARIABLE"))


class _Held:
    """The real analyzer, holding every analysis until ``release`` is set.

    A batch is then certainly still running when /healthz is asked (the texts
    alone take a fifth of a second, a race a busy machine lost); an analysis run
    on the event loop would block it, and /healthz would not answer before it.
    """

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.release = threading.Event()

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def analyze_many(self, texts, **kwargs):
        if not self.release.wait(timeout=60):
            raise RuntimeError("the analysis was never released: /healthz did not answer while it waited")
        return self.inner.analyze_many(texts, **kwargs)


def test_analysis_does_not_block_the_event_loop(lexicon_analyzer) -> None:
    """While a large batch is analyzed, /healthz still answers: analysis runs off the event loop."""
    import asyncio

    import httpx

    held = _Held(lexicon_analyzer)
    app = create_app(ServeSettings(model=None), held)
    long_text = "Thanks for the notes from the planning meeting, they help. " * 200

    async def scenario() -> tuple[bool, int, int]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=120) as client:
                batch = asyncio.create_task(client.post("/v1/analyze", json={"texts": [long_text] * 60}))
                await asyncio.sleep(0.2)
                health = await client.get("/healthz")
                still_running = not batch.done()
                held.release.set()
                return still_running, health.status_code, (await batch).status_code

    still_running, health_status, batch_status = asyncio.run(scenario())
    assert (health_status, batch_status) == (200, 200)
    assert still_running


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_real_server_on_localhost() -> None:
    """``allyship serve`` under uvicorn on 127.0.0.1: ready, answers, refuses bad input, stops cleanly."""
    import httpx

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "analyzer.cli.main", "serve", "--no-model", "--port", str(port), "--workers", "2"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=dict(os.environ),
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stdout.read().decode()
            assert time.monotonic() < deadline, "server did not become ready"
            time.sleep(0.5)
        response = httpx.post(f"{base}/v1/analyze", json={"texts": ["Man up.", "Thanks."]}, timeout=30)
        assert [r["summary"]["flag_count"] for r in response.json()["results"]] == [1, 0]
        bad = httpx.post(f"{base}/v1/analyze", content=b"{oops", headers={"content-type": "application/json"})
        assert bad.status_code == 422 and bad.json()["error"]["type"] == "invalid_request"
    finally:
        server.terminate()
        output = server.communicate(timeout=60)[0].decode()
    assert "Traceback" not in output


def test_serve_with_bad_lexicon_is_one_line_exit_2(tmp_path) -> None:
    (tmp_path / "bad.yml").write_text("category: [\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "analyzer.cli.main", "serve", "--no-model", "--lexicons", str(tmp_path), "--port", "1"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 2  # the start-up banner, then the one-line error
    assert proc.stderr.strip().splitlines()[-1].startswith("error: ")
