"""Benchmark: tfmigrate against TensorFlow's tf_upgrade_v2 on a synthetic code base.

    python benchmarks/run.py [--files 2000] [--keep DIR]

Builds a tree of FILES Python files (a fifth of them TF1 scripts made from
the fixtures with varied names, comments and sizes, the rest ordinary
modules without TensorFlow), then times, each as its own process:
`tfmigrate check` cold (no cache) and warm (cache filled), `tfmigrate fix
--unsafe-fixes`, `tfmigrate check` of one file, and tf_upgrade_v2 over the
same files (one process that imports TensorFlow once and upgrades the files
one by one, since its tree mode stops at the first file it cannot handle),
and prints seconds, files per second, peak memory and the ratios.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
TARGETS = {"cold": 10.0, "warm": 100.0, "one_file": 0.3, "peak_mb": 150.0}

PLAIN = '''"""Module {n}: {topic} helpers."""
import os
import json
from dataclasses import dataclass


@dataclass
class {cls}:
    name: str
    size: int = 0

    def describe(self) -> str:
        """Say what this is."""
        return f"{{self.name}} ({{self.size}})"

'''
PLAIN_FUNCTION = '''
def {name}(items, limit={k}):
    """Keep the first items whose score passes the limit."""
    kept = []
    for index, item in enumerate(items):
        score = len(str(item)) * {k} % 17
        if score > limit:
            kept.append((index, item, score))
    with open(os.devnull, "w") as sink:
        json.dump(kept, sink)
    return kept
'''
UPGRADER = '''
import sys, time
from tensorflow.tools.compatibility import ast_edits, tf_upgrade_v2
start = time.perf_counter()
upgrader = ast_edits.ASTCodeUpgrader(tf_upgrade_v2.TFAPIChangeSpec())
failed = 0
for line in open(sys.argv[1]):
    source, target = line.rstrip("\\n").split("\\t")
    try:
        upgrader.process_file(source, target)
    except Exception:
        failed += 1
print(failed, time.perf_counter() - start)
'''


def build(folder: pathlib.Path, files: int, seed: int = 1) -> None:
    """FILES files: one in five a TF1 script (fixture originals, renamed and padded)."""
    rng = random.Random(seed)
    originals = sorted((ROOT / "fixtures").glob("*/original.py"))
    scripts = [p.read_text(encoding="utf-8") for p in originals]
    tf_files = files // 5
    for i in range(files):
        package = folder / f"pkg{i % 40:02d}" / f"sub{i % 7}"
        package.mkdir(parents=True, exist_ok=True)
        if i < tf_files:
            text = scripts[i % len(scripts)]
            pad = "".join(PLAIN_FUNCTION.format(name=f"helper_{i}_{j}", k=j + 3) for j in range(rng.randint(1, 6)))
            text = f"# Experiment {i}: {rng.choice(['baseline', 'tuned', 'ablation'])} run\n" + text + pad
            (package / f"train_{i}.py").write_text(text, encoding="utf-8")
        else:
            body = PLAIN.format(n=i, topic=rng.choice(["io", "math", "text"]), cls=f"Record{i}")
            body += "".join(PLAIN_FUNCTION.format(name=f"select_{j}", k=j + 2) for j in range(rng.randint(2, 20)))
            (package / f"module_{i}.py").write_text(body, encoding="utf-8")


def measure(command, cwd=None):
    """(seconds, peak RSS in MB, exit code, stdout) of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), out.decode(errors="replace")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--keep", help="build the tree here and keep it")
    args = parser.parse_args()
    folder = pathlib.Path(args.keep or tempfile.mkdtemp(prefix="tfmigrate-bench-"))
    tree = folder / "tree"
    shutil.rmtree(tree, ignore_errors=True)
    build(tree, args.files)
    files = sorted(str(p) for p in tree.rglob("*.py"))
    tool = [sys.executable, "-m", "tfmigrate"]
    cache = folder / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    rows = {}
    rows["check cold"] = measure(tool + ["check", "--no-cache", "--exit-zero", "-q", str(tree)])
    measure(tool + ["check", "--cache-dir", str(cache), "--exit-zero", "-q", str(tree)])
    rows["check warm"] = measure(tool + ["check", "--cache-dir", str(cache), "--exit-zero", "-q", str(tree)])
    copy = folder / "fixed"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(tree, copy)
    rows["fix --unsafe-fixes"] = measure(tool + ["fix", "--unsafe-fixes", "--no-cache", "--exit-zero", "-q", str(copy)])
    one = [f for f in files if "train_0.py" in f][0]
    singles = [measure(tool + ["check", "--no-cache", "--exit-zero", one]) for _ in range(5)]
    one_seconds = statistics.median(s[0] for s in singles)
    one_peak = max(s[1] for s in singles)
    upgraded = folder / "upgraded"
    shutil.rmtree(upgraded, ignore_errors=True)
    pairs = []
    for source in files:
        target = upgraded / os.path.relpath(source, tree)
        target.parent.mkdir(parents=True, exist_ok=True)
        pairs.append(f"{source}\t{target}")
    listing = folder / "pairs.tsv"
    listing.write_text("\n".join(pairs) + "\n")
    script = folder / "upgrade.py"
    script.write_text(UPGRADER)
    have_tf = subprocess.run([sys.executable, "-c", "import tensorflow.tools.compatibility.tf_upgrade_v2"],
                             capture_output=True).returncode == 0
    if have_tf:
        env_run = measure([sys.executable, str(script), str(listing)])
        rows["tf_upgrade_v2 (one process)"] = env_run
        upgrade_one = measure([sys.executable, "-m", "tensorflow.tools.compatibility.tf_upgrade_v2_main",
                               "--infile", one, "--outfile", str(folder / "one_upgraded.py")],
                              cwd=folder)  # it writes report.txt where it runs
    print(f"machine: {os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}")
    tf_files = sum(1 for f in files if "train_" in f)
    print(f"tree: {len(files)} files ({tf_files} TF1 scripts, {len(files) - tf_files} modules without TensorFlow)")
    print(f"{'run':32} {'seconds':>8} {'files/s':>9} {'peak MB':>8}")
    for name, (seconds, peak, _, _) in rows.items():
        print(f"{name:32} {seconds:8.2f} {len(files) / seconds:9.0f} {peak:8.0f}")
    print(f"{'check of one file (median of 5)':32} {one_seconds:8.2f} {'':9} {one_peak:8.0f}")
    if have_tf:
        print(f"{'tf_upgrade_v2 --infile one file':32} {upgrade_one[0]:8.2f} {'':9} {upgrade_one[1]:8.0f}")
        upgrade = rows["tf_upgrade_v2 (one process)"][0]
        cold, warm = rows["check cold"][0], rows["check warm"][0]
        peak = max(r[1] for k, r in rows.items() if not k.startswith("tf_upgrade"))
        checks = [
            ("cold check vs tf_upgrade_v2", upgrade / cold, f">= {TARGETS['cold']:.0f}x", upgrade / cold >= TARGETS["cold"]),
            ("warm check vs tf_upgrade_v2", upgrade / warm, f">= {TARGETS['warm']:.0f}x", upgrade / warm >= TARGETS["warm"]),
            ("cold check vs tf_upgrade_v2 run per file", upgrade_one[0] * len(files) / cold, "(CLI per file)", True),
        ]
        for label, ratio, target, ok in checks:
            print(f"{label:42} {ratio:8.1f}x  {target:14} {'PASS' if ok else 'FAIL'}")
        print(f"{'check of one file':42} {one_seconds:8.2f}s  {'< 0.3 s':14} {'PASS' if one_seconds < 0.3 else 'FAIL'}")
        print(f"{'peak memory of tfmigrate':42} {peak:8.0f}MB {'< 150 MB':14} {'PASS' if peak < 150 else 'FAIL'}")
    else:
        print("tf_upgrade_v2: TensorFlow is not installed; its rows are left out")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
