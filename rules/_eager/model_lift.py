"""The graph-to-eager rewrite of a model class's program lifted back into the class (``model_class.py``).

What the program binds at its top level (variables, optimizers, Keras layers, the values its
statements compute) becomes an attribute of ``self`` made in ``__init__``; its functions become
methods reading those attributes from ``self``; a constant a method's decorator reads (a shared
input signature) a class attribute. The running methods keep their place, name and comments.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from tfmigrate.names import fresh_name
from tfmigrate.traverse import Transformer

from .. import _tf, _vocab
from . import bindings as B
from . import layout, queries
from .state import Rewrite

_RESERVED = {"name", "name_scope", "variables", "trainable_variables", "non_trainable_variables", "submodules"}


@dataclass
class Read:
    """The class read as a program."""

    init: cst.FunctionDef
    session_attr: str
    session_param: Optional[str]  # the parameter of __init__ that passes the session in, if any
    session: str = ""  # the session's name in the program
    graph: List[cst.BaseStatement] = field(default_factory=list)  # __init__'s code, build methods inlined
    build: Set[str] = field(default_factory=set)  # the methods __init__ calls to build the graph
    runs: Dict[str, cst.FunctionDef] = field(default_factory=dict)  # methods reading the graph
    attributes: Set[str] = field(default_factory=set)  # self.<attribute> of the graph: a name of the program
    train_ops: Set[str] = field(default_factory=set)  # attributes bound to ``minimize(...)``
    renamed: Dict[str, Dict[str, str]] = field(default_factory=dict)  # method -> its locals named otherwise
    units: Set[str] = field(default_factory=set)  # functions of the module's code that runs the graph
    instance: str = ""  # the name that code reads the class's instance by
    lifted_units: Dict[str, cst.FunctionDef] = field(default_factory=dict)  # those functions, lifted
    outside: object = None  # that code (model_units.Outside)
    class_name: str = ""
    kept_params: Set[str] = field(default_factory=set)  # parameters of __init__ the rewrite keeps on self
    unsized: bool = False  # a placeholder's dimension read from self is None in the program
    depth: int = 0  # columns of a method's body
    method_depth: int = 0  # columns of a method's def
    model_methods: Dict[str, cst.FunctionDef] = field(default_factory=dict)  # methods making variables (model_methods)
    extras: Dict[str, List[str]] = field(default_factory=dict)  # model method -> the attributes it is passed
    functions: List[str] = field(default_factory=list)  # the module's model functions the graph calls
    module_classes: List[cst.ClassDef] = field(default_factory=list)  # the model methods' tf.Module classes
    outside_build: Optional[str] = None  # the build method the instance's user calls (__init__ is plain Python)


def self_attr(node) -> Optional[str]:
    """``x`` of ``self.x``."""
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
        return node.attr.value
    return None


def comprehension_names(node) -> Set[str]:
    return {n for comp in queries.find(node, cst.CompFor) for n in queries.names_in(comp.target)}


class ReturnedRuns(Transformer):
    """``return sess.run([cost, train_op], feed_dict=...)`` -> ``cost_value, _ = sess.run(...)`` and
    ``return [cost_value, None]``: what TF1's run returned, from runs the rewrite reads name by name."""

    def __init__(self, read: Read) -> None:
        self.read = read

    def leave_IndentedBlock(self, original, updated):
        body = []
        for stmt in updated.body:
            body += self._statements(stmt)
        return updated.with_changes(body=body)

    def _statements(self, stmt) -> list:
        if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
                and isinstance(stmt.body[0], cst.Return)):
            return [stmt]
        call = stmt.body[0].value
        if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and call.func.attr.value == "run"
                and isinstance(call.func.value, cst.Name) and call.func.value.value == self.read.session
                and call.args and call.args[0].keyword is None):
            return [stmt]
        fetched = call.args[0].value
        trains = self.read.train_ops
        if isinstance(fetched, cst.Name) and fetched.value in trains:
            return [stmt.with_changes(body=[cst.Expr(call)]),
                    cst.SimpleStatementLine([cst.Return(cst.Name("None"))])]
        if not isinstance(fetched, (cst.List, cst.Tuple)) or not fetched.elements or not all(
                isinstance(e, cst.Element) and isinstance(e.value, cst.Name) for e in fetched.elements) or not (
                {e.value.value for e in fetched.elements} & trains):
            return [stmt]
        taken = queries.names_in(self.read.init) | self.read.attributes | queries.names_in(stmt)
        targets, values = [], []
        for element in fetched.elements:
            name = element.value.value
            if name in trains:
                targets.append("_")
                values.append("None")
            else:
                targets.append(fresh_name(taken, f"{name}_value"))
                values.append(targets[-1])
        returned = f"[{', '.join(values)}]" if isinstance(fetched, cst.List) else f"({', '.join(values)},)"
        run = cst.Assign([cst.AssignTarget(cst.parse_expression(", ".join(targets)))], call)
        return [stmt.with_changes(body=[run]), cst.parse_statement(f"return {returned}\n")]


