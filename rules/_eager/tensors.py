"""Graph tensors become functions: a value that changes as the variables change.

``cost = tf.reduce_mean(tf.square(y - Y))`` becomes ``def cost(X, Y): return ...``
(a ``tf.function`` with the input signature of the placeholders it reads), and
every use of ``cost`` in another tensor becomes a call ``cost(X, Y)``.
"""
from __future__ import annotations

from collections import Counter
from typing import FrozenSet, List, Optional, Set, Tuple

import libcst as cst

from tfmigrate.names import fresh_name
from tfmigrate.traverse import Transformer

from .. import _losses, _tf, _vocab
from . import bindings as B
from . import (feeds, instances, layers, layout, noise, queries, rnn, run_once, structures, tf1_semantics, training,
               variable_names)
from .bindings import Tensor
from .plan import Out
from .state import Rewrite, Unsupported


class SkipNames(Transformer):
    """A transformer that leaves attribute and keyword names alone."""

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        return False

    def leave_Attribute(self, original, updated):
        s = getattr(self, "s", None)
        if s is not None and id(original) in s.p.scope_names:
            return s.p.scope_names[id(original)]  # `scope.name` of a variable scope that is a name scope now
        return updated.with_changes(value=original.value.visit(self))

    def visit_Arg(self, node: cst.Arg) -> bool:
        return False

    def leave_Arg(self, original, updated):
        return updated.with_changes(value=layers.unwrapped(original.value, original.value.visit(self)))

    def leave_Assign(self, original, updated):
        return updated.with_changes(value=layers.unwrapped(original.value, updated.value))

    def leave_Return(self, original, updated):
        if original.value is None:
            return updated
        return updated.with_changes(value=layers.unwrapped(original.value, updated.value))


class _GraphExpr(SkipNames):
    """A tensor expression: tensors become calls, placeholders parameters."""

    def __init__(self, s: Rewrite) -> None:
        super().__init__()
        self.s = s
        self.needs: Set[str] = set()

    def leave_Call(self, original: cst.Call, updated: cst.Call):
        s = self.s
        name = s.call_name(original)
        if name in tf1_semantics.BRANCHING:
            tf1_semantics.updates_outside(s, original, name)
        if name in ("gradients", "hessians"):  # (a tensor's whole value, or indexed, is gradients_function's)
            where = " inside an expression" if name == "gradients" else ""
            raise Unsupported(original, f"tf.{name}{where} (TensorFlow 2 has it only inside a tf.function; the "
                                        "rewrite computes gradients with a GradientTape)")
        if name == "nn.softmax_cross_entropy_with_logits":
            updated = tf1_semantics.labels_held(s, original, updated)
        if name in tf1_semantics.CALLS:  # tf.Print
            return tf1_semantics.CALLS[name](s, original, updated)
        if queries.is_method_call(original, ("initialized_value",)) and s.b.is_(
                queries.receiver_name(original) or "", B.VARIABLE):
            raise Unsupported(original, "initialized_value() of a variable in a tensor (TF1's initial value; an "
                                        "eager variable has none)")
        if isinstance(original.func, cst.Name) and original.func.value in s.p.models:
            return instances.call(s, original, updated)  # a model function: its module instance
        if name in _vocab.ASSIGNS and len(updated.args) == 2:
            ref, value = updated.args
            value = value.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT, comma=cst.MaybeSentinel.DEFAULT)
            return cst.Call(func=cst.Attribute(ref.value, cst.Name(name)), args=[value])
        if name in _vocab.INITIALIZERS_V2:
            return keras_initializer(s, original, updated, name)
        if name == "contrib.layers.flatten" and len(updated.args) == 1 and updated.args[0].keyword is None:
            return layers.flatten(s, updated)
        if name is not None and (name.startswith("layers.") or name in _vocab.LAYERS):
            return layers.layer_call(s, updated, name, original)
        if name in _vocab.DECAYS:
            return training.decay(s, updated, name)
        if name in variable_names.COLLECTIONS:
            return variable_names.listed(s, original)
        if name == "div":
            return python2_division(s, original, updated)
        if _vocab.rnn_cell_name(name) == "LSTMStateTuple":
            return rnn.state_tuple_call(s, updated)
        if name in _losses.LOSSES and _losses.rewritable(original, s.p.imports) is not None:
            return updated  # TFM108 writes the TensorFlow 2 expression (after this rewrite)
        for method in ("minimize", "compute_gradients", "apply_gradients"):
            if training.is_minimize(s, original, method):  # a Keras optimizer has no such method
                raise Unsupported(original, f"{method}() of a TF1 optimizer inside an expression")
        if name is not None and (name.startswith("contrib.") or name in _vocab.PLACEHOLDERS | _vocab.SESSIONS
                                 or name in _vocab.RNN_FUNCTIONS):
            raise Unsupported(original, f"tf.{name} inside a graph expression")
        if name is not None and _vocab.is_queue(name):
            raise Unsupported(original, f"tf.{name}: queues and queue runners (a TF1 input pipeline)")
        return updated

    def visit_ListComp(self, node: cst.ListComp) -> bool:
        return variable_names.filtered(self.s, node) is None  # a var_list by name: not its collection call

    def leave_ListComp(self, original: cst.ListComp, updated: cst.ListComp):
        return variable_names.filtered(self.s, original) or updated

    def leave_Name(self, original: cst.Name, updated: cst.Name):
        value = original.value
        b = self.s.b
        kind = b.kind(value)
        if kind is None and id(original) in self.s.p.stepwise:
            return self.s.p.stepwise[id(original)]  # a constant set again later: its value here, as TF1 read it
        if kind == B.PLACEHOLDER:
            self.needs.add(value)
            return updated
        if kind == B.TENSOR:
            if value in self.s.metric_updates:
                raise Unsupported(original, f"the metric update op {value} read by another tensor (it would "
                                            "update the metric again)")
            tensor = b.get(value, B.TENSOR)
            self.needs.update(tensor.params)
            return self.s.expr(f"{tensor.func}({', '.join(tensor.params)})")
        if kind in (B.TRAIN_OP, B.SESSION, B.INIT):  # `model = gan.GAN(s)`: a class that runs the graph itself
            raise Unsupported(original, f"session {value} is passed to code this rewrite does not follow (a class or "
                              "function of another module that runs the graph)" if kind == B.SESSION else
                              f"{value} (a train op or initializer) used inside a tensor")
        if kind in (B.CELL, B.ZERO_STATE):
            raise Unsupported(original, f"{value} (an RNN cell or its zero state) used outside an RNN function")
        return updated

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute):
        return rnn.state_field(self.s, original, super().leave_Attribute(original, updated))


