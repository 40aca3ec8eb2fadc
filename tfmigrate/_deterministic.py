"""``tfmigrate verify --deterministic``: TensorFlow's random values made a function of a seed.

TensorFlow's random ops (``tf.random.normal``, ``uniform``,
``truncated_normal``, ``shuffle`` and their TF1 names) and the random initializers of
TensorFlow, Keras 3 and Keras 2 (normal, uniform, truncated normal, variance
scaling with Glorot/He/LeCun, orthogonal) are replaced with constants drawn
from a NumPy generator seeded by ``(seed, n)``, where ``n`` counts the random
calls of the run. Dropout's noise and the candidate samplers of nce_loss and sampled_softmax_loss
are drawn at each run of their op, per call site. Shuffled input keeps the data's order (``pin_shuffles``).
Imported by the runner in the child process only.
"""
from __future__ import annotations

import functools
import os
import sys
import types
from typing import List, Sequence

from ._draws import DRAWS, RandomSource, sample_candidates

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
                 ("truncated_normal", "truncated_normal"), ("random_shuffle", "shuffle"))
RANDOM_MODULE_OPS = (("normal", "normal"), ("uniform", "uniform"), ("truncated_normal", "truncated_normal"),
                     ("shuffle", "shuffle"))
SEED_SETTERS = ("set_random_seed", "set_seed")


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
        values = DRAWS[kind](self.source.generator(self.traced()), tuple(shape), **params)
        return tf.constant(values.astype(dtype.as_numpy_dtype), dtype=dtype)

    def traced(self):
        """In a function being traced: (its name, the number of random calls it made before this one).
        TF1 drew a random op's constant once, when it built the graph; tf.function traces a step twice
        when its first call makes variables (a Keras optimizer's), and both traces take the same draws."""
        graph = self.tf.compat.v1.get_default_graph()
        if self.tf.executing_eagerly() or type(graph).__name__ != "FuncGraph":
            return None
        made = getattr(graph, "_tfmigrate_random_calls", 0)
        graph._tfmigrate_random_calls = made + 1
        return graph.name, made

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
        """A replacement for tf.random.normal / uniform / truncated_normal / shuffle with their signatures."""
        tf = self.tf
        if kind == "shuffle":  # the first dimension in a seeded order, the same at each run (as a constant is)
            @functools.wraps(original)
            def op(value, seed=None, name=None):
                value = tf.convert_to_tensor(value)
                size = self.static_shape(value.shape[:1])[0]
                return tf.gather(value, tf.constant(self.source.generator(self.traced()).permutation(size)))
        elif kind == "uniform":
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

    def patch_dropout(self, nn_ops: types.ModuleType) -> None:
        """Dropout's uniform noise drawn from NumPy at each run of the op (each sess.run in a graph, each
        call eagerly or of a tf.function), from one generator per dropout site: the line of the program
        that calls dropout, in the order they are first met. A graph builds a site's op once and a
        rewrite may trace the line in several functions; either way every execution of the site takes
        the next draws of its generator, so both programs drop the same units at the same steps. An
        execution at rate 0 draws nothing: an evaluation fetching two tensors at keep_prob 1.0 ran the op
        once in TF1 and runs it in each of the rewrite's functions, and must not shift later draws."""
        original = getattr(nn_ops, "_dropout", None)
        if original is None:
            return
        import numpy as np

        tf, generator = self.tf, _site_generators(self.source.seed, 0x0D0)

        def _dropout(x, rate, noise_shape, uniform_sampler, dummy_rng_step, name, *args, **kwargs):
            rng = generator()

            def sampler(shape, dtype):
                numpy_dtype = tf.as_dtype(dtype).as_numpy_dtype

                def draw(size, dropped):  # a run that drops nothing (keep_prob 1.0 at evaluation) draws nothing
                    size = tuple(size)
                    return (rng.uniform(0.0, 1.0, size) if dropped > 0 else np.zeros(size)).astype(numpy_dtype)

                return tf.numpy_function(draw, [shape, tf.cast(rate, dtype)], dtype, stateful=True)

            return original(x, rate, noise_shape, sampler, dummy_rng_step, name, *args, **kwargs)

        nn_ops._dropout = _dropout

    def patch_candidate_samplers(self, sampling: types.ModuleType, modules: Sequence[types.ModuleType]) -> None:
        """The log-uniform and uniform candidate samplers (what nce_loss and sampled_softmax_loss draw their
        negative classes with) drawn from NumPy at each run of the op, one generator per call site of the
        program, as dropout's noise is (``sample_candidates``): both programs sample the same classes."""
        tf, generator = self.tf, _site_generators(self.source.seed, 0xCA5)

        def sampler(log_uniform: bool, original):
            @functools.wraps(original)
            def candidates(true_classes, num_true, num_sampled, unique, range_max, seed_=None, name=None, **kwargs):
                rng = generator()
                true_classes = tf.cast(true_classes, tf.int64)

                def draw(classes):
                    return sample_candidates(rng, classes, int(num_sampled), bool(unique), int(range_max), log_uniform)

                values, true_expected, sampled_expected = tf.numpy_function(
                    draw, [true_classes], [tf.int64, tf.float32, tf.float32], stateful=True)
                values.set_shape([num_sampled])
                sampled_expected.set_shape([num_sampled])
                true_expected.set_shape(true_classes.shape)
                return values, true_expected, sampled_expected
            return candidates

        for name, log_uniform in (("log_uniform_candidate_sampler", True), ("uniform_candidate_sampler", False)):
            original = getattr(sampling, name, None)
            if original is None:
                continue
            replacement = sampler(log_uniform, original)
            for module in [sampling, *modules]:
                for holder in (module, getattr(module, "nn", None), getattr(module, "random", None)):
                    if isinstance(holder, types.ModuleType) and getattr(holder, name, None) is original:
                        setattr(holder, name, replacement)

    def patch_keras_variables(self, variable_class: type) -> None:
        """A Keras 3 variable created while a function is traced computes its initial value twice: a
        placeholder for the trace (`value`, read before the variable exists) and the value it is
        created with (`_deferred_initialize`). Both take the same draws, as both take the same
        random values in Keras: otherwise the placeholder's draws would shift every later one."""
        source, placeholder, deferred = self.source, variable_class.value, variable_class._deferred_initialize

        def value(variable):
            if variable._value is not None or getattr(variable, "_initializer", None) is None:
                return placeholder.fget(variable)
            with source.drawn_again(getattr(variable, "_tfmigrate_draw", None)) as first:
                variable._tfmigrate_draw = first
                return placeholder.fget(variable)

        def _deferred_initialize(variable, *args, **kwargs):
            with source.drawn_again(getattr(variable, "_tfmigrate_draw", None)):
                return deferred(variable, *args, **kwargs)

        variable_class.value = property(value)
        variable_class._deferred_initialize = _deferred_initialize

    def patch_initializers(self, module: types.ModuleType) -> None:
        """Replace `__call__` of the random initializer classes a module defines, and their overrides."""
        for class_name, kind in INITIALIZER_KINDS.items():
            cls = getattr(module, class_name, None)
            if isinstance(cls, type):
                for target in [cls, *all_subclasses(cls)]:
                    if target is cls or "__call__" in vars(target):
                        target.__call__ = self.initializer_call(kind)


