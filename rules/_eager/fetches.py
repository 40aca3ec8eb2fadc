"""Fetches and runs: ``sess.run(fetches, feed_dict=...)`` as eager calls.

``sess.run(cost, feed_dict={X: x})`` becomes ``cost(x).numpy()``; a variable's value ``w.numpy()``; a run
with a train op, ``_, c = sess.run([train, cost], ...)``, becomes ``c = train(...).numpy()``, the other values
fetched with it read before the update and the variables after it, as TF1 did."""
from __future__ import annotations

from typing import Dict, List, Optional

import libcst as cst

from .. import _tf, _vocab
from . import bindings as B
from . import (checkpoints, feeds, noise, passed, pipelines, queries, sessions, structures, summaries, tensors,
               testcases, variable_names)
from .state import Rewrite, Unsupported


def fetch(s: Rewrite, node: cst.BaseExpression, values: Dict[str, cst.BaseExpression]) -> str:
    """Code computing what ``sess.run(node, feed_dict=values)`` returned."""
    if isinstance(node, (cst.List, cst.Tuple)) and testcases.unseen_values(s, node):
        return testcases.evaluate(s, node, values)  # `self.evaluate((a, b))`: one call
    if isinstance(node, (cst.List, cst.Tuple)):
        items = [fetch(s, e.value, values) for e in node.elements]
        if isinstance(node, cst.Tuple):
            return f"({', '.join(items)}{',' if len(items) == 1 else ''})"
        return f"[{', '.join(items)}]"
    if isinstance(node, cst.Dict):
        items = []
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                raise Unsupported(node, "a fetch dict with ** unpacking")
            items.append(f"{s.code(element.key)}: {fetch(s, element.value, values)}")
        return "{" + ", ".join(items) + "}"
    if isinstance(node, cst.Name):
        return _fetch_name(s, node, values)
    if not s.mentions_graph(node):
        if s.test_self is not None:
            return testcases.evaluate(s, node, values)  # a value of code the rewrite does not see
        if passed.op_function_call(s, node):
            return f"{s.code(node)}.numpy()"
        raise Unsupported(node, f"{s.code(node)} is fetched but is not a tensor of this program")
    new, params = tensors.graph_expr(s, node)
    new = new.visit(_Substitute(s, feeds.values_for(s, params, values, node)))
    code = s.code(new)
    if structures.structured(s, node) or queries.makes_namedtuple(s.module, node) or isinstance(
            node, cst.ListComp) or variable_names.is_collection(s, node):
        # `sess.run(tf.nn.top_k(x, 2))`: values and indices; `sess.run(Pair(s, p))`: a Pair of values;
        # `sess.run([tf.norm(g) for g in grads])`, `sess.run(tf.trainable_variables())`: a list of values
        return f"{s.tf}.nest.map_structure(lambda value: value.numpy(), {code})"
    if not isinstance(new, (cst.Name, cst.Call, cst.Attribute, cst.Subscript)) and not getattr(new, "lpar", ()):
        code = f"({code})"  # `.numpy()` binds tighter than the operators in it
    return f"{code}.numpy()"


