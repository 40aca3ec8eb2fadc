"""Dropout in runs that fetch more than one value: one mask in TF1, one per function call in the rewrite.

    _, l, a = sess.run([train_op, loss, acc], feed_dict={x: X, y: Y, keep_prob: 0.5})

TF1 computed ``loss`` and ``acc`` in one pass, from one dropout mask. The rewrite computes what a run fetches
besides a train op's loss with the tensors' functions, before the train step, and each function call drops
other units: ``acc`` would be the accuracy of another mask. So each tensor remembers the dropout it reads
(the placeholder that turns it off: a keep probability, a ``training`` flag; or nothing, always on), and a
run that computes two such values apart is refused unless what it feeds turns that dropout off
(``keep_prob: 1.0``, ``is_training: False``), as evaluation runs do.
"""
from __future__ import annotations

from typing import Dict, FrozenSet, Optional

import libcst as cst

from .. import _tf
from . import bindings as B
from . import queries
from .state import Rewrite, Unsupported

ALWAYS = "*"  # a dropout nothing fed turns off
_KEEP, _TRAINING = "keep:", "training:"


def made(s: Rewrite, name: str, value: cst.BaseExpression) -> None:
    """Tensor ``name`` computed as ``value``: the dropout it reads, its own and its inputs'; refused where
    it reads one dropout through two tensors (``probs = tf.nn.softmax(logits)`` beside ``logits``: TF1
    computed one mask; the rewrite's function would call each tensor's, two)."""
    seen: Dict[str, str] = {}
    for node in queries.find(value, cst.Name, values=True):
        for control in s.noise.get(node.value, frozenset()):
            if control in seen:
                both = f"{node.value} read twice" if seen[control] == node.value else (
                    f"{seen[control]} and {node.value} read one dropout")
                raise Unsupported(node, f"{both} in {name} (TF1 computed one mask for both; the rewrite would "
                                        "compute each, each with its own mask)")
            seen[control] = node.value
    found = set(of(s, value))
    if found:
        s.noise[name] = frozenset(found)


def of(s: Rewrite, value: cst.BaseExpression) -> FrozenSet[str]:
    """The dropout computing ``value`` reads: ``keep:<placeholder>``, ``training:<placeholder>`` or ALWAYS."""
    found = set()
    for node in queries.find(value, cst.Name, values=True):
        found |= s.noise.get(node.value, frozenset())
    guarded = _guarded(s, value)
    for call in queries.find(value, cst.Call):
        name = s.call_name(call)
        if name in _DROPOUTS:
            found.add(guarded.get(id(call)) or _control(s, call, name))
        elif isinstance(call.func, cst.Name) and call.func.value in s.p.models:
            found |= _model_controls(s, s.p.models[call.func.value], call)
    found.discard("")
    return frozenset(found)


def _guarded(s: Rewrite, value) -> Dict[int, str]:
    """id of each dropout call in the true branch of ``tf.cond(flag, lambda: ..., ...)`` on a boolean
    placeholder -> ``training:<flag>``: the flag turns it off."""
    found: Dict[int, str] = {}
    for cond in queries.find(value, cst.Call, lambda c: s.call_name(c) == "cond"):
        pred, branch = _tf.argument(cond, 0, "pred"), _tf.argument(cond, 1, "true_fn")
        if pred is None or branch is None or not isinstance(pred.value, cst.Name) or not s.b.is_(
                pred.value.value, B.PLACEHOLDER):
            continue
        for call in queries.find(branch.value, cst.Call):
            found[id(call)] = _TRAINING + pred.value.value
    return found


