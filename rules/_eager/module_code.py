"""The code of a model function's ``tf.Module`` class (from the plan ``modules.py`` made).

    class Dense(tf.Module):
        def __init__(self, name="dense"):
            super().__init__(name=name)
            self.is_built = False

        @tf.Module.with_name_scope
        def __call__(self, x, size):
            if not self.is_built:
                self.w = tf.Variable(..., name="w")
                self.is_built = True
            return tf.matmul(x, self.w)

A module whose variables do not depend on the call makes them in ``__init__`` under
its name scope; one with Keras layers or sub-modules built at their first call enters
its name scope in ``__call__`` (``tf.Module.with_name_scope``) so that what they make
is named below it, as TF1 named it.
"""
from __future__ import annotations

from typing import Dict, List

import libcst as cst

from . import layers, queries, tensors
from .instances import new_call
from .modules import GONE, LAYER, MODULE, RNN, VARIABLE, Build, Item, default_name
from .state import Rewrite


def class_def(s: Rewrite, build: Build) -> cst.ClassDef:
    model = build.model
    func = model.node
    init = _init(s, build)
    call = func.with_changes(name=cst.Name("__call__"), params=_params(model, func.params), decorators=(
        [cst.Decorator(s.expr(f"{s.tf}.Module.with_name_scope"))] if not build.static else []),
        body=func.body.with_changes(body=_body(s, build)),
        leading_lines=[cst.EmptyLine(indent=False)], lines_after_decorators=())
    return cst.ClassDef(
        name=cst.Name(build.class_name), bases=[cst.Arg(s.expr(f"{s.tf}.Module"))],
        body=cst.IndentedBlock(body=[init, call]), leading_lines=func.leading_lines,
        lpar=cst.LeftParen(), rpar=cst.RightParen())


def _made(item: Item, indent: str) -> str:
    comment = ""
    if item.kind == VARIABLE and item.node.trailing_whitespace.comment is not None:
        comment = "  " + item.node.trailing_whitespace.comment.value
    return f"{indent}self.{item.attr} = {item.code}{comment}".replace("\n", "\n" + indent)


def _grouped(s: Rewrite, items: List[Item], indent: str) -> List[str]:
    """Lines making ``items``; layers and sub-modules of an inner scope are made under its name."""
    lines: List[str] = []
    open_prefix = ""
    for item in items:
        prefix = item.prefix if item.kind != VARIABLE else ""
        if prefix != open_prefix:
            if prefix:
                lines.append(f"{indent}with {s.tf}.name_scope({prefix.rstrip('/')!r}):")
            open_prefix = prefix
        lines.append(_made(item, indent + (s.indent if prefix else "")))
    return lines


def _init(s: Rewrite, build: Build) -> cst.FunctionDef:
    i1, i2 = s.indent, s.indent * 2
    lines = [f"def __init__(self, name={default_name(s, build)}):", f"{i1}super().__init__(name=name)"]
    new = [item for item in build.items if not item.shared and item.kind != GONE]
    if any(_at_first_call(item) for item in new):
        lines.append(f"{i1}self.is_built = False")
    made_here = [item for item in new if not _at_first_call(item)]
    if made_here:
        lines.append(f"{i1}with self.name_scope:")
        lines += _grouped(s, made_here, i2)
    wrapper = s.stmt("class _:\n" + "\n".join(i1 + line for line in lines) + "\n")
    return wrapper.body.body[0]


def _at_first_call(item: Item) -> bool:
    """Made in ``__call__`` when the module is first called (it needs a value of the call)."""
    return item.kind == RNN or (item.kind == VARIABLE and item.lazy) or item.configured


def _params(model, params: cst.Parameters) -> cst.Parameters:
    dropped = {model.name_param, model.reuse_param, *(model.fixed or ())}
    kept = [p for p in params.params if p.name.value not in dropped]
    kept = [cst.Param(cst.Name("self"), comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")) if kept else
                      cst.MaybeSentinel.DEFAULT), *kept]
    if kept:
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return params.with_changes(params=kept)


