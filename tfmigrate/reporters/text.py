"""The `text` format (ruff's full format: source line and carets) and `concise` (one line each)."""
from __future__ import annotations

from typing import List, Sequence

from ..ftypes import FileReport, Finding
from ._common import applies, errors_of, findings_of, fix_description, where


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
        lines.append(f"{label} {fix_description(finding.fix)}")
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
    for finding in findings_of(reports):
        marker = paint.sep("[*]") + " " if applies(finding.fix, unsafe_fixes) else ""
        head = f"{_styled_where(finding, paint)} {paint.code(finding.code)} {marker}{finding.message}"
        blocks.append("\n".join([head] + _snippet(finding, paint, show_fixes)) + "\n\n")
    for error in errors_of(reports):
        colon = paint.sep(":")
        blocks.append(f"{paint.bold(error.path)}{colon} {paint.code('error')}{colon} {error.reason}\n")
    return "".join(blocks)


def concise_report(reports: Sequence[FileReport]) -> str:
    """One `path:line:col: CODE message` line per finding, then `path: error: reason` lines."""
    lines = [f"{where(f)}: {f.code} {f.message}" for f in findings_of(reports)]
    lines += [f"{error.path}: error: {error.reason}" for error in errors_of(reports)]
    return "".join(line + "\n" for line in lines)
