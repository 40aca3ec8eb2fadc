"""Prove a rewrite: run the original the TF1 way and the rewrite on TF2, compare their numbers.

Each program runs in its own child process (``tfmigrate._runner``) with a
time limit; this module never imports TensorFlow. What a program computed is
read from what it printed: every number on its stdout, in order (see
``comparison.printed_numbers``), compared number by number within
``|rewrite - original| <= atol + rtol * |original|``.

Verdicts and exit codes: ``exact`` and ``within tolerance`` (0),
``differs`` (1), ``error`` (2: a program failed, or neither printed a
number) and ``could not run`` (2: a package or the reference runtime is
missing here, so a program could not be tried).
"""
from __future__ import annotations

import contextlib
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import List, Optional, Sequence

from ._runner import EXIT_SETUP, INSTALL_HINT, MODES
from .comparison import (DEFAULT_ATOL, DEFAULT_RTOL, DIFFERS, EXACT, WITHIN, Comparison, NumberRow, compare,
                         extract_numbers, printed_numbers, without_graph_values)
from .programs import Program, runnable
from .verify_report import _plural, format_report

__all__ = [
    "DEFAULT_ATOL", "DEFAULT_RTOL", "INSTALL_HINT", "MODES", "Comparison", "NumberRow", "RunResult", "Side",
    "VerifyResult", "compare", "extract_numbers", "format_report", "run_program", "run_sides",
    "tensorflow_available", "verify", "verify_programs",
]

ERROR, COULD_NOT_RUN = "error", "could not run"
EXIT_CODES = {EXACT: 0, WITHIN: 0, DIFFERS: 1, ERROR: 2, COULD_NOT_RUN: 2}
_MISSING_MODULE = re.compile(r"ModuleNotFoundError: No module named '([\w.]+)'")
TENSORBOARD = ("the {side} needs the tensorboard package, which is not installed here: tf.summary in "
               "TensorFlow 2 writes through it, and tensorflow-cpu does not install it (pip install tensorboard)")
PIP_NAMES = {"sklearn": "scikit-learn", "cv2": "opencv-python", "PIL": "Pillow", "yaml": "PyYAML",
             "tf_keras": "tf-keras", "skimage": "scikit-image"}


def tensorflow_available() -> bool:
    """True when TensorFlow can be imported here (checked without importing it)."""
    return importlib.util.find_spec("tensorflow") is not None


# ----------------------------------------------------------------------------
# Running programs.

@dataclass
class RunResult:
    """What one child run did."""

    mode: str
    returncode: Optional[int]
    stdout: str
    stderr: str
    numbers: List[float] = field(default_factory=list)
    error: Optional[str] = None  # why the run failed: the last stderr line, or the time-out
    seconds: float = 0.0
    lines: List[int] = field(default_factory=list)  # the output line of each number
    runtime: str = ""  # "" for the installed TensorFlow, else the reference runtime's name

    @property
    def ok(self) -> bool:
        return self.error is None

    def output_line(self, number: int) -> str:
        return self.stdout.splitlines()[number - 1] if 0 < number <= len(self.stdout.splitlines()) else ""


RUNNER_MODULES = ("__init__.py", "_runner.py", "_deterministic.py", "_draws.py")  # what a child runs
_RUNNER_COPIES = {}


def _runner_path(python: str) -> str:
    """A PYTHONPATH entry from which `python` imports tfmigrate's runner and nothing else of this install.

    The interpreter running tfmigrate gets tfmigrate's own folder. Another
    environment (the reference runtime) gets a folder holding copies of the
    runner's modules only: this install's site-packages (today's TensorFlow)
    must not shadow its own.
    """
    package = os.path.dirname(os.path.abspath(__file__))
    if os.path.abspath(python) == os.path.abspath(sys.executable):
        return os.path.dirname(package)
    if python not in _RUNNER_COPIES:
        folder = tempfile.mkdtemp(prefix="tfmigrate-runner-")
        os.mkdir(os.path.join(folder, "tfmigrate"))
        for name in RUNNER_MODULES:
            shutil.copyfile(os.path.join(package, name), os.path.join(folder, "tfmigrate", name))
        _RUNNER_COPIES[python] = folder
        import atexit

        atexit.register(remove_runner_copies)  # (the command leaves with os._exit: it calls this itself)
    return _RUNNER_COPIES[python]


