"""Variables of a model_fn: ``tf.get_variable`` and the ``with tf.variable_scope("name"):`` blocks around it.

TF1 named a variable by the scopes open where it was made (``hidden/w``); the
model class makes each one once in ``__init__`` (``self.w = self.add_weight(name="w", ...)``:
Keras 3 names hold no ``/``), and ``get_variable_value("hidden/w")`` reads the attribute TF1's
full name maps to. A plain scope (a literal name, nothing else) only names: its block's
statements take its place. One with other arguments (``reuse``, ``default_name``, ``values``)
stays, and the rewrite stops at it.
"""
from __future__ import annotations

from typing import Optional

import libcst as cst

from .._eager.state import Unsupported
from .program import Facts


def opened(f: Facts, node: cst.With) -> Optional[str]:
    """The name ``with tf.variable_scope("name"):`` opens, else None."""
    if len(node.items) != 1 or node.items[0].asname is not None or node.asynchronous:
        return None
    call = node.items[0].item
    if not (isinstance(call, cst.Call) and f.call_name(call) == "variable_scope" and len(call.args) == 1):
        return None
    arg = call.args[0]
    keyword = arg.keyword.value if arg.keyword is not None else None
    if keyword not in (None, "name_or_scope") or not isinstance(arg.value, cst.SimpleString):
        return None
    return arg.value.evaluated_value


def unwrapped(updated: cst.With) -> cst.FlattenSentinel:
    """The block's statements in the ``with`` statement's place (its blank lines and comments first)."""
    body = list(updated.body.body)
    if not body:
        return cst.RemoveFromParent()
    first = body[0].with_changes(leading_lines=[*updated.leading_lines, *body[0].leading_lines])
    return cst.FlattenSentinel([first, *body[1:]])


def variable(body, call: cst.Call) -> cst.BaseExpression:
    """``tf.get_variable("w", shape, ...)``: ``self.w``, added as a weight in ``__init__``; ``body`` is the
    model_fn's converter (its attributes, scopes and the lines of ``__init__``)."""
    if body.loop:
        raise Unsupported(call, "tf.get_variable inside a loop")
    known = ("name", "shape", "dtype", "initializer", "trainable")
    args = {known[i]: a.value for i, a in enumerate(a for a in call.args if a.keyword is None)}
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword.value not in known:
                raise Unsupported(call, f"tf.get_variable({arg.keyword.value}=...)")
            args[arg.keyword.value] = arg.value
    label = args.get("name")
    if not isinstance(label, cst.SimpleString) or "shape" not in args:
        raise Unsupported(call, "tf.get_variable without a literal name and a shape")
    attr = body.attribute(label.evaluated_value)
    parts = [f"name={body.code(label)}", f"shape={body.convert(args['shape'])}"]
    init = args.get("initializer")
    quote = '"' if body.code(label).startswith('"') else "'"  # as the name is written
    parts.append(f"initializer={body.convert(init) if init is not None else quote + 'glorot_uniform' + quote}")
    for key in ("dtype", "trainable"):
        if key in args:
            parts.append(f"{key}={body.convert(args[key])}")
    body.out.init.append(f"self.{attr} = self.add_weight({', '.join(parts)})")
    body.out.variables[body.scoped(label.evaluated_value)] = attr
    return body.f.s.expr(f"self.{attr}")
