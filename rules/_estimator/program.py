"""Stage 1, analyse: the Estimator pieces of a program, found once and only read afterwards.

The estimators it builds (``est = tf.estimator.Estimator(...)``, canned ones), the
top-level functions (model functions and input functions), the names bound to
``numpy_input_fn(...)`` and to lists of feature columns, and the helpers of the
graph rewrite (``_eager``) that the model_fn's own graph code goes through.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from tfmigrate.names import dotted_name
from tfmigrate.traverse import StopWalk, Visitor, walk

from .. import _tf
from .._eager.program import analyse as analyse_graph
from .._eager import layout, queries
from .._eager.state import Rewrite, Unsupported
from .._vocab import (CANNED_ESTIMATORS as CANNED, ESTIMATOR as CUSTOM, FROM_KERAS, MODE_CONSTANTS,
                      UNMAPPED_ESTIMATORS, estimator_relative as relative)
from . import learn_estimators


@dataclass
class Built:
    """One ``name = tf.estimator.<kind>(...)``."""

    name: str  # the name bound to it (a builder that returns it as built: the builder's name)
    kind: str
    call: cst.Call
    scope: Optional[cst.FunctionDef]  # the function it is built in (None: module level)
    returned: bool = False  # `return tf.estimator.DNNClassifier(...)`: a builder returns it as it builds it


@dataclass
class Facts:
    module: cst.Module
    imports: object
    s: Rewrite  # the graph rewrite's state: its handlers convert the model_fn's graph code
    functions: Dict[str, cst.FunctionDef] = field(default_factory=dict)
    built: List[Built] = field(default_factory=list)
    assigned: Dict[str, List[cst.BaseExpression]] = field(default_factory=dict)  # name -> values bound to it
    notes: List[Tuple[cst.CSTNode, str]] = field(default_factory=list)  # what the calls on estimators drop
    keyed: Dict[int, cst.BaseExpression] = field(default_factory=dict)  # id of numeric_column(key=k) -> k
    # id of a tf.train optimizer bound to a name a canned estimator reads -> its Keras optimizer
    optimizers: Dict[int, cst.BaseExpression] = field(default_factory=dict)
    # id of an estimator's call -> its RunConfig's train_distribute (the strategy whose scope builds the model)
    # and tf_random_seed (set before the model is built)
    strategies: Dict[int, cst.BaseExpression] = field(default_factory=dict)
    seeds: Dict[int, cst.BaseExpression] = field(default_factory=dict)
    canned: Set[str] = field(default_factory=set)  # the names that hold a canned estimator's model
    # id of an input function's statement -> the dataset its ``return ...get_next()`` returns instead and the
    # comments of the statements that go (None: the iterator or get_next statement, which goes)
    one_shot: Dict[int, Optional[Tuple[cst.BaseExpression, List[cst.EmptyLine]]]] = field(default_factory=dict)
    methods: Set[str] = field(default_factory=set)  # functions of the file that are methods of a model now
    from_keras: Set[str] = field(default_factory=set)  # names that hold model_to_estimator's Keras model
    # functions defined inside functions (input functions beside the estimator, in main), by a name no other
    # function of the file has (None: two of them)
    nested: Dict[str, Optional[cst.FunctionDef]] = field(default_factory=dict)
    model_dirs: Dict[str, Set[int]] = field(default_factory=dict)  # a model_dir, as code -> id of its estimators
    # id of an estimator's call -> its model_dir (checkpoints.Directory), and the CheckpointManager it becomes
    directories: Dict[int, object] = field(default_factory=dict)
    managers: Dict[int, object] = field(default_factory=dict)
    manager_of: Dict[str, object] = field(default_factory=dict)  # the same by the estimator's name
    shared_dirs: Dict[str, cst.CSTNode] = field(default_factory=dict)  # a model_dir of several estimators, as code
    # `model = tf.contrib.estimator.add_metrics(model, my_rmse)`: the name -> (each call, the metrics it adds)
    added_metrics: Dict[str, List[Tuple[cst.Call, list]]] = field(default_factory=dict)
    metric_functions: Set[str] = field(default_factory=set)  # the metric_fn those calls pass
    # what each name is bound to in each function (id of the function; 0: the module's own statements)
    scoped: Dict[int, Dict[str, List[cst.BaseExpression]]] = field(default_factory=dict)
    tpus: Dict[int, object] = field(default_factory=dict)  # id of an Estimator call that was a TPUEstimator -> tpu.Tpu
    distributed: Set[str] = field(default_factory=set)  # names of models built under a distribution strategy
    written: Set[str] = field(default_factory=set)  # the functions written into the file once (tpu_strategy)
    per_mode: Set[str] = field(default_factory=set)  # model_fns whose params["batch_size"] is each mode's (tpu.py)
    distributed_model: bool = False  # the model_fn being converted is built under a distribution strategy
    # model_fns of two Estimators bound to one name in the two branches of an `if` (a TPUEstimator, else an
    # Estimator): one class; the model_fn's conversion (model_fn.Converted) and whether it is distributed
    branch_fns: Set[str] = field(default_factory=set)
    converted: Dict[str, Tuple[object, bool]] = field(default_factory=dict)
    _owners: Dict[int, int] = field(default_factory=dict)  # id of a Name -> id of the function around it

    def function(self, name: str) -> Optional[cst.FunctionDef]:
        """The function a name calls: the module's, or the one nested function of that name."""
        return self.functions.get(name) or self.nested.get(name)

    @property
    def tf(self) -> str:
        return self.s.tf

    def name(self, node) -> Optional[str]:
        return relative(self.s.tf_name(node))

    def call_name(self, node) -> Optional[str]:
        return relative(self.s.call_name(node))

    def value_of(self, node) -> Optional[cst.BaseExpression]:
        """The one value a name is ever bound to, else None; a parameter of a function that builds an
        estimator (``def build_estimator(config, embedding_size=8)``), what its one call passes it, or its
        default."""
        if isinstance(node, cst.Name):
            values = self.assigned.get(node.value, [])
            if len(values) == 1:
                return values[0]
            if not values:
                return self._builder_argument(node.value)
            # bound in several places: the one binding in the function that reads it (`age` a column there,
            # an array at module level), or the module's own when that function binds it nowhere
            scope_id = self.owner(node)
            local = self.scoped.get(scope_id, {}).get(node.value)
            if local is None and scope_id:
                local = self.scoped.get(0, {}).get(node.value)
            if local is not None and len(local) == 1:
                return local[0]
        return None

    def owner(self, node: cst.Name) -> int:
        """The id of the innermost function around a name of the module (0: the module's own statements)."""
        if not self._owners:
            for scope_id, scope in self._functions_by_id().items():
                for name in queries.find(scope, cst.Name):
                    self._owners[id(name)] = scope_id  # (inner functions come later: they win)
        return self._owners.get(id(node), 0)

    def _functions_by_id(self) -> Dict[int, cst.FunctionDef]:
        return {id(func): func for func in queries.find(self.module, cst.FunctionDef)}

    def _builder_argument(self, name: str) -> Optional[cst.BaseExpression]:
        found = []
        for builder in {id(item.scope): item.scope for item in self.built if item.scope is not None}.values():
            params = builder.params
            names = [p.name.value for p in params.params]
            if name not in names or params.star_arg is not cst.MaybeSentinel.DEFAULT or params.star_kwarg:
                continue
            calls = queries.find(self.module, cst.Call, lambda c: isinstance(c.func, cst.Name)
                                 and c.func.value == builder.name.value)
            if len(calls) != 1 or any(arg.star for arg in calls[0].args):
                return None
            given = dict(_tf.by_parameter(calls[0], names))
            value = given[name].value if name in given else params.params[names.index(name)].default
            if value is None:
                return None
            found.append(value)
        return found[0] if len(found) == 1 else None


