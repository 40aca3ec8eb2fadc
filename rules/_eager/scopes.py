"""Model functions: functions that make variables under variable scopes (stage 1, analyse).

TF1 model code builds its layers in functions: ``tf.get_variable`` and ``tf.layers``
under ``tf.variable_scope(name, reuse=...)``, a second call under ``reuse`` sharing
the variables of the first. Each such function becomes a ``tf.Module`` class
(``modules.py``); this module only finds them and reads their scope:

- which top-level functions make variables (``get_variable``, ``tf.Variable``,
  ``tf.layers.*``), directly or through the other model functions they call
  (a function that returns the variables it makes stays a factory);
- the variable scope that names the function's variables, and the parameter that
  gives its name (``name``, ``scope or "Linear"``, ``default_name=``);
- the parameter that asks for sharing (``reuse=reuse``, ``if reuse:
  scope.reuse_variables()``): it disappears, the call sites decide who shares.

It also marks the scope calls the rewrite replaces, so that the search for TF1-only
names left behind does not stop at them. Cheap: functions that make no variable are
never looked into.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Set, Tuple

import libcst as cst

from tfmigrate.merge import SPLIT, is_marker
from tfmigrate.names import function_locals
from tfmigrate.positions import code_for

from .. import _tf, _vocab
from . import entry_points, queries

MAKERS = frozenset({"get_variable", "Variable"})
# What makes variables in a model function: the makers, tf.layers calls, and RNN functions running a cell.
BUILDERS = MAKERS | frozenset(_vocab.LAYERS) | frozenset(_vocab.RNN_FUNCTIONS)
SCOPE_ARGS = ("name_or_scope", "default_name", "values")


@dataclass
class Scope:
    """``tf.variable_scope(...)`` read: the name it gives, and how sharing is asked for."""

    name: Optional[cst.BaseExpression]  # the name expression (None: only default_name)
    default: Optional[str]  # default_name= (code of a string), or the literal of `scope or "x"`
    reuse: Optional[cst.BaseExpression]
    node: cst.Call
    unique: bool = False  # default_name=: each call without a name gets a scope of its own


@dataclass
class Model:
    """A function that becomes a ``tf.Module`` class."""

    name: str
    node: cst.FunctionDef
    params: List[str]  # parameters in order (positional or keyword)
    defaults: Dict[str, cst.BaseExpression]
    scope: Optional[Scope] = None  # the scope around everything it makes (names the module)
    scope_stmt: Optional[cst.With] = None
    name_param: Optional[str] = None  # the parameter naming that scope
    reuse_param: Optional[str] = None  # the parameter asking for sharing
    calls: Set[str] = field(default_factory=set)  # model functions it calls
    problem: Optional[Tuple[cst.CSTNode, str]] = None
    fixed: Optional[Set[str]] = None  # fixed_parameters, once read

    @property
    def fixed_name(self) -> Optional[str]:
        """The scope name when the function fixes it (a string literal), as code."""
        if self.scope is not None and self.name_param is None and isinstance(self.scope.name, cst.SimpleString):
            return self.scope.name.value
        return None

    @property
    def unique(self) -> bool:
        """Each call without a name gets a scope of its own (``default_name``)."""
        return self.scope is not None and self.scope.unique

    def position(self, param: str) -> int:
        return self.params.index(param)


class Models:
    """The model functions of a program and the scope nodes the rewrite replaces."""

    def __init__(self) -> None:
        self.by_name: Dict[str, Model] = {}
        self.handled: Set[int] = set()  # ids of variable_scope calls, reuse arguments and reuse statements
        self.factories: FrozenSet[str] = frozenset()  # functions that return the variable they make
        self.library: FrozenSet[str] = frozenset()  # model functions nothing in the file calls (other files do)
        self.elsewhere: FrozenSet[str] = frozenset()  # model functions called only where the module's code is not
        # model functions only classes' methods call: the model class rewrite makes their modules (model_class.py)
        self.in_classes: FrozenSet[str] = frozenset()

    def __contains__(self, name) -> bool:
        return name in self.by_name

    def __getitem__(self, name: str) -> Model:
        return self.by_name[name]

    def __bool__(self) -> bool:
        return bool(self.by_name)

    def names(self) -> FrozenSet[str]:
        return frozenset(self.by_name)


def literal(node) -> Optional[str]:
    """The value of a plain string literal."""
    if isinstance(node, cst.SimpleString) and node.prefix in ("", "u", "r"):
        return node.evaluated_value if isinstance(node.evaluated_value, str) else None
    return None


def read_scope(call_name, call: cst.Call) -> Scope:
    name = _tf.argument(call, 0, "name_or_scope")
    default = _tf.argument(call, 1, "default_name")
    reuse = _tf.argument(call, None, "reuse")
    return Scope(name.value if name is not None else None,
                 default.value.value if default is not None and isinstance(default.value, cst.SimpleString) else None,
                 reuse.value if reuse is not None else None, call, default is not None)


def name_argument(maker: Optional[str], call: cst.Call) -> Optional[cst.Arg]:
    """The ``name`` argument of a ``tf.get_variable`` call (its first) or a ``tf.Variable`` call (a keyword)."""
    return _tf.argument(call, 0 if maker == "get_variable" else None, "name")


def scope_problem(call: cst.Call) -> Optional[str]:
    """Why a variable_scope call cannot be read (an argument the rewrite does not reproduce)."""
    for index, arg in enumerate(call.args):
        if arg.star:
            return "tf.variable_scope(*args)"
        key = arg.keyword.value if arg.keyword is not None else (SCOPE_ARGS[index] if index < 3 else None)
        if key not in (*SCOPE_ARGS, "reuse"):
            return f"tf.variable_scope({key}=...)" if key else "tf.variable_scope with more than three arguments"
        if key == "default_name" and not isinstance(arg.value, cst.SimpleString):
            return "tf.variable_scope(default_name=<not a string>)"
    return None


def is_scope_with(program, stmt) -> bool:
    return (isinstance(stmt, cst.With) and len(stmt.items) == 1
            and program.call_name(stmt.items[0].item) == "variable_scope")


def find(program, module: cst.Module) -> Models:
    """The model functions of ``module``: those that make variables (or call model functions)
    and return something else than the variables they make."""
    found = Models()
    functions = {stmt.name.value: stmt for stmt in module.body if isinstance(stmt, cst.FunctionDef)}
    classes = [(stmt, _graph_class(program, stmt)) for stmt in module.body if isinstance(stmt, cst.ClassDef)]
    if not functions:
        _model_methods(program, classes, set(), found.handled)
        return found
    found.factories = frozenset(
        name for name, func in functions.items() if queries.calls_of(func, program.call_name, MAKERS, first=True)
        and _factory(program, func) and not queries.binds_globals(func) and queries.find(func, cst.Return))
    points = entry_points.entry_points(program, module)
    programs = entry_points.programs(program, functions, points)
    direct = {name for name, func in functions.items()
              if (queries.calls_of(func, program.call_name, BUILDERS, first=True) or _calls(func, found.factories))
              and not _factory(program, func, found.factories) and name not in programs}
    if not direct:
        _model_methods(program, classes, set(), found.handled)
        return found
    models = set(direct)
    while True:  # a function calling a model function makes variables too
        more = {name for name, func in functions.items() if name not in models and name not in programs
                and not _factory(program, func, found.factories)
                and queries.holds(func, cst.Call, lambda c: isinstance(c.func, cst.Name) and c.func.value in models)}
        if not more:
            break
        models |= more
    used = _used_here(program, module, functions, models, programs, points)
    called = {c.func.value for c in queries.find(module, cst.Call) if isinstance(c.func, cst.Name)}
    found.library = frozenset(models - used - called)  # (a call in a class's method is a use too)
    found.in_classes = frozenset(_in_classes(classes, functions, models) - used)
    found.elsewhere = frozenset(models - used - found.library - found.in_classes)
    models = used | found.in_classes
    for name, func in functions.items():
        if name in models:
            found.by_name[name] = _read(program, func, models, found.handled)
    _model_methods(program, classes, models, found.handled)
    _values(module, found, functions)
    _module_scopes(program, module, found)
    return found


def _used_here(program, module: cst.Module, functions, models: Set[str], programs: Set[str],
               points: Set[str]) -> Set[str]:
    """The model functions this file runs: called by its module-level code, or by those, or by the functions
    that code calls to build a graph and run it in a session (``main()``, also through ``tf.app.run()``).
    A file that only defines them (a library of layers other files import) keeps its functions."""
    def called(node) -> Set[str]:
        return {c.func.value for c in queries.find(node, cst.Call) if isinstance(c.func, cst.Name)} & (
            models | programs)

    top = [stmt for stmt in module.body if not isinstance(stmt, (cst.FunctionDef, cst.ClassDef))]
    used = set().union(*map(called, top)) | (points & programs)
    used |= set().union(set(), *map(called, entry_points.test_cases(program, module)))  # each test method's
    split = next((n for n, stmt in enumerate(module.body) if is_marker(stmt, SPLIT)), None)
    if split is not None:  # a library read with its program (merge.py): all its model functions are its API
        used |= {stmt.name.value for stmt in module.body[:split] if isinstance(stmt, cst.FunctionDef)} & models
    todo = list(used)
    while todo:
        for name in called(functions[todo.pop()]) - used:
            used.add(name)
            todo.append(name)
    return used & models


def _graph_class(program, cls: cst.ClassDef) -> bool:
    """A class that takes placeholders or runs a session: its graph is a program of its own (model_class.py)."""
    return bool(queries.calls_of(cls, program.call_name, _vocab.PLACEHOLDERS | _vocab.SESSIONS, first=True)) or (
        queries.holds(cls, cst.Call, lambda c: isinstance(c.func, cst.Attribute) and c.func.attr.value == "run"
                      and isinstance(c.func.value, cst.Attribute) and isinstance(c.func.value.value, cst.Name)
                      and c.func.value.value.value == "self"))


def _model_methods(program, classes: List[Tuple[cst.ClassDef, bool]], models: Set[str], handled: Set[int]) -> None:
    """The variable scopes of the methods of model classes (``classes``: each class, and whether it is one)
    that make variables: the class's program makes those methods tf.Module classes (model_methods.py)."""
    for cls, is_graph in classes:
        if is_graph and isinstance(cls.body, cst.IndentedBlock):
            for method in cls.body.body:
                if isinstance(method, cst.FunctionDef) and method.name.value != "__init__" and (
                        queries.calls_of(method, program.call_name, BUILDERS | {"variable_scope"}, first=True)
                        or _calls(method, frozenset(models))):
                    _read(program, method, models, handled)


