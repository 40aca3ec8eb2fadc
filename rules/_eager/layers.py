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


def read(call: cst.Call, name: str):
    """``tf.layers.dense(x, 10, name="fc")`` read: its Layer spec, the argument holding the inputs,
    the (parameter, value) pairs that build the Keras layer (parameter None for the first positional,
    which the Keras class takes by position too) and the arguments passed when it is called;
    ``reuse`` is left out. Unsupported for a call no Keras layer takes."""
    spec = _vocab.LAYERS.get(name)
    if spec is None:
        raise Unsupported(call, f"tf.{name} (no Keras layer is mapped for it)")
    positional = [a for a in call.args if a.keyword is None]
    if not positional and _tf.argument(call, None, "inputs") is None:
        raise Unsupported(call, f"tf.{name} without inputs")
    inputs = positional[0] if positional else _tf.argument(call, None, "inputs")
    build, at_call = [], []
    for index, arg in enumerate(positional[1:]):
        if index >= len(spec.params):
            raise Unsupported(call, f"tf.{name} with more positional arguments than mapped")
        build.append((None if index == 0 else spec.params[index], arg.value))
    for arg in call.args:
        if arg.keyword is None or arg.keyword.value == "inputs" or arg.keyword.value in spec.dropped:
            continue
        if arg.keyword.value in spec.call_keywords:
            at_call.append(arg)
        else:
            build.append((arg.keyword.value, arg.value))
    return spec, inputs, build, at_call


def parts(s: Rewrite, call: cst.Call, name: str):
    """``tf.layers.dense(x, 10, name="fc")`` read: the Keras class, the arguments that build it
    (as code), the argument holding the inputs, the arguments passed when it is called."""
    spec, inputs, build, at_call = read(call, name)
    return spec.keras, [s.code(value) if key is None else f"{key}={s.code(value)}" for key, value in build], \
        inputs, at_call


def layer_call(s: Rewrite, call: cst.Call, name: str) -> cst.BaseExpression:
    """``tf.layers.dense(x, 10)`` -> a Keras layer built once, called here."""
    keras, build, inputs, at_call = parts(s, call, name)
    spec = _vocab.LAYERS[name]
    positional = [a for a in call.args if a.keyword is None]
    built_from = positional[1:] + [
        a for a in call.args if a.keyword is not None and a.keyword.value not in ("inputs", *spec.dropped, *spec.call_keywords)]
    graph = s.b.graph_names()
    for arg in built_from:
        if queries.names_in(arg.value) & graph:
            # The layer is built once, before any value is fed: it cannot depend on one.
            raise Unsupported(arg, f"tf.{name} configured with a graph tensor ({s.code(arg.value)})")
    layer = s.fresh(f"{s.target}_layer")
    s.layers.append(layer)
    s.pending.append(Out(s.stmt(f"{layer} = {s.tf}.keras.layers.{keras}({', '.join(build)})\n")))
    rest = "".join(f", {a.keyword.value}={s.code(a.value)}" for a in at_call)
    return s.expr(f"{layer}({s.code(inputs.value)}{rest})")


def flatten(s: Rewrite, call: cst.Call) -> cst.BaseExpression:
    """``tf.contrib.layers.flatten(x)``: Keras's Flatten keeps the batch dimension and the
    static size of the rest, as contrib's did."""
    return s.expr(f"{s.tf}.keras.layers.Flatten()({s.code(call.args[0].value)})")
