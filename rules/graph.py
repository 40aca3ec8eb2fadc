"""TensorFlow 1 graph programs: placeholders, sessions, initializers, train ops.

These rules find the pieces of a TF1 graph program. Their fix is one
rewrite of the whole file (graph to eager, see ``_eager``): a placeholder
cannot be removed without also rewriting every ``session.run`` that feeds it.
Where the program goes beyond what that rewrite understands, the fix keeps it
on ``tensorflow.compat.v1`` (code that still runs) and TFM090 says why.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import FrozenSet, List, Optional, Set, Tuple

import libcst as cst

from tfmigrate.ftypes import Applicability, Status
from tfmigrate.names import Chains, ImportTable, dotted_name, imports_module
from tfmigrate.rule import Context, Invalid, ProgramFix, Rule

from . import (_compat, _compat_layers, _eager, _estimator, _iterators_left, _mnist, _scaffold, _scoped_layers,
               _session_options, _testcase, _tf, _vocab)
from ._runs import executes


@dataclass
class Plan:
    """What the graph-to-eager rewrite makes of one file."""

    eager: Optional[cst.Module]  # the idiomatic rewrite, when there is one
    reason: Optional[str]  # why there is none
    where: Optional[cst.CSTNode]
    compat_mode: bool  # the file already runs on tensorflow.compat.v1
    notes: List[Tuple[cst.CSTNode, str]]
    statement: Optional[cst.CSTNode] = None  # the top-level statement where the rewrite stopped
    imports: object = None
    _kept: Optional[Set[str]] = None
    manual: bool = False  # no rewrite at all: the compat fallback would not run either (tf.estimator)
    kept: FrozenSet[int] = frozenset()  # calls and names of test code kept as written: it runs eagerly

    @property
    def falls_back(self) -> bool:
        """Is the file kept on tensorflow.compat.v1 by this rewrite (not already there)?"""
        return self.reason is not None and not self.compat_mode

    def keeps(self, name: str) -> bool:
        """Is ``tf.<name>`` still in the idiomatic rewrite (or does the rewrite replace it)?"""
        if self._kept is None and self.eager is not None:
            imports = ImportTable()  # the rewrite's own: a name of an import it removed may be reused
            imports.add_all(self.eager.body)
            self._kept = _eager.tf_names(self.eager, imports)
        elif self._kept is None:
            self._kept = set()
        return name in self._kept


def plan(context: Context) -> Plan:
    """The eager rewrite of the file, computed once per file and shared."""
    cached = context.shared.get("graph-plan")
    if cached is not None:
        return cached
    module = context.module
    compat_mode = _compat.is_compat_mode(module, context.imports)
    if context.merged is not None:  # rewritten with the program that imports it (tfmigrate/merge.py)
        eager = cst.parse_module(context.merged)
        if eager.code != module.code:
            result = context.shared["graph-plan"] = Plan(eager, None, None, compat_mode, [], imports=context.imports)
            return result
    from . import (contrib_names, mode_keys, op_forms, resource_loader, test_temp_dir, tf1_eager, tf2_switches,
                   unittest_mock, version_fallback, vocabulary_processor)

    # names other fixes rewrite: they may stay
    moved = (_scaffold.moved(context) | _mnist.moved(context) | mode_keys.moved(context) | op_forms.moved(context)
             | unittest_mock.moved(context) | test_temp_dir.moved(context) | tf2_switches.moved(context)
             | resource_loader.moved(context) | tf1_eager.moved(context) | contrib_names.moved(context)
             | _session_options.moved(context) | version_fallback.moved(context) | vocabulary_processor.moved(context))
    if _estimator.uses_estimator(context):
        try:  # an Estimator program becomes Keras models; where it cannot, what follows decides
            eager, notes = _estimator.to_keras(module, context.imports, context.text, moved)
            result = context.shared["graph-plan"] = Plan(eager, None, None, compat_mode, notes, imports=context.imports)
            return result
        except _eager.Unsupported as problem:  # tf.compat.v1.estimator is gone too: no compat fallback
            context.shared["estimator-problem"] = problem
            result = context.shared["graph-plan"] = Plan(None, None, None, compat_mode, [], manual=True)
            return result
    if not _compat.uses_graph(context):
        result = context.shared["graph-plan"] = Plan(None, None, None, compat_mode, [])
        return result
    helper = _scoped_layers.written(module) if compat_mode else None  # the fallback's own: it fell back already
    if helper is not None:  # the reason is the file's before the fix wrote the helper
        reason = _scoped_layers.left_reason(module, context.imports, moved, helper)
        return context.shared.setdefault("graph-plan", Plan(None, reason, helper[0], compat_mode, [], helper[0]))
    try:
        eager, notes, kept = _eager.to_eager(module, context.imports, context.text, moved)
        result = Plan(eager, None, None, compat_mode, notes, imports=context.imports, kept=kept)
    except _eager.Unsupported as problem:
        where = problem.node if problem.node is not None else problem.statement
        result = Plan(None, problem.reason, where, compat_mode, [], problem.statement)
    if result.eager is not None and context.blocker is not None and executes(context):
        # The eager program would import a module of the run that switches TF2 behaviour off.
        statement, where = _import_of(module, context.blocker[0])
        result = Plan(None, context.blocker[1], where, compat_mode, [], statement)
    context.shared["graph-plan"] = result
    return result


def _import_of(module: cst.Module, name: str):
    """(the module-level statement, the import in it) that imports ``name`` (`.ops`, `pkg.layers`),
    as the run's project pass names it; the first statement when none does."""
    from ._eager.queries import find

    for stmt in module.body:
        found = find(stmt, (cst.Import, cst.ImportFrom), lambda node: imports_module(node, name), first=True)
        if found:
            return stmt, found[0]
    return None, module.body[0] if module.body else module


