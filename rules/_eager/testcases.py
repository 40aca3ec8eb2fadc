"""`tf.test.TestCase` methods: their test sessions go, and what they read runs eagerly.

A TF1 test builds its graph in the method and reads values in a session the test
case opens (``with self.test_session() as sess:``, ``cached_session()``,
``session()``): ``sess.run(t)``, ``t.eval()``, ``self.evaluate(t)``. Each method
is read as a program of its own (its sessions, initializers and runs start
afresh); the session's ``with`` is replaced by its body, as a ``tf.Session`` is.
A value computed by code the rewrite does not see (``total = my_op(x)``: an
eager tensor now) is read with ``self.evaluate(total)``, which is what a TF2 test
writes; where a run may have changed a variable since that value was computed
(TF1 would compute it again from the new value), the file stays on compat.
"""
from __future__ import annotations

from typing import Callable

import libcst as cst

from tfmigrate.names import function_locals

from .. import _testcase, _tf, _vocab, test_modes
from . import bindings as B
from . import queries
from .plan import Compound, Keep, Line, Step
from .state import Rewrite, Unsupported

# test_util decorators that run a test in graph mode even on TensorFlow 2
_GRAPH_MODE = ("run_deprecated_v1", "run_v1_only", "run_in_graph_and_eager_modes", "run_all_in_graph_and_eager_modes",
               "deprecated_graph_mode_only", "run_all_in_deprecated_graph_mode_only")


def is_test_case(s: Rewrite, stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.ClassDef) and _testcase.is_test_case(
        stmt, s.tf_name, s.p.imports.qualify, _testcase.local_test_cases(s.p.module, s.tf_name, s.p.imports.qualify))


def test_case(s: Rewrite, cls: cst.ClassDef, block: Callable) -> Compound:
    """A test case class: each method read as a test program of its own, the rest kept."""
    eager = any(_graph_mode(s, decorator) for decorator in cls.decorators)
    steps = []
    for stmt in cls.body.body:
        if isinstance(stmt, cst.FunctionDef) and isinstance(stmt.body, cst.IndentedBlock) and (
                _testcase.method_self(stmt) is not None) and not eager and not any(
                _graph_mode(s, decorator) for decorator in stmt.decorators) and _builds_graph(s, stmt):
            steps.append(Step(stmt, _method(s, stmt, block)))
        else:
            s.keep(stmt)
            gone = _no_op_initializers(s, stmt)
            dropped = {id(n) for line in gone for n in queries.find(line, (cst.Call, cst.Attribute))}
            s.kept_tests.update(id(n) for n in queries.find(stmt, (cst.Call, cst.Attribute)) if id(n) not in dropped)
            if gone:
                steps.append(Step(stmt, Compound(stmt, [Step(line, Line(line, [None]) if line in gone else Keep(line))
                                                        for line in stmt.body.body])))
            else:
                steps.append(Step(stmt, Keep(stmt)))
    return Compound(cls, steps)


def _no_op_initializers(s: Rewrite, func: cst.CSTNode) -> list:
    """The ``self.evaluate(tf.compat.v1.global_variables_initializer())`` lines of a test method that runs
    eagerly as written: TensorFlow 2 initialises variables when it makes them, and the initializer is a
    no-op that evaluates to None. Not where a graph may be the default one (a method that makes or enters a
    graph or a session, a file that switches eager execution off)."""
    self_name = _testcase.method_self(func) if isinstance(func, cst.FunctionDef) else None
    if self_name is None or not isinstance(func.body, cst.IndentedBlock):
        return []
    if s.switches_off is None:
        s.switches_off = bool(queries.calls_of(s.module, s.call_name, _SWITCHES_OFF, first=True))
    if s.switches_off or queries.holds(func, cst.Call, lambda c: s.call_name(c) in _GRAPHS or queries.is_method_call(
            c, ("as_default",)) or _testcase.is_session_call(c, self_name)):
        return []
    return [line for line in func.body.body if _evaluates_initializers(s, line, self_name)]


