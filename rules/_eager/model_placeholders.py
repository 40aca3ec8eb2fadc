"""A model function that reads a placeholder of the module: the placeholder becomes its parameter.

    is_train = tf.placeholder(tf.bool, shape=())

    def D(x, y):
        with tf.variable_scope('D', reuse=tf.AUTO_REUSE):
            ...
            h = tf.layers.dropout(h, 0.3, training=is_train)

    D_logit_real = D(X, Y)

TF1 read the global placeholder when a call built the graph, and each run fed it. A model function
becomes a tf.Module whose ``__call__`` computes at each call, and a placeholder is a parameter of the
functions that compute with it: so ``D(x, y, is_train)``, and each call passes ``is_train`` (inserted
before the first parameter with a default; by keyword where a call names the parameters before it). The
same program: each call reads the placeholder it read. free_tensors.py does this for plain functions
while the rewrite reads them; a model function is read as a class before, so it is done first here.

Only for functions that make layers or variables, read the placeholder without binding it, and are used
only by calls (without ``*args``) where the name is the module's placeholder (not inside a function or a
class that binds it).
"""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import libcst as cst

from tfmigrate.names import function_locals
from tfmigrate.traverse import Transformer

from .. import _tf
from . import queries
from .fixed_settings import makes_variables

_PLACEHOLDERS = ("placeholder", "placeholder_with_default")


def _placeholders(module: cst.Module, imports) -> set:
    """The module-level names bound once to a placeholder."""
    return {name for name, value in queries.module_constants(module).items()
            if _tf.call_name(imports, value) in _PLACEHOLDERS}


def rewritten(module: cst.Module, imports) -> Optional[Tuple[cst.Module, Dict[int, cst.CSTNode]]]:
    """(the program with such placeholders passed to the model functions that read them, {id of a changed
    node: the node as written}); None when there is none."""
    placeholders = _placeholders(module, imports)
    if not placeholders:
        return None
    changes: Dict[int, object] = {}  # id of a function -> its parameters; of a call -> (where, names) to pass
    for func in module.body:
        if not isinstance(func, cst.FunctionDef) or func.decorators or isinstance(func.params.star_arg, cst.Param) \
                or func.params.kwonly_params or func.params.star_kwarg is not None or func.params.posonly_params \
                or not makes_variables(imports, func) or queries.binds_globals(func):
            continue
        read = sorted((queries.names_in(func.body) - function_locals(func)) & placeholders)
        if not read:
            continue
        name = func.name.value
        uses = queries.find(module, cst.Name, lambda n: n.value == name and n is not func.name)
        calls = queries.find(module, cst.Call, lambda c: isinstance(c.func, cst.Name) and c.func.value == name)
        if not calls or len(calls) != len(uses) or any(a.star for c in calls for a in c.args) or any(
                id(c) in changes for c in calls) or _shadowed(module, calls, set(read) | {name}):
            continue
        params = list(func.params.params)
        at = next((i for i, p in enumerate(params) if p.default is not None), len(params))
        added = [cst.Param(cst.Name(n), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for n in read]
        new_params = [*params[:at], *added, *params[at:]]
        new_params = [p.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                      for p in new_params[:-1]] + [new_params[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
        changes[id(func)] = new_params
        for call in calls:
            changes[id(call)] = (at, read)
    if not changes:
        return None
    back: Dict[int, cst.CSTNode] = {}
    new_module = module.visit(_Replaced(changes, back))
    back[id(new_module)] = module
    return new_module, back


def _passing(call: cst.Call, at: int, names: List[str]) -> cst.Call:
    """``call`` passing ``names`` at position ``at``, or by keyword where it names an earlier parameter."""
    args = list(call.args)
    positional = [a for a in args if a.keyword is None]
    comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if len(positional) >= at and all(a.keyword is None for a in args[:at]):
        new = [cst.Arg(cst.Name(n), comma=comma) for n in names]
        args = [*args[:at], *new, *args[at:]]
    else:
        args += [cst.Arg(cst.Name(n), keyword=cst.Name(n), equal=_tf.EQUAL, comma=comma) for n in names]
    args = [a.with_changes(comma=comma) for a in args[:-1]] + [args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
    return call.with_changes(args=args)


def _shadowed(module: cst.Module, calls, names: set) -> bool:
    """Is a call inside a function, lambda or class that binds one of ``names`` itself?"""
    for scope in queries.find(module, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
        bound = function_locals(scope) if not isinstance(scope, cst.ClassDef) else queries.bound_names(scope.body)
        if bound & names and any(queries.holds(scope, cst.Call, lambda c, call=call: c is call) for call in calls):
            return True
    return False


class _Replaced(Transformer):
    def __init__(self, changes: Dict[int, object], back: Dict[int, cst.CSTNode]) -> None:
        self.changes = changes
        self.back = back

    def on_leave(self, original, updated):
        change = self.changes.get(id(original))
        if isinstance(updated, cst.FunctionDef) and change is not None:
            updated = updated.with_changes(params=updated.params.with_changes(params=change))
        elif isinstance(updated, cst.Call) and change is not None:
            updated = _passing(updated, *change)
        result = super().on_leave(original, updated)
        if isinstance(result, cst.CSTNode) and result is not original:
            self.back.setdefault(id(result), original)
        return result
