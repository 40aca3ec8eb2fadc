"""Stage 3, emit: the module with each Estimator replaced by its Keras model.

The model_fn's definition becomes its class (same place); a canned estimator's
class goes before the top-level statement that builds it; constructions,
``numpy_input_fn`` calls, ``ModeKeys`` and the calls made on each estimator are
replaced where they stand. Every name bound to an estimator must be used only
through the calls ``driver`` maps.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from .. import _tf
from .._eager import queries
from .._eager.state import Unsupported
from .._vocab import ESTIMATOR as CUSTOM, FROM_KERAS, NUMPY_INPUT, UNMAPPED_ESTIMATORS
from . import builders, canned, checkpoints, columns, custom, driver, specs, tf2
from .program import Facts, mode_string


def _guarded(line: cst.SimpleStatementLine) -> cst.BaseStatement:
    """``est.fit(...) if est.optimizer.iterations < M else None`` alone on its line (``train(max_steps=M)``):
    an if statement (past step M, TF1 trained no step; Keras would read a whole epoch for zero steps)."""
    small = line.body[0] if len(line.body) == 1 else None
    value = small.value if isinstance(small, cst.Expr) else None
    if not (isinstance(value, cst.IfExp) and isinstance(value.orelse, cst.Name) and value.orelse.value == "None"):
        return line
    header = cst.TrailingWhitespace(whitespace=cst.SimpleWhitespace("  "),
                                   comment=cst.Comment("# max_steps: the steps left, none past it"))
    inner = cst.SimpleStatementLine([cst.Expr(value.body)], trailing_whitespace=line.trailing_whitespace)
    return cst.If(test=value.test, body=cst.IndentedBlock([inner], header=header), leading_lines=line.leading_lines)


def _then(statement: cst.BaseStatement, after: List[cst.BaseStatement]) -> List[cst.BaseStatement]:
    """``statement`` and the statements ``after`` it; inside it when it is the if statement of a fit that
    ``max_steps`` may skip (``_guarded``): what the fit did then, only if it ran."""
    if after and isinstance(statement, cst.If):
        return [statement.with_changes(body=statement.body.with_changes(body=[*statement.body.body, *after]))]
    return [statement, *after]


class _Module(cst.CSTTransformer):
    def __init__(self, f: Facts, classes: Dict[str, cst.BaseStatement], built: Dict[str, Tuple[str, str]],
                 variables: Dict[str, Dict[str, str]], before: Dict[int, List[cst.BaseStatement]],
                 parameters: Dict[str, Set[str]], managers: Dict[str, "checkpoints.Manager"]) -> None:
        super().__init__()
        self.managers = managers  # estimator name -> the CheckpointManager of its model_dir
        self.f, self.classes, self.built, self.variables, self.before = f, classes, built, variables, before
        self.parameters = parameters  # function name -> its parameters that receive estimators
        self.functions: List[str] = []  # the functions being visited, innermost last
        self.added: Set[int] = set()  # statements the rewrite adds after another (ids, alive in the tree)
        self.after: Dict[int, List[cst.BaseStatement]] = {}
        self.gone: Set[int] = set()  # module-level statements that go (ids of the original ones)
        self.bare: Set[int] = set()  # calls whose value is dropped (the value of an expression statement)
        # names only ever bound to numpy_input_fn(...) (each a lambda giving a dataset): calling one gives the
        # dataset of the binding of the time, as TF1's Estimator called it
        self.numpy_names: Set[str] = {
            name for name, values in f.assigned.items()
            if values and all(f.call_name(value) in NUMPY_INPUT for value in values)}

    def leave_Module(self, original, updated):
        body: List[cst.BaseStatement] = []
        anchor = None
        for stmt in updated.body:  # the statements of the rewrite's own follow the one they were written with
            if id(stmt) in self.added:
                self.after.setdefault(id(anchor), []).append(stmt)
            else:
                anchor = stmt
        news = [stmt for stmt in updated.body if id(stmt) not in self.added]
        for old, new in zip(original.body, news):
            extra = self.after.get(id(new), [])
            inserted = self.before.get(id(old), [])
            if inserted:
                blank = [cst.EmptyLine(), cst.EmptyLine()]
                body.extend(stmt.with_changes(leading_lines=blank) for stmt in inserted)
                comments = [line for line in new.leading_lines if line.comment is not None]
                new = new.with_changes(leading_lines=blank + comments)
            if isinstance(old, cst.FunctionDef) and old.name.value in self.f.methods or id(old) in self.gone:
                continue  # a method of the model now, or a statement that goes
            if isinstance(old, cst.FunctionDef) and old.name.value in self.classes:
                new = self.classes[old.name.value].with_changes(leading_lines=old.leading_lines)
            body.append(new)
            body.extend(extra)
        return updated.with_changes(body=body)

    def leave_ListComp(self, original, updated):
        return self.f.keyed.get(id(original), updated)  # [numeric_column(key=k) for k in keys] -> list(keys)

    def leave_Call(self, original, updated):
        if id(original) in self.f.keyed:  # a list of numeric columns built in a loop holds their keys
            return self.f.keyed[id(original)]
        if id(original) in self.f.optimizers:  # `optimizer = tf.train.AdamOptimizer(...)`, read by the estimator
            return self.f.optimizers[id(original)]
        name = self.f.call_name(original)
        if name in NUMPY_INPUT:
            return driver.numpy_input(self.f, original, lines=True)
        if name == CUSTOM or name in canned.KINDS or name == FROM_KERAS:
            return self.f.s.expr(self.built[id(original)][1])
        func = original.func
        est = func.value.value if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) else None
        passed = self.functions and est in self.parameters.get(self.functions[-1], ())
        if passed or est in self.built_names:
            names = {} if passed else self.variables[est]  # a parameter: any of the models (no variable names)
            if isinstance(names, _Rebound):
                index = _top_index(self.f.module, original)
                if index is None:
                    raise Unsupported(original, f"{est}, bound to several estimators, is used inside a function")
                names = names.at(index, original)
            call = driver.method_call(self.f, original, est, names, self.numpy_names)
            if id(original) in self.bare and isinstance(call, cst.Dict) and isinstance(
                    call.elements[0], cst.StarredDictElement):  # `est.evaluate(...)` alone: its metrics unread
                call = call.elements[0].value
            return call.visit(_ModeStrings(self.f))  # est.train(make_input_fn(tf.estimator.ModeKeys.TRAIN))
        return updated

    def visit_Expr(self, node) -> None:
        self.bare.add(id(node.value))

    def visit_FunctionDef(self, node) -> None:
        self.functions.append(node.name.value)

    def leave_FunctionDef(self, original, updated):
        self.functions.pop()
        name = original.name.value
        if not self.functions and name in self.f.metric_functions and all(
                any(queries.holds(call, cst.Name, lambda n: n is use) for calls in self.f.added_metrics.values()
                    for call, _ in calls)
                for use in queries.find(self.f.module, cst.Name, lambda n: n.value == name and n is not original.name,
                                        values=True)):
            return self._dropped(original, updated)  # a metric_fn only add_metrics read: the model's metrics now
        return updated

    def _dropped(self, original, updated):
        """A statement that goes: at module level once leave_Module has matched the statements up."""
        if self.functions:
            return cst.RemoveFromParent()
        self.gone.add(id(original))
        return updated

    def leave_SimpleStatementLine(self, original, updated):
        """``tf.estimator.train_and_evaluate(...)``: a fit statement, then the metrics where its value went.
        ``est = Estimator(config=RunConfig(train_distribute=strategy, tf_random_seed=N))``: the model built in
        ``strategy.scope()``, after ``tf.keras.utils.set_random_seed(N)``."""
        if id(original) in self.f.one_shot:  # an input function's iterator over its dataset: the dataset
            replaced = self.f.one_shot[id(original)]
            if replaced is None:
                return cst.RemoveFromParent()
            data, comments = replaced
            return updated.with_changes(body=[updated.body[0].with_changes(value=data.visit(_ModeStrings(self.f)))],
                                        leading_lines=[*comments, *updated.leading_lines])
        if len(original.body) != 1:
            return updated
        small = original.body[0]
        if isinstance(small, cst.Assign) and any(small.value is call for calls in self.f.added_metrics.values()
                                                 for call, _ in calls):
            return self._dropped(original, updated)  # the metrics it added are the Keras model's own
        if isinstance(small, (cst.Assign, cst.Return)) and id(small.value) in self.f.seeds:
            seed = self.f.s.code(self.f.seeds[id(small.value)])
            line = cst.parse_statement(f"{self.f.tf}.keras.utils.set_random_seed({seed})\n",
                                       config=self.f.module.config_for_parsing)
            first = line.with_changes(leading_lines=updated.leading_lines)
            self.added.add(id(first))  # a statement more than the original: leave_Module keeps the others aligned
            updated = cst.FlattenSentinel([first, updated.with_changes(leading_lines=[])])
        if isinstance(small, cst.Assign) and id(small.value) in self.f.managers:  # model_dir: its checkpoints
            lines = list(updated.nodes) if isinstance(updated, cst.FlattenSentinel) else [updated]
            made = checkpoints.made(self.f, self.f.managers[id(small.value)], small.targets[0].target.value)
            self.added.update(id(line) for line in made)
            updated = cst.FlattenSentinel([*lines, *made])
        if isinstance(small, (cst.Assign, cst.Return)) and id(small.value) in self.f.strategies:
            strategy = self.f.s.code(self.f.strategies[id(small.value)])
            lines = list(updated.nodes) if isinstance(updated, cst.FlattenSentinel) else [updated]
            block = cst.IndentedBlock(body=[line.with_changes(leading_lines=[]) if i == 0 else line
                                            for i, line in enumerate(lines)])
            return cst.With(items=[cst.WithItem(self.f.s.expr(f"{strategy}.scope()"))], body=block,
                            leading_lines=lines[0].leading_lines)
        if isinstance(updated, cst.FlattenSentinel):
            return updated
        value = small.value if isinstance(small, (cst.Expr, cst.Assign)) else None
        est = checkpoints.trained(self.f, original, self.managers)
        save = [checkpoints.saved(self.f, self.managers[est], est)] if est is not None else []
        self.added.update(id(line) for line in save)
        if not isinstance(value, cst.Call) or self.f.call_name(value) != specs.TRAIN_AND_EVALUATE:
            fitted = _guarded(updated) if isinstance(small, cst.Expr) and isinstance(value, cst.Call) else updated
            lines = _then(fitted, save)
            return lines[0] if len(lines) == 1 else cst.FlattenSentinel(lines)
        fit, metrics = specs.train_and_evaluate(
            self.f, value, self.variables,
            lambda est, input_fn, max_steps: driver.fit(self.f, est, input_fn, max_steps, None, self.numpy_names),
            lambda est, input_fn, steps: driver.evaluate(self.f, est, input_fn, steps, self.numpy_names))
        strings = _ModeStrings(self.f)
        first = _guarded(updated.with_changes(body=[cst.Expr(self.f.s.expr(fit).visit(strings))]))
        if isinstance(small, cst.Expr):  # the metrics are not kept: the evaluation alone
            evaluation = self.f.s.expr(metrics).visit(strings).elements[0].value
            second = updated.with_changes(body=[cst.Expr(evaluation)], leading_lines=[])
        else:
            value = self.f.s.expr(f"({metrics}, [])").visit(strings)
            second = updated.with_changes(body=[updated.body[0].with_changes(value=value)], leading_lines=[])
        if save and isinstance(first, cst.If):  # run again past max_steps, TF1 neither trained nor evaluated
            first = _then(first, [*save, second])[0]
            if isinstance(small, cst.Expr):
                return first
            self.added.add(id(first))
            return cst.FlattenSentinel([updated.with_changes(body=[updated.body[0].with_changes(
                value=self.f.s.expr("(None, None)"))]), first])
        self.added.add(id(second))
        return cst.FlattenSentinel([*_then(first, save), second])

    @property
    def built_names(self) -> Set[str]:
        return set(self.variables)

    def leave_Attribute(self, original, updated):
        return mode_string(self.f, original, updated)


class _ModeStrings(cst.CSTTransformer):
    """``tf.estimator.ModeKeys.TRAIN`` -> ``"train"``: the strings the Keras model's modes are."""

    def __init__(self, f: Facts) -> None:
        super().__init__()
        self.f = f

    def leave_Attribute(self, original, updated):
        return mode_string(self.f, original, updated)


