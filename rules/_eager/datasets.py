"""tf.data datasets as the rewrite reads them: what each element is, and datasets of placeholders.

``shape_of``: one tensor, a tuple or a dict, where the dataset's making says so (iterators read their
elements into that many names). ``fed``: a dataset of placeholders
(``tf.data.Dataset.from_tensor_slices((x_ph, y_ph)).batch(batch_size)``), which TF1 programs fed NumPy
arrays through at each run of its iterator's initializer: it becomes a function of those values
(``fed_function``), and each start of the iterator calls it (``pipelines.start``).
"""
from __future__ import annotations

from typing import List, Optional, Tuple

import libcst as cst

from .. import _vocab
from . import bindings as B
from . import queries
from .plan import Out
from .state import Rewrite


# dataset methods that keep each element's shape, and those that batch it
_SAME_SHAPE = ("cache", "prefetch", "repeat", "shuffle", "skip", "take", "with_options")


def fed(s: Rewrite, node) -> Optional[Tuple[List[str], List[str]]]:
    """``tf.data.Dataset.from_tensor_slices((x_ph, y_ph)).batch(batch_size)``, fed by the run of its
    iterator's initializer (TF1's way to read NumPy arrays): (the placeholders it reads, in order, the
    TensorSpec of each part of its elements); None for any other dataset."""
    batched, chain = 0, node
    while s.call_name(chain) is None and queries.is_method_call(chain, (*_SAME_SHAPE, "batch")):
        batched += chain.func.attr.value == "batch"
        chain = chain.func.value
    name = s.call_name(chain)
    if name not in ("data.Dataset.from_tensor_slices", "data.Dataset.from_tensors") or len(chain.args) != 1:
        return None
    given = chain.args[0].value
    parts = [e.value for e in given.elements] if isinstance(given, cst.Tuple) else [given]
    if not all(isinstance(p, cst.Name) and s.b.is_(p.value, B.PLACEHOLDER) and p.value in s.b.specs
               and s.b.specs[p.value].source is None for p in parts):
        return None
    graph = s.b.graph_names() | s.b.names(*B.PIPELINE_KINDS)
    params = list(dict.fromkeys(n.value for n in queries.find(node, cst.Name, values=True) if n.value in graph))
    if any(not s.b.is_(p, B.PLACEHOLDER) or s.b.specs[p].source is not None for p in params):
        return None
    specs = []
    for part in parts:
        placeholder = s.b.specs[part.value]
        dims = placeholder.shape.elements if isinstance(placeholder.shape, (cst.List, cst.Tuple)) else None
        if dims is not None and name.endswith("slices"):
            dims = dims[1:] if dims else None
        shape = "None" if dims is None else "[" + ", ".join(["None"] * batched + [s.code(d.value) for d in dims]) + "]"
        if dims is None and placeholder.shape is not None and not (
                isinstance(placeholder.shape, cst.Name) and placeholder.shape.value == "None"):
            # `tf.placeholder(x.dtype, x.shape)`: the element has the rest of that shape (its rank is known)
            rest = f"*{s.code(placeholder.shape)}" + ("[1:]" if name.endswith("slices") else "")
            shape = "[" + ", ".join(["None"] * batched + [rest]) + "]"
        specs.append(f"{s.tf}.TensorSpec({shape}, {s.code(placeholder.dtype)})")
    return params, specs


def continued(fed, value) -> Tuple[Optional[str], cst.BaseExpression]:
    """``dataset = dataset.batch(40)`` where ``dataset`` is a dataset of placeholders (in ``fed``, by name,
    with its code third): (that name, the code of the whole dataset); else (None, ``value``)."""
    root = value
    while isinstance(root, cst.Call) and isinstance(root.func, cst.Attribute):
        root = root.func.value
    if root is value or not isinstance(root, cst.Name) or root.value not in fed:
        return None, value
    return root.value, value.deep_replace(root, fed[root.value][2])


