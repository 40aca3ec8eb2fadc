"""Run one program for ``tfmigrate verify``, in a child process.

    python -m tfmigrate._runner --mode {tf1,tf2,keras2} [--deterministic]
                                [--seed N] [--filename NAME] [--cells] PATH

PATH is the program (``-`` reads it from stdin; ``--filename`` then names it
for tracebacks and ``__file__``). The program runs as ``__main__`` with
``sys.argv == [PATH]``, its folder first on ``sys.path`` and as the working
directory, so relative data paths work as they do from a shell.

This module and ``_deterministic`` use the standard library only: they also
run in the TensorFlow 2.15 reference runtime, which has nothing else of
tfmigrate installed.

Modes:

- ``tf1``: TensorFlow 1 semantics on a TensorFlow 2 install.
  ``import tensorflow`` yields ``tensorflow.compat.v1`` with v2 behaviour
  disabled; ``import tensorflow.compat.v1 as tf`` keeps working. When
  ``tf-keras`` is installed, ``tf.keras`` and ``tf.layers`` are Keras 2, as
  in TensorFlow 1 (on TensorFlow 2.15 they are Keras 2 anyway).
- ``tf2``: TensorFlow 2 as installed (Keras 3 since TF 2.16).
- ``keras2``: TensorFlow 2 with ``TF_USE_LEGACY_KERAS=1``, so ``tf.keras`` is
  Keras 2 (the ``tf-keras`` package), as TF 2.0-2.15 had it.

``--deterministic``: see ``_deterministic``. Python's ``random`` and
``numpy.random`` are then seeded with the seed, and ``tf.set_random_seed`` and
``tf.random.set_seed`` do nothing.

``--cells``: the program is a notebook's code cells, each after a line
``# tfmigrate-cell-N``. They run in order as one program, and the last
expression of each cell is printed (its ``repr``) as Jupyter shows it, unless
a ``;`` ends it.

A program that fails exits non-zero with its traceback on stderr, as
``python PATH`` would.
"""
from __future__ import annotations

import argparse
import ast
import bisect
import builtins
import linecache
import os
import re
import sys
import tokenize
import traceback
import types
from typing import List, Optional, Sequence

MODES = ("tf1", "tf2", "keras2")
INSTALL_HINT = "pip install 'tfmigrate[verify]'"
EXIT_SETUP = 2  # the runner could not set up the mode (a missing package)
CELL_MARKER = re.compile(r"^# tfmigrate-cell-(\d+)\r?$", re.MULTILINE)


class SetupError(Exception):
    """The mode cannot be set up on this install: the message says what to install."""


# ----------------------------------------------------------------------------
# Setting up the mode.

def keras_3_installed() -> bool:
    """Whether `tf.keras` is Keras 3 here (TensorFlow 2.16 and later), read without importing it."""
    from importlib import metadata

    try:
        version = metadata.version("keras")
    except metadata.PackageNotFoundError:
        return False
    return version.split(".")[0].isdigit() and int(version.split(".")[0]) >= 3


def set_environment(mode: str) -> None:
    """Environment TensorFlow reads when it is imported."""
    import importlib.util

    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    # TF1's tf.keras and tf.layers were Keras 2: tf1 mode uses it when installed.
    if mode in ("keras2", "tf1") and importlib.util.find_spec("tf_keras") is not None:
        os.environ["TF_USE_LEGACY_KERAS"] = "1"
    else:
        os.environ.pop("TF_USE_LEGACY_KERAS", None)


def require(module: str, message: str) -> None:
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise SetupError(message)


def prepare_tensorflow(mode: str, deterministic: bool, seed: int) -> None:
    """Import TensorFlow as the mode needs, before the program does."""
    if mode == "keras2":
        require("tensorflow", f"verify needs TensorFlow: {INSTALL_HINT}")
        if keras_3_installed():
            require("tf_keras", f"keras2 mode needs the tf-keras package: pip install tf-keras (or {INSTALL_HINT})")
    if mode == "tf1" or deterministic:
        require("tensorflow", f"verify needs TensorFlow: {INSTALL_HINT}")
    else:
        return  # plain TF2: the program imports TensorFlow itself
    import tensorflow as tf

    if deterministic:
        from ._deterministic import make_deterministic

        make_deterministic(tf, seed)
    if mode == "tf1":
        v1 = tf.compat.v1
        v1.disable_v2_behavior()
        sys.modules["tensorflow"] = v1  # `import tensorflow as tf` now yields the v1 API
    if deterministic:
        seed_python_and_numpy(seed)  # last: setting up TensorFlow draws from Python's generator


