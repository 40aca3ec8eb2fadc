"""Run one program for ``tfmigrate verify``, in a child process.

    python -m tfmigrate._runner --mode {tf1,tf2,keras2} [--deterministic]
                                [--seed N] [--filename NAME] PATH

PATH is the program (``-`` reads it from stdin; ``--filename`` then names it
for tracebacks and ``__file__``). The program runs as ``__main__`` with
``sys.argv == [PATH]``, its folder first on ``sys.path`` and as the working
directory, so relative data paths work as they do from a shell.

Modes:

- ``tf1``: TensorFlow 1 semantics on a TensorFlow 2 install.
  ``import tensorflow`` yields ``tensorflow.compat.v1`` with v2 behaviour
  disabled; ``import tensorflow.compat.v1 as tf`` keeps working. When
  ``tf-keras`` is installed, ``tf.keras`` and ``tf.layers`` are Keras 2, as
  in TensorFlow 1.
- ``tf2``: TensorFlow 2 as installed (Keras 3 since TF 2.16).
- ``keras2``: TensorFlow 2 with ``TF_USE_LEGACY_KERAS=1``, so ``tf.keras`` is
  Keras 2 (the ``tf-keras`` package), as TF 2.0-2.15 had it.

``--deterministic`` replaces TensorFlow's random ops (``tf.random.normal``,
``uniform``, ``truncated_normal`` and their TF1 names) and the random
initializers of TensorFlow, Keras 3 and Keras 2 (normal, uniform, truncated
normal, variance scaling with Glorot/He/LeCun, orthogonal) with constants
drawn from a NumPy generator seeded by ``(seed, n)``, where ``n`` counts the
random calls of the run. A TF1 graph program and its eager rewrite that make
the same random calls in the same order, with the same shapes, get the same
values. Python's ``random`` and ``numpy.random`` are seeded with the seed;
``tf.set_random_seed`` and ``tf.random.set_seed`` do nothing. A random op
called again and again (dropout in a training step) gets a new op per call
in TF1 graphs but one fixed value per trace in a ``tf.function``: such
programs do not compare.

A program that fails exits non-zero with its traceback on stderr, as
``python PATH`` would.
"""
from __future__ import annotations

import argparse
import builtins
import functools
import itertools
import linecache
import math
import os
import sys
import tokenize
import traceback
import types
from typing import List, Optional, Sequence

MODES = ("tf1", "tf2", "keras2")
INSTALL_HINT = "pip install 'tfmigrate[verify]'"
EXIT_SETUP = 2  # the runner could not set up the mode (a missing package)

# How a random initializer class draws its values, by the class name that
# TensorFlow, Keras 3 and Keras 2 share.
INITIALIZER_KINDS = {
    "RandomNormal": "normal",
    "RandomUniform": "uniform",
    "TruncatedNormal": "truncated_normal",
    "VarianceScaling": "variance_scaling",
    "Orthogonal": "orthogonal",
}
# The attributes, shared by the three libraries, that parametrise each kind.
INITIALIZER_PARAMETERS = {
    "normal": ("mean", "stddev"),
    "uniform": ("minval", "maxval"),
    "truncated_normal": ("mean", "stddev"),
    "variance_scaling": ("scale", "mode", "distribution", "input_axes", "output_axes"),
    "orthogonal": ("gain",),
}
# (public name, kind) of the random ops in a top-level and a `random` module.
TOP_LEVEL_OPS = (("random_normal", "normal"), ("random_uniform", "uniform"),
                 ("truncated_normal", "truncated_normal"))
RANDOM_MODULE_OPS = (("normal", "normal"), ("uniform", "uniform"),
                     ("truncated_normal", "truncated_normal"))
SEED_SETTERS = ("set_random_seed", "set_seed")
TRUNCATED_STDDEV = 0.87962566103423978  # stddev of a unit normal cut at +-2


class SetupError(Exception):
    """The mode cannot be set up on this install: the message says what to install."""


# ----------------------------------------------------------------------------
# Deterministic values: NumPy only, so they can be checked without TensorFlow.

