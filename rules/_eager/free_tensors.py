"""A graph-building function that reads placeholders or graph tensors of the program as globals.

``def model(): return tf.matmul(x, W) + b`` called as ``logits = model()``: TF1 read the global ``x`` (a
placeholder) when the call built the graph. In the rewrite ``x`` is a parameter of the functions that
compute with it, and a graph tensor (``z_mean``) is a function, so the global is gone. The names become
parameters of the function, and each call passes them (``def model(x)``, ``logits = model(x)``): the call
reads them where TF1 read them, when it runs. The function then computes on its arguments, as a model
function written with parameters does. After a parameter with a default they are keyword-only
(``def cost_fn(pred, scale=2.0, *, Y)``, ``cost_fn(pred, Y=Y)``).

Only for a function that builds the graph (it reads no session, train op or initializer, runs and feeds
nothing), where every use of it is such a call in the code still to be read, and no function around a call
has a local of those names (the call would pass another value than the global TF1 read).
"""
from __future__ import annotations

from typing import List, Optional, Sequence, Set

import libcst as cst

from tfmigrate.names import function_locals

from .. import _tf
from . import bindings as B
from . import queries
from .state import Rewrite

_READ = (B.PLACEHOLDER, B.TENSOR)


def as_parameters(s: Rewrite, func: cst.FunctionDef) -> cst.FunctionDef:
    """``func`` with the placeholders and graph tensors it reads as parameters, and the calls that follow
    passing them; ``func`` as it was where that cannot be done for every use."""
    if func.decorators or not isinstance(func.body, cst.IndentedBlock) or queries.binds_globals(func):
        return func
    params = func.params
    if params.posonly_params:
        return func
    # after a parameter with a default (or *args): keyword-only, and each call passes them by keyword
    by_keyword = params.star_arg is not cst.MaybeSentinel.DEFAULT or params.star_kwarg is not None or bool(
        params.kwonly_params) or any(p.default is not None for p in params.params)
    free = queries.names_in(func.body) - function_locals(func)
    names = sorted(n for n in free if s.b.kind(n) in _READ)
    if not names or any(s.b.kind(n) in B.GRAPH_KINDS for n in free - set(names)) or s.has_fetch(func) or (
            queries.mentions(func, set())):
        return func  # it runs the graph (a session, a train op, a feed): not a function that builds it
    regions = _following(s, func)
    if regions is None or not queries.holds(s.module, cst.FunctionDef, lambda f: f is func):
        return func  # not the program's own function as written (a method read as a program: model_class)
    name = func.name.value
    calls = [stmt for statements_, start in regions for stmt in statements_[start:]]
    finder = _Uses(name, set(names))
    for stmt in calls:
        stmt.visit(finder)
    if not finder.sound or not finder.calls or finder.calls != _uses(s.module, name) - 1:  # each use but the def
        return func
    passing = _Passing(name, names, by_keyword)
    for statements_, start in regions:
        for index in range(start, len(statements_)):
            if queries.holds(statements_[index], cst.Call, lambda c: _callee(c) == name):
                statements_[index] = statements_[index].visit(passing)
    added = [cst.Param(cst.Name(n)) for n in names]
    if not by_keyword:
        return func.with_changes(params=params.with_changes(params=[*params.params, *added]))
    star = params.star_arg if params.star_arg is not cst.MaybeSentinel.DEFAULT else cst.ParamStar()
    return func.with_changes(params=params.with_changes(star_arg=star, kwonly_params=[*params.kwonly_params, *added]))


def _following(s: Rewrite, func: cst.FunctionDef) -> Optional[List[tuple]]:
    """The statements read after ``func`` in each block around it (lists: ``block`` reads them from there),
    or None where ``func`` is not the statement being read (a function read where it is first called)."""
    if not s.following:
        return None
    statements_, start = s.following[-1]
    if not isinstance(statements_, list) or start == 0 or statements_[start - 1] is not func:
        return None
    if not all(isinstance(lst, list) for lst, _ in s.following):
        return None
    return list(s.following)


def _callee(call: cst.Call) -> Optional[str]:
    return call.func.value if isinstance(call.func, cst.Name) else None


def _uses(node: cst.CSTNode, name: str) -> int:
    return len(queries.find(node, cst.Name, lambda n: n.value == name))


class _Uses(cst.CSTVisitor):
    """Counts the calls of the function; unsound if a call has star arguments or sits in a function (a
    lambda, a comprehension) where one of the names is a local, or if the function's name is a local
    there."""

    def __init__(self, name: str, names: Set[str]) -> None:
        self.name, self.names = name, names
        self.calls = 0
        self.sound = True
        self._locals: List[Set[str]] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._locals.append(function_locals(node))

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._locals.pop()

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._locals.append(function_locals(node))

    def leave_Lambda(self, node: cst.Lambda) -> None:
        self._locals.pop()

    def visit_CompFor(self, node: cst.CompFor) -> None:
        if queries.names_in(node.target) & (self.names | {self.name}):
            self.sound = False

    def visit_Call(self, node: cst.Call) -> None:
        if _callee(node) != self.name:
            return
        self.calls += 1
        shadowed = set().union(*self._locals) if self._locals else set()
        if any(a.star for a in node.args) or shadowed & (self.names | {self.name}):
            self.sound = False


class _Passing(cst.CSTTransformer):
    """Each call of the function passes the names: positionally after positional arguments, by keyword
    after keywords or where they are keyword-only parameters."""

    def __init__(self, name: str, names: Sequence[str], by_keyword: bool) -> None:
        self.name, self.names, self.keyword_only = name, names, by_keyword

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        if _callee(original) != self.name:
            return updated
        by_keyword = self.keyword_only or any(a.keyword is not None for a in updated.args)
        added = [cst.Arg(cst.Name(n), keyword=cst.Name(n) if by_keyword else None,
                         equal=_tf.EQUAL if by_keyword else cst.MaybeSentinel.DEFAULT) for n in self.names]
        return updated.with_changes(args=[*updated.args, *added])
