"""What Estimator-era names become in Keras 3 (the tables the model_fn rewrite reads)."""
from __future__ import annotations

from typing import Dict, Tuple

from .._vocab import BATCH_NORMALIZATION, LAYERS as GRAPH_LAYERS, METRICS as GRAPH_METRICS, Layer

# tf.losses.X(labels, predictions-or-logits) -> a Keras loss object (built with these arguments), called
# with the same two values. The TF1 default reduction (SUM_BY_NONZERO_WEIGHTS with weights 1) is the
# mean over every element, which is what these Keras losses compute.
LOSSES: Dict[str, Tuple[str, Tuple[str, str], str]] = {
    "losses.mean_squared_error": ("MeanSquaredError", ("labels", "predictions"), ""),
    "losses.absolute_difference": ("MeanAbsoluteError", ("labels", "predictions"), ""),
    "losses.huber_loss": ("Huber", ("labels", "predictions"), ""),
    "losses.sparse_softmax_cross_entropy": ("SparseCategoricalCrossentropy", ("labels", "logits"), "from_logits=True"),
    "losses.softmax_cross_entropy": ("CategoricalCrossentropy", ("onehot_labels", "logits"), "from_logits=True"),
    "losses.sigmoid_cross_entropy": ("BinaryCrossentropy", ("multi_class_labels", "logits"), "from_logits=True"),
    # TF1 added its epsilon (1e-7) inside the logarithms, Keras clips the probabilities to [1e-7, 1 - 1e-7]:
    # the same loss but for probabilities within 1e-7 of 0 or 1.
    "losses.log_loss": ("BinaryCrossentropy", ("labels", "predictions"), ""),
    # 0/1 labels taken as -1/1 (TF1 always; Keras when every label is 0 or 1, as TF1 required them to be).
    "losses.hinge_loss": ("Hinge", ("labels", "logits"), ""),
}
SMOOTHED = ("losses.softmax_cross_entropy", "losses.sigmoid_cross_entropy")  # their label_smoothing is Keras'


# tf.metrics.X(labels, predictions) -> a Keras metric: the graph rewrite's table (_vocab.METRICS)
METRICS = GRAPH_METRICS

INITIALIZERS: Dict[str, str] = {
    "zeros_initializer": "keras.initializers.Zeros",
    "ones_initializer": "keras.initializers.Ones",
    "constant_initializer": "keras.initializers.Constant",
    "initializers.zeros": "keras.initializers.Zeros",
    "initializers.ones": "keras.initializers.Ones",
    "initializers.constant": "keras.initializers.Constant",
    "initializers.identity": "keras.initializers.Identity",  # gain=1.0 in both
}

GLOBAL_STEPS = {"train.get_global_step", "train.get_or_create_global_step"}

# The default names TF1 gives a tf.layers layer (dense, dense_1, ...) come from its class name.
LAYER_BASES = {"BatchNormalization": "batch_normalization", "Dense": "dense", "Conv1D": "conv1d", "Conv2D": "conv2d",
               "MaxPooling1D": "max_pooling1d", "MaxPooling2D": "max_pooling2d", "AveragePooling2D": "average_pooling2d", "Flatten": "flatten",
               "Dropout": "dropout"}

# Names a model_fn method must not take: keras.Model has them.
MODEL_ATTRIBUTES = {"call", "build", "fit", "evaluate", "predict", "compile", "train_step", "test_step",
                    "predict_step", "predictions", "optimizer", "loss", "metrics", "layers", "summary", "save",
                    "params", "loss_mean", "variables", "weights", "name", "inputs", "outputs"}


# tf.layers functions a model_fn may call -> Keras layers: the graph rewrite's, and batch normalization
LAYERS: Dict[str, Layer] = {**{name: layer for name, layer in GRAPH_LAYERS.items() if not name.startswith("contrib.")},
                            # contrib's flatten is tf.layers' (batch kept, the rest one static size)
                            "contrib.layers.flatten": GRAPH_LAYERS["layers.flatten"],
                            "layers.batch_normalization": BATCH_NORMALIZATION}
