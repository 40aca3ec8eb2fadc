"""`tf.contrib.slim`, `tf.contrib.layers` and `tf.contrib.framework` as the `tf_slim` package.

TF-Slim (with the layers, initializers, regularizers and `arg_scope` it shared
with `tf.contrib.layers` and `tf.contrib.framework`) left TensorFlow for the
`tf_slim` package (`pip install tf-slim`); TensorFlow's migration guide names it
for code on `tensorflow.compat.v1`, and it runs there on TensorFlow 2.21. A
file that runs on `tensorflow.compat.v1` (its own import, or the fallback the
graph rewrite takes) has its contrib names rewritten to the `tf_slim` names
that exist (``data/tf_slim.json``, generated from the package):

- ``tf.contrib.slim.conv2d`` -> ``tf_slim.conv2d``, ``tf.contrib.layers.xavier_initializer``
  -> ``tf_slim.xavier_initializer``, ``tf.contrib.framework.arg_scope`` -> ``tf_slim.arg_scope``,
  with ``import tf_slim`` added after the file's imports;
- ``import tensorflow.contrib.slim as slim`` / ``from tensorflow.contrib import slim``
  -> ``import tf_slim as slim``, and ``from tensorflow.contrib.layers import xavier_initializer``
  -> ``from tf_slim import xavier_initializer``, when every name the file reaches through
  them exists in tf_slim.
"""
from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set

import libcst as cst

from tfmigrate.names import Chains, dotted_name, fresh_name
from tfmigrate.traverse import Replacer, Visitor, walk

from . import _scoped_layers, _slim_batch_norm, _tf

PACKAGES = ("contrib.slim", "contrib.layers", "contrib.framework")


# `tf.contrib.slim.python.slim.data.tfexample_decoder` is `tf_slim.tfexample_decoder` (tf_slim/data/...),
# `tf.contrib.slim.python.slim.queues` is `tf_slim.queues`: the longer path first.
_PRIVATE = ("contrib.slim.python.slim.data.", "contrib.slim.python.slim.")


# tf_slim names that fail on TensorFlow 2.21 whatever their arguments (tf-slim 1.1.0, its last release):
# batch_norm reads `tensorflow.python.framework.ops.Tensor`, which TensorFlow no longer has (its fused
# kernel needs tf-keras's legacy layers), and so does optimize_loss. Measured: `tests/test_slim.py`.
BROKEN = {"batch_norm": "batch_norm", "layers.batch_norm": "batch_norm", "optimize_loss": "optimize_loss",
          "layers.optimize_loss": "optimize_loss"}
BROKEN_REASON = ("tf_slim's {name} fails on TensorFlow 2.21 (tf-slim 1.1.0 reads "
                 "tensorflow.python.framework.ops.Tensor, which TensorFlow no longer has)")

# tf_slim's initializer and regularizer factories, which run eagerly on TensorFlow 2.21 too (measured:
# `tests/test_slim_values.py`). Passed as values (`"regularizer": tf.contrib.layers.l2_regularizer` in a
# config that code elsewhere calls with contrib's parameters) they become tf_slim's in TensorFlow 2 files
# as well: no Keras name takes those parameters. Called, TFM120 writes the Keras initializer or regularizer.
EAGER = frozenset({"xavier_initializer", "xavier_initializer_conv2d", "variance_scaling_initializer",
                   "l1_regularizer", "l2_regularizer", "l1_l2_regularizer", "sum_regularizer"})


@functools.lru_cache(maxsize=1)
def names() -> frozenset:
    """The tf_slim names a contrib name may become: those the package has, less the ones that fail."""
    path = os.path.join(os.path.dirname(__file__), "data", "tf_slim.json")
    with open(path, encoding="utf-8") as handle:
        return frozenset(json.load(handle)["names"]) - set(BROKEN)


def imported(imports) -> bool:
    """Does the file import tf_slim (or a part of it)?"""
    return any(full.split(".")[0] == "tf_slim" for full in imports.aliases.values())


