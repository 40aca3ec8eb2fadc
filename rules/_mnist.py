"""The MNIST loader of TF1's tutorials, read with ``tf.keras.datasets.mnist`` instead.

``from tensorflow.examples.tutorials.mnist import input_data`` and
``mnist = input_data.read_data_sets(dir, one_hot=True)`` start most TF1
tutorials; TensorFlow 2 has no ``tensorflow.examples``. ``analyse`` reads how
the program uses the data sets (``mnist.train.next_batch(n)``,
``mnist.test.images``, ``mnist.train.num_examples``, ...) and ``rewrite``
loads the same arrays with ``tf.keras.datasets.mnist.load_data()``, prepared
as ``read_data_sets`` did:

- images flattened to 784 float32 values in [0, 1] (``reshape=False``: 28x28x1);
- the first ``validation_size`` (5,000) training images and labels set apart
  for validation, the rest (55,000) for training;
- labels one-hot (``one_hot=True``, float64 as TF1's) or the digit (uint8);
- ``split.next_batch(n)`` the next batch of a ``tf.data`` pipeline that
  reshuffles every epoch and lets batches run across epochs, as TF1's did (in
  code on tensorflow.compat.v1 graphs, of a NumPy generator doing the same);
  ``split.num_examples`` the number of images.

The files come from Keras's copy of MNIST (the same 70,000 images), downloaded
to ``~/.keras/datasets`` instead of the directory the program named. TF1
shuffled with NumPy's generator, the pipeline with TensorFlow's: the batches
are the same data in another order.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple

import libcst as cst

from tfmigrate.names import fresh_name, natural
from tfmigrate.traverse import Visitor, walk

from . import _mnist_shim, _mnist_support, _tf
from ._eager import queries

PACKAGE = _mnist_support.PACKAGE
LOADER = PACKAGE + ".input_data.read_data_sets"
# TF-relative names the rewrite removes: other rewrites may leave them for it.
NAMES = frozenset({PACKAGE, PACKAGE + ".input_data", LOADER})
SPLITS = _mnist_support.SPLITS
PARAMETERS = ("train_dir", "fake_data", "one_hot", "dtype", "reshape", "validation_size", "seed", "source_url")
TRAIN_SIZE = 60000  # images in MNIST's training file


@dataclass
class Plan:
    """How one file loads and reads MNIST; ``problem`` says why it cannot be rewritten."""

    problem: Optional[Tuple[cst.CSTNode, str]] = None
    call: Optional[cst.Call] = None  # read_data_sets(...)
    statement: Optional[cst.SimpleStatementLine] = None  # `mnist = input_data.read_data_sets(...)`
    owner: Optional[cst.CSTNode] = None  # the Module or FunctionDef whose body holds it
    name: str = ""
    tf: str = ""  # the file's name for tensorflow (or tensorflow.compat.v1)
    numpy: str = ""  # ... and for numpy, if it imports numpy
    import_tf: bool = False  # the file imports only the loader from tensorflow: `import tensorflow as tf` comes in
    one_hot: bool = False
    reshape: bool = True
    validation: int = 5000
    imports: List[cst.CSTNode] = field(default_factory=list)  # import statements that only bring the loader
    after: Optional[cst.CSTNode] = None  # `import tensorflow` when it comes later: the loading moves below it
    uses: Dict[int, Tuple[str, str]] = field(default_factory=dict)  # id(node) -> (split, field)
    # split -> (size, shuffle, the statement its batches start before: in the loading block or a `with` in it,
    # and the indentation of those `with` blocks)
    batches: Dict[str, Tuple[cst.BaseExpression, bool, cst.BaseStatement, str]] = field(default_factory=dict)

    shim: Optional[_mnist_shim.Shim] = None  # where ``problem`` stops this rewrite: TF1's loader written in

    @property
    def fixable(self) -> bool:
        return (self.problem is None or self.shim is not None) and self.call is not None


def analyse(context) -> Optional[Plan]:
    """The plan for ``context``'s module (cached), or None when it does not use TF1's MNIST loader."""
    if "mnist" in context.shared:
        return context.shared["mnist"]
    text = context.text
    plan = None
    if text is None or "read_data_sets" in text:
        plan = _Analysis(context.module, context.imports).run()
    context.shared["mnist"] = plan
    return plan


def moved(context) -> frozenset:
    """The loader's names when this file's loading can be rewritten (another rewrite may leave them)."""
    plan = analyse(context)
    return NAMES if plan is not None and plan.fixable else frozenset()


class _Calls(Visitor):
    def __init__(self, imports) -> None:
        self.imports = imports
        self.loaders: List[cst.Call] = []
        self.others: List[cst.CSTNode] = []  # other names of tensorflow.examples

    def visit_Import(self, node) -> bool:
        return False

    def visit_ImportFrom(self, node) -> bool:
        return False

    def visit_Call(self, node: cst.Call) -> None:
        if _tf.relative(self.imports.qualify(node.func)) == LOADER:
            self.loaders.append(node)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        return self._name(node)

    def visit_Name(self, node: cst.Name) -> None:
        self._name(node)

    def _name(self, node) -> bool:
        name = _tf.relative(self.imports.qualify(node))
        if name is None:
            return True
        if name.startswith("examples.") and name != LOADER:
            self.others.append(node)
        return False


def _contains(node: cst.CSTNode, wanted: Set[int]) -> bool:
    return queries.holds(node, (cst.Call, cst.Attribute), lambda found: id(found) in wanted)


def _bound(statements) -> Set[str]:
    """Names the statements bind at their level (imports without `as` too)."""
    names: Set[str] = set()
    for statement in statements:
        names |= queries.bound_names(statement)
        names |= {alias.evaluated_name.split(".")[0] for alias in queries.find(statement, cst.ImportAlias)
                  if alias.asname is None}
    return names


def _literal(node: cst.BaseExpression):
    if isinstance(node, cst.Name) and node.value in ("True", "False"):
        return node.value == "True"
    if isinstance(node, cst.Integer):
        return int(node.value.replace("_", ""), 0)
    return None


class _Analysis:
    def __init__(self, module: cst.Module, imports) -> None:
        self.module = module
        self.imports = imports

    def run(self) -> Optional[Plan]:
        self.imports = _mnist_support.WithLocalImports(self.imports, self.module)  # imports inside functions too
        calls = _Calls(self.imports)
        walk(self.module, calls)
        if not calls.loaders:
            return None
        plan = Plan(call=calls.loaders[0])
        try:
            self._read(plan, calls)
        except _Problem as problem:
            plan.problem = (problem.node, problem.reason)
            plan.shim = _mnist_shim.read(self.module, self.imports, calls)
        return plan

    def _read(self, plan: Plan, calls: _Calls) -> None:
        if len(calls.loaders) > 1:
            raise _Problem(calls.loaders[1], "read_data_sets is called more than once")
        if calls.others:
            raise _Problem(calls.others[0], "the program uses more of tensorflow.examples than read_data_sets")
        plan.tf = _tf.tf_alias(self.imports) or ""
        plan.numpy = _tf.alias(self.imports, "numpy") or ""
        if not plan.tf:
            if "tf" in queries.names_in(self.module):
                raise _Problem(plan.call, "the file does not import tensorflow, and uses the name tf for something else")
            plan.tf, plan.import_tf = "tf", True  # a data module that imported only input_data
        self._arguments(plan)
        block = self._place(plan)
        self._imports(plan)
        self._uses(plan, block)

    def _arguments(self, plan: Plan) -> None:
        for key, arg in _tf.by_parameter(plan.call, PARAMETERS):
            if key == "train_dir":
                continue  # the data comes from Keras's copy
            value = _literal(arg.value)
            if key in ("one_hot", "reshape", "fake_data") and isinstance(value, bool):
                if key == "fake_data" and value:
                    raise _Problem(arg, "read_data_sets(fake_data=True) has no counterpart")
                if key != "fake_data":
                    setattr(plan, key, value)
            elif key == "validation_size" and isinstance(value, int) and not isinstance(value, bool) and (
                    0 <= value <= TRAIN_SIZE):
                plan.validation = value
            elif key == "dtype" and _tf.relative(self.imports.qualify(arg.value)) in ("float32", "dtypes.float32"):
                continue
            else:
                raise _Problem(arg, f"read_data_sets with {key or 'this argument'}="
                                    f"{self.module.code_for_node(arg.value)}")

    def _place(self, plan: Plan) -> List[cst.BaseStatement]:
        """The statement `name = read_data_sets(...)`: at module level or in a top-level function."""
        owners = [self.module] + [s for s in self.module.body if isinstance(s, cst.FunctionDef)]
        for owner in owners:
            body = owner.body if isinstance(owner, cst.Module) else owner.body.body
            for statement in body:
                if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
                    continue
                small = statement.body[0]
                if (isinstance(small, cst.Assign) and small.value is plan.call and len(small.targets) == 1
                        and isinstance(small.targets[0].target, cst.Name)):
                    plan.statement, plan.owner, plan.name = statement, owner, small.targets[0].target.value
                    return list(body)
        raise _Problem(plan.call, "read_data_sets is not assigned to a name at module level or in a function")

    def _imports(self, plan: Plan) -> None:
        owned = [] if isinstance(plan.owner, cst.Module) else [id(s) for s in plan.owner.body.body]
        local = [s for s in _mnist_support.function_imports(self.module) if id(s) in owned]
        for statement in [*self.module.body, *local]:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                names = _mnist_support.imported_names(small)
                if names is None:
                    continue
                if any(not name.startswith(PACKAGE) for name in names) or len(statement.body) != 1:
                    raise _Problem(small, "the import of input_data brings other names too")
                plan.imports.append(statement)

    def _uses(self, plan: Plan, block: List[cst.BaseStatement]) -> None:
        uses = _mnist_support.Uses(plan.name)
        walk(self.module, uses)
        target = plan.statement.body[0].targets[0].target
        stray = [node for node in uses.stray if node is not target] + uses.own_fields(block)
        if stray:
            raise _Problem(stray[0], f"{plan.name} is used as more than mnist.<split>.<images, labels, "
                                     "num_examples, next_batch> and fields it assigns before reading")
        start = block.index(plan.statement)
        inside = {id(node) for node, _, _ in uses.found}
        if any(_contains(statement, inside) for statement in block[:start]):
            raise _Problem(plan.statement, f"{plan.name} is read before read_data_sets")
        if isinstance(plan.owner, cst.Module):
            imported = next((i for i, statement in enumerate(block) if plan.tf in _bound([statement])), start)
            if imported > start:
                if any(_contains(statement, inside) for statement in block[start:imported + 1]):
                    raise _Problem(plan.statement, f"{plan.name} is read before tensorflow is imported")
                plan.after, start = block[imported], imported
        if not isinstance(plan.owner, cst.Module) and any(
                _contains(s, inside) for s in self.module.body if s is not plan.owner):
            raise _Problem(plan.statement, f"{plan.name} is read outside the function that loads it")
        for node, split, name in uses.own:
            plan.uses[id(node)] = (split, name)
        for node, split, name in uses.found:
            plan.uses[id(node)] = (split, name)
            if name == "next_batch":
                self._batch(plan, block, start, node, split)

    def _batch(self, plan: Plan, block, start: int, call: cst.Call, split: str) -> None:
        size, shuffle = None, True
        for key, arg in _tf.by_parameter(call, ("batch_size", "fake_data", "shuffle")):
            if key == "batch_size":
                size = arg.value
            elif key == "shuffle" and isinstance(_literal(arg.value), bool):
                shuffle = _literal(arg.value)
            elif not (key == "fake_data" and _literal(arg.value) is False):
                raise _Problem(call, "next_batch with arguments beyond the batch size and shuffle")
        if size is None:
            raise _Problem(call, "next_batch without a batch size")
        known = plan.batches.get(split)
        if known is not None:
            if self.module.code_for_node(known[0]) != self.module.code_for_node(size) or known[1] != shuffle:
                raise _Problem(call, f"{split}.next_batch is called with different batch sizes")
            return
        before = next((i for i in range(start + 1, len(block)) if _contains(block[i], {id(call)})), None)
        if before is None:
            raise _Problem(call, f"{split}.next_batch is called outside the block that loads the data")
        names = queries.names_in(size)
        bound = _bound(self.module.body) if not isinstance(plan.owner, cst.Module) else set()
        if isinstance(plan.owner, cst.FunctionDef):
            bound |= {p.name.value for p in plan.owner.params.params}
        indent = ""  # of the `with` blocks it goes down
        while True:  # down the `with` blocks around the call (`with tf.Session() as sess:`), not into loops
            bound |= _bound(block[:before])
            at_module_level = isinstance(plan.owner, cst.Module)
            if not names - bound and (not at_module_level or _mnist_support.known_at_module_level(
                    size, block[:before])):
                plan.batches[split] = (size, shuffle, block[before], indent)
                return
            inner = block[before]
            if not isinstance(inner, cst.With) or not isinstance(inner.body, cst.IndentedBlock):
                raise _Problem(call, f"the batch size of {split}.next_batch is not known before the loop that "
                                     "reads it")
            block, indent = list(inner.body.body), indent + (inner.body.indent or self.module.default_indent)
            bound |= queries.bound_names(inner.with_changes(body=cst.IndentedBlock(body=[])))
            before = next(i for i, statement in enumerate(block) if _contains(statement, {id(call)}))


class _Problem(Exception):
    def __init__(self, node: cst.CSTNode, reason: str) -> None:
        super().__init__(reason)
        self.node = node
        self.reason = reason


def rewrite(module: cst.Module, plan: Plan, graph: bool = False) -> cst.Module:
    """``module`` with the MNIST loading read from tf.keras.datasets (``plan`` is of this module);
    ``graph``: the module runs on tensorflow.compat.v1 graphs, where the batches come from NumPy."""
    if plan.problem is not None:
        return _mnist_shim.rewrite(module, plan.shim)
    taken = (_mnist_support.global_names(module) if isinstance(plan.owner, cst.Module)
             else set(queries.source_names(module)))
    used = {split for split, _ in plan.uses.values()}
    names = {split: _mnist_support.natural_pair(taken, (f"x_{split}", f"y_{split}"),
                                                (f"{split}_images", f"{split}_labels")) for split in SPLITS}
    batches = {split: fresh_name(taken, f"{split}_batches") for split in plan.batches}
    tf = plan.tf
    shape = "784" if plan.reshape else "28, 28, 1"
    (x_train, y_train), (x_test, y_test), (x_valid, y_valid) = names["train"], names["test"], names["validation"]
    test = "test" in used
    lines = [f"({x_train}, {y_train}), {f'({x_test}, {y_test})' if test else '_'} = "
             f"{tf}.keras.datasets.mnist.load_data()"]
    for x, y, wanted in ((x_train, y_train, True), (x_test, y_test, test)):
        if wanted:
            lines.append(f'{x} = {x}.reshape(-1, {shape}).astype("float32") / 255')
            if plan.one_hot:
                lines.append(f"{y} = {tf}.keras.utils.to_categorical({y}, 10)")
    if plan.validation:
        if "validation" in used:
            lines.append(f"{x_valid}, {y_valid} = {x_train}[:{plan.validation}], {y_train}[:{plan.validation}]")
        lines.append(f"{x_train}, {y_train} = {x_train}[{plan.validation}:], {y_train}[{plan.validation}:]")
    elif "validation" in used:
        lines.append(f"{x_valid}, {y_valid} = {x_train}[:0], {y_train}[:0]")
    what = "flat images" if plan.reshape else "28x28x1 images"
    held = f", {plan.validation:,} held out for validation" if plan.validation else ""
    comment = cst.EmptyLine(comment=cst.Comment(f"# MNIST as TF1's read_data_sets gave it: {what} scaled to [0, 1]{held}"))
    moved = [line for statement in plan.imports for line in statement.leading_lines]
    loading = [cst.parse_statement(line + "\n") for line in lines]
    loading[0] = loading[0].with_changes(leading_lines=[*moved, *plan.statement.leading_lines, comment])
    indent = "" if isinstance(plan.owner, cst.Module) else (plan.owner.body.indent or module.default_indent)

    inserts: Dict[int, List[cst.BaseStatement]] = {}  # id(statement) -> the statements that go before it
    numpy_import = helper = function = None
    if graph and plan.batches:
        np = plan.numpy or natural(taken, "np", "numpy")
        numpy_import = None if plan.numpy else cst.parse_statement(
            "import numpy\n" if np == "numpy" else f"import numpy as {np}\n")
        helper = fresh_name(taken, "mnist_batches")
        function = _mnist_support.numpy_batches(module, helper, np)
    for split, (size, shuffle, before, inner) in plan.batches.items():
        x, y = names[split]
        if helper is not None:
            flag = "" if shuffle else ", shuffle=False"
            inserts.setdefault(id(before), []).append(cst.parse_statement(
                f"{batches[split]} = {helper}({x}, {y}, {module.code_for_node(size)}{flag})\n"))
            continue
        chain = f"{tf}.data.Dataset.from_tensor_slices(({x}, {y}))"
        steps = (f".shuffle(len({x}))" if shuffle else "") + f".repeat().batch({module.code_for_node(size)})"
        align = indent + inner + " " * (len(batches[split]) + 4)  # under the chain, inside the parenthesis
        statement = cst.parse_statement(f"{batches[split]} = ({chain}\n{align}{steps}.as_numpy_iterator())\n")
        inserts.setdefault(id(before), []).append(statement)

    expressions, own = {}, {}
    for key, (split, name) in plan.uses.items():
        x, y = names[split]
        known = {"images": x, "labels": y, "num_examples": f"len({x})", "next_batch": f"next({batches.get(split)})"}
        if name not in known and (split, name) not in own:  # the program's own field: `cls_test`
            own[(split, name)] = fresh_name(taken, f"{name}_{split}")
        expressions[key] = cst.parse_expression(known.get(name) or own[(split, name)])
    imported = [numpy_import] if numpy_import is not None else []
    if plan.import_tf:
        imported.append(cst.parse_statement("import tensorflow as tf\n"))
    return module.visit(_Rewrite(plan, loading, inserts, expressions, imported, function))


class _Rewrite(cst.CSTTransformer):
    """Removes the loader's imports, replaces its statement and the uses, and starts each split's
    batches just before the statement that first reads them."""

    def __init__(self, plan: Plan, loading, inserts, expressions, imported=(), function=None) -> None:
        super().__init__()
        self.plan = plan
        self.imported = imported  # `import numpy`, `import tensorflow as tf`: after the module's last import
        self.function = function  # at module level: after the loading, or before the function that loads
        self.loading = loading
        self.inserts = inserts
        self.expressions = expressions
        self.removed = {id(statement) for statement in plan.imports}

    def on_leave(self, original_node, updated_node):
        updated = super().on_leave(original_node, updated_node)
        replacement = self.expressions.get(id(original_node))
        if replacement is not None:
            return replacement
        if isinstance(original_node, cst.Module) or original_node is self.plan.owner:
            return self._block(original_node, updated)
        if isinstance(original_node, cst.With) and any(id(s) in self.inserts for s in original_node.body.body):
            body = []
            for old, new in zip(original_node.body.body, updated.body.body):
                body += self._inserted(old, new)
            return updated.with_changes(body=updated.body.with_changes(body=body))
        return updated

    def _inserted(self, old: cst.BaseStatement, new: cst.BaseStatement) -> List[cst.BaseStatement]:
        """The statement, after the batches that start before it (which take its comments)."""
        if id(old) not in self.inserts:
            return [new]
        first, *rest = self.inserts[id(old)]
        return [first.with_changes(leading_lines=new.leading_lines), *rest, new.with_changes(leading_lines=())]

    def _block(self, original, updated):
        module = isinstance(original, cst.Module)
        owner = original is self.plan.owner
        old_body = original.body if module else original.body.body
        new_body = updated.body if module else updated.body.body
        body: List[cst.BaseStatement] = []
        for old, new in zip(old_body, new_body):
            if (module or owner) and id(old) in self.removed:
                continue
            if module and old is self.plan.owner and self.function is not None:
                body.append(self.function)
            if owner and id(old) in self.inserts:  # the statement's comments go above its batches
                *batches, new = self._inserted(old, new)
                body += batches
            if owner and old is self.plan.statement:
                body.extend(self._loading(module) if self.plan.after is None else ())
                continue
            body.append(self._spaced(new, body))
            if owner and old is self.plan.after:
                body.extend(self._loading(module))
        if module:
            position = queries.import_position(body)
            body[position:position] = self.imported
            return updated.with_changes(body=body)
        return updated.with_changes(body=updated.body.with_changes(body=body))

    def _loading(self, module: bool) -> List[cst.BaseStatement]:
        return [*self.loading, self.function] if module and self.function is not None else self.loading

    def _spaced(self, statement: cst.BaseStatement, body: List[cst.BaseStatement]) -> cst.BaseStatement:
        """Two blank lines between the batches function and the statement after it."""
        if not body or self.function is None or body[-1] is not self.function:
            return statement
        lines = list(statement.leading_lines)
        blank = next((i for i, line in enumerate(lines) if line.comment is not None), len(lines))
        return statement.with_changes(leading_lines=[cst.EmptyLine()] * max(0, 2 - blank) + lines)
