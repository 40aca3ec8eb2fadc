"""A custom Estimator's model_fn as a Keras 3 model class: the class's code, and the call that builds it.

The model_fn's code is a method of the class (``model_fn.convert``); ``train_step``, ``test_step`` and
``predict_step`` run it in the mode each needs. Under a distribution strategy (``RunConfig(train_distribute=...)``,
a TPUEstimator on a TPU) the class has a ``call`` (its predictions: what the strategy builds it with) and each
replica minimizes its share of the loss.
"""
from __future__ import annotations

import libcst as cst

from .. import _tf
from .._eager import layout, queries
from .._eager.state import Unsupported
from . import canned, model_fn, modes, specs, tpu
from .program import MODEL_FN_ELSEWHERE, Facts, string_key

REPLICA_NOTE = "its gradients are summed"  # (over the replicas: each minimizes its share of the loss)
PREDICTIONS = '''
    def predictions(self, dataset):
        """Estimator.predict: an iterator over the predictions of each example."""
        outputs = self.predict(dataset, verbose=0)
        return iter({body})
'''


def custom_class(f: Facts, c: model_fn.Converted, distributed: bool = False) -> str:
    """The class's code. ``distributed``: built under a distribution strategy, which builds a Keras model
    through ``call`` (the model_fn's predictions) and sums the replicas' gradients (the loss each replica
    minimizes is divided by their number: TF1's optimizers and CrossShardOptimizer averaged them)."""
    i = f.module.default_indent
    tf = f.tf
    init = ["super().__init__()"]
    if c.has_params:
        init.append(f"self.params = {c.params_name}")
    init += c.init
    init.append(f'self.loss_mean = {tf}.keras.metrics.Mean(name="loss")')
    init.append(f"self.compile(optimizer={c.optimizer})")
    results = ", ".join(['"loss": self.loss_mean.result()'] + [f'"{k}": {c.results.get(a, f"self.{a}.result()")}'
                                                             for k, a in c.metrics])
    signature = f"self, {c.params_name}" if c.has_params else "self"
    lines = [
        f"class {c.cls}({tf}.keras.Model):",
        f'    """The Estimator model_fn `{c.method}` as a Keras 3 model: `{c.method}` runs one mode',
        '    ("train", "eval" or "infer") as the model_fn did; fit, evaluate and predict run it."""',
        "",
        f"    def __init__({signature}):",
        *[f"        __INIT{n}__" for n in range(len(init))],
        "",
        f"    def {c.method}(self, {c.features}, {c.labels}, {c.mode}):",
        "__BODY__",
        "",
        "    def train_step(self, data):",
        f"        {c.features}, {c.labels} = data if isinstance(data, tuple) else (data, None)",
        f"        with {tf}.GradientTape() as tape:",
        f'            loss = self.{c.method}({c.features}, {c.labels}, "train")',
        *([f"            replica_loss = loss / self.distribute_strategy.num_replicas_in_sync  # {REPLICA_NOTE}"]
          if distributed else []),
        *_applied(canned.apply_code(False, ".layers.Embedding(" in "\n".join(init), tf), distributed).splitlines(),
        '        return {"loss": loss}',
        "",
        "    def test_step(self, data):",
        f"        {c.features}, {c.labels} = data if isinstance(data, tuple) else (data, None)",
        f'        loss = self.{c.method}({c.features}, {c.labels}, "eval")',
        f"        with {tf}.control_dependencies([loss]):  # {canned._AFTER_THE_BATCH}",
        "            self.loss_mean.update_state(loss)",
        f"        return {{{results}}}",
        "",
        "    def predict_step(self, data):",
        f'        return self.{c.method}(data[0] if isinstance(data, tuple) else data, None, "infer")',
    ]
    if distributed:
        at = lines.index("    def train_step(self, data):")
        lines[at:at] = [
            f"    def call(self, {c.features}, training=False):",
            '        """The predictions: what a distribution strategy builds the model with."""',
            f'        return self.{c.method}({c.features}, None, "infer")',
            ""]
    text = "\n".join(lines) + "\n" + PREDICTIONS.format(body=_per_example(c.dict_predictions))
    if i != "    ":  # (the lines of __init__ are the file's already: a layer's continuation lines keep their place)
        text = text.replace("    ", i)
    for n, line in enumerate(init):
        text = text.replace(f"__INIT{n}__", line, 1)
    return text


