"""Code that only TensorFlow releases before 1.0 run: `try: tf.image_summary ... except AttributeError:`."""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Set

import libcst as cst

from tfmigrate.ftypes import Applicability
from tfmigrate.rule import Context, Invalid, ProgramFix, Rule
from tfmigrate.traverse import Replacer

from . import _tf, _verdicts
from ._eager import queries


def _absent(name: str) -> bool:
    """Does neither TensorFlow 1.x nor TensorFlow 2.21 have ``tf.<name>`` (as written: `image_summary`,
    `nn.deconv2d`, `concat_v2`)? Names of other trees (contrib, the private `python` package, Keras,
    tf.compat, the Estimator) are not judged here."""
    if name in _tf.PRE_1_0:
        return True  # TensorFlow 1.0 renamed it
    if not name or name.split(".", 1)[0] in ("contrib", "python", "tools", "keras", "compat", "estimator"):
        return False
    if _tf.attribute_owner(name) is not None:
        return False  # `tf.__version__`, `tf.nn.__name__`
    return (_verdicts.unresolved(f"tensorflow.compat.v1.{name}").kind == _verdicts.GONE
            and not _tf.exists_in_tf2(name))


def _tf_names(context: Context, nodes: Sequence[cst.CSTNode]) -> List[str]:
    """The TensorFlow names (relative to ``tf``, as written) the nodes read."""
    found = []
    for node in nodes:
        for attribute in queries.find(node, (cst.Attribute, cst.Name)):
            name = _tf.spelled(context.qualify(attribute))
            if name:
                found.append(name)
    return found


def _catches_attribute_error(handler: cst.ExceptHandler) -> bool:
    kinds = handler.type
    if kinds is None:
        return True  # a bare `except:`
    names = [e.value for e in kinds.elements] if isinstance(kinds, cst.Tuple) else [kinds]
    return any(isinstance(n, cst.Name) and n.value in ("AttributeError", "Exception") for n in names)


def _fails_first(context: Context, body: Sequence[cst.BaseStatement]) -> bool:
    """Does the first statement of ``body`` fail before doing anything, by reading an absent name first:
    `x = tf.image_summary`, `y = tf.nn.deconv2d(a, b)` (the function is read before its arguments)?"""
    first = body[0] if body else None
    if not (isinstance(first, cst.SimpleStatementLine) and len(first.body) == 1):
        return False
    small = first.body[0]
    value = small.value if isinstance(small, (cst.Assign, cst.Expr)) else None
    if isinstance(value, cst.Call):
        value = value.func
    if not isinstance(value, cst.Attribute):
        return False
    name = _tf.spelled(context.qualify(value))
    return bool(name) and _absent(name) and (
        not isinstance(small, cst.Assign) or all(isinstance(t.target, cst.Name) for t in small.targets))


