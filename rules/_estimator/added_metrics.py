"""``tf.contrib.estimator.add_metrics(estimator, metric_fn)`` of a canned estimator: its Keras model's own metrics.

The Google Cloud ML courses add an RMSE to a canned regressor this way::

    def my_rmse(labels, predictions):
        pred_values = predictions['predictions']
        return {'rmse': tf.metrics.root_mean_squared_error(labels, pred_values)}

    model = tf.estimator.DNNRegressor(...)
    model = tf.contrib.estimator.add_metrics(model, my_rmse)

The estimator's evaluation then reported ``rmse`` beside its own metrics. The canned estimator's Keras
model makes the same Keras metric in ``__init__`` (``tf.keras.metrics.RootMeanSquaredError(name="rmse")``)
and updates it in ``test_step`` with the labels and the prediction the metric read (a regressor's
``predictions``: its logits; a classifier's ``class_ids`` or ``probabilities``). The ``add_metrics``
statement goes, and the metric function with it once nothing else reads it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import libcst as cst

from .._eager import queries
from .._eager.state import Unsupported
from . import vocab
from .program import Facts, arguments, string_key, subscript_key

ADD_METRICS = ("contrib.estimator.add_metrics", "estimator.add_metrics")


@dataclass
class Added:
    """One metric a metric_fn adds: its key, its Keras class, what it reads of the predictions."""

    key: str
    keras: str
    prediction: str  # the predictions' key: "predictions", "class_ids", "probabilities", "logistic"


def call_of(f: Facts, value: cst.BaseExpression) -> Optional[Tuple[str, str]]:
    """(estimator name, metric function name) of ``add_metrics(estimator, metric_fn)``, else None."""
    if not isinstance(value, cst.Call) or f.call_name(value) not in ADD_METRICS:
        return None
    problem = "add_metrics of something other than an estimator's name and a function's"
    given = arguments(value, ("estimator", "metric_fn"), problem)
    est, fn = given.get("estimator"), given.get("metric_fn")
    if set(given) != {"estimator", "metric_fn"} or not isinstance(est, cst.Name) or not isinstance(fn, cst.Name):
        raise Unsupported(value, problem)
    return est.value, fn.value


def metrics_of(f: Facts, call: cst.Call, function: str) -> List[Added]:
    """The metrics ``function`` (the metric_fn) returns: ``{"rmse": tf.metrics.X(labels, predictions[key])}``."""
    func = f.functions.get(function)
    if func is None or not isinstance(func.body, cst.IndentedBlock):
        raise Unsupported(call, f"add_metrics with {function}, not a function of this file")
    names = [p.name.value for p in func.params.params]
    if len(names) < 2 or names[:2] != ["labels", "predictions"] and len(names) != 2:
        raise Unsupported(func, "a metric_fn that does not take (labels, predictions)")
    labels, predictions = names[0], names[1]
    picked: Dict[str, str] = {}  # a local bound to predictions[key]
    *statements, last = queries.without_docstring(func.body.body)
    for stmt in statements:
        small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 else None
        key = subscript_key(_unsqueezed(f, small.value), predictions) if isinstance(small, cst.Assign) else None
        if key is None or not isinstance(small.targets[0].target, cst.Name):
            raise Unsupported(stmt, "a metric_fn that computes more than its predictions' entries")
        picked[small.targets[0].target.value] = key
    returned = last.body[0] if isinstance(last, cst.SimpleStatementLine) and len(last.body) == 1 else None
    if not isinstance(returned, cst.Return) or not isinstance(returned.value, cst.Dict):
        raise Unsupported(func, "a metric_fn that does not return a dict of tf.metrics results")
    added = []
    for element in returned.value.elements:
        key, value = string_key(element), element.value
        name = f.call_name(value)
        if key is None or name not in vocab.METRICS or len(value.args) != 2 or any(
                a.keyword is not None and a.keyword.value not in ("labels", "predictions") for a in value.args):
            raise Unsupported(value, "a metric_fn's metric that is not tf.metrics.X(labels, predictions)")
        first, second = value.args[0].value, value.args[1].value
        second = _unsqueezed(f, second)
        read = picked.get(second.value) if isinstance(second, cst.Name) else subscript_key(second, predictions)
        if not (isinstance(first, cst.Name) and first.value == labels) or read is None:
            raise Unsupported(value, "a metric_fn's metric of something other than the labels and a prediction")
        added.append(Added(key, vocab.METRICS[name][0], read))
    return added


def _unsqueezed(f: Facts, node: cst.BaseExpression) -> cst.BaseExpression:
    """``x`` of ``tf.squeeze(x, axis=-1)``: a regressor's predictions, as the labels' shape has them (the
    Keras model computes its metrics on both as (batch, 1))."""
    if isinstance(node, cst.Call) and f.call_name(node) == "squeeze":
        given = {a.keyword.value if a.keyword else ("input", "axis")[i]: a.value for i, a in enumerate(node.args)
                 if i < 2 or a.keyword}
        if set(given) <= {"input", "axis"} and f.s.code(given.get("axis", cst.Name("None"))) in ("-1", "None", "1"):
            return given.get("input", node)
    return node


def for_class(f: Facts, est: str, classifier: bool, units: int, taken) -> Tuple[List[str], List[Tuple[str, str, str]]]:
    """(``__init__`` lines, ``(key, attribute, update arguments)`` of test_step) of the metrics added to the
    estimator bound to ``est``."""
    init, updates = [], []
    for call, added in f.added_metrics.get(est, []):
        for metric in added:
            value = _prediction(metric.prediction, classifier, units)
            if value is None:
                raise Unsupported(call, f"a metric of predictions[{metric.prediction!r}] of this estimator")
            attr = taken(metric.key)
            init.append(f'self.{attr} = {f.tf}.keras.metrics.{metric.keras}(name="{metric.key}")')
            updates.append((metric.key, attr, f"labels, {value}"))
    return init, updates


def _prediction(key: str, classifier: bool, units: int) -> Optional[str]:
    """What test_step computes for a regressor's ``predictions[key]`` (a classifier's: not mapped)."""
    return "logits" if not classifier and key == "predictions" else None
