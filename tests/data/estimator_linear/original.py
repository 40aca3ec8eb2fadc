# Fit y = 2x - 1 with a TF1 Estimator: a custom model_fn, full-batch gradient
# descent from zero. The least-squares optimum is w = 2, b = -1 exactly.
# tf.estimator was removed in TensorFlow 2.16: this runs on TF <= 2.15.
import numpy as np
import tensorflow as tf

x_train = np.linspace(-1.0, 1.0, 64).astype(np.float32)
y_train = 2.0 * x_train - 1.0


def input_fn():
    dataset = tf.data.Dataset.from_tensor_slices(({"x": x_train}, y_train))
    return dataset.repeat().batch(64)


def model_fn(features, labels, mode):
    w = tf.get_variable("w", [], initializer=tf.zeros_initializer())
    b = tf.get_variable("b", [], initializer=tf.zeros_initializer())
    prediction = w * features["x"] + b
    loss = tf.reduce_mean(tf.square(prediction - labels))
    optimizer = tf.train.GradientDescentOptimizer(learning_rate=0.5)
    train_op = optimizer.minimize(loss, global_step=tf.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


estimator = tf.estimator.Estimator(model_fn)
estimator.train(input_fn, steps=300)
print("w", estimator.get_variable_value("w"))
print("b", estimator.get_variable_value("b"))