def _rewrite(module: cst.Module, context: Context) -> Optional[cst.Module]:
    result = plan(context)
    if result.eager is not None:
        return result.eager
    if result.falls_back:
        return _compat.to_compat(module, context.imports, _compat_layers.mapped(context),
                                 _compat_layers.helpers(context))
    return None


GRAPH_TO_EAGER = ProgramFix("graph-to-eager rewrite", Applicability.UNSAFE, _rewrite)


class GraphRule(Rule):
    """Shared behaviour of the graph rules (not a rule itself)."""

    program_fix = GRAPH_TO_EAGER
    unfixed_status = Status.MANUAL

    def flag(self, node: cst.CSTNode, message: str) -> None:
        result = plan(self.context)
        if result.eager is not None and (id(node) in result.kept or self._chosen_and_kept(node, result)):
            # in a test the rewrite keeps as written (it ran eagerly already), or the TF1 API chosen on
            # purpose (`tf.compat.v1.X`, a `tf1` alias beside `tf`) that the rewrite keeps: TF 2.21 runs
            # it through tf.compat.v1, which is not idiomatic TensorFlow 2
            why = ("the test that holds it is kept as written (it runs eagerly as it is)" if id(node) in result.kept
                   else "written on tensorflow.compat.v1 and kept there (the program uses it in a way the rewrite "
                        "keeps)")
            self.report(node, f"{message}; {why}: TensorFlow 2.21 runs it through tensorflow.compat.v1, but it is "
                              "not TensorFlow 2 code", fixable=False, status=Status.COMPAT)
            return
        if result.manual:
            self.report(node, message, fixable=False, status=Status.MANUAL)
        elif result.eager is not None or not result.compat_mode:
            status = None if result.eager is not None else Status.COMPAT
            self.report(node, message, status=status)
        else:
            self.report(node, message, fixable=False, status=Status.COMPAT)

    def tf(self, node) -> Optional[str]:
        return _tf.call_name(self, node)

    def _chosen_and_kept(self, node: cst.CSTNode, result: Plan) -> bool:
        func = node.func if isinstance(node, cst.Call) else node
        name = _tf.tf_name(self, func)
        return bool(name) and _tf.chosen_v1(self.context.imports, dotted_name(func)) and result.keeps(name)


