"""How TF1 combined the ids of one example: an embedding's ``combiner``, a linear model's ``sparse_combiner``.

A categorical feature may hold several values per example (a bag of words). TF1 summed their
embeddings or weights (``sum``), averaged them (``mean``, the embedding's default) or summed them over
the square root of their number (``sqrtn``). Over a column's counts (a vocabulary, a hash bucket or an
identity column: a Dense layer embeds them, a linear model weighs them), the model weighs the counts
with a static method of its own (``mean``, ``sqrtn``; an example without ids: zeros); over an
``Embedding`` of ids, the embeddings of the row are reduced.
"""
from __future__ import annotations

from dataclasses import replace
from typing import List

import libcst as cst

from .._eager.state import Unsupported

COMBINED = {"mean": "reduce_mean", "sum": "reduce_sum"}  # an embedding of ids: its combiner over the row
WEIGHTS = {"mean": ("mean", "1 / their number", "{tf}.reduce_sum(counts, axis=1, keepdims=True)"),
           "sqrtn": ("sqrtn", "1 / the square root of their number",
                     "{tf}.sqrt({tf}.reduce_sum(counts, axis=1, keepdims=True))")}
_WEIGHTS_METHOD = '''@staticmethod
def {name}(counts):
    """TF1's {combiner} combiner: each of an example's ids weighs {weight} (no ids: zeros)."""
    return {tf}.math.divide_no_nan(counts, {total})'''


def weighed(builder, combiner: str, counts: str) -> str:
    """The code of ``counts`` (a column's counts) weighed by ``combiner`` (``sum``: as they are); the model's
    method that weighs them is recorded in ``builder.weights``."""
    if combiner not in WEIGHTS:
        return counts
    builder.weights.setdefault(combiner, builder.attribute(WEIGHTS[combiner][0]))
    return f"self.{builder.weights[combiner]}({counts})"


def combined(builder, columns: list, combiner: str, where: cst.CSTNode) -> list:
    """A linear model's columns, the ids of each example weighed by its ``sparse_combiner`` (TF1's "sum": as
    they are; "mean", "sqrtn": as an embedding's combiner)."""
    out = []
    for column in columns:
        if combiner != "sum" and column.name.endswith("_bucketized") and column.ids is None:
            raise Unsupported(where, f"sparse_combiner={combiner!r} over a bucketized column of several values "
                                     "per example")
        if column.kind == "categorical":
            column = replace(column, value=weighed(builder, combiner, column.value))
        out.append(column)
    return out


def methods(builder) -> List[str]:
    """The model's methods the columns' values call (each its lines, at class level)."""
    return [_WEIGHTS_METHOD.format(name=name, combiner=combiner, weight=WEIGHTS[combiner][1],
                                   total=WEIGHTS[combiner][2], tf=builder.tf).replace("{tf}", builder.tf)
            for combiner, name in builder.weights.items()]
