"""What drives an Estimator: its input functions and the calls made on it.

``est.train(input_fn, steps=N)`` -> ``est.fit(<dataset>, epochs=1, steps_per_epoch=N, verbose=0)``:
N optimizer steps, fewer when a finite dataset ends first (Keras stops there, as the
Estimator did). ``max_steps=M`` counts from the model's own step, as the Estimator
counted from its checkpoint: ``steps_per_epoch=max(M - step, 0)`` (Keras runs no step
at 0). ``est.evaluate(input_fn, steps=N)`` -> a dict of the metrics with
``global_step``; ``est.predict(input_fn)`` -> one dict per example;
``est.get_variable_value("dense/kernel")`` -> ``est.dense.kernel.numpy()``.

``<dataset>`` is the input function called: a ``lambda: ...`` gives its body, a name bound to
a lambda over a dataset or a function of the file that returns one its call, and a factory of
the file (``make_input_fn(df, epochs)`` returning a ``numpy_input_fn``, a lambda over a dataset
or a nested function returning one) its call called. Anything else
(a function returning ``(features, labels)`` tensors, one taking ``params``) is
not known to be a dataset and stops the rewrite.
"""
from __future__ import annotations

import json
from typing import Dict, List, Optional

import libcst as cst

from .. import _tf
from .._eager import queries
from .._eager.state import Unsupported
from .._vocab import NUMPY_INPUT
from .input_params import estimator_params
from .program import Facts, arguments, returned, string_key, subscript_key

TRAIN = ("input_fn", "hooks", "steps", "max_steps", "saving_listeners")
EVALUATE = ("input_fn", "steps", "hooks", "checkpoint_path", "name")
EXPORT = ("export_dir_base", "serving_input_receiver_fn", "assets_extra", "as_text", "checkpoint_path")
EXPORT_NOTE = ("export_saved_model is model.export into a new timestamped folder of export_dir_base, as the "
               "Estimator wrote: its serving signature takes the features as tensors, where the "
               "serving_input_receiver_fn (dropped) may have parsed serialized tf.Example protos")
PREDICT = ("input_fn", "predict_keys", "hooks", "checkpoint_path", "yield_single_examples")


def numpy_input(f: Facts, call: cst.Call, lines: bool = False) -> cst.BaseExpression:
    """``numpy_input_fn(x, y, batch_size=128, num_epochs=1, shuffle=...)`` -> ``lambda: <tf.data pipeline>``;
    ``pandas_input_fn`` the same over ``dict(x)``, the DataFrame's columns. ``lines``: a long pipeline is
    written one step per line."""
    pandas = f.call_name(call).endswith("pandas_input_fn")
    kind = "pandas_input_fn" if pandas else "numpy_input_fn"
    names = ("x", "y", "batch_size", "num_epochs", "shuffle", "queue_capacity", "num_threads")
    given: Dict[str, cst.BaseExpression] = {}
    for index, arg in enumerate(call.args):
        key = arg.keyword.value if arg.keyword is not None else (names[index] if index < len(names) else None)
        if key not in names or arg.star:
            raise Unsupported(call, f"{kind} with arguments not mapped")
        given[key] = arg.value
    code = f.s.code
    if "x" not in given:
        raise Unsupported(call, f"{kind} without x")
    x = f"dict({code(given['x'])})" if pandas else code(given["x"])
    values = x if "y" not in given or code(given["y"]) == "None" else f"({x}, {code(given['y'])})"
    parts = [f"{f.tf}.data.Dataset.from_tensor_slices({values})"]
    shuffle = code(given["shuffle"]) if "shuffle" in given else "None"
    named = isinstance(given.get("shuffle"), (cst.Name, cst.Attribute)) and shuffle not in ("True", "False", "None")
    if shuffle not in ("True", "False") and not named:
        raise Unsupported(call, f"{kind} whose shuffle is not True, False or a name (TF1 required it)")
    capacity = code(given['queue_capacity']) if 'queue_capacity' in given else "1000"
    if shuffle == "True":
        parts.append(f"shuffle({capacity})")
    elif named:  # the input function's setting (a buffer of 1 keeps the order)
        parts.append(f"shuffle({capacity} if {shuffle} else 1)")
    epochs = code(given["num_epochs"]) if "num_epochs" in given else "1"
    if epochs == "None":
        parts.append("repeat()")
    elif epochs != "1":
        parts.append(f"repeat({epochs})")
    parts.append(f"batch({code(given['batch_size']) if 'batch_size' in given else 128})")
    if lines and len(".".join(parts)) > LONG:
        return f.s.expr("lambda: (\n    " + "\n    .".join(parts) + ")")
    return f.s.expr("lambda: " + ".".join(parts))


