"""Questions asked of code: which names it uses or binds, which calls or comments it holds.

One finder, :func:`find`, answers every "is there / which are the nodes of this kind
that pass this test" question; the few structural questions (what a statement
binds) have their own function here. Nothing in this module knows the program
being rewritten: callers pass what to look for.
"""
from __future__ import annotations

import dataclasses
from typing import Callable, Dict, List, Optional, Set, Tuple, Type

import libcst as cst

from tfmigrate.names import dotted_name, function_locals
from tfmigrate.traverse import StopWalk, Visitor, index_of, walk, walk_into

from .. import _vocab


class _Find(Visitor):
    """Collects the nodes of ``types`` that ``test`` accepts (the first only, with ``first``).

    With ``values``, the names of attributes (``x.name``) and keywords (``f(name=...)``)
    are not looked into: only the names used as values are.
    """

    def __init__(self, types: Tuple[Type[cst.CSTNode], ...], test, first: bool, values: bool, trivia: bool) -> None:
        self.types = types
        self.test = test
        self.first = first
        self.values = values
        self.TRIVIA = trivia
        self.found: List[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        # Exact types: libcst's node classes are ABCs, and isinstance on them is slow.
        if type(node) in self.types and (self.test is None or self.test(node)):
            self.found.append(node)
            if self.first:
                raise StopWalk
        if self.values and type(node) in (cst.Attribute, cst.Arg):
            walk_into(node.value, self)
            return False
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        return None


def find(node: cst.CSTNode, types, test: Optional[Callable[[cst.CSTNode], bool]] = None, *, first: bool = False,
         values: bool = False, trivia: bool = False) -> List[cst.CSTNode]:
    """The nodes in ``node`` (itself included) of ``types`` (concrete node classes) that pass
    ``test``, in source order."""
    types = types if isinstance(types, tuple) else (types,)
    index = index_of(node) if not trivia else None
    if index is not None:
        found = index.find(node, types, test, first, values)
        if found is not None:
            return found
    finder = _Find(types, test, first, values, trivia)
    walk(node, finder)
    return finder.found


def holds(node: cst.CSTNode, types, test=None, *, values: bool = False) -> bool:
    """Is there such a node in ``node``?"""
    return bool(find(node, types, test, first=True, values=values))


def every_node(node: cst.CSTNode) -> List[cst.CSTNode]:
    """``node`` and every node inside it (a new tree: no index answers for it)."""
    found, pending = [], [node]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(current.children)
    return found


def names_in(node: cst.CSTNode) -> Set[str]:
    """Every name used as a value in ``node`` (not attribute or keyword names)."""
    return {n.value for n in find(node, cst.Name, values=True)}


def free_names_in(node: cst.CSTNode) -> Set[str]:
    """The names ``node`` uses as values that are not locals of a function defined in it (a parameter
    ``z_mean`` of ``def vae_loss(..., z_mean)`` is not the program's ``z_mean``)."""
    names = names_in(node)
    for func in find(node, cst.FunctionDef):
        local = names_in(func) & function_locals(func)
        inside = {id(n) for n in find(func, cst.Name)}
        names -= local - {n.value for n in find(node, cst.Name, lambda n: id(n) not in inside, values=True)}
    return names


_NAMEDTUPLES = ("namedtuple", "collections.namedtuple", "NamedTuple", "typing.NamedTuple")


def makes_namedtuple(module: cst.Module, node: cst.CSTNode) -> bool:
    """Is ``node`` a call of a namedtuple class of ``module`` (``Pair(s, p)`` of ``Pair = namedtuple(...)``, or
    of a class based on one)?"""
    if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Name)):
        return False
    name = node.func.value

    def made(value) -> bool:
        return isinstance(value, cst.Call) and dotted(value.func) in _NAMEDTUPLES

    return holds(module, cst.Assign, lambda a: len(a.targets) == 1 and isinstance(a.targets[0].target, cst.Name) and (
        a.targets[0].target.value == name and made(a.value))) or holds(module, cst.ClassDef, lambda c: (
            c.name.value == name and any(made(b.value) or dotted(b.value) in _NAMEDTUPLES for b in c.bases)))


