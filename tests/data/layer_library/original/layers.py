"""Layer helpers shared by the training programs: each layer makes its own weights."""
import tensorflow as tf


def weight_variable(name, shape):
    """A weight matrix drawn from a truncated normal."""
    initer = tf.truncated_normal_initializer(stddev=0.1)
    return tf.get_variable('W_' + name,
                           dtype=tf.float32,
                           shape=shape,
                           initializer=initer)


def bias_variable(name, shape):
    """A bias vector of 0.1."""
    initial = tf.constant(0.1, shape=shape, dtype=tf.float32)
    return tf.get_variable('b_' + name, dtype=tf.float32, initializer=initial)


def fc_layer(x, num_units, name, use_relu=True):
    """A fully-connected layer: relu(x W + b)."""
    in_dim = x.get_shape()[1]
    W = weight_variable(name, shape=[in_dim, num_units])
    b = bias_variable(name, [num_units])
    layer = tf.matmul(x, W)
    layer += b
    if use_relu:
        layer = tf.nn.relu(layer)
    return layer
