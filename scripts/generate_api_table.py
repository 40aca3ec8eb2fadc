"""Generate ``rules/data/tf_api.json``, the TF1 -> TF2 API table, from TensorFlow itself.

Usage::

    python scripts/generate_api_table.py [--output rules/data/tf_api.json]

Needs TensorFlow installed; rerun it when TensorFlow changes. It reads the
upgrade metadata that ships with TensorFlow (``tensorflow/tools/compatibility``:
``all_renames_v2``, ``renames_v2``, ``reorders_v2``, ``module_deprecations_v2``
and ``tf_upgrade_v2.TFAPIChangeSpec``), checks every entry against the API of
the installed TensorFlow (``tensorflow`` and ``tensorflow.compat.v1``, walked
module by module), writes deterministic JSON and prints a one-line summary.

``tf.keras`` is read as what ``pip install tensorflow`` gives (Keras 3):
``TF_USE_LEGACY_KERAS`` is ignored, so the table does not depend on the shell.

Every name in the table is relative to ``tf.``: ``"random_normal"`` means
``tf.random_normal``. The keys:

``tensorflow_version``, ``keras_version``
    The versions the table was generated from.
``v2_api``
    Sorted list of every public name reachable from ``tensorflow`` in TF2
    (modules, functions, classes, constants; ``keras.*`` and ``raw_ops.*``
    included, ``compat.v1``/``compat.v2`` not): ``tf.X`` exists today iff X is
    in this list.
``renames``
    ``{TF1 name: TF2 name}`` for TF1 names that do not exist in TF2 and whose
    replacement does the same thing under a new name: ``tf.random_normal`` is
    ``tf.random.normal``, once ``reorders`` and the target's
    ``keyword_renames`` are applied. Targets are always in ``v2_api``, never
    under ``compat.v1``. Sources, in order of trust: TensorFlow's rename metadata;
    the same object exported under another TF2 name; a TF2 function whose
    body only forwards the same arguments to the TF1 function (or the reverse,
    as ``tf.random.set_seed`` does for ``tf.set_random_seed``).
``compat_only``
    Sorted list of TF1 names that work today only as ``tf.compat.v1.X`` and
    have no TF2 name (``placeholder``, ``Session``,
    ``train.GradientDescentOptimizer``, ...).
``compat_renames``
    ``{TF1 name: compat.v1 name}`` where the compat.v1 home has another name
    (``contrib.tpu.shard`` is ``tf.compat.v1.tpu.shard``).
``removed``
    Sorted list of TF1 names that resolve neither in TF2 nor in
    ``tf.compat.v1`` of this install and have no replacement above: even the
    ``compat.v1`` fallback cannot run them. Includes ``layers.*`` and
    ``nn.rnn_cell.*``, which ``tf.compat.v1`` loads from Keras and Keras 3
    dropped (their members are listed when ``tf_keras`` is installed).
``keyword_renames``
    ``{TF2 name: {old keyword: new keyword}}``, keyed by the name after
    renaming (``argmax``: ``dimension`` -> ``axis``); only keywords the
    installed TF2 function accepts under the new name and not the old one.
``removed_keywords``
    ``{TF2 name: [keyword, ...]}``: TF1 keywords the TF2 function no longer
    accepts and that have no replacement (``gradients``:
    ``colocate_gradients_with_ops``).
``reorders``
    ``{TF1 name: [parameter, ...]}``: the TF1 positional parameters of a
    function whose argument order changed. A positional argument at index i
    becomes the keyword ``list[i]``; ``null`` marks a leading position whose
    argument can stay positional. Apply before renaming.
``transforms``
    ``{TF1 name: description}`` for calls that need judgment rather than a
    rename (``to_float`` is ``tf.cast(..., dtype=tf.float32)``,
    ``nn.dropout`` turns ``keep_prob`` into ``rate``). The description is what
    TensorFlow's own upgrader says when it meets a call passing every
    parameter by keyword. ``*.name`` keys are methods of any object
    (``*.make_one_shot_iterator``). A name may be here and in ``renames``,
    ``compat_only`` or ``v2_api`` at once: check ``transforms`` first.
``module_deprecations``
    ``{module: message}`` for whole TF1 modules with no TF2 counterpart
    (``contrib``, ``flags``).
``compat_v1_api``
    Sorted list of every name reachable from ``tf.compat.v1`` on this install
    without Keras 2 (``compat.v1.keras`` is ``tf.keras``, listed in
    ``v2_api``): ``tf.compat.v1.X`` resolves iff X or a prefix of it that is
    not a module is here. Modules TensorFlow re-exports from elsewhere
    (``flags``, absl's) are listed without their members.
``keras2``
    ``{name: Keras 3 name or ""}``: names that exist only with Keras 2, that
    is with ``tf-keras`` installed and ``TF_USE_LEGACY_KERAS=1`` set before
    TensorFlow is imported: ``layers.*`` and ``nn.rnn_cell.*`` (compat.v1
    only) and ``keras.*`` names of tf_keras that Keras 3 does not have
    (``keras.backend.get_session``). The value is the Keras 3 class or
    function that replaces it where one has the same job (``layers.dense``:
    ``keras.layers.Dense``), "" where none is known.
``keras_removed_arguments``
    ``{Keras 3 name: [argument, ...]}``: constructor arguments that Keras 2
    (tf_keras) accepted and Keras 3 rejects, each one measured by building
    the Keras 3 object with and without it (``keras.layers.BatchNormalization``:
    ``fused``).
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import functools
import importlib
import inspect
import io
import json
import os
import re
import sys
import textwrap
import types
import warnings
from typing import Callable, Dict, Iterable, List, Optional, Tuple

DEFAULT_OUTPUT = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "rules", "data", "tf_api.json"
)
TF_PREFIX = "tf."
COMPAT_V1 = "compat.v1."
# upgrader messages that keyword_renames, removed_keywords and reorders already carry
COVERED_ELSEWHERE = ("Renamed keyword argument", "Removed argument", "Added keywords to args")
MAX_DEPTH = 6  # deepest public TF module path is 5 levels (keras.optimizers.schedules...)

Api = Dict[str, object]


# ---------------------------------------------------------------- loading


def load_tensorflow() -> Tuple[types.ModuleType, object]:
    """Import TensorFlow (Keras 3, quiet) and build its upgrade metadata."""
    os.environ.pop("TF_USE_LEGACY_KERAS", None)  # the table describes a default install
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    tf = importlib.import_module("tensorflow")
    upgrade = importlib.import_module("tensorflow.tools.compatibility.tf_upgrade_v2")
    return tf, upgrade.TFAPIChangeSpec()


def relative(name: str) -> Optional[str]:
    """'tf.random.normal' -> 'random.normal'; None for names outside ``tf.``."""
    return name[len(TF_PREFIX):] if name.startswith(TF_PREFIX) else None


def tf_entries(mapping: dict) -> Iterable[Tuple[str, object]]:
    """The (tf-relative name, value) pairs of a metadata dict, sorted by name."""
    for name in sorted(mapping):
        short = relative(name)
        if short:
            yield short, mapping[name]


# ---------------------------------------------------------------- live API


def is_api_module(module: types.ModuleType) -> bool:
    """Whether a module is part of TensorFlow's public API (or public Keras)."""
    name = getattr(module, "__name__", "")
    if not isinstance(name, str):
        return False
    if name.startswith("tensorflow._api.v2"):
        return True
    return name.split(".")[0] in ("keras", "tf_keras") and ".src" not in name


