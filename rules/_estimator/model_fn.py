"""A custom ``model_fn(features, labels, mode, params)`` as a ``tf.keras.Model`` subclass.

TF1 called the model_fn once per mode to build that mode's graph; what it built
(layers, variables, metrics, the optimizer) existed once. In the class they are
built once, in ``__init__``, and the model_fn's code becomes a method of the same
name that uses them: ``tf.layers.dense(x, 1)`` -> ``self.dense(x)``,
``tf.get_variable("w", ...)`` -> ``self.w``, ``tf.metrics.X(labels, p)`` ->
``self.<key>.update_state(labels, p)``, ``tf.losses.X`` -> a Keras loss, the
optimizer -> ``compile(optimizer=...)``, global steps -> ``self.optimizer.iterations``,
``mode == tf.estimator.ModeKeys.TRAIN`` -> ``mode == "train"``. Each
``return tf.estimator.EstimatorSpec(...)`` returns what its mode needs: the
minimized loss (train), the loss (eval), the predictions (infer).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from tfmigrate.names import numbered

from .. import _tf, _vocab
from .._eager import queries, tensors
from .._eager.state import Unsupported
from . import helpers, input_layer as input_layers, keras_layers, metrics, modes, train_ops, var_scopes, vocab
from . import loops
from .loops import Loop
from .metrics import Keys, Metrics, keyed
from .program import Facts, arguments, camel, mode_string, placed


@dataclass
class Converted:
    """What a model_fn became."""

    cls: str  # the class name
    method: str  # the model_fn method's name
    has_params: bool
    init: List[str] = field(default_factory=list)  # lines of __init__ after super().__init__()
    metrics: List[Tuple[str, str]] = field(default_factory=list)  # (key, attribute)
    variables: Dict[str, str] = field(default_factory=dict)  # TF1 variable name -> expression on the model
    dict_predictions: bool = True
    optimizer: Optional[str] = None
    body: Optional[cst.IndentedBlock] = None
    notes: List[Tuple[cst.CSTNode, str]] = field(default_factory=list)
    read_params: Set[str] = field(default_factory=set)  # params keys read only by input_layer (its feature columns)
    helpers: List[cst.FunctionDef] = field(default_factory=list)  # functions the model_fn calls, as methods
    results: Dict[str, str] = field(default_factory=dict)  # a metric's attribute -> its value, if not .result()


def _base(keras: str) -> str:
    """TF1's name for layers of a Keras class (Dense -> dense)."""
    return vocab.LAYER_BASES.get(keras, keras.lower())


