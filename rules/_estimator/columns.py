"""Feature columns and specs after the rewrite: the statements that only built them for the estimators go.

A canned estimator's Keras model reads its features by key, so the module-level
``columns = [tf.feature_column.numeric_column("x"), ...]`` (and ``x = numeric_column(...)``
statements those lists used) have no reader left once the estimators are replaced. Each such
statement is removed (its comments move to the next statement); a feature column that is still
read somewhere stops the rewrite, since Keras 3 models cannot consume feature columns. The
``config = tf.estimator.RunConfig(...)``, ``TrainSpec(...)`` and ``EvalSpec(...)`` statements go
the same way once their readers are rewritten, and so do ``hook = tf.train.LoggingTensorHook(...)``
statements and serving_input_receiver_fn functions (export_saved_model's); in a function's body too.
"""
from __future__ import annotations

from typing import Dict, List, Optional

import libcst as cst

from tfmigrate.names import dotted_name

from .._eager import queries
from .._eager.state import Unsupported
from . import column_lists, computed_keys, specs
from .program import Facts


def _assignment(stmt: cst.BaseStatement) -> Optional[cst.Assign]:
    """The statement if it is ``name = value`` alone on its line, else None."""
    if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign)):
        return None
    assign = stmt.body[0]
    if len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
        return None
    return assign


def _column_target(f: Facts, stmt: cst.BaseStatement, known) -> Optional[str]:
    """``name = <feature columns only>`` (calls, or a list of names bound to columns): the name, else None."""
    assign = _assignment(stmt)
    if assign is None:
        return None
    value = assign.value
    if specs.is_statement(f, stmt):
        return assign.targets[0].target.value
    if isinstance(value, (cst.List, cst.Tuple)) and value.elements and all(
            isinstance(e.value, cst.Name) and e.value.value in known for e in value.elements):
        return assign.targets[0].target.value
    if _sum_of(value, known):  # `wide_columns = base_columns + crossed_columns`
        return assign.targets[0].target.value
    if (isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and len(value.args) == 1
            and isinstance(value.args[0].value, cst.Name) and value.args[0].value.value in known
            and value.func.value in f.functions and computed_keys.through(f.functions[value.func.value]) is not None):
        return assign.targets[0].target.value  # feature_cols = add_more_features(INPUT_COLUMNS)
    if column_lists.returned(f, value) is not None:
        return assign.targets[0].target.value  # feature_columns = list(get_feature_columns().values())
    calls = list(queries.find(value, cst.Call))
    if not calls or not all(_is_column(f, call) or _is_column_argument(f, value, call) for call in calls):
        return None
    if not any(_is_column(f, call) for call in calls):
        return None
    return assign.targets[0].target.value


def _sum_of(value: cst.BaseExpression, known) -> bool:
    """``a + b (+ ...)`` of names of column lists."""
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
        return all(_sum_of(side, known) for side in (value.left, value.right))
    return isinstance(value, cst.Name) and value.value in known


def _is_column(f: Facts, call: cst.Call) -> bool:
    name = f.call_name(call)
    return name is not None and name.startswith("feature_column.")


def _is_column_argument(f: Facts, value: cst.BaseExpression, call: cst.Call) -> bool:
    """A call inside a feature column's own arguments (``numeric_column("x", dtype=tf.float32)``)."""
    return any(queries.holds(outer, cst.Call, lambda c: c is call)
               for outer in queries.find(value, cst.Call) if outer is not call and _is_column(f, outer))