class _Finder(Visitor):
    def __init__(self, facts: Facts) -> None:
        self.f = facts
        self.scope: List[cst.FunctionDef] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.scope and node.name.value not in self.f.functions:
            self.f.nested[node.name.value] = None if node.name.value in self.f.nested else node
        self.scope.append(node)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.scope.pop()

    def visit_Return(self, node: cst.Return) -> None:
        """``def build_estimator(config): return tf.estimator.DNNClassifier(...)``."""
        kind = self.f.call_name(node.value) if node.value is not None else None
        if self.scope and (kind == CUSTOM or kind in CANNED or kind in UNMAPPED_ESTIMATORS or kind == FROM_KERAS):
            self.f.built.append(Built(self.scope[-1].name.value, kind, node.value, self.scope[-1], returned=True))

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1 and isinstance(node.targets[0].target, (cst.Tuple, cst.List)):
            self._unpacked(node.targets[0].target, node.value)
        if len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Name):
            return
        name = node.targets[0].target.value
        self.f.assigned.setdefault(name, []).append(node.value)
        self.f.scoped.setdefault(id(self.scope[-1]) if self.scope else 0, {}).setdefault(name, []).append(node.value)
        kind = self.f.call_name(node.value)
        if kind == CUSTOM or kind in CANNED or kind in UNMAPPED_ESTIMATORS or kind == FROM_KERAS:
            self.f.built.append(Built(name, kind, node.value, self.scope[-1] if self.scope else None))

    def _unpacked(self, target, value) -> None:
        """``(gender, race, age) = INPUT_COLUMNS`` of a list written out (cloudml-samples' census model):
        each name is bound to its element."""
        if isinstance(value, cst.Name):
            values = self.f.assigned.get(value.value, [])
            value = values[0] if len(values) == 1 else None
        if not isinstance(value, (cst.List, cst.Tuple)) or len(value.elements) != len(target.elements):
            return
        if any(isinstance(e, cst.StarredElement) for e in (*value.elements, *target.elements)):
            return
        scoped = self.f.scoped.setdefault(id(self.scope[-1]) if self.scope else 0, {})
        for name, element in zip(target.elements, value.elements):
            if isinstance(name.value, cst.Name):
                self.f.assigned.setdefault(name.value.value, []).append(element.value)
                scoped.setdefault(name.value.value, []).append(element.value)


