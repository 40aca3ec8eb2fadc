"""How findings are shown: one function per ``--output-format``.

Every function takes the FileReports of a run (sorted by path) and returns
the whole text the CLI prints or writes to ``--output-file``. Positions are
1-based; an end column is the column just after the last character, as in
ruff and SARIF. A notebook finding is located as ``nb.ipynb:cell 3:2:5``
(line 2, column 5 of the third cell).

Formats:

- ``text``: ruff-style, each finding with its source line and carets.
- ``concise``: one ``path:line:col: CODE message`` line per finding.
- ``json``: a list of findings shaped like ruff's JSON output. A file that
  could not be checked is an entry with ``"error": true``, ``message`` (the
  reason), ``filename`` and ``code`` (the rule whose fix failed, or null).
- ``github``: GitHub Actions workflow commands (``::error ...``).
- ``sarif``: SARIF 2.1.0, one run.
- ``junit``: JUnit XML, one test case per file.
"""
from __future__ import annotations

import json
import os
import pathlib
import re
from collections import Counter
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from .ftypes import Applicability, Edit, FileError, FileReport, Finding, Fix, Status

FORMATS = ("text", "concise", "json", "github", "sarif", "junit")
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "tfmigrate"

# Rules come as {code: rule}; a rule is anything with .code, .name, .summary
# (a string or a method returning one) and, optionally, .url and .level.
Rules = Mapping[str, Any]


# --- shared helpers -----------------------------------------------------------

def _findings(reports: Sequence[FileReport]) -> List[Finding]:
    return [finding for report in reports for finding in report.findings]


def _errors(reports: Sequence[FileReport]) -> List[FileError]:
    return [report.error for report in reports if report.error is not None]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _where(finding: Finding) -> str:
    """`path:line:col`, or `path:cell N:line:col` in a notebook."""
    cell = f"cell {finding.cell}:" if finding.cell is not None else ""
    return f"{finding.path}:{cell}{finding.start.line}:{finding.start.column}"


def _applies(fix: Optional[Fix], unsafe_fixes: bool) -> bool:
    """Whether `fix` (with these flags) would apply this finding's fix."""
    if fix is None:
        return False
    return fix.applicability is Applicability.SAFE or (unsafe_fixes and fix.applicability is Applicability.UNSAFE)


def _needs_unsafe(fix: Optional[Fix]) -> bool:
    return fix is not None and fix.applicability is Applicability.UNSAFE


def _rule_attr(rules: Optional[Rules], code: Optional[str], attr: str) -> Any:
    """A rule's attribute by code (calling it if it is a method), or None."""
    rule = rules.get(code) if rules and code else None
    value = getattr(rule, attr, None)
    return value() if callable(value) else value


def _rule_level(rules: Optional[Rules], code: str) -> str:
    """SARIF level: code that fails on TF2 is an error; code that still runs is a warning."""
    explicit = _rule_attr(rules, code, "level")
    if isinstance(explicit, str):
        return explicit
    rule = rules.get(code) if rules else None
    if rule is None:
        return "warning"  # housekeeping codes without a rule, such as unused suppressions
    return "warning" if getattr(rule, "unfixed_status", None) is Status.COMPAT else "error"


# --- text ---------------------------------------------------------------------

class _Palette:
    """ANSI styles, or nothing when colour is off."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color and text else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def code(self, text: str) -> str:
        return self._wrap("1;31", text)

    def sep(self, text: str) -> str:
        return self._wrap("36", text)

    def gutter(self, text: str) -> str:
        return self._wrap("1;34", text)

    def caret(self, text: str) -> str:
        return self._wrap("1;31", text)

    def fix(self, text: str) -> str:
        return self._wrap("1;36", text)


def _styled_where(finding: Finding, paint: _Palette) -> str:
    parts = [paint.bold(finding.path)]
    if finding.cell is not None:
        parts.append(f"cell {finding.cell}")
    parts += [str(finding.start.line), str(finding.start.column)]
    return paint.sep(":").join(parts) + paint.sep(":")


def _caret_line(finding: Finding, source: str) -> str:
    """Spaces (tabs kept, so they line up) then `^` under the finding's span."""
    start = max(finding.start.column, 1)
    before = source[: start - 1]
    indent = "".join("\t" if ch == "\t" else " " for ch in before) + " " * (start - 1 - len(before))
    if finding.end.line == finding.start.line:
        width = finding.end.column - start
    else:  # a span over several lines: underline to the end of the first
        width = len(source.rstrip()) - (start - 1)
    return indent + "^" * max(width, 1)