class _Functions(cst.CSTTransformer):
    """The same in each function's body (a ``main()`` that builds its RunConfig and hooks)."""

    def __init__(self, f: Facts, known) -> None:
        super().__init__()
        self.f = f
        self.known = known  # the module's names of columns (a function unpacks INPUT_COLUMNS)

    def leave_FunctionDef(self, original, updated):
        if not isinstance(updated.body, cst.IndentedBlock):
            return updated
        body = _drop(self.f, list(updated.body.body), self.known)
        if not body:
            return updated
        body = [self._branches(stmt, body) if isinstance(stmt, cst.If) else stmt for stmt in body]
        return updated.with_changes(body=updated.body.with_changes(body=body))

    def _branches(self, stmt: cst.If, body) -> cst.If:
        """The same in each branch of an ``if`` of the function (``if args.use_tpu:`` its TPU RunConfig, else
        its RunConfig), when what a branch drops is read nowhere else in the function."""
        others = set().union(*(_reads(other) for other in body if other is not stmt))
        parts = {"body": stmt.body}
        if isinstance(stmt.orelse, cst.Else):
            parts["orelse"] = stmt.orelse
        changes = {}
        for key, part in parts.items():
            block = part.body if key == "orelse" else part
            if not isinstance(block, cst.IndentedBlock):
                continue
            kept = _drop(self.f, list(block.body), self.known)
            bound = set().union(*map(queries.bound_names, block.body)) - set().union(*map(queries.bound_names, kept))
            if not kept or len(kept) == len(block.body) or bound & others:
                continue
            new_block = block.with_changes(body=kept)
            changes[key] = part.with_changes(body=new_block) if key == "orelse" else new_block
        return stmt.with_changes(**changes) if changes else stmt


def drop_unread(f: Facts, module: cst.Module) -> cst.Module:
    """The module without the column statements nothing reads; Unsupported when a column is still read."""
    known: set = set()
    for stmt in module.body:
        target = _column_target(f, stmt, known)
        if target is not None:
            known.add(target)
    new = module.visit(_Functions(f, known))  # first in functions: a main() whose exporter used a module-level receiver
    new = new.with_changes(body=_drop(f, list(new.body)))
    for call in queries.find(new, cst.Call):
        if _is_column(f, call):
            text = f.s.code(call)
            where = next((old for old in queries.find(f.module, cst.Call) if f.s.code(old) == text), None)
            raise Unsupported(where, f"tf.{f.call_name(call)} is read beyond the canned estimators (Keras 3 models "
                                     "cannot consume feature columns)")
    return new


def _reads(stmt: cst.BaseStatement) -> set:
    """The names a statement reads from its block: a function's or class's own (``for i, units in ...`` in
    a model class, params, locals) do not count."""
    if not isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
        return queries.names_in(stmt)
    wrapper = cst.metadata.MetadataWrapper(cst.Module(body=[stmt]))
    return {access.node.value for scope in set(wrapper.resolve(cst.metadata.ScopeProvider).values())
            if scope is not None for access in scope.accesses
            if isinstance(access.node, cst.Name) and not access.referents}


