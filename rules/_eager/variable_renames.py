"""Variables whose Python name the program binds again: each is renamed after its TF1 name first.

    with tf.variable_scope('conv1') as scope:
        kernel = tf.get_variable('kernel', [5, 5, 1, 32])
        conv1 = tf.nn.relu(tf.nn.conv2d(images, kernel, [1, 1, 1, 1], 'SAME'), name=scope.name)
    with tf.variable_scope('conv2') as scope:
        kernel = tf.get_variable('kernel', [5, 5, 32, 64])
        ...

TF1 built conv1 with the first kernel, whatever ``kernel`` named later. The rewrite's functions read
the name when they are called, and would find the second. So, before the rewrite reads the program,
each such variable takes its TF1 name as its Python name (``conv1_kernel``, ``conv2_kernel``; a
``tf.Variable(..., name='bias')`` bound to ``b`` and ``b`` bound to a fetched array later:
``bias``), where it is bound and where it is read until the name is bound again. That is the same
TF1 program (TensorFlow names a variable by its ``name``, not by the Python name that holds it);
its names no longer change under the functions.

Only names bound by top-level lines (module-level ``with`` blocks included) qualify, never read in
a function, a class, a lambda or a comprehension of its own, and only where the new name is a free
identifier. The rewrite of the renamed program is kept only when it succeeds; its notes and the
nodes it keeps as written are mapped back to the program as written (``originals``).
"""
from __future__ import annotations

import keyword
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from .. import _tf
from . import queries, scopes

_MADE = ("Variable", "get_variable")


def _units(body, path: List[Optional[str]], out: List[Tuple[cst.CSTNode, Tuple[Optional[str], ...]]]) -> None:
    """The module's top-level lines in order, the bodies of its module-level ``with`` blocks included,
    each with the scope names open around it (None: a scope not named by a literal)."""
    for stmt in body:
        if isinstance(stmt, cst.With) and isinstance(stmt.body, cst.IndentedBlock):
            out.append((stmt.with_changes(body=cst.IndentedBlock([])), tuple(path)))  # its items
            named = [item.item for item in stmt.items if isinstance(item.item, cst.Call) and isinstance(
                item.item.func, cst.Attribute) and item.item.func.attr.value in ("variable_scope", "name_scope")]
            inner = path + [scopes.literal(call.args[0].value) if call.args else None for call in named]
            _units(stmt.body.body, inner, out)
        else:
            out.append((stmt, tuple(path)))


def _made(imports, stmt: cst.CSTNode, path) -> Optional[Tuple[str, cst.Name, str]]:
    """(name, its target, the variable's TF1 name) of ``name = tf.Variable(..., name='n')`` /
    ``tf.get_variable('n', ...)`` on a line of its own, under scopes named by literals."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    small = stmt.body[0]
    if not (isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name)
            and isinstance(small.value, cst.Call)):
        return None
    kind = _tf.relative(imports.qualify(small.value.func))
    if kind not in _MADE or None in path:
        return None
    arg = _tf.argument(small.value, 0, "name") if kind == "get_variable" else _tf.argument(small.value, None, "name")
    own = scopes.literal(arg.value) if arg is not None else None
    if own is None:
        return None
    return small.targets[0].target.value, small.targets[0].target, "/".join([*path, own])


def find(module: cst.Module, imports) -> Dict[int, str]:
    """id of each Name node to rename -> its new name (empty: nothing to rename)."""
    units: List[Tuple[cst.CSTNode, Tuple[Optional[str], ...]]] = []
    _units(module.body, [], units)
    made = {at: found for at, found in ((at, _made(imports, stmt, path)) for at, (stmt, path) in enumerate(units))
            if found is not None}
    if not made:
        return {}
    wanted = {name for name, _, _ in made.values()}
    bound: Dict[str, List[int]] = {}
    for at, (stmt, _) in enumerate(units):
        if queries.holds(stmt, cst.Name, lambda n: n.value in wanted):
            for name in queries.bound_names(stmt) & wanted:
                bound.setdefault(name, []).append(at)
    made = {at: found for at, found in made.items() if len(bound.get(found[0], ())) > 1}
    if not made:
        return {}
    names = {name for name, _, _ in made.values()} - queries.deferred_names(module)
    taken = queries.source_names(module)
    renames: Dict[int, str] = {}
    chosen: Set[str] = set()
    for at, (name, target, tf_name) in sorted(made.items()):
        new = tf_name.replace("/", "_").replace("-", "_")
        if name not in names or not new.isidentifier() or keyword.iskeyword(new) or new in taken or new in chosen:
            continue
        later = [u for u in bound[name] if u > at]
        end = later[0] if later else len(units)
        if later and not _plain_assign(units[end][0]):
            continue  # `w += 1`, a loop: what it reads of the old binding is not one right-hand side
        reads = [node for stmt, _ in units[at + 1:end] for node in _reads(stmt, name)]
        if later:
            reads += [n for n in _reads(units[end][0].body[0].value, name)]
        chosen.add(new)
        renames[id(target)] = new
        renames.update((id(node), new) for node in reads)
    return renames


def _plain_assign(stmt: cst.CSTNode) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign)
            and all(isinstance(t.target, cst.Name) for t in stmt.body[0].targets))


def _reads(node: cst.CSTNode, name: str) -> List[cst.Name]:
    return queries.find(node, cst.Name, lambda n: n.value == name, values=True)


class _Rename(cst.CSTTransformer):
    def __init__(self, renames: Dict[int, str]) -> None:
        self.renames = renames

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        new = self.renames.get(id(original))
        return updated.with_changes(value=new) if new is not None else updated


def renamed(module: cst.Module, renames: Dict[int, str]) -> cst.Module:
    return module.visit(_Rename(renames))


def originals(module: cst.Module, new: cst.Module) -> Dict[int, cst.CSTNode]:
    """id of each node of ``new`` (``module`` renamed: the same tree, other names) -> its node in ``module``."""
    found: Dict[int, cst.CSTNode] = {}
    pending = [(new, module)]
    while pending:
        a, b = pending.pop()
        found[id(a)] = b
        pending.extend(zip(a.children, b.children))
    return found
