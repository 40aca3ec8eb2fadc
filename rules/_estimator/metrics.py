"""The ``tf.metrics`` of a model_fn as Keras metrics of its class.

``acc = tf.metrics.accuracy(labels, predictions)`` -> ``self.acc = tf.keras.metrics.Accuracy(name=...)``
in ``__init__`` and ``self.acc.update_state(labels, predictions)`` where it stood; a metric called
inside ``eval_metric_ops`` (a dict bound to a name or written in the EstimatorSpec) gets one such
line each. The Keras metric is named after its ``eval_metric_ops`` key, which is only known once
the EstimatorSpec is read: ``__init__`` holds ``name=KEY_<attribute>`` until ``keyed`` writes it.

``tf.metrics.mean_per_class_accuracy(labels, predictions, num_classes)`` has no Keras metric: a
``MeanIoU`` gathers the same confusion matrix, and the model's ``per_class_accuracy`` reads TF1's
value from it (each class's correct predictions over its examples, 0 for a class without any,
averaged over every class).
"""
from __future__ import annotations

import json
from typing import Callable, Dict, List, Optional, Tuple

import libcst as cst

from .. import _tf
from .._eager.state import Unsupported
from .._vocab import METRIC_SETTINGS, METRICS_OF_ELEMENTS
from . import vocab
from .program import Facts, string_key

Keys = List[Tuple[str, str]]  # eval_metric_ops's (key, attribute)
PER_CLASS = "metrics.mean_per_class_accuracy"
PER_CLASS_METHOD = '''@staticmethod
def per_class_accuracy(metric):
    """TF1's mean_per_class_accuracy from the confusion matrix (rows: labels) a MeanIoU metric gathered."""
    matrix = tf.cast(metric.total_cm, tf.float32)
    return tf.reduce_mean(tf.math.divide_no_nan(tf.linalg.diag_part(matrix), tf.reduce_sum(matrix, axis=1)))'''


class Metrics:
    def __init__(self, f: Facts, init: List[str], attribute: Callable[[str], str]) -> None:
        self.f, self.init, self.attribute = f, init, attribute
        self.names: Dict[str, str] = {}  # local name -> attribute
        self.dicts: Dict[str, Keys] = {}  # local name -> the keys of the eval_metric_ops dict bound to it
        self.results: Dict[str, str] = {}  # attribute -> the code of its value, where it is not .result()

    def metric(self, target: str, call: cst.Call, name: str, base: Optional[str] = None) -> cst.BaseSmallStatement:
        """``target = tf.metrics.X(...)``: the metric built in __init__, its update_state statement here."""
        keras, params = vocab.METRICS[name] if name != PER_CLASS else ("MeanIoU", ("labels", "predictions",
                                                                                   "num_classes"))
        values = [_tf.argument(call, i, p) for i, p in enumerate(params)]
        if any(v is None for v in values) or len([a for a in call.args if a.keyword is None or a.keyword.value
                                                   not in ("name",)]) != len(params):
            raise Unsupported(call, f"tf.{name} with weights or options")
        attr = self.attribute(base or target)
        self.names[target] = attr
        built, named = "", f"KEY_{attr}"
        if name == PER_CLASS:  # its confusion matrix, of num_classes rows
            built, named = f"{self.f.s.code(values.pop().value)}, ", f"KEY_{attr}_matrix"
            self.results[attr] = f"self.per_class_accuracy(self.{attr})"
        if name in METRIC_SETTINGS:
            built += f"{METRIC_SETTINGS[name]}, "
        self.init.append(f"self.{attr} = {self.f.tf}.keras.metrics.{keras}({built}name={named})")
        args = ", ".join(self.f.s.code(v.value) if name not in METRICS_OF_ELEMENTS
                         else f"{self.f.tf}.reshape({self.f.s.code(v.value)}, [-1, 1])" for v in values)
        return cst.Expr(self.f.s.expr(f"self.{attr}.update_state({args})"))

    def is_dict(self, value) -> bool:
        """A dict literal of ``"key": tf.metrics.X(...)`` or of names bound to such results."""
        return isinstance(value, cst.Dict) and bool(value.elements) and all(
            string_key(e) is not None and (isinstance(e.value, cst.Name) and e.value.value in self.names
                                           or self.f.call_name(e.value) in (*vocab.METRICS, PER_CLASS))
            for e in value.elements)

    def of_dict(self, value: cst.Dict) -> Tuple[List[cst.BaseSmallStatement], Keys]:
        """The update_state statements of the metrics a dict makes in place, and its keys."""
        updates, keys = [], []
        for element in value.elements:
            key = string_key(element)
            if isinstance(element.value, cst.Name):
                keys.append((key, self.names[element.value.value]))
                continue
            pseudo = f"{key}[]"  # a metric with no local name: a name no code can use
            updates.append(self.metric(pseudo, element.value, self.f.call_name(element.value), key))
            keys.append((key, self.names[pseudo]))
        return updates, keys

    def of_spec(self, spec: cst.BaseExpression) -> Tuple[List[cst.BaseSmallStatement], Optional[Keys]]:
        """A returned ``EstimatorSpec(..., eval_metric_ops=...)``: the updates its dict makes in place and its
        keys (None: no eval_metric_ops, or not a dict of tf.metrics results)."""
        if not isinstance(spec, cst.Call) or self.f.call_name(spec) != "estimator.EstimatorSpec":
            return [], None
        given = _tf.argument(spec, 4, "eval_metric_ops")
        if given is None:
            return [], None
        if isinstance(given.value, cst.Name):
            return [], self.dicts.get(given.value.value)
        if self.is_dict(given.value):
            return self.of_dict(given.value)
        return [], None


def keyed(init: List[str], keys: Keys) -> List[str]:
    """``__init__``'s lines with each metric named after its eval_metric_ops key (a confusion matrix: not the
    key, or Keras would report the metric's own result under it)."""
    names = dict((attr, key) for key, attr in keys)
    lines = []
    for line in init:
        for attr, key in names.items():
            line = line.replace(f"name=KEY_{attr}_matrix)", f"name={json.dumps(key + '/confusion_matrix')})")
            line = line.replace(f"name=KEY_{attr})", f"name={json.dumps(key)})")
        lines.append(line)
    return lines
