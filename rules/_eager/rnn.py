"""RNNs: ``tf.nn.dynamic_rnn`` and the other TF1 RNN functions as Keras RNN layers.

``outputs, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)`` builds, where TF1 made
the cell's variables, ``rnn = tf.keras.layers.RNN(<Keras cells>, return_sequences=True,
return_state=True)`` (``rnn_cells.py`` makes the cells start from TF1's weights), and a
function computing what TF1 returned: the outputs and the final state in TF1's order (an
LSTM's state is ``(c, h)``, Keras returns ``h, c``; ``state.c`` and ``state.h`` become
``[0]`` and ``[1]``). ``static_rnn`` stacks its list of inputs and unstacks the outputs;
``bidirectional_dynamic_rnn`` is a ``tf.keras.layers.Bidirectional`` whose backward layer
runs backwards; ``sequence_length`` is the layer's mask (outputs past a sequence's end are
zeros and its state stops there, as in TF1); ``time_major`` transposes; an initial state is
passed in Keras's order; ``cell.zero_state(...)`` is what a Keras RNN starts from anyway.
"""
from __future__ import annotations

import functools
from typing import FrozenSet, List, Optional, Tuple

import libcst as cst

from tfmigrate.names import fresh_name

from .. import _tf, _vocab
from . import bindings as B
from . import feeds, queries, rnn_cells, tensors
from .plan import Out
from .rnn_cells import Result
from .state import Rewrite, Unsupported

PARAMS = {
    "dynamic": ("cell", "inputs", "sequence_length", "initial_state", "dtype", "parallel_iterations",
                "swap_memory", "time_major", "scope"),
    "static": ("cell", "inputs", "initial_state", "dtype", "sequence_length", "scope"),
    "bidirectional": ("cell_fw", "cell_bw", "inputs", "sequence_length", "initial_state_fw", "initial_state_bw",
                      "dtype", "parallel_iterations", "swap_memory", "time_major", "scope"),
    "static_bidirectional": ("cell_fw", "cell_bw", "inputs", "initial_state_fw", "initial_state_bw", "dtype",
                             "sequence_length", "scope"),
}
_FLOAT32 = ("None", "tf.float32", "'float32'", '"float32"')
FORGET_BIAS_NOTE = ("the Keras LSTM cell starts its forget gate's bias at TF1's forget_bias, which TF1 added at "
                    "each step instead: same outputs and training, but that bias variable holds forget_bias more "
                    "(a checkpoint, a print or a weight penalty of it differs)")


# --- cells and their zero states: remembered, built where an RNN runs them ----------------

is_cell_list = rnn_cells.is_list


def contrib_import(node: cst.ImportFrom) -> bool:
    """``from tensorflow.contrib import rnn``: its cells and functions become Keras ones, and the
    import goes (a use the rewrite keeps names ``tensorflow.contrib``: the audit refuses it)."""
    return (node.module is not None and queries.dotted(node.module) == "tensorflow.contrib"
            and not isinstance(node.names, cst.ImportStar)
            and all(queries.dotted(a.name) == "rnn" for a in node.names))


def is_zero_state(s: Rewrite, value, cells: FrozenSet[str] = frozenset()) -> bool:
    """``cell.zero_state(batch_size, dtype)`` of a cell this program built (or of a local cell in
    ``cells``, a model function's)."""
    if not queries.is_method_call(value, ("zero_state",)):
        return False
    receiver = value.func.value
    return (isinstance(receiver, cst.Name) and (s.b.is_(receiver.value, B.CELL) or receiver.value in cells)) or bool(
        _vocab.rnn_cell_name(s.call_name(receiver)))


def float32_zero_state(s: Rewrite, value: cst.Call) -> bool:
    """A zero state ``cell.zero_state(batch, tf.float32)``: float32, as the rewrite's RNNs are."""
    dtype = _tf.argument(value, 1, "dtype")
    return dtype is not None and _spelled(s, dtype.value) in _FLOAT32


