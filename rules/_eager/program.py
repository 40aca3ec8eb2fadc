"""Stage 1, analyse: facts about the whole program, computed once and only read afterwards.

Which name TensorFlow is imported as, which functions make variables, whether
the program shares variables between scopes, which TF1-only names the
rewrite would leave behind, every name the source already uses.
"""
from __future__ import annotations

from collections import Counter
from typing import Dict, FrozenSet, Optional, Set, Tuple

import libcst as cst

from tfmigrate.names import Chains, function_locals
from tfmigrate.traverse import StopWalk, Visitor, index, walk, walk_into

from .. import _losses, _slim, _tf, _vocab
from . import global_steps, queries, scope_reasons, scopes, sections, stepwise

TF_MODULES = ("tensorflow", "tensorflow.compat.v1", "tensorflow.compat.v2")
_BATCH_NORM = "layers.batch_normalization"
INLINE_KERAS = "a Keras layer built where it is called"


class Program:
    """The facts the later stages read. Nothing here changes once ``analyse`` returns."""

    def __init__(self, module: cst.Module, imports, text: Optional[str], moved: FrozenSet[str] = frozenset()) -> None:
        self.module = module
        self.moved = moved  # TF1 names another rewrite (the scaffolding rules) moves to TF2 code
        self.imports = imports
        self.text = text
        self.tf: Optional[str] = next(
            (local for local, full in sorted(imports.aliases.items()) if full in TF_MODULES), None)
        self.tf_locals: FrozenSet[str] = frozenset(
            local for local, full in imports.aliases.items() if full.startswith("tensorflow"))
        self.reuses_variables = False  # variables are shared between scopes (reuse=..., reuse_variables())
        self.factories: FrozenSet[str] = frozenset()
        self.models = scopes.Models()  # model functions that become tf.Module classes (scopes.py)
        self.global_steps: FrozenSet[int] = frozenset()  # global steps made once: variables (global_steps.py)
        self.leftover: Optional[Tuple[cst.CSTNode, str]] = None  # a TF1-only name the rewrite would keep
        self.stepwise: Dict[int, cst.BaseExpression] = {}  # a read of a constant set again -> its value (stepwise.py)
        # `scope.name` of a module-level `with tf.variable_scope("conv1") as scope:`, in its body -> "conv1"
        self.scope_names: Dict[int, cst.SimpleString] = {}
        self.dataset_functions: FrozenSet[str] = frozenset()  # functions returning a dataset they build
        self.reset_helpers: FrozenSet[str] = frozenset()  # `def reset_graph(seed=42)`: resets, seeds (sections.py)
        # variable_scope items whose block makes no variable, `as` a name its function does not read
        self.makes_nothing: FrozenSet[int] = frozenset()
        self._source_names: Optional[Set[str]] = None
        self._name_uses: Optional[Counter] = None

    def tf_name(self, node: cst.CSTNode) -> Optional[str]:
        """The TF-relative name ``node`` refers to (``train.AdamOptimizer``), or None."""
        if type(node) is cst.Name or type(node) is cst.Attribute:
            name = _tf.relative(self.imports.qualify(node))
            if name is not None and name in self.moved and name.startswith("contrib."):
                from .. import contrib_names, tf1_eager

                # `K.layers.Dense` of tf.contrib.keras, `tfe.Variable`: TFM120 and TFM119 write their TF2 names
                return contrib_names.tf2_name(name) or tf1_eager.tf2_name(name) or name
            return name
        return None

    def call_name(self, node: cst.CSTNode) -> Optional[str]:
        """For a call of a TensorFlow function, its TF-relative name."""
        return self.tf_name(node.func) if type(node) is cst.Call else None

    def _unread(self, asname: Optional[cst.AsName]) -> bool:
        """No ``as`` target, or a plain name that the source mentions only as the target of
        ``with tf.variable_scope(...) as <name>:`` statements."""
        if asname is None:
            return True
        if not isinstance(asname.name, cst.Name):
            return False
        if self._name_uses is None:
            uses = Counter(n.value for n in queries.find(self.module, cst.Name, values=True))
            for item in queries.find(self.module, cst.WithItem, lambda i: (
                    i.asname is not None and isinstance(i.asname.name, cst.Name)
                    and self.call_name(i.item) == "variable_scope")):
                uses[item.asname.name.value] -= 1
            for node in queries.find(self.module, cst.Attribute, lambda a: id(a) in self.scope_names):
                uses[node.value.value] -= 1  # `scope.name`, read as the scope's name (scope_names)
            self._name_uses = uses
        return self._name_uses[asname.name.value] == 0

    def source_names(self) -> Set[str]:
        """Every name the source uses or binds (a new name must not be one of them)."""
        if self._source_names is None:
            self._source_names = queries.source_names(self.module)
        return set(self._source_names)

    def naming_scope(self, item: cst.WithItem) -> bool:
        """``with tf.variable_scope(name):`` in a program that never reuses variables: in
        TF2 a ``tf.name_scope``. Sharing (``reuse``) keeps the program on compat. ``as scope``
        is allowed where nothing reads ``scope`` (the rewrite drops it)."""
        call = item.item
        if self.call_name(call) != "variable_scope" or not call.args or not (
                self._unread(item.asname) or id(item) in self.makes_nothing):
            return False
        arg = call.args[0]
        if arg.star or (arg.keyword is not None and arg.keyword.value != "name_or_scope"):
            return False
        if len(call.args) == 1 and not self.reuses_variables:
            return True
        # `with tf.variable_scope(name, reuse=tf.AUTO_REUSE):` around a max pool: its reuse shares nothing
        return id(item) in self.makes_nothing and all(a.keyword is not None and a.keyword.value == "reuse"
                                                      for a in call.args[1:])


