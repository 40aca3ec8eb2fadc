"""The `sarif` format: a SARIF 2.1.0 log with one run.

Rules, results (findings, with their text fixes), file errors as tool
execution notifications, and every file of the run as an artifact whose
property bag holds its migration `status` (idiomatic, compat-only, manual,
clean, error) and `statusReason`, the first finding that sets it; the run's
property bag counts the files per status (`migration`).
"""
from __future__ import annotations

import json
import os
import pathlib
from typing import Any, Dict, Optional, Sequence

from ..ftypes import FileError, FileReport, Finding, Status
from ._common import (
    TOOL_NAME, Rules, errors_of, file_status, findings_of, fix_description, rule_attr, status_counts, status_reason,
)

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_VERSION = "2.1.0"


def _rule_level(rules: Optional[Rules], code: str) -> str:
    """SARIF level: code that fails on TF2 is an error; code that still runs is a warning."""
    explicit = rule_attr(rules, code, "level")
    if isinstance(explicit, str):
        return explicit
    rule = rules.get(code) if rules else None
    if rule is None:
        return "warning"  # housekeeping codes without a rule, such as unused suppressions
    return "warning" if getattr(rule, "unfixed_status", None) is Status.COMPAT else "error"


def _artifact_location(path: str) -> Dict[str, str]:
    """A relative POSIX URI under %SRCROOT%, or a file URI for an absolute path."""
    posix = path.replace(os.sep, "/")
    if os.altsep:
        posix = posix.replace(os.altsep, "/")
    if os.path.isabs(path):
        return {"uri": pathlib.Path(path).as_uri()}
    from urllib.parse import quote  # only SARIF needs it: not at start-up

    return {"uri": quote(posix), "uriBaseId": "%SRCROOT%"}


def _sarif_rule(code: str, rules: Optional[Rules]) -> Dict[str, Any]:
    entry: Dict[str, Any] = {"id": code}
    name = rule_attr(rules, code, "name")
    if name:
        entry["name"] = name
    summary = rule_attr(rules, code, "summary")
    if summary:
        entry["shortDescription"] = {"text": summary}
    url = rule_attr(rules, code, "url")
    if url:
        entry["helpUri"] = url
    entry["defaultConfiguration"] = {"level": _rule_level(rules, code)}
    return entry


def _sarif_region(start, end) -> Dict[str, int]:
    return {"startLine": start.line, "startColumn": start.column, "endLine": end.line, "endColumn": end.column}


def _sarif_fix(finding: Finding) -> Optional[Dict[str, Any]]:
    """A fix as text replacements; None for a whole-program rewrite or a notebook cell."""
    fix = finding.fix
    if fix is None or not fix.edits or finding.cell is not None:
        return None
    replacements = [
        {"deletedRegion": _sarif_region(edit.start, edit.end), "insertedContent": {"text": edit.content}}
        for edit in fix.edits
    ]
    description = f"{fix_description(fix)} ({fix.applicability.value} fix)"
    return {
        "description": {"text": description},
        "artifactChanges": [{"artifactLocation": _artifact_location(finding.path), "replacements": replacements}],
    }


def _sarif_result(finding: Finding, rules: Optional[Rules], index: Dict[str, int]) -> Dict[str, Any]:
    physical: Dict[str, Any] = {"artifactLocation": _artifact_location(finding.path)}
    text = finding.message
    if finding.cell is None:
        physical["region"] = _sarif_region(finding.start, finding.end)
    else:  # cell positions are not positions in the .ipynb file
        text = f"cell {finding.cell}:{finding.start.line}:{finding.start.column}: {text}"
    result: Dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index[finding.code],
        "level": _rule_level(rules, finding.code),
        "message": {"text": text},
        "locations": [{"physicalLocation": physical}],
    }
    fix = _sarif_fix(finding)
    if fix is not None:
        result["fixes"] = [fix]
    if finding.cell is not None:
        result["properties"] = {"cell": finding.cell}
    return result


def _sarif_notification(error: FileError) -> Dict[str, Any]:
    note: Dict[str, Any] = {
        "level": "error",
        "message": {"text": error.reason},
        "locations": [{"physicalLocation": {"artifactLocation": _artifact_location(error.path)}}],
    }
    if error.code:
        note["associatedRule"] = {"id": error.code}
    return note


def _sarif_invocation(errors: Sequence[FileError]) -> Dict[str, Any]:
    invocation: Dict[str, Any] = {"executionSuccessful": not errors}
    if errors:
        invocation["toolExecutionNotifications"] = [_sarif_notification(error) for error in errors]
    return invocation


def _sarif_artifact(report: FileReport) -> Dict[str, Any]:
    """A file of the run with its migration status (and the first finding that sets it) as properties."""
    properties: Dict[str, Any] = {"status": file_status(report)}
    reason = status_reason(report)
    if reason is not None:
        properties["statusReason"] = {
            "ruleId": reason.code,
            "message": reason.message,
            "region": _sarif_region(reason.start, reason.end),
        }
        if reason.cell is not None:
            properties["statusReason"]["cell"] = reason.cell
    return {"location": _artifact_location(report.path), "properties": properties}


def sarif_report(reports: Sequence[FileReport], *, tool_version: str, rules: Optional[Rules] = None) -> str:
    """A SARIF 2.1.0 log with one run: every rule, every finding, file errors as notifications,
    and every file as an artifact whose properties give its status; the run's properties count them."""
    findings = findings_of(reports)
    codes = sorted(set(rules or {}) | {f.code for f in findings})
    index = {code: position for position, code in enumerate(codes)}
    driver = {
        "name": TOOL_NAME,
        "version": tool_version,
        "rules": [_sarif_rule(code, rules) for code in codes],
    }
    run = {
        "tool": {"driver": driver},
        "invocations": [_sarif_invocation(errors_of(reports))],
        "results": [_sarif_result(f, rules, index) for f in findings],
        "artifacts": [_sarif_artifact(report) for report in sorted(reports, key=lambda r: r.path)],
        "properties": {"migration": status_counts(reports)},
    }
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(log, indent=2) + "\n"
