"""Simple statements: which handler each assignment or expression statement goes to.

An assignment ``name = <TF1 construct>`` is routed by what it builds (a placeholder,
a session, an optimizer, a train op, a variable, a graph tensor, ...) to the handler
module of that concept; what builds nothing of the graph keeps its code, with the
runs inside it (``sess.run``, ``.eval()``) computed eagerly.
"""
from __future__ import annotations

from typing import List, Optional

import libcst as cst

from .. import _tf, _vocab
from . import bindings as B
from . import (batch_norm, checkpoints, feeds, fetches, global_steps, graph_metrics, instances, model_lift, module_summaries, pipelines,
               placeholder_builders, queries, rebinding, rnn, rnn_cells, run_once, scopes, sessions, structures,
               summaries, tensors, testcases, train_builders, training, variable_names)
from .plan import Out
from .state import Rewrite, Unsupported


def _outs(nodes) -> Optional[List[Out]]:
    return None if nodes is None else [n if isinstance(n, Out) else Out(n) for n in nodes]


def small(s: Rewrite, node: cst.BaseSmallStatement, line, in_loop: bool) -> Optional[List[Out]]:
    """What a small statement becomes: statements (small or whole), or None to remove it."""
    if s.session_classes:
        node = model_lift.without_sessions(s, node)  # `Model(sess, "m1")`: its class takes no session now
    if isinstance(node, cst.Import):
        # beside TensorFlow 2 itself, a tensorflow.compat.v1 alias is the TF1 API chosen on purpose: it stays
        return [Out(import_statement(node, _tf.imports_tf2(s.p.imports)))]
    if isinstance(node, cst.ImportFrom):
        if not rnn.contrib_import(node):
            return [Out(import_from(node))]
        heads = {id(a.value) for a in queries.find(s.module, cst.Attribute, lambda a: isinstance(a.value, cst.Name))}
        for alias in node.names:  # `rnn.BasicLSTMCell` and the like all go with it
            local = (alias.asname.name if alias.asname else alias.name).value
            rnn_cells.release(s, local, lambda n, own=alias: id(n) in heads or n in (own.name, getattr(
                own.asname, "name", None)))
        return None
    if isinstance(node, cst.Expr):
        return _outs(expression(s, node, in_loop))
    if isinstance(node, cst.Assign):
        result = _outs(_assignment(s, node, line, in_loop))
        target = node.targets[0].target if len(node.targets) == 1 else None
        if isinstance(target, cst.Tuple) and s.call_name(node.value) == "nn.top_k" and node.value.args:
            target = target.elements[0].value  # `values, indices = tf.nn.top_k(x, k)`: the values are x's
            value = node.value.args[0].value
        else:
            value = node.value
        if isinstance(target, cst.Name):
            dtype = feeds.evident_dtype(s, value)
            if dtype is not None:
                s.b.set_dtype(target.value, dtype)
        return result
    if isinstance(node, cst.Return) and node.value is not None and queries.holds(node.value, cst.Call, lambda c: (
            queries.is_method_call(c, ("minimize", "apply_gradients")) and (s.b.is_(
                queries.receiver_name(c) or "", B.OPTIMIZER) or _vocab.is_tf1_optimizer(s.call_name(c.func.value))))):
        raise Unsupported(node, "a train op returned by a function (a train step is made where a train op is "
                                "bound to a name)")
    if isinstance(node, cst.Assert) and fetches.static_check(s, node):
        s.note(node, fetches.STATIC_CHECK)  # TF1 checked it while building the graph
        return None
    return [Out(plain(s, node))]


def import_statement(node: cst.Import, keep_v1: bool = False) -> cst.Import:
    """``import tensorflow.compat.v1 as tf`` -> ``import tensorflow as tf`` (unless ``keep_v1``)."""
    names = []
    kinds = ("tensorflow.compat.v2",) if keep_v1 else ("tensorflow.compat.v1", "tensorflow.compat.v2")
    for alias in node.names:
        if queries.dotted(alias.name) in kinds and alias.asname is not None:
            alias = alias.with_changes(name=cst.Name("tensorflow"))
        names.append(alias)
    return node.with_changes(names=names)