def analyse(module: cst.Module, imports, text: Optional[str] = None, moved: FrozenSet[str] = frozenset(),
            whole: Optional[cst.Module] = None) -> Program:
    """The facts; ``whole``: the module ``module`` is a section of (its names are taken too)."""
    program = Program(module, imports, text, moved)
    if whole is not None:
        program._source_names = queries.source_names(whole)
    index(module)  # the questions asked of this tree are answered from one walk
    program.models = scopes.find(program, module)
    program.factories = frozenset(
        stmt.name.value for stmt in module.body
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value not in program.models
        and queries.calls_of(stmt, program.call_name, {"Variable", "get_variable"}, first=True)
    )
    program.reuses_variables = queries.holds(module, (cst.Call, cst.Attribute), lambda n: _shares(program, n))
    program.global_steps = global_steps.made_once(module, imports, text)
    program.stepwise = stepwise.find(module)
    program.scope_names = _scope_names(program, module.body, [])
    program.reset_helpers = sections.reset_helpers(whole or module, program.call_name)
    from .input_functions import dataset_functions  # (it reads the rewrite's state: imported here)

    program.dataset_functions = dataset_functions(module, program.call_name)
    program.makes_nothing = _makes_nothing(program, module, imports)
    finder = _Leftovers(program)
    walk(module, finder)
    program.leftover = finder.found
    return program


BUILTINS = frozenset({"len", "int", "float", "bool", "str", "range", "list", "tuple", "dict", "min", "max", "abs",
                      "sum", "zip", "enumerate", "isinstance", "print", "round", "sorted", "reversed"})
_MAKERS = ("contrib.", "layers.", "keras.", "compat.", "estimator.", "nn.rnn_cell", "nn.dynamic_rnn", "nn.static_rnn",
           "nn.bidirectional", "Variable", "get_variable", "make_template")


