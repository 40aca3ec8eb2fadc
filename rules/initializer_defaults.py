"""TF1 initializers whose TensorFlow 2 namesake draws from another distribution by default (TFM124)."""
from __future__ import annotations

import libcst as cst

from tfmigrate.rule import Applicability, Invalid

from . import _eager, _tf
from ._vocab import INITIALIZER_DEFAULTS, INITIALIZER_PARAMS
from .renames import _TFNames

# The initializers TensorFlow 2 has under the same name, with Keras's defaults (stddev 0.05, [-0.05, 0.05)).
_SAME_NAME = ("random_normal_initializer", "random_uniform_initializer")


class InitializerDefaults(_TFNames):
    """An initializer that keeps its name in TensorFlow 2 and changes its defaults.

    What it finds: `tf.random_normal_initializer()` and
    `tf.random_uniform_initializer()` without their scale: TF1 drew from a
    normal of stddev 1.0 and from [0, 1); TensorFlow 2's functions of the same
    name draw with stddev 0.05 and from [-0.05, 0.05), silently (a model then
    starts from values twenty times smaller).

    Fix (safe): TF1's defaults written out
    (`tf.random_uniform_initializer(minval=0.0, maxval=1.0)`): the values TF1
    drew. Arguments given stay as written.
    """

    code = "TFM124"
    name = "initializer-defaults"
    fix_applicability = Applicability.SAFE
    VALID = ["import tensorflow as tf\ninit = tf.random_normal_initializer(0.0, 0.1)\n",
             "import tensorflow as tf\ninit = tf.random_uniform_initializer(-1.0, 1.0)\n",
             # a file written for TensorFlow 2 (no name of TF1's API) means TensorFlow 2's defaults
             "import tensorflow as tf\n"
             "layer = tf.keras.layers.Dense(3, kernel_initializer=tf.random_normal_initializer())\n"]
    INVALID = [
        Invalid("import tensorflow as tf\ninit = tf.random_uniform_initializer()\nx = tf.placeholder(tf.float32)\n",
                "import tensorflow as tf\ninit = tf.random_uniform_initializer(minval=0.0, maxval=1.0)\n"
                "x = tf.placeholder(tf.float32)\n", unsafe=False),
        Invalid("import tensorflow as tf\n"
                "w = tf.get_variable('w', [2], initializer=tf.random_normal_initializer(seed=1))\n",
                "import tensorflow as tf\n"
                "w = tf.get_variable('w', [2], initializer=tf.random_normal_initializer(seed=1, stddev=1.0))\n",
                unsafe=False),
        Invalid("import tensorflow as tf\ninit = tf.random_uniform_initializer(-0.1)\nsess = tf.Session()\n",
                "import tensorflow as tf\ninit = tf.random_uniform_initializer(-0.1, maxval=1.0)\n"
                "sess = tf.Session()\n",
                unsafe=False),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        if not _tf.may_call(node, _SAME_NAME):
            return
        name = _tf.call_name(self, node)
        if name not in _SAME_NAME or self.compat_file(node.func) or any(a.star for a in node.args):
            return
        if not tf1_code(self.context):
            return  # TensorFlow 2 code: its initializers mean TensorFlow 2's defaults
        params = INITIALIZER_PARAMS[name]
        given = {a.keyword.value for a in node.args if a.keyword is not None}
        given |= set(params[:len([a for a in node.args if a.keyword is None])])
        missing = [(key, value) for key, value in INITIALIZER_DEFAULTS[name].items() if key not in given]
        if not missing:
            return
        args = [*node.args[:-1], node.args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)] if node.args else []
        args += [cst.Arg(cst.parse_expression(value), keyword=cst.Name(key), equal=_tf.EQUAL) for key, value in missing]
        defaults = ", ".join(f"{key}={value}" for key, value in missing)
        self.report(node, f"`tf.{name}` has other defaults in TensorFlow 2 (stddev 0.05, or [-0.05, 0.05)): "
                          f"TF1's passed ({defaults})", replacement=node.with_changes(args=args))


def tf1_code(context) -> bool:
    """Is the file TensorFlow 1 code: does it name something of TF1's API that TensorFlow 2 does not have
    under that name? (computed once per file)"""
    cached = context.shared.get("tf1-code")
    if cached is None:
        cached = context.shared["tf1-code"] = any(_tf1_only(name) for name in _eager.tf_names(context.module,
                                                                                            context.imports))
    return cached


def _tf1_only(name: str) -> bool:
    return name.startswith("compat.v1.") or _tf.is_tf1_name(name) and not _tf.exists_in_tf2(name)
