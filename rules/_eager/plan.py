"""The plan the interpreter makes of a program, and stage 3, emit: the plan as a module.

The interpreter (``interpret.py``) decides, statement by statement, what each
becomes; the plan records it as data: a statement kept as written (:class:`Keep`),
a line whose small statements became others or nothing (:class:`Line`), a block
statement with rewritten header and bodies (:class:`Compound`), a ``with
tf.Session():`` whose body takes its place (:class:`Inline`). Each statement the
rewrite writes is an :class:`Out`, which says whether it is a function of the
rewrite's own (set apart by blank lines, as PEP 8 asks).

:func:`emit` renders a plan. It makes no decision and cannot fail: it places the
comments of removed statements on the next one, keeps semicolons and trailing
comments, puts ``pass`` in emptied bodies, and spaces the new functions.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple, Union

import libcst as cst

from tfmigrate.positions import code_for

from . import layout, queries


@dataclass
class Written:
    """What the rewrite knows of a function it wrote (``Rewrite.function`` reads it off the code).

    Handlers write a computation they expose as ``@tf.function`` (with the input
    signature of its placeholders); ``functions.finish`` decides, once the whole
    program is known, which of them stay so (the entry points the program calls)."""

    name: str
    params: Tuple[str, ...] = ()
    signature: Optional[Tuple[str, ...]] = None  # its TensorSpecs, as code; None: none written
    compiled: bool = False  # written as a tf.function (the decorator is put back by ``finish``)
    tensor: Optional[str] = None  # the TF1 name whose value it computes
    previous: Optional[str] = None  # the function that TF1 name stood for before (``L1 = f(L1)``)


@dataclass
class Out:
    """A statement the rewrite wrote: a small statement, or a whole statement."""

    node: cst.CSTNode
    generated: bool = False  # a function of the rewrite's own
    function: Optional[Written] = None  # for a function of the rewrite's own
    after_trace: bool = False  # reads a module's variables: after the trace that makes them (instances.built)


@dataclass
class Keep:
    stmt: cst.BaseStatement


@dataclass
class Line:
    """A simple statement line: what each of its small statements became (None: removed)."""

    stmt: cst.SimpleStatementLine
    parts: List[Optional[List[Out]]]


@dataclass
class Compound:
    """A block statement: ``node`` has its header rewritten; its bodies come from the plans."""

    node: cst.BaseCompoundStatement
    body: "Block"
    orelse: Union[None, "Block", "Compound"] = None  # an else block, or an elif
    handlers: Sequence["Block"] = ()
    finalbody: Optional["Block"] = None
    drop_empty_else: bool = False  # an `else:` left empty by a removed statement goes
    drop_empty: bool = False  # left empty, it goes too: `with tf.name_scope(...):`, an `if` whose test only reads


@dataclass
class Inline:
    """``with tf.Session() as sess:``: its body, run eagerly, takes the statement's place."""

    stmt: cst.With
    body: "Block"


@dataclass
class Step:
    """One statement of a block, what it becomes, and statements built just before it."""

    stmt: cst.BaseStatement
    result: Union[Keep, Line, Compound, Inline]
    hoisted: List[Out] = field(default_factory=list)  # Keras layers the statement calls, built once


Block = List[Step]


