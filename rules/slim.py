"""`tf.contrib.slim` / `tf.contrib.layers` / `tf.contrib.framework` in code on tensorflow.compat.v1 (see ``_slim``)."""
from __future__ import annotations

from typing import Optional

import libcst as cst

from tfmigrate.ftypes import Applicability, Status
from tfmigrate.rule import Context, Invalid, ProgramFix, Rule

from . import _compat, _slim, _tf


def runs_on_compat(context: Context) -> bool:
    """Does the file run on tensorflow.compat.v1 after `fix --unsafe-fixes` (its own import, or the
    fallback of the graph rewrite)? tf_slim builds graphs: it runs there, not in eager TF2 code."""
    if _tf.imports_compat(context.imports):
        return True
    from . import graph

    result = graph.plan(context)
    return result.eager is None and result.falls_back


def rewritten(context: Context, name: Optional[str]) -> bool:
    """Does TFM109 rewrite the TF-relative ``name`` in this file?"""
    return name is not None and name.startswith("contrib.") and name in _slim.analyse(context).names and (
        runs_on_compat(context))


def values(context: Context) -> _slim.Plan:
    """In a file that does not run on tensorflow.compat.v1: the contrib factories it reads as values,
    which become tf_slim's (:data:`_slim.EAGER`); empty in a file on tensorflow.compat.v1, where
    :func:`_slim.analyse` rewrites every name."""
    cached = context.shared.get("tf-slim-values")
    if cached is None:
        plan = _slim.analyse(context)
        cached = _slim.values(plan) if plan.chains and not runs_on_compat(context) else _slim.Plan()
        context.shared["tf-slim-values"] = cached
    return cached


def rewritten_value(context: Context, node: cst.CSTNode) -> bool:
    """Does TFM109 make this read of a contrib factory tf_slim's in a TensorFlow 2 file?"""
    return id(node) in values(context).chains


def _rewrite(module: cst.Module, context: Context) -> Optional[cst.Module]:
    plan = _slim.analyse(context)
    if plan and not runs_on_compat(context):
        plan = values(context)  # TensorFlow 2 code: the factories read as values only
    return _slim.rewrite(module, plan) if plan else None


# After the graph rewrite's tensorflow.compat.v1 fallback, which decides that the file runs there.
SLIM_FIX = ProgramFix("tf_slim package", Applicability.SAFE, _rewrite, order=2)


