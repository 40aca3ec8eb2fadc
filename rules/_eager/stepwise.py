"""Python constants a TF1 program sets again between the graph statements that read them.

    stride = 1  # output is 28x28
    Y1 = tf.nn.relu(tf.nn.conv2d(X, W1, strides=[1, stride, stride, 1], padding='SAME') + B1)
    stride = 2  # output is 14x14
    Y2 = tf.nn.relu(tf.nn.conv2d(Y1, W2, strides=[1, stride, stride, 1], padding='SAME') + B2)

TF1 read ``stride`` once, when it built each tensor: Y1 convolves with stride 1, Y2 with 2. The
rewrite's functions would read the name at each call, and find its last value. Where a name is only
ever bound by top-level ``name = <literal>`` statements, each graph expression of a top-level statement
reads the literal in force where it stands (``strides=[1, 1, 1, 1]``, then ``[1, 2, 2, 1]``). A name
also bound otherwise (a loop, a branch, ``+=``, ``global``), or read inside a function, a class or a
lambda (read when called), is not one of them: the rewrite's other checks decide about it.
"""
from __future__ import annotations

from typing import Dict, Set

import libcst as cst

from . import queries


def _literal(value: cst.BaseExpression) -> bool:
    if isinstance(value, (cst.Integer, cst.Float, cst.SimpleString)):
        return True
    if isinstance(value, cst.Name):
        return value.value in ("True", "False", "None")
    return (isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus)
            and isinstance(value.expression, (cst.Integer, cst.Float)))


def _set(stmt: cst.CSTNode):
    """(name, literal) of a top-level ``name = <literal>`` line, else None."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    small = stmt.body[0]
    if (isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name)
            and _literal(small.value)):
        return small.targets[0].target.value, small.value
    return None


def find(module: cst.Module) -> Dict[int, cst.BaseExpression]:
    """id of each top-level read of such a name -> the literal it reads there."""
    counts: Dict[str, int] = {}
    for stmt in module.body:
        found = _set(stmt)
        if found is not None:
            counts[found[0]] = counts.get(found[0], 0) + 1
    names = {name for name, count in counts.items() if count > 1}
    if not names:
        return {}
    names -= _bound_otherwise(module, names)
    if not names:
        return {}
    reads: Dict[int, cst.BaseExpression] = {}
    now: Dict[str, cst.BaseExpression] = {}
    for stmt in module.body:
        found = _set(stmt)
        if found is not None and found[0] in names:
            now[found[0]] = found[1]
            continue
        for node in queries.find(stmt, cst.Name, lambda n: n.value in names, values=True):
            if node.value in now:
                reads[id(node)] = now[node.value]
    return reads


def _bound_otherwise(module: cst.Module, names: Set[str]) -> Set[str]:
    """The names of ``names`` that something but a top-level ``name = <literal>`` binds (a comprehension's
    own variable too), or that a function, class or lambda reads (``queries.deferred_names``)."""
    out: Set[str] = set()
    for stmt in module.body:
        found = _set(stmt)
        if found is not None and found[0] in names:
            continue
        out |= (queries.bound_names(stmt) | queries.deferred_names(stmt)) & names
        for node in queries.find(stmt, (cst.AnnAssign, cst.NamedExpr)):
            out |= {n.value for n in queries.find(node.target, cst.Name)} & names
        for node in queries.find(stmt, cst.ImportAlias):
            if node.asname is None:
                out |= {(queries.dotted(node.name) or "").partition(".")[0]} & names
    return out
