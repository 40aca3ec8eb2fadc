"""Training: TF1 optimizers, train ops and learning-rate decays.

``tf.train.AdamOptimizer(lr)`` becomes the Keras optimizer with TF1's arguments and
defaults kept; ``train = opt.minimize(cost)`` a ``tf.function`` train step (the loss
under a ``tf.GradientTape``, ``apply_gradients``, the loss returned); ``compute_gradients``
and ``apply_gradients`` the two halves of it; ``tf.train.exponential_decay(...)`` a
Keras schedule of the step.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import libcst as cst

from .. import _tf, _vocab
from . import bindings as B
from . import batch_norm, feeds, instances, queries, tensors, tf1_optimizers, variable_names
from .bindings import Tensor, TrainOp
from .plan import Out
from .state import Rewrite, Unsupported


def keras_optimizer(s: Rewrite, call: cst.Call, name: str, changing: bool = False,
                    fed: Optional[List[Tuple[str, Tuple[str, ...]]]] = None) -> cst.Call:
    """The Keras optimizer of ``tf.train.<name>(...)``, TF1's arguments and defaults kept (``changing``: its
    learning rate changes, a decay the caller made a schedule). A learning rate computed from placeholders
    (``lr`` fed at each run, ``0.0001 + exponential_decay(0.003, step, ...)`` of a fed ``step``) is left out
    and appended to ``fed`` (its code and placeholders): each train step sets it (``fed_rate``)."""
    spec = _vocab.OPTIMIZERS[name]
    given: Dict[str, cst.BaseExpression] = {}
    positional = [a for a in call.args if a.keyword is None]
    if any(a.star for a in call.args):
        raise Unsupported(call, "an optimizer built from *args or **kwargs")
    for index, arg in enumerate(positional):
        if index >= len(spec.params):
            raise Unsupported(call, "an optimizer with more positional arguments than TF1 takes")
        given[spec.params[index]] = arg.value
    keywords = set()
    for arg in call.args:
        if arg.keyword is not None:
            given[arg.keyword.value] = arg.value
            keywords.add(arg.keyword.value)
    parts = []
    for param in spec.params:
        if param in given and param not in spec.dropped:
            key = spec.renames.get(param, param)
            raw = given[param]
            tensor = s.b.get(raw.value, B.TENSOR) if isinstance(raw, cst.Name) else None
            if tensor is not None and not tensor.params:
                value = tensor.func  # Keras calls a callable learning rate at every step
                changing = True
            else:
                expr, needs = tensors.graph_expr(s, raw)
                if needs:
                    if param != "learning_rate" or fed is None:
                        what = "a learning rate" if param == "learning_rate" else f"optimizer setting {param}"
                        raise Unsupported(raw, f"{what} computed from placeholders")
                    fed.append((s.code(expr), needs))
                    changing = True
                    continue
                value = s.code(expr)
            positional = param == "learning_rate" and not parts and param not in keywords
            parts.append(value if positional else f"{key}={value}")
    written = {spec.renames.get(p, p) for p in given}
    for key, default in spec.defaults.items():
        if key not in written:
            parts.append(f"{key}={default}")
    sparse = "_sparse" if looks_up(s) else ""  # TF1 applied a looked-up table's gradient with its sparse kernel
    if name == "train.RMSPropOptimizer":
        keras = tf1_optimizers.written(s, "rmsprop" + sparse)
    elif name == "train.MomentumOptimizer" and (changing or sparse):
        keras = tf1_optimizers.written(s, "momentum" + sparse)
    else:
        keras = f"{s.tf}.optimizers.{spec.keras}"
    return s.expr(f"{keras}({', '.join(parts)})")


def compiled(s: Rewrite, stmt: cst.BaseStatement) -> Optional[List[Out]]:
    """``model.compile(optimizer=tf.train.AdamOptimizer(0.01), ...)`` alone on its line: TF1's Keras wrapped the
    tf.train optimizer; Keras 3 takes its own, made with TF1's arguments and defaults (``keras_optimizer``)."""
    small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 else None
    call = small.value if isinstance(small, cst.Expr) else None
    if not (isinstance(call, cst.Call) and queries.is_method_call(call, ("compile",))):
        return None
    arg = _tf.argument(call, 0, "optimizer")
    name = s.call_name(arg.value) if arg is not None and isinstance(arg.value, cst.Call) else None
    if name not in _vocab.OPTIMIZERS:
        return None
    new = keras_optimizer(s, arg.value, name)
    args = [a.with_changes(value=new) if a is arg else a for a in call.args]
    return [Out(small.with_changes(value=call.with_changes(args=args)))]