def cell(s: Rewrite, node, single: Optional[str], value, in_loop: bool) -> None:
    """``cell = tf.nn.rnn_cell.BasicLSTMCell(64)`` (or a list of cells for a MultiRNNCell): the
    statement goes, the name means the cell."""
    s.need_module_level(node, single, in_loop, "cell of an RNN")
    if isinstance(value, cst.Call):
        described = rnn_cells.parse(s, value)
    else:
        described = rnn_cells.layers(s, value, value)
    s.b.rebind(single)
    s.b.bind(single, B.CELL, described)


def state_tuple(s: Rewrite, node, single: Optional[str], value: cst.Call, line, in_loop: bool) -> List[Out]:
    """``state = tf.nn.rnn_cell.LSTMStateTuple(c, h)``: the tuple (c, h), as RNN states are here."""
    s.need_module_level(node, single, in_loop, "state of an RNN")
    out = tensors.tensor_function(s, single, value, line)
    tensor = s.b.get(single, B.TENSOR)
    tensor.kind, tensor.structure = "nest", Result("lstm", None)
    return [out]


def state_tuple_call(s: Rewrite, call: cst.Call) -> cst.BaseExpression:
    """``LSTMStateTuple(c, h)`` in a tensor expression: the tuple ``(c, h)``."""
    parts = [_tf.argument(call, 0, "c"), _tf.argument(call, 1, "h")]
    if None in parts or len(call.args) != 2:
        raise Unsupported(call, "an LSTMStateTuple that is not (c, h)")
    return s.expr(f"({s.code(parts[0].value)}, {s.code(parts[1].value)})")


def zero_state(s: Rewrite, node, single: Optional[str], value: cst.Call, in_loop: bool) -> None:
    """``init = cell.zero_state(batch, tf.float32)``: zeros, where a Keras RNN starts by itself."""
    s.need_module_level(node, single, in_loop, "zero state")
    if not float32_zero_state(s, value):
        raise Unsupported(value, "a zero state that is not float32")
    s.b.rebind(single)
    s.b.bind(single, B.ZERO_STATE)


def _spelled(s: Rewrite, node) -> str:
    code = s.code(node)
    return "tf." + code[len(s.tf) + 1:] if code.startswith(s.tf + ".") else code


# --- running them ----------------------------------------------------------------------

def run(s: Rewrite, node: cst.Assign, target, value: cst.Call, kind: str, line, in_loop: bool) -> List[Out]:
    """``outputs, state = tf.nn.dynamic_rnn(cell, inputs, ...)`` (and static_rnn, the bidirectional ones)."""
    name = s.call_name(value)
    given = arguments(s, value, PARAMS[kind], name)
    targets = targets_of(s, target, node)
    base = targets[0][0] if len(targets) == 1 and not targets[0][1] else s.fresh("_".join(t[0] for t in targets))
    s.need_module_level(node, base, in_loop, "RNN")
    time_major = checked_options(s, value, given, name)
    static = kind.startswith("static")
    size = features(s, given["inputs"], static)
    if size is None:
        raise Unsupported(given["inputs"], f"the size of the inputs of tf.{name} is not evident from the code "
                                           "(TF1 drew the cell's kernel for it when the graph was built)")
    s.target = base
    cells = [rnn_cells.parse(s, given[key]) for key in ("cell", "cell_fw", "cell_bw") if key in given]
    for key in ("cell", "cell_fw", "cell_bw"):
        _use(s, given.get(key))
    if any(rnn_cells.has_lstm(c) for c in cells):
        s.note(value, FORGET_BIAS_NOTE)
    needs: set = set()
    lines, call = _layer(s, cells, size, "sequence_length" in given, kind)
    feed = _inputs(s, given, static, time_major, needs)
    states = initial_state(s, given, cells, needs)
    length = None
    if "sequence_length" in given:
        length, more = tensors.graph_expr(s, given["sequence_length"])
        needs.update(more)
    # The function's locals: any name its code does not read (a module name it shadows is not called there).
    taken = {call} | queries.names_in(s.expr(feed)) | (queries.names_in(length) if length is not None else set())
    taken |= queries.names_in(s.expr(states)) if states else set()
    fresh = functools.partial(fresh_name, taken)
    x = feed if length is None or isinstance(s.expr(feed), cst.Name) else fresh("inputs")
    mask = f", mask={s.tf}.sequence_mask({s.code(length)}, maxlen={s.tf}.shape({x})[1])" if length else ""
    keras, tf1 = results(s, fresh, cells, kind, time_major)
    params = feeds.ordered(s, needs)
    func = s.function_name(base)
    body = [f"{s.indent}{x} = {feed}"] if x != feed else []
    initial = f", initial_state={states}" if states else ""
    body.append(f"{s.indent}{keras} = {call}({x}{initial}{mask})")
    body.append(f"{s.indent}return {tf1}")
    out = [Out(s.stmt(line_ + "\n")) for line_ in lines]
    s.pending.extend(out)
    head = [feeds.signature(s, params)] if params else []
    result = _result(cells, kind)
    tensors.define(s, base, params, "nest", func)
    s.b.get(base, B.TENSOR).structure = result
    emitted = [s.function(head + [f"def {func}({feeds.parameters(s, params)}):"] + body, line)]
    if len(targets) > 1 or targets[0][1]:
        for target_name, path in targets:
            part = _at(result, path)
            subscripts = "".join(f"[{i}]" for i in path)
            emitted.append(tensors.tensor_function(s, target_name, s.expr(f"{base}{subscripts}"), None))
            tensor = s.b.get(target_name, B.TENSOR)
            tensor.structure = part
            tensor.kind = {"tensor": "tensor", "list": "list"}.get(part.kind, "nest")
    return emitted


