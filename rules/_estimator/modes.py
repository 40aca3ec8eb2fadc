"""The modes of a model_fn. TF1 called it once per mode, and its ``if mode == ...`` branches built each
mode's graph: ``reaching`` tells which modes run each statement (a metric update the class makes where
more than ``"eval"`` reaches is put under ``if mode == "eval":``, as TF1 ran eval_metric_ops in
evaluation only). The helpers below read and tidy such branches once the TF1 statements are gone."""
from __future__ import annotations

from typing import Dict, FrozenSet, Iterable, List, Optional, Set

import libcst as cst

from .. import _tf
from .._eager import queries
from .._vocab import MODE_KEYS
from .program import Facts, returned

ALL: FrozenSet[str] = frozenset(MODE_KEYS.values())


def reaching(f: Facts, func: cst.FunctionDef) -> Dict[int, FrozenSet[str]]:
    """id of each simple statement line of the model_fn -> the modes that can run it."""
    mode = func.params.params[2].name.value if len(func.params.params) > 2 else None
    out: Dict[int, FrozenSet[str]] = {}

    def of_test(test: cst.BaseExpression) -> Optional[FrozenSet[str]]:
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            target = test.comparisons[0]
            sides = (test.left, target.comparator)
            names = [s.value for s in sides if isinstance(s, cst.Name)]
            keys = [f.name(s) for s in sides if not isinstance(s, cst.Name)]
            key = keys[0].rsplit(".", 1)[1] if len(keys) == 1 and keys[0] and "ModeKeys." in keys[0] else None
            if names == [mode] and key in MODE_KEYS:
                if isinstance(target.operator, cst.Equal):
                    return frozenset({MODE_KEYS[key]})
                if isinstance(target.operator, cst.NotEqual):
                    return ALL - {MODE_KEYS[key]}
            return None
        if isinstance(test, cst.BooleanOperation):
            left, right = of_test(test.left), of_test(test.right)
            if left is None or right is None:
                return None
            return left | right if isinstance(test.operator, cst.Or) else left & right
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            inner = of_test(test.expression)
            return None if inner is None else ALL - inner
        return None

    def returns(block: cst.BaseSuite) -> bool:
        body = getattr(block, "body", ())
        return bool(body) and isinstance(body[-1], cst.SimpleStatementLine) and any(
            isinstance(small, cst.Return) for small in body[-1].body)

    def walk(statements: Iterable[cst.CSTNode], modes: FrozenSet[str]) -> FrozenSet[str]:
        for stmt in statements:
            if isinstance(stmt, cst.SimpleStatementLine):
                out[id(stmt)] = modes
            elif isinstance(stmt, cst.If):
                chosen = of_test(stmt.test)
                inside = modes & chosen if chosen is not None else modes
                rest = modes - chosen if chosen is not None else modes
                walk(stmt.body.body, inside)
                if isinstance(stmt.orelse, cst.Else):
                    walk(stmt.orelse.body.body, rest)
                elif isinstance(stmt.orelse, cst.If):
                    walk([stmt.orelse], rest)
                elif chosen is not None and returns(stmt.body):
                    modes = rest  # `if mode == PREDICT: return ...`: the other modes go on
            else:
                for block in (getattr(stmt, "body", None), getattr(stmt, "orelse", None)):
                    if isinstance(block, cst.BaseSuite):
                        walk(getattr(block, "body", ()), modes)
                    elif isinstance(block, cst.Else):
                        walk(block.body.body, modes)
        return modes

    walk(func.body.body, ALL)
    return out


def negated(test: cst.BaseExpression) -> cst.BaseExpression:
    """``not test``, written as a Python programmer would: ``a == b`` -> ``a != b``."""
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
        target = test.comparisons[0]
        flipped = {cst.Equal: cst.NotEqual, cst.NotEqual: cst.Equal}.get(type(target.operator))
        if flipped is not None:
            operator = flipped(whitespace_before=target.operator.whitespace_before,
                               whitespace_after=target.operator.whitespace_after)
            return test.with_changes(comparisons=[target.with_changes(operator=operator)])
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return test.expression
    if isinstance(test, (cst.BooleanOperation, cst.IfExp, cst.NamedExpr, cst.Lambda)):
        test = test.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return cst.UnaryOperation(cst.Not(), test)


