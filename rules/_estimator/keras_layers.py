"""Keras layers a model_fn makes itself: made once, in the model's ``__init__``.

TF1 ran the model_fn once per graph, so ``dense = tf.keras.layers.Dense(1)`` (or
``tf.keras.Sequential([...])``, ``tf.keras.layers.BatchNormalization()(x)``, the file's own
Layer or Model subclass) made its variables once. In a method called at every step it would
make new ones each time: the layer is an attribute built in ``__init__`` instead.
"""
from __future__ import annotations

import re
from typing import Optional, Set, Tuple

import libcst as cst

from .._eager import queries
from .._eager.state import Unsupported
from . import vocab
from .program import Facts, placed


def is_keras_layer(name: Optional[str]) -> bool:
    """``keras.layers.Dense`` and every other Keras layer class, and ``keras.Sequential``."""
    if name is None:
        return False
    if name in ("keras.Sequential", "keras.models.Sequential", "keras.Model", "keras.models.Model"):
        return True
    module, _, cls = name.rpartition(".")
    return module == "keras.layers" and cls[:1].isupper() and cls not in ("Layer", "Input", "InputSpec")


def keras_classes(f: Facts) -> Set[str]:
    """The file's own subclasses of a Keras layer or model (``class Net(tf.keras.Model)``)."""
    return {stmt.name.value for stmt in f.module.body if isinstance(stmt, cst.ClassDef) and any(
        f.name(base.value) in ("keras.Model", "keras.models.Model", "keras.layers.Layer", "keras.Sequential")
        for base in stmt.bases)}


def base(made: str) -> str:
    """An attribute name for a layer class: Dense -> dense, BatchNormalization -> batch_normalization."""
    return vocab.LAYER_BASES.get(made) or re.sub(r"(?<!^)(?=[A-Z][a-z])", "_", made).lower()


def is_keras(body, call) -> bool:  # body: model_fn._Body
    """A Keras layer or model made by a call: ``tf.keras.layers.Dense(1)``, ``Net()`` of the file's own class."""
    if not isinstance(call, cst.Call):
        return False
    own = isinstance(call.func, cst.Name) and call.func.value in body.keras_classes
    return own or is_keras_layer(body.f.call_name(call))


def hoist(body, call: cst.Call, name: str) -> str:  # body: model_fn._Body
    """A Keras layer (or Sequential) the model_fn makes: made once, in __init__, as an attribute named after
    ``name``; the attribute. Lines it spans keep their place relative to its first line (``__init__``'s
    statements are two levels deep)."""
    if body.loop:
        raise Unsupported(call, f"{body.code(call.func)} made inside a loop (one layer per pass)")
    attr = body.attribute(name)
    new = body.converted(call)
    new = placed(body.f, body.line, call, new, len(f"self.{attr} = "), 2)  # __init__'s statements are two levels deep
    body.out.init.append(f"self.{attr} = {body.code(new)}")
    return attr


def check_unread(body, func: cst.FunctionDef, new: cst.FunctionDef) -> None:
    """Every use of a Keras layer the function made went to its attribute (calls and attribute reads)."""
    for name in body.keras:
        if name in queries.names_in(new.body):
            raise Unsupported(func, f"the Keras layer {name} is used beyond calls and attributes, or bound again")


# TF1's tf.layers classes made where they are called (``tf.layers.Conv2D(32, 5)(x)``) -> the tf.layers function
# that makes and calls the same layer (``tf.layers.conv2d(x, 32, 5)``): their parameters in the same order
TF1_CLASSES = {"Dense": "dense", "Conv1D": "conv1d", "Conv2D": "conv2d", "MaxPooling1D": "max_pooling1d",
               "MaxPooling2D": "max_pooling2d", "AveragePooling2D": "average_pooling2d", "Flatten": "flatten",
               "Dropout": "dropout", "BatchNormalization": "batch_normalization"}


def as_function(body, original: cst.Call, updated: cst.Call) -> Optional[Tuple[cst.Call, cst.Call, str]]:
    """``tf.layers.Dense(1)(x, training=t)`` as ``tf.layers.dense(x, 1, training=t)`` (original and converted
    calls, and the function's name), else None."""
    name = body.f.call_name(original.func)
    if name is None or not name.startswith("layers.") or name[len("layers."):] not in TF1_CLASSES:
        return None
    positional = [a for a in original.args if a.keyword is None]
    if len(positional) != 1 or original.args[0] is not positional[0] or any(a.star for a in original.args):
        raise Unsupported(original, f"tf.{name} called with more than its inputs and keywords")
    function = f"layers.{TF1_CLASSES[name[len('layers.'):]]}"
    func = body.f.s.expr(f"{body.f.tf}.{function}")

    def joined(outer: cst.Call) -> cst.Call:
        args = [outer.args[0].with_changes(comma=cst.MaybeSentinel.DEFAULT),
                *[a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in outer.func.args], *outer.args[1:]]
        return cst.Call(func=func, args=args)

    return joined(original), joined(updated), function


def tf1_layer(body, original: cst.Call, updated: cst.Call) -> Optional[cst.BaseExpression]:
    """A TF1 tf.layers class made where it is called, as its tf.layers function is (a refusal reported at the
    call as written); None for another call of a call."""
    joined = as_function(body, original, updated)
    if joined is None:
        return None
    joined_original, joined_updated, function = joined
    try:
        return body.layer(joined_original, joined_updated, function)
    except Unsupported as refused:
        if refused.node is joined_original:
            refused.node = original
        raise