def _in_classes(classes: List[Tuple[cst.ClassDef, bool]], functions, models: Set[str]) -> Set[str]:
    """The model functions the module's model classes call, with those these call."""
    found = {c.func.value for cls, is_graph in classes if is_graph
             for c in queries.find(cls, cst.Call) if isinstance(c.func, cst.Name)} & models
    # (one a class kept as written calls too stays a function: its calls there would not be the module's)
    found -= {n.value for cls, is_graph in classes if not is_graph for n in queries.find(cls, cst.Name)}
    todo = list(found)
    while todo:
        for c in queries.find(functions[todo.pop()], cst.Call):
            if isinstance(c.func, cst.Name) and c.func.value in models and c.func.value not in found:
                found.add(c.func.value)
                todo.append(c.func.value)
    return found


def _values(module: cst.Module, found: Models, functions) -> None:
    """A model function used as a value (passed, stored) cannot become a class: say so."""
    names = found.names()
    calls = {id(c.func) for c in queries.find(module, cst.Call, lambda c: isinstance(c.func, cst.Name)
                                               and c.func.value in names)}
    defs = {id(f.name) for f in functions.values()}
    for use in queries.find(module, cst.Name, lambda n: n.value in names, values=True):
        model = found.by_name[use.value]
        if id(use) not in calls and id(use) not in defs and model.problem is None:
            model.problem = (use, f"model function {use.value} is used as a value (passed or stored), not called")


