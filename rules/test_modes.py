"""`@test_util.run_in_graph_and_eager_modes`: a test run in graph mode, then again eagerly."""
from __future__ import annotations

from typing import Callable, Optional, Set

import libcst as cst

from tfmigrate.ftypes import Applicability
from tfmigrate.rule import Context, Invalid, Rule

from ._eager import queries

MODULE = "tensorflow.python.framework.test_util"
NAMES = (f"{MODULE}.run_in_graph_and_eager_modes", f"{MODULE}.run_all_in_graph_and_eager_modes",
         "tensorflow.contrib.eager.run_test_in_graph_and_eager_modes")  # TF 1.x's name of the first
# arguments that only tune the two runs (the device, the session config, what is checked after them)
_KEYWORDS = ("config", "use_gpu", "reset_test", "assert_no_eager_garbage")


def both_modes(decorator: cst.Decorator, qualify: Callable[[cst.BaseExpression], Optional[str]]) -> bool:
    """Is ``decorator`` TensorFlow's graph-and-eager test decorator, bare or called with arguments
    that only tune its runs?"""
    target = decorator.decorator
    if isinstance(target, cst.Call):
        if any(arg.keyword is None or arg.keyword.value not in _KEYWORDS for arg in target.args):
            return False
        target = target.func
    return isinstance(target, (cst.Name, cst.Attribute)) and qualify(target) in NAMES


def removed(context: Context) -> Set[int]:
    """The ids of the decorators TFM116 removes, and of every node in them (computed once)."""
    cached = context.shared.get("test-modes")
    if cached is None:
        cached = set()
        text = context.text
        found = [] if text is not None and "_graph_and_eager_modes" not in text else queries.find(
            context.module, cst.Decorator, lambda d: both_modes(d, context.qualify))
        for decorator in found:
            cached.add(id(decorator))
            cached.update(id(node) for node in queries.find(decorator, (cst.Name, cst.Attribute, cst.Call)))
        context.shared["test-modes"] = cached
    return cached


class GraphAndEagerModes(Rule):
    """`@test_util.run_in_graph_and_eager_modes` and `run_all_in_graph_and_eager_modes`.

    What it finds: these decorators of TensorFlow's private
    `tensorflow.python.framework.test_util` on a test method or a test case
    class. They ran each test twice, in a graph (with a session) and
    eagerly, which a test written for both (`self.evaluate(t)`) allowed.

    Why: TensorFlow 2 runs tests eagerly; the module is private API, which
    changes between releases and has no public equivalent.

    Fix (unsafe): the decorator goes, and the test runs once, eagerly (in the
    mode its program runs in); the import of `test_util` goes with its last
    use (TFM114). Called with arguments other than `config`, `use_gpu`,
    `reset_test` or `assert_no_eager_garbage`, it is left (TFM107 reports it).
    """

    code = "TFM116"
    name = "graph-and-eager-modes"
    fix_applicability = Applicability.UNSAFE
    VALID = ["import tensorflow as tf\nclass T(tf.test.TestCase):\n    def testA(self):\n        pass\n"]
    INVALID = [
        Invalid("import tensorflow as tf\nfrom tensorflow.python.framework import test_util\n\n\n"
                "@test_util.run_all_in_graph_and_eager_modes\nclass T(tf.test.TestCase):\n\n"
                "    @test_util.run_in_graph_and_eager_modes()\n    def testA(self):\n"
                "        self.assertEqual(self.evaluate(tf.constant(1)), 1)\n",
                "import tensorflow as tf\n\n\nclass T(tf.test.TestCase):\n\n"
                "    def testA(self):\n        self.assertEqual(self.evaluate(tf.constant(1)), 1)\n"),
    ]

    def visit_Decorator(self, node: cst.Decorator) -> None:
        if id(node) in removed(self.context):
            target = node.decorator.func if isinstance(node.decorator, cst.Call) else node.decorator
            self.report(node, f"`@{queries.dotted(target)}` ran the test in a graph and again eagerly; TensorFlow 2"
                        " runs it eagerly, and the decorator is private API (tensorflow.python)",
                        replacement=cst.RemoveFromParent())