def _branch_pair(f: Facts, same) -> Optional[str]:
    """The model_fn of two custom Estimators bound to one name in a function, one in each branch of an ``if``
    (a TPUEstimator, else an Estimator of the same model_fn), else None."""
    if len(same) != 2 or any(i.kind != CUSTOM or i.scope is None for i in same) or same[0].scope is not same[1].scope:
        return None
    fns = {_model_fn_arg(i.call) for i in same}
    if len(fns) != 1 or None in fns:
        return None
    return fns.pop() if queries.two_branches(same[0].scope, same[0].call, same[1].call) is not None else None


def _model_fn_arg(call: cst.Call) -> Optional[str]:
    arg = _tf.argument(call, 0, "model_fn")
    return arg.value.value if arg is not None and isinstance(arg.value, cst.Name) else None


def rewrite(f: Facts) -> Tuple[cst.Module, List[Tuple[cst.CSTNode, str]]]:
    notes: List[Tuple[cst.CSTNode, str]] = []
    classes: Dict[str, cst.BaseStatement] = {}
    built: Dict[int, Tuple[str, str]] = {}
    variables: Dict[str, Dict[str, str]] = {}
    before: Dict[int, List[cst.BaseStatement]] = {}
    made: Dict[int, tuple] = {}  # id of an estimator's call -> where its class is: (list or dict, index or key)
    canned_classes: Dict[str, tuple] = {}  # a canned model's class, its name left out -> (its name, where it is)
    taken = f.s.taken
    makers = [scope.name.value for scope in builders.builders(f)]
    for func in queries.find(f.module, cst.FunctionDef):  # input functions ending in an iterator's get_next()
        if driver.one_shot(f, func)[0] is not None:
            driver.returns_dataset(f, func)
    by_name: Dict[str, List] = {}
    for item in f.built:
        by_name.setdefault(item.name, []).append(item)
    for item in f.built:
        if item.kind in UNMAPPED_ESTIMATORS:
            raise Unsupported(item.call, f"tf.{item.kind} is not mapped: {UNMAPPED_ESTIMATORS[item.kind]}")
        aliases = builders.aliases(f, item)
        same = by_name[item.name]
        added = {id(call) for call, _ in f.added_metrics.get(item.name, [])}  # `model = add_metrics(model, fn)`
        if added and item.kind in (CUSTOM, FROM_KERAS):
            raise Unsupported(item.call, "add_metrics of a custom Estimator (add the metric to its model_fn's "
                                         "eval_metric_ops)")
        values = [item.call] if item.returned else [
            v for v in f.assigned.get(item.name, []) if not any(builders.calls(v, b) for b in makers)
            and id(v) not in added]
        branches = _branch_pair(f, same)  # `if args.use_tpu: estimator = TPUEstimator(...)` / `else: ... Estimator`
        if branches is not None:
            if aliases or sorted(id(v) for v in values) != sorted(id(i.call) for i in same):
                raise Unsupported(item.call, f"{item.name} holds an estimator and something else")
            f.branch_fns.add(branches)
        elif len(same) > 1:  # bound again at module level: each call uses the estimator bound last before it
            if any(i.scope is not None for i in same) or aliases or \
                    sorted(id(v) for v in values) != sorted(id(i.call) for i in same):
                raise Unsupported(item.call, f"{item.name} holds an estimator and something else")
        elif len(values) != 1:
            raise Unsupported(item.call, f"{item.name} holds an estimator and something else")
        if item.kind == CUSTOM:
            cls, call, names = custom.convert(f, item, classes, notes, taken)
        elif item.kind == FROM_KERAS:
            cls, call, names = None, specs.from_keras(f, item, notes), {}
            f.from_keras.update([*builders.own(item), *aliases])
        else:
            cls, call, names, statement = canned.convert(f, item, taken, notes)
            f.canned.update([*builders.own(item), *aliases])
            same_class = f.s.code(statement.with_changes(name=cst.Name("Model"), leading_lines=[]))
            if same_class in canned_classes:  # a second estimator of the same settings: the class written already
                cls, made[id(item.call)] = canned_classes[same_class]
                call = cls + call[call.index("("):]
            else:
                top = _top_statement(f.module, item.call)
                before.setdefault(id(top), []).append(statement)
                made[id(item.call)] = (before[id(top)], len(before[id(top)]) - 1)
                canned_classes[same_class] = (cls, made[id(item.call)])
        if cls is not None and item.kind == CUSTOM:
            made[id(item.call)] = (classes, next(k for k, c in classes.items() if c.name.value == cls))
        built[id(item.call)] = (cls, call)
        if id(item.call) in f.strategies:
            f.distributed.update([*builders.own(item), *aliases])
        if f.s.helpers_out:  # a class its optimizer needs (TF1RMSprop): before the statement that builds it
            before.setdefault(id(_top_statement(f.module, item.call)), []).extend(f.s.helpers_out)
            f.s.helpers_out.clear()
        for name in dict.fromkeys([*builders.own(item), *aliases]):
            if branches is not None and variables.get(name) == names:
                continue  # the other branch's model: the same class
            if len(same) > 1 and branches is None:
                variables.setdefault(name, _Rebound()).append((_top_index(f.module, item.call), names))
                continue
            if name in variables:
                raise Unsupported(item.call, f"{name} is bound to two estimators")
            variables[name] = names
    for name, items in by_name.items():
        if len(items) > 1 and not all(i.kind != CUSTOM for i in items):
            f.canned.discard(name)  # a custom model at times: not exported as a canned one
    managers = checkpoints.managed(f)
    for call_id in f.managers:  # a model restored before it is built: its layers build at their first call
        if call_id in made:
            where, key = made[call_id]
            where[key] = checkpoints.built_by_its_layers(where[key])
    parameters = _check_uses(f, variables)
    new = f.module.visit(_Module(f, classes, built, variables, before, parameters, managers))
    new = columns.drop_unread(f, new)
    dropped = builders.settings_dropped(f, new)
    if dropped is not new:  # what the calls passed those parameters may be read by nothing now (a RunConfig)
        new = columns.drop_unread(f, dropped)
    return tf2.as_tf2(f, columns.gone_imports_dropped(new)), notes + f.notes


