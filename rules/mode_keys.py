"""`tf.estimator.ModeKeys.TRAIN` and TF1's other mode constants: the strings they are."""
from __future__ import annotations

from typing import FrozenSet, Optional

import libcst as cst

from tfmigrate.ftypes import Applicability, Status
from tfmigrate.names import Chains
from tfmigrate.rule import Context, Invalid, Rule

from . import _estimator, _tf
from ._vocab import MODE_CONSTANTS, estimator_relative

_CONSTANTS = frozenset(name.rsplit(".", 1)[1] for name in MODE_CONSTANTS)


def mode_key(rule_or_context, node: cst.CSTNode) -> Optional[str]:
    """The TF-relative name of a mode constant ``node`` spells (``estimator.ModeKeys.TRAIN``), or None."""
    if not (isinstance(node, cst.Attribute) and node.attr.value in _CONSTANTS
            and isinstance(node.value, (cst.Attribute, cst.Name))):
        return None  # (`ModeKeys.TRAIN` of `from tensorflow.contrib.learn import ModeKeys` too)
    name = estimator_relative(_tf.tf_name(rule_or_context, node))
    return name if name in MODE_CONSTANTS else None


def rewritten(context: Context) -> bool:
    """Does TFM110 write this file's mode constants as strings? Not in a file that uses tf.estimator
    for more than them: the Estimator rewrite reads them, or the file is left as it is."""
    return not _estimator.uses_estimator(context)


def moved(context: Context) -> FrozenSet[str]:
    """The mode constants another rewrite may leave behind for TFM110."""
    return frozenset(MODE_CONSTANTS) if rewritten(context) else frozenset()


class ModeKeys(Rule):
    """`tf.estimator.ModeKeys.TRAIN` (and `EVAL`, `PREDICT`, and `tf.contrib.learn.ModeKeys`).

    What it finds: the mode constants of `tf.estimator` and
    `tf.contrib.learn`, read by model code that takes a `mode` argument
    (`is_training = mode == tf.estimator.ModeKeys.TRAIN`) in a file that
    does not otherwise use `tf.estimator`. TensorFlow 2.16 removed
    `tf.estimator` and TensorFlow 2.0 `tf.contrib`: the names fail on
    TensorFlow 2.21, `tf.compat.v1` included.

    Fix (safe): the string each one is: `"train"`, `"eval"`, and `"infer"`
    for `ModeKeys.PREDICT` (tf.estimator's value) and `ModeKeys.INFER`.
    Comparisons with the modes an Estimator passes, or that callers pass
    as these constants, keep their results.

    Known limits: `ModeKeys` itself passed as a value is reported by
    TFM107 and left (`ModeKeys.TRAIN` of `from tensorflow.contrib.learn
    import ModeKeys` is a constant as any other); in a file that uses
    `tf.estimator` for more than these constants, the Estimator rewrite
    decides.
    """

    code = "TFM110"
    name = "mode-keys"
    fix_applicability = Applicability.SAFE
    unfixed_status = Status.MANUAL
    VALID = ["import tensorflow as tf\ntraining = mode == 'train'\n"]
    INVALID = [
        Invalid("import tensorflow as tf\ntraining = mode == tf.estimator.ModeKeys.TRAIN\n",
                "import tensorflow as tf\ntraining = mode == \"train\"\n", unsafe=False),
        Invalid("import tensorflow as tf\nif mode != tf.contrib.learn.ModeKeys.INFER:\n    pass\n",
                "import tensorflow as tf\nif mode != \"infer\":\n    pass\n", unsafe=False),
        Invalid("from tensorflow.contrib.learn import ModeKeys\nif mode == ModeKeys.TRAIN:\n    pass\n",
                "if mode == \"train\":\n    pass\n", unsafe=False),
    ]

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.chains = Chains()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if not self.chains.outermost(node):
            return
        name = mode_key(self, node)
        if name is None or not rewritten(self.context):  # uses_estimator is cached per file
            return
        value = MODE_CONSTANTS[name]
        module = "tf.estimator was removed in TensorFlow 2.16" if name.startswith("estimator.") else (
            "tf.contrib was removed in TensorFlow 2.0")
        self.report(node, f"`tf.{name}` is the string \"{value}\", and {module}: write the string",
                    replacement=cst.SimpleString(f'"{value}"'))
