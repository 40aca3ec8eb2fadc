"""Whether a TensorFlow name exists on TensorFlow 2.21 with Keras 3, and what replaces it.

``unresolved(name)`` judges one name: ``"tensorflow.compat.v1.layers.dense"``,
``"tensorflow.contrib.slim.conv2d"``, ``"keras.backend.get_session"``, or a
name relative to ``tf`` (``"layers.dense"`` means ``tf.layers.dense``). It
reads the generated table (data/tf_api.json: what the installed TensorFlow
has, with and without Keras 2), the contrib table (data/contrib.json: a
verdict per tf.contrib symbol real TF1 code uses) and the counterparts
below, written by hand for TF1 names whose TF2 replacement is not a rename.
"""
from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from typing import Optional, Tuple

from . import _private, _tf

OK, RENAMED, COMPAT, KERAS2, GONE, PRIVATE = "ok", "renamed", "compat", "keras2", "gone", "private"
PRIVATE_PRESENT = "private-present"  # never exported, but today's TensorFlow still has it
KERAS2_NOTE = "needs tf-keras and TF_USE_LEGACY_KERAS=1"
KERAS_ESTIMATOR = ("is gone: it made a tf.estimator.Estimator, which TensorFlow 2.16 removed (tf-keras keeps the "
                   "name, and calling it raises NotImplementedError): train, evaluate and predict with the Keras "
                   "model itself (Model.fit, evaluate, predict)")

# TensorFlow internals and modules re-exported from elsewhere: not in the public API listing.
_UNCHECKED = ("core", "compiler", "include", "dtensor", "security", "experimental",
              "lite", "tsl", "xla", "distribute.experimental.rpc")

