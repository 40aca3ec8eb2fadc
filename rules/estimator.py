"""tf.estimator programs: Estimators, canned estimators, numpy_input_fn and pandas_input_fn.

Their fix is the Estimator rewrite of the whole file (``_estimator``), which the
graph plan tries first on a file that uses ``tf.estimator``.
"""
from __future__ import annotations

import libcst as cst

from tfmigrate.ftypes import Status
from tfmigrate.rule import Invalid

from . import _estimator
from ._vocab import CANNED_ESTIMATORS, ESTIMATOR, NUMPY_INPUT, estimator_relative
from .graph import GraphRule, plan

_PREFIX = "not rewritten to Keras 3: "
_GONE = " (tf.estimator is gone from TensorFlow 2.21, tf.compat.v1.estimator too: the file is left as it is)"


class EstimatorProgram(GraphRule):
    """`tf.estimator.Estimator`, canned estimators and `numpy_input_fn`: removed in TensorFlow 2.16.

    What it finds: an Estimator built with `tf.estimator.Estimator(model_fn, params=...)`,
    a canned estimator (`LinearRegressor`, `LinearClassifier`, `DNNRegressor`,
    `DNNClassifier`, `DNNLinearCombined*`, `Baseline*`) and `tf.estimator.inputs.numpy_input_fn` /
    `pandas_input_fn`, in a file the
    Estimator rewrite turns into Keras 3 (elsewhere TFM107 reports the names, and
    TFM010 what stopped the rewrite).

    Fix (unsafe, Estimator rewrite): a custom model_fn becomes a `tf.keras.Model`
    subclass (its layers, variables, metrics and optimizer built once, its code a
    method run in each mode by `train_step`, `test_step` and `predict_step`); a
    canned estimator a Keras model with TF1's defaults written out (initializers,
    optimizer and learning rate, the head's loss summed over the batch), its feature
    columns Keras preprocessing layers (`StringLookup`, `Hashing`, `Discretization`,
    `CategoryEncoding`, `Embedding`); `numpy_input_fn` / `pandas_input_fn` a `tf.data`
    pipeline; `train(steps=N)` ->
    `fit(..., epochs=1, steps_per_epoch=N)`, `max_steps` the steps left to it,
    `evaluate` a dict with `loss` and `global_step`, `predict` one dict per example,
    `get_variable_value` the variable itself.

    `model_dir` and `RunConfig`'s checkpoint, summary and logging settings are
    dropped with a note; `train_and_evaluate(est, TrainSpec, EvalSpec)` trains to
    `max_steps`, then evaluates (`steps`, 100 by default); an input function that
    returns fixed `(features, labels)` is that batch repeated.

    Known limits: hooks, other `RunConfig` settings (seed, distribution), layers
    built in loops, input functions not known to return a `tf.data` dataset or
    fixed tensors, feature columns other than scalar `numeric_column`, feature
    columns read beyond the canned estimators, a model_fn from another file:
    the file then stays as written (TensorFlow 2.21 has no
    `tf.compat.v1.estimator` either) and TFM010 says what stopped the rewrite.
    """

    code = "TFM010"
    name = "estimator"
    VALID = ["import tensorflow as tf\nmodel = tf.keras.Sequential()\n"]
    INVALID = [Invalid(
        "import numpy as np\nimport tensorflow as tf\n"
        "model = tf.estimator.LinearRegressor([tf.feature_column.numeric_column('x')])\n"
        "model.train(tf.estimator.inputs.numpy_input_fn({'x': np.ones(4)}, np.ones(4), shuffle=False), steps=5)\n")]

    def visit_Module(self, node: cst.Module) -> None:
        uses = _estimator.uses_estimator(self.context)
        result = plan(self.context) if uses else None
        self.active = result is not None and result.eager is not None
        problem = self.context.shared.get("estimator-problem") if result is not None and result.manual else None
        if problem is not None:
            where = problem.node if problem.node is not None else node.body[0] if node.body else node
            from ._estimator.program import LIBRARY, PROGRAM  # (an Estimator file's only)

            reason = problem.reason
            if reason in (*LIBRARY, *PROGRAM) and self.context.blocker is not None:
                # in one run with the other file, the two rewritten together stop short (tfmigrate/api.py)
                reason = self.context.blocker[1].replace(_PREFIX, "").replace(_GONE, "")
            self.report(where, f"{_PREFIX}{reason}{_GONE}", fixable=False, status=Status.MANUAL)

    def visit_Call(self, node: cst.Call) -> None:
        if not self.active:
            return
        name = estimator_relative(self.tf(node))
        if name == ESTIMATOR:
            self.flag(node, "`tf.estimator.Estimator` was removed in TensorFlow 2.16: its model_fn becomes a Keras 3 model")
        elif name in CANNED_ESTIMATORS:
            self.flag(node, f"`tf.{name}` was removed in TensorFlow 2.16: a Keras 3 model with its defaults written out")
        elif name in NUMPY_INPUT:
            self.flag(node, f"`tf.{name}` was removed in TensorFlow 2.16: use tf.data")