def graph_expr(s: Rewrite, value: cst.BaseExpression) -> Tuple[cst.BaseExpression, Tuple[str, ...]]:
    """``value`` with tensors called; and the placeholders it needs."""
    rewriter = _GraphExpr(s)
    new = layers.unwrapped(value, value.visit(rewriter))
    s.moved(new, value)
    return new, feeds.ordered(s, rewriter.needs)


def keras_initializer(s: Rewrite, original: cst.Call, updated: cst.Call, name: str) -> cst.Call:
    """``tf.truncated_normal_initializer(stddev=0.1)`` -> the Keras initializer, TF1's defaults passed."""
    func = s.expr(f"{s.tf}.{_vocab.INITIALIZERS_V2[name]}")
    args = [a for a in updated.args if not (a.keyword is not None and a.keyword.value == "dtype")]
    given = {a.keyword.value for a in args if a.keyword is not None}
    params = _vocab.INITIALIZER_PARAMS.get(name, ())
    given |= set(params[:len([a for a in args if a.keyword is None])])
    for key, default in _vocab.INITIALIZER_DEFAULTS.get(name, {}).items():
        if key not in given:  # Keras's defaults differ from TF1's: pass TF1's
            args.append(cst.Arg(s.expr(default), keyword=cst.Name(key),
                                equal=_tf.EQUAL))
    if args:
        args = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in args]
    if name == "contrib.layers.xavier_initializer":
        uniform = _tf.argument(original, 0, "uniform")
        if uniform is not None:
            if s.code(uniform.value) not in ("True", "False"):
                raise Unsupported(original, "xavier_initializer(uniform=<not a literal>)")
            if s.code(uniform.value) == "False":
                func = s.expr(f"{s.tf}.keras.initializers.GlorotNormal")
            args = [a for a in args if not (a.keyword is not None and a.keyword.value == "uniform")]
            args = args[1:] if args and original.args and original.args[0].keyword is None else args
    return updated.with_changes(func=func, args=args)


