"""Keras 2 code that Keras 3 (TensorFlow >= 2.16) no longer runs."""
from __future__ import annotations

from typing import Optional, Set

import libcst as cst

from tfmigrate.ftypes import Applicability
from tfmigrate.names import fresh_name
from tfmigrate.traverse import Visitor, walk
from tfmigrate.rule import Invalid, Rule

from . import _tf


def _keras_optimizer(name: Optional[str]) -> bool:
    return name is not None and (name.startswith("optimizers.") or name.startswith("keras.optimizers."))


class KerasMinimize(Rule):
    """`optimizer.minimize(loss_fn, var_list)` on a Keras optimizer.

    What it finds: `minimize` called on a Keras optimizer
    (`tf.optimizers.SGD(...)`, `tf.keras.optimizers.Adam(...)`, ...).

    Why: Keras 3, the `tf.keras` of TensorFlow >= 2.16, removed
    `Optimizer.minimize`; the call raises `AttributeError: 'SGD' object has
    no attribute 'minimize'`.

    Fix (safe): the form that runs on every TF 2.x: the loss computed under
    `tf.GradientTape`, then `tape.gradient` and `apply_gradients` on the same
    variables. It is what Keras 2's `minimize` did, so the numbers are the
    same.

    Known limits: only a loss given as a function defined in the file or a
    lambda is rewritten; a loss tensor with `tape=` is reported without a fix.
    """

    code = "TFM007"
    name = "keras-minimize"
    fix_applicability = Applicability.SAFE
    VALID = ["import tensorflow as tf\nopt = tf.optimizers.SGD(0.1)\nopt.apply_gradients(zip(g, v))\n"]
    INVALID = [
        Invalid(
            "import tensorflow as tf\nw = tf.Variable(1.0)\nopt = tf.optimizers.SGD(0.1)\n"
            "def loss():\n    return w * w\nopt.minimize(loss, var_list=[w])\n",
            "import tensorflow as tf\nw = tf.Variable(1.0)\nopt = tf.optimizers.SGD(0.1)\n"
            "def loss():\n    return w * w\nwith tf.GradientTape() as tape:\n    loss_value = loss()\n"
            "gradients = tape.gradient(loss_value, [w])\nopt.apply_gradients(zip(gradients, [w]))\n",
            unsafe=False,
        )
    ]

    def __init__(self, context) -> None:
        super().__init__(context)
        self.optimizers: Set[str] = set()
        self.functions: Set[str] = set()
        self._taken: Optional[Set[str]] = None

    def visit_Assign(self, node: cst.Assign) -> None:
        if _keras_optimizer(_tf.call_name(self, node.value)):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    self.optimizers.add(target.target.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.functions.add(node.name.value)

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        if len(node.body) != 1 or not isinstance(node.body[0], cst.Expr):
            return
        call = node.body[0].value
        if not isinstance(call, cst.Call) or not isinstance(call.func, cst.Attribute):
            return
        if call.func.attr.value != "minimize":
            return
        receiver = call.func.value
        keras = _keras_optimizer(_tf.call_name(self, receiver)) or (
            isinstance(receiver, cst.Name) and receiver.value in self.optimizers
        )
        if not keras:
            return
        message = "Keras 3 optimizers have no `minimize`: compute gradients with `tf.GradientTape` and `apply_gradients`"
        replacement = self.rewrite(node, call, receiver)
        self.report(node, message, replacement=replacement, fixable=replacement is not None)

    def rewrite(self, line: cst.SimpleStatementLine, call: cst.Call, receiver) -> Optional[cst.FlattenSentinel]:
        loss = _tf.argument(call, 0, "loss")
        var_list = _tf.argument(call, 1, "var_list")
        if loss is None or var_list is None or len(call.args) > 2 or not isinstance(receiver, cst.Name):
            return None
        code = self.context.code_for
        if isinstance(loss.value, cst.Lambda) and not loss.value.params.params:
            loss_code = code(loss.value.body)
        elif isinstance(loss.value, cst.Name) and loss.value.value in self.functions:
            loss_code = f"{loss.value.value}()"
        else:
            return None
        tf = self.tf_alias()
        if tf is None:
            return None
        tape, value, grads = self.fresh("tape"), self.fresh("loss_value"), self.fresh("gradients")
        variables = code(var_list.value)
        simple = isinstance(var_list.value, (cst.Name, cst.List, cst.Tuple))
        config = self.context.module.config_for_parsing
        indent = self.context.module.default_indent
        lines = []
        if not simple:
            name = self.fresh("variables")
            lines.append(f"{name} = {variables}")
            variables = name
        lines += [
            f"with {tf}.GradientTape() as {tape}:\n{indent}{value} = {loss_code}",
            f"{grads} = {tape}.gradient({value}, {variables})",
            f"{receiver.value}.apply_gradients(zip({grads}, {variables}))",
        ]
        statements = [cst.parse_statement(text + "\n", config=config) for text in lines]
        statements[0] = statements[0].with_changes(leading_lines=line.leading_lines)
        last = statements[-1]
        statements[-1] = last.with_changes(trailing_whitespace=line.trailing_whitespace)
        return cst.FlattenSentinel(statements)

    def tf_alias(self) -> Optional[str]:
        return _tf.alias(self.context.imports)

    def fresh(self, base: str) -> str:
        if self._taken is None:
            collector = _Names()
            walk(self.context.module, collector)
            self._taken = collector.names
        return fresh_name(self._taken, base)


class _Names(Visitor):
    def __init__(self) -> None:
        self.names: Set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)
