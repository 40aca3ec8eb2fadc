"""Where model functions are called: who shares an instance of their module.

TF1 decided sharing by names: a call under ``tf.variable_scope("siamese")`` made
``siamese/W``; a second call under the same scope with ``reuse=True`` (or after
``scope.reuse_variables()``, or under ``tf.AUTO_REUSE``) got the same variables, and
without reuse TF1 refused to make them again. The rewrite keys each call by the scope
names it runs under: calls that shared use one instance of the module, calls that did
not get their own. Module-level ``with tf.variable_scope(...)`` statements around such
calls disappear (their name is the instance's), and the instance is made just before
the statement of the first call, where TF1 made the variables.
"""
from __future__ import annotations

import re

from collections import Counter
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import libcst as cst

from .. import _vocab
from . import bindings as B
from . import batch_norm, module_summaries, queries, scopes
from .modules import LAYER, MODULE, RNN, VARIABLE, build_of, default_name, registry
from .plan import Inline, Out
from .state import Rewrite, Unsupported
from .variable_names import Part, made_module, reuse_value, trainable as variable_trainable


@dataclass
class Site:
    """A call of a model function: its scope name argument, its reuse, the arguments it keeps."""

    callee: str
    name: Optional[cst.BaseExpression]  # the scope name given (None: not given)
    reuse: Optional[str]  # "True", "AUTO_REUSE" or None
    keep: List[int]  # indexes of the arguments __call__ takes

    @classmethod
    def read(cls, s: Rewrite, call: cst.Call) -> "Site":
        model = s.p.models[call.func.value]
        name = reuse = None
        keep = []
        for index, arg in enumerate(call.args):
            if arg.star:
                raise Unsupported(call, f"{model.name} called with *args or **kwargs")
            if arg.keyword is not None:
                param = arg.keyword.value
                if param not in model.params:
                    raise Unsupported(arg, f"{model.name} has no parameter {param}")
            elif index < len(model.params):
                param = model.params[index]
            else:
                raise Unsupported(call, f"{model.name} called with more arguments than it takes")
            if param == model.name_param:
                name = None if isinstance(arg.value, cst.Name) and arg.value.value == "None" else arg.value
            elif param == model.reuse_param:
                reuse = reuse_value(s, arg.value)
            elif param not in scopes.fixed_parameters(s.p.module, model):
                keep.append(index)
        if name is None and model.name_param is not None and model.name_param in model.defaults:
            default = model.defaults[model.name_param]
            if not (isinstance(default, cst.Name) and default.value == "None"):
                name = default
        return cls(model.name, name, reuse, keep)

    def scope_name(self, s: Rewrite) -> Tuple[Optional[str], Optional[str]]:
        """The name of the scope the callee opens at this call, and its code (None: it opens none)."""
        model = s.p.models[self.callee]
        if model.scope is None:
            return None, None
        if self.name is not None:
            value = scopes.literal(self.name)
            if value is None:
                raise Unsupported(self.name, f"{self.callee} is given a scope name that is not a string")
            return value, s.code(self.name)
        if model.scope.name is not None and scopes.literal(model.scope.name) is not None:
            return scopes.literal(model.scope.name), s.code(model.scope.name)
        if model.scope.default is not None:
            return scopes.literal(cst.parse_expression(model.scope.default)), model.scope.default
        return None, None


def new_call(s: Rewrite, updated: cst.Call, func: str, keep: List[int]) -> cst.Call:
    """``updated`` calling ``func`` with the arguments at ``keep``."""
    args = [updated.args[i] for i in keep]
    args = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) if n == len(args) - 1 else a for n, a in enumerate(args)]
    return updated.with_changes(func=s.expr(func), args=args)


