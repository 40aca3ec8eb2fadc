"""`tf.test.TestCase` classes and the sessions their methods open.

TF1 tests run each method in a graph of its own and read values in a session
the test case gives them: ``with self.test_session() as sess:`` (or
``cached_session()`` / ``session()``), then ``sess.run(t)``, ``t.eval()`` or
``self.evaluate(t)``. Under TensorFlow 2's eager execution ``test_session()``
yields None and a session is not needed: the graph rules report these sessions
(TFM002) and the graph-to-eager rewrite (``_eager/testcases.py``) removes them.
"""
from __future__ import annotations

from typing import AbstractSet, Callable, FrozenSet, List, Optional, Set, Tuple

import libcst as cst

from . import _tf, _vocab
from ._eager import queries

TEST_CASES = ("test.TestCase",)


def is_test_case(cls: cst.ClassDef, tf_name: Callable[[cst.BaseExpression], Optional[str]],
                 qualify: Optional[Callable[[cst.BaseExpression], Optional[str]]] = None,
                 local: AbstractSet[str] = frozenset()) -> bool:
    """Does ``cls`` derive from ``tf.test.TestCase`` (by name, in its bases), from one of the file's
    own test cases (``local``: ``class AddTest(BaseTest)``), or from a project's own ``...TestCase``
    (``test_case.TestCase``, itself a ``tf.test.TestCase``) and read values with the test case's
    ``self.evaluate`` or sessions?"""
    if any(arg.keyword is None and (tf_name(arg.value) in TEST_CASES or isinstance(arg.value, cst.Name)
                                    and arg.value.value in local) for arg in cls.bases):
        return True
    if cls.bases and queries.holds(cls, cst.Call, lambda c: isinstance(c.func, cst.Attribute) and isinstance(
            c.func.value, cst.Name) and c.func.value.value == "self" and c.func.attr.value in _TF_ONLY_SESSIONS):
        return True  # a base of another file (`graph_test.GraphTest`): only tf.test.TestCase has them
    if qualify is None:
        return False
    if any(arg.keyword is None and _projects_test_case(arg.value, qualify) for arg in cls.bases):
        return queries.holds(cls, cst.Call, lambda c: isinstance(c.func, cst.Attribute) and isinstance(
            c.func.value, cst.Name) and c.func.attr.value in _TEST_CASE_METHODS)
    # unittest's and absl's test cases: a method that opens its own tf.Session is a program of its own
    return any(arg.keyword is None and qualify(arg.value) in _PLAIN_TEST_CASES for arg in cls.bases) and queries.holds(
        cls, cst.Call, lambda c: tf_name(c.func) in _vocab.SESSIONS)


def local_test_cases(module: cst.Module, tf_name: Callable[[cst.BaseExpression], Optional[str]],
                     qualify: Optional[Callable[[cst.BaseExpression], Optional[str]]] = None) -> FrozenSet[str]:
    """The names of the file's top-level test case classes, a class deriving from an earlier one
    (``class BaseTest(tf.test.TestCase)``, then ``class AddTest(BaseTest)``) included."""
    found: Set[str] = set()
    for stmt in module.body:
        if isinstance(stmt, cst.ClassDef) and is_test_case(stmt, tf_name, qualify, found):
            found.add(stmt.name.value)
    return frozenset(found)


_TEST_CASE_METHODS = _vocab.TEST_SESSIONS | {"evaluate"}
_TF_ONLY_SESSIONS = ("test_session", "cached_session")
_OTHER_TEST_CASES = ("unittest", "absl", "tensorflow")  # unittest's and absl's know no sessions
_PLAIN_TEST_CASES = ("unittest.TestCase", "absl.testing.absltest.TestCase", "absl.testing.parameterized.TestCase")


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


def graph_only_calls(node: cst.CSTNode, tf_name: Callable[[cst.BaseExpression], Optional[str]]) -> Set[int]:
    """The ids of the calls in ``node`` that only graph mode runs: under ``if not tf.executing_eagerly():``,
    in the ``else`` of ``if tf.executing_eagerly():``, after ``if tf.executing_eagerly(): return`` (a
    test written for both modes). TensorFlow 2 runs a test eagerly and never them."""
    found: Set[int] = set()
    for block in queries.find(node, cst.IndentedBlock):
        for index, branch in enumerate(block.body):
            negated = _eagerly(branch, tf_name)
            if negated is None:
                continue
            dead = [branch.body] if negated else [branch.orelse] if branch.orelse is not None else []
            if not negated and _leaves(branch.body):
                dead += block.body[index + 1:]  # `if tf.executing_eagerly(): return`: the rest is graph mode's
            found.update(id(call) for part in dead for call in queries.find(part, cst.Call))
    return found


def _eagerly(stmt: cst.CSTNode, tf_name) -> Optional[bool]:
    """For ``if [not] tf.executing_eagerly():``, whether it is negated; else None."""
    if not isinstance(stmt, cst.If):
        return None
    test, negated = stmt.test, False
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        test, negated = test.expression, True
    if isinstance(test, cst.Call) and not test.args and tf_name(test.func) == "executing_eagerly":
        return negated
    return None


def _leaves(body: cst.BaseSuite) -> bool:
    """Does the block end by leaving the function (``return``, ``raise``)?"""
    last = body.body[-1] if body.body else None
    if isinstance(last, cst.SimpleStatementLine):
        last = last.body[-1]
    return isinstance(last, (cst.Return, cst.Raise))


def session_calls(context) -> FrozenSet[int]:
    """The ids of the test-session calls in the methods of the file's test cases, but for those only
    graph mode runs (computed once per file)."""
    return _scan(context)[0]


def graph_only(context) -> FrozenSet[int]:
    """The ids of the calls in the methods of the file's test cases that only graph mode runs."""
    return _scan(context)[1]


def test_methods(context) -> List[Tuple[cst.FunctionDef, Optional[str]]]:
    """The methods of the file's test cases, each with its instance's name (None for a static or
    class method), computed once per file."""
    cached = context.shared.get("test-methods")
    if cached is None:
        cached = context.shared["test-methods"] = []
        if context.text is None or any(word in context.text for word in ("TestCase", *_TF_ONLY_SESSIONS)):
            tf_name = lambda n: _tf.tf_name(context, n)  # noqa: E731
            local = local_test_cases(context.module, tf_name, context.qualify)
            for cls in queries.find(context.module, cst.ClassDef, lambda c: is_test_case(
                    c, tf_name, context.qualify, local)):
                body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ()
                cached.extend((stmt, method_self(stmt)) for stmt in body if isinstance(stmt, cst.FunctionDef))
    return cached


def _scan(context) -> Tuple[FrozenSet[int], FrozenSet[int]]:
    cached = context.shared.get("test-sessions")
    if cached is not None:
        return cached
    found, dead = set(), set()
    for method, self_name in test_methods(context):
        found.update(id(c) for c in queries.find(method, cst.Call, lambda c: is_session_call(c, self_name)))
        dead |= graph_only_calls(method, lambda n: _tf.tf_name(context, n))
    cached = context.shared["test-sessions"] = (frozenset(found - dead), frozenset(dead))
    return cached
