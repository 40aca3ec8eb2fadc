"""Generate ``rules/data/tf_private_present.json``: the private modules (``tensorflow.python...``)
the installed TensorFlow has, and their names.

Usage (with the Python of the TensorFlow the verdicts are for, 2.21 today)::

    python scripts/generate_private_presence.py [--output rules/data/tf_private_present.json]

TF1 code imports TensorFlow's implementation modules for names that were never
exported (``from tensorflow.python.framework import test_util``,
``tensorflow.python.util.nest.map_structure_up_to``). Whether such a program
still runs depends on whether today's TensorFlow still has them: this script
imports TensorFlow, then every ``tensorflow.python`` module it can (tests
excluded), and records for each module the names it has that code can reach:
its submodules and every other name it defines or re-exports. Names starting
with ``_``, modules imported from elsewhere (``np``, ``six``), ``typing``'s
names and ``__future__`` features are left out.

The output is ``{"tensorflow_version": ..., "modules": {"python.framework.test_util":
"name name ...", ...}}`` (module paths relative to ``tensorflow``).
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import pkgutil
import sys
import types

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT = os.path.join(ROOT, "rules", "data", "tf_private_present.json")


def _reachable(module: types.ModuleType, name: str) -> bool:
    if name.startswith("_"):
        return False
    value = getattr(module, name, None)
    if isinstance(value, types.ModuleType):
        return value.__name__ == f"{module.__name__}.{name}"  # a submodule, not `np` or `ops` imported there
    # what the module re-exports counts (`flags.DEFINE_string` is absl's), typing's names and
    # `from __future__ import division` do not
    return getattr(value, "__module__", None) != "typing" and type(value).__name__ != "_Feature"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=DEFAULT)
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf
    import tensorflow.python as private

    for info in pkgutil.walk_packages(private.__path__, "tensorflow.python.", onerror=lambda name: None):
        if info.name.endswith("_test") or ".tests." in info.name or info.name in sys.modules:
            continue
        try:
            importlib.import_module(info.name)
        except BaseException:  # noqa: B036 - a module that does not import here is not recorded
            continue
    modules = {name: module for name, module in list(sys.modules.items())
               if name.startswith("tensorflow.python") and isinstance(module, types.ModuleType)}
    table = {name[len("tensorflow."):]: " ".join(sorted(n for n in dir(module) if _reachable(module, n)))
             for name, module in sorted(modules.items())}
    with open(args.output, "w", encoding="utf-8") as handle:
        json.dump({"tensorflow_version": tf.__version__, "modules": table}, handle, indent=0, sort_keys=True)
        handle.write("\n")
    print(f"{len(table)} modules, {sum(len(v.split()) for v in table.values())} names -> {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
