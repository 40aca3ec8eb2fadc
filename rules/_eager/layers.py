"""Layers: ``tf.layers.*`` functions as Keras layers, built once and called where they were.

``h = tf.layers.dense(x, 10, activation=tf.nn.relu)`` builds
``h_layer = tf.keras.layers.Dense(10, activation=tf.nn.relu)`` just before the
statement that used it, and ``h_layer(x)`` takes the call's place (a tf.layers call
made its variables once, when the graph was built).
"""
from __future__ import annotations

from typing import Optional

import libcst as cst

from .. import _tf, _vocab
from . import batch_norm, queries, variable_names
from .plan import Out
from .state import Rewrite, Unsupported

DROPOUT_NEVER = ("tf.layers.dropout without training=True returned its inputs in TF1 (training defaults to False; "
                 "its third positional argument is noise_shape), and so does the rewrite: pass training= for it to drop")


def spec_of(name: str, normalizes: bool = False) -> Optional[_vocab.Layer]:
    """The Layer spec of a tf.layers function; batch normalization only where ``normalizes`` says its
    UPDATE_OPS are handled (batch_norm.py)."""
    if normalizes and name == "layers.batch_normalization":
        return _vocab.BATCH_NORMALIZATION
    return _vocab.LAYERS.get(name)


def read(call: cst.Call, name: str, tf: str = "tf", normalizes: bool = False):
    """``tf.layers.dense(x, 10, name="fc")`` read: its Layer spec, the argument holding the inputs,
    the (parameter, value) pairs that build the Keras layer (parameter None for the first positional,
    which the Keras class takes by position too; TF1's keywords renamed to Keras's, and TF1's defaults
    where Keras's differ, spelled with ``tf``) and the arguments passed when it is called; ``reuse`` is
    left out. Unsupported for a call no Keras layer takes."""
    spec = spec_of(name, normalizes)
    if spec is None:
        raise Unsupported(call, f"tf.{name} (no Keras layer is mapped for it)")
    positional = [a for a in call.args if a.keyword is None]
    if not positional and _tf.argument(call, None, "inputs") is None:
        raise Unsupported(call, f"tf.{name} without inputs")
    inputs = positional[0] if positional else _tf.argument(call, None, "inputs")
    given = []
    for index, arg in enumerate(positional[1:]):
        if index >= len(spec.params):
            raise Unsupported(call, f"tf.{name} with more positional arguments than mapped")
        given.append((None if index == 0 else spec.params[index], arg))
    given += [(arg.keyword.value, arg) for arg in call.args if arg.keyword is not None]
    renames, if_none = dict(spec.renames), dict(spec.if_none)
    build, at_call, keys = [], [], set()
    for key, arg in given:
        if key == "inputs" or key in spec.dropped:
            continue
        if key in spec.call_keywords:
            at_call.append(arg)
            continue
        none = isinstance(arg.value, cst.Name) and arg.value.value == "None"
        if key in spec.only_none and not none:
            raise Unsupported(call, f"tf.{name}({key}=...): the Keras layer has no such parameter")
        if key in spec.only_none:
            continue
        if key in if_none and none:
            key, _, value = if_none[key].partition("=")
            build.append((key, cst.parse_expression(value)))
            keys.add(key)
            continue
        key = renames.get(key, key) if key is not None else None
        keys.add(key)
        build.append((key, arg.value))
    for key, template in spec.defaults:
        if key not in keys:
            build.append((key, cst.parse_expression(template.format(tf=tf))))
    return spec, inputs, build, at_call


# TF1 parameters the shapes of a layer's variables take
SHAPES = frozenset({"units", "num_outputs", "filters", "kernel_size"})


def parameter(spec: _vocab.Layer, call: cst.Call, arg: cst.Arg) -> Optional[str]:
    """The TF1 parameter an argument of the layer's call gives (``read`` maps positions alike), if known."""
    if arg.keyword is not None:
        return arg.keyword.value
    index = next((n for n, a in enumerate([a for a in call.args if a.keyword is None][1:]) if a is arg), None)
    return spec.params[index] if index is not None and index < len(spec.params) else None


def parts(s: Rewrite, call: cst.Call, name: str, normalizes: bool = False):
    """``tf.layers.dense(x, 10, name="fc")`` read: the Keras class, the arguments that build it
    (as code), the argument holding the inputs, the arguments passed when it is called."""
    spec, inputs, build, at_call = read(call, name, s.tf, normalizes)
    return spec.keras, [s.code(value) if key is None else f"{key}={s.code(value)}" for key, value in build], \
        inputs, at_call