class _Body(cst.CSTTransformer):
    def __init__(self, f: Facts, out: Converted, func: cst.FunctionDef, params: str, local: Set[str],
                 params_value: Optional[cst.BaseExpression]) -> None:
        super().__init__()
        self.f, self.out, self.func, self.params, self.local = f, out, func, params, local
        self.params_value = params_value  # the Estimator's params= (input_layer reads feature columns from it)
        self.loops: List[Loop] = []
        self.taken: Set[str] = set()
        self.metrics = Metrics(f, out.init, self.attribute)
        self.train_ops: Dict[str, str] = {}  # local name of a train op -> the loss it minimizes
        self.optimizers: Set[str] = set()
        self.exports: Set[str] = set()  # names bound to export_outputs (tf.estimator.export.*Output)
        self.nulled = modes.spec_names(f, func)  # train_op / eval_metric_ops names: `train_op = None` goes
        self.update_ops: Set[str] = set()  # names bound to tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        self.infer: Optional[cst.BaseExpression] = None  # one EstimatorSpec for every mode: its predictions
        self.reach = modes.reaching(f, func)  # id of a statement line -> the modes that run it
        self.eval_only: Set[int] = set()  # ids of metric updates to run in "eval" only
        self.line: Optional[cst.SimpleStatementLine] = None
        self.keras: Dict[str, str] = {}  # local name of a Keras layer the model_fn makes -> its attribute
        self.keras_classes = keras_layers.keras_classes(f)
        self.helper = False  # a function the model_fn calls (helpers.py): its returns are its own
        self.helpers: Set[str] = set()  # those functions' names, methods of the model
        self.decays: Dict[str, cst.Call] = {}  # learning rates the model_fn decays: name -> tf.train.*_decay(...)
        self.steps: Set[str] = set()  # names bound to the global step
        # does the train op run the batch normalizations' updates (tf.GraphKeys.UPDATE_OPS, or optimize_loss)?
        self.updates_statistics = queries.holds(func, cst.Attribute, lambda a: f.name(a) == "GraphKeys.UPDATE_OPS") \
            or queries.holds(func, cst.Call, lambda c: f.call_name(c) == "contrib.layers.optimize_loss")
        self.loop = 0
        self.uncounted: Set[str] = set()  # kinds of layers also made in a loop: TF1's later default names unknown
        self.scopes: List[Optional[str]] = []  # the with statements open: a plain variable_scope's name, else None

    def code(self, node) -> str:
        return self.f.s.code(node)

    def attribute(self, base: str) -> str:
        base = "".join(c if c.isalnum() or c == "_" else "_" for c in base).strip("_") or "layer"
        if base in vocab.MODEL_ATTRIBUTES or base[0].isdigit():
            base = f"{base}_"
        return numbered(self.taken, base)

    def built_from(self, node, what: str) -> None:
        """A value built once in __init__ may use params and module names, not the model_fn's locals."""
        if queries.names_in(node) & self.local:
            raise Unsupported(node, f"{what} configured with a value the model_fn computes ({self.code(node)})")

    def converted(self, node) -> cst.CSTNode:
        """A value for __init__, with TF1 initializers and decays made Keras ones."""
        self.built_from(node, "a layer or variable")
        return tensors.graph_expr(self.f.s, node)[0].visit(_Initializers(self.f))

    def convert(self, node) -> str:
        return self.code(self.converted(node))

    # --- loops: a layer made in a loop is one layer per pass (not supported) ---
    def visit_For(self, node) -> None:
        self.loop += 1
        loop = Loop.of(node, self.func, self.local) if self.loop == 1 else None
        if loop is not None:
            self.loops.append(loop)
            self.local = self.local - loop.targets  # a layer's settings may read the loop's values

    def leave_For(self, original, updated):
        self.loop -= 1
        if not self.loops or self.loops[-1].node is not original:
            return updated
        done = self.loops.pop()
        self.local = self.local | done.targets
        return done.rewrite(self.f, updated)

    def visit_While(self, node) -> None:
        self.loop += 1

    def leave_While(self, original, updated):
        self.loop -= 1
        return updated

    def visit_With(self, node) -> None:
        self.scopes.append(var_scopes.opened(self.f, node))

    def leave_With(self, original, updated):
        return updated if self.scopes.pop() is None else var_scopes.unwrapped(updated)

    def scoped(self, name: str) -> str:
        """TF1's full name of a variable or layer made here: the variable scopes open, then ``name``."""
        return "/".join([*(scope for scope in self.scopes if scope is not None), name])

    def visit_FunctionDef(self, node) -> bool:
        if node is not self.func:
            raise Unsupported(node, "a function defined inside the model_fn")
        return True

    # --- names --------------------------------------------------------------
    def leave_Call(self, original, updated):
        func = original.func
        if isinstance(func, cst.Name) and func.value in self.keras:  # dense(x), dense made above
            return updated.with_changes(func=self.f.s.expr(f"self.{self.keras[func.value]}"))
        if isinstance(func, cst.Name) and func.value in self.helpers:  # dnn_model(x, mode, params)
            return helpers.method_call(self.f, updated, func.value)
        if isinstance(func, cst.Call) and (layer := keras_layers.tf1_layer(self, original, updated)) is not None:
            return layer  # tf.layers.Dense(1)(x), as tf.layers.dense(x, 1) is
        if isinstance(func, cst.Call) and keras_layers.is_keras(self, func):  # tf.keras.layers.Dense(1)(x)
            attr = keras_layers.hoist(self, func, keras_layers.base(self.code(func.func).rsplit(".", 1)[-1]))
            return updated.with_changes(func=self.f.s.expr(f"self.{attr}"))
        name = self.f.call_name(original)
        if name is None:
            return updated
        if name in vocab.LAYERS:
            return self.layer(original, updated, name)
        if name == "get_variable":
            return var_scopes.variable(self, original)
        if name in vocab.LOSSES:
            return _loss(self.f, original, updated, name)
        if name in vocab.GLOBAL_STEPS:
            return self.f.s.expr("self.optimizer.iterations")
        if name == "feature_column.input_layer":
            return self.input_layer(original)
        if name.startswith("feature_column."):
            raise Unsupported(original, f"tf.{name} inside a model_fn (its feature columns are built elsewhere)")
        if name.startswith("estimator.export."):  # export_outputs: dropped with the EstimatorSpec's argument
            return updated
        if name.startswith("estimator.") and name != "estimator.EstimatorSpec":
            raise Unsupported(original, f"tf.{name} inside a model_fn")
        return updated

    def layer(self, original: cst.Call, updated: cst.Call, name: str) -> cst.BaseExpression:
        in_loop = self.loops[-1] if self.loop == 1 and self.loops else None
        if self.loop and in_loop is None:
            raise Unsupported(original, f"tf.{name} inside a loop (one layer per pass) over values the model_fn "
                                        "computes, or nested")
        spec = vocab.LAYERS[name]
        positional = [a for a in original.args if a.keyword is None]
        inputs = _tf.argument(updated, 0, "inputs")
        if inputs is None or any(a.star for a in original.args):
            raise Unsupported(original, f"tf.{name} without inputs")
        build, at_call, given_name, computed_name = [], [], None, None
        for index, arg in enumerate(positional[1:]):
            if index >= len(spec.params) or spec.params[index] in spec.call_keywords + spec.only_none:
                raise Unsupported(original, f"tf.{name} with more positional arguments than mapped")
            value = self.convert(arg.value)
            build.append(value if index == 0 else f"{spec.params[index]}={value}")
        for arg, new in zip(original.args, updated.args):
            key = arg.keyword.value if arg.keyword is not None else None
            if key is None or key == "inputs" or key in spec.dropped:
                continue
            if key in spec.only_none:
                if self.code(arg.value) != "None":
                    raise Unsupported(arg, f"tf.{name}({key}=...) has no Keras 3 counterpart")
                continue
            if spec.keras == "BatchNormalization" and key == "momentum" and not self.updates_statistics:
                continue  # momentum=1.0 below
            if key in spec.call_keywords:  # computed at each call: as converted (mode == "train")
                at_call.append(f"{key}={self.code(new.value)}")
            elif key == "name":
                computed_name = arg.value if in_loop is not None and in_loop.named(arg.value) else None  # a pass's
                if computed_name is None and not isinstance(arg.value, cst.SimpleString):
                    raise Unsupported(arg, f"tf.{name} named by a value that is not a string literal")
                given_name = None if computed_name is not None else arg.value.evaluated_value
                build.append(f"name={self.code(arg.value)}")
            else:
                build.append(f"{key}={self.convert(arg.value)}")
        if spec.keras == "BatchNormalization" and not self.updates_statistics:
            build.append("momentum=1.0")
            self.out.notes.append((original, "the model_fn runs no tf.GraphKeys.UPDATE_OPS, so TF1 never updated "
                                             "this batch normalization's moving mean and variance: momentum=1.0 "
                                             "keeps them as they start (drop it to have Keras update them)"))
        base = _base(spec.keras)
        scope = given_name or self.default_name(spec.keras)
        rest = "".join(f", {k}" for k in at_call)
        layer = f"{self.f.tf}.keras.layers.{spec.keras}({', '.join(build)})"
        if in_loop is not None:  # one layer per pass (loops.py)
            holder = in_loop.made(self, scope, base, spec.keras, layer, computed_name)
            return self.f.s.expr(f"{holder}({self.code(inputs.value)}{rest})")
        # TF1's conv2d, conv2d_1 are attributes conv, conv2
        attr = self.attribute(given_name or _vocab.LAYER_ATTRIBUTES.get(spec.keras, base))
        if given_name or base not in self.uncounted:
            self.out.variables.update(loops.weights(spec.keras, self.scoped(scope), attr))
        self.out.init.append(f"self.{attr} = {layer}")
        return self.f.s.expr(f"self.{attr}({self.code(inputs.value)}{rest})")

    def leave_DictElement(self, original, updated):
        if isinstance(original.value, cst.Name) and original.value.value in self.helpers:  # {"dnn": dnn_model}
            return updated.with_changes(value=self.f.s.expr(f"self.{original.value.value}"))
        return updated

    def leave_Attribute(self, original, updated):
        if isinstance(original.value, cst.Name) and original.value.value in self.keras:  # dense.kernel
            return updated.with_changes(value=self.f.s.expr(f"self.{self.keras[original.value.value]}"))
        return mode_string(self.f, original, updated, strict=True)

    def input_layer(self, call: cst.Call) -> cst.BaseExpression:
        built = input_layers.input_layer(self.f, call, self.params, self.params_value, self.local, self.attribute)
        self.out.init.extend(built.init)
        self.out.variables.update(built.variables)
        if built.params_key is not None:
            self.out.read_params.add(built.params_key)
        self.out.helpers += [_method(self.f, method) for method in built.methods]
        return built.value

    def default_name(self, keras: str) -> str:
        """TF1's name for the next unnamed layer of this class: dense, dense_1, ..."""
        base = _base(keras)
        counts = self.__dict__.setdefault("_counts", {})
        n = counts.get(self.scoped(base), 0)  # counted in each variable scope, as TF1 did
        counts[self.scoped(base)] = n + 1
        return base if n == 0 else f"{base}_{n}"

    # --- statements -----------------------------------------------------------
    def visit_SimpleStatementLine(self, node) -> None:
        self.line = node

    def leave_SimpleStatementLine(self, original, updated):
        smalls = []
        for old, new in zip(original.body, updated.body):
            smalls.extend(self.small(old, new))
        if not smalls:
            return cst.RemoveFromParent()
        mode = self.func.params.params[2].name.value if len(self.func.params.params) > 2 else "mode"
        pieces: List[cst.BaseStatement] = []
        if self.infer is not None:  # one EstimatorSpec for every mode: the predictions first
            infer, self.infer = self.infer, None
            pieces.append(cst.parse_statement(f'if {mode} == "infer":\n    return {self.code(infer)}\n'))
        guarded = [small for small in smalls if id(small) in self.eval_only]
        if guarded:  # metric updates where other modes than eval reach: TF1 ran them in evaluation only
            lines = [cst.SimpleStatementLine([small]) for small in guarded]
            pieces.append(cst.If(test=self.f.s.expr(f'{mode} == "eval"'), body=cst.IndentedBlock(lines)))
        plain = [small for small in smalls if id(small) not in self.eval_only]
        if len(original.body) == 1 and len(plain) > 1:  # a dict of metrics: one update_state line each
            pieces.extend(updated.with_changes(body=[small], leading_lines=()) for small in plain)
        elif plain:
            pieces.append(updated.with_changes(body=plain, leading_lines=()))
        if len(pieces) == 1 and not guarded:
            return pieces[0].with_changes(leading_lines=updated.leading_lines)
        pieces[0] = pieces[0].with_changes(leading_lines=updated.leading_lines)
        return cst.FlattenSentinel(pieces)

    def in_eval(self, updates: List[cst.BaseSmallStatement]) -> List[cst.BaseSmallStatement]:
        """Metric updates, marked for ``if mode == "eval":`` where the line runs in other modes too."""
        if not self.reach.get(id(self.line), modes.ALL) <= {"eval"}:
            self.eval_only.update(id(update) for update in updates)
        return updates

    def small(self, old, new) -> List[cst.BaseSmallStatement]:
        if isinstance(old, cst.Expr) and isinstance(old.value, cst.Call):
            name = self.f.call_name(old.value)
            if name is not None and name.startswith("summary."):
                self.out.notes.append((old, f"tf.{name} in the model_fn is dropped: the Estimator wrote it to "
                                            "model_dir; add a tf.summary writer or a Keras TensorBoard callback"))
                return []
        if modes.names_nulled(old):  # loss = train_op = None
            kept = [t for t in new.targets if t.target.value not in self.nulled]
            return [new.with_changes(targets=kept)] if kept else []
        if isinstance(old, cst.Assign) and len(old.targets) == 1 and isinstance(old.targets[0].target, cst.Name):
            target = old.targets[0].target.value
            value = old.value
            if target in self.nulled and isinstance(value, cst.Name) and value.value == "None":
                return []  # train_op = None, eval_metric_ops = None: the modes that had none return no such value
            name = self.f.call_name(value)
            if name == "get_collection" and modes.is_update_ops(self.f, value):
                self.update_ops.add(target)  # Keras layers update their statistics when called in training
                return []
            if name in _vocab.DECAYS:  # the optimizer's schedule (train_ops.schedule)
                self.decays[target] = value
                return []
            if name in vocab.GLOBAL_STEPS:
                self.steps.add(target)
            if keras_layers.is_keras(self, value):  # dense = tf.keras.layers.Dense(1): made once
                self.keras[target] = keras_layers.hoist(self, value, target)
                return []
            if _vocab.is_tf1_optimizer(name):
                train_ops.optimizer(self, value, name)
                self.optimizers.add(target)
                return []
            if name in vocab.METRICS or name == metrics.PER_CLASS:
                return self.in_eval([self.metrics.metric(target, value, name)])
            if self.metrics.is_dict(value):  # eval_metric_ops's dict: the metrics' keys
                updates, self.metrics.dicts[target] = self.metrics.of_dict(value)
                return self.in_eval(updates)
            if queries.holds(value, cst.Call, lambda c: (self.f.call_name(c) or "").startswith("estimator.export.")):
                self.exports.add(target)  # export_outputs = {"predict": tf.estimator.export.PredictOutput(...)}
                return []
            minimized = train_ops.minimized(self, value)
            if minimized is not None:
                self.train_ops[target] = minimized
                return []
        if isinstance(old, cst.Return) and old.value is not None and not self.helper:
            updates, keys = self.metrics.of_spec(old.value)
            return [*self.in_eval(updates), new.with_changes(value=_spec(self, old.value, new.value, keys))]
        return [new]