def builds_graphs(imports, module: cst.Module) -> bool:
    """Does the module use tf_slim for more than the :data:`EAGER` factories (TF1 graph code)?"""
    if not imported(imports):
        return False
    chains, found = Chains(), []

    class _Uses(Visitor):
        def visit_Import(self, node) -> bool:
            return False

        def visit_ImportFrom(self, node) -> bool:
            return False

        def visit_Attribute(self, node: cst.Attribute) -> Optional[bool]:
            qualified = imports.qualify(node) if chains.outermost(node) else None
            if is_slim(qualified):
                found.append(qualified)
                return False  # `tf_slim.l2_regularizer`, not its `tf_slim` again
            return None

        def visit_Name(self, node: cst.Name) -> None:
            qualified = imports.qualify(node)
            if is_slim(qualified):
                found.append(qualified)

    walk(module, _Uses())
    return any(name[len("tf_slim."):] not in EAGER for name in found)


def is_slim(qualified: Optional[str]) -> bool:
    """Is a qualified name tf_slim's (TF1 graph code: it runs on tensorflow.compat.v1 only)?"""
    return (qualified or "").split(".", 1)[0] == "tf_slim"


def target(name: Optional[str]) -> Optional[str]:
    """The tf_slim name (relative to ``tf_slim``; "" for the package) of a TF-relative contrib name."""
    if name is None:
        return None
    for private in _PRIVATE:  # contrib's own module paths: the package keeps the modules, not the paths
        if name.startswith(private):
            name = "contrib.slim." + name[len(private):]
            break
    for package in PACKAGES:
        if name == package:
            return "" if package != "contrib.framework" else None
        if name.startswith(package + "."):
            rest = name[len(package) + 1:]
            if rest in names():
                return rest
            if package == "contrib.layers" and f"layers.{rest}" in names():
                return f"layers.{rest}"
            return None
    return None


def usable(name: str, helper: bool) -> bool:
    """Does a TF-relative contrib name have a form on TensorFlow 2.21: a tf_slim name, or (``helper``)
    the batch_norm helper?"""
    return target(name) is not None or (helper and broken(name) == "batch_norm")


def broken(name: Optional[str]) -> Optional[str]:
    """The tf_slim function (``batch_norm``) a TF-relative contrib name would be, if it is one that fails."""
    for package in PACKAGES:
        if name is not None and name.startswith(package + "."):
            rest = name[len(package) + 1:]
            return BROKEN.get(rest) or (BROKEN.get(f"layers.{rest}") if package == "contrib.layers" else None)
    return None


@dataclass
class Plan:
    chains: Dict[int, str] = field(default_factory=dict)  # id(attribute on tf) -> tf_slim name
    imports: Dict[int, cst.CSTNode] = field(default_factory=dict)  # id(import statement) -> its new form
    names: Set[str] = field(default_factory=set)  # TF-relative names rewritten
    alias: str = "tf_slim"  # how the rewrite names the package: `slim` after `import tf_slim as slim`
    broken: List[tuple] = field(default_factory=list)  # (node, name): reads of names that fail (BROKEN)
    helped: Set[int] = field(default_factory=set)  # id(read of batch_norm): the helper written into the file
    helper: str = ""  # the helper's name
    tf_alias: str = ""  # the file's tensorflow (compat.v1 after the fix) alias, which the helper uses
    called: Set[int] = field(default_factory=set)  # id(chain) of the chains that are called

    def __bool__(self) -> bool:
        return bool(self.chains or self.imports or self.helped)


