"""TF1 calls whose positional arguments TensorFlow 2 binds to other parameters (TFM122), and TensorFlow 0.x
losses called with positional arguments that TensorFlow 1.x refused (TFM123)."""
from __future__ import annotations

import functools
import json
import os
from typing import Dict

import libcst as cst

from tfmigrate.rule import Applicability, Invalid

from . import _tf
from .renames import _TFNames


@functools.lru_cache(maxsize=1)
def table() -> Dict[str, dict]:
    """``{TF1 name: {"first": i, "keywords": [...]}}``, from scripts/generate_positional_table.py."""
    path = os.path.join(os.path.dirname(__file__), "data", "tf_positional.json")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


class ReorderedArguments(_TFNames):
    """Positional arguments that TensorFlow 2 binds to another parameter.

    What it finds: calls such as `tf.nn.in_top_k(logits, labels, 1)` or
    `tf.random_poisson(lam, shape)`, whose TF2 function takes its
    parameters in another order (`in_top_k(targets, predictions, k)`,
    `random.poisson(shape, lam)`), and `tf.transpose(x, perm, "t")`,
    `tf.argmax(x, 1, "arg")`, `tf.nn.moments(x, axes, None, "m")`, whose
    later positions hold other parameters in TF2 (`conjugate`,
    `output_type`, `keepdims`). Renaming alone runs them with the arguments
    swapped, silently where the types agree.

    Fix (safe): from the first position TF2 binds otherwise, the arguments
    are passed by keyword, under their TensorFlow 2 names
    (`tf.nn.in_top_k(predictions=logits, targets=labels, k=1)`): the call
    TF1 made. Positions before it stay as written; the table of positions
    is read off TF2's own signatures (`scripts/generate_positional_table.py`).

    Known limits: a positional argument TF2 has no parameter for
    (`use_cudnn_on_gpu` of `tf.nn.conv2d`), or a `*args` where the order
    matters, is reported, not rewritten.
    """

    code = "TFM122"
    name = "reordered-arguments"
    fix_applicability = Applicability.SAFE
    VALID = ["import tensorflow as tf\ny = tf.nn.in_top_k(predictions=p, targets=t, k=1)\n",
             "import tensorflow as tf\ny = tf.nn.conv2d(x, w, [1, 1, 1, 1], 'SAME')\n"]
    INVALID = [
        Invalid("import tensorflow as tf\ny = tf.nn.in_top_k(p, t, 1)\n",
                "import tensorflow as tf\ny = tf.nn.in_top_k(predictions=p, targets=t, k=1)\n", unsafe=False),
        Invalid("import tensorflow as tf\ny = tf.transpose(x, [1, 0], 't')\n",
                "import tensorflow as tf\ny = tf.transpose(x, [1, 0], name='t')\n", unsafe=False),
        Invalid("import tensorflow as tf\ny = tf.nn.conv2d(x, w, [1, 1, 1, 1], 'SAME', True)\n"),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        name = _tf.call_name(self, node)
        entry = table().get(name) if name else None
        if entry is None or self.compat_file(node.func):
            return
        first, keywords = entry["first"], entry["keywords"]
        positional = [arg for arg in node.args if arg.keyword is None]
        if len(positional) <= first:
            return
        message = f"positional arguments of `tf.{name}` from position {first + 1} on are other parameters in TensorFlow 2"
        moved = positional[first:]
        if any(arg.star for arg in positional) or len(positional) > len(keywords) or any(
                keywords[first + i] is None for i in range(len(moved))):
            self.report(node, message + ": pass them by keyword (one has no TensorFlow 2 parameter, or is unpacked)",
                        fixable=False)
            return
        renamed = {id(arg): keywords[first + i] for i, arg in enumerate(moved)}
        args = [arg.with_changes(keyword=cst.Name(renamed[id(arg)]), equal=_tf.EQUAL) if id(arg) in renamed else arg
                for arg in node.args]
        self.report(node, message + ": passed by keyword, as TF1 bound them", replacement=node.with_changes(args=args))


# TensorFlow 1.0 put a `_sentinel` parameter first in these, so a positional call raises on TensorFlow 1.x:
# code that calls them so was written for TensorFlow 0.x, whose order was (logits, labels); TensorFlow 2
# takes (labels, logits). The TensorFlow 2 keyword of each TensorFlow 0.x position.
_TF0_ORDERS = {
    "nn.softmax_cross_entropy_with_logits": ("logits", "labels", "axis", "name"),
    "nn.sparse_softmax_cross_entropy_with_logits": ("logits", "labels", "name"),
    "nn.sigmoid_cross_entropy_with_logits": ("logits", "labels", "name"),
}
_TF0_LAST = {name.rsplit(".", 1)[-1] for name in _TF0_ORDERS}


class TensorFlow0Arguments(_TFNames):
    """Positional arguments of a loss that TensorFlow 1.x took by keyword only.

    What it finds: `tf.nn.softmax_cross_entropy_with_logits(pred, y)`, and
    the sparse and sigmoid forms, called with positional arguments. TensorFlow
    1.x raised on such a call (its first parameter, `_sentinel`, is there to
    make the call name its arguments); the code was written for TensorFlow
    0.x, which took `(logits, labels)`. TensorFlow 2 takes `(labels,
    logits)`: the call runs with the two swapped, silently where the shapes
    agree (the softmax and sigmoid forms).

    Fix (safe): the arguments are passed by keyword, in TensorFlow 0.x's
    order (`logits=pred, labels=y`): what the code meant where it ran, and
    TensorFlow 1.x ran no program that calls it so.
    """

    code = "TFM123"
    name = "tensorflow-0-arguments"
    fix_applicability = Applicability.SAFE
    VALID = ["import tensorflow as tf\ny = tf.nn.softmax_cross_entropy_with_logits(labels=t, logits=p)\n",
             "import tensorflow as tf\ny = tf.nn.sigmoid_cross_entropy_with_logits(logits=p, labels=t)\n"]
    INVALID = [
        Invalid("import tensorflow as tf\ny = tf.nn.softmax_cross_entropy_with_logits(pred, y)\n",
                "import tensorflow as tf\ny = tf.nn.softmax_cross_entropy_with_logits(logits=pred, labels=y)\n",
                unsafe=False),
        Invalid("import tensorflow as tf\ny = tf.nn.sigmoid_cross_entropy_with_logits(p, targets=t)\n",
                "import tensorflow as tf\ny = tf.nn.sigmoid_cross_entropy_with_logits(logits=p, labels=t)\n",
                unsafe=False),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        if not _tf.may_call(node, _TF0_LAST):
            return
        name = _tf.call_name(self, node)
        order = _TF0_ORDERS.get(name) if name else None
        if order is None or self.compat_file(node.func):
            return
        positional = [arg for arg in node.args if arg.keyword is None]
        if not positional:
            return
        message = (f"`tf.{name}` takes its arguments by keyword only in TensorFlow 1.x (a positional call raises); "
                   f"these are TensorFlow 0.x's ({', '.join(order[:len(positional)])}), and TensorFlow 2 would bind "
                   "them to other parameters")
        if any(arg.star for arg in node.args) or len(positional) > len(order):
            self.report(node, message + ": pass them by keyword", fixable=False)
            return
        keywords = dict(zip(map(id, positional), order))
        args = [arg.with_changes(keyword=cst.Name(keywords[id(arg)]), equal=_tf.EQUAL) if id(arg) in keywords else (
            arg.with_changes(keyword=cst.Name("labels")) if arg.keyword.value == "targets" else arg)
            for arg in node.args]
        self.report(node, message + ": passed by keyword, as TensorFlow 0.x bound them",
                    replacement=node.with_changes(args=args))