def _spec(body: "_Body", old: cst.BaseExpression, new: cst.BaseExpression,
          keys: Optional[Keys]) -> cst.BaseExpression:
    """What the method returns for ``return tf.estimator.EstimatorSpec(...)``; ``keys``: its eval_metric_ops
    (``Metrics.of_spec``)."""
    if body.f.call_name(old) != "estimator.EstimatorSpec":
        raise Unsupported(old, "a model_fn that returns something other than tf.estimator.EstimatorSpec(...)")
    names = ("mode", "predictions", "loss", "train_op", "eval_metric_ops")
    given = arguments(new, names, "tf.estimator.EstimatorSpec with arguments not mapped", where=old)
    before = arguments(old, names, "tf.estimator.EstimatorSpec with arguments not mapped")
    returned = lambda key, deeper=0: placed(body.f, body.line, before[key], given[key], len("return "), deeper)
    for key in given:
        if key == "export_outputs":
            body.out.notes.append((old, "export_outputs is dropped: export the Keras model with model.export"))
        elif key not in names:
            raise Unsupported(old, f"tf.estimator.EstimatorSpec({key}=...)")
    given = {key: value for key, value in given.items()
             if not (isinstance(value, cst.Name) and value.value == "None")}
    if "eval_metric_ops" in given:
        if keys is None:
            raise Unsupported(old, "eval_metric_ops that is not a dict of tf.metrics results")
        body.out.metrics.extend(keys)
    if "train_op" in given:
        op = given["train_op"]
        if isinstance(op, cst.Name) and op.value in body.train_ops:
            minimized = body.train_ops[op.value]
        else:
            minimized = train_ops.minimized(body, op)  # EstimatorSpec(mode, loss=loss, train_op=opt.minimize(loss))
        if minimized is None:
            raise Unsupported(old, "a train_op that is not optimizer.minimize(loss)")
        if "predictions" not in given:
            return body.f.s.expr(minimized)
        if "loss" not in given or body.code(given["loss"]) != minimized:
            raise Unsupported(old, "an EstimatorSpec for every mode whose train_op minimizes another loss")
    if "predictions" in given and "loss" in given and "infer" in body.reach.get(id(body.line), modes.ALL):
        body.out.dict_predictions = _is_dict(body.func, given["predictions"])
        body.infer = returned("predictions", 1)  # one EstimatorSpec for every mode, under `if mode == ...:`
    if "loss" in given:
        return returned("loss")
    if "predictions" in given:
        body.out.dict_predictions = _is_dict(body.func, given["predictions"])
        return returned("predictions")
    raise Unsupported(old, "an EstimatorSpec with neither a loss nor predictions")


