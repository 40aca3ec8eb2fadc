"""Values that are several tensors in a structure, which a run fetches as that structure of values.

``tf.nn.top_k`` (values and indices), ``tf.split``, ``tf.nn.moments``; and the functions whose result has the
structure of what they are given: ``tf.scan`` or a fold over a tuple state, ``tf.map_fn`` over a tuple,
``tf.while_loop`` of several loop variables, ``tf.cond`` branches returning tuples. The rewrite reads such a
fetch with ``tf.nest.map_structure(lambda value: value.numpy(), ...)``.
"""
from __future__ import annotations

import libcst as cst

from .. import _tf, _vocab
from . import queries
from .state import Rewrite

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
