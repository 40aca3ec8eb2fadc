"""TF1 calls whose positional arguments TensorFlow 2 binds to other parameters (TFM122)."""
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
