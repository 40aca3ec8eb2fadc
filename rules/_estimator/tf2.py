"""The Keras rewrite of an Estimator program as TensorFlow 2 code: its imports and switches."""
from __future__ import annotations

import libcst as cst

from .._eager import queries, sections
from .._eager.statements import import_from, import_statement
from .._vocab import is_noop
from .program import Facts


def as_tf2(f: Facts, module: cst.Module) -> cst.Module:
    """The rewrite as TensorFlow 2 code: ``import tensorflow.compat.v1 as tf`` imports TensorFlow (the
    Keras code written with ``tf`` is TensorFlow 2's), and the calls that switched TensorFlow 2's
    behaviour off go (Keras 3 would run in graph mode), their comments kept; a helper that resets the graph
    only seeds."""
    body, comments = [], []
    helpers = sections.reset_helpers(module, f.call_name)  # `def reset_graph(seed=42)`: it only seeds now
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value in helpers:
            stmt = sections.without_resets(f.call_name, stmt)
        small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 else None
        if isinstance(small, cst.Expr) and is_noop(f.call_name(small.value)):
            comments += [line for line in stmt.leading_lines if line.comment is not None]
            continue
        if isinstance(small, cst.Import):
            stmt = stmt.with_changes(body=[import_statement(small)])
        elif isinstance(small, cst.ImportFrom) and queries.dotted(small.module) == "tensorflow.compat":
            stmt = stmt.with_changes(body=[import_from(small)])
        if comments:
            stmt = stmt.with_changes(leading_lines=[*stmt.leading_lines, *comments])
            comments = []
        body.append(stmt)
    return module.with_changes(body=body)

