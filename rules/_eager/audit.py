"""The last check of a rewrite: every TensorFlow name it leaves exists on TensorFlow 2.

A statement the rewrite keeps as written (a class whose methods run a session, a
helper that calls ``tf.initialize_all_variables``) may still hold TF1-only names;
an "idiomatic" rewrite that crashes on them would be worse than none. Names a safe
fix renames afterwards (``tf.random_normal``, ``tf.to_float``) and names spelled
``tf.compat.v1.x`` on purpose are fine.
"""
from __future__ import annotations

from typing import Optional, Tuple

import libcst as cst

from tfmigrate.names import dotted_name
from tfmigrate.traverse import StopWalk, Visitor, walk, walk_into

from .. import _losses, _tf, _vocab, test_modes
from . import scope_reasons
from .program import Program
from .state import Unsupported


class _Missing(Visitor):
    """The first TensorFlow name (whole attribute chain) that TensorFlow 2 does not have."""

    def __init__(self, imports, moved=frozenset(), rebound=frozenset()) -> None:
        self.imports = imports
        self.moved = moved
        self.rebound = rebound  # import aliases the rewrite binds to its own values (a layer `rnn`)
        self.found: Optional[Tuple[cst.Attribute, str]] = None

    def visit_Call(self, node: cst.Call) -> Optional[bool]:
        if _losses.rewritable(node, self.imports) is not None:
            for arg in node.args:
                walk_into(arg, self)
            return False  # TFM108 rewrites it afterwards
        return None

    def visit_Decorator(self, node: cst.Decorator) -> bool:
        return not test_modes.both_modes(node, self.imports.qualify)  # TFM116 removes it afterwards

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        written = dotted_name(node) or ""
        if written.partition(".")[0] in self.rebound:
            return False
        name = _tf.relative(self.imports.qualify(node))
        if name is None:
            return True  # `f(x).attr`: the chain is not a name; look inside
        if name and name not in self.moved and not _acceptable(name, written) and not _tf.chosen_v1(
                self.imports, written):
            self.found = (node, name)
            raise StopWalk
        return False


def _acceptable(name: str, written: str) -> bool:
    table = _tf.api()
    return _tf.exists_in_tf2(name) or name in table["renames"] or name in _vocab.CASTS


class _Unwritten(Visitor):
    """The first TF1 summary op left outside a writer's ``as_default`` block: TensorFlow 2 writes
    nothing there (a helper's ``tf.summary.scalar``, which TF1's ``merge_all`` collected)."""

    def __init__(self, imports) -> None:
        self.imports = imports
        self.writing = 0
        self.found: Optional[cst.Call] = None

    @staticmethod
    def _writer(node: cst.With) -> bool:
        """``with writer.as_default(...):``"""
        return any(isinstance(i.item, cst.Call) and isinstance(i.item.func, cst.Attribute)
                   and i.item.func.attr.value == "as_default" for i in node.items)

    def visit_With(self, node: cst.With) -> None:
        self.writing += self._writer(node)

    def leave_With(self, node: cst.With) -> None:
        self.writing -= self._writer(node)

    def visit_Call(self, node: cst.Call) -> None:
        if not self.writing and self.found is None and _tf.relative(self.imports.qualify(node.func)) in (
                _vocab.SUMMARIES) and not any(  # (TF2's own: `step=`, `data=`, `buckets=`, `description=`)
                a.keyword is not None and a.keyword.value in ("step", "data", "buckets", "description")
                for a in node.args):
            self.found = node
            raise StopWalk


def check(new: cst.Module, program: Program) -> None:
    """Raise Unsupported if ``new`` uses a TensorFlow name that TensorFlow 2 does not have, or keeps
    a TF1 summary op where TensorFlow 2 writes nothing."""
    unwritten = _Unwritten(program.imports)
    walk(new, unwritten)
    if unwritten.found is not None:
        name = _tf.relative(program.imports.qualify(unwritten.found.func))
        raise Unsupported(_in_original(program, name) or unwritten.found, f"tf.{name} outside the summaries the "
                          "program merges: TensorFlow 2 would write nothing for it")
    rebound = {target.target.value for stmt in new.body if isinstance(stmt, cst.SimpleStatementLine)
               for small in stmt.body if isinstance(small, cst.Assign) and isinstance(small.value, cst.Call)
               for target in small.targets if isinstance(target.target, cst.Name)}
    # moved: the scaffolding rules rewrite them
    finder = _Missing(program.imports, program.moved, frozenset(rebound))
    walk(new, finder)
    if finder.found is None:
        return
    node, name = finder.found
    original = _in_original(program, name)
    why = f"tf.{name} would stay in the rewrite, and TensorFlow 2 does not have it"
    if name == "variable_scope" and original is not None:
        why = scope_reasons.why_left(program, program.module, original, why)
    raise Unsupported(original or node, why)


def _in_original(program: Program, name: str) -> Optional[cst.CSTNode]:
    """Where the program itself writes ``tf.<name>`` (the finding points there)."""
    finder = _Written(program.imports, name)
    walk(program.module, finder)
    return finder.found[0] if finder.found else None


class _Written(_Missing):
    """The first ``tf.<name>`` the program writes (visitors dispatch on their class: an override set on
    an instance is never called, and the finding pointed at the first TF1-only name instead)."""

    def __init__(self, imports, name: str) -> None:
        super().__init__(imports)
        self.name = name

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        found = _tf.relative(self.imports.qualify(node))
        if found is None:
            return True
        if found == self.name:
            self.found = (node, found)
            raise StopWalk
        return False
