"""The `json` format: a list of findings shaped like ruff's, then file errors, then one entry per file.

- A finding: `code`, `message`, `filename`, `location` and `end_location`
  (`{row, column}`), `cell` (notebooks; else null), `fix` (null, or
  `{applicability, message, edits}`), `url`.
- A file that could not be checked: `{"error": true, code, message, filename}`
  (`code`: the rule whose fix failed, or null).
- Every file of the run, sorted by path: `{"file": true, filename, status,
  reason}`; `status` is `idiomatic`, `compat-only`, `manual`, `clean` or
  `error`, `reason` the first finding that gives a compat-only or manual file
  its status, as `{code, message, location, end_location, cell}`, else null.
"""
from __future__ import annotations

import json
from typing import Any, Dict, Optional, Sequence

from ..ftypes import Edit, FileError, FileReport, Finding, Fix
from ._common import Rules, errors_of, file_status, findings_of, rule_attr, status_reason


def _point(line: int, column: int) -> Dict[str, int]:
    return {"row": line, "column": column}


def _json_edit(edit: Edit) -> Dict[str, Any]:
    return {
        "content": edit.content,
        "location": _point(edit.start.line, edit.start.column),
        "end_location": _point(edit.end.line, edit.end.column),
    }


def _json_fix(fix: Optional[Fix]) -> Optional[Dict[str, Any]]:
    if fix is None:
        return None
    return {
        "applicability": fix.applicability.value,
        "message": fix.message or None,
        "edits": [_json_edit(edit) for edit in fix.edits],
    }


def _json_finding(finding: Finding, rules: Optional[Rules]) -> Dict[str, Any]:
    return {
        "code": finding.code,
        "message": finding.message,
        "filename": finding.path,
        "location": _point(finding.start.line, finding.start.column),
        "end_location": _point(finding.end.line, finding.end.column),
        "cell": finding.cell,
        "fix": _json_fix(finding.fix),
        "url": rule_attr(rules, finding.code, "url"),
    }


def _json_error(error: FileError) -> Dict[str, Any]:
    return {"code": error.code, "message": error.reason, "filename": error.path, "error": True}


def _json_file(report: FileReport) -> Dict[str, Any]:
    reason = status_reason(report)
    return {
        "file": True,
        "filename": report.path,
        "status": file_status(report),
        "reason": None if reason is None else {
            "code": reason.code,
            "message": reason.message,
            "location": _point(reason.start.line, reason.start.column),
            "end_location": _point(reason.end.line, reason.end.column),
            "cell": reason.cell,
        },
    }


def json_report(reports: Sequence[FileReport], *, rules: Optional[Rules] = None) -> str:
    """A JSON list: every finding (as ruff shows them), every file error, then every file's status."""
    entries = [_json_finding(f, rules) for f in findings_of(reports)]
    entries += [_json_error(error) for error in errors_of(reports)]
    entries += [_json_file(report) for report in sorted(reports, key=lambda r: r.path)]
    return json.dumps(entries, indent=2, sort_keys=True) + "\n"
