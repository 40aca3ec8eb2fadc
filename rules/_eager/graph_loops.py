"""A ``for`` loop that builds one tensor, step by step, from a value made just before it.

``embed = tf.zeros([batch, size])`` then ``for element in range(window): embed += tf.nn.embedding_lookup(
embeddings, x[:, element])`` (the cookbook's CBOW): TF1 built one op per step and ran the sum at each run.
The rewrite is one function that computes the sum when called, the loop inside it::

    def embed(x):
        embed = tf.zeros([batch, size])
        for element in range(window):
            embed += tf.nn.embedding_lookup(embeddings, x[:, element])
        return embed

Only a loop over Python values (no tensor in its header, no ``else``, ``break`` or ``continue``) whose body
only binds that name (``=`` or ``op=``), reading tensors or placeholders, making no layer and running nothing,
where the statement before it binds the name to an eager value that no function of the rewrite reads, and the
loop's own variable is not read after it.

A variable made at each pass (``W = tf.Variable(tf.random_normal([1]), name='weight_%d' % pow_i)``, pkmital's
polynomial regression) is made once per pass before the function, in a list the function's loop walks with
the values; a first value that is a variable (``Y_pred = tf.Variable(..., name='bias')``) keeps its own name
(its TF1 name, where that is a Python name)::

    bias = tf.Variable(tf.random.normal([1]), name='bias')
    Ws = [tf.Variable(tf.random.normal([1]), name='weight_%d' % pow_i) for pow_i in range(1, 5)]

    def Y_pred(X):
        Y_pred = bias
        for pow_i, W in zip(range(1, 5), Ws):
            Y_pred = tf.add(tf.multiply(tf.pow(X, pow_i), W), Y_pred)
        return Y_pred

TF1 made them in that order too (the first value, then one variable per pass), so their random draws and
TF1 names are the same. Such a variable is read in the loop only, after it is made, from no graph value but
the loop's own variable and values computed before.
"""
from __future__ import annotations

import keyword
import re
from typing import List, Optional, Tuple

import libcst as cst

from tfmigrate.names import natural

from .. import _vocab
from . import bindings as B
from . import feeds, queries, tensors, variable_names
from .plan import Inline, Line, Out, Step
from .state import Rewrite, Unsupported

_MADE = Tuple[str, cst.Call]  # a variable made at each pass: its name, its call


def read(s: Rewrite, loop: cst.For, previous: Optional[Step]) -> Optional[Inline]:
    """The loop as the function of the tensor it builds (placed before it; the loop goes, and the statement
    before it, but a first variable, which stays under a name of its own), or None where it is not such a loop."""
    built = _built(s, loop)
    if built is None or previous is None:
        return None
    name, made = built
    first = _first_value(s, previous, name)
    if first is None:
        return None
    if name in s.read_names or queries.mentions(loop.iter, s.b.graph_names()) or s.has_fetch(loop):
        return None
    made_calls = {id(call) for _, call in made}
    if queries.calls_of(loop, s.call_name, _vocab.STATE_MAKERS - _vocab.VARIABLES, first=True) or any(
            id(c) not in made_calls for c in queries.calls_of(loop, s.call_name, _vocab.VARIABLES)):
        return None
    target = queries.names_in(loop.target)
    after = target | {v for v, _ in made}
    if any(queries.names_in(later) & after for statements_, start in s.following for later in statements_[start:]):
        return None  # the loop variable, read after the loop: the loop runs inside the function now
    if not _made_first(s, loop, name, made):
        return None
    lines_ = [line for line in loop.body.body if not _makes(line, made)]
    values = [line.body[0].value for line in lines_]
    if not any(queries.mentions(v, s.b.graph_names()) for v in values):
        return None  # eager values only: the loop runs eagerly as written
    if _draws(s, values):
        return None  # TF1 drew once per run what each pass would draw again
    params: set = set()
    if first == B.VARIABLE:
        init = _own_name(s, previous, name)
    elif first == B.TENSOR:  # its function goes: its expression is the function's first line
        s.defined.discard(s.b.get(name, B.TENSOR).func)
        new, needs = tensors.graph_expr(s, previous.stmt.body[0].value)
        init, params = s.code(new), set(needs)
        s.absorbed = True
    else:
        init = s.code(previous.result.parts[0][0].node.value)  # (as the rewrite wrote it)
        s.absorbed = True
    lists = _lists(s, loop, made)
    s.b.rebind(name)
    lines = []
    with s.b.masked({name, *(v for v, _ in made)}):  # locals of the function: the value, the pass's variables
        for line in lines_:
            small = line.body[0]
            new, needs = tensors.graph_expr(s, small.value)
            params |= set(needs)
            comment = line.trailing_whitespace.comment
            lines.append(f"{s.indent * 2}{s.code(small.with_changes(value=new, semicolon=cst.MaybeSentinel.DEFAULT))}"
                         + (f"  {comment.value}" if comment is not None else ""))
    params = feeds.ordered(s, params)
    func = s.function_name(name)
    tensors.define(s, name, params, "tensor", func)
    header = _header(s, loop, lines_, made, lists)
    code = [feeds.signature(s, params)] if params else []
    code += [f"def {func}({feeds.parameters(s, params)}):", f"{s.indent}{name} = {init}",
             f"{s.indent}{header}", *lines, f"{s.indent}return {name}"]
    s.pending.append(s.function(code, loop))
    return Inline(loop, [])


