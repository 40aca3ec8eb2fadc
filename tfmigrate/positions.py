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

import ast
import bisect
import re
import warnings
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

import libcst as cst
from libcst._add_slots import add_slots
from libcst._nodes.internal import CodegenState

from .traverse import index

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
    until: Optional[Set[int]] = None  # the wanted nodes still to generate: the code after them is not needed

    def before_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.wanted:
            self._open.append((id(node), len(self.tokens)))

    def after_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key in self.wanted:
            _, start = self._open.pop()
            if key not in self.marks:  # a syntactic range, recorded inside, wins
                self.marks[key] = (start, len(self.tokens))
            until = self.until
            if until is not None and key in until:
                until.discard(key)
                if not until:
                    raise _Enough

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


def spans(module: cst.Module, nodes: Iterable[cst.CSTNode], text: Optional[str] = None) -> Dict[int, Span]:
    """``{id(node): Span}`` for those of ``nodes`` that are in ``module``.

    With ``text``, the source ``module`` was parsed from, only the top-level statements
    that hold the nodes are generated, each placed at its line (Python's own parser
    says which), when what it generates is the text there; else the whole module is.
    """
    wanted = {id(node) for node in nodes if node is not None}
    if not wanted:
        return {}
    if text is not None:
        found = _by_statement(module, wanted, text)
        if found is not None:
            return found
    state = _marked(module, module, wanted)
    return _spans(state, wanted, 0, _line_starts("".join(state.tokens)))


def _line_starts(code: str) -> List[int]:
    return [0, *(m.end() for m in _NEWLINE.finditer(code))]


class _Enough(Exception):
    """Every wanted node of the statement is generated: the rest of its code is not needed."""


def _marked(module: cst.Module, node: cst.CSTNode, wanted: Set[int],
            indents: Sequence[str] = (), held: Optional[Set[int]] = None) -> _MarkingCodegenState:
    """The code of ``node`` (``module``'s own, or one of its statements, in blocks indented
    by ``indents``), with the token indices where the wanted nodes start and end. With
    ``held`` (the wanted nodes inside ``node``), only the code up to the last of them."""
    state = _MarkingCodegenState(
        default_indent=module.default_indent, default_newline=module.default_newline, wanted=set(wanted),
        indent_tokens=list(indents), until=set(held) if held else None,
    )
    try:
        node._codegen(state)
    except _Enough:
        pass
    return state


def _spans(state: _MarkingCodegenState, wanted: Set[int], base: int, line_starts: List[int]) -> Dict[int, Span]:
    """The wanted nodes' spans, for code generated at offset ``base`` of a text whose lines
    start at ``line_starts``."""
    offsets = [base, *(base + offset for offset in accumulate(map(len, state.tokens)))]
    last = len(offsets) - 1

    def point(index: int) -> Point:
        offset = offsets[min(index, last)]
        line = bisect.bisect_right(line_starts, offset)
        return line, offset - line_starts[line - 1]

    return {key: Span(point(start), point(end)) for key, (start, end) in state.marks.items() if key in wanted}


def _by_statement(module: cst.Module, wanted: Set[int], text: str) -> Optional[Dict[int, Span]]:
    """:func:`spans` from the statements that hold the wanted nodes, or None where that
    cannot be done exactly (a node outside the statements, a line the parsers count
    differently, generated code that is not the text at its line).

    Each wanted node's innermost statement is generated (with the indentation of the
    blocks around it) and found in the text: code that occurs once is where it is. Where
    it occurs more than once, its top-level statement is placed at the line Python's own
    parser gives it."""
    if "\r" in text or "\f" in text or text.startswith("\ufeff") or not module.body:
        return None
    tree = index(module)
    if tree.shared:
        return None
    holders: Dict[int, Tuple[int, cst.CSTNode, List[str], int]] = {}  # number -> (end, statement, indents, top)
    numbered: List[Tuple[int, int]] = []  # (number, id) of each wanted node
    for key in wanted:
        number = tree.numbers.get(key)
        if number is None:
            return None  # trivia, or a node of another tree
        holder = _holder(module, tree, number)
        if holder is None:
            return None  # the module itself
        holders[holder[0]] = holder[1:]
        numbered.append((number, key))
    numbered.sort()
    starts = [number for number, _ in numbered]

    def held(start: int, end: int) -> Set[int]:
        return {key for _, key in numbered[bisect.bisect_left(starts, start):bisect.bisect_left(starts, end)]}
    line_starts = _line_starts(text)
    found: Dict[int, Span] = {}
    first_lines: Optional[List[int]] = None
    placed_to = -1  # the end of the last statement generated: the statements inside it are done
    for number in sorted(holders):
        if number < placed_to:
            continue
        end, stmt, indents, top = holders[number]
        state = _marked(module, stmt, wanted, indents, held(number, end))
        code = "".join(state.tokens)
        base = text.find(code)
        if base < 0:
            return None
        if text.find(code, base + 1) >= 0:  # not unique: the top-level statement, at its line
            if first_lines is None:
                first_lines = _first_lines(text, module.body)
                if first_lines is None:
                    return None
            line = first_lines[top]
            if not 1 <= line <= len(line_starts):
                return None
            stmt = module.body[top]
            number, end = tree.extent(stmt)
            state = _marked(module, stmt, wanted, (), held(number, end))
            base = line_starts[line - 1]
            if not text.startswith("".join(state.tokens), base):
                return None
        found.update(_spans(state, wanted, base, line_starts))
        placed_to = end
    return found


def _holder(module: cst.Module, tree, number: int) -> Optional[Tuple[int, int, cst.CSTNode, List[str], int]]:
    """The innermost statement of a block that holds node ``number``: its number, the
    number after it, the statement, the indentation of the blocks around it, and the index
    of its top-level statement; None for the module itself."""
    numbers, ends = tree.numbers, tree.ends
    body, indents, top = module.body, [], None
    blocks = tree.by_type.get(cst.IndentedBlock, ((), ()))
    at = bisect.bisect_right(blocks[0], number)
    held = None
    while True:
        starts = [numbers[id(stmt)] for stmt in body]
        inside = bisect.bisect_right(starts, number) - 1
        if inside < 0 or number >= ends[starts[inside]]:
            return held  # the block itself (or its statements' surroundings)
        stmt = body[inside]
        if top is None:
            top = inside
        start, end = starts[inside], ends[starts[inside]]
        held = (start, end, stmt, list(indents), top)
        # the innermost block of this statement around the node, if any
        block = None
        for candidate in range(bisect.bisect_right(blocks[0], start), at):
            block_number = blocks[0][candidate]
            if block_number < end and number < ends[block_number]:
                block = blocks[1][candidate]
                break
        if block is None:
            return held
        indents.append(module.default_indent if block.indent is None else block.indent)
        body = block.body


def _first_lines(text: str, body) -> Optional[List[int]]:
    """The line where each top-level statement's code starts (its leading blank and comment
    lines included), from Python's parser; None where the two parsers do not pair up."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes and the like: the check reports what it reports
            statements = ast.parse(text).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    lines: List[int] = []
    at = 0
    for stmt in body:
        if at >= len(statements):
            return None
        node = statements[at]
        at += len(stmt.body) if isinstance(stmt, cst.SimpleStatementLine) else 1
        line = node.lineno
        leading = len(stmt.leading_lines)
        decorators = getattr(stmt, "decorators", ())
        if decorators:
            if not getattr(node, "decorator_list", None):
                return None
            line = node.decorator_list[0].lineno
            leading += len(decorators[0].leading_lines)
        lines.append(line - leading)
    return lines if at == len(statements) else None
