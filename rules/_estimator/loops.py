"""A top-level ``for`` of a model_fn over values known when the model is built: the layers made in it
are lists built in ``__init__``, one layer per pass, and the loop runs over them."""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set

import libcst as cst

from tfmigrate.names import fresh_name

from .._eager import queries
from . import vocab
from .program import Facts, string_key, subscript_key


@dataclass
class Loop:
    """A top-level ``for`` of the model_fn over values known at __init__: its layers are lists."""

    node: cst.For
    targets: Set[str]
    holders: List[str] = field(default_factory=list)  # the loop's names for this pass's layers
    lists: List[str] = field(default_factory=list)  # the attributes holding the lists of layers

    @staticmethod
    def of(node: cst.For, func: cst.FunctionDef, local: Set[str]) -> Optional["Loop"]:
        """A loop of the model_fn's own body, over values that exist at __init__, into plain names."""
        if (any(stmt is node for stmt in func.body.body) and node.orelse is None
                and not queries.names_in(node.iter) & local
                and all(isinstance(e, cst.Name) for e in queries.find(node.target, cst.BaseExpression)
                        if not isinstance(e, (cst.Tuple, cst.List)))):
            return Loop(node, queries.names_in(node.target))
        return None

    def layer(self, f: Facts, attr: str, holder: str, layer: str) -> str:
        """The line of __init__ building this pass's ``layer`` once per value, held as ``holder`` in the loop."""
        self.lists.append(attr)
        self.holders.append(holder)
        return f"self.{attr} = [{layer} for {f.s.code(self.node.target)} in {f.s.code(self.node.iter)}]"

    def rewrite(self, f: Facts, updated: cst.For) -> cst.For:
        """The loop over the layers it built (and its values, when its body still reads them)."""
        if not self.holders:
            return updated
        lists = ", ".join(f"self.{attr}" for attr in self.lists)
        if len(self.lists) == 1 and not queries.names_in(updated.body) & self.targets:  # the values built the layers
            return updated.with_changes(target=cst.Name(self.holders[0]), iter=f.s.expr(lists))
        target = ", ".join([f.s.code(self.node.target)] + self.holders)
        return updated.with_changes(target=f.s.expr(f"({target})").with_changes(lpar=[], rpar=[]),
                                    iter=f.s.expr(f"zip({f.s.code(self.node.iter)}, {lists})"))

    def made(self, body, scope: str, base: str, keras: str, layer: str,
             computed_name: Optional[cst.BaseExpression]) -> str:
        """This pass's ``layer`` (Keras code) in the model_fn ``body`` converts: built once per value in __init__
        and held in the loop by the name returned; TF1's names of its variables when the passes are known:
        dense, dense_1, ... for layers named by default, each pass's own for a name computed from the loop's
        values (``name="dense_%d" % i``)."""
        holder = fresh_name(body.local | body.taken | queries.names_in(body.func), scope)
        attr = body.attribute(f"{scope}_layers")
        body.out.init.append(self.layer(body.f, attr, holder, layer))
        values = None if base in body.uncounted and computed_name is None else self._values(
            body.f, body.params, body.params_value, keras)
        body.uncounted |= {base} if values is None or computed_name is not None else set()
        for n, value in enumerate(values or ()):
            named = _named(computed_name, self.node.target, value) if computed_name is not None else (
                scope if n == 0 else body.default_name(keras))
            if named is not None:
                body.out.variables.update(weights(keras, body.scoped(named), f"{attr}[{n}]"))
        return holder

    def named(self, value: cst.BaseExpression) -> bool:
        """A layer's ``name=`` computed from this loop's values alone (``name="dense_%d" % i``): each pass's
        layer is named in __init__'s comprehension as TF1 named it."""
        return bool(queries.names_in(value)) and queries.names_in(value) <= self.targets | {"str"}

    def _values(self, f: Facts, params: str, params_value: Optional[cst.BaseExpression],
                keras: str) -> Optional[List[object]]:
        """The value of each pass, when the loop's values say them (a list of literals written out or bound once
        at module level, ``range(N)``, ``params[key]`` of a literal dict of the Estimator's params, each also
        ``enumerate``d) and it makes one ``keras`` layer a pass (TF1 then named pass i's the i-th of its kind);
        else None."""
        if not self._alone(f, keras):
            return None
        values, counted = self.node.iter, False
        if isinstance(values, cst.Call) and isinstance(values.func, cst.Name) and values.func.value == "enumerate" \
                and len(values.args) == 1 and values.args[0].keyword is None:
            values, counted = values.args[0].value, True
        key = subscript_key(values, params)
        if key is not None and isinstance(params_value, cst.Dict):
            values = next((e.value for e in params_value.elements if string_key(e) == key), None)
        elif isinstance(values, cst.Name):
            values = queries.module_constants(f.module).get(values.value)
        found: Optional[List[object]] = None
        if isinstance(values, cst.Call) and isinstance(values.func, cst.Name) and values.func.value == "range" and len(
                values.args) == 1 and isinstance(values.args[0].value, cst.Integer):
            found = list(range(int(values.args[0].value.value)))
        elif isinstance(values, (cst.List, cst.Tuple)) and all(isinstance(e, cst.Element) for e in values.elements):
            try:
                found = [ast.literal_eval(f.s.code(e.value)) for e in values.elements]
            except (ValueError, SyntaxError):
                found = [None] * len(values.elements)  # (how many is what counts, for names by default)
        return list(enumerate(found)) if counted and found is not None else found

    def _alone(self, f: Facts, keras: str) -> bool:
        made = [c for c in queries.find(self.node.body, cst.Call)
                if (f.call_name(c) or "") in vocab.LAYERS and vocab.LAYERS[f.call_name(c)].keras == keras]
        return len(made) == 1


def _named(name: cst.BaseExpression, target: cst.BaseExpression, value: object) -> Optional[str]:
    """A pass's name computed from the loop's values (``"dense_%d" % i`` for ``i, units = 0, 4``), else None."""
    names = [e.value for e in target.elements] if isinstance(target, (cst.Tuple, cst.List)) else [target]
    values = list(value) if len(names) > 1 and isinstance(value, (tuple, list)) else [value]
    if len(names) != len(values) or not all(isinstance(n, cst.Name) for n in names):
        return None
    try:  # the expression reads the loop's names and `str` alone (Loop.named)
        named = eval(cst.Module([]).code_for_node(name), {"__builtins__": {}, "str": str},
                     {n.value: v for n, v in zip(names, values)})
    except Exception:
        return None
    return named if isinstance(named, str) else None


def weights(keras: str, scope: str, attr: str) -> Dict[str, str]:
    """TF1's names of a layer's variables (``dense/kernel``) -> the Keras layer's (``dense.kernel``)."""
    if keras in ("Dense", "Conv1D", "Conv2D"):
        return {f"{scope}/{weight}": f"{attr}.{weight}" for weight in ("kernel", "bias")}
    if keras == "BatchNormalization":
        return {f"{scope}/{weight}": f"{attr}.{weight}" for weight in ("gamma", "beta", "moving_mean",
                                                                        "moving_variance")}
    return {}