def is_initializer(s: Rewrite, node) -> bool:
    name = s.call_name(node)
    if name is None:  # tf_slim's (contrib's, rewritten where a contrib factory is passed as a value)
        qualified = s.p.imports.qualify(node.func) if isinstance(node, cst.Call) else None
        return bool(qualified) and qualified.startswith("tf_slim.") and qualified.endswith("_initializer")
    return name.endswith("_initializer") or name.startswith("initializers.") or name.startswith(
        "keras.initializers.") or name in _vocab.INITIALIZERS_V2


def get_variable(s: Rewrite, call: cst.Call, initializers: FrozenSet[str] = frozenset()) -> cst.Call:
    """tf.get_variable(name, shape, dtype, initializer) as a tf.Variable (``initializers``: local names
    bound to an initializer)."""
    known = ("name", "shape", "dtype", "initializer", "trainable")
    positional = [a for a in call.args if a.keyword is None]
    args = {known[i]: a.value for i, a in enumerate(positional[: len(known)])}
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword.value not in known:
                raise Unsupported(call, f"tf.get_variable({arg.keyword.value}=...)")
            args[arg.keyword.value] = arg.value
    if len(positional) > len(known) or "name" not in args:
        raise Unsupported(call, "tf.get_variable without a name")
    init = args.get("initializer")
    shape = args.get("shape")
    dtype = args.get("dtype")
    tf = s.tf
    named = isinstance(init, cst.Name) and init.value in initializers
    if init is not None and not is_initializer(s, init) and not named:
        value = s.code(graph_expr(s, init)[0])  # a tensor or an array: the initial value itself
    else:
        maker = s.code(graph_expr(s, init)[0]) if init is not None else f"{tf}.keras.initializers.GlorotUniform()"
        if shape is None:
            raise Unsupported(call, "tf.get_variable with an initializer but no shape")
        dtype_arg = f", dtype={s.code(dtype)}" if dtype is not None else ""
        value = f"{maker}(shape={s.code(shape)}{dtype_arg})"
    extra = f", trainable={s.code(args['trainable'])}" if "trainable" in args else ""
    return s.expr(f"{tf}.Variable({value}, name={s.code(args['name'])}{extra})")


def holds_variables(s: Rewrite, value: cst.BaseExpression) -> bool:
    """A dict, list or tuple literal of ``tf.Variable(...)`` calls."""
    if not isinstance(value, (cst.Dict, cst.List, cst.Tuple)) or not value.elements:
        return False
    return all(isinstance(e, (cst.DictElement, cst.Element)) and s.call_name(e.value) in _vocab.VARIABLES
               for e in value.elements)


def python2_division(s: Rewrite, original: cst.Call, updated: cst.Call) -> cst.Call:
    """``tf.div(x, y)``: TF1 divides as Python 2 did, by the dtype of ``x`` (``y`` is cast to it).

    Floor division for integers, true division for floats: ``tf.math.floordiv`` or ``tf.math.divide``
    when the dtype of ``x`` is evident from the code."""
    x, y = _tf.argument(original, 0, "x"), _tf.argument(original, 1, "y")
    dtype = None
    if x is not None:
        dtype = feeds.evident_dtype(s, x.value)
    if dtype is None and y is not None and not feeds.integer_literal(y.value):
        dtype = feeds.evident_dtype(s, y.value)  # TF1 divided values of one dtype (a Python int takes x's)
    kind = (dtype or "").rsplit(".", 1)[-1].strip("'\"")
    if kind.startswith(("float", "complex", "bfloat", "half", "double")):
        func = "math.divide"
    elif kind.startswith(("int", "uint")):
        func = "math.floordiv"
    else:
        raise Unsupported(original, "tf.div of a value whose dtype is not evident (TF1 floor-divides integers "
                                    "and true-divides floats)")
    new = updated.with_changes(func=s.expr(f"{s.tf}.{func}"))
    if layout.hanging(s.code(updated)):
        return new
    return layout.shift(new, len(s.code(new.func)) - len(s.code(updated.func)))  # arguments aligned under "("


