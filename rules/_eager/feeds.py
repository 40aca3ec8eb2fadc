"""Placeholders and feeds: a placeholder becomes a parameter, a feed the argument passed.

``x = tf.placeholder(tf.float32, [None, 2])`` is removed; each function computing a
tensor from ``x`` takes it as a parameter, with ``tf.TensorSpec([None, 2], tf.float32)``
in its input signature (which casts a fed value as a feed did). ``feed_dict={x: v}``
becomes the argument ``v``.
"""
from __future__ import annotations

from typing import Dict, Optional, Sequence, Set, Tuple

import libcst as cst

from .. import _tf
from . import bindings as B
from . import batch_norm, fetches, queries
from .bindings import Placeholder
from .state import Rewrite, Unsupported

_NUMPY_DTYPES = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool_")


def literal_dtype(s: Rewrite, node) -> Optional[str]:
    """The dtype TF infers for a literal value, as code; None when it is not evident."""
    tf = s.tf
    if isinstance(node, cst.UnaryOperation):
        node = node.expression
    if isinstance(node, cst.Float):
        return f"{tf}.float32"
    if isinstance(node, cst.Integer):
        return f"{tf}.int32"
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return f"{tf}.bool"
    if isinstance(node, cst.Call) and s.call_name(node) in ("constant", "cast"):
        dtype = _tf.argument(node, 1, "dtype")
        if dtype is not None:
            return s.code(dtype.value)
        value = _tf.argument(node, 0, "value")
        if s.call_name(node) == "constant" and value is not None:
            return literal_dtype(s, value.value)
    if isinstance(node, cst.Call):
        # np.array(..., dtype=np.float32) and the like
        dtype = _tf.argument(node, None, "dtype")
        if dtype is not None and isinstance(dtype.value, cst.Attribute):
            kind = dtype.value.attr.value
            if kind in _NUMPY_DTYPES:
                return f"{tf}.{kind.rstrip('_')}"
    if isinstance(node, (cst.List, cst.Tuple)) and node.elements:
        kinds = {literal_dtype(s, e.value) for e in node.elements}
        if len(kinds) == 1:
            return kinds.pop()
        if kinds == {f"{tf}.float32", f"{tf}.int32"}:
            return f"{tf}.float32"
    return None


# TensorFlow functions whose result is floating point (given numbers), and those whose result has the
# dtype of their first argument: enough to tell how TF1's tf.div divided a computed value.
_FLOAT_RESULTS = frozenset((
    "truediv", "divide", "math.divide", "sqrt", "math.sqrt", "rsqrt", "exp", "math.exp", "log", "math.log",
    "sigmoid", "math.sigmoid", "nn.sigmoid", "tanh", "math.tanh", "nn.tanh", "nn.softmax", "nn.log_softmax",
    "random_normal", "random.normal", "random_uniform", "random.uniform", "truncated_normal",
    "random.truncated_normal", "linspace", "lin_space"))
_FIRST_ARGUMENT_DTYPE = frozenset((
    "add", "subtract", "multiply", "negative", "abs", "square", "maximum", "minimum", "reduce_sum", "reduce_max",
    "reduce_min", "math.add", "math.subtract", "math.multiply", "math.negative", "math.abs", "math.square",
    "math.maximum", "math.minimum", "math.reduce_sum", "math.reduce_max", "math.reduce_min", "expand_dims",
    "reshape", "squeeze", "transpose", "matmul", "linalg.matmul", "identity", "tile", "gather", "nn.relu", "div",
    "floordiv", "math.floordiv", "matrix_diag_part", "linalg.diag_part", "reduce_mean", "math.reduce_mean",
    "zeros_like", "ones_like", "clip_by_value", "reduce_prod", "math.reduce_prod", "cumsum", "math.cumsum"))


# Functions whose result has one dtype whatever they are given (TF1's casts, sizes and indices).
_FIXED_RESULTS = {"to_float": "float32", "to_double": "float64", "to_int32": "int32", "to_int64": "int64",
                  "size": "int32", "shape": "int32", "rank": "int32", "argmax": "int64", "argmin": "int64",
                  "math.argmax": "int64", "math.argmin": "int64"}


