"""Functions that build an estimator and return it: ``def build_estimator(config): ...; return estimator``
(or ``return tf.estimator.DNNClassifier(...)``), called as ``est = build_estimator(run_config)``.

The names bound to what a builder returns are the estimator's (``aliases``). After the rewrite, the
builder's parameters that only the Estimator and its feature columns read (its ``config``, an
``embedding_size``) go, with what its calls passed them (``settings_dropped``): the RunConfig its caller
made then has no reader left, and goes too.
"""
from __future__ import annotations

from typing import List, Set

import libcst as cst

from .. import _tf
from .._eager import queries
from .._eager.state import Unsupported
from .program import BUILDER_CALLED_ELSEWHERE, Facts


def aliases(f: Facts, item) -> List[str]:
    """The names bound to the estimator a builder function returns (``est = create_estimator(config)``), where
    the builder is ``def create_estimator(...): estimator = tf.estimator.X(...); return estimator``."""
    scope = item.scope
    if not returned(item):
        return []
    builder = scope.name.value
    what = "the estimator" if item.returned else item.name
    problem = (f"{what} is built and returned by {builder}() (an estimator used beyond the function or file "
               "that builds it)")
    if f.functions.get(builder) is not scope:
        raise Unsupported(item.call, problem)
    aliases = []
    for node in queries.find(f.module, cst.Name, lambda n: n.value == builder, values=True):
        if node is scope.name:
            continue
        assign = next(iter(queries.find(f.module, cst.Assign, lambda a: isinstance(a.value, cst.Call)
                                        and a.value.func is node and len(a.targets) == 1
                                        and isinstance(a.targets[0].target, cst.Name))), None)
        if assign is None:
            raise Unsupported(item.call, problem)
        alias = assign.targets[0].target.value
        if any(value is not item.call and not calls(value, builder) for value in f.assigned.get(alias, [])):
            raise Unsupported(item.call, f"{alias} holds the estimator {builder}() returns and something else")
        aliases.append(alias)
    if not aliases:
        # (a trainer's model.py, whose task.py calls the builder)
        raise Unsupported(item.call, BUILDER_CALLED_ELSEWHERE if item.scope in f.module.body else problem)
    return aliases


def calls(value: cst.BaseExpression, function: str) -> bool:
    return isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value == function


def own(item) -> List[str]:
    """The name the function that builds the estimator binds it to (none: it returns it as it builds it)."""
    return [] if item.returned else [item.name]


def returned(item) -> bool:
    """Is the estimator returned by the function that builds it (``return estimator``, ``return
    tf.estimator.X(...)``)?"""
    return item.returned or item.scope is not None and queries.holds(
        item.scope, cst.Return, lambda r: isinstance(r.value, cst.Name) and r.value.value == item.name)


def builders(f: Facts) -> List[cst.FunctionDef]:
    """The functions that build an estimator and return it."""
    return [item.scope for item in f.built if returned(item)]


def settings_dropped(f: Facts, module: cst.Module) -> cst.Module:
    """``def build_estimator(config, embedding_size=8)`` whose parameters only the Estimator and its columns read
    (settings the Keras model drops, or reads where its class is written): they go, and what its calls pass them
    (the RunConfig then goes too, unread)."""
    for item in f.built:
        scope = item.scope
        if scope is None or not returned(item) or scope.params.star_arg is not cst.MaybeSentinel.DEFAULT:
            continue
        new = next((stmt for stmt in queries.find(module, cst.FunctionDef)
                    if stmt.name.value == scope.name.value), None)
        if new is None:
            continue
        read_before, read_now = queries.names_in(scope.body), queries.names_in(new.body)
        unused = {p.name.value for p in scope.params.params if p.name.value in read_before - read_now}
        if unused:
            module = module.visit(_Unpassed(scope.name.value, [p.name.value for p in scope.params.params], unused))
    return module


class _Unpassed(cst.CSTTransformer):
    """A builder's parameters that nothing reads any more, out of its def and its calls."""

    def __init__(self, builder: str, params: List[str], gone: Set[str]) -> None:
        super().__init__()
        self.builder, self.params, self.gone = builder, params, gone

    def leave_FunctionDef(self, original, updated):
        if updated.name.value != self.builder:
            return updated
        kept = [p for p in updated.params.params if p.name.value not in self.gone]
        if kept:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(params=updated.params.with_changes(params=kept))

    def leave_Call(self, original, updated):
        if not (isinstance(updated.func, cst.Name) and updated.func.value == self.builder):
            return updated
        kept = [arg for param, arg in _tf.by_parameter(updated, self.params) if param not in self.gone]
        if kept:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(args=kept)
