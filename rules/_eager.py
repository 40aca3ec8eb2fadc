"""Graph to eager: rewrite a TensorFlow 1 graph program into idiomatic TF2.

The program is read statement by statement, in order, as TF1 builds its
graph:

- a placeholder becomes a parameter of the functions that use it, with its
  dtype and shape kept in their ``tf.TensorSpec`` input signature;
- a tensor computed from placeholders, variables or other tensors becomes a
  function computing it (a variable may change between two runs);
- ``opt.minimize(loss)`` becomes a ``tf.function`` train step with
  ``tf.GradientTape`` and ``apply_gradients``, returning the loss;
- sessions and variable initializers disappear: the body runs eagerly;
- ``sess.run(fetches, feed_dict=...)`` calls the functions with the fed
  values and takes ``.numpy()`` of what they return.

Anything outside what this reading understands raises ``Unsupported`` with
the reason; the caller then keeps the program on ``tensorflow.compat.v1``.
"""
from __future__ import annotations

import contextlib
import io
import tokenize
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Set, Tuple

import libcst as cst

from tfmigrate.names import fresh_name, function_locals
from tfmigrate.traverse import StopWalk, Transformer, Visitor, walk
from tfmigrate.positions import code_for

from . import _tf

PLACEHOLDERS = {"placeholder", "placeholder_with_default"}
SESSIONS = {"Session", "InteractiveSession"}
INITIALIZERS = {
    "global_variables_initializer",
    "initialize_all_variables",
    "variables_initializer",
    "local_variables_initializer",
    "initialize_local_variables",
}
VARIABLES = {"Variable"}
# Calls that only switch TF1 behaviour on or off: nothing to do in TF2.
NOOPS = {"disable_v2_behavior", "disable_eager_execution", "reset_default_graph", "enable_resource_variables"}


@dataclass(frozen=True)
class Optimizer:
    """A tf.train optimizer and the Keras optimizer that computes the same."""

    keras: str
    params: Tuple[str, ...]  # TF1 parameters in positional order
    renames: Dict[str, str] = field(default_factory=dict)
    defaults: Dict[str, str] = field(default_factory=dict)  # TF1 defaults Keras does not share
    dropped: Tuple[str, ...] = ("use_locking",)
    note: str = ""


OPTIMIZERS: Dict[str, Optimizer] = {
    "train.GradientDescentOptimizer": Optimizer("SGD", ("learning_rate", "use_locking", "name")),
    "train.MomentumOptimizer": Optimizer(
        "SGD", ("learning_rate", "momentum", "use_locking", "name", "use_nesterov"), {"use_nesterov": "nesterov"}
    ),
    "train.AdamOptimizer": Optimizer(
        "Adam",
        ("learning_rate", "beta1", "beta2", "epsilon", "use_locking", "name"),
        {"beta1": "beta_1", "beta2": "beta_2"},
        {"epsilon": "1e-08"},
    ),
    "train.AdagradOptimizer": Optimizer(
        "Adagrad",
        ("learning_rate", "initial_accumulator_value", "use_locking", "name"),
        defaults={"epsilon": "0.0"},
    ),
    "train.AdadeltaOptimizer": Optimizer(
        "Adadelta", ("learning_rate", "rho", "epsilon", "use_locking", "name"), defaults={"epsilon": "1e-08"}
    ),
    "train.RMSPropOptimizer": Optimizer(
        "RMSprop",
        ("learning_rate", "decay", "momentum", "epsilon", "use_locking", "centered", "name"),
        {"decay": "rho"},
        {"epsilon": "1e-10"},
        note="TF1 RMSProp starts its mean square at ones, Keras at zeros: the numbers differ in early steps",
    ),
    "train.FtrlOptimizer": Optimizer(
        "Ftrl",
        (
            "learning_rate",
            "learning_rate_power",
            "initial_accumulator_value",
            "l1_regularization_strength",
            "l2_regularization_strength",
            "use_locking",
            "name",
            "accum_name",
            "linear_name",
            "l2_shrinkage_regularization_strength",
            "beta",
        ),
        dropped=("use_locking", "accum_name", "linear_name"),
    ),
}


@dataclass(frozen=True)
class Layer:
    """A tf.layers function and the Keras layer class that does the same."""

    keras: str
    params: Tuple[str, ...]  # positional parameters after `inputs`
    call_keywords: Tuple[str, ...] = ()  # passed when the layer is called, not built
    dropped: Tuple[str, ...] = ("reuse",)


LAYERS: Dict[str, Layer] = {
    "layers.dense": Layer("Dense", ("units", "activation", "use_bias", "kernel_initializer", "bias_initializer")),
    "layers.conv1d": Layer("Conv1D", ("filters", "kernel_size", "strides", "padding")),
    "layers.conv2d": Layer("Conv2D", ("filters", "kernel_size", "strides", "padding")),
    "layers.max_pooling1d": Layer("MaxPooling1D", ("pool_size", "strides", "padding")),
    "layers.max_pooling2d": Layer("MaxPooling2D", ("pool_size", "strides", "padding")),
    "layers.average_pooling2d": Layer("AveragePooling2D", ("pool_size", "strides", "padding")),
    "layers.flatten": Layer("Flatten", ()),
    "layers.dropout": Layer("Dropout", ("rate", "noise_shape", "seed"), ("training",)),
}

# Initializers whose TF2 spelling is a Keras initializer class.
INITIALIZERS_V2 = {
    "contrib.layers.xavier_initializer": "keras.initializers.GlorotUniform",
    "glorot_uniform_initializer": "keras.initializers.GlorotUniform",
    "glorot_normal_initializer": "keras.initializers.GlorotNormal",
    "truncated_normal_initializer": "keras.initializers.TruncatedNormal",
    "random_normal_initializer": "keras.initializers.RandomNormal",
    "random_uniform_initializer": "keras.initializers.RandomUniform",
}


# tf.train learning-rate decays: (Keras schedule, TF1 parameters in order, the step parameter).
DECAYS: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    "train.exponential_decay": ("ExponentialDecay", (
        "initial_learning_rate", "global_step", "decay_steps", "decay_rate", "staircase", "name")),
    "train.inverse_time_decay": ("InverseTimeDecay", (
        "initial_learning_rate", "global_step", "decay_steps", "decay_rate", "staircase", "name")),
    "train.polynomial_decay": ("PolynomialDecay", (
        "initial_learning_rate", "global_step", "decay_steps", "end_learning_rate", "power", "cycle", "name")),
    "train.cosine_decay": ("CosineDecay", (
        "initial_learning_rate", "global_step", "decay_steps", "alpha", "name")),
    "train.piecewise_constant": ("PiecewiseConstantDecay", ("global_step", "boundaries", "values", "name")),
}
_DECAY_KEYWORDS = {"learning_rate": "initial_learning_rate", "x": "global_step"}


# TF1 names the rewrite replaces with TF2 code of its own.
HANDLED = (PLACEHOLDERS | SESSIONS | INITIALIZERS | {
    "get_variable", "assign", "assign_add", "assign_sub", "train.Saver", "gradients", "summary.merge_all",
    "summary.FileWriter", "Graph", "reset_default_graph", "disable_v2_behavior", "disable_eager_execution",
    "to_float", "to_double", "to_int32", "to_int64", "contrib.layers.xavier_initializer",
    "glorot_uniform_initializer", "glorot_normal_initializer", "truncated_normal_initializer",
    "random_normal_initializer", "random_uniform_initializer", "enable_resource_variables", "div",
    "contrib.layers.flatten", "train.checkpoint_exists",
})
RANDOM_OPS = {
    "random_normal", "random_uniform", "truncated_normal", "random_shuffle", "multinomial", "random_gamma",
    "random.normal", "random.uniform", "random.truncated_normal", "random.shuffle", "random.categorical",
    "random.gamma", "random.poisson",
}
SEED_SETTERS = {"set_random_seed", "random.set_random_seed", "random.set_seed", "compat.v1.set_random_seed"}
SUMMARIES = {"summary.scalar", "summary.histogram", "summary.image", "summary.text", "summary.audio"}


INITIALIZER_PARAMS = {
    "truncated_normal_initializer": ("mean", "stddev", "seed"),
    "random_normal_initializer": ("mean", "stddev", "seed"),
    "random_uniform_initializer": ("minval", "maxval", "seed"),
}
INITIALIZER_DEFAULTS = {
    "truncated_normal_initializer": {"stddev": "1.0"},
    "random_normal_initializer": {"stddev": "1.0"},
    "random_uniform_initializer": {"minval": "0.0", "maxval": "1.0"},
}


class Unsupported(Exception):
    """The program uses something the eager rewrite does not handle."""

    def __init__(self, node: Optional[cst.CSTNode], reason: str) -> None:
        super().__init__(reason)
        self.node = node
        self.reason = reason
        self.statement: Optional[cst.CSTNode] = None  # the top-level statement being rewritten


@dataclass
class Placeholder:
    name: str
    dtype: cst.BaseExpression
    shape: Optional[cst.BaseExpression]
    default: Optional[cst.BaseExpression] = None  # placeholder_with_default


def _literal_dtype(node, converter) -> Optional[str]:
    """The dtype TF infers for a literal default value, as code."""
    tf = converter.tf
    if isinstance(node, cst.UnaryOperation):
        node = node.expression
    if isinstance(node, cst.Float):
        return f"{tf}.float32"
    if isinstance(node, cst.Integer):
        return f"{tf}.int32"
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return f"{tf}.bool"
    if isinstance(node, cst.Call) and converter.call_name(node) in ("constant", "cast"):
        dtype = _tf.argument(node, 1, "dtype")
        if dtype is not None:
            return converter.code(dtype.value)
        value = _tf.argument(node, 0, "value")
        if converter.call_name(node) == "constant" and value is not None:
            return _literal_dtype(value.value, converter)
    if isinstance(node, cst.Call):
        # np.array(..., dtype=np.float32) and the like
        dtype = _tf.argument(node, None, "dtype")
        if dtype is not None and isinstance(dtype.value, cst.Attribute):
            kind = dtype.value.attr.value
            if kind in ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool_"):
                return f"{tf}.{kind.rstrip('_')}"
    if isinstance(node, (cst.List, cst.Tuple)) and node.elements:
        kinds = {_literal_dtype(e.value, converter) for e in node.elements}
        if len(kinds) == 1:
            return kinds.pop()
        if kinds == {f"{tf}.float32", f"{tf}.int32"}:
            return f"{tf}.float32"
    return None


@dataclass
class Tensor:
    """A graph tensor turned into a function of the placeholders it needs."""

    name: str
    params: Tuple[str, ...]
    kind: str = "tensor"  # tensor: .numpy() gives its value; list: a list of tensors; op: no value
    func: str = ""  # the function's name: the tensor's, or a new one when the name is reused


@dataclass
class TrainOp:
    name: str
    params: Tuple[str, ...]
    loss: Optional[str]  # the tensor it minimizes, when that is a named tensor


def _names_in(node: cst.CSTNode) -> Set[str]:
    """Every Name used as a value in ``node`` (not attribute or keyword names)."""
    collector = _NameCollector()
    walk(node, collector)
    return collector.names


class _NameCollector(Visitor):
    def __init__(self) -> None:
        self.names: Set[str] = set()

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        walk(node.value, self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        walk(node.value, self)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)


class _Binder(Visitor):
    def __init__(self) -> None:
        self.found: Set[str] = set()

    def visit_AssignTarget(self, n: cst.AssignTarget) -> None:
        self.found.update(_names_in(n.target))

    def visit_AugAssign(self, n: cst.AugAssign) -> None:
        self.found.update(_names_in(n.target))

    def visit_For(self, n: cst.For) -> None:
        self.found.update(_names_in(n.target))

    def visit_AsName(self, n: cst.AsName) -> None:
        self.found.update(_names_in(n.name))

    def visit_FunctionDef(self, n: cst.FunctionDef) -> bool:
        self.found.add(n.name.value)
        return False


class _GlobalFinder(Visitor):
    def __init__(self) -> None:
        self.found = False

    def visit_Global(self, node: cst.Global) -> None:
        self.found = True
        raise StopWalk

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.found = True
        raise StopWalk


def _binds_globals(node: cst.CSTNode) -> bool:
    finder = _GlobalFinder()
    walk(node, finder)
    return finder.found


