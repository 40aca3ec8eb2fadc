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

from tfmigrate.names import Chains, dotted_name
from tfmigrate.traverse import Replacer, Visitor, walk

from . import _tf

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


@functools.lru_cache(maxsize=1)
def names() -> frozenset:
    """The tf_slim names a contrib name may become: those the package has, less the ones that fail."""
    path = os.path.join(os.path.dirname(__file__), "data", "tf_slim.json")
    with open(path, encoding="utf-8") as handle:
        return frozenset(json.load(handle)["names"]) - set(BROKEN)


def imported(imports) -> bool:
    """Does the file import tf_slim (or a part of it)?"""
    return any(full.split(".")[0] == "tf_slim" for full in imports.aliases.values())


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

    def __bool__(self) -> bool:
        return bool(self.chains or self.imports)


class _Finder(Visitor):
    def __init__(self, context) -> None:
        self.context = context
        self.chains = Chains()
        self.uses: List[tuple] = []  # (node, TF-relative name, head name)

    def visit_Import(self, node) -> bool:
        return False

    def visit_ImportFrom(self, node) -> bool:
        return False

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if self.chains.outermost(node):
            self._use(node)

    def visit_Name(self, node: cst.Name) -> None:
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
    by_head: Dict[str, List[tuple]] = {}
    for node, name, head in finder.uses:
        failing = broken(name)
        if failing is not None:
            plan.broken.append((node, failing))
        if head in tf_aliases:
            mapped = target(name)
            if mapped is not None and isinstance(node, cst.Attribute):
                plan.chains[id(node)] = mapped
                plan.names.add(name)
        else:
            by_head.setdefault(head, []).append((node, name))
    _assigned_modules(plan, context)
    for statement in context.module.body:
        if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
            found = _import(statement.body[0], by_head)
            if found is not None:
                new, imported, bound = found
                plan.imports[id(statement)] = statement.with_changes(body=[new])
                if isinstance(new, cst.Import) and plan.alias == "tf_slim":
                    plan.alias = bound[0]
                plan.names.update(imported)
                plan.names.update(name for head in bound for _, name in by_head.get(head, ()))


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


def _assigned_modules(plan: Plan, context) -> None:
    """``slim = tf.contrib.slim`` at module level: the module becomes tf_slim only where every name the
    program reads through ``slim`` does (tf_slim lacks some, and some fail on TensorFlow 2.21)."""
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
        if any(target(name) is None for _, name in uses):
            del plan.chains[id(value)]
            plan.names.discard(module)
            plan.broken += [(node, broken(name)) for node, name in uses if broken(name) is not None]


def _import(small, by_head):
    """(the tf_slim form, the TF-relative names imported, the names bound) of an import of contrib
    names, when every use of what it binds maps; else None."""
    if isinstance(small, cst.Import) and len(small.names) == 1:
        alias = small.names[0]
        module = _tf.relative(dotted_name(alias.name))
        if module is None or target(module) != "" or alias.asname is None:
            return None
        bound = alias.asname.name.value
        if not all(target(name) is not None for _, name in by_head.get(bound, ())):
            return None
        return cst.Import(names=[cst.ImportAlias(cst.Name("tf_slim"), asname=alias.asname)]), [module], [bound]
    if isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative and (
            not isinstance(small.names, cst.ImportStar)):
        module = _tf.relative(dotted_name(small.module))
        if module is None or not module.startswith("contrib"):
            return None
        modules, functions = [], []
        for alias in small.names:
            mapped = target(f"{module}.{alias.evaluated_name}")
            bound = alias.evaluated_alias or alias.evaluated_name
            if mapped is None or not all(target(name) is not None for _, name in by_head.get(bound, ())):
                return None
            (modules if mapped == "" else functions).append((alias, mapped))
        imported = [module] + [f"{module}.{alias.evaluated_name}" for alias in small.names]
        bound = [alias.evaluated_alias or alias.evaluated_name for alias in small.names]
        if modules and not functions and len(modules) == 1:  # from tensorflow.contrib import slim
            new = cst.Import(names=[cst.ImportAlias(cst.Name("tf_slim"), asname=cst.AsName(cst.Name(bound[0])))])
            return new, imported, bound
        if functions and not modules and all("." not in mapped for _, mapped in functions):
            new = small.with_changes(module=cst.Name("tf_slim"), names=[
                alias.with_changes(name=cst.Name(mapped)) for alias, mapped in functions])
            return new, imported, bound
    return None


def rewrite(module: cst.Module, plan: Plan) -> cst.Module:
    """``module`` with the contrib names of ``plan`` as tf_slim's, and ``import tf_slim`` if needed."""
    chains = {key: cst.parse_expression(f"{plan.alias}.{mapped}" if mapped else plan.alias)
              for key, mapped in plan.chains.items()}
    new = module.visit(Replacer({**chains, **plan.imports}))
    if not plan.chains or plan.alias != "tf_slim":
        return new
    body = list(new.body)
    last = max((i for i, s in enumerate(body) if isinstance(s, cst.SimpleStatementLine)
                and all(isinstance(small, (cst.Import, cst.ImportFrom)) for small in s.body)), default=-1)
    body.insert(last + 1, cst.parse_statement("import tf_slim\n"))
    return new.with_changes(body=body)
