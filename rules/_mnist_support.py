"""What the MNIST rewrite (``_mnist``) needs beyond a loader imported at module level into eager code:
loader imports inside a function, and batches for code on tensorflow.compat.v1 graphs."""
from __future__ import annotations

from typing import Dict, Iterator, List, Optional, Set, Tuple

import libcst as cst

from tfmigrate.names import dotted_name, fresh_name
from tfmigrate.traverse import Visitor, walk

from . import _tf
from ._eager import queries

PACKAGE = "examples.tutorials.mnist"
SPLITS = ("train", "validation", "test")

# TF1's DataSet.next_batch, for code on tensorflow.compat.v1 graphs (where tf.data has no Python iterators)
NUMPY_BATCHES = """\
def {name}(x, y, size, shuffle=True):
    \"\"\"TF1's `next_batch`: the examples in a new NumPy order each epoch; a batch may span two.\"\"\"
    if not len(x):
        raise ValueError("no examples to batch")
    order, start = {np}.arange(0), 0
    while True:
        parts, needed = [], size
        while needed:
            if start == len(order):
                order, start = {np}.random.permutation(len(x)) if shuffle else {np}.arange(len(x)), 0
            parts.append(order[start:start + needed])
            start, needed = start + len(parts[-1]), needed - len(parts[-1])
        taken = {np}.concatenate(parts)
        yield x[taken], y[taken]
"""


def numpy_batches(module: cst.Module, name: str, np: str) -> cst.FunctionDef:
    code = NUMPY_BATCHES.format(name=name, np=np).replace("    ", module.default_indent)
    return cst.parse_statement(code, config=module.config_for_parsing).with_changes(
        leading_lines=[cst.EmptyLine(), cst.EmptyLine()])


def function_imports(module: cst.Module) -> Iterator[cst.SimpleStatementLine]:
    """The import statements at the top of the bodies of the module's functions."""
    for function in module.body:
        if isinstance(function, cst.FunctionDef) and isinstance(function.body, cst.IndentedBlock):
            for statement in function.body.body:
                if isinstance(statement, cst.SimpleStatementLine) and any(
                        isinstance(small, (cst.Import, cst.ImportFrom)) for small in statement.body):
                    yield statement


class WithLocalImports:
    """The file's imports, and the names a function binds to the MNIST package with an import of its own
    (``import tensorflow.examples.tutorials.mnist.input_data as input_data`` inside ``main``)."""

    def __init__(self, imports, module: cst.Module) -> None:
        self.imports = imports
        self.aliases = imports.aliases
        self.local: Dict[str, str] = {}
        for statement in function_imports(module):
            for small in statement.body:
                for local, full in _bound(small).items():
                    if (_tf.relative(full) or "").startswith(PACKAGE):
                        self.local[local] = full

    def qualify(self, node: cst.BaseExpression) -> Optional[str]:
        name = dotted_name(node)
        head, _, rest = (name or "").partition(".")
        if head in self.local:
            return self.local[head] + (f".{rest}" if rest else "")
        return self.imports.qualify(node)


def _bound(small: cst.BaseSmallStatement) -> Dict[str, str]:
    """Local name -> full name, for the names an import binds (``import a.b`` binds ``a``: left out)."""
    found: Dict[str, str] = {}
    if isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative and not isinstance(
            small.names, cst.ImportStar):
        base = dotted_name(small.module)
        for alias in small.names:
            local = alias.asname.name if alias.asname is not None else alias.name
            if isinstance(local, cst.Name):
                found[local.value] = f"{base}.{alias.evaluated_name}"
    elif isinstance(small, cst.Import):
        for alias in small.names:
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                found[alias.asname.name.value] = alias.evaluated_name
    return found


def global_names(module: cst.Module) -> Set[str]:
    """The names new module-level code must not take: those bound at module level, and every name read
    that is not local to a function (a global, a builtin, an undefined name). A function's parameters
    and locals (`def predict(self, x_test)`) are not in the way."""
    wrapper = cst.metadata.MetadataWrapper(module)  # a copy: its scopes, not this module's nodes
    scopes = {scope for scope in wrapper.resolve(cst.metadata.ScopeProvider).values() if scope is not None}
    names: Set[str] = set()
    for scope in scopes:
        if isinstance(scope, cst.metadata.GlobalScope):
            names.update(assignment.name for assignment in scope.assignments)
        for access in scope.accesses:
            if not access.referents or any(isinstance(r.scope, cst.metadata.GlobalScope) for r in access.referents):
                names.add(access.node.value if isinstance(access.node, cst.Name) else str(access.node))
    return names