def _applied(code: str, distributed: bool) -> str:
    """The train step's lines that apply the gradients; under a strategy, of each replica's share of the loss."""
    if not distributed:
        return code
    return code.replace("tape.gradient(loss, ", "tape.gradient(replica_loss, ")


def _per_example(dict_predictions: bool) -> str:
    if dict_predictions:
        return "[dict(zip(outputs, values)) for values in zip(*outputs.values())]"
    return "outputs"


def _with_body(f: Facts, text: str, c: model_fn.Converted) -> cst.BaseStatement:
    """The class, its model_fn method holding the converted body (comments kept)."""
    cls = cst.parse_statement(text.replace("__BODY__", f"{f.module.default_indent * 2}pass"),
                              config=f.module.config_for_parsing)
    body = list(c.body.body)
    if c.has_params:  # (after the model_fn's docstring, the method's now)
        docstring = bool(body) and isinstance(body[0], cst.SimpleStatementLine) and isinstance(
            body[0].body[0], cst.Expr) and isinstance(body[0].body[0].value, (cst.SimpleString, cst.ConcatenatedString))
        line = f"{c.params_name} = self.params\n"
        if c.method in f.per_mode:  # TPUEstimator gave the model_fn the batch size of its mode
            line = (f'{c.params_name} = {{**self.params, "batch_size": self.params["batch_size"][{c.mode}]}}'
                    "  # the batch size of the mode\n")
        body.insert(int(docstring), cst.parse_statement(line, config=f.module.config_for_parsing))
    members = list(cls.body.body)
    for index, member in enumerate(members):
        if isinstance(member, cst.FunctionDef) and member.name.value == c.method:
            members[index] = member.with_changes(body=c.body.with_changes(body=body))
            members[index + 1:index + 1] = c.helpers  # the functions it calls to build the network
    return cls.with_changes(body=cls.body.with_changes(body=members))


def convert(f: Facts, item, classes, notes, taken):
    """The class of ``Estimator(model_fn, ...)`` (into ``classes``), its name, the code that builds it and the
    model's variables by their TF1 names."""
    given = {}
    names = ("model_fn", "model_dir", "config", "params", "warm_start_from")
    for index, arg in enumerate(item.call.args):
        key = arg.keyword.value if arg.keyword is not None else (names[index] if index < len(names) else None)
        if key is None or arg.star:
            raise Unsupported(item.call, "tf.estimator.Estimator with arguments not mapped")
        given[key] = arg.value
    func_name = given.get("model_fn")
    if not isinstance(func_name, cst.Name) or func_name.value not in f.functions:
        raise Unsupported(item.call, MODEL_FN_ELSEWHERE)
    for key in given:
        if key == "warm_start_from" and f.s.code(given[key]) != "None":
            raise Unsupported(item.call, "Estimator(warm_start_from=...) is not mapped")
        if key in ("model_dir", "config"):
            kept = specs.run_configuration(f, "tf.estimator.Estimator", key, given[key], notes, item.call)
            if "train_distribute" in kept:
                f.strategies[id(item.call)] = kept["train_distribute"]
            if "tf_random_seed" in kept:
                f.seeds[id(item.call)] = kept["tf_random_seed"]
    if func_name.value in classes and func_name.value not in f.branch_fns:
        raise Unsupported(item.call, f"two Estimators of the model_fn {func_name.value}")
    if id(item.call) in f.tpus:
        strategy = tpu.strategy(f, f.tpus[id(item.call)], taken)
        if strategy is not None:
            f.strategies[id(item.call)] = strategy
    distributed = id(item.call) in f.strategies
    if func_name.value in classes:  # the other branch's Estimator: the class made for the first
        converted, made_distributed = f.converted[func_name.value]
        if distributed and not made_distributed:
            raise Unsupported(item.call, f"an Estimator of the model_fn {func_name.value} under a distribution "
                                         "strategy after one without (its class is made for the first)")
        return _built(f, item, given, converted)
    if distributed and not _predicts(f, f.functions[func_name.value]):
        raise Unsupported(item.call, "a custom model_fn without predictions under a distribution strategy: Keras "
                                     "builds a distributed model by calling it for its predictions")
    if distributed and _infer_reads_labels(f, f.functions[func_name.value]):
        raise Unsupported(item.call, "a custom model_fn that reads its labels in PREDICT mode too, under a "
                                     "distribution strategy: Keras builds a distributed model by calling it for "
                                     "its predictions, without labels")
    if distributed and queries.holds(f.functions[func_name.value], cst.Attribute, lambda a: a.attr.value == "SUM"):
        raise Unsupported(item.call, "a model_fn summing its loss (Reduction.SUM) under a distribution strategy: "
                                     "TF1 did not average it over the replicas")
    f.distributed_model = distributed
    try:
        converted = model_fn.convert(f, f.functions[func_name.value], taken, given.get("params"))
    finally:
        f.distributed_model = False
    notes.extend(converted.notes)
    classes[func_name.value] = _with_body(f, custom_class(f, converted, distributed), converted)
    f.converted[func_name.value] = (converted, distributed)
    f.methods.update(helper.name.value for helper in converted.helpers)
    return _built(f, item, given, converted)


