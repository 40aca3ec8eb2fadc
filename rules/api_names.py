"""TensorFlow names that TensorFlow 2.21 with Keras 3 does not have, on any alias.

Every attribute chain on a TensorFlow alias (``tf.compat.v1.*`` and
``import tensorflow.compat.v1 as tf`` included), every ``from tensorflow...
import`` and ``import tensorflow.contrib...`` is judged by
``_verdicts.unresolved`` against the table generated from TensorFlow itself.
Names TF2 renamed (TFM101) or keeps in ``tf.compat.v1`` (TFM105) have rules
of their own; these two report what even ``tf.compat.v1`` cannot run.
"""
from __future__ import annotations

from typing import List, Optional, Set, Tuple

import libcst as cst

from tfmigrate.ftypes import Applicability, Status
from tfmigrate.names import Chains, dotted_name
from tfmigrate.rule import Invalid, Rule

from . import _compat_layers, _compat_rnn, _losses, _mnist, _tf, _verdicts, _vocab, version_fallback
from ._eager import queries


def _shown(qualified: str) -> str:
    """How a name is shown: `tf.compat.v1.layers.dense`, `tf.contrib.slim`, `keras.backend.x`."""
    if qualified == "tensorflow" or qualified.startswith("tensorflow."):
        return "tf" + qualified[len("tensorflow"):]
    return qualified


def _imported(node) -> List[Tuple[cst.ImportAlias, str, str]]:
    """(alias, the full name it imports, the local name it binds) for each alias of an import statement;
    empty when one binds no plain name (`import tensorflow.contrib.x` binds `tensorflow`) or imports `*`."""
    if isinstance(node, cst.ImportFrom):
        base = dotted_name(node.module) if node.module is not None and not node.relative else None
        if base is None or isinstance(node.names, cst.ImportStar):
            return []
    found = []
    for alias in node.names:
        local = alias.asname.name if alias.asname is not None else alias.name
        if not isinstance(local, cst.Name) or (isinstance(node, cst.Import) and alias.asname is None
                                                and "." in (dotted_name(alias.name) or ".")):
            return []
        name = dotted_name(alias.name) or ""
        found.append((alias, name if isinstance(node, cst.Import) else f"{base}.{name}", local.value))
    return found