class _AssignFinder(Visitor):
    def __init__(self) -> None:
        self.found = False

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in ("assign", "assign_add", "assign_sub"):
            self.found = True
            raise StopWalk


def _assigns(node: cst.CSTNode) -> bool:
    """Does ``node`` call an ``assign``/``assign_add``/``assign_sub`` method?"""
    finder = _AssignFinder()
    walk(node, finder)
    return finder.found


def _bound_names(node: cst.CSTNode) -> Set[str]:
    """Names a statement binds (assignment targets, loop variables, defs)."""
    binder = _Binder()
    walk(node, binder)
    return binder.found


class Converter:
    """Rewrites one module; raises Unsupported where it cannot."""

    def __init__(self, module: cst.Module, imports, text: Optional[str] = None) -> None:
        self.module = module
        self.text = text
        self.imports = imports
        self.tf = self._tf_alias()
        self.placeholders: Dict[str, Placeholder] = {}  # names bound to a placeholder now
        self.specs: Dict[str, Placeholder] = {}  # every placeholder, by parameter name
        self.order: List[str] = []  # placeholders in definition order
        self.variables: Set[str] = set()
        self.containers: Set[str] = set()  # dicts, lists and tuples of variables (also in ``variables``)
        self.open_sessions: Set[str] = set()  # sessions created and not closed (or whose `with` has not ended)
        self.runs_changed_variables = False  # a run so far may have changed a variable
        self.tensors: Dict[str, Tensor] = {}
        self.train_ops: Dict[str, TrainOp] = {}
        self.inits: Set[str] = set()
        self.sessions: Set[str] = set()
        self.optimizers: Dict[str, Optimizer] = {}
        self.feeds: Dict[str, cst.Dict] = {}
        self.eager_values: Set[str] = set()  # tensors that depend on no graph input: computed once
        self.savers: Set[str] = set()
        self.graphs: Set[str] = set()
        self.updates: Dict[str, Tuple[str, str, cst.BaseExpression]] = {}  # tensors that are one assign
        self.writers: Set[str] = set()  # tf.summary.FileWriter objects, now TF2 file writers
        self.summaries: List[Tuple[str, str, cst.BaseExpression, Tuple[str, ...]]] = []  # kind, name, value, params
        self.graph_seed = False  # tf.set_random_seed was called
        self.dtypes: Dict[str, Optional[str]] = {}  # names bound to a value of evident dtype, as code
        self.summary_writers: List[str] = []  # the tf.functions that write merged summaries
        self.optimizer_objects: List[str] = []  # optimizers this rewrite named
        self.layers: List[str] = []  # Keras layers built by this rewrite, in order
        self.notes: List[Tuple[cst.CSTNode, str]] = []
        self._taken: Optional[Set[str]] = None  # every name the module uses, read when first needed
        self.changed = False
        self.generated: Set[int] = set()  # ids of the functions this rewrite wrote
        self.pending: List[cst.BaseStatement] = []  # statements to put before the current one
        self.target = "layer"  # the name being defined, for naming hoisted layers
        self.factories = self._variable_factories()
        self.defined: Set[str] = set()  # names already given to a function or graph object
        self.leftover: List[cst.EmptyLine] = []

    def _variable_factories(self) -> Set[str]:
        """Functions of the file that create variables: what they return is a variable."""
        found = set()
        for stmt in self.module.body:
            if isinstance(stmt, cst.FunctionDef):
                finder = _CallFinder(self, {"Variable", "get_variable"})
                walk(stmt, finder)
                if finder.found:
                    found.add(stmt.name.value)
        return found

    # --- names ---------------------------------------------------------
    def _tf_alias(self) -> str:
        for local, full in sorted(self.imports.aliases.items()):
            if full in ("tensorflow", "tensorflow.compat.v1", "tensorflow.compat.v2"):
                return local
        raise Unsupported(None, "TensorFlow is imported by name (from tensorflow import ...), not as a module")

    def tf_name(self, node: cst.CSTNode) -> Optional[str]:
        if isinstance(node, (cst.Name, cst.Attribute)):
            return _tf.relative(self.imports.qualify(node))
        return None

    def call_name(self, node: cst.CSTNode) -> Optional[str]:
        return self.tf_name(node.func) if isinstance(node, cst.Call) else None

    @property
    def taken(self) -> Set[str]:
        if self._taken is None:
            names = _source_names(self.text) if self.text is not None else None
            self._taken = names if names is not None else _names_in(self.module) | _bound_names(self.module)
        return self._taken

    def fresh(self, base: str) -> str:
        return fresh_name(self.taken, base)

    def expr(self, code: str) -> cst.BaseExpression:
        return cst.parse_expression(code, config=self.module.config_for_parsing)

    def stmt(self, code: str) -> cst.BaseStatement:
        return cst.parse_statement(code, config=self.module.config_for_parsing)

    def code(self, node: cst.CSTNode) -> str:
        return code_for(self.module, node)

    # --- the module ----------------------------------------------------
    def convert(self) -> cst.Module:
        body = self.block(self.module.body, in_loop=False)
        footer = [*self.leftover, *self.module.footer]
        return self.module.with_changes(body=body, footer=footer)

    def block(self, statements: Sequence[cst.BaseStatement], in_loop: bool) -> List[cst.BaseStatement]:
        out: List[cst.BaseStatement] = []
        carried: List[cst.EmptyLine] = []  # comments of removed statements go to the next one
        for index, stmt in enumerate(statements):
            try:
                self.pending = []
                branching = isinstance(stmt, (cst.For, cst.While, cst.If, cst.Try))
                bound = _bound_names(stmt) if branching or isinstance(stmt, cst.SimpleStatementLine) else set()
                if not isinstance(stmt, (cst.If, cst.Try)):
                    # Rebound here (an assignment records it again), or by a later iteration of a loop.
                    for name in bound:
                        self.dtypes.pop(name, None)
                new = self.statement(stmt, in_loop)
                if branching:
                    for name in bound:  # bound in a branch or a loop: not known after it
                        self.dtypes.pop(name, None)
                if self.pending:
                    # Keras layers the statement needs are built once, just before it.
                    lead = new[0].leading_lines if new else stmt.leading_lines
                    if new:
                        new[0] = new[0].with_changes(leading_lines=[])
                    self.pending[0] = self.pending[0].with_changes(leading_lines=lead)
                    new = [*self.pending, *new]
                    self.pending = []
            except Unsupported as problem:
                if problem.statement is None:  # the innermost statement names the place
                    problem.statement = stmt
                raise
            if not new:
                carried.extend(stmt.leading_lines if hasattr(stmt, "leading_lines") else ())
                carried.extend(_comment_lines(_own_comments(stmt)))  # `sess.run(init)  # note` keeps its note
                self.changed = True
                continue
            if carried:
                first = new[0]
                new[0] = first.with_changes(leading_lines=[*carried, *first.leading_lines])
                if id(first) in self.generated:
                    self.generated.add(id(new[0]))
                carried = []
            out.extend(new)
        self.leftover = carried  # comments after the last statement: the caller places them
        return self.spaced(out)

    def spaced(self, out: List[cst.BaseStatement]) -> List[cst.BaseStatement]:
        """A blank line around each function this rewrite wrote, as PEP 8 asks."""
        for i, stmt in enumerate(out):
            if id(stmt) not in self.generated:
                continue
            if i > 0 and not _starts_blank(stmt):
                out[i] = stmt = stmt.with_changes(leading_lines=[cst.EmptyLine(indent=False), *stmt.leading_lines])
            if i + 1 < len(out) and not _starts_blank(out[i + 1]):
                nxt = out[i + 1]
                out[i + 1] = nxt.with_changes(leading_lines=[cst.EmptyLine(indent=False), *nxt.leading_lines])
                if id(nxt) in self.generated:
                    self.generated.add(id(out[i + 1]))
        return out

    def statement(self, stmt: cst.BaseStatement, in_loop: bool) -> List[cst.BaseStatement]:
        if isinstance(stmt, cst.SimpleStatementLine):
            return self.simple_line(stmt, in_loop)
        if not self.mentions_graph(stmt):
            return [stmt]  # a block that uses neither TensorFlow nor the graph: left as it is
        if isinstance(stmt, cst.With):
            return self.with_statement(stmt, in_loop)
        if isinstance(stmt, (cst.For, cst.While)):
            body = self.block(stmt.body.body, in_loop=True)
            new = stmt.with_changes(body=stmt.body.with_changes(body=body or [self.stmt("pass")]))
            if stmt.orelse is not None:
                new = new.with_changes(orelse=stmt.orelse.with_changes(
                    body=stmt.orelse.body.with_changes(body=self.block(stmt.orelse.body.body, in_loop) or [self.stmt("pass")])))
            return [self.fetches_in_header(new)]
        if isinstance(stmt, cst.If):
            return [self.if_statement(stmt, in_loop)]
        if isinstance(stmt, cst.FunctionDef):
            if self.computes_only(stmt):
                return [stmt]  # TensorFlow ops on its arguments and variables run eagerly as written
            if isinstance(stmt.body, cst.IndentedBlock):
                with self.masked(function_locals(stmt)):
                    body = self.block(stmt.body.body, in_loop=False)
                return [stmt.with_changes(body=stmt.body.with_changes(body=body or [self.stmt("pass")]))]
            return [stmt]
        if isinstance(stmt, cst.ClassDef):
            if _names_in(stmt) & self.graph_names() or self._builds_graph(stmt):
                raise Unsupported(stmt, f"class {stmt.name.value} holds TensorFlow graph objects or a session")
            return [stmt]
        if isinstance(stmt, cst.Try):
            return [self.try_statement(stmt, in_loop)]
        return [self.plain(stmt)]

    def computes_only(self, func: cst.FunctionDef) -> bool:
        """Does ``func`` only compute with TensorFlow ops (a model function such as
        ``def neural_net(x): ...``), so that calling it on eager tensors gives what
        its graph gave? Not if it makes placeholders, sessions, variables, layers
        or optimizers, runs or feeds anything, calls a function that makes
        variables, binds globals, or reads a graph tensor that becomes a function."""
        makers = _CallFinder(self, PLACEHOLDERS | SESSIONS | VARIABLES | set(OPTIMIZERS) | {"get_variable", *LAYERS})
        walk(func, makers)
        if makers.found:
            return False
        fetches = _FetchFinder(self)
        walk(func, fetches)
        if fetches.found:
            return False
        free = _names_in(func) - function_locals(func)
        if free & (self.graph_names() | self.factories):
            return False
        mentions = _Mentions(set())
        walk(func, mentions)  # a feed_dict anywhere
        return not mentions.found and not _binds_globals(func)

    def _builds_graph(self, node: cst.CSTNode) -> bool:
        finder = _CallFinder(self, PLACEHOLDERS | SESSIONS | VARIABLES | set(OPTIMIZERS))
        walk(node, finder)
        return finder.found

    def if_statement(self, stmt: cst.If, in_loop: bool) -> cst.If:
        body = self.block(stmt.body.body, in_loop) or [self.stmt("pass")]
        new = stmt.with_changes(test=self.fetches(stmt.test), body=stmt.body.with_changes(body=body))
        if isinstance(stmt.orelse, cst.If):
            new = new.with_changes(orelse=self.if_statement(stmt.orelse, in_loop))
        elif isinstance(stmt.orelse, cst.Else):
            other = self.block(stmt.orelse.body.body, in_loop)
            if not other and not _own_comments(stmt.orelse, trailing=True):
                return new.with_changes(orelse=None)  # `else: sess.run(init)`: nothing left to do
            other = other or [self.stmt("pass")]
            new = new.with_changes(orelse=stmt.orelse.with_changes(body=stmt.orelse.body.with_changes(body=other)))
        return new

    def try_statement(self, stmt: cst.Try, in_loop: bool) -> cst.Try:
        def sub(block):
            return block.with_changes(body=self.block(block.body, in_loop) or [self.stmt("pass")])

        return stmt.with_changes(
            body=sub(stmt.body),
            handlers=[h.with_changes(body=sub(h.body)) for h in stmt.handlers],
            orelse=stmt.orelse.with_changes(body=sub(stmt.orelse.body)) if stmt.orelse else None,
            finalbody=stmt.finalbody.with_changes(body=sub(stmt.finalbody.body)) if stmt.finalbody else None,
        )

    def fetches_in_header(self, stmt):
        if isinstance(stmt, cst.For):
            return stmt.with_changes(iter=self.fetches(stmt.iter))
        if isinstance(stmt, cst.While):
            return stmt.with_changes(test=self.fetches(stmt.test))
        return stmt

    def graph_names(self) -> Set[str]:
        return set(self.placeholders) | set(self.tensors) | set(self.train_ops) | self.inits | self.sessions

    # --- with tf.Session() as sess: ------------------------------------
    def with_statement(self, stmt: cst.With, in_loop: bool) -> List[cst.BaseStatement]:
        if any(self.naming_scope(item) for item in stmt.items):
            # `with tf.variable_scope("layer1"):` without reuse only names what is made inside.
            stmt = stmt.with_changes(items=[
                item.with_changes(item=self.expr(f"{self.tf}.name_scope({self.code(item.item.args[0].value)})"))
                if self.naming_scope(item) else item
                for item in stmt.items
            ])
            self.changed = True
        for item in stmt.items:
            if self.call_name(item.item) in ("variable_scope", "get_default_graph", "control_dependencies"):
                raise Unsupported(item, f"`with tf.{self.call_name(item.item)}(...)` (graph scopes)")
        session_items = [item for item in stmt.items if self.is_session_item(item)]
        if not session_items:
            body = self.block(stmt.body.body, in_loop) or [self.stmt("pass")]
            items = [item.with_changes(item=self.fetches(item.item)) for item in stmt.items]
            return [stmt.with_changes(items=items, body=stmt.body.with_changes(body=body))]
        for item in session_items:
            if item.asname is not None:
                if not isinstance(item.asname.name, cst.Name):
                    raise Unsupported(item, "a session bound to something other than a name")
                self.open_session(item.item, item.asname.name.value)
                self.sessions.add(item.asname.name.value)
        body = self.block(stmt.body.body, in_loop)
        for item in session_items:
            if item.asname is not None:
                self.open_sessions.discard(item.asname.name.value)  # the `with` closed it
        self.changed = True
        others = [item for item in stmt.items if item not in session_items]
        if others:
            # `with open(f) as f, tf.Session() as sess:` keeps the other context managers.
            others[-1] = others[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            items = [item.with_changes(item=self.fetches(item.item)) for item in others]
            return [stmt.with_changes(items=items, body=stmt.body.with_changes(body=body or [self.stmt("pass")]))]
        if not body:
            return []
        comments = list(stmt.leading_lines)
        header = stmt.body.header
        if header.comment is not None:
            comments.append(cst.EmptyLine(comment=header.comment))
        if comments:
            body[0] = body[0].with_changes(leading_lines=[*comments, *body[0].leading_lines])
        return body

    def naming_scope(self, item: cst.WithItem) -> bool:
        """``with tf.variable_scope(name):`` in a program that never reuses variables: in
        TF2 a ``tf.name_scope``. Sharing (``reuse``) keeps the program on compat."""
        call = item.item
        if self.call_name(call) != "variable_scope" or item.asname is not None or len(call.args) != 1:
            return False
        arg = call.args[0]
        if arg.star or (arg.keyword is not None and arg.keyword.value != "name_or_scope"):
            return False
        return self.text is not None and "reuse" not in self.text

    def is_session_item(self, item: cst.WithItem) -> bool:
        node = item.item
        name = self.call_name(node)
        if name in SESSIONS:
            return True
        # `with tf.Graph().as_default():` and `with sess.as_default():`
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "as_default":
            target = node.func.value
            if self.call_name(target) == "Graph":
                return True
            if isinstance(target, cst.Name) and (target.value in self.sessions or target.value in self.graphs):
                return True
            raise Unsupported(node, f"`with {self.code(node.func)}()`: a graph or session this rewrite does not know")
        return False

    # --- simple statements ---------------------------------------------
    def simple_line(self, line: cst.SimpleStatementLine, in_loop: bool) -> List[cst.BaseStatement]:
        results: List[cst.BaseStatement] = []
        pending: List[cst.BaseSmallStatement] = []
        unchanged = True
        for small in line.body:
            converted = self.small(small, line, in_loop)
            unchanged = unchanged and converted is not None and len(converted) == 1 and (
                converted[0] is small or converted[0].deep_equals(small))
            if converted is None:
                continue
            split = len(line.body) == 1 and len(converted) > 1  # one statement became several: a line each
            for item in converted:
                if isinstance(item, cst.BaseSmallStatement) and split:
                    if pending:
                        results.append(cst.SimpleStatementLine(body=_strip_semicolons(pending)))
                        pending = []
                    results.append(cst.SimpleStatementLine(body=_strip_semicolons([item])))
                elif isinstance(item, cst.BaseSmallStatement):
                    pending.append(item)
                else:
                    if pending:
                        results.append(cst.SimpleStatementLine(body=_strip_semicolons(pending)))
                        pending = []
                    results.append(item)
        if unchanged:
            return [line]  # as written, semicolons and all
        if pending:
            results.append(cst.SimpleStatementLine(body=_strip_semicolons(pending)))
        if not results:
            return []
        # Comments inside a rewritten statement (a multi-line run call) go above what replaces it.
        written = "".join(self.code(r) for r in results)
        lost = [c for c in _own_comments(line, trailing=False) if c not in written]
        if len(line.body) == 1 and len(results) == 1 and isinstance(results[0], cst.SimpleStatementLine) and not lost:
            return [line.with_changes(body=results[0].body)]
        first = results[0]
        results[0] = first.with_changes(leading_lines=[*line.leading_lines, *_comment_lines(lost), *first.leading_lines])
        if id(first) in self.generated:
            self.generated.add(id(results[0]))
        last = results[-1]
        if isinstance(last, cst.SimpleStatementLine):
            results[-1] = last.with_changes(trailing_whitespace=line.trailing_whitespace)
        return results

    def small(self, small: cst.BaseSmallStatement, line, in_loop: bool):
        """A converted small statement: a list of small or compound statements, or None to drop it."""
        if isinstance(small, cst.Import):
            return [self.import_statement(small)]
        if isinstance(small, cst.ImportFrom):
            return [self.import_from(small)]
        if isinstance(small, cst.Expr):
            return self.expression_statement(small)
        if isinstance(small, cst.Assign):
            return self.assignment(small, line, in_loop)
        return [self.plain(small)]

    def import_statement(self, node: cst.Import) -> cst.Import:
        names = []
        for alias in node.names:
            full = _dotted(alias.name)
            if full in ("tensorflow.compat.v1", "tensorflow.compat.v2") and alias.asname is not None:
                alias = alias.with_changes(name=cst.Name("tensorflow"))
                self.changed = True
            names.append(alias)
        return node.with_changes(names=names)

    def import_from(self, node: cst.ImportFrom):
        module = _dotted(node.module) if node.module is not None else None
        if module == "tensorflow.compat" and not isinstance(node.names, cst.ImportStar):
            if all(_dotted(a.name) in ("v1", "v2") for a in node.names) and len(node.names) == 1:
                alias = node.names[0]
                local = alias.asname.name.value if alias.asname else _dotted(alias.name)
                self.changed = True
                return cst.Import(names=[cst.ImportAlias(cst.Name("tensorflow"), asname=cst.AsName(cst.Name(local)))])
        if module is not None and (module == "tensorflow" or module.startswith("tensorflow.compat")):
            raise Unsupported(node, "TensorFlow 1 names imported with `from tensorflow... import`")
        return node

    def expression_statement(self, small: cst.Expr):
        value = small.value
        name = self.call_name(value)
        if name in NOOPS or name in ("compat.v1." + n for n in NOOPS):
            self.changed = True
            return None
        if name in SEED_SETTERS:
            self.graph_seed = True  # and the statement stays: TF2 has a global seed too
        if name in SUMMARIES:
            self.summary(None, value, name)
            return None
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
            method = value.func.attr.value
            receiver = value.func.value
            if method in ("assign", "assign_add", "assign_sub") and isinstance(receiver, cst.Name) and (
                receiver.value in self.variables
            ):
                self.changed = True
                return None  # TF1 only built this op; no run ever changed the variable
            if isinstance(receiver, cst.Name) and receiver.value in self.writers:
                return self.writer_call(value, method, small)
            if isinstance(receiver, cst.Name) and receiver.value in self.sessions:
                if method == "close":
                    self.open_sessions.discard(receiver.value)
                    self.changed = True
                    return None
                if method == "run":
                    return self.run_statement(value, targets=None)
            if method == "run" and self.is_op(receiver):
                # `init.run()`, `train.run(feed_dict=...)` (InteractiveSession)
                if isinstance(receiver, cst.Name) and receiver.value in self.inits or self.call_name(receiver) in INITIALIZERS:
                    self.initialise(value)
                    self.changed = True
                    return None
                return self.run_statement(value, targets=None, fetch=receiver, feeds=self.feed_arg(value, 0))
        return [small.with_changes(value=self.fetches(value))]

    def is_op(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.Name):
            return node.value in self.train_ops or node.value in self.tensors or node.value in self.inits
        return self.call_name(node) in INITIALIZERS

    def assignment(self, node: cst.Assign, line, in_loop: bool):
        out = self._assignment(node, line, in_loop)
        target = node.targets[0].target if len(node.targets) == 1 else None
        if isinstance(target, cst.Name):
            dtype = _literal_dtype(node.value, self)
            if dtype is not None:
                self.dtypes[target.value] = dtype
        return out

    def _assignment(self, node: cst.Assign, line, in_loop: bool):
        value = node.value
        if len(node.targets) != 1:
            return [self.plain(node)]
        target = node.targets[0].target
        name = self.call_name(value)
        single = target.value if isinstance(target, cst.Name) else None
        graph_refs = _names_in(value) & (self.graph_names() | self.variables)

        if name is not None and _queue_api(name):
            raise Unsupported(value, f"tf.{name}: queues and queue runners (a TF1 input pipeline)")
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value in (
            "run", "eval") and graph_refs and not self.has_fetch(value):
            raise Unsupported(value, f"`{self.code(value.func)}` runs the graph through something that is not a "
                                     "session of this program (a session passed between functions?)")
        if name in PLACEHOLDERS:
            self.need_module_level(node, single, in_loop, "placeholder")
            self.placeholder(single, value, name)
            return None
        if name == "Graph" and not value.args:
            # Eager code has no graph: `with g.as_default():` just runs its body.
            return self.drop_binding(node, single, self.graphs, "a graph")
        if name in SESSIONS:
            self.open_session(value, single)
            return self.drop_binding(node, single, self.sessions, "a session")
        if name in INITIALIZERS:
            return self.drop_binding(node, single, self.inits, "an initializer")
        if name in SUMMARIES:
            self.need_module_level(node, single, in_loop, "summary")
            self.summary(single, value, name)
            return None
        if name in ("summary.merge_all", "summary.merge"):
            self.need_module_level(node, single, in_loop, "summary")
            return self.merged_summary(single, value, name, line)
        if name == "summary.FileWriter":
            self.need_module_level(node, single, in_loop, "summary writer")
            logdir = _tf.argument(value, 0, "logdir")
            if logdir is None:
                raise Unsupported(value, "tf.summary.FileWriter without a log folder")
            self.rebind(single)
            self.writers.add(single)
            self.changed = True
            code = self.code(self.fetches(logdir.value))
            return [node.with_changes(value=self.expr(f"{self.tf}.summary.create_file_writer({code})"))]
        if name == "train.Saver":
            self.need_module_level(node, single, in_loop, "saver")
            return [self.saver(single, value, node)]
        if name in OPTIMIZERS:
            self.need_module_level(node, single, in_loop, "optimizer")
            self.rebind(single)
            self.optimizers[single] = OPTIMIZERS[name]
            self.changed = True
            return [node.with_changes(value=self.keras_optimizer(value, name))]
        if self.is_minimize(value):
            self.need_module_level(node, single, in_loop, "train op")
            return self.train_step(single, value, line)
        if self.is_minimize(value, "compute_gradients"):
            self.need_module_level(node, single, in_loop, "gradient list")
            return self.compute_gradients(single, value, line)
        if self.is_minimize(value, "apply_gradients"):
            self.need_module_level(node, single, in_loop, "train op")
            return self.apply_gradients(single, value, line)
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == "run":
            receiver = value.func.value
            if isinstance(receiver, cst.Name) and receiver.value in self.sessions:
                return self.run_statement(value, targets=target)
            if self.is_op(receiver):
                return self.run_statement(value, targets=target, fetch=receiver, feeds=self.feed_arg(value, 0))
        if name in VARIABLES or (name is not None and name.endswith("Variable")):
            self.need_module_level(node, single, in_loop, "variable")
            self.rebind(single)
            self.variables.add(single)
            return [node.with_changes(value=self.graph_expr(value)[0])]
        if name == "get_variable":
            self.need_module_level(node, single, in_loop, "variable")
            self.rebind(single)
            self.variables.add(single)
            self.changed = True
            return [node.with_changes(value=self.get_variable(value))]
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value in self.factories:
            if single is not None:
                self.rebind(single)
                self.variables.add(single)
                return [node.with_changes(value=self.fetches(value))]
        if single is not None and self.holds_variables(value):
            # `weights = {'h1': tf.Variable(...), ...}`: variables, looked up at each use.
            self.need_module_level(node, single, in_loop, "variable")
            self.rebind(single)
            self.variables.add(single)
            self.containers.add(single)
            return [node.with_changes(value=self.graph_expr(value)[0])]
        if single is not None and isinstance(value, cst.Dict) and self.is_feed_dict(value):
            self.rebind(single)
            self.feeds[single] = value
            self.changed = True
            return None
        if single is not None and self.is_random(value) and not self.has_fetch(value):
            if self.graph_seed or self.seeded(value):
                raise Unsupported(value, "a seeded random op run in sessions (TF1 gives each op its own sequence "
                                         "and starts it again in each session; eager ops draw differently)")
            # A random op draws anew at every run in TF1: a function, called at each use.
            self.need_module_level(node, single, in_loop, "tensor")
            return [self.tensor_function(single, value, line)]
        if graph_refs and not self.has_fetch(value) and single is None:
            return self.unpacked_tensors(node, target, value, line, in_loop)
        if graph_refs and not self.has_fetch(value):
            if single is None:
                raise Unsupported(node, "graph tensors unpacked into several names")
            self.need_module_level(node, single, in_loop, "tensor")
            return [self.tensor_function(single, value, line)]
        new_value = self.fetches(value)
        self.rebind(single)
        if single is not None and name is not None:
            self.eager_values.add(single)
        return [node.with_changes(value=new_value)]

    def holds_variables(self, value: cst.BaseExpression) -> bool:
        """A dict, list or tuple literal of ``tf.Variable(...)`` calls."""
        if not isinstance(value, (cst.Dict, cst.List, cst.Tuple)) or not value.elements:
            return False
        return all(isinstance(e, (cst.DictElement, cst.Element)) and self.call_name(e.value) in VARIABLES
                   for e in value.elements)

    def python2_division(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        """``tf.div(x, y)``: TF1 divides as Python 2 did, by the dtype of ``x`` (``y`` is cast to it).

        Floor division for integers, true division for floats: ``tf.math.floordiv``
        or ``tf.math.divide`` when the dtype of ``x`` is evident from the code.
        """
        x = _tf.argument(original, 0, "x")
        dtype = None
        if x is not None:
            dtype = _literal_dtype(x.value, self)
            if dtype is None and isinstance(x.value, cst.Name):
                dtype = self.dtypes.get(x.value.value)
        kind = (dtype or "").rsplit(".", 1)[-1].strip("'\"")
        if kind.startswith(("float", "complex", "bfloat", "half", "double")):
            func = "math.divide"
        elif kind.startswith(("int", "uint")):
            func = "math.floordiv"
        else:
            raise Unsupported(original, "tf.div of a value whose dtype is not evident (TF1 floor-divides integers "
                                        "and true-divides floats)")
        self.changed = True
        return updated.with_changes(func=self.expr(f"{self.tf}.{func}"))

    def seeded(self, value) -> bool:
        """Does ``value`` call a random op with an op-level seed?"""
        finder = _CallFinder(self, RANDOM_OPS, every=True)
        walk(value, finder)
        return any(_tf.argument(call, None, "seed") is not None for call in finder.calls)

    def is_random(self, value) -> bool:
        finder = _CallFinder(self, RANDOM_OPS)
        walk(value, finder)
        return finder.found and self.call_name(value) not in VARIABLES

    def get_variable(self, call: cst.Call) -> cst.Call:
        """tf.get_variable(name, shape, dtype, initializer) as a tf.Variable."""
        known = ("name", "shape", "dtype", "initializer", "trainable")
        positional = [a for a in call.args if a.keyword is None]
        args = {known[i]: a.value for i, a in enumerate(positional[: len(known)])}
        for arg in call.args:
            if arg.keyword is not None:
                if arg.keyword.value not in known:
                    raise Unsupported(call, f"tf.get_variable({arg.keyword.value}=...)")
                args[arg.keyword.value] = arg.value
        if len(positional) > len(known) or "name" not in args:
            raise Unsupported(call, "tf.get_variable without a name")
        init = args.get("initializer")
        shape = args.get("shape")
        dtype = args.get("dtype")
        tf = self.tf
        if init is not None and not self._is_initializer(init):
            value = self.code(self.graph_expr(init)[0])  # a tensor or an array: the initial value itself
        else:
            maker = self.code(self.graph_expr(init)[0]) if init is not None else f"{tf}.keras.initializers.GlorotUniform()"
            if shape is None:
                raise Unsupported(call, "tf.get_variable with an initializer but no shape")
            dtype_arg = f", dtype={self.code(dtype)}" if dtype is not None else ""
            value = f"{maker}(shape={self.code(shape)}{dtype_arg})"
        extra = ""
        if "trainable" in args:
            extra = f", trainable={self.code(args['trainable'])}"
        return self.expr(f"{tf}.Variable({value}, name={self.code(args['name'])}{extra})")

    def _is_initializer(self, node) -> bool:
        name = self.call_name(node)
        if name is None:
            return isinstance(node, cst.Call) is False and False
        return name.endswith("_initializer") or name.startswith("initializers.") or name.startswith(
            "keras.initializers.") or name in INITIALIZERS_V2

    def decay(self, call: cst.Call, name: str) -> cst.BaseExpression:
        """``tf.train.exponential_decay(lr, step, ...)`` -> the Keras schedule of ``step``."""
        schedule, params = DECAYS[name]
        given: Dict[str, str] = {}
        positional = [a for a in call.args if a.keyword is None]
        if len(positional) > len(params) or any(a.star for a in call.args):
            raise Unsupported(call, f"tf.{name} with arguments that are not mapped")
        for index, arg in enumerate(positional):
            given[params[index]] = self.code(arg.value)
        for arg in call.args:
            if arg.keyword is not None:
                key = _DECAY_KEYWORDS.get(arg.keyword.value, arg.keyword.value)
                if key not in params:
                    raise Unsupported(call, f"tf.{name}({arg.keyword.value}=...)")
                given[key] = self.code(arg.value)
        step = given.pop("global_step", None)
        given.pop("name", None)
        if step is None:
            raise Unsupported(call, f"tf.{name} without a global step")
        args = ", ".join(f"{k}={v}" for k, v in given.items())
        return self.expr(f"{self.tf}.keras.optimizers.schedules.{schedule}({args})({step})")

    def layer_call(self, call: cst.Call, name: str) -> cst.BaseExpression:
        """``tf.layers.dense(x, 10)`` -> a Keras layer built once, called here."""
        spec = LAYERS.get(name)
        if spec is None:
            raise Unsupported(call, f"tf.{name} (no Keras layer is mapped for it)")
        positional = [a for a in call.args if a.keyword is None]
        if not positional and _tf.argument(call, None, "inputs") is None:
            raise Unsupported(call, f"tf.{name} without inputs")
        inputs = positional[0].value if positional else _tf.argument(call, None, "inputs").value
        build, at_call = [], []
        for index, arg in enumerate(positional[1:]):
            if index >= len(spec.params):
                raise Unsupported(call, f"tf.{name} with more positional arguments than mapped")
            key = spec.params[index]
            build.append(self.code(arg.value) if index == 0 else f"{key}={self.code(arg.value)}")
        for arg in call.args:
            if arg.keyword is None or arg.keyword.value == "inputs" or arg.keyword.value in spec.dropped:
                continue
            if arg.keyword.value in spec.call_keywords:
                at_call.append(f"{arg.keyword.value}={self.code(arg.value)}")
            else:
                build.append(f"{arg.keyword.value}={self.code(arg.value)}")
        built_from = [a for a in call.args if a.keyword is None][1:] + [
            a for a in call.args if a.keyword is not None and a.keyword.value not in ("inputs", *spec.dropped, *spec.call_keywords)]
        for arg in built_from:
            if _names_in(arg.value) & self.graph_names():
                # The layer is built once, before any value is fed: it cannot depend on one.
                raise Unsupported(arg, f"tf.{name} configured with a graph tensor ({self.code(arg.value)})")
        layer = self.fresh(f"{self.target}_layer")
        self.layers.append(layer)
        self.pending.append(self.stmt(f"{layer} = {self.tf}.keras.layers.{spec.keras}({', '.join(build)})\n"))
        rest = "".join(f", {k}" for k in at_call)
        return self.expr(f"{layer}({self.code(inputs)}{rest})")

    def summary(self, name: Optional[str], call: cst.Call, kind: str) -> None:
        """``tf.summary.scalar(name, tensor)``: remembered until the summaries are merged."""
        label = _tf.argument(call, 0, "name")
        tensor = _tf.argument(call, 1, "tensor") or _tf.argument(call, 1, "values")
        if label is None or tensor is None or len(call.args) > 2:
            raise Unsupported(call, f"tf.{kind} with arguments beyond a name and a value")
        value, params = self.graph_expr(tensor.value)
        if isinstance(tensor.value, cst.Name) and tensor.value.value in self.variables:
            value = self.expr(f"{self.tf}.identity({self.code(value)})")  # the value now, not the variable
        self.summaries.append((kind, self.code(label.value), value, params))
        self.changed = True

    def merged_summary(self, name: str, call: cst.Call, kind: str, line) -> List[cst.BaseStatement]:
        """The merged summary: a function of the summaries' values, and one that writes them.

        Both are tf.functions: an eager histogram costs milliseconds, and a
        program writes its summaries at every step.
        """
        if kind == "summary.merge" or call.args:
            raise Unsupported(call, "tf.summary.merge of a chosen list (merge_all is supported)")
        if not self.summaries:
            raise Unsupported(call, "tf.summary.merge_all before any summary")
        params = self.ordered({p for _, _, _, ps in self.summaries for p in ps})
        indent = self.module.default_indent
        func_name = self.function_name(name)
        lines = [self.signature(params) if params else f"@{self.tf}.function"]
        lines += [f"def {func_name}({self.parameters(params)}):", f"{indent}return ["]
        lines += [f"{indent}{indent}{self.code(v)}," for _, _, v, _ in self.summaries]
        lines.append(f"{indent}]")
        self.rebind(name)
        self.tensors[name] = Tensor(name, params, "summary", func_name)
        self.changed = True
        out = [self.keep_comments(self.stmt("\n".join(lines) + "\n"), line)]
        writer_name = self.fresh(f"write_{func_name}")
        # Parameters, so plain names do, unless a summary's label reads a global of that name.
        in_labels = set().union(*(_names_in(self.expr(label)) for _, label, _, _ in self.summaries))
        writer, values, step = (fresh_name(set(in_labels), base) for base in ("writer", "values", "step"))
        lines = [f"@{self.tf}.function", f"def {writer_name}({writer}, {values}, {step}):",
                 f"{indent}with {writer}.as_default(step={step}):"]
        lines += [f"{indent}{indent}{self.tf}.{k}({label}, {values}[{i}])"
                  for i, (k, label, _, _) in enumerate(self.summaries)]
        self.summary_writers.append(writer_name)
        out.append(self.keep_comments(self.stmt("\n".join(lines) + "\n"), None))
        return out

    def writer_call(self, call: cst.Call, method: str, small: cst.Expr):
        """``writer.add_summary(summary, step)`` and friends on a TF2 file writer."""
        if method == "add_graph":
            self.changed = True
            return None  # an eager program has no graph to show
        if method in ("close", "flush"):
            return [small]
        if method != "add_summary":
            raise Unsupported(call, f"FileWriter.{method}()")
        summary = _tf.argument(call, 0, "summary")
        step = _tf.argument(call, 1, "global_step")
        if summary is None or step is None:
            raise Unsupported(call, "add_summary() without a summary and a step")
        if len(self.summary_writers) != 1:
            raise Unsupported(call, "add_summary() in a program that merges its summaries more than once")
        writer = call.func.value.value
        step_code = self.code(self.fetches(step.value))
        # The step as a tensor: a Python int would trace the function again at every step.
        code = (f"{self.summary_writers[0]}({writer}, {self.code(self.fetches(summary.value))}, "
                f"{self.tf}.cast({step_code}, {self.tf}.int64))")
        self.changed = True
        return [small.with_changes(value=self.expr(code))]

    def saver(self, name: str, call: cst.Call, node: cst.Assign) -> cst.Assign:
        """``tf.train.Saver()`` -> a ``tf.train.Checkpoint`` of every variable built so far."""
        everything = ("global_variables", "all_variables", "trainable_variables")
        if call.args and not (len(call.args) == 1 and call.args[0].keyword in (None,) and
                              self.call_name(call.args[0].value) in everything):
            raise Unsupported(call, "tf.train.Saver with arguments (a variable list or options)")
        self.notes.append((call, "tf.train.Checkpoint writes object-based checkpoints: it cannot read back what "
                                 "TF1's tf.train.Saver wrote (start from a fresh folder, or load old values with "
                                 "tf.train.load_checkpoint)"))
        objects = [*sorted(self.variables), *self.layers, *sorted(self.optimizers)]
        objects += [o for o in self.optimizer_objects if o not in objects]
        if not objects:
            raise Unsupported(call, "tf.train.Saver before any variable")
        self.rebind(name)
        self.savers.add(name)
        self.changed = True
        args = ", ".join(f"{o}={o}" for o in objects)
        return node.with_changes(value=self.expr(f"{self.tf}.train.Checkpoint({args})"))

    def saver_call(self, call: cst.Call) -> Optional[cst.BaseExpression]:
        """``saver.save(sess, path)`` / ``saver.restore(sess, path)`` on a converted saver."""
        func = call.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in self.savers):
            return None
        method = func.attr.value
        session = _tf.argument(call, 0, "sess")
        path = _tf.argument(call, 1, "save_path")
        step = _tf.argument(call, 2, "global_step") if method == "save" else None
        extra = [a for a in call.args if a is not session and a is not path and a is not step]
        if method not in ("save", "restore") or path is None or extra:
            raise Unsupported(call, f"saver.{method}() beyond saving or restoring to a path")
        if session is None or not (isinstance(session.value, cst.Name) and session.value.value in self.sessions):
            raise Unsupported(call, f"saver.{method}() with something other than the program's session")
        target = self.code(self.fetches(path.value))
        if method == "save" and step is not None:
            return self.numbered_save(func.value.value, path.value, step.value)
        if method == "save":
            return self.expr(f"{func.value.value}.write({target})")
        return self.expr(f"{func.value.value}.read({target})")

    def numbered_save(self, saver: str, path: cst.BaseExpression, step: cst.BaseExpression) -> cst.BaseExpression:
        """``saver.save(sess, "dir/name", global_step=step)``: TF1 wrote ``dir/name-<step>``, kept the
        last five and recorded them in ``dir/checkpoint``; a ``tf.train.CheckpointManager`` does the same."""
        if not isinstance(path, cst.SimpleString) or path.prefix.lower() not in ("", "r"):
            raise Unsupported(path, "saver.save(..., global_step=...) to a path that is not a plain string")
        folder, _, name = path.evaluated_value.rpartition("/")
        if not name:
            raise Unsupported(path, "saver.save(..., global_step=...) to a folder path")
        quote = path.quote
        folder = folder or "."
        if quote in folder or quote in name or "\\" in folder + name:
            raise Unsupported(path, "saver.save(..., global_step=...) to a path with quotes or escapes")
        step_code = self.code(self.fetches(step))
        return self.expr(f"{self.tf}.train.CheckpointManager({saver}, {quote}{folder}{quote}, max_to_keep=5, "
                         f"checkpoint_name={quote}{name}{quote}).save(checkpoint_number={step_code})")

    @contextlib.contextmanager
    def masked(self, names: Set[str]):
        """Inside a function, its parameters and locals hide the graph's names."""
        tables = (self.placeholders, self.tensors, self.train_ops, self.optimizers, self.feeds, self.dtypes)
        sets = (self.variables, self.inits, self.sessions, self.eager_values, self.savers, self.writers)
        saved_tables = [{k: t.pop(k) for k in list(t) if k in names} for t in tables]
        saved_sets = [{k for k in st if k in names} for st in sets]
        for st, gone in zip(sets, saved_sets):
            st -= gone
        try:
            yield
        finally:
            for t, back in zip(tables, saved_tables):
                for k, v in back.items():
                    t.setdefault(k, v)
            for st, back in zip(sets, saved_sets):
                st |= back

    def rebind(self, name: Optional[str]) -> None:
        """``name`` now means something new: forget what it meant in the graph."""
        if name is None:
            return
        for table in (self.placeholders, self.tensors, self.train_ops, self.optimizers, self.feeds):
            table.pop(name, None)
        for names in (self.variables, self.containers, self.inits, self.sessions, self.eager_values):
            names.discard(name)

    def open_session(self, node, name: Optional[str]) -> None:
        """A session starts; TF1 gave each open session its own copy of every variable."""
        others = self.open_sessions - {name}
        if others:
            raise Unsupported(node, f"a second session open while {sorted(others)[0]} is (each session had its own "
                                    "copy of the variables; eager code has one)")
        if name is not None:
            self.open_sessions.add(name)

    def initialise(self, node) -> None:
        """An initializer run: nothing in eager code, unless runs may have changed a variable
        since (then TF1 started the variables over, and eager variables would keep their values)."""
        if self.runs_changed_variables:
            raise Unsupported(node, "variables initialised again after runs changed them (TF1 starts them "
                                    "over; eager variables would keep their values)")

    def note_runs(self, fetched) -> None:
        """Remember whether running ``fetched`` may change a variable (a train op or an assign)."""
        if _names_in(fetched) & (set(self.train_ops) | set(self.updates)) or _assigns(fetched):
            self.runs_changed_variables = True

    def drop_binding(self, node, name: Optional[str], names: Set[str], what: str) -> None:
        """``sess = tf.Session()`` and the like: remembered, and the statement removed."""
        if name is None:
            raise Unsupported(node, f"{what} stored in something other than a name")
        self.rebind(name)
        names.add(name)
        self.changed = True
        return None

    def need_module_level(self, node, name, in_loop, what) -> None:
        if name is None:
            raise Unsupported(node, f"a {what} stored in something other than a name")
        if in_loop:
            raise Unsupported(node, f"a {what} is created inside a loop (the graph grows at every step)")

    def has_fetch(self, value: cst.BaseExpression) -> bool:
        finder = _FetchFinder(self)
        walk(value, finder)
        return finder.found

    # --- placeholders --------------------------------------------------
    def placeholder(self, name: str, call: cst.Call, kind: str) -> None:
        default = None
        if kind == "placeholder_with_default":
            given = _tf.argument(call, 0, "input")
            shape = _tf.argument(call, 1, "shape")
            default = given.value if given is not None else None
            dtype_code = _literal_dtype(default, self)
            if dtype_code is None:
                raise Unsupported(call, "tf.placeholder_with_default with a default whose dtype is not evident")
            dtype = cst.Arg(self.expr(dtype_code))
        else:
            dtype = _tf.argument(call, 0, "dtype")
            shape = _tf.argument(call, 1, "shape")
        if dtype is None:
            raise Unsupported(call, "a placeholder without a dtype")
        if name in self.specs:
            raise Unsupported(call, f"placeholder {name} is defined twice")
        self.rebind(name)
        spec = Placeholder(name, dtype.value, shape.value if shape is not None else None, default)
        self.placeholders[name] = self.specs[name] = spec
        self.order.append(name)
        self.changed = True

    def spec(self, param: str) -> str:
        """``tf.TensorSpec(shape, dtype)`` of a placeholder."""
        p = self.specs[param]
        shape = self.code(p.shape) if p.shape is not None else "None"
        return f"{self.tf}.TensorSpec({shape}, {self.code(p.dtype)})"

    def signature(self, params: Sequence[str]) -> str:
        return f"@{self.tf}.function(input_signature=[{', '.join(self.spec(p) for p in params)}])"

    def ordered(self, names: Set[str]) -> Tuple[str, ...]:
        """Placeholders in definition order; those with a default last (Python needs it)."""
        required = [p for p in self.order if p in names and self.specs[p].default is None]
        optional = [p for p in self.order if p in names and self.specs[p].default is not None]
        return tuple(required + optional)

    def parameters(self, params: Sequence[str]) -> str:
        parts = []
        for param in params:
            default = self.specs[param].default
            parts.append(f"{param}={self.code(default)}" if default is not None else param)
        return ", ".join(parts)

    # --- graph expressions ----------------------------------------------
    def graph_expr(self, value: cst.BaseExpression) -> Tuple[cst.BaseExpression, Tuple[str, ...]]:
        """``value`` with tensors called; and the placeholders it needs."""
        rewriter = _GraphExpr(self)
        new = value.visit(rewriter)
        return new, self.ordered(rewriter.needs)

    def tensor_function(self, name: str, value: cst.BaseExpression, line) -> cst.FunctionDef:
        if self.call_name(value) == "gradients":
            return self.gradients_function(name, value, line)
        self.target = name
        updates = self.assignments(value)
        if updates is not None and len(updates) > 1:
            return self.simultaneous_updates(name, value, updates, line)
        new, params = self.graph_expr(value)
        kind = "op" if self.call_name(value) in ("group", "no_op") else "tensor"
        func_name = self.function_name(name)
        self.rebind(name)
        self.tensors[name] = Tensor(name, params, kind, func_name)
        if updates:
            self.updates[name] = updates[0]
        self.changed = True
        lines = []
        if params:
            lines.append(self.signature(params))
        lines.append(f"def {func_name}({self.parameters(params)}):")
        lines.append(f"{self.module.default_indent}return {self.code(new)}")
        func = self.stmt("\n".join(lines) + "\n")
        return self.keep_comments(func, line)

    def assignments(self, value) -> Optional[List[Tuple[str, str, cst.BaseExpression]]]:
        """(variable, method, new value) of each assign in ``value`` if it is only assigns."""
        if isinstance(value, (cst.List, cst.Tuple)):
            items = [e.value for e in value.elements]
        elif self.call_name(value) == "group":
            items = [a.value for a in value.args if a.keyword is None]
        else:
            items = [value]
        found = []
        for item in items:
            if not isinstance(item, cst.Call):
                return None
            name = self.call_name(item)
            if name in ("assign", "assign_add", "assign_sub") and len(item.args) == 2:
                ref, new = item.args[0].value, item.args[1].value
            elif isinstance(item.func, cst.Attribute) and item.func.attr.value in ("assign", "assign_add", "assign_sub") \
                    and len(item.args) == 1:
                ref, new, name = item.func.value, item.args[0].value, item.func.attr.value
            else:
                return None
            if not (isinstance(ref, cst.Name) and ref.value in self.variables):
                return None
            found.append((ref.value, name, new))
        return found

    def simultaneous_updates(self, name, value, updates, line) -> cst.FunctionDef:
        """Several assigns run together: TF1 computes every new value before assigning any."""
        values = [self.graph_expr(new) for _, _, new in updates]
        params = self.ordered({p for _, ps in values for p in ps})
        func_name = self.function_name(name)
        self.rebind(name)
        self.tensors[name] = Tensor(name, params, "op", func_name)
        self.changed = True
        indent = self.module.default_indent
        new_names = [self.fresh(f"new_{var}") for var, _, _ in updates]
        lines = [self.signature(params)] if params else [f"@{self.tf}.function"]
        lines.append(f"def {func_name}({self.parameters(params)}):")
        lines.append(f"{indent}{', '.join(new_names)} = {', '.join(self.code(v) for v, _ in values)}")
        for (var, method, _), new in zip(updates, new_names):
            lines.append(f"{indent}{var}.{method}({new})")
        return self.keep_comments(self.stmt("\n".join(lines) + "\n"), line)

    def unpacked_tensors(self, node, target, value, line, in_loop) -> List[cst.BaseStatement]:
        """``a, b = tf.gradients(cost, [W, b])``: one function for the list, one per name."""
        elements = target.elements if isinstance(target, (cst.Tuple, cst.List)) else ()
        names = [e.value.value for e in elements if isinstance(e.value, cst.Name) and not isinstance(e, cst.StarredElement)]
        if not names or len(names) != len(elements):
            raise Unsupported(node, "graph tensors unpacked into something other than names")
        self.need_module_level(node, names[0], in_loop, "tensor")
        base = self.fresh("gradients" if self.call_name(value) == "gradients" else "_".join(names))
        out = [self.tensor_function(base, value, line)]
        for index, name in enumerate(names):
            out.append(self.tensor_function(name, self.expr(f"{base}[{index}]"), None))
        return out

    def function_name(self, name: str) -> str:
        """A tensor's function is named after it, unless an earlier definition took the name."""
        if name in self.defined:
            return self.fresh(name)
        self.defined.add(name)
        return name

    def gradients_function(self, name, value: cst.Call, line) -> cst.FunctionDef:
        ys = _tf.argument(value, 0, "ys")
        xs = _tf.argument(value, 1, "xs")
        if ys is None or xs is None or len(value.args) > 2:
            raise Unsupported(value, "tf.gradients with arguments beyond ys and xs")
        loss, params = self.graph_expr(ys.value)
        sources, more = self.graph_expr(xs.value)
        params = self.ordered(set(params) | set(more))
        sources_code = self.code(sources)
        if not isinstance(sources, (cst.List, cst.Tuple)):
            sources_code = f"[{sources_code}]"  # tf.gradients always returns a list
        func_name = self.function_name(name)
        self.rebind(name)
        self.tensors[name] = Tensor(name, params, "list", func_name)
        self.changed = True
        indent = self.module.default_indent
        tape, result = self.fresh("tape"), self.fresh("loss")
        lines = []
        if params:
            lines.append(self.signature(params))
        lines += [
            f"def {func_name}({self.parameters(params)}):",
            f"{indent}with {self.tf}.GradientTape() as {tape}:",
            f"{indent}{indent}{result} = {self.code(loss)}",
            f"{indent}return {tape}.gradient({result}, {sources_code})",
        ]
        return self.keep_comments(self.stmt("\n".join(lines) + "\n"), line)

    def keep_comments(self, func: cst.FunctionDef, line) -> cst.FunctionDef:
        comment = line.trailing_whitespace.comment if isinstance(line, cst.SimpleStatementLine) else None
        if comment is not None:
            last = func.body.body[-1]
            if isinstance(last, cst.SimpleStatementLine):
                last = last.with_changes(trailing_whitespace=line.trailing_whitespace)
                func = func.with_changes(body=func.body.with_changes(body=[*func.body.body[:-1], last]))
        self.generated.add(id(func))
        return func

    # --- optimizers and train steps --------------------------------------
    def keras_optimizer(self, call: cst.Call, name: str) -> cst.Call:
        spec = OPTIMIZERS[name]
        given: Dict[str, cst.BaseExpression] = {}
        positional = [a for a in call.args if a.keyword is None]
        if any(a.star for a in call.args):
            raise Unsupported(call, "an optimizer built from *args or **kwargs")
        for index, arg in enumerate(positional):
            if index >= len(spec.params):
                raise Unsupported(call, "an optimizer with more positional arguments than TF1 takes")
            given[spec.params[index]] = arg.value
        keywords = set()
        for arg in call.args:
            if arg.keyword is not None:
                given[arg.keyword.value] = arg.value
                keywords.add(arg.keyword.value)
        parts = []
        for param in spec.params:
            if param in given and param not in spec.dropped:
                key = spec.renames.get(param, param)
                raw = given[param]
                if isinstance(raw, cst.Name) and raw.value in self.tensors:
                    tensor = self.tensors[raw.value]
                    if tensor.params:
                        raise Unsupported(raw, "a learning rate computed from placeholders")
                    value = tensor.func  # Keras calls a callable learning rate at every step
                    if name == "train.MomentumOptimizer":
                        self.notes.append((call, "not numerically equivalent: with a changing learning rate, TF1 "
                                                 "Momentum scales the whole accumulated step by the current rate, "
                                                 "Keras SGD each step by its own"))
                else:
                    value = self.code(self.graph_expr(raw)[0])
                positional = param == "learning_rate" and not parts and param not in keywords
                parts.append(value if positional else f"{key}={value}")
        written = {spec.renames.get(p, p) for p in given}
        for key, default in spec.defaults.items():
            if key not in written:
                parts.append(f"{key}={default}")
        if spec.note:
            self.notes.append((call, f"not numerically equivalent: {spec.note}"))
        return self.expr(f"{self.tf}.optimizers.{spec.keras}({', '.join(parts)})")

    def is_minimize(self, value, method: str = "minimize") -> bool:
        if not (isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)):
            return False
        if value.func.attr.value != method:
            return False
        receiver = value.func.value
        if isinstance(receiver, cst.Name):
            return receiver.value in self.optimizers
        return self.call_name(receiver) in OPTIMIZERS

    def optimizer_name(self, receiver, out: List[cst.BaseStatement]) -> str:
        if isinstance(receiver, cst.Name):
            return receiver.value
        optimizer = self.fresh("optimizer")
        opt_call = self.keras_optimizer(receiver, self.call_name(receiver))
        out.append(self.stmt(f"{optimizer} = {self.code(opt_call)}\n"))
        self.optimizer_objects.append(optimizer)
        return optimizer

    def compute_gradients(self, name: str, value: cst.Call, line) -> List[cst.BaseStatement]:
        """``opt.compute_gradients(loss, var_list)`` -> a function of (gradient, variable) pairs."""
        out: List[cst.BaseStatement] = []
        self.optimizer_name(value.func.value, out)
        loss_arg = _tf.argument(value, 0, "loss")
        var_list = _tf.argument(value, 1, "var_list")
        if loss_arg is None or len(value.args) > 2:
            raise Unsupported(value, "compute_gradients() with arguments beyond loss and var_list")
        loss_expr, params = self.graph_expr(loss_arg.value)
        indent = self.module.default_indent
        tape, loss, variables = self.fresh("tape"), self.fresh("loss"), self.fresh("variables")
        func_name = self.function_name(name)
        lines = [self.signature(params)] if params else []
        lines += [
            f"def {func_name}({self.parameters(params)}):",
            f"{indent}with {self.tf}.GradientTape() as {tape}:",
            f"{indent}{indent}{loss} = {self.code(loss_expr)}",
        ]
        if var_list is not None:
            lines.append(f"{indent}{variables} = {self.code(self.graph_expr(var_list.value)[0])}")
        else:
            lines.append(f"{indent}{variables} = {tape}.watched_variables()")
        lines.append(f"{indent}return list(zip({tape}.gradient({loss}, {variables}), {variables}))")
        self.rebind(name)
        self.tensors[name] = Tensor(name, params, "pairs", func_name)
        self.changed = True
        out.append(self.keep_comments(self.stmt("\n".join(lines) + "\n"), line))
        return out

    def apply_gradients(self, name: str, value: cst.Call, line) -> List[cst.BaseStatement]:
        """``opt.apply_gradients(pairs, global_step)`` -> a train step without a loss."""
        out: List[cst.BaseStatement] = []
        optimizer = self.optimizer_name(value.func.value, out)
        pairs = _tf.argument(value, 0, "grads_and_vars")
        global_step = _tf.argument(value, 1, "global_step")
        if pairs is None or any(a.keyword is not None and a.keyword.value not in ("grads_and_vars", "global_step", "name")
                                for a in value.args):
            raise Unsupported(value, "apply_gradients() with arguments beyond grads_and_vars and global_step")
        pairs_expr, params = self.graph_expr(pairs.value)
        indent = self.module.default_indent
        func_name = self.function_name(name)
        lines = [self.signature(params) if params else f"@{self.tf}.function"]
        lines += [
            f"def {func_name}({self.parameters(params)}):",
            f"{indent}{optimizer}.apply_gradients({self.code(pairs_expr)})",
        ]
        if global_step is not None:
            lines.append(f"{indent}{self.code(global_step.value)}.assign_add(1)")
        self.rebind(name)
        self.train_ops[name] = TrainOp(func_name, params, None)
        self.changed = True
        out.append(self.keep_comments(self.stmt("\n".join(lines) + "\n"), line))
        return out

    def train_step(self, name: str, value: cst.Call, line) -> List[cst.BaseStatement]:
        receiver = value.func.value
        out: List[cst.BaseStatement] = []
        optimizer = self.optimizer_name(receiver, out)
        loss_arg = _tf.argument(value, 0, "loss")
        if loss_arg is None:
            raise Unsupported(value, "minimize() without a loss")
        known = {"loss", "var_list", "global_step", "name", "gate_gradients", "aggregation_method",
                 "colocate_gradients_with_ops"}
        for arg in value.args:
            if arg.keyword is not None and arg.keyword.value not in known:
                raise Unsupported(value, f"minimize({arg.keyword.value}=...)")
        if len([a for a in value.args if a.keyword is None]) > 3:
            raise Unsupported(value, "minimize() with positional arguments beyond loss, global_step, var_list")
        loss_expr, params = self.graph_expr(loss_arg.value)
        var_list = _tf.argument(value, 2, "var_list")
        global_step = _tf.argument(value, 1, "global_step")
        loss_name = loss_arg.value.value if isinstance(loss_arg.value, cst.Name) else None
        func_name = self.function_name(name)
        indent = self.module.default_indent
        tape, loss, variables = self.fresh("tape"), self.fresh("loss"), self.fresh("variables")
        lines = [self.signature(params) if params else f"@{self.tf}.function"]
        lines += [
            f"def {func_name}({self.parameters(params)}):",
            f"{indent}with {self.tf}.GradientTape() as {tape}:",
            f"{indent}{indent}{loss} = {self.code(loss_expr)}",
        ]
        if var_list is not None:
            lines.append(f"{indent}{variables} = {self.code(self.graph_expr(var_list.value)[0])}")
        else:
            lines.append(f"{indent}{variables} = {tape}.watched_variables()")
        lines.append(f"{indent}{optimizer}.apply_gradients(zip({tape}.gradient({loss}, {variables}), {variables}))")
        if global_step is not None:
            lines.append(f"{indent}{self.code(global_step.value)}.assign_add(1)")
        lines.append(f"{indent}return {loss}")
        self.rebind(name)
        self.train_ops[name] = TrainOp(func_name, params, loss_name)
        self.changed = True
        func = self.keep_comments(self.stmt("\n".join(lines) + "\n"), line)
        out.append(func)
        return out

    # --- fetches ---------------------------------------------------------
    def is_feed_dict(self, value: cst.Dict) -> bool:
        keys = [e.key for e in value.elements if isinstance(e, cst.DictElement)]
        return bool(keys) and len(keys) == len(value.elements) and all(
            isinstance(k, cst.Name) and k.value in self.placeholders for k in keys
        )

    def feed_arg(self, call: cst.Call, position: Optional[int]) -> Optional[cst.BaseExpression]:
        arg = _tf.argument(call, position, "feed_dict")
        return arg.value if arg is not None else None

    def feed_values(self, feeds: Optional[cst.BaseExpression]) -> Dict[str, cst.BaseExpression]:
        if feeds is None:
            return {}
        if isinstance(feeds, cst.Name) and feeds.value in self.feeds:
            feeds = self.feeds[feeds.value]
        if not isinstance(feeds, cst.Dict) or not self.is_feed_dict(feeds):
            raise Unsupported(feeds, "a feed_dict that is not a dict of placeholders")
        return {e.key.value: self.fetches(e.value) for e in feeds.elements}

    def call_with_feeds(self, name: str, params: Sequence[str], feeds: Dict[str, cst.BaseExpression], node) -> str:
        args = []
        for param in params:
            if self.specs[param].default is not None:
                if param in feeds:
                    args.append(f"{param}={self.code(feeds[param])}")
                continue
            if param not in feeds:
                raise Unsupported(node, f"placeholder {param} is not fed where {name} is run")
            args.append(self.code(feeds[param]))
        return f"{name}({', '.join(args)})"

    def fetch(self, node: cst.BaseExpression, feeds: Dict[str, cst.BaseExpression]) -> str:
        """Code computing what ``sess.run(node, feed_dict=feeds)`` returned."""
        if isinstance(node, (cst.List, cst.Tuple)):
            items = [self.fetch(e.value, feeds) for e in node.elements]
            if isinstance(node, cst.Tuple):
                return f"({', '.join(items)}{',' if len(items) == 1 else ''})"
            return f"[{', '.join(items)}]"
        if isinstance(node, cst.Dict):
            items = []
            for element in node.elements:
                if not isinstance(element, cst.DictElement):
                    raise Unsupported(node, "a fetch dict with ** unpacking")
                items.append(f"{self.code(element.key)}: {self.fetch(element.value, feeds)}")
            return "{" + ", ".join(items) + "}"
        if isinstance(node, cst.Name):
            name = node.value
            if name in self.containers:
                raise Unsupported(node, f"fetching {name}, a container of variables, as a whole")
            if name in self.variables:
                return f"{name}.numpy()"
            if name in self.tensors:
                tensor = self.tensors[name]
                call = self.call_with_feeds(tensor.func, tensor.params, feeds, node)
                if tensor.kind == "summary":
                    return call
                if tensor.kind == "list":
                    return f"[value.numpy() for value in {call}]"
                if tensor.kind == "pairs":
                    g, v = self.fresh("grad"), self.fresh("var")
                    return f"[({g}.numpy(), {v}.numpy()) for {g}, {v} in {call}]"
                if tensor.kind == "op":
                    return f"{call} and None"
                return f"{call}.numpy()"
            if name in self.train_ops:
                raise Unsupported(node, "a train op fetched where its value is used")
            if name in self.placeholders:
                return self.code(feeds[name]) if name in feeds else self._unfed(node, name)
            if name in self.eager_values:
                return f"{name}.numpy()"
            raise Unsupported(node, f"{name} is fetched but is not a tensor of this program")
        new, params = self.graph_expr(node)
        values = {}
        for param in params:
            if param in feeds:
                values[param] = feeds[param]
            elif self.specs[param].default is not None:
                values[param] = self.specs[param].default
            else:
                self._unfed(node, param)
        new = new.visit(_Substitute(values, self))
        code = self.code(new)
        if not isinstance(new, (cst.Name, cst.Call, cst.Attribute, cst.Subscript)) and not getattr(new, "lpar", ()):
            code = f"({code})"  # `.numpy()` binds tighter than the operators in it
        return f"{code}.numpy()"

    def _unfed(self, node, name):
        raise Unsupported(node, f"placeholder {name} is not fed")

    def run_statement(self, call: cst.Call, targets, fetch=None, feeds=None) -> List[cst.BaseSmallStatement]:
        """``[targets =] sess.run(fetches, feed_dict)`` as eager statements."""
        if fetch is None:
            fetch_arg = _tf.argument(call, 0, "fetches")
            if fetch_arg is None:
                raise Unsupported(call, "session.run() without fetches")
            fetch = fetch_arg.value
            feeds = self.feed_arg(call, 1)
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value not in ("fetches", "feed_dict", "session"):
                raise Unsupported(call, f"run({arg.keyword.value}=...)")
        values = self.feed_values(feeds)
        self.changed = True
        if targets is not None:
            for bound in _names_in(targets):
                self.rebind(bound)
        elements = [e.value for e in fetch.elements] if isinstance(fetch, (cst.List, cst.Tuple)) else [fetch]
        trains = [e for e in elements if isinstance(e, cst.Name) and e.value in self.train_ops]
        inits = [e for e in elements if self.is_init(e)]
        if inits:
            if len(inits) == len(elements) and targets is None:
                self.initialise(call)
                return None
            raise Unsupported(call, "an initializer fetched together with other tensors")
        self.note_runs(fetch)
        if not trains:
            if targets is None:
                return self.discarded(elements, values)
            if isinstance(targets, (cst.Tuple, cst.List)) and isinstance(fetch, (cst.List, cst.Tuple)) and len(
                targets.elements) == len(fetch.elements) and len(fetch.elements) > 1:
                code = ", ".join(self.fetch(e.value, values) for e in fetch.elements)  # unpacked at once
            else:
                code = self.fetch(fetch, values)
            return [cst.Assign([cst.AssignTarget(targets)], self.expr(code))]
        return self.run_train(call, fetch, elements, trains, targets, values)

    def discarded(self, elements, values) -> List[cst.BaseSmallStatement]:
        """A run whose result is thrown away: only what it changes matters."""
        assigns = [e for e in elements if isinstance(e, cst.Name) and e.value in self.updates]
        if len(assigns) > 1:
            if len(assigns) != len(elements):
                raise Unsupported(elements[0], "assign ops run together with other ops")
            return self.run_updates([e.value for e in assigns], values)
        out = []
        for element in elements:
            if isinstance(element, cst.Name) and element.value in self.tensors:
                tensor = self.tensors[element.value]
                out.append(cst.Expr(self.expr(self.call_with_feeds(tensor.func, tensor.params, values, element))))
            elif isinstance(element, cst.Name) and (element.value in self.variables or element.value in self.eager_values):
                continue
            else:
                out.append(cst.Expr(self.expr(self.fetch(element, values))))
        return out

    def run_updates(self, names: List[str], feeds) -> List[cst.BaseSmallStatement]:
        """``sess.run([update_W, update_b])``: every new value first, then the assigns, as TF1 did."""
        computed, applied = [], []
        for name in names:
            var, method, new = self.updates[name]
            expr, params = self.graph_expr(new)
            subst = {}
            for param in params:
                if param in feeds:
                    subst[param] = feeds[param]
                elif self.specs[param].default is not None:
                    subst[param] = self.specs[param].default
                else:
                    self._unfed(new, param)
            computed.append(self.code(expr.visit(_Substitute(subst, self))))
            applied.append((var, method))
        new_names = [self.fresh(f"new_{var}") for var, _ in applied]
        out: List[cst.BaseSmallStatement] = [cst.Assign([cst.AssignTarget(self.expr(", ".join(new_names)))],
                                                         self.expr(", ".join(computed)))]
        for (var, method), new in zip(applied, new_names):
            out.append(cst.Expr(self.expr(f"{var}.{method}({new})")))
        return out

    def is_init(self, node) -> bool:
        if isinstance(node, cst.Attribute) and node.attr.value == "initializer":
            return isinstance(node.value, cst.Name) and node.value.value in self.variables  # `W.initializer`
        if isinstance(node, cst.Name):
            return node.value in self.inits
        return self.call_name(node) in INITIALIZERS

    def run_train(self, call, fetch, elements, trains, targets, values):
        """Fetches run with a train op: the others are read before the update, as in TF1."""
        single = not isinstance(fetch, (cst.List, cst.Tuple))
        if targets is None:
            target_list: List[Optional[cst.BaseExpression]] = [None] * len(elements)
        elif single:
            target_list = [targets]
        elif isinstance(targets, (cst.Tuple, cst.List)) and len(targets.elements) == len(elements) and not any(
            isinstance(e, cst.StarredElement) for e in targets.elements
        ):
            target_list = [e.value for e in targets.elements]
        else:
            raise Unsupported(call, "the result of a run with a train op is not unpacked name by name")
        losses = {self.train_ops[t.value].loss for t in trains}
        before, after, variables_after = [], [], []
        for element, target in zip(elements, target_list):
            is_train = isinstance(element, cst.Name) and element.value in self.train_ops
            if is_train:
                continue
            if isinstance(element, cst.Name) and element.value in losses:
                continue
            if target is None or _is_underscore(target):
                continue
            read = cst.Assign([cst.AssignTarget(target)], self.expr(self.fetch(element, values)))
            if isinstance(element, cst.Name) and element.value in self.variables:
                variables_after.append(read)  # TF1 hands back a variable as the run leaves it: updated
            else:
                before.append(read)
        for element, target in zip(elements, target_list):
            if not (isinstance(element, cst.Name) and element.value in self.train_ops):
                continue
            op = self.train_ops[element.value]
            call_code = self.call_with_feeds(op.name, op.params, values, element)
            loss_target = None
            for other, other_target in zip(elements, target_list):
                if isinstance(other, cst.Name) and other.value == op.loss and other_target is not None:
                    loss_target = other_target
            if loss_target is not None and not _is_underscore(loss_target):
                after.append(cst.Assign([cst.AssignTarget(loss_target)], self.expr(f"{call_code}.numpy()")))
            else:
                after.append(cst.Expr(self.expr(call_code)))
            if target is not None and not _is_underscore(target):
                after.append(cst.Assign([cst.AssignTarget(target)], cst.Name("None")))
        return before + after + variables_after

    def fetches(self, node: cst.BaseExpression) -> cst.BaseExpression:
        """``node`` with every sess.run / .eval() inside it computed eagerly."""
        return node.visit(_FetchRewriter(self))

    def mentions_graph(self, node, modules: bool = True) -> bool:
        """Does ``node`` use a graph object of this program (or, with ``modules``, TensorFlow)?"""
        watched = (self.graph_names() | self.variables | self.eager_values | self.savers | self.writers
                   | self.graphs)
        if modules:
            watched |= {local for local, full in self.imports.aliases.items() if full.startswith("tensorflow")}
        finder = _Mentions(watched)
        walk(node, finder)
        return finder.found

    def plain(self, node):
        """A statement that builds no graph: rewrite the fetches in it."""
        if not self.mentions_graph(node, modules=False):
            return node  # plain Python: nothing to rewrite, and a transform of it would cost time
        return node.visit(_FetchRewriter(self))


