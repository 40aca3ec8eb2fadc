"""Factories: functions of the file that return the variable they make.

``def weight_variable(shape): initer = tf.truncated_normal_initializer(stddev=0.01);
return tf.get_variable("W", shape=shape, initializer=initer)`` makes one variable at each
call, named under the variable scopes open where it is called. TF2 has no ``get_variable``:
in the body, each such call becomes ``tf.Variable(<Keras initializer>(shape=..., dtype=...),
name="W")``, named under the ``tf.Module`` (or name scope) of its caller, and an initializer
the body binds to a name becomes the Keras initializer. Anything else the body does is kept
as written, and the audit refuses a TF1 name left in it.
"""
from __future__ import annotations

from typing import Dict, Set

import libcst as cst

from tfmigrate.traverse import Transformer

from . import queries, tensors
from .state import Rewrite


def uses_get_variable(s: Rewrite, func: cst.FunctionDef) -> bool:
    return bool(queries.calls_of(func, s.call_name, {"get_variable"}, first=True))


class _Body(Transformer):
    def __init__(self, replacements: Dict[int, cst.BaseExpression]) -> None:
        super().__init__()
        self.replacements = replacements

    def leave_Call(self, original: cst.Call, updated: cst.Call):
        return self.replacements.get(id(original), updated)


def rewritten(s: Rewrite, func: cst.FunctionDef) -> cst.FunctionDef:
    """The factory with its ``tf.get_variable`` calls and named initializers in TF2."""
    initializers: Set[str] = set()
    replacements: Dict[int, cst.BaseExpression] = {}
    for assign in queries.find(func, cst.Assign):
        if (len(assign.targets) == 1 and isinstance(assign.targets[0].target, cst.Name)
                and tensors.is_initializer(s, assign.value)):
            initializers.add(assign.targets[0].target.value)
            replacements[id(assign.value)] = tensors.graph_expr(s, assign.value)[0]
    for call in queries.calls_of(func, s.call_name, {"get_variable"}):
        replacements[id(call)] = tensors.get_variable(s, call, frozenset(initializers))
    return func.visit(_Body(replacements))
