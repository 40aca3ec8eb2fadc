"""``TPUEstimatorSpec(host_call=(host_call_fn, [tensors]))``: the summaries a TPU's host wrote.

TPU code handed the values it wanted summarized (the step, the loss, the learning rate) to a
function the host ran after each loop, which wrote them with ``tf.contrib.summary``. The Keras
model writes no summaries (``keras.callbacks.TensorBoard`` does, as the model_fn's own
``tf.summary`` calls go): a host call whose function only writes summaries goes, with a note, and
so do the function, the statements that bind the host call, those that made only its values, and
a block left empty by them (``if not params["skip_host_call"]:``). A function that does anything
else stays refused.
"""
from __future__ import annotations

from typing import List, Optional, Set

import libcst as cst

from .._eager import queries
from .._eager.state import Unsupported

NOTE = ("TPUEstimatorSpec(host_call=...) is dropped, with its function: the summaries the TPU's host wrote are not "
        "written (add keras.callbacks.TensorBoard to fit for the loss and the metrics)")
REFUSED = ("TPUEstimatorSpec(host_call=...): the summaries the TPU's host wrote are not mapped (write them with "
           "tf.summary in a Keras callback)")
_SUMMARY = ("contrib.summary.", "summary.", "compat.v2.summary.")
_STATEFUL = ("assign", "variable", "py_func", "numpy_function", "print", "scatter", "random", "write", "save")


def drop(norm, value: cst.BaseExpression) -> None:
    """``value``, the spec's host_call, dropped with what only it reads (``norm.mapping``), or Unsupported."""
    scope = norm.enclosing(value, cst.FunctionDef)
    pair = _pair(norm, value, scope)
    if pair is None:
        raise Unsupported(value, REFUSED)
    func_name, tensors, bindings = pair
    func = _function(norm, scope, func_name)
    if func is None or not _writes_summaries_only(norm, func):
        raise Unsupported(value, REFUSED)
    gone: List[cst.CSTNode] = [func, *bindings]
    for element in tensors.elements:
        if isinstance(element.value, cst.Name):
            made = _made_only_for(norm, scope, element.value.value, tensors)
            if made is not None:
                gone.append(made)
    for statement in gone:
        norm.mapping[id(statement)] = []
    for statement in gone:  # an if statement left without a statement of its own goes too
        block = norm.parent.get(id(statement))
        holder = norm.parent.get(id(block))
        if (isinstance(block, cst.IndentedBlock) and isinstance(holder, cst.If) and holder.orelse is None
                and all(norm.mapping.get(id(s)) == [] for s in block.body)):
            norm.mapping[id(holder)] = []
    norm.out.notes.append((value, NOTE))


def _pair(norm, value, scope):
    """(the function's name, the list of tensors, the statements binding the host call) of ``(fn, [tensors])``
    written in the spec, or of a name the function binds to one (and to None), else None."""
    if isinstance(value, (cst.Tuple, cst.List)):
        return _split(value) + ([],) if _split(value) else None
    if not isinstance(value, cst.Name) or scope is None:
        return None
    pairs, bindings = [], []
    for line in queries.find(scope, cst.SimpleStatementLine):
        for small in line.body:
            if isinstance(small, cst.Assign) and any(isinstance(t.target, cst.Name) and t.target.value == value.value
                                                     for t in small.targets):
                if len(line.body) != 1 or len(small.targets) != 1:
                    return None
                if isinstance(small.value, cst.Name) and small.value.value == "None":
                    bindings.append(line)
                    continue
                split = _split(small.value) if isinstance(small.value, (cst.Tuple, cst.List)) else None
                if split is None:
                    return None
                pairs.append(split)
                bindings.append(line)
    reads = queries.find(scope, cst.Name, lambda n: n.value == value.value, values=True)
    if len(pairs) != 1 or len(reads) != len(bindings) + 1:  # the spec's argument is its one reader
        return None
    return (*pairs[0], bindings)


def _split(pair):
    if len(pair.elements) != 2 or not isinstance(pair.elements[0].value, cst.Name):
        return None
    tensors = pair.elements[1].value
    if not isinstance(tensors, (cst.List, cst.Tuple)):
        return None
    return pair.elements[0].value.value, tensors


def _function(norm, scope, name: str) -> Optional[cst.FunctionDef]:
    """The one function of that name the model_fn defines, or the module's."""
    nested = [func for func in queries.find(scope, cst.FunctionDef) if func.name.value == name] if scope else []
    if nested:
        return nested[0] if len(nested) == 1 else None
    defined = [stmt for stmt in norm.module.body if isinstance(stmt, cst.FunctionDef) and stmt.name.value == name]
    if len(defined) != 1:
        return None
    uses = queries.find(norm.module, cst.Name, lambda n: n.value == name, values=True)
    return defined[0] if len(uses) == 1 else None  # read by the host call alone


def _writes_summaries_only(norm, func: cst.FunctionDef) -> bool:
    """Does the function call nothing but the summary API (and ``as_default`` of its writers) and TensorFlow
    ops that only compute (``tf.reduce_mean(loss)``: nothing that assigns, prints or runs Python)?"""
    for call in queries.find(func.body, cst.Call):
        name = norm.call_name(call) or ""
        if name.startswith(_SUMMARY):
            continue
        if isinstance(call.func, cst.Attribute) and call.func.attr.value == "as_default":
            continue
        if name and not any(word in name.lower() for word in _STATEFUL):
            continue
        return False
    return not queries.holds(func.body, (cst.Global, cst.Nonlocal))


def _made_only_for(norm, scope, name: str, tensors) -> Optional[cst.SimpleStatementLine]:
    """The one statement ``name = ...`` of the model_fn, when the host call's list is all that reads it."""
    if scope is None:
        return None
    bound: List[cst.SimpleStatementLine] = []
    for line in queries.find(scope, cst.SimpleStatementLine):
        if (len(line.body) == 1 and isinstance(line.body[0], cst.Assign) and len(line.body[0].targets) == 1
                and isinstance(line.body[0].targets[0].target, cst.Name)
                and line.body[0].targets[0].target.value == name):
            bound.append(line)
    targets: Set[int] = {id(line.body[0].targets[0].target) for line in bound}
    reads = [n for n in queries.find(scope, cst.Name, lambda n: n.value == name, values=True) if id(n) not in targets]
    if len(bound) != 1 or len(reads) != 1 or not queries.holds(tensors, cst.Name, lambda n: n is reads[0]):
        return None
    return bound[0]
