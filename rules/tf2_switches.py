"""`tf.enable_eager_execution()`, `tf.enable_v2_behavior()`, ...: switches TensorFlow 2 has on."""
from __future__ import annotations

from typing import Dict, FrozenSet, Sequence

import libcst as cst

from tfmigrate.ftypes import Applicability
from tfmigrate.rule import Context, Invalid, Rule

from . import _tf
from ._eager import queries

# TF1 functions that turned on, for the whole program, what TensorFlow 2 always does
SWITCHES = frozenset({"enable_eager_execution", "enable_v2_behavior", "enable_resource_variables",
                      "enable_v2_tensorshape", "enable_control_flow_v2", "enable_tensor_equality"})


def _switch(context, stmt: cst.CSTNode) -> bool:
    """``tf.enable_eager_execution()`` as a statement of its own, without arguments."""
    if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr)):
        return False
    call = stmt.body[0].value
    return isinstance(call, cst.Call) and not call.args and _tf.call_name(context, call) in SWITCHES


def removed(context: Context) -> Dict[int, bool]:
    """``{id(statement): replaced by pass}`` for the switch statements TFM117 removes (computed once)."""
    cached = context.shared.get("tf2-switches")
    if cached is None:
        cached = {}
        if context.text is not None and "enable_" not in context.text:
            pass  # no switch called: nothing to find
        elif not _tf.imports_compat(context.imports) or not _disables(context):
            blocks = [context.module.body] + [b.body for b in queries.find(context.module, cst.IndentedBlock)]
            for body in blocks:
                _block(context, body, cached)
        context.shared["tf2-switches"] = cached
    return cached


def _disables(context) -> bool:
    """Does the program turn TensorFlow 2 behaviour off (a file kept on compat.v1)?"""
    return queries.holds(context.module, cst.Call, lambda c: (_tf.call_name(context, c) or "").startswith("disable_"))


def _block(context, body: Sequence[cst.BaseStatement], out: Dict[int, bool]) -> None:
    switches = [stmt for stmt in body if _switch(context, stmt)]
    for index, stmt in enumerate(switches):
        out[id(stmt)] = index == 0 and len(switches) == len(body)  # a body of switches only keeps a `pass`


def called(context: Context) -> FrozenSet[int]:
    """The ids of the names those statements call (TFM105 need not report them)."""
    cached = context.shared.get("tf2-switch-names")
    if cached is None:
        statements = removed(context)
        cached = context.shared["tf2-switch-names"] = frozenset(
            id(stmt.body[0].value.func) for stmt in queries.find(context.module, cst.SimpleStatementLine)
            if id(stmt) in statements) if statements else frozenset()
    return cached


def moved(context: Context) -> FrozenSet[str]:
    """The switches TFM117 removes: the graph-to-eager rewrite may leave them."""
    return SWITCHES if removed(context) else frozenset()


class TF2Switches(Rule):
    """`tf.enable_eager_execution()` and the other switches to TensorFlow 2 behaviour.

    What it finds: `enable_eager_execution()`, `enable_v2_behavior()`,
    `enable_resource_variables()`, `enable_v2_tensorshape()`,
    `enable_control_flow_v2()` and `enable_tensor_equality()` called as
    statements without arguments (on `tf` or `tf.compat.v1`): TF1 programs
    written for TensorFlow 2's behaviour turned it on with them.

    Why: TensorFlow 2 always behaves so; the functions exist only in
    `tf.compat.v1`.

    Fix (safe): the statement goes (`pass` where it was all of its block).
    Not in a file that turns TensorFlow 2 behaviour off
    (`tf.disable_v2_behavior()`), nor a call with arguments
    (`enable_eager_execution(config=...)`: TFM105 reports it).
    """

    code = "TFM117"
    name = "tf2-switches"
    fix_applicability = Applicability.SAFE
    VALID = ["import tensorflow as tf\nx = tf.constant(1.0)\n"]
    INVALID = [
        Invalid("import tensorflow as tf\ntf.enable_eager_execution()\nx = tf.constant(1.0)\n",
                "import tensorflow as tf\nx = tf.constant(1.0)\n", unsafe=False),
        Invalid("import tensorflow as tf\nif __name__ == '__main__':\n    tf.compat.v1.enable_v2_behavior()\n",
                "import tensorflow as tf\nif __name__ == '__main__':\n    pass\n", unsafe=False),
    ]

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        found = removed(self.context)
        if id(node) not in found:
            return
        call = node.body[0].value
        name = _tf.call_name(self.context, call)
        replacement = node.with_changes(body=[cst.Pass()]) if found[id(node)] else cst.RemoveFromParent()
        self.report(node, f"`tf.{name}()` turned on what TensorFlow 2 always does: the statement goes",
                    replacement=replacement)