def evident_dtype(s: Rewrite, node) -> Optional[str]:
    """The dtype of a value as far as tf.div needs it (a float or an integer), as code: a literal's, a
    name's that one was evident for, a placeholder's, or one of the TensorFlow functions above of such."""
    dtype = literal_dtype(s, node)
    if dtype is not None:
        return dtype
    if isinstance(node, cst.Name):
        spec = s.b.specs.get(node.value) if s.b.kind(node.value) == B.PLACEHOLDER else None
        if spec is None:
            return s.b.dtype(node.value)
        dtype = spec.dtype
        if isinstance(dtype, cst.Attribute) and dtype.attr.value == "dtype" and isinstance(dtype.value, cst.Call) and (
                s.call_name(dtype.value) == "TensorSpec" and len(dtype.value.args) == 2):
            dtype = dtype.value.args[1].value  # an element's: `tf.TensorSpec([None, 4], x.dtype).dtype`
        return s.code(dtype)
    if isinstance(node, cst.BinaryOperation):
        if isinstance(node.operator, cst.Divide):
            return f"{s.tf}.float32"  # a true division: floats, whatever it divides
        # TensorFlow converts a Python number to the tensor's dtype (a float one only to a float dtype)
        sides = [side for side in (node.left, node.right) if not integer_literal(side)]
        return next((dtype for dtype in map(lambda side: evident_dtype(s, side), sides) if dtype), None)
    if isinstance(node, cst.Call) and _tf.argument(node, None, "dtype") is None:
        name = s.call_name(node)
        first = _tf.argument(node, 0, "x")
        if name in _FLOAT_RESULTS:
            return f"{s.tf}.float32"
        if name in _FIXED_RESULTS:
            return f"{s.tf}.{_FIXED_RESULTS[name]}"
        if name in ("where", "where_v2") and len(node.args) == 3 and node.args[1].keyword is None:
            return evident_dtype(s, node.args[1].value)  # tf.where(condition, x, y): the dtype of x
        if name in _FIRST_ARGUMENT_DTYPE and first is not None and first.keyword is None:
            return evident_dtype(s, first.value)
        inputs = _tf.argument(node, 0, "inputs")
        if name is not None and name.startswith("layers.") and inputs is not None:
            return evident_dtype(s, inputs.value)  # a TF1 layer computes in its inputs' dtype
    return None


def integer_literal(node) -> bool:
    return isinstance(node.expression if isinstance(node, cst.UnaryOperation) else node, cst.Integer)


def placeholder(s: Rewrite, name: str, call: cst.Call, kind: str) -> None:
    """``name = tf.placeholder(dtype, shape)``: remembered as a parameter; the statement goes."""
    default = None
    if kind == "placeholder_with_default":
        given = _tf.argument(call, 0, "input")
        shape = _tf.argument(call, 1, "shape")
        default = given.value if given is not None else None
        dtype_code = literal_dtype(s, default)
        if dtype_code is None:
            raise Unsupported(call, "tf.placeholder_with_default with a default whose dtype is not evident")
        dtype = cst.Arg(s.expr(dtype_code))
    else:
        dtype = _tf.argument(call, 0, "dtype")
        shape = _tf.argument(call, 1, "shape")
    if dtype is None:
        raise Unsupported(call, "a placeholder without a dtype")
    if name in s.b.specs:
        raise Unsupported(call, f"placeholder {name} is defined twice")
    s.b.define(Placeholder(name, dtype.value, shape.value if shape is not None else None, default))


_SCALINGS = (cst.Add, cst.Subtract, cst.Multiply, cst.Divide)


def scaled_placeholder(s: Rewrite, value) -> Optional[cst.Call]:
    """The placeholder of ``x = tf.placeholder(tf.float32, shape) / 255.`` (a float placeholder and a
    number, with + - * /). TF1 could not compute ``x`` unfed (its placeholder has no name to feed), so
    every run that used it fed ``x`` itself: ``x`` is a placeholder of that dtype and shape."""
    if not isinstance(value, cst.BinaryOperation) or not isinstance(value.operator, _SCALINGS):
        return None
    for call, number in ((value.left, value.right), (value.right, value.left)):
        if isinstance(number, cst.UnaryOperation) and isinstance(number.operator, cst.Minus):
            number = number.expression
        if isinstance(call, cst.Call) and s.call_name(call) == "placeholder" and isinstance(
                number, (cst.Integer, cst.Float)):
            dtype = _tf.argument(call, 0, "dtype")
            if dtype is not None and s.tf_name(dtype.value) in ("float16", "float32", "float64"):
                return call
    return None


def spec(s: Rewrite, param: str) -> str:
    """``tf.TensorSpec(shape, dtype)`` of a placeholder."""
    p = s.b.specs[param]
    if p.spec:
        return p.spec  # an iterator's element: the dataset's element_spec
    shape = s.code(p.shape) if p.shape is not None else "None"
    return f"{s.tf}.TensorSpec({shape}, {s.code(p.dtype)})"


def static_target(s: Rewrite, node: cst.CSTNode) -> Optional[Tuple[str, str]]:
    """(placeholder, "shape" or "dtype") where ``node`` is ``x.shape``, ``x.get_shape()`` or ``x.dtype`` of a
    placeholder ``x``; None for anything else."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get_shape":
        target, attr = (node.func.value, "shape") if not node.args else (None, "")
    elif isinstance(node, cst.Attribute) and node.attr.value in ("shape", "dtype"):
        target, attr = node.value, node.attr.value
    else:
        return None
    if not (isinstance(target, cst.Name) and s.b.is_(target.value, B.PLACEHOLDER) and target.value in s.b.specs):
        return None
    return target.value, attr


def static_read(s: Rewrite, node: cst.CSTNode) -> Optional[cst.BaseExpression]:
    """``x.shape``, ``x.get_shape()`` or ``x.dtype`` of a placeholder ``x`` in Python code: what the graph knew
    of it, its spec's (``tf.TensorShape([None, 784])``); None for anything else."""
    found = static_target(s, node)
    if found is None:
        return None
    p, attr = s.b.specs[found[0]], found[1]
    if p.spec:
        return s.expr(f"{p.spec}.{attr}")
    if attr == "dtype":
        return s.expr(s.code(p.dtype))
    return s.expr(f"{s.tf}.TensorShape({s.code(p.shape) if p.shape is not None else 'None'})")


