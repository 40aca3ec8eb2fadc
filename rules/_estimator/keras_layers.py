"""Keras layers a model_fn makes itself: made once, in the model's ``__init__``.

TF1 ran the model_fn once per graph, so ``dense = tf.keras.layers.Dense(1)`` (or
``tf.keras.Sequential([...])``, ``tf.keras.layers.BatchNormalization()(x)``, the file's own
Layer or Model subclass) made its variables once. In a method called at every step it would
make new ones each time: the layer is an attribute built in ``__init__`` instead.
"""
from __future__ import annotations

import re
from typing import Optional, Set

import libcst as cst

from .._eager import queries
from .._eager.state import Unsupported
from . import vocab
from .program import Facts, placed


# TF1's tf.layers classes that are Keras 3's of the same name, defaults and initializers: the number of
# leading positional parameters they share (past it, Keras 3 put its own: groups, output_padding)
TF1_CLASSES = {"Dense": 9, "Conv1D": 6, "Conv2D": 6, "Conv3D": 6, "Conv1DTranspose": 4, "Conv2DTranspose": 4,
               "Conv3DTranspose": 4, "SeparableConv1D": 7, "SeparableConv2D": 7, "MaxPooling1D": 4,
               "MaxPooling2D": 4, "MaxPooling3D": 4, "AveragePooling1D": 4, "AveragePooling2D": 4,
               "AveragePooling3D": 4, "Flatten": 1, "Dropout": 3}


def is_keras_layer(name: Optional[str]) -> bool:
    """``keras.layers.Dense`` and every other Keras layer class, ``keras.Sequential``, and TF1's
    ``layers.Dense`` and the other tf.layers classes Keras 3 has (TF1_CLASSES)."""
    if name is None:
        return False
    if name.startswith("layers.") and name[len("layers."):] in TF1_CLASSES:
        return True
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
    tf1 = body.f.call_name(call)
    if tf1 is not None and tf1.startswith("layers."):  # tf.layers.Conv2D(...) -> tf.keras.layers.Conv2D(...)
        cls = tf1[len("layers."):]
        if len([a for a in call.args if a.keyword is None]) > TF1_CLASSES[cls] or any(
                a.star or a.keyword is not None and a.keyword.value.endswith("regularizer") for a in call.args):
            raise Unsupported(call, f"tf.{tf1} with arguments Keras 3 places otherwise or regularizers (pass them "
                                    "by name; add the regularization losses to the model_fn's loss)")
        new = body.converted(call.with_changes(func=body.f.s.expr(f"{body.f.tf}.keras.layers.{cls}")))
        longer = len("keras.")  # (lines aligned under its bracket move with it)
    else:
        new, longer = body.converted(call), 0
    new = placed(body.f, body.line, call, new, len(f"self.{attr} = ") + longer, 2)  # __init__'s: two levels deep
    body.out.init.append(f"self.{attr} = {body.code(new)}")
    return attr


def check_unread(body, func: cst.FunctionDef, new: cst.FunctionDef) -> None:
    """Every use of a Keras layer the function made went to its attribute (calls and attribute reads)."""
    for name in body.keras:
        if name in queries.names_in(new.body):
            raise Unsupported(func, f"the Keras layer {name} is used beyond calls and attributes, or bound again")
