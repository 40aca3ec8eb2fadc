"""The data of `tfmigrate report`: progress overall and per folder, blockers, every file.

`migration_data` turns the FileReports of a check into one JSON-ready dict;
`migration_json` writes it (`report --format json`, for dashboards; the
README gives its JSON Schema) and html.py draws it. Everything is sorted, so
the same tree gives the same bytes.
"""
from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Optional, Sequence

from ..ftypes import FileReport, Finding
from ._common import STATUSES, TOOL_NAME, Rules, file_status, is_blocker, rule_attr, status_counts, status_reason
from .blockers import group_blockers

SCHEMA_VERSION = 1


def _finding(finding: Finding, rules: Optional[Rules]) -> Dict[str, Any]:
    fix = finding.fix.applicability.value if finding.fix is not None else None
    return {
        "code": finding.code,
        "name": rule_attr(rules, finding.code, "name"),
        "message": finding.message,
        "line": finding.start.line,
        "column": finding.start.column,
        "end_line": finding.end.line,
        "end_column": finding.end.column,
        "cell": finding.cell,
        "source": finding.source_line.rstrip("\r\n"),
        "fix": fix,
        "verdict": finding.verdict.value if finding.verdict is not None else None,
        "blocker": is_blocker(finding),
    }


def _place(finding: Finding) -> Dict[str, Any]:
    return {"line": finding.start.line, "column": finding.start.column, "cell": finding.cell}


def _file(report: FileReport, rules: Optional[Rules]) -> Dict[str, Any]:
    reason = status_reason(report)
    return {
        "path": report.path,
        "status": file_status(report),
        "error": report.error.reason if report.error is not None else None,
        "reason": None if reason is None else {"code": reason.code, "message": reason.message, **_place(reason)},
        "findings": [_finding(f, rules) for f in report.findings],
    }


def _folder_of(path: str) -> str:
    return os.path.dirname(path) or os.curdir


def _parent(folder: str) -> str:
    return os.path.dirname(folder) or os.curdir


def _common_folder(folders: Sequence[str]) -> Optional[str]:
    try:
        common = os.path.commonpath(folders)
    except ValueError:  # relative and absolute paths, or other drives
        return None
    return common or os.curdir


def _folders(reports: Sequence[FileReport]) -> List[Dict[str, Any]]:
    """Every folder holding files, from the folder common to all down: counts of all files below it."""
    if not reports:
        return []
    top = _common_folder([_folder_of(r.path) for r in reports])
    counts: Dict[str, Dict[str, int]] = {}
    for report in reports:
        status = file_status(report)
        folder = _folder_of(report.path)
        while True:  # up to the common folder (or, with none, to the top of each path)
            counts.setdefault(folder, dict.fromkeys(STATUSES, 0))[status] += 1
            up = _parent(folder)
            if folder == top or up == folder:
                break
            folder = up
    rows = []
    for folder in sorted(counts, key=_folder_key):
        depth = len(_folder_key(folder)) - (len(_folder_key(top)) if top is not None else 0)
        rows.append({"path": folder, "depth": depth, "files": sum(counts[folder].values()), "counts": counts[folder]})
    return rows


def _folder_key(folder: str) -> tuple:
    return tuple(part for part in folder.replace(os.sep, "/").split("/") if part not in ("", os.curdir))


def _blockers(reports: Sequence[FileReport], rules: Optional[Rules]) -> List[Dict[str, Any]]:
    return [
        {
            "code": group.code,
            "name": rule_attr(rules, group.code, "name"),
            "reason": group.reason,
            "files": group.files,
            "findings": group.findings,
            "blocked": [{"path": path, **_place(group.first[path])} for path in sorted(group.first)],
        }
        for group in group_blockers(reports)
    ]


def migration_data(reports: Sequence[FileReport], *, rules: Optional[Rules] = None,
                   tool_version: str = "", paths: Sequence[str] = ()) -> Dict[str, Any]:
    """Everything the report shows, as plain JSON values."""
    ordered = sorted(reports, key=lambda r: r.path)
    totals: Dict[str, int] = {"files": len(ordered), **status_counts(ordered)}
    totals["findings"] = sum(len(r.findings) for r in ordered)
    totals["blockers"] = sum(1 for r in ordered for f in r.findings if is_blocker(f))
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": tool_version},
        "paths": list(paths),
        "statuses": list(STATUSES),
        "totals": totals,
        "folders": _folders(ordered),
        "blockers": _blockers(ordered, rules),
        "files": [_file(report, rules) for report in ordered],
    }


def migration_json(data: Dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
