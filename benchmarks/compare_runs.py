"""Compare two records of ``real_code.py --json``: which TF1 files changed status or resolution.

    python benchmarks/compare_runs.py BEFORE.json AFTER.json [--all]

Prints one line per TF1 file whose status (idiomatic, compat-only, manual) or "every TensorFlow
name resolves" changed, then the counts: files that resolve now and did not, the other way, and
the status moves. A file present in one record only (another corpus) is listed with --all.
"""
from __future__ import annotations

import argparse
import collections
import json
from typing import Dict, Optional, Tuple

Record = Tuple[str, bool]  # (status, every name resolves)


def load(path: str) -> Dict[Tuple[str, str], Record]:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    found = {}
    for one in data["sets"]:
        for record in one["files"]:
            if record["tf1"] and record["parsed"]:
                found[(one["name"], record["path"])] = (record["status"], record["all_resolve"])
    return found


def _shown(record: Optional[Record]) -> str:
    if record is None:
        return "absent"
    return f"{record[0]}{'' if record[1] else ' (unresolved names)'}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--all", action="store_true", help="also list files present in one record only")
    args = parser.parse_args(argv)
    before, after = load(args.before), load(args.after)
    gained = lost = 0
    moves: collections.Counter = collections.Counter()
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new or ((old is None or new is None) and not args.all):
            continue
        print(f"{key[0]}  {key[1]}: {_shown(old)} -> {_shown(new)}")
        if old is None or new is None:
            continue
        gained += new[1] and not old[1]
        lost += old[1] and not new[1]
        if old[0] != new[0]:
            moves[f"{old[0]} -> {new[0]}"] += 1
    print(f"resolve now: {gained}; resolved before, not now: {lost}")
    for move, count in sorted(moves.items()):
        print(f"{move}: {count}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