LONG = 80  # a pipeline longer than this is written one step per line


def _is_dataset(f: Facts, value: cst.BaseExpression, local: Dict[str, List[cst.BaseExpression]], depth: int = 0,
                own: Optional[str] = None) -> bool:
    """Is ``value`` a tf.data dataset (a chain of calls rooted at ``tf.data``)? A chain rooted at ``own``, the
    name being bound, continues that name's dataset (``ds = ds.batch(32)``)."""
    if depth > 8:
        return False
    while isinstance(value, (cst.Call, cst.Attribute, cst.Subscript)):
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Name):
            func = f.functions.get(value.func.value)
            return func is not None and returns_dataset(f, func, depth + 1)
        if isinstance(value, cst.Attribute) and value.attr.value in ("make_one_shot_iterator", "get_next"):
            return False
        name = f.name(value) if isinstance(value, cst.Attribute) else None
        if name is not None and name.startswith("data."):
            return True
        value = value.func if isinstance(value, cst.Call) else value.value
    if isinstance(value, cst.Name) and value.value == own:
        return True
    if isinstance(value, cst.Name) and value.value in local:
        return all(_is_dataset(f, bound, local, depth + 1, value.value) for bound in local[value.value])
    return False


def returns_dataset(f: Facts, func: cst.FunctionDef, depth: int = 0) -> bool:
    """Does ``func`` return a tf.data dataset? One that ends ``return dataset.make_one_shot_iterator()
    .get_next()`` (TF1's Estimator took either) returns the dataset once rewritten (``f.one_shot``)."""
    last, data, drops = one_shot(f, func)
    local: Dict[str, List[cst.BaseExpression]] = {}
    returns = []
    nested = {id(node) for inner in queries.find(func.body, cst.FunctionDef)  # decode_csv(row) in the input fn
              for node in queries.find(inner.body, (cst.Assign, cst.Return))}
    for node in queries.find(func.body, (cst.Assign, cst.Return)):
        if id(node) in nested:
            continue
        if isinstance(node, cst.Assign):
            if len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
                local.setdefault(node.targets[0].target.value, []).append(node.value)
        elif node.value is not None:
            returns.append(data if last is not None and node is last.body[0] else node.value)
    if not returns or not all(_is_dataset(f, r, local, depth) for r in returns):
        return False
    if last is not None:
        comments = [line for stmt in drops for line in stmt.leading_lines if line.comment is not None]
        f.one_shot[id(last)] = (data, comments)
        f.one_shot.update((id(stmt), None) for stmt in drops)
    return True


ONE_SHOT = ("data.make_one_shot_iterator", "compat.v1.data.make_one_shot_iterator")


def _assigned(stmt: cst.BaseStatement) -> Optional[cst.Assign]:
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign) \
            and len(stmt.body[0].targets) == 1:
        return stmt.body[0]
    return None


def one_shot(f: Facts, func: cst.FunctionDef):
    """``(return line, dataset, statements that go)`` of a function ending ``return ds.make_one_shot_iterator()
    .get_next()``, or ``it = ds.make_one_shot_iterator()`` ... ``features, labels = it.get_next()`` right
    before ``return features, labels``; ``(None, None, [])`` for any other."""
    body = list(func.body.body)
    value = returned(body[-1]) if body else None
    if value is None:
        return None, None, []
    uses: Dict[str, int] = {}
    for name in queries.find(func.body, cst.Name):
        uses[name.value] = uses.get(name.value, 0) + 1
    lines = {a.targets[0].target.value: (stmt, a.value) for stmt, a in ((stmt, _assigned(stmt)) for stmt in body)
             if a is not None and isinstance(a.targets[0].target, cst.Name)}
    drops: List[cst.BaseStatement] = []
    got = value
    previous = _assigned(body[-2]) if len(body) > 1 else None
    if previous is not None:
        names = [e.value.value for e in previous.targets[0].target.elements if isinstance(e.value, cst.Name)] \
            if isinstance(previous.targets[0].target, cst.Tuple) else [getattr(previous.targets[0].target, "value", "")]
        given_back = [e.value.value for e in value.elements if isinstance(e.value, cst.Name)] \
            if isinstance(value, cst.Tuple) else [getattr(value, "value", "")]
        if names == given_back and all(names):  # bound by get_next, then returned (read by nothing between)
            got, drops = previous.value, [body[-2]]
    if not (isinstance(got, cst.Call) and not got.args and isinstance(got.func, cst.Attribute)
            and got.func.attr.value == "get_next"):
        return None, None, []
    source = got.func.value
    if isinstance(source, cst.Name) and source.value in lines and uses.get(source.value) == 2:
        drops.append(lines[source.value][0])  # it = ds.make_one_shot_iterator(), read by get_next only
        source = lines[source.value][1]
    if isinstance(source, cst.Call) and isinstance(source.func, cst.Attribute) and not source.args \
            and source.func.attr.value == "make_one_shot_iterator":
        return body[-1], source.func.value, drops
    if isinstance(source, cst.Call) and f.call_name(source) in ONE_SHOT and len(source.args) == 1:
        return body[-1], source.args[0].value, drops
    return None, None, []