# TF1 names (tf-relative, longest prefix wins) whose TF2 counterpart is not a same-behaviour rename:
# (TF2 name relative to tf, or None, what to write).
COUNTERPARTS = {
    "losses": ("keras.losses", "use a Keras loss (tf.keras.losses)"),
    "losses.softmax_cross_entropy": ("keras.losses.CategoricalCrossentropy",
                                     "use tf.keras.losses.CategoricalCrossentropy(from_logits=True)"),
    "losses.sparse_softmax_cross_entropy": ("keras.losses.SparseCategoricalCrossentropy",
                                            "use tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)"),
    "losses.sigmoid_cross_entropy": ("keras.losses.BinaryCrossentropy",
                                     "use tf.keras.losses.BinaryCrossentropy(from_logits=True)"),
    "losses.log_loss": ("keras.losses.BinaryCrossentropy", "use tf.keras.losses.BinaryCrossentropy()"),
    "losses.mean_squared_error": ("keras.losses.MeanSquaredError", "use tf.keras.losses.MeanSquaredError()"),
    "losses.absolute_difference": ("keras.losses.MeanAbsoluteError", "use tf.keras.losses.MeanAbsoluteError()"),
    "losses.huber_loss": ("keras.losses.Huber", "use tf.keras.losses.Huber()"),
    "losses.hinge_loss": ("keras.losses.Hinge", "use tf.keras.losses.Hinge()"),
    "losses.cosine_distance": ("keras.losses.CosineSimilarity", "use tf.keras.losses.CosineSimilarity()"),
    "losses.get_regularization_loss": (None, "use the sum of the model's regularization losses (tf.add_n(model.losses))"),
    "losses.get_total_loss": (None, "use the loss computed in the train step plus tf.add_n(model.losses)"),
    "flags": (None, "use absl.flags (`from absl import flags`), which tf.flags wrapped"),
    "app.flags": (None, "use absl.flags (`from absl import flags`), which tf.app.flags wrapped"),
    "app.run": (None, "use absl.app.run (`from absl import app`)"),
    "app": (None, "use absl.app (`from absl import app`)"),
    "logging": (None, "use absl.logging (`from absl import logging`) or Python's logging"),
    "truncated_normal_initializer": ("keras.initializers.TruncatedNormal", "use tf.keras.initializers.TruncatedNormal"),
    "glorot_uniform_initializer": ("keras.initializers.GlorotUniform", "use tf.keras.initializers.GlorotUniform"),
    "glorot_normal_initializer": ("keras.initializers.GlorotNormal", "use tf.keras.initializers.GlorotNormal"),
    "variance_scaling_initializer": ("keras.initializers.VarianceScaling", "use tf.keras.initializers.VarianceScaling"),
    "orthogonal_initializer": ("keras.initializers.Orthogonal", "use tf.keras.initializers.Orthogonal"),
    "uniform_unit_scaling_initializer": ("keras.initializers.VarianceScaling",
                                         "use tf.keras.initializers.VarianceScaling(distribution='uniform')"),
    "layers": ("keras.layers", "use a Keras layer (tf.keras.layers)"),
    "nn.rnn_cell": ("keras.layers", "use a Keras RNN cell or layer (tf.keras.layers)"),
    "metrics": ("keras.metrics", "use a Keras metric (tf.keras.metrics), updated with update_state"),
    "train.Saver": ("train.Checkpoint", "use tf.train.Checkpoint with tf.train.CheckpointManager"),
    "summary.FileWriter": ("summary.create_file_writer", "use tf.summary.create_file_writer"),
    "train.exponential_decay": ("keras.optimizers.schedules.ExponentialDecay",
                                "use tf.keras.optimizers.schedules.ExponentialDecay"),
    "get_variable": ("Variable", "use tf.Variable (or a Keras layer's add_weight)"),
    "estimator": (None, "tf.estimator was removed in TensorFlow 2.16: train a Keras 3 model (Model.fit), "
                        "or run the program on TensorFlow 2.15"),
    "feature_column": ("keras.utils.FeatureSpace", "use Keras preprocessing layers (tf.keras.utils.FeatureSpace): "
                                                  "Keras 3 models cannot consume feature columns"),
    "keras.backend.get_session": (None, "Keras 3 has no session: TensorFlow 2 code runs eagerly"),
    "keras.backend.set_session": (None, "Keras 3 has no session: TensorFlow 2 code runs eagerly"),
    "examples.tutorials.mnist": ("keras.datasets.mnist", "use tf.keras.datasets.mnist.load_data()"),
    "examples": (None, "tensorflow.examples is not part of the TensorFlow 2 package"),
}

# Names that exist but that Keras 3 refuses when they are used.
_REFUSED = {"keras.optimizers.legacy": "Keras 3's keras.optimizers.legacy raises when used"}


@dataclass(frozen=True)
class Verdict:
    """What TensorFlow 2.21 with Keras 3 makes of one name.

    ``kind``: ``ok`` (it exists), ``renamed`` (TF2 has it as ``replacement``),
    ``compat`` (only ``tf.compat.v1`` has it), ``keras2`` (it exists only with
    tf-keras and TF_USE_LEGACY_KERAS=1), ``gone`` (nothing on TF 2.21 has it),
    ``private`` (``tensorflow.python...``: not public, not checked).
    ``replacement`` is a name relative to ``tf`` (``keras.layers.Dense``) or
    None; ``message`` says all of it in one sentence, without the name.
    """

    kind: str
    replacement: Optional[str] = None
    message: str = ""


_OK = Verdict(OK)


@functools.lru_cache(maxsize=1)
def _tables():
    table = _tf.api()
    v2 = frozenset(table["v2_api"])
    # The table's walk of tf.compat.v1 leaves its `compat` module out (it holds compat.v1 again); that
    # module is tf.compat, with the same members (tf.compat.v1.compat.as_str is tf.compat.as_str), and
    # its v2 is TensorFlow 2 (tf.compat.v1.compat.v2.summary.create_file_writer).
    v1 = frozenset(table["compat_v1_api"])
    v1 = v1 | {n for n in v2 if n.startswith("compat.") and not n.startswith(("compat.v1", "compat.v2"))} | {
        f"compat.v2.{n}" for n in v2} | {f"compat.v1.{n}" for n in v1} | {"compat.v1", "compat.v2"}
    modules = frozenset(n.rsplit(".", 1)[0] for n in v2 if "." in n)
    v1_modules = frozenset(n.rsplit(".", 1)[0] for n in v1 if "." in n)
    return table, v1, v2, modules, v1_modules


