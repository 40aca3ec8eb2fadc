"""Run configuration and the train-and-evaluate loop of an Estimator.

- ``model_dir`` / ``tf.estimator.RunConfig(...)``: where the Estimator kept its checkpoints
  and summaries, and how often it wrote them. A Keras model keeps nothing unless told: the
  argument goes, with a note (a rerun no longer resumes from model_dir; a
  ``keras.callbacks.BackupAndRestore`` or ``ModelCheckpoint`` does that). Only the keys that
  configure checkpoints, summaries and logging are dropped; ``train_distribute=strategy`` builds
  the Keras model under ``strategy.scope()`` (Keras's fit then distributes its steps), with a note;
  ``tf_random_seed=N`` is ``tf.keras.utils.set_random_seed(N)`` before the model is built, with a
  note; any other (a session config, eval_distribute) stops the rewrite.
- ``tf.estimator.train_and_evaluate(est, TrainSpec(input_fn, max_steps), EvalSpec(input_fn,
  steps=100))`` run locally: train up to ``max_steps``, then evaluate (``steps`` batches,
  100 unless given; the evaluations in between do not change the weights). It returns
  ``(metrics, export results)``: here ``(metrics, [])``. The EvalSpec's exporters
  (``tf.estimator.LatestExporter(name, serving_input_fn)``) go, with a note, and so do their
  statements and serving input functions once nothing else reads them.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import libcst as cst

from .._eager import queries
from .._eager.state import Unsupported
from . import checkpoints, experiments
from .program import Facts, relative

RUN_CONFIG = "estimator.RunConfig"
TRAIN_SPEC = "estimator.TrainSpec"
EVAL_SPEC = "estimator.EvalSpec"
TRAIN_AND_EVALUATE = "estimator.train_and_evaluate"
HOOKS = {"train.StopAtStepHook", "train.LoggingTensorHook", "estimator.StopAtStepHook", "estimator.LoggingTensorHook"}
RECEIVERS = {"estimator.export.build_parsing_serving_input_receiver_fn",
             "estimator.export.build_raw_serving_input_receiver_fn"}
EXPORTERS = {"estimator.LatestExporter", "estimator.FinalExporter", "estimator.BestExporter"}
SPECS = {RUN_CONFIG, TRAIN_SPEC, EVAL_SPEC, *HOOKS, *RECEIVERS, *EXPORTERS}
KEPT = ("train_distribute", "tf_random_seed")  # RunConfig settings the Keras model keeps (None: not set)
DROPPED = {"model_dir", "save_summary_steps", "save_checkpoints_steps", "save_checkpoints_secs",
           "keep_checkpoint_max", "keep_checkpoint_every_n_hours", "log_step_count_steps"}
TRAIN_SPEC_ARGS = ("input_fn", "max_steps", "hooks")
EVAL_SPEC_ARGS = ("input_fn", "steps", "name", "hooks", "exporters", "start_delay_secs", "throttle_secs")
NOTE = ("{what} is dropped: the Keras model writes no checkpoints or summaries there, and a rerun no longer "
        "resumes from them (add keras.callbacks.BackupAndRestore or ModelCheckpoint, and TensorBoard)")
SESSION_NOTE = ("RunConfig(session_config=...) is dropped: the session options (threads, visible devices, GPU memory, "
                "soft placement) are the process's in TensorFlow 2: set them with tf.config before the model is built "
                "(tf.config.threading, tf.config.set_visible_devices, tf.config.experimental.set_memory_growth)")


def given(f: Facts, call: cst.Call, names, what: str) -> Dict[str, cst.BaseExpression]:
    out = {}
    for index, arg in enumerate(call.args):
        key = arg.keyword.value if arg.keyword is not None else (names[index] if index < len(names) else None)
        if key is None or arg.star:
            raise Unsupported(call, f"{what} with arguments not mapped")
        out[key] = arg.value
    return out


def _resolved(f: Facts, value: cst.BaseExpression, kind: str) -> Optional[cst.Call]:
    """``value`` if it is a ``tf.<kind>(...)`` call, or the one such call its name is bound to (a parameter of
    the function that builds an estimator: what its call passes, ``Facts.value_of``). ``RunConfig(...)
    .replace(k=v)``: one call of both's arguments."""
    parents = None
    for _ in range(3):  # `config` passed `run_config`, bound to RunConfig(...)
        if isinstance(value, cst.Name):
            found = f.value_of(value) or _replaced(f, value.value)
            if found is None:  # bound once in each branch of an `if`: the binding before this read
                parents = parents or queries.parents(f.module)
                found = queries.bound_before(parents, value)
            value = found
    if queries.is_method_call(value, ("replace",)) and kind == RUN_CONFIG:
        return _with_replaced(_resolved(f, value.func.value, kind), [value])
    if isinstance(value, cst.Call) and f.call_name(value) == kind:
        return value
    if isinstance(value, cst.Call) and kind == RUN_CONFIG and f.call_name(value) in experiments.CONFIGS and all(
            arg.keyword is not None for arg in value.args):
        return value  # contrib.learn's RunConfig, whose settings of the same names are tf.estimator's
    return None


