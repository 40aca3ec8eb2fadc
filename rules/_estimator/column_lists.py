"""A list of feature columns that grows after it is bound, as the housing and census tutorials write it.

``feature_cols = [tf.feature_column.numeric_column(k) for k in FEATURES]`` followed by
``feature_cols.append(tf.feature_column.indicator_column(town))`` (or ``.extend([...])``, ``+=
[...]``) in the same block: the list the estimator reads is both, in order. The comprehension
counts when its keys are strings written out (``for k in ["rooms", "age"]``, or a name bound
once at module level to such a list): each key is then one numeric column, read by key as any
other. The statements that grow the list go with the statement that binds it (``columns``).
"""
from __future__ import annotations

from typing import List, Optional

import libcst as cst

from .._eager import queries
from .._eager.state import Unsupported
from .program import Facts

GROWERS = ("append", "extend")


def grown(stmt: cst.BaseStatement, name: str) -> Optional[List[cst.BaseExpression]]:
    """The columns ``stmt`` adds to the list ``name`` (``name.append(c)``, ``name.extend([...])``, ``name +=
    [...]`` alone on their line), else None."""
    if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1):
        return None
    small = stmt.body[0]
    if isinstance(small, cst.AugAssign) and isinstance(small.operator, cst.AddAssign) and isinstance(
            small.target, cst.Name) and small.target.value == name and isinstance(small.value, (cst.List, cst.Tuple)):
        return [e.value for e in small.value.elements]
    call = small.value if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) else None
    func = call.func if call is not None else None
    if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value == name
            and func.attr.value in GROWERS and len(call.args) == 1 and not call.args[0].keyword
            and not call.args[0].star):
        return None
    value = call.args[0].value
    if func.attr.value == "append":
        return [value]
    return [e.value for e in value.elements] if isinstance(value, (cst.List, cst.Tuple)) else None


def extended(f: Facts, name: cst.Name, bound: Optional[cst.BaseExpression]) -> Optional[cst.List]:
    """The list ``name`` holds once the statements after its binding have grown it, as a literal (a comprehension
    over keys written out that nothing grows: its columns); None when nothing grows it; Unsupported when it grows anywhere but in straight statements of the block that binds it,
    or after a comprehension over keys the program computes."""
    if not isinstance(bound, (cst.List, cst.Tuple, cst.ListComp)) or (
            isinstance(bound, cst.List) and not bound.elements):  # [] grown in a loop: numeric keys (features)
        return None
    block = _block_of(f, bound)
    if block is None:
        return None
    growing = [stmt for stmt in block if grown(stmt, name.value) is not None]
    added = [column for stmt in growing for column in grown(stmt, name.value)]
    everywhere = [c for c in queries.find(f.module, cst.Call) if isinstance(c.func, cst.Attribute)
                  and isinstance(c.func.value, cst.Name) and c.func.value.value == name.value
                  and c.func.attr.value in GROWERS]
    augmented = queries.find(f.module, cst.AugAssign, lambda a: isinstance(a.target, cst.Name)
                             and a.target.value == name.value)
    if not everywhere and not augmented:  # a comprehension over keys written out: its columns (TF1's names)
        first = expanded(f, bound) if isinstance(bound, cst.ListComp) else None
        return cst.List(elements=[cst.Element(column) for column in first]) if first else None
    if len(everywhere) + len(augmented) != len(growing):
        raise Unsupported(bound, f"{name.value}, a list of feature columns, grows in a loop, a branch or another "
                                 "function: which columns it holds is not known")
    first = expanded(f, bound) if isinstance(bound, cst.ListComp) else [e.value for e in bound.elements]
    if first is None:
        raise Unsupported(bound, f"{name.value} grows after a comprehension whose keys are not strings written "
                                 "out: the order of its columns is not known")
    return cst.List(elements=[cst.Element(column) for column in [*first, *added]])


def expanded(f: Facts, made: cst.ListComp) -> Optional[List[cst.BaseExpression]]:
    """``[tf.feature_column.numeric_column(k) for k in KEYS]`` over strings written out: one numeric column
    of each key, else None."""
    loop = made.for_in
    if loop.inner_for_in is not None or loop.ifs or not isinstance(loop.target, cst.Name):
        return None
    column = made.elt
    if not (isinstance(column, cst.Call) and f.call_name(column) == "feature_column.numeric_column"
            and len(column.args) == 1 and isinstance(column.args[0].value, cst.Name)
            and column.args[0].value.value == loop.target.value
            and (column.args[0].keyword is None or column.args[0].keyword.value == "key")):
        return None
    keys = loop.iter
    if isinstance(keys, cst.Name):
        keys = queries.module_constants(f.module).get(keys.value)
    if not isinstance(keys, (cst.List, cst.Tuple)) or not keys.elements or not all(
            isinstance(e.value, cst.SimpleString) for e in keys.elements):
        return None
    return [column.with_changes(args=[column.args[0].with_changes(value=e.value)]) for e in keys.elements]


