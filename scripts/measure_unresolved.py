"""Count TensorFlow names that do not exist on the installed TensorFlow and that
`tfmigrate check` says nothing about, after `tfmigrate fix --unsafe-fixes`.

Usage::

    python scripts/measure_unresolved.py [--keep DIR] [--top N] TREE...

Each TREE (a folder of Python files, or the fixtures folder: its
``*/original.py`` files are taken) is copied to a temporary folder, fixed
with ``tfmigrate fix --unsafe-fixes --isolated``, checked with ``tfmigrate
check --isolated --output-format json``, and every TensorFlow name left in
the fixed files is looked up in a real import of TensorFlow (one child
process, tests/tf_resolve.py). A name that does not resolve is "silent" when
check reports nothing on its line. Prints, per tree and in total: files,
unresolved names, silent ones; then the most frequent silent names.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESOLVER = os.path.join(ROOT, "tests", "tf_resolve.py")


def copy_tree(source: str, target: str) -> None:
    fixtures = os.path.isfile(os.path.join(source, "check_fixtures.py"))
    for folder, dirs, files in os.walk(source):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if not name.endswith(".py") or (fixtures and name != "original.py"):
                continue
            path = os.path.join(folder, name)
            out = os.path.join(target, os.path.relpath(path, source))
            os.makedirs(os.path.dirname(out), exist_ok=True)
            shutil.copyfile(path, out)


def tfmigrate(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "tfmigrate", *args, "--isolated", "--no-cache", "--no-progress"]
    return subprocess.run(command, capture_output=True, text=True)


def measure(tree: str, work: str) -> dict:
    copy_tree(tree, work)
    tfmigrate("fix", "--unsafe-fixes", "-q", work)
    report = json.loads(tfmigrate("check", "--output-format", "json", "--exit-zero", work).stdout or "[]")
    flagged = {(os.path.realpath(f["filename"]), f["location"]["row"]) for f in report if f.get("location")}
    files = sorted(os.path.join(d, n) for d, _, names in os.walk(work) for n in names if n.endswith(".py"))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("TF_USE_LEGACY_KERAS", None)
    out = subprocess.run([sys.executable, RESOLVER, *files], capture_output=True, text=True, env=env, check=True)
    missing = json.loads(out.stdout)
    unresolved, silent = 0, collections.Counter()
    for path, entries in missing.items():
        for line, name, _ in entries:
            unresolved += 1
            if (os.path.realpath(path), line) not in flagged:
                silent[name] += 1
    return {"files": len(files), "unresolved": unresolved, "silent": silent}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("trees", nargs="+")
    parser.add_argument("--keep", help="fix the copies here instead of a temporary folder")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    base = args.keep or tempfile.mkdtemp(prefix="tfmigrate-measure-")
    total = {"files": 0, "unresolved": 0, "silent": collections.Counter()}
    for index, tree in enumerate(args.trees):
        result = measure(tree, os.path.join(base, f"{index}-{os.path.basename(os.path.normpath(tree))}"))
        print(f"{tree}: {result['files']} files, {result['unresolved']} unresolved TF names, "
              f"{sum(result['silent'].values())} with check silent")
        total["files"] += result["files"]
        total["unresolved"] += result["unresolved"]
        total["silent"] += result["silent"]
    print(f"total: {total['files']} files, {total['unresolved']} unresolved TF names, "
          f"{sum(total['silent'].values())} with check silent")
    for name, count in total["silent"].most_common(args.top):
        print(f"  {count:5d}  {name}")
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
