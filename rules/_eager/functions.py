"""Between interpret and emit: the decisions about the rewrite's functions that need the whole plan.

Handlers write one function per graph tensor, train op or summary, each as its
statement is read, and expose the placeholder-fed ones as ``@tf.function`` with
their input signature (``Rewrite.function`` takes that decorator off and records
it: ``plan.Written``). Once the whole program is planned, :func:`finish`:

- merges a chain of rebindings of one name (``L1 = tf.nn.relu(...)``,
  ``L1 = tf.nn.dropout(L1, ...)``) into one function ``L1`` whose body keeps the
  chain as local statements, when nothing else used the earlier values;
- keeps ``tf.function`` on the entry points only, the functions the program
  calls (a train step, what a fetch site runs): a function that only other
  functions call is plain Python, traced into its callers' graphs;
- writes an input signature that several entry points share once, where the
  placeholders were (``SIGNATURE = [tf.TensorSpec(...), ...]``), and names it
  in their decorators (``input_signature=SIGNATURE``, or ``SIGNATURE[:1]`` for
  a function of its first placeholders).

It changes the plan in place and never fails: a case it does not recognise
keeps what the handlers wrote.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from tfmigrate.names import fresh_name
from tfmigrate.traverse import Transformer

from .. import _vocab
from . import feeds, layout, queries
from .plan import Block, Compound, Inline, Keep, Line, Out, Step
from .state import Rewrite

Path = Tuple[Tuple[int, int], ...]  # (id of a block, index of a step in it), from the module down


@dataclass
class _Function:
    out: Out
    holder: list  # the list that holds ``out``
    step: Step
    block: Block
    path: Path
    names: Set[str]  # the rewrite's functions its code names

    @property
    def w(self):
        return self.out.function

    @property
    def sole(self) -> bool:
        """Is it all that its statement line became (its comments are then its own)?"""
        result = self.step.result
        return (isinstance(result, Line) and len(result.stmt.body) == 1 and result.parts[0] is self.holder
                and len(self.holder) == 1)


class _Plan:
    """The rewrite's functions in a plan, and where the rest of the code names them."""

    def __init__(self, s: Rewrite, steps: Block) -> None:
        self.s = s
        self.functions: List[_Function] = []
        self.others: List[Tuple[object, str, List[cst.CSTNode]]] = []  # (holder, attribute, parts to read)
        # placeholder -> where each statement defining it was (two test methods may each define an `x`)
        self.placeholders: Dict[str, List[Tuple[Block, int, Path]]] = {}
        self.withs: Dict[int, Tuple[Block, int, Path]] = {}  # id(body of a `with`) -> where the `with` is
        self._walk(steps, ())
        self.generated = {f.w.name for f in self.functions}
        self.outside: Set[str] = set()  # named by code that is not a function of the rewrite's
        self.callers: Dict[str, Set[str]] = {name: set() for name in self.generated}
        for f in self.functions:
            f.names = queries.names_in(f.out.node) & self.generated - {f.w.name}
            for name in f.names:
                self.callers[name].add(f.w.name)
        self.other_names: List[Set[str]] = []
        for _, _, parts in self.others:
            found = set().union(*(queries.free_names_in(p) for p in parts)) & self.generated if parts else set()
            self.other_names.append(found)
            self.outside |= found

    def _walk(self, block: Block, path: Path) -> None:
        for index, step in enumerate(block):
            here = path + ((id(block), index),)
            self._outs(step.hoisted, step, block, here)
            result = step.result
            if isinstance(result, Keep):
                if result.stmt is not step.stmt:  # code kept as written names none of the rewrite's functions
                    self.others.append((result, "stmt", [result.stmt]))
            elif isinstance(result, Line):
                for small, part in zip(result.stmt.body, result.parts):
                    if part is None:
                        self._placeholder(small, block, index, here)
                    elif not (len(part) == 1 and part[0].node is small):
                        self._outs(part, step, block, here)
            elif isinstance(result, Inline):
                self._walk(result.body, here)
            else:
                if isinstance(result.node, cst.With):  # a placeholder inside: its constant goes after the `with`
                    self.withs[id(result.body)] = (block, index, here)
                self._compound(result, here)

    def _outs(self, outs: List[Out], step: Step, block: Block, path: Path) -> None:
        for out in outs:
            if out.generated and out.function is not None and isinstance(out.node, cst.FunctionDef):
                self.functions.append(_Function(out, outs, step, block, path, set()))
            else:
                self.others.append((out, "node", [out.node]))

    def _compound(self, plan: Compound, path: Path) -> None:
        self.others.append((plan, "node", _header(plan.node)))
        for block in (plan.body, plan.finalbody, *plan.handlers):
            if block is not None:
                self._walk(block, path)
        if isinstance(plan.orelse, Compound):
            self._compound(plan.orelse, path)
        elif plan.orelse is not None:
            self._walk(plan.orelse, path)

    def _placeholder(self, small, block: Block, index: int, path: Path) -> None:
        if not (isinstance(small, cst.Assign) and len(small.targets) == 1):
            return
        target, value = small.targets[0].target, small.value
        if isinstance(target, cst.Name) and self.s.call_name(value) in _vocab.PLACEHOLDERS:
            self.placeholders.setdefault(target.value, []).append((block, index, path))
        elif (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and not value.args
              and value.func.attr.value == "get_next"):  # `images, labels = iterator.get_next()`: fed like them
            names = [e.value for e in target.elements] if isinstance(target, (cst.Tuple, cst.List)) else [target]
            for name in names:
                if isinstance(name, cst.Name):
                    self.placeholders.setdefault(name.value, []).append((block, index, path))

    def rename(self, names: Dict[str, str]) -> None:
        """Every use of a function named in ``names`` takes its new name."""
        renamer = _Rename(names)
        for f in self.functions:
            if f.w.name in names or f.names & names.keys():
                f.out.node = f.out.node.visit(renamer)
                f.w.name = names.get(f.w.name, f.w.name)
                f.names = {names.get(n, n) for n in f.names}
        for index, ((holder, attribute, _), found) in enumerate(zip(self.others, self.other_names)):
            if found & names.keys():
                setattr(holder, attribute, getattr(holder, attribute).visit(renamer))
                self.other_names[index] = {names.get(n, n) for n in found}  # a later rename finds them again
        self.outside = {names.get(n, n) for n in self.outside}
        self.callers = {names.get(k, k): {names.get(n, n) for n in v} for k, v in self.callers.items()}


