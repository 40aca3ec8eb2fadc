"""TF1's RNN cells in code on ``tensorflow.compat.v1``, which TensorFlow 2.21 runs without tf-keras.

``tf.compat.v1.nn.rnn_cell`` is an alias that TensorFlow 2.21 resolves through Keras 2 (tf-keras
and TF_USE_LEGACY_KERAS=1). TF1's cell classes themselves are still in TensorFlow:
``tensorflow.python.ops.rnn_cell_impl`` has them (TensorFlow's own frozen copy of Keras 2's legacy
RNN cells), and ``tf.compat.v1.nn.dynamic_rnn`` / ``static_rnn`` / ``bidirectional_dynamic_rnn``,
which need no Keras, import that module themselves. Code kept on ``tensorflow.compat.v1`` (its
own import, or the fallback of the graph rewrite) gets the classes from there: the same classes
(the same variables, names, initial draws, checkpoints and numbers). The module is private, but it
stays as long as ``tf.compat.v1.nn.dynamic_rnn`` does.
"""
from __future__ import annotations

from typing import Dict, Optional

import libcst as cst

from tfmigrate.ftypes import Applicability
from tfmigrate.names import dotted_name, fresh_name
from tfmigrate.rule import Context, ProgramFix
from tfmigrate.traverse import Replacer

from . import _tf
from ._eager import queries

# The classes of tf.nn.rnn_cell (tf.contrib.rnn re-exported them).
CELLS = frozenset({"BasicLSTMCell", "BasicRNNCell", "GRUCell", "LSTMCell", "LSTMStateTuple", "MultiRNNCell",
                   "DropoutWrapper", "ResidualWrapper", "DeviceWrapper", "RNNCell", "LayerRNNCell"})
MODULE = "tensorflow.python.ops.rnn_cell_impl"
_PUBLIC = ("nn.rnn_cell.", "contrib.rnn.")
_PRIVATE = ("python.ops.rnn_cell_impl.", "python.keras.layers.legacy_rnn.rnn_cell_impl.")


def _cell(spelled: Optional[str], prefixes) -> Optional[str]:
    for prefix in prefixes:
        if spelled and spelled.startswith(prefix) and spelled[len(prefix):] in CELLS:
            return spelled[len(prefix):]
    return None


def _on_compat(context: Context) -> bool:
    from . import slim

    return slim.runs_on_compat(context)


def chains(context: Context) -> Dict[int, str]:
    """``{id(outermost chain): class}`` for the cell names (``tf.nn.rnn_cell.LSTMCell``,
    ``tf.contrib.rnn.GRUCell``, ``tf.compat.v1.nn.rnn_cell.MultiRNNCell``) of a file on
    tensorflow.compat.v1."""
    cached = context.shared.get("compat-rnn")
    if cached is None:
        cached = context.shared["compat-rnn"] = {}
        text = context.text
        if (text is None or "rnn" in text) and _on_compat(context):
            inner = set()
            for node in queries.find(context.module, cst.Attribute):
                if id(node) in inner:
                    continue
                inner.update(id(n) for n in queries.find(node.value, cst.Attribute))
                cell = _cell(_tf.spelled(context.qualify(node)), _PUBLIC)
                if cell is not None and dotted_name(node) is not None:
                    cached[id(node)] = cell
    return cached


def rewrites(context: Context, node: cst.CSTNode) -> bool:
    return id(node) in chains(context)


def keeps_private(context: Context, qualified: Optional[str]) -> bool:
    """Is ``qualified`` one of those classes by the private module path this rewrite writes, in a file
    on tensorflow.compat.v1 (where its public name needs Keras 2)?"""
    return _cell(_tf.spelled(qualified), _PRIVATE) is not None and _on_compat(context)


def _rewrite(module: cst.Module, context: Context) -> Optional[cst.Module]:
    found = chains(context)
    if not found:
        return None
    local = next((name for name, full in context.imports.aliases.items() if full == MODULE), None)
    imported = local is not None
    if local is None:
        local = fresh_name({n.value for n in queries.find(module, cst.Name)}, "rnn_cell_impl")
    new = module.visit(Replacer({key: cst.parse_expression(f"{local}.{cell}") for key, cell in found.items()}))
    if imported:
        return new
    alias = "" if local == "rnn_cell_impl" else f" as {local}"
    statement = cst.parse_statement(f"from tensorflow.python.ops import rnn_cell_impl{alias}\n",
                                    config=module.config_for_parsing)
    body = list(new.body)
    at = _tf.last_import(body) + 1
    body.insert(at, statement)
    return new.with_changes(body=body)


# After the graph rewrite's tensorflow.compat.v1 fallback, which decides that the file runs there.
COMPAT_RNN_FIX = ProgramFix("TF1's RNN cells from tensorflow.python.ops.rnn_cell_impl", Applicability.SAFE,
                            _rewrite, order=1)

MESSAGE = ("(in code on tensorflow.compat.v1, the fix takes TF1's class from tensorflow.python.ops.rnn_cell_impl, "
           "where TensorFlow 2.21 still has it without tf-keras: the same variables and numbers; the module is "
           "private, and stays as long as tf.compat.v1.nn.dynamic_rnn, which imports it, does)")