def _makes_input_fn(f: Facts, value: Optional[cst.BaseExpression], depth: int = 0) -> bool:
    """Is ``value`` a call of a function of the file that returns an input function (``make_input_fn(df, y)``
    returning its inner ``input_function``, or a ``numpy_input_fn``, or another such call: ``get_train()``
    returning ``read_dataset("train.csv", mode)``)?"""
    if depth > 4 or not isinstance(value, cst.Call) or not isinstance(value.func, cst.Name):
        return False
    factory = f.functions.get(value.func.value)
    if factory is None:
        return False
    inner = {d.name.value: d for d in queries.find(factory.body, cst.FunctionDef)}
    nested = {id(r) for d in inner.values() for r in queries.find(d.body, cst.Return)}
    outer = [r.value for r in queries.find(factory.body, cst.Return) if id(r) not in nested and r.value is not None]
    if not outer:
        return False
    for value in outer:
        if isinstance(value, cst.Call) and f.call_name(value) in NUMPY_INPUT:
            continue
        if _makes_input_fn(f, value, depth + 1):
            continue
        if isinstance(value, cst.Lambda) and not value.params.params and _is_dataset(f, value.body, {}):
            continue
        if (isinstance(value, cst.Name) and value.value in inner and not inner[value.value].params.params
                and returns_dataset(f, inner[value.value])):
            continue
        return False
    return True


ITERATORS = ("make_one_shot_iterator", "make_initializable_iterator", "get_next")
VARYING = ("random", "train.", "data.", "io.", "parse", "decode", "read", "queue", "shuffle")


def returns_tensors(f: Facts, func: cst.FunctionDef) -> bool:
    """Does ``func`` return ``(features, labels)`` computed the same way at every step (no random
    draw, queue, reader or iterator that the Estimator's graph would advance per step)?"""
    returns = [r.value for r in queries.find(func.body, cst.Return) if r.value is not None]
    if not returns or not all(isinstance(r, cst.Tuple) and len(r.elements) == 2 for r in returns):
        return False
    for call in queries.find(func.body, cst.Call):
        name = f.call_name(call) or ""
        if name.startswith(VARYING) or any(part in name.lower() for part in ("shuffle", "queue", "reader")):
            return False
        if isinstance(call.func, cst.Attribute) and call.func.attr.value in ITERATORS:
            return False
        if isinstance(call.func, cst.Name) and call.func.value in f.functions:
            return False
    return True


def _passed(f: Facts, func: cst.FunctionDef, mode: str, params: Optional[cst.BaseExpression]) -> Optional[str]:
    """The arguments of the Estimator's call of ``func``, which passed ``mode`` and ``params`` by name to an
    input function that has them (``mode="train"``, ``params=...``), as code; None when it takes others
    without a default (``config`` too), or params the rewrite does not have."""
    args = []
    for param in func.params.params:
        name = param.name.value
        if name == "mode":
            args.append(f'mode="{mode}"')
        elif name == "params" and params is not None:
            args.append(f"params={f.s.code(params)}")
        elif param.default is None:
            return None
    if func.params.star_arg is not cst.MaybeSentinel.DEFAULT or func.params.kwonly_params:
        return None
    return ", ".join(args)


