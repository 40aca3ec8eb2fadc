"""Locals of a model class's graph code that ``__init__`` keeps on ``self`` under their own name.

``x = tf.placeholder(...)`` then ``self.x = x`` (BinRoot's autoencoders, dennybritz's TextCNN): the class
is read as one program whose names are its locals and its attributes (``model_class``), where ``x`` and
``self.x`` would be one name bound twice. The local is the attribute from the start: ``self.x =
tf.placeholder(...)``, and ``self.x`` where the code read ``x``. Only a local bound once, by a plain
assignment before ``self.x = x``, never a parameter or a comprehension's variable, whose attribute the
class sets nowhere else.
"""
from __future__ import annotations

from typing import List, Set

import libcst as cst

from tfmigrate.traverse import Transformer

from . import queries
from .model_lift import assigned_target, comprehension_names, self_attr


class SelfReads(Transformer):
    """``name`` -> ``self.name`` for each of ``names``, but the nodes of ``skip`` (attribute and keyword names)."""

    def __init__(self, names: Set[str], skip: Set[int]) -> None:
        self.names, self.skip = names, skip

    def leave_Name(self, original, updated):
        if updated.value in self.names and id(original) not in self.skip:
            return cst.Attribute(cst.Name("self"), cst.Name(updated.value))
        return updated


def skipped(node: cst.CSTNode) -> Set[int]:
    """The names in ``node`` that are no values: attribute names and keywords."""
    return {id(n.attr) for n in queries.find(node, cst.Attribute)} | {
        id(a.keyword) for a in queries.find(node, cst.Arg, lambda a: a.keyword is not None)}


def locals_kept(cls: cst.ClassDef, graph: List[cst.BaseStatement]) -> List[cst.BaseStatement]:
    """The graph code with each local that ``self.name = name`` keeps written as that attribute."""
    code = cst.Module(body=graph)
    targets = [t.target for t in queries.find(code, cst.AssignTarget)]
    other = queries.bound_names(code) - {t.value for t in targets if isinstance(t, cst.Name)}
    other |= comprehension_names(code) | {p.name.value for p in queries.find(code, cst.Param)}
    set_in_class = [self_attr(t.target) for t in queries.find(cls, cst.AssignTarget)]
    set_in_class += [self_attr(t.target) for t in queries.find(cls, cst.AugAssign)]
    names = [t.value for t in targets if isinstance(t, cst.Name)]
    kept, dropped = set(), set()
    for index, stmt in enumerate(graph):
        target = assigned_target(stmt)
        name = self_attr(target)
        if name is None or not isinstance(stmt.body[0].value, cst.Name) or stmt.body[0].value.value != name:
            continue
        made = [i for i, s in enumerate(graph) if any(
            isinstance(t.target, cst.Name) and t.target.value == name for t in queries.find(s, cst.AssignTarget))]
        if names.count(name) == 1 and name not in other and set_in_class.count(name) == 1 and made and (
                made[0] < index):
            kept.add(name)
            dropped.add(id(stmt))
    if not kept:
        return graph
    return [stmt.visit(SelfReads(kept, skipped(stmt))) for stmt in graph if id(stmt) not in dropped]
