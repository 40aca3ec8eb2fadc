"""A class that keeps a session to run a fixed graph (the ``ImageCoder`` of TF1 data converters).

    class ImageCoder(object):
      def __init__(self):
        self._sess = tf.Session()
        self._png_data = tf.placeholder(dtype=tf.string)
        image = tf.image.decode_png(self._png_data, channels=3)
        self._png_to_jpeg = tf.image.encode_jpeg(image, format='rgb', quality=100)

      def png_to_jpeg(self, image_data):
        return self._sess.run(self._png_to_jpeg, feed_dict={self._png_data: image_data})

becomes a class whose fetched tensors are ``tf.function`` methods of the placeholders they read,
and whose runs call them:

    class ImageCoder(object):
      @tf.function(input_signature=[tf.TensorSpec(None, tf.string)])
      def _png_to_jpeg(self, png_data):
        image = tf.image.decode_png(png_data, channels=3)
        return tf.image.encode_jpeg(image, format='rgb', quality=100)

      def png_to_jpeg(self, image_data):
        return self._png_to_jpeg(image_data).numpy()

Only a graph without state is read this way: ``__init__`` makes the session, placeholders and
tensors computed by TensorFlow ops from them (no variables, layers, optimizers or graph of its
own), and the other methods only run those tensors, feeding those placeholders, and close the
session. The class keeps its name and its methods, so the code that uses it does not change.
Anything else returns None: the caller keeps the class on compat with its reason.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from .. import _tf, _vocab
from . import queries
from .model_lift import self_attr
from .state import Rewrite

_MAKERS = _vocab.STATE_MAKERS | {"Graph", "train.Saver"}
_RANDOM = ("random", "dropout", "multinomial")


@dataclass
class _Graph:
    """What ``__init__`` builds: its statements, read in order."""

    session: str = ""
    placeholders: Dict[str, cst.Call] = field(default_factory=dict)  # attribute -> tf.placeholder(...)
    first_use: Dict[str, int] = field(default_factory=dict)  # placeholder -> index of its statement
    tensors: Dict[str, int] = field(default_factory=dict)  # attribute -> index of its statement
    statements: List[cst.SimpleStatementLine] = field(default_factory=list)
    graph: List[bool] = field(default_factory=list)  # per statement: part of the graph (goes)
    reads: List[Dict[str, int]] = field(default_factory=list)  # per statement: local -> defining index


def rewrite(s: Rewrite, cls: cst.ClassDef) -> Optional[cst.ClassDef]:
    """The class with its graph made eager, or None when it is not such a class."""
    if not isinstance(cls.body, cst.IndentedBlock):
        return None
    body = list(cls.body.body)
    inits = [i for i, stmt in enumerate(body) if isinstance(stmt, cst.FunctionDef) and stmt.name.value == "__init__"]
    if len(inits) != 1 or not self_first(body[inits[0]]):
        return None
    init = body[inits[0]]
    graph = _read_init(s, init)
    if graph is None or not graph.session or not graph.tensors:
        return None
    attributes = {graph.session, *graph.placeholders, *graph.tensors}
    methods = {stmt.name.value for stmt in body if isinstance(stmt, cst.FunctionDef)}
    if (methods & set(graph.tensors)) or used_outside(s.module, cls, attributes):
        return None
    runs = _Runs(s, graph)
    others: Dict[int, Optional[cst.BaseStatement]] = {}
    for i, stmt in enumerate(body):
        if i == inits[0]:
            continue
        if isinstance(stmt, cst.FunctionDef):
            if not self_first(stmt) and queries.mentions(stmt, {"self"}):
                return None
            if _beyond_runs(stmt, graph.session, attributes):
                return None  # the session, a placeholder or a tensor used beyond a run or close()
            stmt = stmt.visit(runs)
            if runs.failed:
                return None
            stmt = _without_empty_body(stmt)
        elif queries.holds(stmt, cst.Attribute, lambda a: self_attr(a) in attributes):
            return None
        others[i] = stmt
    if not runs.fetched:
        return None
    kept = _kept_init(init, graph)
    made = _tensor_methods(s, graph, runs, init.leading_lines if kept is None else None)
    if made is None:
        return None
    new_body: List[cst.BaseStatement] = []
    for i, stmt in enumerate(body):
        if i == inits[0]:
            new_body += ([kept] if kept is not None else []) + made
        elif others[i] is not None:
            new_body.append(others[i])
    return cls.with_changes(body=cls.body.with_changes(body=new_body))


def _beyond_runs(node, session: str, attributes: Set[str]) -> bool:
    def session_call(call: cst.Call) -> bool:
        return (isinstance(call.func, cst.Attribute) and call.func.attr.value in ("run", "close")
                and self_attr(call.func.value) == session)
    inside = {id(a) for call in queries.find(node, cst.Call, session_call)
              for a in queries.find(call, cst.Attribute, lambda a: self_attr(a) in attributes)}
    return any(id(a) not in inside for a in queries.find(node, cst.Attribute, lambda a: self_attr(a) in attributes))


def self_first(func: cst.FunctionDef) -> bool:
    params = func.params.params
    return bool(params) and params[0].name.value == "self"


def _read_init(s: Rewrite, init: cst.FunctionDef) -> Optional[_Graph]:
    params = init.params
    if not isinstance(init.body, cst.IndentedBlock) or len(params.params) > 1 or params.kwonly_params or isinstance(
            params.star_arg, cst.Param) or params.star_kwarg is not None:
        return None  # arguments of __init__ would be read by the graph at construction only
    graph = _Graph()
    defined: Dict[str, int] = {}  # a local -> the statement that bound it last
    plain: Set[str] = set()  # locals bound by statements outside the graph
    mutated: Set[str] = set()  # locals changed in place (``config.gpu_options.allow_growth = True``)
    for i, stmt in enumerate(init.body.body):
        if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
            if s.mentions_graph(stmt) or queries.mentions(stmt, set(defined) | {"self"}):
                return None
            graph.statements.append(stmt)  # (a compound statement that leaves TensorFlow alone: kept)
            graph.graph.append(False)
            graph.reads.append({})
            continue
        small = stmt.body[0]
        graph.statements.append(stmt)
        read = small.value if isinstance(small, cst.Assign) else small  # (not the names it binds)
        reads = {name: defined[name] for name in queries.names_in(read) if name in defined}
        graph.reads.append(reads)
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString):
            graph.graph.append(False)  # the docstring
            continue
        if not isinstance(small, cst.Assign) or len(small.targets) != 1:
            if s.mentions_graph(small) or reads:
                return None
            plain |= queries.bound_names(small)
            graph.graph.append(False)
            continue
        target, value = small.targets[0].target, small.value
        name = s.call_name(value) if isinstance(value, cst.Call) else None
        attribute = self_attr(target)
        if name in _vocab.SESSIONS and attribute is not None and not graph.session:
            if queries.holds(value, cst.Attribute, lambda a: self_attr(a) is not None):
                return None  # tf.Session(graph=self.graph): a graph of its own
            graph.session = attribute
            graph.graph.append(True)
            continue
        if name == "placeholder" and attribute is not None:
            if _tf.argument(value, 0, "dtype") is None or attribute in graph.placeholders:
                return None
            if queries.names_in(value) & (plain | mutated | set(defined)) or self_reads(value):
                return None  # its dtype or shape is a value of __init__: the signature could not read it
            graph.placeholders[attribute] = value
            graph.first_use[attribute] = i
            graph.graph.append(True)
            continue
        if queries.calls_of(value, s.call_name, _MAKERS, first=True):
            return None  # variables, layers, a second session: a graph with state
        root = _root(target)
        if root in defined and not isinstance(target, cst.Name) and attribute is None:
            mutated.add(root)  # configures a local (of the session): goes with the graph
            graph.graph.append(True)
            continue
        if queries.names_in(value) & (plain | mutated):
            return None  # the graph reads a Python value of __init__, or a local changed in place
        own = self_reads(value)
        if own - set(graph.placeholders) - set(graph.tensors):
            return None  # reads an attribute that is no part of the graph
        computes = bool(own) or bool(reads) or s.mentions_graph(value) or _calls_tf(s, value)
        if isinstance(target, cst.Name) and computes:
            defined[target.value] = i
            graph.graph.append(True)
        elif attribute is not None and computes:
            if attribute in graph.tensors or attribute in graph.placeholders:
                return None  # bound twice
            graph.tensors[attribute] = i
            graph.graph.append(True)
        elif isinstance(target, cst.Name) and not computes:
            defined.pop(target.value, None)
            plain.add(target.value)
            graph.graph.append(False)
        elif not computes and not s.mentions_graph(small):
            graph.graph.append(False)  # ``self.calls = 0``: stays in __init__
        else:
            return None
    return graph


def _root(node) -> Optional[str]:
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


def _calls_tf(s: Rewrite, node) -> bool:
    return queries.holds(node, cst.Call, lambda c: s.call_name(c) is not None)


def self_reads(node) -> Set[str]:
    return {self_attr(a) for a in queries.find(node, cst.Attribute, lambda a: self_attr(a) is not None)}


def used_outside(module: cst.Module, cls: cst.ClassDef, attributes: Set[str]) -> bool:
    """Does code outside the class read one of its graph attributes (``coder._sess``)?"""
    def outside(node) -> bool:
        return isinstance(node, cst.Attribute) and node.attr.value in attributes
    inside = {id(n) for n in queries.find(cls, cst.Attribute, outside)}
    return any(id(n) not in inside for n in queries.find(module, cst.Attribute, outside))


def _kept_init(init: cst.FunctionDef, graph: _Graph) -> Optional[cst.FunctionDef]:
    """``__init__`` without its graph; None when nothing but a docstring is left."""
    kept = [stmt for i, stmt in enumerate(graph.statements) if not graph.graph[i]]
    code = [stmt for stmt in kept if not (isinstance(stmt, cst.SimpleStatementLine)
                                          and isinstance(stmt.body[0], cst.Expr)
                                          and isinstance(stmt.body[0].value, cst.SimpleString))]
    if not code:
        return None
    return init.with_changes(body=init.body.with_changes(body=kept))


@dataclass
class _Plan:
    """What a fetched tensor's method computes: statements of ``__init__``, in order, and the
    placeholders it takes."""

    indices: List[int]
    placeholders: List[str]
    tensors: Set[str]  # other tensors of the graph it reads (each a local of the method)
    random: bool


def _plan(graph: _Graph, tensor: str, methods: Optional[Dict[str, List[str]]] = None) -> Optional[_Plan]:
    """``methods``: the other tensors that have a method of their own (called, not computed again),
    each with the placeholders it takes."""
    methods = methods or {}
    needed: Set[int] = set()
    placeholders: Set[str] = set()
    tensors: Set[str] = set()
    stack = [graph.tensors[tensor]]
    while stack:
        i = stack.pop()
        if i in needed:
            continue
        needed.add(i)
        stack += graph.reads[i].values()
        for attribute in self_reads(graph.statements[i].body[0].value):
            if attribute in graph.placeholders:
                placeholders.add(attribute)
            elif attribute in methods:
                placeholders.update(methods[attribute])
            else:
                tensors.add(attribute)
                stack.append(graph.tensors[attribute])
    # A local bound again between its binding and a read the method keeps would change the read.
    for k in needed:
        target = graph.statements[k].body[0].targets[0].target
        if isinstance(target, cst.Name):
            for i in needed:
                j = graph.reads[i].get(target.value)
                if j is not None and j < k < i:
                    return None
    random = any(name and any(word in name for word in _RANDOM)
                 for i in needed for name in _call_names(graph.statements[i]))
    return _Plan(sorted(needed), sorted(placeholders, key=graph.first_use.__getitem__), tensors, random)


def _call_names(stmt) -> List[str]:
    return [queries.dotted(c.func) or "" for c in queries.find(stmt, cst.Call)]


class _Runs(cst.CSTTransformer):
    """Runs of the session become calls of the tensors' methods; ``close()`` goes."""

    def __init__(self, s: Rewrite, graph: _Graph) -> None:
        self.s = s
        self.graph = graph
        self.attributes = {graph.session, *graph.placeholders, *graph.tensors}
        self.plans: Dict[str, Optional[_Plan]] = {}
        self.fetched: List[str] = []
        self.failed = False

    def plan(self, tensor: str) -> Optional[_Plan]:
        if tensor not in self.plans:
            self.plans[tensor] = _plan(self.graph, tensor)
        return self.plans[tensor]

    def _session_call(self, node, method: str) -> bool:
        return (isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
                and node.func.attr.value == method and self_attr(node.func.value) == self.graph.session)

    def leave_SimpleStatementLine(self, original, updated):
        if len(updated.body) == 1 and isinstance(updated.body[0], cst.Expr) and self._session_call(
                updated.body[0].value, "close"):
            return cst.RemovalSentinel.REMOVE
        return updated

    def leave_IndentedBlock(self, original, updated):
        if original.body and not updated.body:
            return updated.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
        return updated

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if not self._session_call(updated, "run"):
            return updated
        new = self._run(updated)
        if new is None:
            self.failed = True
            return updated
        return new

    def _run(self, call: cst.Call) -> Optional[cst.BaseExpression]:
        fetches = _tf.argument(call, 0, "fetches")
        feed = _tf.argument(call, 1, "feed_dict")
        if fetches is None or len(call.args) != (2 if feed is not None else 1):
            return None
        fed: Dict[str, cst.BaseExpression] = {}
        if feed is not None:
            if not isinstance(feed.value, cst.Dict):
                return None
            for element in feed.value.elements:
                key = self_attr(element.key) if isinstance(element, cst.DictElement) else None
                if key not in self.graph.placeholders or self_reads(element.value) & self.attributes:
                    return None
                fed[key] = element.value
        listed = isinstance(fetches.value, (cst.List, cst.Tuple))
        items = [e.value for e in fetches.value.elements] if listed else [fetches.value]
        names = [self_attr(item) for item in items]
        if not names or any(name not in self.graph.tensors for name in names):
            return None
        plans = [self.plan(name) for name in names]
        if any(plan is None for plan in plans) or (len(plans) > 1 and any(plan.random for plan in plans)):
            return None  # two tensors drawing at random: TF1 drew once for both in one run
        read = {p for plan in plans for p in plan.placeholders}
        if not read <= set(fed) or any(not _plain(value) for key, value in fed.items() if key not in read):
            return None  # a placeholder left unfed, or a value with effects that would no longer be computed
        calls = []
        for name, plan in zip(names, plans):
            args = ", ".join(self.s.code(fed[p]) for p in plan.placeholders)
            calls.append(self.s.expr(f"self.{name}({args}).numpy()"))
            if name not in self.fetched:
                self.fetched.append(name)
        if not listed:
            return calls[0]
        elements = [e.with_changes(value=c) for e, c in zip(fetches.value.elements, calls)]
        return fetches.value.with_changes(elements=elements)


