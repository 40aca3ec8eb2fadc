"""TensorFlow vocabulary shared by the rule modules."""
from __future__ import annotations

import functools
import json
import os
from typing import Collection, Dict, List, Optional, Tuple

import libcst as cst

from tfmigrate.names import dotted_name, fresh_name

from . import _private

TF = "tensorflow"
TF1_PREFIXES = ("tensorflow.compat.v1", "tensorflow.compat.v2")


# TensorFlow 0.x names that TensorFlow 1.0 renamed, their arguments unchanged (TF 1.0's
# tf_upgrade.py, and concat_v2 of its release candidates). Every rule reads them as the
# 1.x name (``relative``); TFM112 writes that name. Left out: names with rules of their
# own or that tf.compat.v1 still has (initialize_*variables, all_variables), renames that
# came with new argument orders, keywords or semantics (op_scope, batch_matmul, split,
# reverse, select: TF2's where broadcasts), contrib's aliases.
PRE_1_0 = {
    "audio_summary": "summary.audio", "batch_band_part": "matrix_band_part", "batch_cholesky": "cholesky",
    "batch_cholesky_solve": "cholesky_solve", "batch_fft": "fft", "batch_fft2d": "fft2d", "batch_fft3d": "fft3d",
    "batch_ifft": "ifft", "batch_ifft2d": "ifft2d", "batch_ifft3d": "ifft3d",
    "batch_matrix_determinant": "matrix_determinant", "batch_matrix_diag": "matrix_diag",
    "batch_matrix_inverse": "matrix_inverse", "batch_matrix_solve": "matrix_solve",
    "batch_matrix_solve_ls": "matrix_solve_ls", "batch_matrix_transpose": "matrix_transpose",
    "batch_matrix_triangular_solve": "matrix_triangular_solve", "batch_self_adjoint_eig": "self_adjoint_eig",
    "batch_self_adjoint_eigvals": "self_adjoint_eigvals", "batch_set_diag": "matrix_set_diag", "batch_svd": "svd",
    "complex_abs": "abs", "concat_v2": "concat", "histogram_summary": "summary.histogram",
    "image.per_image_whitening": "image.per_image_standardization", "image_summary": "summary.image",
    "inv": "reciprocal", "list_diff": "setdiff1d", "listdiff": "setdiff1d", "merge_all_summaries": "summary.merge_all",
    "merge_summary": "summary.merge", "mul": "multiply", "neg": "negative", "pack": "stack",
    "scalar_summary": "summary.scalar", "sub": "subtract", "train.SummaryWriter": "summary.FileWriter",
    "unpack": "unstack",
}


def relative(qualified: Optional[str]) -> Optional[str]:
    """'tensorflow.compat.v1.train.AdamOptimizer' -> 'train.AdamOptimizer'; a TensorFlow 0.x
    name as its 1.x name ('tensorflow.mul' -> 'multiply', see PRE_1_0); a private name as the
    public TF1 name of the same object ('tensorflow.python.ops.control_flow_ops.cond' -> 'cond',
    see _private).

    '' for the tensorflow module itself, None for anything not TensorFlow.
    """
    if qualified is None:
        return None
    known = _RELATIVE.get(qualified, _UNKNOWN)
    if known is _UNKNOWN:
        name = spelled(qualified)
        if name and name.startswith(_private.PREFIX):
            known = _private.public(name) or name
        else:
            known = PRE_1_0.get(name, name) if name else name
        if len(_RELATIVE) > 100_000:
            _RELATIVE.clear()
        _RELATIVE[qualified] = known
    return known


def spelled(qualified: Optional[str]) -> Optional[str]:
    """:func:`relative` as written, a TensorFlow 0.x name kept."""
    if qualified is None or not qualified.startswith(TF):
        return None
    for prefix in _PREFIXES:
        if qualified == prefix:
            return ""
        if qualified.startswith(prefix + "."):
            return qualified[len(prefix) + 1:]
    return None


