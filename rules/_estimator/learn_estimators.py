"""``tf.contrib.learn.Estimator``, read as the ``tf.estimator.Estimator`` it was the first version of.

TensorFlow 1.0-1.3 programs built a custom estimator with contrib.learn::

    def model_fn(features, targets, mode, params):
        ...
        return model_fn_lib.ModelFnOps(mode=mode, predictions=predictions, loss=loss, train_op=train_op)

    estimator = tf.contrib.learn.Estimator(model_fn=model_fn, params=model_params)
    estimator.fit(input_fn=train_input_fn, steps=1000)
    estimator.evaluate(input_fn=test_input_fn)

contrib.learn's Estimator called the model_fn as tf.estimator's does (``targets`` was its name
for the labels), its ``ModelFnOps`` has the fields of ``EstimatorSpec`` (``output_alternatives``
aside), its ``ModeKeys.INFER`` is tf.estimator's ``PREDICT`` (the same string, "infer"), and
``fit(input_fn=..., steps=..., max_steps=...)`` is ``train``; ``evaluate`` and ``predict`` given
an ``input_fn`` are tf.estimator's. ``normalized`` writes the program with tf.estimator's names,
and the Estimator rewrite reads it as any other. An estimator fed NumPy arrays
(``fit(x=..., y=...)``), given monitors, metrics or a ``feature_engineering_fn``, or a
ModelFnOps with ``output_alternatives``, leaves the program as it is written.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from .. import _tf
from .._eager import queries
from . import experiments

_LEARN = ("contrib.learn.", "contrib.learn.python.learn.", "contrib.learn.python.learn.estimators.estimator.",
          "contrib.learn.python.learn.estimators.model_fn.", "contrib.learn.python.learn.estimators.")
ESTIMATORS = frozenset(prefix + "Estimator" for prefix in _LEARN)
SPECS = frozenset(prefix + "ModelFnOps" for prefix in _LEARN)
_MODES = {f"{prefix}ModeKeys.{key}": new for prefix in _LEARN
          for key, new in (("TRAIN", "TRAIN"), ("EVAL", "EVAL"), ("INFER", "PREDICT"))}
_ESTIMATOR_PARAMS = ("model_fn", "model_dir", "config", "params", "feature_engineering_fn")
_SPEC_PARAMS = ("mode", "predictions", "loss", "train_op", "eval_metric_ops", "output_alternatives",
                "training_chief_hooks", "training_hooks", "scaffold")
# method -> (tf.estimator's name, the keywords it may be given)
_METHODS = {"fit": ("train", frozenset({"input_fn", "steps", "max_steps"})),
            "evaluate": ("evaluate", frozenset({"input_fn", "steps", "name", "checkpoint_path", "hooks"})),
            "predict": ("predict", frozenset({"input_fn", "as_iterable"}))}


class _Skip(Exception):
    """Not a program this normalization reads: it stays as written."""


def normalized(module: cst.Module, imports, text: Optional[str] = None) -> Tuple[cst.Module, Dict[int, cst.CSTNode]]:
    """The module written with tf.estimator's names for contrib.learn's Estimator, ModelFnOps, ModeKeys and
    ``fit``; and, for each node replaced, the node it was (where a finding points). Unchanged when the
    program builds no contrib.learn Estimator, or one this does not read."""
    if "learn" not in (text if text is not None else module.code):
        return module, {}
    tf = next((local for local, full in sorted(imports.aliases.items()) if full == "tensorflow"), None)
    if tf is None:
        return module, {}
    try:
        return _Normalizer(module, imports, tf).run()
    except _Skip:
        return module, {}


class _Normalizer:
    def __init__(self, module: cst.Module, imports, tf: str) -> None:
        self.module, self.imports, self.tf = module, imports, tf
        self.parent = queries.parents(module)
        self.mapping: Dict[int, object] = {}
        self.origin: Dict[int, cst.CSTNode] = {}
        self.names: Set[str] = set()  # the names the estimators are bound to

    def name(self, node) -> Optional[str]:
        return _tf.relative(self.imports.qualify(node)) if isinstance(node, (cst.Name, cst.Attribute)) else None

    def replace(self, old: cst.CSTNode, new: cst.CSTNode) -> None:
        self.mapping[id(old)] = new
        self.origin[id(new)] = old

    def expr(self, code: str) -> cst.BaseExpression:
        return cst.parse_expression(code)

    def run(self) -> Tuple[cst.Module, Dict[int, cst.CSTNode]]:
        calls = queries.find(self.module, cst.Call)
        built = [call for call in calls if self.name(call.func) in ESTIMATORS]
        if not built:
            return self.module, {}
        configs = [self.estimator(call) for call in built]  # the names first: the methods are theirs
        for node in queries.find(self.module, cst.Attribute):
            new = _MODES.get(self.name(node) or "")
            if new is not None:
                self.replace(node, self.expr(f"{self.tf}.estimator.ModeKeys.{new}"))
        for call in reversed(calls):  # inner calls first: an outer one is rebuilt with them
            if self.name(call.func) in SPECS:
                self.spec(call)
            elif isinstance(call.func, cst.Attribute) and isinstance(call.func.value, cst.Name) and (
                    call.func.value.value in self.names):
                self.method(call)
        for call, config in zip(built, configs):
            args = self.inner(call.args)
            if config is not None:
                args[call.args.index(config[0])] = config[0].with_changes(value=config[1])
            self.replace(call, call.with_changes(func=self.expr(f"{self.tf}.estimator.Estimator"), args=args))
        module = queries.replaced(self.module, self.mapping, self.parent)
        left = [stmt for stmt in module.body if not experiments.unused_learn_import(stmt, module)]
        return module.with_changes(body=left), self.origin

    def inner(self, args) -> List[cst.Arg]:
        """Arguments with what was replaced inside them."""
        return [arg.with_changes(value=queries.replaced(arg.value, self.mapping, self.parent)) for arg in args]

    def estimator(self, call: cst.Call) -> Optional[Tuple[cst.Arg, cst.BaseExpression]]:
        """``tf.contrib.learn.Estimator(model_fn=..., ...)``, bound to a name: checked, its model_fn's
        parameters read; (its ``config=`` argument, that RunConfig as tf.estimator's) where it is built there."""
        given = dict(_tf.by_parameter(call, _ESTIMATOR_PARAMS))
        if None in given or "feature_engineering_fn" in given or "model_fn" not in given:
            raise _Skip
        assign = self.parent.get(id(call))
        if not (isinstance(assign, cst.Assign) and len(assign.targets) == 1
                and isinstance(assign.targets[0].target, cst.Name)):
            raise _Skip
        local = assign.targets[0].target.value
        if any(not (isinstance(a.value, cst.Call) and self.name(a.value.func) in ESTIMATORS)
               for a in queries.find(self.module, cst.Assign, lambda a: any(
                   isinstance(t.target, cst.Name) and t.target.value == local for t in a.targets))):
            raise _Skip  # the name holds something else too
        self.names.add(local)
        self.model_fn(given["model_fn"].value)
        config = given.get("config")
        if config is None or not (isinstance(config.value, cst.Call) and self.name(config.value.func) in (
                experiments.CONFIGS)):
            return None
        try:
            return config, experiments.config_call(config.value, self.name, self.tf)
        except experiments.Skip:
            raise _Skip from None

    def model_fn(self, value: cst.BaseExpression) -> None:
        """``def model_fn(features, targets, mode)``: tf.estimator passes the labels to a parameter named
        ``labels`` only, so ``targets`` is renamed in the function."""
        function = next((stmt for stmt in self.module.body if isinstance(stmt, cst.FunctionDef)
                         and isinstance(value, cst.Name) and stmt.name.value == value.value), None)
        if function is None or not any(p.name.value == "targets" for p in function.params.params):
            return
        if queries.holds(function, cst.Name, lambda n: n.value == "labels") or queries.holds(
                function.body, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            raise _Skip
        for node in queries.find(function, cst.Name, lambda n: n.value == "targets"):
            parent = self.parent.get(id(node))
            if isinstance(parent, cst.Attribute) and parent.attr is node or isinstance(
                    parent, cst.Arg) and parent.keyword is node:
                continue
            self.replace(node, cst.Name("labels"))

    def spec(self, call: cst.Call) -> None:
        given = dict(_tf.by_parameter(call, _SPEC_PARAMS))
        if None in given or "output_alternatives" in given:
            raise _Skip
        self.replace(call, call.with_changes(func=self.expr(f"{self.tf}.estimator.EstimatorSpec"),
                                             args=self.inner(call.args)))

    def method(self, call: cst.Call) -> None:
        """``estimator.fit(input_fn=..., steps=...)`` -> ``estimator.train(...)``; evaluate and predict given
        an input_fn as they are (predict's ``as_iterable=True``, tf.estimator's only way, goes)."""
        found = _METHODS.get(call.func.attr.value)
        if found is None:
            return  # another use (get_variable_value, model_dir, export): the Estimator rewrite judges it
        new, allowed = found
        if any(arg.keyword is None or arg.keyword.value not in allowed for arg in call.args):
            raise _Skip
        args = [arg for arg in self.inner(call.args) if arg.keyword.value != "as_iterable"]
        if len(args) != len(call.args) and not any(
                arg.keyword.value == "as_iterable" and isinstance(arg.value, cst.Name) and arg.value.value == "True"
                for arg in call.args):
            raise _Skip  # as_iterable=False: one array per output, which tf.estimator's predict does not give
        if args:
            args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        self.replace(call, call.with_changes(func=call.func.with_changes(attr=cst.Name(new)), args=args))