class TFSlim(Rule):
    """`tf.contrib.slim`, `tf.contrib.layers`, `tf.contrib.framework` in code on `tensorflow.compat.v1`.

    What it finds: names of TF-Slim and of the contrib modules it shared
    (`slim.conv2d`, `tf.contrib.layers.xavier_initializer()`,
    `tf.contrib.framework.arg_scope`, `import tensorflow.contrib.slim as slim`)
    in a file that runs on `tensorflow.compat.v1` after the fix (its own import,
    or the graph rewrite's fallback), where `tf_slim` has the same name.

    Fix (safe): the `tf_slim` package, TF-Slim's home since it left
    `tf.contrib` and what TensorFlow's migration guide names for it: the same
    code, which runs on TensorFlow 2.21 under `tensorflow.compat.v1` (`pip
    install tf-slim`). `tf.contrib.slim.X` -> `tf_slim.X` with `import tf_slim`
    added, `import tensorflow.contrib.slim as slim` -> `import tf_slim as slim`,
    `from tensorflow.contrib.layers import f` -> `from tf_slim import f`. The
    names `tf_slim` has are in `rules/data/tf_slim.json`, generated from the
    package by `scripts/generate_slim_table.py`.

    In a file that stays TensorFlow 2 code, the initializer and regularizer
    factories read as values, not called (`"regularizer":
    tf.contrib.layers.l2_regularizer` in a config that other code calls with
    contrib's parameters), become tf_slim's too: they run eagerly on
    TensorFlow 2.21, and no Keras name takes those parameters. The file is
    then compat-only, with a finding at each such read: where it is called,
    a Keras initializer or regularizer replaces it (TFM120 writes those of
    the calls it sees).

    Known limits: names tf_slim does not have (`slim.nets`, contrib's
    `layers.python.layers.utils`, `tf.contrib.training.HParams`) stay TFM107
    findings, and so does an import whose names are used beyond what tf_slim
    has. Eager TensorFlow 2 code is not given tf_slim (TFM107 says which Keras
    layer replaces each name). tf_slim's `batch_norm` and `optimize_loss` fail
    on TensorFlow 2.21 in every form (tf-slim 1.1.0 reads
    `tensorflow.python.framework.ops.Tensor`): contrib's `batch_norm` becomes
    a function written into the file after its imports, TF1's batch_norm on
    `tensorflow.compat.v1` ops and tf_slim's model variables (the same
    parameters, variables, moving-average updates and `arg_scope`; measured
    against tf_slim's own on TensorFlow 2.15), and every read of it
    (`normalizer_fn=slim.batch_norm`, `arg_scope([slim.batch_norm], ...)`)
    names that function. `optimize_loss`, and `batch_norm` in files that
    import tf_slim already, are reported (manual).
    """

    code = "TFM109"
    name = "tf-slim"
    fix_applicability = Applicability.SAFE
    program_fix = SLIM_FIX
    unfixed_status = Status.MANUAL
    VALID = ["import tensorflow.compat.v1 as tf\nimport tf_slim as slim\nnet = slim.conv2d(x, 8, [3, 3])\n"]
    INVALID = [Invalid(
        "import tensorflow.compat.v1 as tf\nimport tensorflow.contrib.slim as slim\nnet = slim.conv2d(x, 8, [3, 3])\n",
        "import tensorflow.compat.v1 as tf\nimport tf_slim as slim\nnet = slim.conv2d(x, 8, [3, 3])\n",
        unsafe=False)]

    def visit_Module(self, node: cst.Module) -> None:
        self._chains, self._helped, self._calls, self._values = {}, set(), set(), False
        self._uses_slim = _slim.imported(self.context.imports)
        plan = _slim.analyse(self.context)
        for use, name in plan.broken:  # `slim = tf.contrib.slim`, then `slim.batch_norm`: it stays contrib
            self._report_broken(use, name)
        if not plan or not runs_on_compat(self.context):
            self._chains = values(self.context).chains  # factories read as values: tf_slim's, in TF2 code too
            self._applicability, self._values = Applicability.SAFE, True  # contrib's own function, its package
            return
        # Safe where the file is on tensorflow.compat.v1 already; else it waits for the (unsafe) fallback.
        compat = _tf.imports_compat(self.context.imports)
        self._applicability = Applicability.SAFE if compat else Applicability.UNSAFE
        for statement in node.body:
            if id(statement) in plan.imports:
                self.report(statement, "TF-Slim left tf.contrib for the tf_slim package (`pip install tf-slim`), "
                                       "which runs on tensorflow.compat.v1: import it from there",
                            applicability=self._applicability)
        self._chains, self._helped = plan.chains, plan.helped

    def visit_Name(self, node: cst.Name) -> None:
        self._broken(node)  # `from tf_slim import batch_norm`
        self._helper(node)  # `from tensorflow.contrib.layers import batch_norm`, then `batch_norm(x)`

    def _helper(self, node) -> None:
        if id(node) in self._helped:
            self.report(node, f"{_slim.BROKEN_REASON.format(name='batch_norm')}: TF1's batch_norm is written into "
                              "the file (a function on tensorflow.compat.v1 ops and tf_slim's model variables: the "
                              "same variables, moving averages and arg_scope)", applicability=self._applicability)

    def _broken(self, node) -> None:
        """A tf_slim name that fails on TensorFlow 2.21, used as such: nothing runs it. In TensorFlow 2
        code, a tf_slim factory read as a value: it runs, but it is not Keras's."""
        if not self._uses_slim:
            return
        qualified = self.qualify(node) or ""
        short = _slim.BROKEN.get(qualified[len("tf_slim."):]) if qualified.startswith("tf_slim.") else None
        if short is not None:
            self._report_broken(node, short)
        elif qualified[len("tf_slim."):] in _slim.EAGER and qualified.startswith("tf_slim.") and (
                id(node) not in self._calls and not _tf.imports_compat(self.context.imports)):
            self.report(node, f"`{qualified}` is TF-Slim's (contrib's code, from the tf_slim package), passed as a "
                              "value: it runs eagerly on TensorFlow 2.21, but where it is called a Keras "
                              "initializer or regularizer replaces it (TFM120 writes it for the calls it sees)",
                        fixable=False, status=Status.COMPAT)

    def visit_Call(self, node: cst.Call) -> None:
        self._calls.add(id(node.func))

    def _report_broken(self, node, short: str) -> None:
        from . import graph

        name = _tf.relative(self.qualify(node))
        result = graph.plan(self.context)
        if name and result.eager is not None and not result.keeps(name):
            return  # the graph or Estimator rewrite replaces it (an optimize_loss in a model_fn): TFM105 says so
        instead = ("use tf.keras.layers.BatchNormalization, called with training=" if short == "batch_norm"
                   else "apply a Keras optimizer with tf.GradientTape")
        self.report(node, f"{_slim.BROKEN_REASON.format(name=short)}: {instead}", fixable=False,
                    status=Status.MANUAL)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._broken(node)
        self._helper(node)
        mapped = self._chains.get(id(node))
        if mapped is not None and self._values:
            self.report(node, f"TF-Slim left tf.contrib for the tf_slim package (`pip install tf-slim`): use "
                              f"`tf_slim.{mapped}`, which runs eagerly on TensorFlow 2.21 too (passed as a value, it "
                              "keeps contrib's parameters, which no Keras name takes)",
                        applicability=self._applicability, status=Status.COMPAT)
        elif mapped is not None:
            self.report(node, f"TF-Slim left tf.contrib for the tf_slim package (`pip install tf-slim`), which "
                              f"runs on tensorflow.compat.v1: use `tf_slim{'.' + mapped if mapped else ''}`",
                        applicability=self._applicability)