def public_members(module: types.ModuleType) -> List[Tuple[str, object]]:
    """The public attributes of a module; empty when it cannot be loaded."""
    try:
        names = sorted(dir(module))
    except Exception:  # a lazily loaded module whose target is gone (Keras 3)
        return []
    members = []
    for name in names:
        if name.startswith("_"):
            continue
        try:
            members.append((name, getattr(module, name)))
        except Exception:  # a symbol that raises on access is not usable
            continue
    return members


def walk_api(root: types.ModuleType, skip: Iterable[str] = ()) -> Api:
    """Every public name reachable from ``root`` mapped to its object.

    Modules in ``skip`` (relative names) are neither listed nor entered.
    Modules that fail to load are left out, so they count as absent.
    """
    found: Api = {}
    skipped = set(skip)

    def visit(module: types.ModuleType, prefix: str, ancestors: frozenset) -> None:
        for name, obj in public_members(module):
            full = prefix + name
            if full in skipped:
                continue
            if isinstance(obj, types.ModuleType):
                if not is_api_module(obj) or id(obj) in ancestors or full.count(".") >= MAX_DEPTH:
                    continue
                members = public_members(obj)
                if not members:
                    continue
                found[full] = obj
                visit(obj, full + ".", ancestors | {id(obj)})
            else:
                found[full] = obj

    visit(root, "", frozenset({id(root)}))
    return found