def checked_options(s: Rewrite, value: cst.Call, given: dict, name: str) -> bool:
    """Checks an RNN call's arguments and takes out those read here: whether it is time-major."""
    if "inputs" not in given:
        raise Unsupported(value, f"tf.{name} without inputs")
    for key in ("parallel_iterations", "swap_memory", "scope"):
        given.pop(key, None)  # how TF1 ran the loop and named the variables: nothing to compute
    if _spelled(s, given.pop("dtype", cst.Name("None"))) not in _FLOAT32:
        raise Unsupported(value, f"tf.{name} with a dtype other than float32")
    time_major = given.pop("time_major", None)
    if time_major is not None and s.code(time_major) not in ("True", "False"):
        raise Unsupported(value, f"tf.{name}(time_major=<not a literal>)")
    return time_major is not None and s.code(time_major) == "True"


def arguments(s: Rewrite, call: cst.Call, params, name) -> dict:
    if any(a.star for a in call.args):
        raise Unsupported(call, f"tf.{name} called with *args or **kwargs")
    given = rnn_cells.arguments(s, call, params, name)
    return {k: v for k, v in given.items() if not (isinstance(v, cst.Name) and v.value == "None")}


def targets_of(s: Rewrite, target, node, path: Tuple[int, ...] = ()) -> List[Tuple[str, Tuple[int, ...]]]:
    """(name, index path) of each name the result is unpacked into (``_`` left out)."""
    if isinstance(target, cst.Name):
        return [] if target.value == "_" else [(target.value, path)]
    if isinstance(target, (cst.Tuple, cst.List)) and not any(isinstance(e, cst.StarredElement) for e in target.elements):
        found = []
        for index, element in enumerate(target.elements):
            found += targets_of(s, element.value, node, path + (index,))
        if not path and not found:
            raise Unsupported(node, "an RNN whose results are all thrown away")
        return found
    raise Unsupported(node, "the results of an RNN stored in something other than names")


def _use(s: Rewrite, node) -> None:
    """A cell runs in one RNN: TF1 either shared its variables with a second one or refused."""
    if isinstance(node, cst.Name) and s.b.is_(node.value, B.CELL):
        if node.value in s.rnn_used:
            raise Unsupported(node, f"cell {node.value} runs in two RNNs (TF1 shares its variables between them)")
        s.rnn_used.add(node.value)