class _Replace(tensors.SkipNames):
    """Calls of layers and sub-modules become calls of attributes; variable names, attributes."""

    def __init__(self, s: Rewrite, calls: Dict[int, Item], renames: Dict[str, str], fields=frozenset()) -> None:
        super().__init__()
        self.s = s
        self.calls = calls
        self.renames = renames
        self.fields = fields  # ids of `state.c` / `state.h` of an LSTM state: `state[0]` / `state[1]`

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute):
        updated = super().leave_Attribute(original, updated)
        if id(original) not in self.fields or not isinstance(updated, cst.Attribute):
            return updated
        index = cst.Integer("0" if original.attr.value == "c" else "1")
        return cst.Subscript(updated.value, [cst.SubscriptElement(cst.Index(index))])

    def leave_Call(self, original: cst.Call, updated: cst.Call):
        item = self.calls.get(id(original))
        if item is None:
            return updated
        called = new_call(self.s, updated, f"self.{item.attr}", item.keep)
        if item.kind != LAYER:
            return called
        return layers.flagged(item.code.partition("(")[0].rpartition(".")[2], called)  # its Keras class

    def leave_Name(self, original: cst.Name, updated: cst.Name):
        attr = self.renames.get(original.value)
        return self.s.expr(f"self.{attr}") if attr is not None else updated


def _body(s: Rewrite, build: Build) -> List[cst.BaseStatement]:
    calls = {id(i.node): i for i in build.items if i.kind in (LAYER, MODULE)}
    variables = {id(i.node): i for i in build.items if i.kind == VARIABLE}
    others = {id(i.node): i for i in build.items if i.kind in (RNN, GONE)}
    renames: Dict[str, str] = {}  # local name -> attribute of the variable it holds at this point
    lazy = [i for i in build.items if _at_first_call(i)]
    out: List[cst.BaseStatement] = []
    carried: list = []
    docstring = build.model.node.get_docstring(clean=False) is not None
    for index, (stmt, _) in enumerate(build.statements):
        if docstring and index == 0:
            out.append(stmt)
            continue
        item = others.get(id(stmt))
        if item is not None and item.kind == GONE:
            carried += list(stmt.leading_lines)
            continue
        if item is not None:  # an RNN
            new = [s.stmt(line.format(layer=f"self.{item.attr}") + "\n") for line in item.lines]
            if item is lazy[0]:
                new.insert(0, _build_block(s, lazy))
            new[:0] = [s.stmt(line + "\n") for line in item.prelude]
            comment = stmt.trailing_whitespace.comment
            if comment is not None:
                new[-1] = new[-1].with_changes(trailing_whitespace=stmt.trailing_whitespace)
            new[0] = new[0].with_changes(leading_lines=[*carried, *stmt.leading_lines])
            carried = []
            out += new
            continue
        item = variables.get(id(stmt))
        if item is not None:
            renames[stmt.body[0].targets[0].target.value] = item.attr
            if lazy and item is lazy[0]:
                block = _build_block(s, lazy)
                out.append(block.with_changes(leading_lines=[*carried, *stmt.leading_lines]))
                carried = []
            else:
                carried += list(stmt.leading_lines)
            continue
        new = stmt.visit(_Replace(s, calls, renames, build.state_fields))
        if lazy and lazy[0].configured and queries.holds(stmt, cst.Call, lambda c: c is lazy[0].node):
            out.append(_build_block(s, lazy).with_changes(leading_lines=[*carried, *new.leading_lines]))
            new, carried = new.with_changes(leading_lines=()), []
        if carried:
            new = new.with_changes(leading_lines=[*carried, *new.leading_lines])
            carried = []
        out.append(new)
    return out


def _build_block(s: Rewrite, items: List[Item]) -> cst.If:
    i1 = s.indent
    lines = ["if not self.is_built:"]
    for item in items:
        if item.kind == RNN:
            # Its cells start from weights drawn when it is made, and it is built there: eagerly, out of
            # the function being traced (the layer's config holds the weights, a Bidirectional copies its
            # layers by config, and a variable cannot start from a value of the trace).
            lines += [f"{i1}with {s.tf}.init_scope():", _made(item, i1 * 2),
                      f"{i1 * 2}self.{item.attr}.build({item.shape})"]
        else:
            lines.append(_made(item, i1))
    lines.append(f"{i1}self.is_built = True")
    return s.stmt("\n".join(lines) + "\n")