def _replaced(f: Facts, name: str) -> Optional[cst.BaseExpression]:
    """``run_config = tf.estimator.RunConfig()`` then ``run_config = run_config.replace(...)``: one call of all
    their arguments."""
    first, *rest = f.assigned.get(name, [None])
    if first is None or not rest or not all(queries.is_method_call(v, ("replace",)) and isinstance(
            v.func.value, cst.Name) and v.func.value.value == name for v in rest):
        return None
    return _with_replaced(_resolved(f, first, RUN_CONFIG), rest)


def _with_replaced(config: Optional[cst.Call], replaced) -> Optional[cst.Call]:
    """``config``'s call with the settings of the ``replace(...)`` calls after it (None: one passes a setting by
    position or ``**``)."""
    if config is None or any(arg.keyword is None or arg.star for call in replaced for arg in call.args):
        return None
    return config.with_changes(args=[*config.args, *(arg for call in replaced for arg in call.args)])


DISTRIBUTE_NOTE = ("RunConfig(train_distribute=...): the Keras model is built under the strategy's scope and fit "
                   "distributes its steps; set up the devices (or TF_CONFIG) as for the Estimator. The Estimator's "
                   "input_fn gave each replica its batch, Keras splits the dataset's batch over the replicas: "
                   "multiply the batch size by strategy.num_replicas_in_sync to keep each replica's batch")


SEED_NOTE = ("RunConfig(tf_random_seed=...) is tf.keras.utils.set_random_seed before the model is built: the "
             "rewrite is reproducible, but its random draws are not TF1's, and the call also seeds Python's random "
             "module and NumPy (TF1 seeded only the graph)")


def _shares_directory(f: Facts, owner: cst.CSTNode, directory: cst.BaseExpression) -> None:
    """Two estimators of one ``model_dir``: the second restored what the first trained, and with the
    directory dropped each becomes a model of its own (untrained, or trained again from scratch)."""
    code = f.s.code(directory)
    if f.call_name(directory) is None and code.startswith("tempfile.mkdtemp("):
        return  # a new directory at each call
    owners = f.model_dirs.setdefault(code, set())
    owners.add(id(owner))
    if len(owners) > 1 and not _emptied(f, code, owners) and not _exclusive(f, owners):
        f.shared_dirs.setdefault(code, directory)  # checkpoints.managed decides: one manager each, or refused


def _exclusive(f: Facts, owners) -> bool:
    """Two estimators of which a run makes one only: in the two branches of an ``if`` (a TPUEstimator, else an
    Estimator)."""
    calls = queries.find(f.module, cst.Call, lambda c: id(c) in owners)
    return len(calls) == 2 and queries.two_branches(f.module, *calls) is not None


def shared_directory(code: str, directory: cst.CSTNode) -> Unsupported:
    return Unsupported(directory, f"two estimators of one model_dir ({code}): the second restored the checkpoints "
                                  "the first wrote, which the Keras models share only through checkpoints the "
                                  "rewrite keeps (the first trained before the second is made)")