def is_minimize(s: Rewrite, value, method: str = "minimize") -> bool:
    """``opt.minimize(...)`` (or ``method``) on a TF1 optimizer."""
    if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)):
        return False
    if value.func.attr.value != method:
        return False
    receiver = value.func.value
    if isinstance(receiver, cst.Name):
        return s.b.is_(receiver.value, B.OPTIMIZER)
    return s.call_name(receiver) in _vocab.OPTIMIZERS


def optimizer(s: Rewrite, node: cst.Assign, name: str, call: cst.Call, single: str) -> List[Out]:
    """``opt = tf.train.AdamOptimizer(...)``."""
    fed: List[Tuple[str, Tuple[str, ...]]] = []
    new = keras_optimizer(s, call, name, fed=fed)
    s.b.rebind(single)
    s.b.bind(single, B.OPTIMIZER, _vocab.OPTIMIZERS[name])
    s.fed_rates.pop(single, None)
    if fed:
        s.fed_rates[single] = fed[0]
    return [Out(node.with_changes(value=new))]


def fed_rate(s: Rewrite, optimizer: str, params: Tuple[str, ...]) -> Tuple[Tuple[str, ...], List[str]]:
    """A train step's placeholders with those of its optimizer's fed learning rate, and the line that sets
    that rate (TF1 computed it in the same run as the gradients)."""
    if optimizer not in s.fed_rates:
        return params, []
    code, needs = s.fed_rates[optimizer]
    if any(s.b.specs[p].shape is None and not s.b.specs[p].spec for p in needs):
        code = f"{s.tf}.ensure_shape({code}, [])"  # Keras sets a rate of a known shape (TF1's was a scalar too)
    return feeds.ordered(s, set(params) | set(needs)), [f"{s.indent}{optimizer}.learning_rate = {code}"]


def optimizer_name(s: Rewrite, receiver, out: List[Out], trains: bool = True) -> str:
    """The optimizer a train op uses (``trains``; else gradients it computes): its name, or a new one for
    ``tf.train.X(...).minimize``."""
    if isinstance(receiver, cst.Name):
        if trains and receiver.value in s.trained_by:
            raise Unsupported(receiver, f"optimizer {receiver.value} makes a second train op (a Keras optimizer "
                                        "is built for the variables of its first step and refuses others)")
        if trains:
            s.trained_by.add(receiver.value)
        return receiver.value
    fed: List[Tuple[str, Tuple[str, ...]]] = []
    opt_call = keras_optimizer(s, receiver, s.call_name(receiver), fed=fed if trains else None)
    name = _object_name(s, _vocab.OPTIMIZERS[s.call_name(receiver)].keras.lower())
    if fed:
        s.fed_rates[name] = fed[0]
    out.append(Out(s.stmt(f"{name} = {s.code(opt_call)}\n")))
    s.optimizer_objects.append(name)
    return name


def _object_name(s: Rewrite, algorithm: str) -> str:
    """``optimizer`` when the program leaves it free, else the algorithm's name (``adam``)."""
    for name in ("optimizer", algorithm, f"{algorithm}_optimizer"):
        if name not in s.taken:
            s.taken.add(name)
            return name
    return s.fresh("optimizer")


SUMMED = "# each looked-up row's gradient summed over the ids repeated in a run, as TF1's optimizers did"
_LOOKUPS = ("nn.embedding_lookup", "gather", "nn.embedding_lookup_sparse", "compat.v1.gather")


def looks_up(s: Rewrite) -> bool:
    """Does the program look rows of a tensor up (``tf.nn.embedding_lookup``, ``tf.gather``)?"""
    if s.lookups is None:
        s.lookups = bool(queries.calls_of(s.module, s.call_name, _LOOKUPS, first=True))
    return s.lookups


def _sums_repeats(s: Rewrite, receiver) -> bool:
    """Does the program look rows of a tensor up, trained by an optimizer other than plain gradient descent
    or the TF1 classes (Momentum, RMSProp: their sparse kernel sums them)? The gradient of a lookup holds a
    row per id read, repeats too: TF1's optimizers summed the repeats first, Keras 3's apply each in turn
    (Adam and Adagrad then square them one by one; gradient descent subtracts them all, the same)."""
    if not looks_up(s):
        return False
    if isinstance(receiver, cst.Name):
        kind = s.b.get(receiver.value, B.OPTIMIZER)
    else:
        kind = _vocab.OPTIMIZERS.get(s.call_name(receiver))
    return kind not in (_vocab.OPTIMIZERS["train.GradientDescentOptimizer"], _vocab.OPTIMIZERS[
        "train.MomentumOptimizer"], _vocab.OPTIMIZERS["train.RMSPropOptimizer"])


def _locals(s: Rewrite, loss_expr, var_list, *others) -> List[str]:
    """``tape``, ``loss_value``, ``variables``: unless the function's code uses them."""
    avoid = queries.names_in(loss_expr) | (queries.names_in(var_list.value) if var_list is not None else set())
    return s.local_names(avoid | set(others), "tape", "loss_value", "variables")