def _queue_api(name: str) -> bool:
    return (name.endswith("Queue") or name.startswith("queue.") or name in (
        "train.start_queue_runners", "train.Coordinator", "train.QueueRunner", "train.batch", "train.shuffle_batch",
        "train.string_input_producer", "train.slice_input_producer", "train.input_producer"))


class _Comments(Visitor):
    TRIVIA = True  # comments are trivia

    def __init__(self) -> None:
        self.found: List[str] = []

    def visit_Comment(self, node: cst.Comment) -> None:
        self.found.append(node.value)


def _own_comments(stmt, trailing: bool = True) -> List[str]:
    """Comments written inside a statement (not the comment lines above it)."""
    collector = _Comments()
    if isinstance(stmt, cst.SimpleStatementLine):
        for small in stmt.body:
            walk(small, collector)
        if trailing:
            walk(stmt.trailing_whitespace, collector)
    elif isinstance(stmt, cst.BaseCompoundStatement):
        walk(stmt.with_changes(leading_lines=()), collector)
    return collector.found


def _comment_lines(comments: List[str]) -> List[cst.EmptyLine]:
    return [cst.EmptyLine(comment=cst.Comment(c)) for c in comments]


def _source_names(text: str) -> Optional[Set[str]]:
    """Every name the source uses or binds, read from its tokens (attribute names left out)."""
    names: Set[str] = set()
    previous = ""
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.NAME and previous != ".":
                names.add(token.string)
            if token.type not in (tokenize.NL, tokenize.COMMENT):
                previous = token.string
    except (tokenize.TokenError, SyntaxError):
        return None
    return names


