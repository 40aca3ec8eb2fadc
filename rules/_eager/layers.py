"""Layers: ``tf.layers.*`` functions as Keras layers, built once and called where they were.

``h = tf.layers.dense(x, 10, activation=tf.nn.relu)`` builds
``h_layer = tf.keras.layers.Dense(10, activation=tf.nn.relu)`` just before the
statement that used it, and ``h_layer(x)`` takes the call's place (a tf.layers call
made its variables once, when the graph was built).
"""
from __future__ import annotations

import libcst as cst

from .. import _tf, _vocab
from . import queries
from .plan import Out
from .state import Rewrite, Unsupported


def layer_call(s: Rewrite, call: cst.Call, name: str) -> cst.BaseExpression:
    """``tf.layers.dense(x, 10)`` -> a Keras layer built once, called here."""
    spec = _vocab.LAYERS.get(name)
    if spec is None:
        raise Unsupported(call, f"tf.{name} (no Keras layer is mapped for it)")
    positional = [a for a in call.args if a.keyword is None]
    if not positional and _tf.argument(call, None, "inputs") is None:
        raise Unsupported(call, f"tf.{name} without inputs")
    inputs = positional[0].value if positional else _tf.argument(call, None, "inputs").value
    build, at_call = [], []
    for index, arg in enumerate(positional[1:]):
        if index >= len(spec.params):
            raise Unsupported(call, f"tf.{name} with more positional arguments than mapped")
        key = spec.params[index]
        build.append(s.code(arg.value) if index == 0 else f"{key}={s.code(arg.value)}")
    for arg in call.args:
        if arg.keyword is None or arg.keyword.value == "inputs" or arg.keyword.value in spec.dropped:
            continue
        if arg.keyword.value in spec.call_keywords:
            at_call.append(f"{arg.keyword.value}={s.code(arg.value)}")
        else:
            build.append(f"{arg.keyword.value}={s.code(arg.value)}")
    built_from = positional[1:] + [
        a for a in call.args if a.keyword is not None and a.keyword.value not in ("inputs", *spec.dropped, *spec.call_keywords)]
    graph = s.b.graph_names()
    for arg in built_from:
        if queries.names_in(arg.value) & graph:
            # The layer is built once, before any value is fed: it cannot depend on one.
            raise Unsupported(arg, f"tf.{name} configured with a graph tensor ({s.code(arg.value)})")
    layer = s.fresh(f"{s.target}_layer")
    s.layers.append(layer)
    s.pending.append(Out(s.stmt(f"{layer} = {s.tf}.keras.layers.{spec.keras}({', '.join(build)})\n")))
    rest = "".join(f", {k}" for k in at_call)
    return s.expr(f"{layer}({s.code(inputs)}{rest})")


def flatten(s: Rewrite, call: cst.Call) -> cst.BaseExpression:
    """``tf.contrib.layers.flatten(x)``: Keras's Flatten keeps the batch dimension and the
    static size of the rest, as contrib's did."""
    return s.expr(f"{s.tf}.keras.layers.Flatten()({s.code(call.args[0].value)})")
