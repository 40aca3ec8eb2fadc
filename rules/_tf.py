"""TensorFlow vocabulary shared by the rule modules."""
from __future__ import annotations

import functools
import json
import os
from typing import List, Optional, Tuple

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


def alias(imports, module: str = TF) -> Optional[str]:
    """The name the file binds to ``module`` (``tf`` for ``import tensorflow as tf``), or None."""
    return next((local for local, full in sorted(imports.aliases.items()) if full == module), None)


def imports_compat(imports) -> bool:
    """Does the file import ``tensorflow.compat.v1`` under a name (its TF1 names run there)?"""
    return any(full == "tensorflow.compat.v1" for full in imports.aliases.values())


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


def module_prefix(spelled: Optional[str], name: str) -> Optional[str]:
    """The TensorFlow module's spelling in ``spelled`` (``tf`` in ``tf.gfile.Exists`` for the name
    ``gfile.Exists``), or None where the code reaches the name through something else (``from
    tensorflow import gfile``): a rename then has no module to put the new name under."""
    if not spelled or not spelled.endswith("." + name):
        return None
    return spelled[: -len(name) - 1]


@functools.lru_cache(maxsize=1)
def api() -> dict:
    """The TF1 -> TF2 table generated from TensorFlow's own API metadata."""
    path = os.path.join(os.path.dirname(__file__), "data", "tf_api.json")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def by_parameter(call: cst.Call, names) -> List[Tuple[Optional[str], cst.Arg]]:
    """Each argument of ``call`` with the parameter it binds (``names``: the parameters in order):
    its keyword, or the name at its position; None for ``*args``, ``**kwargs`` or a position past ``names``."""
    return [(arg.keyword.value if arg.keyword is not None else (
        names[index] if index < len(names) and not arg.star else None), arg) for index, arg in enumerate(call.args)]


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


@functools.lru_cache(maxsize=1)
def _known():
    table = api()
    v2 = frozenset(table["v2_api"])
    modules = frozenset(name.rsplit(".", 1)[0] for name in v2 if "." in name)
    return v2, modules, frozenset(table["renames"]), frozenset(table["compat_only"]), frozenset(table.get("removed", ()))


def exists_in(name: str, names, modules) -> bool:
    """Whether ``name`` resolves in an API of ``names`` whose modules are ``modules``: its longest
    known prefix is the name itself, or an object whose attributes are not listed (``float32.max``
    is an attribute of a dtype; ``nn.mul`` a missing member of a module)."""
    parts = name.split(".")
    for k in range(len(parts), 0, -1):
        prefix = ".".join(parts[:k])
        if prefix in names:
            return k == len(parts) or prefix not in modules
    return False


def exists_in_tf2(name: str) -> bool:
    """Whether ``tf.<name>`` resolves on today's TensorFlow 2 (attributes of objects included)."""
    v2, modules, _, _, _ = _known()
    return exists_in(name, v2, modules)


def is_tf1_name(name: str) -> bool:
    """A name that TF1 had (possibly renamed or compat-only in TF2)."""
    _, _, renames, compat_only, removed = _known()
    return name in renames or name in compat_only or name in removed
