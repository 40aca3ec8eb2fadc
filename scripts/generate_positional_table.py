"""Generate ``rules/data/tf_positional.json``: the positional arguments of TF1 calls that TF2 binds otherwise.

Usage::

    python scripts/generate_positional_table.py [--output rules/data/tf_positional.json]

Needs the TensorFlow 2 the table is for. ``rules/data/tf_api.json``'s ``reorders`` lists, for each TF1
function whose parameters changed, its TF1 positional parameters (TensorFlow's upgrader turns them all
into keywords). Most of them still bind the same parameter in TF2 (``tf.nn.conv2d(x, W, strides,
padding)``); this table keeps only where they do not, from TF2's own signatures:
``{TF1 name: {"first": i, "keywords": [...]}}``, ``first`` the first position TF2 binds to another
parameter (``tf.nn.in_top_k(predictions, targets, k)`` is ``in_top_k(targets, predictions, k)`` in TF2:
0), ``keywords`` the TF2 keyword of each TF1 position (after ``keyword_renames``; ``null`` before
``first`` or where TF2 has no such parameter).
"""
from __future__ import annotations

import argparse
import inspect
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "rules", "data")


def table(api: dict) -> dict:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf

    out = {}
    for name, order in sorted(api["reorders"].items()):
        v2 = api["renames"].get(name, name)
        target = tf
        try:
            for part in v2.split("."):
                target = getattr(target, part)
            params = list(inspect.signature(target).parameters)
        except (AttributeError, TypeError, ValueError):
            continue  # gone from this TensorFlow: the name's own finding says so
        renames = {**api["keyword_renames"].get(name, {}), **api["keyword_renames"].get(v2, {})}
        keywords = [None if p is None else renames.get(p, p) for p in order]
        keywords = [k if k in params else None for k in keywords]
        moved = [i for i, p in enumerate(order) if p is not None and (i >= len(params) or params[i] != keywords[i])]
        if moved:
            first = moved[0]
            out[name] = {"first": first, "keywords": [None] * first + keywords[first:]}
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default=os.path.join(DATA, "tf_positional.json"))
    args = parser.parse_args(argv)
    with open(os.path.join(DATA, "tf_api.json"), encoding="utf-8") as handle:
        api = json.load(handle)
    with open(args.output, "w", encoding="utf-8") as handle:
        json.dump(table(api), handle, indent=1, sort_keys=True)
        handle.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