_PREFIXES = TF1_PREFIXES + (TF,)
# Every rule asks for the names of the same few hundred chains: each answer is computed once.
_RELATIVE: Dict[str, Optional[str]] = {}
_UNKNOWN = object()


def alias(imports, module: str = TF) -> Optional[str]:
    """The name the file binds to ``module`` (``tf`` for ``import tensorflow as tf``), or None."""
    return next((local for local, full in sorted(imports.aliases.items()) if full == module), None)


def imports_compat(imports) -> bool:
    """Does the file import ``tensorflow.compat.v1`` under a name (its TF1 names run there)?"""
    return any(full == "tensorflow.compat.v1" for full in imports.aliases.values())


def chosen_v1(imports, written: Optional[str]) -> bool:
    """Is ``written`` (``tf.compat.v1.X``, ``tf1.X``) the TF1 API chosen on purpose: spelled out through
    ``compat.v1``, or on a ``tensorflow.compat.v1`` alias in a file that imports TensorFlow 2 itself
    (``tensorflow``, ``tensorflow.compat.v2``) too?"""
    if not written:
        return False
    if ".compat.v1." in f".{written}.":
        return True
    return imports.aliases.get(written.partition(".")[0]) == "tensorflow.compat.v1" and imports_tf2(imports)


def through_compat(imports, node) -> bool:
    """Does ``node`` read TensorFlow 1's API in a file that imports ``tensorflow.compat.v1``? Not when it is
    spelled on an alias of TensorFlow 2 itself (``tf.logging`` on ``import tensorflow.compat.v2 as tf``
    or ``import tensorflow as tf``) without ``compat.v1``: that name is TensorFlow 2's."""
    if not imports_compat(imports):
        return False
    written = dotted_name(node) or ""
    full = imports.aliases.get(written.partition(".")[0])
    return ".compat.v1." in f".{written}." or full not in (TF, "tensorflow.compat.v2")


def imports_tf2(imports) -> bool:
    """Does the file import TensorFlow 2 itself (``tensorflow``, ``tensorflow.compat.v2``) under a name?"""
    return any(full in (TF, "tensorflow.compat.v2") for full in imports.aliases.values())


def via_compat(qualified: Optional[str]) -> bool:
    return qualified is not None and qualified.startswith("tensorflow.compat.v1")


def tf_name(rule_or_context, node: cst.BaseExpression) -> Optional[str]:
    """The TensorFlow-relative name ``node`` refers to, or None."""
    return relative(rule_or_context.qualify(node))


def may_call(node: cst.Call, last: Collection[str]) -> bool:
    """Can ``node`` call a name ending in one of ``last`` (``ctc_loss`` of ``tf.nn.ctc_loss(...)``)? A cheap
    test before ``call_name`` resolves the whole name (a plain name may be an imported alias: yes)."""
    func = node.func
    return type(func) is not cst.Attribute or func.attr.value in last


def call_name(rule_or_context, node: cst.CSTNode) -> Optional[str]:
    """For a call of a TensorFlow function, its TF-relative name."""
    if type(node) is cst.Call:  # exact types: libcst's node classes are ABCs, and isinstance on them is slow
        return tf_name(rule_or_context, node.func)
    return None


def module_prefix(written: Optional[str], name: str, qualified: Optional[str], imports) -> Optional[str]:
    """The TensorFlow module's spelling in ``written`` (``tf`` in ``tf.gfile.Exists`` for the name
    ``gfile.Exists``), or None where the code reaches the name through something else (``from
    tensorflow import gfile``): a rename then has no module to put the new name under.

    A private name (``qualified`` under ``tensorflow.python``) is the public name on the file's
    TensorFlow alias (``control_flow_ops.cond`` is ``tf.cond``): that alias, or None without one."""
    private = (spelled(qualified) or "").startswith(_private.PREFIX)
    if private:
        return tf_alias(imports)
    if not written or not written.endswith("." + name):
        return None
    return written[: -len(name) - 1]


def tf_alias(imports) -> Optional[str]:
    """The name TF1 names are written on in this file: its ``tensorflow`` alias, else its
    ``tensorflow.compat.v1`` alias; None without either."""
    return alias(imports) or alias(imports, "tensorflow.compat.v1")


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