@functools.lru_cache(maxsize=1)
def contrib_table() -> dict:
    path = os.path.join(os.path.dirname(__file__), "data", "contrib.json")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


_exists = _tf.exists_in


def _longest(name: str, table: dict) -> Tuple[Optional[str], Optional[object]]:
    parts = name.split(".")
    for k in range(len(parts), 0, -1):
        prefix = ".".join(parts[:k])
        if prefix in table:
            return prefix, table[prefix]
    return None, None


def split(name: str) -> Tuple[str, str]:
    """("v1" | "v2", tf-relative name) for a qualified or tf-relative name."""
    for prefix, space in (("tensorflow.compat.v1", "v1"), ("tensorflow.compat.v2", "v2"), ("tensorflow", "v2")):
        if name == prefix:
            return space, ""
        if name.startswith(prefix + "."):
            rest = name[len(prefix) + 1:]
            if space == "v1" and (rest == "compat.v2" or rest.startswith("compat.v2.")):
                return split("tensorflow." + rest)  # tf.compat.v1.compat.v2 is TensorFlow 2 again
            return space, rest
    if name == "keras" or name.startswith("keras."):
        return "v2", name
    return "v2", name


def counterpart(name: str) -> Optional[Tuple[Optional[str], str]]:
    """(TF2 name or None, what to write) for a TF1 name with no same-named TF2 home."""
    _, found = _longest(name, COUNTERPARTS)
    return found


def _code(name: Optional[str]) -> str:
    return f"`tf.{name}`" if name else ""


def contrib_verdict(name: str) -> Verdict:
    """The verdict for ``contrib.X...`` (tf-relative)."""
    table = contrib_table()
    key, entry = _longest(name, table)
    parts = name.split(".")
    if "python" in parts and len(parts) > 3:
        # an internal path (contrib.layers.python.layers.layers.conv2d): its public name, if known
        key2, entry2 = _longest(".".join(parts[:2] + parts[-1:]), table)
        if key2 is not None and key2.count(".") == 2:
            key, entry = key2, entry2
    entry = entry or {}
    use, library, note = entry.get("use"), entry.get("library"), entry.get("note", "")
    text = "is gone: tf.contrib was removed in TensorFlow 2.0"
    if use:
        text += f"; use {_code(use)}" + (f": {note}" if note else "")
    elif library:
        text += f"; use the {library} package" + (f": {note}" if note else "")
    elif note.startswith("removed"):
        text += note[len("removed"):]
    elif note:
        text += f"; {note}" if not note.startswith("tf.contrib was removed") else note[len("tf.contrib was removed in TensorFlow 2.0"):]
    return Verdict(GONE, use, text)