def _fix_description(fix: Fix) -> str:
    """What the fix does, in a few words: the replacement when it is short."""
    if len(fix.edits) == 1:
        content = fix.edits[0].content
        if content == "":
            return "delete it"
        if "\n" not in content and len(content) <= 60:
            return f"replace with `{content}`"
    return fix.message or "rewrite"


def _snippet(finding: Finding, paint: _Palette, show_fixes: bool) -> List[str]:
    """The source line with a line-number gutter and carets, then the fix."""
    lines: List[str] = []
    source = finding.source_line.rstrip("\r\n")
    pad = " " * len(str(finding.start.line))
    if source.strip():
        bar = paint.gutter(f"{pad} |")
        lines += [
            bar,
            paint.gutter(f"{finding.start.line} |") + f" {source}".rstrip(),
            bar + " " + paint.caret(_caret_line(finding, source)),
        ]
    if show_fixes and finding.fix is not None:
        label = paint.fix(f"{pad} = fix ({finding.fix.applicability.value}):")
        lines.append(f"{label} {_fix_description(finding.fix)}")
    return lines


def text_report(
    reports: Sequence[FileReport], *, color: bool = False, show_fixes: bool = True, unsafe_fixes: bool = False
) -> str:
    """Ruff's full format: `path:line:col: CODE [*] message`, the source line, carets.

    `[*]` marks a finding that `tfmigrate fix` (with these flags) fixes. With
    `show_fixes`, a last line says what the fix does and how safe it is.
    Files that could not be checked follow as `path: error: reason`.
    """
    paint = _Palette(color)
    blocks: List[str] = []
    for finding in _findings(reports):
        marker = paint.sep("[*]") + " " if _applies(finding.fix, unsafe_fixes) else ""
        head = f"{_styled_where(finding, paint)} {paint.code(finding.code)} {marker}{finding.message}"
        blocks.append("\n".join([head] + _snippet(finding, paint, show_fixes)) + "\n\n")
    for error in _errors(reports):
        colon = paint.sep(":")
        blocks.append(f"{paint.bold(error.path)}{colon} {paint.code('error')}{colon} {error.reason}\n")
    return "".join(blocks)


def concise_report(reports: Sequence[FileReport]) -> str:
    """One `path:line:col: CODE message` line per finding, then `path: error: reason` lines."""
    lines = [f"{_where(f)}: {f.code} {f.message}" for f in _findings(reports)]
    lines += [f"{error.path}: error: {error.reason}" for error in _errors(reports)]
    return "".join(line + "\n" for line in lines)


# --- json ---------------------------------------------------------------------

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
        "url": _rule_attr(rules, finding.code, "url"),
    }


def _json_error(error: FileError) -> Dict[str, Any]:
    return {"code": error.code, "message": error.reason, "filename": error.path, "error": True}


def json_report(reports: Sequence[FileReport], *, rules: Optional[Rules] = None) -> str:
    """A JSON list: every finding (as ruff shows them), then every file error."""
    entries = [_json_finding(f, rules) for f in _findings(reports)]
    entries += [_json_error(error) for error in _errors(reports)]
    return json.dumps(entries, indent=2, sort_keys=True) + "\n"


# --- github -------------------------------------------------------------------

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
    lines = [_github_finding(f) for f in _findings(reports)]
    lines += [_github_error(error) for error in _errors(reports)]
    return "".join(line + "\n" for line in lines)


# --- sarif --------------------------------------------------------------------

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
    name = _rule_attr(rules, code, "name")
    if name:
        entry["name"] = name
    summary = _rule_attr(rules, code, "summary")
    if summary:
        entry["shortDescription"] = {"text": summary}
    url = _rule_attr(rules, code, "url")
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
    description = f"{_fix_description(fix)} ({fix.applicability.value} fix)"
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


def sarif_report(reports: Sequence[FileReport], *, tool_version: str, rules: Optional[Rules] = None) -> str:
    """A SARIF 2.1.0 log with one run: every rule, every finding, and file errors as notifications."""
    findings = _findings(reports)
    codes = sorted(set(rules or {}) | {f.code for f in findings})
    index = {code: position for position, code in enumerate(codes)}
    driver = {
        "name": TOOL_NAME,
        "version": tool_version,
        "rules": [_sarif_rule(code, rules) for code in codes],
    }
    run = {
        "tool": {"driver": driver},
        "invocations": [_sarif_invocation(_errors(reports))],
        "results": [_sarif_result(f, rules, index) for f in findings],
    }
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(log, indent=2) + "\n"