def spec_names(f: Facts, func: cst.FunctionDef) -> Set[str]:
    """The names a returned EstimatorSpec gets as its train_op or eval_metric_ops."""
    names = set()
    for ret in queries.find(func, cst.Return):
        if isinstance(ret.value, cst.Call) and f.call_name(ret.value) == "estimator.EstimatorSpec":
            for index, key in ((3, "train_op"), (4, "eval_metric_ops")):
                arg = _tf.argument(ret.value, index, key)
                if arg is not None and isinstance(arg.value, cst.Name) and arg.value.value != "None":
                    names.add(arg.value.value)
    return names


def names_nulled(small: cst.BaseSmallStatement) -> bool:
    """``loss = train_op = None``: several names bound to None at once."""
    return (isinstance(small, cst.Assign) and len(small.targets) > 1 and isinstance(small.value, cst.Name)
            and small.value.value == "None" and all(isinstance(t.target, cst.Name) for t in small.targets))


def is_update_ops(f: Facts, node: cst.BaseExpression) -> bool:
    """``tf.get_collection(tf.GraphKeys.UPDATE_OPS)``."""
    return (isinstance(node, cst.Call) and f.call_name(node) == "get_collection" and len(node.args) == 1
            and f.name(node.args[0].value) == "GraphKeys.UPDATE_OPS")


class Tidy(cst.CSTTransformer):
    """The converted model_fn without the blocks its TF1 statements left empty or redundant."""

    def __init__(self, f: Facts, update_ops: Set[str]) -> None:
        super().__init__()
        self.f, self.update_ops = f, update_ops

    def code(self, node) -> str:
        return self.f.s.code(node)

    def leave_With(self, original, updated):
        """``with tf.control_dependencies(update_ops):`` around the train op: its statements alone."""
        item = original.items[0].item if len(original.items) == 1 else None
        if isinstance(item, cst.Call) and self.f.call_name(item) == "control_dependencies" and len(item.args) == 1:
            ops = item.args[0].value
            if isinstance(ops, cst.Name) and ops.value in self.update_ops or is_update_ops(self.f, ops):
                body = list(updated.body.body)
                if not body:
                    return cst.RemoveFromParent()
                return cst.FlattenSentinel([body[0].with_changes(leading_lines=updated.leading_lines), *body[1:]])
        return updated

    def leave_IndentedBlock(self, original, updated):
        """``if mode == "eval": ...; return loss`` right before ``return loss``: the branch without it; two
        ``if mode == "eval":`` in a row (a metric's update, then the evaluation's return): one."""
        body = list(updated.body)
        for i in range(len(body) - 2, -1, -1):
            first, second = body[i], body[i + 1]
            if (isinstance(first, cst.If) and isinstance(second, cst.If) and first.orelse is None
                    and second.orelse is None and self.code(first.test) == self.code(second.test)
                    and not queries.bound_names(first.body) & {n.value for n in queries.find(first.test, cst.Name)}):
                moved = [second.body.body[0].with_changes(leading_lines=()), *second.body.body[1:]]
                body[i:i + 2] = [first.with_changes(body=first.body.with_changes(body=[*first.body.body, *moved]))]
        for i in range(len(body) - 2, -1, -1):
            branch, then = body[i], returned(body[i + 1])
            if not (isinstance(branch, cst.If) and branch.orelse is None and then is not None):
                continue
            last = returned(branch.body.body[-1])
            if last is None or self.code(last) != self.code(then):
                continue
            if len(branch.body.body) > 1:
                body[i] = branch.with_changes(body=branch.body.with_changes(body=branch.body.body[:-1]))
            else:
                body[i + 1] = body[i + 1].with_changes(leading_lines=branch.leading_lines)
                del body[i]
        return updated.with_changes(body=body)

    def leave_If(self, original, updated):
        """A branch whose statements all went (``train_op = None``, the train op) goes too."""
        orelse = updated.orelse
        if isinstance(orelse, cst.Else) and not orelse.body.body:
            orelse = None
        if updated.body.body:
            return updated.with_changes(orelse=orelse)
        if orelse is None:
            return cst.RemoveFromParent()
        if isinstance(orelse, cst.Else):
            return updated.with_changes(test=negated(updated.test), body=orelse.body, orelse=None)
        return updated.with_changes(body=cst.IndentedBlock([cst.SimpleStatementLine([cst.Pass()])]), orelse=orelse)