def evident_divisions(s: Rewrite, node: cst.CSTNode) -> cst.CSTNode:
    """Code kept as written with each ``tf.div`` whose dtype is evident (``tf.div(tf.constant(1.0), y)``)
    written as the TensorFlow 2 division it was; the others stay (and stop the rewrite, ``Rewrite.keep``)."""
    def evident(call: cst.Call) -> bool:
        x = _tf.argument(call, 0, "x")
        return x is not None and feeds.literal_dtype(s, x.value) is not None

    calls = queries.calls_of(node, s.call_name, {"div"})
    if not calls or not all(evident(call) for call in calls):
        return node

    class _Divisions(SkipNames):
        def leave_Call(self, original, updated):
            return python2_division(s, original, updated) if s.call_name(original) == "div" else updated

    return node.visit(_Divisions())


def seeded(s: Rewrite, value) -> bool:
    """Does ``value`` call a random op with an op-level seed?"""
    calls = queries.calls_of(value, s.call_name, _vocab.RANDOM_OPS)
    return any(_tf.argument(call, None, "seed") is not None for call in calls)


def is_random(s: Rewrite, value) -> bool:
    return bool(queries.calls_of(value, s.call_name, _vocab.RANDOM_OPS, first=True)) and (
        s.call_name(value) not in _vocab.VARIABLES)


def random_draws(s: Rewrite, value: cst.BaseExpression) -> Counter:
    """How many times computing ``value`` draws each random tensor it reads (directly or through
    other tensors). TF1 drew a random tensor once per run, however many ops read it; each call of
    the rewrite's function draws again, so a tensor read twice in one computation cannot be a
    function: raises Unsupported."""
    draws: Counter = Counter()
    for node in queries.find(value, cst.Name, values=True):
        if s.b.is_(node.value, B.TENSOR):
            draws.update(s.draws.get(node.value, {}))
    twice = sorted(n for n, count in draws.items() if count > 1)
    if twice and twice[0] in s.run_once:
        raise Unsupported(value, s.run_once[twice[0]])
    if twice:
        raise Unsupported(value, f"the random tensor {twice[0]} is read {draws[twice[0]]} times in one run (TF1 "
                                 "drew it once per run; the rewrite's function would draw it at each read)")
    return draws


def updates_in(s: Rewrite, value) -> Optional[List[Tuple[str, str, cst.BaseExpression]]]:
    """(variable, method, new value) of each assign in ``value`` if it is only assigns."""
    if isinstance(value, (cst.List, cst.Tuple)):
        items = [e.value for e in value.elements]
    elif s.call_name(value) == "group":
        items = [a.value for a in value.args if a.keyword is None]
    else:
        items = [value]
    found = []
    for item in items:
        bound = s.b.get(item.value, B.TENSOR) if isinstance(item, cst.Name) and s.b.is_(item.value, B.TENSOR) else None
        if bound is not None and bound.update is not None and s.call_name(value) == "group":
            found.append(bound.update)  # `ua = a.assign(...)`, then `tf.group(ua, ub)`: run together
            continue
        if not isinstance(item, cst.Call):
            return None
        name = s.call_name(item)
        if name in _vocab.ASSIGNS and len(item.args) == 2:
            ref, new = item.args[0].value, item.args[1].value
        elif queries.is_method_call(item, _vocab.ASSIGNS) and len(item.args) == 1:
            ref, new, name = item.func.value, item.args[0].value, item.func.attr.value
        else:
            return None
        if not (isinstance(ref, cst.Name) and s.b.is_variable(ref.value)):
            return None
        found.append((ref.value, name, new))
    return found


def define(s: Rewrite, name: str, params, kind: str, func_name: str, update=None, source=None) -> None:
    s.b.rebind(name)
    s.b.bind(name, B.TENSOR, Tensor(name, params, kind, func_name, update, source))


