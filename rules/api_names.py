"""TensorFlow names that TensorFlow 2.21 with Keras 3 does not have, on any alias.

Every attribute chain on a TensorFlow alias (``tf.compat.v1.*`` and
``import tensorflow.compat.v1 as tf`` included), every ``from tensorflow...
import`` and ``import tensorflow.contrib...`` is judged by
``_verdicts.unresolved`` against the table generated from TensorFlow itself.
Names TF2 renamed (TFM101) or keeps in ``tf.compat.v1`` (TFM105) have rules
of their own; these two report what even ``tf.compat.v1`` cannot run.
"""
from __future__ import annotations

from typing import Optional

import libcst as cst

from tfmigrate.ftypes import Status
from tfmigrate.names import Chains, dotted_name
from tfmigrate.rule import Invalid, Rule

from . import _compat_layers, _losses, _mnist, _tf, _verdicts, _vocab


def _shown(qualified: str) -> str:
    """How a name is shown: `tf.compat.v1.layers.dense`, `tf.contrib.slim`, `keras.backend.x`."""
    if qualified == "tensorflow" or qualified.startswith("tensorflow."):
        return "tf" + qualified[len("tensorflow"):]
    return qualified


class _Unresolved(Rule):
    """Finds the names; each subclass reports the verdicts of its kind."""

    KINDS = ()

    def __init__(self, context) -> None:
        super().__init__(context)
        self.chains = Chains()

    def _judge(self, node: cst.CSTNode, qualified: Optional[str]) -> None:
        if not qualified or not (qualified.split(".", 1)[0] in ("tensorflow", "keras")):
            return
        verdict = _verdicts.unresolved(qualified)
        if verdict.kind not in self.KINDS or self._rewritten_by_eager(qualified) or self._mnist(qualified):
            return
        if verdict.kind == _verdicts.PRIVATE:
            from . import private_names

            if private_names.removes(self.context, node):
                return  # TFM114: every use becomes a public name, and the import goes
        if _vocab.estimator_relative(_tf.relative(qualified)) in _vocab.MODE_CONSTANTS:
            from . import mode_keys

            if mode_keys.rewritten(self.context):
                return  # TFM110: the string it is
        if (_tf.relative(qualified) or "").startswith("contrib.eager"):
            from . import tf1_eager

            if tf1_eager.rewrites(self.context) and not tf1_eager.falls_back(self.context):
                return  # TFM119: core TensorFlow 2 names (not in a file kept on compat.v1, which has no tfe)
        if (_tf.relative(qualified) or "").startswith("contrib."):
            from . import contrib_names, slim

            if id(node) in _losses.rewritten_names(self.context) and not _tf.imports_compat(self.context.imports):
                return  # TFM108: the TensorFlow 2 expression of the loss

            if contrib_names.handled(self.context, node):
                return  # TFM120 (or TFM101): the TensorFlow 2 name
            why = contrib_names.refused(self.context, node)
            if why is not None:
                self.report(node, f"`{_shown(qualified)}` {verdict.message} (TFM120 does not rewrite this call: "
                                  f"{why})", status=self.unfixed_status)
                return

            if slim.rewritten(self.context, _tf.relative(qualified)):
                return  # TFM109: the tf_slim package
        if verdict.kind == _verdicts.KERAS2 and _compat_layers.helped(self.context, node):
            from . import graph

            result = graph.plan(self.context)
            if result.falls_back:
                self.report(node, f"`{_shown(qualified)}` {verdict.message} (the tensorflow.compat.v1 fallback"
                            " calls a function written into the file that makes TF1's variables with"
                            " tf.get_variable, under the same scopes and from the same random draws)",
                            program_fix=graph.GRAPH_TO_EAGER, status=Status.COMPAT)
                return
        if verdict.kind == _verdicts.KERAS2 and _compat_layers.rewrites(self.context, node):
            from . import graph

            result = graph.plan(self.context)
            if result.falls_back:
                self.report(node, f"`{_shown(qualified)}` {verdict.message} (the tensorflow.compat.v1 fallback"
                            " calls the Keras 3 layer, which runs there)", program_fix=graph.GRAPH_TO_EAGER,
                            status=Status.COMPAT)
                return
        pure = _compat_layers.pure(self.context, node) if verdict.kind == _verdicts.KERAS2 else None
        if pure is not None:
            from . import graph

            result = graph.plan(self.context)
            if result.eager is None and (result.reason is None or result.compat_mode):
                call, new = pure
                self.report(call, f"`{_shown(qualified)}` {verdict.message} (a layer without variables or random"
                            " draws: its Keras 3 form computes the same in graph and in eager code)",
                            replacement=new)
                return
        self.report(node, f"`{_shown(qualified)}` {verdict.message}", status=self.unfixed_status)

    def _mnist(self, qualified: str) -> bool:
        """The MNIST loader of TF1's tutorials, which TFM086 rewrites in this file."""
        if _tf.relative(qualified) not in _mnist.NAMES:
            return False
        from . import mnist

        return mnist.rewritten(self.context)

    def _rewritten_by_eager(self, qualified: str) -> bool:
        """Names the graph-to-eager rewrite replaces: what `fix --unsafe-fixes` writes no longer has them."""
        name = _tf.relative(qualified)
        if name is None:
            return False
        from . import graph

        result = graph.plan(self.context)
        return result.eager is not None and not result.keeps(name)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self.chains.skip(alias.name)
            self._judge(alias.name, dotted_name(alias.name))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is None or node.relative:
            return
        self.chains.skip(node.module)
        module = dotted_name(node.module)
        if module is None or isinstance(node.names, cst.ImportStar):
            self._judge(node.module, module)
            return
        for alias in node.names:
            self.chains.skip(alias.name)
            name = dotted_name(alias.name)
            if name is not None:
                self._judge(alias.name, f"{module}.{name}")

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if self.chains.outermost(node):
            self._judge(node, self.qualify(node))