class SpecReturned(cst.CSTTransformer):
    """``spec = tf.estimator.EstimatorSpec(...)`` right before ``return spec`` (and ``spec`` read nowhere
    else): ``return tf.estimator.EstimatorSpec(...)``, the comments above the two kept above it."""

    def __init__(self, f: Facts, func: cst.FunctionDef) -> None:
        super().__init__()
        self.f = f
        self.reads: Dict[str, int] = {}
        for name in queries.find(func.body, cst.Name):
            self.reads[name.value] = self.reads.get(name.value, 0) + 1

    def apply(self, func: cst.FunctionDef) -> cst.FunctionDef:
        """``func`` itself where there is nothing to change (other steps compare its nodes with the file's)."""
        nested = {id(block) for inner in queries.find(func.body, (cst.FunctionDef, cst.ClassDef))
                  for block in queries.find(inner, cst.IndentedBlock)}
        if not any(self._pairs(block.body) for block in queries.find(func.body, cst.IndentedBlock)
                   if id(block) not in nested):
            return func
        return func.with_changes(body=func.body.visit(self))

    def _pairs(self, body) -> List[int]:
        """The indices of the ``spec = tf.estimator.EstimatorSpec(...)`` lines followed by ``return spec``."""
        found = []
        for i in range(len(body) - 1):
            name = self._spec_name(body[i])
            then = returned(body[i + 1])
            if name is not None and isinstance(then, cst.Name) and then.value == name and self.reads.get(name) == 2:
                found.append(i)
        return found

    def visit_FunctionDef(self, node) -> bool:
        return False  # a function defined inside the model_fn returns its own values

    def visit_ClassDef(self, node) -> bool:
        return False

    def leave_IndentedBlock(self, original, updated):
        body = list(updated.body)
        pairs = self._pairs(body)
        for i in reversed(pairs):
            spec, ret = body[i], body[i + 1]
            lines = list(spec.leading_lines)
            if spec.trailing_whitespace.comment is not None:
                lines.append(cst.EmptyLine(comment=spec.trailing_whitespace.comment))
            ret_small = ret.body[0].with_changes(value=spec.body[0].value)
            kept = [line for line in ret.leading_lines if line.comment is not None]  # not the blank lines between
            body[i:i + 2] = [ret.with_changes(body=[ret_small], leading_lines=[*lines, *kept])]
        return updated.with_changes(body=body) if pairs else updated

    def _spec_name(self, stmt) -> Optional[str]:
        if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1):
            return None
        assign = stmt.body[0]
        if (isinstance(assign, cst.Assign) and len(assign.targets) == 1
                and isinstance(assign.targets[0].target, cst.Name) and isinstance(assign.value, cst.Call)
                and self.f.call_name(assign.value) == "estimator.EstimatorSpec"):
            return assign.targets[0].target.value
        return None


class Unread(cst.CSTTransformer):
    """The model_fn without the ``name = value`` statements of ``names`` that nothing reads any more."""

    def __init__(self, names: Set[str]) -> None:
        super().__init__()
        self.names = names

    def visit_FunctionDef(self, node) -> bool:
        counts: Dict[str, int] = {}
        for name in queries.find(node.body, cst.Name):
            counts[name.value] = counts.get(name.value, 0) + 1
        self.unread = {name for name in self.names if counts.get(name) == 1}
        return False

    def leave_FunctionDef(self, original, updated):
        def keep(stmt) -> bool:
            assign = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 else None
            return not (isinstance(assign, cst.Assign) and len(assign.targets) == 1
                        and isinstance(assign.targets[0].target, cst.Name)
                        and assign.targets[0].target.value in self.unread)
        return updated.with_changes(body=updated.body.with_changes(body=[s for s in updated.body.body if keep(s)]))