# The refusals a run over several files answers by reading a program with the module it imports
# (tfmigrate/merge.py): a library of model and input functions, and the program that builds the
# Estimator from them.
NOT_BUILT = ("tf.estimator is used, but no Estimator is built in this file: fix it in one run with the program that"
             " builds an Estimator from its model_fn")
MODEL_FN_ELSEWHERE = ("an Estimator whose model_fn is not a function of this file: fix it in one run with the file"
                      " that defines it")
BUILT_ELSEWHERE = ("an estimator built and returned by a function of another file: fix it in one run with the file"
                   " that defines it")
BUILDER_CALLED_ELSEWHERE = ("an estimator built and returned by a function that no code of this file calls: fix it"
                            " in one run with the program that calls it")
LIBRARY = (NOT_BUILT, BUILDER_CALLED_ELSEWHERE)  # a library of an Estimator program
PROGRAM = (MODEL_FN_ELSEWHERE, BUILT_ELSEWHERE)  # a program of such a library


def analyse(module: cst.Module, imports, text: Optional[str], moved=frozenset()) -> Facts:
    """``moved``: the TF1 names other rules rewrite (the graph rewrite's ``Program.moved``)."""
    graph = analyse_graph(module, imports, text, moved)
    facts = Facts(module, imports, Rewrite(graph))
    facts.s.helpers_out = []  # classes written into the file (TF1RMSprop): emit.py places them
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef):
            facts.functions[stmt.name.value] = stmt
    walk(module, _Finder(facts))
    from .added_metrics import call_of, metrics_of

    for name, values in facts.assigned.items():
        for value in values:
            added = call_of(facts, value)
            if added is not None:
                if added[0] != name:
                    raise Unsupported(value, f"add_metrics of {added[0]} bound to another name, {name}")
                facts.added_metrics.setdefault(name, []).append((value, metrics_of(facts, value, added[1])))
                facts.metric_functions.add(added[1])
    if not facts.built:
        raise Unsupported(None, BUILT_ELSEWHERE if _built_elsewhere(facts) else NOT_BUILT)
    return facts


_ESTIMATOR_METHODS = ("train", "evaluate", "predict", "export_savedmodel", "export_saved_model", "latest_checkpoint",
                      "get_variable_value")


def _built_elsewhere(f: Facts) -> bool:
    """Does the program bind the value of another module's function (``model.build_estimator(...)``, or a name
    it imports) to a name it uses as an estimator (``train_and_evaluate(estimator, ...)``, ``estimator.train``)?"""
    imported = {name for name, full in f.imports.aliases.items() if full.split(".")[0] != "tensorflow"}
    for node in queries.find(f.module, cst.ImportFrom, lambda n: bool(n.relative)):  # `from . import model`
        for alias in node.names if not isinstance(node.names, cst.ImportStar) else ():
            bound = alias.asname.name if alias.asname is not None else alias.name
            if isinstance(bound, cst.Name):
                imported.add(bound.value)
    for name, values in f.assigned.items():
        if len(values) != 1 or not isinstance(values[0], cst.Call):
            continue
        func = values[0].func
        root = func
        while isinstance(root, cst.Attribute):
            root = root.value
        if not isinstance(root, cst.Name) or root.value not in imported:
            continue
        if queries.holds(f.module, cst.Call, lambda c: (
                isinstance(c.func, cst.Attribute) and isinstance(c.func.value, cst.Name) and c.func.value.value == name
                and c.func.attr.value in _ESTIMATOR_METHODS) or (
                _tf.relative(f.imports.qualify(c.func)) == "estimator.train_and_evaluate" and c.args
                and isinstance(c.args[0].value, cst.Name) and c.args[0].value.value == name)):
            return True
    return False