def _hasattr_test(context: Context, test: cst.BaseExpression) -> Optional[bool]:
    """The value of ``"concat_v2" in dir(tf)`` / ``hasattr(tf.nn, "deconv2d")`` (or its `not`) on
    TensorFlow 1.x and 2.21 alike, when it is the same on both; else None."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = _hasattr_test(context, test.expression)
        return None if inner is None else not inner
    owner = attr = None
    if (isinstance(test, cst.Comparison) and len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, (cst.In, cst.NotIn))
            and isinstance(test.left, cst.SimpleString) and isinstance(test.comparisons[0].comparator, cst.Call)):
        call = test.comparisons[0].comparator
        if isinstance(call.func, cst.Name) and call.func.value == "dir" and len(call.args) == 1:
            owner, attr = call.args[0].value, test.left.evaluated_value
        negated = isinstance(test.comparisons[0].operator, cst.NotIn)
    elif isinstance(test, cst.Call) and isinstance(test.func, cst.Name) and test.func.value == "hasattr" and (
            len(test.args) == 2 and isinstance(test.args[1].value, cst.SimpleString)):
        owner, attr, negated = test.args[0].value, test.args[1].value.evaluated_value, False
    if owner is None or not isinstance(attr, str) or not attr.isidentifier():
        return None
    module = _tf.spelled(context.qualify(owner))
    if module is None or (module and not _tf.exists_in_tf2(module)):
        return None
    name = f"{module}.{attr}" if module else attr
    if _absent(name):
        return negated
    if _tf.exists_in_tf2(name) and _verdicts.unresolved(f"tensorflow.compat.v1.{name}").kind == _verdicts.OK:
        return not negated
    return None


def analyse(context: Context) -> Dict[int, List[cst.BaseStatement]]:
    """``{id(statement): the statements that replace it}`` for every version fallback of the file."""
    cached = context.shared.get("version-fallbacks")
    if cached is not None:
        return cached
    found: Dict[int, List[cst.BaseStatement]] = {}
    text = context.text
    if text is None or "except" in text or "dir(" in text or "hasattr(" in text:
        chained = {id(n.orelse) for n in queries.find(context.module, cst.If) if isinstance(n.orelse, cst.If)}
        for node in queries.find(context.module, (cst.Try, cst.If)):
            kept = _kept(context, node) if id(node) not in chained else None  # (not an `elif`)
            if kept is not None:
                found[id(node)] = kept
    context.shared["version-fallbacks"] = found
    return found


def _kept(context: Context, node) -> Optional[List[cst.BaseStatement]]:
    if isinstance(node, cst.If):
        value = _hasattr_test(context, node.test)
        if value is None:
            return None
        if value:
            return list(node.body.body)
        if isinstance(node.orelse, cst.Else):
            return list(node.orelse.body.body)
        return [node.orelse] if isinstance(node.orelse, cst.If) else []
    if node.orelse is not None or node.finalbody is not None or len(node.handlers) != 1:
        return None
    handler = node.handlers[0]
    if not _catches_attribute_error(handler):
        return None
    body_dead = any(_absent(n) for n in _tf_names(context, node.body.body))
    handler_dead = any(_absent(n) for n in _tf_names(context, handler.body.body))
    if body_dead and not handler_dead and handler.name is None and _fails_first(context, node.body.body):
        return list(handler.body.body)  # TensorFlow 1.x ran the handler
    if handler_dead and not body_dead:
        return list(node.body.body)  # ... the body: the handler served older releases
    return None


def dead(context: Context) -> Set[int]:
    """The ids of every node in the code the fix removes."""
    cached = context.shared.get("version-fallbacks-dead")
    if cached is None:
        cached = set()
        for node in queries.find(context.module, (cst.Try, cst.If)) if analyse(context) else ():
            kept = analyse(context).get(id(node))
            if kept is not None:
                keep = {id(n) for stmt in kept for n in queries.every_node(stmt)}
                cached.update(id(n) for n in queries.every_node(node) if id(n) not in keep)
        context.shared["version-fallbacks-dead"] = cached
    return cached


def moved(context: Context) -> Set[str]:
    """The TensorFlow names (relative to ``tf``) read only in that code: they go with it."""
    if not analyse(context):
        return set()
    gone = dead(context)
    names, live = set(), set()
    for node in queries.find(context.module, cst.Attribute):
        name = _tf.relative(context.qualify(node))
        if name:
            (names if id(node) in gone else live).add(name)
    return names - live  # (`tf.image_summary` is read as `tf.summary.image`, which the kept branch has)


def _rewrite(module: cst.Module, context: Context) -> Optional[cst.Module]:
    found = analyse(context)
    if not found:
        return None
    replacements = {}
    for node in queries.find(module, (cst.Try, cst.If)):
        kept = found.get(id(node))
        if kept is None:
            continue
        # The kept statements as they were (a fallback inside another one is judged on its own pass); the
        # first takes the lines above the statement.
        if kept and hasattr(kept[0], "leading_lines"):
            kept = [kept[0].with_changes(leading_lines=[*node.leading_lines, *kept[0].leading_lines]), *kept[1:]]
        replacements[id(node)] = cst.FlattenSentinel(kept) if kept else cst.RemoveFromParent()
    return module.visit(Replacer(replacements))


# Before every other program fix: they read the code that TensorFlow 1.x ran.
VERSION_FIX = ProgramFix("code of TensorFlow before 1.0 removed", Applicability.SAFE, _rewrite, order=-2)


class VersionFallback(Rule):
    """Code that only TensorFlow releases before 1.0 ran.

    What it finds: a `try:` whose body or `except AttributeError:` (or bare
    `except:`) handler reads a TensorFlow name that neither TensorFlow 1.x
    nor TensorFlow 2 has (`tf.image_summary`, `tf.nn.deconv2d`,
    `tf.concat_v2`), while the other branch reads none; and an `if` on
    `"concat_v2" in dir(tf)` or `hasattr(tf.nn, "deconv2d")` whose answer is
    the same on TensorFlow 1.x and 2.

    Why: programs written across TensorFlow 0.12 and 1.0 kept both spellings;
    the old one is dead code on every TensorFlow since, and it names what
    TensorFlow 2 does not have, which reads as migration work that is not.

    Fix (safe): the branch TensorFlow 1.x ran takes the statement's place:
    the handler when the body's first statement fails on the old name
    (`image_summary = tf.image_summary`), the body when the handler holds
    the old name; the `if` by its answer. The rest of the migration is then
    made on that branch.

    Known limits: a `try` with an `else` or `finally`, with several handlers,
    or whose body might have done something before failing is left alone;
    so is a fallback for TensorFlow 2 (`except AttributeError:` around
    `tf.contrib`), whose right branch depends on where the code is to run.
    """

    code = "TFM121"
    name = "tf-version-fallback"
    program_fix = VERSION_FIX
    VALID = [
        "import tensorflow as tf\ntry:\n    f = tf.summary.image\nexcept AttributeError:\n    f = None\n",
        "import tensorflow as tf\nif hasattr(tf, 'contrib'):\n    x = 1\nelse:\n    x = 2\n",
    ]
    INVALID = [
        Invalid("import tensorflow as tf\ntry:\n    f = tf.image_summary\nexcept AttributeError:\n"
                "    f = tf.summary.image\n",
                "import tensorflow as tf\nf = tf.summary.image\n", unsafe=False),
        Invalid("import tensorflow as tf\ntry:\n    y = tf.nn.conv2d_transpose(x, w, s, [1, 2, 2, 1])\n"
                "except AttributeError:\n    y = tf.nn.deconv2d(x, w, s, [1, 2, 2, 1])\n",
                "import tensorflow as tf\ny = tf.nn.conv2d_transpose(x, w, s, [1, 2, 2, 1])\n", unsafe=False),
        Invalid("import tensorflow as tf\nif 'concat_v2' in dir(tf):\n    c = tf.concat_v2\nelse:\n    c = tf.concat\n",
                "import tensorflow as tf\nc = tf.concat\n", unsafe=False),
    ]

    def visit_Module(self, node: cst.Module) -> None:
        found = analyse(self.context)
        for statement in queries.find(node, (cst.Try, cst.If)):
            if id(statement) in found:
                which = "`if`" if isinstance(statement, cst.If) else "`try`"
                self.report(statement, f"this {which} keeps code for TensorFlow before 1.0, which no TensorFlow "
                                       "since runs: the branch TensorFlow 1.x ran takes its place")