def _emptied(f: Facts, code: str, owners) -> bool:
    """Does the program delete the directory before each estimator of it but the first (``shutil.rmtree(OUTDIR)``,
    as the Cloud ML courses do: each starts from scratch, as its Keras model does)? In source order: a
    deletion after the last estimator leaves the second one resuming from the first's checkpoints."""
    def deletes(call: cst.Call) -> bool:
        return (bool(call.args) and f.s.code(call.args[0].value) == code
                and isinstance(call.func, (cst.Name, cst.Attribute))
                and (call.func.value if isinstance(call.func, cst.Name) else call.func.attr.value)
                in ("rmtree", "DeleteRecursively"))

    events = queries.find(f.module, cst.Call, lambda call: id(call) in owners or deletes(call))
    built = [index for index, call in enumerate(events) if id(call) in owners]
    return all(any(id(call) not in owners for call in events[before + 1:after])
               for before, after in zip(built, built[1:]))


def run_configuration(f: Facts, what: str, key: str, value: cst.BaseExpression,
                      notes: List[Tuple[cst.CSTNode, str]], owner: cst.CSTNode) -> Dict[str, cst.BaseExpression]:
    """``model_dir=...`` or ``config=...`` of an estimator (``owner``, its call): dropped with a note, or
    Unsupported. Returns the RunConfig's ``train_distribute`` strategy and ``tf_random_seed``, those it sets."""
    if f.s.code(value) == "None":
        return {}
    if key == "model_dir":
        _shares_directory(f, owner, value)
        checkpoints.record(f, owner, value, what)
        return {}
    if key != "config":
        raise Unsupported(value, f"{what}({key}=...) is not mapped")
    config = _resolved(f, value, RUN_CONFIG)
    if config is None:
        raise Unsupported(value, f"{what}(config=...) that is not a tf.estimator.RunConfig(...) built in this file")
    kept = {}
    for arg in config.args:
        name = arg.keyword.value if arg.keyword is not None else "model_dir" if arg is config.args[0] else None
        if name == "model_dir" and f.s.code(arg.value) != "None":
            _shares_directory(f, owner, arg.value)
            checkpoints.record(f, owner, arg.value, what, config)
        if name == "session_config" and f.s.code(arg.value) != "None":
            notes.append((arg, SESSION_NOTE))
            continue
        if name in KEPT and f.s.code(arg.value) != "None":
            kept[name] = arg.value
            notes.append((arg, DISTRIBUTE_NOTE if name == "train_distribute" else SEED_NOTE))
        elif name not in DROPPED and name not in KEPT:
            raise Unsupported(arg, f"RunConfig({name}=...) is not mapped (only checkpoint, summary and logging "
                                   "settings are dropped, train_distribute is the model's strategy and "
                                   "tf_random_seed a seed set before it is built)")
    saving = {a.keyword.value: f.s.code(a.value) for a in config.args if a.keyword is not None
              and a.keyword.value in ("save_checkpoints_steps", "save_checkpoints_secs")}
    if saving and all(code == "None" for code in saving.values()):  # TF1's 600 s default went with the other
        raise Unsupported(config, f"RunConfig({', '.join(f'{k}=None' for k in saving)}) saves no checkpoint: TF1's "
                                  "evaluate and predict read none of the training (they start from fresh weights)")
    scope = next((item.scope for item in f.built if item.call is owner and item.scope is not None), None)
    if scope is not None and not queries.holds(scope, cst.Call, lambda c: c is config):
        for name, setting in kept.items():  # a RunConfig of the function that calls the builder
            if queries.holds(setting, cst.Name, values=True):
                raise Unsupported(setting, f"RunConfig({name}=...) of a name of the code that calls the function "
                                           "building the estimator (the model is built in that function)")
    if id(owner) in f.directories:
        f.directories[id(owner)].note_at = value  # its note (checkpoints.managed) is the RunConfig's
    elif len([a for a in config.args if not (a.keyword is not None and a.keyword.value == "session_config")]) > len(kept):
        notes.append((value, NOTE.format(what="RunConfig (checkpoint and summary settings)")))
    return kept