def _partial(f: Facts, arg: cst.BaseExpression) -> Optional[str]:
    """``functools.partial(input_fn, 16)`` of an input function of the file that returns a dataset, every
    parameter bound: ``input_fn(16)``."""
    if not (isinstance(arg, cst.Call) and f.imports.qualify(arg.func) == "functools.partial" and arg.args
            and isinstance(arg.args[0].value, cst.Name) and arg.args[0].keyword is None):
        return None
    func, bound = f.function(arg.args[0].value.value), arg.args[1:]
    if func is None or any(a.star for a in bound) or func.params.star_arg is not cst.MaybeSentinel.DEFAULT:
        return None
    given = {a.keyword.value for a in bound if a.keyword is not None}
    positional = len([a for a in bound if a.keyword is None])
    if any(p.default is None and i >= positional and p.name.value not in given
           for i, p in enumerate(func.params.params)) or not returns_dataset(f, func):
        return None
    parts = [f.s.code(a.value) if a.keyword is None else f"{a.keyword.value}={f.s.code(a.value)}" for a in bound]
    return f"{arg.args[0].value.value}({', '.join(parts)})"


def dataset(f: Facts, arg: cst.BaseExpression, numpy_names, repeated: bool = True, mode: str = "train",
            params: Optional[cst.BaseExpression] = None) -> str:
    """The dataset an input function gives, as code. A function returning the same ``(features,
    labels)`` tensors at every step is that one batch repeated (when ``repeated``: train, evaluate). A
    function taking ``mode`` or ``params`` gets what the Estimator passed (its ``params``: ``params``)."""
    if isinstance(arg, cst.Lambda):
        names = [p.name.value for p in arg.params.params]
        if names == ["params"] and isinstance(params, cst.Dict) and arg.params.star_arg is cst.MaybeSentinel.DEFAULT:
            return f.s.code(_params_given(f, arg, params))  # `lambda params: input_fn(x, params["batch_size"])`
        if arg.params.params or arg.params.star_arg is not cst.MaybeSentinel.DEFAULT:
            raise Unsupported(arg, "an input function that takes arguments")
        return f.s.code(arg.body)
    partial = _partial(f, arg)
    if partial is not None:
        return partial
    if isinstance(arg, cst.Name):
        func = f.function(arg.value)
        passed = _passed(f, func, mode, params) if func is not None else None
        if arg.value in numpy_names or (passed is not None and returns_dataset(f, func)):
            return f"{arg.value}({passed or ''})"
        if func is not None and not func.params.params and repeated and returns_tensors(f, func):
            return f"{f.tf}.data.Dataset.from_tensors({arg.value}()).repeat()"
        bound = f.value_of(arg)
        if _makes_input_fn(f, bound) or (isinstance(bound, cst.Lambda) and not bound.params.params and (
                _is_dataset(f, bound.body, {}) or _calls_input_function(f, bound.body))):
            return f"{arg.value}()"  # (`train_input_fn = lambda: input_fn(...)`, read as the lambda itself)
        if func is not None and queries.holds(func.body, cst.Attribute, lambda a: a.attr.value in ITERATORS):
            raise Unsupported(arg, f"the input function {arg.value} returns an iterator's get_next() (return the "
                                   "dataset itself)")
    if isinstance(arg, cst.Call) and f.call_name(arg) in NUMPY_INPUT:
        return f.s.code(numpy_input(f, arg).body)
    if _makes_input_fn(f, arg):
        return f"{f.s.code(arg)}()"
    raise Unsupported(arg, "an input function not known to return a tf.data dataset or fixed (features, labels)")


def _calls_input_function(f: Facts, body: cst.BaseExpression) -> bool:
    """``input_fn(...)`` or ``model.input_fn(...)``: a call of a function of the file (or of the library read
    with it) that returns a dataset, or the ``(features, labels)`` of an iterator's ``get_next()``, which the
    rewrite makes it return as a dataset."""
    if not isinstance(body, cst.Call):
        return False
    func = f.function(body.func.value) if isinstance(body.func, cst.Name) else None
    if func is None:
        return False
    return returns_dataset(f, func) or one_shot(f, func)[0] is not None or any(
        one_shot(f, inner)[0] is not None for inner in queries.find(func.body, cst.FunctionDef))


