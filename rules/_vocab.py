"""The TensorFlow 1 vocabulary: which TF1 names mean what, and their TF2 counterparts.

Every module that recognises TF1 constructs (the graph rules, the graph-to-eager
rewrite, the compat fallback, the renames) reads its tables from here. Names are
TF-relative: ``train.AdamOptimizer`` is ``tf.train.AdamOptimizer``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Tuple

PLACEHOLDERS = {"placeholder", "placeholder_with_default"}
SESSIONS = {"Session", "InteractiveSession"}
TEST_SESSIONS = frozenset({"test_session", "cached_session", "session"})  # tf.test.TestCase methods
INITIALIZERS = {
    "global_variables_initializer",
    "initialize_all_variables",
    "variables_initializer",
    "local_variables_initializer",
    "initialize_local_variables",
}
VARIABLES = {"Variable"}
TF1_RMSPROP = ("TF1's starts its mean square at ones, Keras's at zeros: the rewrite writes a TF1RMSprop class, "
               "Keras's RMSprop starting it at ones")
# Calls that only switch TF1 behaviour on or off: nothing to do in TF2.
NOOPS = {"disable_v2_behavior", "disable_eager_execution", "reset_default_graph", "enable_resource_variables"}


def is_noop(name) -> bool:
    """A call of a switch to what TensorFlow 2 always does (or graph state eager code has none of), spelled
    on TensorFlow or on ``tf.compat.v1``: nothing to run in TensorFlow 2 code."""
    return name is not None and (name in NOOPS or name.startswith("compat.v1.") and name[len("compat.v1."):] in NOOPS)


@dataclass(frozen=True)
class Optimizer:
    """A tf.train optimizer and the Keras optimizer that computes the same."""

    keras: str
    params: Tuple[str, ...]  # TF1 parameters in positional order
    renames: Dict[str, str] = field(default_factory=dict)
    defaults: Dict[str, str] = field(default_factory=dict)  # TF1 defaults Keras does not share
    dropped: Tuple[str, ...] = ("use_locking",)


OPTIMIZERS: Dict[str, Optimizer] = {
    "train.GradientDescentOptimizer": Optimizer("SGD", ("learning_rate", "use_locking", "name")),
    "train.MomentumOptimizer": Optimizer(
        "SGD", ("learning_rate", "momentum", "use_locking", "name", "use_nesterov"), {"use_nesterov": "nesterov"}
    ),
    "train.AdamOptimizer": Optimizer(
        "Adam",
        ("learning_rate", "beta1", "beta2", "epsilon", "use_locking", "name"),
        {"beta1": "beta_1", "beta2": "beta_2"},
        {"epsilon": "1e-08"},
    ),
    "train.AdagradOptimizer": Optimizer(
        "Adagrad",
        ("learning_rate", "initial_accumulator_value", "use_locking", "name"),
        defaults={"epsilon": "0.0"},
    ),
    "train.AdadeltaOptimizer": Optimizer(
        "Adadelta", ("learning_rate", "rho", "epsilon", "use_locking", "name"), defaults={"epsilon": "1e-08"}
    ),
    "train.RMSPropOptimizer": Optimizer(  # (the rewrites write TF1RMSprop: TF1_RMSPROP above)
        "RMSprop",
        ("learning_rate", "decay", "momentum", "epsilon", "use_locking", "centered", "name"),
        {"decay": "rho"},
        {"epsilon": "1e-10"},
    ),
    "train.FtrlOptimizer": Optimizer(
        "Ftrl",
        (
            "learning_rate",
            "learning_rate_power",
            "initial_accumulator_value",
            "l1_regularization_strength",
            "l2_regularization_strength",
            "use_locking",
            "name",
            "accum_name",
            "linear_name",
            "l2_shrinkage_regularization_strength",
            "beta",
        ),
        dropped=("use_locking", "accum_name", "linear_name"),
    ),
}


@dataclass(frozen=True)
class Layer:
    """A tf.layers function and the Keras layer class that does the same."""

    keras: str
    params: Tuple[str, ...]  # positional parameters after `inputs` (TF1's names)
    call_keywords: Tuple[str, ...] = ()  # passed when the layer is called, not built
    dropped: Tuple[str, ...] = ("reuse",)
    renames: Tuple[Tuple[str, str], ...] = ()  # TF1 keyword -> the Keras one
    defaults: Tuple[Tuple[str, str], ...] = ()  # Keras keyword -> TF1's default where Keras's differs ({tf}: alias)
    if_none: Tuple[Tuple[str, str], ...] = ()  # TF1 keyword given None -> the Keras `keyword=value` that does it
    only_none: Tuple[str, ...] = ()  # TF1 keywords the Keras layer has no counterpart for, unless None
    name_keyword: str = "name"


# The attribute of a layer TF1 named by default (conv2d, conv2d_1): its kind without the dimension
# (conv, conv2), as people name a model's layers; other kinds by their lower-case class name.
LAYER_ATTRIBUTES = {"Conv1D": "conv", "Conv2D": "conv", "MaxPooling1D": "pool", "MaxPooling2D": "pool",
                    "AveragePooling2D": "pool", "BatchNormalization": "batch_norm",
                    "Conv2DTranspose": "deconv"}

LAYERS: Dict[str, Layer] = {
    "layers.dense": Layer("Dense", ("units", "activation", "use_bias", "kernel_initializer", "bias_initializer")),
    "layers.conv1d": Layer("Conv1D", ("filters", "kernel_size", "strides", "padding")),
    "layers.conv2d": Layer("Conv2D", ("filters", "kernel_size", "strides", "padding")),
    # Keras 3's Conv2DTranspose takes output_padding after padding: TF1's later positionals by keyword
    "layers.conv2d_transpose": Layer("Conv2DTranspose", ("filters", "kernel_size", "strides", "padding")),
    "layers.max_pooling1d": Layer("MaxPooling1D", ("pool_size", "strides", "padding")),
    "layers.max_pooling2d": Layer("MaxPooling2D", ("pool_size", "strides", "padding")),
    "layers.average_pooling2d": Layer("AveragePooling2D", ("pool_size", "strides", "padding")),
    "layers.flatten": Layer("Flatten", ()),
    "contrib.layers.flatten": Layer("Flatten", (), dropped=("outputs_collections",), only_none=(),
                                    renames=(("scope", "name"),), name_keyword="scope"),
    "layers.dropout": Layer("Dropout", ("rate", "noise_shape", "seed"), ("training",)),
    # contrib's fully_connected: a Dense layer with relu by default; its xavier (Glorot uniform) weights
    # and zero biases are Dense's defaults too.
    "contrib.layers.fully_connected": Layer(
        "Dense", ("num_outputs", "activation_fn", "normalizer_fn", "normalizer_params", "weights_initializer",
                  "weights_regularizer", "biases_initializer", "biases_regularizer", "reuse",
                  "variables_collections", "outputs_collections", "trainable", "scope"),
        renames=(("num_outputs", "units"), ("activation_fn", "activation"),
                 ("weights_initializer", "kernel_initializer"), ("biases_initializer", "bias_initializer"),
                 ("scope", "name")),
        defaults=(("activation", "{tf}.nn.relu"),),
        if_none=(("biases_initializer", "use_bias=False"),),
        only_none=("normalizer_fn", "normalizer_params", "weights_regularizer", "biases_regularizer",
                   "variables_collections", "outputs_collections"),
        name_keyword="scope"),
}

# tf.layers.batch_normalization: Keras 2's BatchNormalization in TF1, with Keras's defaults (momentum 0.99,
# epsilon 0.001); `training` is given at each call. Keras 3 has no fused kernel switch (dropped: it picked
# a kernel; for 4-D inputs TF1's fused one averaged the batch variance with Bessel's correction into the
# moving variance, a difference of 1/n for n values per channel), renormalization or virtual batches
# (unless None). Not in LAYERS: only the rewrites that handle UPDATE_OPS (an Estimator's model_fn, the
# graph-to-eager rewrite's program, batch_norm.py) read it.
BATCH_NORMALIZATION = Layer(
    "BatchNormalization",
    ("axis", "momentum", "epsilon", "center", "scale", "beta_initializer", "gamma_initializer",
     "moving_mean_initializer", "moving_variance_initializer", "beta_regularizer", "gamma_regularizer",
     "beta_constraint", "gamma_constraint", "training", "trainable", "name", "reuse", "renorm", "renorm_clipping",
     "renorm_momentum", "fused", "virtual_batch_size", "adjustment"),
    ("training",), dropped=("reuse", "fused"),
    only_none=("renorm", "renorm_clipping", "renorm_momentum", "virtual_batch_size", "adjustment"))

# TensorFlow functions returning several tensors (a tuple, a named tuple or a list): a run fetched each
# one's value, in the same structure.
MULTI_OUTPUT = frozenset((
    "nn.top_k", "math.top_k", "unique", "unique_with_counts", "split", "unstack", "meshgrid", "nn.moments",
    "nn.sufficient_statistics", "nn.normalize_moments", "nn.weighted_moments", "self_adjoint_eig", "linalg.eigh",
    "svd", "linalg.svd", "qr", "linalg.qr", "setdiff1d", "nn.fractional_max_pool", "nn.max_pool_with_argmax"))

# Initializers whose TF2 spelling is a Keras initializer class.
INITIALIZERS_V2 = {
    "contrib.layers.xavier_initializer": "keras.initializers.GlorotUniform",
    "glorot_uniform_initializer": "keras.initializers.GlorotUniform",
    "glorot_normal_initializer": "keras.initializers.GlorotNormal",
    "truncated_normal_initializer": "keras.initializers.TruncatedNormal",
    "random_normal_initializer": "keras.initializers.RandomNormal",
    "random_uniform_initializer": "keras.initializers.RandomUniform",
}


# tf.train learning-rate decays: (Keras schedule, TF1 parameters in order, the step parameter).
DECAYS: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    "train.exponential_decay": ("ExponentialDecay", (
        "initial_learning_rate", "global_step", "decay_steps", "decay_rate", "staircase", "name")),
    "train.inverse_time_decay": ("InverseTimeDecay", (
        "initial_learning_rate", "global_step", "decay_steps", "decay_rate", "staircase", "name")),
    "train.polynomial_decay": ("PolynomialDecay", (
        "initial_learning_rate", "global_step", "decay_steps", "end_learning_rate", "power", "cycle", "name")),
    "train.cosine_decay": ("CosineDecay", (
        "initial_learning_rate", "global_step", "decay_steps", "alpha", "name")),
    "train.piecewise_constant": ("PiecewiseConstantDecay", ("global_step", "boundaries", "values", "name")),
}
DECAY_KEYWORDS = {"learning_rate": "initial_learning_rate", "x": "global_step"}


# TF1 RNN cells (``_eager/rnn_cells.py``): their kind and their parameters in positional order.
RNN_CELLS: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    "BasicRNNCell": ("rnn", ("num_units", "activation", "reuse", "name", "dtype")),
    "BasicLSTMCell": ("lstm", ("num_units", "forget_bias", "state_is_tuple", "activation", "reuse", "name",
                               "dtype")),
    "LSTMCell": ("lstm", ("num_units", "use_peepholes", "cell_clip", "initializer", "num_proj", "proj_clip",
                          "num_unit_shards", "num_proj_shards", "forget_bias", "state_is_tuple", "activation",
                          "reuse", "name", "dtype")),
    "GRUCell": ("gru", ("num_units", "activation", "reuse", "kernel_initializer", "bias_initializer", "name",
                        "dtype")),
}
RNN_CELL_MODULES = ("nn.rnn_cell.", "contrib.rnn.")
# TF1 RNN functions and what they return: (outputs, state), (outputs list, state), ...
RNN_FUNCTIONS = {
    "nn.dynamic_rnn": "dynamic", "nn.static_rnn": "static", "contrib.rnn.static_rnn": "static",
    "nn.bidirectional_dynamic_rnn": "bidirectional", "nn.static_bidirectional_rnn": "static_bidirectional",
    "contrib.rnn.static_bidirectional_rnn": "static_bidirectional",
}


RNN_CELL_CLASSES = (*RNN_CELLS, "MultiRNNCell", "DropoutWrapper", "LSTMStateTuple")


def rnn_cell_name(name) -> str:
    """``BasicLSTMCell`` for ``nn.rnn_cell.BasicLSTMCell`` or ``contrib.rnn.BasicLSTMCell`` (a cell, a
    wrapper or LSTMStateTuple), else ""."""
    if name is None:
        return ""
    for module in RNN_CELL_MODULES:
        if name.startswith(module) and name[len(module):] in RNN_CELL_CLASSES:
            return name[len(module):]
    return ""


# TF1 names the rewrite replaces with TF2 code of its own.
HANDLED = (PLACEHOLDERS | SESSIONS | INITIALIZERS | {
    "get_variable", "assign", "assign_add", "assign_sub", "train.Saver", "gradients", "summary.merge_all",
    "summary.merge", "summary.FileWriter", "Graph", "reset_default_graph", "disable_v2_behavior", "disable_eager_execution",
    "to_float", "to_double", "to_int32", "to_int64", "contrib.layers.xavier_initializer",
    "glorot_uniform_initializer", "glorot_normal_initializer", "truncated_normal_initializer",
    "random_normal_initializer", "random_uniform_initializer", "enable_resource_variables", "div",
    "contrib.layers.flatten", "train.checkpoint_exists", "train.global_step",
    "data.make_one_shot_iterator", "data.make_initializable_iterator", "data.Iterator.from_structure",
    "data.Iterator.from_string_handle", "data.get_output_types", "data.get_output_shapes",
    "get_collection", "trainable_variables", "global_variables", "GraphKeys.TRAINABLE_VARIABLES",
    "GraphKeys.GLOBAL_VARIABLES", "Print",
} | set(RNN_FUNCTIONS) | {module + name for module in RNN_CELL_MODULES for name in RNN_CELL_CLASSES})
RANDOM_OPS = {
    "random_normal", "random_uniform", "truncated_normal", "random_shuffle", "multinomial", "random_gamma",
    "random.normal", "random.uniform", "random.truncated_normal", "random.shuffle", "random.categorical",
    "random.gamma", "random.poisson",
}
SEED_SETTERS = {"set_random_seed", "random.set_random_seed", "random.set_seed", "compat.v1.set_random_seed"}
SUMMARIES = {"summary.scalar", "summary.histogram", "summary.image", "summary.text", "summary.audio"}


INITIALIZER_PARAMS = {
    "truncated_normal_initializer": ("mean", "stddev", "seed"),
    "random_normal_initializer": ("mean", "stddev", "seed"),
    "random_uniform_initializer": ("minval", "maxval", "seed"),
}
INITIALIZER_DEFAULTS = {
    "truncated_normal_initializer": {"stddev": "1.0"},
    "random_normal_initializer": {"stddev": "1.0"},
    "random_uniform_initializer": {"minval": "0.0", "maxval": "1.0"},
}


# TF1's cast shorthands and the dtype each casts to.
CASTS = {"to_float": "float32", "to_double": "float64", "to_int32": "int32", "to_int64": "int64",
         "to_bfloat16": "bfloat16", "to_complex64": "complex64", "to_complex128": "complex128"}
ASSIGNS = ("assign", "assign_add", "assign_sub")  # a variable's update methods (and TF1's functions)
RUNS = ("run", "eval")  # methods that run a graph: session.run, tensor.eval, op.run
VARIABLE_LISTS = ("global_variables", "all_variables", "trainable_variables")
# TF1-only names that the graph rules report themselves (TFM001-TFM004).
GRAPH_ONLY = PLACEHOLDERS | SESSIONS | INITIALIZERS
# Calls that make graph state: a graph object, a variable, an optimizer, a layer (not code that only computes).
STATE_MAKERS = PLACEHOLDERS | SESSIONS | VARIABLES | set(OPTIMIZERS) | {"get_variable", *LAYERS}
QUEUE_NAMES = {
    "train.start_queue_runners", "train.Coordinator", "train.QueueRunner", "train.batch", "train.shuffle_batch",
    "train.string_input_producer", "train.slice_input_producer", "train.input_producer",
}


# tf.data iterators that sessions run (the method forms on a dataset, and the functions).
ITERATOR_METHODS = ("make_one_shot_iterator", "make_initializable_iterator", "get_next")
ITERATORS = {"data.make_one_shot_iterator", "data.make_initializable_iterator", "data.Iterator.from_structure",
             "data.Iterator.from_string_handle"}
# Datasets: made by these (and every `data.Dataset.*` constructor), and by these methods of a dataset.
DATASET_MAKERS = ("data.TFRecordDataset", "data.TextLineDataset", "data.FixedLengthRecordDataset")
DATASET_CHAINED = frozenset({
    "apply", "batch", "bucket_by_sequence_length", "cache", "concatenate", "enumerate", "filter", "flat_map",
    "group_by_window", "ignore_errors", "interleave", "map", "padded_batch", "prefetch", "ragged_batch",
    "rebatch", "repeat", "shard", "shuffle", "skip", "take", "take_while", "unbatch", "unique", "window",
    "with_options", "zip", "map_with_legacy_function", "filter_with_legacy_function", "cardinality_assert",
})


def is_tf1_optimizer(name) -> bool:
    """``train.AdamOptimizer`` and every other ``tf.train`` optimizer (mapped or not)."""
    return name is not None and name.startswith("train.") and name.endswith("Optimizer")


def is_queue(name: str) -> bool:
    """A queue, or a queue-runner input pipeline function."""
    return name.endswith("Queue") or name.startswith("queue.") or name in QUEUE_NAMES


# tf.estimator (TF-relative; ``compat.v1.estimator.X`` is read as ``estimator.X``).
ESTIMATOR = "estimator.Estimator"
FROM_KERAS = "keras.estimator.model_to_estimator"  # an Estimator over a compiled Keras model
CANNED_ESTIMATORS = {
    "estimator.LinearRegressor", "estimator.LinearClassifier", "estimator.DNNRegressor",
    "estimator.DNNClassifier", "estimator.DNNLinearCombinedRegressor", "estimator.DNNLinearCombinedClassifier",
    "estimator.BaselineRegressor", "estimator.BaselineClassifier",
}
# Estimators the rewrite names but does not map, with what stands in the way.
UNMAPPED_ESTIMATORS = {
    "estimator.BoostedTreesRegressor": "gradient-boosted trees have no Keras 3 layer (TensorFlow Decision Forests "
                                       "trains them)",
    "estimator.BoostedTreesClassifier": "gradient-boosted trees have no Keras 3 layer (TensorFlow Decision Forests "
                                        "trains them)",
}
NUMPY_INPUT = {"estimator.inputs.numpy_input_fn", "compat.v1.estimator.inputs.numpy_input_fn",
               "estimator.inputs.pandas_input_fn", "compat.v1.estimator.inputs.pandas_input_fn"}
MODE_KEYS = {"TRAIN": "train", "EVAL": "eval", "PREDICT": "infer"}  # tf.estimator.ModeKeys: their values
# Every TF1 mode constant (TF-relative) -> the string it is; tf.contrib.learn's INFER is tf.estimator's PREDICT.
MODE_CONSTANTS = {**{f"estimator.ModeKeys.{key}": value for key, value in MODE_KEYS.items()},
                  "contrib.learn.ModeKeys.TRAIN": "train", "contrib.learn.ModeKeys.EVAL": "eval",
                  "contrib.learn.ModeKeys.INFER": "infer"}


def estimator_relative(name):
    """``compat.v1.estimator.X`` and ``estimator.X`` are one name."""
    if name is not None and name.startswith("compat.v1."):
        return name[len("compat.v1."):]
    return name

# tf.metrics.X(labels, predictions) -> (value, update_op); a Keras metric updated with the same values.
METRICS: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    "metrics.accuracy": ("Accuracy", ("labels", "predictions")),
    "metrics.mean_squared_error": ("MeanSquaredError", ("labels", "predictions")),
    "metrics.root_mean_squared_error": ("RootMeanSquaredError", ("labels", "predictions")),
    "metrics.mean_absolute_error": ("MeanAbsoluteError", ("labels", "predictions")),
    "metrics.precision": ("Precision", ("labels", "predictions")),
    "metrics.recall": ("Recall", ("labels", "predictions")),
    "metrics.auc": ("AUC", ("labels", "predictions")),
    "metrics.mean": ("Mean", ("values",)),
}
# What a Keras metric is made with to count as TF1's did: tf.metrics.precision and recall cast their
# predictions to bool (every nonzero one is positive); Keras's count those above a threshold, 0.5 unless given.
METRIC_SETTINGS: Dict[str, str] = {"metrics.precision": "thresholds=0.0", "metrics.recall": "thresholds=0.0"}
# Keras's MeanSquaredError and MeanAbsoluteError average each example's mean over its last axis: for 1-D
# values a batch is one example, and an uneven last batch counts as much as a full one. TF1 averaged every
# element: each is an example of its own (its values reshaped to [-1, 1]).
METRICS_OF_ELEMENTS = frozenset({"metrics.mean_squared_error", "metrics.mean_absolute_error"})
