"""The census-style classifier: its columns, its input function and its model function."""
import numpy as np
import tensorflow as tf

FEATURES = ["age", "hours"]
SCALE = {"age": 1.0 / 50, "hours": 1.0 / 40}
HIDDEN_UNITS = 4


def make_data(size=64):
    """Two numeric features; the label is 1 when their scaled sum passes 2."""
    rows = np.arange(size, dtype=np.float32)
    features = {"age": 20.0 + (rows * 7) % 50, "hours": 10.0 + (rows * 11) % 40}
    labels = ((features["age"] * SCALE["age"] + features["hours"] * SCALE["hours"]) > 1.2).astype(np.int32)
    return features, labels


def input_fn(features, labels, batch_size, repeat=True):
    dataset = tf.data.Dataset.from_tensor_slices((features, labels))
    if repeat:
        dataset = dataset.repeat()
    return dataset.batch(batch_size)


def model_fn(features, labels, mode, params):
    """A hidden layer and a logit: trained with Adam on the cross-entropy."""
    inputs = tf.stack([features[name] * SCALE[name] for name in FEATURES], axis=1)
    hidden = tf.layers.dense(inputs, params["hidden_units"], activation=tf.nn.relu,
                             kernel_initializer=tf.constant_initializer(0.3), name="hidden")
    logits = tf.layers.dense(hidden, 2, kernel_initializer=tf.constant_initializer([[0.1, -0.1]] * params["hidden_units"]),
                             name="logits")
    predicted = tf.argmax(logits, 1)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(mode, predictions={"class": predicted, "probabilities": tf.nn.softmax(logits)})
    loss = tf.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    if mode == tf.estimator.ModeKeys.EVAL:
        accuracy = tf.metrics.accuracy(labels=labels, predictions=predicted)
        return tf.estimator.EstimatorSpec(mode, loss=loss, eval_metric_ops={"accuracy": accuracy})
    optimizer = tf.train.AdamOptimizer(params["learning_rate"])
    train_op = optimizer.minimize(loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)