def unwrap(obj: object) -> object:
    """The function under TensorFlow's decorators (dispatch, deprecation)."""
    try:
        return inspect.unwrap(obj)
    except (ValueError, TypeError):
        return obj


def parameters(obj: object) -> Optional[List[str]]:
    """The named parameters of a callable (no *args/**kwargs), or None if unknown."""
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return [p.name for p in signature.parameters.values() if p.kind not in variadic]


# ---------------------------------------------------------------- renames


def metadata_renames(spec: object, v2: Api) -> Tuple[Dict[str, str], Dict[str, str]]:
    """The metadata's renames split into (TF2 renames, compat.v1 renames).

    A TF2 rename is kept only if its target exists in TF2 and its source does
    not; compat.v1 renames map the TF1 name to its compat.v1 name.
    """
    to_v2: Dict[str, str] = {}
    to_compat: Dict[str, str] = {}
    for old, new in tf_entries(spec.symbol_renames):
        target = relative(new)
        if target is None or old in v2:
            continue
        if target.startswith(COMPAT_V1):
            to_compat[old] = target[len(COMPAT_V1):]
        elif target in v2:
            to_v2[old] = target
    return to_v2, to_compat


def is_shareable(obj: object) -> bool:
    """Objects whose identity means "the same symbol" (not ints or strings)."""
    return inspect.isfunction(unwrap(obj)) or inspect.isclass(obj)


def preferred_v2_name(obj: object, names: List[str]) -> str:
    """TensorFlow's own canonical export name if it is among ``names``."""
    exported = [n for n in getattr(obj, "__dict__", {}).get("_tf_api_names", ()) if n in names]
    return exported[0] if exported else min(names, key=lambda n: (n.count("."), len(n), n))


def identity_renames(v1: Api, v2: Api) -> Dict[str, str]:
    """TF1-only names whose object TF2 exports under another name."""
    by_id: Dict[int, List[str]] = {}
    for name, obj in v2.items():
        if is_shareable(obj):
            by_id.setdefault(id(obj), []).append(name)
    found = {}
    for name, obj in v1.items():
        if name not in v2 and is_shareable(obj) and id(obj) in by_id:
            found[name] = preferred_v2_name(obj, sorted(by_id[id(obj)]))
    return found


@functools.lru_cache(maxsize=None)
def single_call(function: Callable) -> Optional[Tuple[ast.stmt, ast.Call]]:
    """The one statement and call a function body consists of, or None."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return None
    definition = tree.body[0] if tree.body else None
    if not isinstance(definition, ast.FunctionDef):
        return None
    body = definition.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring
    if len(body) != 1 or not isinstance(body[0], (ast.Return, ast.Expr)):
        return None
    call = body[0].value
    return (body[0], call) if isinstance(call, ast.Call) else None


@functools.lru_cache(maxsize=None)
def returns_value(function: Callable) -> bool:
    """Whether a function can return something other than None."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return True
    return any(isinstance(n, ast.Return) and n.value is not None for n in ast.walk(tree))


def forwards(outer: Callable, inner: Callable) -> bool:
    """Whether ``outer`` is ``inner`` under another name.

    True when both have the same parameters and defaults and ``outer``'s body
    is one call of ``inner`` passing each parameter through unchanged.
    """
    found = single_call(outer)
    if found is None:
        return False
    statement, call = found
    if not isinstance(call.func, ast.Name) or unwrap(outer.__globals__.get(call.func.id)) is not inner:
        return False
    if isinstance(statement, ast.Expr) and returns_value(inner):
        return False  # outer drops what inner returns
    outer_sig, inner_sig = inspect.signature(outer), inspect.signature(inner)
    if [(p.name, p.kind, p.default) for p in outer_sig.parameters.values()] != [
        (p.name, p.kind, p.default) for p in inner_sig.parameters.values()
    ]:
        return False
    passed = [a.id for a in call.args if isinstance(a, ast.Name)]
    passed += [k.value.id for k in call.keywords if isinstance(k.value, ast.Name) and k.arg == k.value.id]
    return len(passed) == len(call.args) + len(call.keywords) and passed == list(outer_sig.parameters)


