"""Prove a rewrite: run the original the TF1 way and the rewrite on TF2, compare their numbers.

Each program runs in its own child process (``tfmigrate._runner``) with a
time limit; this module never imports TensorFlow. What a program computed is
read from what it printed: every number on its stdout, in order (see
``extract_numbers``). The two lists are compared number by number within a
relative tolerance (``rtol``) and an absolute one (``atol``).

Verdicts and exit codes: ``match`` (0), ``mismatch`` (1), ``error`` (2: a
program did not run, or neither printed a number).
"""
from __future__ import annotations

import contextlib
import importlib.util
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tokenize
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import List, Optional, Sequence

from ._runner import INSTALL_HINT, MODES

__all__ = [
    "INSTALL_HINT", "MODES", "Comparison", "NumberRow", "RunResult", "VerifyResult",
    "compare", "extract_numbers", "format_report", "run_program", "tensorflow_available", "verify",
]

EXIT_CODES = {"match": 0, "mismatch": 1, "error": 2}
STDERR_TAIL = 8  # lines of a failed run's stderr shown in the report

# Parts of TensorFlow and Keras reprs that are not values: shapes and the
# names of tensors and variables ('dense/kernel:0').
_METADATA = [
    (re.compile(r"\bshape=\([^)]*\)"), "shape=()"),
    (re.compile(r"\bshape=\[[^\]]*\]"), "shape=[]"),
    (re.compile(r"<tf\.Variable '[^']*'"), "<tf.Variable"),
    (re.compile(r"\bTensor\(\"[^\"]*\""), "Tensor("),
    (re.compile(r"\bname=(['\"])[^'\"]*\1"), "name="),
    (re.compile(r"\bpath=[^,\s>]*"), "path="),
]
_NUMBER = re.compile(
    r"""
    (?<![\w.])                                  # not glued to a word or a dot before it
    [-+]?
    (?: (?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?
      | nan | inf(?:inity)? )
    (?!\w)(?!\.\d)                              # nor to a word or '.digit' after it
    """,
    re.VERBOSE | re.IGNORECASE,
)


def tensorflow_available() -> bool:
    """True when TensorFlow can be imported here (checked without importing it)."""
    return importlib.util.find_spec("tensorflow") is not None


# ----------------------------------------------------------------------------
# Reading numbers.

def extract_numbers(text: str) -> List[float]:
    """Every number in printed text, in order.

    A number is an integer, a decimal (``1.``, ``.5``, ``-4.9999886``), a
    number in scientific notation (``1e-05``, ``2.5E+3``), or ``nan``/``inf``
    (any case, with a sign), standing on its own: a number glued to a letter,
    an underscore or a version-like dot sequence is part of a word and does
    not count, so ``float32``, ``conv2d``, ``10ms`` and ``2.21.0`` give
    nothing while ``step 100``, ``loss=0.25`` and ``1/10`` do. NumPy arrays
    (``[[ 1.5 -2. ]]``, ``array([1., 2.], dtype=float32)``) give their
    elements; TensorFlow tensors and variables give their values but not
    their shape (``shape=(3, 1)``) or name (``'dense/kernel:0'``).
    """
    for pattern, replacement in _METADATA:
        text = pattern.sub(replacement, text)
    return [float(match.group()) for match in _NUMBER.finditer(text)]


# ----------------------------------------------------------------------------
# Comparing numbers.

@dataclass(frozen=True)
class NumberRow:
    """One number of each program (None where one printed fewer)."""

    index: int  # 1-based
    original: Optional[float]
    rewrite: Optional[float]
    difference: float  # |a - b| / max(|a|, |b|); 0 when equal, inf when one is missing
    ok: bool


@dataclass(frozen=True)
class Comparison:
    rows: List[NumberRow]
    rtol: float
    atol: float
    original_count: int
    rewrite_count: int

    @property
    def lengths_match(self) -> bool:
        return self.original_count == self.rewrite_count

    @property
    def differing(self) -> List[NumberRow]:
        return [row for row in self.rows if not row.ok]

    @property
    def ok(self) -> bool:
        return self.lengths_match and not self.differing

    @property
    def tolerance(self) -> str:
        """`rtol=1e-05`, with `atol` when one is set."""
        text = f"rtol={self.rtol:g}"
        return text + (f", atol={self.atol:g}" if self.atol else "")


def relative_difference(a: float, b: float) -> float:
    if a == b or (math.isnan(a) and math.isnan(b)):
        return 0.0
    if not (math.isfinite(a) and math.isfinite(b)):
        return math.inf
    return abs(a - b) / max(abs(a), abs(b))


def numbers_agree(a: float, b: float, rtol: float, atol: float) -> bool:
    """math.isclose, with nan equal to nan."""
    if math.isnan(a) and math.isnan(b):
        return True
    return math.isclose(a, b, rel_tol=rtol, abs_tol=atol)


