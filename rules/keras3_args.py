"""Keras 2 calls that Keras 3 (TensorFlow >= 2.16) refuses: arguments and methods.

Users of TF 2.0-2.15 with tf.keras code hit these on TF 2.16+ as TF1 users do.
What Keras 3 rejects is measured on the installed Keras by
scripts/generate_api_table.py (``keras_removed_arguments``) or written here
from Keras 3's own errors.
"""
from __future__ import annotations

from typing import Dict, Optional, Set

import libcst as cst

from tfmigrate.ftypes import Applicability, Status
from tfmigrate.names import dotted_name
from tfmigrate.rule import Invalid, Rule

from . import _tf


def keras_name(rule: Rule, node: cst.BaseExpression) -> Optional[str]:
    """'keras.optimizers.Adam' for tf.keras.optimizers.Adam, tf.optimizers.Adam or keras.optimizers.Adam."""
    qualified = rule.qualify(node)
    if qualified is None:
        return None
    if qualified.startswith("keras."):
        return qualified
    name = _tf.relative(qualified)
    if name is None:
        return None
    if name.startswith("contrib.keras."):  # TF 1.2's Keras, which TFM120 imports from TensorFlow
        from . import contrib_names

        if name in contrib_names.moved(rule.context):
            name = contrib_names.tf2_name(name) or name
    if name.startswith("optimizers."):
        return "keras." + name
    return name if name.startswith("keras.") else None


def _keyword(arg: cst.Arg, name: str) -> cst.Arg:
    return arg.with_changes(keyword=cst.Name(name), equal=arg.equal if arg.keyword is not None else _tf.EQUAL)


class KerasOptimizerArguments(Rule):
    """`lr=` and `decay=` given to a Keras optimizer.

    What it finds: `tf.keras.optimizers.Adam(lr=0.01)`, `tf.optimizers.SGD(lr=..., decay=...)`
    and the like (Keras 2 spellings).

    Why: Keras 3 raises `ValueError: Argument(s) not recognized: {'lr': 0.01}`,
    and ignores `decay` with only a warning, so the learning rate no longer decays.

    Fix (safe): `lr=` becomes `learning_rate=`. `decay=` is reported without a
    fix: Keras 2 divided the rate by `1 + decay * iterations`; the same schedule
    in Keras 3 is `learning_rate=tf.keras.optimizers.schedules.InverseTimeDecay(lr,
    decay_steps=1, decay_rate=decay)`.
    """

    code = "TFM301"
    name = "keras-optimizer-arguments"
    fix_applicability = Applicability.SAFE
    unfixed_status = Status.MANUAL
    VALID = ["import tensorflow as tf\nopt = tf.keras.optimizers.Adam(learning_rate=0.01)\n"]
    INVALID = [
        Invalid("import tensorflow as tf\nopt = tf.keras.optimizers.Adam(lr=0.01)\n",
                "import tensorflow as tf\nopt = tf.keras.optimizers.Adam(learning_rate=0.01)\n", unsafe=False),
        Invalid("import tensorflow as tf\nopt = tf.keras.optimizers.SGD(learning_rate=0.1, decay=1e-4)\n"),
    ]

    def visit_Call(self, node: cst.Call) -> None:
        name = keras_name(self, node.func)
        if name is None or not name.startswith("keras.optimizers.") or name.count(".") != 2:
            return
        for arg in node.args:
            if arg.keyword is None:
                continue
            if arg.keyword.value == "lr":
                self.report(arg.keyword, "Keras 3 optimizers take `learning_rate`, not `lr` (ValueError)",
                            replacement=cst.Name("learning_rate"))
            elif arg.keyword.value == "decay":
                rate = self.context.code_for(arg.value)
                self.report(arg, "Keras 3 optimizers ignore `decay` (only a warning): for Keras 2's "
                            "rate / (1 + decay * iterations) pass learning_rate=tf.keras.optimizers.schedules."
                            f"InverseTimeDecay(<learning rate>, decay_steps=1, decay_rate={rate})", fixable=False)


