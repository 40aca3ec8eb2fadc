"""`tf.test.get_temp_dir()` in a test method: the test case's own `self.get_temp_dir()`."""
from __future__ import annotations

from typing import Dict, FrozenSet

import libcst as cst

from tfmigrate.ftypes import Applicability
from tfmigrate.rule import Context, Invalid, Rule

from . import _testcase, _tf
from ._eager import queries

NAME = "test.get_temp_dir"


def _is_use(context, node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Attribute) and node.attr.value == "get_temp_dir" and _tf.tf_name(context, node) == NAME


def rewritten(context: Context) -> Dict[int, str]:
    """``{id(tf.test.get_temp_dir): the method's instance name}`` when every use in the file is a call
    in an instance method of a ``tf.test.TestCase`` (outside one, ``self.get_temp_dir()`` is not
    there, and a directory shared with such a use must stay the same one); else nothing."""
    cached = context.shared.get("test-temp-dir")
    if cached is not None:
        return cached
    module = context.module
    found: Dict[int, str] = {}
    uses = [] if context.text is not None and "get_temp_dir" not in context.text else queries.find(
        module, cst.Attribute, lambda n: _is_use(context, n))
    if uses and not _tf.imports_compat(context.imports):
        called = {id(c.func) for c in queries.find(module, cst.Call, lambda c: not c.args)}
        for method, self_name in _testcase.test_methods(context):
            if self_name is None:
                continue
            nested = {id(n) for inner in queries.find(method.body, (cst.FunctionDef, cst.ClassDef, cst.Lambda))
                      for n in queries.find(inner, cst.Attribute)}
            found.update((id(n), self_name) for n in queries.find(method.body, cst.Attribute)
                         if id(n) not in nested and id(n) in called and _is_use(context, n))
        if len(found) != len(uses):
            found = {}
    context.shared["test-temp-dir"] = found
    return found


def moved(context: Context) -> FrozenSet[str]:
    """``test.get_temp_dir`` where TFM115 rewrites every use of it (the eager rewrite may leave them)."""
    return frozenset({NAME}) if rewritten(context) else frozenset()


class TestTempDir(Rule):
    """`tf.test.get_temp_dir()` in the methods of a `tf.test.TestCase`.

    What it finds: `tf.test.get_temp_dir()` called in an instance method of
    a test case (`setUp`, a test). TensorFlow 2 has it only in
    `tf.compat.v1`.

    Fix (unsafe): the test case's own `self.get_temp_dir()`, which TF1 and
    TF2 test cases both have: a directory of the test's own under the same
    process-wide temporary directory, where TF1's function gave every test
    that one directory. Only where every use in the file is such a call: a
    use elsewhere (`setUpClass`, a flag's default) keeps them all, and
    TFM105 reports it.
    """

    code = "TFM115"
    name = "tf-test-temp-dir"
    fix_applicability = Applicability.UNSAFE
    VALID = ["import tensorflow as tf\nclass T(tf.test.TestCase):\n    def testA(self):\n"
             "        d = self.get_temp_dir()\n"]
    INVALID = [
        Invalid("import tensorflow as tf\nclass T(tf.test.TestCase):\n    def setUp(self):\n"
                "        self.out = tf.test.get_temp_dir()\n",
                "import tensorflow as tf\nclass T(tf.test.TestCase):\n    def setUp(self):\n"
                "        self.out = self.get_temp_dir()\n"),
    ]

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value != "get_temp_dir":
            return
        self_name = rewritten(self.context).get(id(node))
        if self_name is not None:
            self.report(node, "`tf.test.get_temp_dir()` is gone from TensorFlow 2 (only tf.compat.v1 has it): a"
                        f" test uses its test case's `{self_name}.get_temp_dir()`, a directory of the test's own"
                        " under the same temporary directory (TF1 gave every test the one directory)",
                        replacement=cst.Attribute(cst.Name(self_name), cst.Name("get_temp_dir")))