# --- the rewrite lifted back into the class ---------------------------------------------------------

class _Raise(Transformer):
    """Names the program binds at its top level -> attributes of ``self`` (or of the instance)."""

    def __init__(self, names: Set[str], skip: Set[int], receiver: str) -> None:
        self.names = names
        self.skip = skip
        self.receiver = receiver

    def leave_Name(self, original, updated):
        if updated.value in self.names and id(original) not in self.skip:
            return cst.Attribute(cst.Name(self.receiver), cst.Name(updated.value), lpar=updated.lpar,
                                 rpar=updated.rpar)
        return updated


def _not_names(node, decorators: bool) -> Set[int]:
    """Ids of the Name nodes that are not references: attributes' names, keywords, parameters, defs."""
    skip: Set[int] = set()
    for n in queries.find(node, (cst.Attribute, cst.Arg, cst.Param, cst.FunctionDef, cst.ClassDef, cst.Decorator)):
        if isinstance(n, cst.Attribute):
            skip.add(id(n.attr))
        elif isinstance(n, cst.Arg):
            if n.keyword is not None:
                skip.add(id(n.keyword))
        elif isinstance(n, cst.Decorator):
            if decorators:
                skip.update(id(name) for name in queries.find(n, cst.Name))
        else:
            skip.add(id(n.name))
    return skip


class _Locals(Transformer):
    def __init__(self, names: Dict[str, str], skip: Set[int]) -> None:
        self.names = names
        self.skip = skip

    def leave_Name(self, original, updated):
        if updated.value in self.names and id(original) not in self.skip:
            return updated.with_changes(value=self.names[updated.value])
        return updated


def rename_locals(node, names: Dict[str, str]):
    """``node`` (a function or statement) with its own names (parameters and locals) renamed."""
    if not names:
        return node
    skip = {id(n.attr) for n in queries.find(node, cst.Attribute)} | {
        id(a.keyword) for a in queries.find(node, cst.Arg, lambda a: a.keyword is not None)}
    if isinstance(node, cst.FunctionDef):
        skip.add(id(node.name))
    return node.visit(_Locals(names, skip))


def _rename(node, names: Set[str], decorators: bool = False, receiver: str = "self"):
    if not queries.holds(node, cst.Name, lambda n: n.value in names):
        return node
    return node.visit(_Raise(names, _not_names(node, decorators), receiver))


def _method(func: cst.FunctionDef, names: Set[str], depth: int) -> cst.FunctionDef:
    """A function of the program as a method: ``self`` first, the program's names read from it."""
    own = {p.name.value for p in func.params.params} | queries.bound_names(func.body) | comprehension_names(func)
    func = _rename(func, names - own, decorators=True)
    params = func.params.with_changes(params=[cst.Param(cst.Name("self")), *func.params.params])
    func = unindented_blanks(layout.shift(func.with_changes(params=params), depth, bracketed=False))
    leading = list(func.leading_lines)
    if not leading or leading[0].comment is not None:
        leading.insert(0, cst.EmptyLine(indent=False))
    return func.with_changes(leading_lines=leading)


class _Blanks(Transformer):
    def leave_EmptyLine(self, original, updated):
        return updated.with_changes(indent=False) if updated.comment is None else updated


def unindented_blanks(node):
    """Blank lines moved into a deeper block stay empty (no trailing indentation)."""
    if not queries.find(node, cst.EmptyLine, lambda e: e.indent and e.comment is None, first=True, trivia=True):
        return node
    return node.visit(_Blanks())


