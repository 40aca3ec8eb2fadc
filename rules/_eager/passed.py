"""Graph objects a program passes to a function of its own, which runs them.

    def plot_conv_weights(weights, input_channel=0):
        w = session.run(weights)
        ...
    def plot_conv_layer(layer, image):
        values = session.run(layer, feed_dict={x: [image]})
        ...
    plot_conv_weights(weights=W_conv1)
    plot_conv_layer(layer=h_conv1, image=image1)

Every call passes the parameter the same kind of graph object: variables (``weights``), or tensors
that need the same placeholders (``layer``). Inside the function the parameter is read as that kind:
a variable's run is its value (``w = weights.numpy()``); a tensor is now a function, which the call
passes as it is and the run calls with the fed values (``values = layer([image]).numpy()``).
Only where every use of the function's name is such a call (it is not passed on or stored), and the
function does not bind the parameter itself.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from .. import _tf
from . import bindings as B
from . import datasets, queries
from .state import Rewrite


def graph_parameters(s: Rewrite, func: cst.FunctionDef) -> Dict[str, Tuple[str, object]]:
    """{parameter: (kind, payload)} of the parameters each call passes a variable or tensor (the ids of
    the tensors passed are remembered: plain code may name them there, ``s.passed_tensors``)."""
    params = func.params
    if params.star_arg is not cst.MaybeSentinel.DEFAULT or params.star_kwarg is not None or params.posonly_params:
        return {}
    names = [p.name.value for p in params.params]
    keyword_only = {p.name.value for p in params.kwonly_params}
    if not names and not keyword_only:
        return {}
    name = func.name.value
    calls, inside, uses = _calls(s).get(name, []), _inside(s), _uses(s).get(name, 0) - 1  # (its def's name)
    if any(id(c) in inside for c in calls):
        return {}  # a call in a function may pass its own local of that name
    if not calls or uses != len(calls):
        return {}
    bound = queries.bound_names(func.body)
    found: Dict[str, Tuple[str, object]] = {}
    passed: Set[int] = set()
    for index, param in enumerate([*names, *sorted(keyword_only)]):
        if param in bound:
            continue
        given = [_argument(call, param, index if param in names else None) for call in calls]
        if any(arg is None for arg in given) or not all(isinstance(arg, cst.Name) for arg in given):
            continue
        kinds = {s.b.kind(arg.value) for arg in given}
        if kinds == {B.VARIABLE}:
            found[param] = (B.VARIABLE, None)
        elif kinds == {B.TENSOR}:
            tensors = [s.b.get(arg.value, B.TENSOR) for arg in given]
            shapes = {(t.params, t.kind) for t in tensors}
            if len(shapes) != 1 or tensors[0].kind != "tensor":
                continue
            found[param] = (B.TENSOR, B.Tensor(param, tensors[0].params, func=param))
            passed.update(id(arg) for arg in given)
    s.passed_tensors |= passed
    return found


def _calls(s: Rewrite) -> Dict[str, List[cst.Call]]:
    """The calls of each plain name in the program (computed once)."""
    if "calls" not in s.passed_index:
        found: Dict[str, List[cst.Call]] = {}
        for call in queries.find(s.module, cst.Call, lambda c: type(c.func) is cst.Name):
            found.setdefault(call.func.value, []).append(call)
        s.passed_index["calls"] = found
    return s.passed_index["calls"]


def _inside(s: Rewrite) -> Set[int]:
    """The ids of the calls inside a function, a lambda or a class (computed once)."""
    if "inside" not in s.passed_index:
        s.passed_index["inside"] = {id(c) for f in queries.find(s.module, (cst.FunctionDef, cst.Lambda, cst.ClassDef))
                                    for c in queries.find(f, cst.Call)}
    return s.passed_index["inside"]


def _uses(s: Rewrite) -> Dict[str, int]:
    """How many times each name is used as a value (computed once)."""
    if "uses" not in s.passed_index:
        counts: Dict[str, int] = {}
        for node in queries.find(s.module, cst.Name, values=True):
            counts[node.value] = counts.get(node.value, 0) + 1
        s.passed_index["uses"] = counts
    return s.passed_index["uses"]


def _argument(call: cst.Call, param: str, index: Optional[int]) -> Optional[cst.BaseExpression]:
    """What ``call`` passes ``param`` (None: nothing, or it may pass it through ``*args``/``**kwargs``)."""
    if any(arg.star for arg in call.args):
        return None
    arg = _tf.argument(call, index, param)
    return arg.value if arg is not None else None


_ITERATOR_MAKERS = ("make_one_shot_iterator", "make_initializable_iterator")


def dataset_parameters(s: Rewrite, func: cst.FunctionDef) -> Set[str]:
    """The parameters the function makes an iterator of, directly or through dataset methods
    (``tf_dataset = tf_dataset.batch(10000)``; ``tf_dataset.make_one_shot_iterator()``): datasets, which
    eager code iterates as they are. Only where every binding of the parameter in the function is such a
    chain on the parameter itself."""
    params = {p.name.value for p in (*func.params.params, *func.params.kwonly_params)}
    found: Set[str] = set()
    for call in queries.find(func.body, cst.Call, lambda c: queries.is_method_call(c, _ITERATOR_MAKERS)):
        root, seen = _chain_root(call.func.value), set()
        while root is not None and root not in params and root not in seen:  # a local made from it
            seen.add(root)
            roots = {_chain_root(value) for value in _bound_values(func, root)}
            root = roots.pop() if len(roots) == 1 else None
        if root is not None and root in params and all(
                _chain_root(value) == root for value in _bound_values(func, root)):
            found.add(root)
    return found


def _chain_root(node) -> Optional[str]:
    """``name`` of ``name.batch(...).repeat(...)`` (dataset methods on a name), else None."""
    root = datasets.chain_root(node)
    return root.value if isinstance(root, cst.Name) else None


def _bound_values(func: cst.FunctionDef, name: str) -> List[Optional[cst.BaseExpression]]:
    """What the function binds ``name`` to (None for a binding that is not ``name = value``)."""
    values: List[Optional[cst.BaseExpression]] = []
    for assign in queries.find(func.body, (cst.Assign, cst.AugAssign, cst.AnnAssign)):
        targets = [t.target for t in assign.targets] if isinstance(assign, cst.Assign) else [assign.target]
        if any(name in queries.names_in(t) for t in targets):
            single = len(targets) == 1 and isinstance(targets[0], cst.Name) and isinstance(assign, cst.Assign)
            values.append(assign.value if single else None)
    for other in queries.find(func.body, (cst.For, cst.NamedExpr, cst.WithItem, cst.FunctionDef, cst.ClassDef)):
        target = getattr(other, "target", None) or getattr(getattr(other, "asname", None), "name", None)
        if isinstance(other, (cst.FunctionDef, cst.ClassDef)) and other.name.value == name or \
                target is not None and name in queries.names_in(target):
            values.append(None)
    return values


def op_function_call(s: Rewrite, node: cst.BaseExpression) -> bool:
    """``sess.run(custom_polynomial(11))``: a call of a function of the module that computes TensorFlow ops
    from its arguments only (no tensor, placeholder or variable of the program, no variable or layer made),
    given plain values. TF1 built its ops and ran them once; eagerly the call computes the same value."""
    from .scopes import BUILDERS

    if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Name)) or any(a.star for a in node.args):
        return False
    func = next((f for f in s.p.module.body if isinstance(f, cst.FunctionDef) and f.name.value == node.func.value),
                None)
    return (func is not None and not func.decorators and func.name.value not in s.p.models
            and not queries.find(func, (cst.Yield, cst.Global, cst.Nonlocal), first=True)
            and not s.mentions_graph(func.body, modules=False)
            and not queries.calls_of(func, s.call_name, BUILDERS, first=True))