def _module_scopes(program, module: cst.Module, found: Models) -> None:
    """Module-level variable scopes around model calls, and reuse calls at the top: the
    instances take their names (not TF1-only names left behind)."""
    names = found.names()
    for stmt in queries.find(module, cst.With, lambda w: is_scope_with(program, w)):
        if queries.holds(stmt.body, cst.Call, lambda c: isinstance(c.func, cst.Name) and c.func.value in names):
            call = stmt.items[0].item
            found.handled.add(id(call))
            reuse = _tf.argument(call, None, "reuse")
            if reuse is not None:
                found.handled.add(id(reuse.value))
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine) and is_reuse_line(program, stmt):
            found.handled.update(id(n) for n in queries.find(stmt, (cst.Call, cst.Attribute)))
    for call in queries.find(module, cst.Call, lambda c: is_reuse_call(program, c)):
        found.handled.update(id(n) for n in queries.find(call, (cst.Call, cst.Attribute)))


def _calls(node, names: FrozenSet[str]) -> bool:
    return bool(names) and queries.holds(node, cst.Call, lambda c: isinstance(c.func, cst.Name) and c.func.value in names)


def makes_variable(program, node, factories: FrozenSet[str] = frozenset()) -> bool:
    """``tf.Variable(...)``, ``tf.get_variable(...)``, or a call of a function of the file that returns
    the variable it makes (``new_weights(shape)``)."""
    return program.call_name(node) in MAKERS or (
        isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in factories)