def _fetch_name(s: Rewrite, node: cst.Name, values) -> str:
    name = node.value
    kind = s.b.kind(name)
    if kind == B.CONTAINER:
        raise Unsupported(node, f"fetching {name}, a container of variables, as a whole")
    if kind == B.EAGER and s.b.get(name, B.EAGER) == B.NEST:  # tensors in a structure (structures.structured)
        return f"{s.tf}.nest.map_structure(lambda value: value.numpy(), {name})"
    if kind in (B.VARIABLE, B.EAGER):
        return f"{name}.numpy()"
    if kind == B.TENSOR:
        tensor = s.b.get(name, B.TENSOR)
        call = feeds.call_with_feeds(s, tensor.func, tensor.params, values, node)
        if tensor.kind == "summary":
            return call
        if tensor.kind == "list":
            return f"[value.numpy() for value in {call}]"
        if tensor.kind == "pairs":
            # The loop's names are the comprehension's own: the call is evaluated outside it.
            return f"[(grad.numpy(), var.numpy()) for grad, var in {call}]"
        if tensor.kind == "op":
            return f"{call} and None"
        if tensor.kind == "nest":  # an RNN's outputs and state: tensors in tuples
            return f"{s.tf}.nest.map_structure(lambda value: value.numpy(), {call})"
        return f"{call}.numpy()"
    if kind == B.TRAIN_OP:
        raise Unsupported(node, "a train op fetched where its value is used")
    if kind == B.PLACEHOLDER and s.b.specs[name].source is not None and name in values:
        return pipelines.value_of(s, name, values[name])  # an element read from an iterator
    if kind == B.PLACEHOLDER:
        return s.code(values[name]) if name in values else feeds.unfed(node, name)
    if testcases.reads_unseen(s, name):
        return testcases.evaluate(s, node, values)
    raise Unsupported(node, f"{name} is fetched but is not a tensor of this program")


def is_init(s: Rewrite, node) -> bool:
    if isinstance(node, cst.Attribute) and node.attr.value == "initializer":
        return isinstance(node.value, cst.Name) and s.b.is_variable(node.value.value)  # `W.initializer`
    if isinstance(node, cst.Name):
        return s.b.is_(node.value, B.INIT)
    if s.call_name(node) == "group" and node.args:  # tf.group(global and local initializers)
        return all(a.keyword is None and not a.star and is_init(s, a.value) for a in node.args)
    return s.call_name(node) in _vocab.INITIALIZERS


def run_statement(s: Rewrite, call: cst.Call, targets, fetched=None, feed=None):
    """``[targets =] sess.run(fetches, feed_dict)`` as eager statements (None: nothing left)."""
    if fetched is None:
        fetch_arg = _tf.argument(call, 0, "fetches")
        if fetch_arg is None:
            raise Unsupported(call, "session.run() without fetches")
        fetched = fetch_arg.value
        feed = feeds.feed_arg(call, 1)
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value not in ("fetches", "feed_dict", "session", "tensors"):
            raise Unsupported(call, f"run({arg.keyword.value}=...)")
    values = feeds.feed_values(s, feed)
    if s.input_pipeline is not None:  # iterators: initializers start them, runs read them first
        reads, values, done = pipelines.before_run(s, call, fetched, values, targets)
        if done or reads:
            rest = () if done else _run(s, call, fetched, values, targets)
            return [*reads, *(rest or ())]
    return _run(s, call, fetched, values, targets)


def _run(s: Rewrite, call, fetched, values, targets):
    """The run's statements; then the names it assigns mean their new values (``w, b = sess.run([w, b])``: first)."""
    bound = queries.names_in(targets) if targets is not None else set()
    # `w, b = sess.run([w, b])`: the run reads the tensors first, then the names mean the values
    own = sorted(n for n in bound & queries.names_in(fetched) if s.b.kind(n) is not None)
    if own and sessions.runs_after(s, call):
        # the rewrite's functions read their tensors and variables by name when they run
        raise Unsupported(call, f"{own[0]} is fetched into its own name, and the program runs its graph again after")
    summaries.fetched(s, targets, fetched)
    for name in bound - set(own):
        s.b.rebind(name)
    try:
        return _fetched(s, call, fetched, values, targets)
    finally:
        for name in own:
            s.b.rebind(name)


