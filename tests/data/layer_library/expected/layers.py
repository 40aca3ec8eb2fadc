"""Layer helpers shared by the training programs: each layer makes its own weights."""
import tensorflow as tf


def weight_variable(name, shape):
    """A weight matrix drawn from a truncated normal."""
    initer = tf.keras.initializers.TruncatedNormal(stddev=0.1)
    return tf.Variable(initer(shape=shape, dtype=tf.float32), name='W_' + name)


def bias_variable(name, shape):
    """A bias vector of 0.1."""
    initial = tf.constant(0.1, shape=shape, dtype=tf.float32)
    return tf.Variable(initial, name='b_' + name)


class FcLayer(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.is_built = False

    @tf.Module.with_name_scope
    def __call__(self, x, num_units, name, use_relu=True):
        """A fully-connected layer: relu(x W + b)."""
        in_dim = x.get_shape()[1]
        if not self.is_built:
            self.W = weight_variable(name, shape=[in_dim, num_units])
            self.b = bias_variable(name, [num_units])
            self.is_built = True
        layer = tf.matmul(x, self.W)
        layer += self.b
        if use_relu:
            layer = tf.nn.relu(layer)
        return layer