def _plain(node) -> bool:
    return not queries.holds(node, (cst.Call, cst.Await, cst.Yield, cst.NamedExpr))


def _without_empty_body(func: cst.FunctionDef) -> Optional[cst.FunctionDef]:
    """``def __del__(self): self._sess.close()`` goes once its body is only ``pass``."""
    body = func.body.body if isinstance(func.body, cst.IndentedBlock) else ()
    only_pass = len(body) == 1 and isinstance(body[0], cst.SimpleStatementLine) and isinstance(
        body[0].body[0], cst.Pass)
    if func.name.value == "__del__" and only_pass and not queries.comments_in(func.body):
        return None
    return func


class _Locals(cst.CSTTransformer):
    """``self.<placeholder>`` and ``self.<tensor>`` become the method's parameters and locals."""

    def __init__(self, names: Dict[str, str], calls: Dict[str, cst.BaseExpression]) -> None:
        self.names = names
        self.calls = calls  # tensors with a method of their own: ``self._pixels(png)``

    def leave_Attribute(self, original, updated):
        attribute = self_attr(updated)
        if attribute in self.names:
            return cst.Name(self.names[attribute])
        return self.calls.get(attribute, updated)


def _tensor_methods(s: Rewrite, graph: _Graph, runs: _Runs,
                    leading: Optional[Tuple]) -> Optional[List[cst.FunctionDef]]:
    made: List[cst.FunctionDef] = []
    described: Set[int] = set()
    for tensor, index in sorted(graph.tensors.items(), key=lambda item: item[1]):
        if tensor not in runs.fetched:
            continue  # built and never run: TF1 computed nothing of it
        methods = {other: runs.plan(other).placeholders for other in runs.fetched if other != tensor}
        plan = _plan(graph, tensor, methods)
        if plan is None:
            return None
        steps = [graph.statements[i] for i in plan.indices]
        taken = set().union(*(queries.names_in(stmt) for stmt in steps)) | {"self"}
        names: Dict[str, str] = {}
        for attribute in [*plan.placeholders, *sorted(plan.tensors)]:
            name = attribute.lstrip("_") or attribute
            if name in taken or name in names.values():
                name = attribute
            if name in taken or name in names.values():
                return None
            names[attribute] = name
        body: List[cst.BaseStatement] = []
        calls = {other: s.expr(f"self.{other}({', '.join(names[p] for p in taken_by)})")
                 for other, taken_by in methods.items() if any(other in self_reads(stmt) for stmt in steps)}
        to_locals = _Locals(names, calls)
        for i, step in zip(plan.indices, steps):
            stmt = step.visit(to_locals)
            stmt = stmt.with_changes(leading_lines=[line for line in stmt.leading_lines if line.comment])
            # (another tensor of the graph it assigns is a local here: _Locals renamed the target too)
            body.append(stmt.with_changes(body=[cst.Return(stmt.body[0].value)]) if i == index else stmt)
        specs = []
        for placeholder in plan.placeholders:
            call = graph.placeholders[placeholder]
            shape = _tf.argument(call, 1, "shape")
            dtype = _tf.argument(call, 0, "dtype")
            specs.append(f"{s.tf}.TensorSpec({s.code(shape.value) if shape else 'None'}, {s.code(dtype.value)})")
        decorator = f"{s.tf}.function(input_signature=[{', '.join(specs)}])" if specs else f"{s.tf}.function"
        comments = []
        for placeholder in plan.placeholders:
            first = graph.first_use[placeholder]
            if first not in described:
                described.add(first)
                comments += [line for line in graph.statements[first].leading_lines if line.comment]
        if leading is not None and not made:
            lines = list(leading) + comments
        else:
            lines = [cst.EmptyLine(indent=False)] + comments
        params = [cst.Param(cst.Name("self"))] + [cst.Param(cst.Name(names[p])) for p in plan.placeholders]
        made.append(cst.FunctionDef(
            name=cst.Name(tensor), params=cst.Parameters(params), body=cst.IndentedBlock(body),
            decorators=[cst.Decorator(s.expr(decorator))], leading_lines=lines))
    return made