def _control(s: Rewrite, call: cst.Call, name: str) -> str:
    if name == "nn.dropout":
        rate = _tf.argument(call, None, "rate")
        keep = _tf.argument(call, 1, "keep_prob") if rate is None else None
        value = keep.value if keep is not None else None
        if value is not None and isinstance(value, cst.Name) and s.b.is_(value.value, B.PLACEHOLDER):
            return _KEEP + value.value
        if value is not None and isinstance(value, (cst.Float, cst.Integer)) and float(value.value) == 1.0:
            return ""
        return ALWAYS
    flag = _tf.argument(call, 2 if name == "layers.dropout" else None,
                        "training" if name == "layers.dropout" else "is_training")
    value = flag.value if flag is not None else None
    if value is None or (isinstance(value, cst.Name) and value.value == "False"):
        return "" if name == "layers.dropout" else ALWAYS  # (contrib's trains by default)
    if isinstance(value, cst.Name) and s.b.is_(value.value, B.PLACEHOLDER):
        return _TRAINING + value.value
    return ALWAYS


def _model_controls(s: Rewrite, model, call: cst.Call) -> set:
    """The dropout of a model function's call: a layer's ``training`` (a keep probability) given by a
    parameter is what this call passes for it."""
    found = set()
    for inner in queries.find(model.node, cst.Call, lambda c: s.call_name(c) in _DROPOUTS):
        control = _control(s, inner, s.call_name(inner))
        flag = _tf.argument(inner, 2, "training") if s.call_name(inner) == "layers.dropout" else (
            _tf.argument(inner, 1, "keep_prob") if s.call_name(inner) == "nn.dropout" else None)
        param = flag.value.value if flag is not None and isinstance(flag.value, cst.Name) else None
        if param in model.params:
            given = _tf.argument(call, model.params.index(param), param)
            value = given.value if given is not None else model.defaults.get(param)
            off = isinstance(value, cst.Name) and value.value == "False" or isinstance(
                value, (cst.Float, cst.Integer)) and float(value.value) == 1.0
            on_flag = isinstance(value, cst.Name) and s.b.is_(value.value, B.PLACEHOLDER)
            kind = _TRAINING if s.call_name(inner) == "layers.dropout" else _KEEP
            control = "" if off else (kind + value.value if on_flag else ALWAYS)
        found.add(control)
    found.discard("")
    return found


_DROPOUTS = ("nn.dropout", "layers.dropout", "contrib.layers.dropout")


def active(s: Rewrite, value: cst.BaseExpression, fed: Dict[str, cst.BaseExpression]) -> bool:
    """Does computing ``value`` in a run that feeds ``fed`` drop units?"""
    for control in of(s, value):
        if control == ALWAYS:
            return True
        kind, _, placeholder = control.partition(":")
        given: Optional[cst.BaseExpression] = fed.get(placeholder)
        if given is None:
            spec = s.b.specs.get(placeholder)
            given = spec.default if spec is not None else None
        off = (isinstance(given, (cst.Float, cst.Integer)) and float(given.value) == 1.0) if kind == "keep" else (
            isinstance(given, cst.Name) and given.value == "False")
        if not off:
            return True
    return False


def check_train_run(s: Rewrite, call, values: Dict[str, cst.BaseExpression], fetched, ops, losses) -> None:
    """A run with a train op: what it fetches besides the train ops, their losses and variables (``fetched``:
    (element, target) pairs; ``ops``: id of an element -> its train op) is computed before the train step."""
    apart = [e for e, t in fetched if ops.get(id(e)) is None and not (
        isinstance(e, cst.Name) and (e.value in losses or s.b.is_variable(e.value))) and t is not None
        and not queries.is_underscore(t)]
    check_apart(s, call, values, apart, [cst.Name(loss) for loss in losses if loss])


def check_apart(s: Rewrite, call, values: Dict[str, cst.BaseExpression], apart, together=()) -> None:
    """A run computes the values ``apart`` each by itself (and ``together``, the train step's loss, in
    the train step): refused where two of them drop units (each call draws its own mask)."""
    noisy = [v for v in (*apart, *together) if active(s, v, values)]
    if len(noisy) > 1:
        raise Unsupported(call, "a run fetches values computed with dropout on, each of which the rewrite computes "
                                "by itself (TF1 computed them in one pass, from one dropout mask; each function "
                                "call would drop other units)")