_LIBRARIES = (os.sep + "tensorflow" + os.sep, os.sep + "keras" + os.sep, os.sep + "tf_keras" + os.sep,
              os.sep + "tfmigrate" + os.sep, os.sep + "runpy.py", "<frozen ")


def _site_generators(seed: int, tag: int):
    """A function giving the NumPy generator of the program's line that calls the op being patched: one per
    call site, seeded by (seed, tag, the site's number in the order the sites are first met)."""
    import numpy as np

    sites, generators = {}, {}

    def generator():
        site = sites.setdefault(_program_line(), len(sites))
        if site not in generators:
            generators[site] = np.random.default_rng([seed, tag, site])
        return generators[site]

    return generator


def _program_line():
    """(file, line) of the innermost frame that is the program's, not a library's."""
    frame = sys._getframe(2)
    while frame is not None and any(part in frame.f_code.co_filename for part in _LIBRARIES):
        frame = frame.f_back
    return (frame.f_code.co_filename, frame.f_lineno) if frame is not None else None


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
    initializer_modules.append("keras.src.initializers.initializers")  # Keras 2 as TF <= 2.15 has it
    modules = []
    for name in initializer_modules:
        try:
            modules.append(importlib.import_module(name))
        except ImportError:  # that Keras is not installed: nothing of it to patch
            continue
    for module in modules:  # after every import, so subclasses defined anywhere are found
        patcher.patch_initializers(module)
    patcher.patch_dropout(importlib.import_module("tensorflow.python.ops.nn_ops"))
    patcher.patch_candidate_samplers(importlib.import_module("tensorflow.python.ops.candidate_sampling_ops"),
                                     api_modules(tf))
    try:
        keras_variables = importlib.import_module("keras.src.backend.tensorflow.core").Variable
    except (ImportError, AttributeError):  # Keras 2 creates its variables at once
        keras_variables = None
    if keras_variables is not None and hasattr(keras_variables, "_deferred_initialize"):
        patcher.patch_keras_variables(keras_variables)
    pin_shuffles()
    isolate_keras_seeds(seed)