@functools.lru_cache(maxsize=4096)
def unresolved(name: str) -> Verdict:
    """What TensorFlow 2.21 (Keras 3) makes of ``name``; ``kind == "ok"`` when it resolves."""
    space, rest = split(name)
    if not rest:
        return _OK
    rest = _tf.PRE_1_0.get(rest, rest)  # TFM112 writes the 1.x name
    rest = _private.public(rest) or rest  # TFM114 writes the public name
    head = rest.split(".", 1)[0]
    owner = _tf.attribute_owner(rest)
    if owner is not None:  # `tf.__version__`, `tf.nn.__name__`: the module's own
        return unresolved(name[:len(name) - len(rest)] + owner) if owner else _OK
    if head == "contrib":
        return contrib_verdict(rest)
    refused, why = _longest(rest, _REFUSED)
    if refused is not None:
        return Verdict(GONE, "keras.optimizers", f"is refused: {why}; use `tf.keras.optimizers`")
    if head == "python":
        if _private.present(rest):
            return Verdict(PRIVATE_PRESENT, None, "is TensorFlow's private API (tensorflow.python), which no public "
                                                  "name has: TensorFlow 2.21 still has it, but private modules "
                                                  "change between releases without notice")
        return Verdict(PRIVATE, None, "is TensorFlow's private API (tensorflow.python), and TensorFlow 2.21 does "
                                      "not have it")
    if head == "tools":
        return _tools(rest)
    table, v1, v2, modules, v1_modules = _tables()
    if head in _UNCHECKED or rest in _UNCHECKED:
        return _OK
    keras = space == "v1" and head == "keras"  # tf.compat.v1.keras is tf.keras
    if space == "v2" or keras:
        if _exists(rest, v2, modules):
            return _OK
        if rest in table["renames"]:
            new = table["renames"][rest]
            return Verdict(RENAMED, new, f"is {_code(new)} in TensorFlow 2")
    elif _exists(rest, v1, v1_modules):
        return _OK
    if rest == "keras.estimator" or rest.startswith("keras.estimator."):  # tf-keras has it, and it raises
        return Verdict(GONE, None, KERAS_ESTIMATOR)
    keras2_key, keras3 = _longest(rest, table["keras2"])
    if keras2_key is not None:
        return _keras2(rest, space, keras3 or None)
    if space == "v2" and not keras and _exists(rest, v1, v1_modules):
        found = counterpart(rest)
        hint = f"; in TensorFlow 2, {found[1]}" if found else ""
        return Verdict(COMPAT, found[0] if found else None, f"is gone from TensorFlow 2 (it runs on tensorflow.compat.v1){hint}")
    found = counterpart(rest)
    if head == "estimator":
        return Verdict(GONE, None, f"is gone: {found[1]}")
    where = "tf.compat.v1 of TensorFlow 2.21" if space == "v1" else "TensorFlow 2.21"
    if space == "v2" and not rest.startswith("keras."):
        where += " (nor in tf.compat.v1)"
    if found is not None:
        return Verdict(GONE, found[0], f"does not exist in {where}: {found[1]}")
    return Verdict(GONE, None, f"does not exist in {where}")


# The packages under tensorflow/tools that TensorFlow 2.21's wheel ships (none of them public API);
# tests/test_api_names.py checks this against the installed TensorFlow.
TOOLS_PACKAGES = ("common", "compatibility", "docs", "pip_package")
_TOOLS_GONE = {
    "tools.graph_transforms": "graph transforms are Grappler's work in TensorFlow 2 (tf.function and"
                              " tf.config.optimizer.set_experimental_options)",
    "tools.tfprof": "the profiler is tf.profiler.experimental (TensorBoard's profile tab)",
}


def _tools(rest: str) -> Verdict:
    """``tensorflow.tools...``: build and conversion tools, a few of which TF1's wheel shipped."""
    parts = rest.split(".")
    if len(parts) == 1 or parts[1] in TOOLS_PACKAGES:
        return _OK
    key, note = _longest(rest, _TOOLS_GONE)
    return Verdict(GONE, None, "does not exist in TensorFlow 2.21" + (f": {note}" if note else ""))


def _keras2(rest: str, space: str, keras3: Optional[str]) -> Verdict:
    found = counterpart(rest)
    use = f"use `tf.{keras3}`" if keras3 else (found[1] if found else None)
    replacement = keras3 or (found[0] if found else None)
    if rest.startswith("keras."):
        text = f"exists only in Keras 2: on TensorFlow 2.21 it {KERAS2_NOTE}"
    elif space == "v1":
        text = f"{KERAS2_NOTE} on TensorFlow 2.21 (Keras 3 has no TF1 layers)"
    else:
        text = f"is gone from TensorFlow 2, and its tf.compat.v1 form {KERAS2_NOTE} on TensorFlow 2.21"
    return Verdict(KERAS2, replacement, text + (f"; {use}" if use else ""))