def _method(f: Facts, text: str) -> cst.FunctionDef:
    """A method of the model's class, written at class level, after an empty line."""
    method = cst.parse_statement(text + "\n", config=f.module.config_for_parsing)
    return method.with_changes(leading_lines=[cst.EmptyLine(indent=False)])


def _loss(f: Facts, original: cst.Call, call: cst.Call, name: str) -> cst.BaseExpression:
    """A tf.losses call of two tensors (``call``, its arguments converted) as the Keras loss."""
    keras, (first, second), options = vocab.LOSSES[name]
    a, b = _tf.argument(call, 0, first), _tf.argument(call, 1, second)
    smoothing = _tf.argument(call, None, "label_smoothing") if name in vocab.SMOOTHED else None
    if smoothing is not None:  # Keras smooths the labels as TF1 did (towards 1 / classes; towards 0.5)
        options += f", label_smoothing={f.s.code(smoothing.value)}"
    if a is None or b is None or len(call.args) != 2 + (smoothing is not None):
        raise Unsupported(original, f"tf.{name} with weights or options (only the two tensors and label_smoothing "
                                    "are mapped)" if name in vocab.SMOOTHED else
                          f"tf.{name} with weights or options (only the two tensors are mapped)")
    if f.distributed_model:  # a Keras loss object reducing to the mean divides by the replicas itself
        options = ", ".join(part for part in (options, "reduction=None") if part)
        return f.s.expr(f"{f.tf}.reduce_mean({f.tf}.keras.losses.{keras}({options})({f.s.code(a.value)}, "
                        f"{f.s.code(b.value)}))")
    return f.s.expr(f"{f.tf}.keras.losses.{keras}({options})({f.s.code(a.value)}, {f.s.code(b.value)})")