def _makes_nothing(program: Program, module: cst.Module, imports) -> FrozenSet[int]:
    """The variable_scope items whose block makes no variable (``_makes``, read with the names of its
    function, or the module's own values) and whose ``as`` name that function does not read."""
    def scoped(stmt: cst.With) -> bool:
        return any(program.call_name(item.item) == "variable_scope" for item in stmt.items)

    withs = queries.find(module, cst.With, scoped)
    if not withs:
        return frozenset()
    # each With's innermost function (the module for one outside functions)
    within = {id(stmt): func for func in queries.find(module, cst.FunctionDef)
              for stmt in queries.find(func, cst.With, scoped)}
    values = {name for stmt in module.body if not isinstance(stmt, cst.FunctionDef) for name in queries.bound_names(
        stmt)} - set(imports.aliases)  # the module's own values (not the modules it imports)
    found = set()
    for stmt in withs:
        func = within.get(id(stmt), module)
        if _makes(program, stmt.body, function_locals(func) if func is not module else values):
            continue
        found.update(id(item) for item in stmt.items if program.call_name(item.item) == "variable_scope" and (
            item.asname is None or isinstance(item.asname.name, cst.Name) and not queries.holds(
                func, cst.Name, lambda n, bound=item.asname.name: n.value == bound.value and n is not bound)))
    return frozenset(found)


def _makes(program: Program, block, local: Set[str]) -> bool:
    """May the block make variables? Yes unless it calls only TensorFlow ops, builtins and methods of the
    values ``local`` names: a function of the program or of another module may make them with
    tf.get_variable, whose names a name scope would not prefix."""
    for call in queries.find(block, cst.Call):
        name = program.call_name(call)
        if name is not None:
            if name.startswith(_MAKERS):
                return True
            continue
        root = call.func
        while isinstance(root, (cst.Attribute, cst.Subscript, cst.Call)):
            root = root.value if not isinstance(root, cst.Call) else root.func
        if not (isinstance(root, cst.Name) and (root.value in local and isinstance(call.func, cst.Attribute)
                                                or root is call.func and root.value in BUILTINS)):
            return True
    return False


def _scope_names(program: Program, body, path) -> Dict[int, cst.SimpleString]:
    """``scope.name`` read in the body of a module-level ``with tf.variable_scope("conv1") as scope:`` (each
    scope named by a literal): the scope's whole name, as TF1 gave it (``"conv1"``, ``"outer/conv1"``)."""
    found: Dict[int, cst.SimpleString] = {}
    for stmt in body:
        if not isinstance(stmt, cst.With) or len(stmt.items) != 1:
            continue
        item = stmt.items[0]
        if program.call_name(item.item) != "variable_scope":
            if program.call_name(item.item) == "name_scope" and isinstance(stmt.body, cst.IndentedBlock):
                found.update(_scope_names(program, stmt.body.body, path))  # (a name scope names no variable)
            continue
        name = scopes.literal(item.item.args[0].value) if item.item.args else None
        if name is None or not isinstance(stmt.body, cst.IndentedBlock):
            continue
        inner = [*path, name]
        if item.asname is not None and isinstance(item.asname.name, cst.Name):
            target = item.asname.name.value
            quote, text = item.item.args[0].value.quote, "/".join(inner)
            whole = cst.SimpleString(f"{quote}{text}{quote}" if quote in ('"', "'") and quote not in text
                                     and "\\" not in text else repr(text))
            for node in queries.find(stmt.body, cst.Attribute, lambda a: (
                    type(a.value) is cst.Name and a.value.value == target and a.attr.value == "name")):
                found[id(node)] = whole
        found.update(_scope_names(program, stmt.body.body, inner))
    return found


def _shares(program: Program, node) -> bool:
    """``reuse=True`` (or any value but False and None), ``scope.reuse_variables()``, ``tf.AUTO_REUSE``."""
    if id(node) in program.models.handled:
        return False  # sharing between the calls of a model function: its module decides
    if isinstance(node, cst.Attribute):
        return node.attr.value == "AUTO_REUSE" and program.tf_name(node) is not None
    if isinstance(node.func, cst.Attribute) and node.func.attr.value == "reuse_variables":
        return True
    if program.call_name(node) in _vocab.LAYERS:
        return False  # `tf.layers.dense(x, 3, name="l", reuse=True)`: the rewrite calls layer "l" again
    return any(arg.keyword is not None and arg.keyword.value == "reuse" and not (
        isinstance(arg.value, cst.Name) and arg.value.value in ("False", "None")) for arg in node.args)