def _fetched(s: Rewrite, call, fetched, values, targets):
    elements = queries.elements(fetched)
    trains = [e for e in elements if isinstance(e, cst.Name) and s.b.is_(e.value, B.TRAIN_OP)]
    inits = [e for e in elements if is_init(s, e)]
    if inits:
        if len(inits) == len(elements) and targets is None:
            sessions.initialise(s, call)
            return None
        raise Unsupported(call, "an initializer fetched together with other tensors")
    sessions.note_runs(s, fetched)
    _computed_from_an_update(s, call, elements)
    if trains:
        return run_train(s, call, fetched, elements, trains, targets, values)
    if len(elements) > 1:
        tensors.random_draws(s, fetched)  # `sess.run([x, x + y])`: one draw of x for both in TF1
        noise.check_apart(s, call, values, elements)
    if targets is not None and len(elements) > 1 and any(_update(s, e, ops=True) for e in elements):
        return run_assign(s, call, fetched, elements, targets, values)
    if targets is None:
        return discarded(s, elements, values)
    if isinstance(targets, (cst.Tuple, cst.List)) and isinstance(fetched, (cst.List, cst.Tuple)) and len(
            targets.elements) == len(fetched.elements) and len(fetched.elements) > 1 and not (
            testcases.unseen_values(s, fetched)):
        code = ", ".join(fetch(s, e.value, values) for e in fetched.elements)  # unpacked at once
    else:
        code = fetch(s, fetched, values)
    return [cst.Assign([cst.AssignTarget(targets)], s.expr(code))]


def _computed_from_an_update(s: Rewrite, call, elements) -> None:
    """``sess.run([inc, inc * 2])`` with ``inc = tf.assign_add(v, 1)``: TF1 ran the assign once for both; the
    function of the second calls the first's, which would assign again."""
    names = [e.value for e in elements if isinstance(e, cst.Name)]
    for name in names:
        tensor = s.b.get(name, B.TENSOR)
        if tensor is not None and (tensor.update is not None or tensor.kind == "op"):
            readers = s.readers(tensor.func) & set(names) - {name}
            if readers:
                raise Unsupported(call, f"{sorted(readers)[0]} is computed from assign op {name}, fetched in the same "
                                        "run (TF1 assigned once; the rewrite's functions would assign again)")


def _update(s: Rewrite, element, ops: bool = False):
    """The assign ``element`` names; with ``ops``, True for a group of updates (``tf.group(a.assign(...))``)."""
    tensor = s.b.get(element.value, B.TENSOR) if isinstance(element, cst.Name) else None
    return tensor and (tensor.update or (True if ops and tensor.kind == "op" else None))


def discarded(s: Rewrite, elements, values) -> List[cst.BaseSmallStatement]:
    """A run whose result is thrown away: only what it changes matters."""
    assigns = [e for e in elements if _update(s, e) is not None]
    if len(assigns) > 1:
        if len(assigns) != len(elements):
            raise Unsupported(elements[0], "assign ops run together with other ops")
        return run_updates(s, [_update(s, e) for e in assigns], values)
    out = []
    for element in elements:
        tensor = s.b.get(element.value, B.TENSOR) if isinstance(element, cst.Name) else None
        if tensor is not None:
            out.append(cst.Expr(s.expr(feeds.call_with_feeds(s, tensor.func, tensor.params, values, element))))
        elif isinstance(element, cst.Name) and s.b.is_(element.value, B.VARIABLE, B.CONTAINER, B.EAGER):
            continue
        else:
            out.append(cst.Expr(s.expr(fetch(s, element, values))))
            testcases.discarded(s, element)
    return out


def run_updates(s: Rewrite, updates, values) -> List[cst.BaseSmallStatement]:
    """``sess.run([update_W, update_b])``: every new value first, then the assigns, as TF1 did."""
    computed, applied = [], []
    for var, method, new in updates:
        expr, params = tensors.graph_expr(s, new)
        computed.append(s.code(expr.visit(_Substitute(s, feeds.values_for(s, params, values, new)))))
        applied.append((var, method))
    new_names = [s.fresh(f"new_{var}") for var, _ in applied]
    computed = [f"{code}.read_value()" if isinstance(new, cst.Name) and s.b.is_variable(new.value) else code
                for code, (_, _, new) in zip(computed, updates)]  # a variable's value now, not after the assigns
    out: List[cst.BaseSmallStatement] = [
        cst.Assign([cst.AssignTarget(s.expr(", ".join(new_names)))], s.expr(", ".join(computed)))]
    for (var, method), new in zip(applied, new_names):
        out.append(cst.Expr(s.expr(f"{var}.{method}({new})")))
    return out


