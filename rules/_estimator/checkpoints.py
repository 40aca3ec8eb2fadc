"""An Estimator's ``model_dir`` as the Keras model's checkpoints.

TF1's Estimator wrote a checkpoint into ``model_dir`` when each ``train`` call ended, and each
``train``, ``evaluate`` and ``predict`` began by restoring the latest one: a program run again
resumed where the last run stopped (``max_steps`` counted from there). The Keras model keeps that
with a ``tf.train.CheckpointManager`` over its weights and its optimizer (whose ``iterations`` is
the global step)::

    classifier = DNNClassifier(...)
    classifier_checkpoints = tf.train.CheckpointManager(
        tf.train.Checkpoint(model=classifier, layers=classifier.layers, optimizer=classifier.optimizer),
        tf.io.gfile.join(FLAGS.model_dir, "keras"), max_to_keep=5)
    classifier_checkpoints.restore_or_initialize()
    classifier.fit(...)
    classifier_checkpoints.save(checkpoint_number=classifier.optimizer.iterations)

restored as the model is built (a variable made later takes its value when it is made), saved
after each fit (``layers=classifier.layers``: a model's layers held in a list, as a DNN's hidden
layers are, are no attribute a checkpoint follows); ``est.latest_checkpoint()`` is the manager's ``latest_checkpoint``. They go to
``model_dir/keras``: TF1's own checkpoints, in ``model_dir``, have TF1's variable names and do not
load into the Keras model, and the TF1 program, run again, does not meet the Keras ones.

Only where every use of the estimator is seen: its name bound once, by ``name = <estimator>(...)``,
used in the scope that binds it, passed to no function, each ``train`` a statement of its own; and
only for a directory known to be a string (a flag or an argument may be None, where TF1 used a
temporary directory).
Else the directory goes with a note (``specs.NOTE``), as does a directory made for the
estimator alone (``model_dir=tempfile.mkdtemp()``), which nothing reads again, and the directory
of a model built under a distribution strategy (Keras builds it by running its ``call`` on
symbolic inputs, which a restored checkpoint's values cannot reach: see ``built_by_its_layers``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional

import libcst as cst

from .. import _tf
from .._eager import queries
from .._eager.state import Unsupported
from .program import Built, Facts

NOTE = ("model_dir: the Keras model's checkpoints (its weights and its optimizer's, with the step) are written to "
        "model_dir/keras by a tf.train.CheckpointManager after each fit, and restored when the model is built, as "
        "the Estimator resumed from model_dir (TF1's checkpoints there have TF1's variable names: they are not "
        "read). Summaries are not written: add keras.callbacks.TensorBoard")
METHODS = ("train", "evaluate", "predict", "get_variable_value", "export_saved_model", "export_savedmodel",
           "latest_checkpoint")


@dataclass
class Directory:
    """The ``model_dir`` of one estimator: where it is given, and whether its code can move to the
    statement after the estimator's (the estimator's argument moves; a RunConfig's, when it calls nothing)."""

    value: cst.BaseExpression
    note_at: cst.CSTNode
    movable: bool
    keep: str = "5"  # RunConfig(keep_checkpoint_max=N), written out
    dropped: str = ""  # what the note says goes where the directory is not kept: `tf.X(model_dir=...)`, a RunConfig
    config: Optional[cst.Call] = None  # the RunConfig it is given in


@dataclass
class Manager:
    name: str  # the manager's name
    directory: str  # the code of model_dir
    keep: str  # how many checkpoints it keeps


def record(f: Facts, owner: cst.Call, value: cst.BaseExpression, what: str,
           config: Optional[cst.Call] = None) -> None:
    """``owner``'s model_dir: its own argument (``config`` None) or its RunConfig's. ``what``: the estimator."""
    movable = config is None or not queries.holds(value, cst.Call)
    keep = "5"
    for arg in config.args if config is not None else ():
        if arg.keyword is not None and arg.keyword.value == "keep_checkpoint_max":
            if not isinstance(arg.value, cst.Integer):
                movable = False  # (a number it computes: the note)
            keep = f.s.code(arg.value)
    if f.s.code(value).startswith("tempfile.mkdtemp("):
        movable = False
    if what == "model_to_estimator":
        movable = False  # the program's own Keras model: it may be built otherwise, or used elsewhere
    dropped = f"{what}(model_dir=...)" if config is None else "RunConfig (model_dir, checkpoint and summary settings)"
    f.directories[id(owner)] = Directory(value, value, movable, keep, dropped, config)


