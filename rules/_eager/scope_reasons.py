"""Why a ``tf.variable_scope`` stays in the rewrite: the reason TFM090 gives names the case (a class's
method, a library function, a function that returns nothing, calls of another module's functions)."""
from __future__ import annotations

import libcst as cst

from . import queries
from .scopes import BUILDERS


def library_reason(name: str) -> str:
    return (f"{name} makes variables and nothing in this file calls it: fix it in one run with the files that call "
            "it, which decide who shares its variables")


def why_left(program, module: cst.Module, node: cst.CSTNode,
             otherwise: str = "tf.variable_scope has no TensorFlow 2 equivalent") -> str:
    """Why a ``tf.variable_scope`` call stays in the rewrite (no model function's class replaces it)."""
    models = program.models
    for stmt in module.body:
        if not queries.holds(stmt, type(node), lambda n: n is node):
            continue
        if isinstance(stmt, cst.ClassDef):
            method = next((f.name.value for f in queries.find(stmt, cst.FunctionDef)
                           if queries.holds(f, type(node), lambda n: n is node)), None)
            where = f"method {stmt.name.value}.{method}" if method else f"class {stmt.name.value}"
            return (f"tf.variable_scope in {where}: the methods of a class that takes no placeholder and runs no "
                    "session are not made tf.Module classes (those of a model class, and module-level functions, are)")
        if not isinstance(stmt, cst.FunctionDef):
            break
        name = stmt.name.value
        if name in models.library and len(queries.find(module, cst.Name, lambda n: n.value == name)) == 1:
            return library_reason(name)  # (a function passed as a value, `Estimator(model_fn)`, is used here)
        if name in models.factories or (not queries.find(stmt, cst.Return, lambda r: r.value is not None, first=True)
                                        and queries.calls_of(stmt, program.call_name, BUILDERS, first=True)):
            return (f"{name} makes variables under tf.variable_scope and returns them, or nothing: only a function "
                    "that returns what it computes becomes a tf.Module class")
        if name in models.elsewhere:
            return (f"{name} makes variables under tf.variable_scope and is called by code that stays as written (a "
                    "function that is no model function, a class that is no model class): only a function the "
                    "module's code or a model class calls becomes a tf.Module class")
        if not queries.calls_of(stmt, program.call_name, BUILDERS, first=True):
            return (f"tf.variable_scope in {name}, around calls of functions this file does not define (their "
                    "variables and sharing are not visible here)")
        break
    return otherwise