def _top_statement(module: cst.Module, node: cst.CSTNode) -> cst.BaseStatement:
    for stmt in module.body:
        if queries.holds(stmt, type(node), lambda n: n is node):
            return stmt
    raise Unsupported(node, "an estimator built outside the module's statements")


def _check_uses(f: Facts, variables) -> Dict[str, Set[str]]:
    """Every use of an estimator's name is a mapped method call, or the name passed to a function of the file
    whose parameter only trains, evaluates and predicts (``print_rmse(model, df)``); those functions and
    parameters."""
    methods = checkpoints.METHODS
    loops = [call for call in queries.find(f.module, cst.Call) if f.call_name(call) == specs.TRAIN_AND_EVALUATE]
    parameters: Dict[str, Set[str]] = {}
    imported = queries.import_names(f.module)
    for node in queries.find(f.module, cst.Name, values=True):
        if node.value not in variables or id(node) in imported:  # (`from ... import estimator as estimator_lib`)
            continue
        parent_ok = any(call.args and call.args[0].value is node for call in loops) or any(
            queries.holds(call, cst.Name, lambda n: n is node) for calls in f.added_metrics.values()
            for call, _ in calls)  # add_metrics(model, fn): the Keras model's metrics (added_metrics.py)
        for call in queries.find(f.module, cst.Call, lambda c: isinstance(c.func, cst.Attribute)
                                 and c.func.value is node and c.func.attr.value in methods):
            parent_ok = True
        passed = _passed(f, node, variables)
        if passed is not None:
            parameters.setdefault(passed[0], set()).add(passed[1])
            parent_ok = True
        if not parent_ok and not _is_target(f.module, node) and not _is_returned(f, node) \
                and not queries.holds(f.module, cst.Param, lambda p: p.name is node):  # def print_rmse(model, df)
            raise Unsupported(node, f"{node.value} (an estimator) is used beyond train, evaluate, predict and "
                                    "get_variable_value")
    return parameters


