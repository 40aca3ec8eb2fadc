"""Values that are several tensors in a structure, which a run fetches as that structure of values.

``tf.nn.top_k`` (values and indices), ``tf.split``, ``tf.nn.moments``; and the functions whose result has the
structure of what they are given: ``tf.scan`` or a fold over a tuple state, ``tf.map_fn`` over a tuple,
``tf.while_loop`` of several loop variables, ``tf.cond`` branches returning tuples. The rewrite reads such a
fetch with ``tf.nest.map_structure(lambda value: value.numpy(), ...)``.
"""
from __future__ import annotations

from typing import List

import libcst as cst

from .. import _tf, _vocab
from . import bindings as B, queries
from .state import Rewrite, Unsupported

_STRUCTURES = (cst.List, cst.Tuple, cst.Dict)
# functions whose result has the structure of their initial value (scan, folds), of their elements or dtype
# (map_fn), or of their loop variables (while_loop): (position, keyword) of each argument that decides it
_FOLLOWS = {"scan": ((2, "initializer"), (1, "elems")), "foldl": ((2, "initializer"), (1, "elems")),
            "foldr": ((2, "initializer"), (1, "elems")), "map_fn": ((2, "dtype"), (None, "fn_output_signature"),
                                                                    (1, "elems")), "while_loop": ((2, "loop_vars"),)}


def structured(s: Rewrite, value: cst.BaseExpression) -> bool:
    """Does ``value`` compute several tensors in a structure (``tf.nn.top_k``; ``tf.scan`` over a tuple state),
    which a run fetches as that structure of values?"""
    name = s.call_name(value)
    if name in _vocab.MULTI_OUTPUT:
        return True
    for position, keyword in _FOLLOWS.get(name, ()):
        arg = _tf.argument(value, position, keyword)
        if arg is not None:
            # (TF1's while_loop hands back the one tensor of a one-element list of loop variables)
            return isinstance(arg.value, _STRUCTURES) and not (
                name == "while_loop" and isinstance(arg.value, (cst.List, cst.Tuple)) and len(arg.value.elements) == 1)
    if name in ("cond", "case"):  # branches that return tuples
        return any(isinstance(f.body, _STRUCTURES) for f in queries.find(value, cst.Lambda))
    return False


_STATIC = ("get_shape", "num_elements", "as_list", "shape", "ndims", "rank")


def static_items(s: Rewrite, value: cst.BaseExpression, count: int) -> List[int]:
    """The items of ``layer_flat, num_features = flatten_layer(layer)`` (a function of the program returning a
    tuple) that are Python values computed from static shapes (``layer.get_shape()[1:4].num_elements()``):
    TF1 had them as numbers while it built the graph; the rewrite would make them tensors of each call."""
    if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Name)):
        return []
    func = next((f for f in queries.find(s.module, cst.FunctionDef) if f.name.value == value.func.value), None)
    returned = queries.returned_tuple(func, count) if func is not None else None
    if returned is None:
        return []
    bound: dict = {}
    for assign in queries.find(func.body, cst.Assign):
        for target in assign.targets:
            if isinstance(target.target, cst.Name):
                bound.setdefault(target.target.value, []).append(assign.value)

    def static(node, depth: int = 0) -> bool:
        if depth > 4:
            return False
        if isinstance(node, cst.Name):
            values = bound.get(node.value, [])
            return len(values) == 1 and static(values[0], depth + 1)
        if any(s.call_name(c) is not None for c in queries.find(node, cst.Call)):
            return False  # a TensorFlow op: a tensor
        if queries.holds(node, cst.Attribute, lambda a: a.attr.value in _STATIC):
            return True
        return any(static(n, depth + 1) for n in queries.find(node, cst.Name, values=True) if n.value in bound)

    return [i for i, e in enumerate(returned.elements) if static(e.value)]


def no_static_items(s: Rewrite, node, value: cst.BaseExpression, names: List[str]) -> None:
    """Refuses ``static_items`` that the program keeps (not ``_``)."""
    static = [i for i in static_items(s, value, len(names)) if names[i] != "_"]
    if static:
        raise Unsupported(node, f"{names[static[0]]}, a number computed from a static shape, returned with tensors "
                                "(the rewrite's function would hand it back as a tensor at each call)")


def refuse_held_variables(s: Rewrite, nodes) -> None:
    """Fetches of a run with a train op: a structure that holds a variable itself (``{"step": global_step}``,
    or a name bound to one) is refused. TF1 hands that variable back as the run leaves it (updated), the
    structure's other values as the run starts; the rewrite reads a structure at one time."""
    for node in nodes:
        tensor = s.b.get(node.value, B.TENSOR) if isinstance(node, cst.Name) else None
        source = getattr(tensor, "source", None) if isinstance(node, cst.Name) else node
        values = [source] if isinstance(source, _STRUCTURES) else []
        while values:
            value = values.pop()
            if isinstance(value, _STRUCTURES):
                values += [e.value for e in value.elements if isinstance(e, (cst.Element, cst.DictElement))]
            elif isinstance(value, cst.Name) and s.b.is_variable(value.value):
                raise Unsupported(node, f"a fetched structure holds variable {value.value}, run with a train op: "
                                        "TF1 hands it back updated and the rest as the run starts (fetch it alone)")