def seed_python_and_numpy(seed: int) -> None:
    import random

    import numpy as np

    random.seed(seed)
    np.random.seed(seed % 2**32)


# ----------------------------------------------------------------------------
# Running the program.

def read_program(path: str) -> str:
    if path == "-":
        source = sys.stdin.buffer.read().decode("utf-8")
        sys.stdin = open(os.devnull)  # the program reads an empty stdin, not its own text
        return source.lstrip("\ufeff")
    with tokenize.open(path) as handle:  # honours a coding declaration and a BOM
        return handle.read()


def enter_folder(filename: str) -> None:
    """Make the program's folder the working directory and the first entry of sys.path."""
    folder = os.path.dirname(os.path.abspath(filename))
    if sys.path and sys.path[0] in ("", os.getcwd()):
        sys.path[0] = folder  # `-m` put the launch folder there
    else:
        sys.path.insert(0, folder)
    os.chdir(folder)


def pin_source(source: str, filename: str) -> None:
    """Make `filename`'s lines in linecache those of `source`, for good.

    A rewrite runs under its original's name, so the file on disk is the
    original. AutoGraph asks linecache to re-read a function's file from disk
    before converting it (`linecache.updatecache`); it would then convert the
    original's function at that line, not the rewrite's.
    """
    lines = source.splitlines(True)
    entry = (len(source), None, lines, filename)
    linecache.cache[filename] = entry
    update = linecache.updatecache

    def updatecache(name, module_globals=None):
        if name == filename:
            linecache.cache[filename] = entry
            return lines
        return update(name, module_globals)

    linecache.updatecache = updatecache


def compile_cells(source: str, filename: str) -> List[types.CodeType]:
    """The code objects of a notebook's cells, in order; a cell's shown last expression compiled to print it."""
    tree = ast.parse(source, filename)
    starts = [source.count("\n", 0, match.start()) + 1 for match in CELL_MARKER.finditer(source)]
    groups: dict = {}
    for statement in tree.body:
        groups.setdefault(bisect.bisect_right(starts, statement.lineno), []).append(statement)
    lines = source.splitlines()
    codes = []
    for _, statements in sorted(groups.items()):
        last = statements[-1]
        after = lines[last.end_lineno - 1][last.end_col_offset:] if last.end_lineno else ""
        shown = isinstance(last, ast.Expr) and not after.lstrip().startswith(";")
        body = statements[:-1] if shown else statements
        if body:
            codes.append(compile(ast.Module(body=body, type_ignores=[]), filename, "exec"))
        if shown:  # 'single' mode prints a non-None value through sys.displayhook, as IPython does
            codes.append(compile(ast.Interactive(body=[last]), filename, "single"))
    return codes


def run_as_main(source: str, filename: str, cells: bool = False) -> int:
    """Execute source as `__main__`; print a traceback without this runner's frames on failure."""
    pin_source(source, filename)
    module = types.ModuleType("__main__")
    module.__file__ = filename
    module.__builtins__ = builtins
    sys.modules["__main__"] = module
    sys.argv = [filename]
    try:
        codes = compile_cells(source, filename) if cells else [compile(source, filename, "exec")]
        for code in codes:
            exec(code, module.__dict__)
    except SystemExit:
        raise
    except BaseException as error:  # the program's own failure, shown as python would
        tb = error.__traceback__
        while tb is not None and tb.tb_frame.f_code.co_filename == __file__:
            tb = tb.tb_next
        traceback.print_exception(type(error), error, tb)
        return 1
    return 0


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tfmigrate._runner", description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=MODES, required=True)
    parser.add_argument("--deterministic", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--filename", help="name of the program read from stdin")
    parser.add_argument("--cells", action="store_true", help="the program is a notebook's code cells")
    parser.add_argument("path", help="the program, or - for stdin")
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    set_environment(args.mode)
    filename = args.filename or ("<stdin>" if args.path == "-" else args.path)
    source = read_program(args.path)
    enter_folder(filename)
    try:
        prepare_tensorflow(args.mode, args.deterministic, args.seed)
    except SetupError as error:
        print(f"tfmigrate: {error}", file=sys.stderr)
        return EXIT_SETUP
    return run_as_main(source, filename, args.cells)


if __name__ == "__main__":
    sys.exit(main())