class Placeholder(GraphRule):
    """`tf.placeholder`: a graph input fed through `feed_dict`.

    What it finds: `tf.placeholder(dtype, shape)` and
    `tf.placeholder_with_default(...)`, called or passed as a value
    (`make = tf.placeholder if shape is None else tf.zeros`). TensorFlow 2 has
    no placeholders (`tf.placeholder` raises AttributeError on TF 2.x).

    Fix (unsafe, graph-to-eager rewrite): the placeholder becomes a parameter
    of every function that computes a tensor from it, and its dtype and shape
    become a `tf.TensorSpec` in that function's `tf.function` input
    signature, which casts fed values as a feed did.

    Known limits: a placeholder fed through a feed dict built far from the
    run, or fed a value that is not a dict literal, keeps the file on
    `tensorflow.compat.v1` (TFM090 says why).
    """

    code = "TFM001"
    name = "placeholder"
    VALID = [
        "import tensorflow as tf\nx = tf.constant([1.0])\n",
        "def f(tf):\n    return tf.placeholder(1)\n",
        "import mylib as tf\nx = tf.placeholder(tf.float32, [3])\n",
    ]
    INVALID = [Invalid("import tensorflow as tf\nx = tf.placeholder(tf.float32, [3, 1])\n"),
               Invalid("import tensorflow as tf\nmake = tf.placeholder if True else tf.zeros\n")]

    def visit_Call(self, node: cst.Call) -> None:
        name = self.tf(node)
        if name in _vocab.PLACEHOLDERS:
            self.flag(node, f"`tf.{name}` does not exist in TensorFlow 2: pass the value as a function argument")
        self.context.shared.setdefault("called-functions", set()).add(id(node.func))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        """``tf.placeholder`` as a value (``make = tf.placeholder if shape is None else tf.zeros``)."""
        name = _tf.tf_name(self, node) if node.attr.value.startswith("placeholder") else None
        if name in _vocab.PLACEHOLDERS and id(node) not in self.context.shared.get("called-functions", ()):
            self.flag(node, f"`tf.{name}` does not exist in TensorFlow 2 (here a value, the function itself): "
                            "pass the value as a function argument")


class Session(GraphRule):
    """`tf.Session` / `tf.InteractiveSession`: TF1's way to run a graph.

    What it finds: sessions created with `tf.Session()` or
    `tf.InteractiveSession()`, as a statement or in `with`. TensorFlow 2
    runs operations eagerly; both names are gone from its API.

    Fix (unsafe, graph-to-eager rewrite): the session disappears and the code
    in its `with` block runs eagerly; `session.close()` goes too.

    In a `tf.test.TestCase`, the sessions a test opens with
    `self.test_session()`, `self.cached_session()` or `self.session()` are
    reported too: under eager execution `test_session()` yields None.

    Fix (unsafe, graph-to-eager rewrite) of a test: the `with` goes, its body
    runs eagerly in the test method, and a value the test reads with
    `sess.run(t)` or `t.eval()` is read with `self.evaluate(t)` (or
    `.numpy()`).

    Known limits: a session held by a class or passed between functions is
    kept on `tensorflow.compat.v1`.
    """

    code = "TFM002"
    name = "session"
    VALID = ["import tensorflow as tf\nw = tf.Variable(1.0)\nprint(w.numpy())\n"]
    INVALID = [Invalid("import tensorflow as tf\nwith tf.Session() as sess:\n    pass\n")]

    def visit_Call(self, node: cst.Call) -> None:
        name = self.tf(node)
        if name in _vocab.SESSIONS:
            self.flag(node, f"`tf.{name}` does not exist in TensorFlow 2: code runs eagerly")
        elif id(node) in _testcase.session_calls(self.context):
            self.flag(node, f"`{self.context.code_for(node.func)}()` opens a TF1 test session, which an eager"
                            " test does not need (under eager execution `test_session()` yields None, the others a"
                            " stand-in that takes no feeds): run the code directly and read values with"
                            " `self.evaluate`")