def _params_given(f: Facts, arg: cst.Lambda, params: cst.Dict) -> cst.BaseExpression:
    """The body of ``lambda params: ...``, each ``params["key"]`` the value the Estimator's params hold."""
    values = {string_key(e): e.value for e in params.elements if string_key(e) is not None}
    mapping, covered = {}, set()
    for subscript in queries.find(arg.body, cst.Subscript):
        key = subscript_key(subscript, "params")
        if key is None:
            continue
        if key not in values:
            raise Unsupported(subscript, f"an input function reading params[{key!r}], which the rewrite does not know")
        mapping[id(subscript)] = values[key]
        covered.add(id(subscript.value))
    if any(id(n) not in covered for n in queries.find(arg.body, cst.Name, lambda n: n.value == "params", values=True)):
        raise Unsupported(arg, "an input function that reads its params other than by key")
    return queries.replaced(arg.body, mapping, queries.parents(arg.body))


def _args(call: cst.Call, names) -> Dict[str, cst.BaseExpression]:
    return arguments(call, names, "an Estimator call with arguments not mapped")


def method_call(f: Facts, call: cst.Call, est: str, variables: Dict[str, str], numpy_names) -> cst.BaseExpression:
    """``est.<method>(...)`` in Keras 3."""
    method = call.func.attr.value
    if method == "train":
        given = _args(call, TRAIN)
        _only(call, given, ("input_fn", "steps", "max_steps", "hooks"))
        if "hooks" in given:
            given.update(hooks(f, given.pop("hooks")))
        if "steps" in given and "max_steps" in given and "None" not in (f.s.code(given["steps"]),
                                                                       f.s.code(given["max_steps"])):
            raise Unsupported(call, "train with both steps and max_steps")
        return f.s.expr(fit(f, est, given["input_fn"], given.get("max_steps"), given.get("steps"), numpy_names))
    if method == "evaluate":
        given = _args(call, EVALUATE)
        _only(call, given, ("input_fn", "steps", "name"))
        return f.s.expr(evaluate(f, est, given["input_fn"], given.get("steps"), numpy_names))
    if method == "predict":
        if est in f.from_keras:
            raise Unsupported(call, "predict of model_to_estimator's estimator: TF1 yielded a dict per example, "
                                    "keyed by the Keras model's output names; Model.predict returns arrays")
        given = _args(call, PREDICT)
        _only(call, given, ("input_fn", "predict_keys", "yield_single_examples"))
        single = f.s.code(given.get("yield_single_examples", cst.Name("True")))
        if single not in ("True", "False"):
            raise Unsupported(call, "predict(yield_single_examples=...) that is not True or False written out")
        data = dataset(f, given["input_fn"], numpy_names, repeated=False, mode="infer",
                       params=estimator_params(f, est, "infer"))
        predictions = f"{est}.predictions({data})"
        if single == "False":  # a dict of arrays per batch, as predict_on_batch hands it back (its features)
            predictions = (f"({est}.predict_on_batch(batch[0] if isinstance(batch, tuple) else batch) "
                           f"for batch in {data})")
        keys = given.get("predict_keys")
        if keys is None or f.s.code(keys) == "None":
            return f.s.expr(predictions)
        if isinstance(keys, cst.SimpleString):  # one key: TF1 took a string for a list of one
            keys = cst.List([cst.Element(keys)])
        # each prediction with the keys asked for only
        return f.s.expr(f"({{key: prediction[key] for key in {f.s.code(keys)}}} for prediction in {predictions})")
    if method in ("export_saved_model", "export_savedmodel"):
        given = _args(call, EXPORT)
        for key in given:
            if key not in ("export_dir_base", "serving_input_receiver_fn"):
                raise Unsupported(call, f"{method}({key}=...)")
        if "export_dir_base" not in given:
            raise Unsupported(call, f"{method} without an export_dir_base")
        if est not in f.canned:
            raise Unsupported(call, f"{method} of a custom model_fn's model (it has no call() for Keras to export)")
        if not queries.holds(f.module, cst.Expr, lambda statement: statement.value is call):
            raise Unsupported(call, f"{method} whose returned path is read")
        f.notes.append((call, EXPORT_NOTE))
        base = f.s.code(given["export_dir_base"])
        return f.s.expr(f"{est}.export({f.tf}.io.gfile.join({base}, str(int({f.tf}.timestamp()))), verbose=False)")
    if method == "latest_checkpoint":
        if est not in f.manager_of or call.args:
            raise Unsupported(call, "latest_checkpoint of an estimator whose model_dir the Keras model does not "
                                    "keep (a model_dir the rewrite sees all uses of becomes a CheckpointManager)")
        return f.s.expr(f"{f.manager_of[est].name}.latest_checkpoint")
    if method == "get_variable_value":
        if len(call.args) != 1 or not isinstance(call.args[0].value, cst.SimpleString):
            raise Unsupported(call, "get_variable_value of a name that is not a string literal")
        name = call.args[0].value.evaluated_value
        if name == "global_step":
            return f.s.expr(f"{est}.optimizer.iterations.numpy()")
        if name not in variables:
            raise Unsupported(call, f"get_variable_value({json.dumps(name)}): no variable of that name is known")
        return f.s.expr(f"{est}.{variables[name]}.numpy()")
    raise Unsupported(call, f"Estimator.{method} has no Keras counterpart mapped")


