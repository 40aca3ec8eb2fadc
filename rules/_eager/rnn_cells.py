"""TF1 RNN cells as Keras cells that start from TF1's weights and compute what TF1 computed.

A TF1 cell (``tf.nn.rnn_cell.BasicLSTMCell(64)``, ``tf.contrib.rnn.GRUCell(32)``,
``MultiRNNCell``, ``DropoutWrapper`` at keep probability 1) makes no variable until an RNN
function runs it: its statement goes, its name is bound to a :class:`Cell`, and the RNN
statement (``rnn.py``) builds the Keras cells where TF1 made the variables.

Weights. TF1 cells keep one kernel ``[input + units, gates * units]`` drawn at once by the
cell's initializer (``tf.get_variable``'s default, Glorot uniform, unless one is given):
LSTM gates in the order i, j, f, o; GRU a gates kernel (r, u) and a candidate kernel. Keras
keeps the input and the recurrent kernels apart, LSTM gates in the order i, f, j, o and GRU
gates u, r, candidate. The rewrite writes one helper function per cell kind
(``lstm_cell``, ``gru_cell``, ``simple_rnn_cell``) that draws TF1's kernel with TF1's shape,
reorders and splits it, and gives it to the Keras cell as constant initializers: the cell
starts from the values TF1 drew (under ``verify --deterministic``, the same numbers).

Numbers. TF1's defaults are passed explicitly: tanh and sigmoid, ``reset_after=False``
(TF1's GRU resets the state before the candidate's matmul), ``unit_forget_bias=False``.
TF1's LSTM adds ``forget_bias`` (1.0) to the forget gate at every step; the Keras cell
starts that gate's bias at ``forget_bias`` instead, which computes the same sums in another
order (and trains the same: the gradient of a bias does not depend on its value); the bias
variable itself then holds ``forget_bias`` more than TF1's, which the rewrite notes (a
checkpoint, a print or a weight penalty of that variable differs).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Set, Tuple

import libcst as cst

from .. import _tf, _vocab
from . import bindings as B
from . import queries, tensors
from .state import Rewrite, Unsupported


@dataclass(frozen=True)
class Cell:
    """A TF1 cell: ``kind`` lstm, gru or rnn (``units`` and the helper's keywords, as code), or a
    stack of cells (``MultiRNNCell``), written out or ``repeat``-ed by a comprehension."""

    kind: str
    units: str = ""
    keywords: Tuple[Tuple[str, str], ...] = ()
    cells: Tuple["Cell", ...] = ()
    repeat: Optional[Tuple[str, str]] = None  # (loop variable, count) of `[cell for i in range(count)]`

    @property
    def output_size(self) -> str:
        return self.cells[-1].output_size if self.kind == "stack" else self.units


@dataclass(frozen=True)
class Result:
    """What an RNN function returned, as far as the rewrite knows it: a ``tensor`` or a ``list``
    of them (``size``: their last dimension, as code), an ``lstm`` state (c, h), or a ``tuple``
    (``repeated``: any number of the one item)."""

    kind: str
    size: Optional[str] = None
    items: Tuple["Result", ...] = ()
    repeated: bool = False

    def item(self, index: int) -> Optional["Result"]:
        if self.kind == "lstm":
            return Result("tensor", self.size)
        if self.kind != "tuple":
            return None
        if self.repeated:
            return self.items[0]
        return self.items[index] if -len(self.items) <= index < len(self.items) else None


def has_lstm(cell: Cell) -> bool:
    return cell.kind == "lstm" or any(has_lstm(c) for c in cell.cells)


def state_result(cell: Cell) -> Result:
    """What TF1's RNN functions return as the final state of ``cell``."""
    if cell.kind == "lstm":
        return Result("lstm", cell.units)
    if cell.kind == "stack":
        return Result("tuple", items=tuple(state_result(c) for c in cell.cells), repeated=cell.repeat is not None)
    return Result("tensor", cell.units)


# --- reading TF1 cells ---------------------------------------------------------

_IGNORED = {"name": None, "reuse": ("None", "False"), "dtype": ("None", "tf.float32", "float32"),
            "state_is_tuple": ("True",), "use_peepholes": ("False",)}
_ABSENT = ("cell_clip", "num_proj", "proj_clip", "num_unit_shards", "num_proj_shards")


def parse(s: Rewrite, node: cst.BaseExpression) -> Cell:
    """The cell ``node`` builds or names; Unsupported for anything else."""
    if isinstance(node, cst.Name) and s.b.is_(node.value, B.CELL):
        return s.b.get(node.value, B.CELL)
    made = _factory_call(s, node)
    if made is not None:
        return parse(s, made)
    name = s.call_name(node)
    cell_name = _vocab.rnn_cell_name(name)
    if not cell_name:
        raise Unsupported(node, f"{s.code(node)} is not an RNN cell this rewrite knows")
    if any(a.star for a in node.args):
        raise Unsupported(node, f"tf.{name} built from *args or **kwargs")
    if cell_name == "MultiRNNCell":
        return _stack(s, node)
    if cell_name == "DropoutWrapper":
        return _dropout(s, node)
    if cell_name not in _vocab.RNN_CELLS:
        raise Unsupported(node, f"tf.{name} (no Keras cell is mapped for it)")
    kind, params = _vocab.RNN_CELLS[cell_name]
    given = arguments(s, node, params, name)
    units = given.pop("num_units", None)
    if units is None:
        raise Unsupported(node, f"tf.{name} without num_units")
    keywords = []
    for key, value in given.items():
        code = s.code(value)
        if key in _IGNORED:
            allowed = _IGNORED[key]
            if allowed is not None and code.replace(f"{s.tf}.", "tf.").strip("'\"") not in allowed:
                raise Unsupported(node, f"tf.{name}({key}={code})")
        elif key in _ABSENT:
            if code != "None":
                raise Unsupported(node, f"tf.{name}({key}={code}) (the Keras cell has no such option)")
        elif code != "None":  # None is TF1's default for activation and the initializers
            new, params = tensors.graph_expr(s, value)
            if params:
                raise Unsupported(value, f"tf.{name}({key}=...) computed from placeholders")
            keywords.append((key, s.code(new)))
    return Cell(kind, s.code(units), tuple(keywords))


def arguments(s: Rewrite, call: cst.Call, params, name) -> Dict[str, cst.BaseExpression]:
    """A TF1 call's arguments by parameter name (``params`` in TF1's order)."""
    given = {}
    positional = [a for a in call.args if a.keyword is None]
    if len(positional) > len(params):
        raise Unsupported(call, f"tf.{name} with more positional arguments than TF1 takes")
    for index, arg in enumerate(positional):
        given[params[index]] = arg.value
    for arg in call.args:
        if arg.keyword is not None:
            if arg.keyword.value not in params:
                raise Unsupported(call, f"tf.{name}({arg.keyword.value}=...)")
            given[arg.keyword.value] = arg.value
    return given


def _dropout(s: Rewrite, call: cst.Call) -> Cell:
    """``DropoutWrapper(cell, ...)`` keeping every value (keep probabilities 1) is the cell itself."""
    cell = _tf.argument(call, 0, "cell")
    if cell is None:
        raise Unsupported(call, "a DropoutWrapper without a cell")
    for arg in call.args:
        if arg is cell:
            continue
        key = arg.keyword.value if arg.keyword is not None else "input_keep_prob"
        if key.endswith("keep_prob") and s.code(arg.value) in ("1", "1.0"):
            continue
        if key == "variational_recurrent" and s.code(arg.value) == "False":
            continue
        raise Unsupported(call, f"DropoutWrapper({key}={s.code(arg.value)}): a Keras cell's dropout draws one "
                                "mask for the whole sequence, TF1's DropoutWrapper a new one at each step")
    return parse(s, cell.value)


def _stack(s: Rewrite, call: cst.Call) -> Cell:
    cells = _tf.argument(call, 0, "cells")
    tuple_arg = _tf.argument(call, 1, "state_is_tuple")
    if cells is None or len(call.args) > 2 or (tuple_arg is not None and s.code(tuple_arg.value) != "True"):
        raise Unsupported(call, "MultiRNNCell with arguments beyond its cells")
    return layers(s, cells.value, call)


def is_list(s: Rewrite, value) -> bool:
    """``[tf.nn.rnn_cell.GRUCell(n) for _ in range(k)]``, ``[cell_1, cell_2]``: cells for a MultiRNNCell."""
    if isinstance(value, cst.ListComp):
        return _is_cell(s, value.elt)
    return isinstance(value, (cst.List, cst.Tuple)) and bool(value.elements) and all(
        not isinstance(e, cst.StarredElement) and _is_cell(s, e.value) for e in value.elements)


def _factory_call(s: Rewrite, node) -> Optional[cst.BaseExpression]:
    """``lstm_cell()`` of a cell factory: the cell expression it returns."""
    if (isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and not node.args
            and s.b.is_(node.func.value, B.CELL_FACTORY)):
        return s.b.get(node.func.value, B.CELL_FACTORY)
    return None


def factory(s: Rewrite, func: cst.FunctionDef) -> Optional[cst.BaseExpression]:
    """``def lstm_cell(): cell = BasicLSTMCell(n); return DropoutWrapper(cell, ...)``: a function without
    parameters that only builds a cell and returns it; the cell expression (its locals put in), else None."""
    if func.decorators or func.asynchronous or not isinstance(func.body, cst.IndentedBlock) or any(
            (func.params.params, func.params.posonly_params, func.params.kwonly_params)) or not isinstance(
            func.params.star_arg, cst.MaybeSentinel) or func.params.star_kwarg is not None:
        return None
    body = list(func.body.body)
    first = body[0].body[0] if body and isinstance(body[0], cst.SimpleStatementLine) else None
    if isinstance(first, cst.Expr) and isinstance(first.value, cst.SimpleString):
        body = body[1:]  # the docstring
    values: Dict[str, cst.BaseExpression] = {}
    for index, stmt in enumerate(body):
        small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 else None
        if index == len(body) - 1:
            if not isinstance(small, cst.Return) or small.value is None:
                return None
            made = _put_in(small.value, values)
            return made if _vocab.rnn_cell_name(s.call_name(made)) not in ("", "LSTMStateTuple") else None
        if not (isinstance(small, cst.Assign) and len(small.targets) == 1
                and isinstance(small.targets[0].target, cst.Name)):
            return None
        values[small.targets[0].target.value] = _put_in(small.value, values)
    return None


def release(s: Rewrite, name: str, test) -> None:
    """A name the rewrite removes (a cell factory, the `rnn` of `from tensorflow.contrib import rnn`) is free
    for the code it writes, when ``test`` accepts every Name node of it in the module."""
    if all(test(node) for node in queries.find(s.module, cst.Name, lambda n: n.value == name)):
        s.taken.discard(name)


def _put_in(node: cst.BaseExpression, values: Dict[str, cst.BaseExpression]) -> cst.BaseExpression:
    class Put(cst.CSTTransformer):  # the locals read, not attribute or keyword names
        def leave_Name(self, original, updated):
            return values.get(original.value, updated)

        def leave_Attribute(self, original, updated):
            return updated.with_changes(attr=original.attr)

        def leave_Arg(self, original, updated):
            return updated.with_changes(keyword=original.keyword)

    return node.visit(Put()) if values else node


def _is_cell(s: Rewrite, node) -> bool:
    if isinstance(node, cst.Name):
        return s.b.is_(node.value, B.CELL)
    if _factory_call(s, node) is not None:
        return True
    return _vocab.rnn_cell_name(s.call_name(node)) not in ("", "LSTMStateTuple")


def layers(s: Rewrite, value, call) -> Cell:
    """The layers of a MultiRNNCell, from the list of cells ``value``."""
    if isinstance(value, cst.Name) and s.b.is_(value.value, B.CELL) and s.b.get(value.value, B.CELL).kind == "stack":
        return s.b.get(value.value, B.CELL)
    if isinstance(value, (cst.List, cst.Tuple)) and value.elements:
        if any(isinstance(e, cst.StarredElement) for e in value.elements):
            raise Unsupported(call, "MultiRNNCell over a starred list")
        layers = [parse(s, e.value) for e in value.elements]
        names = [e.value.value for e in value.elements if isinstance(e.value, cst.Name)]
        if len(set(names)) != len(names):
            raise Unsupported(call, "MultiRNNCell with one cell object in two layers (TF1 refuses it)")
        return Cell("stack", cells=tuple(layers))
    if isinstance(value, cst.BinaryOperation):
        raise Unsupported(call, "MultiRNNCell([cell] * n): one cell object in every layer (TF1 refuses it)")
    if isinstance(value, cst.ListComp):
        loop = value.for_in
        if (loop.inner_for_in is None and not loop.ifs and s.call_name(loop.iter) is None
                and isinstance(loop.iter, cst.Call) and isinstance(loop.iter.func, cst.Name)
                and loop.iter.func.value == "range" and len(loop.iter.args) == 1
                and isinstance(loop.target, cst.Name)):
            variable = loop.target.value
            layer = parse(s, value.elt)
            if variable not in queries.names_in(value.elt):
                return Cell("stack", cells=(layer,), repeat=(variable, s.code(loop.iter.args[0].value)))
    raise Unsupported(call, f"MultiRNNCell over {s.code(value)} (a list of cells or `[cell for _ in range(n)]`)")


# --- writing Keras cells ---------------------------------------------------------

_HELPERS = {
    "lstm": ("lstm_cell", '''\
def {name}(units, input_size, initializer=None, forget_bias=1.0, activation={tf}.tanh):
    """A Keras LSTM cell that starts from the weights a TF1 LSTM cell drew.

    TF1 drew one kernel [input_size + units, 4 * units] (gates i, j, f, o) and added
    forget_bias to the forget gate at each step. Keras keeps the input and recurrent
    kernels apart (gates i, f, j, o) and starts the forget gate's bias at forget_bias.
    """
    initializer = initializer or {tf}.keras.initializers.GlorotUniform()
    i, j, f, o = {tf}.split(initializer(shape=[input_size + units, 4 * units]), 4, axis=1)
    kernel = {tf}.concat([i, f, j, o], axis=1)
    bias = {tf}.concat([{tf}.zeros([units]), {tf}.ones([units]) * forget_bias, {tf}.zeros([2 * units])], axis=0)
    return {tf}.keras.layers.LSTMCell(
        units, activation=activation, recurrent_activation="sigmoid", unit_forget_bias=False,
        kernel_initializer={tf}.keras.initializers.Constant(kernel[:input_size]),
        recurrent_initializer={tf}.keras.initializers.Constant(kernel[input_size:]),
        bias_initializer={tf}.keras.initializers.Constant(bias))
'''),
    "gru": ("gru_cell", '''\
def {name}(units, input_size, kernel_initializer=None, bias_initializer=None, activation={tf}.tanh):
    """A Keras GRU cell that starts from the weights a TF1 GRUCell drew.

    TF1 drew a gates kernel [input_size + units, 2 * units] (reset r, update u; bias 1.0)
    and a candidate kernel [input_size + units, units] (bias 0.0), and reset the state
    before the candidate's matmul. Keras (reset_after=False) keeps the input and
    recurrent kernels apart, gates u, r, candidate.
    """
    glorot = {tf}.keras.initializers.GlorotUniform
    r, u = {tf}.split((kernel_initializer or glorot())(shape=[input_size + units, 2 * units]), 2, axis=1)
    r_bias, u_bias = {tf}.split(bias_initializer(shape=[2 * units]) if bias_initializer else {tf}.ones([2 * units]), 2)
    candidate = (kernel_initializer or glorot())(shape=[input_size + units, units])
    candidate_bias = bias_initializer(shape=[units]) if bias_initializer else {tf}.zeros([units])
    kernel = {tf}.concat([u, r, candidate], axis=1)
    return {tf}.keras.layers.GRUCell(
        units, activation=activation, recurrent_activation="sigmoid", reset_after=False,
        kernel_initializer={tf}.keras.initializers.Constant(kernel[:input_size]),
        recurrent_initializer={tf}.keras.initializers.Constant(kernel[input_size:]),
        bias_initializer={tf}.keras.initializers.Constant({tf}.concat([u_bias, r_bias, candidate_bias], axis=0)))
'''),
    "rnn": ("simple_rnn_cell", '''\
def {name}(units, input_size, activation={tf}.tanh):
    """A Keras SimpleRNN cell that starts from the weights a TF1 BasicRNNCell drew.

    TF1 drew one kernel [input_size + units, units]; Keras keeps the input and
    recurrent kernels apart.
    """
    kernel = {tf}.keras.initializers.GlorotUniform()(shape=[input_size + units, units])
    return {tf}.keras.layers.SimpleRNNCell(
        units, activation=activation,
        kernel_initializer={tf}.keras.initializers.Constant(kernel[:input_size]),
        recurrent_initializer={tf}.keras.initializers.Constant(kernel[input_size:]), bias_initializer="zeros")
'''),
}


def _helper(s: Rewrite, kind: str) -> str:
    """The name of the helper that builds Keras cells of ``kind``; written before its first use."""
    base, template = _HELPERS[kind]
    # the program's own `lstm_cell` (a local, a cell factory) keeps its name: `keras_lstm_cell`
    return s.helper(kind, base if base not in s.taken else f"keras_{base}", template)


def keras_cells(s: Rewrite, cell: Cell, input_size: str) -> str:
    """Code building the Keras cell (or list of cells) for ``cell`` fed inputs of ``input_size``."""
    if cell.kind != "stack":
        args = [cell.units, input_size] + [f"{k}={v}" for k, v in cell.keywords]
        return f"{_helper(s, cell.kind)}({', '.join(args)})"
    if cell.repeat is not None:
        variable, count = cell.repeat
        layer = cell.cells[0]
        if layer.kind == "stack":
            raise Unsupported(None, "a MultiRNNCell of MultiRNNCells built by a comprehension")
        if variable == "_":
            variable = s.fresh("layer")  # the loop now reads its variable
        first = f"{input_size} if {variable} == 0 else {layer.output_size}"
        return f"[{keras_cells(s, layer, first)} for {variable} in range({count})]"
    built: List[str] = []
    for layer in cell.cells:
        if layer.kind == "stack":
            raise Unsupported(None, "a MultiRNNCell of MultiRNNCells")
        built.append(keras_cells(s, layer, input_size))
        input_size = layer.output_size
    return f"[{', '.join(built)}]"


def state_names(fresh: Callable[[str], str], cell: Cell, top: bool) -> Tuple[str, str]:
    """(Keras state targets, the TF1 state built from them) for one RNN layer's final state, with
    local names from ``fresh``.

    Keras returns an LSTM's state as h, c (a list [h, c] per layer of a stack), TF1 as (c, h)."""
    if cell.kind == "lstm":
        h, c = fresh("h"), fresh("c")
        return (f"{h}, {c}" if top else f"[{h}, {c}]"), f"({c}, {h})"
    if cell.kind != "stack":
        h = fresh("h")
        return (h if top else f"[{h}]"), h
    if cell.repeat is not None:
        states, state = fresh("layer_states"), fresh("state")
        layer = cell.cells[0]
        each = f"({state}[1], {state}[0])" if layer.kind == "lstm" else f"{state}[0]"
        return f"*{states}", f"tuple({each} for {state} in {states})"
    parts = [state_names(fresh, layer, top=False) for layer in cell.cells]
    tf1 = ", ".join(p[1] for p in parts) + ("," if len(parts) == 1 else "")
    return ", ".join(p[0] for p in parts), f"({tf1})"


def keras_state(s: Rewrite, cell: Cell, node: cst.BaseExpression, needs: Set[str]) -> str:
    """The Keras ``initial_state`` for a TF1 initial state ``node`` of ``cell`` (the placeholders
    it reads are added to ``needs``)."""
    if cell.kind == "lstm":
        if _vocab.rnn_cell_name(s.call_name(node)) == "LSTMStateTuple" or isinstance(node, (cst.Tuple, cst.List)):
            parts = node.args if isinstance(node, cst.Call) else node.elements
            if len(parts) != 2 or any(getattr(p, "keyword", None) is not None for p in parts):
                raise Unsupported(node, "an LSTM state that is not (c, h)")
            c, h = (_code(s, p.value, needs) for p in parts)
            return f"[{h}, {c}]"
        return f"[{_code(s, _item(s, node, 1), needs)}, {_code(s, _item(s, node, 0), needs)}]"
    if cell.kind != "stack":
        return f"[{_code(s, node, needs)}]"
    if cell.repeat is not None:
        raise Unsupported(node, "an initial state for a MultiRNNCell built by a comprehension")
    if isinstance(node, (cst.Tuple, cst.List)) and len(node.elements) == len(cell.cells):
        items = [keras_state(s, layer, e.value, needs) for layer, e in zip(cell.cells, node.elements)]
    else:
        items = [keras_state(s, layer, _item(s, node, i), needs) for i, layer in enumerate(cell.cells)]
    return f"[{', '.join(items)}]"


def _item(s: Rewrite, node: cst.BaseExpression, index: int) -> cst.BaseExpression:
    code = s.code(node)
    return s.expr(f"{code}[{index}]" if isinstance(node, (cst.Name, cst.Attribute, cst.Subscript, cst.Call))
                  else f"({code})[{index}]")


def _code(s: Rewrite, node: cst.BaseExpression, needs: Set[str]) -> str:
    new, params = tensors.graph_expr(s, node)
    needs.update(params)
    return s.code(new)
