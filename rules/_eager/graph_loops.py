"""A ``for`` loop that builds one tensor, step by step, from a value made just before it.

``embed = tf.zeros([batch, size])`` then ``for element in range(window): embed += tf.nn.embedding_lookup(
embeddings, x[:, element])`` (the cookbook's CBOW): TF1 built one op per step and ran the sum at each run.
The rewrite is one function that computes the sum when called, the loop inside it::

    def embed(x):
        embed = tf.zeros([batch, size])
        for element in range(window):
            embed += tf.nn.embedding_lookup(embeddings, x[:, element])
        return embed

Only a loop over Python values (no tensor in its header, no ``else``, ``break`` or ``continue``) whose body
only binds that name (``=`` or ``op=``), reading tensors or placeholders, making no variable or layer and
running nothing, where the statement before it binds the name to an eager value that no function of the
rewrite reads, and the loop's own variable is not read after it.
"""
from __future__ import annotations

from typing import Optional

import libcst as cst

from .. import _vocab
from . import bindings as B
from . import feeds, queries, tensors
from .plan import Inline, Line, Step
from .state import Rewrite

def read(s: Rewrite, loop: cst.For, previous: Optional[Step]) -> Optional[Inline]:
    """The loop as the function of the tensor it builds (placed before it; the loop and the statement
    before it go), or None where it is not such a loop."""
    name = _built(s, loop)
    if name is None or previous is None or not _made_from_eager(s, previous, name):
        return None
    if name in s.read_names or queries.mentions(loop.iter, s.b.graph_names()) or s.has_fetch(loop):
        return None
    if queries.calls_of(loop, s.call_name, _vocab.STATE_MAKERS, first=True):
        return None
    target = queries.names_in(loop.target)
    if any(queries.names_in(after) & target for statements_, start in s.following for after in statements_[start:]):
        return None  # the loop variable, read after the loop: the loop runs inside the function now
    values = [small.value for line in loop.body.body for small in line.body]
    if not any(queries.mentions(v, s.b.graph_names()) for v in values):
        return None  # eager values only: the loop runs eagerly as written
    init = previous.result.parts[0][0].node.value  # (as the rewrite wrote it)
    params: set = set()
    lines = []
    for line in loop.body.body:
        small = line.body[0]
        new, needs = tensors.graph_expr(s, small.value)
        params |= set(needs)
        lines.append(f"{s.indent * 2}{s.code(small.with_changes(value=new, semicolon=cst.MaybeSentinel.DEFAULT))}")
    params = feeds.ordered(s, params)
    func = s.function_name(name)
    tensors.define(s, name, params, "tensor", func)
    header = s.code(loop.with_changes(leading_lines=[], body=cst.IndentedBlock([cst.SimpleStatementLine([
        cst.Pass()])])))
    code = [feeds.signature(s, params)] if params else []
    code += [f"def {func}({feeds.parameters(s, params)}):", f"{s.indent}{name} = {s.code(init)}",
             f"{s.indent}{header.splitlines()[0].strip()}", *lines, f"{s.indent}return {name}"]
    s.pending.append(s.function(code, loop))
    return Inline(loop, [])


def absorbed(previous: Step) -> Step:
    """The statement before the loop: its value is the function's first line now."""
    return Step(previous.stmt, Line(previous.stmt, [None]))


def _built(s: Rewrite, loop: cst.For) -> Optional[str]:
    """The one name the loop's body binds, each statement ``name = ...`` or ``name op= ...``."""
    if loop.orelse is not None or not isinstance(loop.body, cst.IndentedBlock) or loop.asynchronous is not None:
        return None
    names = set()
    for line in loop.body.body:
        if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
            return None
        small = line.body[0]
        if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
            names.add(small.targets[0].target.value)
        elif isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Name):
            names.add(small.target.value)
        else:
            return None
    return names.pop() if len(names) == 1 and not names & queries.names_in(loop.target) else None


def _made_from_eager(s: Rewrite, previous: Step, name: str) -> bool:
    """``name = <eager value>`` alone on the line before the loop, kept as written."""
    stmt = previous.stmt
    if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign)):
        return False
    small = stmt.body[0]
    if len(small.targets) != 1 or not isinstance(small.targets[0].target, cst.Name) or (
            small.targets[0].target.value != name):
        return False
    result = previous.result
    kept = isinstance(result, Line) and len(result.parts) == 1 and result.parts[0] is not None and len(
        result.parts[0]) == 1 and isinstance(result.parts[0][0].node, cst.Assign)  # as written, its value eager
    return kept and s.b.kind(name) == B.EAGER and not previous.hoisted