def _factory(program, func: cst.FunctionDef, factories: FrozenSet[str] = frozenset()) -> bool:
    """A function that returns the variables it makes (``def weights(shape): return tf.Variable(...)``),
    or that makes them for its side effects: it stays a function."""
    made: Set[str] = set()
    for assign in queries.find(func, cst.Assign):
        if makes_variable(program, assign.value, factories) or _holds_makers(program, assign.value):
            for target in assign.targets:
                made |= queries.names_in(target.target)
    returns = [r for r in queries.find(func, cst.Return) if r.value is not None]
    if not returns or queries.binds_globals(func):
        return True
    for ret in returns:
        if not all(makes_variable(program, v, factories) or (isinstance(v, cst.Name) and v.value in made)
                   or _holds_makers(program, v) for v in queries.elements(ret.value)):
            return False
    return True


def _holds_makers(program, value) -> bool:
    if isinstance(value, cst.Dict):
        return bool(value.elements) and all(
            isinstance(e, cst.DictElement) and program.call_name(e.value) in MAKERS for e in value.elements)
    if isinstance(value, (cst.List, cst.Tuple)):
        return bool(value.elements) and all(program.call_name(e.value) in MAKERS for e in value.elements)
    return False


def _read(program, func: cst.FunctionDef, models: Set[str], handled: Set[int]) -> Model:
    params = func.params
    model = Model(func.name.value, func, [p.name.value for p in params.params],
                  {p.name.value: p.default for p in params.params if p.default is not None})
    model.calls = {c.func.value for c in queries.find(func, cst.Call) if isinstance(c.func, cst.Name)
                   and c.func.value in models} - {model.name}
    if params.star_arg is not cst.MaybeSentinel.DEFAULT or params.star_kwarg or params.kwonly_params or (
            params.posonly_params):
        model.problem = (func, f"model function {model.name} takes *args, **kwargs or keyword-only parameters")
        return model
    if func.decorators:
        model.problem = (func, f"model function {model.name} is decorated")
        return model
    if queries.holds(func, (cst.FunctionDef, cst.ClassDef, cst.Lambda), lambda n: n is not func):
        model.problem = (func, f"model function {model.name} defines functions or classes inside it")
        return model
    if model.name in queries.names_in(func.body):
        model.problem = (func, f"model function {model.name} calls itself")
        return model
    _top_scope(program, model)
    _reuse_param(program, model, handled)
    if model.problem is None:
        for call in queries.find(func, cst.Call, lambda c: program.call_name(c) == "variable_scope"):
            handled.add(id(call))
    return model


