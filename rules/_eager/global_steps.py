"""TF1's global step, made where the program makes it: ``tf.train.get_or_create_global_step()``.

TF1 kept the step in a graph collection: ``get_or_create_global_step()`` made an int64 variable
named ``global_step`` (not trainable) the first time and returned it after. Where a program makes
it once, by one assignment at module level, in a test method (whose graph was its own) or in a function
that builds the program's graph and runs it in a session (``main()``, named once more at most: by its
call), `with` blocks included, that call is the variable it made: ``tf.Variable(0, dtype=tf.int64,
trainable=False, name="global_step")``, which the rest of the rewrite reads as any other variable
(a train op that counts it adds one to it). A program that looks the step up again
(``get_global_step()``) or makes it in any other place keeps the call, and the reason.
"""
from __future__ import annotations

from typing import FrozenSet, List, Optional

import libcst as cst

from .. import _tf
from . import entry_points, queries

MAKERS = frozenset({"train.get_or_create_global_step", "train.create_global_step"})
_LOOKUPS = frozenset({"train.get_global_step", "train.global_step"})


def made_once(module: cst.Module, imports, text: Optional[str]) -> FrozenSet[int]:
    """The ids of the calls that make a global step once, as above (and of their function names)."""
    if text is not None and "global_step" not in text:
        return frozenset()

    def name_of(call: cst.Call) -> str:
        return _tf.relative(imports.qualify(call.func)) or ""

    calls = [c for c in queries.find(module, cst.Call) if name_of(c) in MAKERS | _LOOKUPS]
    if not calls or any(name_of(c) in _LOOKUPS for c in calls):
        return frozenset()
    scopes: List[List[cst.BaseStatement]] = [list(module.body)]
    scopes += [list(func.body.body) for func in entry_points.runs_once(module, name_of)]  # a main() that runs it
    for node in queries.find(module, cst.ClassDef):
        scopes += [list(f.body.body) for f in node.body.body
                   if isinstance(f, cst.FunctionDef) and f.name.value.startswith("test")]
    found = set()
    for body in scopes:
        made = [value for value in map(_assigned, _unwrapped(body))
                if isinstance(value, cst.Call) and name_of(value) in MAKERS and not value.args]
        if len(made) > 1:
            return frozenset()  # the second call returned the first one's variable
        found.update(id(n) for value in made for n in (value, value.func))
    if len(found) != 2 * len(calls):
        return frozenset()  # made elsewhere too (a function called twice shared one step in TF1)
    return frozenset(found)


def variable(tf: str) -> str:
    """The variable TF1 made."""
    return f'{tf}.Variable(0, dtype={tf}.int64, trainable=False, name="global_step")'


def _unwrapped(body) -> List[cst.BaseStatement]:
    """The statements of ``body``, those of its `with` blocks included (run once, in order)."""
    out = []
    for stmt in body:
        if isinstance(stmt, cst.With):
            out += _unwrapped(stmt.body.body)
        else:
            out.append(stmt)
    return out


def _assigned(stmt) -> object:
    if (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign)
            and len(stmt.body[0].targets) == 1 and isinstance(stmt.body[0].targets[0].target, cst.Name)):
        return stmt.body[0].value
    return None
