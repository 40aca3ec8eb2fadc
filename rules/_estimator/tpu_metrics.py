"""TPUEstimatorSpec(eval_metrics=(metric_fn, tensors)) as the eval_metric_ops the metric function returns.

TPU code hands its metrics to a function (it ran on the host): ``eval_metrics=(metric_fn, [labels, logits])``
or a name bound to that tuple. The metric function's statements are written where the spec (or the tuple's
assignment) stood, its parameters replaced by the tensors passed, and the dict it returns is the spec's
``eval_metric_ops``; the function goes once nothing else reads it. ``norm`` is tpu.py's normalizer: its
module, parents, replacements and the nodes it made.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import libcst as cst

from .._eager import queries
from .._eager.state import Unsupported


def bound_metrics(norm, spec: cst.Call, name: cst.Name) -> None:
    """``eval_metrics = (metric_fn, [labels, logits])`` (or None) in the function, the spec passing the
    name: the metric function's statements there, and the name bound to the dict it returns."""
    outer = norm.enclosing(spec, cst.FunctionDef)
    binds = [a for a in queries.find(outer or norm.module, cst.Assign) if len(a.targets) == 1
             and isinstance(a.targets[0].target, cst.Name) and a.targets[0].target.value == name.value]
    if not binds:
        raise Unsupported(name, "TPUEstimatorSpec(eval_metrics=...) of a name bound elsewhere")
    for assign in binds:
        if isinstance(assign.value, cst.Name) and assign.value.value == "None":
            continue
        line = norm.parent.get(id(assign))
        if not (isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1):
            raise Unsupported(assign, "eval_metrics bound in a statement of several")
        statements, returned = metrics(norm, assign, assign.value)
        new_line = line.with_changes(body=[assign.with_changes(value=returned)])
        first = statements[0].with_changes(leading_lines=[*line.leading_lines, *statements[0].leading_lines]) \
            if statements else new_line
        norm.mapping[id(line)] = [norm.new(line, first), *statements[1:],
                                  *([new_line.with_changes(leading_lines=[])] if statements else [])]


