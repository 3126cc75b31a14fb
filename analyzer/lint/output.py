"""The three outputs of ``allyship check``: linter lines, JSON, and SARIF 2.1.0.

SARIF is what code-scanning tools read (GitHub's upload-sarif action among
them): one run whose driver lists every rule that produced a result, with
its explanation and help text naming the article's strategy, and one result
per flag with its physical location. Columns count Unicode code points and
``endColumn`` is the column just after the phrase, as SARIF defines it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from analyzer.lint.runner import CheckReport, LintFlag
from analyzer.version import __version__

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
UNUSED_RULE_ID = "allyship.unused-ignore"


def rule_id_of(lint_flag: LintFlag) -> str:
    """The rule id shown for a flag: the lexicon rule, or ``classifier.<category>`` for a classifier flag."""
    flag = lint_flag.flag
    return flag.rule_id or f"classifier.{flag.category}"


def format_text(report: CheckReport) -> str:
    """One ``path:line:col  category  "phrase"  explanation  (rule id)`` line per flag, then a summary."""
    lines = []
    for file in report.files:
        for lint_flag in file.flags:
            flag = lint_flag.flag
            phrase = " ".join(flag.text.split())
            lines.append(
                f'{file.path}:{lint_flag.start.line}:{lint_flag.start.col}  {flag.category}  "{phrase}"  '
                f"{flag.explanation}  ({rule_id_of(lint_flag)})"
            )
        if report.report_unused:
            for unused in file.unused_ignores:
                lines.append(
                    f'{file.path}:{unused.start.line}:{unused.start.col}  unused-ignore  "{unused.text}"  '
                    f"this ignore comment suppresses nothing; remove it  ({UNUSED_RULE_ID})"
                )
    lines.append(_summary_line(report))
    return "\n".join(lines)


def _summary_line(report: CheckReport) -> str:
    summary = report.summary()
    files = summary["files_checked"]
    checked = f"{files} file{'s' if files != 1 else ''}"
    parts = []
    if report.flag_count:
        counts = ", ".join(f"{n} {c}" for c, n in sorted(summary["categories"].items(), key=lambda kv: -kv[1]))
        flagged = summary["files_flagged"]
        parts.append(
            f"{report.flag_count} flag{'s' if report.flag_count != 1 else ''} in {flagged} of {checked} ({counts})"
        )
    else:
        parts.append(f"No flags in {checked}")
    if report.unused_count:
        parts.append(f"{report.unused_count} unused ignore{'s' if report.unused_count != 1 else ''}")
    if report.error_count:
        parts.append(f"{report.error_count} could not be read")
    return "; ".join(parts) + "."


def format_json(report: CheckReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)


def format_sarif(report: CheckReport) -> str:
    return json.dumps(sarif_log(report), ensure_ascii=False, indent=2)


def sarif_log(report: CheckReport) -> dict[str, Any]:
    """The SARIF 2.1.0 log of a check: one run, the rules that fired, one result per flag."""
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    for file in report.files:
        uri = _uri(file.path)
        for lint_flag in file.flags:
            rule_id = rule_id_of(lint_flag)
            if rule_id not in index:
                index[rule_id] = len(rules)
                rules.append(_rule(report, lint_flag))
            flag = lint_flag.flag
            results.append(
                {
                    "ruleId": rule_id,
                    "ruleIndex": index[rule_id],
                    "level": "warning",
                    "message": {"text": f'"{" ".join(flag.text.split())}": {flag.explanation}'},
                    "locations": [_location(uri, lint_flag.start, lint_flag.end, flag.text)],
                    "properties": {"category": flag.category, "score": round(flag.score, 4), "source": flag.source},
                }
            )
        if report.report_unused:
            for unused in file.unused_ignores:
                if UNUSED_RULE_ID not in index:
                    index[UNUSED_RULE_ID] = len(rules)
                    rules.append(_unused_rule())
                results.append(
                    {
                        "ruleId": UNUSED_RULE_ID,
                        "ruleIndex": index[UNUSED_RULE_ID],
                        "level": "note",
                        "message": {"text": f'"{unused.text}" suppresses nothing; remove it.'},
                        "locations": [_location(uri, unused.start, unused.end, unused.text)],
                    }
                )
    notifications = [
        {
            "level": "error",
            "message": {"text": f"{file.path}: {file.error}"},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(file.path)}}}],
        }
        for file in report.files
        if file.error is not None
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "allyship",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "invocations": [
                    {"executionSuccessful": not notifications, "toolExecutionNotifications": notifications}
                ],
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def _rule(report: CheckReport, lint_flag: LintFlag) -> dict[str, Any]:
    flag = lint_flag.flag
    rule = None
    for analyzer in report.analyzers:
        rule = analyzer.lexicon.rules.get(flag.rule_id) if flag.rule_id else None
        if rule is not None:
            break
    explanation = rule.explanation if rule is not None else f"A sentence that reads like {flag.label.lower()}."
    suggestion = rule.suggestion if rule is not None else flag.suggestion
    strategies = " ".join(f"{s.title}: {_sentence(s.summary)}" for s in flag.strategies)
    help_text = f"{explanation} What an ally can do - {strategies}"
    if suggestion:
        help_text += f" Instead: {suggestion}"
    markdown = f"{explanation}\n\n**What an ally can do**\n\n" + "\n".join(
        f"- *{s.title}*: {_sentence(s.summary)}" for s in flag.strategies
    )
    if suggestion:
        markdown += f"\n\n**Instead:** {suggestion}"
    phrase = f' "{rule.phrases[0]}"' if rule is not None and rule.phrases else ""
    return {
        "id": rule_id_of(lint_flag),
        "name": _camel(rule_id_of(lint_flag)),
        "shortDescription": {"text": f"{flag.label}{':' if phrase else ''}{phrase}"},
        "fullDescription": {"text": explanation},
        "help": {"text": help_text, "markdown": markdown},
        "defaultConfiguration": {"level": "warning"},
        "properties": {
            "category": flag.category,
            "tags": ["allyship", flag.category],
            "strategies": [s.id for s in flag.strategies],
        },
    }


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _unused_rule() -> dict[str, Any]:
    text = "An allyship-disable comment that suppresses no flag: remove it, so ignores stay honest."
    return {
        "id": UNUSED_RULE_ID,
        "name": "UnusedIgnore",
        "shortDescription": {"text": "Unused ignore comment"},
        "fullDescription": {"text": text},
        "help": {"text": text},
        "defaultConfiguration": {"level": "note"},
    }


def _location(uri: str, start: Any, end: Any, snippet: str) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": uri},
            "region": {
                "startLine": start.line,
                "startColumn": start.col,
                "endLine": end.line,
                "endColumn": end.col,
                "snippet": {"text": snippet},
            },
        }
    }


def _uri(path: str) -> str:
    """A relative POSIX path (what code scanning matches against the repository), when the file is below here."""
    if path == "-":
        return "stdin"
    try:
        relative = os.path.relpath(path)
    except ValueError:
        relative = path
    if relative.startswith("..") or os.path.isabs(relative):
        return Path(path).resolve().as_uri()
    return quote(relative.replace(os.sep, "/"))


def _camel(rule_id: str) -> str:
    return "".join(part.capitalize() for part in rule_id.replace(".", "-").replace("_", "-").split("-") if part)
