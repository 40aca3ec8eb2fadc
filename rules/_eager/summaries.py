"""Summaries: TF1's summary ops, merged and written by a FileWriter, as TF2 summary writing.

``tf.summary.scalar("loss", cost)`` is remembered until it is merged: by
``tf.summary.merge_all()`` (the summaries of a collection: ``collections=["train"]``
and ``merge_all("train")``) or ``tf.summary.merge([loss_summary, ...])``. Each merge
becomes a ``tf.function`` returning the summaries' values and one that writes them
with a TF2 file writer (``tf.summary.create_file_writer``);
``writer.add_summary(summary, step)`` calls the writer function of the merge whose
run gave ``summary``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

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


@dataclass
class Entry:
    """A summary op: what TF2 writes for it, and where TF1 listed it."""

    kind: str  # summary.scalar, ...
    label: str  # its name, as code
    value: cst.BaseExpression
    params: Tuple[str, ...]  # the placeholders it reads
    extra: str  # the keywords TF2 takes too (", max_outputs=3")
    collections: Tuple[str, ...]  # the graph collections it joined
    name: Optional[str]  # the name it was bound to


def summary(s: Rewrite, call: cst.Call, kind: str, single: Optional[str] = None) -> None:
    """``tf.summary.scalar(name, tensor)``: remembered until the summaries are merged. TF2 takes
    ``max_outputs`` / ``sample_rate`` too; ``family`` only as None; ``collections`` (string literals,
    ``tf.GraphKeys.SUMMARIES``) decide which ``merge_all`` takes it."""
    label = _tf.argument(call, 0, "name")
    tensor = _tf.argument(call, 1, "tensor") or _tf.argument(call, 1, "values")
    if label is None or tensor is None or any(a.star for a in call.args):
        raise Unsupported(call, f"tf.{kind} with arguments beyond a name and a value")
    options = OPTIONS.get(kind, ())
    extra, collections = "", (SUMMARIES,)
    for key, arg in _tf.by_parameter(call, ("name", "tensor", *options)):
        if key in ("name", "tensor") or (arg.keyword is not None and arg.keyword.value == "values"):
            continue
        if key in KEPT:
            value = fetches.rewrite(s, arg.value)
            if queries.names_in(value) & s.b.graph_names():
                raise Unsupported(arg, f"tf.{kind} with a {key} computed in the graph")
            extra += f", {key}={s.code(value)}"
        elif key == "collections" and not _none(arg.value):
            collections = _collections(s, kind, arg.value)
        elif not (key in options and _none(arg.value)):
            raise Unsupported(call, f"tf.{kind} with arguments beyond a name and a value")
    value, params = tensors.graph_expr(s, tensor.value)
    if isinstance(tensor.value, cst.Name) and s.b.is_variable(tensor.value.value):
        value = s.expr(f"{s.tf}.identity({s.code(value)})")  # the value now, not the variable
    s.summaries.append(Entry(kind, s.code(label.value), value, params, extra, collections, single))


SUMMARIES = "summaries"  # tf.GraphKeys.SUMMARIES
MERGED_NONE = "tf.summary.merge_all before any summary"


def _none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


def _key(s: Rewrite, node: cst.BaseExpression) -> Optional[str]:
    """A collection's name: a string literal or ``tf.GraphKeys.SUMMARIES``."""
    if isinstance(node, cst.SimpleString):
        return node.evaluated_value
    if s.tf_name(node) == "GraphKeys.SUMMARIES":
        return SUMMARIES
    return None


def _collections(s: Rewrite, kind: str, node: cst.BaseExpression) -> Tuple[str, ...]:
    keys = [_key(s, e.value) for e in node.elements] if isinstance(node, (cst.List, cst.Tuple)) else [None]
    if None in keys:
        raise Unsupported(node, f"tf.{kind} into collections that are not named by string literals")
    return tuple(keys)


def _merged_entries(s: Rewrite, call: cst.Call, kind: str) -> List[Entry]:
    """The summaries a merge takes, in TF1's order."""
    if kind == "summary.merge_all":
        key_arg, scope = _tf.argument(call, 0, "key"), _tf.argument(call, 1, "scope")
        others = [a for a in call.args if a.keyword is not None and a.keyword.value not in ("key", "scope", "name")]
        if others or (scope is not None and not _none(scope.value)):
            raise Unsupported(call, "tf.summary.merge_all with a scope")
        key = SUMMARIES if key_arg is None or _none(key_arg.value) else _key(s, key_arg.value)
        if key is None:
            raise Unsupported(call, "tf.summary.merge_all of a collection not named by a string literal")
        entries = [e for e in s.summaries if key in e.collections]
        if not entries:
            raise Unsupported(call, MERGED_NONE)
        return entries
    inputs = _tf.argument(call, 0, "inputs")
    if inputs is None or not isinstance(inputs.value, (cst.List, cst.Tuple)) or not inputs.value.elements:
        raise Unsupported(call, "tf.summary.merge of something other than a list of summaries")
    entries: List[Entry] = []
    for element in inputs.value.elements:
        node = element.value
        name = node.value if isinstance(node, cst.Name) and not isinstance(element, cst.StarredElement) else None
        own = [e for e in s.summaries if name is not None and e.name == name]
        merge = s.summary_merges.get(name) if name is not None else None
        if own:
            entries.append(own[-1])
        elif merge is not None:
            entries += merge
        else:
            raise Unsupported(node, "tf.summary.merge of something that is not a summary of this program")
    return entries


