"""Batch normalization: ``tf.layers.batch_normalization`` and the ``UPDATE_OPS`` that train it.

    is_training = tf.placeholder(tf.bool)
    h = tf.layers.batch_normalization(h, training=is_training)
    ...
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train_op = tf.train.AdamOptimizer(lr).minimize(loss)

TF1's layer normalized by the batch's statistics when ``training`` was true, and put the
updates of its moving averages in ``UPDATE_OPS``: they ran only where a run ran them, with
the train op made under ``control_dependencies``. A Keras 3 ``BatchNormalization`` layer
updates its moving averages whenever it is called with ``training=True``. The rewrite calls
the layer as ``layer(h, training=True) if is_training else layer(h, training=False)``
(``layers.flagged``), drops the collection and the ``with`` (the train step's forward pass
updates them), and is sound where the two agree:

- every train op of a program with such a layer was made under ``control_dependencies`` of
  ``UPDATE_OPS`` (else TF1 never updated the averages, or not with that train op);
- the layer is told whether it trains by a boolean placeholder (or not at all: it then always
  normalized by its moving averages, and never updated them);
- every run but a train op's feeds that placeholder ``False`` (or leaves it to a default of
  ``False``): a run of the loss or the accuracy in training mode did not update the averages
  in TF1, and would in the rewrite (a run of the train op with the loss returns the loss the
  train step computed, in the same forward pass).
"""
from __future__ import annotations

from typing import Dict, Optional, Sequence

import libcst as cst

from .. import _tf
from . import bindings as B
from . import queries
from .state import Rewrite, Unsupported

UPDATE_OPS_KEY = "GraphKeys.UPDATE_OPS"
FUSED_NOTE = ("not numerically equivalent: on 4-D inputs (after a convolution) TF1's fused batch normalization "
              "averaged the batch variance into the moving variance with Bessel's correction (times n / (n - 1), for "
              "n values per channel in a batch) and Keras's layer does not: what is normalized by the moving "
              "averages differs by about 1/n")


def is_update_ops(s: Rewrite, node: cst.BaseExpression) -> bool:
    """``tf.get_collection(tf.GraphKeys.UPDATE_OPS)``, or a name bound to it."""
    if isinstance(node, cst.Name):
        return s.b.is_(node.value, B.UPDATE_OPS)
    if not isinstance(node, cst.Call) or s.call_name(node) != "get_collection" or len(node.args) != 1:
        return False
    key = _tf.argument(node, 0, "key")
    return key is not None and s.tf_name(key.value) == UPDATE_OPS_KEY


def collected(s: Rewrite, name: Optional[str], node) -> None:
    """``update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)``: remembered with the number of layers
    whose updates it held (those made so far); the statement goes."""
    if name is None:
        raise Unsupported(node, "the UPDATE_OPS collection stored in something other than a name")
    s.b.rebind(name)
    s.b.bind(name, B.UPDATE_OPS, s.batch_norm.layers)


def dependencies(s: Rewrite, item: cst.WithItem) -> Optional[int]:
    """For ``tf.control_dependencies(update_ops)`` (the collection, nothing else), the number of batch
    normalization layers whose updates it holds; None for another item."""
    call = item.item
    if item.asname is not None or not isinstance(call, cst.Call) or s.call_name(call) != "control_dependencies":
        return None
    inputs = _tf.argument(call, 0, "control_inputs")
    if len(call.args) != 1 or inputs is None or not is_update_ops(s, inputs.value):
        return None
    node = inputs.value
    return s.b.get(node.value, B.UPDATE_OPS) if isinstance(node, cst.Name) else s.batch_norm.layers