def is_statement(f: Facts, stmt: cst.BaseStatement) -> bool:
    """``name = tf.estimator.RunConfig/TrainSpec/EvalSpec(...)`` or a mapped hook (removed once nothing reads
    the name)."""
    if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign)):
        return False
    value = stmt.body[0].value
    while queries.is_method_call(value, ("replace",)):  # RunConfig().replace(tf_random_seed=...)
        value = value.func.value
    if isinstance(value, cst.Name):  # run_config = run_config.replace(...)
        value = f.assigned.get(value.value, [None])[0]
    return relative(f.call_name(value)) in SPECS or f.call_name(value) in experiments.CONFIGS


def train_and_evaluate(f: Facts, call: cst.Call, estimators: Dict[str, object], fit, evaluate) -> Tuple[str, str]:
    """(the training statement, the metrics expression) of ``tf.estimator.train_and_evaluate(...)``.

    ``fit(est, input_fn, steps, max_steps)`` and ``evaluate(est, input_fn, steps)`` write the calls."""
    args = given(f, call, ("estimator", "train_spec", "eval_spec"), "train_and_evaluate")
    est = args.get("estimator")
    if not isinstance(est, cst.Name) or est.value not in estimators:
        raise Unsupported(call, "train_and_evaluate of an estimator not built in this file")
    train = _resolved(f, args.get("train_spec"), TRAIN_SPEC) if "train_spec" in args else None
    evaluation = _resolved(f, args.get("eval_spec"), EVAL_SPEC) if "eval_spec" in args else None
    if train is None or evaluation is None:
        raise Unsupported(call, "train_and_evaluate whose specs are not tf.estimator.TrainSpec / EvalSpec built here")
    t = given(f, train, TRAIN_SPEC_ARGS, "TrainSpec")
    e = given(f, evaluation, EVAL_SPEC_ARGS, "EvalSpec")
    for spec, values, allowed in ((train, t, ("input_fn", "max_steps")),
                                  (evaluation, e, ("input_fn", "steps", "name", "start_delay_secs", "throttle_secs",
                                                   "exporters"))):
        for key, value in values.items():
            if key not in allowed and f.s.code(value) not in ("None", "[]", "()"):
                raise Unsupported(spec, f"{f.s.code(spec.func).rsplit('.', 1)[-1]}({key}=...) is not mapped")
        if "input_fn" not in values:
            raise Unsupported(spec, "a spec without an input_fn")
    if "exporters" in e and f.s.code(e["exporters"]) not in ("None", "[]", "()"):
        f.notes.append((evaluation, "EvalSpec's exporters are dropped, and the serving_input_fn they used: export the "
                                    "trained Keras model with model.export(path) (a SavedModel whose serving "
                                    "signature takes the model's inputs, not serialized tf.Example protos)"))
    steps = e.get("steps", cst.Integer("100"))  # EvalSpec's default
    return fit(est.value, t["input_fn"], t.get("max_steps")), evaluate(est.value, e["input_fn"], steps)


def from_keras(f: Facts, item, notes) -> str:
    """``tf.keras.estimator.model_to_estimator(keras_model=model, model_dir=...)``: the compiled Keras model
    itself, which trains, evaluates and predicts as the Estimator did (its loss, optimizer and metrics)."""
    names = ("keras_model", "keras_model_path", "custom_objects", "model_dir", "config")
    given = {}
    for index, arg in enumerate(item.call.args):
        key = arg.keyword.value if arg.keyword is not None else (names[index] if index < len(names) else None)
        if key not in names or arg.star:
            raise Unsupported(item.call, "model_to_estimator with arguments not mapped")
        given[key] = arg.value
    model = given.get("keras_model")
    if not isinstance(model, cst.Name) or any(f.s.code(given[k]) != "None" for k in given
                                               if k in ("keras_model_path", "custom_objects")):
        raise Unsupported(item.call, "model_to_estimator of something other than a Keras model named here")
    for key in ("model_dir", "config"):
        if key in given:
            kept = run_configuration(f, "model_to_estimator", key, given[key], notes, item.call)
            if kept:
                raise Unsupported(given[key], "model_to_estimator with a RunConfig's strategy or seed")
    return model.value
