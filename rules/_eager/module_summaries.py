"""Summaries a model function makes: ``tf.summary.histogram(layer_name + "/outputs", outputs)`` in
``add_layer``, which TF1 made at each call, into the collection ``tf.summary.merge_all()`` takes.

The module's ``__call__`` no longer makes them (a TF2 summary there would write nothing: no writer is
set where the program's functions run); each call the program binds to a name,
``l1 = add_layer(xs, 1, 10, "l1")``, gives the program's summaries what that call made: the value
the function returns (``l1``) or one of its variables (``l1_layer.Weights``), under the label the call
computed (``"l1" + "/outputs"``: the function's parameters and the locals it computes from them, given
what the call passed). Any other summary, or a call of such a function bound otherwise, keeps the
program on compat.v1.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Dict, List, Optional

import libcst as cst

from .. import _tf, _vocab
from . import placeholder_builders, queries, summaries
from .module_plan import GONE, VARIABLE, Build, Item
from .state import Rewrite, Unsupported


@dataclass
class Made:
    """A summary a model function makes: its kind, its label (code of the function), what it shows."""

    kind: str  # summary.histogram, ...
    label: cst.BaseExpression
    attribute: Optional[str]  # the module's variable it shows, or None: the value the function returns


def planned(s: Rewrite, build: Build, stmt) -> bool:
    """``tf.summary.X(label, value)`` alone on a line of the function: recorded on ``build`` (the line goes)."""
    if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, cst.Call)):
        return False
    call = stmt.body[0].value
    kind = s.call_name(call)
    if kind not in _vocab.SUMMARIES:
        return False
    model = build.model
    label = _tf.argument(call, 0, "name")
    value = _tf.argument(call, 1, "tensor") or _tf.argument(call, 1, "values")
    if label is None or value is None or len(call.args) != 2 or any(a.star for a in call.args):
        raise Unsupported(call, f"tf.{kind} in {model.name} with arguments beyond a name and a value")
    shown = value.value.value if isinstance(value.value, cst.Name) else None
    held = {item.node.body[0].targets[0].target.value: item.attr for item in build.items if item.kind == VARIABLE}
    if shown in held:
        made = Made(kind, label.value, held[shown])
    elif shown is not None and shown == _returned(build) and not _bound_after(build, stmt, shown):
        made = Made(kind, label.value, None)
    else:
        raise Unsupported(call, f"tf.{kind} in {model.name} of something other than one of its variables or the "
                                "value it returns")
    build.summaries.append(made)
    build.items.append(Item(GONE, "", stmt, ""))
    return True


def _returned(build: Build) -> Optional[str]:
    last = build.statements[-1][0] if build.statements else None
    if isinstance(last, cst.SimpleStatementLine) and isinstance(last.body[0], cst.Return) and isinstance(
            last.body[0].value, cst.Name):
        return last.body[0].value.value
    return None


def _bound_after(build: Build, stmt, name: str) -> bool:
    index = next(i for i, (statement, _) in enumerate(build.statements) if statement is stmt)
    return any(name in queries.bound_names(statement) for statement, _ in build.statements[index + 1:])


def site(s: Rewrite, value: cst.BaseExpression, single: Optional[str]) -> bool:
    """Is ``value`` a call of a model function that makes summaries, bound to the name ``single``? Its summaries
    are then the program's (``made``, once the call is rewritten)."""
    if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in s.p.models):
        return False
    from .modules import build_of

    if not build_of(s, value.func.value).summaries or single is None:
        return False
    s.summary_sites.add(id(value))
    return True


def check_site(s: Rewrite, original: cst.Call, build: Build) -> None:
    """A call of a model function that makes summaries, met where the program does not bind it to a name."""
    if build.summaries and id(original) not in s.summary_sites:
        raise Unsupported(original, f"{build.model.name} makes summaries (tf.summary.merge_all took them from "
                                    f"each call) and is called other than as `name = {build.model.name}(...)`")


def made(s: Rewrite, value: cst.Call, single: str) -> None:
    """The summaries the call bound to ``single`` made, given to the program's summaries in TF1's order."""
    from .modules import build_of

    build = build_of(s, value.func.value)
    instance = s.model_calls[id(value)]
    given = _given(s, build, value)
    for summary in build.summaries:
        label = _folded(s.code(_substituted(s, build, summary.label, given)))
        shown = single if summary.attribute is None else f"{instance}.{summary.attribute}"
        summaries.summary(s, s.expr(f"{s.tf}.{summary.kind}({label}, {shown})"), summary.kind)


def _given(s: Rewrite, build: Build, call: cst.Call) -> Dict[str, cst.BaseExpression]:
    """The function's parameters, as the call gave them (or their defaults)."""
    params = build.model.node.params
    if params.star_arg is not cst.MaybeSentinel.DEFAULT:
        raise Unsupported(call, f"a call of {build.model.name}, which makes summaries, with *args")
    return placeholder_builders.arguments(build.model.name, [*params.params, *params.kwonly_params], call)


def _substituted(s: Rewrite, build: Build, label: cst.BaseExpression, given, depth: int = 0) -> cst.BaseExpression:
    """``label`` with the function's parameters replaced by what the call gave and its locals by the value they
    were bound to (``layer_name = "layer%s" % n_layer``)."""
    local: Dict[str, List[cst.BaseExpression]] = {}
    for statement, _ in build.statements:
        assigned = queries.name_assigned(statement)
        if assigned is not None:
            local.setdefault(assigned[0], []).append(assigned[1])
    replaced: Dict[str, cst.BaseExpression] = {}
    for name in queries.names_in(label) & (build.locals | set(given)):
        if name in given and name not in local:
            replaced[name] = given[name]
        elif len(local.get(name, [])) == 1 and depth < 2:
            replaced[name] = _substituted(s, build, local[name][0], given, depth + 1)
        else:
            raise Unsupported(label, f"a summary label of {build.model.name} that reads {name}, which the call "
                                     "does not give")
    return label.visit(placeholder_builders.Arguments({k: _wrapped(s, v) for k, v in replaced.items()}))


def _folded(code: str) -> str:
    """A label of literals only (``("layer%s" % 1) + "/outputs"``) as the string it is."""
    if re.search(r"%[-+ #0]*(\*|\d{4,})", code):
        return code  # (a field thousands of characters wide is not folded)
    try:
        tree = ast.parse(code, mode="eval")
    except SyntaxError:
        return code
    allowed = (ast.Expression, ast.Constant, ast.BinOp, ast.Add, ast.Mod, ast.Tuple, ast.Load)
    if not all(isinstance(node, allowed) for node in ast.walk(tree)) or not all(
            isinstance(node.value, (str, int, float)) for node in ast.walk(tree) if isinstance(node, ast.Constant)):
        return code
    try:
        value = eval(compile(tree, "<label>", "eval"), {"__builtins__": {}})  # literals and + and % alone
    except Exception:
        return code
    return repr(value) if isinstance(value, str) else code


def _wrapped(s: Rewrite, value: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(value, (cst.Name, cst.SimpleString, cst.Integer, cst.Float, cst.Attribute, cst.Call,
                          cst.Subscript)):
        return value
    return s.expr(f"({s.code(value)})")
