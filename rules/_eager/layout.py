"""The shape of a moved expression: its continuation lines move as its first line did.

``cost = tf.reduce_mean(tf.square(\\n       y - Y))`` becomes ``return tf.reduce_mean(...)``
inside a function: the expression's first line now starts four columns further
right, and its continuation lines follow it: an aligned argument stays under its
bracket, and a hanging indent (a first line that ends with a bracket) moves with
the statement's indentation, so it stays one level deeper than the statement. Only the
whitespace between tokens changes: a string that spans lines is left as it is.
"""
from __future__ import annotations

import re

import libcst as cst

from tfmigrate.traverse import Transformer

from . import queries

_CONTINUED = re.compile(r"(\\\r?\n)([ \t]*)")


def column(text: str, index: int) -> int:
    """The column of ``text[index]`` on its line."""
    return index - (text.rfind("\n", 0, index) + 1)


def indentation(text: str, index: int) -> int:
    """The indentation of the line holding ``text[index]``."""
    start = text.rfind("\n", 0, index) + 1
    line = text[start:index]
    return len(line) - len(line.lstrip(" "))


def hanging(code: str) -> bool:
    """Does the first line of ``code`` end with an opening bracket (its next lines hang under the statement)?"""
    return code.split("\n", 1)[0].rstrip().endswith(("(", "[", "{"))


def _moved(spaces: str, delta: int) -> str:
    if "\t" in spaces:
        return spaces  # a tab's width is the reader's: its lines stay as written
    if delta >= 0:
        return spaces + " " * delta
    removable = len(spaces) - len(spaces.rstrip(" "))
    return spaces[: len(spaces) - min(-delta, removable)]


class _Shift(Transformer):
    def __init__(self, delta: int, bracketed: bool) -> None:
        super().__init__()
        self.delta = delta
        self.bracketed = bracketed

    def leave_ParenthesizedWhitespace(self, original, updated):
        if not self.bracketed:
            return updated
        lines = [line.with_changes(whitespace=cst.SimpleWhitespace(_moved(line.whitespace.value, self.delta)))
                 for line in updated.empty_lines]
        return updated.with_changes(
            empty_lines=lines, last_line=cst.SimpleWhitespace(_moved(updated.last_line.value, self.delta)))

    def leave_SimpleWhitespace(self, original, updated):
        if "\\" not in updated.value:
            return updated
        return updated.with_changes(
            value=_CONTINUED.sub(lambda m: m.group(1) + _moved(m.group(2), self.delta), updated.value))


def shift(node: cst.CSTNode, delta: int, bracketed: bool = True) -> cst.CSTNode:
    """``node`` with each continuation line moved ``delta`` columns (left when negative, as far
    as its indentation allows). ``bracketed=False``: only the lines continued by a backslash (a
    statement moved to another block: libcst writes the lines inside brackets relative to the
    block's indentation, and a backslash's as they were)."""
    if not delta or (not bracketed and not queries.find(
            node, cst.SimpleWhitespace, lambda w: "\\" in w.value, first=True, trivia=True)):
        return node  # (nothing a backslash continues: nothing to move)
    return node.visit(_Shift(delta, bracketed))


def one_line(code: str) -> str:
    """A value continued on the next lines inside its assign's call (``tf.assign(b, b - lr *\\n ...)``) on one
    line, where it holds no comment or string across lines; else in brackets of its own."""
    if "\n" not in code:
        return code
    if "#" in code or '"""' in code or "'''" in code or "\\\n" in code:
        return f"({code})"
    joined = ""
    for part in (part.strip() for part in code.splitlines()):
        tight = joined.endswith(("(", "[", "{")) or part.startswith((")", "]", "}", ","))
        joined += part if tight or not joined else " " + part
    return joined