def run_assign(s: Rewrite, call, fetched, elements, targets, values) -> List[cst.BaseSmallStatement]:
    """``_, c, w = sess.run([update, cost, W])`` with ``update = W.assign(...)``: TF1 computed
    ``cost`` from the value W had before the run and handed back W as the run left it."""
    if sum(bool(_update(s, e, ops=True)) for e in elements) > 1:
        raise Unsupported(call, "assign ops run together with other tensors")
    if not (isinstance(fetched, (cst.List, cst.Tuple)) and isinstance(targets, (cst.Tuple, cst.List))
            and len(targets.elements) == len(elements)
            and not any(isinstance(e, cst.StarredElement) for e in targets.elements)):
        raise Unsupported(call, "the result of a run with an assign op is not unpacked name by name")
    before: List[cst.BaseSmallStatement] = []
    applied: List[cst.BaseSmallStatement] = []
    after: List[cst.BaseSmallStatement] = []
    for element, target in zip(elements, (e.value for e in targets.elements)):
        assign = bool(_update(s, element, ops=True))  # the others read the variables before the run's updates
        if assign:
            group = applied
        elif isinstance(element, cst.Name) and s.b.is_variable(element.value):
            group = after  # a variable as the run leaves it: assigned
        else:
            group = before
        if not queries.is_underscore(target):
            group.append(cst.Assign([cst.AssignTarget(target)], s.expr(fetch(s, element, values))))
        elif assign:
            tensor = s.b.get(element.value, B.TENSOR)
            group.append(cst.Expr(s.expr(feeds.call_with_feeds(s, tensor.func, tensor.params, values, element))))
    return before + applied + after


def run_train(s: Rewrite, call, fetched, elements, trains, targets, values):
    """Fetches run with a train op: the others are read before the update, as in TF1."""
    if targets is None:
        target_list: List[Optional[cst.BaseExpression]] = [None] * len(elements)
    elif not isinstance(fetched, (cst.List, cst.Tuple)):
        target_list = [targets]
    elif isinstance(targets, (cst.Tuple, cst.List)) and len(targets.elements) == len(elements) and not any(
            isinstance(e, cst.StarredElement) for e in targets.elements):
        target_list = [e.value for e in targets.elements]
    else:
        raise Unsupported(call, "the result of a run with a train op is not unpacked name by name")
    ops = {id(e): s.b.get(e.value, B.TRAIN_OP) for e in elements if isinstance(e, cst.Name)}
    structures.refuse_held_variables(s, [e for e in elements if ops.get(id(e)) is None])
    losses = {ops[id(t)].loss for t in trains}
    noise.check_train_run(s, call, values, zip(elements, target_list), ops, losses)
    before, after, variables_after = [], [], []
    for element, target in zip(elements, target_list):
        if ops.get(id(element)) is not None or (isinstance(element, cst.Name) and element.value in losses):
            continue
        if target is None or queries.is_underscore(target):
            continue
        tensor = s.b.get(element.value, B.TENSOR) if isinstance(element, cst.Name) else None
        if tensor is not None and tensor.kind == "pairs":  # compute_gradients: as TF1, the gradients before
            pairs = s.fresh(f"{element.value}_pairs")  # the update, the variables as the run leaves them
            call_code = feeds.call_with_feeds(s, tensor.func, tensor.params, values, element)
            before.append(cst.Assign([cst.AssignTarget(cst.Name(pairs))], s.expr(call_code)))
            variables_after.append(cst.Assign([cst.AssignTarget(target)], s.expr(
                f"[(grad.numpy(), var.numpy()) for grad, var in {pairs}]")))
            continue
        read = cst.Assign([cst.AssignTarget(target)], s.expr(fetch(s, element, values)))
        if isinstance(element, cst.Name) and s.b.is_variable(element.value):
            variables_after.append(read)  # TF1 hands back a variable as the run leaves it: updated
        else:
            before.append(read)
    for element, target in zip(elements, target_list):
        op = ops.get(id(element))
        if op is None:
            continue
        call_code = feeds.call_with_feeds(s, op.name, op.params, values, element, train=True)
        loss_target = None
        for other, other_target in zip(elements, target_list):
            if isinstance(other, cst.Name) and other.value == op.loss and other_target is not None:
                loss_target = other_target
        if loss_target is not None and not queries.is_underscore(loss_target):
            after.append(cst.Assign([cst.AssignTarget(loss_target)], s.expr(f"{call_code}.numpy()")))
        else:
            after.append(cst.Expr(s.expr(call_code)))
        if target is not None and not queries.is_underscore(target):
            after.append(cst.Assign([cst.AssignTarget(target)], cst.Name("None")))
    return feeds.computed_together(before + after, values) + variables_after