class _Finder(Visitor):
    def __init__(self, context) -> None:
        self.context = context
        self.chains = Chains()
        self.uses: List[tuple] = []  # (node, TF-relative name, head name)
        self.keywords: Dict[int, Set[str]] = {}  # id(a call's func) -> the keywords the call passes
        self.attributes: Set[int] = set()

    def visit_Call(self, node: cst.Call) -> None:
        self.keywords[id(node.func)] = {arg.keyword.value for arg in node.args if arg.keyword is not None}

    def visit_Import(self, node) -> bool:
        return False

    def visit_ImportFrom(self, node) -> bool:
        return False

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.attributes.add(id(node.attr))
        if self.chains.outermost(node):
            self._use(node)

    def visit_Name(self, node: cst.Name) -> None:
        if id(node) not in self.attributes:  # `slim.batch_norm`'s `batch_norm` is no read of the name
            self._use(node)

    def _use(self, node) -> None:
        head = node
        while isinstance(head, cst.Attribute):
            head = head.value
        if not isinstance(head, cst.Name) or head.value not in self.context.imports.aliases:
            return  # not a name an import binds: nothing to qualify
        name = _tf.relative(self.context.imports.qualify(node))
        if name is not None and name.startswith("contrib."):
            self.uses.append((node, name, head.value))


def analyse(context) -> Plan:
    """What the rewrite changes in ``context``'s module (cached); empty when nothing."""
    cached = context.shared.get("tf-slim")
    if cached is not None:
        return cached
    plan = Plan()
    if context.text is None or "contrib" in context.text:
        _fill(plan, context)
    context.shared["tf-slim"] = plan
    return plan


def _fill(plan: Plan, context) -> None:
    finder = _Finder(context)
    walk(context.module, finder)
    tf_aliases = {alias for alias, full in context.imports.aliases.items() if _tf.relative(full) == ""}
    # batch_norm becomes a helper written into the file, on its tensorflow alias (`tf` if it has one)
    plan.tf_alias = "tf" if "tf" in tf_aliases else min((a for a in tf_aliases if "." not in a), default="")
    helper = bool(plan.tf_alias) and not any(  # a call passing what the helper leaves out keeps its finding
        broken(name) == "batch_norm" and finder.keywords.get(id(node), set()) & _slim_batch_norm.UNSUPPORTED
        for node, name, _ in finder.uses)
    by_head: Dict[str, List[tuple]] = {}
    failing: List[tuple] = []
    for node, name, head in finder.uses:
        if broken(name) is not None:
            failing.append((node, name))
        if head in tf_aliases:
            mapped = target(name)
            if mapped is not None and isinstance(node, cst.Attribute):
                plan.chains[id(node)] = mapped
                plan.names.add(name)
            elif helper and usable(name, helper) and isinstance(node, cst.Attribute):
                plan.helped.add(id(node))
                plan.names.add(name)
        else:
            by_head.setdefault(head, []).append((node, name))
    plan.called = {key for key in plan.chains if key in finder.keywords}
    _assigned_modules(plan, context, helper)
    for statement in context.module.body:
        if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
            found = _import(statement.body[0], by_head, helper)
            if found is not None:
                new, imported, bound, helper_bound = found
                if helper_bound and _rebound(context.module, helper_bound):
                    continue  # `batch_norm` is a parameter or a variable too: the helper cannot take the name
                plan.imports[id(statement)] = cst.RemovalSentinel.REMOVE if new is None else (
                    statement.with_changes(body=[new]))
                if isinstance(new, cst.Import) and plan.alias == "tf_slim":
                    plan.alias = bound[0]
                plan.helper = helper_bound or plan.helper
                plan.names.update(imported)
                plan.names.update(name for head in bound for _, name in by_head.get(head, ()))
                plan.helped.update(id(node) for head in bound for node, name in by_head.get(head, ())
                                   if target(name) is None)
    plan.broken += [(node, broken(name)) for node, name in failing if id(node) not in plan.helped]


def values(plan: Plan) -> Plan:
    """The part of ``plan`` that also holds in TensorFlow 2 code: the :data:`EAGER` factories read
    as values, not called (``tf.contrib.layers.l2_regularizer`` -> ``tf_slim.l2_regularizer``)."""
    return Plan(chains={key: mapped for key, mapped in plan.chains.items()
                        if mapped in EAGER and key not in plan.called})


