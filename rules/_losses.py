"""`tf.losses.*` of TF1 with default weights and reduction, as the TF2 expression that computes them.

TF1's loss functions computed a loss per element, multiplied it by ``weights``
(1.0) and, with the default reduction (``SUM_BY_NONZERO_WEIGHTS``), divided
the sum by the number of elements: the mean. TensorFlow 2 has the same ops
under ``tf.nn`` and ``tf.math``, so ``tf.losses.mean_squared_error(y, p)`` is
``tf.reduce_mean(tf.math.squared_difference(p, y))``. TF1 also cast the
inputs (to float32, or the labels to the logits' dtype) and added the loss to
the ``LOSSES`` collection, which nothing in TF2 reads.
"""
from __future__ import annotations

from typing import Dict, Optional, Set

import libcst as cst

from tfmigrate.names import dotted_name
from tfmigrate.traverse import Visitor, walk

from . import _tf

# name -> (TF1 parameters in order, the per-element op, the TF2 expression: {tf} the module,
# {<parameter>} the arguments)
LOSSES = {
    "losses.mean_squared_error": (
        ("labels", "predictions"), "math.squared_difference",
        "{tf}.reduce_mean({tf}.math.squared_difference({predictions}, {labels}))"),
    "losses.absolute_difference": (
        ("labels", "predictions"), "abs", "{tf}.reduce_mean({tf}.abs({predictions} - {labels}))"),
    "losses.softmax_cross_entropy": (
        ("onehot_labels", "logits"), "nn.softmax_cross_entropy_with_logits",
        "{tf}.reduce_mean({tf}.nn.softmax_cross_entropy_with_logits(labels={onehot_labels}, logits={logits}))"),
    "losses.sparse_softmax_cross_entropy": (
        ("labels", "logits"), "nn.sparse_softmax_cross_entropy_with_logits",
        "{tf}.reduce_mean({tf}.nn.sparse_softmax_cross_entropy_with_logits(labels={labels}, logits={logits}))"),
    "losses.sigmoid_cross_entropy": (
        ("multi_class_labels", "logits"), "nn.sigmoid_cross_entropy_with_logits",
        "{tf}.reduce_mean({tf}.nn.sigmoid_cross_entropy_with_logits(labels={multi_class_labels}, logits={logits}))"),
    # TF1: 0.5 * min(|e|, delta)^2 + delta * (|e| - min(|e|, delta)) per element; Keras's huber writes the
    # same two pieces and averages the last axis (the mean of equal-sized means is the whole mean)
    "losses.huber_loss": (
        ("labels", "predictions"), "keras.losses.huber",
        "{tf}.reduce_mean({tf}.keras.losses.huber({labels}, {predictions}, delta={delta}))"),
    # TF1 cast both to float32 and added its epsilon inside the logarithms
    "losses.log_loss": (
        ("labels", "predictions"), "math.log",
        "{tf}.reduce_mean(-{tf}.cast({labels}, {tf}.float32) * {tf}.math.log({tf}.cast({predictions}, {tf}.float32)"
        " + {epsilon}) - (1 - {tf}.cast({labels}, {tf}.float32)) * {tf}.math.log(1 - {tf}.cast({predictions}, "
        "{tf}.float32) + {epsilon}))"),
    # contrib's sequence loss, averaged over time steps and batch (its defaults): the weighted sum of the
    # cross-entropies over the sum of the weights (contrib added 1e-12 so that zero weights give 0, not NaN)
    "contrib.seq2seq.sequence_loss": (
        ("logits", "targets", "weights"), "nn.sparse_softmax_cross_entropy_with_logits",
        "{tf}.reduce_sum({tf}.nn.sparse_softmax_cross_entropy_with_logits(labels={targets}, logits={logits})"
        " * {weights}) / ({tf}.reduce_sum({weights}) + 1e-12)"),
}
# Parameters a loss may be given any value of, with TF1's default where it is not: the template reads them.
SETTINGS = {"losses.huber_loss": {"delta": "1.0"}, "losses.log_loss": {"epsilon": "1e-07"}}
# Further parameters a loss may be given, as long as they hold these (their defaults).
OPTIONAL = {
    "contrib.seq2seq.sequence_loss": {"average_across_timesteps": "True", "average_across_batch": "True",
                                      "softmax_loss_function": "None", "name": None,
                                      "sum_over_timesteps": "False", "sum_over_batch": "False"},
}