_GENERATOR_METHODS = {
    "fit_generator": ("fit", ("generator", "steps_per_epoch", "epochs", "verbose", "callbacks", "validation_data",
                              "validation_steps", "validation_freq", "class_weight", "max_queue_size", "workers",
                              "use_multiprocessing", "shuffle", "initial_epoch")),
    "evaluate_generator": ("evaluate", ("generator", "steps", "callbacks", "max_queue_size", "workers",
                                        "use_multiprocessing", "verbose")),
    "predict_generator": ("predict", ("generator", "steps", "callbacks", "max_queue_size", "workers",
                                      "use_multiprocessing", "verbose")),
}
_QUEUE_ARGUMENTS = ("max_queue_size", "workers", "use_multiprocessing")


class KerasGeneratorMethods(Rule):
    """`model.fit_generator(...)`, `evaluate_generator`, `predict_generator`.

    What it finds: calls of the three Keras 2 generator methods, in files
    that import TensorFlow or Keras.

    Why: Keras 3 models have no such methods (AttributeError); `fit`,
    `evaluate` and `predict` take generators, `tf.data` datasets and
    `keras.utils.PyDataset` objects themselves, as Keras 2's forwarding did.

    Fix (safe): the method renamed, positional arguments after the generator
    passed by keyword (the parameter orders differ). Calls passing
    `max_queue_size`, `workers` or `use_multiprocessing` are reported without
    a fix: in Keras 3 those belong to a `keras.utils.PyDataset`.
    """

    code = "TFM302"
    name = "keras-generator-methods"
    fix_applicability = Applicability.SAFE
    VALID = ["import tensorflow as tf\nmodel.fit(batches, epochs=3)\n"]
    INVALID = [Invalid("import tensorflow as tf\nmodel.fit_generator(batches, 100, 3)\n",
                       "import tensorflow as tf\nmodel.fit(batches, steps_per_epoch=100, epochs=3)\n", unsafe=False)]

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in _GENERATOR_METHODS:
            return
        if not any(v.split(".")[0] in ("tensorflow", "keras") for v in self.context.imports.aliases.values()):
            return
        new, order = _GENERATOR_METHODS[func.attr.value]
        message = f"Keras 3 models have no `{func.attr.value}`: `{new}` takes the generator"
        queue = [a.keyword.value for a in node.args if a.keyword is not None and a.keyword.value in _QUEUE_ARGUMENTS]
        if queue or any(a.star for a in node.args):
            self.report(node, message + (f"; {', '.join(queue)} go to a keras.utils.PyDataset" if queue else ""),
                        fixable=False)
            return
        args, position = [], 0
        for arg in node.args:
            if arg.keyword is None:
                if position >= len(order):
                    self.report(node, message, fixable=False)
                    return
                arg = arg if position == 0 else _keyword(arg, order[position])
                position += 1
            args.append(arg)
        replacement = node.with_changes(func=func.with_changes(attr=cst.Name(new)), args=args)
        self.report(node, message, replacement=replacement)


_SUFFIXES = (".keras", ".h5", ".hdf5")
_MODEL_MAKERS = ("keras.Sequential", "keras.Model", "keras.models.Sequential", "keras.models.Model",
                 "keras.models.load_model", "keras.saving.load_model", "keras.models.clone_model")