def forwarding_renames(v1: Api, v2: Api) -> Dict[str, str]:
    """TF1-only functions that a TF2 function forwards to unchanged, or the reverse."""
    by_module: Dict[str, List[Tuple[str, Callable]]] = {}
    for name, obj in sorted(v2.items()):
        function = unwrap(obj)
        if inspect.isfunction(function):
            by_module.setdefault(function.__module__, []).append((name, function))
    found = {}
    for name in sorted(set(v1) - set(v2)):
        function = unwrap(v1[name])
        if not inspect.isfunction(function):
            continue
        for v2_name, candidate in by_module.get(function.__module__, []):
            if forwards(candidate, function) or forwards(function, candidate):
                found[name] = v2_name
                break
    return found


def build_renames(spec: object, v1: Api, v2: Api) -> Tuple[Dict[str, str], Dict[str, str]]:
    """(renames, compat.v1 renames): the metadata's, corrected by the live API.

    A name the live API proves equivalent (same object, or pure forwarding)
    is a rename even where the metadata chose compat.v1 to be cautious.
    """
    renames, to_compat = metadata_renames(spec, v2)
    for source in (identity_renames(v1, v2), forwarding_renames(v1, v2)):
        for old, new in source.items():
            if old not in renames:
                renames[old] = new
                to_compat.pop(old, None)
    return renames, to_compat


def build_compat_only(v1: Api, v2: Api, renames: Dict[str, str]) -> List[str]:
    """TF1 names that resolve as compat.v1.X today and have no TF2 name."""
    return sorted(name for name in v1 if name not in v2 and name not in renames)


def build_compat_renames(v1: Api, to_compat: Dict[str, str]) -> Dict[str, str]:
    """TF1 names whose compat.v1 home has another name (contrib.tpu.shard -> tpu.shard)."""
    return {old: new for old, new in to_compat.items() if old != new and new in v1}


def legacy_keras_modules(root: types.ModuleType, v1: Api) -> Dict[str, str]:
    """compat.v1 modules served by TF1 Keras ({name: tf_keras submodule}).

    ``tf.compat.v1.layers`` and ``tf.compat.v1.nn.rnn_cell`` are loaded from
    Keras and raise on every attribute under Keras 3.
    """
    modules = [("", root)] + [(name + ".", obj) for name, obj in sorted(v1.items()) if isinstance(obj, types.ModuleType)]
    found = {}
    for prefix, module in modules:
        for name, obj in sorted(vars(module).items()):
            if name.startswith("_") or not isinstance(obj, types.ModuleType):
                continue
            submodule = vars(obj).get("_tfll_submodule") or ""  # vars(): no lazy load
            if submodule.startswith("__internal__.legacy.") and prefix + name not in v1:
                found[prefix + name] = submodule
    return found


def legacy_keras_names(root: types.ModuleType, v1: Api) -> List[str]:
    """The TF1 names inside those modules, read from tf_keras when it is installed."""
    names = []
    for module_name, submodule in legacy_keras_modules(root, v1).items():
        names.append(module_name)
        try:
            legacy = importlib.import_module("tf_keras.api._v1.keras." + submodule)
        except ImportError:
            continue
        names.extend(f"{module_name}.{name}" for name in walk_api(legacy))
    return names


def build_removed(spec: object, v1: Api, v2: Api, replaced: Iterable[str], legacy: List[str]) -> List[str]:
    """TF1 names that resolve nowhere on this install and have no replacement."""
    known = {old for old, _ in tf_entries(spec.symbol_renames)} | set(legacy)
    return sorted(known - set(v1) - set(v2) - set(replaced))


# ---------------------------------------------------------------- arguments


def v2_name_of(name: str, renames: Dict[str, str], v2: Api) -> Optional[str]:
    """What a TF1 function is called in TF2, or None if it has no TF2 name."""
    if name in renames:
        return renames[name]
    return name if name in v2 else None