def _is_dict(func: cst.FunctionDef, value: cst.BaseExpression) -> bool:
    """A dict literal, or a name the model_fn binds only to dict literals."""
    if isinstance(value, cst.Name):
        values = [a.value for a in queries.find(func, cst.Assign)
                  if any(isinstance(t.target, cst.Name) and t.target.value == value.value for t in a.targets)]
        return bool(values) and all(isinstance(v, cst.Dict) for v in values)
    return isinstance(value, cst.Dict)


class _Initializers(cst.CSTTransformer):
    def __init__(self, f: Facts) -> None:
        super().__init__()
        self.f = f

    def leave_Call(self, original, updated):
        name = self.f.call_name(original)
        if name in vocab.INITIALIZERS:
            return updated.with_changes(func=self.f.s.expr(f"{self.f.tf}.{vocab.INITIALIZERS[name]}"))
        return updated


def convert(f: Facts, func: cst.FunctionDef, taken: Set[str],
            params_value: Optional[cst.BaseExpression] = None) -> Converted:
    """The class of one model_fn; raises Unsupported where the model_fn goes beyond it."""
    original, func = func, modes.SpecReturned(f, func).apply(func)
    try:
        return _convert(f, func, original, taken, params_value)
    except Unsupported as refused:
        if func is not original and not queries.holds(original, type(refused.node), lambda n: n is refused.node):
            refused.node = original.name  # a node of the model_fn as rewritten: the finding goes on its name
        raise