def hooks(f: Facts, value: cst.BaseExpression) -> Dict[str, cst.BaseExpression]:
    """``train(hooks=[...])``: StopAtStepHook(num_steps=N) is steps=N, (last_step=M) max_steps=M;
    LoggingTensorHook goes with a note (it wrote to the log, not to the output); others stop the rewrite."""
    if isinstance(value, cst.Name):
        value = f.value_of(value) or value
    if not isinstance(value, (cst.List, cst.Tuple)):
        raise Unsupported(value, "train(hooks=...) that is not a list of tf.train hooks built here")
    out: Dict[str, cst.BaseExpression] = {}
    for element in value.elements:
        hook = element.value
        if isinstance(hook, cst.Name) and isinstance(f.value_of(hook), cst.Call):
            hook = f.value_of(hook)  # logging_hook = tf.train.LoggingTensorHook(...); train(hooks=[logging_hook])
        name = f.call_name(hook) or f.s.code(hook)
        if name in ("estimator.StopAtStepHook", "estimator.LoggingTensorHook"):  # TF 1.14's other names for them
            name = "train." + name.split(".", 1)[1]
        if name == "train.StopAtStepHook":
            for index, arg in enumerate(hook.args):
                key = arg.keyword.value if arg.keyword is not None else ("num_steps", "last_step")[min(index, 1)]
                if f.s.code(arg.value) != "None":
                    out["steps" if key == "num_steps" else "max_steps"] = arg.value
        elif name == "train.LoggingTensorHook":
            f.notes.append((hook, "LoggingTensorHook is dropped: it logged graph tensors by name through "
                                  "tf.logging; log them from a keras.callbacks.Callback (on_train_batch_end)"))
        else:
            raise Unsupported(hook, f"train(hooks=[{f.s.code(hook)}]): only StopAtStepHook and LoggingTensorHook "
                                    "are mapped")
    return out


def fit(f: Facts, est: str, input_fn, max_steps=None, steps=None, numpy_names=()) -> str:
    """``est.train(input_fn, steps=N | max_steps=M)`` as ``est.fit(...)``."""
    data = dataset(f, input_fn, numpy_names, mode="train", params=estimator_params(f, est))
    if steps is not None and f.s.code(steps) != "None":
        count = f", steps_per_epoch={f.s.code(steps)}"
    elif max_steps is not None and f.s.code(max_steps) != "None":  # no step at all past max_steps (emit: an if)
        last = f.s.code(max_steps)
        return (f"{est}.fit({data}, epochs=1, steps_per_epoch={last} - {step(f, est)}, verbose=0) "
                f"if {est}.optimizer.iterations < {last} else None")
    else:
        count = ""
    return f"{est}.fit({data}, epochs=1{count}, verbose=0)"


def evaluate(f: Facts, est: str, input_fn, steps=None, numpy_names=()) -> str:
    """``est.evaluate(input_fn, steps=N)``: the metrics and the global step, as a dict."""
    count = f", steps={f.s.code(steps)}" if steps is not None and f.s.code(steps) != "None" else ""
    data = dataset(f, input_fn, numpy_names, mode="eval", params=estimator_params(f, est, "eval"))
    return (f'{{**{est}.evaluate({data}{count}, verbose=0, return_dict=True), '
            f'"global_step": {step(f, est)}}}')


def step(f: Facts, est: str) -> str:
    """The model's global step as a Python int (a distributed variable converts through numpy())."""
    return f"int({est}.optimizer.iterations{'.numpy()' if est in f.distributed else ''})"


def _only(call, given, allowed) -> None:
    for key in given:
        if key not in allowed:
            raise Unsupported(call, f"{call.func.attr.value}({key}=...)")
    if "input_fn" not in given:
        raise Unsupported(call, f"{call.func.attr.value} without an input_fn")


def tf_arg(call: cst.Call, position: Optional[int], keyword: str):
    return _tf.argument(call, position, keyword)