def _top_scope(program, model: Model) -> None:
    """The variable scope around everything the function makes: it names the module."""
    body = model.node.body.body
    withs = [stmt for stmt in body if is_scope_with(program, stmt)]
    if len(withs) != 1:
        return
    stmt = withs[0]
    outside = [s for s in body if s is not stmt]
    if any(queries.calls_of(s, program.call_name, BUILDERS, first=True) for s in outside) or any(
            queries.holds(s, cst.Call, lambda c: isinstance(c.func, cst.Name) and c.func.value in model.calls)
            for s in outside):
        return  # things made outside it: it is an inner scope like any other
    call = stmt.items[0].item
    problem = scope_problem(call)
    if problem is not None:
        model.problem = (call, problem)
        return
    scope = read_scope(program.call_name, call)
    model.scope, model.scope_stmt = scope, stmt
    name = scope.name
    if isinstance(name, cst.BooleanOperation) and isinstance(name.operator, cst.Or) and literal(name.right) is not None:
        scope.default = name.right.value
        name = name.left
    if isinstance(name, cst.Name) and name.value == "None":
        scope.name = name = None
    if name is None:
        if scope.default is None:
            model.problem = (call, "tf.variable_scope without a name")
        return
    if isinstance(name, cst.Name) and name.value in model.params:
        model.name_param = name.value
        return
    if literal(name) is None:
        model.problem = (call, f"the variable scope of {model.name} is named by `{code_for(program.module, name)}` "
                               "(the module takes a parameter or a string as its name)")


def _reuse_param(program, model: Model, handled: Set[int]) -> None:
    """``reuse=reuse`` and ``if reuse: tf.get_variable_scope().reuse_variables()``: the call
    sites decide who shares, and the parameter goes."""
    if model.problem is not None:
        return
    scope = model.scope
    candidates = set()
    if scope is not None and isinstance(scope.reuse, cst.Name) and scope.reuse.value in model.params:
        candidates.add(scope.reuse.value)
    if scope is not None and scope.reuse is not None and not candidates:
        if program.tf_name(scope.reuse) != "AUTO_REUSE":
            model.problem = (scope.reuse, f"the variable scope of {model.name} is always reused "
                                          f"(reuse={code_for(program.module, scope.reuse)})")
            return
        handled.add(id(scope.reuse))
    for stmt in reuse_statements(program, model.node):
        if isinstance(stmt, cst.If) and isinstance(stmt.test, cst.Name):
            candidates.add(stmt.test.value)
    if len(candidates) > 1:
        model.problem = (model.node, f"model function {model.name} is told to share by several parameters")
        return
    for stmt in reuse_statements(program, model.node):
        handled.update(id(n) for n in queries.find(stmt, (cst.Call, cst.Attribute)))
    if scope is not None and scope.reuse is not None:
        handled.add(id(scope.reuse))
    if candidates:
        param = candidates.pop()
        uses = [n for n in queries.find(model.node.body, cst.Name, lambda n: n.value == param, values=True)]
        allowed = {id(scope.reuse)} if scope is not None and scope.reuse is not None else set()
        allowed |= {id(s.test) for s in reuse_statements(program, model.node) if isinstance(s, cst.If)}
        if any(id(u) not in allowed for u in uses):
            model.problem = (model.node, f"parameter {param} of {model.name} asks for sharing and is also used "
                                         "for something else")
            return
        model.reuse_param = param


