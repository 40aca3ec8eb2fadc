"""Name scopes around what a model function makes: ``with tf.name_scope(layer_name): with
tf.name_scope("weights"): W = tf.Variable(..., name="W")``. The module rewrite takes the blocks away
(``modules._flatten``); a ``tf.Variable`` keeps the name TF1 gave it (``layer_name + "/weights/W"``),
while ``tf.get_variable`` and layers, whose names TF1 did not scope, keep theirs."""
from __future__ import annotations

from typing import List, Optional, Tuple

import libcst as cst

from .. import _tf
from . import scopes
from .state import Rewrite, Unsupported


def parts(s: Rewrite, stmt) -> Optional[Tuple[str, ...]]:
    """The names (as code) of ``with tf.name_scope(a), tf.name_scope(b):``, or None for another statement."""
    if not isinstance(stmt, cst.With) or not isinstance(stmt.body, cst.IndentedBlock):
        return None
    found = []
    for item in stmt.items:
        call = item.item
        if item.asname is not None or s.call_name(call) != "name_scope" or not call.args:
            return None
        name = _tf.argument(call, 0, "name")
        if name is None or len(call.args) > 1 or not isinstance(name.value, (cst.SimpleString, cst.Name)):
            return None
        found.append(s.code(name.value))
    return tuple(found)


def named(s: Rewrite, stmt: cst.SimpleStatementLine, scoped: Tuple[str, ...]) -> cst.SimpleStatementLine:
    """A ``tf.Variable`` made under name scopes the rewrite takes away keeps the name TF1 gave it
    (``name=layer_name + "/weights/W"``); ``tf.get_variable`` and layers ignored name scopes."""
    assign = stmt.body[0] if len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign) else None
    if assign is None or s.call_name(assign.value) != "Variable":
        return stmt
    arg = scopes.name_argument("Variable", assign.value)
    given = "'Variable'" if arg is None else s.code(arg.value)
    pieces: List[str] = []
    text = ""
    for part in (*scoped, given):
        value = scopes.literal(s.expr(part)) if not part.isidentifier() else None
        if value is None and not part.isidentifier():
            raise Unsupported(assign.value, f"a tf.Variable named {part} under a name scope")
        if value is not None:
            text += value + "/"
            continue
        if text:
            pieces.append(repr(text))
        pieces.append(part)
        text = "/"
    text = text[:-1]
    if text:
        pieces.append(repr(text))
    call = with_arg(s, assign.value, arg, None, "name", s.expr(" + ".join(pieces)))
    return stmt.with_changes(body=[assign.with_changes(value=call)])


def with_arg(s: Rewrite, call: cst.Call, arg, position, key: str, value) -> cst.Call:
    """``call`` with ``arg`` given ``value``, or with ``key=value`` added."""
    if arg is not None:
        return call.with_changes(args=[a.with_changes(value=value) if a is arg else a for a in call.args])
    args = list(call.args)
    if args:
        args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
    args.append(cst.Arg(value, keyword=cst.Name(key), equal=_tf.EQUAL))
    return call.with_changes(args=args)
