"""How findings are shown: one module per ``--output-format``, imported only when used.

Every report function takes the FileReports of a run (sorted by path) and
returns the whole text the CLI prints or writes to ``--output-file``.
Positions are 1-based; an end column is the column just after the last
character, as in ruff and SARIF. A notebook finding is located as
``nb.ipynb:cell 3:2:5`` (line 2, column 5 of the third cell).

Formats:

- ``text`` (text.py): ruff-style, each finding with its source line and carets.
- ``concise`` (text.py): one ``path:line:col: CODE message`` line per finding.
- ``json`` (json_format.py): a list of findings shaped like ruff's JSON
  output, then file errors (``"error": true``), then every file with its
  migration status (``"file": true``).
- ``github`` (github.py): GitHub Actions workflow commands (``::error ...``).
- ``sarif`` (sarif.py): SARIF 2.1.0, one run; each file an artifact with its status.
- ``junit`` (junit.py): JUnit XML, one test case per file, its status a property.

Also: ``--statistics`` (stats.py), the closing lines of ``check`` and ``fix``
(summary.py), and the migration report of ``tfmigrate report`` (migration.py
for its data and JSON, html.py for its page).
"""
from __future__ import annotations

from importlib import import_module
from typing import Any, Optional, Sequence

FORMATS = ("text", "concise", "json", "github", "sarif", "junit")

# Public name -> the module (in this package) that defines it.
_WHERE = {
    "text_report": "text",
    "concise_report": "text",
    "json_report": "json_format",
    "github_report": "github",
    "sarif_report": "sarif",
    "SARIF_SCHEMA": "sarif",
    "SARIF_VERSION": "sarif",
    "junit_report": "junit",
    "statistics": "stats",
    "statistics_json": "stats",
    "summary_line": "summary",
    "diff_summary": "summary",
    "TOOL_NAME": "_common",
    "Rules": "_common",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_WHERE))


def render(
    format: str,
    reports: Sequence,
    *,
    color: bool = False,
    show_fixes: bool = True,
    unsafe_fixes: bool = False,
    tool_version: str,
    rules: Optional[Any] = None,
) -> str:
    """The report of a run in `format` (one of FORMATS)."""
    if format == "text":
        from .text import text_report

        return text_report(reports, color=color, show_fixes=show_fixes, unsafe_fixes=unsafe_fixes)
    if format == "concise":
        from .text import concise_report

        return concise_report(reports)
    if format == "json":
        from .json_format import json_report

        return json_report(reports, rules=rules)
    if format == "github":
        from .github import github_report

        return github_report(reports)
    if format == "sarif":
        from .sarif import sarif_report

        return sarif_report(reports, tool_version=tool_version, rules=rules)
    if format == "junit":
        from .junit import junit_report

        return junit_report(reports)
    raise ValueError(f"unknown output format {format!r}; choose one of {', '.join(FORMATS)}")