class _Uses(Visitor):
    def __init__(self, imports) -> None:
        self.imports = imports
        self.found = False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        name = relative(_tf.relative(self.imports.qualify(node)))
        if name is None:
            return True
        if ((name == "estimator" or name.startswith(("estimator.", "keras.estimator.", "contrib.tpu.TPUEstimator"))
                or name in learn_estimators.ESTIMATORS or name in learn_estimators.SPECS) and name not in MODE_CONSTANTS):
            self.found = True  # its mode constants alone are strings (TFM110)
            raise StopWalk
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        """``from tensorflow.estimator import ModeKeys``: a name of tf.estimator, imported."""
        name = relative(_tf.relative(dotted_name(node.module))) if node.module is not None and not node.relative else None
        if name is not None and (name == "estimator" or name.startswith("estimator.")):
            self.found = True
            raise StopWalk
        return False


def uses_estimator(module: cst.Module, imports) -> bool:
    if not any(full.startswith("tensorflow") for full in imports.aliases.values()):
        return False
    finder = _Uses(imports)
    walk(module, finder)
    return finder.found


def camel(name: str) -> str:
    """A class name from a Python name: ``cnn_model_fn`` -> ``CnnModelFn``, ``three_classes`` -> ``ThreeClasses``."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_") if part) or "Model"


def subscript_key(node: cst.BaseExpression, name: str) -> Optional[str]:
    """``key`` of ``name["key"]`` (a string subscript of that name), else None."""
    if (isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name) and node.value.value == name
            and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index)
            and isinstance(node.slice[0].slice.value, cst.SimpleString)):
        return node.slice[0].slice.value.evaluated_value
    return None


def string_key(element: cst.BaseDictElement) -> Optional[str]:
    """The key of a dict literal's ``"key": value`` element, else None."""
    if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
        return element.key.evaluated_value
    return None


def arguments(call: cst.Call, names, problem: str, where: Optional[cst.CSTNode] = None) -> Dict[str, cst.BaseExpression]:
    """A call's arguments by parameter name (``names`` in order); Unsupported(problem) at ``where``
    (default: the call) for ``*args`` or an argument past ``names``."""
    given = {}
    for key, arg in _tf.by_parameter(call, names):
        if key is None or arg.star:
            raise Unsupported(where or call, problem)
        given[key] = arg.value
    return given


def placed(f: Facts, line: Optional[cst.SimpleStatementLine], written: cst.CSTNode, new: cst.CSTNode, column: int,
           deeper: int) -> cst.CSTNode:
    """``new``, the rewrite of ``written`` (a part of the statement ``line``), to start at ``column`` of a
    statement ``deeper`` levels below: its continuation lines keep their place relative to its first line
    (a hanging indent stays one level deeper than the statement, an aligned one under its bracket)."""
    code = f.s.code(written)
    source = f.s.code(line.with_changes(leading_lines=())) if line is not None else ""
    at = source.find(code)  # a node's code is relative to its statement's block: so is the line's
    if "\n" not in code or at < 0:
        return new
    indent = deeper * len(f.module.default_indent)
    if layout.hanging(code):
        return layout.shift(new, indent - layout.indentation(source, at))
    return layout.shift(new, indent + column - layout.column(source, at))


def returned(stmt: cst.CSTNode) -> Optional[cst.BaseExpression]:
    """The value of a ``return X`` line, else None."""
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Return):
        return stmt.body[0].value
    return None


def mode_string(f: Facts, original: cst.CSTNode, updated: cst.BaseExpression, strict: bool = False):
    """``tf.estimator.ModeKeys.TRAIN`` -> ``"train"`` (the strings the Keras model's modes are); another
    ModeKeys name stays as it is, or stops the rewrite when ``strict`` (inside a model_fn)."""
    name = f.name(original)
    if name is not None and name.startswith(("estimator.ModeKeys.", "contrib.learn.ModeKeys.")):
        if name in MODE_CONSTANTS:  # (contrib.learn's, beside tf.estimator's: the same strings)
            return cst.SimpleString(f'"{MODE_CONSTANTS[name]}"')
        if strict:
            raise Unsupported(original, f"tf.{name}")
    return updated
