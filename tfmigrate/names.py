"""Cheap name resolution: which module a local name stands for.

libcst's QualifiedNameProvider builds a full scope analysis of every file,
which is the slowest part of a lint run. A migration only needs to know what
the imported module aliases mean (``tf`` -> ``tensorflow.compat.v1``) and
whether a function parameter or local assignment hides one of them, so this
module tracks exactly that.
"""
from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Set, Tuple, Union

import libcst as cst

from .traverse import Visitor, index_of, walk


def fresh_name(taken: Set[str], base: str) -> str:
    """``base``, or ``base_2``, ``base_3``... whichever is not taken yet; then it is."""
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    taken.add(name)
    return name


def natural(taken: Set[str], name: str, other: str) -> str:
    """``name``, else ``other`` (``test_images`` where the program has its own ``x_test``), else the first
    ``name_2``, ``name_3``... not taken; then it is taken."""
    return fresh_name(taken, other if name in taken and other not in taken else name)


def numbered(taken: Set[str], base: str) -> str:
    """``base``, or ``base2``, ``base3``... (``dense``, ``dense2``: the names of a model's layers as
    people write them) whichever is not taken yet; ``base_2``... for a base that ends in a digit."""
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}_{n}" if base[-1:].isdigit() else f"{base}{n}"
    taken.add(name)
    return name


class Chains:
    """Which attribute nodes start a chain: ``tf.train.Saver`` is one name, not three.

    A visitor sees the outermost ``Attribute`` of a chain first; ``outermost`` says
    so once and remembers the inner ones (``tf.train``) as parts of it.
    """

    def __init__(self) -> None:
        self._inner: Set[int] = set()

    def outermost(self, node: cst.Attribute) -> bool:
        if id(node) in self._inner:
            return False
        self.skip(node.value)
        return True

    def skip(self, node: cst.CSTNode) -> None:
        """``node`` and the attributes inside it are parts of a chain already seen."""
        while type(node) is cst.Attribute:
            self._inner.add(id(node))
            node = node.value


def dotted_name(node: cst.BaseExpression) -> Optional[str]:
    """``a.b.c`` for a Name/Attribute chain, None for anything else."""
    # Exact types (no subclass of these is ever built): isinstance on libcst's ABCs is slow.
    kind = type(node)
    if kind is cst.Name:
        return node.value
    parts: List[str] = []
    while kind is cst.Attribute:
        parts.append(node.attr.value)
        node = node.value
        kind = type(node)
    if kind is not cst.Name:
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def _module_name(node: cst.BaseExpression) -> Optional[str]:
    return dotted_name(node)


def import_from_module(node: cst.ImportFrom) -> str:
    """The module a `from` import names, its leading dots included: `.ops`, `pkg.layers`, `.`."""
    return "." * len(node.relative) + ((dotted_name(node.module) or "") if node.module is not None else "")


def imports_module(node: Union[cst.Import, cst.ImportFrom], name: str) -> bool:
    """Does the import ``node`` import the module ``name`` (`.ops`, `pkg.layers`: `import pkg.layers`,
    `from pkg import layers`, `from .ops import f`)?"""
    if isinstance(node, cst.Import):
        return any(dotted_name(alias.name) == name for alias in node.names)
    base = import_from_module(node)
    if base == name:
        return True
    if isinstance(node.names, cst.ImportStar):
        return False
    prefix = base if base.endswith(".") or not base else base + "."
    return any(prefix + (dotted_name(alias.name) or "") == name for alias in node.names)


class ImportTable:
    """Local names bound by ``import`` statements, mapped to what they import."""

    def __init__(self) -> None:
        self.aliases: Dict[str, str] = {}
        self.version = 0  # changes whenever an import is added

    def add(self, node: cst.CSTNode) -> None:
        self.version += 1
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = _module_name(alias.name)
                if full is None:
                    continue
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    self.aliases[alias.asname.name.value] = full
                else:
                    # `import a.b.c` binds `a`, which means the package `a`.
                    head = full.split(".", 1)[0]
                    self.aliases[head] = head
        elif isinstance(node, cst.ImportFrom):
            if node.relative or node.module is None:
                return
            base = _module_name(node.module)
            if base is None or isinstance(node.names, cst.ImportStar):
                return
            for alias in node.names:
                name = _module_name(alias.name)
                if name is None:
                    continue
                local = name
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    local = alias.asname.name.value
                self.aliases[local] = f"{base}.{name}"

    def add_all(self, statements: Iterable[cst.CSTNode]) -> None:
        """Record the imports among top-level statements (also inside if/try)."""
        for stmt in statements:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, (cst.Import, cst.ImportFrom)):
                        self.add(small)
            elif isinstance(stmt, cst.If):
                self.add_all(stmt.body.body)
                if stmt.orelse is not None:
                    self.add_all(stmt.orelse.body.body if isinstance(stmt.orelse, cst.Else) else [stmt.orelse])
            elif isinstance(stmt, cst.Try):
                self.add_all(stmt.body.body)
                for handler in stmt.handlers:
                    self.add_all(handler.body.body)
                if stmt.orelse is not None:
                    self.add_all(stmt.orelse.body.body)

    def qualify(self, node: cst.BaseExpression, hidden: Set[str] = frozenset()) -> Optional[str]:
        """The full dotted name of ``node`` through the imports, or None."""
        head = node
        while type(head) is cst.Attribute:  # the chain's first name decides: most are not imports
            head = head.value
        if type(head) is not cst.Name:
            return None
        full = self.aliases.get(head.value)
        if full is None or head.value in hidden:
            return None
        if head is node:
            return full
        return f"{full}.{dotted_name(node).partition('.')[2]}"