def layer_call(s: Rewrite, call: cst.Call, name: str, original: cst.Call) -> cst.BaseExpression:
    """``tf.layers.dense(x, 10)`` -> a Keras layer built once, called here (``call`` is ``original`` with
    its arguments rewritten)."""
    normalizes = name == "layers.batch_normalization"
    if normalizes:
        batch_norm.layer(s, original)
    keras, build, inputs, at_call = parts(s, call, name, normalizes)
    spec = spec_of(name, normalizes)
    positional = [a for a in call.args if a.keyword is None]
    built_from = positional[1:] + [
        a for a in call.args if a.keyword is not None and a.keyword.value not in ("inputs", *spec.dropped, *spec.call_keywords)]
    shared, full = variable_names.shared_layer(s, call, name)
    rest = "".join(f", {a.keyword.value}={s.code(a.value)}" for a in at_call)
    if shared is not None:
        # `tf.layers.dense(x, 3, name="l", reuse=True)`: the variables of the layer made as "l" before
        return flagged(keras, s.expr(f"{shared}({s.code(inputs.value)}{rest})"))
    graph = s.b.graph_names()
    if name == "layers.dropout" and not _trains(call) and any(queries.names_in(a.value) & graph for a in built_from):
        # `tf.layers.dropout(x, 0.7, is_training)`: the flag is the noise shape, and TF1's layer, called
        # without training=True, returned its inputs (the noise shape never read).
        s.note(original, DROPOUT_NEVER)
        return inputs.value
    for arg in built_from:
        if queries.names_in(arg.value) & graph:
            # The layer is built once, before any value is fed: it cannot depend on one.
            raise Unsupported(arg, f"tf.{name} configured with a graph tensor ({s.code(arg.value)})")
    base = f"{s.target}_layer"
    # a target rebound (`outputs = tf.layers.dense(outputs, 5)` again): its layer is named by its class
    kind = "batch_norm" if keras == "BatchNormalization" else keras.lower()
    layer = s.fresh(base if base not in s.taken else f"{s.target}_{kind}")
    s.layers.append(layer)
    variable_names.made_layer(s, full, layer)
    given = _tf.argument(original, 0, "inputs")  # (as written: `l1`, not the call of its function)
    dtype = _input_dtype(s, given.value) if given is not None else None
    if dtype is not None and not any(b.startswith("dtype=") for b in build):
        build = [*build, f"dtype={dtype}"]
    s.pending.append(Out(s.stmt(f"{layer} = {s.tf}.keras.layers.{keras}({', '.join(build)})\n")))
    return flagged(keras, s.expr(f"{layer}({s.code(inputs.value)}{rest})"))


_FLOAT32 = ("float32", "np.float32", "numpy.float32", "'float32'", '"float32"')
_NOT_FLOAT = ("int8", "int16", "int32", "int64", "uint8", "bool", "string")


def _input_dtype(s: Rewrite, inputs: cst.BaseExpression) -> Optional[str]:
    """The dtype a layer of these inputs computes in, as code, where it is not float32: TF1's layer took its
    inputs' (``tf.placeholder(x.dtype, ...)`` of a float64 array), a Keras 3 layer casts them to float32."""
    from .feeds import evident_dtype

    dtype = evident_dtype(s, inputs)
    if dtype is None or dtype in _FLOAT32 or dtype.startswith(f"{s.tf}.") and (
            dtype[len(s.tf) + 1:] in ("float32", *_NOT_FLOAT)):
        return None
    return dtype


def _trains(call: cst.Call) -> bool:
    flag = _tf.argument(call, None, "training")
    return flag is not None and not (isinstance(flag.value, cst.Name) and flag.value.value == "False")


def flagged(keras: str, call: cst.Call) -> cst.BaseExpression:
    """A Keras layer's call whose ``training`` is not ``True`` / ``False`` written out.

    Keras 3's layers read ``training`` as a Python bool (``if training:``): a bool placeholder, now a
    tensor parameter of a ``tf.function``, fails there. TF1's layers took it as a tensor (``smart_cond``),
    so the flag picks the call: ``layer(x, training=True) if flag else x``, which AutoGraph makes the
    ``tf.cond`` TF1 made, and plain Python runs as it reads. Dropout is the one layer with ``training``
    the rewrite maps; without it, Dropout returns its inputs. Parenthesized; ``unwrapped`` drops the
    parentheses where the call stood alone."""
    arg = next((a for a in call.args if a.keyword is not None and a.keyword.value == "training"), None)
    if arg is None or (isinstance(arg.value, cst.Name) and arg.value.value in ("True", "False")):
        return call
    if keras not in ("Dropout", "BatchNormalization"):
        raise Unsupported(arg, f"a Keras {keras} layer told whether it trains by a value of the program")
    trains, infers = (call.with_changes(args=[a.with_changes(value=cst.Name(flag)) if a is arg else a
                                              for a in call.args]) for flag in ("True", "False"))
    # batch normalization normalizes by its moving averages when not training
    return cst.IfExp(test=arg.value, body=trains, orelse=call.args[0].value if keras == "Dropout" else infers,
                     lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def unwrapped(original: cst.BaseExpression, updated: cst.BaseExpression) -> cst.BaseExpression:
    """``updated`` without the parentheses ``flagged`` put around a call that stood alone (an argument,
    an assigned or returned value)."""
    if isinstance(original, cst.Call) and isinstance(updated, cst.IfExp) and updated.lpar:
        return updated.with_changes(lpar=[], rpar=[])
    return updated


def flatten(s: Rewrite, call: cst.Call) -> cst.BaseExpression:
    """``tf.contrib.layers.flatten(x)``: Keras's Flatten keeps the batch dimension and the
    static size of the rest, as contrib's did."""
    return s.expr(f"{s.tf}.keras.layers.Flatten()({s.code(call.args[0].value)})")