def keras_rnn(s: Rewrite, cell, size: str, masked: bool, more: str = "", room: int = 90, indent: str = "") -> str:
    """``tf.keras.layers.RNN(<Keras cells>, return_sequences=True, return_state=True)`` for ``cell`` fed
    inputs of ``size``; its arguments on lines of their own (under ``indent``) past ``room`` characters."""
    options = "return_sequences=True, return_state=True" + (", zero_output_for_mask=True" if masked else "")
    cells_code = rnn_cells.keras_cells(s, cell, size)  # (once: it may take a fresh name)
    code = f"{s.tf}.keras.layers.RNN({cells_code}, {options}{more})"
    if len(code) <= room:
        return code
    return f"{s.tf}.keras.layers.RNN(\n{indent}{s.indent}{cells_code},\n{indent}{s.indent}{options}{more})"


def _layer(s: Rewrite, cells, size: str, masked: bool, kind: str) -> Tuple[List[str], str]:
    """The statements building the Keras layer, and its name."""
    tf = s.tf

    def build(name: str, cell, more: str = "") -> str:
        return f"{name} = {keras_rnn(s, cell, size, masked, more, room=110 - len(name) - 3)}"

    # Built here, for inputs of ``size`` features, its variables exist before the first train step: made
    # in a train step's first trace, beside an optimizer's slots, the gradient of the layer's while loop
    # fails on TF 2.21 (AddN of [units, 4 * units] and [0]) in some runs, and in every run once traced
    # inline into the step.
    built = f"{{}}.build((None, None, {size}))"
    if len(cells) == 1:
        layer = s.fresh("rnn")
        return [build(layer, cells[0]), built.format(layer)], layer
    forward, backward, layer = s.fresh("rnn_fw"), s.fresh("rnn_bw"), s.fresh("birnn")
    return [build(forward, cells[0]), build(backward, cells[1], ", go_backwards=True"),
            f"{layer} = {tf}.keras.layers.Bidirectional({forward}, backward_layer={backward}, merge_mode=None)",
            built.format(layer)], layer


def _inputs(s: Rewrite, given, static: bool, time_major: bool, needs: set) -> str:
    """The code computing what the layer is called on: batch-major [batch, time, features]."""
    new, params = tensors.graph_expr(s, given["inputs"])
    needs.update(params)
    code = s.code(new)
    if static:
        return f"{s.tf}.stack({code}, axis=1)"
    if time_major:
        return f"{s.tf}.transpose({code}, [1, 0, 2])"
    return code


def initial_state(s: Rewrite, given, cells, needs: Optional[set], local_cells: FrozenSet[str] = frozenset(),
                  local_zeros: FrozenSet[str] = frozenset()) -> str:
    """The Keras ``initial_state`` of an RNN call ("": the zero state it starts from anyway); the
    placeholders it reads are added to ``needs`` (None: a model function's, which may read none)."""
    keys = ("initial_state",) if len(cells) == 1 else ("initial_state_fw", "initial_state_bw")
    states = []
    for key, described in zip(keys, cells):
        node = given.get(key)
        if node is None or _zero(s, node, local_cells, local_zeros):
            states.append(None)
            continue
        read: set = set()
        states.append(rnn_cells.keras_state(s, described, node, read))
        if needs is not None:
            needs.update(read)
        elif read:
            raise Unsupported(node, "an initial state computed from placeholders in a model function")
    if all(state is None for state in states):
        return ""
    if None in states:
        raise Unsupported(given.get(keys[0]) or given.get(keys[1]), "an initial state for one direction only")
    if len(states) == 1:
        return states[0]
    return f"[{states[0][1:-1]}, {states[1][1:-1]}]"  # the forward layer's states, then the backward's


def _zero(s: Rewrite, node, cells: FrozenSet[str], zeros: FrozenSet[str]) -> bool:
    """A zero state: the state a Keras RNN starts from when it is given none (``cells``, ``zeros``:
    a model function's local cells and zero states)."""
    if isinstance(node, cst.Name) and (s.b.is_(node.value, B.ZERO_STATE) or node.value in zeros):
        return True
    return is_zero_state(s, node, cells) and float32_zero_state(s, node)


