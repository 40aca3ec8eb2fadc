"""Stage 2, interpret: read the program block by block, as TF1 builds its graph, and plan
what each statement becomes.

This is the only stage that decides a construct is not supported (it raises
:class:`Unsupported` with the reason). Block statements are walked here; what a
simple statement becomes is decided by the handler of its TF1 concept
(``statements.py`` routes it). The result is a plan (``plan.py``) for ``emit``.
"""
from __future__ import annotations

from typing import Sequence

import libcst as cst

from tfmigrate.names import function_locals

from .. import _vocab
from . import bindings as B
from . import (batch_norm, factories, fetches, free_tensors, graph_loops, instances, method_programs, model_class,
               model_lift, module_code, modules, passed, pipelines, placeholder_builders, queries, rebinding, rnn_cells,
               run_once, scope_reasons, sections, session_class, sessions, statements, tensors, testcases,
               train_builders, training, variable_names)
from .plan import Block, Compound, Inline, Keep, Line, Step
from .state import Rewrite, Unsupported


def plan(s: Rewrite) -> Block:
    """The plan of the whole module."""
    if s.p.leftover is not None:
        raise Unsupported(*s.p.leftover)
    steps = block(s, s.module.body, in_loop=False, top=True)
    sessions.check_reinitialised(s)
    if s.kept_div is not None:  # in code the rewrite kept as it was
        raise Unsupported(s.kept_div, "tf.div where the rewrite cannot see the dtype it divides")
    return steps


def block(s: Rewrite, statements_: Sequence[cst.BaseStatement], in_loop: bool, top: bool = False) -> Block:
    statements_ = list(statements_)  # free_tensors passes arguments in the calls still to be read
    steps: Block = []
    deferred = {}  # a function that reads names bound further down: its name -> its place in steps
    last_bound = None  # name -> where the module last binds it, read at the first function that needs it
    for position, stmt in enumerate(statements_):
        if id(stmt) in s.replaced:  # code that runs a model class's graph, rewritten with the class
            steps += [Step(new, Keep(new)) for new in s.replaced.pop(id(stmt))]  # (model_class.finish)
            continue
        if deferred:
            for name in [n for n in deferred if _calls(stmt, n)]:
                index = deferred.pop(name)
                steps[index] = _deferred(s, steps[index])
        if top and isinstance(stmt, cst.FunctionDef):
            if last_bound is None:
                last_bound = _last_bound(statements_)
            if _reads_later(s, stmt, position, last_bound):
                deferred[stmt.name.value] = len(steps)
                steps.append(stmt)
                continue
        s.following.append((statements_, position + 1))
        previous = steps[-1] if position and steps else None  # (a deferred function is no Step yet)
        before = isinstance(previous, Step) and previous.stmt is statements_[position - 1]
        s.previous_step = previous if before else None
        try:
            steps.append(_step(s, stmt, in_loop))
        finally:
            s.following.pop()
        if s.absorbed:  # a loop that builds a tensor from the value the statement before it made
            steps[-2], s.absorbed = graph_loops.absorbed(steps[-2]), False
    for index in deferred.values():
        steps[index] = _deferred(s, steps[index])
    return steps


def _step(s: Rewrite, stmt: cst.BaseStatement, in_loop: bool) -> Step:
    outer, s.pending = s.pending, []
    try:
        branching = isinstance(stmt, (cst.For, cst.While, cst.If, cst.Try))
        bound = queries.bound_names(stmt) if branching or isinstance(stmt, cst.SimpleStatementLine) else set()
        if not isinstance(stmt, (cst.If, cst.Try)):
            # Rebound here (an assignment records it again), or by a later iteration of a loop.
            for name in bound:
                s.b.forget_dtype(name)
        rebinding.rebinds_what_functions_read(s, stmt, in_loop)
        result = statement(s, stmt, in_loop)
        if branching:
            for name in bound:  # bound in a branch or a loop: not known after it
                s.b.forget_dtype(name)
        return Step(stmt, result, s.pending)
    except Unsupported as problem:
        if problem.statement is None:  # the innermost statement names the place
            problem.statement = stmt
        raise
    finally:
        s.pending = outer