def _convert(f: Facts, func: cst.FunctionDef, original: cst.FunctionDef, taken: Set[str],
             params_value: Optional[cst.BaseExpression]) -> Converted:
    params = [p.name.value for p in func.params.params]
    if func.params.star_arg is not cst.MaybeSentinel.DEFAULT or func.params.star_kwarg or func.params.kwonly_params:
        raise Unsupported(func, "a model_fn with *args, **kwargs or keyword-only parameters")
    if len(params) < 3 or len(params) > 5:
        raise Unsupported(func, "a model_fn that is not model_fn(features, labels, mode[, params[, config]])")
    config = params[4] if len(params) == 5 else None
    local = queries.bound_names(func.body) - {params[3] if len(params) > 3 else ""}
    local |= set(params[:3])
    if config is not None and config in queries.names_in(func.body):
        raise Unsupported(func, "a model_fn that reads its RunConfig")
    if func.decorators or func.asynchronous:
        raise Unsupported(func, "a decorated model_fn")
    method = func.name.value
    if method in vocab.MODEL_ATTRIBUTES:
        method = f"{method}_"
    out = Converted(camel(func.name.value), method, len(params) > 3 and params[3] in queries.names_in(func.body))
    if out.cls in taken:
        raise Unsupported(func, f"the class name {out.cls} is taken")
    body = _Body(f, out, func, params[3] if len(params) > 3 else "", local, params_value)
    helpers.convert(f, original, body, lambda helper, local: _Body(f, out, helper, "", local, None))
    new = func.visit(body).visit(modes.Tidy(f, body.update_ops))
    for name in body.helpers:
        if name in queries.names_in(new.body):
            raise Unsupported(func, f"{name} (a function that builds layers) is used beyond calls and dict values")
    for name in [*body.metrics.names, *body.train_ops, *body.optimizers, *body.metrics.dicts, *body.exports]:
        if name in queries.names_in(new.body):
            raise Unsupported(func, f"{name} (a metric, train op, optimizer or export output) is used beyond the "
                                    "EstimatorSpec")
    for name in body.decays:
        if name in queries.names_in(new.body):
            raise Unsupported(func, f"the learning rate {name} is used beyond the optimizer")
    new = new.visit(modes.Unread(body.steps))  # global_step = tf.train.get_global_step(), read by minimize
    keras_layers.check_unread(body, func, new)
    for key in out.read_params:
        if queries.holds(new.body, cst.SimpleString, lambda node: node.evaluated_value == key):
            raise Unsupported(func, f"params[{key!r}] is read beyond tf.feature_column.input_layer")
    if out.optimizer is None:
        raise Unsupported(func, "a model_fn without a tf.train optimizer")
    out.init, out.results = keyed(out.init, out.metrics), body.metrics.results
    out.helpers += [_method(f, metrics.PER_CLASS_METHOD.replace("tf.", f"{f.tf}."))] if out.results else []
    if any("KEY_" in line for line in out.init):
        raise Unsupported(func, "a tf.metrics value that is not in eval_metric_ops")
    out.body = new.body
    out.params_name = params[3] if len(params) > 3 else None
    out.features, out.labels, out.mode = params[:3]
    return out
