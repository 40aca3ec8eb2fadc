"""Names the rewrite's functions read when they are called, where TF1 read them when it built the graph.

A tensor becomes a function that reads the program's names at each call: the branch of an ``if`` that ran,
a name bound again after the graph was built, a list a graph-building function added to. Each check here
keeps such a program on compat with its reason, or (the branches of an ``if`` binding a tensor alike) names
the function alike on every path:

- ``if`` / ``elif`` / ``else``: each branch is read from the graph as it was before the ``if``; a tensor
  a branch binds and later code reads gets one function name after it (``joined``);
- a variable, Python number, NumPy array (changed in place) or function the functions read, bound again
  while they are still called (``rebinds_what_functions_read``);
- a graph-building function that appends TensorFlow values to a list of the program (``adds_to_globals``).
"""
from __future__ import annotations

from typing import Set

import libcst as cst

from tfmigrate.names import function_locals

from . import bindings as B
from . import queries
from .plan import Keep, Step
from .state import Rewrite, Unsupported


def rebinds_what_functions_read(s: Rewrite, stmt: cst.BaseStatement, in_loop: bool) -> None:
    """A name the rewrite's functions read (a variable, a Python number, a NumPy array changed in place, an
    activation function) bound again while they are still called: TF1 took its value when it built the
    graph; each call of a function reads the name (`scale = 3.0` after `y = x * scale`; an encoder's
    `weights`, then a decoder's; `for reg in (0.0, 0.5)` before training with `reg`)."""
    if not s.read_names:
        return
    for name in sorted(_rebound_names(stmt) & s.read_names):
        kind = s.b.kind(name)
        if kind in B.GRAPH_KINDS:
            continue  # a tensor bound again is a function of another name
        if kind in B.VARIABLE_KINDS and isinstance(stmt, cst.SimpleStatementLine) and _fetches_itself(stmt, name):
            continue  # `W = sess.run(W)`: read as a fetch into its own name (fetches.py)
        readers = s.readers(name)
        inside = [stmt.body] if isinstance(stmt, (cst.For, cst.With)) else []  # `for reg in (...): run(y)`
        if readers and (in_loop or any(queries.mentions(after, readers, feeds=False) for after in inside) or any(
                _called(statements_[start:], readers) for statements_, start in s.following)):
            what = "variable " if kind in B.VARIABLE_KINDS else ""
            raise Unsupported(stmt, f"{what}{name} is bound again while functions of the rewrite that read it are "
                                    "still called (each call reads the name: it would find the new value)")


def _called(statements, readers: Set[str]) -> bool:
    """Does a statement of a block call one of ``readers`` (by name, or through a function or structure of the
    rewrite that reads them: ``readers`` has those too) before the block binds that name to something else
    (``out = tf.equal(x, y)`` after ``out = tf.cond(...)``: the old function is no longer reachable)?"""
    live = set(readers)
    for stmt in statements:
        plain = isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(
            stmt.body[0], cst.Assign) and all(isinstance(t.target, cst.Name) for t in stmt.body[0].targets)
        if queries.mentions(stmt.body[0].value if plain else stmt, live, feeds=False):
            return True
        if plain:
            live -= {t.target.value for t in stmt.body[0].targets}
            if not live:
                return False
    return False


def calls_reading_variables(s: Rewrite, node: cst.CSTNode) -> Set[str]:
    """The program's own functions ``node`` calls that read variables when called (directly or through another
    of its functions): what they compute changes between runs, as a tensor's value does (Udacity's
    ``valid_prediction = tf.nn.softmax(forward(tf_valid_dataset))``, ``forward`` reading the weights)."""
    pending = [c.func.value for c in queries.find(node, cst.Call, lambda c: type(c.func) is cst.Name
                                                  and c.func.value in s.user_functions)]
    watched = s.b.names(B.VARIABLE, B.CONTAINER) if pending else set()  # (a tensor's name may be a lambda's)
    found: Set[str] = set()
    seen: Set[str] = set()
    while pending:
        func = pending.pop()
        if func in seen:
            continue
        seen.add(func)
        reads = s.function_reads.get(func, set())
        if reads & watched:
            found.add(func)
        pending.extend(reads & s.user_functions)
    return found


def _fetches_itself(stmt: cst.SimpleStatementLine, name: str) -> bool:
    return any(isinstance(small, cst.Assign) and name in queries.names_in(small.value) for small in stmt.body)


def _rebound_names(stmt: cst.BaseStatement) -> set:
    """Names a statement binds or changes in place (``a[0] = 1``), not in its nested blocks."""
    if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
        return {stmt.name.value}
    if isinstance(stmt, cst.For):
        return queries.names_in(stmt.target)
    if isinstance(stmt, cst.With):
        return set().union(*(queries.names_in(i.asname.name) for i in stmt.items if i.asname is not None))
    if not isinstance(stmt, cst.SimpleStatementLine):
        return set()
    targets = []
    for small in stmt.body:
        if isinstance(small, cst.Assign):
            targets += [t.target for t in small.targets]
        elif isinstance(small, (cst.AugAssign, cst.AnnAssign)):
            targets.append(small.target)
    names = set()
    for target in targets:
        while isinstance(target, cst.Subscript):
            target = target.value
        if not isinstance(target, cst.Attribute):
            names |= queries.names_in(target) if not isinstance(target, cst.Name) else {target.value}
    return names


_ADDING = ("append", "extend", "insert")