def remove_runner_copies() -> None:
    """Remove the runner's copies made for other interpreters."""
    while _RUNNER_COPIES:
        shutil.rmtree(_RUNNER_COPIES.popitem()[1], ignore_errors=True)


def _child_environment(deterministic: bool, seed: int, python: str) -> dict:
    env = dict(os.environ)
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    env["PYTHONIOENCODING"] = "utf-8"  # what the child prints is decoded as UTF-8 here
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_runner_path(python), env.get("PYTHONPATH")) if p)
    if deterministic:
        env["PYTHONHASHSEED"] = str(seed % 2**32)  # same set and dict-of-str order in both runs
        # oneDNN's CPU kernels (convolutions, pooling) sum in an order of their own, which differs between
        # TensorFlow releases (the reference runtime's and the installed one): TensorFlow's own kernels do not
        env.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    return env


def _kill(process: subprocess.Popen) -> None:
    """Kill a timed-out child and whatever it started."""
    try:
        if os.name == "posix":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except ProcessLookupError:
        pass


def _failure(returncode: int, stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if lines:
        return lines[-1]
    if returncode < 0:
        return f"killed by signal {-returncode}"
    return f"exited with code {returncode}"


def run_program(source: str, filename: str, mode: str, *, timeout: float = 300, deterministic: bool = False,
                seed: int = 0, python: str = sys.executable, cells: bool = False, runtime: str = "") -> RunResult:
    """Run source as the program `filename` in a child process of `python`, in `mode` (tf1, tf2 or keras2).

    The source goes to the child on stdin; the program's folder (that of
    `filename`) is its working directory. The child is killed after
    `timeout` seconds. `cells`: the source is a notebook's cells (see
    ``_runner``).
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}: expected one of {', '.join(MODES)}")
    filename = os.path.abspath(filename)
    command = [python, "-m", "tfmigrate._runner", "--mode", mode, "--seed", str(seed), "--filename", filename]
    command += (["--deterministic"] if deterministic else []) + (["--cells"] if cells else [])
    command.append("-")
    start = time.monotonic()
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        cwd=os.path.dirname(filename), env=_child_environment(deterministic, seed, python),
        start_new_session=os.name == "posix",
    )
    timed_out = False
    try:
        out, err = process.communicate(source.encode("utf-8"), timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill(process)
        out, err = process.communicate()
    seconds = time.monotonic() - start
    stdout, stderr = out.decode("utf-8", "replace"), err.decode("utf-8", "replace")
    if timed_out:
        error = f"timed out after {timeout:g} s"
    elif process.returncode != 0:
        error = _failure(process.returncode, stderr)
    else:
        error = None
    numbers, lines = printed_numbers(stdout)
    return RunResult(mode, process.returncode, stdout, stderr, numbers, error, seconds, lines, runtime)


# ----------------------------------------------------------------------------
# Running the two sides.

@dataclass
class Side:
    """One program and how it runs."""

    program: Program
    mode: str
    python: str = sys.executable
    runtime: str = ""  # the reference runtime's name when python is its interpreter


# A folder up to this size is copied for each run, so that neither run sees what the other wrote.
ISOLATE_MAX_BYTES = 256 * 2**20
ISOLATE_MAX_FILES = 5000


def _small_folder(folder: str) -> bool:
    """Whether `folder` (all of it, symlinks not followed) is small enough to copy for a run."""
    size = count = 0
    for root, dirs, files in os.walk(folder):
        for name in files:
            count += 1
            try:
                size += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                return False
            if count > ISOLATE_MAX_FILES or size > ISOLATE_MAX_BYTES:
                return False
    return True


@contextlib.contextmanager
def _own_copy(path: str):
    """(the path of `path` in a fresh copy of its folder, that copy's folder); None if it cannot be copied."""
    folder = os.path.dirname(os.path.abspath(path))
    temporary = tempfile.mkdtemp(prefix="tfmigrate-verify-")
    try:
        copy = os.path.join(temporary, os.path.basename(folder) or "root")
        try:
            shutil.copytree(folder, copy, symlinks=True)
        except (OSError, shutil.Error):
            yield None
        else:
            yield os.path.join(copy, os.path.basename(path)), copy
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _moved_back(run: RunResult, copy: str, folder: str) -> RunResult:
    """`run` as if it had run in `folder`: the copy's path replaced in what it printed."""
    stdout, stderr = run.stdout.replace(copy, folder), run.stderr.replace(copy, folder)
    error = run.error.replace(copy, folder) if run.error else run.error
    numbers, lines = printed_numbers(stdout)
    return RunResult(run.mode, run.returncode, stdout, stderr, numbers, error, run.seconds, lines, run.runtime)


def _launch(side: Side, filename: str, options: dict) -> RunResult:
    return run_program(runnable(side.program), filename, side.mode, python=side.python, cells=side.program.notebook,
                       runtime=side.runtime, **options)


_ABSOLUTE_PATH = re.compile(r"""["'](/[\w.~-][^"'\n]*|~/[^"'\n]*)["']""")


def _shared_paths(sides: Sequence[Side]) -> bool:
    """Do the programs name one absolute path (``MODEL_DIR = '/tmp/model'``)? Run at once, one would
    write or delete what the other reads (a model directory both empty first)."""
    found = [set(_ABSOLUTE_PATH.findall(side.program.source)) for side in sides]
    return len(found) > 1 and bool(set.intersection(*found))


def run_sides(sides: Sequence[Side], options: dict, isolate: bool = True) -> List[RunResult]:
    """Run the sides at once, each in its own copy of its folder when the folders are small, else in place;
    one after the other when they name the same absolute path.

    A side whose run in a copy fails is run again in place, with the others:
    the program may read files beside its folder (`../data`).
    """
    folders = {os.path.dirname(os.path.abspath(side.program.path)) for side in sides}
    workers = 1 if _shared_paths(sides) else len(sides)
    if isolate and all(_small_folder(folder) for folder in folders):
        with contextlib.ExitStack() as stack:
            copies = [stack.enter_context(_own_copy(side.program.path)) for side in sides]
            if all(copy is not None for copy in copies):
                with ThreadPoolExecutor(max_workers=workers) as pool:
                    jobs = [pool.submit(_launch, side, copy[0], options) for side, copy in zip(sides, copies)]
                    runs = [job.result() for job in jobs]
                runs = [_moved_back(run, copy[1], os.path.dirname(os.path.abspath(side.program.path)))
                        for run, copy, side in zip(runs, copies, sides)]
                if runs[0].ok:
                    return runs
    with ThreadPoolExecutor(max_workers=workers) as pool:
        jobs = [pool.submit(_launch, side, side.program.path, options) for side in sides]
        return [job.result() for job in jobs]


# ----------------------------------------------------------------------------
# Verifying a rewrite.

@dataclass
class VerifyResult:
    original_path: str
    rewrite_filename: str
    original: RunResult
    rewrite: RunResult
    comparison: Optional[Comparison]  # None when a program did not run
    verdict: str  # exact | within tolerance | differs | error | could not run
    reason: str = ""  # for error and could not run: which side and why
    notes: List[str] = field(default_factory=list)  # said before the numbers: skipped cells, the runtime
    known: List[str] = field(default_factory=list)  # known numerical differences of the rewrite
    random_hint: Optional[str] = None  # where a program seeds TF or draws random values (without --deterministic)
    programs: Sequence[Optional[Program]] = (None, None)

    @property
    def exit_code(self) -> int:
        """0 exact or within tolerance, 1 differs, 2 error or could not run."""
        return EXIT_CODES[self.verdict]


def _missing_package(side: str, run: RunResult) -> Optional[str]:
    """Why a run failed for want of a package here, or None."""
    if run.returncode == EXIT_SETUP:
        said = [line for line in run.stderr.splitlines() if line.startswith("tfmigrate: ")]
        if said:
            return f"the {side}: {said[-1][len('tfmigrate: '):]}"
    if "TBNotInstalledError" in run.stderr or "No module named 'tensorboard'" in run.stderr:
        return TENSORBOARD.format(side=side)
    missing = _MISSING_MODULE.search(run.error or "")
    if side == "original" and _CONTRIB.search(run.error or ""):
        return ("the original uses tf.contrib, which no TensorFlow 2 release has (TensorFlow 1.15 has it, on "
                "Python 3.7 or older): verify cannot run it here; compare the rewrite with what it printed there")
    if missing and missing.group(1).split(".")[0] == "tensorflow":
        return None  # `tensorflow.estimator`: a module this TensorFlow does not have, not a package to install
    if missing:
        top = missing.group(1).split(".")[0]
        where = f"the {run.runtime} reference runtime does not have" if run.runtime else "is not installed here"
        return (f"the {side} needs the module '{missing.group(1)}', which {where} "
                f"(pip install {PIP_NAMES.get(top, top)})")
    return None


_CONTRIB = re.compile(r"No module named 'tensorflow\.contrib|has no attribute 'contrib'")


def judge(original: RunResult, rewrite: RunResult, rtol: float, atol: float):
    """(verdict, reason, comparison) of two runs."""
    missing = [text for text in (_missing_package("original", original) if not original.ok else None,
                                 _missing_package("rewrite", rewrite) if not rewrite.ok else None) if text]
    if missing:
        return COULD_NOT_RUN, "; ".join(missing), None
    if not original.ok and not rewrite.ok:
        return ERROR, f"neither program ran: the original: {original.error}; the rewrite: {rewrite.error}", None
    if not original.ok:
        return ERROR, f"the original did not run: {original.error}", None
    if not rewrite.ok:
        return ERROR, f"the rewrite did not run: {rewrite.error}", None
    comparison = compare(original.numbers, rewrite.numbers, rtol, atol, original.lines, rewrite.lines)
    if not original.numbers and not rewrite.numbers:
        return ERROR, "neither program printed a number: nothing to compare", comparison
    return comparison.verdict, "", comparison


def verify_programs(original: Side, rewrite: Side, *, rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL,
                    timeout: float = 300, deterministic: bool = False, seed: int = 0, isolate: bool = True,
                    fallback: Optional[callable] = None) -> VerifyResult:
    """Run both sides at once and compare what they print.

    With `isolate`, each run gets its own copy of its folder when it is small
    (ISOLATE_MAX_BYTES, ISOLATE_MAX_FILES): a checkpoint or log one run
    writes is not what the other reads. What they print is reported with the
    real folder's path. `fallback(run)`: given the original's failed run, a
    Side to run the original again on (the reference runtime), or None.
    """
    options = dict(timeout=timeout, deterministic=deterministic, seed=seed)
    first, second = run_sides([original, rewrite], options, isolate)
    for _ in range(3):  # another runtime, then a package it lacks, each at most once
        again = fallback(first) if not first.ok and fallback is not None else None
        if again is None:
            break
        original = again
        first = run_sides([again], options, isolate)[0]
    notes = []
    if first.ok and second.ok:
        text, taken = without_graph_values(first.stdout, second.stdout)
        if taken:  # `print(c)` of a graph tensor showed its description in TF1, its value eagerly
            numbers, lines = printed_numbers(text)
            second = replace(second, numbers=numbers, lines=lines)
            notes.append(f"not compared: the values of {_plural(taken, 'tensor')} the rewrite printed where the "
                         "original printed TF1 graph objects, which have no value")
    verdict, reason, comparison = judge(first, second, rtol, atol)
    return VerifyResult(original.program.path, rewrite.program.path, first, second, comparison, verdict, reason,
                        notes=notes, programs=(original.program, rewrite.program))


def verify(original_path: str, rewrite_source: str, *, rewrite_filename: Optional[str] = None,
           rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL, timeout: float = 300, original_mode: str = "tf1",
           rewrite_mode: str = "tf2", deterministic: bool = False, seed: int = 0,
           python: str = sys.executable, isolate: bool = True) -> VerifyResult:
    """Run the original file (in `original_mode`) and a rewrite's source (plain TF2) side by side and compare.

    The rewrite runs as `rewrite_filename` (default: the original's path), so
    it sees the same folder. Raises OSError if the original cannot be read.
    """
    from ._runner import read_program

    original = Side(Program(original_path, read_program(original_path)), original_mode, python)
    rewrite = Side(Program(rewrite_filename or original_path, rewrite_source), rewrite_mode, python)
    return verify_programs(original, rewrite, rtol=rtol, atol=atol, timeout=timeout, deterministic=deterministic,
                           seed=seed, isolate=isolate)