def layer(s: Rewrite, call: cst.Call) -> None:
    """A batch normalization layer made: what tells it whether it trains is a boolean placeholder, or
    nothing; raises Unsupported otherwise."""
    if queries.holds(s.module, cst.Call, lambda c: "conv" in (s.call_name(c) or "")):
        s.note(call, FUSED_NOTE)
    flag = _tf.argument(call, 14, "training")
    value = flag.value if flag is not None else None
    if value is None or (isinstance(value, cst.Name) and value.value == "False"):
        s.batch_norm.layers += 1
        return
    spec = s.b.specs.get(value.value) if isinstance(value, cst.Name) and s.b.is_(value.value, B.PLACEHOLDER) else None
    if spec is None or s.tf_name(spec.dtype) != "bool":
        raise Unsupported(value, "batch normalization told whether it trains by something other than a boolean "
                                 "placeholder (TF1 updated its moving averages only where a run ran UPDATE_OPS)")
    s.batch_norm.layers += 1
    s.batch_norm.flags.add(value.value)


def in_module(s: Rewrite, model, call: cst.Call) -> None:
    """A batch normalization layer of a model function (modules.py): told whether it trains by nothing, by
    ``False`` or by a parameter of the function, whose value each call gives (``called``)."""
    if queries.holds(s.module, cst.Call, lambda c: "conv" in (s.call_name(c) or "")):
        s.note(call, FUSED_NOTE)
    flag = _tf.argument(call, 14, "training")
    value = flag.value if flag is not None else None
    if value is None or (isinstance(value, cst.Name) and value.value == "False"):
        return
    if not (isinstance(value, cst.Name) and value.value in model.params):
        raise Unsupported(value, f"batch normalization in {model.name} told whether it trains by something other "
                                 "than a parameter of the function or False")


def called(s: Rewrite, model, layers_made, call: cst.Call) -> None:
    """A call of a model function whose module holds batch normalization layers (``layers_made``: their
    calls, counted when the call makes the module): what each is told about training is a boolean
    placeholder, ``False`` or nothing, as for a layer of the program (``layer``)."""
    for index, layer_call in enumerate(layers_made):
        flag = _tf.argument(layer_call, 14, "training")
        param = flag.value.value if flag is not None and isinstance(flag.value, cst.Name) and (
            flag.value.value in model.params) else None
        if param is None:
            continue
        given = _tf.argument(call, model.params.index(param), param)
        value = given.value if given is not None else model.defaults.get(param)
        if value is None or not (isinstance(value, cst.Name) and (value.value == "False" or s.b.is_(
                value.value, B.PLACEHOLDER) and s.tf_name(s.b.specs[value.value].dtype) == "bool")):
            raise Unsupported(given or call, f"{model.name}'s batch normalization told to train by "
                                             f"{s.code(value) if value is not None else 'nothing'} (TF1 updated its "
                                             "moving averages only where a run ran UPDATE_OPS; Keras updates them at "
                                             "each call that trains): pass a boolean placeholder or False")
        if value.value != "False":
            s.batch_norm.flags.add(value.value)


def train_op(s: Rewrite, value: cst.CSTNode) -> None:
    """A train op is made: with batch normalization in the program, only under UPDATE_OPS."""
    if s.batch_norm.layers and s.batch_norm.under_updates is None:
        raise Unsupported(value, "a train op made without the UPDATE_OPS of batch normalization as control "
                                 "dependencies (TF1 left the moving averages as they were; Keras updates them)")
    if s.batch_norm.layers and s.batch_norm.under_updates < s.batch_norm.layers:
        raise Unsupported(value, "a train op made under UPDATE_OPS read before a batch normalization layer was made "
                                 "(TF1 did not update that layer's moving averages; Keras would)")


def check_run(s: Rewrite, params: Sequence[str], values: Dict[str, cst.BaseExpression], node) -> None:
    """A run that is not a train op's: batch normalization must not train in it."""
    for param in params:
        if param not in s.batch_norm.flags:
            continue
        value = values.get(param, s.b.specs[param].default)
        if not (isinstance(value, cst.Name) and value.value == "False"):
            raise Unsupported(node, f"a run feeds {param} = {s.code(value) if value is not None else '?'} to "
                                    "batch normalization outside the train step (TF1 did not update its moving "
                                    "averages there; Keras would)")