def import_from(node: cst.ImportFrom):
    """``from tensorflow.compat import v1 as tf`` -> ``import tensorflow as tf``."""
    module = queries.dotted(node.module) if node.module is not None else None
    if module == "tensorflow.compat" and not isinstance(node.names, cst.ImportStar):
        if all(queries.dotted(a.name) in ("v1", "v2") for a in node.names) and len(node.names) == 1:
            alias = node.names[0]
            local = alias.asname.name.value if alias.asname else queries.dotted(alias.name)
            return cst.Import(names=[cst.ImportAlias(cst.Name("tensorflow"), asname=cst.AsName(cst.Name(local)))])
    if module is not None and (module == "tensorflow" or module.startswith("tensorflow.compat")):
        raise Unsupported(node, "TensorFlow 1 names imported with `from tensorflow... import`")
    return node


def is_op(s: Rewrite, node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Name):
        return s.b.is_(node.value, B.TRAIN_OP, B.TENSOR, B.INIT)
    return s.call_name(node) in _vocab.INITIALIZERS


def _is_graph(s: Rewrite, node: cst.BaseExpression) -> bool:
    """``tf.get_default_graph()``, a name bound to a graph, or ``sess.graph``."""
    if s.call_name(node) in ("get_default_graph", "compat.v1.get_default_graph"):
        return True
    if isinstance(node, cst.Name):
        return s.b.is_(node.value, B.GRAPH)
    return isinstance(node, cst.Attribute) and node.attr.value == "graph" and isinstance(node.value, cst.Name) and (
        s.b.is_(node.value.value, B.SESSION))


def expression(s: Rewrite, node: cst.Expr, in_loop: bool = False):
    value = node.value
    name = s.call_name(value)
    if _vocab.is_noop(name):
        return None
    if name in _vocab.SEED_SETTERS:
        s.graph_seed = True  # and the statement stays: TF2 has a global seed too
    if name in _vocab.SUMMARIES:
        s.need_module_level(node, "", in_loop, "summary")  # (one per pass: each written where merged)
        summaries.summary(s, value, name)
        return None
    if s.p.models and scopes.is_reuse_call(s.p, value):
        instances.reuse_now(s, value)  # the model calls after it share their modules
        return None
    if testcases.is_evaluate(s, value):
        return fetches.run_statement(s, value, None, fetched=testcases.evaluated(value))
    if queries.is_method_call(value):
        method = value.func.attr.value
        receiver = value.func.value
        receiver_name = receiver.value if isinstance(receiver, cst.Name) else None
        if method in _vocab.ASSIGNS and s.b.is_variable(receiver_name):
            return None  # TF1 only built this op; no run ever changed the variable
        if method == "finalize" and not value.args and _is_graph(s, receiver):
            return None  # no op may be added to the graph after it: eager code has no graph
        if s.b.is_(receiver_name, B.WRITER):
            return summaries.writer_call(s, value, method, node)
        if s.b.is_(receiver_name, B.SESSION):
            if method == "close":
                sessions.closed(s, receiver_name)
                return None
            if method == "run":
                return fetches.run_statement(s, value, targets=None)
        if method == "run" and isinstance(receiver, cst.Attribute) and receiver.attr.value == "op" and is_op(
                s, receiver.value):
            receiver = receiver.value  # `inc.op.run()`: the op of a tensor, run for what it changes
        if method == "run" and (is_op(s, receiver) or fetches.is_init(s, receiver)):
            # `init.run()`, `w.initializer.run()`, `train.run(feed_dict=...)` (InteractiveSession)
            if fetches.is_init(s, receiver):
                sessions.initialise(s, value)
                return None
            return fetches.run_statement(s, value, None, fetched=receiver, feed=feeds.feed_arg(value, 0))
    if isinstance(value, cst.Name) and s.b.is_(value.value, B.TENSOR, B.PLACEHOLDER):
        s.note(node, BARE_TENSOR)  # a notebook cell showing the graph tensor it built
        return None
    return [node.with_changes(value=fetches.rewrite(s, value))]


BARE_TENSOR = ("a graph tensor or placeholder standing alone (a notebook showed its description) goes: it has no "
               "value until the function that computes it is called")


