"""`tf.where(condition, x, y)` with a condition that may have fewer dimensions than x (TFM126)."""
from __future__ import annotations

from typing import Set

import libcst as cst

from tfmigrate.ftypes import Status
from tfmigrate.positions import code_for
from tfmigrate.rule import Invalid

from . import _tf
from .renames import _TFNames

# Predicates that give a value of their arguments' shape
_ELEMENTWISE = {name for base in ("equal", "not_equal", "greater", "greater_equal", "less", "less_equal",
                                  "logical_and", "logical_or", "logical_not", "logical_xor", "is_nan", "is_inf",
                                  "is_finite") for name in (base, "math." + base)}
_SCALAR = {"reduce_all", "reduce_any", "math.reduce_all", "math.reduce_any"}  # without an axis


class WhereRows(_TFNames):
    """`tf.where(condition, x, y)` in a program the graph rewrite makes eager.

    What it finds: a three-argument `tf.where` whose condition is not evidently
    of `x`'s shape (a comparison or predicate of `x` or `y`, `cond & other`)
    or a scalar (`tf.reduce_all(...)`, a literal).

    Why: TF1's `tf.where` took a vector condition for a matrix `x` and picked
    whole rows; TensorFlow 2's broadcasts the condition against the last axis,
    so the same call picks columns of a square `x` or raises on any other. The
    rewrite cannot see the ranks; the finding is a note and changes no status.

    What to do: where the condition is a vector of rows, give it `x`'s rank
    (`tf.where(condition[:, tf.newaxis], x, y)`).
    """

    code = "TFM126"
    name = "where-rows"
    VALID = ["import tensorflow as tf\nx = tf.placeholder(tf.float32, [None])\ny = tf.where(x > 0, x, -x)\n"
             "with tf.Session() as sess:\n    print(sess.run(y, {x: [1.0]}))\n"]
    INVALID = [Invalid(
        "import tensorflow as tf\nx = tf.placeholder(tf.float32, [None, 3])\nc = tf.placeholder(tf.bool, [None])\n"
        "y = tf.where(c, x, tf.zeros_like(x))\nwith tf.Session() as sess:\n"
        "    print(sess.run(y, {x: [[1.0, 2.0, 3.0]], c: [True]}))\n")]

    def visit_Call(self, node: cst.Call) -> None:
        if not _tf.may_call(node, ("where",)) or _tf.call_name(self, node) != "where" or self.compat_file(node.func):
            return
        given = {key: arg.value for key, arg in _tf.by_parameter(node, ("condition", "x", "y", "name"))}
        if "condition" not in given or "x" not in given or None in given:
            return
        values = {self._code(given[key]) for key in ("x", "y") if key in given}
        if self._evident(given["condition"], values):
            return
        from . import graph

        if graph.plan(self.context).eager is None:
            return  # a file kept on tensorflow.compat.v1 keeps TF1's where
        self.report(node, "tf.where: where the condition has fewer dimensions than x (a vector of rows), TF1 picked "
                          "whole rows and TensorFlow 2 broadcasts it against the last axis: give it x's rank there "
                          "(condition[:, tf.newaxis])", fixable=False, status=Status.IDIOMATIC)

    def _code(self, node: cst.CSTNode) -> str:
        return code_for(self.context.module, node)

    def _evident(self, condition: cst.BaseExpression, values: Set[str]) -> bool:
        """Is ``condition`` evidently of the shape of one of ``values`` (their code), or a scalar?"""
        if isinstance(condition, cst.Name) and condition.value in ("True", "False"):
            return True
        if isinstance(condition, cst.Comparison):
            parts = [condition.left, *(c.comparator for c in condition.comparisons)]
            return any(self._code(p) in values for p in parts)
        if isinstance(condition, cst.UnaryOperation) and isinstance(condition.operator, cst.Not):
            return self._evident(condition.expression, values)
        if isinstance(condition, cst.BinaryOperation) and isinstance(condition.operator, (cst.BitAnd, cst.BitOr)):
            return self._evident(condition.left, values) or self._evident(condition.right, values)
        name = _tf.call_name(self, condition)
        if name in _SCALAR:
            return _tf.argument(condition, 1, "axis") is None
        if name in _ELEMENTWISE:
            return any(self._code(a.value) in values or self._evident(a.value, values)
                       for a in condition.args if a.keyword is None)
        return False
