"""The HTML report: self-contained, everything escaped, the chart, the rules and each flagged document."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from analyzer.cli.main import main
from analyzer.flags import Flag
from analyzer.io.batch import BatchConfig, run_batch
from analyzer.io.report import collect, highlight, read_records, render
from tests.messy import FLAGGED, make_messy_folder, put

EVIL = '<script>alert("x")</script> Calm down, you are overreacting. <img src=x onerror=alert(1)>'


def flag(start: int, end: int, text: str, category: str = "dismissive", **extra: object) -> dict:
    """A flag's JSON as a batch record holds it."""
    return {
        "start": start,
        "end": end,
        "text": text,
        "category": category,
        "label": "Dismissing or minimizing",
        "score": 0.9,
        "source": "lexicon",
        "rule_id": "di.calm-down",
        "explanation": "It brushes the concern off.",
        "suggestion": "Ask what happened.",
        "strategies": [{"id": "listen_and_learn", "title": "Listen and learn", "summary": "…"}],
        "barriers": [],
        "roles": [],
        **extra,
    }


def flags(*items: dict) -> list[Flag]:
    return [Flag.from_dict(item) for item in items]


@pytest.fixture(scope="module")
def batch_output(lexicon_analyzer: object, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real batch over the messy folder plus a document full of markup."""
    root = tmp_path_factory.mktemp("report")
    make_messy_folder(root / "messy")
    put(root / "messy" / "zz_evil.txt", EVIL)
    put(root / "messy" / "<b>odd name</b>.txt", FLAGGED)
    out = root / "out.jsonl"
    run_batch(lexicon_analyzer, BatchConfig(inputs=[root / "messy"], out=out, quiet=True))
    return out


@pytest.fixture()
def report(batch_output: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., str]:
    def make(*extra: str) -> str:
        html_path = tmp_path / "report.html"
        with pytest.raises(SystemExit) as exit_info:
            main(["report", str(batch_output), "--html", str(html_path), *extra])
        assert exit_info.value.code in (0, None), capsys.readouterr().err
        return html_path.read_text(encoding="utf-8")

    return make


def test_report_escapes_every_bit_of_document_text(report: Callable[..., str]) -> None:
    page = report()
    assert "<script" not in page.lower()
    assert "<img" not in page.lower()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;b&gt;odd name&lt;/b&gt;" in page and "<b>odd name</b>" not in page


def test_report_is_self_contained(report: Callable[..., str]) -> None:
    page = report()
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", page), "the page must load nothing"
    assert "<link" not in page and "@import" not in page


def test_report_has_chart_rules_errors_and_flagged_documents(batch_output: Path, report: Callable[..., str]) -> None:
    page = report()
    recs = [json.loads(line) for line in batch_output.read_text().splitlines()]
    categories = {f["label"] for r in recs for f in r["flags"]}
    assert "<svg" in page and "Flags per category" in page
    for label in categories:
        assert f">{label}</text>" in page.replace("&#x27;", "'")
    assert "Most frequent rules" in page
    most_common_rule = max(
        {f["rule_id"] for r in recs for f in r["flags"]},
        key=lambda rule: sum(f["rule_id"] == rule for r in recs for f in r["flags"]),
    )
    assert f"<code>{most_common_rule}</code>" in page
    assert "Documents that could not be read" in page and "unreadable_docx" in page
    flagged = [r for r in recs if r["flags"]]
    assert page.count("<article>") == len(flagged)
    assert page.count("<mark ") >= len(flagged)
    assert "What an ally can do:" in page


def test_max_documents_limits_the_documents_shown_not_the_counts(report: Callable[..., str]) -> None:
    page = report("--max-documents", "1")
    assert page.count("<article>") == 1 and "Showing the first 1 of" in page


def test_highlight_marks_phrases_and_survives_overlaps_and_bad_offsets() -> None:
    text = "Calm down & man up <now>"
    marked = flags(flag(0, 9, "Calm down"), flag(5, 18, "down & man up", "toxic_masculinity"), flag(3, 99, "bogus"))
    out = highlight(text, marked, {"dismissive": "#7570b3", "toxic_masculinity": "#d95f02"})
    assert re.sub(r"<[^>]+>", "", out) == "Calm down1 &amp; man up2 &lt;now&gt;"
    assert out.count("<mark ") == 3  # "Calm ", "down", " & man up": cut at every boundary
    assert "<sup>1</sup>" in out and "<sup>2</sup>" in out and "<sup>3</sup>" not in out


def test_long_documents_show_excerpts_around_flags() -> None:
    text = "x " * 5000 + "calm down" + " y" * 5000
    start = text.index("calm down")
    out = highlight(text, flags(flag(start, start + 9, "calm down")), {})
    assert len(out) < 1500 and out.count("…") == 2 and "calm down</mark>" in out


def test_report_without_text_lists_the_phrases() -> None:
    data = collect([{"id": "d1", "source": "s", "flags": [flag(0, 9, "calm down")], "error": None}])
    page = render(data)
    assert "not kept in the results" in page and "calm down" in page


def test_report_of_csv_or_garbage_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    garbage = put(tmp_path / "x.jsonl", "not json\n")
    for results in (tmp_path / "out.csv", garbage, tmp_path / "missing.jsonl"):
        with pytest.raises(SystemExit) as exit_info:
            main(["report", str(results), "--html", str(tmp_path / "r.html")])
        err = capsys.readouterr().err
        assert exit_info.value.code == 2 and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "r.html").exists()


def test_a_torn_last_line_is_skipped(tmp_path: Path) -> None:
    line = json.dumps({"id": "a", "flags": [], "error": None})
    path = put(tmp_path / "o.jsonl", line + "\n" + line[:10])
    assert len(list(read_records(path))) == 1


def test_labels_and_colours_come_from_the_lexicon(tmp_path: Path) -> None:
    """The report shows a category as the loaded lexicon defines it: a user's category in its own colour."""
    from analyzer.lexicon.loader import load_lexicon
    from tests.conftest import MINIMAL_RULE, write

    lexicon_file = MINIMAL_RULE.replace("  label:", '  color: "#123456"\n  label:')
    folder = write(tmp_path / "lex" / "talking_over.yml", lexicon_file).parent
    record = {
        "id": "d1",
        "source": "s",
        "error": None,
        "flags": [flag(0, 9, "let me explain", "talking_over", label="old label"), flag(10, 19, "calm down")],
    }
    page = render(collect([record]), categories=load_lexicon([folder]).categories)
    assert 'fill="#123456"' in page and 'fill="#7570b3"' in page  # dismissive: lexicons/dismissive.yml
    assert "Talking over women" in page and "old label" not in page  # not in the list, the chart or a title
    results = put(tmp_path / "r.jsonl", json.dumps(record) + "\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["report", str(results), "--html", str(tmp_path / "r.html"), "--lexicons", str(folder)])
    assert exit_info.value.code in (0, None)
    assert 'fill="#123456"' in (tmp_path / "r.html").read_text(encoding="utf-8")