def _assignment(s: Rewrite, node: cst.Assign, line, in_loop: bool):
    for bound in queries.names_in(cst.List([cst.Element(t.target) for t in node.targets])):
        summaries.forget(s, bound)
    if len(node.targets) != 1:
        return [plain(s, node)]
    node = _run_subscript(s, node)
    value = node.value
    target = node.targets[0].target
    name = s.call_name(value)
    single = target.value if isinstance(target, cst.Name) else None
    b = s.b
    graph_refs = queries.names_in(value) & (b.graph_names() | b.names(B.VARIABLE, B.CONTAINER))
    if not graph_refs and not queries.is_method_call(value, ("numpy",)):
        # `valid_prediction = tf.nn.softmax(forward(tf_valid_dataset))`: forward reads weights (a fix's
        # `hidden2(x).numpy()`, read again, is a value)
        graph_refs = rebinding.calls_reading_variables(s, value)
    if not graph_refs and not variable_names.is_collection(s, value) and any(
            variable_names.is_collection(s, call) or (s.call_name(call) or "").startswith("layers.")
            for call in queries.find(value, cst.Call)):
        # `tf.add_n([tf.nn.l2_loss(v) for v in tf.trainable_variables()])`; a layer's output of a constant
        graph_refs = {"variables"}

    def module_level(what: str) -> None:
        s.need_module_level(node, single, in_loop, what)

    if name is not None and _vocab.is_queue(name):
        raise Unsupported(value, f"tf.{name}: queues and queue runners (a TF1 input pipeline)")
    if pipelines.claims(s, value, name):
        return pipelines.assignment(s, node, target, value, name)
    if queries.is_method_call(value, _vocab.RUNS) and graph_refs and not s.has_fetch(value):
        raise Unsupported(value, f"`{s.code(value.func)}` runs the graph through something that is not a "
                                 "session of this program (a session passed between functions?)")
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in s.train_builders:
        outs: List[Out] = []
        for inlined in train_builders.inlined(s, value.func.value, target, value):
            outs += small(s, inlined, line, in_loop) or []
        return outs
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in s.placeholder_builders:
        for bound, call, kind in placeholder_builders.defined(s, value.func.value, target, value):
            s.need_module_level(node, bound, in_loop, "placeholder")
            feeds.placeholder(s, bound, call, kind)
        return None
    if name in _vocab.PLACEHOLDERS:
        module_level("placeholder")
        feeds.placeholder(s, single, value, name)
        return None
    scaled = feeds.scaled_placeholder(s, value)
    if scaled is not None:  # x = tf.placeholder(tf.float32, shape) / 255.
        module_level("placeholder")
        feeds.placeholder(s, single, scaled, "placeholder")
        s.note(value, f"`{s.code(value)}`: TF1 could only compute {single} fed (its placeholder has no name), "
                      f"so it is the placeholder: the arithmetic around it never ran")
        return None
    if name == "Graph" and not value.args:
        # Eager code has no graph: `with g.as_default():` just runs its body.
        return s.drop_binding(node, single, B.GRAPH, "a graph")
    if name in _vocab.SESSIONS:
        sessions.created(s, node, value, single)
        return None
    if name in _vocab.INITIALIZERS or (name == "group" and fetches.is_init(s, value)):
        if single is not None and sessions.initialises_locals(s, value):
            s.local_initializers.add(single)
        return s.drop_binding(node, single, B.INIT, "an initializer")
    if graph_metrics.metric_call(s, value) is not None:
        s.need_module_level(node, "", in_loop, "metric")  # (its targets: graph_metrics)
        return graph_metrics.assignment(s, target, value, line)
    if name in _vocab.SUMMARIES:
        module_level("summary")
        summaries.summary(s, value, name, single)
        return None
    if batch_norm.is_update_ops(s, value):
        return batch_norm.collected(s, single, node)
    if single is not None and variable_names.is_collection(s, value) and variable_names.every_filtered(s, single, value):
        module_level("variable list")
        return None  # `t_vars = tf.trainable_variables()`, read by `[v for v in t_vars if v.name.startswith(...)]`
    if single is not None and ((variable_names.is_collection(s, value) and not variable_names.whole(s, value)) or (
            isinstance(value, cst.ListComp) and variable_names.filtered(s, value) is not None)):
        # `d_vars = tf.get_collection(TRAINABLE_VARIABLES, scope="d")`: a function listing them when
        # called (a Keras layer has its variables once it has been called)
        module_level("variable list")
        return [tensors.tensor_function(s, single, value, line)]
    if name in ("summary.merge_all", "summary.merge"):
        module_level("summary")
        return summaries.merged(s, single, value, name, line)
    if name == "summary.FileWriter":
        module_level("summary writer")
        return summaries.file_writer(s, node, value, single)
    if name == "train.Saver":
        module_level("saver")
        return [checkpoints.saver(s, single, value, node)]
    if name in ("train.Checkpoint", "train.CheckpointManager") and single is not None:
        b.rebind(single)  # TensorFlow 2's own (what a fix wrote, read again): an object of the variables
        return [node]
    if name in _vocab.OPTIMIZERS:
        module_level("optimizer")
        return training.optimizer(s, node, name, value, single)
    if _vocab.rnn_cell_name(name) == "LSTMStateTuple":
        return rnn.state_tuple(s, node, single, value, line, in_loop)
    if _vocab.rnn_cell_name(name) or rnn.is_cell_list(s, value):
        return rnn.cell(s, node, single, value, in_loop)
    if rnn.is_zero_state(s, value):
        return rnn.zero_state(s, node, single, value, in_loop)
    if name in _vocab.RNN_FUNCTIONS:
        return rnn.run(s, node, target, value, _vocab.RNN_FUNCTIONS[name], line, in_loop)
    for method, what, handler in _TRAINING:
        if training.is_minimize(s, value, method):
            module_level(what)
            return handler(s, single, value, line)
    if testcases.is_evaluate(s, value):
        return fetches.run_statement(s, value, targets=target, fetched=testcases.evaluated(value))
    if queries.is_method_call(value, ("run",)):
        receiver = value.func.value
        if isinstance(receiver, cst.Name) and b.is_(receiver.value, B.SESSION):
            return fetches.run_statement(s, value, targets=target)
        if is_op(s, receiver):
            return fetches.run_statement(s, value, targets=target, fetched=receiver, feed=feeds.feed_arg(value, 0))
    return _values(s, node, line, in_loop, name, target, single, graph_refs)


