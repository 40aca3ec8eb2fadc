"""What each name of the program is bound to now, as the rewrite reads it in order.

One table, name -> :class:`Binding`: a placeholder, a graph tensor (now a
function), a train op, a variable, a session, ... A name is bound to one thing
at a time; binding it again (``rebind``) forgets what it was. Inside a function,
its parameters and locals hide the program's names (``masked``).
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Set, Tuple

import libcst as cst

# The kinds of binding.
PLACEHOLDER = "placeholder"  # payload: Placeholder
TENSOR = "tensor"  # a graph tensor, now a function; payload: Tensor
TRAIN_OP = "train op"  # payload: TrainOp
VARIABLE = "variable"
CONTAINER = "container"  # a dict, list or tuple of variables (a variable too)
INIT = "initializer"
SESSION = "session"
OPTIMIZER = "optimizer"  # payload: the vocabulary's Optimizer
FEED = "feed dict"  # payload: the cst.Dict literal
EAGER = "eager value"  # a tensor that depends on no graph input: computed once
NEST = "nest"  # an eager value's payload where it is tensors in a structure (structures.py)
SAVER = "saver"  # now a tf.train.Checkpoint
WRITER = "summary writer"  # now a TF2 file writer
GRAPH = "graph"
# Input pipelines (pipelines.py): a tf.data dataset (payload: what its elements are, datasets.shape_of),
# an iterator over one (payload: Iterator), an iterator's initializer run by a session (payload: the
# iterator's name and the dataset it starts), a string handle of an iterator (payload: the iterator's name).
DATASET = "dataset"
ITERATOR = "iterator"
ITERATOR_INIT = "iterator initializer"
HANDLE = "iterator handle"
PIPELINE_KINDS = frozenset({ITERATOR, ITERATOR_INIT, HANDLE})
CELL = "rnn cell"  # a TF1 RNN cell, built as a Keras cell where an RNN runs it; payload: rnn_cells.Cell
ZERO_STATE = "zero state"  # cell.zero_state(...): the state a Keras RNN starts from by itself
UPDATE_OPS = "update ops"  # tf.get_collection(tf.GraphKeys.UPDATE_OPS) (batch_norm.py)
CELL_FACTORY = "rnn cell factory"  # `def lstm_cell(): return BasicLSTMCell(n)`; payload: the cell expression

GRAPH_KINDS = frozenset({PLACEHOLDER, TENSOR, TRAIN_OP, INIT, SESSION, CELL, ZERO_STATE, CELL_FACTORY})
VARIABLE_KINDS = frozenset({VARIABLE, CONTAINER})


@dataclass
class Placeholder:
    name: str
    dtype: cst.BaseExpression
    shape: Optional[cst.BaseExpression]
    default: Optional[cst.BaseExpression] = None  # placeholder_with_default
    source: Optional[str] = None  # an element of this iterator (``get_next()``): each run that needs it pulls one
    spec: Optional[str] = None  # its TensorSpec as code, when it is not made of dtype and shape (an element's)


@dataclass
class Tensor:
    """A graph tensor turned into a function of the placeholders it needs."""

    name: str
    params: Tuple[str, ...]
    kind: str = "tensor"  # tensor: .numpy() gives its value; list / pairs / summary / op (no value)
    func: str = ""  # the function's name: the tensor's, or a new one when the name is reused
    update: Optional[Tuple[str, str, cst.BaseExpression]] = None  # (variable, method, value): one assign
    source: Optional[cst.BaseExpression] = None  # the TF1 expression it computes
    structure: object = None  # what an RNN returned here (rnn_cells.Result): tensors, lists, LSTM states


@dataclass
class TrainOp:
    name: str  # its train step function
    params: Tuple[str, ...]
    loss: Optional[str]  # the tensor it minimizes, when that is a named tensor


@dataclass
class Binding:
    kind: Optional[str] = None
    payload: object = None
    dtype: Optional[str] = None  # the evident dtype of its value, as code (for tf.div)


class Bindings:
    """The binding table, and every placeholder the program defined (its parameters)."""

    def __init__(self) -> None:
        self.table: Dict[str, Binding] = {}
        self.specs: Dict[str, Placeholder] = {}  # every placeholder, by parameter name
        self.order: List[str] = []  # placeholders in definition order

    def kind(self, name: str) -> Optional[str]:
        binding = self.table.get(name)
        return binding.kind if binding is not None else None

    def is_(self, name, *kinds: str) -> bool:
        binding = self.table.get(name) if isinstance(name, str) else None
        return binding is not None and binding.kind in kinds

    def get(self, name: str, kind: str):
        """The payload of ``name`` if it is bound to a ``kind``, else None."""
        binding = self.table.get(name)
        return binding.payload if binding is not None and binding.kind == kind else None

    def names(self, *kinds: str) -> Set[str]:
        return {name for name, b in self.table.items() if b.kind in kinds}

    def items(self, kind: str) -> Iterator[Tuple[str, object]]:
        return ((name, b.payload) for name, b in self.table.items() if b.kind == kind)

    def bind(self, name: str, kind: str, payload: object = None) -> None:
        """``name`` is now a ``kind``: whatever it was before is forgotten (its dtype is kept)."""
        binding = self.table.get(name)
        if binding is None:
            self.table[name] = Binding(kind, payload)
        else:
            binding.kind, binding.payload = kind, payload

    def rebind(self, name: Optional[str]) -> None:
        """``name`` now means something new: forget what it meant in the graph."""
        binding = self.table.get(name) if name is not None else None
        if binding is None:
            return
        if binding.dtype is None:
            del self.table[name]
        else:
            binding.kind, binding.payload = None, None

    def graph_names(self) -> Set[str]:
        return self.names(*GRAPH_KINDS)

    def is_variable(self, name) -> bool:
        return self.is_(name, VARIABLE, CONTAINER)

    # --- dtypes --------------------------------------------------------
    def dtype(self, name: str) -> Optional[str]:
        binding = self.table.get(name)
        return binding.dtype if binding is not None else None

    def set_dtype(self, name: str, dtype: str) -> None:
        self.table.setdefault(name, Binding()).dtype = dtype

    def forget_dtype(self, name: str) -> None:
        binding = self.table.get(name)
        if binding is None:
            return
        if binding.kind is None:
            del self.table[name]
        else:
            binding.dtype = None

    # --- placeholders --------------------------------------------------
    def define(self, spec: Placeholder) -> None:
        self.rebind(spec.name)
        self.bind(spec.name, PLACEHOLDER, spec)
        self.specs[spec.name] = spec
        if spec.name in self.order:  # a test method's own `x`, after another method's
            self.order.remove(spec.name)
        self.order.append(spec.name)

    @contextlib.contextmanager
    def masked(self, names: Set[str]):
        """Inside a function, its parameters and locals hide the program's names."""
        saved = {name: self.table.pop(name) for name in list(self.table) if name in names}
        try:
            yield
        finally:
            for name, binding in saved.items():
                self.table.setdefault(name, binding)