class SessionRun(GraphRule):
    """`session.run(...)`, `feed_dict`, `tensor.eval()`: fetching graph values.

    What it finds: `run` called on a session, any call passing `feed_dict=`,
    and `.eval()` / `.run()` on graph tensors and operations (the
    InteractiveSession style).

    Fix (unsafe, graph-to-eager rewrite): `sess.run(t, feed_dict={x: v})`
    becomes `t(v).numpy()`; a variable's value is `w.numpy()`; a train op run
    with its loss, `_, c = sess.run([train, cost], ...)`, becomes
    `c = train(...).numpy()`, and the other values fetched with it are read
    before the update, as TF1 did.
    """

    code = "TFM003"
    name = "session-run"
    VALID = ["import tensorflow as tf\nprint(tf.constant(1.0).numpy())\n"]
    INVALID = [
        Invalid(
            "import tensorflow as tf\nw = tf.Variable(1.0)\nsess = tf.Session()\n"
            "sess.run(tf.global_variables_initializer())\nprint(sess.run(w))\n",
            "import tensorflow as tf\nw = tf.Variable(1.0)\nprint(w.numpy())\n",
        )
    ]

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.sessions = set()

    def visit_Assign(self, node: cst.Assign) -> None:
        if self.tf(node.value) in _vocab.SESSIONS:
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    self.sessions.add(target.target.value)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        opens = self.tf(node.item) in _vocab.SESSIONS or id(node.item) in _testcase.session_calls(self.context)
        if opens and node.asname is not None:
            if isinstance(node.asname.name, cst.Name):
                self.sessions.add(node.asname.name.value)

    def visit_Call(self, node: cst.Call) -> None:
        if not self._uses_tf() or id(node) in _testcase.graph_only(self.context):
            return  # `feed_dict=` and `.run()` mean something else without TensorFlow; graph-only test code
        feeds = any(a.keyword is not None and a.keyword.value == "feed_dict" for a in node.args)
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "run":
            receiver = func.value
            if isinstance(receiver, cst.Name) and receiver.value in self.sessions:
                self.flag(node, "`session.run` does not exist in TensorFlow 2: call the computation directly")
                return
        if feeds:
            self.flag(node, "`feed_dict` feeds a graph: pass the values as function arguments in TensorFlow 2")
        elif isinstance(func, cst.Attribute) and func.attr.value == "eval" and not node.args and self._graphy(func.value):
            self.flag(node, "`tensor.eval()` needs a default session: use `.numpy()` in TensorFlow 2")

    def _uses_tf(self) -> bool:
        return any(full.startswith("tensorflow") for full in self.context.imports.aliases.values())

    def _graphy(self, receiver) -> bool:
        return isinstance(receiver, cst.Name) and bool(self.sessions)


class VariableInitializer(GraphRule):
    """`tf.global_variables_initializer()` and the other TF1 initializers.

    What it finds: `global_variables_initializer`, `initialize_all_variables`,
    `variables_initializer`, `local_variables_initializer`. TensorFlow 2
    initialises a variable when it is created.

    Fix (unsafe, graph-to-eager rewrite): the initializer and every
    `session.run(init)` disappear.
    """

    code = "TFM004"
    name = "variable-initializer"
    VALID = ["import tensorflow as tf\nw = tf.Variable(0.0)\n"]
    INVALID = [Invalid("import tensorflow as tf\ninit = tf.global_variables_initializer()\n", "import tensorflow as tf\n")]

    def visit_Call(self, node: cst.Call) -> None:
        name = self.tf(node)
        if name in _vocab.INITIALIZERS:
            self.flag(node, f"`tf.{name}` is not needed in TensorFlow 2: variables initialise when created")