def _starts_blank(stmt) -> bool:
    lines = getattr(stmt, "leading_lines", ())
    return bool(lines) and lines[0].comment is None


def _is_underscore(node) -> bool:
    return isinstance(node, cst.Name) and node.value == "_"


def _dotted(node) -> Optional[str]:
    from tfmigrate.names import dotted_name

    return dotted_name(node) if node is not None else None


def _strip_semicolons(smalls: List[cst.BaseSmallStatement]) -> List[cst.BaseSmallStatement]:
    out = []
    for i, small in enumerate(smalls):
        if i < len(smalls) - 1:
            small = small.with_changes(semicolon=cst.Semicolon(whitespace_after=cst.SimpleWhitespace(" ")))
        else:
            small = small.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
        out.append(small)
    return out


class _Mentions(Visitor):
    """Does code use any of these names (or pass a feed_dict)?"""

    def __init__(self, names: Set[str]) -> None:
        self.names = names
        self.found = False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        walk(node.value, self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        if node.keyword is not None and node.keyword.value == "feed_dict":
            self.found = True
        walk(node.value, self)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        if node.value in self.names:
            self.found = True


class _CallFinder(Visitor):
    """Calls of the given TensorFlow functions: the first one, or with ``every`` all of them."""

    def __init__(self, converter: Converter, names: Set[str], every: bool = False) -> None:
        self.converter = converter
        self.names = names
        self.every = every
        self.found = False
        self.calls: List[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        if self.converter.call_name(node) in self.names:
            self.found = True
            self.calls.append(node)
            if not self.every:
                raise StopWalk


class _FetchFinder(Visitor):
    def __init__(self, converter: Converter) -> None:
        self.converter = converter
        self.found = False

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute) and isinstance(node.func.value, cst.Name) and (
            node.func.value.value in self.converter.savers
        ):
            self.found = True
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in ("run", "eval"):
            receiver = node.func.value
            if isinstance(receiver, cst.Name) and (
                receiver.value in self.converter.sessions or receiver.value in self.converter.graph_names()
                or receiver.value in self.converter.variables
            ):
                self.found = True
        if self.found:
            raise StopWalk


class _SkipNames(Transformer):
    """A transformer that leaves attribute and keyword names alone."""

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        return False

    def leave_Attribute(self, original, updated):
        return updated.with_changes(value=original.value.visit(self))

    def visit_Arg(self, node: cst.Arg) -> bool:
        return False

    def leave_Arg(self, original, updated):
        return updated.with_changes(value=original.value.visit(self))


class _GraphExpr(_SkipNames):
    """A tensor expression: tensors become calls, placeholders parameters."""

    def __init__(self, converter: Converter) -> None:
        super().__init__()
        self.c = converter
        self.needs: Set[str] = set()

    def leave_Call(self, original: cst.Call, updated: cst.Call):
        name = self.c.call_name(original)
        if name in ("assign", "assign_add", "assign_sub") and len(updated.args) == 2:
            ref, value = updated.args
            return cst.Call(func=cst.Attribute(ref.value, cst.Name(name)), args=[value.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT, comma=cst.MaybeSentinel.DEFAULT)])
        if name in INITIALIZERS_V2:
            func = self.c.expr(f"{self.c.tf}.{INITIALIZERS_V2[name]}")
            args = [a for a in updated.args if not (a.keyword is not None and a.keyword.value == "dtype")]
            given = {a.keyword.value for a in args if a.keyword is not None}
            params = INITIALIZER_PARAMS.get(name, ())
            given |= set(params[:len([a for a in args if a.keyword is None])])
            for key, default in INITIALIZER_DEFAULTS.get(name, {}).items():
                if key not in given:  # Keras's defaults differ from TF1's: pass TF1's
                    args.append(cst.Arg(self.c.expr(default), keyword=cst.Name(key),
                                        equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))))
            if args:
                args = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in args]
            if name == "contrib.layers.xavier_initializer":
                uniform = _tf.argument(original, 0, "uniform")
                if uniform is not None:
                    if self.c.code(uniform.value) not in ("True", "False"):
                        raise Unsupported(original, "xavier_initializer(uniform=<not a literal>)")
                    if self.c.code(uniform.value) == "False":
                        func = self.c.expr(f"{self.c.tf}.keras.initializers.GlorotNormal")
                    args = [a for a in args if not (a.keyword is not None and a.keyword.value == "uniform")]
                    args = args[1:] if args and original.args and original.args[0].keyword is None else args
            return updated.with_changes(func=func, args=args)
        if name is not None and name.startswith("layers."):
            return self.c.layer_call(updated, name)
        if name in DECAYS:
            return self.c.decay(updated, name)
        if name == "div":
            return self.c.python2_division(original, updated)
        if name == "contrib.layers.flatten" and len(updated.args) == 1 and updated.args[0].keyword is None:
            # Keras's Flatten keeps the batch dimension and the static size of the rest, as contrib's did.
            self.c.changed = True
            return self.c.expr(f"{self.c.tf}.keras.layers.Flatten()({self.c.code(updated.args[0].value)})")
        if name is not None and (name.startswith("contrib.") or name in PLACEHOLDERS | SESSIONS):
            raise Unsupported(original, f"tf.{name} inside a graph expression")
        if name is not None and _queue_api(name):
            raise Unsupported(original, f"tf.{name}: queues and queue runners (a TF1 input pipeline)")
        return updated

    def leave_Name(self, original: cst.Name, updated: cst.Name):
        value = original.value
        c = self.c
        if value in c.placeholders:
            self.needs.add(value)
            return updated
        if value in c.tensors:
            tensor = c.tensors[value]
            self.needs.update(tensor.params)
            return c.expr(f"{tensor.func}({', '.join(tensor.params)})")
        if value in c.train_ops or value in c.sessions or value in c.inits:
            raise Unsupported(original, f"{value} (a train op, session or initializer) used inside a tensor")
        return updated


