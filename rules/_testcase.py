"""`tf.test.TestCase` classes and the sessions their methods open.

TF1 tests run each method in a graph of its own and read values in a session
the test case gives them: ``with self.test_session() as sess:`` (or
``cached_session()`` / ``session()``), then ``sess.run(t)``, ``t.eval()`` or
``self.evaluate(t)``. Under TensorFlow 2's eager execution ``test_session()``
yields None and a session is not needed: the graph rules report these sessions
(TFM002) and the graph-to-eager rewrite (``_eager/testcases.py``) removes them.
"""
from __future__ import annotations

from typing import Callable, FrozenSet, Optional

import libcst as cst

from . import _tf, _vocab
from ._eager import queries

TEST_CASES = ("test.TestCase",)


def is_test_case(cls: cst.ClassDef, tf_name: Callable[[cst.BaseExpression], Optional[str]],
                 qualify: Optional[Callable[[cst.BaseExpression], Optional[str]]] = None) -> bool:
    """Does ``cls`` derive from ``tf.test.TestCase`` (by name, in its bases), or from a project's own
    ``...TestCase`` (``test_case.TestCase``, itself a ``tf.test.TestCase``) and read values with the
    test case's ``self.evaluate`` or sessions?"""
    if any(arg.keyword is None and tf_name(arg.value) in TEST_CASES for arg in cls.bases):
        return True
    if qualify is None or not any(arg.keyword is None and _projects_test_case(arg.value, qualify) for arg in cls.bases):
        return False
    return queries.holds(cls, cst.Call, lambda c: isinstance(c.func, cst.Attribute) and isinstance(
        c.func.value, cst.Name) and c.func.attr.value in _TEST_CASE_METHODS)


_TEST_CASE_METHODS = _vocab.TEST_SESSIONS | {"evaluate"}
_OTHER_TEST_CASES = ("unittest", "absl", "tensorflow")  # unittest's and absl's know no sessions


def _projects_test_case(base: cst.BaseExpression, qualify) -> bool:
    name = queries.dotted(base)
    if name is None or name.rpartition(".")[2] != "TestCase":
        return False
    full = qualify(base)
    return full is None or full.split(".", 1)[0] not in _OTHER_TEST_CASES


def method_self(func: cst.FunctionDef) -> Optional[str]:
    """The name of the instance in a method (its first parameter), or None for a static or
    class method or one without parameters."""
    for decorator in func.decorators:
        if queries.dotted(decorator.decorator) in ("staticmethod", "classmethod"):
            return None
    params = func.params.params or func.params.posonly_params
    return params[0].name.value if params else None


def is_session_call(node: cst.CSTNode, self_name: Optional[str]) -> bool:
    """``self.test_session(...)``, ``self.cached_session(...)``, ``self.session(...)``."""
    return (self_name is not None and isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in _vocab.TEST_SESSIONS and isinstance(node.func.value, cst.Name)
            and node.func.value.value == self_name)


def session_calls(context) -> FrozenSet[int]:
    """The ids of the test-session calls in the methods of the file's test cases (computed once
    per file)."""
    cached = context.shared.get("test-sessions")
    if cached is not None:
        return cached
    found = set()
    module = context.module
    classes = queries.find(module, cst.ClassDef, lambda c: is_test_case(c, lambda n: _tf.tf_name(context, n),
                                                                        context.qualify))
    for cls in classes:
        for stmt in cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ():
            if isinstance(stmt, cst.FunctionDef):
                self_name = method_self(stmt)
                found.update(id(c) for c in queries.find(stmt, cst.Call, lambda c: is_session_call(c, self_name)))
    cached = context.shared["test-sessions"] = frozenset(found)
    return cached

