"""Model functions become ``tf.Module`` classes that make their variables once.

``def dense(x, size, name): with tf.variable_scope(name): w = tf.get_variable(...)``
becomes ``class Dense(tf.Module)``: the scope's name is the module's name, each
``tf.get_variable`` a ``tf.Variable`` attribute (its TF1 name kept, an inner scope's
name before it: ``name="layer1/W"``), each ``tf.layers`` call a Keras layer attribute,
each call of another model function a sub-module, each RNN run (``tf.nn.dynamic_rnn``
and the others, over a cell the function builds) a Keras RNN layer made at the first
call, for the size of its inputs (the cell's statement goes); ``__call__`` computes
what the function computed. Variables whose shapes come from the inputs are made at the first
call (``if not self.is_built:``), the others in ``__init__``; either way in the order
TF1 made them. Who shares an instance is decided where the function is called
(``instances.py``); the ``reuse`` parameter goes.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from tfmigrate.names import function_locals, numbered
from tfmigrate.traverse import Visitor, walk

from .. import _tf, _vocab
from . import bindings as B
from . import batch_norm, layers, module_summaries, name_scopes, queries, rnn_cells, scopes, tensors
from .module_plan import RESERVED, GONE, LAYER, MODULE, RNN, VARIABLE, Build, Item
from .scopes import Model
from .state import Rewrite, Unsupported

class Registry:
    """What the module rewrite knows while the interpreter runs: the classes, the instances."""

    def __init__(self) -> None:
        self.builds: Dict[str, Build] = {}
        self.building: Set[str] = set()
        self.instances: Dict[Tuple[str, str], str] = {}  # (function, scope path) -> instance name
        self.scopes: List[list] = []  # module-level variable scopes open now: [name, reuse, bound name]
        self.root_reuse: Optional[str] = None  # tf.get_variable_scope().reuse_variables() at the top
        self.claimed: Set[str] = set()  # function names given to their instance
        self.unbuilt: List[str] = []  # instances made in this statement that make their variables when called


def registry(s: Rewrite) -> Registry:
    if s.model_state is None:
        s.model_state = Registry()
    return s.model_state


def camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part) or "Model"


def build_of(s: Rewrite, name: str) -> Build:
    """The class plan of model function ``name`` (computed once; raises Unsupported)."""
    reg = registry(s)
    if name in reg.builds:
        return reg.builds[name]
    model = s.p.models[name]
    if model.problem is not None:
        raise Unsupported(*model.problem)
    if name in reg.building:
        raise Unsupported(model.node, f"model functions {name} and others call each other")
    reg.building.add(name)
    try:
        build = _plan(s, model)
    finally:
        reg.building.discard(name)
    reg.builds[name] = build
    return build


def _plan(s: Rewrite, model: Model) -> Build:
    func = model.node
    # ``def RNN(...)`` becomes ``class RNN``: the def's own name is free.
    build = Build(model, model.name if camel(model.name) == model.name else s.fresh(camel(model.name)))
    build.locals = function_locals(func) - {model.name_param, model.reuse_param} - scopes.fixed_parameters(
        s.p.module, model)
    drop = {id(stmt) for stmt in scopes.reuse_statements(s.p, func)}
    _flatten(s, model, func.body.body, "", drop, build.statements)
    taken: Set[str] = set(RESERVED)
    with s.b.masked(function_locals(func)):
        try:
            for stmt, prefix in build.statements:
                _items(s, build, stmt, prefix, taken)
        finally:
            for name in build.cells:  # bound while the function was read (a MultiRNNCell reads them)
                s.b.table.pop(name, None)
    _check_cells(s, build)
    for item in build.items:
        if item.kind == MODULE and not item.shared:
            item.lazy = not build_of(s, item.callee).static
        elif item.kind in (LAYER, RNN):
            item.lazy = True
    build.static = not any(i.lazy for i in build.items)
    if not build.static:
        for item in build.items:
            if item.kind == VARIABLE:
                item.lazy = True
        _check_order(model, build)
    _check_names(model, build)
    return build


def _check_names(model: Model, build: Build) -> None:
    """A name holding a variable is bound again only by another variable (``w`` in each
    layer's scope); a variable is made from no other variable; a variable made at the first
    call reads only the names bound before the first such variable."""
    variables = {id(i.node): i for i in build.items if i.kind == VARIABLE}
    runs = {id(i.node): i for i in build.items if i.kind == RNN}
    params = set(model.params)
    holding: Set[str] = set()
    bound_before: Set[str] = set(params)
    first_lazy = None
    configured = {id(i.node) for i in build.items if i.configured}
    for stmt, _ in build.statements:
        if first_lazy is None and configured and queries.holds(stmt, cst.Call, lambda c: id(c) in configured):
            first_lazy = stmt  # (a layer configured by the call's parameters reads those alone)
        run = runs.get(id(stmt))
        if run is not None:
            if run.prelude and first_lazy is not None:
                raise Unsupported(stmt, f"{model.name} makes an RNN over inputs it computes after its first variable")
            first_lazy = first_lazy or stmt
            late = run.reads & build.locals - bound_before
            if late:
                raise Unsupported(stmt, f"{model.name} makes an RNN from {sorted(late)[0]}, a value computed after "
                                        "its first variable")
        item = variables.get(id(stmt))
        if item is not None:
            local = stmt.body[0].targets[0].target.value
            read = queries.names_in(stmt.body[0].value)
            if read & holding:
                raise Unsupported(stmt, f"a variable of {model.name} is made from another of its variables")
            if item.lazy and first_lazy is None:
                first_lazy = stmt
            if read & build.locals - bound_before and first_lazy is not None:
                raise Unsupported(stmt, f"a variable of {model.name} is made from a value computed after "
                                        "its first variable")
            holding.add(local)
            continue
        rebound = queries.bound_names(stmt)
        if rebound & holding:
            raise Unsupported(stmt, f"{sorted(rebound & holding)[0]} holds a variable of {model.name} and is bound again")
        if first_lazy is None:
            bound_before |= rebound


def _flatten(s: Rewrite, model: Model, body, prefix: str, drop: Set[int], out, scoped: Tuple[str, ...] = ()) -> None:
    """The function's statements without their variable scopes (an inner scope's name is a prefix)
    and without the name scopes around what makes variables (``scoped``: their names, as code)."""
    pending_lines: list = []
    for stmt in body:
        if id(stmt) in drop:
            continue
        if scopes.is_scope_with(s.p, stmt):
            call = stmt.items[0].item
            if stmt.items[0].asname is not None and stmt is not model.scope_stmt:
                raise Unsupported(call, "an inner variable scope bound with `as`")
            bound = stmt.items[0].asname
            if bound is not None:
                named = {id(arg.value.value) for arg in _op_names(model.node.body, bound.name)}  # `name=scope.name`
                uses = queries.find(model.node.body, cst.Name, lambda n: n.value == getattr(bound.name, "value", None)
                                    and n is not bound.name and id(n) not in named, values=True)
                if any(not any(queries.holds(d, cst.Name, lambda n, u=u: n is u) for d in _dropped(s, stmt))
                       for u in uses):
                    raise Unsupported(call, f"the variable scope of {model.name} is used for more than reuse")
            inner = prefix
            if stmt is not model.scope_stmt:
                scope = scopes.read_scope(s.call_name, call)
                name = scopes.literal(scope.name)
                if scopes.scope_problem(call) or name is None or scope.reuse is not None or scope.default is not None:
                    raise Unsupported(call, f"a variable scope inside {model.name} that is not named by a string "
                                            "or that shares")
                inner = f"{prefix}{name}/"
            before = len(out)
            _flatten(s, model, stmt.body.body, inner, drop, out, scoped)
            lines = [*pending_lines, *stmt.leading_lines]
            if stmt.body.header.comment is not None:
                lines.append(cst.EmptyLine(comment=stmt.body.header.comment))
            if len(out) > before:
                first, where = out[before]
                out[before] = (first.with_changes(leading_lines=[*lines, *first.leading_lines]), where)
                pending_lines = []
            else:
                pending_lines = lines
            continue
        if pending_lines:
            stmt = stmt.with_changes(leading_lines=[*pending_lines, *stmt.leading_lines])
            pending_lines = []
        parts = name_scopes.parts(s, stmt) if _makes(s, model, stmt) else None
        if parts is not None:  # `with tf.name_scope("weights"):` around what makes variables
            before = len(out)
            _flatten(s, model, stmt.body.body, prefix, drop, out, (*scoped, *parts))
            lines = [*stmt.leading_lines] + ([cst.EmptyLine(comment=stmt.body.header.comment)]
                                             if stmt.body.header.comment is not None else [])
            if len(out) > before and lines:
                first, where = out[before]
                out[before] = (first.with_changes(leading_lines=[*lines, *first.leading_lines]), where)
            continue
        if scoped and isinstance(stmt, cst.SimpleStatementLine):
            stmt = name_scopes.named(s, stmt, scoped)
        if not isinstance(stmt, cst.SimpleStatementLine) and _makes(s, model, stmt):
            raise Unsupported(stmt, f"{model.name} makes variables inside a loop, a condition or a block")
        bound = model.scope_stmt.items[0].asname if model.scope_stmt is not None else None
        named = _op_names(stmt, bound.name) if bound is not None else []
        if named:  # an op named after the scope: TF2 names it itself
            stmt = stmt.visit(queries.WithoutArgs({id(arg) for arg in named}))
        out.append((stmt, prefix))


def _op_names(node, bound) -> list:
    """The ``name=scope.name`` arguments in ``node`` of the scope bound to ``bound``."""
    return queries.find(node, cst.Arg, lambda a: a.keyword is not None and a.keyword.value == "name" and isinstance(
        a.value, cst.Attribute) and a.value.attr.value == "name" and isinstance(a.value.value, cst.Name)
        and isinstance(bound, cst.Name) and a.value.value.value == bound.value)


def _dropped(s: Rewrite, stmt) -> list:
    return scopes.reuse_statements(s.p, stmt)


def _makes(s: Rewrite, model: Model, node) -> bool:
    return bool(queries.calls_of(node, s.call_name, scopes.BUILDERS, first=True)) or queries.holds(
        node, cst.Call, lambda c: isinstance(c.func, cst.Name) and (
            c.func.value in s.p.models or c.func.value in s.p.models.factories))


def _attr(taken: Set[str], base: str) -> str:
    base = base if base.isidentifier() else "".join(c if c.isalnum() else "_" for c in base).strip("_") or "part"
    if base[0].isdigit():
        base = f"part_{base}"
    return numbered(taken, base)


def _items(s: Rewrite, build: Build, stmt, prefix: str, taken: Set[str]) -> None:
    model = build.model
    if module_summaries.planned(s, build, stmt):
        return
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign):
        assign = stmt.body[0]
        name = s.call_name(assign.value)
        if _rnn_statement(s, build, stmt, assign, name, prefix, taken):
            return
        if scopes.makes_variable(s.p, assign.value, s.p.models.factories):
            if len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
                raise Unsupported(assign, f"a variable of {model.name} stored in something other than a name")
            local = assign.targets[0].target.value
            code = _variable_code(s, assign.value, name, prefix) if name in scopes.MAKERS else _factory_code(
                s, assign.value, prefix)
            item = Item(VARIABLE, _attr(taken, local), stmt, prefix, code)
            item.lazy = bool(queries.names_in(assign.value) & build.locals)
            build.items.append(item)
            return
    for call in calls_in_order(stmt):
        name = s.call_name(call)
        if name in scopes.MAKERS:
            raise Unsupported(call, f"tf.{name} inside an expression of {model.name}")
        if scopes.makes_variable(s.p, call, s.p.models.factories):
            raise Unsupported(call, f"{call.func.value}() makes a variable inside an expression of {model.name}")
        if name == "get_variable_scope":
            raise Unsupported(call, f"tf.get_variable_scope() in {model.name}")
        if name is not None and name.startswith("summary."):  # a graph op tf.summary.merge_all collects
            raise Unsupported(call, f"tf.{name} in {model.name} inside an expression or a block: its module "
                                    "would not give the summary to the summaries the program merges")
        if name is not None and (name.startswith("layers.") or name in _vocab.LAYERS):
            build.items.append(_layer(s, build, call, name, prefix, taken))
        elif isinstance(call.func, cst.Name) and call.func.value in s.p.models:
            build.items.append(_module(s, build, call, prefix, taken))


def _rnn_statement(s: Rewrite, build: Build, stmt, assign: cst.Assign, name: Optional[str], prefix: str,
                   taken: Set[str]) -> bool:
    """A cell, a zero state or an RNN run: the first two go (the RNN's Keras layer takes their
    place), the run becomes a call of the module's RNN layer."""
    from . import module_rnn, rnn

    single = assign.targets[0].target if len(assign.targets) == 1 else None
    single = single.value if isinstance(single, cst.Name) else None
    value = assign.value
    if name in _vocab.RNN_FUNCTIONS:
        run = module_rnn.in_module(s, assign, _vocab.RNN_FUNCTIONS[name], build.cells, frozenset(build.zero_states),
                                   _names(s, build))
        for cell in run.cells:  # TF1 shared a cell's variables between two RNNs, or refused
            if cell in build.ran:
                raise Unsupported(stmt, f"cell {cell} of {build.model.name} runs in two RNNs (TF1 shares its "
                                        "variables between them)")
            build.ran.add(cell)
        item = Item(RNN, _attr(taken, "rnn"), stmt, prefix, run.make, lines=run.lines, reads=run.reads,
                    prelude=run.prelude, shape=run.shape)
        build.items.append(item)
        return True
    if single is None:
        return False
    if (_vocab.rnn_cell_name(name) and _vocab.rnn_cell_name(name) != "LSTMStateTuple") or rnn_cells.is_list(s, value):
        if single in build.cells:
            raise Unsupported(stmt, f"cell {single} of {build.model.name} is built again from itself")
        build.cells[single] = (rnn_cells.parse(s, value) if isinstance(value, cst.Call)
                               else rnn_cells.layers(s, value, value))
        s.b.bind(single, B.CELL, build.cells[single])  # MultiRNNCell([cell1, cell2]) reads it
        build.items.append(Item(GONE, "", stmt, prefix))
        return True
    if (queries.is_method_call(value, ("zero_state",)) and isinstance(value.func.value, cst.Name)
            and value.func.value.value in build.cells):
        if not rnn.float32_zero_state(s, value):
            raise Unsupported(value, "a zero state that is not float32")
        build.zero_states.add(single)
        build.items.append(Item(GONE, "", stmt, prefix))
        return True
    return False