def _target_names(target: cst.BaseExpression, out: Set[str]) -> None:
    if isinstance(target, cst.Name):
        out.add(target.value)
    elif isinstance(target, (cst.Tuple, cst.List)):
        for element in target.elements:
            _target_names(element.value, out)
    elif isinstance(target, cst.StarredElement):
        _target_names(target.value, out)


class _LocalBindings(Visitor):
    """Names a function binds in its own scope (not in nested functions)."""

    def __init__(self) -> None:
        self.names: Set[str] = set()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.names.add(node.name.value)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.names.add(node.name.value)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        _target_names(node.target, self.names)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        _target_names(node.target, self.names)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        _target_names(node.target, self.names)

    def visit_For(self, node: cst.For) -> None:
        _target_names(node.target, self.names)

    def visit_AsName(self, node: cst.AsName) -> None:
        _target_names(node.name, self.names)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        _target_names(node.target, self.names)

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self.names.discard(item.name.value)

    def visit_Import(self, node: cst.Import) -> bool:
        return False  # an import keeps its module meaning: not a hiding binding

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False


def function_locals(node: cst.CSTNode) -> Set[str]:
    """Parameters and local bindings of a FunctionDef or Lambda (a new set: the caller's to change)."""
    index = index_of(node)
    if index is None:
        return _function_locals(node)
    return set(index.memo("function_locals", node, _function_locals))


def definition_time(node: cst.CSTNode) -> List[cst.CSTNode]:
    """What a FunctionDef (or Lambda) evaluates when the ``def`` runs: its parameters' defaults and its
    decorators (``def batches(n=FLAGS.batch_size)`` reads the flag then, not when called)."""
    params = node.params
    return [*(p.default for p in (*params.posonly_params, *params.params, *params.kwonly_params)
              if p.default is not None), *(d.decorator for d in getattr(node, "decorators", ()))]


def _function_locals(node: cst.CSTNode) -> Set[str]:
    names: Set[str] = set()
    params = node.params
    for group in (params.posonly_params, params.params, params.kwonly_params):
        for param in group:
            names.add(param.name.value)
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            names.add(star.name.value)
    if isinstance(node, cst.FunctionDef):
        finder = _LocalBindings()
        for stmt in node.body.body if isinstance(node.body, cst.IndentedBlock) else [node.body]:
            walk(stmt, finder)
        names |= finder.names
    return names


class ScopeStack:
    """The function scopes around the node being visited, as hidden names."""

    def __init__(self, imports: ImportTable) -> None:
        self.imports = imports
        self._stack: List[Set[str]] = []
        self._hidden: Set[str] = set()
        # Several rules ask about the same node in a row; the node is kept
        # with its answer so its id cannot be reused while the entry lives.
        self._memo: Dict[int, Tuple[cst.CSTNode, int, Optional[str]]] = {}

    def push(self, node: cst.CSTNode) -> None:
        # Only names that would otherwise mean a module matter here.
        local = function_locals(node) & set(self.imports.aliases)
        self._stack.append(local)
        self._hidden = set().union(*self._stack)
        self._memo = {}

    def pop(self) -> None:
        self._stack.pop()
        self._hidden = set().union(*self._stack) if self._stack else set()
        self._memo = {}

    def qualify(self, node: cst.BaseExpression) -> Optional[str]:
        entry = self._memo.get(id(node))
        if entry is not None and entry[0] is node and entry[1] == self.imports.version:
            return entry[2]
        if len(self._memo) > 4096:
            self._memo = {}
        full = self.imports.qualify(node, self._hidden)
        self._memo[id(node)] = (node, self.imports.version, full)
        return full