def rewrite(s: Rewrite, node: cst.BaseExpression) -> cst.BaseExpression:
    """``node`` with every sess.run / .eval() inside it computed eagerly."""
    return node.visit(_FetchRewriter(s))


class _Substitute(tensors.SkipNames):
    """Placeholders in a fetched expression replaced by the values fed."""

    def __init__(self, s: Rewrite, values: Dict[str, cst.BaseExpression]) -> None:
        super().__init__()
        self.values = values
        self.s = s

    def leave_Call(self, original: cst.Call, updated: cst.Call):
        # A function with an input signature casts what it is given: pass fed values as they are.
        b = self.s.b
        funcs = {t.func for _, t in b.items(B.TENSOR)} | {t.name for _, t in b.items(B.TRAIN_OP)}
        if isinstance(original.func, cst.Name) and original.func.value in funcs:
            args = [
                new.with_changes(value=self.values[old.value.value])
                if isinstance(old.value, cst.Name) and old.value.value in self.values else new
                for old, new in zip(original.args, updated.args)
            ]
            return updated.with_changes(args=args)
        return updated

    def leave_Name(self, original: cst.Name, updated: cst.Name):
        if original.value in self.values:
            p = self.s.b.specs[original.value]
            if p.source is not None:  # an element read from an iterator: a tensor already
                return self.values[original.value]
            return self.s.expr(f"{self.s.tf}.constant({self.s.code(self.values[original.value])}, {self.s.code(p.dtype)})")
        return updated