def _last_bound(statements_: Sequence[cst.BaseStatement]):
    """Name -> the position of the last module-level statement that binds it (one walk of each)."""
    last = {}
    for position, stmt in enumerate(statements_):
        if isinstance(stmt, cst.SimpleStatementLine) and all(isinstance(small, (cst.Import, cst.ImportFrom))
                                                              for small in stmt.body):
            continue  # a module imported (again) below: not a value the program computes there
        for name in queries.bound_names(stmt):
            last[name] = position
    return last


def _reads_later(s: Rewrite, stmt, position: int, last_bound) -> bool:
    """A module-level function (``def compute_accuracy(v_xs, v_ys): ... sess.run(prediction, ...)``)
    that reads names the module binds only further down: it is read where it is first called (or at
    the end), when those names are what it will find, and stays in its place."""
    if stmt.decorators or not isinstance(stmt.body, cst.IndentedBlock):
        return False
    free = queries.names_in(stmt.body) - function_locals(stmt)
    free -= {n for comp in queries.find(stmt.body, cst.CompFor) for n in queries.names_in(comp.target)}
    return any(s.b.kind(name) is None and last_bound.get(name, -1) > position for name in free)


def _calls(stmt, name: str) -> bool:
    return queries.holds(stmt, cst.Call, lambda c: isinstance(c.func, cst.Name) and c.func.value == name)


def _deferred(s: Rewrite, func: cst.FunctionDef) -> Step:
    step = _step(s, func, in_loop=False)
    if step.hoisted:
        raise Unsupported(func, f"{func.name.value} reads names bound further down and builds Keras layers")
    return step


