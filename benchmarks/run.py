"""Measure tfmigrate against TensorFlow's tf_upgrade_v2 on a synthetic code base.

    python benchmarks/run.py [--files 2000] [--seed 0] [--keep DIR]

Builds the corpus of benchmarks/corpus.py, then runs each measured command
as its own child process and records its wall time and peak memory: the
peak resident set of its largest process (from ``wait4``) and the peak of
the proportional set size summed over all its processes (sampled from
/proc, as worker processes share pages with their parent). Prints a table,
the speed ratios against tf_upgrade_v2, and whether each target is met.
"""

import argparse
import dataclasses
import importlib.metadata
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpus  # the sibling module, also runnable on its own

ONE_FILE_RUNS = 5
CLI_RUNS = 3
SAMPLE_SECONDS = 0.05
TARGET_COLD = 10.0  # times faster than tf_upgrade_v2
TARGET_WARM = 100.0
TARGET_ONE_FILE = 0.3  # seconds
TARGET_PEAK_MB = 150.0
SUMMARY = re.compile(r"Found (\d+) findings? in (\d+) files?")
UNCHECKED = re.compile(r"(\d+) files? could not be checked")


@dataclasses.dataclass
class Measurement:
    """One child process: what it did, how long it took, how much memory it held."""

    label: str
    files: int
    seconds: float
    cpu_seconds: float  # user + system, its processes together
    peak_mb: float  # largest single process
    tree_mb: float  # all its processes together (proportional set size)
    returncode: int
    stdout: str = ""
    stderr: str = ""
    note: str = ""

    @property
    def files_per_second(self) -> float:
        """Throughput; zero when nothing ran."""
        return self.files / self.seconds if self.seconds > 0 else 0.0


# ---------------------------------------------------------------- measuring one child

def _children(pid: int) -> List[int]:
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(child) for child in handle.read().split()]
        except OSError:
            continue
    return found


def _process_tree(pid: int) -> List[int]:
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending += _children(current)
    return tree


def _proportional_kb(pid: int) -> int:
    """Pss of PID in KB (shared pages split among their users); Rss where Pss is unavailable."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except OSError:
        return 0


class _TreeSampler(threading.Thread):
    """Samples the memory of a process and all its descendants until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            total = sum(_proportional_kb(pid) for pid in _process_tree(self.pid))
            self.peak_kb = max(self.peak_kb, total)
            self.done.wait(SAMPLE_SECONDS)


def measure(label: str, command: Sequence[str], files: int, cwd: Path, logs: Path,
            env: Dict[str, str]) -> Measurement:
    """Run COMMAND as a child; its own wall time and peak memory, its output kept in LOGS."""
    slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    out_path, err_path = logs / f"{slug}.out", logs / f"{slug}.err"
    print(f"  running: {label}", file=sys.stderr, flush=True)
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(list(command), cwd=cwd, env=env, stdout=out, stderr=err)
        sampler = _TreeSampler(process.pid)
        sampler.start()
        # wait4 gives this child's own rusage (with its reaped descendants), not all children's so far
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        sampler.done.set()
        sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return Measurement(label, files, seconds, cpu, usage.ru_maxrss / 1024, sampler.peak_kb / 1024,
                       process.returncode, out_path.read_text(errors="replace"),
                       err_path.read_text(errors="replace"))


