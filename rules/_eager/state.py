"""What the interpreter carries from statement to statement, and the helpers every handler uses."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

import libcst as cst

from tfmigrate.names import fresh_name, function_locals
from tfmigrate.positions import code_for
from tfmigrate.traverse import index_of, unchecked

from .. import _vocab
from . import bindings as B
from . import layout, queries
from .bindings import Bindings
from .plan import Out, Written
from .program import Program


class Unsupported(Exception):
    """The program uses something the eager rewrite does not handle."""

    def __init__(self, node: Optional[cst.CSTNode], reason: str) -> None:
        super().__init__(reason)
        self.node = node
        self.reason = reason
        self.statement: Optional[cst.CSTNode] = None  # the top-level statement being rewritten


@dataclass
class BatchNorms:
    """The batch normalization layers made so far (batch_norm.py)."""

    layers: int = 0
    flags: Set[str] = field(default_factory=set)  # boolean placeholders telling them whether they train
    under_updates: Optional[int] = None  # in `with tf.control_dependencies(update_ops):`, the layers it held


def parser_config(module: cst.Module):
    """``module.config_for_parsing`` (its indentation and line ends), computed once per indexed module."""
    tree = index_of(module)
    return module.config_for_parsing if tree is None else tree.memo(
        "parser_config", module, lambda m: m.config_for_parsing)


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
        self.reinitialised = None  # an initializer run again: what it reset is only seen if nothing restores it
        self.saver_objects: Dict[str, FrozenSet[str]] = {}  # saver -> the objects its checkpoint holds
        self.saver_renamed: Dict[str, str] = {}  # saver -> a key it gives a variable other than its name
        self.saver_keep: Dict[str, str] = {}  # saver -> how many numbered checkpoints it keeps (code)
        self.graph_seed = False  # tf.set_random_seed was called
        self.summaries: list = []  # the summary ops made so far (summaries.Entry)
        self.summary_merges: Dict[str, list] = {}  # merged summary -> the summaries it holds
        self.summary_writers: Dict[str, str] = {}  # function of a merged summary -> the tf.function writing it
        self.summary_values: Dict[str, str] = {}  # name holding a merged summary's run -> its writer
        self.summary_sites: Set[int] = set()  # ids of model calls bound to a name, whose summaries are the program's
        self.optimizer_objects: List[str] = []  # optimizers this rewrite named
        self.layers: List[str] = []  # Keras layers built by this rewrite, in order
        self.variable_names = None  # TF1 names of the layers and variables made (variable_names.Names)
        self.helpers: Dict[str, str] = {}  # cell kind (or "rmsprop") -> the helper written for it
        # where the Estimator rewrite takes the classes it writes (TF1RMSprop); None: before the statement
        self.helpers_out: Optional[List[cst.BaseStatement]] = None
        self.rnn_used: Set[str] = set()  # cells an RNN ran (a second run would share TF1's variables)
        self.notes: List[Tuple[cst.CSTNode, str]] = []
        self.defined: Set[str] = set()  # names already given to a function or graph object
        self.pending: List[Out] = []  # statements to put before the current one
        self.target = "layer"  # the name being defined, for naming hoisted layers
        self.kept_div: Optional[cst.Call] = None  # a tf.div in code kept as written
        self.model_state = None  # the module rewrite's classes and instances (modules.Registry)
        self._taken: Optional[Set[str]] = None  # every name the module uses, read when first needed
        self.tensor_of: Dict[str, str] = {}  # function -> the TF1 name whose value it computes
        self.draws: Dict[str, Counter] = {}  # tensor -> how many times computing it draws each random tensor
        self.noise: Dict[str, FrozenSet[str]] = {}  # tensor -> the dropout it reads (noise.py)
        # counted in `draws` as a random tensor, computed once a run (run_once.py): name -> why
        self.run_once: Dict[str, str] = {}
        self.control_deps: List[str] = []  # in `with tf.control_dependencies([...]):`, the ops each tensor runs first
        self.deps_applied: Set[str] = set()  # the tensors made there that run them
        self.previous_of: Dict[str, str] = {}  # function -> the function that name stood for before
        self._moved: List[Tuple[str, cst.CSTNode, cst.CSTNode]] = []  # multi-line expressions to place
        self.input_pipeline = None  # what pipelines.py keeps while it reads (its Pipes)
        self.test_self: Optional[str] = None  # in a tf.test.TestCase method: its instance's name
        self.run_scope: Optional[cst.CSTNode] = None  # the code whose runs are this program's (a test method)
        self.test_opened = False  # that method opened a test session
        self.kept_tests: Set[int] = set()  # calls and names in test code kept as written (it runs eagerly)
        self.switches_off: Optional[bool] = None  # the file switches eager execution off (testcases.py)
        self.class_reasons: Dict[str, str] = {}  # class name -> why model_class does not rewrite it
        self.session_classes: Dict[str, Tuple[int, str]] = {}  # model class -> its dropped session parameter
        self.replaced: Dict[int, List[cst.BaseStatement]] = {}  # statements already rewritten (with a model class)
        self.metric_updates: Set[str] = set()  # tf.metrics update ops (each read updates the metric)
        self.metrics_updated = False  # a run read one
        self.local_initializers: Set[str] = set()  # names bound to tf.local_variables_initializer()
        self.trained_by: Set[str] = set()  # optimizers (names) that made a train op
        self.following: List[Tuple[Sequence[cst.BaseStatement], int]] = []  # enclosing blocks: statements after
        self.function_reads: Dict[str, Set[str]] = {}  # function (the rewrite's, the program's) -> names it reads
        self.read_names: Set[str] = set()  # every name some of them read
        self.user_functions: Set[str] = set()  # the program's own functions in function_reads
        self.passed_tensors: Set[int] = set()  # ids of tensors passed to a function that runs them (passed.py)
        self.passed_index: Dict[str, object] = {}  # passed.py's answers about the whole module, computed once
        self.model_calls: Dict[int, str] = {}  # id of a model function's call -> the instance it calls (instances)
        self.imported: Optional[Set[str]] = None  # names the module's imports bind (read once)
        self.function_stack: List[str] = []  # the functions of the program being read, innermost last
        self.previous_step = None  # the plan of the statement before the one being read, in its block
        self.absorbed = False  # that statement went into the one being read (graph_loops)
        self.scopes: List[Tuple[int, Set[str]]] = []  # the functions being read: (their id, their locals)
        self.function_scope: Dict[str, Tuple[int, Set[str]]] = {}  # function in function_reads -> where it was
        self.function_inits: Dict[str, cst.CSTNode] = {}  # function -> its first initializer run
        self.loop_inits: List[Optional[cst.CSTNode]] = []  # the loops being read: each one's first initializer run
        self.variable_changes = 0  # runs read so far that change variables
        self.lookups: Optional[bool] = None  # the program looks rows up (training.looks_up)
        self.joined: Set[str] = set()  # functions the branches of an `if` name alike (rebinding.join)
        self.fed_rates: Dict[str, Tuple[str, Tuple[str, ...]]] = {}  # optimizer -> its fed learning rate, placeholders
        self.placeholder_builders: Dict[str, object] = {}  # functions that make placeholders (placeholder_builders)
        self.train_builders: Dict[str, object] = {}  # functions that build a train op (train_builders)
        self.batch_norm = BatchNorms()  # batch normalization layers and what trains them (batch_norm.py)
        self.deferred: list = []  # model classes whose rewrite waits for the rest of the file (model_class.py)

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

    def function_name(self, name: str, params: Sequence[str] = (), value: Optional[cst.CSTNode] = None) -> str:
        """A tensor's function is named after it, unless an earlier definition (``functions.finish`` may give
        it back: ``L1 = f(L1)`` becomes one function ``L1``) or a placeholder took it (``_after_placeholder``)."""
        before = self.b.get(name, B.TENSOR)
        func = _after_placeholder(self, name, params, value) if name in self.b.specs else None
        if func is None:
            func = self.fresh(name) if name in self.defined or name in self.b.specs else name
        self.defined.add(func)
        self.tensor_of[func] = name
        if before is not None:
            self.previous_of[func] = before.func
        return func

    def reads(self, func: str, names: Set[str]) -> None:
        """A function (the rewrite's, or the program's own) reads ``names`` when called, from the function
        being read where they are its locals."""
        self.function_reads[func] = names
        self.read_names |= names
        if self.scopes:
            self.function_scope[func] = self.scopes[-1]
        else:
            self.function_scope.pop(func, None)

    def scope_of(self, name: str, func: Optional[str] = None) -> Optional[int]:
        """Where ``name`` is found from ``func`` (or from the code being read): the id of the function whose
        local it is, or None for the module's."""
        scope = self.function_scope.get(func) if func is not None else (self.scopes[-1] if self.scopes else None)
        return scope[0] if scope is not None and name in scope[1] else None

    def readers(self, name: str) -> Set[str]:
        """The TF1 names (and function names) whose functions of the rewrite read ``name`` (the one the code
        being read sees: a local of another function is another name), directly or through another function
        (of the rewrite's, or of the program's own: ``layer`` reading ``ACT``)."""
        here = self.scope_of(name)
        found = {f for f, reads in self.function_reads.items() if name in reads and self.scope_of(name, f) == here}
        while True:
            more = {f for f, reads in self.function_reads.items() if reads & found} - found
            if not more:
                found -= self.user_functions  # called at run time in TF1 too: they read the name then as well
                return found | {self.tensor_of.get(f, f) for f in found}
            found |= more

    def local_names(self, avoid: Iterable[str], *bases: str) -> List[str]:
        """Names for the locals of a function the rewrite writes: each base, unless the code of
        the function uses it (``avoid``: the names in its expressions, its parameters)."""
        taken = set(avoid) | {self.tf}
        return [fresh_name(taken, base) for base in bases]

    # --- code ----------------------------------------------------------
    def expr(self, code: str) -> cst.BaseExpression:
        return unchecked(cst.parse_expression, code, config=parser_config(self.module))

    def stmt(self, code: str) -> cst.BaseStatement:
        return unchecked(cst.parse_statement, code, config=parser_config(self.module))

    def code(self, node: cst.CSTNode) -> str:
        return code_for(self.module, node)

    @property
    def indent(self) -> str:
        return self.module.default_indent

    def template(self, code: str) -> cst.BaseStatement:
        """A statement of the rewrite's own written from a template (``\\n`` line ends, four-space
        indents), in the file's indentation and line ends: a docstring's inner line ends too."""
        return self.stmt(code.replace("    ", self.indent).replace("\n", self.module.default_newline))

    def helper(self, kind: str, base: str, template: str) -> str:
        """The name of the helper of ``kind`` (a function or class of the rewrite's own, ``template`` with its
        ``{name}`` and ``{tf}``), written once: before the statement that first uses it, or where the Estimator
        rewrite places its ``helpers_out``."""
        if kind not in self.helpers:
            name = self.helpers[kind] = self.fresh(base)
            statement = self.template(template.format(name=name, tf=self.tf))
            if self.helpers_out is None:
                self.pending.append(Out(statement, generated=True))
            else:
                self.helpers_out.append(statement)
        return self.helpers[kind]

    def function(self, lines: Sequence[str], line) -> Out:
        """A function of the rewrite's own, from its lines; the comment at the end of the
        statement it replaces (``line``) goes on its last line.

        The one place where what handlers write becomes data for the passes after them:
        a first line ``@tf.function`` or ``@tf.function(input_signature=[...])`` is taken
        off and recorded (:class:`Written`); ``functions.finish`` puts it back on the entry
        points only. A multi-line expression that ``moved`` registered keeps its shape: its
        continuation lines move as far as its first line did."""
        func = _commented(self.stmt(self._placed("\n".join(lines), line) + "\n"), line)
        if not isinstance(func, cst.FunctionDef):
            return Out(func, generated=True)
        name = func.name.value
        self.reads(name, queries.names_in(func.body) - function_locals(func))
        written = Written(name, tuple(p.name.value for p in func.params.params),
                          tensor=self.tensor_of.get(name), previous=self.previous_of.get(name))
        if func.decorators:
            written.compiled, written.signature = self._tf_function(func.decorators[0].decorator)
            if written.compiled:
                func = func.with_changes(decorators=func.decorators[1:])
        return Out(func, generated=True, function=written)

    def _tf_function(self, decorator) -> Tuple[bool, Optional[Tuple[str, ...]]]:
        """Is ``decorator`` ``tf.function`` (alone, or with only an input signature), and its specs."""
        if queries.dotted(decorator) == f"{self.tf}.function":
            return True, None
        if not (isinstance(decorator, cst.Call) and queries.dotted(decorator.func) == f"{self.tf}.function"):
            return False, None
        args = decorator.args
        if len(args) != 1 or args[0].keyword is None or args[0].keyword.value != "input_signature" or not (
                isinstance(args[0].value, cst.List)):
            return False, None
        return True, tuple(self.code(e.value) for e in args[0].value.elements)

    def moved(self, new: cst.CSTNode, original: cst.CSTNode) -> None:
        """``new``, the rewrite of ``original``, may be written into a function of the rewrite's
        own: if it spans lines, its continuation lines are to keep their place relative to its
        first line (``function`` moves them)."""
        text = self.code(new)
        if "\n" in text:
            self._moved.append((text, new, original))

    def _placed(self, text: str, line) -> str:
        moved, self._moved = self._moved, []
        if not moved or not isinstance(line, cst.SimpleStatementLine):
            return text
        source = self.code(line.with_changes(leading_lines=()))
        for new_text, new, original in moved:
            at, was = text.find(new_text), source.find(self.code(original))
            if was < 0 and type(original) is cst.Subscript and type(new) is cst.Subscript:
                new, original = new.value, original.value  # `f(...)[0]`: an item picked from a call as written
                new_text = self.code(new)
                at, was = text.find(new_text), source.find(self.code(original))
            if at < 0 or was < 0:
                continue
            if layout.hanging(new_text):
                delta = layout.indentation(text, at) - layout.indentation(source, was)
            else:
                delta = layout.column(text, at) - layout.column(source, was)
            if delta:
                text = text[:at] + self.code(layout.shift(new, delta)) + text[at + len(new_text):]
        return text

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
        """Does ``value`` run the graph (``sess.run``, ``t.eval()``, a saver call, a variable's ``.numpy()``)?"""
        b = self.b

        def test(call: cst.Call) -> bool:
            if self.call_name(call) == "train.global_step":
                return True  # tf.train.global_step(sess, step): a run of the step
            receiver = queries.receiver_name(call)
            if receiver is None:
                return False
            if b.is_(receiver, B.SAVER):
                return True
            if receiver == self.test_self and call.func.attr.value == "evaluate":
                return True  # self.evaluate(t) in a test method
            if call.func.attr.value == "numpy":  # `w.numpy()`: a variable's value read now (this rewrite's run)
                return b.is_(receiver, B.VARIABLE)
            return call.func.attr.value in _vocab.RUNS and b.is_(
                receiver, *B.GRAPH_KINDS, B.VARIABLE, B.CONTAINER)

        return queries.holds(value, cst.Call, test)

    def need_module_level(self, node, name, in_loop, what) -> None:
        if name is None:
            raise Unsupported(node, f"a {what} stored in something other than a name")
        if in_loop:
            raise Unsupported(node, f"a {what} is made inside a loop (this rewrite makes each tensor, variable and "
                                    "layer once, where the program makes it)")

    def drop_binding(self, node, name: Optional[str], kind: str, what: str) -> None:
        """``sess = tf.Session()`` and the like: remembered, and the statement removed."""
        if name is None:
            raise Unsupported(node, f"{what} stored in something other than a name")
        self.b.rebind(name)
        self.b.bind(name, kind)
        return None


