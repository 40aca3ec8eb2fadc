"""The functions of a program that are programs themselves, not model functions (scopes.py).

A TF1 program often builds its graph and runs it in a ``main()`` (started by ``tf.app.run()``, absl's
``app.run(main)`` or under ``if __name__ == "__main__":``), and a test case runs each test method's
graph in a session of its own. The model functions they call are the program's, made where they call
them; such functions are not model functions themselves, also once their sessions are gone (the eager
rewrite of a ``main`` makes variables, and the fix reads its result again).
"""
from __future__ import annotations

from typing import Callable, List, Optional, Set

import libcst as cst

from tfmigrate.positions import code_for

from .. import _vocab
from . import queries


def programs(program, functions, points: Set[str]) -> Set[str]:
    """The functions that are programs, not model functions: those that build a graph and run it in a session,
    and the program's entry points ``points`` (what it does once TF1's session is gone: the eager rewrite of
    such a ``main`` makes variables and is read again)."""
    return {name for name, func in functions.items() if _runs_session(func, program.call_name)} | (
        points & set(functions))


def runs_once(module: cst.Module, call_name: Callable[[cst.Call], Optional[str]]) -> List[cst.FunctionDef]:
    """The module's functions that build a graph and run it in a session of their own (a ``main()``), named
    once more at most (by their one call, or not at all: ``tf.app.run()`` calls ``main``): each runs once."""
    return [func for func in module.body if isinstance(func, cst.FunctionDef) and isinstance(
        func.body, cst.IndentedBlock) and _runs_session(func, call_name) and len(queries.find(
            module, cst.Name, lambda n, name=func.name.value: n.value == name)) <= 2]


def _runs_session(func: cst.FunctionDef, call_name: Callable[[cst.Call], Optional[str]]) -> bool:
    return bool(queries.calls_of(func, call_name, _vocab.SESSIONS, first=True))


def entry_points(program, module: cst.Module) -> Set[str]:
    """``tf.app.run()`` (main), ``tf.app.run(main=train)``, absl's ``app.run(main)`` (as the scaffolding rewrite
    writes it) at module level, and the functions called alone on their line under ``if __name__ == "__main__":``."""
    def app_run(call: cst.Call) -> bool:
        return program.call_name(call) == "app.run" or program.imports.qualify(call.func) == "absl.app.run"

    found = set()
    for stmt in module.body:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            continue
        for run in queries.find(stmt, cst.Call, app_run):
            main = next((a.value for a in run.args if a.keyword is None or a.keyword.value == "main"), None)
            found.add(main.value if isinstance(main, cst.Name) else "main" if main is None else "")
        if isinstance(stmt, cst.If) and _main_test(stmt.test) and isinstance(stmt.body, cst.IndentedBlock):
            found.update(line.body[0].value.func.value for line in stmt.body.body
                         if isinstance(line, cst.SimpleStatementLine) and isinstance(line.body[0], cst.Expr)
                         and isinstance(line.body[0].value, cst.Call) and isinstance(line.body[0].value.func, cst.Name))
    return found


def test_cases(program, module: cst.Module) -> List[cst.ClassDef]:
    """The module's tf.test.TestCase classes: each test method is read as a program of its own."""
    from .. import _testcase

    classes = [stmt for stmt in module.body if isinstance(stmt, cst.ClassDef)]
    if not classes:
        return []
    local = _testcase.local_test_cases(module, program.tf_name, program.imports.qualify)
    return [cls for cls in classes if _testcase.is_test_case(cls, program.tf_name, program.imports.qualify, local)]


def _main_test(test: cst.BaseExpression) -> bool:
    """``__name__ == "__main__"`` (either way round)."""
    if not (isinstance(test, cst.Comparison) and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, cst.Equal)):
        return False
    sides = {code_for(cst.Module([]), side).replace("'", '"') for side in (test.left, test.comparisons[0].comparator)}
    return sides == {"__name__", '"__main__"'}