class TrainOptimizer(GraphRule):
    """`tf.train.*Optimizer`: TF1 optimizers.

    What it finds: `tf.train.GradientDescentOptimizer`, `MomentumOptimizer`,
    `AdamOptimizer`, `AdagradOptimizer`, `AdadeltaOptimizer`,
    `RMSPropOptimizer`, `FtrlOptimizer` (and the rest of `tf.train`'s
    optimizers, which have no TF2 name).

    Fix (unsafe, graph-to-eager rewrite): the Keras optimizer of the same
    algorithm, `tf.optimizers.SGD(...)` etc., with TF1's argument names
    mapped (`beta1` -> `beta_1`, `use_nesterov` -> `nesterov`, RMSProp's
    `decay` -> `rho`, `use_locking` dropped) and TF1's defaults passed where
    Keras's differ (Adam's and Adadelta's epsilon 1e-8, RMSProp's 1e-10,
    Adagrad's none), so the numbers stay the same; RMSProp is a `TF1RMSprop`
    class written into the file, whose mean square starts at ones as TF1's
    and whose step is TF1's kernel (rounded as TF1 rounded it); Momentum
    with a decaying learning rate a `TF1Momentum` class, whose step is TF1's
    kernel (the accumulated gradients scaled by the current rate).

    Known limits: an optimizer class passed as a value
    (`params.get("optimizer", tf.train.AdamOptimizer)`) is reported too; the
    rewrite cannot map the arguments of the call that will construct it.
    """

    code = "TFM005"
    name = "tf1-optimizer"
    VALID = ["import tensorflow as tf\nopt = tf.optimizers.SGD(0.01)\n"]
    INVALID = [Invalid("import tensorflow as tf\nopt = tf.train.AdamOptimizer(0.01)\n",
                       "import tensorflow as tf\nopt = tf.optimizers.Adam(0.01, epsilon=1e-08)\n"),
               Invalid("import tensorflow as tf\nmake = dict(optimizer=tf.train.AdamOptimizer)\n")]

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.chains = Chains()
        self.called: Set[int] = set()

    def visit_Call(self, node: cst.Call) -> None:
        name = self.tf(node)
        if _vocab.is_tf1_optimizer(name):
            self.called.add(id(node.func))
            self.flag(node, self._message(name))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if not node.attr.value.endswith("Optimizer") or not self.chains.outermost(node) or id(node) in self.called:
            return
        name = _tf.tf_name(self, node)
        if _vocab.is_tf1_optimizer(name):
            self.flag(node, self._message(name) + " (here the class is passed as a value: the call that "
                      "constructs it must use the Keras optimizer's arguments)")

    @staticmethod
    def _message(name: str) -> str:
        keras = _vocab.OPTIMIZERS.get(name)
        if keras is None:
            return f"`tf.{name}` has no TensorFlow 2 equivalent"
        message = f"`tf.{name}` does not exist in TensorFlow 2: use `tf.optimizers.{keras.keras}`"
        return message + (f" ({_vocab.TF1_RMSPROP})" if name == "train.RMSPropOptimizer" else "")


