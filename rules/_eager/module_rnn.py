"""An RNN run in a model function: the Keras RNN layer is an attribute of the function's module.

``outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)`` in ``def RNN(x, ...)`` (the
cell built by the function) becomes, in ``RNN.__call__``, a Keras RNN layer made and built at
the first call, for the size of the inputs it is called on, from the weights TF1 drew
(``rnn_cells.py``), and ``outputs, h, c = self.rnn(x)`` with TF1's results rebuilt from
Keras's. ``modules.py`` decides where the layer is made; ``module_code.py`` writes it.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Dict, FrozenSet, List, Set

import libcst as cst

from tfmigrate.names import fresh_name

from . import queries, rnn, rnn_cells
from .state import Rewrite, Unsupported


@dataclass
class ModuleRun:
    """How the module makes the Keras layer at the first call (``make``, built for ``shape``,
    reading ``reads``), and the statements replacing the TF1 call (``{layer}`` stands for the
    attribute)."""

    make: str
    shape: str  # what the layer is built for, when it is made
    reads: Set[str]
    prelude: List[str]  # statements computing its inputs, before it is made
    lines: List[str]
    cells: List[str]  # the function's cells it runs (a name twice: one cell in both directions)


def in_module(s: Rewrite, assign: cst.Assign, kind: str, cells: Dict[str, rnn_cells.Cell],
              zero_states: FrozenSet[str], taken: Set[str]) -> ModuleRun:
    """``outputs, state = tf.nn.dynamic_rnn(cell, x, ...)`` in a function that becomes a ``tf.Module``:
    the layer is made when the module is first called, for the size of the inputs it is called on."""
    value = assign.value
    name = s.call_name(value)
    if len(assign.targets) != 1:
        raise Unsupported(assign, f"the results of tf.{name} assigned to several targets")
    target = assign.targets[0].target
    rnn.targets_of(s, target, assign)
    given = rnn.arguments(s, value, rnn.PARAMS[kind], name)
    time_major = rnn.checked_options(s, value, given, name)
    inputs = given["inputs"]
    if not isinstance(inputs, cst.Name):
        raise Unsupported(inputs, f"tf.{name} over an expression in a model function (its module reads the "
                                  "size of the inputs, a name, when it is first called)")
    x = inputs.value
    used: List[str] = []  # the function's own cells, by name
    described = []
    for node in (given.get(key) for key in ("cell", "cell_fw", "cell_bw")):
        if isinstance(node, cst.Name) and node.value in cells:
            used.append(node.value)
            described.append(cells[node.value])
        elif node is not None:
            described.append(rnn_cells.parse(s, node))
    if any(rnn_cells.has_lstm(c) for c in described):
        s.note(value, rnn.FORGET_BIAS_NOTE)
    fresh = functools.partial(fresh_name, taken)
    feed = (f"{s.tf}.stack({x}, axis=1)" if kind.startswith("static") else
            f"{s.tf}.transpose({x}, [1, 0, 2])" if time_major else x)
    prelude: List[str] = []
    if feed != x:  # the batch-major sequence the layer reads, and is built for
        stacked = fresh("inputs")
        prelude.append(f"{stacked} = {feed}")
        feed = stacked
    make = _layer_expression(s, described, f"{feed}.shape[-1]", "sequence_length" in given)
    reads = {x} | set().union(*(queries.names_in(s.expr(c)) for c in _cell_codes(described)))
    mask = ""
    if "sequence_length" in given:
        mask = (f", mask={s.tf}.sequence_mask({s.code(given['sequence_length'])}, "
                f"maxlen={s.tf}.shape({feed})[1])")
    states = rnn.initial_state(s, given, described, None, frozenset(cells), zero_states)
    initial = f", initial_state={states}" if states else ""
    lines = _results(s, fresh, target, described, kind, time_major, f"{{layer}}({feed}{initial}{mask})")
    return ModuleRun(make, f"{feed}.shape", reads, prelude, lines, used)


def _cell_codes(cells) -> List[str]:
    codes = []
    for c in cells:
        codes += [c.units, *(v for _, v in c.keywords), *(c.repeat or ())[1:]] + _cell_codes(c.cells)
    return [c for c in codes if c]


def _layer_expression(s: Rewrite, cells, size: str, masked: bool) -> str:
    """The Keras layer, as one expression."""
    if len(cells) == 1:
        return rnn.keras_rnn(s, cells[0], size, masked)
    forward = rnn.keras_rnn(s, cells[0], size, masked, indent=s.indent)
    backward = rnn.keras_rnn(s, cells[1], size, masked, ", go_backwards=True", indent=s.indent)
    return (f"{s.tf}.keras.layers.Bidirectional(\n{s.indent}{forward},\n"
            f"{s.indent}backward_layer={backward},\n{s.indent}merge_mode=None)")


def _results(s: Rewrite, fresh, target, cells, kind: str, time_major: bool, run: str) -> List[str]:
    """``outputs, h, c = self.rnn(x)`` then TF1's results from Keras's: the outputs kept in the
    target's own name where it has one."""
    tf = s.tf
    names = [e.value for e in target.elements] if isinstance(target, (cst.Tuple, cst.List)) else []
    simple = (len(cells) == 1 and kind in ("dynamic", "static") and len(names) == 2
              and all(isinstance(n, cst.Name) for n in names))
    if not simple:
        if len(cells) == 2:  # the forward layer's states h_fw, c_fw, then the backward's h_bw, c_bw
            asked: Set[str] = set()

            def sided(base: str) -> str:
                if base.startswith("outputs"):
                    return fresh(base)
                side = "bw" if base in asked else "fw"
                asked.add(base)
                return fresh(f"{base}_{side}")

            keras, tf1 = rnn.results(s, sided, cells, kind, time_major)
        else:
            keras, tf1 = rnn.results(s, fresh, cells, kind, time_major)
        parts = s.expr(f"({tf1})")
        if isinstance(parts, cst.Tuple) and len(parts.elements) == len(names):
            # what TF1 returned, but for the results thrown away (`outputs, _, _ = ...`)
            kept = [(n, e.value) for n, e in zip(names, parts.elements)
                    if not (isinstance(n, cst.Name) and n.value == "_")]
            return [f"{keras} = {run}", f"{', '.join(s.code(n) for n, _ in kept)} = "
                                        f"{', '.join(s.code(v) for _, v in kept)}"]
        return [f"{keras} = {run}", f"{s.code(target)} = {tf1}"]
    out = names[0].value if names[0].value != "_" else fresh("outputs")
    keras_state, tf1_state = rnn_cells.state_names(fresh, cells[0], top=True)
    keep_state = names[1].value != "_" and keras_state == tf1_state
    lines = [f"{out}, {names[1].value if keep_state else keras_state} = {run}"]
    if kind == "static":
        lines.append(f"{out} = {tf}.unstack({out}, axis=1)")
    elif time_major:
        lines.append(f"{out} = {tf}.transpose({out}, [1, 0, 2])")
    if names[1].value != "_" and not keep_state:
        lines.append(f"{names[1].value} = {tf1_state}")
    return lines
