"""Numeric columns whose keys the program computes, and lists of columns a function of the file grows.

TensorFlow's get-started programs build their columns in a loop (``cols = []``, then
``cols.append(tf.feature_column.numeric_column(key=k))``) or a comprehension (``[numeric_column(k)
for k in keys]``, also returned by a function of the file); the rewrite's list then holds the keys
(``Facts.keyed``: the node that gave a column -> the code of its key or keys). The housing
tutorial's ``add_more_features(feats)`` appends columns to the list it is given and returns it.
"""
from __future__ import annotations

from typing import List, Optional

import libcst as cst

from .._eager import queries
from .._eager.state import Unsupported
from .program import Facts, arguments

NUMERIC = ("key", "shape", "default_value", "dtype", "normalizer_fn")  # numeric_column's parameters


def through_list(f: Facts, value: Optional[cst.BaseExpression]) -> Optional[cst.List]:
    """``add_more_features(INPUT_COLUMNS)``: a function of the file that takes the list, appends
    feature columns to it (or nothing) and returns it (``through``); the list it returns, as a literal."""
    func = f.functions.get(value.func.value) if isinstance(value, cst.Call) and isinstance(
        value.func, cst.Name) and len(value.args) == 1 and not value.args[0].keyword and not value.args[0].star \
        else None
    appended = through(func) if func is not None else None
    given = value.args[0].value if appended is not None else None
    given = given if isinstance(given, (cst.List, cst.Tuple)) else f.value_of(given)
    if appended is None or not isinstance(given, (cst.List, cst.Tuple)):
        return None
    return cst.List(elements=[*given.elements, *(cst.Element(column) for column in appended)])


def appended(f: Facts, name: cst.Name) -> None:
    """``name = []`` and, in a loop, ``name.append(tf.feature_column.numeric_column(key=k))`` (TensorFlow's
    get-started programs): numeric columns whose keys the program computes; the list then holds the keys."""
    keyed, others = {}, 0
    for node in queries.find(f.module, cst.Name, lambda n: n.value == name.value):
        calls = [c for c in queries.find(f.module, cst.Call)
                 if isinstance(c.func, cst.Attribute) and c.func.value is node and c.func.attr.value == "append"]
        if not calls:
            others += 1
            continue
        column = calls[0].args[0].value if len(calls[0].args) == 1 else None
        numeric = column is not None and f.call_name(column) == "feature_column.numeric_column"
        given = arguments(column, NUMERIC, "numeric_column with arguments not mapped") if numeric else {}
        if set(given) != {"key"}:
            raise Unsupported(calls[0], f"{name.value}.append of something other than "
                                           "tf.feature_column.numeric_column(key)")
        keyed[id(column)] = given["key"]
    if not keyed or others > 2:  # bound to [] and read by the estimator
        raise Unsupported(name, "no feature columns" if not keyed else
                          f"{name.value}, a list of feature columns built in a loop, is read elsewhere")
    f.keyed.update(keyed)


def made_by(f: Facts, value: cst.BaseExpression) -> Optional[cst.ListComp]:
    """``make_feature_cols()``, a function of the file that takes nothing and ends ``return [... for ...]``:
    that comprehension."""
    func = f.functions.get(value.func.value) if isinstance(value, cst.Call) and isinstance(
        value.func, cst.Name) and not value.args else None
    if func is None or func.params.params or not func.body.body:
        return None
    last = func.body.body[-1]
    if isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[0], cst.Return):
        returned = last.body[0].value
        if isinstance(returned, cst.Name):  # input_columns = [...]; return input_columns
            returned = next((a.value for a in queries.find(func.body, cst.Assign) if len(a.targets) == 1
                             and isinstance(a.targets[0].target, cst.Name)
                             and a.targets[0].target.value == returned.value), None)
        if isinstance(returned, cst.ListComp):
            return returned
    return None


def comprehension(f: Facts, made: cst.ListComp) -> None:
    """``name = [tf.feature_column.numeric_column(key=k) for k in keys]``: numeric columns whose keys the
    program computes, as appended in a loop; the list then holds the keys (``list(keys)``)."""
    column, loop = made.elt, made.for_in
    numeric = f.call_name(column) == "feature_column.numeric_column"
    given = arguments(column, NUMERIC, "numeric_column with arguments not mapped") if numeric else {}
    if "shape" in given and f.s.code(given["shape"]).replace(" ", "") in ("1", "(1,)", "[1]", "(1)"):
        del given["shape"]  # TF1's default: one value per example
    if set(given) != {"key"} or loop.inner_for_in is not None or loop.ifs or loop.asynchronous:
        raise Unsupported(made, "feature columns made in a comprehension other than "
                                "[tf.feature_column.numeric_column(key) for key in keys]")
    key, target = given["key"], loop.target
    if isinstance(key, cst.Name) and isinstance(target, cst.Name) and key.value == target.value:
        keys = f.s.code(loop.iter)  # a list written out is the list itself
        f.keyed[id(made)] = f.s.expr(keys if isinstance(loop.iter, cst.List) else f"list({keys})")
    else:
        f.keyed[id(column)] = key


def through(func: cst.FunctionDef) -> Optional[List[cst.BaseExpression]]:
    """``def add_more_features(feats): feats.append(...); ...; return feats``: what it appends to the list
    it takes and returns (nothing: an empty list), else None."""
    params = func.params
    if len(params.params) != 1 or isinstance(params.star_arg, cst.Param) or params.kwonly_params or (
            params.star_kwarg is not None) or func.decorators or not isinstance(func.body, cst.IndentedBlock):
        return None
    param = params.params[0].name.value
    body = queries.without_docstring(func.body.body)
    appended = []
    for stmt in body[:-1]:
        call = stmt.body[0].value if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and (
            isinstance(stmt.body[0], cst.Expr)) else None
        if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
                and isinstance(call.func.value, cst.Name) and call.func.value.value == param
                and call.func.attr.value == "append" and len(call.args) == 1 and not call.args[0].keyword):
            return None
        appended.append(call.args[0].value)
    last = body[-1] if body else None
    if not (isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[0], cst.Return)
            and isinstance(last.body[0].value, cst.Name) and last.body[0].value.value == param):
        return None
    return appended
