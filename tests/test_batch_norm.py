"""tf.layers.batch_normalization and its UPDATE_OPS in the graph-to-eager rewrite (rules/_eager/batch_norm.py).

The fixture batch_norm_update_ops runs a whole program both ways; these pin what is refused."""
from __future__ import annotations

import textwrap

from tfmigrate.engine import Options, process_text

PROGRAM = """\
    import numpy as np
    import tensorflow as tf
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.float32, [None, 1])
    training = tf.placeholder_with_default(False, shape=(), name="training")
    h = tf.layers.conv2d(tf.reshape(x, [-1, 1, 3, 1]), 2, 1)
    h = tf.layers.batch_normalization(tf.layers.flatten(h), training=training)
    loss = tf.reduce_mean(tf.square(tf.layers.dense(h, 1) - y))
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    data = np.ones((4, 3), np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train, feed_dict={x: data, y: data[:, :1], training: True})
        print(sess.run(loss, feed_dict={x: data, y: data[:, :1]}))
"""


def _outcome(source: str):
    return process_text(textwrap.dedent(source), "case.py", Options(fix=True, unsafe_fixes=True))


def _reason(source: str) -> str:
    messages = [f.message for f in process_text(textwrap.dedent(source), "case.py", Options()).findings
                if f.code == "TFM090"]
    return messages[0]


def test_the_layer_is_a_keras_layer_told_by_the_flag_and_the_collection_and_its_scope_go():
    outcome = _outcome(PROGRAM)
    assert outcome.status.value == "idiomatic"
    text = outcome.new_text
    assert "h_batch_norm = tf.keras.layers.BatchNormalization()\n" in text
    assert ("    h = h_batch_norm(h_flatten(h), training=True) if training else h_batch_norm(h_flatten(h), "
            "training=False)\n") in text
    assert "UPDATE_OPS" not in text and "control_dependencies" not in text
    assert "\ntrain(data, data[:, :1], training=True)\n" in text
    assert "\nprint(loss(data, data[:, :1]).numpy())\n" in text  # the default, False: inference
    # after a convolution TF1 used its fused kernel, whose moving variance differs by 1/n
    assert any("Bessel's correction" in f.message for f in process_text(
        textwrap.dedent(PROGRAM), "case.py", Options()).findings)


def test_a_train_op_made_without_update_ops_stays_on_compat():
    # TF1 never updated the moving averages then; a Keras layer would at every train step
    source = PROGRAM.replace("    with tf.control_dependencies(update_ops):\n        train =", "    train =")
    assert _reason(source) == (
        "kept on tensorflow.compat.v1: a train op made without the UPDATE_OPS of batch normalization as control "
        "dependencies (TF1 left the moving averages as they were; Keras updates them)")


def test_a_run_in_training_mode_outside_the_train_step_stays_on_compat():
    # TF1 computed the loss with the batch's statistics without updating the averages; Keras would update them
    source = PROGRAM.replace("print(sess.run(loss, feed_dict={x: data, y: data[:, :1]}))",
                             "print(sess.run(loss, feed_dict={x: data, y: data[:, :1], training: True}))")
    assert _reason(source) == (
        "kept on tensorflow.compat.v1: a run feeds training = True to batch normalization outside the train step "
        "(TF1 did not update its moving averages there; Keras would)")
    # a value fetched with the train op is computed again, a second forward pass in training mode
    source = PROGRAM.replace("sess.run(train, feed_dict=", "_, h_value = sess.run([train, h], feed_dict=")
    assert "to batch normalization outside the train step" in _reason(source)


def test_batch_normalization_always_training_stays_on_compat():
    source = PROGRAM.replace("training=training)", "training=True)")
    assert _reason(source) == (
        "kept on tensorflow.compat.v1: batch normalization told whether it trains by something other than a "
        "boolean placeholder (TF1 updated its moving averages only where a run ran UPDATE_OPS)")


def test_update_ops_read_before_the_layer_was_made_stay_on_compat():
    # the collection held no update then: TF1 never updated the moving averages
    source = PROGRAM.replace("    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)\n", "")
    source = source.replace("    training = tf.placeholder_with_default(",
                            "    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)\n"
                            "    training = tf.placeholder_with_default(")
    assert _reason(source) == (
        "kept on tensorflow.compat.v1: a train op made under UPDATE_OPS read before a batch normalization layer "
        "was made (TF1 did not update that layer's moving averages; Keras would)")


def test_update_ops_of_a_program_without_batch_normalization_go():
    # an empty collection: the train op depended on nothing
    source = PROGRAM.replace("tf.layers.batch_normalization(tf.layers.flatten(h), training=training)",
                             "tf.layers.flatten(h)")
    outcome = _outcome(source)
    assert outcome.status.value == "idiomatic"
    assert "UPDATE_OPS" not in outcome.new_text and "control_dependencies" not in outcome.new_text