def call(s: Rewrite, original: cst.Call, updated: cst.Call) -> cst.Call:
    """A model function called at module level: the instance its scope names (made here when new)."""
    reg = registry(s)
    site = Site.read(s, original)
    build = build_of(s, site.callee)
    module_summaries.check_site(s, original, build)
    model = build.model
    path = [entry[0] for entry in reg.scopes]
    own, own_code = site.scope_name(s)
    if model.scope is not None and own is None:
        raise Unsupported(original, f"the scope name of this {site.callee} call is not a string")
    key = "/".join([*path, own] if own is not None else path)
    reuse = site.reuse or next((e[1] for e in reversed(reg.scopes) if e[1]), None) or reg.root_reuse
    if model.scope is not None and model.scope.reuse is not None and model.reuse_param is None:
        reuse = "AUTO_REUSE"
    unique = model.unique and site.name is None
    existing = reg.instances.get((site.callee, key))
    normalizing = _normalizing(s, build)
    if normalizing:
        batch_norm.called(s, model, normalizing, original)
    if existing is not None and not unique and reuse is not None:
        s.model_calls[id(original)] = existing
        return new_call(s, updated, existing, site.keep)
    if existing is not None and not unique and not only_tf_variables(s, site.callee):
        raise Unsupported(original, f"{site.callee} makes the variables of scope '{key}' a second time without "
                                    "reuse (TF1 raises: they exist)")
    if existing is None and reuse == "True":
        raise Unsupported(original, f"{site.callee} reuses variables of scope '{key}' that were never made")
    instance = _instance_name(s, site.callee, own or (path[-1] if path else None))
    name_scope = path if own is not None else path[:-1]
    name_arg = f"name={own_code}" if own is not None else (f"name={reg.scopes[-1][3]}" if path else "")
    if name_arg == f"name={default_name(s, build)}":
        name_arg = ""  # the class's own default
    if (own or (path[-1] if path else "x")).isidentifier() is False:
        raise Unsupported(original, f"scope name '{own or path[-1]}' is not a Python name (a tf.Module's name must be)")
    made = f"{instance} = {build.class_name}({name_arg})"
    if name_scope:
        made = f"with {s.tf}.name_scope({'/'.join(name_scope)!r}):\n{s.indent}{made}"
    s.pending.append(Out(s.stmt(made + "\n")))
    reg.instances[(site.callee, key)] = instance
    s.batch_norm.layers += len(normalizing)  # (a train op must be made under their UPDATE_OPS)
    made_module(s, key, listing(s, instance, build, f"{key}/" if key else None))
    if not build.static:
        reg.unbuilt.append(instance)
    s.note(original, hint(s, build, key))
    s.model_calls[id(original)] = instance
    return new_call(s, updated, instance, site.keep)


def held_variables(s: Rewrite, node, value: cst.Call, names: List[str], held: Dict[int, str]) -> List[Out]:
    """``weights_conv1 = layer_conv1_layer.weights`` for each name that ``returned_variables`` found holds a
    variable of the module the call ran, once the trace has made it."""
    if held and id(value) not in s.model_calls:
        raise Unsupported(node, "a variable a model function returns, from a call that is not its module's")
    out = []
    for index, attr in held.items():
        if names[index] != "_":
            s.b.rebind(names[index])
            s.b.bind(names[index], B.VARIABLE)
            out.append(Out(s.stmt(f"{names[index]} = {s.model_calls[id(value)]}.{attr}\n"), after_trace=True))
    return out


def returned_variables(s: Rewrite, value: cst.BaseExpression, count: int) -> Dict[int, str]:
    """``layer, weights = new_conv_layer(...)`` of a model function that returns ``layer, weights``, where
    ``weights`` holds a variable it makes: {index: the attribute of the module that holds it}."""
    if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in s.p.models):
        return {}
    build = build_of(s, value.func.value)
    func = build.model.node
    returned = queries.returned_tuple(func, count)
    if returned is None:
        return {}
    assigned = Counter(n.value for t in queries.find(func.body, cst.AssignTarget) for n in queries.find(t, cst.Name))
    for node in queries.find(func.body, (cst.For, cst.AugAssign, cst.AsName)):
        assigned.update(n.value for n in queries.find(node.target if not isinstance(node, cst.AsName) else node.name,
                                                      cst.Name))
    found = {}
    for index, element in enumerate(returned.elements):
        local = element.value.value if isinstance(element.value, cst.Name) else None
        if local is None or assigned[local] != 1:
            continue
        for item in build.items:
            target = item.node.body[0].targets[0].target if item.kind == VARIABLE else None
            if isinstance(target, cst.Name) and target.value == local:
                found[index] = item.attr
    return found


_WEIGHTLESS = re.compile(r"\w+\.keras\.layers\.(Flatten|(Max|Average)Pooling[123]D|Dropout)\(")


def listing(s: Rewrite, instance: str, build, prefix: Optional[str] = "") -> Optional[List[Part]]:
    """What ``instance`` (of ``build``'s class) holds, one part per variable or Keras layer, in the order its
    function made them, with the TF1 name each has as far as the rewrite knows it (``prefix``: the scopes
    above the function's own; None: not known): a tf.Module does not see the variables of the Keras 3
    layers it holds, so each layer lists its own, and each sub-module the same way. None where a
    variable's trainable flag is not a literal."""
    parts: List[Part] = []
    for item in build.items:
        where = f"{instance}.{item.attr}"
        if item.kind == LAYER and _WEIGHTLESS.match(item.code):
            continue  # a pooling, flattening or dropout layer has no variables to list
        if item.kind in (LAYER, RNN):
            known = f"{prefix}{item.prefix}" if prefix is not None else None
            parts.append(Part(known, False, f"{where}.trainable_variables", f"{where}.variables"))
        elif item.kind == VARIABLE:
            name = _variable_name(s, item)
            kept = variable_trainable(item.node.body[0].value)
            if kept is None:
                return None
            known = f"{prefix}{name}" if name and prefix is not None else None
            parts.append(Part(known, True, f"[{where}]" if kept else "[]", f"[{where}]"))
        elif item.kind == MODULE and not item.shared:
            callee = build_of(s, item.callee)
            inner_prefix = None if prefix is None or (not item.scope and callee.model.scope is not None) else (
                f"{prefix}{item.prefix}{item.scope}/" if item.scope else f"{prefix}{item.prefix}")
            inner = listing(s, where, callee, inner_prefix)
            if inner is None:
                return None
            parts += inner
    return parts


