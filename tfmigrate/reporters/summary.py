"""The closing lines of `check`, `fix` and `fix --diff` (text and concise formats)."""
from __future__ import annotations

from collections import Counter
from typing import List, Optional, Sequence

from ..ftypes import FileReport, Status
from ._common import BLOCKING, applies, errors_of, findings_of, needs_unsafe, plural, status_reason, where


def _in_files(count: int, word: str, files: int) -> str:
    return f"{plural(count, word)} in {plural(files, 'file')}"


def _check_summary(reports: Sequence[FileReport], unsafe_fixes: bool) -> str:
    findings = findings_of(reports)
    if not findings:
        return "All checks passed." if not errors_of(reports) else "No findings."
    files = sum(1 for report in reports if report.findings)
    fixable = sum(1 for f in findings if applies(f.fix, unsafe_fixes))
    hidden = 0 if unsafe_fixes else sum(1 for f in findings if needs_unsafe(f.fix))
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
            return "All checks passed." if not errors_of(reports) else "No findings."
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


def _not_idiomatic(reports: Sequence[FileReport]) -> List[str]:
    """`  status  path:line:col: CODE message` for each compat-only or manual file, by path.

    The finding named is the file's first reason: the first finding that sets its status.
    """
    lines = []
    for report in sorted(reports, key=lambda r: r.path):
        if report.status not in BLOCKING:
            continue
        reason = status_reason(report)
        told = f"{where(reason)}: {reason.code} {reason.message}" if reason is not None else report.path
        lines.append(f"  {report.status.value:<{_STATUS_WIDTH}}  {told}")
    return lines


_STATUS_WIDTH = max(len(status.value) for status in BLOCKING)


def summary_line(reports: Sequence[FileReport], *, fixing: bool, unsafe_fixes: bool) -> str:
    """The closing lines of `check` and `fix`.

    First line: what was found or fixed, how many fixes `--unsafe-fixes`
    would add, and how many files could not be checked. Second line, when a
    TF1 file was seen: how many files are (or `fix --unsafe-fixes` makes)
    idiomatic TF2, compat-only, or left to do by hand. Then, sorted by path,
    each file that is not idiomatic, with its status and first reason.
    """
    head = _fix_summary(reports, unsafe_fixes) if fixing else _check_summary(reports, unsafe_fixes)
    failed = len(errors_of(reports))
    if failed:
        head += f" {plural(failed, 'file')} could not be {'fixed' if fixing else 'checked'}."
    migration = _migration_line(reports)
    if migration is None:
        return head
    lines = [head, migration]
    stuck = _not_idiomatic(reports)
    if stuck:
        lines += ["Not idiomatic, with the first reason:"] + stuck
    return "\n".join(lines)


def diff_summary(reports: Sequence[FileReport], *, unsafe_fixes: bool) -> str:
    """The closing line of `fix --diff`: files that would change, and what `--unsafe-fixes` would add."""
    count = sum(1 for report in reports if report.diff)
    hidden = 0 if unsafe_fixes else sum(report.unsafe_available for report in reports)
    tail = f" ({hidden} fixable with --unsafe-fixes)" if hidden else ""
    return f"{plural(count, 'file')} would be changed{tail}."