def statement(s: Rewrite, stmt: cst.BaseStatement, in_loop: bool):
    compiled = training.compiled(s, stmt)  # a Keras model compiled with a tf.train optimizer
    if compiled is not None:
        return Line(stmt, [compiled])
    if isinstance(stmt, cst.SimpleStatementLine):
        return Line(stmt, [statements.small(s, small, stmt, in_loop) for small in stmt.body])
    if isinstance(stmt, cst.FunctionDef):
        stmt = free_tensors.as_parameters(s, stmt)  # `def model(): ... x ...` read as `def model(x)`
        # what the program's function reads when called: a function of the rewrite calling it reads that then
        s.reads(stmt.name.value, queries.names_in(stmt.body) - function_locals(stmt))
        s.user_functions.add(stmt.name.value)
        rebinding.adds_to_globals(s, stmt)
    trains = train_builders.read(s, stmt) if isinstance(stmt, cst.FunctionDef) else None
    if trains is not None:
        s.train_builders[stmt.name.value] = trains
        return Inline(stmt, [])  # its statements are read where it is called
    if isinstance(stmt, cst.FunctionDef) and stmt.name.value in s.p.models:
        return Keep(module_code.class_def(s, modules.build_of(s, stmt.name.value)))  # a tf.Module class
    if isinstance(stmt, cst.FunctionDef) and stmt.name.value in s.p.models.library:
        raise Unsupported(stmt.name, scope_reasons.library_reason(stmt.name.value))
    if isinstance(stmt, cst.FunctionDef) and factories.is_factory(s, stmt):
        return Keep(factories.rewritten(s, stmt))  # `return tf.Variable(...)` at each call
    if testcases.is_test_case(s, stmt):
        return testcases.test_case(s, stmt, block)  # each test method read as a program of its own
    builder = placeholder_builders.read(s, stmt) if isinstance(stmt, cst.FunctionDef) else None
    if builder is not None:
        s.placeholder_builders[stmt.name.value] = builder
        return Inline(stmt, [])  # its call defines the placeholders it returns
    if isinstance(stmt, cst.FunctionDef) and rnn_cells.factory(s, stmt) is not None:
        s.b.rebind(stmt.name.value)  # its calls are read as the cell it returns, built as a Keras cell
        s.b.bind(stmt.name.value, B.CELL_FACTORY, rnn_cells.factory(s, stmt))
        calls = {id(c.func) for c in queries.find(s.module, cst.Call, lambda c: not c.args)}
        rnn_cells.release(s, stmt.name.value, lambda n: n is stmt.name or id(n) in calls)
        return Inline(stmt, [])
    if isinstance(stmt, cst.FunctionDef) and stmt.name.value in s.p.reset_helpers:
        return Keep(sections.without_resets(s.p.call_name, stmt))  # `reset_graph()` seeds the generators again
    if not s.mentions_graph(stmt) and not testcases.reads(s, stmt):
        return _kept(s, stmt)  # a block that uses neither TensorFlow nor the graph: left as it is
    if isinstance(stmt, cst.With):
        return with_statement(s, stmt, in_loop)
    if isinstance(stmt, cst.For) and not in_loop:
        built = graph_loops.read(s, stmt, s.previous_step)  # (sets s.absorbed where it takes the statement before)
        if built is not None:
            return built
    if isinstance(stmt, (cst.For, cst.While)):
        if isinstance(stmt, cst.For):
            for name in queries.names_in(stmt.target):
                if s.b.is_(name, B.PLACEHOLDER):
                    s.b.rebind(name)  # `for i, x in enumerate(x_test)`: a value now (a placeholder is no global)
        changes, metrics = s.variable_changes, s.metrics_updated
        s.loop_inits.append(None)
        try:
            body = block(s, stmt.body.body, in_loop=True)
        finally:
            init = s.loop_inits.pop()
        sessions.check_loop_reinitialises(s, init, changes, metrics)
        orelse = block(s, stmt.orelse.body.body, in_loop) if stmt.orelse is not None else None
        if isinstance(stmt, cst.For):
            header = stmt.with_changes(iter=fetches.rewrite(s, stmt.iter))
        else:
            header = stmt.with_changes(test=fetches.rewrite(s, stmt.test))
        return Compound(header, body, orelse)
    if isinstance(stmt, cst.If):
        return if_statement(s, stmt, in_loop)
    if isinstance(stmt, cst.FunctionDef):
        stmt = _reading_globals(s, stmt)
        if computes_only(s, stmt):
            # TensorFlow ops on its arguments and variables run eagerly as written
            return _kept(s, _naming_scopes(s, stmt))
        if not isinstance(stmt.body, cst.IndentedBlock):  # `def f1(): return tf.multiply(x, 17.)`: read as a block
            stmt = stmt.with_changes(body=cst.IndentedBlock([cst.SimpleStatementLine(stmt.body.body)]))
        local = function_locals(stmt)
        given = passed.graph_parameters(s, stmt)  # `plot_conv_weights(weights=W_conv1)`: a variable
        given.update((p, (B.DATASET, None)) for p in passed.dataset_parameters(s, stmt) if p not in given)
        with s.b.masked(local):
            for param, (kind, payload) in given.items():
                s.b.bind(param, kind, payload)
            s.function_stack.append(stmt.name.value)
            s.scopes.append((id(stmt), local))
            changes = s.variable_changes
            try:
                result = Compound(stmt, block(s, stmt.body.body, in_loop=False))
            finally:
                s.function_stack.pop()
                s.scopes.pop()
                for param in given:
                    s.b.rebind(param)
            sessions.check_function_reinitialises(s, stmt, changes)
            return result
    if isinstance(stmt, cst.ClassDef):
        shared = queries.names_in(stmt) & (s.b.graph_names() | (s.p.models.names() - s.p.models.in_classes))
        if shared:
            raise Unsupported(stmt, f"class {stmt.name.value} holds TensorFlow graph objects or a session (it reads "
                                    f"{', '.join(sorted(shared)[:3])} of the program's graph)")
        if _builds_graph(s, stmt):
            # a session running a graph without state, or a model class: eager methods
            eager = session_class.rewrite(s, stmt) or model_class.rewrite(s, stmt)
            if eager is stmt:
                return Keep(stmt)  # a model class, rewritten once the rest of the file is read (model_class.finish)
            if eager is None and model_lift.eager_already(s, stmt):
                return _kept(s, stmt)  # variables and eager methods (a model class this rewrite made)
            if eager is None and method_programs.applies(s, stmt):
                return Compound(stmt, block(s, stmt.body.body, in_loop=False))  # each method runs its own session
            if eager is None:
                raise Unsupported(stmt, model_class.refusal(s, stmt))
            return _kept(s, eager)
        return _kept(s, stmt)
    if isinstance(stmt, cst.Try):
        return try_statement(s, stmt, in_loop)
    return Keep(statements.plain(s, stmt))


