"""`tf.contrib` names that TensorFlow 2 or Keras 3 has under another name, with the same computation.

The initializers and regularizers of `tf.contrib.layers` (the most used contrib
names in TF1 model code, after slim's layers) and the contrib functions that
moved to core TensorFlow unchanged (`tf.contrib.framework.nest`, ...). TFM101
renames the contrib names in TensorFlow's own upgrade table where they are
attribute chains; this rule does the rest, import forms included, so that
TFM107 is left with the names that really have no counterpart.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Set, Tuple

import libcst as cst

from tfmigrate.ftypes import Applicability, Status
from tfmigrate.names import dotted_name
from tfmigrate.rule import Context, Invalid, Rule

from . import _tf, _verdicts
from ._contrib_calls import CALLS, CORE, call_code
from ._eager import queries

# contrib name -> its TensorFlow 2 name: the same function, class or module, with the same parameters
MOVED = {
    "contrib.framework.nest": "nest",
    "contrib.data.TFRecordDataset": "data.TFRecordDataset",
    "contrib.data.TextLineDataset": "data.TextLineDataset",
    "contrib.data.FixedLengthRecordDataset": "data.FixedLengthRecordDataset",
    "contrib.util.make_tensor_proto": "make_tensor_proto",
    "contrib.util.make_ndarray": "make_ndarray",
    "contrib.framework.list_variables": "train.list_variables",
    "contrib.framework.load_checkpoint": "train.load_checkpoint",
    "contrib.lookup.KeyValueTensorInitializer": "lookup.KeyValueTensorInitializer",
    "contrib.lookup.TextFileInitializer": "lookup.TextFileInitializer",
    # Keras as TensorFlow 1.2-1.4 shipped it, the API tf.keras took over (a name TF2 lacks stays reported)
    "contrib.keras": "keras",
    "contrib.keras.python.keras": "keras",
}
_LONGEST_FIRST = sorted(MOVED.items(), key=lambda item: -len(item[0]))
# Modules moved as a whole: TensorFlow 2 has only some of their members, these under another name.
MEMBERS_RENAMED = {"contrib.framework.nest": {"is_sequence": "is_nested"}}

# tf.contrib.rnn's cells and functions that were TF1's core ones, the same objects: in code that stays on
# tensorflow.compat.v1 (where the graph-to-eager rewrite does not make them Keras layers) their core names
RNN_CORE = {f"contrib.rnn.{name}": f"nn.rnn_cell.{name}" for name in (
    "BasicLSTMCell", "BasicRNNCell", "GRUCell", "LSTMCell", "MultiRNNCell", "DropoutWrapper", "ResidualWrapper",
    "DeviceWrapper", "LSTMStateTuple", "RNNCell")}
RNN_CORE.update({f"contrib.rnn.{name}": f"nn.{name}" for name in (
    "static_rnn", "static_bidirectional_rnn", "static_state_saving_rnn")})

@dataclass
class _Plan:
    edits: Dict[int, Tuple[cst.CSTNode, str]] = field(default_factory=dict)  # id(node) -> (new node, message)
    handled: Set[int] = field(default_factory=set)  # nodes TFM107 need not report: a fix here rewrites them
    names: Set[str] = field(default_factory=set)  # tf-relative names of every use rewritten
    kept: Set[str] = field(default_factory=set)  # ... and of a use that is not
    core: Set[int] = field(default_factory=set)  # edits of TF1 core names: only where the file becomes TF2 code
    origin: Dict[int, Tuple[str, ...]] = field(default_factory=dict)  # id(edited node) -> the names it rewrites
    compat_only: Set[int] = field(default_factory=set)  # edits (RNN_CORE) made only where the file stays on compat.v1
    refused: Dict[int, str] = field(default_factory=dict)  # id(use) -> why its call is not rewritten


def _moved(name: Optional[str]) -> Optional[Tuple[str, str]]:
    """(contrib key, TensorFlow 2 name) for a name under a MOVED entry, its member renamed where needed."""
    if not name:
        return None
    for key, new in _LONGEST_FIRST:  # the longest key that holds it
        if name == key:
            return key, new
        if name.startswith(key + "."):
            member = name[len(key) + 1:]
            head, _, rest = member.partition(".")
            head = MEMBERS_RENAMED.get(key, {}).get(head, head)
            target = f"{new}.{head}" + (f".{rest}" if rest else "")
            return (key, target) if _tf.exists_in_tf2(target) else None
    return None


class _Planner:
    def __init__(self, context: Context) -> None:
        self.context = context
        self.module = context.module
        self.result = _Plan()
        self.tf = _tf.tf_alias(context.imports)
        self.calls = {id(c.func): c for c in queries.find(self.module, cst.Call)}
        self.compat = _tf.imports_compat(context.imports)

    def name(self, node: cst.CSTNode) -> Optional[str]:
        return _tf.relative(self.context.imports.qualify(node))

    def use(self, node: cst.CSTNode, name: str, prefix: Optional[str]) -> bool:
        """Plan the rewrite of one use (a chain or a name) of ``name``; ``prefix``: the TensorFlow alias it
        is written on, None for a name imported from contrib. False when it has none."""
        call = self.calls.get(id(node))
        key = name if name in CALLS else (CORE if name == CORE else None)
        if key is not None and call is not None:
            alias = prefix or self.tf
            if alias is None or (key == CORE and self.compat):
                return False
            code, message = call_code(self.context, call, key, alias)
            if code is None:
                self.result.refused[id(node)] = message
                return False
            self.result.edits[id(call)] = (cst.parse_expression(code), message)
            self.result.origin[id(call)] = (name,)
            if key == CORE:
                self.result.core.add(id(call))
            return True
        if name in RNN_CORE and (prefix or self.tf) is not None:  # (`rnn.static_rnn` of `from tensorflow.contrib import rnn`)
            self.result.edits[id(node)] = (cst.parse_expression(f"{prefix or self.tf}.{RNN_CORE[name]}"),
                                           f"`tf.{name}` is TF1's `tf.{RNN_CORE[name]}`, the same object, which "
                                           "tensorflow.compat.v1 has")
            self.result.origin[id(node)] = (name,)
            self.result.compat_only.add(id(node))
            return True
        renamed = _tf.api()["renames"].get(name) if name.startswith("contrib.") else None
        moved = _moved(name) or ((name, renamed) if renamed else None)
        if moved is None or (moved[0] == name and name in MEMBERS_RENAMED):
            return False  # a moved module passed on: whoever gets it may use any member
        if prefix is not None:
            if renamed and not self.compat:
                return True  # TFM101 renames the chain
            if self.compat and _verdicts.unresolved(f"tensorflow.compat.v1.{moved[1]}").kind != _verdicts.OK:
                return False
            self.result.edits[id(node)] = (cst.parse_expression(f"{prefix}.{moved[1]}"),
                                           f"`tf.{name}` is `tf.{moved[1]}` in TensorFlow 2")
            self.result.origin[id(node)] = (name,)
        elif moved[0] != name:  # `nest.is_sequence` through `from ... import nest`: the member's new name
            old, new = name.rpartition(".")[2], moved[1].rpartition(".")[2]
            if old != new:
                self.result.edits[id(node)] = (node.with_changes(attr=cst.Name(new)),
                                               f"`tf.{name}` is `tf.{moved[1]}` in TensorFlow 2")
                self.result.origin[id(node)] = (name,)
        return True

    def chains(self) -> None:
        """Uses written on a TensorFlow alias: ``tf.contrib.layers.l2_regularizer(...)``."""
        attributes = queries.find(self.module, cst.Attribute)
        inner = {id(a.value) for a in attributes}
        for node in attributes:
            if id(node) in inner or id(node) in self.result.handled:
                continue
            written = dotted_name(node)
            name = self.name(node)
            if not name or not written or not (name.startswith("contrib.") or name == CORE):
                continue
            head = written.partition(".")[0]
            if self.context.imports.aliases.get(head) not in (_tf.TF, "tensorflow.compat.v1"):
                continue  # through a name imported from contrib: see imports()
            if name == CORE and (written != f"{head}.{CORE}" or self.context.imports.aliases[head] != _tf.TF):
                continue  # TF1's own name on tensorflow.compat.v1 runs: it was chosen
            prefix = _tf.module_prefix(written, name, self.context.imports.qualify(node), self.context.imports)
            if prefix is not None and self.use(node, name, prefix):
                self.result.handled.add(id(node))
                self.result.names.add(name)
            else:
                self.result.kept.add(name)

    def imports(self) -> None:
        """``from tensorflow.contrib.X import y`` (or ``import tensorflow.contrib.X.y as y``): the import and
        every use of ``y``."""
        statements = queries.find(self.module, cst.SimpleStatementLine, lambda s: len(s.body) == 1 and isinstance(
            s.body[0], (cst.ImportFrom, cst.Import)))
        for stmt in statements:
            node = stmt.body[0]
            if isinstance(node, cst.Import):
                self.import_as(stmt, node)
                continue
            module = dotted_name(node.module) if node.module is not None and not node.relative else None
            if not module or not (_tf.relative(module) or "").startswith("contrib") or isinstance(
                    node.names, cst.ImportStar):
                continue
            self.import_from(stmt, node, module, [(alias, dotted_name(alias.name), alias.asname) for alias in node.names])

    def import_as(self, stmt: cst.SimpleStatementLine, node: cst.Import) -> None:
        """``import tensorflow.contrib.keras as K``, read as ``from tensorflow.contrib import keras as K``
        when every chain the file writes on ``K`` (``K.layers.Dense``) has a TensorFlow 2 name."""
        alias = node.names[0]
        module, _, imported = (dotted_name(alias.name) or "").rpartition(".")
        if len(node.names) != 1 or alias.asname is None or not isinstance(alias.asname.name, cst.Name) or not (
                _tf.relative(module) or "").startswith("contrib"):
            return
        local = alias.asname.name.value
        attributes = queries.find(self.module, cst.Attribute)
        inner = {id(a.value) for a in attributes}
        chains = [chain for chain in attributes
                  if id(chain) not in inner and (dotted_name(chain) or "").partition(".")[0] == local]
        if any(_moved(self.name(chain)) is None for chain in chains):
            self.result.kept.add(_tf.relative(f"{module}.{imported}") or module)
            return
        self.import_from(stmt, node, module, [(alias, imported, alias.asname)])
        if id(node) in self.result.edits:  # the names the rewrites of the program read: TF2's after the fix
            self.result.names.update(name for name in map(self.name, chains) if name)
            self.result.handled.update(id(chain) for chain in chains)  # (TFM107 reports whole chains)

    def import_from(self, stmt: cst.SimpleStatementLine, node, module: str, aliases) -> None:
        """``aliases``: (the import alias, the name it imports from ``module``, its ``as`` clause)."""
        kept: List[Tuple[str, str, str]] = []  # (TF2 module, name, local name)
        planned: Dict[int, Tuple[cst.CSTNode, str]] = {}
        saved = dict(self.result.edits), set(self.result.core), set(self.result.handled)
        names: Set[str] = set()
        for alias, imported, asname in aliases:
            local = asname.name.value if asname is not None and isinstance(asname.name, cst.Name) else imported
            name = _tf.relative(f"{module}.{imported}")
            if not imported or "." in imported or not local or not name:
                break
            if not self.uses(local, name):
                break
            names.add(name)
            target = (_moved(name) or (None, None))[1] or (
                _tf.api()["renames"].get(name) if name.startswith("contrib.") else None)
            if target is None and any(name.startswith(key + ".") for key in MOVED):
                break  # a name of a moved module TensorFlow 2 lacks: the import stays, reported
            if target is not None:
                new_module, _, new_name = target.rpartition(".")
                if new_module not in _tf.IMPORTABLE:
                    break  # the name is there, but no import statement reaches its module
                kept.append((new_module, new_name, local))
        else:
            modules = {m for m, _, _ in kept}
            if len(modules) <= 1:
                self.result.names |= names
                self.result.handled |= {id(alias.name) for alias in node.names}
                if not kept:
                    planned[id(stmt)] = (cst.RemoveFromParent(), "every name it imports is rewritten")
                else:
                    new = self.new_import(node, kept)
                    planned[id(node)] = (new, f"`{self.context.code_for(node)}` is `{cst.Module([]).code_for_node(new)}`"
                                              " in TensorFlow 2")
                self.result.edits.update(planned)
                self.result.origin.update({key: tuple(sorted(names)) for key in planned})
                return
        self.result.edits, self.result.core, self.result.handled = saved
        self.result.kept |= names | {_tf.relative(module) or module}

    def aliases(self) -> None:
        """``nest = tf.contrib.framework.nest`` at module level: the module, and every use of the name."""
        for stmt in self.module.body:
            assign = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 else None
            if not isinstance(assign, cst.Assign) or len(assign.targets) != 1 or not isinstance(
                    assign.targets[0].target, cst.Name):
                continue
            name = self.name(assign.value)
            written = dotted_name(assign.value) or ""
            if name not in MEMBERS_RENAMED or self.context.imports.aliases.get(written.partition(".")[0]) not in (
                    _tf.TF, "tensorflow.compat.v1"):
                continue
            prefix = _tf.module_prefix(written, name, self.context.imports.qualify(assign.value), self.context.imports)
            saved = dict(self.result.edits), set(self.result.core), set(self.result.handled)
            target = assign.targets[0].target
            if prefix is not None and self.uses(target.value, name, skip=id(target)):
                new = f"{prefix}.{MOVED[name]}"
                self.result.edits[id(assign.value)] = (cst.parse_expression(new),
                                                       f"`tf.{name}` is `{new}` in TensorFlow 2")
                self.result.origin[id(assign.value)] = (name,)
                self.result.handled.add(id(assign.value))
                self.result.names.add(name)
            else:
                self.result.edits, self.result.core, self.result.handled = saved

    def uses(self, local: str, name: str, skip: Optional[int] = None) -> bool:
        """Plan every use of ``local`` (bound to ``name``); False if one has no rewrite, or if there is none
        (an import for its side effects, or one the file does not need: not this rule's to remove)."""
        used = False
        for ref, attribute in queries.uses_of(self.module, local):
            if id(ref) == skip:
                continue
            used = True
            node = attribute if attribute is not None else ref
            full = f"{name}.{attribute.attr.value}" if attribute is not None else name
            if not full or not self.use(node, full, None):
                return False
            self.result.handled.add(id(node))
        return used

    def new_import(self, node, kept: List[Tuple[str, str, str]]) -> cst.ImportFrom:
        module = "tensorflow" + (f".{kept[0][0]}" if kept[0][0] else "")
        aliases = [cst.ImportAlias(cst.Name(new), asname=None if new == local else cst.AsName(cst.Name(local)))
                   for _, new, local in kept]
        if isinstance(node, cst.Import):
            return cst.ImportFrom(module=cst.parse_expression(module), names=aliases)
        return node.with_changes(module=cst.parse_expression(module), names=aliases, lpar=None, rpar=None)

    def run(self) -> _Plan:
        self.aliases()
        self.chains()
        self.imports()
        self.result.names -= self.result.kept
        return self.result


def plan(context: Context) -> _Plan:
    cached = context.shared.get("contrib-names")
    if cached is None:
        text = context.text
        if text is not None and "contrib" not in text and CORE not in text:
            cached = _Plan()
        else:
            cached = _Planner(context).run()
        context.shared["contrib-names"] = cached
    return cached


def tf2_name(name: str) -> Optional[str]:
    """The TensorFlow 2 name of a contrib name under a moved module (``contrib.keras.layers.Dense`` ->
    ``keras.layers.Dense``), or None."""
    found = _moved(name)
    return found[1] if found else None


def moved(context: Context) -> FrozenSet[str]:
    """The names TFM120 rewrites in every use, for the graph-to-eager rewrite: they may stay in it."""
    return frozenset(plan(context).names)


def handled(context: Context, node: cst.CSTNode) -> bool:
    """Does TFM120 rewrite ``node`` (a use or an imported name): TFM107 need not report it."""
    found = plan(context)
    return id(node) in found.handled and (id(node) not in found.compat_only or _on_compat(context))


def _on_compat(context: Context) -> bool:
    from . import slim

    return slim.runs_on_compat(context)


def refused(context: Context, node: cst.CSTNode) -> Optional[str]:
    """Why TFM120 does not rewrite the call of this use of a contrib initializer or regularizer, if it is one."""
    return plan(context).refused.get(id(node))


def rewritten(context: Context, node: cst.CSTNode) -> bool:
    """:func:`handled`, for TF1's core ``tf.variance_scaling_initializer`` too, which TFM120 rewrites only
    where the file becomes TensorFlow 2 code (on the tensorflow.compat.v1 fallback it runs as it is)."""
    return handled(context, node) and _tf2_file(context)


def _tf2_file(context: Context) -> bool:
    from . import graph

    result = graph.plan(context)
    return not result.falls_back


class ContribName(Rule):
    """A `tf.contrib` initializer, regularizer or function that TensorFlow 2 has under another name.

    What it finds: `tf.contrib.layers.xavier_initializer` (and `_conv2d`),
    `variance_scaling_initializer`, `l1_regularizer`, `l2_regularizer`,
    `l1_l2_regularizer`; `tf.contrib.framework.nest`, `list_variables`,
    `load_checkpoint`, `tf.contrib.data.TFRecordDataset` (and
    `TextLineDataset`, `FixedLengthRecordDataset`), `tf.contrib.util.make_tensor_proto`
    and `make_ndarray`, the
    `tf.contrib.lookup` initializers, `tf.contrib.keras` (also
    `tensorflow.contrib.keras.python.keras`), written on a TensorFlow alias,
    imported with `from tensorflow.contrib... import` or as a module
    (`import tensorflow.contrib.keras as K`); TF1's core
    `tf.variance_scaling_initializer` in a file that becomes TensorFlow 2 code;
    and in a file that stays on `tensorflow.compat.v1`, `tf.contrib.rnn`'s
    cells and static RNN functions, which were TF1's core ones
    (`tf.contrib.rnn.BasicLSTMCell` is `tf.nn.rnn_cell.BasicLSTMCell`; the
    graph-to-eager rewrite makes them Keras layers elsewhere).

    Why: `tf.contrib` is gone from TensorFlow 2 (ImportError, AttributeError).

    Fix (unsafe): the Keras initializer or regularizer with contrib's
    defaults written out: `xavier_initializer()` -> `GlorotUniform()`
    (`uniform=False`: `GlorotNormal()`), `variance_scaling_initializer()` ->
    `VarianceScaling(scale=2.0, mode="fan_in", distribution="truncated_normal")`,
    `l1_regularizer(s)` -> `L1(s)`, `l2_regularizer(s)` -> `L2(s / 2)`
    (contrib's l2 was half the sum of squares); moved functions and modules
    under their TensorFlow 2 name (`from tensorflow.contrib.framework import
    nest` -> `from tensorflow import nest`, when every member the file uses is
    in `tf.nest`; `tf.contrib.keras.layers.Dense` -> `tf.keras.layers.Dense`,
    Keras 2.0's API as tf.keras took it over). Unsafe because the random draws of a seeded initializer are
    Keras's, not TF1's, and the truncated normals' variance differs by 0.6%.

    Known limits: calls with a dtype other than float32, non-literal `uniform=`/`mode=`, a scale of 0
    (contrib returned no loss), and names used other than called are left to TFM107; an import is
    rewritten only when every name it imports and every use of them is (`Merge` keeps its import).
    """

    code = "TFM120"
    name = "contrib-name"
    fix_applicability = Applicability.UNSAFE
    unfixed_status = Status.MANUAL
    VALID = ["import tensorflow as tf\nr = tf.keras.regularizers.L2(0.5e-4)\n"]
    INVALID = [
        Invalid("import tensorflow as tf\nr = tf.contrib.layers.l2_regularizer(1e-4)\n",
                "import tensorflow as tf\nr = tf.keras.regularizers.L2(1e-4 / 2)\n"),
        Invalid("import tensorflow as tf\ni = tf.contrib.layers.xavier_initializer(uniform=False, seed=1)\n",
                "import tensorflow as tf\ni = tf.keras.initializers.GlorotNormal(seed=1)\n"),
        Invalid("from tensorflow.contrib.framework import nest\nx = nest.is_sequence(y)\n",
                "from tensorflow import nest\nx = nest.is_nested(y)\n"),
        Invalid("from tensorflow.contrib.keras.python.keras.layers import Dense\nd = Dense(3)\n",
                "from tensorflow.keras.layers import Dense\nd = Dense(3)\n"),
        Invalid("import tensorflow.contrib.keras as K\nd = K.layers.Dense(3)\n",
                "from tensorflow import keras as K\nd = K.layers.Dense(3)\n"),
    ]

    def _edit(self, node: cst.CSTNode) -> None:
        result = plan(self.context)
        found = result.edits.get(id(node))
        if found is None:
            return
        if id(node) in result.core and not _tf2_file(self.context) or self._slim(node):
            return
        new, message = found
        if id(node) in result.compat_only:
            if not _on_compat(self.context):
                return  # the graph-to-eager rewrite makes it a Keras layer
            if not _tf.imports_compat(self.context.imports):
                from . import graph

                # the file falls back to tensorflow.compat.v1 first; the name is renamed there
                self.report(node, message, program_fix=graph.GRAPH_TO_EAGER, status=Status.COMPAT)
                return
        self.report(node, message, replacement=new)

    def _slim(self, node: cst.CSTNode) -> bool:
        """Does TFM109 give the name to tf_slim (contrib's own code, in a file that runs on tf.compat.v1)?"""
        from . import slim

        return any(slim.rewritten(self.context, name) for name in plan(self.context).origin.get(id(node), ()))

    def visit_Call(self, node: cst.Call) -> None:
        self._edit(node)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._edit(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        result = plan(self.context)
        found = result.edits.get(id(node))
        if found is not None and not self._slim(node):
            self.report(node, found[1], replacement=found[0])

    def visit_Import(self, node: cst.Import) -> None:
        self.visit_ImportFrom(node)

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        result = plan(self.context)
        if id(node) in result.edits and not self._slim(node):
            self.report(node, "an import of tf.contrib names whose every use is rewritten: the statement goes",
                        replacement=cst.RemoveFromParent())