def _names(s: Rewrite, build: Build) -> Set[str]:
    """The names a new local of the function must not take: its own and the module's."""
    taken = queries.names_in(build.model.node) | build.locals
    for stmt in s.module.body:
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            taken.add(stmt.name.value)
        else:
            taken |= queries.bound_names(stmt)
    return taken


def _check_cells(s: Rewrite, build: Build) -> None:
    """A cell or a zero state that went is read only by the RNN taking its place."""
    gone = set(build.cells) | build.zero_states
    if not gone and not any(i.kind == RNN for i in build.items):
        return
    allowed = {id(i.node) for i in build.items if i.kind in (RNN, GONE)}
    for stmt, _ in build.statements:
        if id(stmt) in allowed:
            continue
        read = queries.names_in(stmt) & gone
        if read:
            name = sorted(read)[0]
            what = "cell" if name in build.cells else "zero state"
            raise Unsupported(stmt, f"the {what} {name} of {build.model.name} is used beyond the RNN that runs it")
    results = set().union(*(queries.bound_names(i.node) for i in build.items if i.kind == RNN))
    for attribute in queries.find(build.model.node, cst.Attribute, lambda a: a.attr.value in ("c", "h")):
        root = attribute.value
        while isinstance(root, cst.Subscript):
            root = root.value
        if isinstance(root, cst.Name) and root.value in results:
            # `states[-1].h`: TF1's LSTMStateTuple, a tuple (c, h) here (TF1's order): `states[-1][1]`
            build.state_fields.add(id(attribute))