class _FetchRewriter(tensors.SkipNames):
    """Plain code: sess.run()/x.eval()/op.run() become eager calls."""

    def __init__(self, s: Rewrite) -> None:
        super().__init__()
        self.s = s
        self.printed: set = set()  # names passed to print(...) themselves

    def leave_Call(self, original: cst.Call, updated: cst.Call):
        static = feeds.static_read(self.s, original)
        if static is not None:
            return static
        s = self.s
        func = original.func
        if not isinstance(func, cst.Attribute):
            return updated
        name = s.call_name(original)
        if name == "div":
            return tensors.python2_division(s, original, updated)
        if name == "train.checkpoint_exists" and len(updated.args) == 1 and not updated.args[0].keyword:
            return checkpoints.checkpoint_exists(s, updated.args[0].value)
        if self.reads_global_step(original):  # TF1: int(sess.run(step))
            return s.expr(f"int({fetch(s, _tf.argument(original, 1, 'global_step_tensor').value, {})})")
        saved = checkpoints.saver_call(s, original)
        if saved is not None:
            return saved
        method, receiver = func.attr.value, func.value
        if testcases.is_evaluate(s, original):
            fetched = testcases.evaluated(original)
            self.inline_run(original, fetched)
            return s.expr(fetch(s, fetched, {}))
        if testcases.evaluates_unseen_eval(s, original):
            sessions.note_runs(s, receiver)
            return s.expr(fetch(s, receiver, {}))
        if self.evaluates_expression(original):
            sessions.note_runs(s, receiver)  # (a read after variables were initialised again, too)
            return s.expr(fetch(s, receiver, feeds.feed_values(s, feeds.feed_arg(original, 0))))
        receiver_name = receiver.value if isinstance(receiver, cst.Name) else None
        if method == "run" and s.b.is_(receiver_name, B.SESSION):
            fetched = _tf.argument(original, 0, "fetches")
            if fetched is None:
                raise Unsupported(original, "session.run() without fetches")
            self.inline_run(original, fetched.value)
            values = feeds.feed_values(s, feeds.feed_arg(original, 1))
            if s.input_pipeline is not None:
                values = pipelines.read_inline(s, fetched.value, values, original)
            return s.expr(fetch(s, fetched.value, values))
        if method == "eval" and s.b.is_(receiver_name, B.TENSOR, B.VARIABLE, B.CONTAINER, B.EAGER):
            sessions.note_runs(s, receiver)
            return s.expr(fetch(s, receiver, feeds.feed_values(s, feeds.feed_arg(original, 0))))
        if method == "run" and s.b.is_(receiver_name, B.TRAIN_OP):
            raise Unsupported(original, "a train op run inside an expression")
        return updated

    def inline_run(self, call: cst.Call, fetched: cst.BaseExpression) -> None:
        """A run in an expression (``print(sess.run(cost))``, ``self.evaluate(t)``): no train op; its changes noted."""
        s = self.s
        elements = queries.elements(fetched)
        if any(isinstance(e, cst.Name) and s.b.is_(e.value, B.TRAIN_OP) for e in elements):
            raise Unsupported(call, "a train op run inside an expression")
        updates = [e for e in elements if _update(s, e, ops=True)]
        if updates and len(elements) > 1:
            raise Unsupported(call, "assign ops run with other values inside an expression (TF1 computed the "
                                    "others from the values the run started with, and handed back the assigned "
                                    "values)")
        sessions.note_runs(s, fetched)
        tensors.random_draws(s, fetched)

    def leave_Name(self, original: cst.Name, updated: cst.Name):
        s = self.s
        value = original.value
        kind = s.b.kind(value)
        if kind == B.SESSION:
            raise Unsupported(original, f"session {value} is used for more than run() (passed on or stored)")
        if kind == B.GRAPH:
            raise Unsupported(original, f"graph {value} is used for more than `with {value}.as_default():`")
        if kind == B.PLACEHOLDER and id(original) in self.printed and value in s.b.specs:
            # `print(X)` showed the placeholder's description; its TF2 counterpart is its TensorSpec.
            return s.expr(feeds.spec(s, value))
        if kind == B.PLACEHOLDER:
            raise Unsupported(original, f"placeholder {value} is used outside a feed (in Python code or a loop body)")
        if kind == B.INIT:
            raise Unsupported(original, f"initializer {value} is used for more than running it")
        if kind in (B.CELL, B.ZERO_STATE, B.CELL_FACTORY):
            raise Unsupported(original, f"{value} (an RNN cell or its zero state) is used outside an RNN function")
        if kind == B.TENSOR and id(original) in self.printed:
            # `print(t)` showed a symbolic tensor in TF1; now it shows the function (not `print(len(t))`,
            # `print(t.shape)`: a function has neither)
            return updated
        if kind == B.TENSOR and id(original) in s.passed_tensors:
            return updated  # `plot_conv_layer(layer=h_conv1, ...)`: the function runs it (passed.py)
        if kind == B.TENSOR and variable_names.is_listing(s, original, s.b.get(value, B.TENSOR)):
            return s.expr(f"{s.b.get(value, B.TENSOR).func}()")  # `len(g_vars)`: the variables it lists now
        if kind in (B.TENSOR, B.TRAIN_OP):
            raise Unsupported(original, f"graph tensor {value} is used outside a session run")
        return updated

    def leave_Attribute(self, original, updated):
        return feeds.static_read(self.s, original) or super().leave_Attribute(original, updated)

    def visit_Call(self, node: cst.Call) -> bool:
        if feeds.static_target(self.s, node) is not None:
            return False  # `x.get_shape()`: leave_Call writes its spec's shape
        if isinstance(node.func, cst.Name) and node.func.value == "print":
            self.printed = self.printed | {id(a.value) for a in node.args if isinstance(a.value, cst.Name)}
        # A run/eval call is rewritten whole in leave_Call: its parts are not plain code.
        return not self.is_fetch_call(node)

    def evaluates_expression(self, node: cst.Call) -> bool:
        """``tf.matmul(a, b).eval()``: an expression of TensorFlow ops evaluated in the default session."""
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "eval" or isinstance(func.value, cst.Name):
            return False
        for index, arg in enumerate(node.args):  # eval(feed_dict=None, session=None), feed_dict first
            if (arg.keyword is None and index > 0) or (
                    arg.keyword is not None and arg.keyword.value not in ("feed_dict", "session")):
                return False
        return self.s.mentions_graph(func.value)

    def reads_global_step(self, node: cst.Call) -> bool:
        """``tf.train.global_step(sess, step)``: the value of a step variable or tensor, as an int."""
        if self.s.call_name(node) != "train.global_step" or len(node.args) != 2 or any(a.star for a in node.args):
            return False
        session, step = _tf.argument(node, 0, "sess"), _tf.argument(node, 1, "global_step_tensor")
        return (session is not None and step is not None and isinstance(session.value, cst.Name)
                and self.s.b.is_(session.value.value, B.SESSION) and isinstance(step.value, cst.Name)
                and self.s.b.is_(step.value.value, B.VARIABLE, B.TENSOR))

    def is_fetch_call(self, node: cst.Call) -> bool:
        if self.evaluates_expression(node) or testcases.is_evaluate(self.s, node) or (
                testcases.evaluates_unseen_eval(self.s, node)) or self.reads_global_step(node):
            return True
        receiver = queries.receiver_name(node)
        if receiver is None:
            return False
        method, b = node.func.attr.value, self.s.b
        if method in ("save", "restore") and b.is_(receiver, B.SAVER):
            return True
        if method == "run":
            return b.is_(receiver, B.SESSION, B.TRAIN_OP)
        return method == "eval" and b.is_(receiver, B.TENSOR, B.VARIABLE, B.CONTAINER, B.EAGER)

    def leave_Arg(self, original, updated):
        if original.keyword is not None and original.keyword.value == "feed_dict":
            raise Unsupported(original, "a feed_dict passed to something that is not a known session")
        return super().leave_Arg(original, updated)


STATIC_CHECK = ("an assert on graph tensors' static shapes or dtypes goes: TF1 checked it once, while building the "
                "graph (it held, or the program stopped there), and the rewrite's functions compute the same shapes")
STATIC = ("shape", "get_shape", "dtype")


def static_check(s: Rewrite, node: cst.Assert) -> bool:
    """``assert hypothesis.shape.as_list() == Y.shape.as_list()``: an assert that reads graph tensors and
    placeholders only through their static shape or dtype, and nothing else but literals and ``tf``."""
    names = queries.find(node.test, cst.Name, values=True)
    graph = [n for n in names if s.b.is_(n.value, B.TENSOR, B.PLACEHOLDER, B.VARIABLE)]
    if not graph or any(n.value not in (s.tf, "None", "True", "False", "len") for n in names if n not in graph):
        return False  # it checks something else too
    attributes = {id(a.value): a.attr.value for a in queries.find(node.test, cst.Attribute)}
    return all(attributes.get(id(n)) in STATIC for n in graph)
