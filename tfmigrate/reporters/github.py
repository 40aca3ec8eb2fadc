"""The `github` format: GitHub Actions workflow commands, shown as annotations on a pull request."""
from __future__ import annotations

from typing import List, Sequence, Tuple

from ..ftypes import FileError, FileReport, Finding
from ._common import TOOL_NAME, errors_of, findings_of


def _escape_data(text: str) -> str:
    """A workflow command's message: `%`, CR and LF are percent-encoded."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A workflow command's property value: as data, plus `:` and `,`."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(properties: Sequence[Tuple[str, object]], message: str) -> str:
    props = ",".join(f"{key}={_escape_property(str(value))}" for key, value in properties)
    return f"::error {props}::{_escape_data(message)}"


def _github_finding(finding: Finding) -> str:
    properties: List[Tuple[str, object]] = [("title", f"{TOOL_NAME} ({finding.code})"), ("file", finding.path)]
    message = f"{finding.code} {finding.message}"
    if finding.cell is None:
        properties += [
            ("line", finding.start.line),
            ("col", finding.start.column),
            ("endLine", finding.end.line),
            ("endColumn", finding.end.column),
        ]
    else:  # cell lines are not lines of the .ipynb file: annotate the file, say where in the text
        message = f"cell {finding.cell}:{finding.start.line}:{finding.start.column}: {message}"
    return _command(properties, message)


def _github_error(error: FileError) -> str:
    properties: List[Tuple[str, object]] = [("file", error.path)]
    if error.code:
        properties.insert(0, ("title", f"{TOOL_NAME} ({error.code})"))
    return _command(properties, error.reason)


def github_report(reports: Sequence[FileReport]) -> str:
    """GitHub Actions `::error` commands, which show up as annotations on a pull request."""
    lines = [_github_finding(f) for f in findings_of(reports)]
    lines += [_github_error(error) for error in errors_of(reports)]
    return "".join(line + "\n" for line in lines)
