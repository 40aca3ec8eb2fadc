"""Advice for a file that does not parse because it is Python 2 code (common in TF1 repositories).

tfmigrate reads Python 3 only; such a file is reported as an error. When the
syntax error looks like Python 2 (a print or exec statement, `except E, e:`,
`raise E, "message"`, backticks, `<>`, `0777` or `10L` literals, `ur""`
strings), the error says how to convert it first: with fissix, the maintained
fork of lib2to3, whose `python -m fissix` is the `2to3` command (Python's own
`2to3` was removed in Python 3.13).
"""
from __future__ import annotations

import re
import shlex
from typing import Optional

# Python's own words for Python 2 syntax (3.9 to 3.13).
_MESSAGES = (
    "Missing parentheses in call to 'print'",
    "Missing parentheses in call to 'exec'",
    "multiple exception types must be parenthesized",
    "leading zeros in decimal integer literals are not permitted",
)
# Python 2 forms on the line the error is on.
_LINE = re.compile(
    r"""^\s*(?:print\s*>>|print\s+[^\s(=.,)\[:;+\-*/%&|^<>!]|exec\s+["'\w]|except\s+[\w.]+\s*,\s*\w+\s*:"""
    r"""|raise\s+[\w.]+\s*,)|`|<>|\b\d+[lL]\b|\b[uU][rR]["']"""
)
_AT_LINE = re.compile(r"\bat line (\d+)\b")


def looks_like_python2(text: str, reason: str) -> bool:
    """Whether the syntax error `reason` (naming its line) in `text` is Python 2 code."""
    if any(message in reason for message in _MESSAGES):
        return True
    match = _AT_LINE.search(reason)
    if match is None:
        return False
    number = int(match.group(1))
    lines = text.splitlines()
    return 0 < number <= len(lines) and _LINE.search(lines[number - 1]) is not None


def python2_advice(path: str) -> str:
    """What to run before checking `path` again."""
    quoted = shlex.quote(path)
    return (f"Python 2 code: convert it to Python 3 first (pip install fissix && python -m fissix -w -n {quoted})"
            " or exclude it (extend-exclude)")


def with_advice(text: str, reason: str, path: str) -> str:
    """`reason`, followed by how to convert the file when it is Python 2 code."""
    advice: Optional[str] = python2_advice(path) if looks_like_python2(text, reason) else None
    return reason if advice is None else f"{reason} -- {advice}"