def unused_gone_imports(context) -> Set[int]:
    """Import statements (ids) that bring only names TensorFlow 2.21 does not have, none of which the
    file uses: `from tensorflow.contrib.tensorboard.plugins import projector` left from a tutorial's
    earlier version. The import fails on TensorFlow 2.21; without it the file runs. Names another
    rule rewrites (contrib initializers, tf_slim, tfe, the MNIST loader) are theirs; an `__init__.py`
    or a module with `__all__` may import them for others. Module-level imports only."""
    found = context.shared.get("unused_gone_imports")
    if found is not None:
        return found
    found = context.shared["unused_gone_imports"] = set()
    text = context.text
    if context.path.endswith("__init__.py") or (text is not None and ("__all__" in text or (
            "contrib" not in text and "examples" not in text))):
        return found
    from . import contrib_names, slim

    statements = queries.find(context.module, (cst.Import, cst.ImportFrom))
    top = {id(small) for stmt in context.module.body if isinstance(stmt, cst.SimpleStatementLine)
           for small in stmt.body}  # an import inside a function or a try may be there on purpose
    candidates = []
    for node in statements:
        aliases = _imported(node) if id(node) in top else []
        if aliases and all(
                _verdicts.unresolved(full).kind == _verdicts.GONE
                and full.split(".", 1)[0] == "tensorflow" and not slim.rewritten(context, _tf.relative(full))
                and not (_tf.relative(full) or "").startswith(("contrib.eager", "python."))
                and _tf.relative(full) not in _mnist.NAMES
                and not contrib_names.handled(context, alias.name) for alias, full, _ in aliases):
            candidates.append((node, {local for _, _, local in aliases}))
    if not candidates:
        return found
    in_imports = {id(name) for node in statements for name in queries.find(node, cst.Name)}
    used = {name.value for name in queries.find(context.module, cst.Name, values=True)
            if id(name) not in in_imports}
    found.update(id(node) for node, names in candidates if not names & used)
    return found


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
        if id(node) in version_fallback.dead(self.context):
            return  # TFM121: code of TensorFlow before 1.0, which the fix removes
        if _compat_rnn.keeps_private(self.context, qualified):
            return  # TF1's cell class, which TensorFlow 2.21 has there (TFM114 reports the private module)
        if verdict.kind == _verdicts.PRIVATE:
            from . import private_names

            if private_names.removes(self.context, node):
                return  # TFM114: every use becomes a public name, and the import goes
        if _vocab.estimator_relative(_tf.relative(qualified)) in _vocab.MODE_CONSTANTS:
            from . import mode_keys

            if mode_keys.rewritten(self.context):
                return  # TFM110: the string it is
        if (_tf.relative(qualified) or "").startswith(("contrib.eager", "layers.")):
            from . import tf1_eager

            if tf1_eager.handled(self.context, node, _tf.relative(qualified)):
                return  # TFM119: core TensorFlow 2 names
        if (_tf.relative(qualified) or "").startswith("contrib."):
            from . import contrib_names, slim

            if id(node) in _losses.rewritten_names(self.context) and not _tf.imports_compat(self.context.imports):
                return  # TFM108: the TensorFlow 2 expression of the loss

            if contrib_names.handled(self.context, node):
                return  # TFM120 (or TFM101): the TensorFlow 2 name
            from . import vocabulary_processor

            if vocabulary_processor.handled(self.context, node):
                return  # TFM127: TF1's class, written into the file
            why = contrib_names.refused(self.context, node)
            if why is not None:
                self.report(node, f"`{_shown(qualified)}` {verdict.message} (TFM120 does not rewrite this call: "
                                  f"{why})", status=self.unfixed_status)
                return

            if slim.rewritten(self.context, _tf.relative(qualified)) or slim.rewritten_value(self.context, node):
                return  # TFM109: the tf_slim package
        if verdict.kind == _verdicts.KERAS2 and _compat_layers.helped(self.context, node):
            from . import graph

            result = graph.plan(self.context)
            if result.falls_back:
                what = ("drops as TF1's layer did, with tf.nn.dropout (a boolean tensor for `training` too)"
                        if _tf.relative(qualified) == "layers.dropout" else
                        "makes TF1's variables with tf.get_variable, under the same scopes and from the same"
                        " random draws")
                self.report(node, f"`{_shown(qualified)}` {verdict.message} (the tensorflow.compat.v1 fallback"
                            f" calls a function written into the file that {what})",
                            program_fix=graph.GRAPH_TO_EAGER, status=Status.COMPAT)
                return
        if verdict.kind == _verdicts.KERAS2 and id(node) in _compat_layers.kept(self.context).helped and (
                _compat_layers.keeps_layers(self.context)):
            self.report(node, f"`{_shown(qualified)}` {verdict.message} (the file stays on tensorflow.compat.v1 as "
                              "written: the fix calls a function written into the file, TF1's layer on "
                              "tensorflow.compat.v1 ops and tf.get_variable variables, which runs without tf-keras)",
                        program_fix=_compat_layers.KEPT_LAYERS_FIX, status=Status.COMPAT)
            return
        if verdict.kind in (_verdicts.KERAS2, _verdicts.GONE) and _compat_rnn.rewrites(self.context, node):
            self.report(node, f"`{_shown(qualified)}` {verdict.message} {_compat_rnn.MESSAGE}",
                        program_fix=_compat_rnn.COMPAT_RNN_FIX, status=Status.COMPAT, applicability=(
                            Applicability.SAFE if _tf.imports_compat(self.context.imports) else Applicability.UNSAFE))
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
        self.report(node, f"`{_shown(qualified)}` {verdict.message}{self._mnist_problem(qualified)}",
                    status=self.unfixed_status)

    def _mnist_problem(self, qualified: str) -> str:
        """Why TFM086 does not rewrite this file's MNIST loading, for the loader's names."""
        plan = _mnist.analyse(self.context) if _tf.relative(qualified) in _mnist.NAMES else None
        if plan is None or plan.problem is None:
            return ""
        return f" (TFM086 does not rewrite the loading: {plan.problem[1]})"

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
        unused = self._unused(node)
        for alias in node.names:
            self.chains.skip(alias.name)
            if not unused:
                self._judge(alias.name, dotted_name(alias.name))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is None or node.relative:
            return
        self.chains.skip(node.module)
        if self._unused(node):
            for alias in node.names:
                self.chains.skip(alias.name)
            return
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

    def _unused(self, node) -> bool:
        """An import of names TensorFlow 2.21 does not have, which the file never uses (TFM107 removes it)."""
        if id(node) not in unused_gone_imports(self.context):
            return False
        if _verdicts.GONE in self.KINDS:
            aliases = _imported(node)
            full, local = aliases[0][1], aliases[0][2]
            what = f"`{_shown(full)}` {_verdicts.unresolved(full).message}" if len(aliases) == 1 else (
                "every name it imports is gone from TensorFlow 2.21 (" + ", ".join(
                    f"`{_shown(f)}`" for _, f, _ in aliases) + ")")
            used = local if len(aliases) == 1 else ", ".join(name for _, _, name in aliases)
            self.report(node, f"{what}; this file never uses {used}: the import goes",
                        replacement=cst.RemoveFromParent())
        return True


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
    compat.v1, its fallback writes those). In a file that stays on compat.v1
    as written (its own `import tensorflow.compat.v1 as tf`, or
    `tf.compat.v1.layers.dense` spelled out), `dense`, `conv2d`,
    `conv2d_transpose`, `separable_conv2d`, `dropout` and
    `batch_normalization` call functions written into the file after its
    imports (safe): TF1's layers on that
    spelling's `variable_scope`, `get_variable` and ops, the same variables,
    sharing and draws, which run without tf-keras. Otherwise none: the message
    names the Keras 3 replacement where one exists (`tf.compat.v1.layers.dense`
    -> `tf.keras.layers.Dense`), and the file's status is compat-only: it runs,
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

    Fix: an import of such names that the file never uses is removed (safe:
    the import fails on TensorFlow 2.21, nothing reads what it binds; not in
    an `__init__.py` or a module with `__all__`, which may import for others).
    Otherwise none; the message says what replaces the name where something does:
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
               Invalid("import tensorflow as tf\nest = tf.compat.v1.estimator.Estimator(model_fn)\n"),
               Invalid("import tensorflow as tf\nfrom tensorflow.contrib.tensorboard.plugins import projector\n"
                       "w = tf.Variable(1.0)\n", "import tensorflow as tf\nw = tf.Variable(1.0)\n", unsafe=False)]
