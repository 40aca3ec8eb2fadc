"""Factories: functions of the file that return the variable they make.

``def weight_variable(shape): initer = tf.truncated_normal_initializer(stddev=0.01);
return tf.get_variable("W", shape=shape, initializer=initer)`` makes one variable at each
call, named under the variable scopes open where it is called. TF2 has no ``get_variable``:
in the body, each such call becomes ``tf.Variable(<Keras initializer>(shape=..., dtype=...),
name="W")``, named under the ``tf.Module`` (or name scope) of its caller, and an initializer
the body binds to a name becomes the Keras initializer. Anything else the body does (``initial =
tf.truncated_normal(shape, stddev=0.1)``; ``return tf.Variable(initial)``) runs eagerly as written,
and the audit refuses a TF1 name left in it.
"""
from __future__ import annotations

from typing import Dict, Set

import libcst as cst

from tfmigrate.names import function_locals
from tfmigrate.traverse import replaced

from . import bindings as B
from . import queries, tensors
from .state import Rewrite


def is_factory(s: Rewrite, func: cst.FunctionDef) -> bool:
    """A factory whose body computes from its arguments only: ``initial = tf.truncated_normal(shape,
    stddev=0.1)`` there is an eager tensor in TF2, not a graph tensor of the program."""
    if func.name.value not in s.p.models.factories or func.decorators or s.has_fetch(func):
        return False
    free = queries.names_in(func) - function_locals(func)
    return not free & (s.b.graph_names() | s.b.names(B.VARIABLE, B.CONTAINER))


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
    return replaced(func, replacements)
