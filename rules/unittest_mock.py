"""`mock = tf.test.mock`: TF1 re-exported the standard library's `unittest.mock`."""
from __future__ import annotations

from typing import FrozenSet

import libcst as cst

from tfmigrate.ftypes import Applicability, Status
from tfmigrate.rule import Context, Invalid, Rule

from . import _tf
from ._eager import queries

NAME = "test.mock"


def _is_mock(rule: Rule, node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Attribute) and node.attr.value == "mock" and _tf.tf_name(rule, node) == NAME


def moved(context: Context) -> FrozenSet[str]:
    """``test.mock`` where TFM111 rewrites every use of it (``mock = tf.compat.v1.test.mock`` in a file
    the graph-to-eager rewrite moves to TensorFlow 2), else nothing."""
    if _tf.imports_compat(context.imports) or (context.text is not None and "mock" not in context.text):
        return frozenset()
    module = context.module
    uses = queries.find(module, cst.Attribute, lambda n: _is_mock(context, n))
    assigned = {id(a.value) for a in queries.find(module, cst.Assign, lambda a: len(a.targets) == 1 and isinstance(
        a.targets[0].target, cst.Name))}
    return frozenset({NAME}) if uses and all(id(use) in assigned for use in uses) else frozenset()


class TfTestMock(Rule):
    """`tf.test.mock`: the standard library's `unittest.mock`, which TF1 re-exported.

    What it finds: `tf.test.mock` on a TensorFlow alias (`mock = tf.test.mock`
    at the top of TF1 test files, `tf.test.mock.patch(...)`; spelled
    `tf.compat.v1.test.mock` too). TensorFlow 2
    has it only in `tf.compat.v1`.

    Fix (safe): `mock = tf.test.mock` becomes `from unittest import mock`
    (`from unittest import mock as <name>` for another name): the same
    module. Other uses are reported: write `unittest.mock` there.
    """

    code = "TFM111"
    name = "tf-test-mock"
    fix_applicability = Applicability.SAFE
    unfixed_status = Status.MANUAL
    VALID = ["from unittest import mock\n", "import tensorflow.compat.v1 as tf\nmock = tf.test.mock\n"]
    INVALID = [
        Invalid("import tensorflow as tf\nmock = tf.test.mock\n",
                "import tensorflow as tf\nfrom unittest import mock\n", unsafe=False),
        Invalid("import tensorflow as tf\nm = tf.test.mock\n",
                "import tensorflow as tf\nfrom unittest import mock as m\n", unsafe=False),
        Invalid("import tensorflow as tf\npatch = tf.test.mock.patch\n"),
    ]

    def __init__(self, context: Context) -> None:
        super().__init__(context)
        self.done = set()

    def visit_Assign(self, node: cst.Assign) -> None:
        if (len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name)
                or not _is_mock(self, node.value) or _tf.imports_compat(self.context.imports)):
            return
        name = node.targets[0].target.value
        self.done.add(id(node.value))
        self.report(node, "`tf.test.mock` is the standard library's `unittest.mock`, which TensorFlow 2 no longer"
                    " re-exports (only tf.compat.v1 does): import it from there",
                    replacement=cst.parse_statement(
                        "from unittest import mock" + ("" if name == "mock" else f" as {name}") + "\n").body[0])

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value != "mock" or id(node) in self.done or _tf.imports_compat(self.context.imports):
            return
        if _is_mock(self, node):
            self.report(node, "`tf.test.mock` is the standard library's `unittest.mock`, which TensorFlow 2 no"
                        " longer re-exports (only tf.compat.v1 does): write `unittest.mock`", fixable=False)
