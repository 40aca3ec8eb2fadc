"""What a model_fn's train op minimizes, and the Keras optimizer it used.

``opt.minimize(loss, global_step=...)`` (an optimizer the model_fn made) and
``tf.contrib.layers.optimize_loss(loss, global_step, learning_rate, optimizer="Adam")``
(the TF1 optimizer its name stood for; ``clip_gradients=c`` is Keras's ``global_clipnorm=c``,
which clips by the global norm as TF1 did) -> the loss, with the optimizer set on the class. A
learning rate the model_fn decays with the global step (``tf.train.exponential_decay``) is the
Keras schedule of that decay.
"""
from __future__ import annotations

from typing import Optional

import libcst as cst

from .. import _tf, _vocab
from .._eager import training
from .._eager.state import Unsupported
from . import vocab
from .program import arguments


def optimizer(body, call: cst.Call, name: str) -> None:
    """``tf.train.<name>(...)``: the model's Keras optimizer (one per model_fn)."""
    if body.out.optimizer is not None:
        raise Unsupported(call, "a model_fn with two optimizers")
    if name not in _vocab.OPTIMIZERS:
        raise Unsupported(call, f"tf.{name} has no Keras optimizer")
    decayed = any(isinstance(arg.value, cst.Name) and arg.value.value in body.decays for arg in call.args)
    call = call.with_changes(args=[arg.with_changes(value=schedule(body, body.decays[arg.value.value]))
                                   if isinstance(arg.value, cst.Name) and arg.value.value in body.decays else arg
                                   for arg in call.args])
    body.built_from(call, "the optimizer")
    body.out.optimizer = body.code(training.keras_optimizer(body.f.s, call, name, changing=decayed))
    body.out.notes.extend(body.f.s.notes)
    body.f.s.notes.clear()


def schedule(body, decay: cst.Call) -> cst.BaseExpression:
    """``tf.train.exponential_decay(lr, global_step, ...)`` bound to the optimizer's learning rate: the Keras
    schedule, which the optimizer reads at its own step count (the global step of the Keras model)."""
    name = body.f.call_name(decay)
    keras, given = training.decay_arguments(decay, name)
    step = given.pop("global_step", None)
    if step is None or not (body.f.call_name(step) in vocab.GLOBAL_STEPS
                            or isinstance(step, cst.Name) and step.value in body.steps):
        raise Unsupported(decay, f"tf.{name} of a step other than the global step")
    args = ", ".join(f"{key}={body.code(value)}" for key, value in given.items())
    return body.f.s.expr(f"{body.f.tf}.keras.optimizers.schedules.{keras}({args})")


def minimized(body, value) -> Optional[str]:  # body: model_fn._Body
    """``opt.minimize(loss, global_step=...)`` (or ``tf.contrib.layers.optimize_loss``): the loss it minimizes."""
    if isinstance(value, cst.Call) and body.f.call_name(value) == "contrib.layers.optimize_loss":
        return optimize_loss(body, value)
    if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
            and value.func.attr.value == "minimize"):
        return None
    receiver = value.func.value
    made = body.f.call_name(receiver)
    if _vocab.is_tf1_optimizer(made):  # tf.train.XOptimizer(...).minimize(loss)
        optimizer(body, receiver, made)
    elif not (isinstance(receiver, cst.Name) and receiver.value in body.optimizers):
        raise Unsupported(value, "minimize on an optimizer the model_fn did not make")
    loss = _tf.argument(value, 0, "loss")
    for arg in value.args:
        if arg.keyword is not None and arg.keyword.value not in ("loss", "global_step"):
            raise Unsupported(value, f"minimize({arg.keyword.value}=...)")
    if loss is None:
        raise Unsupported(value, "minimize without a loss")
    return body.code(loss.value)


# tf.contrib.layers.optimize_loss's optimizer names: TF1's optimizer each stood for
OPTIMIZE_LOSS = {"Adagrad": "AdagradOptimizer({})", "Adam": "AdamOptimizer({})", "Ftrl": "FtrlOptimizer({})",
                  "Momentum": "MomentumOptimizer({}, momentum=0.9)", "RMSProp": "RMSPropOptimizer({})",
                  "SGD": "GradientDescentOptimizer({})"}
OPTIMIZE_LOSS_PARAMS = ("loss", "global_step", "learning_rate", "optimizer", "gradient_noise_scale",
                         "gradient_multipliers", "clip_gradients", "learning_rate_decay_fn", "update_ops",
                         "variables", "name", "summaries", "colocate_gradients_with_ops", "increment_global_step")


def optimize_loss(body, call: cst.Call) -> str:
    """``tf.contrib.layers.optimize_loss(loss, global_step, learning_rate, optimizer, clip_gradients=c)``:
    the Keras optimizer TF1's stood for (``global_clipnorm=c``: TF1 clipped by the global norm too); the loss."""
    given = arguments(call, OPTIMIZE_LOSS_PARAMS, "tf.contrib.layers.optimize_loss with arguments not mapped")
    for key in given:
        if key not in ("loss", "global_step", "learning_rate", "optimizer", "clip_gradients", "name", "summaries",
                       "colocate_gradients_with_ops"):
            raise Unsupported(call, f"tf.contrib.layers.optimize_loss({key}=...)")
    if "loss" not in given or "optimizer" not in given:
        raise Unsupported(call, "tf.contrib.layers.optimize_loss without a loss and an optimizer")
    chosen, rate = given["optimizer"], given.get("learning_rate")
    rate_code = body.code(rate) if rate is not None else None
    made = body.f.call_name(chosen)
    if isinstance(chosen, cst.SimpleString) and chosen.evaluated_value in OPTIMIZE_LOSS and rate_code:
        text = f"{body.f.tf}.train.{OPTIMIZE_LOSS[chosen.evaluated_value].format(rate_code)}"
    elif _vocab.is_tf1_optimizer(body.f.name(chosen)) and rate_code:  # optimizer=tf.train.AdamOptimizer
        text = f"{body.code(chosen)}({rate_code})"
    elif _vocab.is_tf1_optimizer(made) and rate is None:  # optimizer=tf.train.AdamOptimizer(0.01)
        text = body.code(chosen)
    else:
        raise Unsupported(call, "tf.contrib.layers.optimize_loss with an optimizer that is not a TF1 optimizer or "
                                "its name")
    made = body.f.s.expr(text)
    optimizer(body, made, body.f.call_name(made))
    if "clip_gradients" in given:
        body.built_from(given["clip_gradients"], "the gradient clipping")
        keras = body.f.s.expr(body.out.optimizer)
        clip = cst.Arg(given["clip_gradients"], keyword=cst.Name("global_clipnorm"), equal=_tf.EQUAL)
        body.out.optimizer = body.code(keras.with_changes(args=[*keras.args, clip]))
    return body.code(given["loss"])