def compare(a: Sequence[float], b: Sequence[float], rtol: float = 1e-5, atol: float = 0.0) -> Comparison:
    """Compare the original's numbers `a` with the rewrite's `b`, position by position."""
    rows = []
    for index in range(max(len(a), len(b))):
        x = a[index] if index < len(a) else None
        y = b[index] if index < len(b) else None
        if x is None or y is None:
            rows.append(NumberRow(index + 1, x, y, math.inf, False))
        else:
            rows.append(NumberRow(index + 1, x, y, relative_difference(x, y), numbers_agree(x, y, rtol, atol)))
    return Comparison(rows, rtol, atol, len(a), len(b))


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

    @property
    def ok(self) -> bool:
        return self.error is None


def _child_environment(deterministic: bool, seed: int) -> dict:
    env = dict(os.environ)
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    env["PYTHONIOENCODING"] = "utf-8"  # what the child prints is decoded as UTF-8 here
    # The child finds this tfmigrate even when it is not installed (a checkout).
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
    if deterministic:
        env["PYTHONHASHSEED"] = str(seed % 2**32)  # same set and dict-of-str order in both runs
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
                seed: int = 0, python: str = sys.executable) -> RunResult:
    """Run source as the program `filename` in a child process, in `mode` (tf1, tf2 or keras2).

    The source goes to the child on stdin; the program's folder (that of
    `filename`) is its working directory. The child is killed after
    `timeout` seconds.
    """
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}: expected one of {', '.join(MODES)}")
    filename = os.path.abspath(filename)
    command = [python, "-m", "tfmigrate._runner", "--mode", mode, "--seed", str(seed), "--filename", filename]
    command += ["--deterministic"] if deterministic else []
    command.append("-")
    start = time.monotonic()
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        cwd=os.path.dirname(filename), env=_child_environment(deterministic, seed),
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
    return RunResult(mode, process.returncode, stdout, stderr, extract_numbers(stdout), error, seconds)


# ----------------------------------------------------------------------------
# Verifying a rewrite.

@dataclass
class VerifyResult:
    original_path: str
    rewrite_filename: str
    original: RunResult
    rewrite: RunResult
    comparison: Optional[Comparison]  # None when a program did not run
    verdict: str  # "match" | "mismatch" | "error"
    reason: str = ""  # for "error": which side failed and how

    @property
    def exit_code(self) -> int:
        """0 match, 1 mismatch, 2 error."""
        return EXIT_CODES[self.verdict]


def _verdict(original: RunResult, rewrite: RunResult, rtol: float, atol: float):
    """(verdict, reason, comparison) of two runs."""
    if not original.ok and not rewrite.ok:
        return "error", f"neither program ran: the original: {original.error}; the rewrite: {rewrite.error}", None
    if not original.ok:
        return "error", f"the original did not run: {original.error}", None
    if not rewrite.ok:
        return "error", f"the rewrite did not run: {rewrite.error}", None
    comparison = compare(original.numbers, rewrite.numbers, rtol=rtol, atol=atol)
    if not original.numbers and not rewrite.numbers:
        return "error", "neither program printed a number: nothing to compare", comparison
    return ("match" if comparison.ok else "mismatch"), "", comparison


def read_original(path: str) -> str:
    with tokenize.open(path) as handle:  # honours a coding declaration and a BOM
        return handle.read()


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
    return RunResult(run.mode, run.returncode, stdout, stderr, extract_numbers(stdout), error, run.seconds)


def _run_both(original_source, original_path, original_mode, rewrite_source, rewrite_filename, rewrite_mode,
              options, isolate: bool):
    """The two runs, side by side: each in its own copy of its folder when it is small, else in place."""
    folders = {os.path.dirname(os.path.abspath(p)) for p in (original_path, rewrite_filename)}
    if isolate and all(_small_folder(f) for f in folders):
        with _own_copy(original_path) as first_copy, _own_copy(rewrite_filename) as second_copy:
            if first_copy is not None and second_copy is not None:
                original, rewrite = _run_pair(original_source, first_copy[0], original_mode,
                                              rewrite_source, second_copy[0], rewrite_mode, options)
                original = _moved_back(original, first_copy[1], os.path.dirname(os.path.abspath(original_path)))
                rewrite = _moved_back(rewrite, second_copy[1], os.path.dirname(os.path.abspath(rewrite_filename)))
                if original.ok:
                    return original, rewrite
                # The original may read files beside its folder (`../data`): run both where they are.
    return _run_pair(original_source, original_path, original_mode, rewrite_source, rewrite_filename, rewrite_mode,
                     options)


def _run_pair(original_source, original_path, original_mode, rewrite_source, rewrite_filename, rewrite_mode,
              options):
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(run_program, original_source, original_path, original_mode, **options)
        second = pool.submit(run_program, rewrite_source, rewrite_filename, rewrite_mode, **options)
        return first.result(), second.result()