def mentions(node: cst.CSTNode, names: Set[str], feeds: bool = True) -> bool:
    """Does ``node`` use one of ``names`` as a value, or (``feeds``) pass a ``feed_dict``?"""
    def test(n) -> bool:
        if type(n) is cst.Name:
            return n.value in names
        return feeds and n.keyword is not None and n.keyword.value == "feed_dict"

    return holds(node, (cst.Name, cst.Arg) if feeds else cst.Name, test, values=True)


def binds_globals(node: cst.CSTNode) -> bool:
    """Does ``node`` declare a ``global`` or ``nonlocal`` name?"""
    return holds(node, (cst.Global, cst.Nonlocal))


def calls_method(node: cst.CSTNode, methods) -> bool:
    """Does ``node`` call a method of one of these names (``x.assign(...)``)?"""
    return holds(node, cst.Call, lambda c: isinstance(c.func, cst.Attribute) and c.func.attr.value in methods)


def assigns(node: cst.CSTNode) -> bool:
    """Does ``node`` call an ``assign``/``assign_add``/``assign_sub`` method?"""
    return calls_method(node, _vocab.ASSIGNS)


def calls_of(node: cst.CSTNode, call_name: Callable[[cst.Call], Optional[str]], names, first: bool = False):
    """Calls in ``node`` whose TensorFlow name (``call_name``) is one of ``names``."""
    return find(node, cst.Call, lambda c: call_name(c) in names, first=first)


class _Binder(Visitor):
    """Names a statement binds: assignment targets, loop variables, `as` names, defs."""

    def __init__(self) -> None:
        self.found: Set[str] = set()

    def visit_AssignTarget(self, n: cst.AssignTarget) -> None:
        self.found.update(names_in(n.target))

    def visit_AugAssign(self, n: cst.AugAssign) -> None:
        self.found.update(names_in(n.target))

    def visit_For(self, n: cst.For) -> None:
        self.found.update(names_in(n.target))

    def visit_AsName(self, n: cst.AsName) -> None:
        self.found.update(names_in(n.name))

    def visit_FunctionDef(self, n: cst.FunctionDef) -> bool:
        self.found.add(n.name.value)
        return False


def bound_names(node: cst.CSTNode) -> Set[str]:
    """Names a statement binds (assignment targets, loop variables, defs)."""
    binder = _Binder()
    walk(node, binder)
    return binder.found


def returned_tuple(func: cst.FunctionDef, count: int) -> Optional[cst.Tuple]:
    """The tuple of ``count`` items that ``func`` returns at its one ``return`` (those of the functions and
    lambdas inside it left out), else None."""
    inner = {id(r) for f in find(func.body, (cst.FunctionDef, cst.Lambda)) for r in find(f, cst.Return)}
    returns = [r for r in find(func.body, cst.Return) if id(r) not in inner]
    if len(returns) != 1 or not isinstance(returns[0].value, cst.Tuple) or len(returns[0].value.elements) != count:
        return None
    return returns[0].value


def deferred_names(node: cst.CSTNode) -> Set[str]:
    """Names that a function, class, lambda or comprehension in ``node`` mentions, or that ``global`` or ``del``
    touch: what such code reads is read when it runs, or is its own, not the name where it stands."""
    found: Set[str] = set()
    for inner in find(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda, cst.CompFor, cst.Global, cst.Del)):
        found |= {n.value for n in find(inner, cst.Name)}
    return found


def module_constants(module: cst.Module) -> Dict[str, cst.BaseExpression]:
    """name -> value, for the names the module binds once, by a plain ``name = value`` at its top level
    (not in a loop, a branch or a function, and declared ``global`` nowhere). Computed once per indexed tree
    (the stages before the rewrite and the rewrite ask it of the same module); the caller must not change it."""
    tree = index_of(module)
    return _module_constants(module) if tree is None else tree.memo("module_constants", module, _module_constants)