def signature(s: Rewrite, params: Sequence[str]) -> str:
    return f"@{s.tf}.function(input_signature=[{', '.join(spec(s, p) for p in params)}])"


def decorator(s: Rewrite, params: Sequence[str]) -> str:
    """``@tf.function``, with the input signature of the placeholders it takes."""
    return signature(s, params) if params else f"@{s.tf}.function"


def ordered(s: Rewrite, names: Set[str]) -> Tuple[str, ...]:
    """Placeholders in definition order; those with a default last (Python needs it)."""
    specs = s.b.specs
    required = [p for p in s.b.order if p in names and specs[p].default is None]
    optional = [p for p in s.b.order if p in names and specs[p].default is not None]
    return tuple(required + optional)


def parameters(s: Rewrite, params: Sequence[str]) -> str:
    parts = []
    for param in params:
        default = s.b.specs[param].default
        parts.append(f"{param}={s.code(default)}" if default is not None else param)
    return ", ".join(parts)


def is_feed_dict(s: Rewrite, value: cst.Dict) -> bool:
    keys = [e.key for e in value.elements if isinstance(e, cst.DictElement)]
    return bool(keys) and len(keys) == len(value.elements) and all(
        isinstance(k, cst.Name) and s.b.is_(k.value, B.PLACEHOLDER) for k in keys
    )


def feed_arg(call: cst.Call, position: Optional[int]) -> Optional[cst.BaseExpression]:
    arg = _tf.argument(call, position, "feed_dict")
    return arg.value if arg is not None else None


def feed_values(s: Rewrite, feeds: Optional[cst.BaseExpression]) -> Dict[str, cst.BaseExpression]:
    """Placeholder -> the value fed, with runs inside the values computed eagerly."""
    if feeds is None:
        return {}
    if isinstance(feeds, cst.Name) and s.b.is_(feeds.value, B.FEED):
        feeds = s.b.get(feeds.value, B.FEED)
    if not isinstance(feeds, cst.Dict) or not is_feed_dict(s, feeds):
        raise Unsupported(feeds, "a feed_dict that is not a dict of placeholders")
    return {e.key.value: fetches.rewrite(s, e.value) for e in feeds.elements}


def call_with_feeds(s: Rewrite, name: str, params: Sequence[str], feeds: Dict[str, cst.BaseExpression], node,
                    train: bool = False) -> str:
    """``name(...)`` with the fed value of each parameter (a default may be left out); ``train``: the
    call of a train step."""
    if not train:
        batch_norm.check_run(s, params, feeds, node)
    args = []
    for param in params:
        if s.b.specs[param].default is not None:
            if param in feeds:
                args.append(f"{param}={s.code(feeds[param])}")
            continue
        if param not in feeds:
            raise Unsupported(node, f"placeholder {param} is not fed where {name} is run")
        args.append(s.code(feeds[param]))
    return f"{name}({', '.join(args)})"


def values_for(s: Rewrite, params, feeds: Dict[str, cst.BaseExpression], node) -> Dict[str, cst.BaseExpression]:
    """The value of each parameter a computation needs: fed, or its default."""
    batch_norm.check_run(s, params, feeds, node)
    values = {}
    for param in params:
        if param in feeds:
            values[param] = feeds[param]
        elif s.b.specs[param].default is not None:
            values[param] = s.b.specs[param].default
        else:
            unfed(node, param)
    return values


def unfed(node, name):
    raise Unsupported(node, f"placeholder {name} is not fed")


def computed_together(statements, values: Dict[str, cst.BaseExpression]) -> list:
    """A run's reads and its train step (``statements``, in order), each computed from what the run fed: one
    tuple assignment when the run binds a name its feed reads (``l, s, _ = sess.run([loss, nxt, train],
    {x: s})``: TF1 fed and trained on the ``s`` of before the run)."""
    fed = {name for value in values.values() for name in queries.names_in(value)}
    bound = {stmt.targets[0].target.value for stmt in statements
             if isinstance(stmt, cst.Assign) and isinstance(stmt.targets[0].target, cst.Name)}
    if len(statements) < 2 or not fed & bound:
        return list(statements)
    targets = [stmt.targets[0].target if isinstance(stmt, cst.Assign) else cst.Name("_") for stmt in statements]
    return [cst.Assign([cst.AssignTarget(cst.Tuple([cst.Element(t) for t in targets], lpar=[], rpar=[]))],
                       cst.Tuple([cst.Element(stmt.value) for stmt in statements], lpar=[], rpar=[]))]