def build_keyword_renames(
    spec: object, renames: Dict[str, str], v2: Api
) -> Tuple[Dict[str, Dict[str, str]], Dict[str, List[str]]]:
    """(keyword renames, removed keywords), keyed by TF2 name, checked against TF2 signatures."""
    renamed: Dict[str, Dict[str, str]] = {}
    removed: Dict[str, set] = {}
    for old_name, keywords in tf_entries(spec.function_keyword_renames):
        name = v2_name_of(old_name, renames, v2)
        accepted = parameters(v2[name]) if name else None
        if accepted is None:
            continue
        for old, new in sorted(keywords.items()):
            if old in accepted:
                continue  # TF2 still takes the old keyword: nothing to change
            if new is None:
                removed.setdefault(name, set()).add(old)
            elif new in accepted:
                previous = renamed.setdefault(name, {}).setdefault(old, new)
                if previous != new:
                    raise ValueError(f"{name}: {old} renamed to both {previous} and {new}")
    return renamed, {name: sorted(words) for name, words in removed.items()}


def build_reorders(spec: object, v1: Api, v2: Api) -> Dict[str, List[Optional[str]]]:
    """TF1 positional parameter order for functions that still exist somewhere.

    An entry whose named positions disagree with the installed signature is
    dropped: turning arguments into the wrong keywords is worse than nothing.
    """
    reorders = {}
    for name, order in tf_entries(spec.function_reorders):
        function = v1.get(name, v2.get(name))
        if function is None:
            continue
        actual = parameters(function)
        if actual is None or all(
            want is None or (i < len(actual) and actual[i] == want) for i, want in enumerate(order)
        ):
            reorders[name] = list(order)
    return reorders


# ---------------------------------------------------------------- judgment cases


def sample_call(name: str, v1: Api, v2: Api) -> str:
    """A TF1 call of ``name`` passing every parameter by keyword."""
    if name.startswith("*."):
        return "value" + name[1:] + "()"
    function = v1.get(name, v2.get(name))
    keywords = [f"{p}={p}" for p in (parameters(function) if callable(function) else None) or []]
    return f"tf.{name}({', '.join(keywords)})"


def upgrader_messages(upgrader: object, source: str) -> List[str]:
    """What TensorFlow's upgrader reports on one line of code; [] if it fails."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # it prints every message too
            _, _, logs, _ = upgrader.update_string_pasta(source + "\n", "sample.py")
    except Exception:  # some transformers crash (fractional pools call list.add)
        return []
    messages = [re.sub(r"^\d+:\d+: [A-Z]+: ", "", entry) for entry in logs]
    return [m for m in messages if not m.startswith(COVERED_ELSEWHERE)]


def static_message(name: str, spec: object) -> str:
    """The metadata's own text for a judgment case, when the upgrader is silent."""
    full = name if name.startswith("*.") else TF_PREFIX + name
    warning = spec.function_warnings.get(full)
    if warning:
        return warning[1].replace("<function name>", full)
    transformer = spec.function_transformers.get(full)
    if isinstance(transformer, functools.partial) and "message" in transformer.keywords:
        return transformer.keywords["message"]
    function = transformer.func if isinstance(transformer, functools.partial) else transformer
    return (inspect.getdoc(function) or "").split("\n")[0]


def one_line(text: str) -> str:
    return " ".join(text.split())


def build_transforms(spec: object, v1: Api, v2: Api) -> Dict[str, str]:
    """Descriptions of every call the metadata transforms or warns about."""
    from tensorflow.tools.compatibility import ast_edits

    upgrader = ast_edits.ASTCodeUpgrader(spec)
    keys = set(spec.function_transformers) | set(spec.function_warnings) | set(spec.function_arg_warnings)
    transforms = {}
    for key in sorted(keys):
        name = key if key.startswith("*.") else relative(key)
        if not name:
            continue  # aliases for `from tensorflow import contrib` and slim
        messages = upgrader_messages(upgrader, sample_call(name, v1, v2))
        transforms[name] = one_line(" ".join(messages) or static_message(name, spec))
    return transforms


def build_module_deprecations(spec: object) -> Dict[str, str]:
    return {
        name: one_line(message.replace("<function name>", TF_PREFIX + name))
        for name, (_, message) in tf_entries(spec.module_deprecations)
    }


