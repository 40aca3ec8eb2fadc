"""Settings passed under another name: the model function's parameter takes the setting's name.

    N_CLASSES = 2
    def conv_net(x, n_classes, dropout, reuse, is_training):
        with tf.variable_scope('ConvNet', reuse=reuse):
            ...
            out = tf.layers.dense(fc1, n_classes)
    logits_train = conv_net(X, N_CLASSES, dropout, reuse=False, is_training=True)
    logits_test = conv_net(X, N_CLASSES, dropout, reuse=True, is_training=False)

Every call gives ``n_classes`` the module's setting ``N_CLASSES`` (bound once, to a value computed
without calls). Renamed ``N_CLASSES`` in the function, the parameter is what scopes.fixed_parameters reads
as a setting: the layer it configures is built once, from the module's name, as ``dropout``'s is. The
program is the same one (a parameter's name is the function's own), and the rename shows only where the
function becomes a module, whose ``__call__`` no longer takes it.

Only for functions that make layers or variables (model functions), where the name is free in the
function (neither read nor bound there) and every use of the function is a call. A call that passes the
parameter by keyword (``conv_net(x, n_classes=N_CLASSES)``) passes it under the setting's name.
"""
from __future__ import annotations

from typing import Dict, Optional, Tuple

import libcst as cst

from tfmigrate.traverse import replaced

from .. import _tf
from . import queries

_MAKERS = ("variable_scope", "get_variable", "Variable")


def makes_variables(imports, func: cst.FunctionDef) -> bool:
    """Does the function make layers or variables (a model function)?"""
    def made(call: cst.Call) -> bool:
        name = _tf.call_name(imports, call)
        return name is not None and (name in _MAKERS or name.startswith("layers."))

    return queries.holds(func.body, cst.Call, made)


def rewritten(module: cst.Module, imports) -> Optional[Tuple[cst.Module, Dict[int, cst.CSTNode]]]:
    """(the program with such parameters renamed, {id of a changed node: the node as written}); None when
    there is none."""
    settings = None
    replacements: Dict[int, cst.CSTNode] = {}
    for func in module.body:
        if not isinstance(func, cst.FunctionDef) or isinstance(func.params.star_arg, cst.Param) or \
                func.params.star_kwarg is not None or not makes_variables(imports, func):
            continue
        uses = queries.find(module, cst.Name, lambda n: n.value == func.name.value and n is not func.name)
        calls = queries.find(module, cst.Call, lambda c: isinstance(c.func, cst.Name) and c.func.value == func.name.value)
        if not calls or len(calls) != len(uses) or any(a.star for c in calls for a in c.args):
            continue
        if settings is None:
            settings = {name for name, value in queries.module_constants(module).items()
                        if not queries.holds(value, cst.Call)}
        free_in = queries.names_in(func) | queries.bound_names(func.body)
        renamed: Dict[str, str] = {}
        passed = _tf.passed_names(calls, [param.name.value for param in func.params.params])
        for name, setting in passed.items():
            if setting == name or setting not in settings or setting in free_in or \
                    name in queries.bound_names(func.body) or setting in renamed.values():
                continue
            renamed[name] = setting
        # the parameter, its reads, and the keyword of a call that passes it by name (`n_classes=N_CLASSES`)
        names = [p.name for p in func.params.params if p.name.value in renamed]
        names += queries.find(func.body, cst.Name, lambda n: n.value in renamed, values=True)
        names += [a.keyword for c in calls for a in c.args if a.keyword is not None and a.keyword.value in renamed]
        replacements.update((id(n), n.with_changes(value=renamed[n.value])) for n in names)
    if not replacements:
        return None
    back: Dict[int, cst.CSTNode] = {}
    return replaced(module, replacements, back), back