def reuse_statements(program, func) -> List[cst.BaseStatement]:
    """``scope.reuse_variables()`` / ``tf.get_variable_scope().reuse_variables()`` statements,
    and ``if reuse: <those>`` (with an ``else`` that only asserts the scope does not reuse)."""
    found = []
    for stmt in queries.find(func, (cst.SimpleStatementLine, cst.If)):
        if isinstance(stmt, cst.SimpleStatementLine) and is_reuse_line(program, stmt):
            found.append(stmt)
        elif isinstance(stmt, cst.If) and isinstance(stmt.test, cst.Name) and stmt.orelse is None or (
                isinstance(stmt, cst.If) and isinstance(stmt.orelse, cst.Else)
                and all(_asserts_reuse(program, s) for s in stmt.orelse.body.body)):
            if isinstance(stmt.test, cst.Name) and stmt.body.body and all(
                    isinstance(s, cst.SimpleStatementLine) and is_reuse_line(program, s) for s in stmt.body.body):
                found.append(stmt)
    return found


def is_reuse_line(program, stmt: cst.SimpleStatementLine) -> bool:
    return len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr) and is_reuse_call(program, stmt.body[0].value)


def is_reuse_call(program, node) -> bool:
    """``scope.reuse_variables()`` or ``tf.get_variable_scope().reuse_variables()``."""
    if not (queries.is_method_call(node, ("reuse_variables",)) and not node.args):
        return False
    receiver = node.func.value
    return isinstance(receiver, cst.Name) or program.call_name(receiver) == "get_variable_scope"


def _asserts_reuse(program, stmt) -> bool:
    """``assert tf.get_variable_scope().reuse is False`` (or ``== False``)."""
    return isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(
        stmt.body[0], cst.Assert) and queries.holds(
        stmt.body[0].test, cst.Call, lambda c: program.call_name(c) == "get_variable_scope")


def fixed_parameters(module: cst.Module, model: Model) -> Set[str]:
    """The parameters of ``model`` that every call of it in ``module`` gives the module-level name it
    has (``conv_net(x, n_classes, dropout, ...)`` with ``dropout = 0.25`` bound once at module level, to a
    value computed without calls: a setting, not a tensor):
    a layer they configure is the same at every call, built once from that name, and the module's
    ``__call__`` does not take them (its code reads the same value from the module's name)."""
    if model.fixed is None:
        model.fixed = _fixed(module, model)
    return model.fixed


def _fixed(module: cst.Module, model: Model) -> Set[str]:
    def called(c) -> bool:
        return isinstance(c.func, cst.Name) and c.func.value == model.name

    calls, hidden = [], set()  # the calls, and the names a function around one binds itself
    for stmt in module.body:
        found = queries.find(stmt, cst.Call, called)
        if found and isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            hidden |= {name for node in queries.find(stmt, (cst.FunctionDef, cst.Lambda))
                       for name in function_locals(node)}
            hidden |= queries.bound_names(stmt.body) if isinstance(stmt, cst.ClassDef) else set()
        calls += found
    if not calls or any(arg.star for call in calls for arg in call.args):
        return set()
    split = next((i for i, stmt in enumerate(module.body) if is_marker(stmt, SPLIT)), None)
    if split is not None and any(stmt is model.node for stmt in module.body[:split]):
        # a library read with its program (tfmigrate/merge.py): the module's code stays in the library,
        # which cannot read the program's names
        module = module.with_changes(body=module.body[:split])
    settings = {name for name, value in queries.module_constants(module).items()
                if not queries.holds(value, cst.Call)}  # a setting, not a tensor
    excluded = queries.bound_names(model.node.body) | hidden
    return {param for param, name in _tf.passed_names(calls, model.params).items()
            if name == param and param in settings and param not in excluded}
