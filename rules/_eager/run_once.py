"""What one TF1 run computed once, however many of the tensors it fetched read it.

A run of ``[a, b]`` computes every op they share once; the rewrite computes each fetched tensor with a function
of its own. Random tensors are counted in ``Rewrite.draws`` (``tensors.random_draws``), and so are:

- a call of code the rewrite does not see that computes several tensors (``a, b = lib.f(x)``): each item's
  function calls it again, and whatever state it changes would change once for each (``unseen_call``);
- the ops of ``with tf.control_dependencies([inc]):``. TF1 ran ``inc`` before computing each tensor made in that
  block: the function of each runs it first (``tensors.tensor_function`` reads ``Rewrite.control_deps``), and a
  run that reads two of them would run it twice (``with_dependencies``).
"""
from __future__ import annotations

from collections import Counter
from typing import Callable, List, Optional

import libcst as cst

from . import bindings as B
from . import queries
from .plan import Inline
from .state import Rewrite, Unsupported


def unseen_call(s: Rewrite, base: str, value) -> None:
    """``base``, the tensor of all the items of ``a, b = value``: counted once per run where ``value`` calls a
    function the file imports (``facenet.center_loss(...)``), not TensorFlow's."""
    if not isinstance(value, cst.Call) or s.call_name(value) is not None:
        return
    name = queries.dotted(value.func)
    if name is None or name.split(".")[0] not in s.p.imports.aliases:
        return
    s.run_once[base] = (f"`{s.code(value.func)}`, code this rewrite does not see, computes tensors read together in "
                        "one run (TF1 ran it once per run; the rewrite's functions would run it once for each, and any "
                        "state it changes more than once)")
    s.draws[base][base] += 1


def dependencies(s: Rewrite, stmt: cst.With) -> Optional[List[str]]:
    """The ops of ``with tf.control_dependencies([a, b]):`` (names of the program's tensors or assign ops), or
    None for any other ``with``."""
    if len(stmt.items) != 1 or stmt.items[0].asname is not None:
        return None
    call = stmt.items[0].item
    if s.call_name(call) != "control_dependencies" or len(call.args) != 1 or call.args[0].star:
        return None
    ops = call.args[0].value
    if not isinstance(ops, (cst.List, cst.Tuple)) or not ops.elements:
        return None
    names = [e.value.value if isinstance(e, cst.Element) and isinstance(e.value, cst.Name) else None
             for e in ops.elements]
    if not all(name is not None and s.b.is_(name, B.TENSOR) for name in names):
        return None
    return names


def with_dependencies(s: Rewrite, stmt: cst.With, deps: List[str], body: Callable[[], list]) -> Inline:
    """The block's tensors, each running ``deps`` first; anything else made there stays on compat."""
    small = [part for line in stmt.body.body if isinstance(line, cst.SimpleStatementLine) for part in line.body]
    if len(small) != len(stmt.body.body) or not all(isinstance(part, cst.Assign) for part in small):
        raise Unsupported(stmt.items[0], "`with tf.control_dependencies(...)` around something other than tensors "
                                         "made from graph expressions")
    for name, tensor in s.b.items(B.TENSOR):
        read = queries.names_in(tensor.source) if tensor.source is not None else set()
        if name not in deps and read & set(deps):
            raise Unsupported(stmt.items[0], f"`with tf.control_dependencies(...)` of {sorted(read & set(deps))[0]}, "
                                             f"which {name} reads too (TF1 ran it once per run)")
    outer, applied = s.control_deps, set(s.deps_applied)
    s.control_deps = [*outer, *deps]
    try:
        steps = body()
    finally:
        s.control_deps = outer
    made = {name for part in small for target in part.targets for name in queries.names_in(target.target)}
    if made - (s.deps_applied - applied):
        raise Unsupported(stmt.items[0], f"`with tf.control_dependencies(...)` around {sorted(made)[0]}, which is not "
                                         "a tensor this rewrite computes with a function of its own")
    for dep in deps:  # itself, and each tensor made in the block, runs it once
        s.run_once.setdefault(dep, f"{dep}, a control dependency of tensors read together in one run (TF1 ran it "
                                   "once per run; the rewrite's functions would run it once for each)")
        s.draws.setdefault(dep, Counter())[dep] = 1
    return Inline(stmt, steps)


def run_next(s: Rewrite, name: Optional[str], value) -> bool:
    """``updater = tf.assign(spike, True)`` made inside a loop and run by the next statement alone
    (``updater.eval()``, ``sess.run(updater)``), the name read nowhere else and the value reading no
    placeholder: TF1 made an op at each pass and ran it once, right away; computed where it is made, it
    is the same, and the run reads that value."""
    if name is None or not s.following or tensors_read(s, value):
        return False
    statements_, start = s.following[-1]
    if start >= len(statements_) or not isinstance(statements_[start], cst.SimpleStatementLine):
        return False
    line = statements_[start]
    if len(line.body) != 1 or not isinstance(line.body[0], (cst.Expr, cst.Assign)):
        return False
    run = line.body[0].value
    if not (isinstance(run, cst.Call) and isinstance(run.func, cst.Attribute) and run.func.attr.value in ("eval", "run")):
        return False
    receiver = queries.receiver_name(run)
    alone = (receiver == name and run.func.attr.value == "eval" and not run.args) or (
        s.b.is_(receiver, B.SESSION) and run.func.attr.value == "run" and len(run.args) == 1 and
        run.args[0].keyword is None and isinstance(run.args[0].value, cst.Name) and run.args[0].value.value == name)
    return alone and len(queries.find(s.module, cst.Name, lambda n: n.value == name, values=True)) == 2


def tensors_read(s: Rewrite, value) -> bool:
    """Does ``value`` read a placeholder, or a tensor the rewrite computes with a function?"""
    return queries.mentions(value, s.b.names(B.PLACEHOLDER, B.TENSOR, B.ITERATOR, B.DATASET), feeds=False)