def tensor_function(s: Rewrite, name: str, value: cst.BaseExpression, line) -> Out:
    """``name = <graph expression>`` -> ``def name(<placeholders>): return <expression>``."""
    if s.call_name(value) == "gradients":
        return gradients_function(s, name, value, line)
    if isinstance(value, cst.Subscript) and s.call_name(value.value) == "gradients":
        return gradients_function(s, name, value.value, line, picked=value)  # `tf.gradients(loss, x)[0]`
    s.target = name
    updates = updates_in(s, value)
    if updates is not None and len(updates) > 1:
        return simultaneous_updates(s, name, updates, line)
    drawn, value = _drawn_once(s, value)
    draws = random_draws(s, value)
    if is_random(s, value):
        draws[name] += 1
    new, params = graph_expr(s, value)
    body = []
    for random, local in [*drawn, *((dep, None) for dep in s.control_deps)]:  # (control dependencies: run first)
        code, more = graph_expr(s, cst.Name(random))
        body.append(f"{s.indent}{s.code(code)}" if local is None else f"{s.indent}{local} = {s.code(code)}")
        draws[random] += 1
        params = feeds.ordered(s, {*params, *more})
    if s.control_deps:
        s.deps_applied.add(name)
    s.draws[name] = draws
    noise.made(s, name, value)
    kind = "op" if s.call_name(value) in ("group", "no_op") else "tensor"
    if isinstance(value, (cst.List, cst.Tuple, cst.Dict, cst.ListComp, cst.DictComp)) or structures.structured(
            s, value):
        kind = "nest"  # a run fetches each tensor's value, in the same structure
    func_name = s.function_name(name, params, value)
    define(s, name, params, kind, func_name, updates[0] if updates else None, value)
    lines = [feeds.signature(s, params)] if params else []
    lines.append(f"def {func_name}({feeds.parameters(s, params)}):")
    lines += body
    if kind == "op" and isinstance(new, cst.Call):
        # `tf.group(w.assign(...), ...)`: what it groups, run in order (a tf.function returns no Operation)
        grouped = [s.code(a.value) for a in new.args if a.keyword is None]
        if any(a.star for a in new.args):
            grouped = [s.code(new)]  # `tf.group(*updates)`: the stateful ops in it run in the tf.function
        lines += [f"{s.indent}{op}" for op in grouped] or [f"{s.indent}pass"]
    else:
        lines.append(f"{s.indent}return {s.code(new)}")
    return s.function(lines, line)


def _drawn_once(s: Rewrite, value: cst.BaseExpression):
    """``out = tf.cond(x > y, lambda: x + y, lambda: x - y)`` over random tensors ``x`` and ``y``:
    TF1 drew each once per run, however many times the expression reads it. Such a tensor read
    only directly (not through other tensors that draw it too) is drawn once into a local of the
    function: ([(tensor, local)], the expression reading the locals); else ([], value)."""
    reads: Counter = Counter()
    draws: Counter = Counter()
    for node in queries.find(value, cst.Name, values=True):
        if s.b.is_(node.value, B.TENSOR):
            draws.update(s.draws.get(node.value, {}))
            if s.draws.get(node.value) == Counter({node.value: 1}):
                reads[node.value] += 1
    twice = sorted(n for n, count in draws.items() if count > 1 and reads[n] == count)
    if not twice:
        return [], value
    taken = queries.names_in(value)  # (a local of the function: it may shadow what the expression does not read)
    drawn = [(random, fresh_name(taken, f"{random}_value")) for random in twice]
    locals_ = dict(drawn)

    class _Local(SkipNames):
        def leave_Name(self, original, updated):
            return cst.Name(locals_[original.value]) if original.value in locals_ else updated

    return drawn, value.visit(_Local())


def simultaneous_updates(s: Rewrite, name, updates, line) -> Out:
    """Several assigns run together: TF1 computes every new value before assigning any."""
    values = [graph_expr(s, new) for _, _, new in updates]
    params = feeds.ordered(s, {p for _, ps in values for p in ps})
    func_name = s.function_name(name)
    define(s, name, params, "op", func_name)
    indent = s.indent
    new_names = [s.fresh(f"new_{var}") for var, _, _ in updates]
    lines = [feeds.decorator(s, params), f"def {func_name}({feeds.parameters(s, params)}):"]
    for new_name, (value, _) in zip(new_names, values):  # every new value computed before any is assigned
        code = layout.one_line(s.code(value))
        if isinstance(value, cst.Name) and s.b.is_variable(value.value):
            code += ".read_value()"  # its value now: the variable itself would be read after the assigns above
        lines.append(f"{indent}{new_name} = {code}")
    for (var, method, _), new in zip(updates, new_names):
        lines.append(f"{indent}{var}.{method}({new})")
    return s.function(lines, line)