def _module_constants(module: cst.Module) -> Dict[str, cst.BaseExpression]:
    counts: Dict[str, int] = {}
    for stmt in module.body:
        for part in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else [stmt]:
            for name in bound_names(part):
                counts[name] = counts.get(name, 0) + 1
    rebound = {item.name.value for node in find(module, cst.Global) for item in node.names}
    return {target.target.value: small.value for stmt in module.body if isinstance(stmt, cst.SimpleStatementLine)
            for small in stmt.body if isinstance(small, cst.Assign) for target in small.targets
            if isinstance(target.target, cst.Name) and counts.get(target.target.value) == 1
            and target.target.value not in rebound}


def without_docstring(body) -> list:
    """The statements of a body after its docstring, if it has one."""
    body = list(body)
    if body and isinstance(body[0], cst.SimpleStatementLine) and isinstance(body[0].body[0], cst.Expr) and (
            isinstance(body[0].body[0].value, (cst.SimpleString, cst.ConcatenatedString))):
        body = body[1:]
    return body


def comments_in(node: cst.CSTNode) -> List[str]:
    return [c.value for c in find(node, cst.Comment, trivia=True)]


def own_comments(stmt, trailing: bool = True) -> List[str]:
    """Comments written inside a statement (not the comment lines above it)."""
    if isinstance(stmt, cst.SimpleStatementLine):
        found = [c for small in stmt.body for c in comments_in(small)]
        return found + comments_in(stmt.trailing_whitespace) if trailing else found
    if isinstance(stmt, (cst.BaseCompoundStatement, cst.Else)):
        return comments_in(stmt.with_changes(leading_lines=()))
    return []


def comment_lines(comments: List[str]) -> List[cst.EmptyLine]:
    return [cst.EmptyLine(comment=cst.Comment(c)) for c in comments]


class _AllNames(Visitor):
    def __init__(self) -> None:
        self.found: Set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.found.add(node.value)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        walk_into(node.value, self)  # `x.name`: `name` is not a name of the program
        return False


def import_names(module: cst.Module) -> Set[int]:
    """The ids of the names import statements write (``estimator`` of ``from tensorflow.python.estimator import
    estimator as estimator_lib``): none of them is a use of a value."""
    return {id(name) for statement in find(module, (cst.Import, cst.ImportFrom)) for name in find(statement, cst.Name)}


def uses_of(module: cst.Module, local: str) -> List[Tuple[cst.Name, Optional[cst.Attribute]]]:
    """Each use of the name ``local`` as a value outside import statements, with the attribute it is
    the base of (``nest`` in ``nest.flatten``), or None where it is used alone (passed on, assigned)."""
    imported = import_names(module)
    parents = {id(a.value): a for a in find(module, cst.Attribute, lambda a: type(a.value) is cst.Name)}
    return [(name, parents.get(id(name))) for name in find(module, cst.Name, lambda n: n.value == local, values=True)
            if id(name) not in imported]


def import_position(body) -> int:
    """Where a new statement goes at the top of a module body: after its last import."""
    last = -1
    for index, statement in enumerate(body):
        if isinstance(statement, cst.SimpleStatementLine) and any(
                isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body):
            last = index
    return last + 1


def source_names(module: cst.Module) -> Set[str]:
    """Every name the source uses or binds (attribute names left out)."""
    finder = _AllNames()
    walk(module, finder)
    return finder.found


def elements(node) -> list:
    """The items of a list or tuple literal; anything else is one item."""
    if isinstance(node, (cst.List, cst.Tuple)):
        return [e.value for e in node.elements]
    return [node]


def is_underscore(node) -> bool:
    return isinstance(node, cst.Name) and node.value == "_"


def dotted(node) -> Optional[str]:
    return dotted_name(node) if node is not None else None


def is_method_call(node, methods=None) -> bool:
    """``x.method(...)``, for one of ``methods`` when given."""
    return (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
            and (methods is None or node.func.attr.value in methods))