def verify(original_path: str, rewrite_source: str, *, rewrite_filename: Optional[str] = None,
           rtol: float = 1e-5, atol: float = 0.0, timeout: float = 300, original_mode: str = "tf1",
           rewrite_mode: str = "tf2", deterministic: bool = False, seed: int = 0,
           python: str = sys.executable, isolate: bool = True) -> VerifyResult:
    """Run the original (in `original_mode`) and the rewrite (plain TF2) side by side and compare.

    The rewrite runs as `rewrite_filename` (default: the original's path), so
    it sees the same folder. With `isolate`, each run gets its own copy of
    that folder when it is small (ISOLATE_MAX_BYTES, ISOLATE_MAX_FILES): a
    checkpoint or log one run writes is not what the other reads. What they
    print is reported with the real folder's path. Raises OSError if the
    original cannot be read.
    """
    original_source = read_original(original_path)
    rewrite_filename = rewrite_filename or original_path
    options = dict(timeout=timeout, deterministic=deterministic, seed=seed, python=python)
    original, rewrite = _run_both(original_source, original_path, original_mode, rewrite_source, rewrite_filename,
                                  rewrite_mode, options, isolate)
    verdict, reason, comparison = _verdict(original, rewrite, rtol, atol)
    return VerifyResult(original_path, rewrite_filename, original, rewrite, comparison, verdict, reason)


# ----------------------------------------------------------------------------
# The report.

def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _value(value: Optional[float]) -> str:
    return "-" if value is None else repr(value)


def _difference(row: NumberRow) -> str:
    if row.original is None or row.rewrite is None:
        return "missing"
    return "0" if row.difference == 0 else f"{row.difference:.2e}"


def _shown_rows(rows: List[NumberRow], max_rows: int) -> List[NumberRow]:
    """At most max_rows rows: the differing ones first, then the earliest, in printed order."""
    if len(rows) <= max_rows:
        return rows
    chosen = [row for row in rows if not row.ok][:max_rows]
    chosen += [row for row in rows if row.ok][: max_rows - len(chosen)]
    return sorted(chosen, key=lambda row: row.index)


def _table(comparison: Comparison, max_rows: int) -> List[str]:
    shown = _shown_rows(comparison.rows, max_rows)
    values = [(_value(r.original), _value(r.rewrite)) for r in shown]
    width = max([len("original"), len("rewrite")] + [len(v) for pair in values for v in pair])
    index_width = max(len("#"), len(str(comparison.rows[-1].index)) if comparison.rows else 1)
    lines = [f"{'#':>{index_width}}  {'original':<{width}}  {'rewrite':<{width}}  {'rel. diff':<9}  "]
    previous = 0
    for row, (a, b) in zip(shown, values):
        if row.index != previous + 1:
            lines.append(f"{'...':>{index_width}}")
        lines.append(f"{row.index:>{index_width}}  {a:<{width}}  {b:<{width}}  {_difference(row):<9}  "
                     f"{'ok' if row.ok else 'differs'}")
        previous = row.index
    shown_indices = {row.index for row in shown}
    left_out = [row for row in comparison.rows if row.index not in shown_indices]
    if left_out:
        differ = sum(1 for row in left_out if not row.ok)
        lines.append(f"({_plural(len(left_out), 'row')} left out: {len(left_out) - differ} agree, {differ} differ)")
    return [line.rstrip() for line in lines]


def _run_line(side: str, path: str, run: RunResult) -> str:
    status = "ok" if run.ok else "failed"
    return f"{side:<9}{path}  ({run.mode}, {status}, {_plural(len(run.numbers), 'number')}, {run.seconds:.1f} s)"


def _verdict_line(result: VerifyResult) -> str:
    comparison = result.comparison
    if result.verdict == "error":
        return f"error: {result.reason}"
    count = comparison.original_count
    if result.verdict == "match":
        agrees = "agrees" if count == 1 else "agree"
        return f"match: {_plural(count, 'number')} {agrees} within {comparison.tolerance}"
    if not comparison.lengths_match:
        return (f"mismatch: the original printed {_plural(comparison.original_count, 'number')}, "
                f"the rewrite {comparison.rewrite_count}")
    worst = max(comparison.differing, key=lambda row: (row.difference, -row.index))
    return (f"mismatch: {len(comparison.differing)} of {_plural(count, 'number')} differ by more than "
            f"{comparison.tolerance} (largest relative difference {_difference(worst)}, at #{worst.index})")


def _stderr_tail(run: RunResult) -> List[str]:
    """The last lines of stderr, from the last traceback on when there is one (past TF's log noise)."""
    lines = [line for line in run.stderr.rstrip().splitlines() if line.strip()]
    starts = [i for i, line in enumerate(lines) if line.startswith("Traceback (most recent call last)")]
    if starts:
        lines = lines[starts[-1]:]
    return lines[-STDERR_TAIL:]


def format_report(result: VerifyResult, max_rows: int = 20) -> str:
    """Both runs, their numbers side by side (at most max_rows rows), and the verdict line last."""
    lines = [_run_line("original", result.original_path, result.original),
             _run_line("rewrite", result.rewrite_filename, result.rewrite), ""]
    for side, run in (("original", result.original), ("rewrite", result.rewrite)):
        if not run.ok:
            lines += [f"the {side}'s stderr ends with:"] + [f"  | {line}" for line in _stderr_tail(run)] + [""]
    if result.comparison is not None and result.comparison.rows:
        lines += _table(result.comparison, max_rows)
    lines.append(_verdict_line(result))
    return "\n".join(lines)