def _commented(written: cst.BaseStatement, line) -> cst.BaseStatement:
    """``written`` with the comment at the end of the statement it replaces (``line``) on its last line."""
    if not isinstance(line, cst.SimpleStatementLine) or line.trailing_whitespace.comment is None:
        return written
    if isinstance(written, cst.SimpleStatementLine):
        return written.with_changes(trailing_whitespace=line.trailing_whitespace)
    last = written.body.body[-1]
    if not isinstance(last, cst.SimpleStatementLine):
        return written
    last = last.with_changes(trailing_whitespace=line.trailing_whitespace)
    return written.with_changes(body=written.body.with_changes(body=[*written.body.body[:-1], last]))


def _after_placeholder(s: Rewrite, name: str, params: Sequence[str], value) -> Optional[str]:
    """A placeholder's (an element's) name is a parameter: the function of a tensor bound to it is named so
    only when no function takes that placeholder (``lr = tf.placeholder(...)`` never fed, then
    ``lr = 0.0001 + decay``: the code after it sees the new binding only); one computed from the placeholder
    is named after what it does (``features = tf.reshape(features, ...)``: ``features_reshape``); else None."""
    spec = s.b.specs[name]
    if name not in s.defined and spec.source is None and not any(
            name in placeholders for _, placeholders in s.fed_rates.values()) and not any(
            name in (getattr(binding.payload, "params", None) or ()) for binding in s.b.table.values()):
        return name
    if name in params and isinstance(value, cst.Call) and s.call_name(value):
        op = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", s.call_name(value).rsplit(".", 1)[-1]).lower()
        return s.fresh(f"{name}_{op}")  # as functions._natural_names names the others
    return None
