"""What every output format shares: walking the reports, rule attributes, file statuses."""
from __future__ import annotations

from typing import Any, List, Mapping, Optional, Sequence

from ..ftypes import Applicability, FileError, FileReport, Finding, Fix, Status

TOOL_NAME = "tfmigrate"

# Rules come as {code: rule}; a rule is anything with .code, .name, .summary
# (a string or a method returning one) and, optionally, .url and .level.
Rules = Mapping[str, Any]

ERROR = "error"  # the status of a file that could not be checked
# Every status a file can have, from done to stuck; the order of every table and bar.
STATUSES = (Status.CLEAN.value, Status.IDIOMATIC.value, Status.COMPAT.value, Status.MANUAL.value, ERROR)
BLOCKING = (Status.COMPAT, Status.MANUAL)


def findings_of(reports: Sequence[FileReport]) -> List[Finding]:
    return [finding for report in reports for finding in report.findings]


def errors_of(reports: Sequence[FileReport]) -> List[FileError]:
    return [report.error for report in reports if report.error is not None]


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def where(finding: Finding) -> str:
    """`path:line:col`, or `path:cell N:line:col` in a notebook."""
    cell = f"cell {finding.cell}:" if finding.cell is not None else ""
    return f"{finding.path}:{cell}{finding.start.line}:{finding.start.column}"


def applies(fix: Optional[Fix], unsafe_fixes: bool) -> bool:
    """Whether `fix` (with these flags) would apply this finding's fix."""
    if fix is None:
        return False
    return fix.applicability is Applicability.SAFE or (unsafe_fixes and fix.applicability is Applicability.UNSAFE)


def needs_unsafe(fix: Optional[Fix]) -> bool:
    return fix is not None and fix.applicability is Applicability.UNSAFE


def rule_attr(rules: Optional[Rules], code: Optional[str], attr: str) -> Any:
    """A rule's attribute by code (calling it if it is a method), or None."""
    rule = rules.get(code) if rules and code else None
    value = getattr(rule, attr, None)
    return value() if callable(value) else value


def file_status(report: FileReport) -> str:
    """The file's status as shown: idiomatic, compat-only, manual, clean, or `error`.

    `error` is a file that could not be checked at all (unreadable, not Python 3);
    a file whose fix was reverted keeps the status its findings give.
    """
    if report.error is not None and not report.findings and report.status is Status.CLEAN:
        return ERROR
    return report.status.value


KEPT = "TFM090"  # the graph-to-eager rewrite's reason for keeping a file on tensorflow.compat.v1
STOPPED = (KEPT, "TFM010")  # ... and the Estimator rewrite's for leaving a file as it is


def status_reason(report: FileReport) -> Optional[Finding]:
    """The first finding that gives a compat-only or manual file its status; None otherwise.

    That is the first TFM090 or TFM010 (what stopped the graph-to-eager or the Estimator rewrite) whose
    verdict is the file's status, else the first finding whose own verdict is the file's status, else the first
    blocker, else the first finding no fix removes, else (a report built by hand, a fix
    that failed) the first finding.
    """
    if report.status not in BLOCKING or not report.findings:
        return None
    for finding in report.findings:  # why the rewrite kept the file on compat: the others follow from it
        if finding.verdict is report.status and finding.code in STOPPED:
            return finding
    for finding in report.findings:
        if finding.verdict is report.status:
            return finding
    for finding in report.findings:
        if finding.verdict in BLOCKING:
            return finding
    return next((finding for finding in report.findings if finding.fix is None), report.findings[0])


def is_blocker(finding: Finding) -> bool:
    """Whether the finding keeps its file from becoming idiomatic TF2 by `fix --unsafe-fixes`."""
    return finding.verdict in BLOCKING


def status_counts(reports: Sequence[FileReport]) -> dict:
    """{status: files} over every status, in STATUSES order."""
    counts = dict.fromkeys(STATUSES, 0)
    for report in reports:
        counts[file_status(report)] += 1
    return counts


def fix_description(fix: Fix) -> str:
    """What the fix does, in a few words: the replacement when it is short."""
    if len(fix.edits) == 1:
        content = fix.edits[0].content
        if content == "":
            return "delete it"
        if "\n" not in content and len(content) <= 60:
            return f"replace with `{content}`"
    return fix.message or "rewrite"
