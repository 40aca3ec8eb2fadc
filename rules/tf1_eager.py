"""TF1-era eager execution: `tf.contrib.eager` (`tfe`) becomes plain TensorFlow 2.

TF 1.5-1.15 programs turned eager execution on and took its helpers from
`tf.contrib.eager`, usually as `tfe = tf.contrib.eager`: `tfe.Variable`,
`tfe.Iterator(dataset)`, `tfe.implicit_gradients(loss_fn)`, `tfe.defun`. In
TensorFlow 2 they are core names or plain Python.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Optional, Set

import libcst as cst

from tfmigrate.ftypes import Applicability, Status
from tfmigrate.names import dotted_name
from tfmigrate.rule import Context, Invalid, Rule
from tfmigrate.traverse import Replacer

from . import _tf
from ._eager import queries

MODULE = "contrib.eager"
# tfe name -> its TensorFlow 2 name on the TensorFlow alias (the same objects, or the same calls)
RENAMED = {"Variable": "Variable", "GradientTape": "GradientTape", "defun": "function", "function": "function",
           "Network": "keras.Model",
           "Checkpoint": "train.Checkpoint", "executing_eagerly": "executing_eagerly",
           "in_eager_mode": "executing_eagerly", "metrics.Mean": "keras.metrics.Mean"}
GRADIENTS = ("implicit_gradients", "implicit_value_and_gradients")
# tf.layers' classes, which in eager execution are the Keras layers they subclass (the same arguments and
# defaults): in a TF1-era eager program, Keras' (`tfe.Network` subclasses held them)
LAYER_CLASSES = frozenset({"Dense", "Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "Dropout", "Flatten",
                           "MaxPooling1D", "MaxPooling2D", "AveragePooling1D", "AveragePooling2D"})


@dataclass
class _Plan:
    edits: Dict[int, cst.CSTNode] = field(default_factory=dict)  # id(node) -> its replacement
    removed: Set[int] = field(default_factory=set)  # alias statements that go
    problem: Optional[str] = None  # why nothing is rewritten
    layers: Set[str] = field(default_factory=set)  # tf.layers classes written as Keras' (layers.Dense)


def _aliases(context, module: cst.Module) -> Dict[str, cst.SimpleStatementLine]:
    """Module-level ``tfe = tf.contrib.eager``, ``import tensorflow.contrib.eager as tfe`` and
    ``from tensorflow.contrib import eager as tfe``: name -> its statement."""
    found = {}
    for stmt in module.body:
        small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 else None
        if isinstance(small, cst.Assign):
            target = small.targets[0].target if len(small.targets) == 1 else None
            if isinstance(target, cst.Name) and _tf.tf_name(context, small.value) == MODULE:
                found[target.value] = stmt
        elif isinstance(small, (cst.Import, cst.ImportFrom)) and not isinstance(small.names, cst.ImportStar) and len(
                small.names) == 1 and small.names[0].asname is not None:
            alias = small.names[0]
            module_name = dotted_name(small.module) if isinstance(small, cst.ImportFrom) and small.module else None
            full = f"{module_name}.{dotted_name(alias.name)}" if module_name else dotted_name(alias.name)
            if full == f"{_tf.TF}.{MODULE}" and not (isinstance(small, cst.ImportFrom) and small.relative):
                found[dotted_name(alias.asname.name)] = stmt
    return found


def _name(context, node: cst.CSTNode, aliases) -> Optional[str]:
    """The tfe-relative name a chain stands for (``Variable`` for ``tfe.Variable`` or
    ``tf.contrib.eager.Variable``), or None."""
    written = dotted_name(node)
    if written is None:
        return None
    head, _, rest = written.partition(".")
    if head in aliases:
        return rest
    relative = _tf.tf_name(context, node) or ""
    return relative[len(MODULE) + 1:] if relative.startswith(MODULE + ".") else None


def plan(context: Context) -> _Plan:
    cached = context.shared.get("tf1-eager")
    if cached is not None:
        return cached
    result = context.shared["tf1-eager"] = _Plan()
    if context.text is not None and "contrib" not in context.text:
        return result  # tfe comes from tf.contrib.eager: without the word, nothing to find
    module = context.module
    aliases = _aliases(context, module)
    tf = _tf.alias(context.imports)
    chains = [n for n in queries.find(module, cst.Attribute) if _name(context, n, aliases) is not None]
    inner = {id(n.value) for n in chains}
    uses = [n for n in chains if id(n) not in inner]
    if not uses and not aliases:
        return result
    if tf is None or _tf.imports_compat(context.imports):
        result.problem = "the file has no `import tensorflow as tf` to write TensorFlow 2 names on"
        return result
    calls = {id(c.func): c for c in queries.find(module, cst.Call)}
    lines = queries.find(module, cst.SimpleStatementLine, lambda s: len(s.body) == 1)
    assigned = {id(s.body[0].value): s for s in lines if isinstance(s.body[0], cst.Assign) and len(
        s.body[0].targets) == 1 and isinstance(s.body[0].targets[0].target, cst.Name)}
    alone = {id(s.body[0].value): s for s in lines if isinstance(s.body[0], cst.Expr)}  # a call as a statement
    for use in uses:
        name = _name(context, use, aliases)
        call = calls.get(id(use))
        if name in RENAMED:
            result.edits[id(use)] = cst.parse_expression(f"{tf}.{RENAMED[name]}")
        elif name == "Iterator" and call is not None and len(call.args) == 1 and not call.args[0].keyword:
            result.edits[id(call)] = cst.Call(cst.Name("iter"), [cst.Arg(call.args[0].value)])
        elif name == "num_gpus" and call is not None and not call.args:
            result.edits[id(call)] = cst.parse_expression(f'len({tf}.config.list_physical_devices("GPU"))')
        elif name == "enable_eager_execution" and call is not None and not call.args and id(call) in alone:
            result.removed.add(id(alone[id(call)]))  # TensorFlow 2 executes eagerly
        elif name in GRADIENTS and call is not None and id(call) in assigned and len(call.args) == 1 and (
                not call.args[0].keyword and not call.args[0].star):
            stmt = assigned[id(call)]
            result.edits[id(stmt)] = _gradients_function(stmt, call, name, tf, module)
        else:
            result.problem = f"`tfe.{name}` has no rewrite here"
            result.edits.clear()
            result.removed.clear()
            return result
    result.removed |= {id(stmt) for stmt in aliases.values()}
    _networks(context, module, tf, result)
    return result


def _networks(context, module: cst.Module, tf: str, result: _Plan) -> None:
    """In a ``tfe.Network`` subclass (now a Keras Model), ``self.track_layer(layer)`` is ``layer`` (a Model
    tracks the layers set as its attributes); and tf.layers' classes in the program are Keras'."""
    for node in queries.find(module, cst.Attribute):
        name = _tf.tf_name(context, node) or ""
        if name.startswith("layers.") and name[len("layers."):] in LAYER_CLASSES:
            result.edits[id(node)] = cst.parse_expression(f"{tf}.keras.{name}")
            result.layers.add(name)
    renamed = dict(result.edits)
    for cls in queries.find(module, cst.ClassDef, lambda c: any(id(b.value) in renamed for b in c.bases)):
        for call in queries.find(cls.body, cst.Call, lambda c: isinstance(c.func, cst.Attribute) and (
                c.func.attr.value == "track_layer" and isinstance(c.func.value, cst.Name)
                and c.func.value.value == "self" and len(c.args) == 1 and c.args[0].keyword is None)):
            result.edits[id(call)] = call.args[0].value.visit(Replacer(renamed))  # (the layer's own rename in it)


def _gradients_function(stmt: cst.SimpleStatementLine, call: cst.Call, name: str, tf: str,
                        module: cst.Module) -> cst.FunctionDef:
    """``grad = tfe.implicit_gradients(loss_fn)`` -> a function of the same name: the (gradient,
    variable) pairs of the variables ``loss_fn`` reads, in the order they were made (TF1's order)."""
    target = stmt.body[0].targets[0].target.value
    loss = module.code_for_node(call.args[0].value)
    pairs = "list(zip(tape.gradient(value, variables), variables))"
    returned = pairs if name == "implicit_gradients" else f"value, {pairs}"
    indent = module.default_indent
    code = (f"def {target}(*args, **kwargs):\n"
            f"{indent}with {tf}.GradientTape() as tape:\n"
            f"{indent}{indent}value = {loss}(*args, **kwargs)\n"
            f"{indent}variables = tape.watched_variables()\n"
            f"{indent}return {returned}\n")
    func = cst.parse_statement(code, config=module.config_for_parsing)
    return func.with_changes(leading_lines=stmt.leading_lines)


def falls_back(context: Context) -> bool:
    """Is the file kept on tensorflow.compat.v1 by the graph-to-eager rewrite? compat.v1 has no
    tf.contrib.eager, and no rule writes TensorFlow 2 names there: TFM107 reports the uses."""
    from . import graph

    return graph.plan(context).falls_back


def tf2_name(name: str) -> Optional[str]:
    """The TensorFlow 2 name of a renamed tfe name (``contrib.eager.Variable`` -> ``Variable``), or None."""
    return RENAMED.get(name[len(MODULE) + 1:]) if name.startswith(MODULE + ".") else None


def moved(context: Context) -> FrozenSet[str]:
    """The ``contrib.eager`` names TFM119 rewrites (every one in the file), for the graph-to-eager rewrite."""
    if not rewrites(context):
        return frozenset()
    return frozenset({MODULE} | {f"{MODULE}.{name}" for name in (
        *RENAMED, *GRADIENTS, "Iterator", "num_gpus", "enable_eager_execution")} | plan(context).layers)


def handled(context: Context, node: cst.CSTNode, name: str) -> bool:
    """Does TFM119 rewrite this use of ``tf.<name>`` (every tfe name of a file it rewrites, and the tf.layers
    classes of such a file it writes as Keras'): TFM107 and TFM106 need not report it. Not in a file kept on
    compat.v1, which has no tfe."""
    if not rewrites(context) or falls_back(context):
        return False
    return name.startswith(MODULE) or id(node) in plan(context).edits


def rewrites(context: Context) -> bool:
    """Does TFM119 rewrite the file's ``contrib.eager`` names (all of them: TFM107 need not report one)?"""
    result = plan(context)
    return bool(result.edits or result.removed)


class TF1Eager(Rule):
    """`tf.contrib.eager` (`tfe`): the helpers of TF1's eager execution.

    What it finds: `tfe = tf.contrib.eager` and the names used through it
    (or spelled `tf.contrib.eager.X`).

    Why: `tf.contrib` is gone from TensorFlow 2, where eager execution is the
    default and these helpers are core names.

    Fix (unsafe): `tfe.Variable` -> `tf.Variable`, `tfe.GradientTape` ->
    `tf.GradientTape`, `tfe.defun` -> `tf.function`, `tfe.Checkpoint` ->
    `tf.train.Checkpoint`, `tfe.metrics.Mean` -> `tf.keras.metrics.Mean`,
    `tfe.Network` -> `tf.keras.Model` (its `self.track_layer(layer)` ->
    `layer`, and tf.layers' classes in the program -> Keras', which they
    are in eager execution: `tf.layers.Dense` -> `tf.keras.layers.Dense`),
    `tfe.Iterator(dataset)` -> `iter(dataset)`, `tfe.num_gpus()` -> the
    number of GPUs `tf.config` lists; `grad = tfe.implicit_gradients(loss_fn)`
    becomes a function `grad` that runs `loss_fn` under a `tf.GradientTape` and
    returns the (gradient, variable) pairs of the variables it read, in the
    order they were made, as TF1's did (`implicit_value_and_gradients`: the
    value too). The alias goes. Only where every use in the file has such a
    rewrite; TFM107 reports the others.
    """

    code = "TFM119"
    name = "tf1-eager"
    fix_applicability = Applicability.UNSAFE
    unfixed_status = Status.MANUAL
    VALID = ["import tensorflow as tf\nw = tf.Variable(1.0)\n"]
    INVALID = [
        Invalid("import tensorflow as tf\ntfe = tf.contrib.eager\nw = tfe.Variable(1.0)\n"
                "grad = tfe.implicit_gradients(loss)\n",
                "import tensorflow as tf\nw = tf.Variable(1.0)\n"
                "def grad(*args, **kwargs):\n    with tf.GradientTape() as tape:\n"
                "        value = loss(*args, **kwargs)\n    variables = tape.watched_variables()\n"
                "    return list(zip(tape.gradient(value, variables), variables))\n"),
    ]

    def planned(self) -> _Plan:
        """The file's plan; nothing to rewrite in a file the graph rewrite keeps on compat.v1."""
        result = plan(self.context)
        return _Plan() if (result.edits or result.removed) and falls_back(self.context) else result

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        result = self.planned()
        if id(node) in result.removed:
            self.report(node, "`tf.contrib.eager`: TensorFlow 2 executes eagerly and has these helpers as core names;"
                        " the statement goes", replacement=cst.RemoveFromParent())
        elif id(node) in result.edits:
            self.report(node, "`tfe.implicit_gradients(f)` is a `tf.GradientTape` over `f` in TensorFlow 2",
                        replacement=result.edits[id(node)])

    def visit_Attribute(self, node: cst.Attribute) -> None:
        result = self.planned()
        if id(node) in result.edits:
            self.report(node, f"`{dotted_name(node)}` is `{dotted_name(result.edits[id(node)])}` in TensorFlow 2",
                        replacement=result.edits[id(node)])

    def visit_Call(self, node: cst.Call) -> None:
        result = self.planned()
        if id(node) in result.edits and isinstance(node.func, cst.Attribute) and node.func.attr.value == "track_layer":
            self.report(node, "`self.track_layer(layer)` of a tfe.Network is `layer`: a Keras Model tracks the layers"
                        " set as its attributes", replacement=result.edits[id(node)])
        elif id(node) in result.edits:
            self.report(node, f"`{self.context.code_for(node)}` is "
                        f"`{cst.Module([]).code_for_node(result.edits[id(node)])}` in TensorFlow 2",
                        replacement=result.edits[id(node)])