class _Leftovers(Visitor):
    """The first TF1-only name an eager rewrite would leave behind (it fails on TF2)."""

    def __init__(self, program: Program) -> None:
        self.p = program
        self.chains = Chains()
        self.slim = _slim.builds_graphs(program.imports, program.module)
        self.scopes: Set[int] = set()  # variable_scope calls that become name_scope
        self.found: Optional[Tuple[cst.CSTNode, str]] = None
        # the variable scopes of a model function that cannot become a class: why it cannot
        self.problems = {id(call): model.problem for model in program.models.by_name.values() if model.problem
                         for call in queries.find(model.node, cst.Call,
                                                  lambda c: program.call_name(c) == "variable_scope")}

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if self.p.naming_scope(node):
            self.scopes.add(id(node.item))

    def visit_Call(self, node: cst.Call) -> Optional[bool]:
        if id(node) in self.p.models.handled:
            return False  # a variable scope or reuse call the module rewrite replaces
        if id(node) in self.problems:
            self.found = self.problems[id(node)]
            raise StopWalk
        if id(node) in self.scopes:
            walk_into(node.args[0], self)
            return False
        if isinstance(node.func, cst.Call) and (self.p.call_name(node.func) or "").startswith("keras.layers."):
            # `tf.keras.layers.Dense(3)(x)`: in a function of the rewrite it would be built again, with
            # new variables, at every call (TF1 built it once, with the graph).
            self.found = (node, f"{INLINE_KERAS} (its variables would be made again at every call of the rewrite's"
                                " functions)")
            raise StopWalk
        if (isinstance(node.func, cst.Attribute) and node.func.attr.value == "finalize" and not node.args
                and self.p.call_name(node.func.value) in ("get_default_graph", "compat.v1.get_default_graph")):
            return False  # `tf.get_default_graph().finalize()`: the statement goes (statements.expression)
        name = self.p.call_name(node)
        if name == "summary.FileWriter":
            if node.args:
                walk_into(node.args[0], self)
            return False  # its graph argument is dropped with it
        if name == "train.Saver":
            return False  # Saver(tf.global_variables()) becomes a Checkpoint of every variable
        if name in _losses.LOSSES and _losses.rewritable(node, self.p.imports) is not None:
            for arg in node.args:
                walk_into(arg, self)
            return False  # TFM108 writes the mean of the same loss (after this rewrite)
        return None

    def visit_Name(self, node) -> None:
        if self.slim and _slim.is_slim(self.p.imports.qualify(node)):
            self.found = (node, "tf_slim builds TF1 graphs (it runs on tensorflow.compat.v1 only)")
            raise StopWalk

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if not self.chains.outermost(node) or id(node) in self.p.models.handled or id(node) in self.p.global_steps:
            return
        self.visit_Name(node)
        name = self.p.tf_name(node)
        table = _tf.api()
        if not name or name in _vocab.HANDLED or table["renames"].get(name) or name in _vocab.OPTIMIZERS:
            return
        if name in self.p.moved:
            return  # the scaffolding rules move it to absl or tf.io
        if name in _vocab.LAYERS or name in _vocab.DECAYS or name in _vocab.METRICS or name == _BATCH_NORM:
            return  # (tf.metrics: Keras metrics, graph_metrics.py; batch normalization: batch_norm.py)
        if name in table["compat_only"] or name in table.get("removed", ()):
            self.found = (node, f"tf.{name} has no TensorFlow 2 equivalent")
            if name == "variable_scope":
                self.found = (node, scope_reasons.why_left(self.p, self.p.module, node))
            raise StopWalk
