"""What a TF1 expression meant where its TensorFlow 2 spelling computes something else.

- ``tf.nn.softmax_cross_entropy_with_logits``: TF1's sent no gradient into its labels, TensorFlow 2's
  does; labels computed from variables are held with ``tf.stop_gradient`` (``labels_held``);
- a branch of ``tf.cond`` (``case``, ``while_loop``) reading an assign made outside it: TF1 ran the assign at
  each run, whichever branch was taken (``updates_outside`` refuses it);
- ``tf.Print(x, data, message)``: an identity op that printed ``message`` and ``data`` (to stderr, 3 entries of
  each) whenever ``x`` was computed. TensorFlow 2 prints with ``tf.print``, a statement: a small function written
  into the file prints and hands ``x`` back (``printed``).
"""
from __future__ import annotations

from typing import Set

import libcst as cst

from .. import _tf
from . import bindings as B
from . import queries
from .state import Rewrite, Unsupported

BRANCHING = ("cond", "case", "while_loop", "switch_case")


def updates_outside(s: Rewrite, call: cst.Call, name: str) -> None:
    """``tf.cond(p, lambda: assign_op, ...)`` of an assign made outside the branch: TF1 ran it at each run
    whichever branch was taken (the op is outside the cond); the rewrite's branch would call its function
    only when taken."""
    for function in queries.find(call, cst.Lambda):
        for read in queries.names_in(function.body):
            tensor = s.b.get(read, B.TENSOR)
            if tensor is not None and (tensor.update is not None or tensor.kind == "op"):
                raise Unsupported(call, f"tf.{name} with a branch that reads {read}, an assign made outside it "
                                        "(TF1 ran it at each run, whichever branch was taken)")


def labels_held(s: Rewrite, original: cst.Call, updated: cst.Call) -> cst.Call:
    """TF1's ``softmax_cross_entropy_with_logits`` sent no gradient into its labels; TensorFlow 2's does: labels
    computed from variables (a teacher's softmax) are held with ``tf.stop_gradient``, as TF1 held them."""
    labels = _tf.argument(original, None, "labels")
    if labels is None or not _reads_variables(s, labels.value, set()):
        return updated
    return updated.with_changes(args=[a.with_changes(value=s.expr(f"{s.tf}.stop_gradient({s.code(a.value)})"))
                                      if a.keyword is not None and a.keyword.value == "labels" else a
                                      for a in updated.args])


def _reads_variables(s: Rewrite, value: cst.BaseExpression, seen: Set[str]) -> bool:
    for name in queries.names_in(value) - seen:
        seen.add(name)
        kind = s.b.kind(name)
        if kind in B.VARIABLE_KINDS:
            return True
        tensor = s.b.get(name, B.TENSOR) if kind == B.TENSOR else None
        if kind == B.TENSOR and (tensor.source is None or _reads_variables(s, tensor.source, seen)):
            return True
    return False


_PRINTED = '''def {name}(value, data, message="", summarize=3):
    """TF1's tf.Print: print message and data (to stderr) each time value is computed, and hand value back."""
    {tf}.print(message, *data, summarize=summarize)
    return value
'''


def printed(s: Rewrite, original: cst.Call, updated: cst.Call) -> cst.Call:
    """``tf.Print(x, [x], message="x: ")`` -> a call of the printing function written into the file."""
    given = dict(_tf.by_parameter(updated, ("input_", "data", "message", "first_n", "summarize", "name")))
    if "input_" not in given or "data" not in given or any(a.star for a in updated.args) or (
            "first_n" in given and s.code(given["first_n"].value) not in ("None", "-1")):
        raise Unsupported(original, "tf.Print with arguments this rewrite does not know (first_n: the first runs only)")
    name = s.helper("printed", "print_and_return", _PRINTED)
    args = [cst.Arg(given[key].value, keyword=cst.Name(key) if key in ("message", "summarize") else None,
                    equal=_tf.EQUAL if key in ("message", "summarize") else cst.MaybeSentinel.DEFAULT)
            for key in ("input_", "data", "message", "summarize") if key in given and not (
                key == "summarize" and s.code(given[key].value) == "None")]
    return updated.with_changes(func=cst.Name(name), args=args)


CALLS = {"Print": printed}