class Emitter:
    def __init__(self, module: cst.Module) -> None:
        self.module = module

    def pass_(self) -> cst.BaseStatement:
        return cst.parse_statement("pass", config=self.module.config_for_parsing)

    def code(self, node: cst.CSTNode) -> str:
        return code_for(self.module, node)

    def block(self, steps: Block) -> Tuple[List[Out], List[cst.EmptyLine]]:
        """The statements of a block, and the comments of removed statements at its end."""
        out: List[Out] = []
        carried: List[cst.EmptyLine] = []  # comments of removed statements go to the next one
        for step in steps:
            new, after = self.result(step.result)
            if step.hoisted:
                lead = new[0].node.leading_lines if new else step.stmt.leading_lines
                if new:
                    new[0] = _with_leading(new[0], [])
                hoisted = [_with_leading(step.hoisted[0], lead), *step.hoisted[1:]]
                new = [*hoisted, *new]
            if not new:
                lead = getattr(step.stmt, "leading_lines", ())
                if isinstance(step.stmt, cst.FunctionDef):  # a function that went: its blank lines go with it
                    lead = [line for line in lead if line.comment is not None]
                carried.extend(lead)
                carried.extend(queries.comment_lines(queries.own_comments(step.stmt)))  # `sess.run(init)  # note`
                continue
            if carried:
                new[0] = _with_leading(new[0], [*carried, *new[0].node.leading_lines])
            out.extend(new)
            carried = after
        return _spaced(out), carried

    def body(self, suite, steps: Block):
        """``suite`` (an indented block) with the statements of ``steps``; the comments of
        removed statements at its end stay at its end."""
        outs, leftover = self.block(steps)
        body = [o.node for o in outs]
        if not isinstance(suite, cst.IndentedBlock):
            return suite.with_changes(body=body or [self.pass_()])
        if not body:
            return suite.with_changes(body=[self.pass_().with_changes(leading_lines=leftover)])
        if leftover:
            return suite.with_changes(body=body, footer=[*leftover, *suite.footer])
        return suite.with_changes(body=body)

    def result(self, result) -> Tuple[List[Out], List[cst.EmptyLine]]:
        """What a statement became, and comments to place after it."""
        if isinstance(result, Keep):
            return [Out(result.stmt)], []
        if isinstance(result, Line):
            return self.line(result), []
        if isinstance(result, Compound):
            if result.drop_empty and self._all_empty(result):
                return [], []  # the caller keeps the statement's comments
            return [Out(self.compound(result))], []
        return self.inline(result)

    def _all_empty(self, plan: Compound) -> bool:
        """Nothing left in any body of ``plan`` (an elif that may go itself, an else with no comments)."""
        if self.block(plan.body)[0]:
            return False
        if isinstance(plan.orelse, Compound):
            return plan.orelse.drop_empty and self._all_empty(plan.orelse)
        return plan.orelse is None or (not self.block(plan.orelse)[0] and not queries.own_comments(
            plan.node.orelse, trailing=True))

    def compound(self, plan: Compound) -> cst.BaseCompoundStatement:
        node = plan.node
        new = node.with_changes(body=self.body(node.body, plan.body))
        if plan.handlers:
            new = new.with_changes(handlers=[h.with_changes(body=self.body(h.body, b))
                                             for h, b in zip(node.handlers, plan.handlers)])
        if isinstance(plan.orelse, Compound):
            new = new.with_changes(orelse=self.compound(plan.orelse))
        elif plan.orelse is not None:
            if plan.drop_empty_else and not self.block(plan.orelse)[0] and not queries.own_comments(
                    node.orelse, trailing=True):
                new = new.with_changes(orelse=None)
            else:
                new = new.with_changes(orelse=node.orelse.with_changes(body=self.body(node.orelse.body, plan.orelse)))
        if plan.finalbody is not None:
            final = node.finalbody
            new = new.with_changes(finalbody=final.with_changes(body=self.body(final.body, plan.finalbody)))
        return new

    def inline(self, plan: Inline) -> Tuple[List[Out], List[cst.EmptyLine]]:
        body, leftover = self.block(plan.body)
        if not body:
            return [], []
        suite = plan.stmt.body
        if isinstance(suite, cst.IndentedBlock):
            # The body moves one level left: so do the lines of what it held that a backslash continues
            # (libcst moves those inside brackets with the block; what the rewrite wrote as a new function
            # is laid out where it lands already).
            width = len(suite.indent if suite.indent is not None else self.module.default_indent)
            body = [o if o.generated or o.function is not None else
                    Out(layout.shift(o.node, -width, bracketed=False), o.generated, o.function) for o in body]
        comments = list(plan.stmt.leading_lines)
        header = plan.stmt.body.header
        if header.comment is not None:
            comments.append(cst.EmptyLine(comment=header.comment))
        if comments:
            body[0] = _with_leading(body[0], [*comments, *body[0].node.leading_lines])
        return body, leftover  # comments after the body's last statement follow what replaces the `with`

    def line(self, plan: Line) -> List[Out]:
        line = plan.stmt
        results: List[Out] = []
        smalls: List[cst.BaseSmallStatement] = []
        unchanged = True

        def flush() -> None:
            if smalls:
                results.append(Out(cst.SimpleStatementLine(body=_strip_semicolons(smalls))))
                smalls.clear()

        for small, converted in zip(line.body, plan.parts):
            unchanged = unchanged and converted is not None and len(converted) == 1 and (
                converted[0].node is small or converted[0].node.deep_equals(small))
            if converted is None:
                continue
            split = len(line.body) == 1 and len(converted) > 1  # one statement became several: a line each
            for item in converted:
                if isinstance(item.node, cst.BaseSmallStatement) and split:
                    flush()
                    results.append(Out(cst.SimpleStatementLine(body=_strip_semicolons([item.node]))))
                elif isinstance(item.node, cst.BaseSmallStatement):
                    smalls.append(item.node)
                else:
                    flush()
                    results.append(item)
        if unchanged:
            return [Out(line)]  # as written, semicolons and all
        flush()
        if not results:
            return []
        # Comments inside a rewritten statement (a multi-line run call) go above what replaces it.
        lost = queries.own_comments(line, trailing=False)
        if lost:
            written = "".join(self.code(r.node) for r in results)
            lost = [c for c in lost if c not in written]
        first = results[0].node
        if len(line.body) == 1 and len(results) == 1 and isinstance(first, cst.SimpleStatementLine) and not lost:
            return [Out(line.with_changes(body=first.body))]
        results[0] = _with_leading(results[0], [*line.leading_lines, *queries.comment_lines(lost), *first.leading_lines])
        last = results[-1].node
        if isinstance(last, cst.SimpleStatementLine):
            results[-1] = Out(last.with_changes(trailing_whitespace=line.trailing_whitespace), results[-1].generated,
                              results[-1].function)
        return results