def _reading_globals(s: Rewrite, func: cst.FunctionDef) -> cst.FunctionDef:
    """``global prediction`` in a function that only reads the graph tensor ``prediction``: Python
    reads a global without it, and the tensor becomes a function; the name goes from the statement
    (and the statement, when it names nothing else)."""
    if not isinstance(func.body, cst.IndentedBlock):
        return func
    graph = s.b.graph_names()
    bound = queries.bound_names(func.body)
    body, changed = [], False
    for stmt in func.body.body:
        if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Global):
            names = stmt.body[0].names
            kept = [n for n in names if not (n.name.value in graph and n.name.value not in bound)]
            if len(kept) < len(names):
                changed = True
                if not kept:
                    continue
                kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                stmt = stmt.with_changes(body=[stmt.body[0].with_changes(names=kept)])
        body.append(stmt)
    if not changed:
        return func
    if not body:
        body = [cst.SimpleStatementLine([cst.Pass()])]
    return func.with_changes(body=func.body.with_changes(body=body))


class _NamingScopes(cst.CSTTransformer):
    def __init__(self, s: Rewrite) -> None:
        self.s = s

    def leave_WithItem(self, original: cst.WithItem, updated: cst.WithItem) -> cst.WithItem:
        return _as_name_scope(self.s, original)  # (a with item holds no other with item)


def _as_name_scope(s: Rewrite, item: cst.WithItem) -> cst.WithItem:
    """``tf.variable_scope(name)`` that only names what is made inside: ``tf.name_scope(name)``."""
    if not s.p.naming_scope(item):
        return item
    return item.with_changes(item=s.expr(f"{s.tf}.name_scope({s.code(item.item.args[0].value)})"), asname=None)


def _naming_scopes(s: Rewrite, func: cst.FunctionDef) -> cst.FunctionDef:
    """``with tf.variable_scope("Flatten_layer"):`` in a function that makes no variables only
    names its ops: ``tf.name_scope``. Not when the scope's body calls anything but TensorFlow ops,
    methods of the function's values and builtins (``program.makes_nothing``)."""
    scoped = queries.find(func, cst.With, lambda w: any(s.p.naming_scope(i) for i in w.items))
    if not scoped or not all(id(i) in s.p.makes_nothing for w in scoped for i in w.items if s.p.naming_scope(i)):
        return func
    return func.visit(_NamingScopes(s))


def _kept(s: Rewrite, stmt) -> Keep:
    stmt = tensors.evident_divisions(s, stmt)
    s.keep(stmt)
    return Keep(stmt)


def computes_only(s: Rewrite, func: cst.FunctionDef) -> bool:
    """Does ``func`` only compute with TensorFlow ops (a model function such as
    ``def neural_net(x): ...``), so that calling it on eager tensors gives what
    its graph gave? Not if it makes placeholders, sessions, variables, layers
    or optimizers, runs or feeds anything, calls a function that makes
    variables, binds globals, or reads a graph tensor that becomes a function."""
    if queries.calls_of(func, s.call_name, _vocab.STATE_MAKERS, first=True) or s.has_fetch(func):
        return False
    free = queries.names_in(func) - function_locals(func)
    if free & (s.b.graph_names() | s.p.factories):
        return False
    return not queries.mentions(func, set()) and not queries.binds_globals(func)  # a feed_dict anywhere


_GRAPH_BUILDERS = _vocab.PLACEHOLDERS | _vocab.SESSIONS | _vocab.VARIABLES | set(_vocab.OPTIMIZERS)


def _builds_graph(s: Rewrite, node: cst.CSTNode) -> bool:
    return bool(queries.calls_of(node, s.call_name, _GRAPH_BUILDERS, first=True))


def if_statement(s: Rewrite, stmt: cst.If, in_loop: bool) -> Compound:
    """An ``if`` / ``elif`` / ``else`` chain. Each branch is read from the graph as it was before the
    ``if`` (TF1 built only the branch that ran). A tensor or train op a branch binds and later code reads
    gets one function name whichever branch ran: a branch that left another function (or the one from
    before the ``if``) names it so at its end (``else: y_2 = y``)."""
    chain = [stmt]
    while isinstance(chain[-1].orelse, cst.If):
        chain.append(chain[-1].orelse)
    before, inputs = rebinding.graph_bindings(s), rebinding.inputs(s)
    plans, finals = [], []  # per branch: its plan; what it bound
    for branch in chain:
        plans.append((branch.with_changes(test=fetches.rewrite(s, branch.test)), block(s, branch.body.body, in_loop)))
        finals.append(rebinding.restored(s, before, inputs))
    last = chain[-1].orelse
    orelse = block(s, last.body.body, in_loop) if last is not None else None
    finals.append(rebinding.restored(s, before, inputs))
    # `if int(tf.__version__.split('.')[1]) < 12: init = ... else: init = ...`: a test that only reads,
    # whose branches all go, goes too
    result = None
    for index in reversed(range(len(chain))):
        header, body = plans[index]
        pure = rebinding.reads_only(chain[index].test)
        if result is None and last is not None:
            # `else: sess.run(init)`: nothing left to do, and the else goes.
            result = Compound(header, body, orelse, drop_empty_else=True, drop_empty=pure)
        else:
            result = Compound(header, body, result, drop_empty=pure)
    compounds = [result]
    while isinstance(compounds[-1].orelse, Compound):
        compounds.append(compounds[-1].orelse)
    rebinding.join(s, stmt, before, inputs, finals, compounds, last is not None)
    return result