def _drop(f: Facts, body: List[cst.BaseStatement], outer=frozenset()) -> List[cst.BaseStatement]:
    """One block's statements without those that only built columns, specs or hooks and are read nowhere else
    (and the constants only those read: a LoggingTensorHook's ``tensors_to_log = {...}``); ``outer``: the
    module's names of columns, for a function's block."""
    known = set(outer)
    for stmt in body:
        target = _column_target(f, stmt, known)
        if target is not None:
            known.add(target)
        known.update(_unpacked_columns(stmt, known))
    freed = set()  # names the removed statements read
    reads: Dict[int, tuple] = {}  # id of a statement -> (it, kept alive: its id stays its own; the names it reads)

    def read(stmt: cst.BaseStatement) -> set:
        if id(stmt) not in reads:
            reads[id(stmt)] = (stmt, _reads(stmt))
        return reads[id(stmt)][1]

    for stmt in [stmt for stmt in body if _writer_cache_clear(f, stmt)]:
        # TF1's cache of the FileWriters its estimators wrote summaries through: the Keras models write none
        original = next((old for old in queries.find(f.module, cst.SimpleStatementLine)
                         if f.s.code(old).strip() == f.s.code(stmt).strip()), None)
        if original is not None and not any(node is original for node, _ in f.notes):
            f.notes.append((original, CACHE_NOTE))
        index = body.index(stmt)
        del body[index]
        if index < len(body):
            body[index] = body[index].with_changes(leading_lines=[*stmt.leading_lines, *body[index].leading_lines])
    while True:
        for index, stmt in enumerate(body):
            target = _column_target(f, stmt, known)
            if target is None and _constant_target(stmt) in freed:
                target = _constant_target(stmt)
            if target is None and _receiver(f, stmt):
                target = stmt.name.value
            if target is None and isinstance(stmt, cst.FunctionDef) and computed_keys.through(stmt) is not None:
                target = stmt.name.value  # def add_more_features(feats): ... return feats
            growers = [other for other in body if other is not stmt and target is not None
                       and target in known and column_lists.grown(other, target) is not None]
            if target is None and isinstance(stmt, cst.FunctionDef) and _columns_function(f, stmt):
                target = stmt.name.value  # def build_model_columns(): ... return wide_columns, deep_columns
            targets = [target] if target is not None else _unpacked_columns(stmt, known, f)
            if target is not None and specs.is_statement(f, stmt):  # run_config = run_config.replace(...) too
                growers += [other for other in body if other is not stmt and specs.is_statement(f, other)
                            and _assignment(other).targets[0].target.value == target]
            if targets and not any(set(targets) & read(other) for other in body
                                   if other is not stmt and all(other is not g for g in growers)):
                for removed in [*reversed(growers), stmt]:  # feature_cols.append(...) go with feature_cols
                    freed |= queries.names_in(removed)
                    _remove(body, body.index(removed))
                break
        else:
            break
    return body


def _unpacked_columns(stmt: cst.BaseStatement, known, f: Optional[Facts] = None) -> List[str]:
    """``(gender, race, age) = INPUT_COLUMNS`` of a list of columns, ``wide, deep = build_model_columns()`` of
    a function that only builds columns: the names it binds, else []."""
    small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 else None
    if not (isinstance(small, cst.Assign) and len(small.targets) == 1
            and isinstance(small.targets[0].target, (cst.Tuple, cst.List))):
        return []
    value = small.value
    named = isinstance(value, cst.Name) and value.value in known
    made = (f is not None and isinstance(value, cst.Call) and not value.args and isinstance(value.func, cst.Name)
            and value.func.value in f.functions and _columns_function(f, f.functions[value.func.value]))
    if not named and not made:
        return []
    names = [e.value.value for e in small.targets[0].target.elements if isinstance(e.value, cst.Name)]
    return names if len(names) == len(small.targets[0].target.elements) else []


def _columns_function(f: Facts, func: cst.FunctionDef) -> bool:
    """``def build_model_columns(): age = numeric_column("age") ... return wide_columns, deep_columns``: a
    function without parameters that only builds feature columns and returns them."""
    if func.params.params or func.params.star_arg is not cst.MaybeSentinel.DEFAULT or func.params.kwonly_params \
            or not isinstance(func.body, cst.IndentedBlock) or len(func.body.body) < 2:
        return False
    *statements, last = func.body.body
    known: set = set()
    for stmt in statements:
        target = _column_target(f, stmt, known)
        if target is None and isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(
                stmt.body[0], cst.Assign) and isinstance(stmt.body[0].value, cst.BinaryOperation) and all(
                n in known for n in queries.names_in(stmt.body[0].value)):
            target = stmt.body[0].targets[0].target.value if isinstance(
                stmt.body[0].targets[0].target, cst.Name) else None  # wide_columns = base_columns + crossed
        if target is None:
            return False
        known.add(target)
    returned = last.body[0] if isinstance(last, cst.SimpleStatementLine) and len(last.body) == 1 else None
    return (isinstance(returned, cst.Return) and returned.value is not None
            and bool(queries.names_in(returned.value)) and queries.names_in(returned.value) <= known
            and not queries.holds(returned.value, cst.Call))