def emit(module: cst.Module, steps: Block) -> cst.Module:
    body, leftover = Emitter(module).block(steps)
    return module.with_changes(body=[o.node for o in body], footer=[*leftover, *module.footer])


def _with_leading(out: Out, lines) -> Out:
    return Out(out.node.with_changes(leading_lines=lines), out.generated, out.function)


def _starts_blank(stmt) -> bool:
    lines = getattr(stmt, "leading_lines", ())
    return bool(lines) and lines[0].comment is None


def _spaced(out: List[Out]) -> List[Out]:
    """A blank line around each function this rewrite wrote, as PEP 8 asks."""
    for i, item in enumerate(out):
        if not item.generated:
            continue
        if i > 0 and not _starts_blank(item.node):
            out[i] = item = _with_leading(item, [cst.EmptyLine(indent=False), *item.node.leading_lines])
        if i + 1 < len(out) and not _starts_blank(out[i + 1].node):
            nxt = out[i + 1]
            # a class the rewrite made of a function (its def's blank lines went to the helper before it)
            blank = [cst.EmptyLine(indent=False)] * (2 if isinstance(nxt.node, cst.ClassDef) else 1)
            out[i + 1] = _with_leading(nxt, [*blank, *nxt.node.leading_lines])
    return out


def _strip_semicolons(smalls: List[cst.BaseSmallStatement]) -> List[cst.BaseSmallStatement]:
    out = []
    for i, small in enumerate(smalls):
        if i < len(smalls) - 1:
            small = small.with_changes(semicolon=cst.Semicolon(whitespace_after=cst.SimpleWhitespace(" ")))
        else:
            small = small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        out.append(small)
    return out