def fed_function(s: Rewrite, name: str, params: List[str], value, node) -> Out:
    """``def ds(x_ph, y_ph, batch_size): return <the dataset>``: made at each run of its initializer."""
    newline = s.module.default_newline
    return Out(s.stmt(f"def {name}({', '.join(params)}):{newline}{s.indent}return {s.code(value)}{newline}"), True)


def chain_root(node) -> cst.BaseExpression:
    """What a chain of dataset methods starts from (``ds`` of ``ds.batch(2).repeat()``); ``node`` itself
    when it is no such call."""
    while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and \
            node.func.attr.value in _vocab.DATASET_CHAINED:
        node = node.func.value
    return node


_SAME_STRUCTURE = ("batch", "cache", "padded_batch", "prefetch", "rebatch", "repeat", "shard", "shuffle", "skip",
                   "take", "filter", "unbatch", "with_options", "ignore_errors", "concatenate")


def shape_of(s: Rewrite, node) -> Optional[str]:
    """What each element of dataset ``node`` is: "single" (one tensor), "tuple", "dict", None (unknown)."""
    if isinstance(node, cst.Name):
        return s.b.get(node.value, B.DATASET)
    name = s.call_name(node)
    if name in _vocab.DATASET_MAKERS or name == "data.Dataset.range":
        return "single"
    if name in ("data.Dataset.from_tensor_slices", "data.Dataset.from_tensors") and node.args:
        given = node.args[0].value
        if isinstance(given, cst.Tuple):
            return "tuple"
        if isinstance(given, cst.Dict):
            return "dict"
        return None if isinstance(given, cst.Name) else "single"  # a name may hold a tuple
    if name == "data.Dataset.zip":
        return "tuple" if node.args and isinstance(node.args[0].value, cst.Tuple) else None
    if name is None and isinstance(node.func, cst.Attribute):
        method = node.func.attr.value
        if method in _SAME_STRUCTURE:
            return shape_of(s, node.func.value)
        if method == "enumerate":
            return "tuple"
        given = node.args[0].value if method == "map" and len(node.args) == 1 else None
        if isinstance(given, cst.Lambda) and isinstance(given.body, (cst.BinaryOperation, cst.UnaryOperation)):
            return "single"  # `lambda n: n * n`: one tensor
        if isinstance(given, cst.Name):  # `def parse_line(line): ...; return x, y`: what its one return is
            return _returned_shape(s, given.value)
    return None


def _returned_shape(s: Rewrite, name: str) -> Optional[str]:
    """"tuple" for a function of the module whose one return is a tuple display, "single" for one that
    returns a TensorFlow op's result or an arithmetic of values; None otherwise."""
    funcs = queries.find(s.module, cst.FunctionDef, lambda f: f.name.value == name)
    if len(funcs) != 1:
        return None
    inner = {id(r) for f in queries.find(funcs[0].body, (cst.FunctionDef, cst.Lambda)) for r in queries.find(f, cst.Return)}
    returns = [r for r in queries.find(funcs[0].body, cst.Return) if id(r) not in inner]
    if len(returns) != 1 or returns[0].value is None:
        return None
    value = returns[0].value
    if isinstance(value, cst.Tuple):
        return "tuple"
    if isinstance(value, (cst.BinaryOperation, cst.UnaryOperation)) or (
            isinstance(value, cst.Call) and (s.call_name(value) or "").split(".")[0] in _OPS) or (
            isinstance(value, cst.Subscript) and isinstance(value.value, cst.Call) and s.call_name(value.value)):
        return "single"
    return None


# TensorFlow modules whose functions return one tensor (not the whole API: tf.split, tf.unstack return lists)
# (tf.io's decode_csv returns a list, parse_single_example a dict: not among them)
_OPS = ("reshape", "cast", "stack", "concat", "squeeze", "expand_dims", "image", "math", "nn", "one_hot",
        "transpose", "reduce_mean", "reduce_sum", "add", "multiply", "divide", "subtract")
