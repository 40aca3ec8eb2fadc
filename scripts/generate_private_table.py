"""Generate ``rules/data/tf_private.json``: TensorFlow's private names and their public TF1 names.

Usage (with the Python of a TensorFlow 2.x that still ships the TF1 API layout; the
reference runtime `verify` installs, TensorFlow 2.15, is the one the table was made with)::

    ~/.cache/tfmigrate/runtimes/tf-2.15/bin/python scripts/generate_private_table.py \
        [--output rules/data/tf_private.json]

TF1 programs often import TensorFlow's implementation modules (``from
tensorflow.python.ops import control_flow_ops``, ``from tensorflow.python.util
import nest``). Every public TensorFlow symbol is defined in such a module and
carries the names ``tf_export`` gave it; this script imports TensorFlow, walks
every loaded ``tensorflow.python`` module and records, for each attribute that
is an exported symbol (or an exported constant such as ``dtypes.float32``),
its TF1 name (the least nested of the names ``tf.compat.v1`` has for it, as TF1
code wrote them: ``cond``, ``float32``, ``nest.map_structure``,
``keras.layers.Dense``, ``estimator.ModeKeys``).

The keys:

``names``
    ``{private path relative to tensorflow: TF1 name relative to tf}``:
    ``"python.ops.math_ops.cast": "cast"``; an internal object is listed under
    the TF1 name of the one exported object of its module that has its name
    (``python.framework.ops.name_scope``: ``name_scope``, exported from
    ``name_scope_v1``).
``moved``
    ``{attribute: TF1 name}`` for the names that exactly one exported symbol of
    ``tensorflow.python.ops`` / ``tensorflow.python.framework`` (generated
    ``raw_ops`` left out) has as the last part of its TF1 name: ``"cond":
    "cond"``. TensorFlow 2 moved some functions out of the module TF1 code
    imported them from (``control_flow_ops.cond`` is now in ``ops/cond.py``) or
    left an internal function under the old name (``ops.name_scope``, whose TF1
    export is now ``name_scope_v1``); a path under those packages that
    ``names`` does not have is looked up here by its last part.
``shadowed``
    ``{attribute: [module, ...]}``: the modules where an attribute of ``moved``
    is an internal object of that name (``control_flow_ops.merge`` is not
    ``tf.sparse.merge``) or a submodule (``python.ops.variable_scope`` is not
    ``tf.variable_scope``): there, ``moved`` does not apply.
``tensorflow_version``
    The TensorFlow the table was read from.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import types
from typing import Dict, Optional, Set

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# The APIs whose export names are read; Keras' and the Estimator's names carry their own prefix
# (``keras.layers.Dense``, ``estimator.EstimatorSpec``).
_APIS = (("tensorflow", ""), ("keras", ""), ("estimator", ""))
# TF 1.13 moved tensorflow/python/estimator into the tensorflow_estimator package, module for module:
# TF1 code wrote ``from tensorflow.python.estimator import model_fn as model_fn_lib``.
_ESTIMATOR = "tensorflow_estimator.python.estimator"
_MOVED_PACKAGES = ("tensorflow.python.ops.", "tensorflow.python.framework.")


def _exported(obj, attrs) -> Optional[str]:
    """The canonical TF1 name of an exported symbol, or None. ``tf_export`` marks the function
    under its decorators (``dispatch``, ``deprecation``): the name is read from that one."""
    from tensorflow.python.util import tf_decorator

    try:
        obj = tf_decorator.unwrap(obj)[1]
    except Exception:  # an object whose attribute access fails: not an exported symbol
        return None
    for api, prefix in _APIS:
        attr = attrs.get(api)
        if attr is None:
            continue
        try:
            own = vars(obj) if isinstance(obj, type) else getattr(obj, "__dict__", {})
        except TypeError:
            continue
        names = own.get(attr.names) if hasattr(own, "get") else None
        if names:
            return prefix + _preferred(names)
    return None


def _preferred(names) -> str:
    """The TF1 name to write: the least nested one (``float32``, not ``dtypes.float32``;
    ``reduce_all``, not ``math.reduce_all``), the canonical (first) one among equals."""
    return min(names, key=lambda name: name.count("."))


def _constants(module, attrs) -> Dict[str, str]:
    found = {}
    for api, prefix in _APIS:
        attr = attrs.get(api)
        for names, name in (getattr(module, attr.constants, None) or []) if attr else []:
            if names:
                found.setdefault(name, prefix + _preferred(names))
    return found


def _load_estimator() -> None:
    """Import every module of tensorflow_estimator's implementation (TensorFlow loads it lazily), its
    generated API packages and tests left out."""
    import importlib
    import pkgutil

    try:
        package = importlib.import_module(_ESTIMATOR)
    except ImportError:
        return
    for info in pkgutil.walk_packages(package.__path__, _ESTIMATOR + "."):
        if ".api." in info.name or info.name.endswith("_test"):
            continue
        try:
            importlib.import_module(info.name)
        except Exception:  # a module that needs what this runtime lacks: its names stay unknown
            continue


def build() -> dict:
    import tensorflow as tf
    from tensorflow.python.util import tf_export

    attrs = tf_export.API_ATTRS_V1
    _load_estimator()
    names: Dict[str, str] = {}
    by_last: Dict[str, Set[str]] = {}
    internal: Dict[str, Set[str]] = {}  # attribute -> modules where it is there but not exported
    for module_name in sorted(sys.modules):
        module = sys.modules[module_name]
        if not isinstance(module, types.ModuleType):
            continue
        if module_name.startswith("tensorflow.python."):
            key = module_name[len("tensorflow."):]
        elif module_name == _ESTIMATOR or module_name.startswith(_ESTIMATOR + "."):
            key = "python.estimator" + module_name[len(_ESTIMATOR):]
        else:
            continue
        own: Dict[str, str] = dict(_constants(module, attrs))
        unexported = []
        for attr, obj in sorted(vars(module).items()):
            if isinstance(obj, types.ModuleType) and not attr.startswith("_"):
                # a submodule (python.ops.variable_scope) is not the function of that name
                internal.setdefault(attr, set()).add(key)
            if attr.startswith("_") or isinstance(obj, types.ModuleType) or attr in own:
                continue
            public = _exported(obj, attrs)
            if public is None:
                unexported.append(attr)
            else:
                own[attr] = public
        # An internal function under a TF1 name whose export is another object of the module now
        # (ops.name_scope -> name_scope_v1, variables.Variable -> VariableV1).
        lasts: Dict[str, Set[str]] = {}
        for public in own.values():
            lasts.setdefault(public.rsplit(".", 1)[-1], set()).add(public)
        for attr in unexported:
            found = lasts.get(attr, set())
            if len(found) == 1:
                own[attr] = next(iter(found))
            else:
                internal.setdefault(attr, set()).add(key)
        names.update((f"{key}.{attr}", public) for attr, public in own.items())
        if module_name.startswith(_MOVED_PACKAGES):
            for public in own.values():
                if not public.startswith("raw_ops."):
                    by_last.setdefault(public.rsplit(".", 1)[-1], set()).add(public)
    moved = {attr: next(iter(found)) for attr, found in sorted(by_last.items()) if len(found) == 1}
    shadowed = {attr: sorted(internal[attr]) for attr in moved if attr in internal}
    return {"tensorflow_version": tf.__version__, "names": dict(sorted(names.items())), "moved": moved,
            "shadowed": shadowed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.path.join(os.path.dirname(__file__), "..", "rules", "data", "tf_private.json")
    parser.add_argument("--output", default=os.path.normpath(default))
    args = parser.parse_args()
    table = build()
    with open(args.output, "w", encoding="utf-8") as handle:
        json.dump(table, handle, indent=0, sort_keys=True)
        handle.write("\n")
    print(f"{args.output}: {len(table['names'])} private names, {len(table['moved'])} moved names "
          f"(TensorFlow {table['tensorflow_version']})")


if __name__ == "__main__":
    main()
