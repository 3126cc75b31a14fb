"""A shareable HTML report of a batch: one self-contained page, safe to open.

The page has no scripts and loads nothing: styles are inline, the chart of
flags per category is inline SVG. Everything that comes from the records
(document text, ids, paths, phrases, explanations, even category ids) is
HTML-escaped, because the documents are strangers' text and the report is
meant to be opened by someone else.

The report reads the JSONL output of ``allyship batch``. It keeps counts over
all records but the text of at most ``max_documents`` flagged documents, so a
large batch gives a page a browser can still open.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from analyzer.errors import AnalyzerError
from analyzer.flags import Flag
from analyzer.io.records import record_flags
from analyzer.lexicon.loader import Category
from analyzer.lexicon.palette import color_of, colors_of
from analyzer.model.folders import atomic_write_text

DEFAULT_MAX_DOCUMENTS = 200
EXCERPT_LIMIT = 4_000  # longer texts are shown as windows around their flags
EXCERPT_CONTEXT = 240
MAX_ERRORS_LISTED = 100

def _try(suggestion: str) -> str:
    """``Try: …``, without doubling a suggestion that already starts with "Try"."""
    return e(suggestion) if suggestion.lower().startswith("try ") else f"Try: {e(suggestion)}"


def e(value: Any) -> str:
    """Escape anything for HTML text or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def read_records(path: str | Path) -> Iterator[dict[str, Any]]:
    """The records of a batch JSONL output; a torn last line (a run still going, or killed) is skipped."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        raise AnalyzerError(f"{path}: the report reads the JSONL output of batch, not its CSV")
    try:
        handle = open(path, encoding="utf-8")  # noqa: SIM115 (closed below, the generator may stop early)
    except OSError as exc:
        raise AnalyzerError(f"cannot read {path}: {exc.strerror or exc}") from None
    with handle:
        number = 0
        try:
            for number, line in enumerate(handle, start=1):  # noqa: B007 (used in the error below)
                if not line.endswith("\n") or not line.strip():
                    continue
                record = json.loads(line)
                if not isinstance(record, dict) or "flags" not in record:
                    raise ValueError("not a batch record")
                record_flags(record)  # every flag must read back as a flag
                yield record
        except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
            raise AnalyzerError(f"{path}:{number}: not a record of 'allyship batch' ({exc})") from None


@dataclass
class ReportData:
    """What the page shows, gathered in one pass over the records."""

    documents: int = 0
    flagged: int = 0
    flags: int = 0
    errors: int = 0
    categories: Counter[str] = field(default_factory=Counter)
    labels: dict[str, str] = field(default_factory=dict)
    rules: Counter[tuple[str, str]] = field(default_factory=Counter)  # (rule id or "classifier", category)
    rule_text: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # explanation, suggestion
    error_types: Counter[str] = field(default_factory=Counter)
    error_records: list[dict[str, Any]] = field(default_factory=list)
    shown: list[dict[str, Any]] = field(default_factory=list)

    def add(self, record: dict[str, Any], max_documents: int) -> None:
        self.documents += 1
        error = record.get("error")
        if error:
            self.errors += 1
            self.error_types[str(error.get("type", "error"))] += 1
            if len(self.error_records) < MAX_ERRORS_LISTED:
                self.error_records.append(record)
            return
        flags = record_flags(record)
        if not flags:
            return
        self.flagged += 1
        self.flags += len(flags)
        for flag in flags:
            self.categories[flag.category] += 1
            self.labels.setdefault(flag.category, flag.label or flag.category)
            rule = (flag.rule_id or "classifier", flag.category)
            self.rules[rule] += 1
            self.rule_text.setdefault(rule, (flag.explanation, flag.suggestion or ""))
        if len(self.shown) < max_documents:
            self.shown.append(record)


def collect(records: Iterable[dict[str, Any]], max_documents: int = DEFAULT_MAX_DOCUMENTS) -> ReportData:
    data = ReportData()
    for record in records:
        data.add(record, max_documents)
    return data


def render(
    data: ReportData,
    *,
    title: str = "Allyship analysis report",
    source: str = "",
    categories: Mapping[str, Category] | None = None,
) -> str:
    """The whole page as a string, with the labels and colours of ``categories`` (a lexicon's).

    A category the lexicon does not know keeps the label its flags carry and
    gets a fallback colour (:mod:`analyzer.lexicon.palette`).
    """
    categories = categories or {}
    data = replace(data, labels={**data.labels, **{c: categories[c].label for c in data.categories if c in categories}})
    colors = _colors(data.categories, categories)
    generated = datetime.now().strftime("%Y-%m-%d %H:%M")
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title>",
        f"<style>{_CSS}</style></head><body><main>",
        f"<h1>{e(title)}</h1>",
        f'<p class="meta">From {e(source)} · generated {e(generated)}</p>' if source else "",
        _totals(data),
        "<h2>Flags per category</h2>",
        _chart(data, colors) if data.categories else "<p>Nothing was flagged.</p>",
        _rules(data, colors),
        _errors(data),
        _documents(data, colors),
        "<footer><p>The analyzer points at phrasing worth a second look and explains why; it is a prompt to "
        "reflect and talk, not a verdict on a person.</p></footer>",
        "</main></body></html>",
    ]
    return "\n".join(p for p in parts if p)


def write_report(
    results: str | Path,
    html_path: str | Path,
    *,
    title: str = "Allyship analysis report",
    max_documents: int = DEFAULT_MAX_DOCUMENTS,
    categories: Mapping[str, Category] | None = None,
) -> ReportData:
    """Read a batch output and write the report atomically (a reader never sees half a page).

    ``categories`` (``lexicon.categories``) give the labels and colours.
    """
    data = collect(read_records(results), max_documents)
    page = render(data, title=title, source=str(results), categories=categories)
    target = Path(html_path)
    try:
        atomic_write_text(target, page)
    except OSError as exc:
        raise AnalyzerError(f"cannot write {target}: {exc.strerror or exc}") from None
    return data


# -- pieces of the page -------------------------------------------------------------------


def _colors(counts: Counter[str], categories: Mapping[str, Category]) -> dict[str, str]:
    """Each flagged category's colour, the same as in the app (:mod:`analyzer.lexicon.palette`)."""
    known = colors_of(categories)
    return {category: color_of(category, known) for category in sorted(counts)}


def _totals(data: ReportData) -> str:
    cells = [
        ("documents", data.documents),
        ("flagged documents", data.flagged),
        ("flags", data.flags),
        ("could not be read", data.errors),
    ]
    items = "".join(f'<div class="total"><b>{n:,}</b><span>{e(label)}</span></div>' for label, n in cells)
    return f'<section class="totals">{items}</section>'


def _chart(data: ReportData, colors: dict[str, str]) -> str:
    """Horizontal bars in inline SVG: no script, no external file."""
    rows = data.categories.most_common()
    top = rows[0][1]
    bar_x, bar_w, row_h = 230, 420, 28
    height = row_h * len(rows) + 10
    description = ", ".join(f"{data.labels.get(c, c)}: {n}" for c, n in rows)
    out = [
        f'<svg class="chart" role="img" aria-label="{e("Flags per category: " + description)}" '
        f'viewBox="0 0 720 {height}" width="720" height="{height}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (category, count) in enumerate(rows):
        y = 5 + i * row_h
        width = max(2, round(bar_w * count / top))
        label = data.labels.get(category, category)
        out.append(
            f'<text x="{bar_x - 8}" y="{y + 18}" text-anchor="end">{e(label)}</text>'
            f'<rect x="{bar_x}" y="{y + 4}" width="{width}" height="{row_h - 8}" fill="{colors[category]}">'
            f"<title>{e(label)}: {count:,}</title></rect>"
            f'<text x="{bar_x + width + 6}" y="{y + 18}">{count:,}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def _rules(data: ReportData, colors: dict[str, str], limit: int = 20) -> str:
    if not data.rules:
        return ""
    rows = []
    for (rule, category), count in data.rules.most_common(limit):
        explanation, suggestion = data.rule_text[(rule, category)]
        rows.append(
            f"<tr><td><code>{e(rule)}</code></td>"
            f'<td><span class="dot" style="background:{colors[category]}"></span>{e(data.labels.get(category))}</td>'
            f'<td class="num">{count:,}</td><td>{e(explanation)}'
            + (f'<br><span class="try">{_try(suggestion)}</span>' if suggestion else "")
            + "</td></tr>"
        )
    return (
        "<h2>Most frequent rules</h2><table><thead><tr><th>rule</th><th>category</th><th>flags</th>"
        f"<th>why it is flagged</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _errors(data: ReportData) -> str:
    if not data.errors:
        return ""
    counts = ", ".join(f"{e(t)} {n:,}" for t, n in data.error_types.most_common())
    rows = "".join(
        f"<tr><td>{e(r.get('id'))}</td><td><code>{e((r.get('error') or {}).get('type'))}</code></td>"
        f"<td>{e((r.get('error') or {}).get('message'))}</td></tr>"
        for r in data.error_records
    )
    more = (
        f"<p>Showing the first {len(data.error_records):,} of {data.errors:,}.</p>"
        if data.errors > len(data.error_records)
        else ""
    )
    return (
        f"<h2>Documents that could not be read</h2><p>{data.errors:,} documents: {counts}.</p>"
        f"<table><thead><tr><th>document</th><th>error</th><th>message</th></tr></thead><tbody>{rows}</tbody></table>"
        f"{more}"
    )


def _documents(data: ReportData, colors: dict[str, str]) -> str:
    if not data.shown:
        return ""
    head = "<h2>Flagged documents</h2>"
    if data.flagged > len(data.shown):
        head += f"<p>Showing the first {len(data.shown):,} of {data.flagged:,} flagged documents.</p>"
    return head + "".join(_document(record, colors, data.labels) for record in data.shown)


def _document(record: dict[str, Any], colors: dict[str, str], labels: dict[str, str]) -> str:
    flags = record_flags(record)
    text = record.get("text")
    if isinstance(text, str):
        body = f'<blockquote class="doc">{highlight(text, flags, colors, labels)}</blockquote>'
    else:
        body = '<p class="meta">The text was not kept in the results (batch --no-text); the phrases are below.</p>'
    items = []
    for number, flag in enumerate(flags, start=1):
        strategies = "; ".join(s.title for s in flag.strategies)
        items.append(
            f'<li value="{number}"><span class="phrase" style="border-color:{colors.get(flag.category, "#999")}">'
            f'{e(flag.text)}</span> <span class="label">{e(labels.get(flag.category) or flag.label)}</span>'
            f"<p>{e(flag.explanation)}</p>"
            + (f'<p class="try">{_try(flag.suggestion)}</p>' if flag.suggestion else "")
            + (f'<p class="strategies">What an ally can do: {e(strategies)}</p>' if strategies else "")
            + "</li>"
        )
    source = record.get("source")
    return (
        f"<article><h3>{e(record.get('id'))}</h3>"
        + (f'<p class="meta">{e(source)}</p>' if source and source != record.get("id") else "")
        + f"{body}<ol>{''.join(items)}</ol></article>"
    )


def highlight(text: str, flags: list[Flag], colors: dict[str, str], labels: dict[str, str] | None = None) -> str:
    """The text, escaped, with each flagged phrase in a <mark> and numbered as in the list below it.

    Flags may overlap; the text is cut at every flag boundary and each piece is
    marked with the first flag that covers it, titled with its category's label
    (from ``labels``, else the flag's). Offsets that do not match the text are
    ignored rather than trusted. Long texts show only the
    neighbourhood of their flags.
    """
    spans = []
    for number, flag in enumerate(flags, start=1):
        start, end = flag.start, flag.end
        if 0 <= start < end <= len(text) and text[start:end] == flag.text:
            spans.append((start, end, number, flag.category, (labels or {}).get(flag.category) or flag.label))
    windows = _windows(len(text), [(s, t) for s, t, *_ in spans])
    out = []
    for w_index, (w_start, w_end) in enumerate(windows):
        if w_index or w_start > 0:
            out.append('<span class="gap">…</span> ')
        cuts = sorted({w_start, w_end, *(p for s, t, *_ in spans for p in (s, t) if w_start <= p <= w_end)})
        for a, b in pairwise(cuts):
            piece = e(text[a:b])
            covering = [s for s in spans if s[0] <= a and b <= s[1]]
            if covering:
                _, _, _, category, label = covering[0]
                color = colors.get(category, "#999")
                style = f"background:{color}33;border-bottom:2px solid {color}"
                piece = f'<mark style="{style}" title="{e(label)}">{piece}</mark>'
            out.append(piece)
            out.extend(f"<sup>{n}</sup>" for s, t, n, *_ in spans if t == b)
        if w_end < len(text):
            out.append(' <span class="gap">…</span>')
    return "".join(out)


def _windows(length: int, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    if length <= EXCERPT_LIMIT or not spans:
        return [(0, min(length, EXCERPT_LIMIT))] if length else [(0, 0)]
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        lo, hi = max(0, start - EXCERPT_CONTEXT), min(length, end + EXCERPT_CONTEXT)
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return [(lo, hi) for lo, hi in merged]


_CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;background:#fafafa;margin:0}
main{max-width:960px;margin:0 auto;padding:24px}
h1{margin:0 0 4px}h2{margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}
.meta{color:#666;font-size:13px}
.totals{display:flex;gap:12px;flex-wrap:wrap;margin:16px 0}
.total{background:#fff;border:1px solid #ddd;border-radius:8px;padding:10px 16px;min-width:120px}
.total b{display:block;font-size:24px}.total span{color:#666;font-size:13px}
.chart text{font-size:13px;fill:#222}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{border:1px solid #e3e3e3;padding:6px 8px;text-align:left;vertical-align:top}
td.num{text-align:right}
.dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px}
article{background:#fff;border:1px solid #ddd;border-radius:8px;padding:12px 16px;margin:16px 0}
article h3{margin:0;font-size:16px;word-break:break-all}
blockquote.doc{white-space:pre-wrap;margin:8px 0;padding:8px 12px;border-left:3px solid #ccc;background:#f6f6f6}
mark{color:inherit;padding:0 1px}sup{color:#555;font-size:10px}
.gap{color:#999}
.phrase{font-weight:600;border-bottom:3px solid #999}
.label{color:#555;font-size:13px;margin-left:6px}
.try{color:#1a5e20}.strategies{color:#444;font-size:13px}
footer{margin-top:40px;color:#666;font-size:13px}
"""