# --- junit --------------------------------------------------------------------

# Characters XML 1.0 cannot hold at all, even escaped. (Compiled on first use: about 5 ms.)
_XML_INVALID = "[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"


def _xml(text: str) -> str:
    return re.sub(_XML_INVALID, "\ufffd", text)


def _junit_case(report: FileReport):
    import xml.etree.ElementTree as ET  # only JUnit needs it: not at start-up

    case = ET.Element("testcase", name=_xml(report.path), classname=_xml(report.path))
    for finding in report.findings:
        failure = ET.SubElement(case, "failure", message=_xml(f"{finding.code} {finding.message}"), type=finding.code)
        failure.text = _xml(_where(finding))
    if report.error is not None:
        ET.SubElement(case, "error", message=_xml(report.error.reason), type="error")
    return case


def junit_report(reports: Sequence[FileReport]) -> str:
    """JUnit XML: suite `tfmigrate`, one test case per file checked.

    A finding is a `<failure>` (message `CODE message`, text its location), a
    file that could not be checked an `<error>`. `failures` and `errors`
    count the test cases (files) that have them, as the JUnit schema says.
    """
    import xml.etree.ElementTree as ET

    cases = [_junit_case(report) for report in reports]
    counts = {
        "tests": str(len(cases)),
        "failures": str(sum(1 for report in reports if report.findings)),
        "errors": str(sum(1 for report in reports if report.error is not None)),
    }
    root = ET.Element("testsuites", name=TOOL_NAME, **counts)
    suite = ET.SubElement(root, "testsuite", name=TOOL_NAME, skipped="0", **counts)
    suite.extend(cases)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# --- dispatch -----------------------------------------------------------------

def render(
    format: str,
    reports: Sequence[FileReport],
    *,
    color: bool = False,
    show_fixes: bool = True,
    unsafe_fixes: bool = False,
    tool_version: str,
    rules: Optional[Rules] = None,
) -> str:
    """The report of a run in `format` (one of FORMATS)."""
    renderers: Dict[str, Callable[[], str]] = {
        "text": lambda: text_report(reports, color=color, show_fixes=show_fixes, unsafe_fixes=unsafe_fixes),
        "concise": lambda: concise_report(reports),
        "json": lambda: json_report(reports, rules=rules),
        "github": lambda: github_report(reports),
        "sarif": lambda: sarif_report(reports, tool_version=tool_version, rules=rules),
        "junit": lambda: junit_report(reports),
    }
    if format not in renderers:
        raise ValueError(f"unknown output format {format!r}; choose one of {', '.join(FORMATS)}")
    return renderers[format]()


# --- statistics ---------------------------------------------------------------

def _code_counts(reports: Sequence[FileReport], unsafe_fixes: bool) -> List[Tuple[str, int, int]]:
    """(code, findings, fixable findings), most findings first, then by code."""
    total: Counter = Counter()
    fixable: Counter = Counter()
    for finding in _findings(reports):
        total[finding.code] += 1
        fixable[finding.code] += _applies(finding.fix, unsafe_fixes)
    return sorted(((code, total[code], fixable[code]) for code in total), key=lambda row: (-row[1], row[0]))


def statistics(reports: Sequence[FileReport], rules: Optional[Rules] = None, *, unsafe_fixes: bool = False) -> str:
    """Findings per code, most first: `count  code  [*] name  N fixable`, then the total.

    `[*]` marks codes with findings that `tfmigrate fix` (with these flags)
    fixes. The total line is the number of findings left to migrate, and how
    many more `--unsafe-fixes` would fix.
    """
    rows = _code_counts(reports, unsafe_fixes)
    if not rows:
        return ""
    names = [_rule_attr(rules, code, "name") or "" for code, _, _ in rows]
    all_found = sum(count for _, count, _ in rows)
    all_fixable = sum(fixable for _, _, fixable in rows)
    widths = (len(str(all_found)), max(len(code) for code, _, _ in rows), max(map(len, names)), len(str(all_fixable)))
    lines = [_statistics_row(row, name, widths) for row, name in zip(rows, names)]
    hidden = 0 if unsafe_fixes else sum(1 for f in _findings(reports) if _needs_unsafe(f.fix))
    note = f" ({hidden} more with --unsafe-fixes)" if hidden else ""
    count_width, code_width, name_width, fixable_width = widths
    label = "total".ljust(code_width + 6 + name_width)  # spans the code, marker and name columns
    lines.append(f"{all_found:>{count_width}}  {label}  {all_fixable:>{fixable_width}} fixable{note}")
    return "".join(line + "\n" for line in lines)