def managed(f: Facts) -> Dict[str, Manager]:
    """The estimators (by name) whose model_dir becomes a CheckpointManager; every other recorded
    directory gets the note that it is dropped."""
    from .specs import NOTE as DROPPED

    _no_reader(f)
    result: Dict[str, Manager] = {}
    names = [item.name for item in f.built]
    for item in f.built:
        directory = f.directories.get(id(item.call))
        if directory is None:
            continue
        if (directory.movable and names.count(item.name) == 1 and id(item.call) not in f.strategies
                and _a_string(f, directory.value) and _in_scope(f, directory, item) and _seen_whole(f, item)):
            result[item.name] = Manager(f.s.fresh(f"{item.name}_checkpoints"), f.s.code(directory.value),
                                        directory.keep)
            f.managers[id(item.call)] = f.manager_of[item.name] = result[item.name]
            f.notes.append((directory.note_at, NOTE))
        else:
            f.notes.append((directory.note_at, DROPPED.format(what=directory.dropped)))
    for code, node in f.shared_dirs.items():
        _shared(f, code, node)
    return result


# What reads an Estimator's own checkpoints in its model_dir (by the directory, or a path in it).
READERS = {"train.latest_checkpoint", "train.load_variable", "train.list_variables", "train.load_checkpoint",
           "train.get_checkpoint_state", "train.checkpoint_exists", "train.NewCheckpointReader",
           "compat.v1.train.latest_checkpoint", "compat.v1.train.load_variable", "compat.v1.train.list_variables",
           "compat.v1.train.get_checkpoint_state", "compat.v1.train.checkpoint_exists",
           "compat.v1.train.NewCheckpointReader"}


LISTINGS = {"os.listdir", "os.scandir", "os.walk", "glob.glob", "tf.io.gfile.listdir", "tf.io.gfile.glob",
            "tf.gfile.ListDirectory", "tf.gfile.Glob", "tf.io.gfile.walk", "tf.gfile.Walk"}


def _no_reader(f: Facts) -> None:
    """Refused: code reading the Estimator's checkpoints in its model_dir (``tf.train.latest_checkpoint(model_dir)``,
    ``load_variable``): the Keras model's, if kept, are in model_dir/keras, under other variable names."""
    directories = {f.s.code(d.value) for d in f.directories.values()}
    if not directories:
        return
    for call in queries.find(f.module, cst.Call, lambda c: f.call_name(c) in READERS or f.s.code(c.func) in LISTINGS):
        if call.args and any(code in queries.names_in(call.args[0].value) if code.isidentifier()
                             else code in f.s.code(call.args[0].value) for code in directories):
            what = f"tf.{f.call_name(call)}" if f.call_name(call) in READERS else f.s.code(call.func)
            raise Unsupported(call, f"{what} of the Estimator's model_dir: the Keras model's checkpoints are not "
                                    "TF1's (est.latest_checkpoint() is the rewrite's own; read a variable with "
                                    "est.get_variable_value)")


def _shared(f: Facts, code: str, node: cst.CSTNode) -> None:
    """Several estimators of one model_dir: each restored what the one before trained. Kept where each
    has its manager and each is made after every training of the ones before (the later one restores
    the checkpoint of the last fit as it is built); else refused."""
    from .specs import shared_directory

    owners = f.model_dirs[code]
    items = [item for item in f.built if id(item.call) in owners]
    if any(id(item.call) not in f.managers for item in items):
        raise shared_directory(code, node)
    calls = queries.find(f.module, cst.Call, lambda c: id(c) in owners or any(
        _method(c, item.name) == "train" or _loop_of(f, c, item.name) for item in items))
    made = [i for i, call in enumerate(calls) if id(call) in owners]
    for earlier, later in zip(made, made[1:]):
        trainer = next(item.name for item in items if item.call is calls[earlier])
        if any(_method(call, trainer) == "train" or _loop_of(f, call, trainer) for call in calls[later + 1:]):
            raise shared_directory(code, node)