def only_tf_variables(s: Rewrite, name: str) -> bool:
    """Does ``name`` (with what it calls) make its variables with tf.Variable only? (Those never shared.)"""
    model = s.p.models[name]
    makers = queries.calls_of(model.node, s.call_name, {"get_variable", *_vocab.RNN_FUNCTIONS}, first=True) or any(
        (s.call_name(c) or "").startswith("layers.") for c in queries.find(model.node, cst.Call))
    return not makers and all(only_tf_variables(s, c) for c in model.calls)


def _instance_name(s: Rewrite, func: str, scope: Optional[str]) -> str:
    reg = registry(s)
    if scope is None and s.target.isidentifier() and len(queries.find(
            s.module, cst.Call, lambda c: isinstance(c.func, cst.Name) and c.func.value == func)) > 1:
        # `l1 = add_layer(xs, ...)`, `prediction = add_layer(l1, ...)`: one instance each, named by what it computes
        return s.fresh(f"{s.target}_layer")
    same_name = build_of(s, func).class_name == func  # `def RNN` became `class RNN`: `rnn = RNN()`
    if (scope is None or _spelled_alike(scope, func)) and func not in reg.claimed and not same_name:
        reg.claimed.add(func)  # the function's name is free: its def becomes a class
        return func
    if (scope is None or _spelled_alike(scope, func)) and same_name:
        snake = "".join(f"_{c.lower()}" if c.isupper() and n and not func[n - 1].isupper() else c.lower()
                        for n, c in enumerate(func))
        return s.fresh(snake if snake not in s.taken else f"{snake}_model")
    base = f"{func}_{scope}" if scope and not _spelled_alike(scope, func) else func
    return s.fresh(base)


def _normalizing(s: Rewrite, build) -> List[cst.Call]:
    """The calls of the batch normalization layers of ``build``'s module; refused in a module it holds."""
    found = [item.node for item in build.items if item.kind == LAYER and s.call_name(item.node) == _NORMALIZES]
    for item in build.items:
        if item.kind == MODULE and _normalizing(s, build_of(s, item.callee)):
            raise Unsupported(item.node, f"batch normalization in {item.callee}, called by another model function")
    return found


_NORMALIZES = "layers.batch_normalization"


def _spelled_alike(scope: str, func: str) -> bool:
    """``ConvNet`` and ``conv_net``, ``Generator`` and ``generator``: one name in two spellings."""
    return scope.replace("_", "").lower() == func.replace("_", "").lower()


def hint(s: Rewrite, build, key: str) -> str:
    found = variable_names(s, build.model.name)
    names = [n for n in found if n is not None]
    where = f"{key}/" if key else ""
    head = f"{build.model.name} is now the tf.Module {build.class_name}"
    unnamed = "TF1's default names (Variable, Variable_1, ..., in the order the program made them)"
    if not names:
        return f"{head}; its variables had {unnamed}: map a TF1 checkpoint onto them in that order"
    shown = ", ".join(f"{where}{n}" for n in names[:4]) + (", ..." if len(names) > 4 else "")
    others = f"; the others had {unnamed}" if len(names) < len(found) else ""
    return (f"{head}; its variables keep their TF1 names ({shown}){others}: a TF1 checkpoint maps onto them by "
            "name (tf.train.load_checkpoint(path).get_tensor(name))")


def _made_by(s: Rewrite, factory: str) -> Optional[cst.Call]:
    """The one ``tf.Variable`` or ``tf.get_variable`` call of a factory function of the file, if one."""
    func = next(f for f in s.module.body if isinstance(f, cst.FunctionDef) and f.name.value == factory)
    calls = queries.calls_of(func, s.call_name, scopes.MAKERS)
    return calls[0] if len(calls) == 1 else None