def _passed(f: Facts, node: cst.Name, variables) -> Optional[Tuple[str, str]]:
    """``print_rmse(model, df)``: (function, parameter) when ``node`` is passed to a module-level function of the
    file whose parameter is only trained, evaluated or predicted with, and every call passes it an estimator."""
    call = next(iter(queries.find(f.module, cst.Call, lambda c: isinstance(c.func, cst.Name) and any(
        a.value is node for a in c.args))), None)
    func = f.functions.get(call.func.value) if call is not None else None
    if func is None or func.params.star_arg is not cst.MaybeSentinel.DEFAULT or func.params.kwonly_params:
        return None
    names = [p.name.value for p in func.params.params]
    index = next(i for i, a in enumerate(call.args) if a.value is node)
    arg = call.args[index]
    param = arg.keyword.value if arg.keyword is not None else (names[index] if index < len(names) else None)
    if param not in names or arg.star:
        return None
    position = names.index(param)
    for other in queries.find(f.module, cst.Call, lambda c: isinstance(c.func, cst.Name)
                              and c.func.value == func.name.value):
        given = [a for i, a in enumerate(other.args) if (a.keyword.value if a.keyword else
                                                         names[i] if i < len(names) else None) == param]
        if len(given) != 1 or not (isinstance(given[0].value, cst.Name) and given[0].value.value in variables):
            return None  # some call passes something else
    uses = [n for n in queries.find(func.body, cst.Name, lambda n: n.value == param, values=True)]
    read = [c for c in queries.find(func.body, cst.Call, lambda c: isinstance(c.func, cst.Attribute)
                                    and isinstance(c.func.value, cst.Name) and c.func.value.value == param
                                    and c.func.attr.value in ("train", "evaluate", "predict"))]
    if position >= len(func.params.params) or len(uses) != len(read):
        return None
    return func.name.value, param


class _Rebound(list):
    """The estimators one module-level name is bound to: (index of the binding's top-level statement, its
    variables), in order."""

    def at(self, index: int, call: cst.Call) -> Dict[str, str]:
        chosen = [names for start, names in self if start <= index]
        if not chosen:
            raise Unsupported(call, "an estimator's name used before it is bound")
        return chosen[-1]


def _top_index(module: cst.Module, node: cst.CSTNode) -> Optional[int]:
    """The index of the module-level statement holding ``node`` (None: inside a function or class)."""
    for index, stmt in enumerate(module.body):
        if queries.holds(stmt, type(node), lambda n: n is node):
            return None if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)) else index
    return None


def _is_returned(f: Facts, node: cst.Name) -> bool:
    """``return estimator`` in the function that builds it (its callers' names are checked too)."""
    return any(queries.holds(item.scope, cst.Return, lambda r: r.value is node)
               for item in f.built if item.scope is not None and item.name == node.value)


def _is_target(module: cst.Module, node: cst.Name) -> bool:
    return queries.holds(module, cst.AssignTarget, lambda t: t.target is node)
