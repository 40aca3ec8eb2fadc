"""``tf.layers.*`` in a program kept on ``tensorflow.compat.v1``, which TensorFlow 2.21 runs without tf-keras.

TensorFlow 2.21's ``tf.compat.v1.layers`` needs tf-keras (Keras 2). ``dense``, ``conv2d``,
``conv2d_transpose``, ``separable_conv2d``, ``dropout`` and ``batch_normalization`` call the helpers of
``_scoped_layers``, TF1's layers written into the file: the same variables (on ``tf.get_variable``),
sharing, scope initializers and random draws. The other layers are Keras 3's, called on the graph tensors
(``tf.keras.layers.Flatten()(x)``): they make their variables in the graph as the TF1 layer did
(``scope/conv1d/kernel:0``, in the global and trainable collections, initialised by
``global_variables_initializer``, trained by a ``tf.train`` optimizer, saved by ``tf.train.Saver``)
but ignore variable scopes (``reuse``, a scope's ``initializer``): in a file that uses them, only
those without variables (flatten, pooling) become Keras 3's. Keras 3's ``Dropout`` adds a
variable of its own (its seed generator's state: a TF1 checkpoint lacks it, and a session that
runs no initializer fails on it), draws its masks its own way and reads ``training`` as a Python
bool: ``tf.layers.dropout`` calls ``_scoped_layers``' helper, TF1's layer on ``tf.nn.dropout``.
"""
from __future__ import annotations

import re
from typing import Dict, List, Optional, Set

import libcst as cst

from tfmigrate.ftypes import Applicability
from tfmigrate.positions import code_for
from tfmigrate.rule import ProgramFix
from tfmigrate.traverse import Replacer, Visitor, walk

from . import _scoped_layers, _tf, _vocab
from ._eager import layers, queries
from ._eager.state import Unsupported

# Layers without variables of their own: scopes and sharing mean nothing to them.
_VARIABLE_FREE = frozenset({"layers.flatten", "layers.max_pooling1d", "layers.max_pooling2d",
                            "layers.average_pooling2d", "layers.dropout"})
# Sharing and scope-wide defaults that Keras layers do not see.
_SCOPE_FEATURES = re.compile(r"\breuse\b|\bAUTO_REUSE\b|\bmake_template\b|\bcustom_getter\b"
                             r"|variable_scope\([^)]*\b(?:initializer|regularizer|partitioner)\s*=")


def mapped(context) -> Dict[int, cst.BaseExpression]:
    """``{id(tf.layers call): its Keras 3 form}`` for the calls the fallback rewrites."""
    return _found(context).found


def helpers(context) -> List[str]:
    """The definitions of the ``_scoped_layers`` helpers those calls use."""
    return _found(context).helpers.code()


def rewrites(context, func: cst.CSTNode) -> bool:
    """Is ``func`` the name of a ``tf.layers`` call that the fallback writes as a Keras 3 layer?"""
    return id(func) in _found(context).funcs


def helped(context, func: cst.CSTNode) -> bool:
    """Is ``func`` the name of a ``tf.layers`` call that the fallback writes as a call of a helper?"""
    return id(func) in _found(context).helped


# Layers that neither make variables nor draw random numbers: their Keras 3 form computes the same
# in graph code and in eager code, wherever the file runs them.
_PURE = frozenset({"layers.flatten", "layers.max_pooling1d", "layers.max_pooling2d", "layers.average_pooling2d"})


def pure(context, func: cst.CSTNode):
    """(the call, its Keras 3 form) when ``func`` names such a layer called in the file, else None."""
    cached = context.shared.get("compat-layers-pure")
    if cached is None:
        cached = context.shared["compat-layers-pure"] = {}
        text = context.text
        if text is None or "layers." in text:
            for call in queries.find(context.module, cst.Call, lambda c: isinstance(c.func, cst.Attribute)):
                name = _tf.call_name(context, call)
                root = call.func
                while isinstance(root, cst.Attribute):
                    root = root.value
                if name in _PURE and isinstance(root, cst.Name) and not any(a.star for a in call.args):
                    new = keras_call(call, name, root.value)
                    if new is not None:
                        cached[id(call.func)] = (call, new)
    return cached.get(id(func))


def kept(context) -> "_Calls":
    """The calls of TF1's layers that the helpers replace in a file that runs on tensorflow.compat.v1 as
    written (its own import, or ``tf.compat.v1.layers.dense`` spelled out): no fallback rewrites it."""
    cached = context.shared.get("compat-layers-kept")
    if cached is None:
        cached = context.shared["compat-layers-kept"] = _Calls(context, kept=True)
        if context.text is None or "layers." in context.text:
            walk(context.module, cached)
    return cached