def _header(node: cst.CSTNode) -> List[cst.CSTNode]:
    """The parts of a block statement that are not its bodies (those have plans of their own)."""
    if isinstance(node, cst.For):
        return [node.target, node.iter]
    if isinstance(node, (cst.While, cst.If)):
        return [node.test]
    if isinstance(node, cst.With):
        return list(node.items)
    if isinstance(node, cst.FunctionDef):
        return [*node.decorators, node.params, *([node.returns] if node.returns else [])]
    if isinstance(node, cst.Try):
        return [h.type for h in node.handlers if h.type is not None]
    return [node]


class _Rename(Transformer):
    def __init__(self, names: Dict[str, str]) -> None:
        super().__init__()
        self.names = names

    def leave_Name(self, original, updated):
        new = self.names.get(updated.value)
        return updated.with_changes(value=new) if new else updated


def finish(s: Rewrite, steps: Block) -> None:
    """Merge chains, keep tf.function on entry points, share input signatures (in place)."""
    plan = _Plan(s, steps)
    if not plan.functions:
        return
    _merge_chains(s, plan)
    _natural_names(s, plan)
    decorated = _entry_points(plan)
    _decorate(s, plan, decorated)


# --- chains: L1 = f(...); L1 = g(L1) -----------------------------------------------------------------

def _returned(func: cst.FunctionDef) -> Optional[cst.BaseExpression]:
    """The value of a body that only assigns locals and returns."""
    body = func.body.body if isinstance(func.body, cst.IndentedBlock) else ()
    if func.decorators or not body or not all(
            isinstance(st, cst.SimpleStatementLine) and len(st.body) == 1 for st in body):
        return None
    last = body[-1].body[0]
    if not isinstance(last, cst.Return) or last.value is None:
        return None
    if not all(isinstance(st.body[0], cst.Assign) for st in body[:-1]):
        return None
    return last.value


class _Inline(Transformer):
    """Calls ``name(params)`` replaced by the local ``local``."""

    def __init__(self, name: str, params: Tuple[str, ...], local: str) -> None:
        super().__init__()
        self.name, self.params, self.local = name, params, local
        self.replaced = 0

    def leave_Call(self, original, updated):
        if isinstance(updated.func, cst.Name) and updated.func.value == self.name and tuple(
                a.value.value if isinstance(a.value, cst.Name) and a.keyword is None and not a.star else None
                for a in updated.args) == self.params:
            self.replaced += 1
            return cst.Name(self.local, lpar=updated.lpar, rpar=updated.rpar)
        return updated


