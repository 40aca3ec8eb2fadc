"""Functions of the file that a model_fn calls to build its network: methods of its Keras model.

``predictions = dnn_model(features, mode, params)`` (or a dict of such functions, one chosen by
``params``): TF1 ran the function while building each mode's graph, so its layers were made once
per graph. Each such function (one that makes ``tf.layers`` layers, ``tf.get_variable`` variables
or Keras layers) becomes a method of the model whose layers are built in ``__init__`` with the
model_fn's; the model_fn calls ``self.dnn_model(...)``. The method's layers are shared by its calls: a function
called more than once is converted only when it opens with ``with tf.variable_scope(name,
reuse=...)``, TF1's way to share them (the scope goes: it only named them). A function the file
uses anywhere else, or one that computes metrics, optimizers or an EstimatorSpec, stops the
rewrite. TF1 named a
function's layers in the order the graph called them, which the file does not tell:
``get_variable_value`` does not reach them.
"""
from __future__ import annotations

from typing import Callable, Dict, List, Set

import libcst as cst

from .. import _tf
from .._eager import layout, queries
from .._eager.model_lift import rename_locals
from .._eager.state import Unsupported
from . import keras_layers, modes, vocab
from .program import Facts


def _builds(f: Facts, func: cst.CSTNode) -> bool:
    """Does ``func`` (or a statement) make layers or variables?"""
    return queries.holds(func, cst.Call, lambda c: (f.call_name(c) or "") in vocab.LAYERS
                         or f.call_name(c) == "get_variable" or keras_layers.is_keras_layer(f.call_name(c)))


def called(f: Facts, model_fn: cst.FunctionDef) -> List[cst.FunctionDef]:
    """The functions of the file the model_fn names that make layers or variables, in the order it names them."""
    found: List[cst.FunctionDef] = []
    for name in queries.find(model_fn.body, cst.Name):
        func = f.functions.get(name.value)
        if func is None or func is model_fn or func in found or not _builds(f, func):
            continue
        uses = [n for n in queries.find(f.module, cst.Name, lambda n: n.value == name.value)
                if n is not func.name and not queries.holds(model_fn.body, cst.Name, lambda m: m is n)]
        if uses:
            raise Unsupported(func, f"{name.value}, a function the model_fn calls to build layers, is used "
                                    "elsewhere too")
        if name.value in vocab.MODEL_ATTRIBUTES or func.decorators or func.asynchronous:
            raise Unsupported(func, f"{name.value}, a function the model_fn calls to build layers, cannot be a "
                                    "method of the Keras model (a decorated function or a Keras method's name)")
        others = [g for g in f.functions.values() if g is not func and g is not model_fn and _builds(f, g)
                  and queries.holds(func.body, cst.Name, lambda n, g=g: n.value == g.name.value)]
        if others:
            raise Unsupported(func, f"{name.value} calls {others[0].name.value}, another function that builds "
                                    "layers")
        references = [n for n in queries.find(model_fn.body, cst.Name, lambda n: n.value == name.value)]
        in_loop = any(queries.holds(loop, cst.Name, lambda n: any(n is r for r in references))
                      for loop in queries.find(model_fn.body, (cst.For, cst.While)))
        if (len(references) > 1 or in_loop) and not _shares(f, func):
            raise Unsupported(func, f"{name.value}, a function the model_fn calls to build layers, is called more "
                                    "than once without sharing its variables (TF1 made new layers at each call)")
        found.append(func)
    return found


def _scoped(f: Facts, func: cst.FunctionDef):
    """The ``with tf.variable_scope(name, reuse=...):`` that opens ``func`` and holds all its layers (TF1's way
    to share them between calls; the method's layers are shared), else None."""
    first = func.body.body[0] if func.body.body else None
    if not (isinstance(first, cst.With) and len(first.items) == 1 and isinstance(first.items[0].item, cst.Call)
            and f.call_name(first.items[0].item) == "variable_scope" and first.items[0].asname is None):
        return None
    if any(_builds(f, stmt) for stmt in func.body.body[1:]):
        return None
    return first


def _shares(f: Facts, func: cst.FunctionDef) -> bool:
    """Does ``func`` open with ``with tf.variable_scope("Name", reuse=...):``, one scope of a literal name for
    every call (a name a parameter gives would make each call's layers its own)?"""
    scope = _scoped(f, func)
    if scope is None:
        return False
    call = scope.items[0].item
    name = _tf.argument(call, 0, "name_or_scope")
    return name is not None and isinstance(name.value, cst.SimpleString) and any(
        arg.keyword is not None and arg.keyword.value == "reuse" for arg in call.args)