def passed_names(calls, params) -> Dict[str, str]:
    """{parameter: name} for the parameters (in order) that every one of ``calls`` gives one and the same
    plain name (``conv_net(x, n_classes, dropout)`` at each call)."""
    passed: Dict[str, str] = {}
    for index, param in enumerate(params):
        given = {arg.value.value if arg is not None and isinstance(arg.value, cst.Name) else None
                 for arg in (argument(call, index, param) for call in calls)}
        if len(given) == 1 and None not in given:
            passed[param] = given.pop()
    return passed


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


# The top-level module's build information (tf.__version__ and tf.compat.v1.__version__ are "2.21.0"),
# and what every Python module has: neither is in the API listing. tests/test_api_names.py checks them.
VERSION_ATTRIBUTES = frozenset({"__version__", "__git_version__", "__compiler_version__", "__cxx_version__",
                                "__cxx11_abi_flag__", "__monolithic_build__"})
MODULE_ATTRIBUTES = frozenset({"__name__", "__doc__", "__file__", "__path__", "__spec__",
                               "__loader__", "__package__", "__dict__"})


# TensorFlow 2 modules an import statement can name (`from tensorflow.data import AUTOTUNE`): not every module
# of the API is (`from tensorflow.distribute.cluster_resolver import X` fails). tests/test_api_names.py imports
# each on the installed TensorFlow.
IMPORTABLE = frozenset({"", "data", "data.experimental", "train", "lookup", "io", "io.gfile", "nest", "signal",
                        "linalg", *(f"keras{m}" for m in (
                            "", ".layers", ".models", ".datasets", ".preprocessing", ".preprocessing.sequence",
                            ".preprocessing.text", ".preprocessing.image", ".optimizers", ".losses", ".callbacks",
                            ".utils", ".backend", ".initializers", ".regularizers", ".activations", ".metrics",
                            ".applications", ".constraints"))})


def attribute_owner(name: str) -> Optional[str]:
    """For a tf-relative name that is an attribute every module has (``nn.__name__``) or TensorFlow's
    build information (``__version__``, ``__version__.split``): the module it belongs to ("" for tf);
    else None."""
    parts = name.split(".")
    if parts[0] in VERSION_ATTRIBUTES or parts[0] in MODULE_ATTRIBUTES:
        return ""
    for k in range(1, len(parts)):
        if parts[k] in MODULE_ATTRIBUTES:
            return ".".join(parts[:k])
    return None


def exists_in_tf2(name: str) -> bool:
    """Whether ``tf.<name>`` resolves on today's TensorFlow 2 (attributes of objects included)."""
    if name.startswith("compat.v2."):
        return exists_in_tf2(name[len("compat.v2."):])  # tf.compat.v2 is TensorFlow 2 again
    owner = attribute_owner(name)
    if owner is not None:
        return not owner or exists_in_tf2(owner)
    v2, modules, _, _, _ = _known()
    return exists_in(name, v2, modules)


def is_tf1_name(name: str) -> bool:
    """A name that TF1 had (possibly renamed or compat-only in TF2)."""
    _, _, renames, compat_only, removed = _known()
    return name in renames or name in compat_only or name in removed


def module_local(imports, module: str, names) -> Tuple[str, bool]:
    """(the name a file's code may call ``module`` by, whether the file imports it already): its own
    ``import module [as x]``, else the module's name or, where the file uses that name, a fresh one."""
    for local, full in imports.aliases.items():
        if full == module:
            return local, True
    if module not in names:
        return module, False
    return fresh_name(set(names), f"_{module}"), False


def last_import(body) -> int:
    """The index of the last top-level statement line of ``body`` that imports (-1 if none): helpers and
    imports written into a module go after it."""
    return max((i for i, stmt in enumerate(body) if isinstance(stmt, cst.SimpleStatementLine) and any(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body)), default=-1)


# `key=value` as keyword arguments are written (no spaces around `=`).
EQUAL = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