class _Substitute(_SkipNames):
    """Placeholders in a fetched expression replaced by the values fed."""

    def __init__(self, values: Dict[str, cst.BaseExpression], converter: Converter) -> None:
        super().__init__()
        self.values = values
        self.c = converter

    def leave_Call(self, original: cst.Call, updated: cst.Call):
        # A function with an input signature casts what it is given: pass fed values as they are.
        funcs = {t.func for t in self.c.tensors.values()} | {t.name for t in self.c.train_ops.values()}
        if isinstance(original.func, cst.Name) and original.func.value in funcs:
            args = [
                new.with_changes(value=self.values[old.value.value])
                if isinstance(old.value, cst.Name) and old.value.value in self.values else new
                for old, new in zip(original.args, updated.args)
            ]
            return updated.with_changes(args=args)
        return updated

    def leave_Name(self, original: cst.Name, updated: cst.Name):
        if original.value in self.values:
            p = self.c.specs[original.value]
            return self.c.expr(f"{self.c.tf}.constant({self.c.code(self.values[original.value])}, {self.c.code(p.dtype)})")
        return updated


class _FetchRewriter(_SkipNames):
    """Plain code: sess.run()/x.eval()/op.run() become eager calls."""

    def __init__(self, converter: Converter) -> None:
        super().__init__()
        self.c = converter

    def leave_Call(self, original: cst.Call, updated: cst.Call):
        c = self.c
        func = original.func
        if isinstance(func, cst.Name) and func.value == "print":
            self.printing -= 1
        if not isinstance(func, cst.Attribute):
            return updated
        if c.call_name(original) == "div":
            return c.python2_division(original, updated)
        if c.call_name(original) == "train.checkpoint_exists" and len(updated.args) == 1 and not updated.args[0].keyword:
            # A checkpoint a tf.train.Checkpoint writes is known by its index file.
            c.changed = True
            prefix = updated.args[0].value
            code = c.code(prefix)
            if not isinstance(prefix, (cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.SimpleString)):
                code = f"({code})"
            return c.expr(f'{c.tf}.io.gfile.exists({code} + ".index")')
        saved = c.saver_call(original)
        if saved is not None:
            c.changed = True
            return saved
        method, receiver = func.attr.value, func.value
        if self.evaluates_expression(original):
            c.changed = True
            return c.expr(c.fetch(receiver, c.feed_values(c.feed_arg(original, 0))))
        if method == "run" and isinstance(receiver, cst.Name) and receiver.value in c.sessions:
            fetch = _tf.argument(original, 0, "fetches")
            if fetch is None:
                raise Unsupported(original, "session.run() without fetches")
            if any(isinstance(e, cst.Name) and e.value in c.train_ops for e in _elements(fetch.value)):
                raise Unsupported(original, "a train op run inside an expression")
            c.note_runs(fetch.value)
            c.changed = True
            return c.expr(c.fetch(fetch.value, c.feed_values(c.feed_arg(original, 1))))
        if method == "eval" and isinstance(receiver, cst.Name) and (
            receiver.value in c.tensors or receiver.value in c.variables or receiver.value in c.eager_values
        ):
            c.changed = True
            return c.expr(c.fetch(receiver, c.feed_values(c.feed_arg(original, 0))))
        if method == "run" and isinstance(receiver, cst.Name) and receiver.value in c.train_ops:
            raise Unsupported(original, "a train op run inside an expression")
        return updated

    def leave_Name(self, original: cst.Name, updated: cst.Name):
        c = self.c
        value = original.value
        if value in c.sessions:
            raise Unsupported(original, f"session {value} is used for more than run() (passed on or stored)")
        if value in c.graphs:
            raise Unsupported(original, f"graph {value} is used for more than `with {value}.as_default():`")
        if value in c.placeholders and id(original) in self.printed and value in c.specs:
            # `print(X)` showed the placeholder's description; its TF2 counterpart is its TensorSpec.
            c.changed = True
            return c.expr(c.spec(value))
        if value in c.placeholders:
            raise Unsupported(original, f"placeholder {value} is used outside a feed (in Python code or a loop body)")
        if value in c.inits:
            raise Unsupported(original, f"initializer {value} is used for more than running it")
        if value in c.tensors and self.printing:
            return updated  # `print(t)` showed a symbolic tensor in TF1; now it shows the function
        if value in c.tensors or value in c.train_ops:
            raise Unsupported(original, f"graph tensor {value} is used outside a session run")
        return updated

    printing = 0  # inside print(...)
    printed: Set[int] = frozenset()  # names passed to print(...) themselves

    def visit_Call(self, node: cst.Call) -> bool:
        if isinstance(node.func, cst.Name) and node.func.value == "print":
            self.printing += 1
            self.printed = self.printed | {id(a.value) for a in node.args if isinstance(a.value, cst.Name)}
        # A run/eval call is rewritten whole in leave_Call: its parts are not plain code.
        return not self.is_fetch_call(node)

    def evaluates_expression(self, node: cst.Call) -> bool:
        """``tf.matmul(a, b).eval()``: an expression of TensorFlow ops evaluated in the default session."""
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value != "eval" or isinstance(func.value, cst.Name):
            return False
        for index, arg in enumerate(node.args):  # eval(feed_dict=None, session=None), feed_dict first
            if (arg.keyword is None and index > 0) or (
                    arg.keyword is not None and arg.keyword.value not in ("feed_dict", "session")):
                return False
        return self.c.mentions_graph(func.value)

    def is_fetch_call(self, node: cst.Call) -> bool:
        c = self.c
        if self.evaluates_expression(node):
            return True
        if not isinstance(node.func, cst.Attribute) or not isinstance(node.func.value, cst.Name):
            return False
        method, receiver = node.func.attr.value, node.func.value.value
        if method in ("save", "restore") and receiver in c.savers:
            return True
        if method == "run":
            return receiver in c.sessions or receiver in c.train_ops
        return method == "eval" and (receiver in c.tensors or receiver in c.variables or receiver in c.eager_values)

    def leave_Arg(self, original, updated):
        if original.keyword is not None and original.keyword.value == "feed_dict":
            raise Unsupported(original, "a feed_dict passed to something that is not a known session")
        return super().leave_Arg(original, updated)