def _merge_chains(s: Rewrite, plan: _Plan) -> None:
    by_name = {f.w.name: f for f in plan.functions}
    final: Dict[str, str] = {}
    for later in list(plan.functions):
        w = later.w
        earlier = by_name.get(w.previous) if w.previous else None
        if earlier is None or earlier.block is not later.block or w.tensor is None:
            continue
        local = w.tensor
        assigned = {t.target.value for st in earlier.out.node.body.body if isinstance(st, cst.SimpleStatementLine)
                    for small in st.body if isinstance(small, cst.Assign) for t in small.targets
                    if isinstance(t.target, cst.Name)}
        probe = _merged(earlier, later, "_", plan)  # the later value, the earlier function's calls read from `_`
        if probe is None:
            continue
        if local not in assigned and local in queries.names_in(earlier.out.node.body) | queries.names_in(probe):
            # the chain reads another function of that name (`outputs = dense(outputs(X))`): a local of the
            # same name would hide it
            local = fresh_name(queries.names_in(earlier.out.node) | queries.names_in(later.out.node) | set(
                w.params) | set(earlier.w.params), f"{w.tensor}_value")
        merged = _merged(earlier, later, local, plan)
        earlier_comments = _comments(earlier, keep_blank=False)
        later_comments = _comments(later, keep_blank=True)
        body = list(earlier.out.node.body.body)
        if earlier_comments:
            body[0] = body[0].with_changes(leading_lines=[*earlier_comments, *body[0].leading_lines])
        last = body[-1]
        value = last.body[0].value
        if isinstance(value, cst.Name) and value.value == local:  # a merged chain already ends in the local
            body.pop()
        else:
            body[-1] = last.with_changes(body=[cst.Assign([cst.AssignTarget(cst.Name(local))], _realigned(value, local))])
        own = later.out.node.body.body[0]
        step = own.with_changes(body=[cst.Assign([cst.AssignTarget(cst.Name(local))], _realigned(merged, local))],
                                leading_lines=later_comments)
        ret = cst.parse_statement(f"return {local}\n")
        if isinstance(merged, cst.Name) and merged.value == local:  # `L1 = L1`: a layer that did nothing
            body.append(ret.with_changes(leading_lines=later_comments))
        else:
            body += [step, ret]
        later.out.node = later.out.node.with_changes(body=later.out.node.body.with_changes(body=body))
        earlier.holder.remove(earlier.out)
        plan.functions.remove(earlier)
        later.names = (later.names | earlier.names) - {earlier.w.name}
        final[later.w.name] = final.get(earlier.w.name, earlier.w.name)
        by_name[later.w.name] = later
        plan.callers.pop(earlier.w.name, None)
        for callers in plan.callers.values():
            if earlier.w.name in callers:
                callers.discard(earlier.w.name)
                callers.add(later.w.name)
    renames = {old: new for old, new in final.items() if old != new}
    if renames:
        plan.rename(renames)


def _realigned(value: cst.BaseExpression, local: str) -> cst.BaseExpression:
    """A returned value written after ``local = `` instead: its aligned continuation lines follow it."""
    if layout.hanging(cst.Module([]).code_for_node(value)):
        return value
    return layout.shift(value, len(f"{local} = ") - len("return "))


def _merged(earlier: _Function, later: _Function, local: str, plan: _Plan) -> Optional[cst.BaseExpression]:
    """``later``'s value with the calls of ``earlier`` read from the local ``local``, if it can be merged."""
    name = earlier.w.name
    if name in plan.outside or plan.callers.get(name, set()) != {later.w.name}:
        return None  # its value is used elsewhere too
    if _returned(earlier.out.node) is None:
        return None
    body = later.out.node.body.body if isinstance(later.out.node.body, cst.IndentedBlock) else ()
    if len(body) != 1 or _returned(later.out.node) is None or not set(earlier.w.params) <= set(later.w.params):
        return None
    if local in later.w.params or local in earlier.w.params:
        return None
    value = _returned(later.out.node)
    inline = _Inline(name, earlier.w.params, local)
    new = value.visit(inline)
    uses = [n for n in queries.find(new, cst.Name, values=True) if n.value in (name, local)]
    if not inline.replaced or len(uses) != inline.replaced or any(n.value != local for n in uses):
        return None  # named otherwise than called with its parameters, or the local's name is taken
    return new


