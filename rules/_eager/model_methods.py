"""Methods of a model class that make variables under variable scopes (a GAN's discriminator).

    class GAN(object):
        def discriminator(self, x, reuse=False):
            with tf.variable_scope("discriminator", reuse=reuse):
                net = lrelu(linear(x, 64, scope="d_fc1"))
                net = tf.reshape(net, [self.batch_size, -1])
                return linear(net, 1, scope="d_fc2")

        def build_model(self):
            D_real = self.discriminator(self.inputs)
            D_fake = self.discriminator(G, reuse=True)

The class's program (``model_class.py``) holds each such method as a function of its own, called
where the graph code calls the method: ``self`` goes, and each attribute it reads that the graph
does not make (``self.batch_size``) becomes a parameter the calls pass
(``discriminator(inputs, batch_size=self.batch_size)``). The module rewrite makes it a ``tf.Module``
class like any model function, the calls that shared its variables one instance; the module-level
model functions these methods call (``linear``) are read with them. The classes go to module level,
before the class; the instances are attributes its ``__init__`` makes; the methods go.

A method that sets attributes, is read as a value, is called by the methods that run the graph or
takes ``*args`` stays: the class keeps its TF1 form (the reason).

Also here: the build method the code using an instance calls (``gan = GAN(sess, ...)``, then
``gan.build_model()``) when ``__init__`` only keeps its arguments: its body is the class's graph, and
the state its rewrite makes is made there (``model_lift.lift``).
"""
from __future__ import annotations

from typing import Dict, List, Optional, Set

import libcst as cst

from tfmigrate.traverse import Transformer

from .. import _vocab
from . import layout, queries, scopes
from .model_lift import Read, assigned_target, self_attr
from .state import Rewrite


def find(s: Rewrite, cls: cst.ClassDef, functions: Dict[str, cst.FunctionDef], read: Read) -> Optional[str]:
    """Read the model methods the graph code calls into ``read``; the reason they cannot be, else None."""
    graph = cst.Module(body=read.graph)
    makers = {name for name, func in functions.items() if _makes_variables(s, func)}
    while True:  # a method calling one that makes variables makes variables too
        more = {name for name, func in functions.items() if name not in makers and set(_self_calls(func)) & makers}
        if not more:
            break
        makers |= more
    makers -= read.build | {"__init__"}
    todo = [name for name in _self_calls(graph) if name in makers]
    found: Dict[str, cst.FunctionDef] = {}
    while todo:
        name = todo.pop()
        func = functions[name]
        if name in found:
            continue
        params = func.params
        if func.decorators or not params.params or params.params[0].name.value != "self" or not isinstance(
                func.body, cst.IndentedBlock) or params.kwonly_params or params.posonly_params or not isinstance(
                params.star_arg, cst.MaybeSentinel) or params.star_kwarg is not None:
            return f"its method {name} makes variables and is decorated, static or takes *args or **kwargs"
        if any(self_attr(t.target) for t in queries.find(func, cst.AssignTarget)) or queries.find(
                func, (cst.AugAssign, cst.Global, cst.Nonlocal), first=True):
            return f"its method {name} makes variables and sets attributes or globals"
        found[name] = func
        todo += [n for n in _self_calls(func) if n in makers]
    read.functions = _module_functions(s, [graph, *found.values()])
    if not found:
        return None
    builders = [functions["__init__"], *(functions[n] for n in read.build), *found.values()]
    for name in found:
        called = sum(len(queries.find(f, cst.Call, lambda c: self_attr(c.func) == name)) for f in builders)
        if called != len(queries.find(cls, cst.Attribute, lambda a: self_attr(a) == name)):
            return f"its method {name} makes variables and is used beyond the calls that build the graph"
    read.model_methods = {name: functions[name] for name in functions if name in found}
    read.extras = _extras(read)
    return None


def build_method(s: Rewrite, cls: cst.ClassDef, functions: Dict[str, cst.FunctionDef], read: Read) -> None:
    """``gan = GAN(sess, ...)`` then ``gan.build_model()``: an ``__init__`` of plain Python, and one method
    that builds the graph, which the code using the instance calls (in this file, once, as a statement; or
    in other files). Its body is the class's graph; its rewrite makes the model's state (``read``)."""
    init = functions["__init__"]
    if queries.holds(init, cst.Call, lambda c: s.call_name(c) is not None) or _self_calls(init):
        return
    candidates = []
    for name, func in functions.items():
        params = func.params
        if name == "__init__" or func.decorators or len(params.params) != 1 or params.star_arg is not (
                cst.MaybeSentinel.DEFAULT) or params.star_kwarg or params.kwonly_params or not isinstance(
                func.body, cst.IndentedBlock) or queries.find(func, cst.Return, first=True):
            continue
        if queries.calls_of(func, s.call_name, _vocab.PLACEHOLDERS | set(_vocab.OPTIMIZERS) | {"get_variable"},
                            first=True):
            candidates.append(name)
    if len(candidates) != 1:
        return
    name = candidates[0]
    inside = len(queries.find(cls, cst.Attribute, lambda a: self_attr(a) == name))
    calls = [c for c in queries.find(s.module, cst.Call) if isinstance(c.func, cst.Attribute)
             and c.func.attr.value == name and not c.args]
    statements = {id(e.value) for e in queries.find(s.module, cst.Expr)}
    if inside or len(calls) > 1 or any(id(c) not in statements for c in calls):
        return
    read.build.add(name)
    read.outside_build = name
    session = [stmt for stmt in read.graph if self_attr(assigned_target(stmt)) == read.session_attr]
    read.graph = [*session, *queries.without_docstring(functions[name].body.body)]


