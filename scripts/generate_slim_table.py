"""Generate ``rules/data/tf_slim.json``: the public names of the tf-slim package.

Usage::

    python scripts/generate_slim_table.py [--output rules/data/tf_slim.json]

Needs tf-slim (``pip install tf-slim``) and TensorFlow. TF-Slim left
``tf.contrib`` for the ``tf_slim`` package, which TensorFlow's migration guide
names as the home of ``tf.contrib.slim`` and ``tf.contrib.layers`` for code on
``tensorflow.compat.v1``; the table says which ``tf_slim.X`` exist, so that a
contrib name is rewritten only to a name the package has. Names are relative to
``tf_slim`` (``"layers.conv2d"`` is ``tf_slim.layers.conv2d``): the package's
public attributes and those of its public submodules, one level down.
"""
from __future__ import annotations

import __future__
import argparse
import importlib.metadata
import json
import os
import sys
import types


def public(module) -> list:
    return sorted(name for name in dir(module) if not name.startswith("_"))


def table() -> dict:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tf_slim

    names = set()
    for name in public(tf_slim):
        value = getattr(tf_slim, name)
        if isinstance(value, types.ModuleType) and not value.__name__.startswith("tf_slim"):
            continue  # tensorflow's own modules re-exported by tf_slim's __init__ (array_ops, ...)
        if isinstance(value, __future__._Feature):
            continue  # `from __future__ import division` in its __init__
        names.add(name)
        if isinstance(value, types.ModuleType):
            names.update(f"{name}.{inner}" for inner in public(value)
                         if not isinstance(getattr(value, inner), types.ModuleType))
    return {"tf_slim_version": importlib.metadata.version("tf-slim"), "names": sorted(names)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.path.join(os.path.dirname(__file__), "..", "rules", "data", "tf_slim.json")
    parser.add_argument("--output", default=default)
    args = parser.parse_args()
    data = table()
    with open(args.output, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=0, sort_keys=True)
        handle.write("\n")
    print(f"{len(data['names'])} tf_slim names (tf-slim {data['tf_slim_version']}) written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