class _Reads(Visitor):
    """The dotted names read through ``names`` (``slim.batch_norm`` for ``slim``)."""

    def __init__(self, names: Set[str]) -> None:
        self.names = names
        self.chains = Chains()
        self.found: Dict[str, List[tuple]] = {}  # name -> (node, the rest of its dotted name)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if not self.chains.outermost(node):
            return
        dotted = dotted_name(node)
        head = (dotted or "").split(".", 1)[0]
        if head in self.names:
            self.found.setdefault(head, []).append((node, dotted.split(".", 1)[1]))


def _assigned_modules(plan: Plan, context, helper: bool) -> None:
    """``slim = tf.contrib.slim`` at module level: the module becomes tf_slim only where every name the
    program reads through ``slim`` has a form there (tf_slim lacks some, and some fail on TensorFlow 2.21)."""
    modules: Dict[str, cst.Attribute] = {}
    for statement in context.module.body:
        if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
            continue
        small = statement.body[0]
        if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(
                small.targets[0].target, cst.Name) and id(small.value) in plan.chains:
            modules[small.targets[0].target.value] = small.value
    if not modules:
        return
    reads = _Reads(set(modules))
    walk(context.module, reads)
    for alias, value in modules.items():
        module = _tf.relative(context.imports.qualify(value))
        uses = [(node, f"{module}.{rest}") for node, rest in reads.found.get(alias, ())] if module else []
        if any(not usable(name, helper) for _, name in uses):
            del plan.chains[id(value)]
            plan.names.discard(module)
            plan.broken += [(node, broken(name)) for node, name in uses if broken(name) is not None]
        else:
            plan.helped.update(id(node) for node, name in uses if target(name) is None)


def _import(small, by_head, helper: bool):
    """(the tf_slim form, or None to drop the import; the TF-relative names imported, the names bound,
    the name it bound to batch_norm, which the helper takes) of an import of contrib names, when every
    use of what it binds has a form on TensorFlow 2.21; else None."""
    if isinstance(small, cst.Import) and len(small.names) == 1:
        alias = small.names[0]
        module = _tf.relative(dotted_name(alias.name))
        if module is None or target(module) != "" or alias.asname is None:
            return None
        bound = alias.asname.name.value
        if not all(usable(name, helper) for _, name in by_head.get(bound, ())):
            return None
        return (cst.Import(names=[cst.ImportAlias(cst.Name("tf_slim"), asname=alias.asname)]), [module], [bound],
                "")
    if isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative and (
            not isinstance(small.names, cst.ImportStar)):
        module = _tf.relative(dotted_name(small.module))
        if module is None or not module.startswith("contrib"):
            return None
        modules, functions, helper_bound = [], [], ""
        for alias in small.names:
            full = f"{module}.{alias.evaluated_name}"
            mapped = target(full)
            bound = alias.evaluated_alias or alias.evaluated_name
            if mapped is None and usable(full, helper) and not helper_bound:
                helper_bound = bound  # `from tensorflow.contrib.layers import batch_norm`: the helper's name
                continue
            if mapped is None or not all(usable(name, helper) for _, name in by_head.get(bound, ())):
                return None
            (modules if mapped == "" else functions).append((alias, mapped))
        imported = [module] + [f"{module}.{alias.evaluated_name}" for alias in small.names]
        bound = [alias.evaluated_alias or alias.evaluated_name for alias in small.names]
        if modules and not functions and len(modules) == 1:  # from tensorflow.contrib import slim
            new = cst.Import(names=[cst.ImportAlias(cst.Name("tf_slim"), asname=cst.AsName(cst.Name(bound[0])))])
            return new, imported, bound, helper_bound
        if not modules and all("." not in mapped for _, mapped in functions):
            names = [alias.with_changes(name=cst.Name(mapped)) for alias, mapped in functions]
            if helper_bound and names:  # batch_norm left the list: no comma after the last name
                names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            new = small.with_changes(module=cst.Name("tf_slim"), names=names) if names else None
            return new, imported, bound, helper_bound
    return None