_TRAINING = (
    ("minimize", "train op", training.train_step),
    ("compute_gradients", "gradient list", training.compute_gradients),
    ("apply_gradients", "train op", training.apply_gradients),
)


def _run_subscript(s: Rewrite, node: cst.Assign) -> cst.Assign:
    """``a, b = sess.run([x, y, train], feed)[:2]`` (or ``c = sess.run([cost, train], feed)[0]``):
    every fetch runs, the ones left out are bound to ``_``."""
    value, target = node.value, node.targets[0].target
    if not (isinstance(value, cst.Subscript) and len(value.slice) == 1 and queries.is_method_call(value.value, ("run",))
            and isinstance(value.value.func.value, cst.Name) and s.b.is_(value.value.func.value.value, B.SESSION)):
        return node
    fetched = _tf.argument(value.value, 0, "fetches")
    if fetched is None or not isinstance(fetched.value, cst.List) or any(
            isinstance(e, cst.StarredElement) for e in fetched.value.elements):
        return node
    count = len(fetched.value.elements)
    chosen = _chosen(value.slice[0].slice, count)
    if chosen is None:
        return node
    if isinstance(chosen, int):
        if not isinstance(target, cst.Name):
            return node
        names = [target if i == chosen else cst.Name("_") for i in range(count)]
    else:
        if not isinstance(target, (cst.Tuple, cst.List)) or len(target.elements) != len(chosen) or any(
                isinstance(e, cst.StarredElement) for e in target.elements):
            return node
        given = dict(zip(chosen, (e.value for e in target.elements)))
        names = [given.get(i, cst.Name("_")) for i in range(count)]
    unpacked = cst.Tuple([cst.Element(n) for n in names], lpar=[], rpar=[])
    return node.with_changes(targets=[node.targets[0].with_changes(target=unpacked)], value=value.value)