def absorbed(previous: Step) -> Step:
    """The statement before the loop: its value is the function's first line now."""
    return Step(previous.stmt, Line(previous.stmt, [None]))


def _built(s: Rewrite, loop: cst.For) -> Optional[Tuple[str, List[_MADE]]]:
    """The one name the loop's body binds, each statement ``name = ...`` or ``name op= ...``, but
    variables made at each pass (``W = tf.Variable(...)``); and those."""
    if loop.orelse is not None or not isinstance(loop.body, cst.IndentedBlock) or loop.asynchronous is not None:
        return None
    names, made = set(), []
    for line in loop.body.body:
        if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
            return None
        small = line.body[0]
        if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
            if isinstance(small.value, cst.Call) and s.call_name(small.value) in _vocab.VARIABLES:
                made.append((small.targets[0].target.value, small.value))
            else:
                names.add(small.targets[0].target.value)
        elif isinstance(small, cst.AugAssign) and isinstance(small.target, cst.Name):
            names.add(small.target.value)
        else:
            return None
    made_names = [v for v, _ in made]
    if len(names) != 1 or names & queries.names_in(loop.target) or len(set(made_names)) != len(made_names) or (
            names & set(made_names) or queries.names_in(loop.target) & set(made_names)):
        return None
    return names.pop(), made


def _first_value(s: Rewrite, previous: Step, name: str) -> Optional[str]:
    """``name = <eager value>`` or ``name = tf.Variable(...)`` alone on the line before the loop, kept as
    written, or ``name = <graph expression>`` that drew nothing at random: the kind of that value
    (B.EAGER, B.VARIABLE, B.TENSOR), else None."""
    stmt = previous.stmt
    if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign)):
        return None
    small = stmt.body[0]
    if len(small.targets) != 1 or not isinstance(small.targets[0].target, cst.Name) or (
            small.targets[0].target.value != name):
        return None
    result = previous.result
    one = isinstance(result, Line) and len(result.parts) == 1 and result.parts[0] is not None and len(
        result.parts[0]) == 1
    if not one or previous.hoisted:
        return None
    tensor = s.b.get(name, B.TENSOR)
    if tensor is not None and result.parts[0][0].function is not None and tensor.kind == "tensor" and (
            tensor.func == name and not tensor.update and not tensors.random_draws(s, small.value) and
            not tensors.is_random(s, small.value) and not s.control_deps):
        return B.TENSOR  # `h = tf.identity(x)`: a function of the placeholders, no random draw
    if not isinstance(result.parts[0][0].node, cst.Assign):  # as written
        return None
    if s.b.kind(name) == B.EAGER:
        return B.EAGER
    if s.b.kind(name) == B.VARIABLE and isinstance(small.value, cst.Call) and (
            s.call_name(small.value) in _vocab.VARIABLES):
        return B.VARIABLE
    return None


def _draws(s: Rewrite, values) -> bool:
    try:
        return any(tensors.random_draws(s, v) or tensors.is_random(s, v) for v in values)
    except Unsupported:
        return True


def _makes(line: cst.SimpleStatementLine, made: List[_MADE]) -> bool:
    return any(line.body[0].value is call for _, call in made)


