"""The Keras optimizer of a canned estimator: its default, a name, a tf.train optimizer built in the call
or bound to a name, or a lambda returning one; one made from the locals of the function that builds the
estimator, or bound to a name, is made there and given to the model's ``__init__``."""
from __future__ import annotations

import json
from typing import Dict

import libcst as cst

from tfmigrate.names import function_locals

from .._eager import queries, training
from .._eager.state import Unsupported
from .program import Facts


def chosen(f: Facts, item, given, key: str, default: str, default_rate: str, rate: object,
           params: Dict[str, str]) -> str:
    """The optimizer's code in the model class: its Keras optimizer, or the ``__init__`` parameter given it."""
    return _given_to_init(f, item, key, _optimizer(f, given, key, default, default_rate, rate), params)


# The optimizer names a canned estimator takes: TF1 made that tf.train optimizer at the estimator's learning rate.
OPTIMIZER_NAMES = {"Adagrad": "Adagrad", "Adam": "Adam", "Ftrl": "Ftrl", "RMSProp": "RMSProp", "SGD": "GradientDescent"}


def _optimizer(f: Facts, given, key: str, default: str, default_rate: str, rate: object) -> str:
    """The Keras optimizer of a canned estimator's ``optimizer=``: its default (``default`` at ``default_rate``),
    a name (at the estimator's learning rate ``rate``), a tf.train optimizer, or a lambda returning one."""
    value = given.get(key)
    if value is None or f.s.code(value) in (json.dumps(default), repr(default)):
        value = f.s.expr(f"{f.tf}.train.{default}Optimizer(learning_rate={default_rate})")
    elif isinstance(value, cst.SimpleString) and value.evaluated_value in OPTIMIZER_NAMES:
        value = f.s.expr(f"{f.tf}.train.{OPTIMIZER_NAMES[value.evaluated_value]}Optimizer(learning_rate={rate})")
    elif isinstance(value, cst.Lambda) and not value.params.params:  # TF1 called it for the optimizer
        value = value.body
    elif isinstance(value, cst.Name):
        return _named(f, value)
    name = f.call_name(value)
    if isinstance(value, cst.Call) and name in training._vocab.OPTIMIZERS:
        return f.s.code(training.keras_optimizer(f.s, value, name))
    if isinstance(value, cst.Call) and name is not None and name.startswith("train.") and name.endswith("Optimizer"):
        raise Unsupported(value, f"tf.{name} has no Keras 3 optimizer that updates as it did")
    raise Unsupported(value, "an optimizer that is not a tf.train optimizer built here (or its default)")


def _named(f: Facts, value: cst.Name) -> str:
    """``optimizer = tf.train.AdamOptimizer(...)``, then ``optimizer=optimizer``: the binding makes the Keras
    optimizer, when the estimator is all that reads the name."""
    bound = f.value_of(value)
    name = f.call_name(bound) if isinstance(bound, cst.Call) else None
    if name not in training._vocab.OPTIMIZERS:
        raise Unsupported(value, f"optimizer {value.value} that is not bound once to a tf.train optimizer")
    uses = queries.find(f.module, cst.Name, lambda n: n.value == value.value, values=True)
    if len(uses) != 2:  # the binding and the estimator's argument
        raise Unsupported(value, f"optimizer {value.value} read by more than the estimator")
    f.optimizers[id(bound)] = training.keras_optimizer(f.s, bound, name)
    return value.value


def _given_to_init(f: Facts, item, key: str, code: str, params: Dict[str, str]) -> str:
    """The Keras optimizer of an estimator built in a function, when it reads the function's locals
    (``tf.train.AdamOptimizer(learning_rate=learning_rate)``), or bound to a name: made where the model
    is built and given to ``__init__`` (the model class is written at module level)."""
    names = queries.names_in(f.s.expr(code))
    if not code.isidentifier() and (item.scope is None or "keys" in names or not names & function_locals(item.scope)):
        return code  # (an optimizer bound to a name is given to __init__ too, wherever it is bound)
    params[key] = code
    return key
