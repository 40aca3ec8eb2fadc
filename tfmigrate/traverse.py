"""Walking libcst trees fast: read-only visits without rebuilding nodes.

libcst's own ``node.visit(visitor)`` rebuilds and re-validates every node it
passes, even for a visitor that changes nothing. ``walk`` only reads, visits
children in libcst's order, and skips the fields that hold only whitespace,
comments and punctuation unless a visitor asks for them (``TRIVIA``).
"""
from __future__ import annotations

from bisect import bisect_left
from typing import Callable, Dict, List, Optional, Set, Tuple, TypeVar

import libcst as cst
from libcst._nodes.base import CSTNode


class Visitor(cst.CSTVisitor):
    """A read-only visitor, run with :func:`walk` (``visit_X`` may return False
    to skip a node's children; ``leave_X`` follows them).

    libcst's own ``node.visit(visitor)`` rebuilds and re-validates every node
    it passes, even for a visitor that changes nothing; ``walk`` only reads.
    Whitespace, comments and punctuation are skipped unless ``TRIVIA`` is true.
    """

    TRIVIA = False
    # Each class's visit_X / leave_X function by node type, looked up once.
    _visits: Dict[type, object] = {}
    _leaves: Dict[type, object] = {}

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls._visits = {}
        cls._leaves = {}

    def on_visit(self, node: cst.CSTNode) -> bool:
        kind = type(node)
        try:
            method = self._visits[kind]
        except KeyError:
            method = self._visits[kind] = getattr(type(self), "visit_" + kind.__name__, None)
        return method is None or method(self, node) is not False

    def on_leave(self, original_node: cst.CSTNode) -> None:
        kind = type(original_node)
        try:
            method = self._leaves[kind]
        except KeyError:
            method = self._leaves[kind] = getattr(type(self), "leave_" + kind.__name__, None)
        if method is not None:
            method(self, original_node)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        return None

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        return None


class _FieldOrder(cst.CSTVisitor):
    """Records the fields libcst visits on one node, in its order."""

    def __init__(self, parent: cst.CSTNode) -> None:
        super().__init__()
        self.parent = parent
        self.fields: List[str] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        return False

    def on_leave(self, original_node: cst.CSTNode) -> None:
        return None

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        if node is self.parent:
            self.fields.append(attribute)

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        return None


# Fields that only ever hold whitespace, comments, blank lines and punctuation
# (parentheses, commas, dots, colons, brackets): about two thirds of a module's nodes.
_TRIVIA_FIELDS = frozenset({
    "colon", "comma", "comment", "dot", "empty_lines", "equal", "first_colon", "first_line", "footer",
    "header", "last_line", "lbrace", "lbracket", "leading_lines", "leading_whitespace",
    "lines_after_decorators", "lpar", "newline", "rbrace", "rbracket", "rpar", "second_colon",
    "semicolon", "trailing_whitespace",
})
_SOMETIMES_UNNAMED = ("format_spec",)
_ALL_FIELDS: Dict[type, Tuple[str, ...]] = {}
_MAIN_FIELDS: Dict[type, Tuple[str, ...]] = {}
_NO_CHILD = (type(None), cst.MaybeSentinel, str)


def child_fields(node: cst.CSTNode, trivia: bool = True) -> Tuple[str, ...]:
    """The fields holding ``node``'s children, in source order (libcst's visiting order);
    without ``trivia``, not those that hold only whitespace, comments and punctuation."""
    kind = type(node)
    fields = _ALL_FIELDS.get(kind)
    if fields is None:
        recorder = _FieldOrder(node)
        node._visit_and_replace_children(recorder)
        # libcst skips an f-string's absent format spec without naming it; it comes last.
        missing = [f for f in _SOMETIMES_UNNAMED if f not in recorder.fields and hasattr(node, f)]
        fields = _ALL_FIELDS[kind] = tuple(recorder.fields) + tuple(missing)
        _MAIN_FIELDS[kind] = tuple(
            f for f in fields if not (f in _TRIVIA_FIELDS or f.startswith("whitespace"))
        )
    return fields if trivia else _MAIN_FIELDS[kind]


class StopWalk(Exception):
    """Raised by a visitor that has seen enough: :func:`walk` ends quietly."""