class Minimize(GraphRule):
    """`optimizer.minimize(loss)`: a TF1 train op.

    What it finds: `minimize` called on a `tf.train` optimizer.

    Fix (unsafe, graph-to-eager rewrite): a `tf.function` train step that
    computes the loss under `tf.GradientTape`, applies the gradients with
    `apply_gradients` and returns the loss; `var_list=` and `global_step=`
    are kept.
    """

    code = "TFM006"
    name = "train-op"
    VALID = ["import tensorflow as tf\nopt = tf.optimizers.SGD(0.01)\n"]
    INVALID = [Invalid("import tensorflow as tf\ntrain = tf.train.GradientDescentOptimizer(0.1).minimize(cost)\n")]

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.optimizers = set()

    def visit_Assign(self, node: cst.Assign) -> None:
        name = self.tf(node.value)
        if _vocab.is_tf1_optimizer(name):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    self.optimizers.add(target.target.value)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "minimize":
            return
        receiver = func.value
        name = self.tf(receiver)
        tf1 = _vocab.is_tf1_optimizer(name)
        if tf1 or (isinstance(receiver, cst.Name) and receiver.value in self.optimizers):
            self.flag(node, "`minimize` builds a TF1 train op: use a `tf.function` train step with `tf.GradientTape`")


class KeptOnCompat(Rule):
    """A graph program that `fix` keeps on `tensorflow.compat.v1`.

    What it finds: TF1 graph programs that use something the graph-to-eager
    rewrite does not understand or cannot reproduce (a session held by a
    class or passed between functions, two sessions each with its own copy of
    the variables, variables initialised again after training, variable
    scopes with reuse, seeded random ops run in sessions, a feed dict that is
    not a dict of placeholders, a graph built inside a loop, ...). The
    finding says what stopped it. A program whose eager rewrite would import
    a file of the run (or next to it) that stays on `tensorflow.compat.v1`
    stays there too: that file's `disable_v2_behavior()` turns TensorFlow 2
    behaviour off for the whole process; the finding names the import. A
    library rewritten together with the program that imports its layer
    functions (or an Estimator program and the file of its model_fn, rewritten
    together) gets a note under this code that carries that rewrite.

    Fix (unsafe): `import tensorflow.compat.v1 as tf` and
    `tf.disable_v2_behavior()`, which run TF1 code unchanged on TF 2.x. The
    finding stays after the fix as a reminder of the manual work left.
    """

    code = "TFM090"
    name = "kept-on-compat"
    program_fix = GRAPH_TO_EAGER
    unfixed_status = Status.COMPAT
    VALID = ["import tensorflow as tf\nx = tf.constant(1.0)\n"]
    INVALID = [
        Invalid(
            "import tensorflow as tf\nclass Model:\n    def __init__(self):\n        self.sess = tf.Session()\n",
            "import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\nclass Model:\n"
            "    def __init__(self):\n        self.sess = tf.Session()\n",
        )
    ]

    def visit_Module(self, node: cst.Module) -> None:
        if not _compat.uses_graph(self.context) and not _estimator.uses_estimator(self.context) and (
                self.context.merged is None):  # (a library of TF2 names whose variables a TF1 program shares)
            return
        result = plan(self.context)
        if result.eager is None and result.reason is None:
            return
        if (result.eager is not None and self.context.merged is not None and result.eager.code == self.context.merged
                and not executes(self.context)):
            # Rewritten with the program that imports it (tfmigrate/merge.py): this finding carries the
            # rewrite even where no TF1 name of the file is reported (a file on compat.v1 already).
            if _estimator.uses_estimator(self.context):
                message = ("rewritten together with the other file of its Estimator program: the model_fn becomes a "
                           "Keras 3 model")
            else:
                message = ("rewritten together with the program that imports it: its layer functions become "
                           "tf.Module classes that program makes")
            self.report(node.body[0] if node.body else node, message, status=None)
        if result.eager is not None:
            for where, note in result.notes:
                self.report(where, note, fixable=False, status=Status.IDIOMATIC)
            where = _iterators_left.found(self, node, result.eager)
            if where is not None:
                self.report(where, _iterators_left.MESSAGE, status=Status.COMPAT)
            return
        where = result.where if result.where is not None else node.body[0]
        fallback = result.statement
        message = f"kept on tensorflow.compat.v1: {result.reason}"
        if result.compat_mode:
            self.report(where, message, fixable=False, status=Status.COMPAT, fallback=fallback)
        else:
            self.report(where, message, status=Status.COMPAT, fallback=fallback)
