"""``tf.metrics`` in a graph program: streaming metrics become Keras metrics.

    accuracy = tf.metrics.accuracy(labels=y, predictions=tf.argmax(output, 1))[1]
    ...
    _, acc = sess.run([train_op, accuracy], {x: x_data, y: y_data})

TF1's ``tf.metrics.accuracy`` made two local variables (a total and a count) and returned the
metric's value and its update op, which adds a batch and returns the value after it. It becomes
a Keras metric made where the TF1 metric was, a function for the update op that updates it and
returns its result, and one for the value that returns the result:

    accuracy_metric = tf.keras.metrics.Accuracy()

    def accuracy(x, y):
        accuracy_metric.update_state(y, tf.argmax(output(x), 1))
        return accuracy_metric.result()

``tf.local_variables_initializer()`` (run once, before any update) has nothing left to do. The
update op is read by runs only: a tensor computed from it would update the metric a second time.
"""
from __future__ import annotations

from typing import List, Optional

import libcst as cst

from .. import _tf
from .._vocab import METRIC_SETTINGS, METRICS, METRICS_OF_ELEMENTS
from . import feeds, queries, tensors
from .plan import Out
from .state import Rewrite, Unsupported


def metric_call(s: Rewrite, value) -> Optional[cst.Call]:
    """The ``tf.metrics.X(...)`` call ``value`` is or indexes."""
    if isinstance(value, cst.Subscript):
        value = value.value
    return value if isinstance(value, cst.Call) and s.call_name(value) in METRICS else None


def assignment(s: Rewrite, target, value, line) -> List[Out]:
    """``acc, acc_op = tf.metrics.X(...)`` or ``acc_op = tf.metrics.X(...)[1]`` (``[0]``: the value)."""
    call = metric_call(s, value)
    name = s.call_name(call)
    if isinstance(value, cst.Subscript):
        index = _index(value)
        if index is None or not isinstance(target, cst.Name):
            raise Unsupported(value, f"tf.{name}(...) indexed otherwise than [0] or [1]")
        names = [target.value if index == 0 else None, target.value if index == 1 else None]
    elif isinstance(target, (cst.Tuple, cst.List)) and len(target.elements) == 2 and all(
            isinstance(e.value, cst.Name) for e in target.elements):
        names = [None if queries.is_underscore(e.value) else e.value.value for e in target.elements]
    else:
        raise Unsupported(value, f"the result of tf.{name}(...) is not unpacked into its value and update op")
    keras, params = METRICS[name]
    values = [_tf.argument(call, i, p) for i, p in enumerate(params)]
    extra = [a for a in call.args if a not in values and not (a.keyword is not None and a.keyword.value == "name")]
    if any(v is None for v in values) or extra:
        raise Unsupported(call, f"tf.{name} with weights or options")
    metric = s.fresh(f"{names[0] or names[1]}_metric")
    comments = queries.comment_lines(queries.comments_in(call))
    made = cst.parse_statement(f"{metric} = {s.tf}.keras.metrics.{keras}({METRIC_SETTINGS.get(name, '')})\n")
    out = [Out(made.with_changes(leading_lines=comments))]
    args, needs = [], set()
    for arg in values:
        new, more = tensors.graph_expr(s, arg.value)
        args.append(s.code(new) if name not in METRICS_OF_ELEMENTS else f"{s.tf}.reshape({s.code(new)}, [-1, 1])")
        needs.update(more)
    params_needed = feeds.ordered(s, needs)
    if names[1] is not None:  # the update op
        func = s.function_name(names[1])
        tensors.define(s, names[1], params_needed, "tensor", func)
        s.metric_updates.add(names[1])
        lines = [feeds.signature(s, params_needed)] if params_needed else []
        lines += [f"def {func}({feeds.parameters(s, params_needed)}):",
                  f"{s.indent}{metric}.update_state({', '.join(args)})",
                  f"{s.indent}return {metric}.result()"]
        out.append(s.function(lines, line))
    if names[0] is not None:  # the value
        func = s.function_name(names[0])
        tensors.define(s, names[0], (), "tensor", func)
        out.append(s.function([f"def {func}():", f"{s.indent}return {metric}.result()"], line))
    return out


def _index(value: cst.Subscript) -> Optional[int]:
    if len(value.slice) != 1 or not isinstance(value.slice[0].slice, cst.Index):
        return None
    index = value.slice[0].slice.value
    if isinstance(index, cst.Integer) and index.value in ("0", "1"):
        return int(index.value)
    return None