def metrics(norm, spec, value: cst.BaseExpression) -> Tuple[List[cst.BaseStatement], cst.BaseExpression]:
    """``eval_metrics=(metric_fn, [labels, logits])`` at ``spec`` (the spec, or the assignment of the tuple:
    where the statements go): the metric function's statements, its parameters replaced by the tensors
    passed, and the dict it returns."""
    problem = "TPUEstimatorSpec(eval_metrics=...) that is not (a function of the file, a list or dict of tensors)"
    if not (isinstance(value, cst.Tuple) and len(value.elements) == 2
            and isinstance(value.elements[0].value, cst.Name)):
        raise Unsupported(value, problem)
    fn_name, tensors = value.elements[0].value, value.elements[1].value
    func = metric_function(norm, spec, fn_name.value)
    if func is None:
        raise Unsupported(value, problem)
    params = func.params
    if params.star_arg is not cst.MaybeSentinel.DEFAULT or params.star_kwarg or params.kwonly_params:
        raise Unsupported(func, "a metric function with *args or **kwargs")
    names = [p.name.value for p in params.params]
    if isinstance(tensors, (cst.List, cst.Tuple)) and not any(isinstance(e, cst.StarredElement)
                                                             for e in tensors.elements):
        bound = dict(zip(names, [e.value for e in tensors.elements]))
        if len(tensors.elements) > len(names):
            raise Unsupported(value, problem)
    elif isinstance(tensors, cst.Dict) and all(isinstance(e, cst.DictElement) and isinstance(e.key, cst.SimpleString)
                                              for e in tensors.elements):
        bound = {e.key.evaluated_value: e.value for e in tensors.elements}
        if set(bound) - set(names):
            raise Unsupported(value, problem)
    else:
        raise Unsupported(value, problem)
    for param in params.params:
        if param.name.value not in bound:
            if param.default is None:
                raise Unsupported(value, f"eval_metrics passes no value for {param.name.value}")
            bound[param.name.value] = param.default
    for name, tensor in bound.items():
        if not isinstance(tensor, (cst.Name, cst.Attribute, cst.Subscript, cst.Call, cst.SimpleString,
                                   cst.Integer, cst.Float)):
            raise Unsupported(tensor, "eval_metrics passes an expression: bind it to a name first")
    body = queries.without_docstring(func.body.body) if isinstance(func.body, cst.IndentedBlock) else []
    last = body[-1] if body else None
    if not (isinstance(last, cst.SimpleStatementLine) and len(last.body) == 1
            and isinstance(last.body[0], cst.Return) and last.body[0].value is not None):
        raise Unsupported(func, "a metric function that does not end in `return {...}`")
    if any(queries.find(stmt, (cst.Return, cst.FunctionDef, cst.Global, cst.Nonlocal), first=True)
           for stmt in body[:-1]):
        raise Unsupported(func, "a metric function that returns early or defines functions")
    local = set().union(*(queries.bound_names(stmt) for stmt in body[:-1])) if body[:-1] else set()
    if local & set(names):
        raise Unsupported(func, "a metric function that binds its own parameters again")
    outer = norm.enclosing(spec, cst.FunctionDef)
    if outer is not None:
        inside = {id(n) for n in queries.find(func, cst.Name)}
        labels = {id(a.attr) for a in queries.find(outer, cst.Attribute)} | {
            id(a.keyword) for a in queries.find(outer, cst.Arg) if a.keyword is not None}
        # a name of the model_fn too: bound again where the statements go, read by nothing written after
        line = norm.enclosing(spec, cst.SimpleStatementLine)
        names = [n for n in queries.find(outer, cst.Name) if id(n) not in inside and id(n) not in labels]
        at = {id(n) for n in queries.find(line, cst.Name)} if line is not None else set()
        end = max((i for i, n in enumerate(names) if id(n) in at), default=len(names))
        clash = sorted(local & {n.value for n in names[end + 1:]} | local & {
            n.value for n in queries.find(line, cst.Name) if id(n) not in labels} if line is not None else local)
        clash += sorted(local & set().union(*(queries.names_in(v) for v in bound.values())))
        if clash:
            raise Unsupported(func, f"the metric function's name {clash[0]} is read by {outer.name.value} after it")
    swap = _Swap(bound)
    statements = [stmt.visit(swap) for stmt in body[:-1]]
    returned = last.body[0].value.visit(swap)
    norm.consumed.add(id(fn_name))
    norm.inlined[id(func)] = func
    return statements, returned


def metric_function(norm, spec: cst.Call, name: str) -> Optional[cst.FunctionDef]:
    """The function ``name`` of the function around the spec (at any depth), else of the module."""
    outer = norm.enclosing(spec, cst.FunctionDef)
    while outer is not None:
        found = [d for d in queries.find(outer, cst.FunctionDef) if d.name.value == name and d is not outer]
        if len(found) == 1:
            return found[0]
        if found:
            return None
        outer = norm.enclosing(outer, cst.FunctionDef)
    found = [s for s in norm.module.body if isinstance(s, cst.FunctionDef) and s.name.value == name]
    return found[0] if len(found) == 1 else None


def drop_metric_functions(norm) -> None:
    """A metric function read only by the specs that inlined it goes."""
    for func in norm.inlined.values():
        uses = queries.find(norm.module, cst.Name, lambda n: n.value == func.name.value and n is not func.name)
        if all(id(n) in norm.consumed for n in uses):
            norm.mapping[id(func)] = []
            holder = norm.parent.get(id(func))
            if isinstance(holder, cst.IndentedBlock) and all(id(s) in norm.mapping and norm.mapping[id(s)] == []
                                                             for s in holder.body):
                raise Unsupported(func, "a block that only defines the metric function")


class _Swap(cst.CSTTransformer):
    """A metric function's parameters replaced by the values passed (not attribute or keyword names)."""

    def __init__(self, bound: Dict[str, cst.BaseExpression]) -> None:
        self.bound = bound

    def leave_Attribute(self, original, updated):
        return updated.with_changes(attr=original.attr)

    def leave_Arg(self, original, updated):
        return updated.with_changes(keyword=original.keyword)

    def leave_Name(self, original, updated):
        return self.bound.get(original.value, updated)
