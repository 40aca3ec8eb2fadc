"""TensorFlow's private names (`tensorflow.python...`) written as the public TF1 names they are."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set

import libcst as cst

from tfmigrate.ftypes import Applicability, Status
from tfmigrate.names import Chains, dotted_name
from tfmigrate.rule import Context, Invalid, Rule

from . import _compat_rnn, _private, _tf, _verdicts, test_modes
from ._eager import queries


def _message(private: str, public: str) -> str:
    return (f"`{private}` is TensorFlow's private module path of `tf.{public}`, the same object: private modules "
            "move between releases, the public name stays")


@dataclass
class _Plan:
    """What the fix does to the file's imports of private modules."""

    alias: Optional[str] = None  # the TensorFlow alias the public names are written on
    removed: Set[int] = field(default_factory=set)  # ids of the ImportAlias nodes that go, and of their names


def _is_private(full: Optional[str]) -> bool:
    return (_tf.spelled(full) or "").startswith(_private.PREFIX)


def _imported_modules(module: cst.Module) -> Dict[str, List[cst.ImportAlias]]:
    """Local name -> the import aliases that bind it to a private TensorFlow module or name."""
    bound: Dict[str, List[cst.ImportAlias]] = {}
    for node in queries.find(module, (cst.Import, cst.ImportFrom)):
        if isinstance(node, cst.ImportFrom):
            base = dotted_name(node.module) if node.module is not None and not node.relative else None
            if base is None or isinstance(node.names, cst.ImportStar):
                continue
        for alias in node.names:
            name = dotted_name(alias.name)
            full = name if isinstance(node, cst.Import) else f"{base}.{name}"
            if isinstance(node, cst.Import) and alias.asname is None:
                continue  # `import tensorflow.python.x` binds `tensorflow`
            local = alias.asname.name if alias.asname is not None else alias.name
            if _is_private(full) and isinstance(local, cst.Name):
                bound.setdefault(local.value, []).append(alias)
    return bound


def plan(context: Context) -> _Plan:
    """Which private imports the fix removes: those whose every use is a name it rewrites."""
    found = context.shared.get("private_names")
    if isinstance(found, _Plan):
        return found
    result = context.shared["private_names"] = _Plan(_tf.tf_alias(context.imports))
    module = context.module
    if context.path.endswith("__init__.py") or (context.text is not None and "__all__" in context.text):
        return result  # an __init__ or a module with __all__ may import them for others
    bound = _imported_modules(module)
    if not bound:
        return result
    imports = context.imports
    in_imports = queries.import_names(module)
    chains = [node for node in queries.find(module, cst.Attribute) if dotted_name(node) is not None]
    gone = test_modes.removed(context)  # TFM116 removes these decorators
    inner = {id(node.value) for node in chains}
    rewritten: Set[int] = set()
    for chain in chains:
        if id(chain) in inner:
            continue
        head = chain
        while isinstance(head, cst.Attribute):
            head = head.value
        if head.value in bound and (id(chain) in gone or (  # public names need an alias to be written on
                result.alias is not None and public_name(imports.qualify(chain)) is not None
                and not _compat_rnn.keeps_private(context, imports.qualify(chain)))):
            rewritten.add(id(head))
    used = {name.value for name in queries.find(module, cst.Name, values=True)
            if name.value in bound and id(name) not in in_imports and id(name) not in rewritten}
    result.removed = {id(node) for local, aliases in bound.items() if local not in used
                      for alias in aliases for node in (alias, alias.name)}
    return result


def public_name(qualified: Optional[str]) -> Optional[str]:
    """The public TF1 name of a private ``qualified`` name, or None."""
    written = _tf.spelled(qualified)
    return _private.public(written) if written and written.startswith(_private.PREFIX) else None


def removes(context: Context, node: cst.CSTNode) -> bool:
    """Does TFM114 remove this import alias (or the alias of this name) of a private module, every
    use of which becomes a public name?"""
    return id(node) in plan(context).removed or id(node) in test_modes.removed(context)