def _in_order(dataset, buffer_size=None, seed=None, reshuffle_each_iteration=None, name=None):
    """Dataset.shuffle, pinned: the dataset in its order."""
    return dataset


def pin_shuffles() -> None:
    """Shuffled input keeps the data's order: ``Dataset.shuffle``, TF1's shuffling queues
    (``shuffle_batch``, the input producers) and the queue ``numpy_input_fn`` and ``pandas_input_fn``
    shuffle in. A TF1 queue and a tf.data buffer shuffle differently whatever their seeds, and a
    rewrite reads the data through tf.data: in the data's order, both read the same batches.
    """
    import importlib

    datasets = importlib.import_module("tensorflow.python.data.ops.dataset_ops")
    for cls in (getattr(datasets, "DatasetV2", None), getattr(datasets, "DatasetV1", None)):
        if cls is not None and "shuffle" in vars(cls):
            cls.shuffle = _in_order
    queues = importlib.import_module("tensorflow.python.training.input")
    if hasattr(queues, "_shuffle_batch") and hasattr(queues, "_batch"):
        batch, producer = queues._batch, queues.input_producer

        def shuffle_batch(tensors, batch_size, capacity, min_after_dequeue, keep_input, num_threads=1, seed=None,
                          enqueue_many=False, shapes=None, allow_smaller_final_batch=False, shared_name=None,
                          name=None):
            return batch(tensors, batch_size, keep_input, num_threads=num_threads, capacity=capacity,
                         enqueue_many=enqueue_many, shapes=shapes, allow_smaller_final_batch=allow_smaller_final_batch,
                         shared_name=shared_name, name=name)

        def input_producer(input_tensor, element_shape=None, num_epochs=None, shuffle=True, seed=None, *args,
                           **kwargs):
            return producer(input_tensor, element_shape, num_epochs, False, seed, *args, **kwargs)

        queues._shuffle_batch, queues.input_producer = shuffle_batch, input_producer
    try:  # TensorFlow <= 2.15: the estimators' input functions
        feeding = importlib.import_module("tensorflow_estimator.python.estimator.inputs.queues.feeding_functions")
    except ImportError:
        return
    enqueue = feeding._enqueue_data

    def _enqueue_data(data, capacity, shuffle=False, *args, **kwargs):
        return enqueue(data, capacity, False, *args, **kwargs)

    feeding._enqueue_data = _enqueue_data


def isolate_keras_seeds(seed: int) -> None:
    """Give Keras its own Python generator for the default seeds it draws.

    Keras 3 and Keras 2 draw a seed from Python's global `random` whenever a
    random initializer is made without one; TF1 graph code never does, so
    the program's own `random` calls would see different states.
    """
    import random

    for name, attribute in (("keras.src.random.seed_generator", "python_random"),
                            ("tf_keras.src.backend", "random"), ("keras.src.backend", "random")):
        module = sys.modules.get(name)
        if module is not None and getattr(module, attribute, None) is random:
            setattr(module, attribute, random.Random(seed))