def _split(stmt, defs: List[Tuple[cst.FunctionDef, int]], depth: int, indent: int):
    """``stmt`` without the functions it defines (collected with their depth); None when empty."""
    if isinstance(stmt, cst.FunctionDef):
        defs.append((stmt, depth))
        return None
    if isinstance(stmt, cst.With) and isinstance(stmt.body, cst.IndentedBlock):
        inner = depth + (len(stmt.body.indent) if stmt.body.indent is not None else indent)
        kept = [k for k in (_split(st, defs, inner, indent) for st in stmt.body.body) if k is not None]
        if not kept:
            return None
        return stmt.with_changes(body=stmt.body.with_changes(body=kept))
    return stmt


def lift(s: Rewrite, cls: cst.ClassDef, read: Read, new: cst.Module) -> Optional[cst.ClassDef]:
    indent = len(s.module.default_indent)
    defs: List[Tuple[cst.FunctionDef, int]] = []
    statements = []
    for stmt in new.body:
        if isinstance(stmt, cst.SimpleStatementLine) and any(
                isinstance(small, (cst.Import, cst.ImportFrom, cst.Global)) for small in stmt.body):
            return None  # the rewrite needs something at module level
        kept = _split(stmt, defs, 0, indent)
        if kept is not None:
            if queries.find(kept, cst.FunctionDef, first=True):
                return None  # a function made in a loop or a condition
            statements.append(kept)
    names = set().union(*(queries.bound_names(st) for st in statements)) - {"self"} | {f.name.value for f, _ in defs}
    originals = {stmt.name.value for stmt in cls.body.body if isinstance(stmt, cst.FunctionDef)} - set(
        read.model_methods)
    generated = [(f, d) for f, d in defs if f.name.value not in read.runs and f.name.value not in read.units]
    if {f.name.value for f, _ in generated} & originals or names & _RESERVED - {"name"} or any(
            f.name.value.startswith("__") for f, _ in generated):
        return None
    init_params = {p.name.value for p in read.init.params.params}
    signed = _instance_signatures(defs, statements, names, init_params)
    if signed is None:
        return None
    defs, statements = signed
    generated = [(f, d) for f, d in defs if f.name.value not in read.runs and f.name.value not in read.units]
    # constants the methods' decorators read (a shared input signature) are class attributes
    decorated: Set[str] = set()
    for f, _ in defs:
        for d in f.decorators:
            decorated |= queries.names_in(d) & names
    constants = [st for st in statements if queries.bound_names(st) & decorated]
    if any(not isinstance(st, cst.SimpleStatementLine) or queries.mentions(st, names - decorated | init_params)
           for st in constants):
        return None  # a class attribute computed from what only __init__ has
    statements = [st for st in statements if st not in constants]
    attributes = names - decorated
    # a local of __init__ no method reads (`rng = np.random.RandomState(0)` to make the data) stays one
    read_by_functions = set().union(set(), *(queries.names_in(f.body) for f, _ in defs))
    attributes -= {name for name in attributes - read.attributes - read_by_functions
                   if name not in {f.name.value for f, _ in defs} and read.session_param != name}
    init_body = [unindented_blanks(layout.shift(_rename(st, attributes), read.depth, bracketed=False))
                 for st in statements]
    plain = not cls.bases or (len(cls.bases) == 1 and isinstance(cls.bases[0].value, cst.Name)
                              and cls.bases[0].value.value == "object" and cls.bases[0].keyword is None)
    module_base = plain and "name" not in (names | _assigned_attributes(statements))
    if module_base:
        init_body.insert(0, cst.parse_statement("super().__init__()\n"))
    init = read.init
    params = list(init.params.params)
    if read.session_param is not None:
        params = [p for p in params if p.name.value != read.session_param]
        if params:
            params[-1] = params[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    build_body = None
    if read.outside_build:  # the state is made where the graph was built; __init__ stays as written
        build_body = init_body[1:] if module_base else init_body
        init_body = init_body[:1] if module_base else []
        init_body += [st for st in init.body.body if self_attr(assigned_target(st)) != read.session_attr]
    init = init.with_changes(params=init.params.with_changes(params=params),
                             body=init.body.with_changes(body=init_body or [cst.SimpleStatementLine([cst.Pass()])]))
    methods = [_method(f, attributes, read.method_depth - d) for f, d in generated]
    runs = {f.name.value: _method(f, attributes, read.method_depth - d) for f, d in defs if f.name.value in read.runs}
    if set(runs) != set(read.runs):
        return None
    for name, func in runs.items():
        back = {new: old for old, new in read.renamed[name].items()}
        if set(back.values()) & queries.names_in(func):
            return None  # the method now reads the program's name as well
        runs[name] = rename_locals(func, back)
    for f, d in defs:
        if f.name.value in read.units:
            own = {p.name.value for p in f.params.params} | queries.bound_names(f.body) | comprehension_names(f)
            if any(queries.mentions(d, names) for d in f.decorators):
                return None
            read.lifted_units[f.name.value] = _rename(f, attributes - own, receiver=read.instance)
    init_params -= {"self"}
    for func in [*methods, *runs.values()]:
        own = {p.name.value for p in func.params.params} | queries.bound_names(func.body) | comprehension_names(func)
        if (queries.names_in(func) - own) & init_params:
            return None  # a method would read a parameter of __init__
    read_by_methods = {self_attr(a) for f in [*methods, *runs.values()] for a in queries.find(f, cst.Attribute)}
    unread = read.kept_params - read_by_methods
    if unread:  # a parameter only __init__ reads: read where it is
        init = init.with_changes(body=init.body.with_changes(body=[
            _Unkept(unread).transform(st) for st in init.body.body if _assigned_attributes([st]) - unread or not (
                isinstance(st, cst.SimpleStatementLine) and _assigned_attributes([st]))]))
    body = []
    for stmt in cls.body.body:
        if not isinstance(stmt, cst.FunctionDef):
            body.append(stmt)
        elif stmt.name.value == "__init__":
            body += [unindented_blanks(layout.shift(c, read.method_depth, bracketed=False)) for c in constants]
            if constants and not any(line.comment is None for line in init.leading_lines):
                init = init.with_changes(leading_lines=[cst.EmptyLine(indent=False), *init.leading_lines])
            body += [init, *methods]
        elif stmt.name.value in read.runs:
            func = runs[stmt.name.value]
            body.append(func.with_changes(leading_lines=stmt.leading_lines))
        elif stmt.name.value == read.outside_build:
            body.append(stmt.with_changes(body=stmt.body.with_changes(
                body=build_body or [cst.SimpleStatementLine([cst.Pass()])])))
        elif stmt.name.value not in read.build and stmt.name.value not in read.model_methods:
            body.append(stmt)
    new_cls = cls.with_changes(body=cls.body.with_changes(body=body))
    if module_base:
        new_cls = new_cls.with_changes(bases=[cst.Arg(cst.parse_expression(f"{s.tf}.Module"))],
                                       lpar=cst.LeftParen(), rpar=cst.RightParen())
    return new_cls


def _instance_signatures(defs, statements, names: Set[str], init_params: Set[str]):
    """A tf.function whose decorator reads what only an instance has (a signature sized by
    ``self.batch_size``, or by ``bs = self.batch_size``): the method goes undecorated, and ``__init__``
    makes its function once that is known (``G = tf.function(G, input_signature=SIGNATURE)``, then
    ``self.G = ...``). (defs, statements), or None where that cannot be done before the method is used."""
    instance = {"self"} | init_params
    changed = True
    while changed:
        changed = False
        for st in statements:
            bound = queries.bound_names(st) & names - instance
            if bound and queries.mentions(st, instance):
                instance |= bound
                changed = True
    out, wraps = [], []
    for func, depth in defs:
        own = [d for d in func.decorators if queries.mentions(d, instance)]
        if not own:
            out.append((func, depth))
            continue
        call = own[0].decorator
        if len(own) > 1 or not isinstance(call, cst.Call) or func.decorators[0] is not own[0]:
            return None
        made = call.with_changes(args=[cst.Arg(cst.Name(func.name.value), comma=cst.Comma(
            whitespace_after=cst.SimpleWhitespace(" "))), *call.args])
        wraps.append(cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(func.name.value))], made)]))
        out.append((func.with_changes(decorators=[d for d in func.decorators if d is not own[0]]), depth))
    placed: Dict[int, list] = {}
    for wrap in wraps:
        name = wrap.body[0].targets[0].target.value
        reads = queries.names_in(wrap) | {a.attr.value for a in queries.find(wrap, cst.Attribute)}
        at = 1 + max((i for i, st in enumerate(statements) if (queries.bound_names(st) | _assigned_attributes([st]))
                      & reads - {name}), default=-1)
        if any(queries.mentions(st, {name}) for st in statements[:at]):
            return None  # the method is used before what its signature reads is known
        placed.setdefault(at, []).append(wrap)
    ordered = []
    for index, st in enumerate(statements):
        ordered += [*placed.get(index, []), st]
    return out, ordered + placed.get(len(statements), [])