class KerasSave(Rule):
    """`model.save(path, save_format=...)` and a save path without `.keras` or `.h5`.

    What it finds: `save` on a Keras model (a name bound to `tf.keras.Sequential(...)`,
    `tf.keras.Model(...)`, `tf.keras.models.load_model(...)`) and
    `tf.keras.models.save_model(model, path)`, given `save_format=` or a
    string path that does not end in `.keras`, `.h5` or `.hdf5`.

    Why: Keras 3 removed `save_format` (`ValueError: The save_format argument
    is deprecated in Keras 3`) and saves only to `.keras` or `.h5` files
    (`ValueError: Invalid filepath extension for saving`); Keras 2 wrote a
    SavedModel folder by default.

    Fix (safe, for `save_format='h5'` on a path ending in `.h5`): the argument
    removed. Otherwise none: save to `path + '.keras'`, or `model.export(path)`
    for a SavedModel to serve (what `save_format='tf'` wrote).
    """

    code = "TFM303"
    name = "keras-save-format"
    fix_applicability = Applicability.SAFE
    VALID = ["import tensorflow as tf\nmodel = tf.keras.Sequential([])\nmodel.save('model.keras')\n"]
    INVALID = [
        Invalid("import tensorflow as tf\nmodel = tf.keras.Sequential([])\nmodel.save('model.h5', save_format='h5')\n",
                "import tensorflow as tf\nmodel = tf.keras.Sequential([])\nmodel.save('model.h5')\n", unsafe=False),
        Invalid("import tensorflow as tf\nmodel = tf.keras.Sequential([])\nmodel.save('saved_model')\n"),
    ]

    def __init__(self, context) -> None:
        super().__init__(context)
        self.models: Set[str] = set()

    def visit_Assign(self, node: cst.Assign) -> None:
        made = isinstance(node.value, cst.Call) and keras_name(self, node.value.func) in _MODEL_MAKERS
        for target in node.targets:
            name = dotted_name(target.target)
            if name is not None:
                (self.models.add if made else self.models.discard)(name)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if keras_name(self, func) in ("keras.models.save_model", "keras.saving.save_model"):
            path = _tf.argument(node, 1, "filepath")
        elif isinstance(func, cst.Attribute) and func.attr.value == "save" and dotted_name(func.value) in self.models:
            path = _tf.argument(node, 0, "filepath")
        else:
            return
        fmt = _tf.argument(node, None, "save_format")
        literal = path.value.evaluated_value if path is not None and isinstance(path.value, cst.SimpleString) else None
        if fmt is not None:
            value = fmt.value.evaluated_value if isinstance(fmt.value, cst.SimpleString) else None
            message = "Keras 3 has no `save_format` (ValueError): the path's suffix, `.keras` or `.h5`, chooses the format"
            if value == "h5" and isinstance(literal, str) and literal.endswith((".h5", ".hdf5")):
                args = [a for a in node.args if a is not fmt]
                args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
                self.report(node, message, replacement=node.with_changes(args=args))
            else:
                self.report(node, message + "; `model.export(path)` writes a SavedModel", fixable=False)
        elif isinstance(literal, str) and not literal.endswith(_SUFFIXES):
            self.report(node, f"Keras 3 saves only to `.keras` or `.h5` files (ValueError for {literal!r}): "
                        "add `.keras`, or `model.export(path)` for a SavedModel", fixable=False)


class KerasRemovedArgument(Rule):
    """A constructor argument of Keras 2 that the Keras 3 class rejects.

    What it finds: calls such as `tf.keras.layers.LSTM(64, time_major=True)`
    or `tf.keras.optimizers.Adam(jit_compile=True)`: the arguments listed
    under `keras_removed_arguments` in the generated API table, each one
    measured by building the class of the installed Keras 3 with it.

    Why: Keras 3 raises `Unrecognized keyword arguments passed to LSTM`
    (or a TypeError) when the object is built.

    Fix: none; drop the argument or do its job another way.
    """

    code = "TFM304"
    name = "keras-removed-argument"
    VALID = ["import tensorflow as tf\nlayer = tf.keras.layers.LSTM(64)\n"]
    INVALID = [Invalid("import tensorflow as tf\nlayer = tf.keras.layers.LSTM(64, time_major=True)\n")]

    def visit_Call(self, node: cst.Call) -> None:
        name = keras_name(self, node.func)
        if name is None:
            return
        removed: Dict[str, list] = _tf.api().get("keras_removed_arguments", {})
        rejected = removed.get(name)
        if not rejected:
            return
        for arg in node.args:
            if arg.keyword is not None and arg.keyword.value in rejected:
                self.report(arg, f"Keras 3's `{name}` has no `{arg.keyword.value}` argument: it raises when built")