def _lists_untrainable(s: Rewrite, value) -> bool:
    """Does ``var_list`` name a variable made with ``trainable=False``?"""
    names = queries.names_in(value)

    def untrainable(assign: cst.Assign) -> bool:
        target = assign.targets[0].target if len(assign.targets) == 1 else None
        return isinstance(target, cst.Name) and target.value in names and isinstance(
            assign.value, cst.Call) and variable_names.trainable(assign.value) is False

    return bool(names) and bool(queries.find(s.module, cst.Assign, untrainable, first=True))


def _tape_lines(s: Rewrite, loss_expr, var_list, tape: str, loss: str, variables: str) -> List[str]:
    indent = s.indent
    lines = [f"{indent}with {s.tf}.GradientTape() as {tape}:", f"{indent}{indent}{loss} = {s.code(loss_expr)}"]
    if var_list is not None and variable_names.is_collection(s, var_list.value) and variable_names.whole(
            s, var_list.value):
        var_list = None  # `var_list=tf.trainable_variables()`: every trainable variable the loss reads
    if var_list is not None and _lists_untrainable(s, var_list.value):
        # TF1 trained what var_list names, trainable=False too; a tape watches trainable variables only
        lines = [f"{indent}{variables} = {s.code(tensors.graph_expr(s, var_list.value)[0])}", lines[0],
                 f"{indent}{indent}{tape}.watch({variables})", lines[1]]
    elif var_list is not None:
        lines.append(f"{indent}{variables} = {s.code(tensors.graph_expr(s, var_list.value)[0])}")
    else:
        lines.append(f"{indent}{variables} = {tape}.watched_variables()")
    return lines


def compute_gradients(s: Rewrite, name: str, value: cst.Call, line) -> List[Out]:
    """``opt.compute_gradients(loss, var_list)`` -> a function of (gradient, variable) pairs."""
    out: List[Out] = []
    optimizer_name(s, value.func.value, out, trains=False)
    loss_arg = _tf.argument(value, 0, "loss")
    var_list = _tf.argument(value, 1, "var_list")
    if loss_arg is None or len(value.args) > 2:
        raise Unsupported(value, "compute_gradients() with arguments beyond loss and var_list")
    loss_expr, params = tensors.graph_expr(s, loss_arg.value)
    tape, loss, variables = _locals(s, loss_expr, var_list, *params)
    func_name = s.function_name(name)
    # (a plain function: a tf.function would return its variables' values, not the variables)
    lines = [f"def {func_name}({feeds.parameters(s, params)}):"]
    lines += _tape_lines(s, loss_expr, var_list, tape, loss, variables)
    lines.append(f"{s.indent}return list(zip({tape}.gradient({loss}, {variables}), {variables}))")
    s.b.rebind(name)
    s.b.bind(name, B.TENSOR, Tensor(name, params, "pairs", func_name))
    out.append(s.function(lines, line))
    return out


def apply_gradients(s: Rewrite, name: str, value: cst.Call, line) -> List[Out]:
    """``opt.apply_gradients(pairs, global_step)`` -> a train step without a loss."""
    out: List[Out] = []
    optimizer = optimizer_name(s, value.func.value, out)
    pairs = _tf.argument(value, 0, "grads_and_vars")
    global_step = _tf.argument(value, 1, "global_step")
    if pairs is None or any(a.keyword is not None and a.keyword.value not in ("grads_and_vars", "global_step", "name")
                            for a in value.args):
        raise Unsupported(value, "apply_gradients() with arguments beyond grads_and_vars and global_step")
    pairs_expr, params = tensors.graph_expr(s, pairs.value)
    params, rate = fed_rate(s, optimizer, params)
    func_name = s.function_name(name)
    applied = s.code(pairs_expr)
    lines = [feeds.decorator(s, params), f"def {func_name}({feeds.parameters(s, params)}):"]
    if _sums_repeats(s, value.func.value):  # after any clipping, which read the rows as TF1 gave them
        gradient, variable = s.local_names(queries.names_in(pairs_expr), "gradient", "variable")
        applied = f"[({s.tf}.convert_to_tensor({gradient}), {variable}) for {gradient}, {variable} in {applied}]"
        lines.append(f"{s.indent}{SUMMED}")
    lines += rate
    lines.append(f"{s.indent}{optimizer}.apply_gradients({applied})")
    if global_step is not None:
        lines.append(f"{s.indent}{s.code(global_step.value)}.assign_add(1)")
    batch_norm.train_op(s, value)
    s.b.rebind(name)
    s.b.bind(name, B.TRAIN_OP, TrainOp(func_name, params, None))
    out.append(s.function(lines, line))
    return out


_MINIMIZE_KEYWORDS = {"loss", "var_list", "global_step", "name", "gate_gradients", "aggregation_method",
                      "colocate_gradients_with_ops"}


