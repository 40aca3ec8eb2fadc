"""`check --add-ignore`: a suppression comment on every current finding.

A large code base can adopt the check today and remove the comments as the
migration goes on; a comment that no longer suppresses anything is reported
(TFM900).
"""
from __future__ import annotations

import io
import re
import tokenize
from typing import Dict, List, Set, Tuple

from .ftypes import FileError, FileReport
from .sources import SourceError, encode_source, ensure_writable, read_source, write_atomic

_EXISTING = re.compile(r"#\s*tfmigrate:\s*ignore\[(?P<codes>[^\]]*)\]")


def _comment_lines(text: str) -> Set[int]:
    """Lines whose end is outside any string: a comment can go there."""
    safe: Set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT):
                safe.add(token.start[0])
            elif token.type == tokenize.ENDMARKER:
                safe.add(token.start[0])
    except (tokenize.TokenError, SyntaxError):
        pass
    return safe


def add_to_text(text: str, codes_by_line: Dict[int, Set[str]]) -> Tuple[str, int, List[int]]:
    """(new text, comments written, lines where no comment could go)."""
    lines = text.splitlines(keepends=True)
    safe = _comment_lines(text)
    added, skipped = 0, []
    for number, codes in sorted(codes_by_line.items()):
        if number > len(lines) or number not in safe:
            skipped.append(number)
            continue
        line = lines[number - 1]
        body = line.rstrip("\r\n")
        ending = line[len(body):]
        existing = _EXISTING.search(body)
        if existing:
            merged = sorted(set(c.strip() for c in existing.group("codes").split(",") if c.strip()) | codes)
            body = body[: existing.start()] + f"# tfmigrate: ignore[{','.join(merged)}]" + body[existing.end():]
        else:
            body = f"{body}  # tfmigrate: ignore[{','.join(sorted(codes))}]"
        lines[number - 1] = body + ending
        added += 1
    return "".join(lines), added, skipped


def add_ignores(reports: List[FileReport]) -> Tuple[int, List[FileError]]:
    total, failures = 0, []
    for report in reports:
        if report.error is not None or not report.findings or report.path.endswith(".ipynb"):
            continue
        codes_by_line: Dict[int, Set[str]] = {}
        for finding in report.findings:
            codes_by_line.setdefault(finding.start.line, set()).add(finding.code)
        try:
            source = read_source(report.path)
            ensure_writable(source)
            text, added, skipped = add_to_text(source.text, codes_by_line)
            if added:
                write_atomic(report.path, encode_source(text, source))
            total += added
            for line in skipped:
                failures.append(FileError(report.path, f"line {line}: a comment there would change a string"))
        except SourceError as error:
            failures.append(FileError(report.path, error.reason))
    return total, failures
