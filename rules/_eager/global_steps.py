"""TF1's global step, made where the program makes it: ``tf.train.get_or_create_global_step()``.

TF1 kept the step in a graph collection: ``get_or_create_global_step()`` made an int64 variable
named ``global_step`` (not trainable) the first time and returned it after. Where a program makes
it once, by one assignment at module level or in a test method (whose graph was its own), `with`
blocks included, that call is the variable it made: ``tf.Variable(0, dtype=tf.int64,
trainable=False, name="global_step")``, which the rest of the rewrite reads as any other variable
(a train op that counts it adds one to it). A program that looks the step up again
(``get_global_step()``) or makes it in any other place keeps the call, and the reason.
"""
from __future__ import annotations

from typing import Dict, List

import libcst as cst

from tfmigrate.traverse import Replacer

from .. import _tf
from . import queries

_MAKERS = frozenset({"train.get_or_create_global_step", "train.create_global_step"})
_LOOKUPS = frozenset({"train.get_global_step", "train.global_step"})


def made_once(module: cst.Module, imports) -> cst.Module:
    """``module`` with each global step it makes once written as the variable it is."""
    def name_of(call: cst.Call) -> str:
        return _tf.relative(imports.qualify(call.func)) or ""

    calls = [c for c in queries.find(module, cst.Call) if name_of(c) in _MAKERS | _LOOKUPS]
    if not calls or any(name_of(c) in _LOOKUPS for c in calls):
        return module
    alias = _tf.tf_alias(imports)
    if alias is None:
        return module
    scopes: List[List[cst.BaseStatement]] = [list(module.body)]
    for node in queries.find(module, cst.ClassDef):
        scopes += [list(f.body.body) for f in node.body.body
                   if isinstance(f, cst.FunctionDef) and f.name.value.startswith("test")]
    found: Dict[int, cst.Call] = {}
    for body in scopes:
        made = [value for value in map(_assigned, _unwrapped(body))
                if isinstance(value, cst.Call) and name_of(value) in _MAKERS and not value.args]
        if len(made) > 1:
            return module  # the second call returned the first one's variable
        found.update((id(value), value) for value in made)
    if len(found) != len(calls):
        return module  # made elsewhere too (a function called twice shared one step in TF1)
    variable = cst.parse_expression(f'{alias}.Variable(0, dtype={alias}.int64, trainable=False, name="global_step")')
    return module.visit(Replacer({key: variable for key in found}))


def _unwrapped(body) -> List[cst.BaseStatement]:
    """The statements of ``body``, those of its `with` blocks included (run once, in order)."""
    out = []
    for stmt in body:
        if isinstance(stmt, cst.With):
            out += _unwrapped(stmt.body.body)
        else:
            out.append(stmt)
    return out


def _assigned(stmt) -> object:
    if (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign)
            and len(stmt.body[0].targets) == 1 and isinstance(stmt.body[0].targets[0].target, cst.Name)):
        return stmt.body[0].value
    return None


def original_node(original: cst.Module, made: cst.Module, node):
    """The node of ``original`` that ``node`` of ``made`` (the module :func:`made_once` returned) stands
    for: the same node, or one of the same kind and code; None for one around a replaced call."""
    if node is None or made is original:
        return node
    code = made.code_for_node(node)
    return next((n for n in queries.find(original, type(node)) if n is node or original.code_for_node(n) == code),
                None)
