"""A top-level ``for`` of a model_fn over values known when the model is built: the layers made in it
are lists built in ``__init__``, one layer per pass, and the loop runs over them."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Set

import libcst as cst

from .._eager import queries
from .program import Facts


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