def _remove(body: List[cst.BaseStatement], index: int) -> None:
    """Remove a statement; its blank lines and comments move to the next one."""
    stmt = body.pop(index)
    comments = any(line.comment is not None for line in stmt.leading_lines)
    if index < len(body) and (comments or not body[index].leading_lines):
        following = body[index]
        body[index] = following.with_changes(leading_lines=list(stmt.leading_lines) + list(following.leading_lines))


CACHE_NOTE = ("tf.summary.FileWriterCache.clear() goes: it emptied TF1's cache of the summary writers the "
              "estimators used, and the Keras models that replace them write no summaries")


def _writer_cache_clear(f: Facts, stmt: cst.BaseStatement) -> bool:
    """``tf.summary.FileWriterCache.clear()`` alone on its line."""
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, cst.Call) and not stmt.body[0].value.args
            and f.call_name(stmt.body[0].value) == "summary.FileWriterCache.clear")


def _constant_target(stmt: cst.BaseStatement) -> Optional[str]:
    """``name = <a literal of strings and numbers>``: the name, else None."""
    assign = _assignment(stmt)
    if assign is None or not isinstance(assign.value, (cst.Dict, cst.List, cst.Tuple)) or not _constant(assign.value):
        return None
    return assign.targets[0].target.value


def _constant(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float)):
        return True
    if isinstance(node, cst.Dict):
        return all(isinstance(e, cst.DictElement) and _constant(e.key) and _constant(e.value) for e in node.elements)
    if isinstance(node, (cst.List, cst.Tuple)):
        return all(isinstance(e, cst.Element) and _constant(e.value) for e in node.elements)
    return False


def _receiver(f: Facts, stmt: cst.BaseStatement) -> bool:
    """A serving_input_receiver_fn: a function that returns a ``tf.estimator.export.ServingInputReceiver``."""
    return isinstance(stmt, cst.FunctionDef) and queries.holds(
        stmt.body, cst.Call, lambda c: (f.call_name(c) or "") in (
            "estimator.export.ServingInputReceiver", "estimator.export.TensorServingInputReceiver"))


_GONE = ("tensorflow.estimator", "tensorflow.feature_column", "tensorflow.compat.v1.estimator",
         "tensorflow.compat.v1.feature_column")


def gone_imports_dropped(module: cst.Module) -> cst.Module:
    """``from tensorflow.estimator import LinearRegressor`` (or feature_column's names): the names the
    rewrite no longer reads leave the import, which goes once it imports none (tensorflow.estimator is
    gone from TensorFlow 2.21)."""
    read = {n.value for stmt in module.body if not _gone_import(stmt) for n in queries.find(stmt, cst.Name)}
    body, carried = [], []  # the comments above an import that goes stay, above the next statement
    for stmt in module.body:
        kept = [a for a in stmt.body[0].names if (a.evaluated_alias or a.evaluated_name) in read
                or not _gone_name(stmt.body[0], a)] if _gone_import(stmt) else None
        if kept == []:
            carried += [line for line in stmt.leading_lines if line.comment is not None]
            continue
        if kept:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            stmt = stmt.with_changes(body=[stmt.body[0].with_changes(names=kept)])
        body.append(stmt.with_changes(leading_lines=[*carried, *stmt.leading_lines]) if carried else stmt)
        carried = []
    return module.with_changes(body=body)


def _gone_import(stmt) -> bool:
    """``from tensorflow.estimator import ...``, ``from tensorflow import feature_column as fc`` (any names)."""
    small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 else None
    return (isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative
            and not isinstance(small.names, cst.ImportStar)
            and any(_gone_name(small, alias) for alias in small.names))


def _gone_name(small: cst.ImportFrom, alias: cst.ImportAlias) -> bool:
    """A name the import takes from a module TensorFlow 2.21 no longer has, or such a module itself."""
    module = dotted_name(small.module) or ""
    return module.startswith(_GONE) or (module in ("tensorflow", "tensorflow.compat.v1") and (
        dotted_name(alias.name) in ("estimator", "feature_column")))
