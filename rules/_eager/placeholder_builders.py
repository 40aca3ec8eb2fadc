"""Functions that only make placeholders and return them, as tutorials wrote their inputs.

    def placeholder_inputs(batch_size):
        images = tf.placeholder(tf.float32, shape=(batch_size, IMAGE_PIXELS))
        labels = tf.placeholder(tf.int32, shape=(batch_size,))
        return images, labels

    images_placeholder, labels_placeholder = placeholder_inputs(FLAGS.batch_size)

Each call made the placeholders anew; a program that calls the function once at its top level,
unpacking what it returns into names, has one placeholder per name: each is defined where
the call stands, with the dtype and shape the function wrote, its parameters replaced by the
call's arguments (``(FLAGS.batch_size, IMAGE_PIXELS)``). The function goes with its calls. A
function called in any other way (twice, in an expression, from another function) is left to
the rest of the rewrite.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, FrozenSet, List, Optional, Tuple

import libcst as cst

from .. import _tf, _vocab
from . import entry_points, queries
from .state import Rewrite, Unsupported


@dataclass
class Builder:
    params: List[cst.Param]
    made: Dict[str, Tuple[cst.Call, str]]  # local -> its placeholder call and kind
    returned: List[str]  # the locals returned, in order (one: returned alone)
    single: bool


def statements(func: cst.FunctionDef) -> Optional[List[cst.BaseSmallStatement]]:
    """The statements of a plain function (no decorator, no ``*args``, one small statement a line, its
    docstring left out), else None."""
    if not isinstance(func.body, cst.IndentedBlock) or func.decorators or func.asynchronous:
        return None
    params = func.params
    if params.star_arg is not cst.MaybeSentinel.DEFAULT or params.star_kwarg or params.kwonly_params or \
            params.posonly_params:
        return None
    body = queries.without_docstring(func.body.body)
    if not body or not all(isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 for stmt in body):
        return None
    return [stmt.body[0] for stmt in body]


def read(s: Rewrite, func: cst.FunctionDef) -> Optional[Builder]:
    """The function as a placeholder builder, or None when it is not one the program calls once, unpacked."""
    body = statements(func)
    if body is None:
        return None
    params = func.params
    made: Dict[str, Tuple[cst.Call, str]] = {}
    for small in body[:-1]:
        kind = s.call_name(small.value) if isinstance(small, cst.Assign) else None
        if kind not in _vocab.PLACEHOLDERS or len(small.targets) != 1 or not isinstance(small.targets[0].target,
                                                                                       cst.Name):
            return None
        made[small.targets[0].target.value] = (small.value, kind)
    last = body[-1]
    if not isinstance(last, cst.Return) or last.value is None:
        return None
    single = isinstance(last.value, cst.Name)
    returned = [last.value] if single else list(queries.elements(last.value)) if isinstance(
        last.value, cst.Tuple) else []
    if not returned or not all(isinstance(e, cst.Name) and e.value in made for e in returned):
        return None
    calls = queries.uses_of(s.module, func.name.value)
    sites = [stmt for stmt in top_level(s.module.body, once_run(s)) if isinstance(stmt, cst.SimpleStatementLine)
             and _unpacks(stmt, func)]
    if len([n for n, _ in calls if n is not func.name]) != 1 or len(sites) != 1:
        return None
    return Builder(list(params.params), made, [e.value for e in returned], single)


def once_run(s: Rewrite) -> FrozenSet[int]:
    """The ids of the functions of the module that run a program once (``entry_points.runs_once``)."""
    return frozenset(id(func) for func in entry_points.runs_once(s.module, s.call_name))


def top_level(body, once: FrozenSet[int] = frozenset()) -> List[cst.BaseStatement]:
    """The module's statements, and those of the ``with`` blocks among them (``with tf.Session() as sess:``)
    and of the functions ``once`` (their ids) that run a program once (``entry_points.runs_once``): each runs
    once."""
    found: List[cst.BaseStatement] = []
    for stmt in body:
        found.append(stmt)
        if isinstance(stmt, cst.With) and isinstance(stmt.body, cst.IndentedBlock):
            found += top_level(stmt.body.body)
        if id(stmt) in once:
            found += top_level(stmt.body.body)
    return found


def _unpacks(stmt: cst.SimpleStatementLine, func: cst.FunctionDef) -> bool:
    small = stmt.body[0] if len(stmt.body) == 1 else None
    return (isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.value, cst.Call)
            and isinstance(small.value.func, cst.Name) and small.value.func.value == func.name.value)


def defined(s: Rewrite, name: str, target: cst.BaseExpression, call: cst.Call) -> List[Tuple[str, cst.Call, str]]:
    """``a, b = build(args)`` of a builder: (name, the placeholder call with the arguments in place of the
    parameters, its kind) for each name; raises Unsupported where the names do not match what it returns."""
    builder = s.placeholder_builders[name]
    names = [target] if builder.single else list(queries.elements(target)) if isinstance(
        target, (cst.Tuple, cst.List)) else []
    if len(names) != len(builder.returned) or not all(isinstance(n, cst.Name) for n in names):
        raise Unsupported(call, f"the placeholders {name}() returns unpacked into something other than names")
    values = arguments(name, builder.params, call)
    out = []
    for bound, local in zip(names, builder.returned):
        placeholder, kind = builder.made[local]
        out.append((bound.value, placeholder.visit(Arguments(values)), kind))
    return out


def arguments(name: str, params: List[cst.Param], call: cst.Call) -> Dict[str, cst.BaseExpression]:
    """What the call of function ``name`` gives each of its parameters (its default where it gives none)."""
    values: Dict[str, cst.BaseExpression] = {}
    for param, arg in _tf.by_parameter(call, tuple(p.name.value for p in params)):
        if arg.star:
            raise Unsupported(call, f"{name}(*args)")
        values[param] = arg.value
    for param in params:
        if param.name.value not in values:
            if param.default is None:
                raise Unsupported(call, f"{name}() without its parameter {param.name.value}")
            values[param.name.value] = param.default
    return values


class Arguments(cst.CSTTransformer):
    """The function's parameters replaced by the values the call passed (and, for train_builders.py, its
    locals renamed: names read and bound alike)."""

    def __init__(self, values: Dict[str, cst.BaseExpression]) -> None:
        super().__init__()
        self.values = values

    def leave_Attribute(self, original, updated):
        return updated.with_changes(attr=original.attr)  # `tf.float32`: an attribute, not a parameter

    def leave_Arg(self, original, updated):
        return updated.with_changes(keyword=original.keyword)  # `shape=`: a keyword, not a parameter

    def leave_Name(self, original, updated):
        return self.values.get(original.value, updated)