class _Calls(Visitor):
    """Calls in the order Python makes them (arguments before the call)."""

    def __init__(self) -> None:
        self.found: List[cst.Call] = []

    def leave_Call(self, node: cst.Call) -> None:
        self.found.append(node)


def calls_in_order(node) -> List[cst.Call]:
    finder = _Calls()
    walk(node, finder)
    return finder.found


def _variable_code(s: Rewrite, call: cst.Call, name: str, prefix: str) -> str:
    """``tf.Variable(...)`` of a ``get_variable`` or ``Variable`` call, named as TF1 named it."""
    if name == "get_variable":
        arg = scopes.name_argument(name, call)
        if prefix:
            given = scopes.literal(arg.value) if arg is not None else None
            if given is None:
                raise Unsupported(call, "tf.get_variable under an inner scope, not named by a string")
            call = name_scopes.with_arg(s, call, arg, 0, "name", s.expr(repr(prefix + given)))
        return s.code(tensors.get_variable(s, call))
    arg = scopes.name_argument(name, call)
    if prefix:
        given = scopes.literal(arg.value) if arg is not None else "Variable"
        if given is None:
            raise Unsupported(call, "tf.Variable under an inner scope, not named by a string")
        call = name_scopes.with_arg(s, call, arg, None, "name", s.expr(repr(prefix + given)))
    return s.code(tensors.graph_expr(s, call)[0])