def _chosen(index, count: int):
    """A literal index (an int) or slice (the list of indices it takes) of a ``count``-element list, or None."""
    def literal(node) -> Optional[int]:
        if node is None:
            return None
        if isinstance(node, cst.Integer):
            return int(node.value)
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus) and isinstance(
                node.expression, cst.Integer):
            return -int(node.expression.value)
        raise ValueError
    try:
        if isinstance(index, cst.Index):
            at = literal(index.value)
            return at % count if at is not None and -count <= at < count else None
        if isinstance(index, cst.Slice):
            return list(range(count))[slice(literal(index.lower), literal(index.upper), literal(index.step))]
    except ValueError:
        return None
    return None


def _values(s: Rewrite, node: cst.Assign, line, in_loop, name, target, single, graph_refs):
    """Assignments of variables, graph tensors and plain values."""
    value = node.value
    b = s.b

    def variable(kind: str, rewrite) -> list:
        s.need_module_level(node, single, in_loop, "variable")
        if kind == B.VARIABLE:
            variable_names.made_variable(s, value, name, single)
        else:
            variable_names.made_container(s, value, single)
        b.rebind(single)
        b.bind(single, kind, value)
        return [node.with_changes(value=rewrite(s, value))]

    if name in _vocab.VARIABLES or (name is not None and name.endswith("Variable")):
        return variable(B.VARIABLE, _graph_value)
    if name in global_steps.MAKERS and id(value) in s.p.global_steps:
        value, name = s.expr(global_steps.variable(s.tf)), "Variable"  # the variable TF1 made (read by `variable`)
        return variable(B.VARIABLE, lambda s, made: made)
    if name == "get_variable":
        return variable(B.VARIABLE, tensors.get_variable)
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in s.p.factories:
        if single is not None:
            b.rebind(single)
            b.bind(single, B.VARIABLE)
            return [node.with_changes(value=fetches.rewrite(s, value))]
    if single is not None and tensors.holds_variables(s, value):
        # `weights = {'h1': tf.Variable(...), ...}`: variables, looked up at each use.
        return variable(B.CONTAINER, _graph_value)
    if single is not None and isinstance(value, cst.Dict) and feeds.is_feed_dict(s, value):
        b.rebind(single)
        b.bind(single, B.FEED, value)
        return None
    if single is not None and tensors.is_random(s, value) and not s.has_fetch(value):
        if s.graph_seed or tensors.seeded(s, value):
            raise Unsupported(value, "a seeded random op run in sessions (TF1 gives each op its own sequence "
                                     "and starts it again in each session; eager ops draw differently)")
        # A random op draws anew at every run in TF1: a function, called at each use.
        s.need_module_level(node, single, in_loop, "tensor")
        return [tensors.tensor_function(s, single, value, line)]
    if not graph_refs and s.p.models and instances.calls_model(s, value):
        graph_refs = {"model"}  # a model's output changes as its variables do: a tensor
    if graph_refs and not s.has_fetch(value) and single is None:
        return instances.built(s, tensors.unpacked(s, node, target, value, line, in_loop))
    if graph_refs and not s.has_fetch(value) and in_loop and run_once.run_next(s, single, value):
        b.rebind(single)  # `updater = tf.assign(spike, True)` then `updater.eval()` in one pass: computed there
        b.bind(single, B.EAGER, name)
        return [node.with_changes(value=tensors.graph_expr(s, value)[0])]
    if graph_refs and not s.has_fetch(value):
        s.need_module_level(node, single, in_loop, "tensor")
        summarized = module_summaries.site(s, value, single)  # `l1 = add_layer(...)`, which makes summaries
        outs = instances.built(s, [tensors.tensor_function(s, single, value, line), *_averages_made(s, value)])
        if summarized:
            module_summaries.made(s, value, single)
        return outs
    new_value = fetches.rewrite(s, value)
    for bound in _unpacked(target) if single is None else (single,):
        b.rebind(bound)  # `X, Y = data.T[0], data.T[1]`: plain values now, whatever they were
    if single is not None and (name is not None or _eager_arithmetic(s, value)):
        # (the TensorFlow function that made it, if one did; NEST: tensors in a structure)
        b.bind(single, B.EAGER, B.NEST if structures.structured(s, value) else name)
    elif single is None and name is not None and not name.startswith("keras.") and not s.has_fetch(value):
        for bound in _unpacked(target):  # `mean, variance = tf.nn.moments(x, [0])` of eager values
            b.bind(bound, B.EAGER)
    return [node.with_changes(value=new_value)]