class RandomSource:
    """Hands out one NumPy generator per random call, seeded by (seed, call number)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed % 2**63  # SeedSequence wants a non-negative integer
        self._calls = itertools.count()

    def generator(self):
        import numpy as np

        return np.random.default_rng([self.seed, next(self._calls)])


def draw_normal(rng, shape, mean=0.0, stddev=1.0):
    return mean + stddev * rng.standard_normal(shape)


def draw_uniform(rng, shape, minval=0.0, maxval=1.0, integer=False):
    if integer:
        return rng.integers(minval, maxval, size=shape)
    return rng.uniform(minval, maxval, size=shape)


def draw_truncated_normal(rng, shape, mean=0.0, stddev=1.0):
    """Normal values redrawn until each lies within two standard deviations, as TensorFlow does."""
    values = rng.standard_normal(shape)
    outside = abs(values) > 2.0
    while outside.any():
        values[outside] = rng.standard_normal(int(outside.sum()))
        outside = abs(values) > 2.0
    return mean + stddev * values


def compute_fans(shape, input_axes=None, output_axes=None):
    """(fan_in, fan_out) of a weight shape, by the rule TensorFlow and Keras share."""
    if input_axes is not None and output_axes is not None:
        return math.prod(shape[a] for a in input_axes), math.prod(shape[a] for a in output_axes)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def draw_variance_scaling(rng, shape, scale=1.0, mode="fan_in", distribution="truncated_normal",
                          input_axes=None, output_axes=None):
    """Glorot, He and LeCun initial values: scale divided by the fan chosen by mode."""
    fan_in, fan_out = compute_fans(shape, input_axes, output_axes)
    fan = {"fan_in": fan_in, "fan_out": fan_out}.get(mode, (fan_in + fan_out) / 2.0)
    scale = scale / max(1.0, fan)
    if distribution in ("truncated_normal", "normal"):  # "normal" is TF1's old name for truncated
        return draw_truncated_normal(rng, shape, 0.0, math.sqrt(scale) / TRUNCATED_STDDEV)
    if distribution == "untruncated_normal":
        return draw_normal(rng, shape, 0.0, math.sqrt(scale))
    limit = math.sqrt(3.0 * scale)
    return draw_uniform(rng, shape, -limit, limit)


def draw_orthogonal(rng, shape, gain=1.0):
    """An orthogonal matrix (QR of a normal draw), reshaped to shape and scaled by gain."""
    import numpy as np

    if len(shape) < 2:
        raise ValueError(f"an orthogonal initializer needs at least 2 dimensions, got shape {list(shape)}")
    rows, cols = math.prod(shape[:-1]), shape[-1]
    q, r = np.linalg.qr(rng.standard_normal((max(rows, cols), min(rows, cols))))
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return gain * q.reshape(shape)


DRAWS = {
    "normal": draw_normal,
    "uniform": draw_uniform,
    "truncated_normal": draw_truncated_normal,
    "variance_scaling": draw_variance_scaling,
    "orthogonal": draw_orthogonal,
}


# ----------------------------------------------------------------------------
# Patching TensorFlow so its random ops and initializers use those values.

class Deterministic:
    """Replaces TensorFlow's random ops and initializers with seeded constants."""

    def __init__(self, tf, seed: int) -> None:
        self.tf = tf  # the real TensorFlow 2 API module
        self.source = RandomSource(seed)

    def constant(self, kind: str, shape, dtype, **params):
        """The next seeded draw of `kind`, as a constant tensor of shape and dtype."""
        tf = self.tf
        dtype = tf.as_dtype(dtype or tf.float32)
        shape = self.static_shape(shape)
        params = {key: self.static_value(value, key) for key, value in params.items()}
        if kind == "uniform" and dtype.is_integer:
            params["integer"] = True
        values = DRAWS[kind](self.source.generator(), tuple(shape), **params)
        return tf.constant(values.astype(dtype.as_numpy_dtype), dtype=dtype)

    def static_shape(self, shape) -> List[int]:
        tf = self.tf
        if tf.is_tensor(shape):
            shape = tf.get_static_value(shape)
        elif isinstance(shape, tf.TensorShape):
            shape = shape.as_list()
        if shape is None:
            raise ValueError("--deterministic needs the shape of every random op to be known before it runs")
        if not hasattr(shape, "__iter__"):  # a scalar count: a vector of that length
            shape = [shape]
        dims = [self.static_value(dim, "shape") for dim in shape]
        if any(dim is None for dim in dims):
            raise ValueError(f"--deterministic needs a fully known shape, got {dims}")
        return [int(dim) for dim in dims]

    def static_value(self, value, what: str):
        tf = self.tf
        if value is not None and tf.is_tensor(value):
            value = tf.get_static_value(value)
            if value is None:
                raise ValueError(f"--deterministic needs {what} to be known before the random op runs")
        if value is not None and hasattr(value, "item"):  # NumPy scalars and 0-d arrays
            value = value.item()
        return value

    def random_op(self, kind: str, original):
        """A replacement for tf.random.normal / uniform / truncated_normal with their signatures."""
        tf = self.tf
        if kind == "uniform":
            @functools.wraps(original)
            def op(shape, minval=0, maxval=None, dtype=tf.float32, seed=None, name=None):
                dtype = tf.as_dtype(dtype)
                if maxval is None:
                    if dtype.is_integer:
                        raise ValueError("Must specify maxval for integer dtype %r" % dtype)
                    maxval = 1
                return self.constant("uniform", shape, dtype, minval=minval, maxval=maxval)
        else:
            @functools.wraps(original)
            def op(shape, mean=0.0, stddev=1.0, dtype=tf.float32, seed=None, name=None):
                return self.constant(kind, shape, dtype, mean=mean, stddev=stddev)
        return op

    def initializer_call(self, kind: str):
        """A replacement `__call__` for initializer classes of `kind`."""
        names = INITIALIZER_PARAMETERS[kind]
        constant = self.constant

        def __call__(initializer, shape, dtype=None, *args, **kwargs):
            params = {name: getattr(initializer, name) for name in names
                      if getattr(initializer, name, None) is not None}
            return constant(kind, shape, dtype or getattr(initializer, "dtype", None), **params)

        return __call__

    def patch_modules(self, modules: Sequence[types.ModuleType]) -> None:
        """Replace random ops and seed setters in the given TensorFlow API modules."""
        for module in modules:
            is_random = module.__name__.endswith(".random")
            for name, kind in RANDOM_MODULE_OPS if is_random else TOP_LEVEL_OPS:
                original = getattr(module, name, None)
                if original is not None:
                    setattr(module, name, self.random_op(kind, original))
            for name in SEED_SETTERS:
                if getattr(module, name, None) is not None:
                    setattr(module, name, ignore_seed)

    def patch_initializers(self, module: types.ModuleType) -> None:
        """Replace `__call__` of the random initializer classes a module defines, and their overrides."""
        for class_name, kind in INITIALIZER_KINDS.items():
            cls = getattr(module, class_name, None)
            if isinstance(cls, type):
                for target in [cls, *all_subclasses(cls)]:
                    if target is cls or "__call__" in vars(target):
                        target.__call__ = self.initializer_call(kind)


