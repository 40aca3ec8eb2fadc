"""tf.data.Dataset methods and properties that TensorFlow 2 removed.

A value is known to be a Dataset from how it was made: a call of a
`tf.data.Dataset` constructor (`from_tensor_slices`, `range`, ...) or of
`tf.data.TFRecordDataset` and the like, a Dataset method that returns a
Dataset (`batch`, `map`, `shuffle`, ...) on such a value, or a name (or
`self.attribute`) assigned one of those.
"""
from __future__ import annotations

from typing import Optional, Set, Tuple

import libcst as cst

from tfmigrate.ftypes import Applicability, Status
from tfmigrate.names import dotted_name
from tfmigrate.rule import Invalid, Rule

from . import _tf, _vocab

# removed member -> (tf.compat.v1.data function, takes the dataset as its argument)
_REMOVED = {
    "make_one_shot_iterator": "make_one_shot_iterator",
    "make_initializable_iterator": "make_initializable_iterator",
    "output_shapes": "get_output_shapes",
    "output_types": "get_output_types",
    "output_classes": "get_output_classes",
}
_METHODS = ("make_one_shot_iterator", "make_initializable_iterator")


class DatasetRemovedMethods(Rule):
    """`dataset.make_one_shot_iterator()`, `dataset.output_shapes` and the like.

    What it finds: `make_one_shot_iterator()`, `make_initializable_iterator()`,
    `output_shapes`, `output_types` and `output_classes` on a value known to
    be a `tf.data.Dataset` (see the module's description).

    Why: TensorFlow 2's Dataset has none of them (AttributeError).

    Fix (safe): the `tf.compat.v1.data` function that does the same
    (`tf.compat.v1.data.make_one_shot_iterator(dataset)`,
    `tf.compat.v1.data.get_output_shapes(dataset)`). In TF2 code, iterate
    the dataset (`for x in dataset`, `iter(dataset)`) and read
    `dataset.element_spec`; `make_initializable_iterator` runs only in graph
    mode.
    """

    code = "TFM305"
    name = "dataset-removed-methods"
    fix_applicability = Applicability.SAFE
    unfixed_status = Status.COMPAT  # what the fix writes runs on tensorflow.compat.v1 (TF1's API)
    VALID = ["import tensorflow as tf\nds = tf.data.Dataset.range(3).batch(2)\nfor x in ds:\n    print(x)\n"]
    INVALID = [
        Invalid("import tensorflow as tf\nds = tf.data.Dataset.range(3).batch(2)\nit = ds.make_one_shot_iterator()\n",
                "import tensorflow as tf\nds = tf.data.Dataset.range(3).batch(2)\n"
                "it = tf.compat.v1.data.make_one_shot_iterator(ds)\n", unsafe=False),
        Invalid("import tensorflow as tf\nds = tf.data.TFRecordDataset(files).map(parse)\nshapes = ds.output_shapes\n",
                "import tensorflow as tf\nds = tf.data.TFRecordDataset(files).map(parse)\n"
                "shapes = tf.compat.v1.data.get_output_shapes(ds)\n", unsafe=False),
    ]

    def __init__(self, context) -> None:
        super().__init__(context)
        self.datasets: Set[str] = set()
        self._calls: Set[int] = set()
        self._eager: Optional[Tuple[Optional[str]]] = None  # (eager_text(),) once computed

    def is_dataset(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, (cst.Name, cst.Attribute)):
            name = dotted_name(node)
            if name is not None and name in self.datasets:
                return True
        if not isinstance(node, cst.Call):
            return False
        made = _tf.tf_name(self, node.func)
        if made is not None:
            return made.startswith("data.Dataset.") or made in _vocab.DATASET_MAKERS
        func = node.func
        return (isinstance(func, cst.Attribute) and func.attr.value in _vocab.DATASET_CHAINED
                and self.is_dataset(func.value))

    def visit_Assign(self, node: cst.Assign) -> None:
        dataset = self.is_dataset(node.value)
        for target in node.targets:
            name = dotted_name(target.target)
            if name is not None:
                (self.datasets.add if dataset else self.datasets.discard)(name)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _METHODS and not node.args:
            if self.is_dataset(func.value):
                self._calls.add(id(func))
                self._flag(node, func.value, func.attr.value, call=True)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value in _REMOVED and node.attr.value not in _METHODS and id(node) not in self._calls:
            if self.is_dataset(node.value):
                self._flag(node, node.value, node.attr.value, call=False)

    def _flag(self, node: cst.CSTNode, dataset: cst.BaseExpression, member: str, call: bool) -> None:
        shown = f"{member}()" if call else member
        function = _REMOVED[member]
        base = self.compat_data()
        message = f"tf.data.Dataset has no `{shown}` in TensorFlow 2: use `tf.compat.v1.data.{function}(dataset)`"
        if member == "make_initializable_iterator":
            message += " (graph mode only)"
        elif member != "make_one_shot_iterator":
            message += " or `dataset.element_spec`"
        else:
            message += " or iterate the dataset"
        if base is None:
            self.report(node, message, fixable=False)
            return
        replacement = cst.Call(func=cst.parse_expression(f"{base}.{function}"), args=[cst.Arg(dataset)])
        # The fix writes TF1's API (tf.compat.v1.data): unless the graph-to-eager rewrite replaces this
        # use, the file is compat-only afterwards, and check says so now.
        eager = self.eager_text()
        status = Status.COMPAT if eager is None or f".{member}" in eager else None
        self.report(node, message, replacement=replacement, status=status)

    def eager_text(self) -> Optional[str]:
        """The text of the file's graph-to-eager rewrite (written out once), or None without one."""
        if self._eager is None:
            from . import graph

            eager = graph.plan(self.context).eager
            self._eager = (eager.code if eager is not None else None,)
        return self._eager[0]

    def compat_data(self) -> Optional[str]:
        """How this file spells `tf.compat.v1.data`, or None when it imports no TensorFlow module."""
        compat, tf = _tf.alias(self.context.imports, "tensorflow.compat.v1"), _tf.alias(self.context.imports)
        if compat is not None:
            return f"{compat}.data"
        return f"{tf}.compat.v1.data" if tf is not None else None
