"""Input functions: a function that returns the next element of a one-shot iterator over a dataset it
builds returns the dataset; the lines that call it make the iterator.

    def read_images(path, batch_size):
        ...
        X, Y = dataset.batch(batch_size).make_one_shot_iterator().get_next()
        return X, Y

    X, Y = read_images(DATASET_PATH, batch_size)

TF1 made the iterator when the program called the function; each run read its next element. Called in
eager code as it is, the function would return one element, and every step would train on it. So the
function returns its dataset (``return dataset.batch(batch_size)``) and the line that called it makes the
iterator (``X, Y = read_images(DATASET_PATH, batch_size).make_one_shot_iterator().get_next()``), which the
iterator rewrite reads as any other (pipelines.py: a Python iterator over the function's dataset, read
before each run that needs an element). A queue pipeline the function builds is its dataset already
(queues.py).

Only where every use of the function is a top-level line assigning what a call returns, and the function
reads the element only to return it. Any other function that reads an iterator it makes, and is called, is
refused: its eager result would be one element where TF1 read a new one at each run.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import libcst as cst

from tfmigrate.names import fresh_name
from tfmigrate.traverse import index

from .. import _tf, _vocab
from . import datasets, fixed_settings, model_placeholders, queries, queues
from .state import Unsupported

_ONE_SHOT = ("data.make_one_shot_iterator",)


def _source(imports, node) -> Optional[cst.BaseExpression]:
    """The dataset ``node`` (``ds.make_one_shot_iterator()`` / ``tf.data.make_one_shot_iterator(ds)``)
    iterates, or None for anything else."""
    if queries.is_method_call(node, ("make_one_shot_iterator",)) and not node.args:
        return node.func.value
    if isinstance(node, cst.Call) and _tf.call_name(imports, node) in _ONE_SHOT and len(node.args) == 1:
        return node.args[0].value
    return None


def _returns(func: cst.FunctionDef) -> List[cst.Return]:
    """The function's own returns (not those of functions and lambdas inside it)."""
    inner = {id(r) for f in queries.find(func.body, (cst.FunctionDef, cst.Lambda)) for r in queries.find(f, cst.Return)}
    return [r for r in queries.find(func.body, cst.Return) if id(r) not in inner]


def _element(imports, func: cst.FunctionDef):
    """(the dataset the function's one-shot iterator reads, ids of the lines that go, and None or (the
    names of the element, the lines after the read that compute on it, what the function returns of
    them)) where the function ends by returning the iterator's next element, or what lines computed of
    it, and reads it nowhere else; None otherwise."""
    body = list(func.body.body)
    if not body or not isinstance(body[-1], cst.SimpleStatementLine) or not isinstance(body[-1].body[0], cst.Return) \
            or len(_returns(func)) != 1 or body[-1].body[0].value is None:
        return None
    value = body[-1].body[0].value
    gone = [id(body[-1])]
    after = None
    if not queries.is_method_call(value, ("get_next",)):  # `X, Y = it.get_next()` and `return X, Y`
        at = next((i for i in range(len(body) - 2, -1, -1) if _reads_next(body[i])), None)
        if at is None:
            return None
        read, post = body[at], body[at + 1:-1]
        assign = read.body[0]
        names = queries.bound_names(read)
        if any(queries.holds(stmt, cst.Name, lambda n: n.value in names, values=True) for stmt in body[:at]) or not all(
                isinstance(stmt, cst.SimpleStatementLine) and all(isinstance(x, (cst.Assign, cst.AugAssign))
                                                                  for x in stmt.body) for stmt in post):
            return None
        target = assign.targets[0].target
        if post:  # `label_batch = tf.reshape(label_batch, [batch_size])`: a map of each batch
            elements = [target.value] if isinstance(target, cst.Name) else [
                e.value.value for e in target.elements if isinstance(e.value, cst.Name)]
            if not isinstance(target, cst.Name) and len(elements) != len(target.elements):
                return None
            after = (elements, post, value)
        elif _code(target) != _code(value):
            return None
        value = assign.value
        gone += [id(read), *(id(stmt) for stmt in post)]
    if value.args:
        return None
    iterator = value.func.value
    source = _source(imports, iterator)
    if source is None and isinstance(iterator, cst.Name):  # `it = ds.make_one_shot_iterator()`
        made = [stmt for stmt in body if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
                and isinstance(stmt.body[0], cst.Assign) and _code(stmt.body[0].targets[0].target) == iterator.value]
        uses = queries.find(func.body, cst.Name, lambda n: n.value == iterator.value)
        if len(made) != 1 or len(uses) != 2:
            return None
        source = _source(imports, made[0].body[0].value)
        gone.append(id(made[0]))
    return (source, gone, after) if source is not None else None