def _elements(node):
    if isinstance(node, (cst.List, cst.Tuple)):
        return [e.value for e in node.elements]
    return [node]


class _LeftoverFinder(Visitor):
    """TF1-only names an eager rewrite would leave behind (they fail on TF2)."""

    def __init__(self, converter: Converter) -> None:
        self.c = converter
        self.inner: Set[int] = set()
        self.scopes: Set[int] = set()  # variable_scope calls that become name_scope

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if self.c.naming_scope(node):
            self.scopes.add(id(node.item))

    def visit_Call(self, node: cst.Call) -> Optional[bool]:
        if id(node) in self.scopes:
            walk(node.args[0], self)
            return False
        name = self.c.call_name(node)
        if name == "summary.FileWriter":
            walk(node.args[0], self) if node.args else None
            return False  # its graph argument is dropped with it
        if name == "train.Saver":
            return False  # Saver(tf.global_variables()) becomes a Checkpoint of every variable
        return None

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if id(node) in self.inner:
            return
        inner = node.value
        while isinstance(inner, cst.Attribute):
            self.inner.add(id(inner))
            inner = inner.value
        name = self.c.tf_name(node)
        if not name or name in HANDLED or _tf.api()["renames"].get(name) or name in OPTIMIZERS:
            return
        if name.startswith(("layers.", "train.")) and (name in LAYERS or name in DECAYS):
            return
        table = _tf.api()
        if name in table["compat_only"] or name in table.get("removed", ()):
            raise Unsupported(node, f"tf.{name} has no TensorFlow 2 equivalent")


def to_eager(module: cst.Module, imports, text: Optional[str] = None) -> Tuple[cst.Module, List[Tuple[cst.CSTNode, str]]]:
    """The eager rewrite of ``module`` and notes on numerics; raises Unsupported."""
    converter = Converter(module, imports, text)
    walk(module, _LeftoverFinder(converter))
    new = converter.convert()
    finder = _CallFinder(converter, {"div"})
    walk(new, finder)
    if finder.found:  # in code the rewrite kept as it was
        raise Unsupported(finder.calls[0], "tf.div where the rewrite cannot see the dtype it divides")
    return new, converter.notes