_SWITCHES_OFF = {"disable_eager_execution", "disable_v2_behavior", "disable_resource_variables"}
_GRAPHS = {"Graph", "Session", "InteractiveSession", "get_default_graph", "wrap_function", "function"}


def _evaluates_initializers(s: Rewrite, line, self_name: str) -> bool:
    """``self.evaluate(<initializer>)`` or ``self.evaluate([<initializers>])``, alone on its line."""
    if not (isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1 and isinstance(line.body[0], cst.Expr)):
        return False
    call = line.body[0].value
    if not (queries.is_method_call(call, ("evaluate",)) and queries.receiver_name(call) == self_name
            and len(call.args) == 1 and call.args[0].keyword is None and not call.args[0].star):
        return False
    value = call.args[0].value
    values = [e.value for e in value.elements] if isinstance(value, (cst.List, cst.Tuple)) else [value]
    return bool(values) and all(isinstance(v, cst.Call) and not v.args and s.call_name(v) in _INITIALIZERS
                                for v in values)


_INITIALIZERS = (_vocab.INITIALIZERS - {"variables_initializer"}) | {
    "initializers.global_variables", "initializers.local_variables", "tables_initializer",
    "initializers.tables_initializer"}


def _builds_graph(s: Rewrite, func: cst.FunctionDef) -> bool:
    """Does the method open a test session, feed or eval anything, or make a TF1 graph object
    (placeholders, initializers, TF1 optimizers; not spelled ``tf.compat.v1.X``, which a test
    written for TensorFlow 2 chooses on purpose)? A method without any is TensorFlow 2 code already
    (``self.evaluate`` runs eagerly): kept as written."""
    self_name = _testcase.method_self(func)
    dead = _testcase.graph_only_calls(func, s.tf_name)

    def graph_call(call: cst.Call) -> bool:
        if id(call) in dead:
            return False
        name = s.call_name(call)
        tf1 = (name in _vocab.GRAPH_ONLY or _vocab.is_tf1_optimizer(name)) and not _tf.chosen_v1(
            s.p.imports, queries.dotted(call.func))
        return (tf1 or _testcase.is_session_call(call, self_name) or queries.is_method_call(call, ("eval",))
                or any(a.keyword is not None and a.keyword.value == "feed_dict" for a in call.args))

    return queries.holds(func, cst.Call, graph_call) or bool(queries.names_in(func) & s.b.graph_names())


def _graph_mode(s: Rewrite, decorator: cst.Decorator) -> bool:
    """Refuses a decorator that runs the test in graph mode on TensorFlow 2; True for one that ran it
    eagerly too (TFM116 removes it: the code it decorates runs eagerly as written)."""
    if test_modes.both_modes(decorator, s.p.imports.qualify):
        return True
    target = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
    name = queries.dotted(target) or ""
    if name.rpartition(".")[2] in _GRAPH_MODE:
        raise Unsupported(decorator, f"`@{name}` runs the test in graph mode on TensorFlow 2 too")
    return False


def _method(s: Rewrite, func: cst.FunctionDef, block: Callable) -> Compound:
    saved = (s.test_self, s.test_opened, s.open_sessions, s.runs_changed_variables, s.run_scope, s.defined)
    s.test_self, s.test_opened, s.run_scope = _testcase.method_self(func), False, func
    s.defined = set(s.defined)  # the functions it writes are its locals: the next method may use their names
    s.open_sessions, s.runs_changed_variables = set(), False  # each test has a graph and sessions of its own
    specs = set(s.b.specs)
    from .modules import registry as model_registry

    registry = model_registry(s)  # the model functions it calls: instances of its own (its graph was its own)
    instances, registry.instances = registry.instances, {}
    try:
        local = function_locals(func)
        with s.b.masked(local):
            s.scopes.append((id(func), local))
            try:
                return Compound(func, block(s, func.body.body, in_loop=False))
            finally:
                s.scopes.pop()
    finally:
        s.test_self, s.test_opened, s.open_sessions, s.runs_changed_variables, s.run_scope, s.defined = saved
        source = s.p.source_names()
        s.taken.difference_update(set(registry.instances.values()) - source)  # its locals: free for the next
        registry.instances = instances
        for name in set(s.b.specs) - specs:  # its placeholders: the next method may define its own `x`
            del s.b.specs[name]


