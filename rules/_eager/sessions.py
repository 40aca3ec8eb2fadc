"""Sessions, graphs and initializers: they disappear, and the code they ran runs eagerly.

``with tf.Session() as sess:`` is replaced by its body; ``sess = tf.Session()``,
``sess.close()``, ``init = tf.global_variables_initializer()`` and ``sess.run(init)``
are removed. What TF1 gave each session (its own copy of the variables, variables
initialised again) eager code does not have: such programs stay on compat.
"""
from __future__ import annotations

from typing import List, Optional

import libcst as cst

from .. import _vocab
from . import bindings as B
from . import queries, testcases
from .state import Rewrite, Unsupported


def is_session_item(s: Rewrite, item: cst.WithItem) -> bool:
    """``with tf.Session() as sess:``, ``with tf.Graph().as_default():``, ``with sess.as_default():``."""
    node = item.item
    if s.call_name(node) in _vocab.SESSIONS or testcases.is_test_session(s, node):
        return True
    if queries.is_method_call(node, ("as_default",)):
        target = node.func.value
        if s.call_name(target) == "Graph":
            return True
        if isinstance(target, cst.Name) and s.b.is_(target.value, B.SESSION, B.GRAPH):
            return True
        raise Unsupported(node, f"`with {s.code(node.func)}()`: a graph or session this rewrite does not know")
    return False


def open_session(s: Rewrite, node, name: Optional[str]) -> None:
    """A session starts; TF1 gave each open session its own copy of every variable."""
    others = s.open_sessions - {name}
    if others:
        raise Unsupported(node, f"a second session open while {sorted(others)[0]} is (each session had its own "
                                "copy of the variables; eager code has one)")
    if name is not None:
        s.open_sessions.add(name)


def enter(s: Rewrite, items: List[cst.WithItem]) -> None:
    """The sessions a `with` statement opens."""
    for item in items:
        if item.asname is not None:
            if not isinstance(item.asname.name, cst.Name):
                raise Unsupported(item, "a session bound to something other than a name")
            open_session(s, item.item, item.asname.name.value)
            s.b.bind(item.asname.name.value, B.SESSION)


def leave(s: Rewrite, items: List[cst.WithItem]) -> None:
    for item in items:
        if item.asname is not None:
            s.open_sessions.discard(item.asname.name.value)  # the `with` closed it


def created(s: Rewrite, node, value: cst.Call, single: Optional[str]) -> None:
    """``sess = tf.Session()``: the statement goes."""
    open_session(s, value, single)
    s.drop_binding(node, single, B.SESSION, "a session")


def closed(s: Rewrite, name: str) -> None:
    """``sess.close()``: the statement goes."""
    s.open_sessions.discard(name)


REINITIALISED = ("variables initialised again after runs changed them (TF1 starts them over; eager variables "
                 "would keep their values)")


def initialise(s: Rewrite, node) -> None:
    """An initializer run: nothing in eager code, unless runs may have changed a variable
    since (then TF1 started the variables over, and eager variables would keep their values).
    Restoring every variable from a checkpoint right after (``sess.run(init)``;
    ``saver.restore(sess, path)`` in a new session) overwrites what it reset: that is allowed."""
    if s.runs_changed_variables:
        s.reinitialised = node
    if s.metrics_updated and initialises_locals(s, node):
        raise Unsupported(node, "local variables initialised again after runs updated tf.metrics (TF1 started "
                                "the metrics over; the Keras metrics would keep their totals)")
    if s.function_stack:  # `def train(): with tf.Session() as sess: sess.run(init) ...`: checked after its body
        s.function_inits.setdefault(s.function_stack[-1], node)
    s.loop_inits = [node if init is None else init for init in s.loop_inits]  # checked after each loop's body


def check_loop_reinitialises(s: Rewrite, init, changes_before: int, metrics_before: bool) -> None:
    """A loop whose body ran ``init``, an initializer, and what changes variables (``for fold in folds:
    sess.run(init); ... sess.run(train)``, a session opened at each pass): TF1 started the variables over at
    each pass."""
    if init is None:
        return
    if s.variable_changes > changes_before or (s.metrics_updated and not metrics_before):
        raise Unsupported(init, "variables initialised in a loop whose runs change them (TF1 started them over at "
                                "each pass; eager variables would keep what the pass before left)")


def initialises_locals(s: Rewrite, node) -> bool:
    """Does running ``node`` initialise the local variables (``tf.local_variables_initializer()``, a group of
    it, a name bound to one)?"""
    return bool(queries.calls_of(node, s.call_name, _LOCAL_INITIALIZERS, first=True)) or bool(
        queries.names_in(node) & s.local_initializers)


_LOCAL_INITIALIZERS = {"local_variables_initializer", "initialize_local_variables",
                       "initializers.local_variables"}


def check_reinitialised(s: Rewrite) -> None:
    """Something runs while variables initialised again were not restored."""
    if s.reinitialised is not None:
        raise Unsupported(s.reinitialised, REINITIALISED)


def note_runs(s: Rewrite, fetched) -> None:
    """Remember whether running ``fetched`` may change a variable (a train op or an assign)."""
    check_reinitialised(s)

    def changes(name: str) -> bool:
        tensor = s.b.get(name, B.TENSOR)
        return s.b.is_(name, B.TRAIN_OP) or (tensor is not None and tensor.update is not None)

    if queries.names_in(fetched) & s.metric_updates:
        s.metrics_updated = True
    if any(changes(name) for name in queries.names_in(fetched)) or queries.assigns(fetched):
        s.runs_changed_variables = True
        s.variable_changes += 1


def check_function_reinitialises(s: Rewrite, func: cst.FunctionDef, changes_before: int) -> None:
    """A function that initialises the variables in its session and then changes them, called more than once
    (``for rate in rates: train(rate)``): TF1 started the variables over at each call, eager variables would
    keep what the last call left."""
    init = s.function_inits.pop(func.name.value, None)
    if init is None or s.variable_changes == changes_before:
        return
    name = func.name.value
    calls = queries.find(s.module, cst.Call, lambda c: (isinstance(c.func, cst.Name) and c.func.value == name) or (
        isinstance(c.func, cst.Attribute) and c.func.attr.value == name))  # (a method of a model class, too)
    repeated = {id(c) for loop in queries.find(s.module, (cst.For, cst.While, cst.ListComp, cst.GeneratorExp))
                for c in queries.find(loop, cst.Call)}
    if len(calls) > 1 or any(id(c) in repeated for c in calls):
        raise Unsupported(init, f"{name} initialises the variables in a session of its own, runs what changes "
                                "them, and is called more than once (TF1 started them over at each call; eager "
                                "variables would keep their values)")


def runs_after(s: Rewrite, call: cst.Call) -> bool:
    """Does the program run or evaluate anything written after ``call``, or in a function it may
    call after it? (Yes when ``call`` is not one of its own runs.)"""
    scope = s.run_scope if s.run_scope is not None else s.module

    def is_run(c: cst.Call) -> bool:
        return queries.is_method_call(c, (*_vocab.RUNS, "evaluate"))

    runs = queries.find(scope, cst.Call, is_run)
    at = next((n for n, c in enumerate(runs) if c is call), None)
    if at is None or at + 1 < len(runs):
        return True
    functions = queries.find(scope, cst.FunctionDef, lambda f: f is not scope)
    return any(queries.holds(f, cst.Call, is_run) and not queries.holds(f, cst.Call, lambda c: c is call)
               for f in functions)