def rewrite(module: cst.Module, plan: Plan) -> cst.Module:
    """``module`` with the contrib names of ``plan`` as tf_slim's, ``import tf_slim`` if needed, and the
    batch_norm helper (``_slim_batch_norm``) after the imports where the file reads batch_norm."""
    helper = plan.helper
    if plan.helped and not helper:
        taken = {node.value for node in _names(module)}
        helper = fresh_name(taken, "batch_norm" if "batch_norm" not in taken else "slim_batch_norm")
    chains = {key: cst.parse_expression(f"{plan.alias}.{mapped}" if mapped else plan.alias)
              for key, mapped in plan.chains.items()}
    chains.update({key: cst.Name(helper) for key in plan.helped})
    new = module.visit(Replacer({**chains, **plan.imports}))
    if not (plan.chains or plan.helped):
        return new
    body = list(new.body)
    if plan.alias == "tf_slim" and "tf_slim" not in _bound(body):
        body.insert(_tf.last_import(body) + 1, cst.parse_statement("import tf_slim\n"))
    new = new.with_changes(body=body)
    if plan.helped:
        new = _scoped_layers.written_in(new, [_slim_batch_norm.code(helper, plan.tf_alias, plan.alias)])
    return new


def _names(module: cst.Module) -> List[cst.Name]:
    """The names ``module`` uses (not the attribute names of its dotted names)."""
    found: List[cst.Name] = []
    attributes: Set[int] = set()

    class _All(Visitor):
        def visit_Attribute(self, node: cst.Attribute) -> None:
            attributes.add(id(node.attr))

        def visit_Name(self, node: cst.Name) -> None:
            if id(node) not in attributes:
                found.append(node)

    walk(module, _All())
    return found


def _rebound(module: cst.Module, name: str) -> bool:
    """Does ``module`` bind ``name`` other than by an import (a parameter, an assignment, a def...)?"""
    found = []

    class _Binds(Visitor):
        def visit_Param(self, node: cst.Param) -> None:
            found.append(node.name.value)

        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            found.extend(n.value for n in _target_names(node.target))

        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            found.append(node.name.value)

        def visit_ClassDef(self, node: cst.ClassDef) -> None:
            found.append(node.name.value)

        def visit_For(self, node: cst.For) -> None:
            found.extend(n.value for n in _target_names(node.target))

        def visit_CompFor(self, node: cst.CompFor) -> None:
            found.extend(n.value for n in _target_names(node.target))

        def visit_WithItem(self, node: cst.WithItem) -> None:
            if node.asname is not None:
                found.extend(n.value for n in _target_names(node.asname.name))

    walk(module, _Binds())
    return name in found


def _target_names(node: cst.CSTNode) -> List[cst.Name]:
    """The bare names of a target (``a``, ``(a, b)``, ``[a, *b]``), not attributes or subscripts."""
    if isinstance(node, cst.Name):
        return [node]
    if isinstance(node, (cst.Tuple, cst.List)):
        return [n for element in node.elements for n in _target_names(element.value)]
    if isinstance(node, cst.StarredElement):
        return _target_names(node.value)
    return []


def _bound(body) -> Set[str]:
    """The names the module-level ``import`` statements of ``body`` bind."""
    return {(alias.asname.name.value if alias.asname is not None else dotted_name(alias.name).split(".")[0])
            for stmt in body if isinstance(stmt, cst.SimpleStatementLine)
            for small in stmt.body if isinstance(small, cst.Import) for alias in small.names
            if isinstance(alias.asname.name if alias.asname is not None else alias.name, (cst.Name, cst.Attribute))}