def train_step(s: Rewrite, name: str, value: cst.Call, line) -> List[Out]:
    """``train = opt.minimize(loss)`` -> a ``tf.function`` train step that returns the loss."""
    out: List[Out] = []
    optimizer = optimizer_name(s, value.func.value, out)
    loss_arg = _tf.argument(value, 0, "loss")
    if loss_arg is None:
        raise Unsupported(value, "minimize() without a loss")
    for arg in value.args:
        if arg.keyword is not None and arg.keyword.value not in _MINIMIZE_KEYWORDS:
            raise Unsupported(value, f"minimize({arg.keyword.value}=...)")
    if len([a for a in value.args if a.keyword is None]) > 3:
        raise Unsupported(value, "minimize() with positional arguments beyond loss, global_step, var_list")
    if not _computed_again(s, loss_arg.value):
        raise Unsupported(value, f"the loss minimized (`{s.code(loss_arg.value)}`) is computed by code this "
                                 "rewrite does not see (eagerly, once: the variables it made would not be trained)")
    loss_expr, params = tensors.graph_expr(s, loss_arg.value)
    params, rate = fed_rate(s, optimizer, params)
    var_list = _tf.argument(value, 2, "var_list")
    global_step = _tf.argument(value, 1, "global_step")
    loss_name = loss_arg.value.value if isinstance(loss_arg.value, cst.Name) else None
    func_name = s.function_name(name)
    indent = s.indent
    step_names = queries.names_in(global_step.value) if global_step is not None else set()
    tape, loss, variables = _locals(s, loss_expr, var_list, optimizer, *params, *step_names)
    lines = [feeds.decorator(s, params), f"def {func_name}({feeds.parameters(s, params)}):"]
    lines += _tape_lines(s, loss_expr, var_list, tape, loss, variables)
    gradients = f"{tape}.gradient({loss}, {variables})"
    if _sums_repeats(s, value.func.value):
        avoid = queries.names_in(loss_expr) | {tape, loss, variables, optimizer, *params}
        summed = s.local_names(avoid, "gradients")[0]
        lines += [f"{indent}{SUMMED}",
                  f"{indent}{summed} = [{s.tf}.convert_to_tensor(gradient) for gradient in {gradients}]"]
        gradients = summed
    lines += rate
    lines.append(f"{indent}{optimizer}.apply_gradients(zip({gradients}, {variables}))")
    if global_step is not None:
        lines.append(f"{indent}{s.code(global_step.value)}.assign_add(1)")
    lines.append(f"{indent}return {loss}")
    batch_norm.train_op(s, value)
    s.b.rebind(name)
    s.b.bind(name, B.TRAIN_OP, TrainOp(func_name, params, loss_name))
    out.append(s.function(lines, line))
    return out


def _computed_again(s: Rewrite, loss: cst.BaseExpression) -> bool:
    """Is the loss a function of this program's graph (its tensors, variables, placeholders, models),
    computed again at each step, rather than an eager value computed once?"""
    if queries.names_in(loss) & s.b.names(B.TENSOR, B.VARIABLE, B.CONTAINER, B.PLACEHOLDER):
        return True
    return bool(s.p.models) and instances.calls_model(s, loss)


def decay_arguments(call: cst.Call, name: str) -> Tuple[str, Dict[str, cst.BaseExpression]]:
    """``tf.train.exponential_decay(...)`` (any tf.train decay): its Keras schedule class and its arguments by
    TF1's parameter names (``global_step`` among them, ``name`` left out); raises Unsupported."""
    schedule, params = _vocab.DECAYS[name]
    given: Dict[str, cst.BaseExpression] = {}
    positional = [a for a in call.args if a.keyword is None]
    if len(positional) > len(params) or any(a.star for a in call.args):
        raise Unsupported(call, f"tf.{name} with arguments that are not mapped")
    for index, arg in enumerate(positional):
        given[params[index]] = arg.value
    for arg in call.args:
        if arg.keyword is not None:
            key = _vocab.DECAY_KEYWORDS.get(arg.keyword.value, arg.keyword.value)
            if key not in params:
                raise Unsupported(call, f"tf.{name}({arg.keyword.value}=...)")
            given[key] = arg.value
    given.pop("name", None)
    return schedule, given


def decay(s: Rewrite, call: cst.Call, name: str) -> cst.BaseExpression:
    """``tf.train.exponential_decay(lr, step, ...)`` -> the Keras schedule of ``step``."""
    schedule, given = decay_arguments(call, name)
    step = given.pop("global_step", None)
    if step is None:
        raise Unsupported(call, f"tf.{name} without a global step")
    args = ", ".join(f"{k}={s.code(v)}" for k, v in given.items())
    return s.expr(f"{s.tf}.keras.optimizers.schedules.{schedule}({args})({s.code(step)})")
