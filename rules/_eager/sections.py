"""A script in sections: ``tf.reset_default_graph()`` between two graph programs.

    x_data = tf.placeholder(shape=[1], dtype=tf.float32)
    A = tf.Variable(tf.random_normal(shape=[1]))
    ...                                   # a regression, trained and printed
    ops.reset_default_graph()
    sess = tf.Session()
    x_data = tf.placeholder(shape=[1], dtype=tf.float32)
    A = tf.Variable(tf.random_normal(mean=10, shape=[1]))
    ...                                   # a classification, trained and printed

After the reset TF1 could not use a tensor, variable or session of the earlier graph with
the new one: each section is a program of its own, and is rewritten as one, in order. The
eager rewrite binds the names again where the section does (its functions, variables and
optimizers replace the earlier section's, which ran before them).

A section may read plain Python values of the earlier ones (data, numbers, the imports); a
name it reads before binding it that an earlier section bound with TensorFlow code or from
such names (``double = x * 2.0`` of a placeholder ``x``), or to a function or a class (which
may build graph code), keeps the script one program, as it was before.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, FrozenSet, List, Optional, Sequence, Set

import libcst as cst

from . import queries

if TYPE_CHECKING:
    from .program import Program


def split(program: Program) -> Optional[List[List[cst.BaseStatement]]]:
    """The module's statements in sections, each after the first starting at a
    ``reset_default_graph()`` that follows graph code; None for a module of one section, or
    one whose later sections read what an earlier one built."""
    sections: List[List[cst.BaseStatement]] = [[]]
    for stmt in program.module.body:
        if _resets(program, stmt) and any(_graph_code(program, earlier) for earlier in sections[-1]):
            sections.append([])
        sections[-1].append(stmt)
    if len(sections) == 1:
        return None
    built: Set[str] = set()  # names an earlier section bound to graph code, a function or a class
    for index in range(1, len(sections)):
        for stmt in sections[index - 1]:  # (`double = x * 2.0` builds graph code from a placeholder)
            if _builds(program, stmt) or queries.mentions(stmt, built):
                built |= queries.bound_names(stmt)
        bound: Set[str] = set()
        for stmt in sections[index]:
            if (_reads(stmt) - bound) & built:
                return None
            bound |= queries.bound_names(stmt)
    return sections


def _reads(stmt: cst.BaseStatement) -> Set[str]:
    """The names a statement reads (``double = x + double`` reads ``double``; a compound statement:
    the names it uses that it does not bind)."""
    if not isinstance(stmt, cst.SimpleStatementLine):
        return queries.names_in(stmt) - queries.bound_names(stmt)
    read: Set[str] = set()
    for small in stmt.body:
        if isinstance(small, (cst.Assign, cst.AnnAssign)):
            targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
            read |= queries.names_in(small.value) if small.value is not None else set()
            read |= {name for target in targets if not isinstance(target, (cst.Name, cst.Tuple, cst.List))
                     for name in queries.names_in(target)}  # `a[i] = ...` reads `a`
        else:
            read |= queries.names_in(small)
    return read


RESETS = ("reset_default_graph", "compat.v1.reset_default_graph")
SEEDS = ("set_random_seed", "compat.v1.set_random_seed", "random.set_random_seed", "random.set_seed")


def _resets(program: Program, stmt: cst.BaseStatement) -> bool:
    """``tf.reset_default_graph()``, or a call of a reset helper (``reset_graph()``)."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return False
    small = stmt.body[0]
    return isinstance(small, cst.Expr) and (program.call_name(small.value) in RESETS or (
        isinstance(small.value, cst.Call) and isinstance(small.value.func, cst.Name)
        and small.value.func.value in program.reset_helpers))


def reset_helpers(module: cst.Module, call_name) -> FrozenSet[str]:
    """Module-level functions that only reset the graph and seed the random generators (the
    ``reset_graph(seed=42)`` of Hands-On Machine Learning's notebooks): ``tf.reset_default_graph()``,
    TensorFlow's ``set_random_seed`` and ``np.random.seed`` / ``random.seed`` calls, a docstring."""
    found = set()
    for stmt in module.body:
        if not isinstance(stmt, cst.FunctionDef) or stmt.decorators or not isinstance(stmt.body, cst.IndentedBlock):
            continue
        calls = []
        for line in stmt.body.body:
            smalls = line.body if isinstance(line, cst.SimpleStatementLine) else [None]
            for small in smalls:
                if isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString)):
                    continue  # its docstring
                calls.append(small.value if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call) else None)
        names = [call_name(c) if c is not None else None for c in calls]
        seeds = [n in RESETS + SEEDS or (c is not None and n is None and queries.dotted(c.func) in (
            "np.random.seed", "numpy.random.seed", "random.seed")) for c, n in zip(calls, names)]
        if any(n in RESETS for n in names) and all(seeds):
            found.add(stmt.name.value)
    return frozenset(found)


def without_resets(call_name, func: cst.FunctionDef) -> cst.FunctionDef:
    """A reset helper in eager code: it seeds the generators (there is no graph to reset)."""
    body = [line for line in func.body.body if not (
        isinstance(line, cst.SimpleStatementLine) and isinstance(line.body[0], cst.Expr)
        and call_name(line.body[0].value) in RESETS)]
    if all(isinstance(line, cst.SimpleStatementLine) and isinstance(line.body[0], cst.Expr) and isinstance(
            line.body[0].value, (cst.SimpleString, cst.ConcatenatedString)) for line in body):
        body.append(cst.SimpleStatementLine([cst.Pass()]))
    return func.with_changes(body=func.body.with_changes(body=body))


def _graph_code(program: Program, stmt: cst.BaseStatement) -> bool:
    """A statement of the program's graph: it uses TensorFlow (imports and resets aside)."""
    if isinstance(stmt, cst.SimpleStatementLine) and all(
            isinstance(small, (cst.Import, cst.ImportFrom)) for small in stmt.body):
        return False
    return not _resets(program, stmt) and queries.mentions(stmt, set(program.tf_locals))


def _builds(program: Program, stmt: cst.BaseStatement) -> bool:
    """Does the statement bind a name to something a later graph must not share?"""
    if isinstance(stmt, cst.FunctionDef) and stmt.name.value in program.reset_helpers:
        return False  # it builds nothing: each section calls it
    if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
        return True
    return _graph_code(program, stmt)


def joined(module: cst.Module, parts: Sequence[cst.Module]) -> cst.Module:
    """The module whose sections were rewritten as ``parts`` (the first keeps the header)."""
    body = []
    for part in parts:
        first = part.body[0] if part.body else None
        if body and isinstance(first, (cst.FunctionDef, cst.ClassDef)) and not first.leading_lines:
            first = first.with_changes(leading_lines=[cst.EmptyLine()])  # as the rewrite spaces its functions
        body += ([first] if first is not None else []) + list(part.body[1:])
    return module.with_changes(header=parts[0].header, body=body, footer=parts[-1].footer)
