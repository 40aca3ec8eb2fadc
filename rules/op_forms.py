"""TF1-only ops with an exact TensorFlow 2 spelling: `tf.nn.xw_plus_b`, `tf.image.resize_bilinear`, ..."""
from __future__ import annotations

from typing import Dict, FrozenSet, Optional, Tuple

import libcst as cst

from tfmigrate.ftypes import Applicability, Status
from tfmigrate.names import dotted_name
from tfmigrate.rule import Context, Invalid, Rule
from tfmigrate.traverse import Visitor, walk

from . import _tf

XW_PLUS_B = "nn.xw_plus_b"
# TF1's resize functions and the op each one is; the op's parameters, in TF1's order, and
# their defaults are the function's: the raw op computes what TF1 computed.
RESIZES = {
    "image.resize_bilinear": ("ResizeBilinear", ("images", "size", "align_corners", "name", "half_pixel_centers")),
    "image.resize_nearest_neighbor": ("ResizeNearestNeighbor",
                                      ("images", "size", "align_corners", "name", "half_pixel_centers")),
    "image.resize_bicubic": ("ResizeBicubic", ("images", "size", "align_corners", "name", "half_pixel_centers")),
    "image.resize_area": ("ResizeArea", ("images", "size", "align_corners", "name")),
}
PY_FUNC = "py_func"  # TensorFlow 2's numpy_function: the same parameters, the same op
PY_FUNC_PARAMETERS = ("func", "inp", "Tout", "stateful", "name")
NAMES = frozenset({XW_PLUS_B, PY_FUNC, *RESIZES})


def moved(context: Context) -> FrozenSet[str]:
    """The names TFM113 rewrites after the graph-to-eager rewrite: they may stay in it."""
    return NAMES


def _new_code(context: Context, call: cst.Call, name: str) -> Optional[str]:
    prefix = _tf.module_prefix(dotted_name(call.func), name, context.qualify(call.func), context.imports)
    if prefix is None or any(arg.star for arg in call.args):
        return None
    if name == PY_FUNC:
        if any(key not in PY_FUNC_PARAMETERS for key, _ in _tf.by_parameter(call, PY_FUNC_PARAMETERS)):
            return None
        return cst.Module([]).code_for_node(call.with_changes(func=cst.parse_expression(f"{prefix}.numpy_function")))
    code = {key: context.code_for(arg.value) for key, arg in _tf.by_parameter(
        call, ("x", "weights", "biases", "name") if name == XW_PLUS_B else RESIZES[name][1])}
    if None in code or len(code) != len(call.args):
        return None  # an argument past the parameters, or one given twice
    if name == XW_PLUS_B:
        if not {"x", "weights", "biases"} <= code.keys():
            return None
        named = f", name={code['name']}" if "name" in code else ""
        return f"{prefix}.nn.bias_add({prefix}.matmul({code['x']}, {code['weights']}), {code['biases']}{named})"
    if not {"images", "size"} <= code.keys():
        return None
    op, parameters = RESIZES[name]
    return f"{prefix}.raw_ops.{op}(" + ", ".join(f"{p}={code[p]}" for p in parameters if p in code) + ")"


class _Calls(Visitor):
    def __init__(self, context: Context) -> None:
        self.context = context
        self.found: Dict[int, Tuple[cst.Call, str, str]] = {}

    def visit_Call(self, node: cst.Call) -> None:
        name = _tf.call_name(self.context, node)
        if name in NAMES:
            new = _new_code(self.context, node, name)
            if new is not None:
                self.found[id(node.func)] = (node, name, new)


def rewritten(context: Context) -> Dict[int, Tuple[cst.Call, str, str]]:
    """``{id(call.func): (call, name, new code)}`` for the calls TFM113 rewrites in this file."""
    cached = context.shared.get("op-forms")
    if cached is None:
        cached = {}
        text = context.text
        if not _tf.imports_compat(context.imports) and (
                text is None or "xw_plus_b" in text or "resize_" in text or "py_func" in text):
            from . import graph

            result = graph.plan(context)
            if not result.falls_back:  # not kept on compat.v1
                finder = _Calls(context)
                walk(context.module, finder)
                cached = finder.found
        context.shared["op-forms"] = cached
    return cached


class TF1OpForm(Rule):
    """A TF1-only op function whose computation TensorFlow 2 spells otherwise.

    What it finds: calls of `tf.nn.xw_plus_b`, `tf.image.resize_bilinear`,
    `tf.image.resize_nearest_neighbor`, `tf.image.resize_bicubic`,
    `tf.image.resize_area` and `tf.py_func` in a file that becomes TensorFlow 2 code (its own
    `import tensorflow as tf`, rewritten or not by the graph-to-eager rewrite).

    Why: only `tf.compat.v1` has these functions on TensorFlow 2.

    Fix (safe): the same ops. `tf.nn.xw_plus_b(x, w, b)` ->
    `tf.nn.bias_add(tf.matmul(x, w), b)` (what it computed);
    `tf.image.resize_bilinear(images, size)` ->
    `tf.raw_ops.ResizeBilinear(images=images, size=size)`, the op it ran,
    with TF1's `align_corners` and `half_pixel_centers` arguments (TensorFlow
    2's `tf.image.resize` samples at half-pixel centers, which gives other
    numbers than TF1's default); `tf.py_func(f, inp, Tout)` ->
    `tf.numpy_function(f, inp, Tout)`, which TensorFlow 2 made of it (the
    same parameters, `stateful` and `name` included).

    Known limits: calls with `*args` or `**kwargs`, names used other than
    called, and names imported by `from ... import` are left to TFM105.
    """

    code = "TFM113"
    name = "tf1-op-form"
    fix_applicability = Applicability.SAFE
    unfixed_status = Status.COMPAT
    VALID = ["import tensorflow as tf\ny = tf.nn.bias_add(tf.matmul(x, w), b)\n",
             "import tensorflow.compat.v1 as tf\ny = tf.nn.xw_plus_b(x, w, b)\n"]
    INVALID = [
        Invalid("import tensorflow as tf\ny = tf.nn.xw_plus_b(x, w, b, name='scores')\n",
                "import tensorflow as tf\ny = tf.nn.bias_add(tf.matmul(x, w), b, name='scores')\n", unsafe=False),
        Invalid("import tensorflow as tf\ny = tf.image.resize_bilinear(images, [8, 8], align_corners=True)\n",
                "import tensorflow as tf\ny = tf.raw_ops.ResizeBilinear(images=images, size=[8, 8], "
                "align_corners=True)\n", unsafe=False),
        Invalid("import tensorflow as tf\ny = tf.py_func(np.sort, [x], tf.float32, stateful=False)\n",
                "import tensorflow as tf\ny = tf.numpy_function(np.sort, [x], tf.float32, stateful=False)\n",
                unsafe=False),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        found = rewritten(self.context).get(id(node.func))
        if found is None:
            return
        _, name, new = found
        what = {XW_PLUS_B: "the ops it ran", PY_FUNC: "`tf.numpy_function`, its TensorFlow 2 name (the same"
                " parameters and op: func gets NumPy arrays)"}.get(name, "the op it ran, with TF1's sampling")
        self.report(node, f"`tf.{name}` is only in tf.compat.v1 on TensorFlow 2: write {what}",
                    replacement=cst.parse_expression(new))