def adds_to_globals(s: Rewrite, func: cst.FunctionDef) -> None:
    """``regs.append(tf.reduce_sum(W))`` in a function that builds the graph: TF1 added the tensor once, when
    the function was called to build it; the rewrite calls (or traces) the function at each run."""
    adding = queries.find(func.body, cst.Call, lambda c: queries.is_method_call(c, _ADDING))
    if not adding:
        return
    if s.imported is None:
        s.imported = {name for stmt in queries.find(s.module, (cst.Import, cst.ImportFrom))
                      for name in queries.bound_names(cst.SimpleStatementLine([stmt]))}
    own = function_locals(func) | s.imported
    for call in adding:
        target = call.func.value
        if isinstance(target, cst.Name) and target.value not in own and any(
                s.call_name(c) is not None for c in queries.find(call, cst.Call)):
            raise Unsupported(call, f"{func.name.value} adds TensorFlow values to {target.value}, a collection of the "
                                    "program (TF1 added them once, when it built the graph; the rewrite's functions "
                                    "would add them at each call)")


_OTHER = object()  # a tensor from before the `if` bound by a branch to something else (a Python value)


def restored(s: Rewrite, before, inputs) -> dict:
    """What a branch bound (tensors, train ops), undone: the next branch starts from the graph before the ``if``
    (``inputs``: its placeholders, dataset elements among them)."""
    now = graph_bindings(s)
    bound = {name: now[name][1] if name in now else _OTHER for name in changed(s, before)}
    for name in bound:
        if name in before:
            s.b.bind(name, *before[name])
        elif name in inputs:
            s.b.bind(name, B.PLACEHOLDER, inputs[name])
        else:
            s.b.rebind(name)
    return bound


def inputs(s: Rewrite) -> dict:
    """Each name bound to a placeholder (a dataset element among them): its payload."""
    return {name: b.payload for name, b in s.b.table.items() if b.kind == B.PLACEHOLDER}


def join(s: Rewrite, stmt: cst.If, before, inputs, finals, compounds, has_else: bool) -> None:
    """After the chain, each name a branch bound and later code reads: one function, named alike in each branch.
    A path that leaves a placeholder (``if not reshape: features = tf.reshape(features, ...)``) names
    ``tf.identity`` so, where the branches' function takes that placeholder alone."""
    names = {name for final in finals for name in final}
    later = {name for name in names if any(
        queries.mentions(after, {name}) for statements_, start in s.following for after in statements_[start:])}
    for name in sorted(later):
        old = before[name][1] if name in before else inputs.get(name)
        paths = [final.get(name, old) for final in finals]
        bound = [p for p in paths if p is not None and not isinstance(p, B.Placeholder)]
        # a function a branch wrote: the one from before the `if` is what its new functions call
        canonical = next((p for p in bound if p is not old and p is not _OTHER), bound[0])
        if not all(p is not _OTHER and _same_parameters(canonical, p) for p in bound) or any(
                isinstance(p, B.Placeholder) and getattr(canonical, "params", None) != (p.name,) for p in paths):
            raise Unsupported(stmt, _rebound_in_branch(name))
        s.b.bind(name, before[name][0] if name in before else _kind_of(canonical), canonical)
        s.joined.add(_function_of(canonical))
        for index, payload in enumerate(paths):
            if payload is None or _function_of(payload) == _function_of(canonical):
                continue  # unbound on this path, as in TF1 (a NameError there too), or already that function
            value = f"{s.tf}.identity" if isinstance(payload, B.Placeholder) else _function_of(payload)
            alias = s.stmt(f"{_function_of(canonical)} = {value}\n")
            step = Step(cst.SimpleStatementLine([cst.Pass()]), Keep(alias))
            if index < len(compounds):
                compounds[index].body.append(step)
            elif has_else:
                compounds[-1].orelse.append(step)
            else:
                compounds[-1].orelse = [step]
                compounds[-1].node = compounds[-1].node.with_changes(orelse=cst.Else(cst.IndentedBlock(
                    [cst.SimpleStatementLine([cst.Pass()])])))


def _kind_of(payload) -> str:
    return B.TRAIN_OP if isinstance(payload, B.TrainOp) else B.TENSOR


def _function_of(payload) -> str:
    """The function the rewrite wrote for a tensor or a train op."""
    return getattr(payload, "func", "") or payload.name


def _same_parameters(old, new) -> bool:
    return type(old) is type(new) and old.params == new.params and getattr(old, "kind", None) == getattr(
        new, "kind", None)


_PURE_FUNCTIONS = ("int", "float", "str", "len", "bool")
_PURE_METHODS = ("split", "startswith", "endswith", "strip", "lower", "upper")


def reads_only(test: cst.BaseExpression) -> bool:
    """A test whose calls only convert or compare (``int(tf.__version__.split('.')[1]) < 12``)."""
    return not queries.holds(test, cst.NamedExpr) and all(
        (isinstance(call.func, cst.Name) and call.func.value in _PURE_FUNCTIONS)
        or (isinstance(call.func, cst.Attribute) and call.func.attr.value in _PURE_METHODS)
        for call in queries.find(test, cst.Call))


def graph_bindings(s: Rewrite):
    """Each name bound to a graph object the rewrite makes a function of (a tensor, a train op): (its kind,
    its payload)."""
    return {name: (b.kind, b.payload) for name, b in s.b.table.items() if b.kind in (B.TENSOR, B.TRAIN_OP)}


def changed(s: Rewrite, before) -> set:
    """Names bound to another graph object than ``before`` (or to one for the first time), or to no graph
    object any more."""
    now = graph_bindings(s)
    return {name for name, (kind, payload) in now.items() if name not in before or before[name][0] != kind
            or before[name][1] is not payload} | (before.keys() - now.keys())


def _rebound_in_branch(name: str) -> str:
    return (f"{name} of the graph is bound in a branch of an `if` and read after it, where the other branch "
            "leaves another (TF1 built the branch that ran; the functions the rewrite writes would not follow "
            "which one ran)")