def _averages_made(s: Rewrite, value) -> List[Out]:
    """``ema_op = ema.apply([w])`` of a ``tf.train.ExponentialMovingAverage``: TF1 made the averages with
    the graph, from the variables' initial values; an eager ``apply`` makes them at its first call, from the
    values then. Applied once here, where the variables still hold their initial values (an average of a
    variable and itself is the variable), the averages start where TF1's did."""
    receiver = value.func.value if queries.is_method_call(value, ("apply",)) else None
    if not isinstance(receiver, cst.Name) or s.b.get(receiver.value, B.EAGER) != "train.ExponentialMovingAverage":
        return []
    if s.runs_changed_variables:
        raise Unsupported(value, "moving averages made after runs changed the variables (TF1 started them from "
                                 "the initial values)")
    code = s.code(tensors.graph_expr(s, value)[0])
    made = s.stmt(f"{code}\n").with_changes(leading_lines=[
        cst.EmptyLine(comment=cst.Comment("# the moving averages, made from the initial values as TF1 made them"))])
    return [Out(made)]


def _eager_arithmetic(s: Rewrite, value) -> bool:
    """``y = -tf.multiply(2.0, x) - 1.0`` of eager values: arithmetic on TensorFlow calls and eager
    tensors (a tensor too, computed once), numbers aside."""
    def leaves(node) -> Optional[List[bool]]:  # per leaf: is it a tensor (None: not such arithmetic)
        if isinstance(node, cst.BinaryOperation):
            left, right = leaves(node.left), leaves(node.right)
            return None if left is None or right is None else left + right
        if isinstance(node, cst.UnaryOperation) and not isinstance(node.operator, cst.Not):
            return leaves(node.expression)
        if isinstance(node, (cst.Integer, cst.Float)):
            return [False]
        if isinstance(node, cst.Name) and s.b.is_(node.value, B.EAGER):
            return [True]
        return [True] if s.call_name(node) is not None else None

    found = leaves(value) if isinstance(value, (cst.BinaryOperation, cst.UnaryOperation)) else None
    return bool(found) and any(found)


def _unpacked(target) -> List[str]:
    """The names a tuple or list target binds (``a, (b, *c)``; not the names read by a subscript in it)."""
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, cst.StarredElement):
        return _unpacked(target.value)
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for e in target.elements for n in _unpacked(e.value if isinstance(e, cst.Element) else e)]
    return []


def _graph_value(s: Rewrite, value):
    """A variable's initial value, computed once, where it is made."""
    if queries.holds(value, cst.Call, lambda c: queries.is_method_call(c, ("initialized_value",))):
        value = value.visit(_InitializedValues(s))
    return tensors.graph_expr(s, value)[0]


class _InitializedValues(cst.CSTTransformer):
    """``w.initialized_value()`` (an eager variable has none): ``w``, which holds it until a run changes it."""

    def __init__(self, s: Rewrite) -> None:
        self.s = s

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if not (queries.is_method_call(original, ("initialized_value",)) and not original.args):
            return updated
        receiver = queries.receiver_name(original)
        if receiver is None or not self.s.b.is_(receiver, B.VARIABLE):
            return updated
        if self.s.runs_changed_variables:
            raise Unsupported(original, f"{receiver}.initialized_value() after runs changed {receiver}")
        return updated.func.value


def plain(s: Rewrite, node):
    """A statement that builds no graph: rewrite the fetches in it."""
    if not s.mentions_graph(node, modules=False):
        s.keep(node)
        return node  # plain Python: nothing to rewrite, and a transform of it would cost time
    return fetches.rewrite(s, node)
