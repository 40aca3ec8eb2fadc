"""The fallback: keep a TF1 program on ``tensorflow.compat.v1``, where it runs."""
from __future__ import annotations

from typing import List, Optional

import libcst as cst

from tfmigrate.names import dotted_name
from tfmigrate.traverse import Replacer, StopWalk, Transformer, Visitor, walk

from . import _scaffold, _scoped_layers, _slim, _testcase, _tf, _vocab

_SWITCHES = ("disable_v2_behavior", "disable_eager_execution")


def _top_calls(module: cst.Module):
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                    yield small.value


def switches_off(module: cst.Module) -> bool:
    """A module-level `....disable_v2_behavior()` / `disable_eager_execution()` call."""
    for call in _top_calls(module):
        name = dotted_name(call.func)
        if name is not None and "." in name and name.rsplit(".", 1)[-1] in _SWITCHES:
            return True
    return False


def is_compat_mode(module: cst.Module, imports) -> bool:
    """The file already runs TF1 semantics: compat.v1 imported, v2 behaviour off."""
    if not _tf.imports_compat(imports):
        return False
    for call in _top_calls(module):
        name = dotted_name(call.func)
        if name is not None and name.rsplit(".", 1)[-1] in _SWITCHES:
            return True
    return False


class _GraphFinder(Visitor):
    """Is there any TF1 graph construct at all (placeholder, session, ...)?"""

    def __init__(self, context) -> None:
        self.context = context
        self.found = False
        self.slim = _slim.builds_graphs(context.imports, context.module)

    def visit_Call(self, node: cst.Call) -> None:
        name = _tf.call_name(self.context, node)
        if name is not None and (
            name in _vocab.GRAPH_ONLY or _vocab.is_tf1_optimizer(name)
        ):
            self.found = True
        elif any(a.keyword is not None and a.keyword.value == "feed_dict" for a in node.args):
            self.found = True
        elif id(node) in _testcase.session_calls(self.context):
            self.found = True  # `with self.test_session() as sess:` in a tf.test.TestCase
        if self.found:
            raise StopWalk

    def visit_Name(self, node: cst.Name) -> None:
        if self.slim and _slim.is_slim(self.context.qualify(node)):
            self.found = True  # TF-Slim (the tf_slim package) builds TF1 graphs

    def visit_Attribute(self, node: cst.Attribute) -> None:
        # A TF1-only name (tf.variable_scope, tf.get_default_graph, ...) used through the module
        # a TF1 program imports: renaming alone would leave code that fails on TensorFlow 2.
        # (`tf.compat.v1.variable_scope` spelled out is TF2 code choosing the compat API.)
        if self.found:
            return
        name = dotted_name(node)
        qualified = self.context.qualify(node)
        if name is None or qualified is None:
            return
        module = qualified[: len(qualified) - len(name.partition(".")[2])].rstrip(".")
        if module not in (_tf.TF, _tf.TF + ".compat.v1") or name.partition(".")[2].startswith("compat."):
            return
        relative = name.partition(".")[2]
        if relative in _tf.api()["compat_only"] and not self._moved(relative):
            self.found = True

    def _moved(self, relative: str) -> bool:
        """The scaffolding rules move tf.app, tf.flags and tf.logging to absl (unless one use stays)."""
        moved = _scaffold.moved(self.context)
        return relative in moved or (relative == "app" and "app.flags" in moved)


def uses_graph(context) -> bool:
    cached = context.shared.get("uses-graph")
    if cached is None:
        finder = _GraphFinder(context)
        if any(full.startswith("tensorflow") for full in context.imports.aliases.values()):
            walk(context.module, finder)
        cached = context.shared["uses-graph"] = finder.found
    return cached


def to_compat(module: cst.Module, imports, layers=None, helpers=()) -> Optional[cst.Module]:
    """The module importing ``tensorflow.compat.v1`` with v2 behaviour disabled; ``layers``:
    ``{id(call): replacement}`` for its tf.layers calls (``_compat_layers``), ``helpers``: the
    functions some of those call, as code (written after the imports)."""
    if layers:
        module = module.visit(Replacer(layers))
    body: List[cst.BaseStatement] = []
    switch_after: Optional[int] = None
    alias = None
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine) and any(
            isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
        ):
            new_smalls = []
            for small in stmt.body:
                new_small, local = _compat_import(small)
                if local is not None:
                    alias = alias or local
                    switch_after = len(body)
                new_smalls.append(new_small)
            body.append(stmt.with_changes(body=new_smalls))
            continue
        if isinstance(stmt, cst.BaseCompoundStatement):
            # `import tensorflow as tf` inside a function, a class or a try: the same module there.
            stmt = stmt.visit(_NestedImports())
        body.append(stmt)
    if switch_after is None:
        return None
    config = module.config_for_parsing
    switch = [cst.parse_statement(f"{alias}.disable_v2_behavior()\n", config=config)]
    if "." in alias:
        switch.insert(0, cst.parse_statement(f"import {alias}\n", config=config))
    body[switch_after + 1:switch_after + 1] = switch
    stars = [i for i, stmt in enumerate(body) if i > switch_after and _star_import(stmt)]
    if stars and "." not in alias:
        # `from libs.utils import *` of a module that imports TensorFlow 2 as `tf` binds `tf` again
        body.insert(stars[-1] + 1, cst.parse_statement(
            f"import tensorflow.compat.v1 as {alias}  # the star import above may bind {alias} to TensorFlow 2\n",
            config=config))
    new = _scoped_layers.written_in(module.with_changes(body=body), list(helpers))  # after the imports and switch
    if "." not in alias and imports.aliases.get(alias) == "tensorflow":
        new = new.visit(_SpelledCompat(alias))  # `tf.compat.v1.X` is `tf.X` once `tf` is compat.v1
    return new


def _star_import(stmt) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and any(
        isinstance(s, cst.ImportFrom) and isinstance(s.names, cst.ImportStar) for s in stmt.body)


class _SpelledCompat(Transformer):
    def __init__(self, alias: str) -> None:
        super().__init__()
        self.prefix = f"{alias}.compat.v1."
        self.alias = alias

    def leave_Attribute(self, original, updated):
        name = dotted_name(updated)
        if name is None or not name.startswith(self.prefix):
            return updated
        return cst.parse_expression(self.alias + "." + name[len(self.prefix):])


class _NestedImports(Transformer):
    def leave_Import(self, original, updated):
        return _compat_import(updated)[0]

    def leave_ImportFrom(self, original, updated):
        return _compat_import(updated)[0]


def _compat_import(small):
    """(new import, the name to call disable_v2_behavior on) for one import."""
    if isinstance(small, cst.Import):
        names, local = [], None
        for alias in small.names:
            full = dotted_name(alias.name)
            if full == "tensorflow":
                as_name = alias.asname.name.value if alias.asname else "tensorflow"
                alias = cst.ImportAlias(cst.parse_expression("tensorflow.compat.v1"), asname=cst.AsName(cst.Name(as_name)))
                local = as_name
            elif full == "tensorflow.compat.v1" and alias.asname is not None:
                local = alias.asname.name.value
            names.append(alias)
        return small.with_changes(names=names), local
    if isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
        module = dotted_name(small.module)
        if module == "tensorflow" and not isinstance(small.names, cst.ImportStar):
            new = small.with_changes(module=cst.parse_expression("tensorflow.compat.v1"))
            return new, "tensorflow.compat.v1"
    return small, None