class Keras2Symbol(_Unresolved):
    """A TensorFlow name that exists on TensorFlow 2.21 only with Keras 2.

    What it finds: `tf.compat.v1.layers.*` and `tf.compat.v1.nn.rnn_cell.*`
    (and `tf.layers.*` in a file the graph rewrite does not turn eager),
    and `tf.keras.*` names of Keras 2 that Keras 3 dropped
    (`tf.keras.backend.get_session`, `tf.keras.layers.CuDNNLSTM`, ...):
    the names listed under `keras2` in the generated API table, measured on
    the installed TensorFlow with and without tf-keras.

    Why: TensorFlow >= 2.16 ships Keras 3, which has no TF1 layers; these
    names raise unless the `tf-keras` package is installed and
    `TF_USE_LEGACY_KERAS=1` is set before TensorFlow is imported.

    Fix: for the layers that make no variables and draw no random numbers
    (`flatten`, max and average pooling), their Keras 3 form, which computes the
    same in graph and in eager code (`tf.compat.v1.layers.flatten(x)` ->
    `tf.keras.layers.Flatten()(x)`; in a program the graph rewrite keeps on
    compat.v1, its fallback writes those). Otherwise none: the message names the
    Keras 3 replacement where one exists (`tf.compat.v1.layers.dense` ->
    `tf.keras.layers.Dense`), and the file's status is compat-only: it runs,
    with tf-keras.
    """

    code = "TFM106"
    name = "keras2-symbol"
    KINDS = (_verdicts.KERAS2,)
    unfixed_status = Status.COMPAT
    VALID = ["import tensorflow as tf\ny = tf.keras.layers.Dense(3)(x)\n",
             "import tensorflow.compat.v1 as tf\nw = tf.get_variable('w', [2])\n"]
    INVALID = [Invalid("import tensorflow.compat.v1 as tf\ny = tf.layers.dense(x, 3)\n"),
               Invalid("import tensorflow as tf\nsess = tf.keras.backend.get_session()\n")]


class MissingSymbol(_Unresolved):
    """A TensorFlow name that nothing on TensorFlow 2.21 has, not even `tf.compat.v1`.

    What it finds: `tf.contrib` (`tf.contrib.training.HParams`,
    `tf.contrib.layers.batch_norm(...)`, ...) where no rule rewrites it (TFM101,
    TFM109, TFM119 and TFM120 rewrite some of it), `tf.estimator` and
    `tf.compat.v1.estimator` (removed in TensorFlow 2.16), and any other name
    on a TensorFlow alias that the installed TensorFlow does not have
    (`tf.compat.v1.foo`, `tensorflow.examples.tutorials.mnist`). Names from
    TensorFlow's private `tensorflow.python` package are reported too: they
    are not part of the API the table lists, and many are gone.

    Why: the line raises AttributeError or ImportError on TensorFlow 2.21.

    Fix: none; the message says what replaces the name where something does:
    a TensorFlow 2 / Keras 3 name, a maintained library (TensorFlow
    Probability for `tf.contrib.distributions`), or that there is none and
    why. The contrib verdicts are in `rules/data/contrib.json`.
    """

    code = "TFM107"
    name = "missing-symbol"
    KINDS = (_verdicts.GONE, _verdicts.PRIVATE)
    unfixed_status = Status.MANUAL
    VALID = ["import tensorflow as tf\nx = tf.keras.initializers.GlorotUniform()\n",
             "import tensorflow.compat.v1 as tf\nflags = tf.app.flags\n"]
    INVALID = [Invalid("import tensorflow as tf\nhparams = tf.contrib.training.HParams(learning_rate=0.1)\n"),
               Invalid("from tensorflow.contrib import slim\n"),
               Invalid("import tensorflow as tf\nest = tf.compat.v1.estimator.Estimator(model_fn)\n")]