_PATHS = ("os.path.join", "tf.io.gfile.join", "tempfile.mkdtemp", "str", "os.path.abspath", "os.path.expanduser",
          "os.getcwd", "os.path.dirname")


def _a_string(f: Facts, value: cst.BaseExpression, depth: int = 0) -> bool:
    """Is the directory a string, not None (TF1 then used a temporary one): a string, a path joined or made,
    or a name only ever bound to one (not a flag or an argument, which may be None)?"""
    if depth > 4:
        return False
    if isinstance(value, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        return True
    if isinstance(value, cst.BinaryOperation):  # "runs/" + name, "%s/model" % base
        return _a_string(f, value.left, depth + 1)
    if isinstance(value, cst.Call):
        func = f.s.code(value.func)
        return func in _PATHS or func.endswith(".format") and _a_string(f, value.func.value, depth + 1)
    if isinstance(value, cst.Name):
        bound = f.assigned.get(value.value, [])
        return bool(bound) and all(_a_string(f, v, depth + 1) for v in bound)
    return False


def _in_scope(f: Facts, directory: Directory, item: Built) -> bool:
    """Can the directory's code be written after the estimator's statement? Its own argument, or a
    RunConfig made in the function that makes the estimator (or both at module level)."""
    if directory.config is None:
        return True
    return f.owner(queries.find(directory.config, cst.Name, first=True)[0]) == _scope_id(item)


def _scope_id(item: Built) -> int:
    """The id of the function that makes the estimator, as ``Facts.owner`` gives it (0: the module)."""
    return id(item.scope) if item.scope is not None else 0


def _seen_whole(f: Facts, item: Built) -> bool:
    if item.returned or not _bound_by_itself(f, item) or not _built_before_read(f, item.name):
        return False
    trains = {id(e.value.func.value) for e in queries.find(f.module, cst.Expr,
                                                           lambda e: _method(e.value, item.name) == "train")}
    loops = {id(s.value.args[0].value) for s in queries.find(f.module, (cst.Expr, cst.Assign),
                                                             lambda s: _loop_of(f, s.value, item.name))}
    methods = {id(c.func.value): c.func.attr.value for c in queries.find(
        f.module, cst.Call, lambda c: _method(c, item.name) is not None)}  # `name.<method>(...)`, by the name
    for node in queries.find(f.module, cst.Name, lambda n: n.value == item.name, values=True):
        if f.owner(node) != _scope_id(item):
            return False  # another scope's name, or the estimator read through a closure
        if id(node) in trains or id(node) in loops:
            continue
        if methods.get(id(node)) in METHODS and methods[id(node)] != "train":
            continue
        if not _is_target(f, item, node):
            return False
    return True


def _built_before_read(f: Facts, name: str) -> bool:
    """Is each read of the model's variables (``get_variable_value``, an export) after a call that builds
    it (an evaluation, a prediction, a training that is not ``max_steps`` only)? A model restored from a
    checkpoint has its variables once its layers are first called: TF1 read them from the checkpoint."""
    built = False
    for call in queries.find(f.module, cst.Call, lambda c: _method(c, name) is not None or _loop_of(f, c, name)):
        method = _method(call, name)
        if method in ("evaluate", "predict") or method is None:
            built = True
        elif method == "train":
            steps = _tf.argument(call, 2, "steps")  # (input_fn, hooks, steps, max_steps)
            built = built or (steps is not None and f.s.code(steps.value) != "None")
        elif method in ("get_variable_value", "export_saved_model", "export_savedmodel") and not built:
            return False
    return True


def _bound_by_itself(f: Facts, item: Built) -> bool:
    """``name = <estimator>(...)`` alone on its line."""
    return bool(queries.find(f.module, cst.SimpleStatementLine, lambda line: (
        len(line.body) == 1 and isinstance(line.body[0], cst.Assign) and line.body[0].value is item.call
        and len(line.body[0].targets) == 1 and isinstance(line.body[0].targets[0].target, cst.Name)), first=True))


def _is_target(f: Facts, item: Built, node: cst.Name) -> bool:
    return bool(queries.find(f.module, cst.Assign, lambda a: a.value is item.call and a.targets[0].target is node,
                             first=True))


def _method(value: cst.BaseExpression, name: str) -> Optional[str]:
    if (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
            and isinstance(value.func.value, cst.Name) and value.func.value.value == name):
        return value.func.attr.value
    return None


def _loop_of(f: Facts, value, name: str) -> bool:
    """``tf.estimator.train_and_evaluate(name, ...)``, a statement's value."""
    from .specs import TRAIN_AND_EVALUATE

    return (isinstance(value, cst.Call) and f.call_name(value) == TRAIN_AND_EVALUATE and bool(value.args)
            and isinstance(value.args[0].value, cst.Name) and value.args[0].value.value == name)


BUILD = """
def build(self, input_shape):
    self.built = True  # its layers build at their first call, with the values of the checkpoint restored
"""


def built_by_its_layers(cls: cst.ClassDef) -> cst.ClassDef:
    """A model class with a ``call`` whose ``build`` only says it is built. Keras builds a model with a
    ``call`` by running it on symbolic inputs first, and a layer built there cannot take the values of
    a checkpoint restored before (Keras then builds it again, with new variables); built at their first
    real call, as a model without ``call`` builds them, they take them."""
    members = list(cls.body.body)
    names = [m.name.value for m in members if isinstance(m, cst.FunctionDef)]
    if "call" not in names or "build" in names:
        return cls
    at = next(i for i, m in enumerate(members) if isinstance(m, cst.FunctionDef) and m.name.value == "call")
    indent = cls.body.indent if isinstance(cls.body.indent, str) else "    "
    method = cst.parse_statement(BUILD.replace("\n    ", "\n" + indent).lstrip("\n"))
    members.insert(at, method.with_changes(leading_lines=members[at].leading_lines))
    return cls.with_changes(body=cls.body.with_changes(body=members))


def made(f: Facts, manager: Manager, est: str) -> List[cst.SimpleStatementLine]:
    """The statements after the estimator's: the manager, and the restore."""
    tf = f.tf
    code = (f"{manager.name} = {tf}.train.CheckpointManager(\n"
            f"    {tf}.train.Checkpoint(model={est}, layers={est}.layers, optimizer={est}.optimizer), "
            f"{tf}.io.gfile.join({manager.directory}, \"keras\"), max_to_keep={manager.keep})\n")
    config = f.module.config_for_parsing
    return [cst.parse_statement(code, config=config),
            cst.parse_statement(f"{manager.name}.restore_or_initialize()\n", config=config)]


def saved(f: Facts, manager: Manager, est: str) -> cst.SimpleStatementLine:
    """The statement after a fit: the checkpoint of the step reached."""
    return cst.parse_statement(f"{manager.name}.save(checkpoint_number={est}.optimizer.iterations)\n",
                               config=f.module.config_for_parsing)


def trained(f: Facts, statement: cst.SimpleStatementLine, managers: Dict[str, Manager]) -> Optional[str]:
    """The estimator a statement trains (``est.train(...)``, ``train_and_evaluate(est, ...)``) that has a
    manager, or None."""
    if len(statement.body) != 1 or not isinstance(statement.body[0], (cst.Expr, cst.Assign)):
        return None
    value = statement.body[0].value
    for name in managers:
        if (isinstance(statement.body[0], cst.Expr) and _method(value, name) == "train") or _loop_of(f, value, name):
            return name
    return None
