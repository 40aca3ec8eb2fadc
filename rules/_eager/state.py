"""What the interpreter carries from statement to statement, and the helpers every handler uses."""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst

from tfmigrate.names import fresh_name
from tfmigrate.positions import code_for

from .. import _vocab
from . import bindings as B
from . import queries
from .bindings import Bindings
from .plan import Out
from .program import Program


class Unsupported(Exception):
    """The program uses something the eager rewrite does not handle."""

    def __init__(self, node: Optional[cst.CSTNode], reason: str) -> None:
        super().__init__(reason)
        self.node = node
        self.reason = reason
        self.statement: Optional[cst.CSTNode] = None  # the top-level statement being rewritten


class Rewrite:
    """The interpreter's state: the binding table, and what the program built so far."""

    def __init__(self, program: Program) -> None:
        self.p = program
        self.module = program.module
        if program.tf is None:
            raise Unsupported(None, "TensorFlow is imported by name (from tensorflow import ...), not as a module")
        self.tf: str = program.tf
        self.b = Bindings()
        self.open_sessions: Set[str] = set()  # sessions created and not closed (or whose `with` has not ended)
        self.runs_changed_variables = False  # a run so far may have changed a variable
        self.graph_seed = False  # tf.set_random_seed was called
        self.summaries: List[Tuple[str, str, cst.BaseExpression, Tuple[str, ...]]] = []  # kind, label, value, params
        self.summary_writers: List[str] = []  # the tf.functions that write merged summaries
        self.optimizer_objects: List[str] = []  # optimizers this rewrite named
        self.layers: List[str] = []  # Keras layers built by this rewrite, in order
        self.rnn_helpers: Dict[str, str] = {}  # cell kind -> the helper written to build its Keras cells
        self.rnn_used: Set[str] = set()  # cells an RNN ran (a second run would share TF1's variables)
        self.notes: List[Tuple[cst.CSTNode, str]] = []
        self.defined: Set[str] = set()  # names already given to a function or graph object
        self.pending: List[Out] = []  # statements to put before the current one
        self.target = "layer"  # the name being defined, for naming hoisted layers
        self.kept_div: Optional[cst.Call] = None  # a tf.div in code kept as written
        self._taken: Optional[Set[str]] = None  # every name the module uses, read when first needed

    # --- names ---------------------------------------------------------
    def tf_name(self, node: cst.CSTNode) -> Optional[str]:
        return self.p.tf_name(node)

    def call_name(self, node: cst.CSTNode) -> Optional[str]:
        return self.p.call_name(node)

    @property
    def taken(self) -> Set[str]:
        if self._taken is None:
            self._taken = self.p.source_names()
        return self._taken

    def fresh(self, base: str) -> str:
        return fresh_name(self.taken, base)

    def function_name(self, name: str) -> str:
        """A tensor's function is named after it, unless an earlier definition took the name."""
        if name in self.defined:
            return self.fresh(name)
        self.defined.add(name)
        return name

    # --- code ----------------------------------------------------------
    def expr(self, code: str) -> cst.BaseExpression:
        return cst.parse_expression(code, config=self.module.config_for_parsing)

    def stmt(self, code: str) -> cst.BaseStatement:
        return cst.parse_statement(code, config=self.module.config_for_parsing)

    def code(self, node: cst.CSTNode) -> str:
        return code_for(self.module, node)

    @property
    def indent(self) -> str:
        return self.module.default_indent

    def function(self, lines: Sequence[str], line) -> Out:
        """A function of the rewrite's own, from its lines; the comment at the end of the
        statement it replaces (``line``) goes on its last line."""
        func = self.stmt("\n".join(lines) + "\n")
        comment = line.trailing_whitespace.comment if isinstance(line, cst.SimpleStatementLine) else None
        if comment is not None:
            last = func.body.body[-1]
            if isinstance(last, cst.SimpleStatementLine):
                last = last.with_changes(trailing_whitespace=line.trailing_whitespace)
                func = func.with_changes(body=func.body.with_changes(body=[*func.body.body[:-1], last]))
        return Out(func, generated=True)

    def keep(self, node: cst.CSTNode) -> None:
        """``node`` stays as written: a ``tf.div`` in it keeps TF1's division (checked at the end)."""
        if self.kept_div is None:
            found = queries.calls_of(node, self.call_name, {"div"}, first=True)
            if found:
                self.kept_div = found[0]

    def note(self, node: cst.CSTNode, text: str) -> None:
        self.notes.append((node, text))

    # --- what names mean -----------------------------------------------
    def mentions_graph(self, node, modules: bool = True) -> bool:
        """Does ``node`` use a graph object of this program (or, with ``modules``, TensorFlow)?"""
        watched = self.b.names(
            *B.GRAPH_KINDS, B.VARIABLE, B.CONTAINER, B.EAGER, B.SAVER, B.WRITER, B.GRAPH)
        if modules:
            watched |= self.p.tf_locals
        return queries.mentions(node, watched)

    def has_fetch(self, value: cst.BaseExpression) -> bool:
        """Does ``value`` run the graph (``sess.run``, ``t.eval()``, a saver call)?"""
        b = self.b

        def test(call: cst.Call) -> bool:
            receiver = queries.receiver_name(call)
            if receiver is None:
                return False
            if b.is_(receiver, B.SAVER):
                return True
            return call.func.attr.value in _vocab.RUNS and b.is_(
                receiver, *B.GRAPH_KINDS, B.VARIABLE, B.CONTAINER)

        return queries.holds(value, cst.Call, test)

    def need_module_level(self, node, name, in_loop, what) -> None:
        if name is None:
            raise Unsupported(node, f"a {what} stored in something other than a name")
        if in_loop:
            raise Unsupported(node, f"a {what} is created inside a loop (the graph grows at every step)")

    def drop_binding(self, node, name: Optional[str], kind: str, what: str) -> None:
        """``sess = tf.Session()`` and the like: remembered, and the statement removed."""
        if name is None:
            raise Unsupported(node, f"{what} stored in something other than a name")
        self.b.rebind(name)
        self.b.bind(name, kind)
        return None