def ignore_seed(*args, **kwargs) -> None:
    """Graph and op seeds have no effect: the values come from the runner's seed."""


def all_subclasses(cls: type) -> List[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(all_subclasses(sub))
    return found


API_MODULE_NAMES = ("tensorflow.compat.v1", "tensorflow.compat.v1.random", "tensorflow.compat.v2",
                    "tensorflow.compat.v2.random")


def api_modules(tf) -> List[types.ModuleType]:
    """The public modules that hold random ops under one name or another, each once.

    `import tensorflow.compat.v1` makes new module wrappers, so those imports
    happen first and every wrapper found afterwards is patched.
    """
    import importlib

    for name in API_MODULE_NAMES:
        try:
            importlib.import_module(name)
        except ImportError:  # not every release has every alias
            continue
    candidates = [tf, tf.random]
    for name, module in list(sys.modules.items()):
        if module is not None and (name.startswith(("tensorflow.compat.", "tensorflow._api.v2."))
                                   and name.rsplit(".", 1)[-1] in ("v1", "v2", "random")):
            candidates.append(module)
    for module in list(candidates):
        candidates += [getattr(module, "random", None), getattr(getattr(module, "compat", None), "v1", None)]
    unique = {}
    for module in candidates:
        if isinstance(module, types.ModuleType):
            unique.setdefault(id(module), module)
    return list(unique.values())


def make_deterministic(tf, seed: int) -> None:
    """Make TensorFlow's random values a function of the seed."""
    import importlib

    patcher = Deterministic(tf, seed)
    patcher.patch_modules(api_modules(tf))
    initializer_modules = ["tensorflow.python.ops.init_ops", "tensorflow.python.ops.init_ops_v2",
                           "keras.src.initializers.random_initializers"]
    if os.environ.get("TF_USE_LEGACY_KERAS") == "1":
        initializer_modules.append("tf_keras.src.initializers.initializers")
    modules = []
    for name in initializer_modules:
        try:
            modules.append(importlib.import_module(name))
        except ImportError:  # that Keras is not installed: nothing of it to patch
            continue
    for module in modules:  # after every import, so subclasses defined anywhere are found
        patcher.patch_initializers(module)
    isolate_keras_seeds(seed)


def isolate_keras_seeds(seed: int) -> None:
    """Give Keras its own Python generator for the default seeds it draws.

    Keras 3 and Keras 2 draw a seed from Python's global `random` whenever a
    random initializer is made without one; TF1 graph code never does, so
    the program's own `random` calls would see different states.
    """
    import random

    for name, attribute in (("keras.src.random.seed_generator", "python_random"),
                            ("tf_keras.src.backend", "random")):
        module = sys.modules.get(name)
        if module is not None and getattr(module, attribute, None) is random:
            setattr(module, attribute, random.Random(seed))


# ----------------------------------------------------------------------------
# Setting up the mode and running the program.

def set_environment(mode: str) -> None:
    """Environment TensorFlow reads when it is imported."""
    import importlib.util

    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    # TF1's tf.keras and tf.layers were Keras 2: tf1 mode uses it when installed.
    if mode == "keras2" or (mode == "tf1" and importlib.util.find_spec("tf_keras") is not None):
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
        require("tf_keras", f"keras2 mode needs the tf-keras package: pip install tf-keras (or {INSTALL_HINT})")
    if mode == "tf1" or deterministic:
        require("tensorflow", f"verify needs TensorFlow: {INSTALL_HINT}")
    else:
        return  # plain TF2: the program imports TensorFlow itself
    import tensorflow as tf

    if deterministic:
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


def run_as_main(source: str, filename: str) -> int:
    """Execute source as `__main__`; print a traceback without this runner's frames on failure."""
    pin_source(source, filename)
    module = types.ModuleType("__main__")
    module.__file__ = filename
    module.__builtins__ = builtins
    sys.modules["__main__"] = module
    sys.argv = [filename]
    try:
        exec(compile(source, filename, "exec"), module.__dict__)
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
    return run_as_main(source, filename)


if __name__ == "__main__":
    sys.exit(main())
