"""A seeded program that builds Keras layers or initializers seeds Keras too.

TF1's ``tf.set_random_seed(n)`` made every initializer of the graph draw the same
values at each run. Keras 3 layers draw their initial weights with seeds that
Python's ``random`` module hands out, which ``tf.random.set_seed`` leaves alone: two
runs of the rewrite would start from different weights. When the rewrite builds
Keras layers, the seed call becomes ``tf.keras.utils.set_random_seed(n)``, which
seeds Python, NumPy and TensorFlow at once.

It stays ``tf.random.set_seed`` when the program seeds NumPy or Python's ``random``
before it (the Keras call would start their sequences again and change what is
drawn after it), unless with the same seed right before it (``np.random.seed(1)``
then ``tf.set_random_seed(1)``), or when its seed is not a plain integer or name.
Keras layers and initializers the rewrite writes (``tf.keras.initializers.GlorotUniform()``
for ``tf.glorot_uniform_initializer()``) count alike.
"""
from __future__ import annotations

import re
from typing import Callable, Iterator, List, Optional, Tuple

import libcst as cst

from .. import _tf, _vocab
from . import queries
from .plan import Block, Compound, Inline, Line, Out
from .state import Rewrite


def finish(s: Rewrite, steps: Block, code: Callable[[], str]) -> None:
    """Seed calls of a program that builds Keras layers or initializers become Keras's (in place); ``code``:
    the rewrite as it stands."""
    if not s.graph_seed or not (s.layers or _KERAS_DRAWS.search(code())):
        return
    for stmt, part in _seed_parts(s, steps):
        call = part[0].node.value
        seed = _seed(call)
        if seed is None or _reseeds_before(s, stmt, seed):
            continue
        new = s.expr(f"{s.tf}.keras.utils.set_random_seed({s.code(seed)})")
        part[0] = Out(part[0].node.with_changes(value=new))


def _seed(call: cst.Call) -> Optional[cst.BaseExpression]:
    if len(call.args) != 1:
        return None
    arg = _tf.argument(call, 0, "seed")
    if arg is None or not isinstance(arg.value, (cst.Integer, cst.Name, cst.Attribute)):
        return None
    return arg.value


def _seed_parts(s: Rewrite, steps: Block) -> Iterator[Tuple[cst.CSTNode, List[Out]]]:
    """(the statement of the source, its output) for each seed call kept as one expression statement, in
    every block."""
    for step in steps:
        result = step.result
        if isinstance(result, Line):
            for part in result.parts:
                if part is not None and len(part) == 1 and isinstance(part[0].node, cst.Expr) and (
                        s.call_name(part[0].node.value) in _vocab.SEED_SETTERS):
                    yield step.stmt, part
        elif isinstance(result, Inline):
            yield from _seed_parts(s, result.body)
        elif isinstance(result, Compound):
            yield from _compound(s, result)


def _compound(s: Rewrite, plan: Compound) -> Iterator[List[Out]]:
    for block in (plan.body, plan.finalbody, *plan.handlers):
        if block is not None:
            yield from _seed_parts(s, block)
    if isinstance(plan.orelse, Compound):
        yield from _compound(s, plan.orelse)
    elif plan.orelse is not None:
        yield from _seed_parts(s, plan.orelse)


def _reseeds_before(s: Rewrite, stmt: cst.CSTNode, seed: cst.BaseExpression) -> bool:
    """Does a ``np.random.seed(...)`` or ``random.seed(...)`` come before the seed call of ``stmt``, other than
    with the same seed right before it (``np.random.seed(1)`` then ``tf.set_random_seed(1)``: Keras seeds NumPy
    with it again, as it stood)?"""
    last = None  # the last NumPy or Python seed call seen
    drawn = False  # a call made since: what it drew would be drawn again
    seeding = queries.find(stmt, cst.Call, lambda c: s.call_name(c) in _vocab.SEED_SETTERS, first=True)
    for call in queries.find(s.module, cst.Call):
        if seeding and call is seeding[0]:
            return drawn
        name = queries.dotted(call.func) or ""
        if name == "random.seed" or name.endswith(".random.seed"):
            given = _tf.argument(call, 0, "seed")
            if given is None or s.code(given.value) != s.code(seed):
                return True
            last, drawn = call, False
        elif last is not None and s.call_name(call) not in _vocab.SEED_SETTERS and not queries.holds(
                last, cst.Call, lambda c: c is call):
            drawn = True
    return last is not None  # (the seed call not found in the source: as after a reseed)


_KERAS_DRAWS = re.compile(r"\bkeras\.(layers|initializers)\.")