def results(s: Rewrite, fresh, cells, kind: str, time_major: bool) -> Tuple[str, str]:
    """(Keras's results as targets, TF1's results built from them)."""
    tf = s.tf

    def back(code: str) -> str:
        return f"{tf}.transpose({code}, [1, 0, 2])" if time_major else code

    if len(cells) == 1:
        outputs = fresh("outputs")
        state, tf1_state = rnn_cells.state_names(fresh, cells[0], top=True)
        if kind == "static":
            return f"{outputs}, {state}", f"{tf}.unstack({outputs}, axis=1), {tf1_state}"
        return f"{outputs}, {state}", f"{back(outputs)}, {tf1_state}"
    fw, bw = fresh("outputs_fw"), fresh("outputs_bw")
    (fw_state, fw_tf1), (bw_state, bw_tf1) = (rnn_cells.state_names(fresh, c, top=True) for c in cells)
    if fw_state.startswith("*") or bw_state.startswith("*"):
        raise Unsupported(None, "a bidirectional RNN over cells built by a comprehension")
    keras = f"{fw}, {bw}, {fw_state}, {bw_state}"
    if kind == "static_bidirectional":
        return keras, f"{tf}.unstack({tf}.concat([{fw}, {bw}], axis=-1), axis=1), {fw_tf1}, {bw_tf1}"
    return keras, f"({back(fw)}, {back(bw)}), ({fw_tf1}, {bw_tf1})"


def _result(cells, kind: str) -> Result:
    states = tuple(rnn_cells.state_result(c) for c in cells)
    sizes = [c.output_size for c in cells]
    if kind == "dynamic":
        return Result("tuple", items=(Result("tensor", sizes[0]), states[0]))
    if kind == "static":
        return Result("tuple", items=(Result("list", sizes[0]), states[0]))
    if kind == "bidirectional":
        outputs = Result("tuple", items=tuple(Result("tensor", size) for size in sizes))
        return Result("tuple", items=(outputs, Result("tuple", items=states)))
    return Result("tuple", items=(Result("list", f"{sizes[0]} + {sizes[1]}"), *states))


def _at(result: Result, path) -> Result:
    for index in path:
        found = result.item(index) if result is not None else None
        if found is None:
            raise Unsupported(None, "an RNN's results unpacked into more names than it returns")
        result = found
    return result


# --- what the program does with the results ---------------------------------------------

def structure_of(s: Rewrite, node) -> Optional[Result]:
    """What an RNN result ``node`` (a name, or a name indexed by literals) holds, when known."""
    if isinstance(node, cst.Name):
        tensor = s.b.get(node.value, B.TENSOR)
        return tensor.structure if tensor is not None else None
    if isinstance(node, cst.Subscript) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
        index = _integer(node.slice[0].slice.value)
        parent = structure_of(s, node.value)
        return parent.item(index) if parent is not None and index is not None else None
    return None


def _integer(node) -> Optional[int]:
    if isinstance(node, cst.Integer):
        return int(node.value)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus) and isinstance(
            node.expression, cst.Integer):
        return -int(node.expression.value)
    return None