def _comments(f: _Function, keep_blank: bool) -> List[cst.EmptyLine]:
    """The comment lines above ``f``'s statement, taken off it (blank lines stay with ``keep_blank``)."""
    if not f.sole:
        return []
    line = f.step.result.stmt
    comments = [cst.EmptyLine(comment=e.comment) for e in line.leading_lines if e.comment is not None]
    if keep_blank:
        stmt = line.with_changes(leading_lines=[e for e in line.leading_lines if e.comment is None])
    else:
        stmt = cst.SimpleStatementLine([cst.Pass()])  # nothing of it is left to place
    f.step.result = Line(stmt, f.step.result.parts)
    f.step.stmt = stmt
    return comments


# --- names: the function of a name bound again is named after what it computes -------------------------

def _natural_names(s: Rewrite, plan: _Plan) -> None:
    """``x = tf.random_normal(...)`` after an earlier ``x``: ``x_normal``, not ``x_2``."""
    renames: Dict[str, str] = {}
    for f in plan.functions:
        tensor = f.w.tensor
        if tensor is None or not re.fullmatch(re.escape(tensor) + r"_\d+", f.w.name) or f.w.name in s.joined:
            continue  # (a function the branches of an `if` name alike: not after one branch's op)
        value = _returned(f.out.node)
        if isinstance(value, cst.Name):  # a merged chain: `x = f(x); x = tf.reshape(x, ...); x = x[-1]; return x`
            # named after its last TensorFlow op
            value = next((st.body[0].value for st in reversed(f.out.node.body.body[:-1]) if any(
                isinstance(t.target, cst.Name) and t.target.value == value.value for t in st.body[0].targets)
                and isinstance(st.body[0].value, cst.Call) and isinstance(st.body[0].value.func, cst.Attribute)),
                None)
        while isinstance(value, cst.BinaryOperation):  # `tf.reshape(x, shape) / 10.0`: x_reshape
            value = next((side for side in (value.left, value.right) if isinstance(side, cst.BinaryOperation) or (
                isinstance(side, cst.Call) and isinstance(side.func, cst.Attribute))), None)
        op = queries.dotted(value.func) if isinstance(value, cst.Call) else _trained_by(f.out.node, renames)
        if op is None:
            continue
        name = f"{tensor}_{op.rsplit('.', 1)[-1]}"
        if name.isidentifier() and name not in s.taken and name not in renames.values():
            renames[f.w.name] = name
    if renames:
        s.taken.update(renames.values())
        plan.rename(renames)


def _trained_by(func: cst.FunctionDef, renames: Dict[str, str]) -> Optional[str]:
    """A train step's optimizer (``train_sgd``), or the loss it minimizes (by its new name, in ``renames``)
    when that optimizer's name says nothing more (``optimizer``: ``train_loss_reduce_mean``)."""
    steps = [c for c in queries.find(func, cst.Call) if isinstance(c.func, cst.Attribute)
             and c.func.attr.value == "apply_gradients" and isinstance(c.func.value, cst.Name)]
    if len(steps) != 1:
        return None
    optimizer = steps[0].func.value.value
    if optimizer not in ("optimizer", "opt"):
        return optimizer
    losses = [a.value.func.value for tape in queries.find(func, cst.With) for a in queries.find(tape, cst.Assign)
              if isinstance(a.value, cst.Call) and isinstance(a.value.func, cst.Name)]  # loss_value = loss(x)
    return renames.get(losses[0], losses[0]) if len(losses) == 1 else None


# --- entry points ---------------------------------------------------------------------------------------

def _entry_points(plan: _Plan) -> Set[str]:
    """The functions to keep as tf.functions: written so, and run where no tf.function traces them."""
    compiled = {f.w.name for f in plan.functions if f.w.compiled}
    eager = set(plan.outside)
    changed = True
    while changed:
        changed = False
        for f in plan.functions:
            name = f.w.name
            if name not in eager and any(c in eager and c not in compiled for c in plan.callers.get(name, ())):
                eager.add(name)
                changed = True
    return eager & compiled


# --- decorators and shared signatures -------------------------------------------------------------------