# ---------------------------------------------------------------- compat.v1 and Keras 2


def reexported_modules(root: types.ModuleType, api: Api) -> List[str]:
    """Modules that API modules re-export from outside TensorFlow's API (absl's ``flags``)."""
    modules = [("", root)] + [(n + ".", o) for n, o in sorted(api.items()) if isinstance(o, types.ModuleType)]
    found = []
    for prefix, module in modules:
        for name, obj in public_members(module):
            full = prefix + name
            if isinstance(obj, types.ModuleType) and full not in api and not is_api_module(obj):
                found.append(full)
    return found


def build_compat_v1_api(root: types.ModuleType, v1: Api, legacy: Dict[str, str]) -> List[str]:
    """Every name ``tf.compat.v1`` resolves without Keras 2."""
    opaque = [n for n in reexported_modules(root, v1) if n not in legacy and n.split(".")[0] not in ("compat", "keras")]
    return sorted(set(v1) | set(opaque))


def _squash(name: str) -> str:
    return name.replace("_", "").lower()


KERAS2_SPECIAL = {  # Keras 2 names whose Keras 3 counterpart has another name
    "nn.rnn_cell.BasicLSTMCell": "keras.layers.LSTMCell",
    "nn.rnn_cell.BasicRNNCell": "keras.layers.SimpleRNNCell",
    "nn.rnn_cell.MultiRNNCell": "keras.layers.StackedRNNCells",
    "nn.rnn_cell.RNNCell": "keras.layers.Layer",
    "keras.layers.CuDNNLSTM": "keras.layers.LSTM",
    "keras.layers.CuDNNGRU": "keras.layers.GRU",
    "keras.initializers.normal": "keras.initializers.RandomNormal",
    "keras.initializers.uniform": "keras.initializers.RandomUniform",
    "keras.losses.cosine_proximity": "keras.losses.cosine_similarity",
    "keras.metrics.cosine_proximity": "keras.metrics.CosineSimilarity",
}


def keras3_counterpart(name: str, v2: Api) -> str:
    """The Keras 3 name doing the job of a Keras 2 name, or ""."""
    if name in KERAS2_SPECIAL:
        return KERAS2_SPECIAL[name]
    module, _, last = name.rpartition(".")
    if module in ("layers", "nn.rnn_cell"):
        layers = {_squash(n[len("keras.layers."):]): n for n in v2
                  if n.startswith("keras.layers.") and n.count(".") == 2 and n[len("keras.layers.")][:1].isupper()}
        return layers.get(_squash(last), "")
    return ""


def build_keras2(root: types.ModuleType, v1: Api, v2: Api) -> Dict[str, str]:
    """Names that resolve only with tf-keras and TF_USE_LEGACY_KERAS=1, with their Keras 3 counterparts."""
    names = set(legacy_keras_names(root, v1))
    for api in ("tf_keras.api._v2.keras", "tf_keras.api._v1.keras"):
        try:
            keras2 = walk_api(importlib.import_module(api))
        except ImportError:
            continue
        top = importlib.import_module("tensorflow")
        names.update("keras." + n for n in keras2 if "keras." + n not in v2 and not resolves(top, "keras." + n))
    return {name: keras3_counterpart(name, v2) for name in sorted(names)}


def resolves(root: types.ModuleType, name: str) -> bool:
    """Whether ``root.name`` can be read (Keras 3 modules the API walk does not enter, like keras.saving)."""
    obj = root
    for part in name.split("."):
        try:
            obj = getattr(obj, part)
        except Exception:
            return False
    return True


SAMPLE_ARGUMENTS = {  # values for required constructor arguments when probing Keras 3 classes
    "units": 2, "filters": 2, "kernel_size": 3, "rate": 0.5, "pool_size": 2, "input_dim": 4, "output_dim": 2,
    "target_shape": (2,), "dims": (1,), "size": 2, "padding": 1, "cropping": 1, "n": 2, "num_heads": 2,
    "key_dim": 2, "filepath": "model.keras", "schedule": (lambda epoch: 0.1), "function": (lambda x: x),
    "stddev": 0.1, "factor": 0.1, "height": 2, "width": 2, "scale": 1.0, "max_value": 1.0, "axis": -1,
    "num_tokens": 2, "depth_multiplier": 1, "num_classes": 2, "mean": 0.0, "variance": 1.0,
}


