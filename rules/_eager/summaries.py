"""Summaries: TF1's summary ops, merged and written by a FileWriter, as TF2 summary writing.

``tf.summary.scalar("loss", cost)`` is remembered until ``tf.summary.merge_all()``,
which becomes a ``tf.function`` returning the summaries' values and one that writes
them with a TF2 file writer (``tf.summary.create_file_writer``);
``writer.add_summary(summary, step)`` calls the writer function.
"""
from __future__ import annotations

from typing import List, Optional

import libcst as cst

from tfmigrate.names import fresh_name

from .. import _tf
from . import bindings as B
from . import feeds, fetches, queries, tensors
from .bindings import Tensor
from .plan import Out
from .state import Rewrite, Unsupported


# TF1 summary -> its parameters after the name and the value.
OPTIONS = {
    "summary.scalar": ("collections", "family"),
    "summary.histogram": ("collections", "family"),
    "summary.image": ("max_outputs", "collections", "family"),
    "summary.text": ("collections",),
    "summary.audio": ("sample_rate", "max_outputs", "collections", "family"),
}
KEPT = ("max_outputs", "sample_rate")  # the ones TF2's summary takes too, under the same name
TENSORBOARD_NOTE = ("TensorFlow 2 writes summaries through the tensorboard package, which the TF1 program did "
                    "not need to run (its summaries were graph ops) and tensorflow-cpu does not install: "
                    "the rewrite needs `pip install tensorboard` where it runs")


def summary(s: Rewrite, call: cst.Call, kind: str) -> None:
    """``tf.summary.scalar(name, tensor)``: remembered until the summaries are merged. TF2 takes
    ``max_outputs`` / ``sample_rate`` too; ``collections`` and ``family`` only as None."""
    label = _tf.argument(call, 0, "name")
    tensor = _tf.argument(call, 1, "tensor") or _tf.argument(call, 1, "values")
    if label is None or tensor is None or any(a.star for a in call.args):
        raise Unsupported(call, f"tf.{kind} with arguments beyond a name and a value")
    options = OPTIONS.get(kind, ())
    extra = ""
    for key, arg in _tf.by_parameter(call, ("name", "tensor", *options)):
        if key in ("name", "tensor") or (arg.keyword is not None and arg.keyword.value == "values"):
            continue
        if key in KEPT:
            value = fetches.rewrite(s, arg.value)
            if queries.names_in(value) & s.b.graph_names():
                raise Unsupported(arg, f"tf.{kind} with a {key} computed in the graph")
            extra += f", {key}={s.code(value)}"
        elif not (key in options and isinstance(arg.value, cst.Name) and arg.value.value == "None"):
            raise Unsupported(call, f"tf.{kind} with arguments beyond a name and a value")
    value, params = tensors.graph_expr(s, tensor.value)
    if isinstance(tensor.value, cst.Name) and s.b.is_variable(tensor.value.value):
        value = s.expr(f"{s.tf}.identity({s.code(value)})")  # the value now, not the variable
    s.summaries.append((kind, s.code(label.value), value, params, extra))


def merged(s: Rewrite, name: str, call: cst.Call, kind: str, line) -> List[Out]:
    """The merged summary: a function of the summaries' values, and one that writes them.

    Both are tf.functions: an eager histogram costs milliseconds, and a
    program writes its summaries at every step.
    """
    if kind == "summary.merge" or call.args:
        raise Unsupported(call, "tf.summary.merge of a chosen list (merge_all is supported)")
    if not s.summaries:
        raise Unsupported(call, "tf.summary.merge_all before any summary")
    params = feeds.ordered(s, {p for _, _, _, ps, _ in s.summaries for p in ps})
    indent = s.indent
    func_name = s.function_name(name)
    lines = [feeds.decorator(s, params), f"def {func_name}({feeds.parameters(s, params)}):", f"{indent}return ["]
    lines += [f"{indent}{indent}{s.code(v)}," for _, _, v, _, _ in s.summaries]
    lines.append(f"{indent}]")
    s.b.rebind(name)
    s.b.bind(name, B.TENSOR, Tensor(name, params, "summary", func_name))
    out = [s.function(lines, line)]
    writer_name = s.fresh(f"write_{func_name}")
    # Parameters, so plain names do, unless a summary's label reads a global of that name.
    in_labels = set().union(*(queries.names_in(s.expr(label)) for _, label, _, _, _ in s.summaries))
    writer, values, step = (fresh_name(set(in_labels), base) for base in ("writer", "values", "step"))
    lines = [f"@{s.tf}.function", f"def {writer_name}({writer}, {values}, {step}):",
             f"{indent}with {writer}.as_default(step={step}):"]
    lines += [f"{indent}{indent}{s.tf}.{k}({label}, {values}[{i}]{extra})"
              for i, (k, label, _, _, extra) in enumerate(s.summaries)]
    s.summary_writers.append(writer_name)
    out.append(s.function(lines, None))
    return out


def file_writer(s: Rewrite, node: cst.Assign, value: cst.Call, single: str) -> List[Out]:
    """``writer = tf.summary.FileWriter(logdir[, graph])`` -> a TF2 file writer."""
    logdir = _tf.argument(value, 0, "logdir")
    if logdir is None:
        raise Unsupported(value, "tf.summary.FileWriter without a log folder")
    s.b.rebind(single)
    s.b.bind(single, B.WRITER)
    s.note(value, TENSORBOARD_NOTE)
    code = s.code(fetches.rewrite(s, logdir.value))
    return [Out(node.with_changes(value=s.expr(f"{s.tf}.summary.create_file_writer({code})")))]


def writer_call(s: Rewrite, call: cst.Call, method: str, small: cst.Expr) -> Optional[List[Out]]:
    """``writer.add_summary(summary, step)`` and friends on a TF2 file writer."""
    if method == "add_graph":
        return None  # an eager program has no graph to show
    if method in ("close", "flush"):
        return [Out(small)]
    if method != "add_summary":
        raise Unsupported(call, f"FileWriter.{method}()")
    summary_arg = _tf.argument(call, 0, "summary")
    step = _tf.argument(call, 1, "global_step")
    if summary_arg is None or step is None:
        raise Unsupported(call, "add_summary() without a summary and a step")
    if len(s.summary_writers) != 1:
        raise Unsupported(call, "add_summary() in a program that merges its summaries more than once")
    writer = call.func.value.value
    step_code = s.code(fetches.rewrite(s, step.value))
    # The step as a tensor: a Python int would trace the function again at every step.
    code = (f"{s.summary_writers[0]}({writer}, {s.code(fetches.rewrite(s, summary_arg.value))}, "
            f"{s.tf}.cast({step_code}, {s.tf}.int64))")
    return [Out(small.with_changes(value=s.expr(code)))]
