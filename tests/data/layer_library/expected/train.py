# A classifier whose layers come from layers.py, trained on a fixed data set.
import numpy as np
import tensorflow as tf
from layers import FcLayer

SIGNATURE = [tf.TensorSpec([None, 3], tf.float32), tf.TensorSpec([None, 2], tf.float32)]

# Create the network layers
fc1_layer = FcLayer()

@tf.function(input_signature=SIGNATURE[:1])
def fc1(x):
    return fc1_layer(x, 6, 'FC1', use_relu=True)

# a first trace makes the variables of fc1_layer here, as TF1 did
fc1.get_concrete_function()
output_logits_layer = FcLayer()

@tf.function(input_signature=SIGNATURE[:1])
def output_logits(x):
    return output_logits_layer(fc1(x), 2, 'OUT', use_relu=False)

# a first trace makes the variables of output_logits_layer here, as TF1 did
output_logits.get_concrete_function()

def loss(x, y):
    return tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=output_logits(x)), name='loss')

sgd = tf.optimizers.SGD(learning_rate=0.5)

@tf.function(input_signature=SIGNATURE)
def optimizer(x, y):
    with tf.GradientTape() as tape:
        loss_value = loss(x, y)
    variables = tape.watched_variables()
    sgd.apply_gradients(zip(tape.gradient(loss_value, variables), variables))
    return loss_value

def correct_prediction(x, y):
    return tf.equal(tf.argmax(output_logits(x), 1), tf.argmax(y, 1), name='correct_pred')

@tf.function(input_signature=SIGNATURE)
def accuracy(x, y):
    return tf.reduce_mean(tf.cast(correct_prediction(x, y), tf.float32), name='accuracy')

rng = np.random.RandomState(3)
xs = rng.randn(40, 3).astype(np.float32)
ys = np.eye(2)[(xs[:, 0] - xs[:, 2] > 0).astype(int)].astype(np.float32)
for step in range(60):
    cost = optimizer(xs, ys).numpy()
    if step % 20 == 0:
        print(step, cost)
print("accuracy", accuracy(xs, ys).numpy())