def _unscoped(f: Facts, func: cst.FunctionDef) -> cst.FunctionDef:
    """``func`` without the variable scope that opens it: its statements, then the rest."""
    scope = _scoped(f, func)
    if scope is None:
        return func
    return func.with_changes(body=func.body.with_changes(body=[*scope.body.body, *func.body.body[1:]]))


def parameters(func: cst.FunctionDef) -> Set[str]:
    params = func.params
    if params.star_arg is not cst.MaybeSentinel.DEFAULT or params.star_kwarg or params.kwonly_params:
        raise Unsupported(func, f"{func.name.value}, a function the model_fn calls to build layers, takes *args, "
                                "**kwargs or keyword-only parameters")
    return {p.name.value for p in params.params}


def fixed_arguments(f: Facts, model_fn: cst.FunctionDef, func: cst.FunctionDef) -> Dict[str, str]:
    """{parameter: name} for the parameters of ``func`` that every call of it in the model_fn gives the same
    module-level name (``conv_net(features, num_classes, dropout, ...)``): a layer they configure is the same
    at every call, and can be built once."""
    calls = queries.find(model_fn.body, cst.Call, lambda c: isinstance(c.func, cst.Name)
                         and c.func.value == func.name.value)
    if not calls or any(arg.star for call in calls for arg in call.args):
        return {}
    module_names = {target.target.value for stmt in f.module.body if isinstance(stmt, cst.SimpleStatementLine)
                    for small in stmt.body if isinstance(small, cst.Assign)
                    for target in small.targets if isinstance(target.target, cst.Name)}
    params = [param.name.value for param in func.params.params]
    taken = queries.bound_names(model_fn.body) | {p.name.value for p in model_fn.params.params}
    bound = queries.bound_names(func.body)
    return {name: value for name, value in _tf.passed_names(calls, params).items()
            if value in module_names and value not in taken and name not in bound and value not in bound
            and (value == name or value not in params)}


def convert(f: Facts, model_fn: cst.FunctionDef, body, make: Callable) -> None:
    """Convert the functions the model_fn calls to build its network, before the model_fn itself (``body``, its
    model_fn._Body, then calls them as methods); ``make(function, local names)`` gives a _Body for one."""
    for found in called(f, model_fn):
        helper = _unscoped(f, found)
        fixed = fixed_arguments(f, model_fn, found)
        renamed = {param: value for param, value in fixed.items() if param != value}
        if renamed:
            helper = helper.with_changes(body=rename_locals(helper.body, renamed))
        converter = make(helper, (queries.bound_names(helper.body) | parameters(helper)) - set(fixed))
        converter.helper, converter.taken = True, body.taken  # one model: one set of attribute names
        converter.__dict__["_counts"] = body.__dict__.setdefault("_counts", {})
        mapped = dict(body.out.variables)  # TF1 named the helper's layers in the order the graph called them
        converted = helper.visit(converter).visit(modes.Tidy(f, converter.update_ops))
        body.out.variables = mapped
        body.out.helpers.append(method(helper, converter, converted))
        body.helpers.add(helper.name.value)


def method_call(f: Facts, call: cst.Call, name: str) -> cst.Call:
    """``dnn_model(x, ...)`` -> ``self.dnn_model(x, ...)``, its continuation lines still under its arguments."""
    new = call.with_changes(func=f.s.expr(f"self.{name}"))
    return new if layout.hanging(f.s.code(call)) else layout.shift(new, len("self."))


def method(func: cst.FunctionDef, body, new: cst.FunctionDef) -> cst.FunctionDef:
    """The converted function as a method (``body``: the model_fn._Body that converted it)."""
    made = [*body.metrics.names, *body.metrics.dicts, *body.train_ops, *body.optimizers, *body.exports,
            *body.decays]
    if made:
        raise Unsupported(func, f"{func.name.value}, a function the model_fn calls to build layers, also makes "
                                "metrics, an optimizer or export outputs")
    keras_layers.check_unread(body, func, new)
    self_param = cst.Param(cst.Name("self"))
    return new.with_changes(params=new.params.with_changes(params=[self_param, *new.params.params]),
                            leading_lines=[cst.EmptyLine(indent=False)])