def is_test_session(s: Rewrite, node: cst.CSTNode) -> bool:
    """``self.test_session(...)`` and the like, in a test method; its arguments checked."""
    if not _testcase.is_session_call(node, s.test_self):
        return False
    for index, arg in enumerate(node.args):
        keyword = arg.keyword.value if arg.keyword is not None else ("graph", "config")[index] if index < 2 else None
        if keyword in ("config", "use_gpu", "force_gpu"):
            continue  # where ops run, and how: eager code runs them on the default device
        if keyword == "graph" and (s.call_name(arg.value) == "Graph" or (
                isinstance(arg.value, cst.Name) and s.b.is_(arg.value.value, B.GRAPH))):
            continue  # the graph the test builds in: eager code has none
        raise Unsupported(node, f"`{s.code(node)}`: a test session with arguments this rewrite does not know")
    s.test_opened = True
    return True


def is_evaluate(s: Rewrite, node: cst.CSTNode) -> bool:
    """``self.evaluate(t)`` in a test method: a run."""
    if s.test_self is None or not queries.is_method_call(node, ("evaluate",)) or (
            queries.receiver_name(node) != s.test_self):
        return False
    arg = node.args[0] if len(node.args) == 1 else None
    return arg is not None and not arg.star and (arg.keyword is None or arg.keyword.value == "tensors")


def evaluated(node: cst.Call) -> cst.BaseExpression:
    return node.args[0].value


def reads_unseen(s: Rewrite, name: str) -> bool:
    """A name of a test method that is bound to nothing this rewrite knows: the value of code it does
    not see (a library's op), an eager tensor now."""
    return s.test_self is not None and s.b.kind(name) is None and name != s.test_self


def evaluates_unseen_eval(s: Rewrite, call: cst.Call) -> bool:
    """``t.eval()`` in a test that opened a session, ``t`` an unseen value."""
    receiver = queries.receiver_name(call)
    return (s.test_opened and receiver is not None and call.func.attr.value == "eval" and not call.args
            and reads_unseen(s, receiver))


def unseen_values(s: Rewrite, node: cst.BaseExpression) -> bool:
    """A list or tuple of values of code the rewrite does not see, none of them a graph's."""
    if s.test_self is None or not isinstance(node, (cst.List, cst.Tuple)) or not node.elements:
        return False
    return all(not isinstance(e, cst.StarredElement) and (
        reads_unseen(s, e.value.value) if isinstance(e.value, cst.Name) else not s.mentions_graph(e.value))
        for e in node.elements)


def evaluate(s: Rewrite, node: cst.BaseExpression, values) -> str:
    """``self.evaluate(node)``, for a value of code the rewrite does not see."""
    if values:
        raise Unsupported(node, f"{s.code(node)} is fed a value but is not a placeholder's tensor of this program")
    if s.runs_changed_variables:
        raise Unsupported(node, f"{s.code(node)} is read after a run changed variables (TF1 computed it again "
                                "from their new values; its eager value was computed before)")
    return f"{s.test_self}.evaluate({s.code(node)})"


def reads(s: Rewrite, stmt: cst.CSTNode) -> bool:
    """Does ``stmt``, in a test method, open a test session or read a value (``self.evaluate(t)``,
    ``t.eval()`` of an unseen value)?"""
    if s.test_self is None:
        return False
    return queries.holds(stmt, cst.Call, lambda call: _testcase.is_session_call(call, s.test_self) or is_evaluate(
        s, call) or evaluates_unseen_eval(s, call))


def discarded(s: Rewrite, element: cst.BaseExpression) -> None:
    """An unseen op run for its effect: it may have changed a variable."""
    if isinstance(element, cst.Name) and reads_unseen(s, element.value):
        s.runs_changed_variables = True