def _self_calls(node) -> List[str]:
    return [self_attr(c.func) for c in queries.find(node, cst.Call) if self_attr(c.func)]


def _makes_variables(s: Rewrite, func: cst.FunctionDef) -> bool:
    """Does the method make variables, or open a variable scope (the program's rewrite makes it a name scope
    where nothing is made under it: the method is a function of the program too)?"""
    return bool(queries.calls_of(func, s.call_name, scopes.BUILDERS | {"variable_scope"}, first=True)) or bool(
        queries.holds(func, cst.Call, lambda c: isinstance(c.func, cst.Name) and c.func.value in s.p.models))


def _extras(read: Read) -> Dict[str, List[str]]:
    """The attributes each model method reads that the graph does not make, with those of the model methods
    it calls: the parameters its function takes."""
    graph = set(read.model_methods) | read.attributes | {read.session_attr}
    own = {name: {self_attr(a) for a in queries.find(func, cst.Attribute, lambda a: self_attr(a) is not None)} - graph
           for name, func in read.model_methods.items()}
    changed = True
    while changed:
        changed = False
        for name, func in read.model_methods.items():
            more = set().union(*(own[n] for n in _self_calls(func) if n in own)) - own[name]
            if more:
                own[name] |= more
                changed = True
    return {name: sorted(reads) for name, reads in own.items()}


def _module_functions(s: Rewrite, nodes) -> List[str]:
    """The module's model functions that ``nodes`` call, with those these call, in the module's order."""
    found: Set[str] = set()
    todo = [node for node in nodes]
    while todo:
        for c in queries.find(todo.pop(), cst.Call):
            if isinstance(c.func, cst.Name) and c.func.value in s.p.models and c.func.value not in found:
                found.add(c.func.value)
                todo.append(s.p.models[c.func.value].node)
    return [stmt.name.value for stmt in s.module.body if isinstance(stmt, cst.FunctionDef) and stmt.name.value in found]


class Calls(Transformer):
    """``self.discriminator(x, reuse=True)`` -> ``discriminator(x, reuse=True, batch_size=self.batch_size)``;
    in a model method's own function, its parameters are passed on (``batch_size=batch_size``) and its
    reads of them are plain names."""

    def __init__(self, read: Read, inside: Optional[str] = None) -> None:
        self.read = read
        self.inside = inside

    def leave_Call(self, original, updated):
        name = self_attr(updated.func)
        if name not in self.read.model_methods:
            return updated
        passed = {a.keyword.value for a in updated.args if a.keyword is not None}
        extras = [extra for extra in self.read.extras[name] if extra not in passed]
        if not extras:
            return updated.with_changes(func=cst.Name(name))
        args = list(updated.args)
        if args:  # (the last argument's own comma, if any, is followed by the first added one)
            args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        bare = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
        for n, extra in enumerate(extras):
            value = cst.Name(extra) if self.inside else cst.Attribute(cst.Name("self"), cst.Name(extra))
            comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")) if n < len(extras) - 1 else (
                cst.MaybeSentinel.DEFAULT)
            args.append(cst.Arg(value, keyword=cst.Name(extra), equal=bare, comma=comma))
        return updated.with_changes(func=cst.Name(name), args=args)

    def leave_Attribute(self, original, updated):
        name = self_attr(updated)
        if self.inside and name in self.read.extras[self.inside]:
            return cst.Name(name, lpar=updated.lpar, rpar=updated.rpar)
        return updated


def functions(s: Rewrite, read: Read) -> List[cst.BaseStatement]:
    """The module's model functions the class's graph calls, and its model methods as functions, for the
    top of the class's program."""
    out: List[cst.BaseStatement] = [s.p.models[name].node for name in read.functions]
    for name, func in read.model_methods.items():
        bare = cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))
        params = [*func.params.params[1:], *(cst.Param(cst.Name(extra), default=cst.Name("None"), equal=bare)
                                             for extra in read.extras[name])]
        params = [p.with_changes(comma=cst.MaybeSentinel.DEFAULT) for p in params]
        func = func.with_changes(params=func.params.with_changes(params=params), decorators=[])
        func = func.visit(Calls(read, name))
        out.append(layout.shift(func, -read.method_depth, bracketed=False))
    return out


def taken_out(s: Rewrite, read: Read, new: cst.Module) -> Optional[cst.Module]:
    """The rewrite of the class's program without the classes the module rewrite made: those of its model
    methods are kept for module level (``read.module_classes``), those of the module's model functions
    are made by the file's own rewrite (the same class); a method that makes no variable (its variable scope
    a name scope now) is a function of the program, lifted back as a method. None where a name is taken at
    module level."""
    from .modules import registry

    builds = registry(s).builds
    outer = {builds[name].class_name for name in read.functions if name in builds}
    made = [stmt for stmt in new.body if isinstance(stmt, cst.ClassDef)]
    names = {c.name.value for c in made}
    theirs = names - outer
    if len(names & outer) != len(read.functions) or len(theirs) > len(read.model_methods) or theirs & (
            s.p.source_names() | {b.class_name for b in builds.values()}):
        return None
    read.module_classes = [c for c in made if c.name.value in theirs]
    return new.with_changes(body=[stmt for stmt in new.body if not isinstance(stmt, cst.ClassDef)])