def assigned_target(stmt) -> Optional[cst.BaseExpression]:
    """The single target of ``target = value``."""
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign):
        return stmt.body[0].targets[0].target if len(stmt.body[0].targets) == 1 else None
    return None


def _assigned_attributes(statements) -> Set[str]:
    return {self_attr(t.target) for st in statements for t in queries.find(st, cst.AssignTarget)} - {None}


class _Sessions(Transformer):
    def __init__(self, s: Rewrite) -> None:
        self.s = s

    def leave_Call(self, original, updated):
        func = original.func
        if not isinstance(func, cst.Name) or func.value not in self.s.session_classes:
            return updated
        index, param = self.s.session_classes[func.value]
        passed = _tf.argument(original, index, param)
        if passed is None or not isinstance(passed.value, cst.Name) or self.s.b.kind(passed.value.value) != (
                B.SESSION):
            return updated
        args = [new for old, new in zip(original.args, updated.args) if old is not passed]
        if args:
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(args=args)


def without_sessions(s: Rewrite, node):
    """``node`` with the session no longer passed to the model classes rewritten (``Model(sess, "m1")``
    -> ``Model("m1")``)."""
    if not queries.holds(node, cst.Call, lambda c: isinstance(c.func, cst.Name) and c.func.value in s.session_classes):
        return node
    return node.visit(_Sessions(s))