def _factory_code(s: Rewrite, call: cst.Call, prefix: str) -> str:
    """``new_weights(shape=[n, m])``: a function of the file that returns the ``tf.Variable`` it makes,
    called as written (its variables' names are its own; under an inner scope TF1's differ)."""
    factory = call.func.value
    if prefix:
        raise Unsupported(call, f"{factory}() under an inner variable scope (TF1 put the scope in its "
                                "variables' names)")
    return s.code(tensors.graph_expr(s, call)[0])


def _layer(s: Rewrite, build: Build, call: cst.Call, name: str, prefix: str, taken: Set[str]) -> Item:
    normalizes = name == "layers.batch_normalization"
    if normalizes:
        batch_norm.in_module(s, build.model, call)
    keras, built, inputs, at_call = layers.parts(s, call, name, normalizes)
    configured = False
    spec = layers.spec_of(name, normalizes)
    for arg in call.args:
        if arg is inputs or arg in at_call:
            continue
        given = queries.names_in(arg.value) & build.locals
        if given and layers.parameter(spec, call, arg) in layers.SHAPES and given <= _parameters_kept(build):
            # `tf.layers.dense(x, units)`: made at the first call, from the call's units (calls that share
            # its variables pass the same: TF1 raised for another shape)
            configured = True
        elif given:
            raise Unsupported(arg, f"tf.{name} configured with a value of the call ({s.code(arg.value)})")
    label = _tf.argument(call, None, spec.name_keyword)
    base = scopes.literal(label.value) if label is not None else None
    attr = _attr(taken, base or _vocab.LAYER_ATTRIBUTES.get(keras, keras.lower()))
    keep = [n for n, arg in enumerate(call.args) if arg is inputs or arg in at_call]
    return Item(LAYER, attr, call, prefix, f"{s.tf}.keras.layers.{keras}({', '.join(built)})", keep=keep,
                configured=configured)