def _reads_each_pass(func: cst.FunctionDef) -> bool:
    """A generator, or a function whose loop reads the iterator: it reads a new element each pass, as
    eager code does (TF1-era eager programs: `for _ in range(n): yield [iterator.get_next()]`)."""
    loops = queries.find(func.body, (cst.For, cst.While))
    return queries.holds(func.body, (cst.Yield,)) or any(
        queries.holds(loop, cst.Call, lambda c: queries.is_method_call(c, ("get_next",))) for loop in loops)


def _runs_own_session(imports, func: cst.FunctionDef) -> bool:
    """A function that makes a session and runs it: a program of its own, whose runs read the iterator
    it makes as a program's do."""
    return queries.holds(func.body, cst.Call, lambda c: _tf.call_name(imports, c) in _vocab.SESSIONS)


def _reads_next(stmt) -> bool:
    """``X, Y = it.get_next()`` on a line of its own (into names)."""
    assign = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 else None
    return isinstance(assign, cst.Assign) and len(assign.targets) == 1 and queries.is_method_call(
        assign.value, ("get_next",)) and not assign.value.args and (
        isinstance(assign.targets[0].target, (cst.Name, cst.Tuple, cst.List)))


def _batch_function(name: str, after, source) -> Tuple[cst.FunctionDef, cst.BaseExpression]:
    """``def name(X, Y): <the lines after the read>; return <what the function returned>`` and the dataset
    mapped by it."""
    elements, post, returned = after
    func = cst.parse_statement(f"def {name}({', '.join(elements)}):\n    return {_code(returned)}\n")
    func = func.with_changes(body=func.body.with_changes(body=[*post, *func.body.body]))
    return func, cst.parse_expression(f"{_code(source)}.map({name})")


def _code(node) -> str:
    return cst.Module([]).code_for_node(node)


def rewritten(module: cst.Module, imports) -> Optional[Tuple[cst.Module, Dict[int, cst.CSTNode]]]:
    """(the program with its input functions returning their datasets, {id of a changed or new node: the
    node as written}); None when it has none. Raises Unsupported for a function that reads an iterator it
    makes and is called otherwise."""
    def reads(call: cst.Call) -> bool:
        return queries.is_method_call(call, _vocab.ITERATOR_METHODS) or _tf.call_name(imports, call) in _vocab.ITERATORS

    if not any(isinstance(func, cst.FunctionDef) for func in module.body) or not queries.holds(module, cst.Call, reads):
        return None
    back: Dict[int, cst.CSTNode] = {}
    body = list(module.body)
    changed = False
    for at, func in enumerate(module.body):
        if not isinstance(func, cst.FunctionDef) or not isinstance(func.body, cst.IndentedBlock) or \
                not queries.holds(func.body, cst.Call, reads):
            continue
        calls = queries.find(module, cst.Name, lambda n: n.value == func.name.value and n is not func.name)
        if not calls or _reads_each_pass(func) or _runs_own_session(imports, func):
            continue
        found = _element(imports, func)
        sites = [i for i, stmt in enumerate(module.body) if _assigned_call(stmt, func.name.value)]
        if found is None or len(sites) != len(calls):
            raise Unsupported(calls[0], f"{func.name.value} reads an iterator it makes, and is called (TF1 made the "
                                        "iterator once, and each run read its next element; called eagerly, it "
                                        "would give one element)")
        source, gone, after = found
        lines = [stmt for stmt in func.body.body if id(stmt) not in gone]
        moved = {id(stmt) for stmt in after[1]} if after is not None else set()
        if after is not None:
            batch_function, source = _batch_function(fresh_name(queries.source_names(module), "prepare_batch"), after,
                                                     source)
            lines.append(batch_function.with_changes(leading_lines=[cst.EmptyLine(indent=False)]))
            back.update((id(node), func.body.body[-1]) for node in queries.every_node(lines[-1]))
        kept_lines = [line for stmt in func.body.body if id(stmt) in gone and id(stmt) not in moved
                      for line in stmt.leading_lines]
        returned = cst.SimpleStatementLine([cst.Return(source)], leading_lines=kept_lines)
        body[at] = func.with_changes(body=func.body.with_changes(body=[*lines, returned]))
        back[id(body[at])] = func
        back.update((id(node), func.body.body[-1]) for node in queries.every_node(returned))
        for i in sites:
            stmt = module.body[i]
            assign = stmt.body[0]
            value = cst.parse_expression(f"{_code(assign.value)}.make_one_shot_iterator().get_next()")
            body[i] = stmt.with_changes(body=[assign.with_changes(value=value)])
            back[id(body[i])] = stmt
            back[id(body[i].body[0])] = assign
        changed = True
    if not changed:
        return None
    new_module = module.with_changes(body=body)
    back[id(new_module)] = module
    return new_module, back