def merged(s: Rewrite, name: str, call: cst.Call, kind: str, line) -> List[Out]:
    """The merged summary: a function of the summaries' values, and one that writes them.

    Both are tf.functions: an eager histogram costs milliseconds, and a
    program writes its summaries at every step.
    """
    if kind == "summary.merge_all" and not s.summaries and len(queries.uses_of(s.module, name)) == 1:
        # No summary at all: TF1's merge_all returned None, which nothing reads; the statement goes.
        s.b.rebind(name)
        return []
    entries = _merged_entries(s, call, kind)
    params = feeds.ordered(s, {p for e in entries for p in e.params})
    indent = s.indent
    func_name = s.function_name(name)
    lines = [feeds.decorator(s, params), f"def {func_name}({feeds.parameters(s, params)}):", f"{indent}return ["]
    lines += [f"{indent}{indent}{s.code(e.value)}," for e in entries]
    lines.append(f"{indent}]")
    s.b.rebind(name)
    s.b.bind(name, B.TENSOR, Tensor(name, params, "summary", func_name))
    s.summary_merges[name] = entries
    out = [s.function(lines, line)]
    writer_name = s.fresh(f"write_{func_name}")
    # Parameters, so plain names do, unless a summary's label reads a global of that name.
    in_labels = set().union(*(queries.names_in(s.expr(e.label)) for e in entries))
    writer, values, step = (fresh_name(set(in_labels), base) for base in ("writer", "values", "step"))
    lines = [f"@{s.tf}.function", f"def {writer_name}({writer}, {values}, {step}):",
             f"{indent}with {writer}.as_default(step={step}):"]
    lines += [f"{indent}{indent}{s.tf}.{e.kind}({e.label}, {values}[{i}]{e.extra})" for i, e in enumerate(entries)]
    s.summary_writers[func_name] = writer_name
    out.append(s.function(lines, None))
    return out


def _writer_of(s: Rewrite, node: cst.BaseExpression) -> Optional[str]:
    """The writer of the merged summary whose value ``node`` holds: a name a run bound to it, or the
    run itself (``sess.run(merged, feed_dict)``)."""
    if isinstance(node, cst.Name):
        return s.summary_values.get(node.value)
    if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "run"
            and isinstance(node.func.value, cst.Name) and s.b.is_(node.func.value.value, B.SESSION)):
        return None
    fetch = _tf.argument(node, 0, "fetches")
    return _merge_writer(s, fetch.value) if fetch is not None else None


def _merge_writer(s: Rewrite, node: cst.BaseExpression) -> Optional[str]:
    """The writer of the merged summary ``node`` names, if it names one."""
    if not isinstance(node, cst.Name) or s.b.kind(node.value) != B.TENSOR:
        return None
    tensor = s.b.get(node.value, B.TENSOR)
    return s.summary_writers.get(tensor.func) if tensor.kind == "summary" else None


def forget(s: Rewrite, name: str) -> None:
    """``name`` is assigned again: it no longer holds a summary op, a merged summary or its values (the
    handler of the assignment binds it again if it still does)."""
    s.summary_values.pop(name, None)
    s.summary_merges.pop(name, None)
    for entry in s.summaries:
        if entry.name == name:
            entry.name = None


def fetched(s: Rewrite, targets, fetched_node) -> None:
    """``_, summary = sess.run([train, merged])``: ``summary`` now holds the values ``merged``'s writer
    writes (what the assignment's names held before, ``forget`` dropped)."""
    if targets is None:
        return
    pairs = [(targets, fetched_node)]
    if isinstance(targets, (cst.Tuple, cst.List)) and isinstance(fetched_node, (cst.Tuple, cst.List)) and len(
            targets.elements) == len(fetched_node.elements):
        pairs = [(t.value, f.value) for t, f in zip(targets.elements, fetched_node.elements)]
    for target, node in pairs:
        writer = _merge_writer(s, node)
        if isinstance(target, cst.Name) and writer is not None:
            s.summary_values[target.value] = writer


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
    value = summary_arg.value
    function = _writer_of(s, value)
    if function is None and len(s.summary_writers) == 1:
        function = next(iter(s.summary_writers.values()))
    if function is None:
        raise Unsupported(call, "add_summary() of a value not fetched from one of the program's merged summaries")
    writer = call.func.value.value
    step_code = s.code(fetches.rewrite(s, step.value))
    # The step as a tensor: a Python int would trace the function again at every step.
    code = f"{function}({writer}, {s.code(fetches.rewrite(s, value))}, {s.tf}.cast({step_code}, {s.tf}.int64))"
    return [Out(small.with_changes(value=s.expr(code)))]
