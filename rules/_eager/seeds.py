"""A seeded program that builds Keras layers seeds Keras too.

TF1's ``tf.set_random_seed(n)`` made every initializer of the graph draw the same
values at each run. Keras 3 layers draw their initial weights with seeds that
Python's ``random`` module hands out, which ``tf.random.set_seed`` leaves alone: two
runs of the rewrite would start from different weights. When the rewrite builds
Keras layers, the seed call becomes ``tf.keras.utils.set_random_seed(n)``, which
seeds Python, NumPy and TensorFlow at once.

It stays ``tf.random.set_seed`` when the program seeds NumPy or Python's ``random``
before it (the Keras call would start their sequences again and change what is
drawn after it), or when its seed is not a plain integer or name.
"""
from __future__ import annotations

from typing import Iterator, List, Optional

import libcst as cst

from .. import _tf, _vocab
from . import queries
from .plan import Block, Compound, Inline, Line, Out
from .state import Rewrite


def finish(s: Rewrite, steps: Block) -> None:
    """Seed calls of a program that builds Keras layers become Keras's (in place)."""
    if not (s.graph_seed and s.layers):
        return
    for part in _seed_parts(s, steps):
        call = part[0].node.value
        seed = _seed(call)
        if seed is None or _reseeds_before(s, call):
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


def _seed_parts(s: Rewrite, steps: Block) -> Iterator[List[Out]]:
    """The outputs that are a seed call kept as one expression statement, in every block."""
    for step in steps:
        result = step.result
        if isinstance(result, Line):
            for part in result.parts:
                if part is not None and len(part) == 1 and isinstance(part[0].node, cst.Expr) and (
                        s.call_name(part[0].node.value) in _vocab.SEED_SETTERS):
                    yield part
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


def _reseeds_before(s: Rewrite, seed_call: cst.Call) -> bool:
    """Does a ``np.random.seed(...)`` or ``random.seed(...)`` come before ``seed_call`` in the source?"""
    for call in queries.find(s.module, cst.Call):
        if call is seed_call:
            return False
        name = queries.dotted(call.func)
        if name is not None and (name == "random.seed" or name.endswith(".random.seed")):
            return True
    return False