def state_field(s: Rewrite, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
    """``state.c`` / ``state.h`` of an LSTM state (a tuple (c, h) here) -> ``[0]`` / ``[1]``."""
    if original.attr.value not in ("c", "h"):
        return updated
    found = structure_of(s, original.value)
    if found is not None and found.kind == "lstm":
        index = cst.Integer("0" if original.attr.value == "c" else "1")
        return cst.Subscript(updated.value, [cst.SubscriptElement(cst.Index(index))])
    states = {name for name, t in s.b.items(B.TENSOR) if getattr(t, "structure", None) is not None}
    if found is not None or queries.names_in(original.value) & states:
        raise Unsupported(original, f"`{s.code(original)}`: a state of an RNN read in a way this rewrite cannot "
                                    "follow (its LSTM states are tuples (c, h))")
    return updated


# --- the size of what an RNN is fed -------------------------------------------------------

_SAME_SIZE = {"cast", "identity", "stop_gradient", "nn.dropout", "nn.relu", "nn.tanh", "tanh", "sigmoid",
              "nn.sigmoid", "to_float"}


def features(s: Rewrite, node, listed: bool = False) -> Optional[str]:
    """The last dimension of the tensor ``node`` (of each tensor, when ``listed``), as code, when
    the code says it; None otherwise."""
    if isinstance(node, cst.Name):
        return _name_features(s, node.value, listed)
    if listed and isinstance(node, (cst.List, cst.Tuple)) and node.elements:
        return features(s, node.elements[0].value)
    if not isinstance(node, cst.Call):
        return None
    name = s.call_name(node)
    first = node.args[0].value if node.args and node.args[0].keyword is None else None
    if listed:
        if name == "unstack":
            axis = _tf.argument(node, 2, "axis")
            if axis is not None and _integer(axis.value) in (None, -1):
                return None
            value = _tf.argument(node, 0, "value")
            return features(s, value.value) if value is not None else None
        return None
    if name == "reshape":
        shape = _tf.argument(node, 1, "shape")
        return _last(s, shape.value) if shape is not None else None
    if name == "one_hot":
        depth = _tf.argument(node, 1, "depth")
        return s.code(depth.value) if depth is not None else None
    if name == "nn.embedding_lookup":
        params = _tf.argument(node, 0, "params")
        if params is not None and isinstance(params.value, cst.Name) and s.b.is_variable(params.value.value):
            return _variable_features(s, s.b.table[params.value.value].payload)
        return None
    if name == "transpose":
        perm = _tf.argument(node, 1, "perm")
        if perm is not None and isinstance(perm.value, (cst.List, cst.Tuple)) and first is not None:
            last = _integer(perm.value.elements[-1].value) if perm.value.elements else None
            if last == len(perm.value.elements) - 1:
                return features(s, first)
        return None
    if name in _SAME_SIZE and first is not None:
        return features(s, first)
    if name == "layers.dense":
        units = _tf.argument(node, 1, "units")
        return s.code(units.value) if units is not None else None
    return None


def _name_features(s: Rewrite, name: str, listed: bool) -> Optional[str]:
    binding = s.b.table.get(name)
    if binding is None:
        return None
    if binding.kind == B.PLACEHOLDER and not listed:
        shape = binding.payload.shape
        return _last(s, shape) if shape is not None else None
    if binding.kind == B.TENSOR:
        tensor = binding.payload
        structure = tensor.structure
        if structure is not None:
            wanted = "list" if listed else "tensor"
            return structure.size if structure.kind == wanted else None
        return features(s, tensor.source, listed) if tensor.source is not None else None
    return None


def _last(s: Rewrite, shape) -> Optional[str]:
    if isinstance(shape, (cst.List, cst.Tuple)) and shape.elements:
        last = shape.elements[-1].value
        if isinstance(last, cst.Name) and last.value == "None" or _integer(last) == -1:
            return None
        return s.code(last)
    return None


def _variable_features(s: Rewrite, value) -> Optional[str]:
    """The last dimension of a variable, from the shape it was made with."""
    if not isinstance(value, cst.Call):
        return None
    name = s.call_name(value)
    if name == "get_variable":
        shape = _tf.argument(value, 1, "shape")
        return _last(s, shape.value) if shape is not None else None
    if name == "Variable":
        initial = _tf.argument(value, 0, "initial_value")
        made = initial.value if initial is not None else None
        if isinstance(made, cst.Name) and s.b.is_(made.value, B.TENSOR):  # `tf.Variable(init_embeds)`
            made = s.b.get(made.value, B.TENSOR).source
        if isinstance(made, cst.Call):
            shape = _tf.argument(made, 0, "shape")
            return _last(s, shape.value) if shape is not None else None
    return None

