"""The ``params`` an Estimator passed its input functions: the dict or name it was built with, with a
TPUEstimator's batch size of each mode (``params["batch_size"]``); for an estimator bound in each branch of
an ``if`` (a TPUEstimator, else an Estimator), each branch's, chosen by the test again where they differ."""
from __future__ import annotations

from typing import Optional

import libcst as cst

from .. import _tf
from .._eager import queries
from .._eager.state import Unsupported
from .._vocab import ESTIMATOR as CUSTOM
from . import tpu
from .program import Facts, string_key


def estimator_params(f: Facts, est: str, mode: str = "train") -> Optional[cst.BaseExpression]:
    """The ``params`` an estimator of the file was built with (what it passed its input functions), when
    one custom Estimator call binds the name and passes a dict written there or a name bound once. A
    TPUEstimator's hold the mode's batch size too (``params["batch_size"]``)."""
    items = [item for item in f.built if item.name == est]
    if len(items) == 2 and all(item.kind == CUSTOM for item in items):
        return _branch_params(f, est, items, mode)
    if len(items) != 1 or items[0].kind != CUSTOM:
        return None
    return _params_of(f, items[0], mode)


def _branch_params(f: Facts, est: str, items, mode: str) -> Optional[cst.BaseExpression]:
    """The params of an estimator bound in each branch of an ``if`` (a TPUEstimator, else an Estimator): each
    branch's, chosen by the ``if``'s test again where they differ."""
    found = queries.two_branches(f.module, items[0].call, items[1].call)
    if found is None:
        return None
    branch, first_in_body = found
    chosen = [_params_of(f, item, mode) for item in (items if first_in_body else items[::-1])]
    codes = [f.s.code(value) if value is not None else None for value in chosen]
    if codes[0] == codes[1]:
        return chosen[0]
    test = branch.test
    if None in codes or queries.find(test, (cst.Call, cst.Subscript, cst.NamedExpr, cst.Await)):  # (read again)
        raise Unsupported(items[0].call, f"the input functions of {est} get other params in each branch "
                                         f"(`if {f.s.code(test)}:`), under a test the rewrite cannot read again")
    return f.s.expr(f"({codes[0]} if {f.s.code(test)} else {codes[1]})")


def _params_of(f: Facts, item, mode: str) -> Optional[cst.BaseExpression]:
    given = dict(_tf.by_parameter(item.call, ("model_fn", "model_dir", "config", "params", "warm_start_from")))
    arg = given.get("params")
    value = arg.value if arg is not None and not arg.star else None
    on_tpu = f.tpus.get(id(item.call))
    if on_tpu is not None and mode in on_tpu.batch_sizes:
        size = f.s.code(on_tpu.batch_sizes[mode])
        if isinstance(value, cst.Dict) and any(string_key(e) == "batch_size" for e in value.elements):
            kept = [e for e in value.elements if string_key(e) != "batch_size"]  # the model's: train's size
            value = value.with_changes(elements=[*kept[:-1], kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
                                       if kept else [])
        return f.s.expr(tpu.with_entries(value, {"batch_size": size}, f.s.code))
    if isinstance(value, cst.Dict) or (isinstance(value, cst.Name) and f.value_of(value) is not None):
        return value
    return None