def measure_median(label: str, command: Sequence[str], runs: int, cwd: Path, logs: Path,
                   env: Dict[str, str]) -> Measurement:
    """RUNS runs of COMMAND: the median wall time and the largest peak memory."""
    results = [measure(f"{label} run {n + 1}", command, 1, cwd, logs, env) for n in range(runs)]
    middle = sorted(results, key=lambda m: m.seconds)[len(results) // 2]
    worst = next((m for m in results if m.returncode != middle.returncode), middle)
    return dataclasses.replace(
        middle, label=label, peak_mb=max(m.peak_mb for m in results),
        tree_mb=max(m.tree_mb for m in results), returncode=worst.returncode,
        note=f"median of {runs}: " + ", ".join(f"{m.seconds:.2f}" for m in results) + " s")


# ---------------------------------------------------------------- tfmigrate

def tfmigrate_command() -> List[str]:
    """The installed `tfmigrate` beside this Python, or `python -m tfmigrate`."""
    script = Path(sys.executable).parent / "tfmigrate"
    return [str(script)] if script.exists() else [sys.executable, "-m", "tfmigrate"]


def describe_check(result: Measurement) -> str:
    """Findings, files with findings and unparsable files, from a check's summary line."""
    found, unchecked = SUMMARY.search(result.stdout), UNCHECKED.search(result.stdout)
    parts = [f"{found.group(1)} findings in {found.group(2)} file(s)" if found else "no summary line"]
    if unchecked:
        parts.append(f"{unchecked.group(1)} unparsable")
    return ", ".join(parts)


def healthy(result: Measurement) -> bool:
    """Exit 0, 1 (findings) or 2 (some file failed), and no traceback."""
    return result.returncode in (0, 1, 2) and "Traceback (most recent call last)" not in result.stderr


def changed_files(before: Path, after: Path) -> int:
    """How many files under AFTER differ from their twin under BEFORE."""
    count = 0
    for path in before.rglob("*.py"):
        twin = after / path.relative_to(before)
        if not twin.exists() or twin.read_bytes() != path.read_bytes():
            count += 1
    return count


def pick_one_file(root: Path) -> Path:
    """The TF1 script whose size is the median of the TF1 scripts: a typical file to check alone."""
    scripts = sorted((p for p in (root / "models").rglob("*.py")), key=lambda p: (p.stat().st_size, str(p)))
    candidates = [p for p in scripts if b"print \"" not in p.read_bytes()]
    return candidates[len(candidates) // 2]


# ---------------------------------------------------------------- tf_upgrade_v2

def tf_upgrade_worker(file_list: Path, in_root: Path, out_root: Path, result_path: Path) -> None:
    """In a child: import TensorFlow once, upgrade each listed file with its API, write a JSON result."""
    started = time.perf_counter()
    try:
        from tensorflow.tools.compatibility import ast_edits, tf_upgrade_v2
    except ImportError as error:
        result_path.write_text(json.dumps({"import_error": str(error)}))
        return
    imported = time.perf_counter()
    upgrader = ast_edits.ASTCodeUpgrader(tf_upgrade_v2.TFAPIChangeSpec())
    processed = unparsed = with_errors = failed = 0
    crashes: Dict[str, int] = {}
    for line in file_list.read_text().splitlines():
        source = in_root / line
        target = out_root / line
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            count, _, errors = upgrader.process_file(str(source), str(target))
        except Exception as error:  # noqa: BLE001  (tf_upgrade_v2 crashes on some valid Python: count, go on)
            failed += 1
            key = f"{type(error).__name__}: {error}"[:80]
            crashes[key] = crashes.get(key, 0) + 1
            continue
        processed += count
        unparsed += count == 0  # it could not parse the file (Python 2): it reports that and writes nothing
        with_errors += bool(errors) and count > 0
    result_path.write_text(json.dumps({
        "import_seconds": imported - started, "convert_seconds": time.perf_counter() - imported,
        "processed": processed, "unparsed": unparsed, "with_errors": with_errors, "failed": failed,
        "crashes": crashes}))


def tf_upgrade_cli() -> Optional[str]:
    """The `tf_upgrade_v2` script beside this Python, or on PATH."""
    script = Path(sys.executable).parent / "tf_upgrade_v2"
    return str(script) if script.exists() else shutil.which("tf_upgrade_v2")


def run_tf_upgrade(root: Path, files: List[Path], work: Path, env: Dict[str, str]) -> Optional[Measurement]:
    """tf_upgrade_v2's API over every file in one child process; None when TensorFlow is missing."""
    file_list, result_path = work / "tf_upgrade_files.txt", work / "tf_upgrade_result.json"
    file_list.write_text("\n".join(str(p.relative_to(root)) for p in files) + "\n")
    command = [sys.executable, str(Path(__file__).resolve()), "--tf-upgrade-worker",
               str(file_list), str(root), str(work / "tf_upgrade_out"), str(result_path)]
    result = measure("tf_upgrade_v2 API, one process", command, len(files), work, work / "logs", env)
    data = json.loads(result_path.read_text()) if result_path.exists() else {}
    if "import_error" in data:
        print(f"TensorFlow is not importable ({data['import_error']}): tf_upgrade_v2 rows skipped.")
        return None
    if not data:
        result.note = f"worker failed (exit {result.returncode}); see logs"
        return result
    crashes = "; ".join(f"{n}x {k}" for k, n in sorted(data["crashes"].items(), key=lambda kv: -kv[1]))
    result.note = (f"TF import {data['import_seconds']:.1f} s, conversion {data['convert_seconds']:.1f} s; "
                   f"{data['processed']} converted ({data['with_errors']} of them with errors reported), "
                   f"{data['unparsed']} unparsable, {data['failed']} crashed" + (f" ({crashes})" if crashes else ""))
    return result


# ---------------------------------------------------------------- the report

def machine_lines() -> List[str]:
    """Cores, CPU, memory, OS and the versions that matter here."""
    cpu = "unknown CPU"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory = f", {kb / 1024 / 1024:.0f} GiB memory"
    except (OSError, IndexError, ValueError):
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = [f"Python {platform.python_version()}", f"tfmigrate {_version('tfmigrate')}{_install_kind()}"]
    versions += [f"{name} {_version(name)}" for name in ("libcst", "click")]
    tf_version = _version("tensorflow") or _version("tensorflow-cpu")
    versions.append(f"tensorflow {tf_version}" if tf_version else "tensorflow not installed")
    return [f"Machine: {usable} usable cores of {os.cpu_count()} ({cpu}){memory}; {platform.platform()}",
            "Versions: " + ", ".join(versions)]


def _install_kind() -> str:
    """'(editable install, ...)' when tfmigrate runs from a checkout (its import hook adds start-up
    time), and whether its bytecode is compiled."""
    try:
        direct = importlib.metadata.distribution("tfmigrate").read_text("direct_url.json")
    except importlib.metadata.PackageNotFoundError:
        return ""
    editable = bool(direct) and json.loads(direct).get("dir_info", {}).get("editable", False)
    return f" ({'editable install, ' if editable else ''}{_bytecode()}, {_startup_cache()})"


def _startup_cache() -> str:
    """Whether libcst's generated dataclass methods are cached (`python -m tfmigrate.precompile`
    or any earlier run writes them) or will be compiled by the first run."""
    from tfmigrate._startup import cache_path

    path = cache_path()
    return "start-up cache written" if path and os.path.exists(path) else "no start-up cache yet"


def _bytecode() -> str:
    """Whether tfmigrate's modules start from compiled bytecode or are compiled at every start
    (with PYTHONDONTWRITEBYTECODE set, an editable install is never compiled by importing it)."""
    import importlib.util

    spec = importlib.util.find_spec("tfmigrate.rules._eager")
    if spec is None or not spec.origin:
        return "bytecode unknown"
    cached = importlib.util.cache_from_source(spec.origin)
    fresh = os.path.exists(cached) and os.path.getmtime(cached) >= os.path.getmtime(spec.origin)
    return "bytecode compiled" if fresh else "no bytecode: modules compiled at every start"


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return ""


def table(rows: List[Measurement]) -> List[str]:
    """The measurements as a fixed-width table."""
    header = (f"{'measurement':<44} {'files':>6} {'seconds':>8} {'files/s':>8} {'CPU s':>7} "
              f"{'peak MB':>8} {'all MB':>7}  exit")
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(f"{row.label:<44} {row.files:>6} {row.seconds:>8.2f} {row.files_per_second:>8.1f} "
                     f"{row.cpu_seconds:>7.2f} "
                     f"{row.peak_mb:>8.0f} {row.tree_mb:>7.0f}  {row.returncode}")
    return lines


def verdicts(cold: Measurement, warm: Measurement, one: Measurement, tfu: Optional[Measurement],
             tfmigrate_rows: List[Measurement]) -> List[str]:
    """Ratios against tf_upgrade_v2 and PASS/FAIL for each target."""
    lines = []
    if tfu is not None:
        cold_ratio, warm_ratio = tfu.seconds / cold.seconds, tfu.seconds / warm.seconds
        lines += [f"Cold check vs tf_upgrade_v2: {cold_ratio:.1f}x faster ({_cpu_ratio(tfu, cold)})",
                  f"Warm check vs tf_upgrade_v2: {warm_ratio:.1f}x faster ({_cpu_ratio(tfu, warm)})"]
    lines.append(f"One-file check wall time: {one.seconds:.3f} s")
    peak = max(tfmigrate_rows, key=lambda m: m.peak_mb)
    tree = max(tfmigrate_rows, key=lambda m: m.tree_mb)
    lines += ["", "Targets:"]
    if tfu is not None:
        lines += [_verdict(f"cold check >= {TARGET_COLD:.0f}x faster than tf_upgrade_v2",
                           cold_ratio >= TARGET_COLD, f"{cold_ratio:.1f}x"),
                  _verdict(f"warm check >= {TARGET_WARM:.0f}x faster than tf_upgrade_v2",
                           warm_ratio >= TARGET_WARM, f"{warm_ratio:.1f}x")]
    else:
        lines += ["  SKIP  cold/warm check vs tf_upgrade_v2 (TensorFlow not importable)"]
    lines += [_verdict(f"one-file check < {TARGET_ONE_FILE} s", one.seconds < TARGET_ONE_FILE, f"{one.seconds:.3f} s"),
              _verdict(f"peak memory < {TARGET_PEAK_MB:.0f} MB (largest tfmigrate process)",
                       peak.peak_mb < TARGET_PEAK_MB,
                       f"{peak.peak_mb:.0f} MB in '{peak.label}'; all processes together at most "
                       f"{tree.tree_mb:.0f} MB in '{tree.label}'")]
    return lines


def _cpu_ratio(tfu: Measurement, row: Measurement) -> str:
    return f"CPU time: {tfu.cpu_seconds / max(row.cpu_seconds, 1e-9):.1f}x less"


def _verdict(what: str, ok: bool, value: str) -> str:
    return f"  {'PASS' if ok else 'FAIL'}  {what}: {value}"


# ---------------------------------------------------------------- the run

def benchmark(work: Path, files: int, seed: int) -> List[str]:
    """Build the corpus under WORK, run every measurement, return the report's lines."""
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    root = work / "corpus"
    print(f"Building {files} files in {root} ...", file=sys.stderr, flush=True)
    summary = corpus.build_corpus(root, files, seed)
    all_files = sorted(root.rglob("*.py"))
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", NO_COLOR="1")
    env.pop("PRE_COMMIT", None)  # it would force one process
    tool = tfmigrate_command()
    check = tool + ["check", "--no-progress"]
    n = len(all_files)
    load_before = os.getloadavg()[0]

    cold = measure("check --no-cache (cold)", check + ["--no-cache", str(root)], n, work, logs, env)
    serial = measure("check --no-cache --jobs 1 (cold, 1 process)",
                     check + ["--no-cache", "--jobs", "1", str(root)], n, work, logs, env)
    cache_dir = work / "cache"
    fill = measure("check --cache-dir (filling the cache)", check + ["--cache-dir", str(cache_dir), str(root)],
                   n, work, logs, env)
    warm = measure("check --cache-dir (warm)", check + ["--cache-dir", str(cache_dir), str(root)],
                   n, work, logs, env)
    fix_tree = work / "fix_tree"
    shutil.copytree(root, fix_tree)
    fixed = measure("fix --unsafe-fixes --no-cache (on a copy)",
                    tool + ["fix", "--unsafe-fixes", "--no-cache", "--no-progress", str(fix_tree)],
                    n, work, logs, env)
    fixed.note = f"{changed_files(root, fix_tree)} files rewritten"
    one_path = pick_one_file(root)
    one = measure_median("check --no-cache ONE_FILE", check + ["--no-cache", str(one_path)],
                         ONE_FILE_RUNS, work, logs, env)
    for row in (cold, serial, fill, warm):
        row.note = describe_check(row)
    one.note = f"{one.note}; {describe_check(one)}"
    tfmigrate_rows = [cold, serial, fill, warm, fixed, one]

    tfu = run_tf_upgrade(root, all_files, work, env)
    rows = tfmigrate_rows + ([tfu] if tfu else [])
    if tfu is not None and tf_upgrade_cli():
        out_file = work / "tf_upgrade_one_out.py"
        cli = [tf_upgrade_cli(), "--infile", str(one_path), "--outfile", str(out_file),
               "--reportfile", str(work / "tf_upgrade_report.txt")]
        rows.append(measure_median("tf_upgrade_v2 --infile ONE_FILE (CLI)", cli, CLI_RUNS, work, logs, env))

    load_after = os.getloadavg()[0]
    one_kb = one_path.stat().st_size / 1024
    lines = machine_lines() + [
        f"Corpus: {corpus.describe(summary)} (seed {seed})",
        f"ONE_FILE: {one_path.relative_to(root)} ({one_kb:.1f} KB, {one_path.read_text().count(chr(10))} lines)",
        "tfmigrate runs with its default --jobs 0 (all cores) unless a row says otherwise; tf_upgrade_v2 uses one.",
        (f"Load average (1 min) before/after: {load_before:.2f}/{load_after:.2f} (other work on the machine "
         "stretches wall times; CPU s is the measured processes' own user+system time)."), ""]
    lines += table(rows) + [""] + [f"{row.label}: {row.note}" for row in rows if row.note]
    problems = [row for row in tfmigrate_rows if not healthy(row)]
    if describe_check(cold) != describe_check(warm):
        lines.append(f"WARNING: warm results differ from cold ones: {describe_check(warm)} vs {describe_check(cold)}")
    for row in problems:
        lines.append(f"ERROR in '{row.label}' (exit {row.returncode}): {row.stderr.strip()[-600:]}")
    return lines + [""] + verdicts(cold, warm, one, tfu, tfmigrate_rows)


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    """Command-line options; --tf-upgrade-worker is the child process's own entry."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000, help="Files in the corpus (default 2000).")
    parser.add_argument("--seed", type=int, default=0, help="Seed of the corpus (default 0).")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="Work in DIR (must be new or empty) and keep the corpus, outputs and logs.")
    parser.add_argument("--tf-upgrade-worker", nargs=4, metavar=("LIST", "IN", "OUT", "RESULT"),
                        type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the benchmark and print its report."""
    args = parse_args(argv)
    if args.tf_upgrade_worker:
        tf_upgrade_worker(*args.tf_upgrade_worker)
        return 0
    if args.keep:
        if args.keep.exists() and any(args.keep.iterdir()):
            print(f"--keep {args.keep}: the folder is not empty", file=sys.stderr)
            return 2
        args.keep.mkdir(parents=True, exist_ok=True)
        lines = benchmark(args.keep.resolve(), args.files, args.seed)
    else:
        with tempfile.TemporaryDirectory(prefix="tfmigrate-bench-") as work:
            lines = benchmark(Path(work), args.files, args.seed)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