def _probe(cls: type, extra: dict) -> bool:
    """Whether ``cls`` can be built with sample required arguments and ``extra``."""
    try:
        signature = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return False
    kwargs = {}
    for parameter in list(signature.parameters.values())[1:]:
        if parameter.default is inspect.Parameter.empty and parameter.kind not in (
                inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            if parameter.name not in SAMPLE_ARGUMENTS:
                return False
            kwargs[parameter.name] = SAMPLE_ARGUMENTS[parameter.name]
    kwargs.update(extra)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cls(**kwargs)
    except Exception:
        return False
    return True


def build_keras_removed_arguments(v2: Api) -> Dict[str, List[str]]:
    """Keras 2 constructor arguments that the Keras 3 class of the same name rejects."""
    try:
        keras2 = walk_api(importlib.import_module("tf_keras.api._v2.keras"))
    except ImportError:
        return {}
    removed = {}
    for name, old in sorted(keras2.items()):
        new = v2.get("keras." + name)
        if not name.startswith(("layers.", "callbacks.", "optimizers.")) or name.startswith("optimizers.legacy"):
            continue
        if not (inspect.isclass(old) and inspect.isclass(new)) or not _probe(new, {}):
            continue
        accepted = set(parameters(new.__init__) or ())
        try:
            defaults = {p.name: p.default for p in inspect.signature(old.__init__).parameters.values()}
        except (TypeError, ValueError):
            continue
        rejected = [arg for arg, default in sorted(defaults.items())
                    if arg not in accepted and arg != "self" and default is not inspect.Parameter.empty
                    and not _probe(new, {arg: default})]
        if rejected:
            removed["keras." + name] = rejected
    return removed


# ---------------------------------------------------------------- table


def build_table(tf: types.ModuleType, spec: object) -> dict:
    """The whole table for the installed TensorFlow."""
    v2 = walk_api(tf, skip=("compat.v1", "compat.v2"))
    v1 = walk_api(tf.compat.v1, skip=("compat", "keras"))  # compat.v1.keras is tf.keras
    renames, to_compat = build_renames(spec, v1, v2)
    keyword_renames, removed_keywords = build_keyword_renames(spec, renames, v2)
    compat_renames = build_compat_renames(v1, to_compat)
    legacy = legacy_keras_names(tf.compat.v1, v1)
    keras2 = build_keras2(tf.compat.v1, v1, v2)
    table = {
        "tensorflow_version": tf.__version__,
        "keras_version": importlib.import_module("keras").__version__,
        "v2_api": sorted(v2),
        "renames": renames,
        "compat_only": build_compat_only(v1, v2, renames),
        "compat_renames": compat_renames,
        "removed": build_removed(spec, v1, v2, set(renames) | set(compat_renames), legacy),
        "keyword_renames": keyword_renames,
        "reorders": build_reorders(spec, v1, v2),
        "transforms": build_transforms(spec, v1, v2),
        "module_deprecations": build_module_deprecations(spec),
        "compat_v1_api": build_compat_v1_api(tf.compat.v1, v1, legacy_keras_modules(tf.compat.v1, v1)),
        "keras2": keras2,
        "keras_removed_arguments": build_keras_removed_arguments(v2),
    }
    if removed_keywords:
        table["removed_keywords"] = removed_keywords
    return table


def dumps(table: dict) -> str:
    """The table as the exact text written to disk (sorted keys, stable layout)."""
    return json.dumps(table, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def summary(table: dict, path: str) -> str:
    counts = ", ".join(
        f"{len(value)} {key}" for key, value in sorted(table.items()) if isinstance(value, (list, dict))
    )
    return f"{path}: TensorFlow {table['tensorflow_version']}: {counts}"


def write_atomically(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    os.replace(temporary, path)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--output", default=DEFAULT_OUTPUT, help="where to write the JSON table")
    args = parser.parse_args(argv)
    tf, spec = load_tensorflow()
    table = build_table(tf, spec)
    write_atomically(args.output, dumps(table))
    print(summary(table, args.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
