"""`--statistics`: findings per code, most first, and how many `fix` fixes."""
from __future__ import annotations

import json
from collections import Counter
from typing import List, Optional, Sequence, Tuple

from ..ftypes import FileReport
from ._common import Rules, applies, findings_of, needs_unsafe, rule_attr


def _code_counts(reports: Sequence[FileReport], unsafe_fixes: bool) -> List[Tuple[str, int, int]]:
    """(code, findings, fixable findings), most findings first, then by code."""
    total: Counter = Counter()
    fixable: Counter = Counter()
    for finding in findings_of(reports):
        total[finding.code] += 1
        fixable[finding.code] += applies(finding.fix, unsafe_fixes)
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
    names = [rule_attr(rules, code, "name") or "" for code, _, _ in rows]
    all_found = sum(count for _, count, _ in rows)
    all_fixable = sum(fixable for _, _, fixable in rows)
    widths = (len(str(all_found)), max(len(code) for code, _, _ in rows), max(map(len, names)), len(str(all_fixable)))
    lines = [_statistics_row(row, name, widths) for row, name in zip(rows, names)]
    hidden = 0 if unsafe_fixes else sum(1 for f in findings_of(reports) if needs_unsafe(f.fix))
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
        {"code": code, "name": rule_attr(rules, code, "name"), "count": count, "fixable_count": fixable}
        for code, count, fixable in _code_counts(reports, unsafe_fixes)
    ]
    return json.dumps(entries, indent=2) + "\n"