class PrivateName(Rule):
    """A TensorFlow name reached through TensorFlow's private `tensorflow.python` package.

    What it finds: `control_flow_ops.cond` after `from tensorflow.python.ops
    import control_flow_ops`, `nest.map_structure` after `from
    tensorflow.python.util import nest`, `dtypes.float32`, `gfile.FastGFile`,
    `tag_constants.SERVING` and the other exported symbols TF1 code used through
    the module that defines them, and the imports of those modules.

    Why: `tensorflow.python` is TensorFlow's implementation, not its API: its
    modules move between releases (TensorFlow 2 moved `cond` and `while_loop`
    out of `control_flow_ops`), and nothing checks what a program reaches there.
    Every exported symbol has a public name, the same object. The estimator's
    modules (`from tensorflow.python.estimator import model_fn as
    model_fn_lib`, `numpy_io.numpy_input_fn`), which TF 1.13 moved into the
    tensorflow_estimator package unchanged, are read the same way.

    Fix (safe): the public TF1 name on the file's TensorFlow alias
    (`control_flow_ops.cond(...)` -> `tf.cond(...)`, `from
    tensorflow.python.ops.math_ops import cast` -> `from tensorflow import
    cast`), read by every other rule as that name, so the rest of the migration
    is what it is for `tf.cond`; an import of a private module whose every use
    became a public name is removed. The table is generated from the names
    `tf_export` gives each symbol (`scripts/generate_private_table.py`).

    Names that were never exported (`test_util.TensorFlowTestCase`,
    `nest.map_structure_up_to`) have no public name: where TensorFlow 2.21
    still has them (`rules/data/tf_private_present.json`, generated by
    `scripts/generate_private_presence.py`), they are reported without a fix
    and the file is compat-only (it runs, on an API that may change); TFM107
    reports the ones TensorFlow 2.21 does not have.

    Known limits:
    a file without a `tensorflow` (or `tensorflow.compat.v1`) alias is reported
    without a fix; imports are kept in an `__init__.py` or a module with
    `__all__`, which may re-export them.
    """

    code = "TFM114"
    name = "private-name"
    fix_applicability = Applicability.SAFE
    unfixed_status = Status.MANUAL
    VALID = ["import tensorflow as tf\ny = tf.cond(p, f, g)\n",
             "from tensorflow_probability.python.internal import test_util\nseed = test_util.test_seed()\n"]
    INVALID = [
        Invalid("import tensorflow as tf\nfrom tensorflow.python.ops import control_flow_ops\n"
                "y = control_flow_ops.cond(p, f, g)\n",
                "import tensorflow as tf\ny = tf.cond(p, f, g)\n", unsafe=False),
        Invalid("import tensorflow as tf\nfrom tensorflow.python.util import nest\ny = nest.flatten(x)\n"
                "z = nest.is_sequence(x)\n",
                "import tensorflow as tf\nfrom tensorflow.python.util import nest\ny = tf.nest.flatten(x)\n"
                "z = nest.is_sequence(x)\n", unsafe=False),
        Invalid("import tensorflow as tf\nfrom tensorflow.python.ops.math_ops import cast\ny = cast(x, tf.int32)\n",
                "import tensorflow as tf\nfrom tensorflow import cast\ny = cast(x, tf.int32)\n", unsafe=False),
        Invalid("import tensorflow as tf\nfrom tensorflow.python.estimator import model_fn as model_fn_lib\n"
                "spec = model_fn_lib.EstimatorSpec(mode, predictions=y)\n",
                "import tensorflow as tf\nspec = tf.estimator.EstimatorSpec(mode, predictions=y)\n", unsafe=False),
        Invalid("from tensorflow.python.ops import control_flow_ops\ny = control_flow_ops.cond(p, f, g)\n"),
    ]

    def __init__(self, context) -> None:
        super().__init__(context)
        self.chains = Chains()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if not self.chains.outermost(node):
            return
        qualified = self.qualify(node)
        public = public_name(qualified)
        if public is not None and _compat_rnn.keeps_private(self.context, qualified):
            public = None  # TF1's cell class: its public name needs Keras 2 on tensorflow.compat.v1
        if public is None:
            if id(node) not in test_modes.removed(self.context):  # TFM116 reports those
                self._kept(node, qualified)
            return
        alias = plan(self.context).alias
        replacement = cst.parse_expression(f"{alias}.{public}") if alias else None
        self.report(node, _message(dotted_name(node) or "", public), replacement=replacement,
                    fixable=replacement is not None)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self.chains.skip(alias.name)
        self._imports(node)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is not None:
            self.chains.skip(node.module)
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            self.chains.skip(alias.name)
        base = dotted_name(node.module) if node.module is not None and not node.relative else None
        if base is None or not _is_private(base):
            return
        publics = [_private.public(_tf.spelled(f"{base}.{dotted_name(alias.name)}") or "") for alias in node.names]
        if all(public is not None and "." not in public for public in publics):
            names = [alias.with_changes(name=cst.Name(public), asname=alias.asname or (
                None if public == alias.name.value else cst.AsName(name=alias.name)))
                for alias, public in zip(node.names, publics)]
            shown = ", ".join(f"tf.{public}" for public in publics)
            self.report(node, f"`from {base} import ...` imports TensorFlow's private module path of {shown}: "
                              "import the public name", replacement=node.with_changes(
                                  module=cst.Name(_tf.TF), names=names))
            return
        self._imports(node)

    def _kept(self, node: cst.CSTNode, qualified: Optional[str]) -> None:
        """A private name no public name has, which TensorFlow 2.21 still has: it runs, as it is."""
        if _is_private(qualified) and _verdicts.unresolved(qualified).kind == _verdicts.PRIVATE_PRESENT:
            self.report(node, f"`tensorflow.{_tf.spelled(qualified)}` {_verdicts.unresolved(qualified).message}",
                        fixable=False, status=Status.COMPAT)

    def _imports(self, node) -> None:
        removed = plan(self.context).removed
        if isinstance(node, cst.ImportFrom):
            base = dotted_name(node.module) if node.module is not None and not node.relative else None
            for alias in node.names:
                if base and id(alias) not in removed:
                    self._kept(alias.name, f"{base}.{dotted_name(alias.name)}")
        else:
            for alias in node.names:
                if id(alias) not in removed:
                    self._kept(alias.name, dotted_name(alias.name))
        gone = [alias for alias in node.names if id(alias) in removed]
        if not gone:
            return
        kept = [alias for alias in node.names if id(alias) not in removed]
        if kept:
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        shown = ", ".join(dotted_name(alias.name) or "" for alias in gone)
        how = " or goes with its decorator (TFM116)" if test_modes.removed(self.context) else ""
        self.report(node, f"the private TensorFlow module{'s' if len(gone) > 1 else ''} {shown}: every use is "
                          f"written with the public name{how}; the import goes",
                    replacement=node.with_changes(names=kept) if kept else cst.RemoveFromParent())