def _decorate(s: Rewrite, plan: _Plan, decorated: Set[str]) -> None:
    entries = [f for f in plan.functions if f.w.name in decorated]
    shared = _shared(s, plan, [f for f in entries if f.w.signature])
    for f in entries:
        if not f.w.signature:
            code = f"{s.tf}.function"
        else:
            spec = shared.get(id(f)) or f"[{', '.join(f.w.signature)}]"
            code = f"{s.tf}.function(input_signature={spec})"
        node = f.out.node
        f.out.node = node.with_changes(decorators=[cst.Decorator(s.expr(code)), *node.decorators])


def _after(site: Path, path: Path) -> bool:
    """Is a statement at ``path`` after the one at ``site``, in its block or a block inside it?"""
    block, index = site[-1]
    return any(b == block and i > index for b, i in path)


def _shared(s: Rewrite, plan: _Plan, entries: List[_Function]) -> Dict[int, str]:
    """Function (its id: two test methods may each write a ``loss``) -> where its signature is read from
    (``SIGNATURE``, ``SIGNATURE[:1]``), for the signatures that several entry points share (the same specs,
    of the same placeholders or of two alike, ``train_x`` and ``test_x``); each constant goes where the last
    of their placeholders was."""
    groups: Dict[Tuple[str, ...], List[_Function]] = {}
    for f in entries:
        groups.setdefault(f.w.signature, []).append(f)
    sites: Dict[Tuple[str, ...], Tuple[Block, int, Path]] = {}  # the signatures written once
    uses: Dict[int, Tuple[Tuple[str, ...], int]] = {}  # id(function) -> (a constant's specs, how many)
    for specs in sorted(groups, key=len, reverse=True):
        site = _site(plan, tuple(dict.fromkeys(p for f in groups[specs] for p in f.w.params)), groups[specs])
        if site is None:
            continue
        users = [f for f in groups[specs] if _after(site[2], f.path)]
        longer = next((c for c in sites if c[:len(specs)] == specs and c != specs), None)
        if longer is not None:
            for f in users:
                if _after(sites[longer][2], f.path):
                    uses[id(f)] = (longer, len(specs))
        elif len(users) >= 2:
            sites[specs] = site
            for f in users:
                uses[id(f)] = (specs, len(specs))
    if not sites:
        return {}
    names = _constant_names(s, list(sites), groups)
    for specs, (block, index, _) in sorted(sites.items(), key=lambda item: -item[1][1]):
        stmt = _constant(s, names[specs], specs)
        block.insert(index + 1, Step(stmt, Keep(stmt)))
    return {func: names[p] + (f"[:{k}]" if k < len(p) else "") for func, (p, k) in uses.items()}


def _site(plan: _Plan, params: Tuple[str, ...], users: List[_Function]) -> Optional[Tuple[Block, int, Path]]:
    """Where the last of ``params``'s placeholders was defined (its statement was removed), the last
    definition before one of ``users``."""
    order = plan.s.b.order
    last = max(params, key=order.index) if all(p in order for p in params) else None
    sites = []
    for site in plan.placeholders.get(last, ()) if last is not None else ():
        while id(site[0]) in plan.withs:  # `with tf.name_scope("input"):` around it
            site = plan.withs[id(site[0])]
        if any(_after(site[2], f.path) for f in users):
            sites.append(site)
    return sites[-1] if sites else None


def _constant_names(s: Rewrite, chosen, groups) -> Dict[Tuple[str, ...], str]:
    names = {}
    for specs in chosen:
        first = groups[specs][0].w
        if len(chosen) == 1:
            candidates = ["SIGNATURE", "INPUT_SIGNATURE"]
        else:
            candidates = ["_".join(p.upper() for p in first.params) + "_SIGNATURE", f"{first.name.upper()}_SIGNATURE"]
        name = next((c for c in candidates if c.isidentifier() and c not in s.taken), None)
        names[specs] = name or s.fresh("SIGNATURE")
        s.taken.add(names[specs])
    return names


def _constant(s: Rewrite, name: str, specs: Tuple[str, ...]) -> cst.SimpleStatementLine:
    one_line = f"{name} = [{', '.join(specs)}]"
    if len(one_line) <= 100:
        return s.stmt(one_line + "\n")
    inner = "".join(f"{s.indent}{spec},\n" for spec in specs)
    return s.stmt(f"{name} = [\n{inner}]\n")