def receiver_name(call: cst.Call) -> Optional[str]:
    """``x`` in ``x.method(...)`` when ``x`` is a plain name."""
    if isinstance(call.func, cst.Attribute) and isinstance(call.func.value, cst.Name):
        return call.func.value.value
    return None


class WithoutArgs(cst.CSTTransformer):
    """The call arguments of the given ids removed (and the comma after the last one kept)."""

    def __init__(self, ids) -> None:
        self.ids = ids

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        args = [a for a, o in zip(updated.args, original.args) if id(o) not in self.ids]
        if len(args) == len(updated.args):
            return updated
        if args:
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(args=args)


class _Parents(cst.CSTVisitor):
    """Each node's parent."""

    def __init__(self) -> None:
        self.stack: List[cst.CSTNode] = []
        self.parent: Dict[int, cst.CSTNode] = {}

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.stack:
            self.parent[id(node)] = self.stack[-1]
        self.stack.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.stack.pop()


def replaced(root: cst.CSTNode, mapping: Dict[int, object], parents: Dict[int, cst.CSTNode]):
    """``root`` with each node whose id ``mapping`` holds replaced by its value (a node, or a list of
    statements: none removes it), every node off the paths to them kept as it is (the same objects)."""
    path: Set[int] = set()
    for target in mapping:
        node = parents.get(target)
        while node is not None and id(node) not in path:
            path.add(id(node))
            node = parents.get(id(node))

    def rebuilt(node):
        if id(node) in mapping:
            return mapping[id(node)]
        if id(node) not in path:
            return node
        changes = {}
        for item in dataclasses.fields(node):
            value = getattr(node, item.name)
            if isinstance(value, cst.CSTNode):
                new = rebuilt(value)
                if new is not value:
                    changes[item.name] = new
            elif isinstance(value, (list, tuple)) and any(isinstance(v, cst.CSTNode) for v in value):
                items, changed = [], False
                for element in value:
                    new = rebuilt(element) if isinstance(element, cst.CSTNode) else element
                    changed = changed or new is not element
                    items.extend(new if isinstance(new, list) else [new])
                if changed:
                    changes[item.name] = type(value)(items)
        return node.with_changes(**changes) if changes else node

    return rebuilt(root)


def parents(root: cst.CSTNode) -> Dict[int, cst.CSTNode]:
    """id of each node under ``root`` -> its parent."""
    finder = _Parents()
    root.visit(finder)
    return finder.parent



def name_assigned(stmt: cst.CSTNode) -> Optional[Tuple[str, cst.BaseExpression]]:
    """``(name, value)`` of a line ``name = value`` (one statement, one target, a plain name), else None."""
    small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 else None
    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
        return small.targets[0].target.value, small.value
    return None


def bound_before(parents: Dict[int, cst.CSTNode], name: cst.Name) -> Optional[cst.BaseExpression]:
    """The value ``name`` was last bound to (``name = value``) before it is read, in the block it is read in;
    None when that block binds it otherwise in between, or not at all."""
    node = name
    while node is not None:
        parent = parents.get(id(node))
        if isinstance(parent, cst.IndentedBlock):
            index = next(i for i, stmt in enumerate(parent.body) if stmt is node)
            for stmt in reversed(parent.body[:index]):
                assigned = name_assigned(stmt)
                if assigned is not None and assigned[0] == name.value:
                    return assigned[1]
                if name.value in bound_names(stmt):
                    return None
            return None
        node = parent
    return None


def two_branches(root: cst.CSTNode, first: cst.CSTNode, second: cst.CSTNode) -> Optional[Tuple[cst.If, bool]]:
    """The ``if``/``else`` under ``root`` whose two branches hold ``first`` and ``second`` (a run reaches one of
    them only), and whether ``first`` is in its body; else None."""
    for branch in find(root, cst.If):
        if branch.orelse is None or isinstance(branch.orelse, cst.If):
            continue
        inside = [holds(part, type(node), lambda n, node=node: n is node) for part in (branch.body, branch.orelse)
                  for node in (first, second)]
        if inside in ([True, False, False, True], [False, True, True, False]):
            return branch, inside[0]
    return None