def dataset_functions(module: cst.Module, call_name) -> frozenset:
    """The module's functions that return a tf.data dataset they build: a chain of dataset methods on a
    dataset constructor, returned as it is or through a name every line of the function binds so."""
    found = set()
    for func in module.body:
        if not isinstance(func, cst.FunctionDef) or not isinstance(func.body, cst.IndentedBlock):
            continue
        returns = _returns(func)
        if len(returns) != 1 or returns[0].value is None:
            continue
        value = returns[0].value
        root = datasets.chain_root(value)  # `return dataset.map(prepare_batch)`: what `dataset` is bound to
        if isinstance(root, cst.Name):
            bound = [a.value for a in queries.find(func.body, cst.Assign) if any(
                isinstance(t.target, cst.Name) and t.target.value == root.value for t in a.targets)]
            if not bound or not all(_chain(b, call_name, root.value) for b in bound):
                continue
        elif not _chain(value, call_name, None):
            continue
        found.add(func.name.value)
    return frozenset(found)


def _chain(node, call_name, own: Optional[str]) -> bool:
    """A dataset constructor and dataset methods on it (on ``own``, the name being bound, too)."""
    node = datasets.chain_root(node)
    if own is not None and isinstance(node, cst.Name) and node.value == own:
        return True
    name = call_name(node) if isinstance(node, cst.Call) else None
    return name is not None and (name.startswith("data.Dataset.") or name in _vocab.DATASET_MAKERS)


def _assigned_call(stmt, name: str) -> bool:
    """``targets = name(...)`` on a line of its own."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1 or not isinstance(stmt.body[0], cst.Assign):
        return False
    value = stmt.body[0].value
    return isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value == name


def staged(module: cst.Module, imports):
    """(the program with its queue pipelines as datasets, settings passed under another name renamed
    (fixed_settings.py) and its input functions returning their datasets, {id of a changed or new node: the
    node as written}, the batch line of a shuffling queue or None); None when no stage changes anything."""
    index(module)  # (the stages' questions answered from one walk of each tree, as the rewrite's are)
    piped = queues.rewritten(module, imports)
    first, back, shuffles = piped if piped is not None else (module, {}, None)
    for stage in (fixed_settings, model_placeholders):
        index(first)
        staged_here = stage.rewritten(first, imports)
        if staged_here is not None:
            first, more = staged_here
            back = {**back, **{key: back.get(id(node), node) for key, node in more.items()}}
            piped = first, back, shuffles
    try:
        index(first)
        second = rewritten(first, imports)
    except Unsupported as problem:
        problem.node = back.get(id(problem.node), problem.node)
        raise
    if second is None:
        return piped
    new, more = second
    back = {**back, **{key: back.get(id(node), node) for key, node in more.items()}}
    return new, back, shuffles
