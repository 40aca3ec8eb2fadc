"""Code outside a model class that runs the class's graph (``model_class.py``).

    model = TextModel(vocab_size=100)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for x, y in batches:
            _, loss = sess.run([model.train_op, model.loss], feed_dict={model.x: x, model.y: y})

Each top-level statement of the module that reads a graph attribute of the class through its
instance (``model.loss``) is a unit of the class's program: a function is one as it is, any other
statement is wrapped in a function of its own, and ``model.loss`` is the program's ``loss``. The
graph-to-eager rewrite of the whole program rewrites them with the class; lifted back, the
program's names are read from the instance again (``model.train_op(x, y)``) and a wrapped
statement is unwrapped. One instance name, bound only to instances of the class, is read so;
anything else leaves the class on compat.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set

import libcst as cst

from tfmigrate.names import fresh_name
from tfmigrate.traverse import Transformer

from .. import _tf, _vocab
from . import layout, queries
from .model_lift import Read, rename_locals, self_attr


@dataclass
class Unit:
    stmt: cst.BaseStatement  # the module's statement
    name: str  # its function in the class's program (its own name for a def)
    wrapped: bool  # a statement wrapped in a function of its own


@dataclass
class Outside:
    instance: str = ""  # the name the module binds to instances of the class
    units: List[Unit] = field(default_factory=list)
    sessions: Set[str] = field(default_factory=set)  # sessions the units run without making them
    renamed: Dict[str, str] = field(default_factory=dict)  # the units' names that are the program's too


def find(s, cls: cst.ClassDef, read: Read, program: Set[str], taken: Set[str]) -> Optional[Outside]:
    """The module's code that runs the class's graph (no units: none), or None when it cannot be read."""
    outside = Outside()
    attributes = read.attributes

    def graph_attribute(node) -> bool:
        return isinstance(node, cst.Attribute) and node.attr.value in attributes and self_attr(node) is None

    position = s.module.body.index(cls)
    for index, stmt in enumerate(s.module.body):
        if stmt is cls:
            continue
        uses = queries.find(stmt, cst.Attribute, graph_attribute)
        if not uses:
            continue
        receivers = {u.value.value if isinstance(u.value, cst.Name) else None for u in uses}
        if None in receivers or len(receivers | ({outside.instance} - {""})) != 1 or index < position:
            return None  # another receiver, a second instance name, or code above the class
        outside.instance = receivers.pop()
        if isinstance(stmt, cst.ClassDef):
            return None
        if isinstance(stmt, cst.FunctionDef):
            if stmt.decorators:
                return None
            outside.units.append(Unit(stmt, stmt.name.value, False))
        else:
            outside.units.append(Unit(stmt, fresh_name(taken, "_model_code"), True))
    if not outside.units:
        return outside
    instance = outside.instance
    if instance in program or not _only_instances(s.module, cls.name.value, instance):
        return None
    for unit in outside.units:
        if not unit.wrapped and unit.name in program:
            return None  # the function's name would be the program's
        # `_, loss = sess.run([model.train_op, model.loss])`: the unit's `loss` is named otherwise while
        # the program is rewritten, and so again after
        for name in sorted(queries.names_in(unit.stmt) & program - set(outside.renamed)):
            outside.renamed[name] = fresh_name(taken, f"{name}_value")
    bound = set().union(*(queries.bound_names(u.stmt) for u in outside.units))
    sessions = _sessions(s)
    for unit in outside.units:
        for call in queries.find(unit.stmt, cst.Call, _runs):
            name = call.func.value.value
            if name not in bound:
                if name not in sessions:
                    return None  # `x.run(...)` on something the module does not make a session
                outside.sessions.add(name)
    return outside


def _sessions(s) -> Set[str]:
    """Names the module binds to a session it makes (``sess = tf.Session()``, ``with tf.Session() as sess``)."""
    names = {a.targets[0].target.value for a in queries.find(s.module, cst.Assign, lambda a: (
        len(a.targets) == 1 and isinstance(a.targets[0].target, cst.Name)
        and s.call_name(a.value) in _vocab.SESSIONS))}
    return names | {i.asname.name.value for i in queries.find(s.module, cst.WithItem, lambda i: (
        i.asname is not None and isinstance(i.asname.name, cst.Name) and s.call_name(i.item) in _vocab.SESSIONS))}


def _runs(call: cst.Call) -> bool:
    return isinstance(call.func, cst.Attribute) and call.func.attr.value == "run" and isinstance(
        call.func.value, cst.Name)


def _only_instances(module: cst.Module, cls: str, instance: str) -> bool:
    """Is ``instance`` bound only to ``cls(...)`` (no loop variable, parameter, ``as`` name or other value)?"""
    for assign in queries.find(module, cst.Assign):
        targets = [t.target for t in assign.targets]
        if any(instance in queries.names_in(t) for t in targets):
            if len(targets) != 1 or not isinstance(targets[0], cst.Name) or not (
                    isinstance(assign.value, cst.Call) and isinstance(assign.value.func, cst.Name)
                    and assign.value.func.value == cls):
                return False
    if queries.find(module, cst.Param, lambda p: p.name.value == instance, first=True):
        return False
    for node in queries.find(module, (cst.For, cst.AsName, cst.AugAssign, cst.AnnAssign, cst.CompFor)):
        target = node.name if isinstance(node, cst.AsName) else node.target
        if instance in queries.names_in(target):
            return False
    return True


class _Lower(Transformer):
    """``model.loss`` -> ``loss``; a session passed to the class -> the program's session, and no
    longer passed."""

    def __init__(self, read: Read, outside: Outside, cls: str, sessions: Dict[str, str]) -> None:
        self.read, self.outside, self.cls, self.sessions = read, outside, cls, sessions

    def leave_Attribute(self, original, updated):
        if isinstance(updated.value, cst.Name) and updated.value.value == self.outside.instance and (
                updated.attr.value in self.read.attributes):
            return cst.Name(updated.attr.value, lpar=updated.lpar, rpar=updated.rpar)
        if _runs_attribute(updated) and updated.value.value in self.sessions:
            return updated.with_changes(value=cst.Name(self.sessions[updated.value.value]))
        return updated

    def leave_Call(self, original, updated):
        if not (isinstance(updated.func, cst.Name) and updated.func.value == self.cls) or (
                self.read.session_param is None):
            return updated
        params = [p.name.value for p in self.read.init.params.params[1:]]
        passed = _tf.argument(original, params.index(self.read.session_param), self.read.session_param)
        args = [new for old, new in zip(original.args, updated.args) if old is not passed]
        if args:
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(args=args)


def _runs_attribute(node: cst.Attribute) -> bool:
    return node.attr.value == "run" and isinstance(node.value, cst.Name)


def session_names(read: Read, outside: Outside, cls: str, module: cst.Module) -> Optional[Dict[str, str]]:
    """The units' sessions that are the one the class is given: read as the program's session."""
    if read.session_param is None:
        return {}
    params = [p.name.value for p in read.init.params.params[1:]]
    passed = set()
    for call in queries.find(module, cst.Call, lambda c: isinstance(c.func, cst.Name) and c.func.value == cls):
        arg = _tf.argument(call, params.index(read.session_param), read.session_param)
        if arg is None or not isinstance(arg.value, cst.Name):
            return None
        passed.add(arg.value.value)
    run = {call.func.value.value for u in outside.units for call in queries.find(u.stmt, cst.Call, _runs)}
    if run - passed:
        return None  # a second session runs the class's graph
    return {name: read.session for name in passed}


def lower(s, read: Read, outside: Outside, cls: str, sessions: Dict[str, str]) -> List[cst.BaseStatement]:
    """The units as functions of the class's program, after the sessions they run."""
    indent = s.module.default_indent
    body: List[cst.BaseStatement] = []
    for name in sorted(outside.sessions - set(sessions)):
        body += [cst.parse_statement(f"{name} = {s.tf}.Session()\n"),
                 cst.parse_statement(f"{name}.run({s.tf}.global_variables_initializer())\n")]
    lowering = _Lower(read, outside, cls, sessions)
    for unit in outside.units:
        stmt = rename_locals(unit.stmt, outside.renamed).visit(lowering)
        if unit.wrapped:
            stmt = cst.FunctionDef(cst.Name(unit.name), cst.Parameters(), cst.IndentedBlock(
                [layout.shift(stmt, len(indent), bracketed=False)]))
        body.append(stmt)
    return body


def replacements(s, outside: Outside, lifted: Dict[str, cst.FunctionDef]) -> Optional[Dict[int, list]]:
    """What each unit's statement becomes."""
    indent = len(s.module.default_indent)
    out: Dict[int, list] = {}
    back = {new: old for old, new in outside.renamed.items()}
    for unit in outside.units:
        func = lifted.get(unit.name)
        if func is None or set(back.values()) & queries.names_in(func):
            return None
        func = rename_locals(func, back)
        if not unit.wrapped:
            out[id(unit.stmt)] = [func]
            continue
        body = list(func.body.body)
        if len(body) == 1 and isinstance(body[0], cst.SimpleStatementLine) and all(
                isinstance(small, cst.Pass) for small in body[0].body):
            body = []
        out[id(unit.stmt)] = [layout.shift(stmt, -indent, bracketed=False) for stmt in body]
    return out
