"""Line and column of a few nodes, without position metadata for the whole module.

libcst's PositionProvider records a range for every node of a module (a
``CodeRange`` per node, each token split on newlines as it is generated).
A lint run needs the positions of the handful of nodes it reports, so this
module generates the code once, notes the token index where each wanted node
starts and ends (with PositionProvider's rules: the syntactic range when the
node records one, else the range with its whitespace), and turns only those
indices into lines and columns.
"""
from __future__ import annotations

import bisect
import re
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Dict, Iterable, Iterator, List, Optional, Set, Tuple

import libcst as cst
from libcst._add_slots import add_slots
from libcst._nodes.internal import CodegenState

_NEWLINE = re.compile(r"\r\n?|\n")

Point = Tuple[int, int]  # (line from 1, column from 0), as libcst's CodePosition


@dataclass(frozen=True)
class Span:
    start: Point
    end: Point


_NO_RECORD = nullcontext()


@add_slots
@dataclass(frozen=False)
class _PlainCodegenState(CodegenState):
    """libcst's code generation without its per-node position hook (a
    generator-based context manager entered for most nodes, and about a
    third of the cost of generating code)."""

    def record_syntactic_position(self, node, *, start_node=None, end_node=None):
        return _NO_RECORD


def code_for(module: cst.Module, node: cst.CSTNode) -> str:
    """``module.code_for_node(node)``, faster: the same text."""
    state = _PlainCodegenState(default_indent=module.default_indent, default_newline=module.default_newline)
    node._codegen(state)
    return "".join(state.tokens)


def module_code(module: cst.Module) -> str:
    """``module.code``, faster: the same text."""
    return code_for(module, module)


@add_slots
@dataclass(frozen=False)
class _MarkingCodegenState(CodegenState):
    """Generates code and notes token indices for the wanted nodes only."""

    wanted: Set[int] = field(default_factory=set)
    marks: Dict[int, Tuple[int, int]] = field(default_factory=dict)
    _open: List[Tuple[int, int]] = field(default_factory=list)

    def before_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.wanted:
            self._open.append((id(node), len(self.tokens)))

    def after_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key in self.wanted:
            _, start = self._open.pop()
            if key not in self.marks:  # a syntactic range, recorded inside, wins
                self.marks[key] = (start, len(self.tokens))

    def record_syntactic_position(self, node, *, start_node=None, end_node=None):
        if id(node) not in self.wanted:
            return _NO_RECORD
        return self._record(node, start_node, end_node)

    @contextmanager
    def _record(
        self, node: cst.CSTNode, start_node: Optional[cst.CSTNode], end_node: Optional[cst.CSTNode]
    ) -> Iterator[None]:
        key = id(node)
        # The hoisted bounds come from children generated inside this block.
        for other in (start_node, end_node):
            if other is not None:
                self.wanted.add(id(other))
        start = len(self.tokens)
        try:
            yield
        finally:
            end = len(self.tokens)
            if start_node is not None and id(start_node) in self.marks:
                start = self.marks[id(start_node)][0]
            if end_node is not None and id(end_node) in self.marks:
                end = self.marks[id(end_node)][1]
            self.marks[key] = (start, end)


def spans(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> Dict[int, Span]:
    """``{id(node): Span}`` for those of ``nodes`` that are in ``module``."""
    wanted = {id(node) for node in nodes if node is not None}
    if not wanted:
        return {}
    state = _MarkingCodegenState(
        default_indent=module.default_indent, default_newline=module.default_newline, wanted=set(wanted)
    )
    module._codegen(state)
    tokens = state.tokens
    offsets = [0, *accumulate(map(len, tokens))]
    code = "".join(tokens)
    line_starts = [0, *(m.end() for m in _NEWLINE.finditer(code))]
    last = len(offsets) - 1

    def point(index: int) -> Point:
        offset = offsets[min(index, last)]
        line = bisect.bisect_right(line_starts, offset)
        return line, offset - line_starts[line - 1]

    return {key: Span(point(start), point(end)) for key, (start, end) in state.marks.items() if key in wanted}