def variable_names(s: Rewrite, name: str) -> List[Optional[str]]:
    """The TF1 names (below the instance's scope) of the variables ``name`` makes (None: TF1's default
    name, ``Variable_<n>``, for a ``tf.Variable`` without a name or one a function of the file makes)."""
    build = build_of(s, name)
    found: List[str] = []
    for item in build.items:
        if item.kind == VARIABLE:
            found.append(_variable_name(s, item))
        elif item.kind == MODULE and not item.shared:
            found += [None if n is None else f"{item.prefix}{item.scope}/{n}" if item.scope else f"{item.prefix}{n}"
                      for n in variable_names(s, item.callee)]
        elif item.kind == LAYER and not item.shared:
            found.append(f"{item.prefix}{item.attr}/...")
    return found


def _variable_name(s: Rewrite, item) -> Optional[str]:
    """The TF1 name (below the instance's scope) of a variable a model function makes, None for TF1's default."""
    call = item.node.body[0].value
    if s.call_name(call) is None:  # `W = weight_variable(shape)`: the variable the factory makes
        call = _made_by(s, call.func.value)
    maker = s.call_name(call) if call is not None else None
    arg = scopes.name_argument(maker, call) if maker else None
    value = scopes.literal(arg.value) if arg is not None else None
    return f"{item.prefix}{value}" if value else None


def owns(s: Rewrite, stmt: cst.With) -> bool:
    """A module-level ``with tf.variable_scope(...)`` around calls of model functions."""
    return bool(s.p.models) and scopes.is_scope_with(s.p, stmt) and queries.holds(
        stmt.body, cst.Call, lambda c: isinstance(c.func, cst.Name) and c.func.value in s.p.models)


def scope_statement(s: Rewrite, stmt: cst.With, in_loop: bool, block) -> Inline:
    """``with tf.variable_scope("siamese"[, reuse=True]):`` around model calls: its name goes
    to the instances made inside, and its body takes its place."""
    item = stmt.items[0]
    call = item.item
    problem = scopes.scope_problem(call)
    scope = scopes.read_scope(s.call_name, call)
    name = scopes.literal(scope.name)
    if problem or name is None or scope.default is not None:
        raise Unsupported(call, problem or "a module-level variable scope not named by a string")
    if in_loop:
        raise Unsupported(call, "a variable scope around model calls inside a loop")
    if queries.calls_of(stmt.body, s.call_name, scopes.MAKERS, first=True):
        raise Unsupported(call, "variables made both directly and through model functions in one scope")
    reuse = reuse_value(s, scope.reuse) if scope.reuse is not None else None
    bound = item.asname.name.value if item.asname is not None and isinstance(item.asname.name, cst.Name) else None
    if item.asname is not None and bound is None:
        raise Unsupported(item, "a variable scope bound to something other than a name")
    reg = registry(s)
    reg.scopes.append([name, reuse, bound, s.code(scope.name)])
    try:
        body = block(s, stmt.body.body, in_loop)
    finally:
        reg.scopes.pop()
    return Inline(stmt, body)


def reuse_now(s: Rewrite, node: cst.Call) -> None:
    """``scope.reuse_variables()`` at module level: the calls after it in the scope share."""
    reg = registry(s)
    receiver = node.func.value
    if isinstance(receiver, cst.Name):
        for entry in reversed(reg.scopes):
            if entry[2] == receiver.value:
                entry[1] = "True"
                return
        raise Unsupported(node, f"{receiver.value}.reuse_variables() on a scope the rewrite does not know")
    if reg.scopes:
        reg.scopes[-1][1] = "True"
    else:
        reg.root_reuse = "True"


def calls_model(s: Rewrite, value) -> bool:
    return queries.holds(value, cst.Call, lambda c: isinstance(c.func, cst.Name) and c.func.value in s.p.models)


def built(s: Rewrite, outs: List[Out]) -> List[Out]:
    """After the function of a statement that made a module whose variables come at its first
    call: trace it now, so that they are made here, in the order TF1 made them."""
    reg = registry(s)
    if not reg.unbuilt:
        return outs
    made, reg.unbuilt = reg.unbuilt, []
    out = next((o for o in outs if o.generated and isinstance(o.node, cst.FunctionDef)), None)
    if out is None:
        return outs
    func = out.node
    name = func.name.value
    # a tf.function (its decorator is recorded, not written, until the plan is finished) traces by its signature
    compiled = bool(func.decorators) or (out.function is not None and out.function.compiled)
    trace = s.stmt(f"{name}.get_concrete_function()\n" if compiled else f"{name}()\n")
    note = cst.EmptyLine(comment=cst.Comment(f"# a first trace makes the variables of {', '.join(made)} here, "
                                             "as TF1 did"))
    return [*(o for o in outs if not o.after_trace), Out(trace.with_changes(leading_lines=[note])),
            *(o for o in outs if o.after_trace)]