def unpacked(s: Rewrite, node, target, value, line, in_loop) -> List[Out]:
    """``a, b = tf.gradients(cost, [W, b])``: one function for the list, one per name."""
    elements = target.elements if isinstance(target, (cst.Tuple, cst.List)) else ()
    names = [e.value.value for e in elements if isinstance(e.value, cst.Name) and not isinstance(e, cst.StarredElement)]
    if not names or len(names) != len(elements):
        raise Unsupported(node, "graph tensors unpacked into something other than names")
    s.need_module_level(node, names[0], in_loop, "tensor")
    base = s.fresh("gradients" if s.call_name(value) == "gradients" else "_".join(names))
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in (
            "zip", "map", "filter", "reversed") and not s.b.kind(value.func.value):
        value = cst.Call(cst.Name("tuple"), args=[cst.Arg(value)])  # an iterator: its items, to index
    structures.no_static_items(s, node, value, names)
    # `layer, weights = new_conv_layer(...)` returning a variable it makes: its module's attribute
    held = instances.returned_variables(s, value, len(names))
    kept = [(index, name) for index, name in enumerate(names) if name != "_" and index not in held]
    if len(kept) == 1:  # one function, that picks its item: `def loss(x): return center_loss(x)[0]`
        index, name = kept[0]
        picked = cst.Subscript(value=value, slice=[cst.SubscriptElement(cst.Index(cst.Integer(str(index))))])
        out = [tensor_function(s, name, picked, line)]
    else:
        out = [tensor_function(s, base, value, line)]
        run_once.unseen_call(s, base, value)
        for index, name in kept or ([] if held else enumerate(names)):
            out.append(tensor_function(s, name, s.expr(f"{base}[{index}]"), None))
    return out + instances.held_variables(s, node, value, names, held)


def _holds_list(s: Rewrite, node) -> bool:
    """A name bound to a list of variables (``params = [W, b]``) or of tensors (a function returning one)."""
    if not isinstance(node, cst.Name):
        return False
    tensor = s.b.get(node.value, B.TENSOR)
    return s.b.is_(node.value, B.CONTAINER) or (tensor is not None and tensor.kind in ("list", "nest"))


def gradients_function(s: Rewrite, name, value: cst.Call, line, picked: Optional[cst.Subscript] = None) -> Out:
    """``tf.gradients(ys, xs)`` -> a function computing them under a GradientTape (``picked``: one of them,
    ``tf.gradients(ys, xs)[0]``)."""
    ys = _tf.argument(value, 0, "ys")
    xs = _tf.argument(value, 1, "xs")
    if ys is None or xs is None or len(value.args) > 2:
        raise Unsupported(value, "tf.gradients with arguments beyond ys and xs")
    given = xs.value.elements if isinstance(xs.value, (cst.List, cst.Tuple)) else [xs.value]
    given = [e.value if isinstance(e, cst.BaseElement) else e for e in given]
    for source in given:
        tensor = s.b.get(source.value, B.TENSOR) if isinstance(source, cst.Name) else None
        if tensor is not None and (tensor.source is None or any(
                s.b.kind(n) not in B.VARIABLE_KINDS for n in queries.names_in(tensor.source) - {s.tf})):
            raise Unsupported(value, f"tf.gradients with respect to tensor {source.value} (the rewrite computes it "
                                     "apart from the loss: the tape would see no path from it)")
    watched = [e.value for e in given if isinstance(e, cst.Name) and s.b.is_(e.value, B.PLACEHOLDER)]
    loss, params = graph_expr(s, ys.value)
    sources, more = graph_expr(s, xs.value)
    params = feeds.ordered(s, set(params) | set(more))
    sources_code = s.code(sources)
    if not isinstance(sources, (cst.List, cst.Tuple)) and not _holds_list(s, xs.value):
        sources_code = f"[{sources_code}]"  # tf.gradients always returns a list
    func_name = s.function_name(name)
    define(s, name, params, "list" if picked is None else "tensor", func_name)
    indent = s.indent
    tape, result = s.local_names(queries.names_in(loss) | queries.names_in(sources) | set(params), "tape", "loss_value")
    lines = [feeds.signature(s, params)] if params else []
    lines += [
        f"def {func_name}({feeds.parameters(s, params)}):",
        f"{indent}with {s.tf}.GradientTape() as {tape}:",
        *[f"{indent}{indent}{tape}.watch({arg})" for arg in watched],  # an argument: not a variable
        f"{indent}{indent}{result} = {s.code(loss)}",
        f"{indent}return {tape}.gradient({result}, {sources_code})"
        + (s.code(picked)[len(s.code(picked.value)):] if picked is not None else ""),
    ]
    return s.function(lines, line)