def natural_pair(taken: Set[str], names, others):
    """Two names that go together (``x_test``, ``y_test``), else both ``others`` (``test_images``,
    ``test_labels``) when one of the first is taken, else numbered ones."""
    chosen = others if any(n in taken for n in names) and not any(n in taken for n in others) else names
    return tuple(fresh_name(taken, n) for n in chosen)


def known_at_module_level(size: cst.BaseExpression, statements) -> bool:
    """Can a batch size be read at module level after ``statements``? An attribute in it
    (`FLAGS.batch_size`) may be read only once the program has parsed its flags (in `main`):
    `args.batch_size` after `args = parser.parse_args()` is known, and so is an attribute of a name
    the program itself reads at module level before (`tf.set_random_seed(FLAGS.seed)`)."""
    known = set()
    for statement in statements:
        if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            continue
        for small in statement.body if isinstance(statement, cst.SimpleStatementLine) else ():
            if (isinstance(small, cst.Assign) and len(small.targets) == 1
                    and isinstance(small.targets[0].target, cst.Name) and isinstance(small.value, cst.Call)
                    and isinstance(small.value.func, cst.Attribute) and small.value.func.attr.value == "parse_args"):
                known.add(small.targets[0].target.value)
        known |= {_head(attribute) for attribute in queries.find(statement, cst.Attribute)} - {None}
    return all(_head(attribute) in known for attribute in queries.find(size, cst.Attribute))


def _head(attribute: cst.Attribute) -> Optional[str]:
    """``args`` of ``args.batch_size``; None for an attribute of anything but a name."""
    dotted = dotted_name(attribute)
    return dotted.split(".", 1)[0] if dotted else None


class Uses(Visitor):
    """Every use of the data sets' name: `name.split.field` and `name.split.next_batch(...)`."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.found: List[Tuple[cst.CSTNode, str, str]] = []  # (node, split, field), in source order
        self.stray: List[cst.CSTNode] = []
        self.own: List[Tuple[cst.CSTNode, str, str]] = []  # the program's own fields of a split

    def own_fields(self, block: List[cst.BaseStatement]) -> List[cst.CSTNode]:
        """The program's own fields move into names of their own (``cls_test``) when each is first
        assigned, by a statement of the block that loads the data (the name is bound there), and only
        then read; the uses that are not such: stray."""
        targets = {id(target.target) for statement in block if isinstance(statement, cst.SimpleStatementLine)
                   for small in statement.body if isinstance(small, cst.Assign) for target in small.targets}
        first: Dict[Tuple[str, str], cst.CSTNode] = {}
        for node, split, field in self.own:
            first.setdefault((split, field), node)
        return [node for node, split, field in self.own if id(first[(split, field)]) not in targets]

    def visit_Import(self, node) -> bool:
        return False

    def visit_ImportFrom(self, node) -> bool:
        return False

    def _split_field(self, node: cst.BaseExpression) -> Optional[Tuple[str, str]]:
        if (isinstance(node, cst.Attribute) and isinstance(node.value, cst.Attribute)
                and isinstance(node.value.value, cst.Name) and node.value.value.value == self.name
                and node.value.attr.value in SPLITS):
            return node.value.attr.value, node.attr.value
        return None

    def visit_Call(self, node: cst.Call) -> bool:
        found = self._split_field(node.func)
        if found is not None and found[1] == "next_batch":
            self.found.append((node, *found))
            for arg in node.args:
                walk(arg, self)
            return False
        return True

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        found = self._split_field(node)
        if found is not None and found[1] in ("images", "labels", "num_examples"):
            self.found.append((node, *found))
            return False
        if found is not None and found[1] != "next_batch" and not found[1].startswith("_"):
            self.own.append((node, *found))  # `data.test.cls = np.argmax(data.test.labels, axis=1)`, then reads
            return False
        return True

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.stray.append(node)


def imported_names(small: cst.BaseSmallStatement) -> Optional[List[str]]:
    """The TF-relative names an import statement brings, when one of them is the MNIST package."""
    if isinstance(small, cst.ImportFrom) and small.module is not None and not small.relative:
        module = _tf.relative(dotted_name(small.module))
        if module is None or not module.startswith("examples"):
            return None
        if isinstance(small.names, cst.ImportStar):
            return [module]
        return [f"{module}.{alias.evaluated_name}" for alias in small.names]
    if isinstance(small, cst.Import):
        names = [_tf.relative(alias.evaluated_name) for alias in small.names]
        if any(name is not None and name.startswith("examples") for name in names):
            return [name or "" for name in names]
    return None