def literal(f: Facts, value: cst.BaseExpression) -> Optional[cst.BaseExpression]:
    """The list a columns argument is: itself when written out (``[tf.feature_column.numeric_column(k) for k
    in ["a", "b"]]`` in the estimator's call: the list of its columns), else the one value a name is bound to."""
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
        # `base_columns + crossed_columns`: one list of both's columns
        left, right = literal(f, value.left), literal(f, value.right)
        if isinstance(left, (cst.List, cst.Tuple)) and isinstance(right, (cst.List, cst.Tuple)):
            return cst.List([cst.Element(e.value) for e in (*left.elements, *right.elements)
                             if isinstance(e, cst.Element)]) if not any(
                isinstance(e, cst.StarredElement) for e in (*left.elements, *right.elements)) else None
        return None
    if not isinstance(value, (cst.List, cst.Tuple, cst.ListComp)):
        bound = f.value_of(value)
        return literal(f, bound) if isinstance(bound, cst.BinaryOperation) else bound
    columns = expanded(f, value) if isinstance(value, cst.ListComp) else None
    return cst.List([cst.Element(column) for column in columns]) if columns is not None else value


def _block_of(f: Facts, value: cst.BaseExpression) -> Optional[List[cst.BaseStatement]]:
    """The statements of the block (the module's, or a function's) whose statement binds ``value``."""
    blocks = [list(f.module.body)] + [list(func.body.body) for func in queries.find(f.module, cst.FunctionDef)
                                      if isinstance(func.body, cst.IndentedBlock)]
    for block in blocks:
        if any(queries.holds(stmt, type(value), lambda n: n is value) for stmt in block
               if isinstance(stmt, cst.SimpleStatementLine)):
            return block
    return None


def returned(f: Facts, value: Optional[cst.BaseExpression]) -> Optional[cst.List]:
    """``get_feature_columns()``, ``list(get_feature_columns().values())``: a function of the file without
    parameters whose last statement returns its columns (a list, or a dict of them by key, as the estimator
    tutorials write it: ``{name: tf.feature_column.numeric_column(name) for name in FEATURE_NAMES}``, also
    bound to a name it returns); those columns as a list literal, else None (TF1's input layer and canned
    estimators order the columns by name: the dict's order does not count)."""
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value == "list" and len(
            value.args) == 1 and not value.args[0].keyword and not value.args[0].star:
        value = value.args[0].value  # list(...)
    if isinstance(value, cst.Call) and not value.args and isinstance(value.func, cst.Attribute) and (
            value.func.attr.value == "values"):
        value, keyed = value.func.value, True  # (...).values()
    else:
        keyed = False
    func = f.functions.get(value.func.value) if isinstance(value, cst.Call) and isinstance(
        value.func, cst.Name) and not value.args else None
    if func is None or func.params.params or func.params.star_arg is not cst.MaybeSentinel.DEFAULT or (
            func.params.kwonly_params or func.decorators or not isinstance(func.body, cst.IndentedBlock)):
        return None
    body = queries.without_docstring(func.body.body)
    last = body[-1] if body else None
    made = last.body[0].value if isinstance(last, cst.SimpleStatementLine) and len(last.body) == 1 and isinstance(
        last.body[0], cst.Return) else None
    if isinstance(made, cst.Name) and len(body) == 2:  # columns = {...}; return columns
        bound = body[0].body[0] if isinstance(body[0], cst.SimpleStatementLine) and len(body[0].body) == 1 else None
        made = bound.value if isinstance(bound, cst.Assign) and len(bound.targets) == 1 and isinstance(
            bound.targets[0].target, cst.Name) and bound.targets[0].target.value == made.value else None
    elif len(body) != 1:
        return None
    if isinstance(made, cst.DictComp) and keyed and isinstance(made.key, cst.Name) and isinstance(
            made.for_in.target, cst.Name) and made.key.value == made.for_in.target.value:
        made = cst.ListComp(elt=made.value, for_in=made.for_in)  # {name: column(name) for name in NAMES}
    elif isinstance(made, cst.Dict) and keyed:
        if not all(isinstance(e, cst.DictElement) for e in made.elements):
            return None
        made = cst.List([cst.Element(e.value) for e in made.elements])
    elif keyed:
        return None
    if isinstance(made, cst.ListComp):
        columns = expanded(f, made)
        return cst.List([cst.Element(column) for column in columns]) if columns else None
    if isinstance(made, (cst.List, cst.Tuple)) and made.elements and all(
            isinstance(e, cst.Element) for e in made.elements):
        return cst.List([cst.Element(e.value) for e in made.elements])
    return None