_FUNCTIONS = frozenset(name.split(".")[-1] for name in LOSSES)


def name_of(call: cst.Call, imports) -> Optional[str]:
    """``losses.X`` for a call of one of ``LOSSES`` (through ``tf.losses`` or ``tf.compat.v1.losses``)."""
    func = call.func
    last = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else None
    if last not in _FUNCTIONS:
        return None  # most calls: no name to qualify
    name = _tf.relative(imports.qualify(func))
    return name if name in LOSSES else None


def inputs(call: cst.Call, name: str) -> Optional[Dict[str, cst.BaseExpression]]:
    """The two inputs by TF1 parameter name, or None when the call asks for more than the mean
    (weights other than 1, a reduction, label smoothing, a loss collection, ``*args``)."""
    parameters, optional, settings = LOSSES[name][0], OPTIONAL.get(name, {}), SETTINGS.get(name, {})
    given: Dict[str, cst.BaseExpression] = {}
    # (TF1's order after the two inputs: weights, then the settings, then scope and the rest)
    for key, arg in _tf.by_parameter(call, (*parameters, *(("weights", *settings) if settings else ()), *optional)):
        if arg.star:
            return None
        if key in parameters or key in settings:
            given[key] = arg.value
        elif key in optional:
            if optional[key] is not None and not (isinstance(arg.value, cst.Name) and arg.value.value == optional[key]):
                return None
        elif key == "weights" and isinstance(arg.value, (cst.Float, cst.Integer)) and float(arg.value.value) == 1:
            continue
        elif key != "scope":  # a name scope: names only
            return None
    if not all(key in given for key in parameters):
        return None
    return {**{key: cst.parse_expression(value) for key, value in settings.items()}, **given}


def rewritable(call: cst.Call, imports) -> Optional[str]:
    """``losses.X`` when TFM108 rewrites ``call``: a loss of ``LOSSES`` with only its two inputs,
    reached through the module itself (``tf``, also as ``import tensorflow.compat.v1 as tf``, which the
    graph rewrite makes ``tensorflow``; not ``tf.compat.v1`` spelled out, nor an imported ``losses``
    module, which leaves no module to write ``tf.reduce_mean`` on). The graph rewrite keeps exactly these
    for it."""
    name = name_of(call, imports)
    if name is None or inputs(call, name) is None:
        return None
    qualified = imports.qualify(call.func)
    prefix = _tf.module_prefix(dotted_name(call.func), name, qualified, imports)
    if prefix is None or (_tf.via_compat(qualified) and "." in prefix):
        return None  # (`tf.compat.v1.losses.X` spelled out: TF2 code that chose the TF1 loss)
    return name


def replacement(call: cst.Call, name: str, module: str, code_for) -> Optional[cst.BaseExpression]:
    """The TF2 expression of ``call``, with ``module`` the spelling of tensorflow; None if there is none."""
    given = inputs(call, name)
    if given is None:
        return None
    values = {key: code_for(value) for key, value in given.items()}
    return cst.parse_expression(LOSSES[name][2].format(tf=module, **values))


class _Calls(Visitor):
    def __init__(self, imports) -> None:
        self.imports = imports
        self.funcs: Set[int] = set()

    def visit_Call(self, node: cst.Call) -> None:
        if rewritable(node, self.imports) is not None:
            self.funcs.add(id(node.func))


def rewritten_names(context) -> Set[int]:
    """``id`` of the function name of every call TFM108 rewrites in the file (cached)."""
    cached = context.shared.get("tf1-losses")
    if cached is None:
        finder = _Calls(context.imports)
        if context.text is None or any(function in context.text for function in _FUNCTIONS):
            walk(context.module, finder)
        cached = context.shared["tf1-losses"] = finder.funcs
    return cached
