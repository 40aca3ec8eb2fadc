"""TensorFlow 0.x names (`tf.mul`, `tf.pack`, `tf.scalar_summary`) that TensorFlow 1.0 renamed."""
from __future__ import annotations

from typing import Optional

import libcst as cst

from tfmigrate.ftypes import Applicability, Status
from tfmigrate.names import Chains, dotted_name
from tfmigrate.rule import Invalid, Rule

from . import _tf


def _message(old: str, new: str) -> str:
    return (f"`tf.{old}` is TensorFlow 0.x's name of `tf.{new}`, renamed in TensorFlow 1.0 with the same "
            "arguments; no TensorFlow 2 module has the old name")


class PreOneName(Rule):
    """A TensorFlow 0.x name that TensorFlow 1.0 renamed.

    What it finds: the names TensorFlow 1.0's upgrade script renamed without
    touching their arguments: `tf.mul`, `tf.sub`, `tf.neg`, `tf.pack`,
    `tf.unpack`, `tf.concat_v2`, the summaries (`tf.scalar_summary`,
    `tf.histogram_summary`, `tf.merge_all_summaries`, `tf.train.SummaryWriter`,
    ...), the `tf.batch_*` linear algebra and FFT ops, on a TensorFlow alias
    (`tf.compat.v1` included) or imported from `tensorflow`.

    Why: old code written for TensorFlow 0.12 and before still uses them, and
    neither TensorFlow 2 nor its `tf.compat.v1` has them (AttributeError).

    Fix (safe): the 1.x name (`tf.mul` -> `tf.multiply`, `tf.scalar_summary`
    -> `tf.summary.scalar`, `from tensorflow import mul` -> `from tensorflow
    import multiply as mul`). Every other rule already reads the old name as
    the new one, so the rest of the migration (a TF2 rename, the graph-to-eager
    rewrite of the summaries) is what it is for the 1.x program.

    Known limits: renames that came with reordered arguments or new keywords
    (`tf.op_scope`, `tf.batch_matmul`, `tf.split`, `tf.concat` with the axis
    first, `tf.reverse`) are not made; `tf.select` (TensorFlow 2's `tf.where`
    broadcasts) neither. A dotted new name imported with `from tensorflow
    import histogram_summary` is reported without a fix.
    """

    code = "TFM112"
    name = "tf0-name"
    fix_applicability = Applicability.SAFE
    unfixed_status = Status.MANUAL
    VALID = ["import tensorflow as tf\ny = tf.multiply(a, b)\n", "import numpy as tf\ny = tf.mul(a, b)\n"]
    INVALID = [
        Invalid("import tensorflow as tf\ny = tf.mul(a, b)\n", "import tensorflow as tf\ny = tf.multiply(a, b)\n",
                unsafe=False),
        Invalid("import tensorflow.compat.v1 as tf\nw = tf.train.SummaryWriter(logdir)\n",
                "import tensorflow.compat.v1 as tf\nw = tf.summary.FileWriter(logdir)\n", unsafe=False),
        Invalid("from tensorflow import pack\nx = pack([a, b])\n",
                "from tensorflow import stack as pack\nx = pack([a, b])\n", unsafe=False),
        Invalid("from tensorflow import scalar_summary\n"),
    ]

    def __init__(self, context) -> None:
        super().__init__(context)
        self.chains = Chains()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if not self.chains.outermost(node):
            return
        old = _tf.spelled(self.qualify(node))
        new = _tf.PRE_1_0.get(old or "")
        if new is None:
            return
        prefix = _tf.module_prefix(dotted_name(node), old, self.qualify(node), self.context.imports)
        replacement = cst.parse_expression(f"{prefix}.{new}") if prefix else None
        self.report(node, _message(old, new), replacement=replacement, fixable=replacement is not None)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = dotted_name(node.module) if node.module is not None and not node.relative else None
        if module is None or isinstance(node.names, cst.ImportStar) or _tf.relative(module) is None:
            return
        for alias in node.names:
            self.chains.skip(alias.name)
            old = _tf.spelled(f"{module}.{dotted_name(alias.name)}")
            new = _tf.PRE_1_0.get(old or "")
            if new is not None:
                self.report(alias, _message(old, new), replacement=self._renamed(alias, new),
                            fixable="." not in new and "." not in old)

    @staticmethod
    def _renamed(alias: cst.ImportAlias, new: str) -> Optional[cst.ImportAlias]:
        if "." in new or not isinstance(alias.name, cst.Name):
            return None
        local = alias.asname.name if alias.asname is not None else alias.name
        return alias.with_changes(name=cst.Name(new), asname=cst.AsName(name=local))