def _kept_rewrite(module: cst.Module, context) -> Optional[cst.Module]:
    calls = kept(context)
    if not calls.found or not keeps_layers(context):
        return None
    return _scoped_layers.written_in(module.visit(Replacer(calls.found)), calls.helpers.code())


def keeps_layers(context) -> bool:
    """Does the file keep its TF1 layer calls as written after the fix (no eager rewrite, no fallback,
    no Estimator rewrite), where TensorFlow 2.21 runs them only with tf-keras?"""
    from . import _estimator, graph

    if _estimator.uses_estimator(context):
        return False
    result = graph.plan(context)
    return result.eager is None and not result.falls_back


# Safe: the same computation (TF1's layer, its variables and draws), where the call failed without tf-keras.
KEPT_LAYERS_FIX = ProgramFix("TF1 layers written into the file", Applicability.SAFE, _kept_rewrite, order=3)


def _found(context) -> "_Calls":
    cached = context.shared.get("compat-layers")
    if cached is None:
        finder = cached = context.shared["compat-layers"] = _Calls(context)
        text = context.text
        if text is None or "layers." in text:
            finder.scoped = text is not None and bool(_SCOPE_FEATURES.search(text))
            walk(context.module, finder)
    return cached


class _Calls(Visitor):
    def __init__(self, context, kept: bool = False) -> None:
        self.context = context
        self.kept = kept  # a file kept as written: helpers only, on its tensorflow.compat.v1 spelling
        self.found: Dict[int, cst.BaseExpression] = {}
        self.funcs: Set[int] = set()  # ids of their function names (`tf.layers.dense`)
        self.helped: Set[int] = set()  # ... of the calls a helper takes
        self.scoped = False  # the file shares variables through scopes: Keras 3 layers only where they make none
        self.helpers = _scoped_layers.Helpers(lambda: {n.value for n in queries.find(context.module, cst.Name)})

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Attribute)
                and func.value.attr.value == "layers"):
            return
        name = _tf.call_name(self.context, node)
        if (name not in _vocab.LAYERS and name not in _scoped_layers.HELPERS) or name.startswith("contrib."):
            return  # contrib's layers go to tf_slim there (TFM109)
        root = func.value.value
        while isinstance(root, cst.Attribute):
            root = root.value
        if not isinstance(root, cst.Name):
            return
        if self.kept:  # `tf.compat.v1.layers.dense(...)` -> a helper on `tf.compat.v1`
            prefix = func.value.value
            if name in _scoped_layers.HELPERS and self.context.imports.qualify(prefix) == "tensorflow.compat.v1":
                new = self.helpers.call(node, name, code_for(self.context.module, prefix))
                if new is not None:
                    self.found[id(node)] = new
                    self.helped.add(id(node.func))
            return
        if name in _scoped_layers.HELPERS:
            new = self.helpers.call(node, name, root.value)
            if new is not None:
                self.found[id(node)] = new
                self.helped.add(id(node.func))
                return
        if (self.scoped and name not in _VARIABLE_FREE) or name not in _vocab.LAYERS:
            return
        new = keras_call(node, name, root.value)
        if new is not None:
            self.found[id(node)] = new
            self.funcs.add(id(node.func))


def keras_call(call: cst.Call, name: str, alias: str) -> Optional[cst.Call]:
    """``tf.layers.dense(x, 10, name="fc")`` -> ``tf.keras.layers.Dense(10, name="fc")(x)``, or None
    for a call the Keras layer would not read the same way."""
    spec = _vocab.LAYERS[name]
    if any(a.star or (a.keyword is not None and a.keyword.value in spec.dropped) for a in call.args):
        return None
    try:
        spec, inputs, build, at_call = layers.read(call, name)  # as the eager rewrite reads it
    except Unsupported:
        return None
    if not all(_constant(arg.value) for arg in at_call):
        return None  # a Keras 3 layer reads `training` as a Python bool: a graph tensor fails
    called = [cst.Arg(arg.value, keyword=arg.keyword, equal=_tf.EQUAL) for arg in at_call]
    if "training" in spec.call_keywords and not called:
        called.append(cst.Arg(cst.Name("False"), keyword=cst.Name("training"), equal=_tf.EQUAL))  # TF1's default
    layer = cst.Call(cst.parse_expression(f"{alias}.keras.layers.{spec.keras}"), args=[
        cst.Arg(value) if key is None else cst.Arg(value, keyword=cst.Name(key), equal=_tf.EQUAL) for key, value in build])
    return cst.Call(layer, args=[cst.Arg(inputs.value)] + called)


def _constant(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value in ("True", "False", "None")