class _Unkept(Transformer):
    def __init__(self, names: Set[str]) -> None:
        self.names = names

    def leave_Attribute(self, original, updated):
        name = self_attr(updated)
        return cst.Name(name, lpar=updated.lpar, rpar=updated.rpar) if name in self.names else updated

    def transform(self, node):
        return node.visit(self)


def eager_already(s: Rewrite, cls: cst.ClassDef) -> bool:
    """Does the class hold only what runs eagerly as written: variables made in ``__init__`` without
    updating them there, and methods of TensorFlow ops (no placeholders, sessions, TF1 optimizers or
    layers, variable scopes, initializers, runs or train ops)?"""
    tf1 = (_vocab.PLACEHOLDERS | _vocab.SESSIONS | set(_vocab.OPTIMIZERS) | set(_vocab.LAYERS) | _vocab.INITIALIZERS
           | {"get_variable", "variable_scope", "assign", "assign_add", "assign_sub"})
    if queries.calls_of(cls, s.call_name, tf1, first=True) or queries.holds(cls, cst.Call, lambda c: isinstance(
            c.func, cst.Attribute) and c.func.attr.value in ("minimize", "run", "eval", "compute_gradients")):
        return False
    inits = [f for f in cls.body.body if isinstance(f, cst.FunctionDef) and f.name.value == "__init__"]
    return all(_makes_only_state(s, f) for f in inits)


def _makes_only_state(s: Rewrite, init: cst.FunctionDef) -> bool:
    """Does ``__init__`` only make variables, Keras objects and optimizers (no tensor computed once there
    that TF1 computed at each run, no variable updated)?"""
    def state(name: str) -> bool:
        return name == "Variable" or name.startswith(("keras.", "optimizers.", "initializers."))

    def calls_tf(node) -> bool:
        return queries.holds(node, cst.Call, lambda c: s.call_name(c) is not None)

    if queries.assigns(init):
        return False
    for assign in queries.find(init, (cst.Assign, cst.AugAssign, cst.AnnAssign)):
        name = s.call_name(assign.value) if assign.value is not None else None
        if (name is not None and not state(name)) or (name is None and assign.value is not None
                                                       and calls_tf(assign.value)):
            return False
    return not queries.holds(init, cst.Expr, lambda e: s.call_name(e.value) is not None)