def walk(node: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """Run ``visitor`` over ``node`` and its descendants in source order, as
    ``node.visit(visitor)`` does, without rebuilding any node. Trivia (see
    ``Visitor``) is visited only when the visitor's ``TRIVIA`` is true."""
    try:
        walk_into(node, visitor)
    except StopWalk:
        pass


def walk_into(node: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """:func:`walk` for a visitor that walks part of a node itself: a StopWalk raised
    there ends the outer walk too."""
    if getattr(visitor, "TRIVIA", True):
        _walk(node, visitor, _ALL_FIELDS)
    else:
        tree = index_of(node)
        if tree is None or not tree.walk(node, visitor):
            _walk(node, visitor, _MAIN_FIELDS)


def _walk(node: cst.CSTNode, visitor: cst.CSTVisitor, table: Dict[type, Tuple[str, ...]]) -> None:
    if visitor.on_visit(node):
        kind = type(node)
        fields = table.get(kind)
        if fields is None:
            child_fields(node)
            fields = table[kind]
        for name in fields:
            value = getattr(node, name)
            value_type = type(value)
            if value_type is tuple or value_type is list:
                for child in value:
                    _walk(child, visitor, table)
            elif value_type not in _NO_CHILD:
                _walk(value, visitor, table)
    visitor.on_leave(node)


class Index:
    """Every node of one tree (trivia aside) numbered in walk order, listed by type, with
    each node's subtree as a range of numbers: finding the nodes of a type under a node
    reads a range instead of walking. It holds the nodes, so their ids stay theirs."""

    def __init__(self, root: cst.CSTNode) -> None:
        self.root = root
        self.nodes: List[cst.CSTNode] = []  # by number
        self.ends: List[int] = []  # by number: the number after the node's subtree
        self.numbers: Dict[int, int] = {}  # id(node) -> its number
        self.by_type: Dict[type, Tuple[List[int], List[cst.CSTNode]]] = {}
        self.hidden: Set[int] = set()  # x.NAME and f(NAME=...): names that are not values
        self.shared = False  # a node met twice (a rewritten tree may share one): not usable
        self._open: List[int] = []
        self._wanted: Dict[object, List[List[int]]] = {}  # see _walk_typed
        # Answers computed once per node of this tree (see `memo`): (what, id) -> (node, answer)
        self._memo: Dict[Tuple[str, int], Tuple[cst.CSTNode, object]] = {}
        _walk(root, self, _MAIN_FIELDS)  # the index is its own numbering visitor

    def on_visit(self, node: cst.CSTNode) -> bool:
        number = len(self.nodes)
        self.nodes.append(node)
        self.ends.append(number + 1)
        self._open.append(number)
        kind = type(node)
        entry = self.by_type.get(kind)
        if entry is None:
            entry = self.by_type[kind] = ([], [])
        entry[0].append(number)
        entry[1].append(node)
        if kind is cst.Attribute:
            self.hidden.add(id(node.attr))
        elif kind is cst.Arg and node.keyword is not None:
            self.hidden.add(id(node.keyword))
        if id(node) in self.numbers:
            self.shared = True
        self.numbers[id(node)] = number
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.ends[self._open.pop()] = len(self.nodes)

    def memo(self, what: str, node: cst.CSTNode, compute: Callable[[cst.CSTNode], object]) -> object:
        """``compute(node)``, computed once while this index lives (the entry holds the node, so
        its id stays its own). The answer is shared: callers must not change it."""
        key = (what, id(node))
        entry = self._memo.get(key)
        if entry is None or entry[0] is not node:
            entry = self._memo[key] = (node, compute(node))
        return entry[1]

    def extent(self, node: cst.CSTNode) -> Optional[Tuple[int, int]]:
        """``node``'s number and the number after its subtree; None when ``node`` is not
        in this tree, or the tree holds a node twice."""
        number = self.numbers.get(id(node))
        if number is None or self.shared:
            return None
        return number, self.ends[number]

    def walk(self, node: cst.CSTNode, visitor: cst.CSTVisitor) -> bool:
        """:func:`walk` without trivia over the numbered nodes, without recursion; False
        when ``node`` is not in this tree."""
        extent = self.extent(node)
        if extent is None:
            return False
        number, end = extent
        wants = _wants(visitor) if end - number > 48 else None  # a small subtree: node by node
        self._walk_numbers(range(number, end) if wants is None else self._typed(number, end, wants), visitor)
        return True

    def _typed(self, number: int, end: int, wants) -> List[int]:
        """The numbers from ``number`` to ``end`` of the nodes of the types a visitor does something
        at (``wants``): walking those only makes the same calls in the same order."""
        lists = self._wanted.get(wants)
        if lists is None:
            lists = self._wanted[wants] = [of_kind for kind, (of_kind, _) in self.by_type.items() if wants(kind)]
        numbers: List[int] = []
        kinds = 0
        for of_kind in lists:
            low, high = bisect_left(of_kind, number), bisect_left(of_kind, end)
            if low < high:
                numbers.extend(of_kind[low:high])
                kinds += 1
        if kinds > 1:
            numbers.sort()
        return numbers

    def _walk_numbers(self, numbers, visitor: cst.CSTVisitor) -> None:
        """The calls of a walk over the numbered nodes ``numbers`` (in walk order), without
        recursion: a node whose visit says False has its subtree skipped."""
        nodes, ends = self.nodes, self.ends
        on_visit, on_leave = visitor.on_visit, visitor.on_leave
        open_ends: List[int] = []  # the subtrees being walked, innermost last
        open_nodes: List[cst.CSTNode] = []
        skip_to = -1
        for number in numbers:
            if number < skip_to:
                continue
            while open_ends and open_ends[-1] <= number:
                open_ends.pop()
                on_leave(open_nodes.pop())
            node = nodes[number]
            if on_visit(node):
                open_ends.append(ends[number])
                open_nodes.append(node)
            else:
                on_leave(node)
                skip_to = ends[number]
        while open_nodes:
            on_leave(open_nodes.pop())

    def find(self, node: cst.CSTNode, types: Tuple[type, ...], test, first: bool,
             values: bool) -> Optional[List[cst.CSTNode]]:
        """The nodes of ``types`` (exact classes) in ``node``, itself included, that pass
        ``test``, in walk order; with ``values``, not attribute and keyword names. None
        when ``node`` is not in this tree."""
        extent = self.extent(node)
        if extent is None:
            return None
        start, end = extent
        candidates: List[Tuple[int, cst.CSTNode]] = []
        for kind in types:
            entry = self.by_type.get(kind)
            if entry is not None:
                numbers, nodes = entry
                low, high = bisect_left(numbers, start), bisect_left(numbers, end)
                candidates.extend(zip(numbers[low:high], nodes[low:high]))
        if len(types) > 1:
            candidates.sort(key=lambda pair: pair[0])
        found = []
        for number, candidate in candidates:
            if values and number != start and id(candidate) in self.hidden:
                continue
            if test is None or test(candidate):
                found.append(candidate)
                if first:
                    break
        return found


def _wants(visitor: cst.CSTVisitor):
    """For a visitor whose calls do nothing at most node types, the test of the types where
    they do something (see Index._walk_typed); None for any other visitor."""
    kind = type(visitor)
    wants = _WANTS.get(kind)
    if wants is None:
        if kind.on_visit is Visitor.on_visit and kind.on_leave is Visitor.on_leave:
            wants = _WANTS[kind] = _MethodTypes(kind)
        else:
            wants = getattr(visitor, "wants", None)
    return wants


class _MethodTypes:
    """The node types for which a Visitor class has a visit_ or leave_ method of its own
    (libcst's CSTVisitor has one for every type, that does nothing)."""

    def __init__(self, visitor_class: type) -> None:
        self.visitor_class = visitor_class
        self.known: Dict[type, bool] = {}

    def __call__(self, kind: type) -> bool:
        answer = self.known.get(kind)
        if answer is None:
            answer = self.known[kind] = any(
                getattr(self.visitor_class, method, None) is not getattr(cst.CSTVisitor, method, None)
                for method in ("visit_" + kind.__name__, "leave_" + kind.__name__)
            )
        return answer


_WANTS: Dict[type, _MethodTypes] = {}
_KEPT = 3  # a file's tree, and the trees a rewrite builds from it before it goes back to the file's
_recent: List[Index] = []  # the indexes built last, the one asked for last first


def index(root: cst.CSTNode) -> Index:
    """The index of ``root``'s tree: built once, and kept while fewer than ``_KEPT`` other trees have
    been indexed since it was last asked for."""
    for at, tree in enumerate(_recent):
        if tree.root is root:
            if at:
                _recent.insert(0, _recent.pop(at))
            return tree
    tree = Index(root)
    _recent[:] = [tree, *_recent[:_KEPT - 1]]
    return tree


def index_of(node: cst.CSTNode) -> Optional[Index]:
    """The kept index whose tree holds ``node``, if any (an index holds its nodes: an id it numbers is
    the id of its own node)."""
    key = id(node)
    for tree in _recent:
        if key in tree.numbers:
            return tree
    return None


class Transformer(cst.CSTTransformer):
    """A CSTTransformer without libcst's per-field hooks."""

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        return None

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        return None


def replaced(root: cst.CSTNode, replacements: Dict[int, cst.CSTNode],
             back: Optional[Dict[int, cst.CSTNode]] = None) -> cst.CSTNode:
    """``root`` with nodes replaced by the identity of the original (``{id(original): new}``, the outermost
    wins), as ``root.visit(Replacer(replacements))`` gives it, rebuilding only the nodes on the way to a
    replaced one (when ``root``'s tree is indexed: else by that visit). ``back``, when given, receives
    ``{id(new node): the node it stands for}`` for the replaced and rebuilt nodes."""
    tree = index_of(root)
    extent = tree.extent(root) if tree is not None else None
    if extent is None or any(not isinstance(new, cst.CSTNode) for new in replacements.values()):
        return root.visit(_RecordingReplacer(replacements, back))
    numbers = sorted(tree.numbers[key] for key in replacements if key in tree.numbers)

    def rebuilt(node: cst.CSTNode) -> cst.CSTNode:
        new = replacements.get(id(node))
        if new is None:
            number, end = tree.extent(node)
            if bisect_left(numbers, number) == bisect_left(numbers, end):
                return node  # nothing replaced inside
            changes = {}
            for name in child_fields(node, trivia=False):
                value = getattr(node, name)
                if isinstance(value, cst.CSTNode):
                    changed = rebuilt(value)
                elif isinstance(value, (list, tuple)):
                    items = [rebuilt(item) if isinstance(item, cst.CSTNode) else item for item in value]
                    changed = value if all(a is b for a, b in zip(items, value)) else type(value)(items)
                else:
                    continue
                if changed is not value:
                    changes[name] = changed
            new = node.with_changes(**changes) if changes else node
        if back is not None and new is not node:
            back.setdefault(id(new), node)
        return new

    return rebuilt(root)


class Replacer(Transformer):
    """Replaces nodes by the identity of the original: ``{id(original): new}``. A replaced node's
    own replaced children are dropped with it (the outermost wins)."""

    def __init__(self, replacements: Dict[int, object]) -> None:
        super().__init__()
        self.replacements = replacements

    def on_leave(self, original_node, updated_node):
        replacement = self.replacements.get(id(original_node))
        if replacement is None and isinstance(original_node, (cst.Module, cst.IndentedBlock)):
            return self._comments_kept(original_node, updated_node)
        return updated_node if replacement is None else replacement

    def _comments_kept(self, original, updated):
        """The comments above (and after) statements removed from a block go to the next statement
        (or the block's end), as the lines they annotate go."""
        gone = [isinstance(self.replacements.get(id(stmt)), cst.RemovalSentinel) for stmt in original.body]
        if not any(gone) or len(updated.body) != gone.count(False):
            return updated
        body, carried, kept = list(updated.body), [], 0
        for stmt, removed in zip(original.body, gone):
            if removed:
                lines = list(getattr(stmt, "leading_lines", ()))
                trailing = getattr(getattr(stmt, "trailing_whitespace", None), "comment", None)
                if trailing is not None:
                    lines.append(cst.EmptyLine(comment=trailing))
                if any(line.comment is not None for line in lines):
                    carried.extend(lines)
                continue
            if carried:
                body[kept] = body[kept].with_changes(leading_lines=[*carried, *body[kept].leading_lines])
                carried = []
            kept += 1
        if carried:
            return updated.with_changes(body=body, footer=[*carried, *updated.footer])
        return updated.with_changes(body=body)


class _RecordingReplacer(Replacer):
    """A Replacer that records ``{id(new node): the node it stands for}`` in ``back`` (when given)."""

    def __init__(self, replacements: Dict[int, object], back: Optional[Dict[int, cst.CSTNode]]) -> None:
        super().__init__(replacements)
        self.back = back

    def on_leave(self, original_node, updated_node):
        new = super().on_leave(original_node, updated_node)
        if self.back is not None and isinstance(new, cst.CSTNode) and new is not original_node:
            self.back.setdefault(id(new), original_node)
        return new


_Parsed = TypeVar("_Parsed")
_NODE_CHECK = CSTNode.__dict__.get("__post_init__")


def unchecked(parse: Callable[..., _Parsed], code: str, **options) -> _Parsed:
    """``parse(code)`` (a libcst parse function) without the checks each node libcst builds makes of its
    own fields (``__post_init__``), which are for trees built by hand: a parser's output is valid by
    construction, and the checks are a sixth of the parse. They stay on for every node built otherwise."""
    check = _NODE_CHECK
    if check is None:
        return parse(code, **options)
    CSTNode.__post_init__ = _no_check
    try:
        return parse(code, **options)
    finally:
        CSTNode.__post_init__ = check


def _no_check(self) -> None:
    return None
