"""TensorFlow vocabulary shared by the rule modules."""
from __future__ import annotations

import functools
import json
import os
from typing import Optional

import libcst as cst

TF = "tensorflow"
TF1_PREFIXES = ("tensorflow.compat.v1", "tensorflow.compat.v2")


def relative(qualified: Optional[str]) -> Optional[str]:
    """'tensorflow.compat.v1.train.AdamOptimizer' -> 'train.AdamOptimizer'.

    '' for the tensorflow module itself, None for anything not TensorFlow.
    """
    if qualified is None:
        return None
    for prefix in TF1_PREFIXES + (TF,):
        if qualified == prefix:
            return ""
        if qualified.startswith(prefix + "."):
            return qualified[len(prefix) + 1:]
    return None


def via_compat(qualified: Optional[str]) -> bool:
    return qualified is not None and qualified.startswith("tensorflow.compat.v1")


def tf_name(rule_or_context, node: cst.BaseExpression) -> Optional[str]:
    """The TensorFlow-relative name ``node`` refers to, or None."""
    return relative(rule_or_context.qualify(node))


def call_name(rule_or_context, node: cst.CSTNode) -> Optional[str]:
    """For a call of a TensorFlow function, its TF-relative name."""
    if isinstance(node, cst.Call):
        return tf_name(rule_or_context, node.func)
    return None


@functools.lru_cache(maxsize=1)
def api() -> dict:
    """The TF1 -> TF2 table generated from TensorFlow's own API metadata."""
    path = os.path.join(os.path.dirname(__file__), "data", "tf_api.json")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def argument(call: cst.Call, position: Optional[int], keyword: str) -> Optional[cst.Arg]:
    """The argument passed by ``keyword`` or at ``position`` (0-based), or None."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg
    if position is not None:
        positional = [a for a in call.args if a.keyword is None and not a.star]
        if position < len(positional):
            return positional[position]
    return None