def _built(f: Facts, item, given, converted):
    """The model class, the code that makes it where the Estimator was, its variables by their TF1 names."""
    if converted.has_params:
        if "params" not in given:
            raise Unsupported(item.call, "a model_fn that reads params, built without params")
        call = f"{converted.cls}(params={_placed(f, item.call, given['params'], _without(f, given['params'], converted.read_params))})"
    else:
        call = f"{converted.cls}()"
    return converted.cls, call, converted.variables


def _predicts(f: Facts, func: cst.FunctionDef) -> bool:
    """Does one of the model_fn's EstimatorSpecs give predictions?"""
    return any(_tf.argument(spec, 1, "predictions") is not None for spec in queries.find(
        func, cst.Call, lambda call: f.call_name(call) == "estimator.EstimatorSpec"))


def _infer_reads_labels(f: Facts, func: cst.FunctionDef) -> bool:
    """Does a line that PREDICT mode runs read the model_fn's labels (a loss of one spec for every mode)?"""
    if len(func.params.params) < 2:
        return False
    labels = func.params.params[1].name.value
    reach = modes.reaching(f, func)
    return any("infer" in reach.get(id(line), modes.ALL) and queries.mentions(line, {labels})
               for line in queries.find(func.body, cst.SimpleStatementLine))


def _without(f: Facts, params: cst.BaseExpression, keys) -> cst.BaseExpression:
    """The params dict without the entries only input_layer read (the feature columns it became)."""
    if not keys:
        return params
    if not isinstance(params, cst.Dict):
        raise Unsupported(params, "params that are not a dict written in the Estimator call, holding feature "
                                  "columns the model_fn reads")
    kept = [e for e in params.elements if string_key(e) not in keys]
    if kept:  # the last entry's comma holds the line break before the closing brace
        kept[-1] = kept[-1].with_changes(comma=params.elements[-1].comma)
    return params.with_changes(elements=kept)


def _placed(f: Facts, call: cst.Call, original: cst.BaseExpression, new: cst.BaseExpression) -> str:
    """``new``'s code where ``original`` stood, now written right after the call's opening bracket: a
    dict whose entries hung under ``params={`` on a line of its own moves them under the call's line
    (a node's code is indented as its statement is: the call's first line is at 0)."""
    code, text = f.s.code(new), f.s.code(call)
    at = text.find(f.s.code(original))
    if not layout.hanging(code) or "\n" not in text[:max(at, 0)]:
        return code
    return f.s.code(layout.shift(new, -layout.indentation(text, at)))


