"""``tf.contrib.learn``'s Experiment run by ``learn_runner.run``, read as the ``train_and_evaluate`` it is.

TensorFlow 1.2-1.4 programs drive an Estimator through contrib.learn::

    def experiment_fn(run_config, hparams):
        estimator = tf.estimator.Estimator(model_fn=model_fn, config=run_config)
        return tf.contrib.learn.Experiment(estimator, train_input_fn=train_input, eval_input_fn=eval_input,
                                           train_steps=1000)

    learn_runner.run(experiment_fn, run_config=tf.contrib.learn.RunConfig(model_dir="out"))

On one machine ``learn_runner.run`` calls ``experiment_fn(run_config, hparams)`` (or, given an
``output_dir``, ``experiment_fn(output_dir)``) and runs the Experiment's ``train_and_evaluate``:
training to ``train_steps`` (``max_steps``), evaluating ``eval_steps`` batches (100 unless
given) at checkpoints and at the end, as ``tf.estimator.train_and_evaluate`` does with a
``TrainSpec(max_steps=...)`` and an ``EvalSpec(steps=...)``. ``normalized`` puts the
experiment function's statements where the run was (a factory's too:
``learn_runner.run(make_experiment_fn(args), ...)``), its parameters bound to what the run
passes, the RunConfig as ``tf.estimator.RunConfig``, and the Experiment as that call; the
Estimator rewrite then reads the program as any other. Anything else an Experiment or the run
is given (metrics, monitors, export strategies, a schedule other than ``train_and_evaluate``,
hyperparameters read) leaves the program as it is.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst

from .. import _tf
from .._eager import queries

RUNS = frozenset({"contrib.learn.python.learn.learn_runner.run", "contrib.learn.learn_runner.run"})
EXPERIMENT = frozenset({"contrib.learn.Experiment", "contrib.learn.python.learn.experiment.Experiment",
                        "contrib.learn.python.learn.Experiment"})
CONFIGS = frozenset({"contrib.learn.RunConfig", "contrib.learn.python.learn.estimators.run_config.RunConfig"})
# Experiment's parameters in order; those after train_steps/eval_steps that only time the evaluations
# made during training (train_and_evaluate has its own: after each checkpoint) are dropped.
_EXPERIMENT_PARAMS = ("estimator", "train_input_fn", "eval_input_fn", "eval_metrics", "train_steps", "eval_steps",
                      "train_monitors", "eval_hooks", "local_eval_frequency", "eval_delay_secs",
                      "continuous_eval_throttle_secs", "min_eval_frequency")
_TIMING = frozenset({"local_eval_frequency", "eval_delay_secs", "continuous_eval_throttle_secs", "min_eval_frequency"})
_RUN_PARAMS = ("experiment_fn", "output_dir", "schedule", "run_config", "hparams")
# contrib.learn.RunConfig's settings that tf.estimator.RunConfig has under the same name.
_CONFIG_KEYS = frozenset({"model_dir", "tf_random_seed", "save_summary_steps", "save_checkpoints_secs",
                          "save_checkpoints_steps", "keep_checkpoint_max", "keep_checkpoint_every_n_hours",
                          "log_step_count_steps", "session_config"})


class Skip(Exception):
    """This run is not one the normalization reads: the program stays as written."""


def normalized(module: cst.Module, imports, text: Optional[str] = None) -> Tuple[cst.Module, Dict[int, cst.CSTNode]]:
    """The module with each ``learn_runner.run`` of an Experiment (a statement of the module or of a
    function: ``main``) as the statements it ran; and, for the new statements, the run they came from
    (where a finding points). Unchanged when there is none."""
    def name(node) -> Optional[str]:
        return _tf.relative(imports.qualify(node)) if isinstance(node, (cst.Name, cst.Attribute)) else None

    if "learn_runner" not in (text if text is not None else module.code):
        return module, {}
    tf = next((local for local, full in sorted(imports.aliases.items()) if full == "tensorflow"), None)
    if tf is None:
        return module, {}
    runs = _Runs({s.name.value: s for s in module.body if isinstance(s, cst.FunctionDef)}, name, tf)
    new_module = module.visit(runs)
    if not runs.gone:
        return module, {}
    kept = []
    for stmt in new_module.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value in runs.gone and not _read_elsewhere(
                new_module, stmt.name.value, stmt):
            continue
        if unused_learn_import(stmt, new_module):
            continue
        kept.append(stmt)
    new_module = new_module.with_changes(body=kept)
    taken = _names(new_module, runs.statements)
    if any(n in taken for n in runs.bound):
        return module, {}  # an inlined local would take a name the program uses elsewhere
    return new_module, runs.origin


class _Runs(cst.CSTTransformer):
    """Each run statement of a block, with the statements it ran in its place."""

    def __init__(self, defs: Dict[str, cst.FunctionDef], name, tf: str) -> None:
        super().__init__()
        self.defs, self.name, self.tf = defs, name, tf
        self.origin: Dict[int, cst.CSTNode] = {}
        self.gone: Set[str] = set()
        self.bound: Set[str] = set()
        self.statements: List[cst.BaseStatement] = []  # those put in the runs' places

    def _body(self, body: Sequence[cst.BaseStatement]) -> List[cst.BaseStatement]:
        out = list(body)
        for index, stmt in enumerate(body):
            call = _run_call(stmt, self.name)
            if call is None:
                continue
            try:
                new, gone, config = _inline(call, self.defs, self.name, self.tf, out[:index])
            except Skip:
                continue
            new[0] = new[0].with_changes(leading_lines=[*stmt.leading_lines, *new[0].leading_lines])
            if config is not None:  # `run_config = tf.contrib.learn.RunConfig(...)` above the run
                where, replacement = config
                out[where] = replacement
            out[index] = cst.FlattenSentinel(new)
            self.origin.update((id(n), call) for n in new)
            self.statements.extend(new)
            self.gone |= gone
            for stmt_new in new:
                for target in queries.find(stmt_new, cst.AssignTarget):
                    self.bound |= {n.value for n in queries.find(target, cst.Name)}
        return [s for item in out for s in (item.nodes if isinstance(item, cst.FlattenSentinel) else [item])]

    def leave_IndentedBlock(self, original, updated):
        return updated.with_changes(body=self._body(updated.body))

    def leave_Module(self, original, updated):
        return updated.with_changes(body=self._body(updated.body))


def _run_call(stmt, name) -> Optional[cst.Call]:
    if (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, cst.Call) and name(stmt.body[0].value.func) in RUNS):
        return stmt.body[0].value
    return None


def _arguments(call: cst.Call, params: Sequence[str]) -> Dict[str, cst.BaseExpression]:
    given = {}
    for index, arg in enumerate(call.args):
        if arg.star:
            raise Skip
        key = arg.keyword.value if arg.keyword is not None else (params[index] if index < len(params) else None)
        if key not in params or key in given:
            raise Skip
        given[key] = arg.value
    return given


def _plain(func: cst.FunctionDef) -> List[str]:
    """The parameter names of a function without *args, keyword-only or decorators; else Skip."""
    p = func.params
    if func.decorators or func.asynchronous or p.posonly_params or p.kwonly_params or p.star_kwarg or isinstance(
            p.star_arg, cst.Param) or not isinstance(func.body, cst.IndentedBlock):
        raise Skip
    return [param.name.value for param in p.params]


def _statements(func: cst.FunctionDef) -> List[cst.BaseStatement]:
    body = list(func.body.body)
    if body and isinstance(body[0], cst.SimpleStatementLine) and isinstance(body[0].body[0], cst.Expr) and (
            isinstance(body[0].body[0].value, (cst.SimpleString, cst.ConcatenatedString))):
        body = body[1:]  # the docstring
    return body


def _bind(params: Sequence[str], given: Dict[str, cst.BaseExpression], defaults, out: list) -> None:
    """``param = value`` for each parameter the call gives another expression (or its default)."""
    for param in params:
        value = given.get(param, defaults.get(param))
        if value is None:
            raise Skip
        if not (isinstance(value, cst.Name) and value.value == param):
            out.append(cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(param))], value)]))


def _inline(call: cst.Call, defs: Dict[str, cst.FunctionDef], name, tf: str, before):
    run = _arguments(call, _RUN_PARAMS)
    schedule = run.get("schedule")
    if "experiment_fn" not in run or (schedule is not None and not (
            isinstance(schedule, cst.SimpleString) and schedule.evaluated_value == "train_and_evaluate")):
        raise Skip
    if "hparams" in run and not (isinstance(run["hparams"], cst.Name) and run["hparams"].value == "None"):
        raise Skip
    out: List[cst.BaseStatement] = []
    gone: Set[str] = set()
    fn = run["experiment_fn"]
    if isinstance(fn, cst.Call) and isinstance(fn.func, cst.Name) and fn.func.value in defs:
        factory = defs[fn.func.value]  # def make_experiment_fn(args): ...; def experiment_fn(...): ...; return it
        params = _plain(factory)
        body = _statements(factory)
        if not (body and isinstance(body[-1], cst.SimpleStatementLine) and isinstance(body[-1].body[0], cst.Return)
                and isinstance(body[-1].body[0].value, cst.Name)):
            raise Skip
        inner = next((s for s in body if isinstance(s, cst.FunctionDef)
                      and s.name.value == body[-1].body[0].value.value), None)
        if inner is None:
            raise Skip
        defaults = {p.name.value: p.default for p in factory.params.params if p.default is not None}
        _bind(params, _arguments(fn, params), defaults, out)
        lines = [s for s in body[:-1] if s is not inner]
        if any(not isinstance(s, (cst.FunctionDef, cst.ClassDef)) and queries.holds(s, cst.Return) for s in lines):
            raise Skip  # a factory that may return early
        out.extend(lines)
        gone.add(factory.name.value)
    elif isinstance(fn, cst.Name) and fn.value in defs:
        inner = defs[fn.value]
        gone.add(fn.value)
    else:
        raise Skip
    params = _plain(inner)
    config = run.get("run_config")
    replaced = None
    if config is not None and len(params) == 2:  # experiment_fn(run_config, hparams)
        if isinstance(config, cst.Name):  # bound above: `run_config = tf.contrib.learn.RunConfig(...)`
            replaced = _config_statement(before, config.value, name, tf)
            _bind(params[:1], {params[0]: config}, {}, out)
        else:
            out.append(cst.SimpleStatementLine([cst.Assign([cst.AssignTarget(cst.Name(params[0]))],
                                                           config_call(config, name, tf))]))
        hparams = params[1]
    elif config is None and "output_dir" in run and len(params) == 1:  # experiment_fn(output_dir)
        _bind(params, {params[0]: run["output_dir"]}, {}, out)
        hparams = None
    else:
        raise Skip
    body = _statements(inner)
    last = body[-1] if body else None
    if not (isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[0], cst.Return)
            and isinstance(last.body[0].value, cst.Call) and name(last.body[0].value.func) in EXPERIMENT):
        raise Skip
    for stmt in body[:-1]:
        if hparams is not None and isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.Del) and (
                isinstance(stmt.body[0].target, cst.Name) and stmt.body[0].target.value == hparams):
            continue  # `del hparams  # unused`
        if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)) or queries.holds(stmt, cst.Return):
            raise Skip
        out.append(stmt)
    if hparams is not None and any(queries.find(s, cst.Name, lambda n: n.value == hparams) for s in out):
        raise Skip
    out.append(_train_and_evaluate(last.body[0].value, last, tf))
    return out, gone, replaced


def _config_statement(before: Sequence[cst.BaseStatement], local: str, name, tf: str):
    """(index, statement) of the last ``local = tf.contrib.learn.RunConfig(...)`` of ``before``, the call
    made ``tf.estimator.RunConfig``; Skip when the name is bound otherwise."""
    for index in range(len(before) - 1, -1, -1):
        stmt = before[index]
        if not isinstance(stmt, cst.BaseStatement) or not queries.find(
                stmt, cst.AssignTarget, lambda t: isinstance(t.target, cst.Name) and t.target.value == local):
            continue
        if (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign)
                and len(stmt.body[0].targets) == 1):
            assign = stmt.body[0]
            return index, stmt.with_changes(body=[assign.with_changes(value=config_call(assign.value, name, tf))])
        break
    raise Skip


def config_call(value, name, tf: str) -> cst.BaseExpression:
    """``tf.contrib.learn.RunConfig(model_dir=...)`` as ``tf.estimator.RunConfig(...)``."""
    if not (isinstance(value, cst.Call) and name(value.func) in CONFIGS):
        raise Skip
    if any(arg.keyword is None or arg.keyword.value not in _CONFIG_KEYS for arg in value.args):
        raise Skip
    return value.with_changes(func=cst.parse_expression(f"{tf}.estimator.RunConfig"))


def _train_and_evaluate(experiment: cst.Call, stmt: cst.SimpleStatementLine, tf: str) -> cst.SimpleStatementLine:
    given = _arguments(experiment, _EXPERIMENT_PARAMS)
    if not {"estimator", "train_input_fn", "eval_input_fn"} <= set(given) or (
            set(given) - _TIMING - {"estimator", "train_input_fn", "eval_input_fn", "train_steps", "eval_steps"}):
        raise Skip

    def code(key):
        return cst.Module([]).code_for_node(given[key])

    train = f"{tf}.estimator.TrainSpec({code('train_input_fn')}"
    train += f", max_steps={code('train_steps')})" if "train_steps" in given else ")"
    evaluate = f"{tf}.estimator.EvalSpec({code('eval_input_fn')}"
    evaluate += f", steps={code('eval_steps')})" if "eval_steps" in given else ")"
    call = cst.parse_expression(f"{tf}.estimator.train_and_evaluate({code('estimator')}, {train}, {evaluate})")
    return stmt.with_changes(body=[cst.Expr(call)], leading_lines=stmt.leading_lines)


def _read_elsewhere(module: cst.Module, func: str, definition) -> bool:
    return any(queries.find(s, cst.Name, lambda n: n.value == func) for s in module.body if s is not definition)


def unused_learn_import(stmt, module: cst.Module) -> bool:
    """``from tensorflow.contrib.learn.python.learn import learn_runner`` (or ``... import Experiment``) once
    nothing reads what it imports: contrib.learn is in no TensorFlow 2 release."""
    if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
            and isinstance(stmt.body[0], cst.ImportFrom) and not stmt.body[0].relative
            and stmt.body[0].module is not None and not isinstance(stmt.body[0].names, cst.ImportStar)):
        return False
    source = cst.Module([]).code_for_node(stmt.body[0].module)
    if not source.startswith("tensorflow.contrib.learn"):
        return False
    locals_ = [(a.asname.name if a.asname else a.name) for a in stmt.body[0].names]
    if not all(isinstance(n, cst.Name) for n in locals_):
        return False
    wanted = {n.value for n in locals_}
    return not any(queries.find(s, cst.Name, lambda n: n.value in wanted) for s in module.body if s is not stmt)


def _names(module: cst.Module, statements: Sequence[cst.BaseStatement]) -> Set[str]:
    """Names the program's other statements bind or read (attributes aside: the ``estimator`` of
    ``tf.estimator``), wherever they are."""
    inlined = {id(n) for stmt in statements for n in queries.find(stmt, cst.Name)}
    attrs = {id(a.attr) for a in queries.find(module, cst.Attribute)}
    return {n.value for n in queries.find(module, cst.Name) if id(n) not in inlined and id(n) not in attrs}
