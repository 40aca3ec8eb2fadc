"""Functions that build a train op and return it, as tutorials wrote their training step.

    def training(loss, learning_rate):
        optimizer = tf.train.GradientDescentOptimizer(learning_rate)
        train_op = optimizer.minimize(loss)
        return train_op

    train_op = training(loss, 0.01)

TF1 ran the function once, where the program called it, to add the optimizer and its update ops to
the graph. Called once at the top level (the module, or a ``with`` block there) with its result bound
to a name, such a function is read as its statements written where the call stands, the call's
arguments in place of its parameters (a local of the function that the program's other code also
names is named after the call's target too, ``train_op_optimizer``): the train op is then the program's own, which the rest of the rewrite makes a
train step. The function goes with its call. A function called in any other way, or doing more than
binding names and returning the train op, is left to the rest of the rewrite.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Set

import libcst as cst

from . import queries
from .placeholder_builders import Arguments, arguments, once_run, statements, top_level
from .state import Rewrite


@dataclass
class Builder:
    params: List[cst.Param]
    body: List[cst.BaseSmallStatement]  # its assignments and calls, in order
    returned: cst.BaseExpression
    clashing: Set[str]  # its locals that other code of the module names too


_LITERALS = (cst.Integer, cst.Float, cst.SimpleString)
_SIMPLE = (cst.Name, cst.Attribute, *_LITERALS)


def read(s: Rewrite, func: cst.FunctionDef) -> Optional[Builder]:
    """The function as a train op builder the program calls once at its top level, else None."""
    body = statements(func)
    if body is None:
        return None
    params = func.params
    smalls, last = body[:-1], body[-1]
    if not isinstance(last, cst.Return) or last.value is None or not all(
            (isinstance(a, cst.Assign) and len(a.targets) == 1 and isinstance(a.targets[0].target, cst.Name))
            or (isinstance(a, cst.Expr) and isinstance(a.value, cst.Call)) for a in smalls):
        return None  # (names bound, calls made: `tf.summary.scalar("loss", loss)`)
    values = {a.targets[0].target.value: a.value for a in smalls if isinstance(a, cst.Assign)}
    names = {p.name.value for p in params.params}
    if set(values) & names or any(p.default is not None and not _literal(p.default) for p in params.params):
        return None  # a parameter bound again, or a default the call site would compute again
    returned = last.value
    train_op = values.get(returned.value) if isinstance(returned, cst.Name) else returned
    if train_op is None or not queries.is_method_call(train_op, ("minimize",)):
        return None
    name = func.name.value
    uses = [n for n, _ in queries.uses_of(s.module, name) if n is not func.name]
    sites = [stmt for stmt in top_level(s.module.body, once_run(s)) if isinstance(stmt, cst.SimpleStatementLine)
             and _binds_call(stmt, name)]
    if len(uses) != 1 or len(sites) != 1:
        return None
    call = sites[0].body[0].value
    if any(a.star or not isinstance(a.value, _SIMPLE) for a in call.args):
        return None  # each argument is read where each parameter was: no call computed twice
    outside = set()
    for stmt in s.module.body:
        if stmt is not func:
            outside |= {n.value for n in queries.find(stmt, cst.Name, values=True)}
    clashing = {local for local in values if local in outside}
    return Builder(list(params.params), smalls, returned, clashing)


def _literal(node: cst.BaseExpression) -> bool:
    return isinstance(node, _LITERALS) or (isinstance(node, cst.Name) and node.value in ("None", "True", "False"))


def _binds_call(stmt: cst.SimpleStatementLine, name: str) -> bool:
    small = stmt.body[0] if len(stmt.body) == 1 else None
    return (isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name)
            and isinstance(small.value, cst.Call) and isinstance(small.value.func, cst.Name)
            and small.value.func.value == name)


def inlined(s: Rewrite, name: str, target: cst.Name, call: cst.Call) -> List[cst.BaseSmallStatement]:
    """``train_op = training(loss, 0.01)`` of a builder: its statements with the call's arguments in place
    of its parameters, then ``train_op = <what it returned>``."""
    builder = s.train_builders[name]
    values = arguments(name, builder.params, call)
    returned = builder.returned
    local = returned.value if isinstance(returned, cst.Name) and returned.value not in values else None
    # the local it returns is the call's target (`train_op = optimizer.minimize(loss)`); another local that
    # the program names too is named after the target
    values.update({own: cst.Name(target.value if own == local else s.fresh(f"{target.value}_{own}"))
                   for own in builder.clashing | ({local} if local else set())})
    replace = Arguments(values)
    out = [a.visit(replace) for a in builder.body]
    if local is None:
        out.append(cst.Assign([cst.AssignTarget(target)], returned.visit(replace)))
    return out
