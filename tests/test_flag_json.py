"""One flag representation end to end: the CLI, batch records and the service write and read the same JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.flags import Flag
from analyzer.io.batch import BatchConfig, run_batch
from analyzer.io.records import record_flags
from tests.conftest import run_cli

TEXT = "Man up, and calm down, it was just a joke. Not all men are like that, though."


def test_the_service_returns_the_cli_s_json_for_the_same_text(lexicon_analyzer) -> None:
    pytest.importorskip("fastapi", reason="the service needs the 'serve' extra: pip install -e '.[dev]'")
    from fastapi.testclient import TestClient

    from analyzer.service.app import create_app
    from analyzer.service.settings import ServeSettings

    cli = run_cli("analyze", "--no-model", "--format", "json", TEXT)
    assert cli.returncode == 0, cli.stderr
    with TestClient(create_app(ServeSettings(model=None), lexicon_analyzer)) as client:
        response = client.post("/v1/analyze", json={"text": TEXT})
    assert response.status_code == 200
    assert response.json() == json.loads(cli.stdout) and len(response.json()["flags"]) >= 3


def test_the_service_schema_of_a_flag_is_the_flag_s_json(lexicon_analyzer) -> None:
    pytest.importorskip("fastapi", reason="the service needs the 'serve' extra: pip install -e '.[dev]'")
    from analyzer.service.app import create_app
    from analyzer.service.settings import ServeSettings

    schemas = create_app(ServeSettings(model=None), lexicon_analyzer).openapi()["components"]["schemas"]
    (name,) = [n for n, s in schemas.items() if "explanation" in s.get("properties", {})]
    flag = lexicon_analyzer.analyze(TEXT).flags[0].to_dict()
    assert list(schemas[name]["properties"]) == list(flag)
    assert set(schemas[name]["required"]) == set(flag)
    assert all(p.get("description") for p in schemas[name]["properties"].values())


def test_a_batch_record_round_trips_through_the_flag_type(lexicon_analyzer, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    run_batch(lexicon_analyzer, BatchConfig(inputs=[tmp_path / "in"], out=out, quiet=True))
    line = out.read_text(encoding="utf-8").splitlines()[0]
    record = json.loads(line)
    flags = record_flags(record)
    assert len(flags) >= 3 and all(isinstance(f, Flag) for f in flags)
    assert json.dumps({**record, "flags": [f.to_dict() for f in flags]}, ensure_ascii=False) == line
    assert [f.to_dict() for f in flags] == [f.to_dict() for f in lexicon_analyzer.analyze(TEXT).flags]


@pytest.mark.parametrize(
    "change, error",
    [
        ({"score": "high"}, ValueError),
        ({"start": "0"}, TypeError),
        ({"strategies": "listen_and_learn"}, TypeError),
        ({"strategies": [{"id": "listen_and_learn"}]}, TypeError),
        ({"text": None}, TypeError),
    ],
)
def test_a_malformed_flag_is_refused_not_guessed(lexicon_analyzer, change: dict, error: type) -> None:
    good = lexicon_analyzer.analyze(TEXT).flags[0].to_dict()
    with pytest.raises(error):
        Flag.from_dict({**good, **change})
    missing = dict(good)
    del missing["category"]
    with pytest.raises(KeyError):
        Flag.from_dict(missing)
