"""What a model function's ``tf.Module`` class is made of (``modules.py`` plans it, ``module_code.py``
writes it): its items (variables, Keras layers, sub-modules, RNN layers) and the plan of the class."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, List, Optional, Set, Tuple

import libcst as cst

from .scopes import Model

if TYPE_CHECKING:
    from .rnn_cells import Cell

VARIABLE, LAYER, MODULE = "variable", "layer", "module"
# An RNN's Keras layer (made at the first call, for the size of its inputs), and a statement
# that goes: a cell or a zero state the RNN's layer takes the place of.
RNN, GONE = "rnn", "gone"
# tf.Module's own attributes: a variable or layer cannot take these names.
RESERVED = {"name", "name_scope", "variables", "trainable_variables", "non_trainable_variables", "submodules",
             "is_built", "with_name_scope"}


@dataclass
class Item:
    """Something a model function makes: a variable, a Keras layer or a sub-module."""

    kind: str
    attr: str
    node: cst.CSTNode  # the statement of a variable, the call of a layer or module
    prefix: str  # inner scope names ("layer1/")
    code: str = ""  # what makes it (the right side of `self.attr = ...`)
    lazy: bool = False  # made at the first call (it needs a value of the call)
    callee: Optional[str] = None  # a sub-module's model function
    keep: List[int] = field(default_factory=list)  # the call's arguments its replacement takes
    shared: bool = False  # a call of a sub-module made by an earlier call
    scope: Optional[str] = None  # a sub-module's scope name
    key: Optional[Tuple[str, Optional[str]]] = None
    lines: List[str] = field(default_factory=list)  # an RNN's statements in __call__ ({layer}: the attribute)
    reads: Set[str] = field(default_factory=set)  # the names making an RNN's layer reads
    prelude: List[str] = field(default_factory=list)  # an RNN's statements computing its inputs, before it is made
    shape: str = ""  # the shape an RNN's layer is built for
    configured: bool = False  # a layer configured by parameters of the call: made at the first call


@dataclass
class Build:
    """How one model function becomes a class."""

    model: Model
    class_name: str
    statements: List[Tuple[cst.BaseStatement, str]] = field(default_factory=list)
    items: List[Item] = field(default_factory=list)
    static: bool = True  # every variable is made in __init__
    locals: Set[str] = field(default_factory=set)
    cells: Dict[str, Cell] = field(default_factory=dict)  # local name -> the TF1 cell it holds
    zero_states: Set[str] = field(default_factory=set)  # local names holding a cell's zero state
    state_fields: Set[int] = field(default_factory=set)  # ids of `state.c` / `state.h` of an LSTM's state
    ran: Set[str] = field(default_factory=set)  # the cells an RNN ran
    summaries: list = field(default_factory=list)  # the summaries each call makes (module_summaries.Made)