def try_statement(s: Rewrite, stmt: cst.Try, in_loop: bool) -> Compound:
    guard = pipelines.enter_try(s, stmt) if s.input_pipeline is not None else None
    body = block(s, stmt.body.body, in_loop)
    stmt = pipelines.leave_try(s, guard, stmt)
    handlers = [block(s, h.body.body, in_loop) for h in stmt.handlers]
    orelse = block(s, stmt.orelse.body.body, in_loop) if stmt.orelse else None
    final = block(s, stmt.finalbody.body.body, in_loop) if stmt.finalbody else None
    return Compound(stmt, body, orelse, handlers=handlers, finalbody=final)


_GRAPH_SCOPES = ("variable_scope", "get_default_graph", "control_dependencies")


def with_statement(s: Rewrite, stmt: cst.With, in_loop: bool):
    """``with tf.Session() as sess:`` runs its body eagerly in the statement's place; other
    `with` statements keep their items, with runs in them computed eagerly."""
    if instances.owns(s, stmt):
        return instances.scope_statement(s, stmt, in_loop, block)
    held = batch_norm.dependencies(s, stmt.items[0]) if len(stmt.items) == 1 else None
    if held is not None:
        # `with tf.control_dependencies(update_ops):` of batch normalization: its body, in place
        outer, s.batch_norm.under_updates = s.batch_norm.under_updates, held
        body = block(s, stmt.body.body, in_loop)
        s.batch_norm.under_updates = outer
        return Inline(stmt, body)
    deps = run_once.dependencies(s, stmt)
    if deps is not None:  # `with tf.control_dependencies([inc]):`: each tensor made in it runs inc first
        return run_once.with_dependencies(s, stmt, deps, lambda: block(s, stmt.body.body, in_loop))
    naming = [item.item for item in stmt.items if s.p.naming_scope(item)]
    if naming:
        # `with tf.variable_scope("layer1"):` without reuse only names what is made inside.
        stmt = stmt.with_changes(items=[_as_name_scope(s, item) for item in stmt.items])
    for item in stmt.items:
        if s.call_name(item.item) in _GRAPH_SCOPES:
            raise Unsupported(item, f"`with tf.{s.call_name(item.item)}(...)` (graph scopes)")
        if s.call_name(item.item) == "device" and "/job:" in s.code(item.item):
            raise Unsupported(item, "a device of a cluster's job (eager code reaches it only once connected to the "
                                    "cluster: tf.config.experimental_connect_to_cluster)")
    session_items = [item for item in stmt.items if sessions.is_session_item(s, item)]
    if not session_items:
        for call in naming:
            variable_names.enter(s, call)
        body = block(s, stmt.body.body, in_loop)
        for _ in naming:
            variable_names.leave(s)
        items = [item.with_changes(item=fetches.rewrite(s, item.item)) for item in stmt.items]
        names_only = all(s.call_name(item.item) == "name_scope" and item.asname is None for item in items)
        return Compound(stmt.with_changes(items=items), body, drop_empty=names_only)
    sessions.enter(s, session_items)
    body = block(s, stmt.body.body, in_loop)
    sessions.leave(s, session_items)
    others = [item for item in stmt.items if item not in session_items]
    if others:
        # `with open(f) as f, tf.Session() as sess:` keeps the other context managers.
        others[-1] = others[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        items = [item.with_changes(item=fetches.rewrite(s, item.item)) for item in others]
        return Compound(stmt.with_changes(items=items), body)
    return Inline(stmt, body)