def _made_first(s: Rewrite, loop: cst.For, name: str, made: List[_MADE]) -> bool:
    """Each variable of a pass is made from the loop's variable and values computed before (no graph
    value, nothing bound in the loop), read in the loop only after it is made, and trainable as TF1's
    default (listed as the rewrite lists them)."""
    bound = {name, *(v for v, _ in made)}
    graph = s.b.graph_names() - queries.names_in(loop.target)
    for variable, call in made:
        if queries.mentions(call, graph | bound) or variable_names.trainable(call) is not True:
            return False
        for line in loop.body.body:
            if line.body[0].value is call:
                break
            if queries.mentions(line, {variable}):
                return False
    return True


def _own_name(s: Rewrite, previous: Step, name: str) -> str:
    """The variable the loop starts from, kept where it is made under a name of its own: its TF1
    name where that is a Python name (``name='bias'``), else ``<name>_init``."""
    assign = previous.result.parts[0][0].node
    arg = next((a for a in assign.value.args if a.keyword is not None and a.keyword.value == "name"), None)
    literal = arg.value.evaluated_value if arg is not None and isinstance(arg.value, cst.SimpleString) else None
    python = literal and re.fullmatch(r"[A-Za-z_]\w*", literal) and not keyword.iskeyword(literal)
    own = natural(s.taken, literal if python else f"{name}_init", f"{name}_init")
    renamed = assign.with_changes(targets=[assign.targets[0].with_changes(target=cst.Name(own))])
    previous.result = Line(previous.stmt, [[Out(renamed)]])
    s.b.bind(own, B.VARIABLE, assign.value)
    variable_names.renamed(s, name, own)
    return own


def _lists(s: Rewrite, loop: cst.For, made: List[_MADE]) -> List[str]:
    """The lists of the variables made at each pass, made before the function: a comprehension each, or
    one loop where more than one of them draws its value at random (in TF1's order, pass by pass)."""
    if not made:
        return []
    names = [natural(s.taken, f"{v}s" if not v.endswith("s") else f"{v}_list", f"{v}_list") for v, _ in made]
    header = f"for {s.code(loop.target)} in {s.code(loop.iter)}"
    values = [s.code(tensors.graph_expr(s, call)[0]) for _, call in made]
    if sum(tensors.is_random(s, call.args[0].value) for _, call in made if call.args) < 2:
        lines = [f"{n} = [{value} {header}]" for n, value in zip(names, values)]
        lines = [line if len(line) < 100 else line.replace(f" {header}]", f"\n{' ' * (line.index('[') + 1)}{header}]")
                 for line in lines]
        made_by = [next(line for line in loop.body.body if line.body[0].value is call) for _, call in made]
        outs = [Out(s.function([line], by).node) for line, by in zip(lines, made_by)]  # in a row, not spaced
    else:
        outs = [Out(s.function([f"{', '.join(names)} = {', '.join('[]' for _ in names)}"], loop).node),
                s.function([f"{header}:", *(f"{s.indent}{n}.append({v})" for n, v in zip(names, values))], loop)]
    for name in names:
        s.b.bind(name, B.CONTAINER)
    variable_names.made_in_passes(s, names)
    s.pending += outs
    return names


def _header(s: Rewrite, loop: cst.For, lines, made: List[_MADE], lists: List[str]) -> str:
    """``for pow_i, W in zip(range(1, 5), Ws):``; ``for W in Ws:`` where the rest of the body does not read
    the loop's variable."""
    if not made:  # as written (a comment on it kept)
        empty = cst.IndentedBlock([cst.SimpleStatementLine([cst.Pass()])])
        return s.code(loop.with_changes(leading_lines=[], body=empty)).splitlines()[0].strip()
    variables = ", ".join(v for v, _ in made)
    if not any(queries.mentions(line, queries.names_in(loop.target)) for line in lines):
        walked = lists[0] if len(lists) == 1 else f"zip({', '.join(lists)})"
        return f"for {variables} in {walked}:"
    target = s.code(loop.target)
    if isinstance(loop.target, cst.Tuple) and not loop.target.lpar:
        target = f"({target})"
    return f"for {target}, {variables} in zip({s.code(loop.iter)}, {', '.join(lists)}):"
