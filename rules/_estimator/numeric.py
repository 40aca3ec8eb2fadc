"""A numeric column's shape and normalizer, as the rewrite writes them.

``numeric_column(key, shape=[28, 28])``: TF1's input layer flattened the feature to the shape's size per
example (integers written out, or bound once at module level: ``N_FEATURES``, ``28 * 28``).
``normalizer_fn``: TF1 applied it to the feature as the column's dtype; a lambda of one parameter is its
body reading the feature, a function of the file (or a lambda bound once at module level) is called on it.
"""
from __future__ import annotations

from typing import Dict, Optional

import libcst as cst

from .._eager import queries
from .._eager.state import Unsupported
from .program import Facts


def normalized(f: Facts, call: cst.Call, normalizer: cst.BaseExpression, value: str) -> str:
    """The code of a numeric column's ``normalizer_fn`` applied to ``value``: a lambda of one parameter, its
    body reading ``value`` (``lambda x: (x - 3.0) / 2.0``), or a function of the file (or a name bound once
    at module level to a lambda) called on it."""
    name = normalizer.value if isinstance(normalizer, cst.Name) else None
    bound = f.scoped.get(0, {}).get(name, []) if name is not None else []
    if name in f.functions or len(bound) == 1 and isinstance(bound[0], cst.Lambda):
        return f"{name}({value})"
    params = normalizer.params if isinstance(normalizer, cst.Lambda) else None
    if params is None or len(params.params) != 1 or params.params[0].default is not None or params.star_arg not in (
            None, cst.MaybeSentinel.DEFAULT) or params.kwonly_params or params.star_kwarg is not None or queries.find(
            normalizer.body, (cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
        raise Unsupported(call, f"{f.s.code(call.func)}(normalizer_fn={f.s.code(normalizer)}): a normalizer other "
                                "than a lambda of one parameter or a function of this file")
    param = params.params[0].name.value
    reads = {id(n) for n in queries.find(normalizer.body, cst.Name, lambda n: n.value == param)}
    reads -= {id(a.attr) for a in queries.find(normalizer.body, cst.Attribute)}
    reads -= {id(a.keyword) for a in queries.find(normalizer.body, cst.Arg) if a.keyword is not None}
    replacement = f.s.expr(value)

    class Reads(cst.CSTTransformer):
        def leave_Name(self, original, updated):
            return replacement if id(original) in reads else updated

    return f.s.code(normalizer.body.visit(Reads()))


def shape_size(shape: Optional[cst.BaseExpression], constants: Dict[str, cst.BaseExpression]):
    """(size, its code) of a column shape of integers written out or bound once at module level (``4``,
    ``[28, 28]``: 784; ``(N_FEATURES,)``: ``N_FEATURES``; none given: 1), else (None, None)."""
    if shape is None:
        return 1, "1"
    named = constants.get(shape.value) if isinstance(shape, cst.Name) else None
    written = [e.value for e in (named or shape).elements] if isinstance(named or shape, (cst.List, cst.Tuple)) \
        else [named or shape]
    values = [_integer(e, constants) for e in written]
    if None in values:
        return None, None
    size = 1
    for value in values:
        size *= value
    if named is None and any(isinstance(e, cst.Name) for e in written):
        return size, " * ".join(cst.Module([]).code_for_node(e) for e in written)
    return size, str(size)


def _integer(node: cst.BaseExpression, constants: Dict[str, cst.BaseExpression]) -> Optional[int]:
    """An integer written out, bound once at module level, or their product or sum (``28 * 28``)."""
    if isinstance(node, cst.Name):
        node = constants.get(node.value, node)
    if isinstance(node, cst.Integer):
        return int(node.value)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Multiply, cst.Add)):
        left, right = _integer(node.left, constants), _integer(node.right, constants)
        if left is not None and right is not None:
            return left * right if isinstance(node.operator, cst.Multiply) else left + right
    return None