def _parameters_kept(build: Build) -> Set[str]:
    """The model function's parameters that its body never binds again: at the first call, their values
    are the call's from its first line on."""
    func = build.model.node
    return {p.name.value for p in func.params.params} - queries.bound_names(func.body)


def _module(s: Rewrite, build: Build, call: cst.Call, prefix: str, taken: Set[str]) -> Item:
    from .instances import Site, only_tf_variables

    callee = call.func.value
    model = s.p.models[callee]
    site = Site.read(s, call)
    if site.name is not None and queries.names_in(site.name) & build.locals:
        raise Unsupported(site.name, f"the scope of a {callee} call inside {build.model.name} is computed at the call")
    key = (prefix, s.code(site.name) if site.name is not None else None)
    unique = model.unique and site.name is None
    for item in build.items:
        if item.kind == MODULE and item.callee == callee and item.key == key and not unique:
            fixed_reuse = model.scope is not None and model.scope.reuse is not None and model.reuse_param is None
            if site.reuse is None and not fixed_reuse and only_tf_variables(s, callee):
                break  # tf.Variable made again at each call (never shared): an instance of its own
            if site.reuse is None and not fixed_reuse:
                raise Unsupported(call, f"{build.model.name} calls {callee} twice in one scope without reuse")
            return Item(MODULE, item.attr, call, prefix, callee=callee, keep=site.keep, shared=True, key=key)
    if site.reuse == "True":
        raise Unsupported(call, f"{build.model.name} reuses variables of {callee} that were never made")
    if build_of(s, callee).summaries:
        raise Unsupported(call, f"{callee} makes summaries and is called by {build.model.name} (only a call the "
                                "program binds to a name gives them to the summaries it merges)")
    scope = scopes.literal(site.name) if site.name is not None else None
    attr = _attr(taken, scope or callee)
    name_arg = f"name={s.code(site.name)}" if site.name is not None else ""
    return Item(MODULE, attr, call, prefix, f"{build_of(s, callee).class_name}({name_arg})", callee=callee,
                keep=site.keep, scope=scope or (scopes.literal(model.scope.name) if model.scope and model.scope.name
                                                 else None), key=key)


def default_name(s: Rewrite, build: Build) -> str:
    """The name the class gives its module when none is passed (as code)."""
    model = build.model
    scope = model.scope
    if scope is None:
        return "None"
    if model.name_param is None:
        return s.code(scope.name) if scope.name is not None else scope.default
    default = model.defaults.get(model.name_param)
    if default is not None and not (isinstance(default, cst.Name) and default.value == "None"):
        return s.code(default)
    return scope.default or "None"


def _check_order(model: Model, build: Build) -> None:
    """A lazy module makes its variables in one block, at the first: TF1's order must allow it."""
    items = [i for i in build.items if not i.shared and i.kind != GONE]
    made_early = [i for i in items if i.kind == MODULE and not i.lazy]
    order = [i for i in items if i not in made_early]
    first_late = next((n for n, i in enumerate(items) if i not in made_early), None)
    if first_late is not None and any(items.index(i) > first_late for i in made_early):
        raise Unsupported(model.node, f"{model.name} makes variables in an order its module cannot keep")
    own = [n for n, i in enumerate(order) if i.kind in (VARIABLE, RNN)]
    if own and any(i.kind not in (VARIABLE, RNN) for i in order[own[0]:own[-1]]):
        raise Unsupported(model.node, f"{model.name} makes variables in an order its module cannot keep")