def _statistics_row(row: Tuple[str, int, int], name: str, widths: Tuple[int, int, int, int]) -> str:
    (code, count, fixable), (count_width, code_width, name_width, fixable_width) = row, widths
    marker = "[*]" if fixable else "   "
    counted = f"{count:>{count_width}}  {code:<{code_width}}"
    return f"{counted}  {marker} {name:<{name_width}}  {fixable:>{fixable_width}} fixable"


def statistics_json(
    reports: Sequence[FileReport], rules: Optional[Rules] = None, *, unsafe_fixes: bool = False
) -> str:
    """The statistics as a JSON list of {code, name, count, fixable_count}, most findings first."""
    entries = [
        {"code": code, "name": _rule_attr(rules, code, "name"), "count": count, "fixable_count": fixable}
        for code, count, fixable in _code_counts(reports, unsafe_fixes)
    ]
    return json.dumps(entries, indent=2) + "\n"


# --- summary ------------------------------------------------------------------

def _in_files(count: int, word: str, files: int) -> str:
    return f"{_plural(count, word)} in {_plural(files, 'file')}"


def _check_summary(reports: Sequence[FileReport], unsafe_fixes: bool) -> str:
    findings = _findings(reports)
    if not findings:
        return "All checks passed." if not _errors(reports) else "No findings."
    files = sum(1 for report in reports if report.findings)
    fixable = sum(1 for f in findings if _applies(f.fix, unsafe_fixes))
    hidden = 0 if unsafe_fixes else sum(1 for f in findings if _needs_unsafe(f.fix))
    notes = []
    if fixable:
        notes.append(f"{fixable} fixable")
    if hidden:
        notes.append(f"{hidden} more with --unsafe-fixes" if fixable else f"{hidden} fixable with --unsafe-fixes")
    tail = f" ({'; '.join(notes)})" if notes else ""
    return f"Found {_in_files(len(findings), 'finding', files)}{tail}."


def _fix_summary(reports: Sequence[FileReport], unsafe_fixes: bool) -> str:
    fixed = sum(report.fixed for report in reports)
    remaining = sum(len(report.findings) for report in reports)
    hidden = 0 if unsafe_fixes else sum(report.unsafe_available for report in reports)
    if not fixed:
        if not remaining:
            return "All checks passed." if not _errors(reports) else "No findings."
        files = sum(1 for report in reports if report.findings)
        tail = f" ({hidden} fixable with --unsafe-fixes)" if hidden else ""
        return f"Found {_in_files(remaining, 'finding', files)}, none fixed{tail}."
    files = sum(1 for report in reports if report.fixed)
    notes = []
    if remaining:
        notes.append(f"{remaining} remaining")
    if hidden:
        notes.append(f"{hidden} fixable with --unsafe-fixes")
    tail = f" ({'; '.join(notes)})" if notes else ""
    return f"Fixed {_in_files(fixed, 'finding', files)}{tail}."


def _migration_line(reports: Sequence[FileReport]) -> Optional[str]:
    """How the TF1 files end up after `fix --unsafe-fixes`; None when there were none."""
    counts = Counter(report.status for report in reports if report.status is not Status.CLEAN)
    if not counts:
        return None
    parts = [f"{counts[status]} {status.value}" for status in (Status.IDIOMATIC, Status.COMPAT, Status.MANUAL)]
    return f"Migration: {', '.join(parts)}."


def summary_line(reports: Sequence[FileReport], *, fixing: bool, unsafe_fixes: bool) -> str:
    """The closing line(s) of `check` and `fix`.

    First line: what was found or fixed, how many fixes `--unsafe-fixes`
    would add, and how many files could not be checked. Second line, when a
    TF1 file was seen: how many files are (or `fix --unsafe-fixes` makes)
    idiomatic TF2, compat-only, or left to do by hand.
    """
    head = _fix_summary(reports, unsafe_fixes) if fixing else _check_summary(reports, unsafe_fixes)
    failed = len(_errors(reports))
    if failed:
        head += f" {_plural(failed, 'file')} could not be {'fixed' if fixing else 'checked'}."
    migration = _migration_line(reports)
    return head if migration is None else f"{head}\n{migration}"
